import { createHash } from 'node:crypto';
import { isFieldCiphertext } from '../ports/field-encryptor.port';
import type { DomainEvent } from '../ports/event-bus.port';
import { CUSTOMER_EVENT_VALUE_FIELDS, eventDefinition, eventSchema } from './event-catalogue';
import { instant } from './event-time';
import { churnEventMappers } from '../analytics/churn/churn-events';
import { dealEventMappers } from '../deals/deal-events';
import { orderEventMappers } from '../orders/order-events';
import { taskEventMappers } from '../tasks/task-events';

/**
 * One change of the table (a DynamoDB stream record or a SQLite changelog row in the same shape),
 * with its images already unmarshalled — core sees no AWS types.
 */
export interface ChangeRecord {
  /** The stream record's eventID: stable across redeliveries. */
  eventId: string;
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  /** ApproximateCreationDateTime in milliseconds (the fallback occurrence time). */
  approximateCreationTime: number;
  newImage?: Record<string, unknown>;
  oldImage?: Record<string, unknown>;
}

/** Record fields of a customer profile that customer.updated reports when they change. */
const CUSTOMER_RECORD_FIELDS = [
  'kind', 'name', 'phones', 'emails', 'address', 'tags', 'ownerId', 'companyId', 'orgPath', 'claimedAt', 'enrichment',
] as const;

/**
 * The domain events of one change record (none for most records: only customer profiles and
 * timeline interactions publish). Mapping:
 * - customer INSERT → customer.created;
 * - customer MODIFY → customer.merged (mergedInto appears), customer.deleted (deletedAt appears),
 *   customer.restored (deletedAt or mergedInto goes), else customer.updated when a record field
 *   changed (bookkeeping-only writes publish nothing; nor do archiving into a stub and rehydration);
 * - customer REMOVE → nothing (customers are soft-deleted; a REMOVE is housekeeping);
 * - interaction INSERT → interaction.recorded, plus interaction.flagged when `flagged` (not the copies a merge
 *   moves to the survivor, `movedByMerge`, nor the ones rehydration brings back from the archive,
 *   `rehydratedAt`: they were announced when recorded).
 * Every event is checked against its contract before it leaves (a mapping bug fails loudly here,
 * not in a consumer).
 */
export function eventsFromChange(record: ChangeRecord): DomainEvent[] {
  const image = record.eventName === 'REMOVE' ? record.oldImage : record.newImage;
  if (!image || typeof image.tenantId !== 'string' || typeof image.id !== 'string') return [];
  const events: Draft[] = [];
  if (image.entity === 'customer') events.push(...customerEvents(record, image));
  else if (image.entity === 'interaction' && record.eventName === 'INSERT' && !image.movedByMerge && !image.rehydratedAt) events.push(...interactionEvents(record, image));
  else if (typeof image.entity === 'string' && Object.hasOwn(ENTITY_EVENT_MAPPERS, image.entity)) events.push(...ENTITY_EVENT_MAPPERS[image.entity]!(record, image));
  return events.map(({ subjectType, ...event }) => {
    const full: DomainEvent = {
      id: eventId(record.eventId, event.type),
      type: event.type,
      version: event.version,
      tenantId: image.tenantId as string,
      occurredAt: event.occurredAt,
      ...(typeof image.requestId === 'string' ? { correlationId: image.requestId } : {}),
      subject: { type: subjectType, id: image.id as string },
      data: event.data,
    };
    return eventSchema(eventDefinition(full.type, full.version)).parse(full) as unknown as DomainEvent;
  });
}

/** 32 hex characters of SHA-256(eventID, type): the same record always yields the same event ids. */
export function eventId(streamEventId: string, type: string): string {
  return createHash('sha256').update(`${streamEventId}\n${type}`).digest('hex').slice(0, 32);
}

/** An event before its envelope is completed: id, tenant and subject id come from the record. */
export type Draft = Omit<DomainEvent, 'id' | 'tenantId' | 'subject'> & { subjectType: string };

/**
 * The events of one change of an item of some entity (`image` is the new image, or the old one for
 * a REMOVE; it has `tenantId` and `id`). Modules register theirs by entity (deals, tasks, orders).
 */
export type EntityEventMapper = (record: ChangeRecord, image: Record<string, unknown>) => Draft[];

const ENTITY_EVENT_MAPPERS: Record<string, EntityEventMapper> = { ...dealEventMappers, ...taskEventMappers, ...orderEventMappers, ...churnEventMappers };

