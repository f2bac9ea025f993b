import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EVENT_DEFINITIONS, eventJsonSchema, eventsFromChange, type ChangeRecord, type DomainEvent, type EventDefinition } from '@crm/core';

/**
 * The event-contract artefacts, derived from the registry in packages/core/src/events:
 * - `events/schemas/<type>.v<n>.json`: the JSON Schema of a version, written once when the
 *   version is first registered and then frozen (the compatibility test compares against it);
 * - `events/fixtures/<type>.v<n>.json`: an example event, produced by the real change-record
 *   mapping from the sample changes below, also written once;
 * - `docs/events.md`: the catalogue, regenerated every time.
 * `npm run events:contracts` writes what is missing and the catalogue;
 * test/unit/events/event-contracts.test.ts fails when any of them is missing or stale.
 */
export const EVENTS_DIR = 'events';
export const CATALOGUE_FILE = join('docs', 'events.md');
export const schemaFile = (d: Pick<EventDefinition, 'type' | 'version'>) => join(EVENTS_DIR, 'schemas', `${d.type}.v${d.version}.json`);
export const fixtureFile = (d: Pick<EventDefinition, 'type' | 'version'>) => join(EVENTS_DIR, 'fixtures', `${d.type}.v${d.version}.json`);

const TENANT = 'acme-trading';
const CUSTOMER = '01M88YXTM09W5QNPJ5S2E4FEFP';
const SURVIVOR = '01M88YXTM1303DJPT096Q9HW1N';
const INTERACTION = '01M88YXTM21CZ7JVBVVX0B5CPY';
const profile = {
  entity: 'customer', tenantId: TENANT, id: CUSTOMER, kind: 'company', name: '上海示例贸易有限公司', phones: [{ number: '+8613800000000' }],
  emails: [], tags: ['vip'], ownerId: 'alice', orgPath: '/hq/east', customFields: { industry: 'retail' },
  version: 1, createdAt: '2026-11-25T09:00:00.000Z', updatedAt: '2026-11-25T09:00:00.000Z', createdBy: 'alice', updatedBy: 'alice',
};
const updated = { ...profile, tags: ['vip', 'key-account'], ownerId: 'bob', phones: [{ number: '+8613900000000' }], customFields: { industry: 'wholesale' }, version: 2, updatedAt: '2026-11-25T10:00:00.000Z', updatedBy: 'alice' };
const deleted = { ...updated, version: 3, updatedAt: '2026-11-25T11:00:00.000Z', deletedAt: '2026-11-25T11:00:00.000Z', deletedBy: 'alice' };
const { deletedAt: _d, deletedBy: _b, ...live } = deleted;
const restored = { ...live, version: 4, updatedAt: '2026-11-25T12:00:00.000Z' };
const merged = { ...restored, version: 5, updatedAt: '2026-11-25T13:00:00.000Z', mergedInto: SURVIVOR, mergedAt: '2026-11-25T13:00:00.000Z' };
const interaction = {
  entity: 'interaction', tenantId: TENANT, id: INTERACTION, customerId: CUSTOMER, channel: 'wechat', type: 'message',
  occurredAt: '2026-11-25T08:59:00.000Z', payload: { text: '…' }, createdAt: '2026-11-25T09:00:05.000Z', createdBy: 'partner-app',
  flagged: true, flaggedRules: [{ list: 'suitability-review', word: '荐股' }],
};

const task = {
  entity: 'task', tenantId: TENANT, id: '01M88YXTM3Q4ZJ8V6WS2RB5KTN', title: '回访报价', dueAt: '2026-11-26T02:00:00.000Z', remindAt: '2026-11-26T01:00:00.000Z',
  assigneeId: 'alice', customerId: CUSTOMER, priority: 'high', status: 'open', orgPath: '/hq/east', timers: { 'task-reminder': '2026-11-26T01:00:00.000Z' },
  version: 1, createdAt: '2026-11-25T09:00:00.000Z', updatedAt: '2026-11-25T09:00:00.000Z', createdBy: 'alice', updatedBy: 'alice',
};
const { timers: _t, ...taskWithoutTimer } = task;
const remindedTask = { ...taskWithoutTimer, remindedAt: '2026-11-26T01:00:20.000Z', version: 2, updatedAt: '2026-11-26T01:00:20.000Z', updatedBy: 'system:task-reminder' };
const completedTask = { ...remindedTask, status: 'done', completedAt: '2026-11-26T01:30:00.000Z', completedBy: 'alice', version: 3, updatedAt: '2026-11-26T01:30:00.000Z', updatedBy: 'alice' };

