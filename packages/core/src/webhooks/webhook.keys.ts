/** Keys of partner-webhook items, tenant first. See docs/data-model.md and docs/webhooks.md. */
const t = (tenantId: string) => `T#${tenantId}`;

export const webhookKeys = {
  /** The subscription; its deliveries share the partition (`DELIVERY#<id>`), newest last. */
  subscription: (tenantId: string, id: string) => ({ pk: `${t(tenantId)}#WEBHOOK#${id}`, sk: 'WEBHOOK' }),
  /** gsi1 partition listing a tenant's subscriptions (one Query per domain event at fan-out). */
  subscriptionsList: (tenantId: string) => `${t(tenantId)}#WEBHOOKS`,
  delivery: (tenantId: string, subscriptionId: string, deliveryId: string) => ({ pk: `${t(tenantId)}#WEBHOOK#${subscriptionId}`, sk: `DELIVERY#${deliveryId}` }),
  deliveryPrefix: 'DELIVERY#',
  /**
   * The retry timer of a pending delivery: an item whose TTL (`expiresAt`) is the next attempt's
   * time. Its TTL removal reaches the dispatcher through the change feed and triggers the attempt.
   */
  retryTimer: (tenantId: string, subscriptionId: string, deliveryId: string) => ({ pk: `${t(tenantId)}#WEBHOOK#${subscriptionId}`, sk: `RETRY#${deliveryId}` }),
};
