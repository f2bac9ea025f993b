export * from './order.schema';
export * from './order.keys';
export {
  toOrder, toOrderItem, requireVisibleOrder, ORDER_ENTITY, type OrderDeps,
} from './order.repository';
export * from './order-stats';
export { createOrder, recordOrder, MAX_STATS_RETRIES, INTERACTION_EXTERNAL_ID_PREFIX, type RecordOrderResult } from './record-order.use-case';
export { changeOrderStatus, applyOrderStatusChange } from './change-order-status.use-case';
export { getOrder, listOrders, getOrderStats } from './order-queries.use-case';
export { orderFromInteraction, orderFactFromInteraction, recordOrderFromInteraction, type InteractionOrderFact, ORDERS_FROM_INTERACTIONS_ACTOR, type OrderFromInteractionOutcome } from './orders-from-interactions.use-case';
export { ORDER_EVENT_DEFINITIONS } from './order-events';