const order = {
  entity: 'order', tenantId: TENANT, id: '01M88YXTM4B6V0W7TA2YQ1G3HD', customerId: CUSTOMER, amount: 1299.5, currency: 'CNY', status: 'paid',
  orderedAt: '2026-11-25T08:30:00.000Z', externalId: 'interaction:01M88YXTM21CZ7JVBVVX0B5CPY', source: 'pos', interactionId: '01M88YXTM21CZ7JVBVVX0B5CPY',
  lines: [{ sku: 'SKU-1', quantity: 1, unitPrice: 1299.5 }], version: 1, createdAt: '2026-11-25T09:00:06.000Z', updatedAt: '2026-11-25T09:00:06.000Z',
  createdBy: 'client:system:orders-from-interactions', updatedBy: 'client:system:orders-from-interactions',
};
const refundedOrder = { ...order, status: 'refunded', statusChangedAt: '2026-11-26T10:00:00.000Z', version: 2, updatedAt: '2026-11-26T10:00:00.000Z', updatedBy: 'alice' };

const deal = {
  entity: 'deal', tenantId: TENANT, id: '01M88YXTM5K2P9R7S4T6V8W0XA', name: '2027 框架协议', amount: 250000, currency: 'CNY', expectedCloseDate: '2026-12-31',
  ownerId: 'alice', orgPath: '/hq/east', customerId: CUSTOMER, contactIds: [], pipelineId: '01M88YXTM6A1B2C3D4E5F6G7H8', stage: 'qualified',
  stageEnteredAt: '2026-11-25T09:00:00.000Z', timers: { 'deal-stale': '2026-12-09T09:00:00.000Z' },
  version: 1, createdAt: '2026-11-25T09:00:00.000Z', updatedAt: '2026-11-25T09:00:00.000Z', createdBy: 'alice', updatedBy: 'alice',
};
const { timers: _dt, ...dealWithoutTimer } = deal;
const staleDeal = { ...dealWithoutTimer, stale: true, staleSince: '2026-12-09T09:00:00.000Z', version: 2, updatedAt: '2026-12-09T09:00:30.000Z', updatedBy: 'system:deal-stale' };
const { stale: _s, staleSince: _ss, ...freshDeal } = staleDeal;
const proposalDeal = { ...freshDeal, stage: 'proposal', stageEnteredAt: '2026-12-10T09:00:00.000Z', version: 3, updatedAt: '2026-12-10T09:00:00.000Z', updatedBy: 'alice' };
const wonDeal = { ...proposalDeal, stage: 'won', stageEnteredAt: '2026-12-20T09:00:00.000Z', outcome: 'won', closedAt: '2026-12-20T09:00:00.000Z', closeReason: '价格与交付周期最优', version: 4, updatedAt: '2026-12-20T09:00:00.000Z' };
const lostDeal = { ...proposalDeal, stage: 'lost', stageEnteredAt: '2026-12-20T09:00:00.000Z', outcome: 'lost', closedAt: '2026-12-20T09:00:00.000Z', closeReason: '预算取消', version: 4, updatedAt: '2026-12-20T09:00:00.000Z' };
const deletedDeal = { ...proposalDeal, version: 4, updatedAt: '2026-12-11T09:00:00.000Z', deletedAt: '2026-12-11T09:00:00.000Z', deletedBy: 'alice' };

