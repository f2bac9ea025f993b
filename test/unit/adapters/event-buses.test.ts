import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { chunkEntries, createEventBridgeEventBus, entrySize, MAX_PUT_BYTES } from '@crm/adapters/eventbridge';
import { createLocalEventBus } from '@crm/adapters/local-event-bus';
import type { DomainEvent } from '@crm/core';

const eventBridge = mockClient(EventBridgeClient);
const client = new EventBridgeClient({ region: 'eu-central-1' });
// Tiny backoff so retries take no noticeable time (nothing asserts on time).
const bus = () => createEventBridgeEventBus({ client, busName: 'crm-test', initialDelayMs: 1, maxDelayMs: 2 });

const event = (n: number, dataBytes = 10): DomainEvent => ({
  id: n.toString(16).padStart(32, '0'), type: 'customer.created', version: 1, tenantId: 'acme', occurredAt: '2026-11-25T09:00:00.000Z',
  subject: { type: 'customer', id: `C${n}` }, data: { n, pad: 'x'.repeat(dataBytes) },
});
const sentIds = (call: number) => (eventBridge.commandCalls(PutEventsCommand)[call]!.args[0].input.Entries ?? []).map((e) => (JSON.parse(e.Detail!) as DomainEvent).data.n);

beforeEach(() => eventBridge.reset());

describe('EventBridge event bus', () => {
  it('sends entries with bus, source, detail-type, detail and time, in requests of at most 10', async () => {
    eventBridge.on(PutEventsCommand).callsFake((input: { Entries: PutEventsRequestEntry[] }) => ({ FailedEntryCount: 0, Entries: input.Entries.map((_, i) => ({ EventId: `id-${i}` })) }));
    const events = Array.from({ length: 23 }, (_, i) => event(i));
    expect(await bus().publish(events)).toEqual({ failed: [] });
    const calls = eventBridge.commandCalls(PutEventsCommand);
    expect(calls.map((c) => c.args[0].input.Entries!.length)).toEqual([10, 10, 3]);
    expect(calls[0]!.args[0].input.Entries![0]).toEqual({
      EventBusName: 'crm-test', Source: 'crm', DetailType: 'customer.created', Detail: JSON.stringify(events[0]), Time: new Date('2026-11-25T09:00:00.000Z'),
    });
    expect([0, 1, 2].flatMap(sentIds)).toEqual(events.map((e) => e.data.n));
  });

  it('splits requests at 256 KB and fails a single event over 256 KB without sending it', async () => {
    eventBridge.on(PutEventsCommand).callsFake((input: { Entries: PutEventsRequestEntry[] }) => ({ FailedEntryCount: 0, Entries: input.Entries.map(() => ({ EventId: 'x' })) }));
    const big = Array.from({ length: 5 }, (_, i) => event(i, 100 * 1024));
    const tooBig = event(99, MAX_PUT_BYTES);
    const result = await bus().publish([...big, tooBig]);
    expect(result.failed).toEqual([tooBig]);
    expect(eventBridge.commandCalls(PutEventsCommand).map((c) => c.args[0].input.Entries!.length)).toEqual([2, 2, 1]);
    for (const call of eventBridge.commandCalls(PutEventsCommand)) {
      expect(call.args[0].input.Entries!.reduce((n, e) => n + entrySize(e), 0)).toBeLessThanOrEqual(MAX_PUT_BYTES);
    }
    expect(chunkEntries([300, 300, 300], (n) => n * 1024).map((c) => c.length)).toEqual([1, 1, 1]);
  });

  it('retries only the entries that came back with an ErrorCode (FailedEntryCount honoured)', async () => {
    eventBridge.on(PutEventsCommand)
      .resolvesOnce({ FailedEntryCount: 2, Entries: [{ EventId: 'a' }, { ErrorCode: 'InternalFailure', ErrorMessage: 'x' }, { EventId: 'c' }, { ErrorCode: 'ThrottlingException' }] })
      .resolvesOnce({ FailedEntryCount: 1, Entries: [{ EventId: 'b' }, { ErrorCode: 'InternalFailure' }] })
      .resolvesOnce({ FailedEntryCount: 0, Entries: [{ EventId: 'd' }] });
    const events = [event(0), event(1), event(2), event(3)];
    expect(await bus().publish(events)).toEqual({ failed: [] });
    expect([0, 1, 2].map(sentIds)).toEqual([[0, 1, 2, 3], [1, 3], [3]]);
  });

  it('returns the entries still failing after the last attempt, and retries a request that throws', async () => {
    eventBridge.on(PutEventsCommand)
      .rejectsOnce(new Error('socket hang up'))
      .resolves({ FailedEntryCount: 1, Entries: [{ EventId: 'a' }, { ErrorCode: 'InternalFailure' }] });
    const events = [event(0), event(1)];
    const result = await createEventBridgeEventBus({ client, busName: 'crm-test', maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 2 }).publish(events);
    expect(result.failed).toEqual([event(1)]);
    // 1: throws (whole request again), 2: entry 1 fails, 3: only entry 1, fails again → given up.
    expect([0, 1, 2].map(sentIds)).toEqual([[0, 1], [0, 1], [1]]);
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(3);
  });

  it('sends nothing for no events', async () => {
    expect(await bus().publish([])).toEqual({ failed: [] });
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(0);
  });
});

describe('local event bus', () => {
  it('appends events to a JSONL file in order and hands them to matching subscribers', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'crm-events-')), 'events', 'events.jsonl');
    const errors: unknown[] = [];
    const local = createLocalEventBus({ file, onSubscriberError: (error) => errors.push(error) });
    const all: number[] = [];
    const deleted: number[] = [];
    const stop = local.subscribe((e) => void all.push(e.data.n as number));
    local.subscribe((e) => void deleted.push(e.data.n as number), { types: ['customer.deleted'] });
    local.subscribe(() => {
      throw new Error('subscriber down');
    });
    const second = { ...event(2), type: 'customer.deleted' };
    expect(await local.publish([event(1), second])).toEqual({ failed: [] });
    stop();
    await local.publish([event(3)]);
    expect(local.readAll().map((e) => e.data.n)).toEqual([1, 2, 3]);
    expect(all).toEqual([1, 2]);
    expect(deleted).toEqual([2]);
    expect(errors).toHaveLength(3);
    // A second bus on the same file (another process, a restart) keeps appending.
    await createLocalEventBus({ file }).publish([event(4)]);
    expect(local.readAll().map((e) => e.data.n)).toEqual([1, 2, 3, 4]);
  });
});
