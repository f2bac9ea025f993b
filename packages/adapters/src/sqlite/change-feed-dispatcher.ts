import type Database from 'better-sqlite3';
import { systemClock, type Clock } from '@crm/core';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import {
  LOCAL_STREAM_ARN,
  parseSequenceNumber,
  toStreamRecord,
  type ChangelogRow,
} from './change-feed-record';
import { applySqliteMigrations } from './sqlite-database';

/** A stream consumer: the same handler Lambda's event source mapping would invoke. */
export interface ChangeFeedConsumer {
  /** Durable identity of the checkpoint; renaming a consumer makes it start over. */
  name: string;
  handler: (event: DynamoDBStreamEvent) => Promise<void | DynamoDBBatchResponse>;
  /** Maximum records per invocation (the event source mapping's BatchSize). */
  batchSize: number;
  /**
   * The event source mapping's filter (Lambda event filtering on the `entity` of the new or old
   * image): other records are skipped — the checkpoint moves past them — and never reach the
   * handler, nor are they converted to stream records. Default: every record.
   */
  entities?: readonly string[];
  /**
   * Where a consumer without a checkpoint starts: the oldest retained record (default, so nothing
   * written before the first start is lost locally) or only records written from now on.
   */
  startingPosition?: 'TRIM_HORIZON' | 'LATEST';
}

/** Construction options of ChangeFeedDispatcher. */
export interface ChangeFeedDispatcherOptions {
  /** The table store's database (same file; the same or another connection). */
  db: Database.Database;
  consumers?: ChangeFeedConsumer[];
  /** How often an idle consumer looks for new rows when no `notify()` arrives (default 250 ms). */
  pollIntervalMs?: number;
  /** Backoff after a failed invocation: base doubling up to max (defaults 100 ms, 30 s). */
  retry?: { baseDelayMs?: number; maxDelayMs?: number };
  clock?: Clock;
  streamArn?: string;
  /** Told about every failed invocation; defaults to console.error. */
  onError?: (error: unknown, context: DeliveryFailureContext) => void;
}

/** What `onError` learns about a failed invocation. */
export interface DeliveryFailureContext {
  consumer: string;
  /** Consecutive failed attempts at the current position (1 on the first failure). */
  attempt: number;
  firstSequenceNumber: string;
}

/** Raised by `drain()` when a consumer still fails after the allowed attempts. */
export class ChangeFeedDeliveryError extends Error {
  override readonly name = 'ChangeFeedDeliveryError';
  constructor(
    readonly consumer: string,
    readonly attempts: number,
    override readonly cause: unknown,
  ) {
    super(`Change-feed consumer "${consumer}" failed ${attempts} times in a row`);
  }
}

type Outcome =
  | { kind: 'idle' }
  | { kind: 'progressed' }
  | { kind: 'failed'; error: unknown; firstSequenceNumber: string };

interface ConsumerState {
  consumer: Required<Pick<ChangeFeedConsumer, 'name' | 'handler' | 'batchSize'>>;
  /** The entities the consumer handles (its filter criteria); all records when absent. */
  entities?: ReadonlySet<string>;
  /** Last sequence number passed (delivered, or filtered out); the next batch starts after it. */
  position: number;
  /** The position as last saved in change_feed_checkpoints. */
  saved: number;
  /** Serialises deliveries to this consumer (poll loop and drain), preserving its order. */
  tail: Promise<unknown>;
  /** Set by notify(); makes an idle consumer look again instead of sleeping. */
  woken: boolean;
  /** Resolves the current idle/backoff wait early. */
  wake?: () => void;
  loop?: Promise<void>;
}

/**
 * Delivers the SQLite changelog to stream consumers the way Lambda's DynamoDB event source mapping
 * does: batches of `DynamoDBStreamEvent`, in order per consumer, at least once. A consumer's
 * checkpoint (`change_feed_checkpoints`) advances only after its handler resolved, so a crash
 * mid-batch redelivers that batch. `batchItemFailures` follow ReportBatchItemFailures: the
 * checkpoint stops before the lowest failed sequence number and delivery resumes there. A
 * throwing handler is retried with capped exponential backoff; other consumers keep flowing.
 * Use one dispatcher per process.
 */
export class ChangeFeedDispatcher {
  private readonly db: Database.Database;
  private readonly states = new Map<string, ConsumerState>();
  private readonly pollIntervalMs: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly clock: Clock;
  private readonly streamArn: string;
  private readonly onError: (error: unknown, context: DeliveryFailureContext) => void;
  private readonly statements: ReturnType<typeof prepareStatements>;
  private running = false;

