import * as z from 'zod';
import { AppError, type FieldError } from '../errors';
import { assertIfMatchVersion } from '../shared/etag';
import type { Clock } from '../ports/clock.port';
import type { IdGenerator } from '../ports/id-generator.port';
import { TransactionConflictError, type Item, type TableStore } from '../ports/table-store.port';
import type { RequestContext } from '../principal';
import { auditEntryFrom, auditPutOperation, diffChanges } from '../audit/audit-entry';

/**
 * Per-tenant custom-field registry: definitions live as items (`T#t#FIELDS#<objectType>` /
 * `FIELD#<key>`), values stay in each record's `customFields` map, so adding, changing or removing a
 * definition never rewrites the table. Removing a field hides its values without deleting them.
 */
/** Records with custom fields. Filter and uniqueness indexes exist for customers only. */
export const OBJECT_TYPES = ['customer', 'deal'] as const;
export const INDEXED_OBJECT_TYPES: ReadonlyArray<(typeof OBJECT_TYPES)[number]> = ['customer'];
export const FIELD_TYPES = ['text', 'longText', 'number', 'currency', 'date', 'datetime', 'boolean', 'enum', 'multiEnum', 'phone', 'email', 'url', 'reference'] as const;

/** Types whose values can be kept unique per tenant (one conditional claim item per value). */
export const UNIQUE_FIELD_TYPES = ['text', 'email', 'phone', 'number', 'url'] as const;
/** Types with an order: filterable ones also get a range index (`gte`/`lte` filters). */
export const ORDERED_FIELD_TYPES = ['number', 'currency', 'date', 'datetime'] as const;
/**
 * Index of a filterable or unique field: `building` while the backfill over existing records runs
 * (filters answer 409 meanwhile), `failed` when existing records already break uniqueness.
 */
export const INDEX_STATES = ['ready', 'building', 'failed'] as const;

export const FieldKey = z.string().regex(/^[a-z][a-zA-Z0-9_]{0,63}$/, 'must be camelCase or snake_case, starting with a letter');

export const FieldDefinitionInput = z.strictObject({
  label: z.string().trim().min(1).max(100),
  type: z.enum(FIELD_TYPES),
  required: z.boolean().default(false),
  /** Value used when a create omits the field. */
  default: z.union([z.string(), z.number(), z.boolean(), z.array(z.string())]).optional(),
  validation: z.strictObject({
    min: z.number().optional(),
    max: z.number().optional(),
    regex: z.string().max(500).optional(),
    options: z.array(z.string().min(1).max(100)).max(500).optional(),
  }).default({}),
  /** Queryable through list filters (index design: docs/data-model.md). */
  filterable: z.boolean().default(false),
  /** No two live records may share a value (case/width-insensitive for text); text, email, phone, number and url only. */
  unique: z.boolean().default(false).describe('No two live records may share a value (text compares case- and width-insensitively). Allowed for text, email, phone, number and url. Turning it on checks existing records in the background (see indexState)'),
  /** For `reference`: the object type referenced. */
  references: z.enum(OBJECT_TYPES).optional(),
}).superRefine((f, ctx) => {
  if (f.unique && !(UNIQUE_FIELD_TYPES as readonly string[]).includes(f.type)) {
    ctx.addIssue({ code: 'custom', path: ['unique'], message: `only ${UNIQUE_FIELD_TYPES.join(', ')} fields can be unique` });
  }
  if ((f.type === 'enum' || f.type === 'multiEnum') && !f.validation.options?.length) {
    ctx.addIssue({ code: 'custom', path: ['validation', 'options'], message: 'enum fields need options' });
  }
  if (f.validation.regex !== undefined) {
    try {
      new RegExp(f.validation.regex);
    } catch {
      ctx.addIssue({ code: 'custom', path: ['validation', 'regex'], message: 'not a valid regular expression' });
    }
  }
});
export type FieldDefinitionInput = z.infer<typeof FieldDefinitionInput>;

