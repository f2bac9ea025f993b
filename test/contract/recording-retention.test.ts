import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalBlobStore } from '@crm/adapters/local-blob';
import {
  auditKeys, createCustomer, CreateCustomerInput, DEFAULT_RECORDING_RETENTION_DAYS, InteractionInput, InteractionSettingsInput, loadInteractionSettings,
  putInteractionSettings, recordInteraction, requestRecordingUpload, RequestRecordingInput, type InteractionDeps, type RecordingDeps,
} from '@crm/core';
import { ulidGenerator } from '@crm/runtime';
import { adminContext as ctx, fixedClock, stores, testEncryptor } from '../support/use-case-harness';

let deps: InteractionDeps & RecordingDeps;
const upload = RequestRecordingInput.parse({ contentType: 'audio/mpeg', sizeBytes: 1024, contentMd5: '1B2M2Y8AsgTpgAmY7PhCfg==' });

describe('recording retention settings (validation)', () => {
  it('accepts whole days 1..3650 or nothing, and refuses anything else', () => {
    for (const ok of [1, 30, 3650]) expect(InteractionSettingsInput.safeParse({ unknownIdentity: 'park', recordingRetentionDays: ok }).success).toBe(true);
    expect(InteractionSettingsInput.safeParse({ unknownIdentity: 'park' }).success).toBe(true);
    for (const bad of [0, -1, 3651, 1.5, '30', null]) {
      expect({ bad, ok: InteractionSettingsInput.safeParse({ unknownIdentity: 'park', recordingRetentionDays: bad }).success }).toEqual({ bad, ok: false });
    }
  });
});

describe.each(Object.keys(stores) as Array<keyof typeof stores>)('recording retention on %s', (adapter) => {
  beforeAll(async () => {
    await stores[adapter]();
  });
  beforeEach(async () => {
    const blobs = createLocalBlobStore(mkdtempSync(join(tmpdir(), 'crm-rec-')), { urlSigningKey: Buffer.alloc(32, 1), now: () => fixedClock.now() });
    deps = { store: await stores[adapter](), clock: fixedClock, ids: ulidGenerator(), encryptor: testEncryptor, blobs };
  });

  const phoneCall = async () => {
    const c = (await createCustomer(deps, ctx(), CreateCustomerInput.parse({ kind: 'person', name: 'Qian Wei' }))).customer;
    const r = await recordInteraction(deps, ctx(), InteractionInput.parse({ customerId: c.id, channel: 'phone_call', type: 'call', occurredAt: '2026-11-01T00:00:00Z', payload: { direction: 'inbound', durationSec: 60 } }));
    return r.id!;
  };

  it('defaults to the bucket default (365 days) and locks the upload until requestedAt + 365 days', async () => {
    expect(DEFAULT_RECORDING_RETENTION_DAYS).toBe(365);
    expect((await loadInteractionSettings(deps.store, 'acme')).recordingRetentionDays).toBe(365);
    const out = await requestRecordingUpload(deps, ctx(), await phoneCall(), upload);
    expect(out.recording).toMatchObject({ requestedAt: '2026-11-25T10:00:00.000Z', retainUntil: '2027-11-25T10:00:00.000Z' });
    expect(out.upload.headers).toMatchObject({ 'x-amz-object-lock-mode': 'GOVERNANCE', 'x-amz-object-lock-retain-until-date': '2027-11-25T10:00:00.000Z' });
  });

  it("uses the tenant's retention, audits changes to it, and goes back to the default when a PUT leaves it out", async () => {
    const saved = await putInteractionSettings(deps, ctx(), { unknownIdentity: 'create-lead', recordingRetentionDays: 30 }, '"0"');
    expect(saved).toMatchObject({ recordingRetentionDays: 30, version: 1 });
    expect(await loadInteractionSettings(deps.store, 'acme')).toMatchObject({ recordingRetentionDays: 30, version: 1 });
    expect((await loadInteractionSettings(deps.store, 'other')).recordingRetentionDays).toBe(365);

    const out = await requestRecordingUpload(deps, ctx(), await phoneCall(), upload);
    expect(out.recording.retainUntil).toBe('2026-12-25T10:00:00.000Z');
    expect(out.upload.headers['x-amz-object-lock-retain-until-date']).toBe('2026-12-25T10:00:00.000Z');

    expect(await putInteractionSettings(deps, ctx(), { unknownIdentity: 'create-lead' }, '"1"')).toMatchObject({ recordingRetentionDays: 365, version: 2 });
    expect((await loadInteractionSettings(deps.store, 'acme')).recordingRetentionDays).toBe(365);
    const audits = (await deps.store.query({ partition: auditKeys.dayPartition('acme', '2026-11-25'), limit: 200 })).items
      .filter((i) => i.resource === 'interaction-settings').map((i) => i.changes);
    expect(audits).toContainEqual(expect.arrayContaining([expect.objectContaining({ field: 'recordingRetentionDays' })]));
    expect(audits.filter((changes) => (changes as Array<{ field: string }> | undefined)?.some((c) => c.field === 'recordingRetentionDays'))).toHaveLength(2);
  });
});
