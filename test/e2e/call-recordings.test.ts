import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { startTestServer, type TestServer } from '../support/test-server';

/**
 * Call recordings against the real local server: presigned PUT of the audio to the local blob
 * folder, confirmation, presigned GET (data scope of the customer, audited), refusals.
 */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

const as = (tenant: string, userId?: string, roles?: string[], orgPath?: string) => server.as(tenant, userId, roles, orgPath);

const phoneCall = (customerId: string) => ({ customerId, channel: 'phone_call', type: 'call', occurredAt: '2026-11-20T08:00:00Z', payload: { direction: 'inbound', durationSec: 95 } });
const audio = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7) % 256));
const md5 = (b: Buffer) => createHash('md5').update(b).digest('base64');
const contentMd5 = md5(audio);

describe('call recordings', () => {
  it('uploads through a presigned PUT, confirms, and downloads the same bytes through an audited presigned GET', async () => {
    const call = await as('rec-main');
    const customer = (await call('POST', '/v1/customers', { kind: 'person', name: 'Zhao Min' })).body;
    const recorded = (await call('POST', '/v1/interactions', phoneCall(customer.id))).body;
    expect(recorded.status).toBe('created');

    const requested = await call('POST', `/v1/interactions/${recorded.id}/recording`, { contentType: 'audio/mpeg', sizeBytes: audio.length, contentMd5 });
    expect(requested.status).toBe(201);
    expect(requested.body.key).toBe(`recordings/tenant=rec-main/${customer.id}/${recorded.id}.mp3`);
    expect(requested.body.recording).toMatchObject({ key: requested.body.key, contentType: 'audio/mpeg', sizeBytes: audio.length, status: 'pending' });
    const { url, method, headers } = requested.body.upload;
    expect(method).toBe('PUT');
    expect(url.startsWith(server.url)).toBe(true);

    // Not downloadable and not completable before the bytes are there.
    expect((await call('GET', `/v1/interactions/${recorded.id}/recording`)).status).toBe(409);
    expect((await call('POST', `/v1/interactions/${recorded.id}/recording/complete`)).status).toBe(409);

    expect((await fetch(url, { method, headers, body: audio })).status).toBe(200);
    const completed = await call('POST', `/v1/interactions/${recorded.id}/recording/complete`);
    expect(completed.status).toBe(200);
    expect(completed.body.recording).toMatchObject({ status: 'available', sizeBytes: audio.length, contentMd5 });

    // The timeline shows the reference.
    const timeline = (await call('GET', `/v1/customers/${customer.id}/timeline`)).body;
    expect(timeline.items[0].recording).toMatchObject({ key: requested.body.key, status: 'available' });

    const download = await call('GET', `/v1/interactions/${recorded.id}/recording`);
    expect(download.status).toBe(200);
    expect(download.body.download.method).toBe('GET');
    const fetched = await fetch(download.body.download.url, { headers: download.body.download.headers });
    expect(fetched.status).toBe(200);
    expect(Buffer.from(await fetched.arrayBuffer()).equals(audio)).toBe(true);

    const audit = await call('GET', `/v1/audit?resource=interaction&resourceId=${recorded.id}`);
    expect(audit.status).toBe(200);
    const actions = audit.body.items.map((e: { action: string; detail?: { stage?: string } }) => `${e.action}${e.detail?.stage ? `:${e.detail.stage}` : ''}`);
    expect(actions.sort()).toEqual(['interactions:attach-recording:completed', 'interactions:attach-recording:requested', 'interactions:read-recording']);

    // Recordings are write-once.
    expect((await call('POST', `/v1/interactions/${recorded.id}/recording`, { contentType: 'audio/mpeg', sizeBytes: 10, contentMd5 })).status).toBe(409);
  });

  it('refuses non-phone interactions, unknown types and a size mismatch', async () => {
    const call = await as('rec-refuse');
    const customer = (await call('POST', '/v1/customers', { kind: 'person', name: 'Qian Li' })).body;
    const sms = (await call('POST', '/v1/interactions', { customerId: customer.id, channel: 'sms', type: 'message', occurredAt: '2026-11-20T08:00:00Z', payload: { text: 'hi', direction: 'inbound' } })).body;
    const refused = await call('POST', `/v1/interactions/${sms.id}/recording`, { contentType: 'audio/mpeg', sizeBytes: 10, contentMd5 });
    expect({ status: refused.status, code: refused.body.code }).toEqual({ status: 409, code: 'conflict' });

    const phone = (await call('POST', '/v1/interactions', phoneCall(customer.id))).body;
    expect((await call('POST', `/v1/interactions/${phone.id}/recording`, { contentType: 'video/mp4', sizeBytes: 10, contentMd5 })).status).toBe(400);
    expect((await call('POST', `/v1/interactions/${phone.id}/recording`, { contentType: 'audio/wav', sizeBytes: 0, contentMd5 })).status).toBe(400);
    expect((await call('POST', `/v1/interactions/${phone.id}/recording`, { contentType: 'audio/wav', sizeBytes: 10 })).status).toBe(400);
    expect((await call('GET', `/v1/interactions/${phone.id}/recording`)).status).toBe(404);
    expect((await call('POST', '/v1/interactions/01J0000000000000000000000Z/recording', { contentType: 'audio/wav', sizeBytes: 10, contentMd5 })).status).toBe(404);

    const requested = (await call('POST', `/v1/interactions/${phone.id}/recording`, { contentType: 'audio/wav', sizeBytes: 10, contentMd5 })).body;
    expect(requested.key.endsWith('.wav')).toBe(true);
    expect((await fetch(requested.upload.url, { method: 'PUT', headers: requested.upload.headers, body: audio })).status).toBe(200);
    const mismatch = await call('POST', `/v1/interactions/${phone.id}/recording/complete`);
    expect({ status: mismatch.status, code: mismatch.body.code }).toEqual({ status: 409, code: 'conflict' });
  });

  it('follows the interaction through a merge into the survivor and back through an undo', async () => {
    const call = await as('rec-merge');
    const survivor = (await call('POST', '/v1/customers', { kind: 'person', name: 'He Jing' })).body;
    const dupe = (await call('POST', '/v1/customers', { kind: 'person', name: 'He Jing (2)' })).body;
    const phone = (await call('POST', '/v1/interactions', phoneCall(dupe.id))).body;
    const requested = (await call('POST', `/v1/interactions/${phone.id}/recording`, { contentType: 'audio/mpeg', sizeBytes: audio.length, contentMd5 })).body;
    expect((await fetch(requested.upload.url, { method: 'PUT', headers: requested.upload.headers, body: audio })).status).toBe(200);

    const merged = await call('POST', '/v1/customers/merge', { survivorId: survivor.id, mergeIds: [dupe.id] });
    expect(merged.status).toBe(200);
    expect((await call('GET', `/v1/customers/${survivor.id}/timeline`)).body.items.map((i: { id: string }) => i.id)).toEqual([phone.id]);
    expect((await call('POST', `/v1/interactions/${phone.id}/recording/complete`)).status).toBe(200);
    const download = await call('GET', `/v1/interactions/${phone.id}/recording`);
    expect(download.status).toBe(200);
    expect(download.body.key).toBe(requested.key);

    expect((await call('POST', `/v1/merges/${merged.body.mergeId}/undo`)).status).toBe(200);
    expect((await call('GET', `/v1/interactions/${phone.id}/recording`)).status).toBe(200);
  });

  it('hides the recording from another team and another tenant, and needs interactions:read', async () => {
    const admin = await as('rec-scope');
    const east = (await admin('POST', '/v1/org-units', { key: 'east', name: 'East' })).body;
    await admin('POST', '/v1/org-units', { key: 'west', name: 'West' });
    const eastRep = await as('rec-scope', 'east-rep', ['sales'], east.path);
    const westRep = await as('rec-scope', 'west-rep', ['sales'], '/west');
    const otherTenant = await as('rec-other');

    const customer = (await eastRep('POST', '/v1/customers', { kind: 'person', name: 'Sun Yue' })).body;
    const phone = (await eastRep('POST', '/v1/interactions', phoneCall(customer.id))).body;
    const requested = (await eastRep('POST', `/v1/interactions/${phone.id}/recording`, { contentType: 'audio/ogg', sizeBytes: audio.length, contentMd5 })).body;
    expect((await fetch(requested.upload.url, { method: 'PUT', headers: requested.upload.headers, body: audio })).status).toBe(200);
    expect((await eastRep('POST', `/v1/interactions/${phone.id}/recording/complete`)).status).toBe(200);
    expect((await eastRep('GET', `/v1/interactions/${phone.id}/recording`)).status).toBe(200);

    for (const intruder of [westRep, otherTenant]) {
      const res = await intruder('GET', `/v1/interactions/${phone.id}/recording`);
      expect({ status: res.status, code: res.body.code }).toEqual({ status: 404, code: 'not_found' });
    }
    // Auditors read customers but not interactions.
    const auditor = await as('rec-scope', 'auditor-1', ['auditor']);
    expect((await auditor('GET', `/v1/interactions/${phone.id}/recording`)).status).toBe(403);
  });
});
