import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestCaller, type TestServer } from '../support/test-server';

/** Deals carry tenant-defined custom fields from the same registry as customers (`/v1/fields/deal/...`). */
let server: TestServer;
let admin: TestCaller;
beforeAll(async () => {
  server = await startTestServer();
  admin = await server.as('deal-fields-co');
});
afterAll(() => server?.stop());

describe('deal custom fields', () => {
  it('validates deal custom fields against the registry; filters and uniqueness stay customer-only', async () => {
    expect((await admin('PUT', '/v1/fields/deal/budget_code', { label: 'Budget code', type: 'text', required: true })).status).toBe(200);
    const filterable = await admin('PUT', '/v1/fields/deal/region', { label: 'Region', type: 'text', filterable: true });
    expect(filterable.status).toBe(400);
    expect(filterable.body.errors).toEqual([expect.objectContaining({ path: 'body.filterable' })]);
    expect((await admin('GET', '/v1/fields?objectType=deal')).body.items.map((f: { key: string }) => f.key)).toEqual(['budget_code']);

    const pipeline = (await admin('POST', '/v1/pipelines', { name: 'New sales', stages: [{ key: 'lead', name: 'Lead', probability: 10 }, { key: 'won', name: 'Won', probability: 100, outcome: 'won' }] })).body;
    const customer = (await admin('POST', '/v1/customers', { kind: 'company', name: 'Fields Co' })).body;
    const deal = (extra: Record<string, unknown>) => admin('POST', '/v1/deals', { name: 'D', amount: 10, currency: 'CNY', customerId: customer.id, pipelineId: pipeline.id, ...extra });
    const missing = await deal({});
    expect(missing.status).toBe(400);
    expect(JSON.stringify(missing.body.errors)).toContain('budget_code');
    expect((await deal({ customFields: { budget_code: 'B-7', unknown_key: 1 } })).status).toBe(400);
    const ok = await deal({ customFields: { budget_code: 'B-7' } });
    expect(ok.status).toBe(201);
    expect(ok.body.customFields).toEqual({ budget_code: 'B-7' });
  });
});
