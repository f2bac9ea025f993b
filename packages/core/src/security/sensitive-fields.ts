import * as z from 'zod';
import { FieldDecryptionError, isFieldCiphertext, type FieldEncryptor } from '../ports/field-encryptor.port';

/**
 * Sealing and opening of a record's sensitive fields (application-level envelope encryption).
 *
 * A path is a top-level field (`address`) or one level down (`customFields.nationalId`). A sealed
 * value is always `enc:v1:...` over the JSON of the original value (strings included), so opening
 * restores the exact type: a string that looks like JSON stays a string. Records are never
 * mutated; each helper answers a copy.
 */
export const SENSITIVE_FIELD_PATH = /^[a-zA-Z]+(\.[a-zA-Z0-9_]+)?$/;

export const SensitiveFieldPath = z
  .string()
  .regex(SENSITIVE_FIELD_PATH, 'must be a field name or <field>.<key>, e.g. customFields.nationalId')
  .refine((path) => !path.endsWith('.__proto__'), 'must not name __proto__');

type AnyRecord = Record<string, unknown>;

/** Throws on a path that does not match SENSITIVE_FIELD_PATH (a programming or configuration error). */
export function assertSensitivePaths(paths: readonly string[]): void {
  for (const path of paths) {
    if (!SENSITIVE_FIELD_PATH.test(path) || path.endsWith('.__proto__')) throw new Error(`Invalid sensitive field path: ${JSON.stringify(path)}`);
  }
}

interface Slot {
  path: string;
  /** The object that holds the value (the record, or a copied nested object). */
  holder: AnyRecord;
  key: string;
}

/**
 * Copies the record along each path (nested objects are copied too, so the input stays untouched)
 * and answers the slots that hold a value. Absent values, and paths through a non-object, are
 * skipped: there is nothing to protect there.
 */
function slotsOf(record: AnyRecord, paths: readonly string[]): { copy: AnyRecord; slots: Slot[] } {
  assertSensitivePaths(paths);
  const copy: AnyRecord = { ...record };
  const slots: Slot[] = [];
  const copiedParents = new Map<string, AnyRecord>();
  for (const path of new Set(paths)) {
    const [head, key] = path.split('.') as [string, string | undefined];
    if (key === undefined) {
      if (Object.hasOwn(copy, head) && copy[head] !== undefined) slots.push({ path, holder: copy, key: head });
      continue;
    }
    const parent = copy[head];
    if (!parent || typeof parent !== 'object' || Array.isArray(parent)) continue;
    if (!Object.hasOwn(parent, key) || (parent as AnyRecord)[key] === undefined) continue;
    // Copy each nested object once, even when several paths go through it.
    let owned = copiedParents.get(head);
    if (!owned) {
      owned = { ...(parent as AnyRecord) };
      copiedParents.set(head, owned);
      copy[head] = owned;
    }
    slots.push({ path, holder: owned, key });
  }
  return { copy, slots };
}

/**
 * Whether a value that looks sealed really is a ciphertext of this tenant and path. Anything else
 * (a user typing `enc:v1:...`, a value copied from another field) is plain input and gets sealed;
 * otherwise it would be stored as is and make the record fail to open.
 */
async function isOwnCiphertext(encryptor: FieldEncryptor, tenantId: string, path: string, value: string): Promise<boolean> {
  try {
    await encryptor.decrypt(tenantId, path, value);
    return true;
  } catch (error) {
    if (error instanceof FieldDecryptionError) return false;
    throw error;
  }
}

/**
 * Replaces each present path of `record` with its ciphertext (bound to tenant and path).
 * Values already sealed for this tenant and path are kept, so re-sealing a stored record is harmless.
 */
export async function sealFields<T extends AnyRecord>(
  record: T,
  paths: readonly string[],
  tenantId: string,
  encryptor: FieldEncryptor,
): Promise<T> {
  const { copy, slots } = slotsOf(record, paths);
  await Promise.all(
    slots.map(async ({ path, holder, key }) => {
      const value = holder[key];
      if (isFieldCiphertext(value) && (await isOwnCiphertext(encryptor, tenantId, path, value))) return;
      holder[key] = await encryptor.encrypt(tenantId, path, JSON.stringify(value));
    }),
  );
  return copy as T;
}

/**
 * Decrypts each sealed path of `record`. A present value that is not a ciphertext is kept: it was
 * written before the field became sensitive and is sealed on the record's next write. A ciphertext
 * that fails to decrypt (tampered, or copied from another tenant/field) throws FieldDecryptionError.
 */
export async function openFields<T extends AnyRecord>(
  record: T,
  paths: readonly string[],
  tenantId: string,
  encryptor: FieldEncryptor,
): Promise<T> {
  const { copy, slots } = slotsOf(record, paths);
  await Promise.all(
    slots.map(async ({ path, holder, key }) => {
      const value = holder[key];
      if (!isFieldCiphertext(value)) return;
      holder[key] = JSON.parse(await encryptor.decrypt(tenantId, path, value)) as unknown;
    }),
  );
  return copy as T;
}

/** Omits each path from a copy of `record`, for callers that may not read those fields. */
export function maskFields<T extends AnyRecord>(record: T, paths: readonly string[]): T {
  const { copy, slots } = slotsOf(record, paths);
  for (const { holder, key } of slots) delete holder[key];
  return copy as T;
}
