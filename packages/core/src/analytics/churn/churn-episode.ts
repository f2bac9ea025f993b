import { customerKeys } from '../../customers/customer.keys';
import type { Item, ItemKey } from '../../ports/table-store.port';

/**
 * A customer's churn-risk episode: one item in the customer's own collection (`T#t#C#<id>`, sk
 * `CHURN`), reused across episodes. While `status` is `open` it is also in the tenant's open-episode
 * list (gsi1 `T#t#CHURN#OPEN` / `<openSince>#<id>`), which the daily job walks to re-arm customers
 * who bought again. Opening an episode (insert, or closed → open) publishes `customer.churn-risk`
 * through the change feed (churn-events.ts) — so once per episode, not once per run.
 */
export const CHURN_ENTITY = 'customer-churn';
export const CHURN_SK = 'CHURN';

export const churnKeys = {
  episode: (tenantId: string, customerId: string): ItemKey => ({ pk: customerKeys.partition(tenantId, customerId), sk: CHURN_SK }),
  /** gsi1: the tenant's open episodes, oldest first. */
  open: (tenantId: string) => `T#${tenantId}#CHURN#OPEN`,
  openSortKey: (openSince: string, customerId: string) => `${openSince}#${customerId}`,
};

export interface ChurnEpisode {
  customerId: string;
  status: 'open' | 'closed';
  /** 1 for the customer's first episode, then counting up. */
  episode: number;
  /** When the current (or last) episode opened. */
  openSince: string;
  /** The last paid order the episode was opened on (from the report). */
  lastOrderAt: string;
  recencyDays: number;
  frequency: number;
  /** Paid amount in major units of `currency`. */
  monetary: number;
  currency: string;
  /** The threshold (days without a paid order) in force when it opened. */
  days: number;
  /** When and why it was closed (a paid order after `lastOrderAt`). */
  closedAt?: string;
  closedBy?: 'purchase';
  /** The item's own optimistic-lock version. */
  version: number;
  updatedAt: string;
}

export function toChurnItem(tenantId: string, e: ChurnEpisode): Item {
  return {
    ...churnKeys.episode(tenantId, e.customerId),
    entity: CHURN_ENTITY,
    tenantId,
    id: e.customerId,
    ...e,
    ...(e.status === 'open' ? { gsi1pk: churnKeys.open(tenantId), gsi1sk: churnKeys.openSortKey(e.openSince, e.customerId) } : {}),
  };
}

export function toChurnEpisode(item: Item): ChurnEpisode {
  const { pk: _pk, sk: _sk, entity: _e, tenantId: _t, id: _id, gsi1pk: _g1, gsi1sk: _g2, ...rest } = item;
  return rest as unknown as ChurnEpisode;
}