export const FieldDefinition = z.object({
  key: z.string(),
  objectType: z.enum(OBJECT_TYPES),
  label: z.string(),
  type: z.enum(FIELD_TYPES),
  required: z.boolean(),
  default: z.union([z.string(), z.number(), z.boolean(), z.array(z.string())]).optional(),
  validation: z.object({ min: z.number().optional(), max: z.number().optional(), regex: z.string().optional(), options: z.array(z.string()).optional() }),
  filterable: z.boolean(),
  unique: z.boolean(),
  /** State of the field's index (filterable/unique fields): filters and uniqueness hold once `ready`. */
  indexState: z.enum(INDEX_STATES).describe('ready: filters and uniqueness hold; building: existing records are being indexed (filters answer 409); failed: existing records share a unique value (see conflicts) — fix them and put the field again'),
  /** Definition version whose index build is current (part of the uniqueness claim keys). */
  indexGeneration: z.number().int().optional().describe('Definition version whose index build is current'),
  /** Why the index build failed: existing records sharing a unique value (first few). */
  conflicts: z.array(z.object({ valueHash: z.string().describe('SHA-256 (hex) of the normalised value'), customerIds: z.array(z.string()) }))
    .optional().describe('When indexState is failed: the first records found sharing a unique value'),
  references: z.enum(OBJECT_TYPES).optional(),
  status: z.enum(['active', 'removed']),
  version: z.number().int(),
  updatedAt: z.string(),
  updatedBy: z.string(),
});
export type FieldDefinition = z.infer<typeof FieldDefinition>;

const partition = (tenantId: string, objectType: string) => `T#${tenantId}#FIELDS#${objectType}`;
const fieldKey = (tenantId: string, objectType: string, key: string) => ({ pk: partition(tenantId, objectType), sk: `FIELD#${key}` });
/** Keys of the registry items (definitions), e.g. for the index-build consumer. */
export const fieldRegistryKeys = { partition, definition: fieldKey };

/**
 * Bookkeeping of a running index build, kept on the definition item but never part of the API
 * record: the gsi1 position to resume from and the conflicts found so far.
 */
export const INDEX_BUILD_ATTRIBUTES = ['indexCursor', 'indexConflicts'] as const;

/** The API record of a stored definition item (no keys, no build bookkeeping). */
export function toDefinition(item: Item): FieldDefinition {
  const { key, objectType, label, type, required, validation, filterable, status, version, updatedAt, updatedBy } = item as unknown as FieldDefinition;
  const d = item as unknown as Partial<FieldDefinition>;
  return {
    key, objectType, label, type, required, validation, filterable, status, version, updatedAt, updatedBy,
    unique: d.unique ?? false,
    indexState: d.indexState ?? 'ready',
    ...(d.indexGeneration !== undefined ? { indexGeneration: d.indexGeneration } : {}),
    ...(d.conflicts ? { conflicts: d.conflicts } : {}),
    ...(d.default !== undefined ? { default: d.default } : {}),
    ...(d.references ? { references: d.references } : {}),
  };
}

/** All definitions of an object type (active and removed), in key order: one Query. */
export async function loadFieldDefinitions(store: TableStore, tenantId: string, objectType: (typeof OBJECT_TYPES)[number]): Promise<FieldDefinition[]> {
  const page = await store.query({ partition: partition(tenantId, objectType), limit: 1000, consistent: true });
  return page.items.map(toDefinition);
}

/** Creates or replaces a definition (If-Match with the version read; none for a new key). */
export async function putFieldDefinition(
  deps: { store: TableStore; clock: Clock; ids: IdGenerator },
  ctx: RequestContext,
  objectType: (typeof OBJECT_TYPES)[number],
  key: string,
  input: FieldDefinitionInput,
  ifMatch: string | undefined,
): Promise<FieldDefinition> {
  const { tenantId } = ctx.principal;
  if ((input.filterable || input.unique) && !INDEXED_OBJECT_TYPES.includes(objectType)) {
    throw new AppError('validation_failed', `Only customer fields can be filterable or unique`, {
      errors: [{ path: input.filterable ? 'body.filterable' : 'body.unique', message: `not supported for ${objectType} fields` }],
    });
  }
  const current = await deps.store.get(fieldKey(tenantId, objectType, key), { consistent: true });
  const currentVersion = (current?.version as number | undefined) ?? 0;
  if (current && ifMatch === undefined) throw new AppError('precondition_required', `Field ${key} exists; send If-Match with its version`);
  if (ifMatch !== undefined) assertIfMatchVersion(ifMatch, currentVersion, `Field ${key}`);
  if (current && current.type !== input.type && current.status === 'active') {
    throw new AppError('conflict', `The type of field ${key} cannot change (${String(current.type)} → ${input.type}); add a new field instead`);
  }
  const before = current ? toDefinition(current) : undefined;
  const version = currentVersion + 1;
  const { index, bookkeeping } = nextIndexState(before, current, input, version);
  const definition: FieldDefinition = {
    key, objectType, ...input, ...index, status: 'active', version,
    updatedAt: deps.clock.now().toISOString(), updatedBy: ctx.principal.subject,
  };
  await writeDefinition(deps, ctx, definition, before, bookkeeping);
  return definition;
}

