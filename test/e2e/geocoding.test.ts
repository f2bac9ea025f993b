import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

// Tianhe district (440106) centroid in the bundled table of the local geocoder.
const TIANHE = { lng: 113.36158, lat: 23.12481 };

describe('geocoding after the write (local runtime: district centroids)', () => {
  it('adds address.location after the change feed runs, keeps the ETag, and follows address changes', async () => {
    const token = await server.token('geo-co');
    const created = await server.call('POST', '/v1/customers', { token, body: { kind: 'company', name: '体育西商贸', address: { line1: '广州天河体育西路' } } });
    expect(created.status).toBe(201);
    expect(created.body.address).not.toHaveProperty('location'); // never in the request path
    const id = created.body.id as string;

    await server.drain();
    const got = await server.call('GET', `/v1/customers/${id}`, { token });
    expect(got.status).toBe(200);
    const location = got.body.address.location;
    expect(location).toMatchObject({ precision: 'district', source: 'local-centroid', geocodedAt: expect.any(String) });
    expect(Math.abs(location.lat - TIANHE.lat)).toBeLessThan(0.01);
    expect(Math.abs(location.lng - TIANHE.lng)).toBeLessThan(0.01);
    expect(got.body.address.division).toMatchObject({ district: '天河区', districtCode: '440106' });
    expect(got.headers.get('etag')).toBe('"1"'); // server-owned metadata: no version bump

    const moved = await server.call('PATCH', `/v1/customers/${id}`, { token, headers: { 'If-Match': '"1"' }, body: { address: { line1: '上海浦东新区世纪大道' } } });
    expect(moved.status).toBe(200);
    expect(moved.body.address).not.toHaveProperty('location');
    await server.drain();
    const after = (await server.call('GET', `/v1/customers/${id}`, { token })).body;
    expect(after.address.location).toMatchObject({ precision: 'district', source: 'local-centroid' });
    expect(after.address.location.lat).toBeGreaterThan(30); // Shanghai, not Guangzhou
    expect(after.version).toBe(2);

    // Another tenant cannot see it at all.
    expect((await server.call('GET', `/v1/customers/${id}`, { token: await server.token('other-co') })).status).toBe(404);
  });
});
