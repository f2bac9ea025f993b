import { AppError } from '../errors';
import { decodeCursor, encodeCursor, queryFingerprint } from '../pagination/cursor';
import type { Clock } from '../ports/clock.port';
import type { IdGenerator } from '../ports/id-generator.port';
import type { IndexName, TableStore } from '../ports/table-store.port';
import type { RequestContext } from '../principal';
import { toAuditEntry } from './audit-entry';
import { verifyAuditChain } from './audit-chain';
import { AUDIT_INDEXES, auditKeys, dayOf } from './audit.keys';
import type { AuditEntry, AuditPage, AuditVerification, ListAuditQuery, VerifyAuditQuery } from './audit.schema';

/** What the audit read use cases depend on. */
export interface AuditDeps {
  store: TableStore;
  clock: Clock;
  ids: IdGenerator;
}

// Who may read the audit log is the role matrix's `audit:read`, checked (and audited on denial) by
// the runtime kit before these use cases run, so a tenant can give it to a custom role too.

/** Index reads per request (residual filters or empty days can make a page come back short). */
const MAX_ROUNDS = 32;
/** How far back an unfiltered listing walks when no `from` is given. */
export const DEFAULT_AUDIT_WINDOW_DAYS = 90;
const DAY_MS = 24 * 60 * 60 * 1000;

interface Plan {
  index?: IndexName;
  /** Fixed index partition, or the day partition of the current position (day walk). */
  partition: (position: string) => string;
  dayWalk: boolean;
}

/**
 * Lists the caller's tenant's audit records, newest first, in cursor pages. A record id picks the
 * by-resource index, an actor the by-actor index, a resource type the by-type index; otherwise
 * the day partitions are walked from `to` (default now) back to `from` (default 90 days earlier).
 * `from`/`to` are sort-key bounds on whichever partition is read. Never scans.
 */
export async function listAudit(deps: AuditDeps, ctx: RequestContext, q: ListAuditQuery): Promise<AuditPage> {
  const { tenantId } = ctx.principal;
  const fingerprint = queryFingerprint({ resource: q.resource, resourceId: q.resourceId, actor: q.actor, from: q.from, to: q.to });
  const plan = planQuery(tenantId, q);
  const to = q.to ?? deps.clock.now().toISOString();
  // An index partition is read back to its first record; the day walk needs a floor.
  const lower = q.from ?? (plan.dayWalk ? new Date(Date.parse(to) - DEFAULT_AUDIT_WINDOW_DAYS * DAY_MS).toISOString() : '0000');
  // Positions are exclusive upper bounds: `<at>#<id>` of the last record returned, or a bound.
  let position = q.after ? decodeCursor(q.after, tenantId, fingerprint, () => false).pos : undefined;
  if (position !== undefined && (position < lower || position > `${to}#~`)) throw new AppError('invalid_cursor');
  position ??= `${to}#~`;

  const skAttribute = plan.index ? `${plan.index}sk` : 'sk';
  const matches = (e: AuditEntry) =>
    (q.resource === undefined || e.resource === q.resource) &&
    (q.resourceId === undefined || e.resourceId === q.resourceId) &&
    (q.actor === undefined || e.actor.subject === q.actor);
  const cursor = (pos: string) => encodeCursor(tenantId, fingerprint, { pos });

  const items: AuditEntry[] = [];
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const page = await deps.store.query({
      ...(plan.index ? { index: plan.index } : {}),
      partition: plan.partition(position),
      sortKey: { between: [lower, position] },
      forward: false,
      limit: q.limit + 1,
    });
    for (let i = 0; i < page.items.length; i++) {
      const item = page.items[i]!;
      const sk = item[skAttribute] as string;
      if (sk >= position) continue; // the bound itself was returned on the previous page
      position = sk;
      const entry = toAuditEntry(item);
      if (!matches(entry)) continue;
      items.push(entry);
      if (items.length === q.limit) {
        const more = i < page.items.length - 1 || page.lastKey !== undefined || (plan.dayWalk && dayOf(position) > dayOf(lower));
        return { items, next: more ? cursor(position) : null };
      }
    }
    if (page.lastKey) continue;
    // This partition is exhausted: a day walk moves to the end of the previous day.
    if (!plan.dayWalk || dayOf(position) <= dayOf(lower)) return { items, next: null };
    const previousDay = new Date(Date.parse(`${dayOf(position)}T00:00:00.000Z`) - DAY_MS).toISOString().slice(0, 10);
    position = `${previousDay}T23:59:59.999Z#~`;
  }
  return { items, next: cursor(position) };
}

function planQuery(tenantId: string, q: ListAuditQuery): Plan {
  if (q.resource !== undefined && q.resourceId !== undefined) {
    const partition = auditKeys.byResource(tenantId, q.resource, q.resourceId);
    return { index: AUDIT_INDEXES.byResource, partition: () => partition, dayWalk: false };
  }
  if (q.actor !== undefined) {
    const partition = auditKeys.byActor(tenantId, q.actor);
    return { index: AUDIT_INDEXES.byActor, partition: () => partition, dayWalk: false };
  }
  if (q.resource !== undefined) {
    const partition = auditKeys.byResourceType(tenantId, q.resource);
    return { index: AUDIT_INDEXES.byResourceType, partition: () => partition, dayWalk: false };
  }
  return { partition: (position) => auditKeys.dayPartition(tenantId, dayOf(position)), dayWalk: true };
}

/** Verifies the caller's tenant's audit hash chain (auditors and admins only). */
export async function verifyAudit(deps: AuditDeps, ctx: RequestContext, q: VerifyAuditQuery): Promise<AuditVerification> {
  return verifyAuditChain(deps.store, ctx.principal.tenantId, { ...(q.fromSeq !== undefined ? { fromSeq: q.fromSeq } : {}), limit: q.limit });
}
