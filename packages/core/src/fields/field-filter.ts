import * as z from 'zod';
import { AppError } from '../errors';
import type { Item, QueryInput } from '../ports/table-store.port';
import { customerKeys } from '../customers/customer.keys';
import type { Customer } from '../customers/customer.schema';
import { FieldKey, ORDERED_FIELD_TYPES, type FieldDefinition } from './field-registry';
import { encodeSortableNumber, fieldIndexKeys, normaliseFieldValue, orderKeyOf, valueKeyOf } from './field-index';

/** One custom-field filter of a list request: `cf.<key>=<v>` or `cf.<key>.gte=`/`.lte=`. */
export interface CustomFieldFilter {
  key: string;
  equals?: string;
  gte?: string;
  lte?: string;
}

/** Query parameter names of custom-field filters. */
const FILTER_PARAM = /^cf\.([a-z][a-zA-Z0-9_]{0,63})(?:\.(gte|lte))?$/;

/**
 * Splits `cf.*` parameters off a raw query object: at most one custom field per request (each is
 * its own index, and intersecting two would mean reading both). Returns the issues to report.
 */
export function customFieldFilterOf(raw: Record<string, unknown>, known: ReadonlySet<string>): { filter?: CustomFieldFilter; issues: Array<{ path: string; message: string }> } {
  const issues: Array<{ path: string; message: string }> = [];
  let filter: CustomFieldFilter | undefined;
  for (const [name, value] of Object.entries(raw)) {
    if (known.has(name)) continue;
    const m = FILTER_PARAM.exec(name);
    if (!m || !FieldKey.safeParse(m[1]).success) {
      // Same wording as any other unknown query parameter; a malformed cf.* one gets the syntax.
      issues.push({ path: name, message: name.startsWith('cf.') ? 'unknown field (custom-field filters are cf.<key>, cf.<key>.gte, cf.<key>.lte)' : 'unknown field' });
      continue;
    }
    if (typeof value !== 'string') {
      issues.push({ path: name, message: 'must be a string' });
      continue;
    }
    const key = m[1]!;
    if (filter && filter.key !== key) {
      issues.push({ path: name, message: 'filter on one custom field per request' });
      continue;
    }
    filter ??= { key };
    if (m[2] === 'gte') filter.gte = value;
    else if (m[2] === 'lte') filter.lte = value;
    else filter.equals = value;
  }
  if (filter && filter.equals !== undefined && (filter.gte !== undefined || filter.lte !== undefined)) {
    issues.push({ path: `cf.${filter.key}`, message: 'use either an exact value or a gte/lte range' });
  }
  return { ...(filter ? { filter } : {}), issues };
}

/** How a list request reads a custom-field index and re-checks each entry against its record. */
export interface CustomFieldFilterPlan {
  query: Pick<QueryInput, 'partition' | 'sortKey'>;
  /** Range plans are in value order, so a name prefix cannot narrow the key and is checked per record. */
  ordered: boolean;
  /**
   * Whether an index entry still describes its record (the record's current value matches and the
   * entry is the one the record derives now): stale entries, e.g. of a rename the index build wrote
   * over or a value hashed into the same key, are skipped.
   */
  matches(entry: Item, customer: Customer): boolean;
}

const invalid = (key: string, message: string, param = `cf.${key}`) =>
  new AppError('validation_failed', `Cannot filter on custom field ${key}: ${message}`, { errors: [{ path: `query.${param}`, message }] });

/**
 * Checks a custom-field filter against the tenant's registry and turns it into an index query.
 * 400 `validation_failed` for unknown, removed or non-filterable fields, ranges on unordered types
 * and values that do not fit the type; 409 `conflict` while the field's index is still being built
 * (or failed), because its answers would be incomplete.
 */
