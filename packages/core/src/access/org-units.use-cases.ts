import * as z from 'zod';
import { AppError, notFound } from '../errors';
import type { Clock } from '../ports/clock.port';
import type { IdGenerator } from '../ports/id-generator.port';
import { TransactionConflictError, type Item, type TableStore } from '../ports/table-store.port';
import { decodeCursor, encodeCursor, queryFingerprint } from '../pagination/cursor';
import { belongsToTenant } from '../customers/customer.keys';
import { accessKeys } from './access.keys';
import { auditEntryFrom, auditPutOperation, diffChanges } from '../audit/audit-entry';
import type { SecuredContext } from './access-policy';

export const CreateOrgUnitInput = z.strictObject({
  /** Path segment: lower-case slug; the unit's path is the parent's path + '/' + key. */
  key: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'must be a lower-case slug (a-z 0-9 -)'),
  name: z.string().trim().min(1).max(200),
  parentId: z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/).optional(),
});
export type CreateOrgUnitInput = z.infer<typeof CreateOrgUnitInput>;

export const OrgUnit = z.object({
  id: z.string(), key: z.string(), name: z.string(), parentId: z.string().nullable(), path: z.string(),
  version: z.number().int(), createdAt: z.string(), updatedAt: z.string(),
});
export type OrgUnit = z.infer<typeof OrgUnit>;

export const ListOrgUnitsQuery = z.strictObject({
  limit: z.coerce.number().int().optional().transform((n) => Math.min(500, Math.max(1, n ?? 200))),
  after: z.string().max(4096).optional(),
});

const MAX_DEPTH = 8;

function toUnit(item: Item): OrgUnit {
  const { id, key, name, parentId, path, version, createdAt, updatedAt } = item as unknown as OrgUnit;
  return { id, key, name, parentId, path, version, createdAt, updatedAt };
}

/** Creates a unit under a parent (or at the root). Paths are unique per tenant (conditional lookup item). */
export async function createOrgUnit(deps: { store: TableStore; clock: Clock; ids: IdGenerator }, ctx: SecuredContext, input: CreateOrgUnitInput): Promise<OrgUnit> {
  const { tenantId } = ctx.principal;
  let parentPath = '';
  if (input.parentId) {
    const parent = await deps.store.get(accessKeys.orgUnit(tenantId, input.parentId), { consistent: true });
    if (!parent) throw new AppError('validation_failed', 'Parent unit does not exist', { errors: [{ path: 'body.parentId', message: 'no such org unit' }] });
    parentPath = parent.path as string;
  }
  const path = `${parentPath}/${input.key}`;
  if (path.split('/').length - 1 > MAX_DEPTH) throw new AppError('validation_failed', `Org trees are at most ${MAX_DEPTH} levels deep`);
  const now = deps.clock.now().toISOString();
  const unit: OrgUnit = { id: deps.ids.next(), key: input.key, name: input.name, parentId: input.parentId ?? null, path, version: 1, createdAt: now, updatedAt: now };
  try {
    await deps.store.transact([
      { type: 'put', item: { ...accessKeys.orgUnit(tenantId, unit.id), entity: 'org-unit', tenantId, gsi1pk: accessKeys.orgUnitsList(tenantId), gsi1sk: path, ...unit }, condition: { kind: 'notExists' } },
      { type: 'put', item: { ...accessKeys.orgPath(tenantId, path), entity: 'org-path', tenantId, unitId: unit.id }, condition: { kind: 'notExists' } },
      ...(input.parentId ? [{ type: 'conditionCheck' as const, key: accessKeys.orgUnit(tenantId, input.parentId), condition: { kind: 'exists' as const } }] : []),
      auditPutOperation(auditEntryFrom(ctx, { action: 'org-units:manage', resource: 'org-unit', resourceId: unit.id, changes: diffChanges(undefined, unit) }, deps.clock, deps.ids)),
    ]);
  } catch (error) {
    if (error instanceof TransactionConflictError) throw new AppError('conflict', `An org unit ${path} already exists (or its parent was removed)`);
    throw error;
  }
  return unit;
}

/** The tenant's org tree in path order (parents before children), cursor-paged. */
export async function listOrgUnits(deps: { store: TableStore }, ctx: SecuredContext, q: z.infer<typeof ListOrgUnitsQuery>): Promise<{ items: OrgUnit[]; next: string | null }> {
  const { tenantId } = ctx.principal;
  const fp = queryFingerprint({ list: 'org-units' });
  const startAfter = q.after ? decodeCursor(q.after, tenantId, fp, (v) => belongsToTenant(tenantId, v)) : undefined;
  const page = await deps.store.query({ index: 'gsi1', partition: accessKeys.orgUnitsList(tenantId), limit: q.limit, ...(startAfter ? { startAfter } : {}) });
  return { items: page.items.map(toUnit), next: page.lastKey ? encodeCursor(tenantId, fp, page.lastKey) : null };
}

export async function getOrgUnit(deps: { store: TableStore }, ctx: SecuredContext, id: string): Promise<OrgUnit> {
  const item = await deps.store.get(accessKeys.orgUnit(ctx.principal.tenantId, id), { consistent: true });
  if (!item) throw notFound(`Org unit ${id}`);
  return toUnit(item);
}

/** Removes a leaf unit; a unit with children answers 409. */
export async function deleteOrgUnit(deps: { store: TableStore; clock: Clock; ids: IdGenerator }, ctx: SecuredContext, id: string): Promise<void> {
  const { tenantId } = ctx.principal;
  const unit = await getOrgUnit(deps, ctx, id);
  const children = await deps.store.query({ index: 'gsi1', partition: accessKeys.orgUnitsList(tenantId), sortKey: { beginsWith: `${unit.path}/` }, limit: 1 });
  if (children.items.length) throw new AppError('conflict', `Org unit ${unit.path} still has child units`);
  await deps.store.transact([
    { type: 'delete', key: accessKeys.orgUnit(tenantId, id), condition: { kind: 'exists' } },
    { type: 'delete', key: accessKeys.orgPath(tenantId, unit.path) },
    auditPutOperation(auditEntryFrom(ctx, { action: 'org-units:manage', resource: 'org-unit', resourceId: id, before: unit }, deps.clock, deps.ids)),
  ]);
}
