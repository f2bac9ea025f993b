import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LocalArchiveStore } from '@crm/adapters/local-archive';
import {
  archiveExpiredItems, archiveExpiryOf, auditKeys, createCustomer, CreateCustomerInput, getTimeline, interactionKeys, InteractionInput, InteractionSettingsInput,
  loadInteractionSettings, putInteractionSettings, recordInteraction, reconcileArchive, rehydrateCustomer, timelineItem, TimelineQuery,
  type ArchiveStore, type ChangeRecord, type Interaction, type InteractionDeps, type Item,
} from '@crm/core';
import { ulidGenerator } from '@crm/runtime';
import { adminContext as ctx, errorCode, fixedClock, stores, testEncryptor } from '../support/use-case-harness';

const lakes: string[] = [];
afterAll(() => lakes.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

type Deps = InteractionDeps & { archive: ArchiveStore };
let deps: Deps;
let lake: string;

const customer = async (name: string) => (await createCustomer(deps, ctx(), CreateCustomerInput.parse({ kind: 'person', name }))).customer;
const ix = (customerId: string, occurredAt: string, o: Record<string, unknown> = {}) =>
  InteractionInput.parse({ customerId, channel: 'sms', type: 'message', occurredAt, payload: { text: 'hi', direction: 'inbound' }, ...o });
const timeline = (id: string, q: Record<string, unknown> = {}) => getTimeline(deps, ctx(), id, TimelineQuery.parse(q));
const archiveAfter = (days: number | undefined, version: number) =>
  putInteractionSettings(deps, ctx(), { unknownIdentity: 'create-lead', ...(days !== undefined ? { interactionArchiveAfterDays: days } : {}) }, `"${version}"`);

/** What DynamoDB's TTL process does to an expired item: deletes it; the stream carries its old image. */
async function expireByTtl(items: Item[]): Promise<ChangeRecord[]> {
  for (const item of items) await deps.store.delete({ pk: item.pk, sk: item.sk });
  return items.map((item, n) => ({ eventId: `ttl-${n}-${item.sk}`, eventName: 'REMOVE', approximateCreationTime: 0, oldImage: item }));
}

/** Every page of a timeline, following `next`. */
async function allPages(id: string, q: Record<string, unknown>): Promise<string[][]> {
  const pages: string[][] = [];
  let after: string | undefined;
  do {
    const page = await timeline(id, { ...q, ...(after ? { after } : {}) });
    pages.push(page.items.map((i) => i.id));
    after = page.next ?? undefined;
  } while (after && pages.length < 20);
  return pages;
}

describe('interaction archive setting', () => {
  it('accepts 30..3650 days or nothing', () => {
    for (const ok of [30, 365, 3650]) expect(InteractionSettingsInput.safeParse({ unknownIdentity: 'park', interactionArchiveAfterDays: ok }).success).toBe(true);
    for (const bad of [29, 3651, 45.5, '60']) {
      expect({ bad, ok: InteractionSettingsInput.safeParse({ unknownIdentity: 'park', interactionArchiveAfterDays: bad }).success }).toEqual({ bad, ok: false });
    }
    expect(archiveExpiryOf({ interactionArchiveAfterDays: null }, '2026-01-01T00:00:00.000Z')).toEqual({});
    expect(archiveExpiryOf({ interactionArchiveAfterDays: 30 }, '2026-01-01T00:00:00.000Z')).toEqual({ expiresAt: Date.UTC(2026, 0, 31) / 1000 });
  });
});

describe.each(Object.keys(stores) as Array<keyof typeof stores>)('hot/cold archive use cases on %s', (adapter) => {
  beforeAll(async () => {
    await stores[adapter]();
  });
  beforeEach(async () => {
    lake = mkdtempSync(join(tmpdir(), 'crm-archive-'));
    lakes.push(lake);
    deps = { store: await stores[adapter](), clock: fixedClock, ids: ulidGenerator(), encryptor: testEncryptor, archive: new LocalArchiveStore({ root: lake }) };
  });

  it('sets the TTL of new interactions from the setting at write time; a change never reaches back', async () => {
    const c = await customer('Sun Li');
    const before = await recordInteraction(deps, ctx(), ix(c.id, '2026-11-20T08:00:00.000Z'));
    expect(await deps.store.get(interactionKeys.timeline('acme', c.id, '2026-11-20T08:00:00.000Z', before.id!))).not.toHaveProperty('expiresAt');

    expect(await archiveAfter(30, 0)).toMatchObject({ interactionArchiveAfterDays: 30, version: 1 });
    expect(await loadInteractionSettings(deps.store, 'acme')).toMatchObject({ interactionArchiveAfterDays: 30 });
    const after = await recordInteraction(deps, ctx(), ix(c.id, '2026-11-20T08:00:00.000Z'));
    const expiresAt = Date.parse('2026-11-20T08:00:00.000Z') / 1000 + 30 * 86_400;
    expect(await deps.store.get(interactionKeys.timeline('acme', c.id, '2026-11-20T08:00:00.000Z', after.id!))).toMatchObject({ expiresAt });
    expect(await deps.store.get(interactionKeys.locator('acme', after.id!))).toMatchObject({ expiresAt });
    // The earlier interaction keeps living without TTL.
    expect(await deps.store.get(interactionKeys.timeline('acme', c.id, '2026-11-20T08:00:00.000Z', before.id!))).not.toHaveProperty('expiresAt');

    // An interaction older than the archive age is expired at once: never returned by reads.
    const old = await recordInteraction(deps, ctx(), ix(c.id, '2025-01-01T00:00:00.000Z'));
    expect(old.status).toBe('created');
    expect((await timeline(c.id)).items.map((i) => i.id)).toEqual([after.id, before.id].sort().reverse());

    expect(await archiveAfter(undefined, 1)).toMatchObject({ interactionArchiveAfterDays: null, version: 2 });
    const later = await recordInteraction(deps, ctx(), ix(c.id, '2026-11-21T08:00:00.000Z'));
    expect(await deps.store.get(interactionKeys.timeline('acme', c.id, '2026-11-21T08:00:00.000Z', later.id!))).not.toHaveProperty('expiresAt');
  });

  it('archives TTL removals once, continues the timeline into them with the same cursor, rehydrates them and reconciles', async () => {
    const c = await customer('Zhou Jie');
    const other = await customer('Wang Fang');
    await archiveAfter(30, 0);
    const live: Interaction[] = [];
    for (const day of ['2026-11-10', '2026-11-12', '2026-11-14']) live.push((await recordInteraction(deps, ctx(), ix(c.id, `${day}T09:00:00.000Z`))).interaction!);
    const cold: Interaction[] = [];
    for (const [day, type] of [['2025-03-01', 'message'], ['2025-03-02', 'call'], ['2025-03-03', 'message'], ['2025-03-04', 'message']] as const) {
      cold.push((await recordInteraction(deps, ctx(), ix(c.id, `${day}T09:00:00.000Z`, type === 'call' ? { channel: 'phone_call', type, payload: { direction: 'inbound', durationSec: 30 } } : {}))).interaction!);
    }
    const otherCold = (await recordInteraction(deps, ctx(), ix(other.id, '2025-05-01T00:00:00.000Z'))).interaction!;
    // Expired, not yet deleted: hidden, and not archived yet either.
    expect((await timeline(c.id)).items.map((i) => i.id)).toEqual(live.map((i) => i.id).reverse());

    const images = [...cold, otherCold].map((i) => ({ ...timelineItem('acme', i), ...archiveExpiryOf({ interactionArchiveAfterDays: 30 }, i.occurredAt) }));
    const records = await expireByTtl(images);
    // Only removals of timeline items are archived (the handler also checks the TTL principal).
    records.push({ eventId: 'update', eventName: 'MODIFY', approximateCreationTime: 0, newImage: timelineItem('acme', live[0]!), oldImage: timelineItem('acme', live[0]!) });
    records.push({ eventId: 'lease', eventName: 'REMOVE', approximateCreationTime: 0, oldImage: { pk: 'T#acme#LEASE', sk: 'x', entity: 'claim-lease', tenantId: 'acme', customerId: c.id } });
    expect(await archiveExpiredItems(deps, records)).toEqual({ archived: 5, files: 2 });
    expect(await archiveExpiredItems(deps, records)).toEqual({ archived: 5, files: 2 }); // redelivered: same files, same ledger entries
    expect(readdirSync(join(lake, 'archive/timeline/tenant=acme', `customer=${c.id}`)).filter((f) => f.endsWith('.jsonl'))).toHaveLength(1);
    expect(await reconcileArchive(deps, 'acme')).toEqual({ expired: 5, archived: 5, missing: 0 });
    expect(await reconcileArchive(deps, 'other')).toEqual({ expired: 0, archived: 0, missing: 0 });

    // One history: the live items, then the archived ones, newest first, two per page.
    const newestFirst = [...cold, ...live].map((i) => i.id).reverse();
    expect((await allPages(c.id, { limit: 2 })).flat()).toEqual(newestFirst);
    expect(await allPages(c.id, { limit: 3 })).toEqual([newestFirst.slice(0, 3), newestFirst.slice(3, 6), newestFirst.slice(6)]);
    // Same filters in the archive phase.
    expect((await allPages(c.id, { limit: 1, type: 'message' })).flat()).toEqual([cold[0]!, cold[2]!, cold[3]!, ...live].map((i) => i.id).reverse());
    expect((await allPages(c.id, { limit: 5, from: '2025-03-02T00:00:00.000Z', to: '2025-03-03T23:59:59.000Z' })).flat()).toEqual([cold[2]!.id, cold[1]!.id]);
    // The archive cursor stays bound to its customer and filters.
    const firstPage = await timeline(c.id, { limit: 4 });
    expect((await timeline(c.id, { limit: 4, after: firstPage.next! })).next).toBeNull();
    const inArchive = (await timeline(c.id, { limit: 3, after: (await timeline(c.id, { limit: 3 })).next! })).next!;
    expect(await errorCode(timeline(other.id, { limit: 3, after: inArchive }))).toBe('invalid_cursor');
    expect(await errorCode(timeline(c.id, { limit: 3, type: 'call', after: inArchive }))).toBe('invalid_cursor');
    // Without an archive store the timeline ends with the live items, as before.
    expect((await getTimeline({ store: deps.store }, ctx(), c.id, TimelineQuery.parse({}))).items).toHaveLength(3);

    // A rehydration interrupted after one item was restored: the retry restores the rest.
    const { expiresAt: _ttl, ...firstBack } = images[0]!;
    await deps.store.put(firstBack);
    expect(await rehydrateCustomer(deps, ctx(), c.id)).toEqual({ customerId: c.id, profileRestored: false, restored: 3, alreadyLive: 1, files: 1 });
    expect(await rehydrateCustomer(deps, ctx(), c.id)).toEqual({ customerId: c.id, profileRestored: false, restored: 0, alreadyLive: 0, files: 0 });
    const restored = await deps.store.get(interactionKeys.timeline('acme', c.id, cold[1]!.occurredAt, cold[1]!.id));
    expect(restored).toMatchObject({ id: cold[1]!.id, rehydratedAt: fixedClock.now().toISOString() });
    expect(restored).not.toHaveProperty('expiresAt');
    expect(await deps.store.get(interactionKeys.locator('acme', cold[1]!.id))).not.toHaveProperty('expiresAt');
    expect(await allPages(c.id, { limit: 10 })).toEqual([newestFirst]);
    expect(await reconcileArchive(deps, 'acme')).toEqual({ expired: 1, archived: 1, missing: 0 }); // the other customer's item stays archived
    const audit = await deps.store.query({ partition: auditKeys.dayPartition('acme', '2026-11-25'), limit: 100 });
    expect(audit.items.filter((a) => a.action === 'customers:rehydrate').map((a) => a.detail)).toEqual([
      { restored: 3, alreadyLive: 1, files: 1 }, { restored: 0, alreadyLive: 0, files: 0 },
    ]);

    // Another tenant cannot name the customer.
    expect(await errorCode(rehydrateCustomer(deps, ctx('globex'), other.id))).toBe('not_found');
  });
});
