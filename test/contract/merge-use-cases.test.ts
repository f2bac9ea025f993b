import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  blockingKeyPartition, completeMerge, createCustomer, CreateCustomerInput, getCustomer, listCustomers, ListCustomersQuery, mergeCustomers, MergeCustomersInput, putSecuritySettings,
  undoMerge, updateCustomer, type CustomerDeps,
} from '@crm/core';
import { ulidGenerator } from '@crm/runtime';
import { adminContext as ctx, errorCode, fixedClock, stores, testEncryptor } from '../support/use-case-harness';

const input = (o: Record<string, unknown>) => CreateCustomerInput.parse(o);
const merge = (o: Record<string, unknown>) => MergeCustomersInput.parse(o);
let deps: CustomerDeps;

describe.each(Object.keys(stores) as Array<keyof typeof stores>)('duplicates and merges on %s', (adapter) => {
  beforeAll(async () => {
    await stores[adapter]();
  });
  beforeEach(async () => {
    deps = { store: await stores[adapter](), clock: fixedClock, ids: ulidGenerator(), encryptor: testEncryptor };
  });

  it('matches on sealed (sensitive) phones without storing them in clear, and merges and undoes sealed records', async () => {
    await putSecuritySettings(deps, ctx(), { sensitiveFields: ['phones', 'address'] }, '"0"');
    const a = (await createCustomer(deps, ctx(), input({ kind: 'person', name: 'Ma Li', phones: [{ number: '13800138000' }], address: { line1: '北京市朝阳区1号' } }))).customer;
    const b = await createCustomer(deps, ctx(), input({ kind: 'person', name: 'M. Li', phones: [{ number: '+86 138 0013 8000' }], tags: ['b'] }));
    expect(b.duplicates).toEqual([{ id: a.id, name: 'Ma Li', score: 0.9, matchedOn: ['phone'], rule: 'same-mobile' }]);
    // The lookup item holds a digest, never the number.
    const lookup = await deps.store.query({ partition: blockingKeyPartition('acme', { type: 'phone', value: '+8613800138000' }), limit: 10 });
    expect(lookup.items.map((i) => i.customerId).sort()).toEqual([a.id, b.customer.id].sort());
    expect(JSON.stringify(lookup.items)).not.toContain('13800138000');

    const { mergeId, survivor } = await mergeCustomers(deps, ctx(), merge({ survivorId: a.id, mergeIds: [b.customer.id] }));
    expect(survivor).toMatchObject({ id: a.id, name: 'Ma Li', tags: ['b'], address: { line1: '北京市朝阳区1号' } });
    expect(survivor.phones).toHaveLength(1);
    expect((await getCustomer(deps, ctx(), b.customer.id)).id).toBe(a.id);
    const page = await listCustomers(deps, ctx(), ListCustomersQuery.parse({}));
    expect(page.items.map((c) => c.id)).toEqual([a.id]);

    const { survivor: restored, merge: record } = await undoMerge(deps, ctx(), mergeId);
    expect(record.status).toBe('undone');
    expect(restored).toMatchObject({ id: a.id, tags: [], address: { line1: '北京市朝阳区1号' } });
    expect((await getCustomer(deps, ctx(), b.customer.id))).toMatchObject({ id: b.customer.id, tags: ['b'] });
    expect((await listCustomers(deps, ctx(), ListCustomersQuery.parse({}))).items).toHaveLength(2);
    // Duplicate detection sees both again.
    expect((await createCustomer(deps, ctx(), input({ kind: 'person', name: 'X', phones: [{ number: '13800138000' }] }))).duplicates.map((d) => d.id).sort()).toEqual([a.id, b.customer.id].sort());
  });

  it('finishes an interrupted merge when run again, and never applies it twice', async () => {
    const a = (await createCustomer(deps, ctx(), input({ kind: 'company', name: 'Acme', tags: ['a'] }))).customer;
    const b = (await createCustomer(deps, ctx(), input({ kind: 'company', name: 'Acme Ltd', tags: ['b'] }))).customer;
    const { mergeId } = await mergeCustomers(deps, ctx(), merge({ survivorId: a.id, mergeIds: [b.id], rule: 'most-complete' }));
    // Simulate a crash before completion: put the record back to "merging" and re-run twice.
    const record = (await deps.store.get({ pk: `T#acme#MERGE#${mergeId}`, sk: 'MERGE' }))!;
    await deps.store.put({ ...record, status: 'merging' });
    await completeMerge(deps.store, 'acme', mergeId);
    await completeMerge(deps.store, 'acme', mergeId);
    const tagged = await listCustomers(deps, ctx(), ListCustomersQuery.parse({ tag: 'b' }));
    expect(tagged.items.map((c) => c.id)).toEqual([a.id]);
    expect((await deps.store.get({ pk: `T#acme#MERGE#${mergeId}`, sk: 'MERGE' }))!.status).toBe('merged');
  });

  it('refuses merges across kinds, of merged records, and undo after the survivor changed', async () => {
    const a = (await createCustomer(deps, ctx(), input({ kind: 'person', name: 'A' }))).customer;
    const b = (await createCustomer(deps, ctx(), input({ kind: 'person', name: 'B' }))).customer;
    const c = (await createCustomer(deps, ctx(), input({ kind: 'company', name: 'C' }))).customer;
    expect(await errorCode(mergeCustomers(deps, ctx(), merge({ survivorId: a.id, mergeIds: [c.id] })))).toBe('validation_failed');
    const { mergeId } = await mergeCustomers(deps, ctx(), merge({ survivorId: a.id, mergeIds: [b.id] }));
    expect(await errorCode(mergeCustomers(deps, ctx(), merge({ survivorId: b.id, mergeIds: [a.id] })))).toBe('customer_merged');
    expect(await errorCode(mergeCustomers(deps, ctx('globex'), merge({ survivorId: a.id, mergeIds: [b.id] })))).toBe('not_found');
    await updateCustomer(deps, ctx(), a.id, { name: 'A2' }, '"2"');
    expect(await errorCode(undoMerge(deps, ctx(), mergeId))).toBe('merge_diverged');
    expect(await errorCode(undoMerge(deps, ctx('globex'), mergeId))).toBe('not_found');
  });
});
