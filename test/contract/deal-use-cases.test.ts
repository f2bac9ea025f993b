import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  archivePipeline, changeDealStage, createOrgUnit, createCustomer, CreateCustomerInput, createDeal, CreateDealInput, createPipeline, deleteDeal, flagStaleDeal, getDeal, getDealHistory,
  getPipelineBoard, BoardQuery, HistoryQuery, listDeals, ListDealsQuery, PipelineInput, readCounters, updateDeal, updatePipeline, dealKeys, pipelineKeys,
  retimeStageDeals, type SecuredContext, type TableStore,
} from '@crm/core';
import { ulidGenerator } from '@crm/runtime';
import { adminContext, errorCode as code, fixedClock, stores, testEncryptor as encryptor } from '../support/use-case-harness';

// Pipelines, deals, stage changes, board counters and the stale timer against both real stores.
let store: TableStore;
let now = new Date('2026-11-25T10:00:00.000Z');
const clock = { now: () => now };
// One monotonic id generator: records written in the same (test clock) millisecond keep their order.
const ids = ulidGenerator();
const deps = () => ({ store, clock, ids, encryptor });
const ctx = (tenantId = 'acme') => adminContext(tenantId);

/** A sales rep of /hq/east (subtree scope), as the access layer resolves it. */
function rep(subject: string, orgPath: string): SecuredContext {
  const principal = { tenantId: 'acme', kind: 'user' as const, subject, roles: ['sales'], scopes: [], orgPath };
  return { principal, requestId: 'req-2', access: { principal, permissions: ['deals:*', 'customers:read'], dataScope: 'subtree', fields: {}, shares: new Set() } };
}

const SALES = PipelineInput.parse({
  name: 'New sales',
  stages: [
    { key: 'lead', name: 'Lead', probability: 10, slaDays: 7 },
    { key: 'proposal', name: 'Proposal', probability: 50, requiredFields: ['amount', 'customFields.budgetOk'] },
    { key: 'won', name: 'Won', probability: 100, outcome: 'won' },
    { key: 'lost', name: 'Lost', probability: 0, outcome: 'lost' },
  ],
});

async function setup() {
  const pipeline = await createPipeline(deps(), ctx(), SALES);
  const { customer } = await createCustomer(deps(), ctx(), CreateCustomerInput.parse({ kind: 'company', name: 'Acme Trading' }));
  const deal = (o: Record<string, unknown> = {}) => createDeal(deps(), ctx(), CreateDealInput.parse({ name: 'Deal', currency: 'CNY', customerId: customer.id, pipelineId: pipeline.id, ...o }));
  return { pipeline, customer, deal };
}

const board = async (pipelineId: string, c = ctx(), q: Record<string, unknown> = {}) =>
  Object.fromEntries((await getPipelineBoard({ store }, c, pipelineId, BoardQuery.parse(q))).stages.map((s) => [s.key, { count: s.count, amount: s.amount, items: s.items.map((d) => d.name) }]));