  constructor(options: ChangeFeedDispatcherOptions) {
    this.db = options.db;
    this.pollIntervalMs = options.pollIntervalMs ?? 250;
    this.baseDelayMs = options.retry?.baseDelayMs ?? 100;
    this.maxDelayMs = options.retry?.maxDelayMs ?? 30_000;
    this.clock = options.clock ?? systemClock;
    this.streamArn = options.streamArn ?? LOCAL_STREAM_ARN;
    this.onError =
      options.onError ??
      ((error, context) =>
        console.error(`change feed: consumer ${context.consumer} failed (attempt ${context.attempt})`, error));
    applySqliteMigrations(this.db);
    this.statements = prepareStatements(this.db);
    for (const consumer of options.consumers ?? []) this.register(consumer);
  }

  /** Adds a consumer and creates its checkpoint if it has none. Starts it if already running. */
  register(consumer: ChangeFeedConsumer): void {
    if (this.states.has(consumer.name)) {
      throw new Error(`Change-feed consumer "${consumer.name}" is already registered`);
    }
    if (!Number.isInteger(consumer.batchSize) || consumer.batchSize < 1 || consumer.batchSize > 10_000) {
      throw new RangeError(`batchSize of "${consumer.name}" must be an integer between 1 and 10000`);
    }
    const start =
      consumer.startingPosition === 'LATEST' ? (this.statements.lastAllocatedSeq.get() ?? 0) : 0;
    this.statements.createCheckpoint.run(consumer.name, start);
    const saved = this.statements.selectCheckpoint.get(consumer.name) ?? 0;
    const state: ConsumerState = {
      position: saved,
      saved,
      consumer: { name: consumer.name, handler: consumer.handler, batchSize: consumer.batchSize },
      ...(consumer.entities ? { entities: new Set(consumer.entities) } : {}),
      tail: Promise.resolve(),
      woken: false,
    };
    this.states.set(consumer.name, state);
    if (this.running) state.loop = this.runLoop(state);
  }

  /** Starts polling: each consumer gets its own loop, so a failing one never blocks the others. */
  start(): void {
    if (this.running) return;
    this.running = true;
    for (const state of this.states.values()) state.loop = this.runLoop(state);
  }

  /** Stops polling and waits for in-flight invocations to finish (their checkpoints are saved). */
  async stop(): Promise<void> {
    this.running = false;
    const loops = [...this.states.values()].map((state) => {
      state.wake?.();
      return state.loop;
    });
    await Promise.all(loops);
    for (const state of this.states.values()) {
      state.loop = undefined;
      this.save(state);
    }
  }

  /** Wakes idle consumers now; wire it to the table store's `onCommit`. */
  notify(): void {
    for (const state of this.states.values()) {
      state.woken = true;
      state.wake?.();
    }
  }

  /**
   * Delivers everything written before the call to every consumer and resolves when all caught
   * up. Failed invocations are retried with backoff; after `maxAttempts` consecutive failures at
   * one position it rejects with ChangeFeedDeliveryError (other consumers are still drained).
   */
  async drain(options: { maxAttempts?: number } = {}): Promise<void> {
    const maxAttempts = options.maxAttempts ?? 5;
    const target = this.statements.lastAllocatedSeq.get() ?? 0;
    const results = await Promise.allSettled(
      [...this.states.values()].map(async (state) => {
        let failures = 0;
        while (state.position < target) {
          const outcome = await this.deliverNext(state);
          if (outcome.kind === 'idle') return; // rows were pruned or never existed
          if (outcome.kind === 'progressed') {
            failures = 0;
            continue;
          }
          failures++;
          this.reportFailure(state, outcome, failures);
          if (failures >= maxAttempts) {
            throw new ChangeFeedDeliveryError(state.consumer.name, failures, outcome.error);
          }
          await sleep(this.backoffMs(failures));
        }
      }),
    );
    const rejected = results.find((result) => result.status === 'rejected');
    if (rejected) throw (rejected as PromiseRejectedResult).reason;
  }

  /** Last sequence number the consumer has fully processed (0 before the first). */
  checkpoint(consumer: string): number {
    return this.states.get(consumer)?.position ?? this.statements.selectCheckpoint.get(consumer) ?? 0;
  }

