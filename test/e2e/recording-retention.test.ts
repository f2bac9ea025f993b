import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { startTestServer, type TestServer } from '../support/test-server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

const audio = Buffer.from(Array.from({ length: 2048 }, (_, i) => (i * 13) % 256));
const contentMd5 = createHash('md5').update(audio).digest('base64');

describe('per-tenant recording retention', () => {
  it('validates the setting, carries it on the upload as lock headers the local server checks, and shows retainUntil on the recording', async () => {
    const call = await server.as('rec-retention');
    expect((await call('GET', '/v1/settings/interactions')).body).toMatchObject({ unknownIdentity: 'create-lead', recordingRetentionDays: 365, version: 0 });
    expect((await call('PUT', '/v1/settings/interactions', { unknownIdentity: 'create-lead', recordingRetentionDays: 0 }, { 'if-match': '"0"' })).status).toBe(400);
    expect((await call('PUT', '/v1/settings/interactions', { unknownIdentity: 'create-lead', recordingRetentionDays: 3651 }, { 'if-match': '"0"' })).status).toBe(400);
    const put = await call('PUT', '/v1/settings/interactions', { unknownIdentity: 'create-lead', recordingRetentionDays: 30 }, { 'if-match': '"0"' });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ recordingRetentionDays: 30, version: 1 });

    const customer = (await call('POST', '/v1/customers', { kind: 'person', name: 'Sun Mei' })).body;
    const recorded = (await call('POST', '/v1/interactions', { customerId: customer.id, channel: 'phone_call', type: 'call', occurredAt: '2026-11-20T08:00:00Z', payload: { direction: 'outbound', durationSec: 40 } })).body;
    const requested = await call('POST', `/v1/interactions/${recorded.id}/recording`, { contentType: 'audio/mpeg', sizeBytes: audio.length, contentMd5 });
    expect(requested.status).toBe(201);
    const { retainUntil, requestedAt } = requested.body.recording;
    expect(Date.parse(retainUntil) - Date.parse(requestedAt)).toBe(30 * 86_400_000);
    const { url, method, headers } = requested.body.upload;
    expect(headers).toMatchObject({ 'x-amz-object-lock-mode': 'GOVERNANCE', 'x-amz-object-lock-retain-until-date': retainUntil });

    // Like S3, the URL only works with the signed lock headers sent as given.
    const { 'x-amz-object-lock-retain-until-date': _dropped, ...withoutLock } = headers as Record<string, string>;
    expect((await fetch(url, { method, headers: withoutLock, body: audio })).status).toBe(403);
    expect((await fetch(url, { method, headers, body: audio })).status).toBe(200);
    expect((await call('POST', `/v1/interactions/${recorded.id}/recording/complete`)).status).toBe(200);

    const download = await call('GET', `/v1/interactions/${recorded.id}/recording`);
    expect(download.status).toBe(200);
    expect(download.body.recording).toMatchObject({ status: 'available', retainUntil });
  });
});
