import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChangeFeedDeliveryError, ChangeFeedDispatcher, SqliteTableStore, openSqliteDatabase } from '@crm/adapters/sqlite';
import { createLocalCentroidGeocoder } from '@crm/adapters/local-geocoder';
import { createLocalBlobStore } from '@crm/adapters/local-blob';
import { createLocalFieldEncryptor } from '@crm/adapters/local-encryption';
import {
  addressNeedsGeocoding, auditKeys, createCustomer, createCustomerGeocoding, CreateCustomerInput, customerKeys, geocodeCustomer, geocodingTextOf,
  isAddressSealed, loadAccessPolicy, putSecuritySettings, updateCustomer,
  type Clock, type Geocoder, type GeocodeResult, type Principal, type SecuredContext,
} from '@crm/core';
import { getContainer, setContainer, ulidGenerator, type Container } from '@crm/runtime';
import { Logger } from '@aws-lambda-powertools/logger';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { handler as geocodeHandler } from '../../../functions/customers/geocode-customer.handler';
import { geocoderFromEnv, geocodingOf } from '../../../functions/customers/container-geocoding';

// Real SQLite store, real change feed, the real stream handler and the real offline geocoder
// (wrapped to count calls, or to fail on demand).
const clock: Clock = { now: () => new Date('2026-11-25T09:00:00.000Z') };
const TIANHE = { lng: 113.36158, lat: 23.12481 }; // district-centroids.json, 440106
let db: Database.Database;
let store: SqliteTableStore;
let dispatcher: ChangeFeedDispatcher;
let calls: string[];
let failWith: Error | undefined;
const encryptor = createLocalFieldEncryptor(mkdtempSync(join(tmpdir(), 'crm-keys-')));
const local = createLocalCentroidGeocoder();

/** The local geocoder, recording its calls; throws `failWith` while it is set. */
const recordingGeocoder: Geocoder = {
  async geocode(address, options) {
    calls.push(address);
    if (failWith) throw failWith;
    return local.geocode(address, options);
  },
};

const principal: Principal = { tenantId: 'acme', kind: 'user', subject: 'root', roles: ['admin'], scopes: [], orgPath: '/' };
const admin = async (): Promise<SecuredContext> => ({ principal, requestId: 'r', access: await loadAccessPolicy(store, principal) });
// One monotonic id generator: records written in the same (test clock) millisecond keep their order.
const ids = ulidGenerator();
const deps = () => ({ store, clock, ids, encryptor });
const profile = (id: string) => store.get(customerKeys.profile('acme', id));
const create = async (line1: string, extra: Partial<CreateCustomerInput> = {}) =>
  (await createCustomer(deps(), await admin(), CreateCustomerInput.parse({ kind: 'person', name: `P ${line1}`, address: { line1 }, ...extra }))).customer;

function container(): Container & { geocoder: Geocoder } {
  return {
    store, storeFor: async () => store, encryptor, blobs: createLocalBlobStore(mkdtempSync(join(tmpdir(), 'crm-blobs-'))), clock, ids: ulidGenerator(),
    logger: new Logger({ logLevel: 'SILENT' }), assets: { read: () => undefined }, companyRegistry: { lookup: async () => undefined },
    geocoder: recordingGeocoder,
  } as Container & { geocoder: Geocoder };
}

beforeEach(() => {
  db = openSqliteDatabase(':memory:');
  store = new SqliteTableStore({ db, clock });
  calls = [];
  failWith = undefined;
  setContainer(container()); // a fresh container: a fresh circuit breaker
  dispatcher = new ChangeFeedDispatcher({ db, clock, consumers: [{ name: 'geocode-customer', handler: geocodeHandler, batchSize: 25 }] });
});
afterEach(async () => {
  await dispatcher.stop();
  db.close();
});