function customerEvents(record: ChangeRecord, next: Record<string, unknown>): Draft[] {
  const draft = (type: string, occurredAt: unknown, data: Record<string, unknown>): Draft => ({
    type, version: 1, subjectType: 'customer', occurredAt: instant(occurredAt, record), data,
  });
  if (record.eventName === 'REMOVE') return [];
  const version = next.version as number;
  if (record.eventName === 'INSERT') {
    return [draft('customer.created', next.createdAt, { ...customerSummary(next), version, createdBy: String(next.createdBy ?? 'system') })];
  }
  const old = record.oldImage ?? {};
  const by = String(next.updatedBy ?? 'system');
  if (next.mergedInto && !old.mergedInto) return [draft('customer.merged', next.mergedAt ?? next.updatedAt, { version, mergedInto: next.mergedInto, mergedBy: by })];
  if (next.deletedAt && !old.deletedAt) return [draft('customer.deleted', next.deletedAt, { version, deletedBy: String(next.deletedBy ?? by) })];
  if (old.mergedInto && !next.mergedInto) return [draft('customer.restored', next.updatedAt, { version, restoredBy: by, from: 'merged' })];
  if (old.deletedAt && !next.deletedAt) return [draft('customer.restored', next.updatedAt, { version, restoredBy: by, from: 'deleted' })];
  if (next.deletedAt || next.mergedInto) return [];
  // Archiving (a stub replaces the profile) and rehydration change storage, not the customer: a
  // customer.updated listing phones/emails as "changed" would make subscribers erase them (ADR 0034).
  if (Boolean(next.archivedAt) !== Boolean(old.archivedAt)) return [];
  const changedFields = changedCustomerFields(old, next);
  if (changedFields.length === 0) return [];
  const values: Record<string, unknown> = {};
  for (const field of CUSTOMER_EVENT_VALUE_FIELDS) {
    if (!changedFields.includes(field)) continue;
    const value = next[field];
    if (!isSealed(value)) values[field] = value ?? null;
  }
  return [draft('customer.updated', next.updatedAt, { version, updatedBy: by, changedFields, values })];
}

function customerSummary(c: Record<string, unknown>): Record<string, unknown> {
  return {
    kind: c.kind,
    ...(typeof c.name === 'string' && !isFieldCiphertext(c.name) ? { name: c.name } : {}),
    ownerId: c.ownerId ?? null,
    orgPath: c.orgPath ?? '/',
    ...(typeof c.companyId === 'string' ? { companyId: c.companyId } : {}),
    tags: Array.isArray(c.tags) && !c.tags.some(isFieldCiphertext) ? c.tags : [],
  };
}

function changedCustomerFields(old: Record<string, unknown>, next: Record<string, unknown>): string[] {
  const changed: string[] = [];
  for (const field of CUSTOMER_RECORD_FIELDS) if (!sameValue(old[field], next[field])) changed.push(field);
  const oldCustom = (old.customFields ?? {}) as Record<string, unknown>;
  const nextCustom = (next.customFields ?? {}) as Record<string, unknown>;
  for (const key of new Set([...Object.keys(oldCustom), ...Object.keys(nextCustom)])) {
    if (!sameValue(oldCustom[key], nextCustom[key])) changed.push(`customFields.${key}`);
  }
  return changed.sort();
}

/** Whether a value is, or contains, a sealed (encrypted) field value. */
function isSealed(value: unknown): boolean {
  if (isFieldCiphertext(value)) return true;
  if (Array.isArray(value)) return value.some(isSealed);
  if (value && typeof value === 'object') return Object.values(value).some(isSealed);
  return false;
}

function interactionEvents(record: ChangeRecord, item: Record<string, unknown>): Draft[] {
  if (typeof item.customerId !== 'string') return [];
  const summary = {
    customerId: item.customerId, channel: String(item.channel), type: String(item.type),
    interactionOccurredAt: instant(item.occurredAt, record),
  };
  const at = instant(item.createdAt, record);
  const flagged = Boolean(item.flagged);
  const events: Draft[] = [{ type: 'interaction.recorded', version: 1, subjectType: 'interaction', occurredAt: at, data: { ...summary, flagged } }];
  if (flagged) {
    const rules = Array.isArray(item.flaggedRules) ? (item.flaggedRules as Array<{ list?: unknown }>) : [];
    const lists = [...new Set(rules.map((r) => r.list).filter((l): l is string => typeof l === 'string'))].sort();
    events.push({ type: 'interaction.flagged', version: 1, subjectType: 'interaction', occurredAt: at, data: { ...summary, lists } });
  }
  return events;
}

export { instant } from './event-time';

/** Order-insensitive for object keys (items round-trip through DynamoDB maps), order-sensitive for lists. */
function sameValue(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}
