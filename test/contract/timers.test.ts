import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dueIndexOperations, fireDueTimers, timerKeys, type ChangeRecord, type DueTimer, type Item, type TableStore, type TimerHandler } from '@crm/core';
import { stores } from '../support/use-case-harness';

/** The timer machinery on both stores: the due index kept from change records, and the sweep. */
let store: TableStore;
let now = new Date('2026-11-25T10:00:00.000Z');
const clock = { now: () => now };
const item = (timers: Record<string, string> | undefined, extra: Record<string, unknown> = {}): Item => ({
  pk: 'T#acme#TASK#t1', sk: 'TASK', entity: 'task', tenantId: 'acme', id: 't1', ...(timers ? { timers } : {}), ...extra,
});
const change = (eventName: ChangeRecord['eventName'], oldImage?: Item, newImage?: Item): ChangeRecord => ({
  eventId: 'e', eventName, approximateCreationTime: now.getTime(), ...(oldImage ? { oldImage } : {}), ...(newImage ? { newImage } : {}),
});
async function index(record: ChangeRecord): Promise<void> {
  for (const op of dueIndexOperations(record, now)) {
    if (op.type === 'put') await store.put(op.item);
    else if (op.type === 'delete') await store.delete(op.key);
  }
}
const entriesIn = async (at: string) => (await store.query({ partition: timerKeys.bucket(new Date(at)), limit: 100 })).items;

describe.each(Object.keys(stores) as Array<keyof typeof stores>)('timers on %s', (adapter) => {
  let fired: DueTimer[];
  const handlers: Record<string, TimerHandler> = { remind: async (_deps, timer) => void fired.push(timer) };

  beforeAll(async () => {
    await stores[adapter]();
  });
  beforeEach(async () => {
    store = await stores[adapter]();
    now = new Date('2026-11-25T10:00:00.000Z');
    fired = [];
  });

  it('fires a timer once when it is due, not before; moving it moves the entry; a REMOVE clears it', async () => {
    await index(change('INSERT', undefined, item({ remind: '2026-11-25T12:30:00.000Z' })));
    expect(await entriesIn('2026-11-25T12:00:00Z')).toHaveLength(1);
    now = new Date('2026-11-25T12:29:00.000Z');
    expect(await fireDueTimers({ store, clock }, handlers)).toMatchObject({ fired: 0, complete: true });
    // Moved to 13:10: the 12:00 bucket is emptied, the 13:00 one holds it.
    await index(change('MODIFY', item({ remind: '2026-11-25T12:30:00.000Z' }), item({ remind: '2026-11-25T13:10:00.000Z' })));
    expect(await entriesIn('2026-11-25T12:00:00Z')).toHaveLength(0);
    now = new Date('2026-11-25T13:10:00.000Z');
    expect(await fireDueTimers({ store, clock }, handlers)).toMatchObject({ fired: 1 });
    expect(fired).toEqual([{ tenantId: 'acme', key: { pk: 'T#acme#TASK#t1', sk: 'TASK' }, kind: 'remind', dueAt: '2026-11-25T13:10:00.000Z' }]);
    expect(await fireDueTimers({ store, clock }, handlers)).toMatchObject({ fired: 0 });
    // A later timer, then the item is deleted: nothing fires.
    await index(change('MODIFY', item(undefined), item({ remind: '2026-11-25T15:00:00.000Z' })));
    await index(change('REMOVE', item({ remind: '2026-11-25T15:00:00.000Z' })));
    now = new Date('2026-11-25T16:00:00.000Z');
    expect(await fireDueTimers({ store, clock }, handlers)).toMatchObject({ fired: 0 });
    expect(fired).toHaveLength(1);
  });

  it('finds a timer indexed after its hour was swept (it goes into the current hour)', async () => {
    now = new Date('2026-11-25T11:00:00.000Z');
    await fireDueTimers({ store, clock }, handlers);
    now = new Date('2026-11-25T11:20:00.000Z');
    await index(change('INSERT', undefined, item({ remind: '2026-11-25T09:00:00.000Z' })));
    expect(await fireDueTimers({ store, clock }, handlers)).toMatchObject({ fired: 1 });
    expect(fired.map((t) => t.dueAt)).toEqual(['2026-11-25T09:00:00.000Z']);
  });

  it('retries a failing handler on later sweeps and drops the timer after ten attempts; drops unknown kinds', async () => {
    let calls = 0;
    const failing: Record<string, TimerHandler> = { remind: async () => { calls += 1; throw new Error('boom'); } };
    await index(change('INSERT', undefined, item({ remind: '2026-11-25T09:30:00.000Z', other: '2026-11-25T09:30:00.000Z' })));
    const first = await fireDueTimers({ store, clock }, failing);
    expect(first).toMatchObject({ failed: 1, dropped: 1 });
    for (let i = 0; i < 12; i += 1) await fireDueTimers({ store, clock }, failing);
    expect(calls).toBe(10);
    expect(await entriesIn('2026-11-25T10:00:00Z')).toHaveLength(0);
  });
});
