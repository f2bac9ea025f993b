import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startChangeFeedWorker, type ChangeFeed } from '../../../packages/local-runtime/src/change-feed-host';
import type { LocalConfig } from '../../../packages/local-runtime/src/local-config';

/**
 * The change-feed host restarts a worker thread that dies (the consumers resume from their
 * checkpoints). A stand-in worker (fixtures/stand-in-change-feed-worker.mjs) speaks the protocol and
 * crashes on request; the host under test is the real one.
 */
const workerUrl = new URL('./fixtures/stand-in-change-feed-worker.mjs', import.meta.url);
let dir: string;
let feed: ChangeFeed | undefined;
const starts = () => (existsSync(join(dir, 'starts.log')) ? readFileSync(join(dir, 'starts.log'), 'utf8').split('\n').filter(Boolean).length : 0);
const config = () => ({ CRM_DATA_DIR: dir }) as unknown as LocalConfig;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'crm-feed-supervisor-'));
  vi.spyOn(console, 'error').mockImplementation(() => undefined);
});
afterEach(async () => {
  await feed?.stop();
  feed = undefined;
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

describe('change-feed worker supervision', () => {
  it('restarts a crashed worker after the back-off delay; drain works again; WAL duty follows the worker', async () => {
    const events: string[] = [];
    feed = await startChangeFeedWorker(config(), '/unused', { workerUrl, restartDelaysMs: [50, 100], onStart: () => events.push('start'), onExit: () => events.push('exit') });
    await feed.drain();
    expect(starts()).toBe(1);

    await expect(feed.runSchedules()).rejects.toThrow(/exited \(code 7\)/);
    await expect(feed.drain()).rejects.toThrow(/not running/);
    await expect.poll(starts, { timeout: 5_000 }).toBe(2);
    await expect.poll(() => feed!.drain().then(() => 'ok', () => 'down'), { timeout: 5_000 }).toBe('ok');
    expect(events).toEqual(['start', 'exit', 'start']);
  });

  it('keeps retrying a worker that fails to restart, with the next delay each time', async () => {
    feed = await startChangeFeedWorker(config(), '/unused', { workerUrl, restartDelaysMs: [30, 60] });
    writeFileSync(join(dir, 'refuse-start'), '');
    await expect(feed.runSchedules()).rejects.toThrow(/code 7/);
    await expect.poll(() => vi.mocked(console.error).mock.calls.filter(([m]) => String(m).includes('failed to restart')).length, { timeout: 5_000 }).toBeGreaterThanOrEqual(2);
    expect(starts()).toBe(1);
    rmSync(join(dir, 'refuse-start'));
    await expect.poll(starts, { timeout: 5_000 }).toBe(2);
    await expect.poll(() => feed!.drain().then(() => 'ok', () => 'down'), { timeout: 5_000 }).toBe('ok');
  });

  it('does not restart a worker that was stopped, nor one that crashed while the host was stopping', async () => {
    feed = await startChangeFeedWorker(config(), '/unused', { workerUrl, restartDelaysMs: [100] });
    await expect(feed.runSchedules()).rejects.toThrow(/code 7/);
    await feed.stop();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(starts()).toBe(1);

    const second = await startChangeFeedWorker(config(), '/unused', { workerUrl, restartDelaysMs: [20] });
    await second.stop();
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(starts()).toBe(2);
  });

  it('rejects when the first worker cannot start', async () => {
    writeFileSync(join(dir, 'refuse-start'), '');
    await expect(startChangeFeedWorker(config(), '/unused', { workerUrl })).rejects.toThrow(/refused on purpose/);
  });
});