describe('geocode-customer change-feed consumer', () => {
  it('stores address.location after the create, audited, without a version bump, and its own write does not re-trigger', async () => {
    const customer = await create('广州天河体育西路');
    expect(((await profile(customer.id))!.address as Record<string, unknown>).location).toBeUndefined(); // the create never waits

    await dispatcher.drain();
    const item = (await profile(customer.id))!;
    expect(item.address).toEqual({
      line1: '广州天河体育西路',
      division: expect.objectContaining({ districtCode: '440106' }),
      location: { ...TIANHE, precision: 'district', source: 'local-centroid', geocodedAt: '2026-11-25T09:00:00.000Z' },
    });
    expect(item).toMatchObject({ version: 1, updatedBy: 'root', updatedAt: customer.updatedAt, gsi1pk: 'T#acme#CUST' });
    const audit = await store.query({ partition: auditKeys.record('acme', clock.now().toISOString(), 'x').pk, limit: 100 });
    expect(audit.items.filter((a) => a.action === 'customers:geocode')).toEqual([
      expect.objectContaining({ resourceId: customer.id, actor: expect.objectContaining({ subject: 'system:geocoding' }), changes: [{ field: 'address.location', after: item.address && (item.address as Record<string, unknown>).location }] }),
    ]);

    await dispatcher.drain(); // the MODIFY of the location write
    expect(calls).toEqual(['广州天河体育西路']);
    // A client's If-Match from the create still holds.
    await updateCustomer(deps(), await admin(), customer.id, { tags: ['vip'] }, '"1"');
    await dispatcher.drain(); // an edit that leaves the address alone asks for nothing
    expect(calls).toEqual(['广州天河体育西路']);
    expect(((await profile(customer.id))!.address as Record<string, unknown>).location).toMatchObject(TIANHE);
  });

  it('re-geocodes a changed address, and an address re-sent unchanged (the edit drops the old location)', async () => {
    const customer = await create('广州天河体育西路');
    await dispatcher.drain();
    await updateCustomer(deps(), await admin(), customer.id, { address: { line1: '北京朝阳建国路' } }, '"1"');
    await dispatcher.drain();
    expect(((await profile(customer.id))!.address as Record<string, unknown>).location).toMatchObject({ precision: 'district', source: 'local-centroid' });
    expect(((await profile(customer.id))!.address as Record<string, unknown>).location).not.toMatchObject(TIANHE);
    await updateCustomer(deps(), await admin(), customer.id, { address: { line1: '北京朝阳建国路' } }, '"2"');
    await dispatcher.drain();
    expect(calls).toEqual(['广州天河体育西路', '北京朝阳建国路', '北京朝阳建国路']);
    expect((await profile(customer.id))!).toMatchObject({ version: 3, address: { location: { source: 'local-centroid' } } });
  });

  it('never sends a sealed address to the geocoder', async () => {
    const ctx = await admin();
    await putSecuritySettings({ store, clock, ids: ulidGenerator() }, ctx, { sensitiveFields: ['address'] }, '"0"');
    const customer = await create('广州天河体育西路');
    expect(isAddressSealed((await profile(customer.id))!.address)).toBe(true); // stored as ciphertext
    await dispatcher.drain();
    expect(calls).toEqual([]);
    expect((await profile(customer.id))!).toMatchObject({ version: 1 });
  });

  it('does not geocode when only part of the address is sensitive for the tenant', async () => {
    await putSecuritySettings({ store, clock, ids: ulidGenerator() }, await admin(), { sensitiveFields: ['address.line2'] }, '"0"');
    const customer = await create('广州天河体育西路'); // line2 absent: nothing sealed, but the tenant marked the address sensitive
    await dispatcher.drain();
    expect(calls).toEqual([]);
    expect((await profile(customer.id))!.address).not.toHaveProperty('location');
  });

  it('lets the stream redeliver a geocoder error, writes once the geocoder is back, and skips while the circuit is open', async () => {
    failWith = new Error('Location 503');
    const first = await create('广州天河体育西路');
    await expect(dispatcher.drain({ maxAttempts: 1 })).rejects.toBeInstanceOf(ChangeFeedDeliveryError); // a batch item failure
    expect((await profile(first.id))!.address).not.toHaveProperty('location');
    failWith = undefined;
    await dispatcher.drain(); // redelivered
    expect((await profile(first.id))!.address).toHaveProperty('location.source', 'local-centroid');

    // Consecutive failures (5) open the container's circuit; then records are acknowledged unanswered.
    failWith = new Error('Location 503');
    const second = await create('深圳南山科技园');
    for (let failed = 0; geocodingOf(getContainer()).circuitState !== 'open' && failed < 10; failed++) {
      await expect(dispatcher.drain({ maxAttempts: 1 })).rejects.toBeInstanceOf(ChangeFeedDeliveryError);
    }
    expect(geocodingOf(getContainer()).circuitState).toBe('open');
    const callsBefore = calls.length;
    await dispatcher.drain({ maxAttempts: 1 }); // circuit open: acknowledged, no call
    expect(calls).toHaveLength(callsBefore);
    expect((await profile(second.id))!.address).not.toHaveProperty('location');
  });
});

