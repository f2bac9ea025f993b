import * as z from 'zod';
import { RecordId } from '../customers/customer.schema';
import { RecordingRef } from './recording.use-cases';
import { CHANNEL_IDS, CHANNELS, ChannelIdSchema, channelTypes, INTERACTION_TYPE_IDS, payloadSchema, type ChannelId } from './channels';

/** Largest batch accepted by `POST /v1/interactions/batch`. */
export const MAX_BATCH_ITEMS = 500;
/** Largest payload (serialised JSON); keeps a timeline item far below DynamoDB's 400 KB. */
export const MAX_PAYLOAD_BYTES = 32 * 1024;

export const ClientId = z.string().regex(/^[\x21-\x7e]{1,200}$/, 'must be 1-200 visible ASCII characters');
export const ExternalSystem = z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, 'must be snake_case, e.g. wechat_work or shop_member');

/** Who the interaction is with when the caller has no customer id: resolved through lookup items. */
export const InteractionIdentity = z.strictObject({
  phone: z.string().trim().min(3).max(60).optional(),
  email: z.string().trim().pipe(z.email().max(254)).optional(),
  externalId: z.strictObject({ system: ExternalSystem, id: z.string().trim().min(1).max(200) }).optional(),
  /** Name for a lead created from this identity (else the payload's name, the phone, the email or the external id). */
  name: z.string().trim().min(1).max(200).optional(),
}).refine((i) => i.phone !== undefined || i.email !== undefined || i.externalId !== undefined, 'needs a phone, an email or an externalId');
export type InteractionIdentity = z.infer<typeof InteractionIdentity>;

/** An ISO 8601 instant with offset; stored canonically (UTC, milliseconds) so sort keys order by time. */
const Instant = z.iso.datetime({ offset: true }).transform((s) => new Date(s).toISOString());

const Envelope = z.strictObject({
  /** The sender's own id of this event: a retry with the same id writes nothing twice. */
  clientId: ClientId.optional(),
  customerId: RecordId.optional(),
  identity: InteractionIdentity.optional(),
  channel: ChannelIdSchema,
  type: z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, 'must be a snake_case type id'),
  occurredAt: Instant,
  payload: z.record(z.string(), z.unknown()),
});

/**
 * One interaction to record. The payload is validated against the (channel, type) schema of the
 * registry; errors carry `payload.<field>` paths.
 */
export const InteractionInput = Envelope.transform((v, ctx) => {
  if ((v.customerId === undefined) === (v.identity === undefined)) {
    ctx.issues.push({ code: 'custom', path: ['customerId'], message: 'give either customerId or identity', input: v });
    return z.NEVER;
  }
  const schema = payloadSchema(v.channel, v.type);
  if (!schema) {
    ctx.issues.push({ code: 'custom', path: ['type'], message: `must be one of ${channelTypes(v.channel).join(', ')} for channel ${v.channel}`, input: v.type });
    return z.NEVER;
  }
  const parsed = schema.safeParse(v.payload);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) ctx.issues.push({ ...issue, path: ['payload', ...issue.path] } as never);
    return z.NEVER;
  }
  if (Buffer.byteLength(JSON.stringify(parsed.data), 'utf8') > MAX_PAYLOAD_BYTES) {
    ctx.issues.push({ code: 'custom', path: ['payload'], message: `must be at most ${MAX_PAYLOAD_BYTES} bytes as JSON`, input: v.payload });
    return z.NEVER;
  }
  return { ...v, channel: v.channel as ChannelId, payload: parsed.data as Record<string, unknown> };
});
export type InteractionInput = z.output<typeof InteractionInput>;

/** The request envelope of a batch; each item is validated on its own (one bad item never fails the others). */
export const InteractionBatchInput = z.strictObject({
  items: z.array(z.unknown()).min(1).max(MAX_BATCH_ITEMS),
});
export type InteractionBatchInput = z.infer<typeof InteractionBatchInput>;

