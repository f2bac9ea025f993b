import { AppError } from '../errors';
import type { TableStore } from '../ports/table-store.port';
import { can, type SecuredContext } from '../access/access-policy';
import { findDuplicates } from './find-duplicates';
import type { BlockingSource } from './duplicate-keys';
import type { DuplicateCandidate, DuplicatePolicy } from './duplicate.types';

export interface DuplicateCheck {
  /** Candidates the caller may see (reported under `warn`, and with a `block` override). */
  duplicates: DuplicateCandidate[];
  /** The write went ahead under `block` because the caller overrode it (audited by the caller). */
  overridden: boolean;
}

/**
 * Applies the tenant's duplicate policy to a record about to be written: `allow` looks nothing up;
 * `warn` reports candidates; `block` refuses with 409 `duplicate_customer` (listing the visible
 * candidates and counting the others) unless the caller overrides, which the write then audits.
 */
export async function checkDuplicates(
  store: TableStore,
  ctx: SecuredContext,
  record: BlockingSource & { companyId?: string },
  policy: DuplicatePolicy,
  options: { override?: boolean; excludeIds?: readonly string[] } = {},
): Promise<DuplicateCheck> {
  if (policy === 'allow') return { duplicates: [], overridden: false };
  if (options.override && !can(ctx.access, 'customers:merge')) {
    throw new AppError('forbidden', 'Overriding the duplicate policy needs the customers:merge permission');
  }
  const found = await findDuplicates(store, ctx, record, options.excludeIds ? { excludeIds: options.excludeIds } : {});
  const any = found.visible.length + found.hidden > 0;
  if (policy === 'block' && any && !options.override) {
    throw new AppError('duplicate_customer', `The customer looks like ${found.visible.length + found.hidden} existing one(s); merge them, or send X-Duplicate-Override: true to write anyway`, {
      duplicates: found.visible,
      hiddenMatches: found.hidden,
    });
  }
  return { duplicates: found.visible, overridden: policy === 'block' && any };
}

/** Audit detail of a write that went ahead despite a blocking duplicate policy. */
export function duplicateOverrideDetail(check: DuplicateCheck): Record<string, unknown> | undefined {
  return check.overridden ? { duplicateOverride: true, duplicateIds: check.duplicates.map((d) => d.id) } : undefined;
}
