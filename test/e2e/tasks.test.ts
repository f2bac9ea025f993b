import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainEvent } from '@crm/core';
import { startTestServer, type TestCaller, type TestServer } from '../support/test-server';

let server: TestServer;
let admin: TestCaller;
let eastRep: TestCaller;
let westRep: TestCaller;
let eastBoss: TestCaller;
beforeAll(async () => {
  server = await startTestServer();
  admin = await server.as('task-co');
  const hq = (await admin('POST', '/v1/org-units', { key: 'hq', name: 'HQ' })).body;
  await admin('POST', '/v1/org-units', { key: 'east', name: 'East', parentId: hq.id });
  await admin('POST', '/v1/org-units', { key: 'west', name: 'West', parentId: hq.id });
  eastRep = await server.as('task-co', 'east-rep', ['sales'], '/hq/east');
  westRep = await server.as('task-co', 'west-rep', ['sales'], '/hq/west');
  eastBoss = await server.as('task-co', 'east-boss', ['manager'], '/hq/east');
  const pipeline = (await admin('POST', '/v1/pipelines', { name: 'Sales', stages: [{ key: 'lead', name: 'Lead', probability: 10 }, { key: 'won', name: 'Won', probability: 100, outcome: 'won' }] })).body;
  const dealCustomer = (await eastRep('POST', '/v1/customers', { kind: 'company', name: 'Deal Co' })).body;
  DEAL = (await eastRep('POST', '/v1/deals', { name: 'East deal', currency: 'CNY', customerId: dealCustomer.id, pipelineId: pipeline.id })).body.id;
  expect(DEAL).toBeDefined();
});
afterAll(() => server?.stop());

const titles = (res: { body: { items: Array<{ title: string }> } }) => res.body.items.map((t) => t.title);
const busEvents = (): DomainEvent[] =>
  readFileSync(join(server.dataDir, 'events', 'events.jsonl'), 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as DomainEvent);
/** A real deal of the east team (tasks refuse deals that do not exist or that the caller cannot see). */
let DEAL: string;

