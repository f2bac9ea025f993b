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

export interface ChangeFeedWorkerOptions {
  /** Runs whenever a worker thread ends (stopped or crashed). */
  onExit?: () => void;
  /** Runs whenever a worker thread is ready: the first start and every restart. */
  onStart?: () => void;
  /**
   * Waits before restarting after an unexpected exit: the n-th crash in a row waits
   * `restartDelaysMs[min(n, last)]`. A worker that ran RESTART_STREAK_RESET_MS resets the streak.
   */
  restartDelaysMs?: readonly number[];
  /** The worker's entry module (tests use a stand-in). */
  workerUrl?: URL;
}

/** 1 s, 2 s, 5 s, 15 s, then every 30 s while it keeps crashing. */
export const DEFAULT_RESTART_DELAYS_MS = [1_000, 2_000, 5_000, 15_000, 30_000] as const;
/** A worker that stayed up this long before crashing restarts after the first delay again. */
export const RESTART_STREAK_RESET_MS = 60_000;

/** One worker thread, started and ready. */
interface RunningWorker {
  request(type: 'drain' | 'run-schedules'): Promise<void>;
  notify(): void;
  stop(): Promise<void>;
  /** Resolves with the exit code when the thread ends, whatever the reason. */
  exited: Promise<number>;
}

/**
 * Starts the change-feed worker thread (./change-feed-worker.ts) and resolves once its consumers
 * are registered; a failure to start the first one rejects. A worker that exits unexpectedly later
 * (a crash) is restarted after a back-off delay: the consumers resume from their checkpoints, so
 * nothing is lost and nothing delivered twice beyond the at-least-once of a retried batch. While it
 * is down, `drain` and `run-schedules` reject and notifications are dropped (the restarted worker
 * polls). `notify` messages are coalesced: at most one is in flight per event-loop turn, however
 * many commits the server makes.
 */
export async function startChangeFeedWorker(config: LocalConfig, repoRoot: string, options: ChangeFeedWorkerOptions = {}): Promise<ChangeFeed> {
  const delays = options.restartDelaysMs ?? DEFAULT_RESTART_DELAYS_MS;
  const spawn = () => spawnWorker(options.workerUrl ?? new URL('./change-feed-worker.mjs', import.meta.url), { config, repoRoot });
  let current: RunningWorker | undefined = await spawn();
  let stopping = false;
  let crashes = 0;
  let restartTimer: NodeJS.Timeout | undefined;

  const supervise = (running: RunningWorker, startedAt: number) => {
    options.onStart?.();
    void running.exited.then((code) => {
      options.onExit?.();
      if (current === running) current = undefined;
      if (stopping) return;
      if (Date.now() - startedAt >= RESTART_STREAK_RESET_MS) crashes = 0;
      scheduleRestart(`exited unexpectedly (code ${code})`);
    });
  };
  const scheduleRestart = (why: string) => {
    const delay = delays[Math.min(crashes, delays.length - 1)] ?? 1_000;
    crashes += 1;
    // Consumers are stopped until then: events, webhooks and audit chaining wait (checkpoints are kept).
    console.error(`change-feed worker ${why}; restarting in ${delay} ms`);
    restartTimer = setTimeout(() => {
      restartTimer = undefined;
      spawn().then(
        async (next) => {
          if (stopping) return next.stop();
          current = next;
          supervise(next, Date.now());
        },
        (error: unknown) => {
          if (!stopping) scheduleRestart(`failed to restart (${error instanceof Error ? error.message : String(error)})`);
        },
      );
    }, delay);
  };
  supervise(current, Date.now());

  let notifyQueued = false;
  return {
    start: () => undefined, // the worker starts its consumers as soon as it is ready
    notify() {
      if (notifyQueued || !current) return;
      notifyQueued = true;
      setImmediate(() => {
        notifyQueued = false;
        current?.notify();
      });
    },
    drain: () => current?.request('drain') ?? Promise.reject(new Error('change-feed worker is not running (restarting)')),
    runSchedules: () => current?.request('run-schedules') ?? Promise.reject(new Error('change-feed worker is not running (restarting)')),
    async stop() {
      stopping = true;
      clearTimeout(restartTimer);
      await current?.stop();
    },
  };
}

/** Starts one worker thread and resolves once it is ready (rejects, with the thread ended, if it is not). */
async function spawnWorker(url: URL, workerData: { config: LocalConfig; repoRoot: string }): Promise<RunningWorker> {
  const worker = new Worker(url, { workerData });
  const pending = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  let nextRequest = 0;
  let stopped: (() => void) | undefined;
  let exited = false;
  const post = (message: ChangeFeedRequest) => worker.postMessage(message);
  const exitedWith = new Promise<number>((resolveExit) => {
    worker.once('exit', (code) => {
      exited = true;
      const error = new Error(`change-feed worker exited (code ${code})`);
      for (const waiting of pending.values()) waiting.reject(error);
      pending.clear();
      stopped?.();
      resolveExit(code);
    });
  });
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
    worker.on('error', (error) => {
      console.error('change-feed worker failed:', error);
      reject(error);
    });
    void exitedWith.then((code) => reject(new Error(`change-feed worker exited (code ${code})`)));
  });
  try {
    await ready;
  } catch (error) {
    await worker.terminate();
    throw error;
  }
  return {
    exited: exitedWith,
    notify: () => {
      if (!exited) post({ type: 'notify' });
    },
    request(type) {
      if (exited) return Promise.reject(new Error('change-feed worker is not running'));
      const id = nextRequest++;
      return new Promise<void>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        post({ type, id });
      });
    },
    async stop() {
      if (exited) return;
      await new Promise<void>((resolve) => {
        stopped = resolve;
        post({ type: 'stop' });
      });
      await worker.terminate();
    },
  };
}
