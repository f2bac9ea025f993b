import { createHash } from 'node:crypto';
import type { Item } from '../ports/table-store.port';
import { customerKeys } from '../customers/customer.keys';
import type { Customer } from '../customers/customer.schema';
import type { DerivedItem } from '../customers/derived-items';
import { ORDERED_FIELD_TYPES, type FieldDefinition } from './field-registry';

/**
 * Index items of filterable and unique custom fields (docs/data-model.md, "Custom-field indexes").
 * Values stay in each record's `customFields` map; these items sit next to it in the table, one per
 * (field, value, record), like tag memberships, because a GSI cannot index a map entry or a list:
 *
 * - equality `T#t#CFV#customer#<key>#<valueKey>` / `<nameKey>#<id>`: a filter is one Query on the
 *   value's partition, sorted by name, so a name prefix composes as `begins_with`;
 * - range (number, currency, date, datetime) `T#t#CFR#customer#<key>` / `<sortable value>#<id>`:
 *   `gte`/`lte` are one sort-key range;
 * - uniqueness `T#t#UNIQ#customer#<key>#g<generation>#<sha256 of value>` / `UNIQ`: a claim written
 *   with `attribute_not_exists` in the record's own transaction. The generation (definition version
 *   whose build is current) makes claims left over from an earlier time the field was unique
 *   unreachable instead of blocking writes.
 *
 * Pure functions: the write path diffs `customFieldIndexItems(before)` against `(after)`, the
 * backfill (field-index-build.ts) writes them for existing records.
 */

export const FIELD_INDEX_ENTITIES = {
  equality: 'customer-field-value',
  range: 'customer-field-range',
  /** Matches `rethrowUniqueViolation` in customers/derived-items.ts. */
  unique: 'customer-unique',
} as const;

const UNIQUE_SK = 'UNIQ';
/** Longer normalised values are hashed in partition keys (DynamoDB allows 2 KB; we stay far below). */
const MAX_LITERAL_VALUE_KEY = 100;

export const fieldIndexKeys = {
  equality: (tenantId: string, objectType: string, key: string, valueKey: string) => `T#${tenantId}#CFV#${objectType}#${key}#${valueKey}`,
  range: (tenantId: string, objectType: string, key: string) => `T#${tenantId}#CFR#${objectType}#${key}`,
  rangeSortKey: (orderKey: string, id: string) => `${orderKey}#${id}`,
  unique: (tenantId: string, objectType: string, key: string, generation: number, valueHash: string): { pk: string; sk: string } => ({
    pk: `T#${tenantId}#UNIQ#${objectType}#${key}#g${generation}#${valueHash}`,
    sk: UNIQUE_SK,
  }),
};

const isOrdered = (d: FieldDefinition) => (ORDERED_FIELD_TYPES as readonly string[]).includes(d.type);

/** Case-, width- and space-stable folding for text-like values (same spirit as `nameKey`). */
function foldText(value: string): string {
  return value.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

/**
 * The canonical string of one value of a field (one option for multiEnum), the basis of equality
 * keys and uniqueness hashes; undefined when the stored value does not fit the type (e.g. a value
 * written before the field was defined) or is sealed (sensitive values are never indexed in clear).
 */
export function normaliseFieldValue(d: FieldDefinition, value: unknown): string | undefined {
  if (typeof value === 'string' && value.startsWith('enc:v1:')) return undefined;
  switch (d.type) {
    case 'number':
    case 'currency':
      return typeof value === 'number' && Number.isFinite(value) ? String(value === 0 ? 0 : value) : undefined;
    case 'boolean':
      return typeof value === 'boolean' ? String(value) : undefined;
    case 'date':
      return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) ? value : undefined;
    case 'datetime': {
      if (typeof value !== 'string') return undefined;
      const ms = Date.parse(value);
      return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
    }
    case 'phone':
      return typeof value === 'string' && value.trim() !== '' ? value.normalize('NFKC').replace(/[^\d+]/g, '') || undefined : undefined;
    case 'url': {
      if (typeof value !== 'string') return undefined;
      try {
        return new URL(value.trim()).href; // lower-cases scheme and host; paths stay case-sensitive
      } catch {
        return undefined;
      }
    }
    case 'reference':
      return typeof value === 'string' && value !== '' ? value : undefined;
    default:
      return typeof value === 'string' && foldText(value) !== '' ? foldText(value) : undefined;
  }
}

/** The normalised values of a record's field (several for multiEnum, deduplicated). */
function normalisedValues(d: FieldDefinition, value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (d.type === 'multiEnum') {
    if (!Array.isArray(value)) return [];
    return [...new Set(value.map((v) => normaliseFieldValue(d, v)).filter((v): v is string => v !== undefined))];
  }
  const one = normaliseFieldValue(d, value);
  return one === undefined ? [] : [one];
}

