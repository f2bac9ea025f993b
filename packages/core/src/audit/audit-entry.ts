import type { Clock } from '../ports/clock.port';
import type { IdGenerator } from '../ports/id-generator.port';
import type { Item, TableStore, TransactOperation } from '../ports/table-store.port';
import type { Principal, RequestContext } from '../principal';
import { canonicalJson } from '../shared/canonical-json';
import { auditIndexAttributes, auditKeys } from './audit.keys';
import type { AuditChange, AuditEntry } from './audit.schema';
import { pickFields } from '../shared/pick-fields';

/** Item type of audit records on the table (the chain consumer picks INSERTs of this entity). */
export const AUDIT_ENTITY = 'audit';

const ENTRY_FIELDS = [
  'id', 'at', 'tenantId', 'actor', 'action', 'resource', 'resourceId', 'outcome', 'changes', 'before', 'where', 'detail',
] as const satisfies readonly (keyof AuditEntry)[];

/** What the caller knows about the event; who/when/where come from the request context. */
export interface AuditFields {
  action: string;
  resource: string;
  resourceId?: string;
  /** Default `success`. */
  outcome?: AuditEntry['outcome'];
  changes?: AuditChange[];
  before?: Record<string, unknown>;
  detail?: Record<string, unknown>;
}

/** A principal may carry the admin who impersonates it (set by the identity layer, never by input). */
type MaybeImpersonated = Principal & { impersonator?: string };

/** Builds an audit entry for the caller of `ctx` (tenant and actor from verified claims only). */
export function auditEntryFrom(ctx: RequestContext, fields: AuditFields, clock: Clock, ids: IdGenerator): AuditEntry {
  const p = ctx.principal as MaybeImpersonated;
  return {
    id: ids.next(),
    at: clock.now().toISOString(),
    tenantId: p.tenantId,
    actor: {
      subject: p.subject,
      kind: p.kind,
      roles: [...p.roles],
      ...(p.clientId ? { clientId: p.clientId } : {}),
      ...(p.impersonator ? { impersonator: p.impersonator } : {}),
    },
    action: fields.action,
    resource: fields.resource,
    ...(fields.resourceId !== undefined ? { resourceId: fields.resourceId } : {}),
    outcome: fields.outcome ?? 'success',
    ...(fields.changes && fields.changes.length > 0 ? { changes: fields.changes } : {}),
    ...(fields.before ? { before: fields.before } : {}),
    where: {
      requestId: ctx.requestId,
      ...(ctx.sourceIp ? { sourceIp: ctx.sourceIp } : {}),
      ...(ctx.userAgent ? { userAgent: ctx.userAgent } : {}),
    },
    ...(fields.detail ? { detail: fields.detail } : {}),
  };
}

/** Bookkeeping fields every write bumps; listing them as changes would only add noise. */
export const DEFAULT_DIFF_IGNORE = ['version', 'updatedAt', 'updatedBy'];

/**
 * Field-level changes between two versions of a record: one entry per top-level field whose value
 * differs, and `customFields.<key>` entries instead of one for the whole `customFields` map. A
 * missing `before` (create) lists every field as added; a missing `after` (hard delete) as removed.
 */
export function diffChanges(
  before: Record<string, unknown> | undefined,
  after: Record<string, unknown> | undefined,
  options: { ignore?: readonly string[] } = {},
): AuditChange[] {
  const ignore = new Set(options.ignore ?? DEFAULT_DIFF_IGNORE);
  const b = before ?? {};
  const a = after ?? {};
  const changes: AuditChange[] = [];
  const fields = [...new Set([...Object.keys(b), ...Object.keys(a)])].sort();
  for (const field of fields) {
    if (ignore.has(field)) continue;
    if (field === 'customFields' && isPlainObject(b[field] ?? {}) && isPlainObject(a[field] ?? {})) {
      const cb = (b[field] ?? {}) as Record<string, unknown>;
      const ca = (a[field] ?? {}) as Record<string, unknown>;
      for (const key of [...new Set([...Object.keys(cb), ...Object.keys(ca)])].sort()) {
        pushChange(changes, `customFields.${key}`, cb[key], ca[key]);
      }
      continue;
    }
    pushChange(changes, field, b[field], a[field]);
  }
  return changes;
}

function pushChange(changes: AuditChange[], field: string, before: unknown, after: unknown): void {
  if (canonicalJson(before) === canonicalJson(after)) return;
  changes.push({ field, ...(before !== undefined ? { before } : {}), ...(after !== undefined ? { after } : {}) });
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The stored item of an audit entry (keys + index attributes + the entry). */
export function toAuditItem(entry: AuditEntry): Item {
  return {
    ...auditKeys.record(entry.tenantId, entry.at, entry.id),
    ...auditIndexAttributes(entry.tenantId, entry),
    entity: AUDIT_ENTITY,
    ...entry,
  };
}

/** The entry of a stored audit item: entry fields only, never keys or index attributes. */
export function toAuditEntry(item: Record<string, unknown>): AuditEntry {
  return pickFields<AuditEntry>(item, ENTRY_FIELDS);
}

/**
 * The put that records `entry`. Include it in the transaction of the change it describes, so the
 * change and its audit record commit together or not at all (no dual write). The record is not
 * chained yet: the `chain-audit` stream consumer links it from the change feed.
 */
export function auditPutOperation(entry: AuditEntry): TransactOperation {
  return { type: 'put', item: toAuditItem(entry), condition: { kind: 'notExists' } };
}

/** Records an event that changes nothing else (a denial, a sensitive read, an export). */
export async function writeAudit(store: TableStore, entry: AuditEntry): Promise<void> {
  await store.put(toAuditItem(entry), { condition: { kind: 'notExists' } });
}
