import { Worker } from 'node:worker_threads';
import type { LocalConfig } from './local-config';

/** Where the local runtime's stream consumers run, as the server thread sees it. */
export interface ChangeFeed {
  /** Starts delivering (polling plus `notify`). */
  start(): void;
  /** Wakes idle consumers now (called after every committed write). */
  notify(): void;
  /** Resolves once everything committed before the call has been delivered to every consumer. */
  drain(): Promise<void>;
  /** Runs every schedule entry once now (tests; they also run on their own every `rateMinutes`). */
  runSchedules(): Promise<void>;
  /** Stops delivering; in-flight batches finish and save their checkpoints. */
  stop(): Promise<void>;
}

export type ChangeFeedRequest = { type: 'notify' } | { type: 'drain' | 'run-schedules'; id: number } | { type: 'stop' };
export type ChangeFeedReply =
  | { type: 'ready' }
  | { type: 'failed'; error: string }
  | { type: 'drained'; id: number; error?: string }
  | { type: 'stopped' };

/**
 * Starts the change-feed worker thread (./change-feed-worker.ts) and resolves once its consumers
 * are registered; `onExit` runs when the thread ends (stopped or crashed). `notify` messages are coalesced: at most one is in flight per event-loop turn,
 * however many commits the server makes.
 */
export async function startChangeFeedWorker(config: LocalConfig, repoRoot: string, options: { onExit?: () => void } = {}): Promise<ChangeFeed> {
  // A plain-JS entry registers tsx in the worker, which then runs the TypeScript sources like the server.
  const worker = new Worker(new URL('./change-feed-worker.mjs', import.meta.url), { workerData: { config, repoRoot } });
  const pending = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  let nextRequest = 0;
  let stopped: (() => void) | undefined;
  let stopping = false;
  let exited = false;
  const post = (message: ChangeFeedRequest) => worker.postMessage(message);
  const ready = new Promise<void>((resolve, reject) => {
    worker.on('message', (message: ChangeFeedReply) => {
      if (message.type === 'ready') resolve();
      else if (message.type === 'failed') reject(new Error(`change-feed worker failed to start: ${message.error}`));
      else if (message.type === 'drained') {
        const waiting = pending.get(message.id);
        pending.delete(message.id);
        if (message.error === undefined) waiting?.resolve();
        else waiting?.reject(new Error(message.error));
      } else if (message.type === 'stopped') stopped?.();
    });
    worker.once('error', (error) => {
      console.error('change-feed worker failed:', error);
      reject(error);
    });
    worker.once('exit', (code) => {
      exited = true;
      options.onExit?.();
      // Consumers stopped: events, webhooks and audit chaining wait until the server restarts
      // (their checkpoints are kept, so nothing is lost).
      if (!stopping) console.error(`change-feed worker exited unexpectedly (code ${code}); stream consumers stopped until restart`);
      const error = new Error(`change-feed worker exited (code ${code})`);
      reject(error);
      for (const waiting of pending.values()) waiting.reject(error);
      pending.clear();
      stopped?.();
    });
  });
  try {
    await ready;
  } catch (error) {
    await worker.terminate();
    throw error;
  }
  /** A request the worker answers with `drained` (drain, run-schedules). */
  const request = (type: 'drain' | 'run-schedules') => {
    if (exited) return Promise.reject(new Error('change-feed worker is not running'));
    const id = nextRequest++;
    return new Promise<void>((resolve, reject) => {
      pending.set(id, { resolve, reject });
      post({ type, id });
    });
  };
  let notifyQueued = false;
  return {
    start: () => undefined, // the worker starts its consumers as soon as it is ready
    notify() {
      if (notifyQueued || exited) return;
      notifyQueued = true;
      setImmediate(() => {
        notifyQueued = false;
        if (!exited) post({ type: 'notify' });
      });
    },
    drain: () => request('drain'),
    runSchedules: () => request('run-schedules'),
    async stop() {
      if (exited) return;
      stopping = true;
      await new Promise<void>((resolve) => {
        stopped = resolve;
        post({ type: 'stop' });
      });
      await worker.terminate();
    },
  };
}