export const ITEM_STATUSES = ['created', 'duplicate', 'parked', 'invalid', 'failed'] as const;
export const MATCHED_BY = ['customerId', 'externalId', 'phone', 'email', 'lead'] as const;

export const InteractionResult = z.object({
  index: z.number().int(),
  clientId: z.string().optional(),
  /** created; duplicate (this clientId was already recorded: nothing written); parked (unknown identity, policy park); invalid (4xx-like, see errors); failed (try again). */
  status: z.enum(ITEM_STATUSES),
  id: z.string().optional(),
  customerId: z.string().optional(),
  /** How the customer was found: by id, by a lookup, or a lead created for an unknown identity. */
  matchedBy: z.enum(MATCHED_BY).optional(),
  code: z.string().optional(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
}).meta({ id: 'InteractionResult' });
export type InteractionResult = z.infer<typeof InteractionResult>;

export const InteractionBatchResult = z.object({
  results: z.array(InteractionResult),
  counts: z.record(z.enum(ITEM_STATUSES), z.number().int()),
}).meta({ id: 'InteractionBatchResult' });
export type InteractionBatchResult = z.infer<typeof InteractionBatchResult>;

/**
 * The system channel of CRM work shown in a customer's timeline next to interactions: notes and
 * deal stage changes (timeline-entries.ts). Never accepted by ingestion.
 */
export const CRM_CHANNEL = 'crm';
export const CRM_TIMELINE_TYPES = ['note', 'deal_stage_changed'] as const;
export type CrmTimelineType = (typeof CRM_TIMELINE_TYPES)[number];
const TimelineChannel = z.union([ChannelIdSchema, z.literal(CRM_CHANNEL)]);

/** A timeline item as the API returns it (an interaction, or a `crm` entry such as a note). */
export const Interaction = z.object({
  id: RecordId,
  customerId: RecordId,
  channel: TimelineChannel,
  type: z.string(),
  occurredAt: z.string(),
  payload: z.record(z.string(), z.unknown()),
  /** Set when a `flag` word list matched a text field (the words that fired, per field). */
  flagged: z.boolean().optional(),
  flaggedRules: z.array(z.object({ field: z.string(), list: z.string(), word: z.string() })).optional(),
  clientId: z.string().optional(),
  /** A call recording (phone_call): see POST/GET /v1/interactions/{id}/recording. */
  recording: RecordingRef.optional(),
  createdAt: z.string(),
  createdBy: z.string(),
}).meta({ id: 'Interaction' });
export type Interaction = z.infer<typeof Interaction>;

export const TimelineQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  after: z.string().max(2_000).optional(),
  channel: TimelineChannel.optional(),
  type: z.enum([...INTERACTION_TYPE_IDS, ...CRM_TIMELINE_TYPES] as unknown as [string, ...string[]]).optional(),
  /** Inclusive occurredAt bounds. */
  from: Instant.optional(),
  to: Instant.optional(),
}).refine((q) => !q.from || !q.to || q.from <= q.to, { path: ['to'], message: 'must not be before from' });
export type TimelineQuery = z.output<typeof TimelineQuery>;

export const TimelinePage = z.object({ items: z.array(Interaction), next: z.string().nullable() }).meta({ id: 'TimelinePage' });

/**
 * The documented shape of one interaction (the OpenAPI document cannot show the runtime transform):
 * a union over every (channel, type) with its payload schema.
 */
export const InteractionInputDoc = z.union(CHANNEL_IDS.flatMap((channel) => Object.entries(CHANNELS[channel].types).map(([type, schema]) => z.strictObject({
  clientId: ClientId.optional(),
  customerId: RecordId.optional(),
  identity: InteractionIdentity.optional(),
  channel: z.literal(channel),
  type: z.literal(type),
  occurredAt: z.iso.datetime({ offset: true }),
  payload: schema as z.ZodType,
}))) as unknown as [z.ZodType, z.ZodType, ...z.ZodType[]]).meta({ id: 'InteractionInput' });
