import { describe, expect, it } from 'vitest';
import { belongsToTenant, customerIndexAttributes, customerKeys, nameKey } from '@crm/core';

const T = 'acme';
const ID = '01J9ZQ4V7Y8K3M2N1P0R5S6T7V';

describe('customer keys (offline)', () => {
  it('puts the tenant first in every partition key', () => {
    expect(customerKeys.profile(T, ID)).toEqual({ pk: `T#acme#C#${ID}`, sk: 'PROFILE' });
    expect(customerKeys.tenantList(T, false)).toBe('T#acme#CUST');
    expect(customerKeys.tenantList(T, true)).toBe('T#acme#CUST#DELETED');
    expect(customerKeys.byOwner(T, 'alice')).toBe('T#acme#OWNER#alice');
    expect(customerKeys.byKind(T, 'company')).toBe('T#acme#KIND#company');
    expect(customerKeys.byCompany(T, ID)).toBe(`T#acme#COMPANY#${ID}`);
    expect(customerKeys.tag(T, 'vip', 'Zhang Wei', ID)).toEqual({ pk: 'T#acme#TAG#vip', sk: `zhang wei#${ID}` });
  });

  it('folds names for sorting and prefix search', () => {
    expect(nameKey('  ÄCME   Corp ')).toBe('äcme corp');
    expect(nameKey('Ｔｅｓｔ')).toBe('test'); // full-width folds (NFKC)
    expect(nameKey('a#b\u0001c')).toBe('a b c');
    expect(nameKey('x'.repeat(300))).toHaveLength(100);
  });

  it('indexes live customers in every list and deleted ones only in the trash', () => {
    const live = customerIndexAttributes(T, { id: ID, name: 'Acme', kind: 'person', ownerId: 'alice', companyId: 'C1', orgPath: '/hq/east' });
    expect(live).toEqual({
      gsi1pk: 'T#acme#CUST', gsi1sk: `acme#${ID}`,
      gsi2pk: 'T#acme#OWNER#alice', gsi2sk: `acme#${ID}`,
      gsi3pk: 'T#acme#KIND#person', gsi3sk: `acme#${ID}`,
      gsi4pk: 'T#acme#COMPANY#C1', gsi4sk: `acme#${ID}`,
      gsi5pk: 'T#acme#CUSTORG', gsi5sk: `/hq/east/#acme#${ID}`,
    });
    const pooled = customerIndexAttributes(T, { id: ID, name: 'Acme', kind: 'company', ownerId: null });
    expect(pooled).toMatchObject({ gsi2pk: 'T#acme#POOL', gsi5sk: `/#acme#${ID}` });
    expect(pooled).not.toHaveProperty('gsi4pk');
    const deleted = customerIndexAttributes(T, { id: ID, name: 'Acme', kind: 'company', ownerId: 'alice', deletedAt: '2026-01-01T00:00:00Z' });
    expect(deleted).toEqual({ gsi1pk: 'T#acme#CUST#DELETED', gsi1sk: `acme#${ID}` });
  });

  it('tells whether a key belongs to a tenant, without prefix ambiguity', () => {
    expect(belongsToTenant('acme', 'T#acme#CUST')).toBe(true);
    expect(belongsToTenant('acme', 'T#acme-evil#CUST')).toBe(false);
    expect(belongsToTenant('acme', 'T#acm#CUST')).toBe(false);
  });
});