describe('tasks API', () => {
  it('creates, reads, lists, updates, completes, reopens and deletes tasks', async () => {
    const customer = (await eastRep('POST', '/v1/customers', { kind: 'company', name: 'East Trading' })).body;
    const created = await eastRep('POST', '/v1/tasks', { title: 'Send quote', dueAt: '2020-01-02T09:00:00Z', customerId: customer.id, priority: 'high' });
    expect(created.status).toBe(201);
    expect(created.headers.get('etag')).toBe('"1"');
    expect(created.headers.get('location')).toBe(`/v1/tasks/${created.body.id}`);
    expect(created.body).toMatchObject({ assigneeId: 'east-rep', status: 'open', remindAt: '2020-01-02T09:00:00.000Z', orgPath: '/hq/east', version: 1 });
    expect(created.body.timers).toBeUndefined();
    const quote = created.body.id as string;
    const future = (await eastRep('POST', '/v1/tasks', { title: 'Visit', dueAt: '2099-01-01T09:00:00Z' })).body;
    await eastRep('POST', '/v1/tasks', { title: 'Deal review', dueAt: '2099-02-01T09:00:00Z', dealId: DEAL });
    expect((await westRep('POST', '/v1/tasks', { title: 'Not mine', dueAt: '2099-02-01T09:00:00Z', dealId: DEAL })).body.code).toBe('validation_failed');
    expect((await eastRep('POST', '/v1/tasks', { title: 'Bad', dueAt: 'tomorrow' })).status).toBe(400);
    expect((await eastRep('POST', '/v1/tasks', { title: 'Bad', dueAt: '2099-01-01T09:00:00Z', remindAt: '2099-01-02T09:00:00Z' })).body.code).toBe('validation_failed');
    expect((await eastRep('POST', '/v1/tasks', { title: 'Bad', dueAt: '2099-01-01T09:00:00Z', status: 'done' })).status).toBe(400);

    expect(titles(await eastRep('GET', '/v1/tasks'))).toEqual(['Send quote', 'Visit', 'Deal review']);
    expect(titles(await eastRep('GET', '/v1/tasks?assignee=me&status=open'))).toEqual(['Send quote', 'Visit', 'Deal review']);
    expect(titles(await eastRep('GET', '/v1/tasks?overdue=true'))).toEqual(['Send quote']);
    expect(titles(await eastRep('GET', `/v1/tasks?customerId=${customer.id}`))).toEqual(['Send quote']);
    expect(titles(await eastRep('GET', `/v1/tasks?dealId=${DEAL}`))).toEqual(['Deal review']);
    expect(titles(await eastBoss('GET', '/v1/tasks?assignee=east-rep&overdue=true'))).toEqual(['Send quote']);

    const read = await eastRep('GET', `/v1/tasks/${quote}`);
    expect(read.body).toEqual(created.body);
    expect((await eastRep('PATCH', `/v1/tasks/${quote}`, { title: 'Send revised quote' }, { 'if-match': '"0"' })).status).toBe(412);
    expect((await eastRep('PATCH', `/v1/tasks/${quote}`, { title: 'Send revised quote' })).status).toBe(428);
    const patched = await eastRep('PATCH', `/v1/tasks/${quote}`, { title: 'Send revised quote', description: 'Line 1\nLine 2' }, { 'if-match': '"1"' });
    expect(patched.status).toBe(200);
    expect(patched.headers.get('etag')).toBe('"2"');

    expect((await eastRep('POST', `/v1/tasks/${quote}/complete`, undefined, { 'if-match': '"1"' })).status).toBe(412);
    const done = await eastRep('POST', `/v1/tasks/${quote}/complete`, undefined, { 'if-match': '"2"' });
    expect(done.body).toMatchObject({ status: 'done', completedBy: 'east-rep', version: 3 });
    expect((await eastRep('POST', `/v1/tasks/${quote}/complete`)).status).toBe(409);
    expect(titles(await eastRep('GET', '/v1/tasks?overdue=true'))).toEqual([]);
    expect(titles(await eastRep('GET', '/v1/tasks?status=done'))).toEqual(['Send revised quote']);
    const reopened = await eastRep('POST', `/v1/tasks/${quote}/reopen`);
    expect(reopened.body).toMatchObject({ status: 'open', version: 4 });
    expect(reopened.body.completedAt).toBeUndefined();
    expect(titles(await eastRep('GET', '/v1/tasks?overdue=true'))).toEqual(['Send revised quote']);

    // Sales reps may not delete (role matrix); the manager of the unit may.
    expect((await eastRep('DELETE', `/v1/tasks/${future.id}`)).status).toBe(403);
    expect((await eastBoss('DELETE', `/v1/tasks/${future.id}`)).status).toBe(204);
    expect((await eastRep('GET', `/v1/tasks/${future.id}`)).status).toBe(404);
    const audit = await admin('GET', `/v1/audit?resource=task&resourceId=${quote}`);
    expect(audit.body.items.map((a: { action: string }) => a.action).sort()).toEqual(['tasks:complete', 'tasks:create', 'tasks:reopen', 'tasks:update']);
  });

  it("keeps a task invisible to a sales rep of another org unit", async () => {
    const task = (await eastRep('POST', '/v1/tasks', { title: 'East only', dueAt: '2020-03-01T09:00:00Z' })).body;
    expect((await westRep('GET', `/v1/tasks/${task.id}`)).status).toBe(404);
    expect((await westRep('PATCH', `/v1/tasks/${task.id}`, { title: 'Mine' }, { 'if-match': '"1"' })).status).toBe(404);
    expect((await westRep('POST', `/v1/tasks/${task.id}/complete`)).status).toBe(404);
    expect(titles(await westRep('GET', '/v1/tasks?assignee=east-rep'))).toEqual([]);
    expect(titles(await westRep('GET', '/v1/tasks?assignee=east-rep&overdue=true'))).toEqual([]);
    // Assigned to the west rep, it shows up in their list (and the east creator still sees it).
    const handed = (await eastRep('POST', '/v1/tasks', { title: 'For west', dueAt: '2099-03-01T09:00:00Z', assigneeId: 'west-rep' })).body;
    expect(titles(await westRep('GET', '/v1/tasks'))).toEqual(['For west']);
    expect((await eastRep('GET', `/v1/tasks/${handed.id}`)).status).toBe(200);
  });

  it('applies field rules of the tasks resource to reads and writes', async () => {
    const role = { permissions: ['tasks:read', 'tasks:create', 'tasks:update'], dataScope: 'tenant', fields: { tasks: { description: 'hidden' } } };
    expect((await admin('PUT', '/v1/roles/task-clerk', role, { 'if-match': '"0"' })).status).toBe(200);
    const clerk = await server.as('task-co', 'clerk', ['task-clerk']);
    const task = (await eastRep('POST', '/v1/tasks', { title: 'Masked', description: 'internal notes', dueAt: '2099-06-01T09:00:00Z' })).body;
    const read = await clerk('GET', `/v1/tasks/${task.id}`);
    expect(read.status).toBe(200);
    expect(read.body.title).toBe('Masked');
    expect(read.body.description).toBeUndefined();
    expect((await clerk('GET', '/v1/tasks?assignee=east-rep')).body.items.find((t: { id: string }) => t.id === task.id).description).toBeUndefined();
    expect((await clerk('PATCH', `/v1/tasks/${task.id}`, { description: 'overwrite' }, { 'if-match': '"1"' })).status).toBe(403);
    expect((await clerk('POST', '/v1/tasks', { title: 'x', description: 'y', dueAt: '2099-06-01T09:00:00Z' })).status).toBe(403);
  });

  it('replays a create retried with the same Idempotency-Key', async () => {
    const body = { title: 'Once', dueAt: '2099-04-01T09:00:00Z' };
    const first = await eastRep('POST', '/v1/tasks', body, { 'idempotency-key': 'task-once-1' });
    const again = await eastRep('POST', '/v1/tasks', body, { 'idempotency-key': 'task-once-1' });
    expect(again.body.id).toBe(first.body.id);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(titles(await eastRep('GET', '/v1/tasks')).filter((t) => t === 'Once')).toHaveLength(1);
  });

  it('fires a due reminder once as task.due through the timers, and not for a task completed before', async () => {
    const due = (await eastRep('POST', '/v1/tasks', { title: 'Remind me', dueAt: '2020-06-01T09:00:00Z', remindAt: '2020-06-01T08:00:00Z' })).body;
    const finished = (await eastRep('POST', '/v1/tasks', { title: 'Finished', dueAt: '2020-06-01T09:00:00Z' })).body;
    expect((await eastRep('POST', `/v1/tasks/${finished.id}/complete`)).status).toBe(200);
    await server.drain(); // index-timers puts the reminders in the due index
    await server.runSchedules(); // fire-timers
    await server.runSchedules(); // a second sweep finds nothing left to fire
    await server.drain(); // publish-events
    const read = (await eastRep('GET', `/v1/tasks/${due.id}`)).body;
    expect(read).toMatchObject({ status: 'open', version: 2 });
    expect(read.remindedAt).toBeDefined();
    const events = busEvents().filter((e) => e.subject.id === due.id || e.subject.id === finished.id);
    expect(events.filter((e) => e.type === 'task.due').map((e) => [e.subject.id, e.data.remindAt])).toEqual([[due.id, '2020-06-01T08:00:00.000Z']]);
  });

  it('publishes task.created and task.completed on the local bus through the change feed', async () => {
    const task = (await eastRep('POST', '/v1/tasks', { title: 'Confidential call', description: 'private', dueAt: '2099-05-01T09:00:00Z', dealId: DEAL })).body;
    expect((await eastRep('POST', `/v1/tasks/${task.id}/complete`)).status).toBe(200);
    await server.drain();
    const events = busEvents().filter((e) => e.subject.id === task.id);
    expect(events.map((e) => e.type)).toEqual(['task.created', 'task.completed']);
    expect(events[1]).toMatchObject({ tenantId: 'task-co', subject: { type: 'task' }, data: { taskId: task.id, assigneeId: 'east-rep', dealId: DEAL, completedBy: 'east-rep', dueAt: '2099-05-01T09:00:00.000Z' } });
    expect(JSON.stringify(events)).not.toMatch(/Confidential|private/);
  });
});
