import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOrCreateSigningKey, mintAccessToken, start, type TokenRequest } from '@crm/local-runtime';

export interface TestServer {
  url: string;
  dataDir: string;
  /** A user token for the tenant (all scopes unless given). */
  token(tenantId: string, options?: Partial<TokenRequest>): Promise<string>;
  /** fetch relative to the server, JSON in/out, bearer token optional. */
  call(method: string, path: string, options?: { token?: string; body?: unknown; headers?: Record<string, string> }): Promise<TestResponse>;
  /**
   * A caller bound to a user token: `(method, path, body?, headers?)`. Defaults: user `root`, role
   * `admin`, no org unit.
   */
  as(tenantId: string, userId?: string, roles?: string[], orgPath?: string): Promise<TestCaller>;
  /** Delivers all pending change-feed records to the stream consumers (audit chain, claims...). */
  drain(): Promise<void>;
  /** Runs the scheduled functions once now (fire-timers: task reminders, stale deals). */
  runSchedules(): Promise<void>;
  stop(): Promise<void>;
}

export type TestCaller = (method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<TestResponse>;

export interface TestResponse {
  status: number;
  headers: Headers;
  body: any;
}

/**
 * Rate limits high enough that no functional test can reach them, however fast the machine runs it
 * (a token bucket refills with wall-clock time). test/e2e/rate-limits.test.ts sets tiny ones.
 */
const UNREACHABLE_RATE_LIMITS = {
  CRM_RATE_LIMIT_USER: '1000000/1000000',
  CRM_RATE_LIMIT_CLIENT: '1000000/1000000',
  CRM_RATE_LIMIT_PUBLIC: '1000000/1000000',
  CRM_RATE_LIMIT_TENANT: '1000000/1000000',
};

/** Starts the real local CRM (same code as `npm start`) on 127.0.0.1, a free port and a temp data folder. */
export async function startTestServer(options: { env?: Record<string, string> } = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'crm-test-'));
  const running = await start(
    // Consumers on the server's own thread: quicker to start per test file; test/e2e/change-feed-worker.test.ts covers the worker.
    { PORT: '0', HOST: '127.0.0.1', CRM_DATA_DIR: dataDir, POWERTOOLS_LOG_LEVEL: 'SILENT', CRM_CHANGE_FEED: 'in-process', ...UNREACHABLE_RATE_LIMITS, ...options.env },
    () => undefined,
  );
  const key = await loadOrCreateSigningKey(dataDir);
  const server: TestServer = {
    url: running.url,
    dataDir,
    token: (tenantId, options = {}) => mintAccessToken(key, { tenantId, userId: 'alice', roles: ['admin'], ...options }),
    async as(tenantId, userId = 'root', roles = ['admin'], orgPath) {
      const token = await server.token(tenantId, { userId, roles, ...(orgPath ? { orgPath } : {}) });
      return (method, path, body, headers) => server.call(method, path, { token, ...(body !== undefined ? { body } : {}), ...(headers ? { headers } : {}) });
    },
    async call(method, path, options = {}) {
      const headers: Record<string, string> = { ...options.headers };
      if (options.token) headers.authorization = `Bearer ${options.token}`;
      let body: string | undefined;
      if (options.body !== undefined) {
        body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
        headers['content-type'] ??= 'application/json';
      }
      const res = await fetch(`${running.url}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
      const text = await res.text();
      const type = res.headers.get('content-type') ?? '';
      return { status: res.status, headers: res.headers, body: text && type.includes('json') ? JSON.parse(text) : text };
    },
    drain: () => running.drain(),
    runSchedules: () => running.runSchedules(),
    async stop() {
      await running.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return server;
}
