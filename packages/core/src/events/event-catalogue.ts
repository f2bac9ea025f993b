import * as z from 'zod';
import { CHURN_EVENT_DEFINITIONS } from '../analytics/churn/churn-events';
import { DEAL_EVENT_DEFINITIONS } from '../deals/deal-events';
import { ORDER_EVENT_DEFINITIONS } from '../orders/order-events';
import { TASK_EVENT_DEFINITIONS } from '../tasks/task-events';

/**
 * The domain-event contracts: per type and version, the zod schema of `data` (the envelope is the
 * same for all). The schemas live in core because the change-record mapping builds and checks
 * events with them; the artefacts derived from them — JSON Schema snapshots, fixtures, the
 * catalogue — are in the repo's `events/` folder and docs/events.md, kept in step by tests
 * (test/unit/events/event-contracts.test.ts).
 *
 * Compatibility rule: a published (type, version) may only gain optional fields. Removing or
 * retyping a field, or making one required, needs a new version registered next to the old one
 * (both are then published until consumers have moved).
 *
 * No event carries sensitive values: customer events name changed fields and carry values only
 * for a fixed set of non-contact attributes, never a sealed (encrypted) value; interaction events
 * carry no payload.
 */

/** Record ids (ULIDs today); kept loose so an id format change never stalls the relay. */
const RecordRef = z.string().min(1).max(128);
const Instant = z.iso.datetime();

export const EVENT_SUBJECT_TYPES = ['customer', 'interaction', 'deal', 'task', 'order'] as const;

export interface EventDefinition {
  type: string;
  version: number;
  subject: (typeof EVENT_SUBJECT_TYPES)[number];
  /** When it is published. */
  description: string;
  data: z.ZodObject;
}

/** Customer attributes whose new values customer.updated may carry (everything else: name only). */
export const CUSTOMER_EVENT_VALUE_FIELDS = ['kind', 'name', 'ownerId', 'orgPath', 'companyId', 'tags', 'claimedAt'] as const;

const CustomerSummary = {
  kind: z.enum(['person', 'company']),
  /** Absent when the name is a sensitive (sealed) field of the tenant. */
  name: z.string().optional(),
  ownerId: z.string().nullable(),
  orgPath: z.string(),
  companyId: RecordRef.optional(),
  tags: z.array(z.string()),
};

const InteractionSummary = {
  customerId: RecordRef,
  channel: z.string(),
  type: z.string(),
  /** When the interaction happened (the recorded time is the envelope's occurredAt). */
  interactionOccurredAt: Instant,
};

export const EVENT_DEFINITIONS: readonly EventDefinition[] = [
  {
    type: 'customer.created', version: 1, subject: 'customer',
    description: 'A customer record was created (API, import, lead from an interaction).',
    data: z.object({ ...CustomerSummary, version: z.number().int().positive(), createdBy: z.string() }),
  },
  {
    type: 'customer.updated', version: 1, subject: 'customer',
    description: 'A live customer record changed (API, claim/release, enrichment, geocoding). Names every changed field; values only for non-sensitive attributes.',
    data: z.object({
      version: z.number().int().positive(),
      updatedBy: z.string(),
      /** Top-level field names, custom fields as `customFields.<key>`, sorted. */
      changedFields: z.array(z.string()),
      /** New values of changed fields among kind, name, ownerId, orgPath, companyId, tags, claimedAt (null when cleared); never a sealed value. */
      values: z.record(z.string(), z.unknown()),
    }),
  },
  {
    type: 'customer.deleted', version: 1, subject: 'customer',
    description: 'A customer was soft-deleted (restorable).',
    data: z.object({ version: z.number().int().positive(), deletedBy: z.string() }),
  },
  {
    type: 'customer.restored', version: 1, subject: 'customer',
    description: 'A soft-deleted customer was restored, or a merge into another record was undone.',
    data: z.object({ version: z.number().int().positive(), restoredBy: z.string(), from: z.enum(['deleted', 'merged']) }),
  },
  {
    type: 'customer.merged', version: 1, subject: 'customer',
    description: 'A customer was merged into another one (the subject is the merged-away record).',
    data: z.object({ version: z.number().int().positive(), mergedInto: RecordRef, mergedBy: z.string() }),
  },
  {
    type: 'interaction.recorded', version: 1, subject: 'interaction',
    description: "An interaction was added to a customer's timeline (no payload: read it through the API).",
    data: z.object({ ...InteractionSummary, flagged: z.boolean() }),
  },
  {
    type: 'interaction.flagged', version: 1, subject: 'interaction',
    description: 'A recorded interaction matched a flag word list (published with interaction.recorded).',
    data: z.object({ ...InteractionSummary, lists: z.array(z.string()) }),
  },
  ...DEAL_EVENT_DEFINITIONS,
  ...TASK_EVENT_DEFINITIONS,
  ...ORDER_EVENT_DEFINITIONS,
  ...CHURN_EVENT_DEFINITIONS,
];

const envelopeSchemas = new WeakMap<EventDefinition, z.ZodObject>();

/**
 * The envelope schema of one (type, version): metadata + its `data` schema. Built once per
 * definition: zod compiles a schema's fast path on its first parse, so a schema built per event
 * would pay that compilation for every event the relay checks.
 */
export function eventSchema(definition: EventDefinition): z.ZodObject {
  const known = envelopeSchemas.get(definition);
  if (known) return known;
  const schema = z.object({
    id: z.string().regex(/^[0-9a-f]{32}$/),
    type: z.literal(definition.type),
    version: z.literal(definition.version),
    tenantId: z.string().min(1),
    occurredAt: Instant,
    correlationId: z.string().optional(),
    subject: z.object({ type: z.literal(definition.subject), id: z.string().min(1) }),
    data: definition.data,
  });
  envelopeSchemas.set(definition, schema);
  return schema;
}

export function eventDefinition(type: string, version: number): EventDefinition {
  const definition = EVENT_DEFINITIONS.find((d) => d.type === type && d.version === version);
  if (!definition) throw new Error(`No event contract ${type} v${version}`);
  return definition;
}

/** The JSON Schema (draft 2020-12) of one (type, version), as committed under events/schemas/. */
export function eventJsonSchema(definition: EventDefinition): Record<string, unknown> {
  return {
    title: `${definition.type} v${definition.version}`,
    description: definition.description,
    // Input mode: objects stay open (no additionalProperties: false), so consumers validating with
    // this schema keep accepting events after optional fields are added (tolerant reader).
    ...z.toJSONSchema(eventSchema(definition), { target: 'draft-2020-12', io: 'input' }),
  };
}