  /**
   * Deletes changelog rows older than `retentionMs` that every registered consumer has passed
   * (DynamoDB Streams keep records 24 h). Returns the number of deleted rows.
   */
  prune(retentionMs: number): number {
    const cutoff = this.clock.now().getTime() - retentionMs;
    const names = [...this.states.keys()];
    const passedByAll = names.length
      ? Math.min(...names.map((name) => this.statements.selectCheckpoint.get(name) ?? 0)) // saved checkpoints: what a restart resumes from
      : Number.MAX_SAFE_INTEGER;
    return this.statements.prune.run(cutoff, passedByAll).changes;
  }

  private async runLoop(state: ConsumerState): Promise<void> {
    let failures = 0;
    while (this.running) {
      state.woken = false;
      const outcome = await this.deliverNext(state);
      if (!this.running) return;
      if (outcome.kind === 'progressed') {
        failures = 0;
        continue;
      }
      if (outcome.kind === 'failed') {
        failures++;
        this.reportFailure(state, outcome, failures);
        // notify() must not cut a backoff short, or a failing consumer would spin on every write.
        await this.wait(state, this.backoffMs(failures), false);
        continue;
      }
      if (!state.woken) await this.wait(state, this.pollIntervalMs, true);
    }
  }

  /** Invokes the handler once with the next batch after the checkpoint, serialised per consumer. */
  private deliverNext(state: ConsumerState): Promise<Outcome> {
    const run = state.tail.then(() => this.invoke(state));
    state.tail = run.catch(() => undefined);
    return run;
  }

  private async invoke(state: ConsumerState): Promise<Outcome> {
    const { handler } = state.consumer;
    const next = this.nextBatch(state);
    if (!next) return { kind: 'idle' };
    const { rows, lastSeq } = next;
    if (rows.length === 0) {
      // Nothing for this consumer: moving past filtered-out records need not be saved at once (a
      // restart would only look through them again), which keeps the writer lock free.
      this.advance(state, lastSeq, false);
      return { kind: 'progressed' };
    }
    const event: DynamoDBStreamEvent = { Records: rows.map((row) => toStreamRecord(row, this.streamArn)) };
    const firstSequenceNumber = event.Records[0]!.dynamodb!.SequenceNumber!;
    let response: void | DynamoDBBatchResponse;
    try {
      response = await handler(event);
    } catch (error) {
      return { kind: 'failed', error, firstSequenceNumber };
    }
    const failures = response?.batchItemFailures ?? [];
    if (failures.length === 0) {
      this.advance(state, lastSeq, true);
      return { kind: 'progressed' };
    }
    // ReportBatchItemFailures: an identifier that is not a sequence number of this batch fails
    // the whole batch, otherwise processing resumes at the lowest failed record.
    const batchSeqs = new Set(rows.map((row) => row.seq));
    const failedSeqs = failures.map((failure) => parseSequenceNumber(failure.itemIdentifier));
    const error = new Error(`Handler reported ${failures.length} failed record(s)`);
    if (failedSeqs.some((seq) => !batchSeqs.has(seq))) {
      return { kind: 'failed', error, firstSequenceNumber };
    }
    const lowestFailed = Math.min(...failedSeqs);
    const passed = rows.filter((row) => row.seq < lowestFailed);
    if (passed.length === 0) return { kind: 'failed', error, firstSequenceNumber };
    this.advance(state, passed[passed.length - 1]!.seq, true);
    return { kind: 'progressed' };
  }

  /**
   * The consumer's next batch after its checkpoint (undefined when nothing follows it) and the
   * sequence number its checkpoint moves to once the batch is handled. Like Lambda's event
   * filtering, a consumer with `entities` gets up to `batchSize` matching records, looking ahead
   * through at most FILTER_SCAN_ROWS records by their `entity` column alone; only the matching
   * rows are read whole.
   */
  private nextBatch(state: ConsumerState): { rows: ChangelogRow[]; lastSeq: number } | undefined {
    const { batchSize } = state.consumer;
    const after = state.position;
    if (!state.entities) {
      const rows = this.statements.selectBatch.all(after, batchSize);
      return rows.length === 0 ? undefined : { rows, lastSeq: rows[rows.length - 1]!.seq };
    }
    // Looked through in chunks, so a consumer whose records are dense reads little beyond its batch.
    const chunk = Math.min(FILTER_SCAN_ROWS, Math.max(4 * batchSize, 256));
    const picked: number[] = [];
    let lastSeq = after;
    for (let scanned = 0; scanned < FILTER_SCAN_ROWS && picked.length < batchSize;) {
      const window = this.statements.selectEntities.all(lastSeq, chunk);
      for (const row of window) {
        lastSeq = row.seq;
        const entity = row.entity ?? entityOfImage(row.image);
        if (entity !== undefined && state.entities.has(entity) && picked.push(row.seq) === batchSize) break;
      }
      scanned += window.length;
      if (window.length < chunk) break;
    }
    if (lastSeq === after) return undefined;
    return { rows: picked.map((seq) => this.statements.selectRow.get(seq)!), lastSeq };
  }