const churnEpisode = {
  pk: `T#${TENANT}#C#${CUSTOMER}`, sk: 'CHURN', entity: 'customer-churn', tenantId: TENANT, id: CUSTOMER, customerId: CUSTOMER, status: 'open', episode: 1,
  openSince: '2026-12-26T02:00:00.000Z', lastOrderAt: '2026-11-25T08:30:00.000Z', recencyDays: 31, frequency: 4, monetary: 5200, currency: 'CNY', days: 30,
  version: 1, updatedAt: '2026-12-26T02:00:00.000Z',
};

/** Sample changes whose mapped events are the fixtures (one per type and version). */
export const SAMPLE_CHANGES: ChangeRecord[] = [
  { eventId: 'sample-1', eventName: 'INSERT', approximateCreationTime: 0, newImage: profile },
  { eventId: 'sample-2', eventName: 'MODIFY', approximateCreationTime: 0, oldImage: profile, newImage: updated },
  { eventId: 'sample-3', eventName: 'MODIFY', approximateCreationTime: 0, oldImage: updated, newImage: deleted },
  { eventId: 'sample-4', eventName: 'MODIFY', approximateCreationTime: 0, oldImage: deleted, newImage: restored },
  { eventId: 'sample-5', eventName: 'MODIFY', approximateCreationTime: 0, oldImage: restored, newImage: merged },
  { eventId: 'sample-6', eventName: 'INSERT', approximateCreationTime: 0, newImage: interaction },
  // Tasks: created, reminded (task.due), completed.
  { eventId: 'sample-task-1', eventName: 'INSERT', approximateCreationTime: 0, newImage: task },
  { eventId: 'sample-task-2', eventName: 'MODIFY', approximateCreationTime: 0, oldImage: task, newImage: remindedTask },
  { eventId: 'sample-task-3', eventName: 'MODIFY', approximateCreationTime: 0, oldImage: remindedTask, newImage: completedTask },
  // Orders: recorded (from a POS purchase interaction), refunded.
  { eventId: 'sample-order-1', eventName: 'INSERT', approximateCreationTime: 0, newImage: order },
  { eventId: 'sample-order-2', eventName: 'MODIFY', approximateCreationTime: 0, oldImage: order, newImage: refundedOrder },
  // Deals: created, stale (timer), stage changed, won, lost, deleted.
  { eventId: 'sample-deal-1', eventName: 'INSERT', approximateCreationTime: 0, newImage: deal },
  { eventId: 'sample-deal-2', eventName: 'MODIFY', approximateCreationTime: 0, oldImage: deal, newImage: staleDeal },
  { eventId: 'sample-deal-3', eventName: 'MODIFY', approximateCreationTime: 0, oldImage: staleDeal, newImage: proposalDeal },
  { eventId: 'sample-deal-4', eventName: 'MODIFY', approximateCreationTime: 0, oldImage: proposalDeal, newImage: wonDeal },
  { eventId: 'sample-deal-5', eventName: 'MODIFY', approximateCreationTime: 0, oldImage: proposalDeal, newImage: lostDeal },
  { eventId: 'sample-deal-6', eventName: 'MODIFY', approximateCreationTime: 0, oldImage: proposalDeal, newImage: deletedDeal },
  // Churn trigger: an episode opened by the detect-churn job.
  { eventId: 'sample-churn-1', eventName: 'INSERT', approximateCreationTime: 0, newImage: churnEpisode },
];

