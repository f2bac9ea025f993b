import * as z from 'zod';
import { RecordId } from '../customers/customer.schema';

/** Largest number of lines on one order (keeps the item far below DynamoDB's 400 KB). */
export const MAX_ORDER_LINES = 200;

export const ORDER_STATUSES = ['paid', 'refunded', 'cancelled'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** Allowed status changes: a paid order may be refunded or cancelled; both are final. */
export const ORDER_TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  paid: ['refunded', 'cancelled'],
  refunded: [],
  cancelled: [],
};

/** A money amount in major units (yuan, euro); at most two decimals (the rule of the interaction channels). */
export const Amount = z.number().nonnegative().max(1e12).refine((n) => Math.abs(n * 100 - Math.round(n * 100)) < 1e-6, 'at most two decimals');
export const Currency = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as CNY');
/** Where an order comes from: pos, ecommerce, manual, live_stream, … (snake_case; default manual). */
export const OrderSource = z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, 'must be snake_case, e.g. pos, ecommerce or manual');
/** The shop's own order number (any visible characters; digested in keys). */
export const OrderExternalId = z.string().trim().min(1).max(200);
/** An ISO 8601 instant with offset; stored canonically (UTC, milliseconds) so sort keys order by time. */
const Instant = z.iso.datetime({ offset: true }).transform((s) => new Date(s).toISOString());

export const OrderLine = z.strictObject({
  sku: z.string().trim().min(1).max(200),
  name: z.string().trim().min(1).max(200).optional(),
  quantity: z.number().positive().max(1e6),
  unitPrice: Amount,
  amount: Amount.optional(),
});
export type OrderLine = z.infer<typeof OrderLine>;

export const CreateOrderInput = z.strictObject({
  customerId: RecordId,
  amount: Amount,
  currency: Currency,
  status: z.enum(ORDER_STATUSES),
  orderedAt: Instant,
  externalId: OrderExternalId.optional(),
  source: OrderSource.default('manual'),
  lines: z.array(OrderLine).max(MAX_ORDER_LINES).optional(),
});
export type CreateOrderInput = z.output<typeof CreateOrderInput>;

/** A status change (PATCH): only `status` (and a reason kept in the audit entry) may change. */
export const UpdateOrderInput = z.strictObject({
  status: z.enum(['refunded', 'cancelled']),
  reason: z.string().trim().min(1).max(500).optional(),
}).meta({ id: 'UpdateOrderInput' });
export type UpdateOrderInput = z.output<typeof UpdateOrderInput>;

export const Order = z.object({
  id: RecordId,
  customerId: RecordId,
  amount: z.number(),
  currency: z.string(),
  status: z.enum(ORDER_STATUSES),
  orderedAt: z.string(),
  externalId: z.string().optional(),
  source: z.string(),
  lines: z.array(OrderLine).optional(),
  /** The interaction this order was made from (POS / e-commerce ingestion). */
  interactionId: z.string().optional(),
  statusChangedAt: z.string().optional(),
  version: z.number().int().positive(),
  createdAt: z.string(),
  updatedAt: z.string(),
  createdBy: z.string(),
  updatedBy: z.string(),
}).meta({ id: 'Order' });
export type Order = z.infer<typeof Order>;

export const ListOrdersQuery = z.strictObject({
  customerId: RecordId.optional(),
  status: z.enum(ORDER_STATUSES).optional(),
  /** Inclusive orderedAt bounds. */
  from: Instant.optional(),
  to: Instant.optional(),
  /** `desc` (default): newest first; `asc`: oldest first (exports). */
  sort: z.enum(['asc', 'desc']).default('desc'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  after: z.string().max(2_000).optional(),
}).refine((q) => !q.from || !q.to || q.from <= q.to, { path: ['to'], message: 'must not be before from' });
export type ListOrdersQuery = z.output<typeof ListOrdersQuery>;

export const OrderPage = z.object({ items: z.array(Order), next: z.string().nullable() }).meta({ id: 'OrderPage' });

/**
 * Totals of one currency (amounts in major units; never summed across currencies). `paidAmount` and
 * `refundedAmount` are left out for callers whose role hides the order `amount` field.
 */
export const CurrencyOrderStats = z.object({
  /** Orders recorded as paid (refunded ones included: they were paid first); cancelled ones leave. */
  paidCount: z.number().int().nonnegative(),
  paidAmount: z.number(),
  refundedCount: z.number().int().nonnegative(),
  refundedAmount: z.number(),
  cancelledCount: z.number().int().nonnegative(),
  /** orderedAt of the earliest / latest order counted as paid (a later cancellation does not move them). */
  firstOrderAt: z.string().optional(),
  lastOrderAt: z.string().optional(),
});
export type CurrencyOrderStats = z.infer<typeof CurrencyOrderStats>;

export const OrderStats = z.object({
  customerId: RecordId,
  /** ISO 4217 code → totals. */
  currencies: z.record(z.string(), CurrencyOrderStats),
  version: z.number().int().nonnegative(),
  updatedAt: z.string().optional(),
}).meta({ id: 'OrderStats' });
export type OrderStats = z.infer<typeof OrderStats>;