  /** Moves the consumer's position; saves it when `durable` (a delivered batch) or far ahead of the saved one. */
  private advance(state: ConsumerState, seq: number, durable: boolean): void {
    state.position = Math.max(state.position, seq);
    if (durable || state.position - state.saved >= UNSAVED_FILTERED_ROWS) this.save(state);
  }

  private save(state: ConsumerState): void {
    if (state.position === state.saved) return;
    // MAX: a checkpoint never moves backwards, even if two dispatchers share the file by mistake.
    this.statements.advanceCheckpoint.run(state.consumer.name, state.position);
    state.saved = state.position;
  }


  private reportFailure(
    state: ConsumerState,
    outcome: Extract<Outcome, { kind: 'failed' }>,
    attempt: number,
  ): void {
    try {
      this.onError(outcome.error, {
        consumer: state.consumer.name,
        attempt,
        firstSequenceNumber: outcome.firstSequenceNumber,
      });
    } catch {
      // A broken error reporter must not stop delivery.
    }
  }

  private backoffMs(failures: number): number {
    return Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (failures - 1));
  }

  private wait(state: ConsumerState, ms: number, wakeOnNotify: boolean): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      // An idle dispatcher must not keep a process (or a test worker) alive on its own.
      timer.unref();
      function done(): void {
        clearTimeout(timer);
        state.wake = undefined;
        resolve();
      }
      state.wake = wakeOnNotify ? done : () => (this.running ? undefined : done());
    });
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function prepareStatements(db: Database.Database) {
  return {
    selectBatch: db.prepare<[number, number], ChangelogRow>(
      'SELECT * FROM changelog WHERE seq > ? ORDER BY seq LIMIT ?',
    ),
    // The `image` only for rows written before the entity column existed (migration 3).
    selectEntities: db.prepare<[number, number], { seq: number; entity: string | null; image: string | null }>(
      'SELECT seq, entity, CASE WHEN entity IS NULL THEN coalesce(new_image, old_image) END AS image FROM changelog WHERE seq > ? ORDER BY seq LIMIT ?',
    ),
    selectRow: db.prepare<[number], ChangelogRow>('SELECT * FROM changelog WHERE seq = ?'),
    selectCheckpoint: db
      .prepare<[string], number>('SELECT last_seq FROM change_feed_checkpoints WHERE consumer = ?')
      .pluck(),
    createCheckpoint: db.prepare<[string, number]>(
      'INSERT INTO change_feed_checkpoints (consumer, last_seq) VALUES (?, ?) ON CONFLICT (consumer) DO NOTHING',
    ),
    advanceCheckpoint: db.prepare<[string, number]>(
      `INSERT INTO change_feed_checkpoints (consumer, last_seq) VALUES (?, ?)
       ON CONFLICT (consumer) DO UPDATE SET last_seq = MAX(last_seq, excluded.last_seq)`,
    ),
    // sqlite_sequence holds the highest seq ever allocated, even after pruning every row.
    lastAllocatedSeq: db
      .prepare<[], number>("SELECT seq FROM sqlite_sequence WHERE name = 'changelog'")
      .pluck(),
    prune: db.prepare<[number, number]>(
      'DELETE FROM changelog WHERE created_at_ms < ? AND seq <= ?',
    ),
  };
}

/** Filtered-out records a consumer may pass before its position is saved anyway. */
const UNSAVED_FILTERED_ROWS = 20_000;

/** Records a consumer with `entities` looks through per invocation for matching ones. */
const FILTER_SCAN_ROWS = 5_000;

/** The `entity` of a changelog image (rows written before the entity column). */
function entityOfImage(image: string | null): string | undefined {
  const entity = image === null ? undefined : (JSON.parse(image) as { entity?: unknown }).entity;
  return typeof entity === 'string' ? entity : undefined;
}
