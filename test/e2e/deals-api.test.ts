import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainEvent } from '@crm/core';
import { startTestServer, type TestCaller, type TestServer } from '../support/test-server';

/** Pipelines, deals, the board and stage changes through the local server (same handlers as Lambda). */
let server: TestServer;
let admin: TestCaller;
beforeAll(async () => {
  server = await startTestServer();
  admin = await server.as('sales-co');
});
afterAll(() => server?.stop());

const STAGES = [
  { key: 'lead', name: 'Lead', probability: 10, slaDays: 14 },
  { key: 'proposal', name: 'Proposal', probability: 60, requiredFields: ['amount', 'expectedCloseDate'] },
  { key: 'won', name: 'Won', probability: 100, outcome: 'won' },
  { key: 'lost', name: 'Lost', probability: 0, outcome: 'lost' },
];

const events = (): DomainEvent[] =>
  readFileSync(join(server.dataDir, 'events', 'events.jsonl'), 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as DomainEvent);

const boardCounts = async (call: TestCaller, pipelineId: string) => {
  const res = await call('GET', `/v1/pipelines/${pipelineId}/board?limit=5`);
  expect(res.status).toBe(200);
  return Object.fromEntries((res.body.stages as Array<{ key: string; count: number; amount: Record<string, number>; items: Array<{ name: string }> }>).map((s) => [s.key, { count: s.count, amount: s.amount, items: s.items.map((i) => i.name) }]));
};

describe('pipelines API', () => {
  it('creates, reads, locks, validates and archives pipelines (deals:manage)', async () => {
    const created = await admin('POST', '/v1/pipelines', { name: 'Renewals', stages: STAGES });
    expect(created.status).toBe(201);
    expect(created.headers.get('etag')).toBe('"1"');
    expect(created.body).toMatchObject({ name: 'Renewals', source: 'api', version: 1 });
    const id = created.body.id as string;

    const invalid = await admin('POST', '/v1/pipelines', { name: 'Bad', stages: [{ key: 'won', name: 'Won', probability: 100, outcome: 'won' }, { key: 'Lead', name: 'x', probability: 150 }] });
    expect(invalid.status).toBe(400);
    expect(invalid.body.code).toBe('validation_failed');
    const order = await admin('POST', '/v1/pipelines', { name: 'Bad', stages: [{ key: 'won', name: 'Won', probability: 100, outcome: 'won' }, { key: 'lead', name: 'Lead', probability: 5 }] });
    expect(order.body.errors.map((e: { message: string }) => e.message)).toContain('open stages come before the won/lost stages');

    expect((await admin('PATCH', `/v1/pipelines/${id}`, { name: 'Renewals 2027' })).status).toBe(428);
    const patched = await admin('PATCH', `/v1/pipelines/${id}`, { name: 'Renewals 2027' }, { 'if-match': '"1"' });
    expect(patched.body).toMatchObject({ name: 'Renewals 2027', version: 2 });
    expect((await admin('PUT', `/v1/pipelines/${id}`, { name: 'Stale', stages: STAGES }, { 'if-match': '"1"' })).status).toBe(412);
    const replaced = await admin('PUT', `/v1/pipelines/${id}`, { name: 'Renewals', stages: STAGES.slice(0, 3) }, { 'if-match': '"2"' });
    expect(replaced.body.stages.map((s: { key: string }) => s.key)).toEqual(['lead', 'proposal', 'won']);

    const rep = await server.as('sales-co', 'rep-1', ['sales']);
    expect((await rep('GET', `/v1/pipelines/${id}`)).status).toBe(200);
    expect((await rep('POST', '/v1/pipelines', { name: 'Mine', stages: STAGES })).status).toBe(403);

    expect((await admin('DELETE', `/v1/pipelines/${id}`)).status).toBe(204);
    expect((await admin('GET', '/v1/pipelines')).body.items.map((p: { id: string }) => p.id)).not.toContain(id);
    expect((await admin('GET', '/v1/pipelines?archived=true')).body.items.map((p: { id: string }) => p.id)).toContain(id);
    expect((await admin('GET', `/v1/pipelines/${id}`)).body.archivedAt).toBeDefined();
    expect((await admin('DELETE', `/v1/pipelines/${id}`)).body.code).toBe('already_deleted');

    const audit = await admin('GET', `/v1/audit?resource=pipeline&resourceId=${id}`);
    expect(audit.body.items.map((a: { action: string }) => a.action)).toEqual(['deals:manage', 'deals:manage', 'deals:manage', 'deals:manage']);
  });
});

