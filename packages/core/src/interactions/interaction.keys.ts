import { createHash } from 'node:crypto';
import type { ItemKey } from '../ports/table-store.port';
import { customerKeys } from '../customers/customer.keys';

/**
 * Every key of the interactions context, defined once and asserted offline
 * (test/unit/interactions/interaction-keys.test.ts). See docs/data-model.md "Interactions".
 *
 * A timeline item lives in its customer's own item collection (`T#t#C#<id>`), sorted by
 * `TL#<occurredAt>#<id>`: the whole timeline, all channels merged, is one descending Query.
 */
export const TIMELINE_PREFIX = 'TL#';

const tenantPrefix = (tenantId: string) => `T#${tenantId}`;
/** Values from outside (client ids, external ids) are digested: any characters, fixed length, no `#` injection. */
const digest = (value: string) => createHash('sha256').update(value).digest('base64url').slice(0, 32);

export const interactionKeys = {
  /** The timeline item of one interaction. `occurredAt` is a canonical ISO instant (toISOString). */
  timeline: (tenantId: string, customerId: string, occurredAt: string, id: string): ItemKey => ({
    pk: customerKeys.partition(tenantId, customerId),
    sk: `${TIMELINE_PREFIX}${occurredAt}#${id}`,
  }),
  timelinePartition: (tenantId: string, customerId: string) => customerKeys.partition(tenantId, customerId),
  /** Sort-key bounds of an occurredAt range (both ends inclusive). */
  timelineFrom: (from: string) => `${TIMELINE_PREFIX}${from}`,
  timelineTo: (to: string) => `${TIMELINE_PREFIX}${to}#~`,
  /** Interaction id → where its timeline item lives (written with it; `/v1/interactions/{id}/…` routes start here). */
  locator: (tenantId: string, id: string): ItemKey => ({ pk: `${tenantPrefix(tenantId)}#IX#${id}`, sk: 'IX' }),
  /** Per-item client id: written with notExists in the interaction's transaction, so a retry writes nothing twice. */
  clientId: (tenantId: string, clientId: string): ItemKey => ({ pk: `${tenantPrefix(tenantId)}#IXCLIENT#${digest(clientId)}`, sk: 'IXCLIENT' }),
  /** External id (WeChat external user id, shop member id, …) → customer. */
  externalId: (tenantId: string, system: string, externalId: string): ItemKey => ({
    pk: `${tenantPrefix(tenantId)}#EXTID#${system}#${digest(externalId)}`, sk: 'EXTID',
  }),
  /** Interactions whose identity matched no customer under the `park` policy. */
  parked: (tenantId: string, id: string): ItemKey => ({ pk: `${tenantPrefix(tenantId)}#PARKED`, sk: `IX#${id}` }),
  parkedPartition: (tenantId: string) => `${tenantPrefix(tenantId)}#PARKED`,
  settings: (tenantId: string): ItemKey => ({ pk: `${tenantPrefix(tenantId)}#SETTINGS`, sk: 'INTERACTIONS' }),
};
