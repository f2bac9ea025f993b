import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { importCommand } from '../../packages/local-runtime/src/import-command';
import { startTestServer, type TestServer } from '../support/test-server';

/**
 * Bulk transfer over HTTP against the real local server: presigned upload → start → the run-jobs
 * change-feed consumer (drained here) → progress, error report, export download.
 */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

async function finished(token: string, path: string): Promise<any> {
  for (let i = 0; i < 100; i++) {
    await server.drain();
    const res = await server.call('GET', path, { token });
    expect(res.status).toBe(200);
    if (['succeeded', 'failed', 'cancelled'].includes(res.body.status)) return res.body;
  }
  throw new Error(`${path} did not finish`);
}

async function importCsv(token: string, csv: Buffer | string, body: Record<string, unknown>): Promise<any> {
  const created = await server.call('POST', '/v1/imports', { token, body: { filename: 'customers.csv', ...body } });
  expect(created.status).toBe(201);
  expect(created.body.status).toBe('awaiting-upload');
  const { url, method, headers } = created.body.upload;
  expect(url.startsWith(server.url)).toBe(true);
  const put = await fetch(url, { method, headers, body: csv });
  expect(put.status).toBe(200);
  const started = await server.call('POST', `/v1/imports/${created.body.id}/start`, { token });
  expect(started.status).toBe(202);
  expect(started.body.status).toBe('queued');
  return finished(token, `/v1/imports/${created.body.id}`);
}

const download = async (request: { url: string; method: string; headers: Record<string, string> }) => {
  const res = await fetch(request.url, { method: request.method, headers: request.headers });
  expect(res.status).toBe(200);
  return (await res.text()).replace(/^\ufeff/, '');
};

describe('CSV import', () => {
  it('imports UTF-8 with a mapping and custom fields, keeps good rows and reports bad ones', async () => {
    const token = await server.token('imp-utf8');
    const csv = [
      '客户名称,手机,Email,Segment,Notes',
      'Acme Trading,13800138000,sales@acme.cn,gold,call back',
      ',13900139000,,silver,no name',
      'Beta Ltd,13700137000,not-an-email,bronze,',
      '"Gamma, Inc",13600136000,info@gamma.com,silver,',
    ].join('\r\n');
    const job = await importCsv(token, csv, { kind: 'company', mapping: { Segment: 'customFields.segment', Notes: 'ignore' } });
    expect(job.status).toBe('succeeded');
    expect(job.progress).toMatchObject({ processed: 4, succeeded: 2, failed: 2 });

    const list = await server.call('GET', '/v1/customers?kind=company', { token });
    const byName = Object.fromEntries(list.body.items.map((c: any) => [c.name, c]));
    expect(Object.keys(byName).sort()).toEqual(['Acme Trading', 'Gamma, Inc']);
    expect(byName['Acme Trading'].customFields).toEqual({ segment: 'gold' });
    expect(byName['Acme Trading'].phones[0].e164).toBe('+8613800138000');
    expect(byName['Gamma, Inc'].emails[0].address).toBe('info@gamma.com');

    const report = (await download(job.errorReport)).trim().split(/\r?\n/);
    expect(report[0]).toBe('row,column,code,level,message,客户名称,手机,Email,Segment,Notes');
    expect(report.slice(1).map((l) => l.split(',').slice(0, 4).join(','))).toEqual(['2,客户名称,invalid_value,error', '3,Email,invalid_value,error']);

    const listed = await server.call('GET', '/v1/imports', { token });
    expect(listed.body.items.map((i: any) => i.id)).toEqual([job.id]);
  });

  it('imports GBK with encoding auto', async () => {
    const token = await server.token('imp-gbk');
    const csv = iconv.encode('姓名,电话,标签\n张伟,13811112222,重点客户\n李娜,13933334444,\n', 'gbk');
    const job = await importCsv(token, csv, {});
    expect(job).toMatchObject({ status: 'succeeded', progress: { processed: 2, succeeded: 2, failed: 0 } });
    expect(job.errorReport).toBeUndefined();
    const names = (await server.call('GET', '/v1/customers?kind=person', { token })).body.items.map((c: any) => c.name).sort();
    expect(names).toEqual(['张伟', '李娜'].sort());
  });

  it('answers 404 for imports and exports of another tenant or another user, and refuses tampered URLs', async () => {
    const owner = await server.token('imp-owner');
    const created = await server.call('POST', '/v1/imports', { token: owner, body: { filename: 'a.csv' } });
    const exported = await server.call('POST', '/v1/exports', { token: owner, body: {} });
    expect(exported.status).toBe(202);
    const intruders = [await server.token('imp-intruder'), await server.token('imp-owner', { userId: 'bob', roles: ['admin'] })];
    for (const token of intruders) {
      expect((await server.call('GET', `/v1/imports/${created.body.id}`, { token })).status).toBe(404);
      expect((await server.call('POST', `/v1/imports/${created.body.id}/start`, { token })).status).toBe(404);
      expect((await server.call('GET', `/v1/exports/${exported.body.id}`, { token })).status).toBe(404);
    }
    const { url, headers } = created.body.upload;
    expect((await fetch(url.replace('upload.csv', 'other.csv'), { method: 'PUT', headers, body: 'name\nx\n' })).status).toBe(403);
    expect((await fetch(url, { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: 'name\nx\n' })).status).toBe(403);
    expect((await fetch(url, { method: 'GET' })).status).toBe(403);
    expect((await server.call('POST', `/v1/imports/${created.body.id}/start`, { token: owner })).status).toBe(409);
  });
});