describe('deals API', () => {
  it('CRUD, board counts, stage changes, history, timeline entry and events', async () => {
    const pipeline = (await admin('POST', '/v1/pipelines', { name: 'New sales', stages: STAGES })).body;
    const customer = (await admin('POST', '/v1/customers', { kind: 'company', name: 'Shanghai Example Trading' })).body;

    const created = await admin('POST', '/v1/deals', { name: 'Framework 2027', amount: 250000, currency: 'CNY', customerId: customer.id, pipelineId: pipeline.id });
    expect(created.status).toBe(201);
    expect(created.headers.get('etag')).toBe('"1"');
    expect(created.body).toMatchObject({ stage: 'lead', ownerId: 'root', orgPath: '/', version: 1, contactIds: [] });
    const id = created.body.id as string;
    const usd = (await admin('POST', '/v1/deals', { name: 'Export deal', amount: 1000.25, currency: 'USD', customerId: customer.id, pipelineId: pipeline.id })).body;
    expect(await boardCounts(admin, pipeline.id)).toMatchObject({ lead: { count: 2, amount: { CNY: 250000, USD: 1000.25 } }, proposal: { count: 0, amount: {} } });

    // Validation with stable codes.
    expect((await admin('POST', '/v1/deals', { name: 'x', amount: 1.234, currency: 'CNY', customerId: customer.id, pipelineId: pipeline.id })).status).toBe(400);
    expect((await admin('POST', '/v1/deals', { name: 'x', currency: 'XXZ', customerId: customer.id, pipelineId: pipeline.id })).body.code).toBe('validation_failed');
    expect((await admin('POST', `/v1/deals/${id}/stage`, { stage: 'negotiation' })).body.code).toBe('unknown_stage');
    expect((await admin('POST', `/v1/deals/${id}/stage`, { stage: 'lost' })).body.code).toBe('stage_reason_required');
    const missing = await admin('POST', `/v1/deals/${id}/stage`, { stage: 'proposal' });
    expect({ status: missing.status, code: missing.body.code, missing: missing.body.missing }).toEqual({ status: 422, code: 'stage_requirements_missing', missing: ['expectedCloseDate'] });

    // PATCH with If-Match.
    expect((await admin('PATCH', `/v1/deals/${id}`, { expectedCloseDate: '2026-12-31' })).status).toBe(428);
    expect((await admin('PATCH', `/v1/deals/${id}`, { expectedCloseDate: '2026-12-31' }, { 'if-match': '"9"' })).status).toBe(412);
    const patched = await admin('PATCH', `/v1/deals/${id}`, { expectedCloseDate: '2026-12-31', amount: 260000 }, { 'if-match': '"1"' });
    expect(patched.body).toMatchObject({ version: 2, amount: 260000, expectedCloseDate: '2026-12-31' });
    expect((await boardCounts(admin, pipeline.id)).lead!.amount).toEqual({ CNY: 260000, USD: 1000.25 });

    // Stage changes move the counters.
    const moved = await admin('POST', `/v1/deals/${id}/stage`, { stage: 'proposal' });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ stage: 'proposal', version: 3 });
    expect(await boardCounts(admin, pipeline.id)).toMatchObject({ lead: { count: 1, amount: { USD: 1000.25 } }, proposal: { count: 1, amount: { CNY: 260000 }, items: ['Framework 2027'] } });
    const won = await admin('POST', `/v1/deals/${id}/stage`, { stage: 'won', reason: 'Best delivery time' });
    expect(won.body).toMatchObject({ stage: 'won', outcome: 'won', closeReason: 'Best delivery time' });
    expect((await admin('POST', `/v1/deals/${usd.id}/stage`, { stage: 'lost', reason: 'Budget cut' })).status).toBe(200);
    expect(await boardCounts(admin, pipeline.id)).toMatchObject({ lead: { count: 0 }, proposal: { count: 0 }, won: { count: 1, amount: { CNY: 260000 } }, lost: { count: 1, amount: { USD: 1000.25 } } });

    const history = (await admin('GET', `/v1/deals/${id}/history`)).body.items;
    expect(history.map((h: { from?: string; to: string }) => `${h.from ?? ''}>${h.to}`)).toEqual(['>lead', 'lead>proposal', 'proposal>won']);
    expect(history[2]).toMatchObject({ by: 'root', reason: 'Best delivery time' });

    const timeline = (await admin('GET', `/v1/customers/${customer.id}/timeline?channel=crm`)).body.items;
    expect(timeline.map((t: { type: string; payload: { dealId: string; to: string } }) => [t.type, t.payload.dealId, t.payload.to])).toEqual([
      ['deal_stage_changed', usd.id, 'lost'], ['deal_stage_changed', id, 'won'], ['deal_stage_changed', id, 'proposal'],
    ]);

    // Lists are index queries with filters.
    const list = async (q: string) => (await admin('GET', `/v1/deals${q}`)).body.items.map((d: { name: string }) => d.name);
    expect(await list(`?pipelineId=${pipeline.id}&stage=won`)).toEqual(['Framework 2027']);
    expect(await list('?closeFrom=2026-12-01&closeTo=2026-12-31')).toEqual(['Framework 2027']);
    expect(await list('?ownerId=root')).toEqual(['Framework 2027', 'Export deal']);
    expect((await admin('GET', '/v1/deals?stage=won')).status).toBe(400);

    // Delete: gone from the board and the lists.
    expect((await admin('DELETE', `/v1/deals/${usd.id}`)).status).toBe(204);
    expect((await admin('GET', `/v1/deals/${usd.id}`)).status).toBe(404);
    expect((await boardCounts(admin, pipeline.id)).lost).toEqual({ count: 0, amount: {}, items: [] });

    await server.drain();
    const mine = events().filter((e) => e.subject.type === 'deal' && (e.subject.id === id || e.subject.id === usd.id));
    expect(mine.map((e) => `${e.subject.id === id ? 'A' : 'B'}:${e.type}`)).toEqual([
      'A:deal.created', 'B:deal.created', 'A:deal.stage-changed', 'A:deal.stage-changed', 'A:deal.won', 'B:deal.stage-changed', 'B:deal.lost', 'B:deal.deleted',
    ]);
    expect(mine.find((e) => e.type === 'deal.won')!.data).toMatchObject({ pipelineId: pipeline.id, amount: 260000, currency: 'CNY', reason: 'Best delivery time' });
    expect(mine.find((e) => e.type === 'deal.lost')!.data).toMatchObject({ reason: 'Budget cut', currency: 'USD' });
    const change = mine.find((e) => e.type === 'deal.stage-changed')!;
    expect(change.data).toMatchObject({ from: 'lead', to: 'proposal', pipelineId: pipeline.id, amount: 260000, currency: 'CNY' });
    expect(typeof change.data.durationMs).toBe('number');

    const audit = (await admin('GET', `/v1/audit?resource=deal&resourceId=${id}`)).body.items.map((a: { action: string }) => a.action);
    expect(audit.sort()).toEqual(['deals:change-stage', 'deals:change-stage', 'deals:create', 'deals:update']);
  });

  it('keeps deals in their data domain: a rep outside the org unit gets 404, counts cover the subtree', async () => {
    const hq = (await admin('POST', '/v1/org-units', { key: 'hq', name: 'HQ' })).body;
    await admin('POST', '/v1/org-units', { key: 'east', name: 'East', parentId: hq.id });
    await admin('POST', '/v1/org-units', { key: 'west', name: 'West', parentId: hq.id });
    const eastRep = await server.as('sales-co', 'east-rep', ['sales'], '/hq/east');
    const westRep = await server.as('sales-co', 'west-rep', ['sales'], '/hq/west');
    const pipeline = (await admin('POST', '/v1/pipelines', { name: 'Field sales', stages: STAGES })).body;
    const customer = (await eastRep('POST', '/v1/customers', { kind: 'company', name: 'East Client' })).body;
    const deal = (await eastRep('POST', '/v1/deals', { name: 'East deal', amount: 10, currency: 'CNY', customerId: customer.id, pipelineId: pipeline.id })).body;
    expect(deal).toMatchObject({ orgPath: '/hq/east', ownerId: 'east-rep' });

    expect((await westRep('GET', `/v1/deals/${deal.id}`)).status).toBe(404);
    expect((await westRep('PATCH', `/v1/deals/${deal.id}`, { name: 'x' }, { 'if-match': '"1"' })).status).toBe(404);
    expect((await westRep('POST', `/v1/deals/${deal.id}/stage`, { stage: 'lost', reason: 'x' })).status).toBe(404);
    expect((await westRep('GET', `/v1/deals/${deal.id}/history`)).status).toBe(404);
    expect((await westRep('GET', '/v1/deals')).body.items).toEqual([]);
    // West cannot attach a deal to a customer it cannot see.
    expect((await westRep('POST', '/v1/deals', { name: 'Steal', currency: 'CNY', customerId: customer.id, pipelineId: pipeline.id })).body.code).toBe('validation_failed');

    const west = (await westRep('GET', `/v1/pipelines/${pipeline.id}/board`)).body;
    expect(west.countScope).toBe('/hq/west');
    expect(west.stages[0]).toMatchObject({ key: 'lead', count: 0, amount: {}, items: [] });
    const east = (await eastRep('GET', `/v1/pipelines/${pipeline.id}/board`)).body;
    expect(east.stages[0]).toMatchObject({ key: 'lead', count: 1, amount: { CNY: 10 } });
    expect(east.stages[0].items.map((d: { id: string }) => d.id)).toEqual([deal.id]);

    // Sales reps may not delete (role matrix); their manager may.
    expect((await eastRep('DELETE', `/v1/deals/${deal.id}`)).status).toBe(403);
    const eastBoss = await server.as('sales-co', 'east-boss', ['manager'], '/hq/east');
    expect((await eastBoss('DELETE', `/v1/deals/${deal.id}`)).status).toBe(204);
  });

  it('applies field masks on deals', async () => {
    const role = await admin('PUT', '/v1/roles/quiet-analyst', { permissions: ['deals:read'], dataScope: 'tenant', fields: { deals: { amount: 'hidden' } } });
    expect([200, 201]).toContain(role.status);
    const pipeline = (await admin('POST', '/v1/pipelines', { name: 'Masked', stages: STAGES })).body;
    const customer = (await admin('POST', '/v1/customers', { kind: 'company', name: 'Masked Co' })).body;
    const deal = (await admin('POST', '/v1/deals', { name: 'Secret amount', amount: 99, currency: 'CNY', customerId: customer.id, pipelineId: pipeline.id })).body;
    const analyst = await server.as('sales-co', 'analyst-1', ['quiet-analyst']);
    const read = (await analyst('GET', `/v1/deals/${deal.id}`)).body;
    expect(read.name).toBe('Secret amount');
    expect(read.amount).toBeUndefined();
    const board = (await analyst('GET', `/v1/pipelines/${pipeline.id}/board`)).body;
    expect(board.stages[0].items[0].amount).toBeUndefined();
  });
});

