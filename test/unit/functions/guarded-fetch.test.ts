import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guardedFetch } from '../../../functions/webhooks/guarded-fetch';

let server: Server;
let port: number;
const hits: string[] = [];
beforeAll(async () => {
  server = createServer((req, res) => {
    hits.push(`${req.method} ${req.url} ${req.headers['content-length']}`);
    if (req.url === '/hang') return; // never answers
    if (req.url === '/redirect') {
      res.writeHead(302, { location: '/elsewhere' });
      return res.end();
    }
    req.resume();
    req.on('end', () => {
      res.writeHead(201, { 'x-answer': 'yes', 'retry-after': '7' });
      res.end('hello');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }));

describe('guardedFetch (webhook deliveries)', () => {
  it('posts and answers a Response when the resolved address is allowed', async () => {
    const res = await guardedFetch({ allowLoopback: true })(`http://localhost:${port}/ok`, { method: 'POST', body: '{"a":1}', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(201);
    expect(res.headers.get('x-answer')).toBe('yes');
    expect(res.headers.get('retry-after')).toBe('7');
    expect(await res.text()).toBe('hello');
    expect(hits.at(-1)).toBe('POST /ok 7');
  });

  it('refuses to connect when the host name resolves to a refused address (checked at connect time)', async () => {
    const before = hits.length;
    await expect(guardedFetch({ allowLoopback: false })(`http://localhost:${port}/ok`, { method: 'POST', body: 'x' })).rejects.toThrow(/non-public/);
    expect(hits).toHaveLength(before);
  });

  it('never follows redirects', async () => {
    const res = await guardedFetch({ allowLoopback: true })(`http://localhost:${port}/redirect`, { method: 'POST', body: 'x' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/elsewhere');
    expect(hits.filter((h) => h.includes('/elsewhere'))).toEqual([]);
  });

  it('gives up when the signal aborts', async () => {
    const attempt = guardedFetch({ allowLoopback: true })(`http://localhost:${port}/hang`, { method: 'POST', body: 'x', signal: AbortSignal.timeout(100) });
    await expect(attempt).rejects.toMatchObject({ name: 'TimeoutError' });
  });
});
