import { describe, expect, it } from 'vitest';
import {
  AnalyticsSettingsInput, DEFAULT_ANALYTICS_SETTINGS, analyticsSettingsKey, auditKeys, loadAnalyticsSettings, putAnalyticsSettings, type TableStore,
} from '@crm/core';
import { ulidGenerator } from '@crm/runtime';
import { adminContext, errorCode, fixedClock, stores } from '../support/use-case-harness';

/** The per-tenant analytics settings on both stores: defaults, If-Match, audit, validation. */
const auditOf = async (store: TableStore, tenantId: string) =>
  (await store.query({ partition: auditKeys.dayPartition(tenantId, '2026-11-25'), limit: 100 })).items.filter((i) => i.resource === 'analytics-settings');

describe.each(Object.keys(stores) as Array<keyof typeof stores>)('analytics settings on %s', (adapter) => {
  it('answers the defaults at version 0, replaces them with If-Match "0" or *, and then only with the current version', async () => {
    const store = await stores[adapter]();
    const deps = { store, clock: fixedClock, ids: ulidGenerator() };
    expect(await loadAnalyticsSettings(store, 'acme')).toEqual({ currency: 'CNY', churnDays: 30, rfmEnabled: true, churnEnabled: true, version: 0, updatedAt: null, updatedBy: null });
    expect(await errorCode(putAnalyticsSettings(deps, adminContext(), { currency: 'USD', churnDays: 60 }, undefined))).toBe('precondition_required');
    expect(await errorCode(putAnalyticsSettings(deps, adminContext(), { currency: 'USD', churnDays: 60 }, '"1"'))).toBe('precondition_failed');

    const saved = await putAnalyticsSettings(deps, adminContext(), { currency: 'USD', churnDays: 60 }, '"0"');
    expect(saved).toEqual({ currency: 'USD', churnDays: 60, rfmEnabled: true, churnEnabled: true, version: 1, updatedAt: '2026-11-25T10:00:00.000Z', updatedBy: 'alice' });
    expect(await loadAnalyticsSettings(store, 'acme')).toEqual(saved);
    expect(await store.get(analyticsSettingsKey('acme'))).toMatchObject({ pk: 'T#acme#SETTINGS', sk: 'ANALYTICS', entity: 'analytics-settings', tenantId: 'acme', version: 1 });

    // A stale ETag: 412; the current one wins.
    expect(await errorCode(putAnalyticsSettings(deps, adminContext(), { currency: 'EUR', churnDays: 7 }, '"0"'))).toBe('precondition_failed');
    const again = await putAnalyticsSettings(deps, adminContext('acme', 'bob'), { currency: 'EUR', churnDays: 7, churnEnabled: false }, '"1"');
    expect(again).toMatchObject({ currency: 'EUR', churnDays: 7, rfmEnabled: true, churnEnabled: false, version: 2, updatedBy: 'bob' });

    // Other tenants keep their defaults.
    expect(await loadAnalyticsSettings(store, 'other')).toEqual(DEFAULT_ANALYTICS_SETTINGS);

    // Each change is audited with the before and after values.
    const audit = await auditOf(store, 'acme');
    expect(audit.map((a) => [a.action, (a.actor as { subject: string }).subject])).toEqual(expect.arrayContaining([['settings:manage', 'alice'], ['settings:manage', 'bob']]));
    expect(audit).toHaveLength(2);
    expect(JSON.stringify(audit.find((a) => (a.actor as { subject: string }).subject === 'bob')!.changes)).toContain('EUR');
  });

  it('accepts "*" while the defaults apply', async () => {
    const store = await stores[adapter]();
    const deps = { store, clock: fixedClock, ids: ulidGenerator() };
    expect(await putAnalyticsSettings(deps, adminContext(), { currency: 'HKD', churnDays: 365, rfmEnabled: false }, '*')).toMatchObject({ currency: 'HKD', churnDays: 365, rfmEnabled: false, version: 1 });
  });
});

describe('analytics settings input (offline)', () => {
  const errors = (input: unknown) => [...new Set(AnalyticsSettingsInput.safeParse(input).error?.issues.map((i) => i.path.join('.')) ?? [])].sort();
  it('takes a known upper-case ISO 4217 code and 7..365 churn days, nothing else', () => {
    expect(errors({ currency: 'CNY', churnDays: 30 })).toEqual([]);
    expect(errors({ currency: 'JPY', churnDays: 7, rfmEnabled: false, churnEnabled: true })).toEqual([]);
    expect(errors({ currency: 'cny', churnDays: 30 })).toEqual(['currency']);
    expect(errors({ currency: 'ABC', churnDays: 30 })).toEqual(['currency']);
    expect(errors({ currency: 'CNYX', churnDays: 30 })).toEqual(['currency']);
    expect(errors({ currency: 'CNY', churnDays: 6 })).toEqual(['churnDays']);
    expect(errors({ currency: 'CNY', churnDays: 366 })).toEqual(['churnDays']);
    expect(errors({ currency: 'CNY', churnDays: 30.5 })).toEqual(['churnDays']);
    expect(errors({ churnDays: 30 })).toEqual(['currency']);
    expect(errors({ currency: 'CNY', churnDays: 30, tenantId: 'x' })).toEqual(['']);
  });
});
