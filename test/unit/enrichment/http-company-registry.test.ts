import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttpCompanyRegistry } from '@crm/adapters/company-registry';
import { SqliteTableStore, openSqliteDatabase } from '@crm/adapters/sqlite';
import { createCompanyEnrichment, systemClock } from '@crm/core';
import fixture from '../../../packages/adapters/src/company-registry/fixtures/company-registry.json';

// A stand-in registry gateway on 127.0.0.1 that answers by query and records what it received.
const known = fixture.companies[5]!;
const requests: Array<{ url: string; authorization?: string }> = [];
let server: Server;
let baseUrl: string;
let hangingClosed = false;

function answer(req: IncomingMessage): { status: number; body?: unknown } | 'hang' {
  const url = new URL(req.url!, 'http://x');
  const code = url.searchParams.get('creditCode');
  const name = url.searchParams.get('name');
  if (code === known.creditCode || name === known.name) return { status: 200, body: known };
  if (name === 'hang') return 'hang';
  if (name === 'broken') return { status: 503 };
  if (name === 'garbage') return { status: 200, body: { hello: 'world' } };
  return { status: 404 };
}

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push({ url: req.url!, ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}) });
    const a = answer(req);
    if (a === 'hang') {
      res.on('close', () => (hangingClosed = true)); // never answers; the client must give up
      return;
    }
    res.writeHead(a.status, { 'content-type': 'application/json' }).end(a.body === undefined ? '' : JSON.stringify(a.body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('HTTP company registry (against a local test server)', () => {
  it('looks up by credit code with the API key and maps 200/404', async () => {
    const registry = createHttpCompanyRegistry({ baseUrl, provider: 'gateway', apiKey: 'k-123' });
    expect(await registry.lookup({ creditCode: known.creditCode.toLowerCase() })).toEqual({ ...known, source: 'http:gateway' });
    expect(requests.at(-1)).toEqual({ url: `/v1/companies?creditCode=${known.creditCode}`, authorization: 'Bearer k-123' });
    expect(await registry.lookup({ name: '不存在' })).toBeUndefined();
    expect(requests.at(-1)!.url).toBe(`/v1/companies?name=${encodeURIComponent('不存在')}`);
  });

  it('rejects on provider errors and malformed bodies, and applies the provider mapping', async () => {
    const registry = createHttpCompanyRegistry({ baseUrl, provider: 'gateway' });
    await expect(registry.lookup({ name: 'broken' })).rejects.toThrow('HTTP 503');
    await expect(registry.lookup({ name: 'garbage' })).rejects.toThrow();
    const mapped = createHttpCompanyRegistry({ baseUrl, provider: 'p', mapResponse: (b) => ({ ...(b as object), status: 'cancelled' }) });
    expect(await mapped.lookup({ name: known.name })).toMatchObject({ status: 'cancelled', source: 'http:p' });
  });

  it('is cut off by the enrichment timeout (the request is aborted) and reported unavailable', async () => {
    const db = openSqliteDatabase(':memory:');
    try {
      const store = new SqliteTableStore({ db, clock: systemClock });
      const registry = createHttpCompanyRegistry({ baseUrl, provider: 'gateway' });
      const impatient = createCompanyEnrichment({ store, clock: systemClock, registry }, { attemptTimeoutMs: 50, retries: 0 });
      expect(await impatient.enrich('acme', { name: 'hang' })).toEqual({ status: 'unavailable', reason: 'timeout' });
      await vi.waitFor(() => expect(hangingClosed).toBe(true)); // the client dropped the connection
      const enrichment = createCompanyEnrichment({ store, clock: systemClock, registry });
      expect(await enrichment.enrich('acme', { name: known.name })).toMatchObject({ status: 'enriched', record: { source: 'http:gateway' } });
    } finally {
      db.close();
    }
  });
});
