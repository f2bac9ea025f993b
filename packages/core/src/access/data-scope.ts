import { AppError } from '../errors';
import { can, type AccessPolicy } from './access-policy';

/** Org paths look like `/`, `/hq`, `/hq/east/shanghai` (lower-case slugs). */
export const ORG_PATH_PATTERN = /^\/(?:[a-z0-9][a-z0-9-]{0,39}(?:\/[a-z0-9][a-z0-9-]{0,39}){0,7})?$/;

/** Whether `path` lies in the subtree rooted at `root` (segment-aware: /hq/east ∌ /hq/eastern). */
export function isWithin(path: string, root: string): boolean {
  return root === '/' || path === root || path.startsWith(`${root}/`);
}

/** Sort-key prefix of a subtree on the org index: `/hq/east/` (root: `/`). */
export function orgKey(path: string): string {
  return path === '/' ? '/' : `${path}/`;
}

export interface ScopedRecord {
  id: string;
  ownerId: string | null;
  orgPath?: string;
}

/**
 * Data-domain rule: admins (tenant scope) see the tenant; others see what they own, what is shared
 * with them or their unit, the public pool when they may claim, and — with subtree scope — every
 * record owned by their org subtree.
 */
export function canSeeRecord(policy: AccessPolicy, resource: string, record: ScopedRecord): boolean {
  if (policy.dataScope === 'tenant') return true;
  const { principal } = policy;
  if (record.ownerId !== null && record.ownerId === principal.subject) return true;
  if (policy.shares.has(`${resource}:${record.id}`)) return true;
  if (record.ownerId === null && can(policy, `${resource === 'customer' ? 'customers' : resource}:claim`)) return true;
  return policy.dataScope === 'subtree' && !!principal.orgPath && isWithin(record.orgPath ?? '/', principal.orgPath);
}

/** A caller may only place records inside its own subtree (tenant scope: anywhere). */
export function assertAssignableOrgPath(policy: AccessPolicy, orgPath: string): void {
  if (policy.dataScope === 'tenant') return;
  const home = policy.principal.orgPath;
  if (!home || !isWithin(orgPath, home)) {
    throw new AppError('forbidden', `You may only assign records to your own org subtree (${home ?? 'none'})`, {
      errors: [{ path: 'body.orgPath', message: 'outside your org subtree' }],
    });
  }
}