describe('crm import (CLI)', () => {
  it('uploads, starts, follows the job and saves the error report next to the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'crm-cli-'));
    const file = join(dir, 'leads.csv');
    writeFileSync(file, iconv.encode('公司,电话,等级\n华南贸易有限公司,020-87654321,A\n,13800000000,B\n', 'gbk'));
    const lines: string[] = [];
    const job = await importCommand(
      [file, '--encoding', 'gbk', '--map', '公司=name', '--map', '等级=customFields.grade', '--kind', 'company', '--tenant', 'cli-tenant', '--url', server.url, '--quiet'],
      { CRM_DATA_DIR: server.dataDir }, (line) => lines.push(line),
    );
    expect(job).toMatchObject({ status: 'succeeded', progress: { processed: 2, succeeded: 1, failed: 1 } });
    expect(lines[0]).toMatch(/succeeded: 2 rows, 1 created, 1 failed/);
    const report = join(dir, 'leads.errors.csv');
    expect(existsSync(report)).toBe(true);
    expect(readFileSync(report, 'utf8')).toContain('2,公司,invalid_value,error');
    const token = await server.token('cli-tenant', { userId: 'cli' });
    const customers = (await server.call('GET', '/v1/customers', { token })).body.items;
    expect(customers.map((c: any) => [c.name, c.customFields])).toEqual([['华南贸易有限公司', { grade: 'A' }]]);
  });
});

describe('CSV export', () => {
  it('exports only the caller\'s data domain, leaves hidden fields out and is audited', async () => {
    const tenant = 'exp-scope';
    const admin = await server.token(tenant, { userId: 'root', roles: ['admin'] });
    const hq = (await server.call('POST', '/v1/org-units', { token: admin, body: { key: 'hq', name: 'HQ' } })).body;
    await server.call('POST', '/v1/org-units', { token: admin, body: { key: 'east', name: 'East', parentId: hq.id } });
    await server.call('POST', '/v1/org-units', { token: admin, body: { key: 'west', name: 'West', parentId: hq.id } });
    for (const [name, orgPath, ownerId, phone] of [['East Co', '/hq/east', 'eve', '13800000001'], ['West Co', '/hq/west', 'wes', '13800000002']] as const) {
      const res = await server.call('POST', '/v1/customers', { token: admin, body: { kind: 'company', name, orgPath, ownerId, phones: [{ number: phone }], tags: ['vip'] } });
      expect(res.status).toBe(201);
    }

    const manager = await server.token(tenant, { userId: 'mia', roles: ['manager'], orgPath: '/hq/east' });
    const managerExport = (await server.call('POST', '/v1/exports', { token: manager, body: { filter: { tag: 'vip' } } })).body;
    const managerJob = await finished(manager, `/v1/exports/${managerExport.id}`);
    expect(managerJob).toMatchObject({ status: 'succeeded', progress: { processed: 1 } });
    const managerCsv = (await download(managerJob.download)).trim().split(/\r?\n/);
    expect(managerCsv).toHaveLength(2);
    expect(managerCsv[0]!.split(',')).toContain('phones');
    expect(managerCsv[1]).toContain('East Co');
    expect(managerCsv[1]).toContain('+8613800000001');

    const analyst = await server.token(tenant, { userId: 'ann', roles: ['analyst'] });
    const analystExport = (await server.call('POST', '/v1/exports', { token: analyst, body: {} })).body;
    const analystJob = await finished(analyst, `/v1/exports/${analystExport.id}`);
    const analystCsv = (await download(analystJob.download)).trim().split(/\r?\n/);
    const header = analystCsv[0]!.split(',');
    expect(header).toEqual(expect.arrayContaining(['id', 'name', 'tags']));
    expect(header).not.toContain('phones');
    expect(header).not.toContain('emails');
    expect(header).not.toContain('address');
    expect(analystCsv.slice(1).map((l) => l.split(',')[header.indexOf('name')]).sort()).toEqual(['East Co', 'West Co']);
    expect(analystCsv.join('\n')).not.toContain('13800000001');

    await server.drain();
    const audit = await server.call('GET', `/v1/audit?resource=customers&resourceId=${managerExport.id}`, { token: admin });
    expect(audit.status).toBe(200);
    const stages = audit.body.items.map((e: any) => [e.action, e.actor.subject, e.detail.stage, e.detail.rows]);
    expect(stages).toEqual(expect.arrayContaining([
      ['customers:export', 'mia', 'started', undefined],
      ['customers:export', 'mia', 'finished', 1],
    ]));
  });

  it('refuses exports to roles without customers:export', async () => {
    const sales = await server.token('exp-denied', { userId: 'sam', roles: ['sales'] });
    expect((await server.call('POST', '/v1/exports', { token: sales, body: {} })).status).toBe(403);
    expect((await server.call('POST', '/v1/imports', { token: sales, body: { filename: 'a.csv' } })).status).toBe(403);
    const admin = await server.token('exp-denied');
    expect((await server.call('POST', '/v1/exports', { token: admin, body: { fields: ['name', 'password'] } })).status).toBe(400);
    expect((await server.call('POST', '/v1/imports', { token: admin, body: { filename: 'a.csv', mapping: { Name: 'nickname' } } })).status).toBe(400);
  });
});