describe('templates install pipelines', () => {
  it('installs a template\'s pipelines once, and never again after a rename', async () => {
    const tenant = await server.as('template-co');
    const listed = (await tenant('GET', '/v1/templates')).body.items.find((t: { name: string }) => t.name === 'b2b-manufacturing');
    expect(listed.pipelines).toEqual(['New business (RFQ)', 'Renewals']);
    const first = await tenant('POST', '/v1/templates/b2b-manufacturing/install');
    expect(first.status).toBe(200);
    expect(first.body.installedPipelines.map((p: { name: string }) => p.name)).toEqual(['New business (RFQ)', 'Renewals']);
    const rfq = (await tenant('GET', `/v1/pipelines/${first.body.installedPipelines[0].id}`)).body;
    expect(rfq).toMatchObject({ source: 'template:b2b-manufacturing', version: 1 });
    expect(rfq.stages.map((s: { key: string }) => s.key)).toEqual(['rfq', 'qualified', 'quoted', 'sample_approval', 'negotiation', 'won', 'lost']);
    expect((await tenant('PATCH', `/v1/pipelines/${rfq.id}`, { name: 'RFQs' }, { 'if-match': '"1"' })).status).toBe(200);

    const again = await tenant('POST', '/v1/templates/b2b-manufacturing/install');
    expect(again.body).toMatchObject({ installedPipelines: [], skippedPipelines: [{ name: 'New business (RFQ)', reason: 'already-installed' }, { name: 'Renewals', reason: 'already-installed' }] });
    expect((await tenant('GET', '/v1/pipelines')).body.items.map((p: { name: string }) => p.name)).toEqual(['Renewals', 'RFQs']);
  });
});