export function planCustomFieldFilter(tenantId: string, definitions: FieldDefinition[], filter: CustomFieldFilter, namePrefixKey?: string): CustomFieldFilterPlan {
  const d = definitions.find((f) => f.key === filter.key && f.status === 'active');
  if (!d) throw invalid(filter.key, 'no such custom field');
  if (!d.filterable) throw invalid(filter.key, 'the field is not filterable (PUT /v1/fields/{objectType}/{key} with "filterable": true)');
  if (d.indexState !== 'ready') {
    throw new AppError('conflict', d.indexState === 'building'
      ? `The index of custom field ${d.key} is still being built over existing records; try again shortly`
      : `The index of custom field ${d.key} could not be built (see its conflicts in GET /v1/fields); fix them and put the field again`,
    { field: `customFields.${d.key}`, indexState: d.indexState });
  }
  const ordered = (ORDERED_FIELD_TYPES as readonly string[]).includes(d.type);

  if (filter.equals !== undefined) {
    const wanted = normalised(d, filter.equals, `cf.${d.key}`);
    return {
      query: { partition: fieldIndexKeys.equality(tenantId, d.objectType, d.key, valueKeyOf(wanted)), ...(namePrefixKey ? { sortKey: { beginsWith: namePrefixKey } } : {}) },
      ordered: false,
      matches: (entry, c) => entry.sk === customerKeys.listSortKey(c.name, c.id) && valuesOf(d, c).includes(wanted),
    };
  }
  if (!ordered) throw invalid(d.key, `gte/lte need an ordered field (${ORDERED_FIELD_TYPES.join(', ')})`, `cf.${d.key}.${filter.gte !== undefined ? 'gte' : 'lte'}`);
  const lo = filter.gte !== undefined ? orderKeyOf(d, normalised(d, filter.gte, `cf.${d.key}.gte`)) : undefined;
  const hi = filter.lte !== undefined ? orderKeyOf(d, normalised(d, filter.lte, `cf.${d.key}.lte`)) : undefined;
  // Items sort as `<orderKey>#<id>`; '~' is above every id character, so `<hi>#~` ends the range at `hi` inclusive.
  const upper = hi !== undefined ? `${hi}#~` : undefined;
  const sortKey = lo !== undefined && upper !== undefined ? { between: [lo, upper] as [string, string] } : lo !== undefined ? { gte: lo } : { lte: upper! };
  if (lo !== undefined && hi !== undefined && lo > hi) throw invalid(d.key, 'gte is above lte', `cf.${d.key}.gte`);
  return {
    query: { partition: fieldIndexKeys.range(tenantId, d.objectType, d.key), sortKey },
    ordered: true,
    matches: (entry, c) => valuesOf(d, c).some((v) => {
      const k = orderKeyOf(d, v);
      return entry.sk === fieldIndexKeys.rangeSortKey(k, c.id) && (lo === undefined || k >= lo) && (hi === undefined || k <= hi);
    }),
  };
}

function valuesOf(d: FieldDefinition, c: Customer): string[] {
  if (c.deletedAt || c.mergedInto) return [];
  const value = c.customFields?.[d.key];
  if (value === undefined || value === null) return [];
  const list = d.type === 'multiEnum' && Array.isArray(value) ? value : [value];
  return list.map((v) => normaliseFieldValue(d, v)).filter((v): v is string => v !== undefined);
}

/** A filter value (a query string) coerced to the field's type and normalised like stored values. */
function normalised(d: FieldDefinition, raw: string, param: string): string {
  const fail = (message: string) => invalid(d.key, message, param);
  let value: unknown = raw;
  switch (d.type) {
    case 'number':
    case 'currency': {
      const n = raw.trim() === '' ? Number.NaN : Number(raw);
      if (!Number.isFinite(n)) throw fail('must be a number');
      encodeSortableNumber(n);
      value = n;
      break;
    }
    case 'boolean':
      if (raw !== 'true' && raw !== 'false') throw fail('must be true or false');
      value = raw === 'true';
      break;
    case 'date':
      if (!/^\d{4}-\d{2}-\d{2}$/.test(raw) || Number.isNaN(Date.parse(raw))) throw fail('must be a date (YYYY-MM-DD)');
      break;
    case 'datetime':
      if (!z.iso.datetime({ offset: true }).safeParse(raw).success) throw fail('must be an ISO 8601 date-time');
      break;
    case 'enum':
    case 'multiEnum': {
      const folded = normaliseFieldValue(d, raw);
      if (!d.validation.options?.some((o) => normaliseFieldValue(d, o) === folded)) throw fail(`must be one of ${d.validation.options?.join(', ')}`);
      break;
    }
    default:
      break;
  }
  const out = normaliseFieldValue(d, value);
  if (out === undefined) throw fail(`not a valid ${d.type} value`);
  return out;
}