/** Partition-key segment of a normalised value: itself when short, else its SHA-256. */
export function valueKeyOf(normalised: string): string {
  return normalised.length <= MAX_LITERAL_VALUE_KEY ? normalised : `sha256:${sha256(normalised)}`;
}

/** Hash of a unique value, as used in claim keys and reported in `conflicts`. */
export function uniqueValueHash(normalised: string): string {
  return sha256(normalised);
}

function sha256(s: string): string {
  return createHash('sha256').update(s, 'utf8').digest('hex');
}

/**
 * Order-preserving, fixed-width encoding of a finite number: its IEEE 754 bits (16 hex digits) with
 * the sign bit flipped for positives and all bits inverted for negatives, so byte order = numeric
 * order for every double (negatives, decimals, huge values) without losing precision.
 */
export function encodeSortableNumber(n: number): string {
  if (!Number.isFinite(n)) throw new RangeError('only finite numbers have an order key');
  const bytes = Buffer.alloc(8);
  bytes.writeDoubleBE(n === 0 ? 0 : n); // -0 sorts (and matches) as 0
  if (bytes[0]! & 0x80) for (let i = 0; i < 8; i++) bytes[i] = ~bytes[i]! & 0xff;
  else bytes[0] = bytes[0]! | 0x80;
  return bytes.toString('hex');
}

/**
 * Order key of a normalised value of an ordered field: sortable number, ISO date, or UTC ISO
 * date-time with milliseconds (fixed width, so string order = time order).
 */
export function orderKeyOf(d: FieldDefinition, normalised: string): string {
  return d.type === 'number' || d.type === 'currency' ? encodeSortableNumber(Number(normalised)) : normalised;
}

/**
 * Index items of one record's custom fields: equality (and range for ordered types) items for
 * each active filterable field with a value, and uniqueness claims for each active unique field
 * whose index has not failed. Deleted and merged-away records have none (they leave filters and
 * free their unique values). Sealed values produce no items; when deriving from the plain record, pass the tenant's
 * `sensitiveFields` so sensitive custom fields are skipped too (the stored record seals them).
 */
export function customFieldIndexItems(
  tenantId: string,
  customer: Customer,
  definitions: readonly FieldDefinition[],
  options: { sensitiveFields?: readonly string[] } = {},
): DerivedItem[] {
  if (customer.deletedAt || customer.mergedInto) return [];
  const items: DerivedItem[] = [];
  const base = { tenantId, customerId: customer.id };
  const sensitive = new Set(options.sensitiveFields ?? []);
  for (const d of definitions) {
    if (d.status !== 'active' || (!d.filterable && !d.unique)) continue;
    // Keys are never encrypted: a sensitive field's values stay out of every index.
    if (sensitive.has('customFields') || sensitive.has(`customFields.${d.key}`)) continue;
    const values = normalisedValues(d, customer.customFields?.[d.key]);
    if (values.length === 0) continue;
    if (d.filterable) {
      for (const v of values) {
        items.push({
          pk: fieldIndexKeys.equality(tenantId, d.objectType, d.key, valueKeyOf(v)),
          sk: customerKeys.listSortKey(customer.name, customer.id),
          entity: FIELD_INDEX_ENTITIES.equality, ...base, field: d.key,
        });
        if (isOrdered(d)) {
          items.push({
            pk: fieldIndexKeys.range(tenantId, d.objectType, d.key),
            sk: fieldIndexKeys.rangeSortKey(orderKeyOf(d, v), customer.id),
            entity: FIELD_INDEX_ENTITIES.range, ...base, field: d.key,
          });
        }
      }
    }
    if (d.unique && d.indexState !== 'failed' && d.indexGeneration !== undefined) {
      const valueHash = uniqueValueHash(values[0]!);
      items.push({
        ...fieldIndexKeys.unique(tenantId, d.objectType, d.key, d.indexGeneration, valueHash),
        entity: FIELD_INDEX_ENTITIES.unique, ...base, field: d.key, valueHash, unique: true,
      });
    }
  }
  return items;
}

/** Whether a derived item is a uniqueness claim (write it with a notExists condition). */
export function isUniqueClaim(item: Item): boolean {
  return item.entity === FIELD_INDEX_ENTITIES.unique;
}

/**
 * The custom-field key a uniqueness claim guards, to name it in `unique_violation`
 * (`AppError('unique_violation', ..., { field: 'customFields.<key>' })`); undefined for other items.
 */
export function uniqueConflictField(item: Item): string | undefined {
  return isUniqueClaim(item) ? (item.field as string) : undefined;
}

/** The item as stored: the in-memory `unique` marker is dropped. */
export function storedIndexItem(item: DerivedItem): Item {
  const { unique: _unique, ...rest } = item;
  return rest;
}
