import { createHash } from 'node:crypto';
import type { Item } from '../ports/table-store.port';
import { isFieldCiphertext } from '../ports/field-encryptor.port';
import { isValidCreditCode, normalizeCreditCode } from '../enrichment/credit-code';
import { foldName, namePinyin } from './name-folding';

/**
 * Blocking keys of a customer: the normalised values a duplicate would share. Each becomes a lookup
 * item `T#<t>#DUP#<type>#<digest>` / `<customerId>`, written in the customer's own transaction, so
 * finding candidates is one Query per key — O(1) in the size of the tenant.
 * Values are stored as salted SHA-256 digests, never in clear (see ADR 0013).
 */
export const BLOCKING_KEY_TYPES = ['creditCode', 'phone', 'fixedLine', 'email', 'name', 'namePinyin'] as const;
export type BlockingKeyType = (typeof BLOCKING_KEY_TYPES)[number];

export interface BlockingKey {
  type: BlockingKeyType;
  value: string;
}

/** At most this many phones and emails per customer take part (keeps a write within one transaction). */
export const MAX_KEYED_CONTACTS = 3;

/** The fields blocking keys are computed from (a plain, unsealed record). */
export interface BlockingSource {
  id?: string;
  kind: 'person' | 'company';
  name: string;
  phones: Array<{ e164?: string | null; type?: string | null; valid?: boolean }>;
  emails: Array<{ address: string }>;
  customFields?: Record<string, unknown>;
  enrichment?: { record?: { creditCode?: string } };
  deletedAt?: string;
  mergedInto?: string;
}

export function blockingKeys(c: BlockingSource): BlockingKey[] {
  const keys: BlockingKey[] = [];
  const add = (type: BlockingKeyType, value: string | undefined) => {
    if (value && !isFieldCiphertext(value) && !keys.some((k) => k.type === type && k.value === value)) keys.push({ type, value });
  };
  const code = c.customFields?.creditCode;
  if (typeof code === 'string' && !isFieldCiphertext(code) && isValidCreditCode(normalizeCreditCode(code))) add('creditCode', normalizeCreditCode(code));
  add('creditCode', c.enrichment?.record?.creditCode);
  const phones = Array.isArray(c.phones) ? c.phones.filter((p) => p && p.valid && p.e164) : [];
  for (const p of phones.slice(0, MAX_KEYED_CONTACTS)) add(p.type === 'mobile' || p.type === 'fixed_line_or_mobile' ? 'phone' : 'fixedLine', p.e164 ?? undefined);
  const emails = Array.isArray(c.emails) ? c.emails.filter((e) => e && typeof e.address === 'string') : [];
  for (const e of emails.slice(0, MAX_KEYED_CONTACTS)) add('email', e.address.toLowerCase());
  const folded = foldName(c.name, c.kind);
  if (folded.length >= 2) {
    add('name', `${c.kind}:${folded}`);
    const spoken = namePinyin(folded);
    if (spoken) add('namePinyin', `${c.kind}:${spoken}`);
  }
  return keys;
}

/** The lookup partition of one blocking key (tenant first; value digested with the tenant as salt). */
export function blockingKeyPartition(tenantId: string, key: BlockingKey): string {
  const digest = createHash('sha256').update(`${tenantId}\u0000${key.type}\u0000${key.value}`).digest('base64url').slice(0, 32);
  return `T#${tenantId}#DUP#${key.type}#${digest}`;
}

/** Lookup items of a live customer (none for deleted or merged ones). */
export function duplicateKeyItems(tenantId: string, c: BlockingSource & { id: string }): Item[] {
  if (c.deletedAt || c.mergedInto) return [];
  return blockingKeys(c).map((key) => ({
    pk: blockingKeyPartition(tenantId, key),
    sk: c.id,
    entity: 'customer-dupkey',
    tenantId,
    customerId: c.id,
    keyType: key.type,
  }));
}