/**
 * Index state after a put. Turning filterable/unique on (or putting a new, restored or failed
 * field with either) starts a build with a new generation, which the build-field-index consumer
 * picks up from the stream; any other change keeps the running build and its position. Records
 * are never rewritten: the build adds index items next to them.
 */
function nextIndexState(
  before: FieldDefinition | undefined,
  stored: Item | undefined,
  input: FieldDefinitionInput,
  version: number,
): { index: Pick<FieldDefinition, 'indexState' | 'indexGeneration' | 'conflicts'>; bookkeeping: Record<string, unknown> } {
  if (!input.filterable && !input.unique) return { index: { indexState: 'ready' }, bookkeeping: {} };
  const turnsOn = !before || before.status === 'removed' || before.indexState === 'failed' || before.indexGeneration === undefined ||
    (input.filterable && !before.filterable) || (input.unique && !before.unique);
  if (turnsOn) {
    // A new generation only when uniqueness (re)starts: turning filterable on for a field that is
    // already unique keeps its claims, so uniqueness stays enforced while the build runs.
    const keepClaims = input.unique && before?.unique && before.status === 'active' && before.indexState !== 'failed' && before.indexGeneration !== undefined;
    return { index: { indexState: 'building', indexGeneration: keepClaims ? before.indexGeneration : version }, bookkeeping: {} };
  }
  const bookkeeping: Record<string, unknown> = {};
  for (const attribute of INDEX_BUILD_ATTRIBUTES) if (stored?.[attribute] !== undefined) bookkeeping[attribute] = stored[attribute];
  return {
    index: { indexState: before.indexState, indexGeneration: before.indexGeneration, ...(before.conflicts ? { conflicts: before.conflicts } : {}) },
    bookkeeping,
  };
}

/** Removes a field from use: its values stay in the records (restorable by putting it again) but are hidden. */
export async function removeFieldDefinition(
  deps: { store: TableStore; clock: Clock; ids: IdGenerator },
  ctx: RequestContext,
  objectType: (typeof OBJECT_TYPES)[number],
  key: string,
): Promise<void> {
  const current = await deps.store.get(fieldKey(ctx.principal.tenantId, objectType, key), { consistent: true });
  if (!current || current.status === 'removed') throw new AppError('not_found', `Field ${key} does not exist`);
  const before = toDefinition(current);
  await writeDefinition(deps, ctx, { ...before, status: 'removed', version: before.version + 1, updatedAt: deps.clock.now().toISOString(), updatedBy: ctx.principal.subject }, before);
}

async function writeDefinition(
  deps: { store: TableStore; clock: Clock; ids: IdGenerator },
  ctx: RequestContext,
  next: FieldDefinition,
  before: FieldDefinition | undefined,
  bookkeeping: Record<string, unknown> = {},
): Promise<void> {
  const { tenantId } = ctx.principal;
  try {
    await deps.store.transact([
      {
        type: 'put',
        item: { ...fieldKey(tenantId, next.objectType, next.key), entity: 'field-definition', tenantId, ...next, ...bookkeeping },
        condition: before ? { kind: 'equals', attribute: 'version', value: before.version } : { kind: 'notExists' },
      },
      auditPutOperation(auditEntryFrom(ctx, { action: 'fields:manage', resource: 'field', resourceId: `${next.objectType}.${next.key}`, changes: diffChanges(before, next) }, deps.clock, deps.ids)),
    ]);
  } catch (error) {
    if (error instanceof TransactionConflictError) throw new AppError('precondition_failed', `Field ${next.key} was changed concurrently; re-read it`);
    throw error;
  }
}

/**
 * Validates (and completes with defaults on create) a record's custom fields against the tenant's
 * registry. With no definitions the map stays free-form; once a tenant defines fields, unknown keys
 * are refused. Removed fields may not be written. Errors carry `body.customFields.<key>` paths.
 */
