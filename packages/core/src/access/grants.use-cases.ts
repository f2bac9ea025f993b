import * as z from 'zod';
import { AppError, notFound } from '../errors';
import type { Clock } from '../ports/clock.port';
import type { IdGenerator } from '../ports/id-generator.port';
import type { Item, TableStore } from '../ports/table-store.port';
import { decodeCursor, encodeCursor, queryFingerprint } from '../pagination/cursor';
import { belongsToTenant, customerKeys } from '../customers/customer.keys';
import { UserRef, OrgPath, RecordId } from '../customers/customer.schema';
import { accessKeys } from './access.keys';
import { auditEntryFrom, auditPutOperation, diffChanges } from '../audit/audit-entry';
import type { SecuredContext } from './access-policy';
import { Permission } from './role-matrix';

const MAX_GRANT_DAYS = 366;

export const CreateGrantInput = z.strictObject({
  grantee: z.discriminatedUnion('type', [
    z.strictObject({ type: z.literal('user'), id: UserRef }),
    z.strictObject({ type: z.literal('unit'), path: OrgPath }),
  ]),
  /** Either an extra permission ... */
  permission: Permission.optional(),
  /** ... or a share of one record. */
  share: z.strictObject({ resource: z.literal('customer'), id: RecordId }).optional(),
  /** When the grant stops working (ISO 8601, in the future, at most a year ahead). */
  until: z.iso.datetime({ offset: true }),
  reason: z.string().max(500).optional(),
}).refine((g) => (g.permission === undefined) !== (g.share === undefined), { message: 'give exactly one of permission or share', path: ['permission'] });
export type CreateGrantInput = z.infer<typeof CreateGrantInput>;

export const Grant = z.object({
  id: z.string(),
  grantee: z.object({ type: z.enum(['user', 'unit']), id: z.string().optional(), path: z.string().optional() }),
  kind: z.enum(['permission', 'share']),
  permission: z.string().optional(),
  resource: z.string().optional(),
  resourceId: z.string().optional(),
  until: z.string(),
  reason: z.string().optional(),
  createdAt: z.string(),
  createdBy: z.string(),
});
export type Grant = z.infer<typeof Grant>;

export const ListGrantsQuery = z.strictObject({
  limit: z.coerce.number().int().optional().transform((n) => Math.min(200, Math.max(1, n ?? 50))),
  after: z.string().max(4096).optional(),
});

function toGrant(item: Item): Grant {
  const g = item as unknown as Grant;
  return {
    id: g.id, grantee: g.grantee, kind: g.kind, until: g.until, createdAt: g.createdAt, createdBy: g.createdBy,
    ...(g.permission ? { permission: g.permission } : {}),
    ...(g.resource ? { resource: g.resource, resourceId: g.resourceId! } : {}),
    ...(g.reason ? { reason: g.reason } : {}),
  };
}

/**
 * Grants a user or an org unit an extra permission, or a share of one record, until a time. The
 * grant item carries the end time as its TTL attribute: reads ignore it from that second on (no job
 * needed) and DynamoDB's TTL (the local sweeper) removes it afterwards.
 */
export async function createGrant(deps: { store: TableStore; clock: Clock; ids: IdGenerator }, ctx: SecuredContext, input: CreateGrantInput): Promise<Grant> {
  const { tenantId } = ctx.principal;
  const now = deps.clock.now();
  const until = new Date(input.until);
  if (until.getTime() <= now.getTime() || until.getTime() - now.getTime() > MAX_GRANT_DAYS * 86_400_000) {
    throw new AppError('validation_failed', `until must be in the future and at most ${MAX_GRANT_DAYS} days ahead`, { errors: [{ path: 'body.until', message: 'out of range' }] });
  }
  if (input.share) {
    const record = await deps.store.get(customerKeys.profile(tenantId, input.share.id));
    if (!record) throw new AppError('validation_failed', `Customer ${input.share.id} does not exist`, { errors: [{ path: 'body.share.id', message: 'no such record' }] });
  }
  const grant: Grant = {
    id: deps.ids.next(),
    grantee: input.grantee.type === 'user' ? { type: 'user', id: input.grantee.id } : { type: 'unit', path: input.grantee.path },
    kind: input.permission ? 'permission' : 'share',
    ...(input.permission ? { permission: input.permission } : { resource: 'customer', resourceId: input.share!.id }),
    until: until.toISOString(),
    ...(input.reason ? { reason: input.reason } : {}),
    createdAt: now.toISOString(),
    createdBy: ctx.principal.subject,
  };
  const granteePartition = input.grantee.type === 'user' ? accessKeys.granteeUser(tenantId, input.grantee.id) : accessKeys.granteeUnit(tenantId, input.grantee.path);
  await deps.store.transact([
    {
      type: 'put',
      item: {
        ...accessKeys.grant(tenantId, grant.id), entity: 'grant', tenantId, ...grant,
        gsi1pk: granteePartition, gsi1sk: `${grant.kind}#${grant.id}`,
        gsi2pk: accessKeys.grantsList(tenantId), gsi2sk: `${grant.createdAt}#${grant.id}`,
        expiresAt: Math.floor(until.getTime() / 1000),
      },
      condition: { kind: 'notExists' },
    },
    auditPutOperation(auditEntryFrom(ctx, { action: 'grants:manage', resource: 'grant', resourceId: grant.id, changes: diffChanges(undefined, grant) }, deps.clock, deps.ids)),
  ]);
  return grant;
}

/** Unexpired grants of the tenant, newest first. */
export async function listGrants(deps: { store: TableStore }, ctx: SecuredContext, q: z.infer<typeof ListGrantsQuery>): Promise<{ items: Grant[]; next: string | null }> {
  const { tenantId } = ctx.principal;
  const fp = queryFingerprint({ list: 'grants' });
  const startAfter = q.after ? decodeCursor(q.after, tenantId, fp, (v) => belongsToTenant(tenantId, v)) : undefined;
  const page = await deps.store.query({ index: 'gsi2', partition: accessKeys.grantsList(tenantId), limit: q.limit, forward: false, ...(startAfter ? { startAfter } : {}) });
  return { items: page.items.map(toGrant), next: page.lastKey ? encodeCursor(tenantId, fp, page.lastKey) : null };
}

/** Revokes a grant before its end time. */
export async function revokeGrant(deps: { store: TableStore; clock: Clock; ids: IdGenerator }, ctx: SecuredContext, id: string): Promise<void> {
  const key = accessKeys.grant(ctx.principal.tenantId, id);
  const item = await deps.store.get(key, { consistent: true });
  if (!item) throw notFound(`Grant ${id}`);
  await deps.store.transact([
    { type: 'delete', key, condition: { kind: 'exists' } },
    auditPutOperation(auditEntryFrom(ctx, { action: 'grants:manage', resource: 'grant', resourceId: id, before: toGrant(item) }, deps.clock, deps.ids)),
  ]);
}