export function sampleEvents(): DomainEvent[] {
  return SAMPLE_CHANGES.flatMap(eventsFromChange);
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** docs/events.md from the registry and the committed fixtures. */
export function renderCatalogue(readFixture: (d: EventDefinition) => unknown = (d) => JSON.parse(readFileSync(fixtureFile(d), 'utf8'))): string {
  const lines = [
    '# Domain events',
    '',
    '<!-- Generated by `npm run events:contracts` from packages/core/src/events/event-catalogue.ts; do not edit. -->',
    '',
    "Published from the table's change feed (the outbox) by the `publish-events` stream consumer: to the",
    'EventBridge bus `crm-<stage>` in AWS (`source: crm`, `detail-type` = event type, `detail` = the envelope',
    'below; archived for replay), to the in-process bus and `<data>/events/events.jsonl` locally. Delivery is',
    'at least once: consumers dedupe on `id`, which is the same for every redelivery of the same change.',
    '',
    '## Envelope',
    '',
    '| field | meaning |',
    '|---|---|',
    '| `id` | 32 hex characters, deterministic per change record and type |',
    '| `type` | `<entity>.<verb>`, e.g. `customer.created` |',
    '| `version` | contract version of `data` (a breaking change is a new version, published side by side) |',
    '| `tenantId` | the tenant the change belongs to |',
    '| `occurredAt` | when the change happened (ISO 8601, UTC) |',
    '| `correlationId` | the request that caused it, when known (optional) |',
    '| `subject` | `{ type, id }` of the record the event is about |',
    '| `data` | type-specific, below |',
    '',
    'Compatibility: a published version only ever gains optional fields (test/unit/events/event-contracts.test.ts',
    'compares the schemas with the frozen copies in `events/schemas/`). No event carries a sensitive (sealed) value.',
    '',
    '## Events',
    '',
    '| type | version | subject | when |',
    '|---|---|---|---|',
    ...EVENT_DEFINITIONS.map((d) => `| [\`${d.type}\`](#${anchor(d)}) | ${d.version} | ${d.subject} | ${d.description} |`),
    '',
  ];
  for (const d of EVENT_DEFINITIONS) {
    const schema = eventJsonSchema(d) as { properties: { data: { properties: Record<string, { type?: unknown; description?: string }>; required?: string[] } } };
    const data = schema.properties.data;
    lines.push(
      `### ${d.type} v${d.version}`, '',
      `${d.description} Subject: \`${d.subject}\`. Schema: [\`${schemaFile(d)}\`](../${schemaFile(d)}).`, '',
      '| data field | type | required |', '|---|---|---|',
      ...Object.entries(data.properties).map(([name, p]) => `| \`${name}\` | ${typeOf(p)} | ${data.required?.includes(name) ? 'yes' : 'no'} |`),
      '', '```json', JSON.stringify(readFixture(d), null, 2), '```', '',
    );
  }
  return lines.join('\n');
}

function anchor(d: EventDefinition): string {
  return `${d.type}-v${d.version}`.replace(/\./g, '');
}

function typeOf(p: Record<string, unknown>): string {
  if (p.const !== undefined) return `\`${JSON.stringify(p.const)}\``;
  if (Array.isArray(p.enum)) return p.enum.map((v) => `\`${v}\``).join(' \\| ');
  if (Array.isArray(p.anyOf)) return (p.anyOf as Array<Record<string, unknown>>).map(typeOf).join(' \\| ');
  if (p.type === 'array') return `${typeOf((p.items ?? {}) as Record<string, unknown>)}[]`;
  if (p.type === 'object') return 'object';
  if (Array.isArray(p.type)) return p.type.join(' \\| ');
  return String(p.type ?? 'any');
}

/** Writes missing schema snapshots and fixtures (never overwrites one) and the catalogue. */
export function writeEventContracts(): string[] {
  const written: string[] = [];
  const samples = sampleEvents();
  for (const d of EVENT_DEFINITIONS) {
    const schema = schemaFile(d);
    if (!existsSync(schema)) {
      mkdirSync(join(EVENTS_DIR, 'schemas'), { recursive: true });
      writeFileSync(schema, json(eventJsonSchema(d)));
      written.push(schema);
    }
    const fixture = fixtureFile(d);
    if (!existsSync(fixture)) {
      const example = samples.find((e) => e.type === d.type && e.version === d.version);
      if (!example) throw new Error(`No sample change produces ${d.type} v${d.version}: add one to SAMPLE_CHANGES`);
      mkdirSync(join(EVENTS_DIR, 'fixtures'), { recursive: true });
      writeFileSync(fixture, json(example));
      written.push(fixture);
    }
  }
  writeFileSync(CATALOGUE_FILE, renderCatalogue());
  written.push(CATALOGUE_FILE);
  return written;
}

if (process.argv[1]?.endsWith('event-contracts.ts')) {
  for (const file of writeEventContracts()) console.log(`wrote ${file}`);
}