export function applyFieldRegistry(
  definitions: FieldDefinition[],
  values: Record<string, unknown>,
  mode: 'create' | 'update',
): Record<string, unknown> {
  if (definitions.length === 0) return values;
  const byKey = new Map(definitions.map((d) => [d.key, d]));
  const errors: FieldError[] = [];
  const out: Record<string, unknown> = { ...values };
  for (const [key, value] of Object.entries(values)) {
    const d = byKey.get(key);
    const path = `body.customFields.${key}`;
    if (!d) errors.push({ path, message: 'no such custom field (define it in /v1/fields)' });
    else if (d.status === 'removed') errors.push({ path, message: 'this field was removed' });
    else if (value !== null) {
      const problem = checkValue(d, value);
      if (problem) errors.push({ path, message: problem });
    }
  }
  if (mode === 'create') {
    for (const d of definitions) {
      if (d.status !== 'active' || out[d.key] !== undefined) continue;
      if (d.default !== undefined) out[d.key] = d.default;
      else if (d.required) errors.push({ path: `body.customFields.${d.key}`, message: 'required' });
    }
  } else {
    for (const d of definitions) {
      if (d.status === 'active' && d.required && values[d.key] === null) errors.push({ path: `body.customFields.${d.key}`, message: 'required; cannot be cleared' });
    }
  }
  if (errors.length) throw new AppError('validation_failed', 'Custom fields do not match the field registry', { errors });
  return out;
}

/** Keys of removed fields: their values are kept in storage but never shown. */
export function removedFieldKeys(definitions: FieldDefinition[]): string[] {
  return definitions.filter((d) => d.status === 'removed').map((d) => d.key);
}

function checkValue(d: FieldDefinition, value: unknown): string | undefined {
  const { min, max, regex, options } = d.validation;
  const str = (v: unknown): v is string => typeof v === 'string';
  switch (d.type) {
    case 'text':
    case 'longText': {
      if (!str(value)) return 'must be a string';
      if (d.type === 'text' && value.length > 500) return 'at most 500 characters';
      if (min !== undefined && value.length < min) return `at least ${min} characters`;
      if (max !== undefined && value.length > max) return `at most ${max} characters`;
      if (regex !== undefined && !new RegExp(regex).test(value)) return `must match ${regex}`;
      return undefined;
    }
    case 'number':
    case 'currency': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return 'must be a number';
      if (d.type === 'currency' && Math.round(value * 100) !== value * 100) return 'at most 2 decimals';
      if (min !== undefined && value < min) return `at least ${min}`;
      if (max !== undefined && value > max) return `at most ${max}`;
      return undefined;
    }
    case 'date':
      return str(value) && /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(value)) ? undefined : 'must be a date (YYYY-MM-DD)';
    case 'datetime':
      return z.iso.datetime({ offset: true }).safeParse(value).success ? undefined : 'must be an ISO 8601 date-time';
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'must be true or false';
    case 'enum':
      return str(value) && options!.includes(value) ? undefined : `must be one of ${options!.join(', ')}`;
    case 'multiEnum':
      return Array.isArray(value) && value.every((v) => str(v) && options!.includes(v)) ? undefined : `must be a list of ${options!.join(', ')}`;
    case 'phone':
      return str(value) && /^[0-9+()\-.\s]{3,40}$/.test(value) ? undefined : 'must be a phone number';
    case 'email':
      return z.email().safeParse(value).success ? undefined : 'must be an email address';
    case 'url':
      return z.url({ protocol: /^https?$/ }).safeParse(value).success ? undefined : 'must be an http(s) URL';
    case 'reference':
      return str(value) && /^[0-9A-HJKMNP-TV-Z]{26}$/.test(value) ? undefined : 'must be a record id';
  }
}

export const ListFieldsQuery = z.strictObject({ objectType: z.enum(OBJECT_TYPES).default('customer') });

/** `{objectType}` and `{key}` path parameters; anything else is a route that does not exist (404). */
export function fieldPathParams(params: Record<string, string>): { objectType: (typeof OBJECT_TYPES)[number]; key: string } {
  const objectType = z.enum(OBJECT_TYPES).safeParse(params.objectType);
  const key = FieldKey.safeParse(params.key);
  if (!objectType.success || !key.success) throw new AppError('not_found', `No field ${params.objectType}.${params.key}`);
  return { objectType: objectType.data, key: key.data };
}