describe('geocodeCustomer (use case)', () => {
  const image = async (id: string) => (await profile(id))!;

  it('answers unavailable/circuit_open without calling the geocoder once the circuit is open', async () => {
    failWith = new Error('down');
    const geocoding = createCustomerGeocoding({ geocoder: recordingGeocoder }, { breakerThreshold: 1, halfOpenAfterMs: 60_000 });
    const customer = await create('广州天河体育西路');
    const d = { store, clock, ids: ulidGenerator(), geocoding };
    expect(await geocodeCustomer(d, { newImage: await image(customer.id) })).toEqual({ action: 'unavailable', reason: 'error' });
    expect(geocoding.circuitState).toBe('open');
    expect(await geocodeCustomer(d, { newImage: await image(customer.id) })).toEqual({ action: 'unavailable', reason: 'circuit_open' });
    expect(calls).toHaveLength(1);
  });

  it('answers unavailable/timeout when the geocoder hangs past the attempt timeout', async () => {
    const hanging: Geocoder = { geocode: (_a, options) => new Promise((_resolve, reject) => options?.signal?.addEventListener('abort', () => reject(new Error('aborted')))) };
    const geocoding = createCustomerGeocoding({ geocoder: hanging }, { attemptTimeoutMs: 10 });
    const customer = await create('广州天河体育西路');
    expect(await geocodeCustomer({ store, clock, ids: ulidGenerator(), geocoding }, { newImage: await image(customer.id) })).toEqual({ action: 'unavailable', reason: 'timeout' });
  });

  it('skips when the address changed before the write, and writes on top of an unrelated change', async () => {
    const geocoding = createCustomerGeocoding({ geocoder: recordingGeocoder });
    const d = { store, clock, ids: ulidGenerator(), geocoding };
    const a = await create('广州天河体育西路');
    const insertedA = await image(a.id);
    await updateCustomer(deps(), await admin(), a.id, { address: { line1: '深圳南山' } }, '"1"');
    expect(await geocodeCustomer(d, { newImage: insertedA })).toEqual({ action: 'skipped' });
    expect((await image(a.id)).address).not.toHaveProperty('location');

    const b = await create('广州天河体育西路');
    const insertedB = await image(b.id);
    await updateCustomer(deps(), await admin(), b.id, { name: 'Renamed' }, '"1"');
    expect(await geocodeCustomer(d, { newImage: insertedB })).toMatchObject({ action: 'written', location: TIANHE });
    expect(await image(b.id)).toMatchObject({ version: 2, name: 'Renamed', address: { location: TIANHE } });
  });

  it('answers not_found for an address the geocoder cannot place, and writes nothing', async () => {
    const geocoding = createCustomerGeocoding({ geocoder: recordingGeocoder });
    const customer = await create('123 Main Street', { address: { line1: '123 Main Street', country: 'US' } });
    expect(await geocodeCustomer({ store, clock, ids: ulidGenerator(), geocoding }, { newImage: await image(customer.id) })).toEqual({ action: 'not_found' });
    expect(calls).toEqual(['123 Main Street, US']);
    expect((await image(customer.id)).address).not.toHaveProperty('location');
  });
});

describe('change detection and geocoding text', () => {
  const live = (address: unknown) => ({ entity: 'customer', pk: 'T#acme#C#1', sk: 'PROFILE', tenantId: 'acme', id: '1', version: 1, ...(address === undefined ? {} : { address }) });
  const location = { lat: 1, lng: 2, precision: 'district', source: 'x', geocodedAt: '2026-11-25T09:00:00.000Z' };

  it('asks for new or changed addresses without a location only', () => {
    expect(addressNeedsGeocoding({ newImage: live({ line1: 'a' }) })).toBe(true); // INSERT
    expect(addressNeedsGeocoding({ newImage: live(undefined) })).toBe(false);
    expect(addressNeedsGeocoding({ newImage: live({ line1: 'b' }), oldImage: live({ line1: 'a', location }) })).toBe(true); // changed
    expect(addressNeedsGeocoding({ newImage: live({ line1: 'a' }), oldImage: live({ line1: 'a', location }) })).toBe(true); // re-sent: location dropped
    expect(addressNeedsGeocoding({ newImage: live({ line1: 'a' }), oldImage: live({ line1: 'a' }) })).toBe(false); // unchanged (e.g. a rename)
    expect(addressNeedsGeocoding({ newImage: live({ line1: 'a', location }), oldImage: live({ line1: 'a' }) })).toBe(false); // the location write itself
    expect(addressNeedsGeocoding({ newImage: { ...live({ line1: 'a' }), deletedAt: '2026-11-25T09:00:00.000Z' } })).toBe(false);
    expect(addressNeedsGeocoding({ newImage: { ...live({ line1: 'a' }), entity: 'customer-tag' } })).toBe(false);
  });

  it('builds Chinese text run together and other countries comma-separated', () => {
    expect(geocodingTextOf({ region: '广东省', city: '广州市', line1: '天河区体育西路 1号', line2: '501' })).toBe('广东省广州市天河区体育西路 1号501');
    expect(geocodingTextOf({ line1: '1 Main St', city: 'Springfield', postalCode: '12345', country: 'US' })).toBe('1 Main St, Springfield, 12345, US');
    expect(geocodingTextOf({ country: 'CN' })).toBeUndefined();
    expect(isAddressSealed({ line1: 'enc:v1:AAAA' })).toBe(true);
    expect(isAddressSealed({ line1: 'plain' })).toBe(false);
  });
});

describe('geocoder selection', () => {
  it('uses the offline centroids locally and requires a place index in AWS', async () => {
    expect(await geocoderFromEnv({}).geocode('广州天河')).toMatchObject({ ...TIANHE, source: 'local-centroid' } satisfies Partial<GeocodeResult>);
    expect(() => geocoderFromEnv({ CRM_RUNTIME: 'aws', AWS_REGION: 'ap-southeast-1' })).toThrow(/GEOCODER_PLACE_INDEX/);
    expect(geocoderFromEnv({ CRM_RUNTIME: 'aws', AWS_REGION: 'ap-southeast-1', GEOCODER_PLACE_INDEX: 'Crm-prod-Customers-places' }).constructor.name).toBe('AmazonLocationGeocoder');
  });
});
