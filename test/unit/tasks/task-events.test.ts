import { describe, expect, it } from 'vitest';
import { eventsFromChange, toTaskItem, type ChangeRecord, type Task } from '@crm/core';

const task: Task = {
  id: '01M88YXTM3Q4ZJ8V6WS2RB5KTN', title: 'Secret title', description: 'Secret text', dueAt: '2026-11-26T02:00:00.000Z', remindAt: '2026-11-26T01:00:00.000Z',
  assigneeId: 'alice', dealId: '01M88YXTM21CZ7JVBVVX0B5CPY', priority: 'low', status: 'open', orgPath: '/hq/east',
  version: 1, createdAt: '2026-11-25T09:00:00.000Z', updatedAt: '2026-11-25T09:00:00.000Z', createdBy: 'alice', updatedBy: 'alice',
};
const image = (t: Task) => toTaskItem('acme', t);
const change = (eventName: ChangeRecord['eventName'], oldTask?: Task, newTask?: Task): ChangeRecord => ({
  eventId: `e-${eventName}`, eventName, approximateCreationTime: 0,
  ...(oldTask ? { oldImage: image(oldTask) } : {}), ...(newTask ? { newImage: image(newTask) } : {}),
});

describe('task events from the change feed', () => {
  it('maps an insert to task.created without title or description', () => {
    const [event, ...rest] = eventsFromChange(change('INSERT', undefined, task));
    expect(rest).toEqual([]);
    expect(event).toMatchObject({
      type: 'task.created', version: 1, tenantId: 'acme', occurredAt: '2026-11-25T09:00:00.000Z', subject: { type: 'task', id: task.id },
      data: { taskId: task.id, assigneeId: 'alice', dueAt: task.dueAt, remindAt: task.remindAt, dealId: task.dealId, priority: 'low', createdBy: 'alice' },
    });
    expect(JSON.stringify(event)).not.toMatch(/Secret/);
  });

  it('publishes task.due when remindedAt appears and task.completed when it is done; nothing for other edits or deletes', () => {
    const reminded: Task = { ...task, remindedAt: '2026-11-26T01:00:30.000Z', version: 2 };
    expect(eventsFromChange(change('MODIFY', task, reminded)).map((e) => [e.type, e.occurredAt])).toEqual([['task.due', '2026-11-26T01:00:30.000Z']]);
    const done: Task = { ...reminded, status: 'done', completedAt: '2026-11-26T03:00:00.000Z', completedBy: 'bob', version: 3 };
    const [completed] = eventsFromChange(change('MODIFY', reminded, done));
    expect(completed).toMatchObject({ type: 'task.completed', occurredAt: '2026-11-26T03:00:00.000Z', data: { completedBy: 'bob', taskId: task.id } });
    expect(eventsFromChange(change('MODIFY', task, { ...task, title: 'Renamed', version: 2 }))).toEqual([]);
    expect(eventsFromChange(change('MODIFY', done, { ...done, status: 'open', version: 4 }))).toEqual([]);
    expect(eventsFromChange(change('REMOVE', done))).toEqual([]);
  });
});