describe.each(Object.keys(stores) as Array<keyof typeof stores>)('deal use cases on %s', (adapter) => {
  beforeAll(async () => {
    await stores[adapter]!();
  });
  beforeEach(async () => {
    store = await stores[adapter]!();
    now = new Date('2026-11-25T10:00:00.000Z');
  });

  it('creates a deal in the first stage with history, counters and an SLA timer', async () => {
    const { pipeline, deal } = await setup();
    const d = await deal({ name: 'Big one', amount: 1200.5, expectedCloseDate: '2026-12-31' });
    expect(d).toMatchObject({ stage: 'lead', version: 1, ownerId: 'alice', orgPath: '/', amount: 1200.5, stageEnteredAt: '2026-11-25T10:00:00.000Z' });
    const item = await store.get(dealKeys.deal('acme', d.id));
    expect(item!.timers).toEqual({ 'deal-stale': '2026-12-02T10:00:00.000Z' });
    expect((await getDealHistory({ store }, ctx(), d.id, HistoryQuery.parse({}))).items).toMatchObject([{ to: 'lead', durationMs: 0, by: 'alice' }]);
    expect((await board(pipeline.id)).lead).toEqual({ count: 1, amount: { CNY: 1200.5 }, items: ['Big one'] });
  });

  it('keeps per-currency sums exact and never adds currencies together', async () => {
    const { pipeline, deal } = await setup();
    await deal({ name: 'a', amount: 0.1 });
    await deal({ name: 'b', amount: 0.2 });
    await deal({ name: 'c', amount: 99.99, currency: 'USD' });
    await deal({ name: 'd' });
    expect((await board(pipeline.id)).lead).toMatchObject({ count: 4, amount: { CNY: 0.3, USD: 99.99 } });
  });

  it('validates stage changes with stable codes and writes history, timeline entry and counters in one go', async () => {
    const { pipeline, customer, deal } = await setup();
    const d = await deal({ name: 'Move me' });
    expect(await code(changeDealStage(deps(), ctx(), d.id, { stage: 'nope' }))).toBe('unknown_stage');
    expect(await code(changeDealStage(deps(), ctx(), d.id, { stage: 'lead' }))).toBe('stage_unchanged');
    expect(await code(changeDealStage(deps(), ctx(), d.id, { stage: 'won' }))).toBe('stage_reason_required');
    expect(await code(changeDealStage(deps(), ctx(), d.id, { stage: 'proposal' }))).toBe('stage_requirements_missing');
    const ready = await updateDeal(deps(), ctx(), d.id, { amount: 500, customFields: { budgetOk: true } }, '"1"');
    expect(ready.version).toBe(2);

    now = new Date('2026-11-26T10:00:00.000Z');
    const { deal: moved, history } = await changeDealStage(deps(), ctx(), d.id, { stage: 'proposal' });
    expect(moved).toMatchObject({ stage: 'proposal', version: 3, stageEnteredAt: '2026-11-26T10:00:00.000Z' });
    expect(history).toMatchObject({ from: 'lead', to: 'proposal', durationMs: 86_400_000, by: 'alice' });
    expect((await store.get(dealKeys.deal('acme', d.id)))!.timers).toBeUndefined(); // proposal has no SLA

    now = new Date('2026-11-27T10:00:00.000Z');
    const { deal: won } = await changeDealStage(deps(), ctx(), d.id, { stage: 'won', reason: 'Best price' });
    expect(won).toMatchObject({ outcome: 'won', closedAt: '2026-11-27T10:00:00.000Z', closeReason: 'Best price' });
    expect((await board(pipeline.id))).toMatchObject({ lead: { count: 0 }, proposal: { count: 0, amount: {} }, won: { count: 1, amount: { CNY: 500 } } });

    const hist = (await getDealHistory({ store }, ctx(), d.id, HistoryQuery.parse({}))).items.map((h) => `${h.from ?? '-'}>${h.to}`);
    expect(hist).toEqual(['->lead', 'lead>proposal', 'proposal>won']);
    const timeline = await store.query({ partition: `T#acme#C#${customer.id}`, sortKey: { beginsWith: 'TL#' }, limit: 10 });
    expect(timeline.items.map((i) => [i.type, (i.payload as Record<string, unknown>).to])).toEqual([['deal_stage_changed', 'proposal'], ['deal_stage_changed', 'won']]);
    // Reopening a won deal clears its outcome.
    const { deal: reopened } = await changeDealStage(deps(), ctx(), d.id, { stage: 'lead' });
    expect(reopened.outcome).toBeUndefined();
    expect(reopened.closedAt).toBeUndefined();
  });

  it('refuses to clear a field the current stage requires', async () => {
    const { deal } = await setup();
    const d = await deal({ amount: 10, customFields: { budgetOk: true } });
    await changeDealStage(deps(), ctx(), d.id, { stage: 'proposal' });
    expect(await code(updateDeal(deps(), ctx(), d.id, { amount: null }, '"2"'))).toBe('stage_requirements_missing');
  });

  it('optimistic locking: one of two concurrent updates wins, the counters stay exact', async () => {
    const { pipeline, deal } = await setup();
    const d = await deal({ amount: 100 });
    const outcomes = await Promise.all([
      code(updateDeal(deps(), ctx(), d.id, { amount: 200 }, '"1"')),
      code(updateDeal(deps(), ctx(), d.id, { amount: 300 }, '"1"')),
    ]);
    expect(outcomes.sort()).toEqual(['ok', 'precondition_failed']);
    const now_ = await getDeal({ store }, ctx(), d.id);
    expect((await board(pipeline.id)).lead!.amount).toEqual({ CNY: now_.amount });
    expect(await code(updateDeal(deps(), ctx(), d.id, { amount: 1 }, undefined))).toBe('precondition_required');
  });

  it('concurrent creates into one stage all land in the counter (retry on counter conflicts)', async () => {
    const { pipeline, deal } = await setup();
    await Promise.all(Array.from({ length: 5 }, (_, i) => deal({ name: `p${i}`, amount: 10 })));
    expect((await board(pipeline.id)).lead).toMatchObject({ count: 5, amount: { CNY: 50 } });
  });

  it('soft delete leaves lists, board and counters', async () => {
    const { pipeline, deal } = await setup();
    const d = await deal({ name: 'Gone', amount: 5 });
    await deal({ name: 'Stays', amount: 7 });
    await deleteDeal(deps(), ctx(), d.id);
    expect(await code(getDeal({ store }, ctx(), d.id))).toBe('not_found');
    expect((await board(pipeline.id)).lead).toEqual({ count: 1, amount: { CNY: 7 }, items: ['Stays'] });
    expect((await listDeals({ store }, ctx(), ListDealsQuery.parse({}))).items.map((x) => x.name)).toEqual(['Stays']);
  });

  it('lists by stage, owner, pipeline and close-date range from the indexes', async () => {
    const { pipeline, deal } = await setup();
    await deal({ name: 'jan', expectedCloseDate: '2027-01-15', ownerId: 'bob' });
    await deal({ name: 'dec', expectedCloseDate: '2026-12-01' });
    await deal({ name: 'undated' });
    const names = async (q: Record<string, unknown>) => (await listDeals({ store }, ctx(), ListDealsQuery.parse(q))).items.map((d) => d.name);
    expect(await names({})).toEqual(['dec', 'jan', 'undated']);
    expect(await names({ ownerId: 'bob' })).toEqual(['jan']);
    expect(await names({ pipelineId: pipeline.id, stage: 'lead' })).toEqual(['dec', 'jan', 'undated']);
    expect(await names({ pipelineId: pipeline.id, stage: 'won' })).toEqual([]);
    expect(await names({ closeFrom: '2026-12-01', closeTo: '2026-12-31' })).toEqual(['dec']);
    expect(await names({ closeFrom: '2027-01-01' })).toEqual(['jan']);
    expect(await names({ closeTo: '2027-01-15' })).toEqual(['dec', 'jan']);
    // Pages continue with the cursor.
    const first = await listDeals({ store }, ctx(), ListDealsQuery.parse({ limit: 2 }));
    expect(first.items.map((d) => d.name)).toEqual(['dec', 'jan']);
    expect((await listDeals({ store }, ctx(), ListDealsQuery.parse({ limit: 2, after: first.next }))).items.map((d) => d.name)).toEqual(['undated']);
    expect(await code(listDeals({ store }, ctx('other'), ListDealsQuery.parse({ limit: 2, after: first.next })))).toBe('invalid_cursor');
  });

  it('pages a board column with its own cursor', async () => {
    const { pipeline, deal } = await setup();
    for (const day of ['01', '02', '03']) await deal({ name: `d${day}`, expectedCloseDate: `2026-12-${day}` });
    const first = await getPipelineBoard({ store }, ctx(), pipeline.id, BoardQuery.parse({ limit: 2 }));
    const lead = first.stages.find((s) => s.key === 'lead')!;
    expect(lead.items.map((d) => d.name)).toEqual(['d01', 'd02']);
    expect(lead.count).toBe(3);
    const more = await getPipelineBoard({ store }, ctx(), pipeline.id, BoardQuery.parse({ limit: 2, stage: 'lead', after: lead.next }));
    expect(more.stages.map((s) => [s.key, s.items.map((d) => d.name), s.next])).toEqual([['lead', ['d03'], undefined]]);
  });

  it('scopes data: a rep outside the org unit sees neither the deal nor its amount in the counts', async () => {
    const { pipeline, customer } = await setup();
    const hq = await createOrgUnit(deps(), ctx(), { key: 'hq', name: 'HQ' });
    for (const key of ['east', 'west']) await createOrgUnit(deps(), ctx(), { key, name: key, parentId: hq.id });
    const east = await createDeal(deps(), ctx(), CreateDealInput.parse({ name: 'East', amount: 10, currency: 'CNY', customerId: customer.id, pipelineId: pipeline.id, ownerId: 'e1', orgPath: '/hq/east' }));
    await createDeal(deps(), ctx(), CreateDealInput.parse({ name: 'West', amount: 20, currency: 'CNY', customerId: customer.id, pipelineId: pipeline.id, ownerId: 'w1', orgPath: '/hq/west' }));
    const westRep = rep('w2', '/hq/west');
    expect(await code(getDeal({ store }, westRep, east.id))).toBe('not_found');
    expect(await code(changeDealStage(deps(), westRep, east.id, { stage: 'lost', reason: 'x' }))).toBe('not_found');
    expect((await board(pipeline.id, westRep)).lead).toEqual({ count: 1, amount: { CNY: 20 }, items: ['West'] });
    expect((await board(pipeline.id)).lead).toMatchObject({ count: 2, amount: { CNY: 30 } });
    expect((await listDeals({ store }, westRep, ListDealsQuery.parse({}))).items.map((d) => d.name)).toEqual(['West']);
  });

  it('refuses a customer the caller cannot see, a contact that is no person, an archived pipeline', async () => {
    const { pipeline, customer, deal } = await setup();
    expect(await code(createDeal(deps(), rep('w2', '/hq/west'), CreateDealInput.parse({ name: 'x', currency: 'CNY', customerId: customer.id, pipelineId: pipeline.id })))).toBe('validation_failed');
    expect(await code(deal({ contactIds: [customer.id] }))).toBe('validation_failed');
    expect(await code(deal({ stage: 'won' }))).toBe('validation_failed');
    await archivePipeline(deps(), ctx(), pipeline.id);
    expect(await code(deal())).toBe('pipeline_archived');
  });

  it('refuses to remove a stage that holds deals, allows it once empty', async () => {
    const { pipeline, deal } = await setup();
    const d = await deal({ amount: 1, customFields: { budgetOk: true } });
    await changeDealStage(deps(), ctx(), d.id, { stage: 'proposal' });
    const without = SALES.stages.filter((s) => s.key !== 'proposal');
    expect(await code(updatePipeline(deps(), ctx(), pipeline.id, { stages: without }, '"1"'))).toBe('stage_in_use');
    await changeDealStage(deps(), ctx(), d.id, { stage: 'lead' });
    const updated = await updatePipeline(deps(), ctx(), pipeline.id, { stages: without }, '"1"');
    expect(updated.stages.map((s) => s.key)).toEqual(['lead', 'won', 'lost']);
    expect(await code(updatePipeline(deps(), ctx(), pipeline.id, { name: 'x' }, '"1"'))).toBe('precondition_failed');
    // A deal write validated against the old pipeline version would fail its condition check and retry.
    expect(await code(changeDealStage(deps(), ctx(), d.id, { stage: 'proposal' }))).toBe('unknown_stage');
  });

  it('the deal-stale timer flags a deal once and only while the timer is current', async () => {
    const { deal } = await setup();
    const d = await deal({ name: 'Sleepy' });
    const key = dealKeys.deal('acme', d.id);
    const timer = { tenantId: 'acme', key, kind: 'deal-stale', dueAt: '2026-12-02T10:00:00.000Z' };
    await flagStaleDeal({ store, clock: fixedClock }, { ...timer, dueAt: '2026-12-01T00:00:00.000Z' }); // moved meanwhile: ignored
    expect((await getDeal({ store }, ctx(), d.id)).stale).toBeUndefined();
    await flagStaleDeal({ store, clock: fixedClock }, { ...timer, tenantId: 'other' }); // foreign tenant: ignored
    expect((await getDeal({ store }, ctx(), d.id)).version).toBe(1);
    await flagStaleDeal({ store, clock: fixedClock }, timer);
    const flagged = await store.get(key);
    expect(flagged).toMatchObject({ stale: true, staleSince: '2026-12-02T10:00:00.000Z', version: 2 });
    expect(flagged!.timers).toBeUndefined();
    await flagStaleDeal({ store, clock: fixedClock }, timer); // fired twice: nothing changes
    expect((await store.get(key))!.version).toBe(2);
    // The next stage change clears the flag; re-entering an SLA stage sets a fresh timer.
    await updateDeal(deps(), ctx(), d.id, { amount: 3, customFields: { budgetOk: true } }, '"2"');
    now = new Date('2026-12-05T10:00:00.000Z');
    await changeDealStage(deps(), ctx(), d.id, { stage: 'proposal' });
    const { deal: back } = await changeDealStage(deps(), ctx(), d.id, { stage: 'lead' });
    expect(back.stale).toBeUndefined();
    expect((await store.get(key))!.timers).toEqual({ 'deal-stale': '2026-12-12T10:00:00.000Z' });
    expect((await readCounters(store, 'acme', back.pipelineId)).find((c) => c.stage === 'lead')!.count).toBe(1);
  });

  it("moves the stale timers of a stage's deals when its SLA changes, without touching the deals' versions", async () => {
    const { pipeline, deal } = await setup();
    const early = await deal({ name: 'Early' });
    now = new Date('2026-11-27T10:00:00.000Z');
    const late = await deal({ name: 'Late' });
    const moved = await deal({ name: 'Moved on', amount: 1, customFields: { budgetOk: true } });
    await changeDealStage(deps(), ctx(), moved.id, { stage: 'proposal' });
    const sleepy = await deal({ name: 'Already stale' });
    await flagStaleDeal({ store, clock: fixedClock }, { tenantId: 'acme', key: dealKeys.deal('acme', sleepy.id), kind: 'deal-stale', dueAt: '2026-12-04T10:00:00.000Z' });
    const timerOf = async (id: string) => ((await store.get(dealKeys.deal('acme', id)))!.timers as Record<string, string> | undefined)?.['deal-stale'];
    const versionOf = async (id: string) => (await store.get(dealKeys.deal('acme', id)))!.version;
    const change = async (stages: unknown[], etag: string) => {
      const before = await store.get(pipelineKeys.pipeline('acme', pipeline.id));
      await updatePipeline(deps(), ctx(), pipeline.id, { stages } as never, etag);
      const after = await store.get(pipelineKeys.pipeline('acme', pipeline.id));
      return retimeStageDeals({ store }, { eventId: `e-${etag}`, eventName: 'MODIFY', approximateCreationTime: 0, oldImage: before, newImage: after });
    };

    const longer = SALES.stages.map((s) => (s.key === 'lead' ? { ...s, slaDays: 30 } : s));
    expect(await change(longer, '"1"')).toEqual({ stages: 1, retimed: 2 });
    expect(await timerOf(early.id)).toBe('2026-12-25T10:00:00.000Z');
    expect(await timerOf(late.id)).toBe('2026-12-27T10:00:00.000Z');
    expect(await timerOf(moved.id)).toBeUndefined();
    expect(await timerOf(sleepy.id)).toBeUndefined();
    expect([await versionOf(early.id), await versionOf(late.id), await versionOf(sleepy.id)]).toEqual([1, 1, 2]);
    // The same record again (a redelivery) writes nothing; a change that keeps the SLAs retimes nothing.
    expect(await retimeStageDeals({ store }, { eventId: 'again', eventName: 'MODIFY', approximateCreationTime: 0,
      oldImage: { ...(await store.get(pipelineKeys.pipeline('acme', pipeline.id)))!, stages: SALES.stages }, newImage: (await store.get(pipelineKeys.pipeline('acme', pipeline.id)))! })).toEqual({ stages: 1, retimed: 0 });
    expect(await change(longer.map((s) => ({ ...s, name: `${s.name}!` })), '"2"')).toEqual({ stages: 0, retimed: 0 });

    // No SLA any more: the timers go.
    expect(await change(longer.map(({ slaDays: _sla, ...s }) => s), '"3"')).toEqual({ stages: 1, retimed: 2 });
    expect([await timerOf(early.id), await timerOf(late.id)]).toEqual([undefined, undefined]);
    // The deal API reads the same deal as before.
    expect(await getDeal({ store }, ctx(), early.id)).toMatchObject({ version: 1, stage: 'lead' });
  });
});
