import { describe, expect, it } from 'vitest';
import { taskIndexAttributes, taskKeys, taskTimers, toTaskItem, type Task } from '@crm/core';

const task: Task = {
  id: '01M88YXTM3Q4ZJ8V6WS2RB5KTN', title: 'Call back', dueAt: '2026-11-26T02:00:00.000Z', remindAt: '2026-11-26T01:00:00.000Z',
  assigneeId: 'alice', customerId: '01M88YXTM09W5QNPJ5S2E4FEFP', priority: 'normal', status: 'open', orgPath: '/hq/east',
  version: 1, createdAt: '2026-11-25T09:00:00.000Z', updatedAt: '2026-11-25T09:00:00.000Z', createdBy: 'alice', updatedBy: 'alice',
};

describe('task keys (offline)', () => {
  it('puts the tenant first in the table key and every index key', () => {
    const item = toTaskItem('acme', { ...task, dealId: '01M88YXTM21CZ7JVBVVX0B5CPY' });
    expect(item).toMatchObject({
      pk: 'T#acme#TASK#01M88YXTM3Q4ZJ8V6WS2RB5KTN', sk: 'TASK', entity: 'task', tenantId: 'acme',
      gsi1pk: 'T#acme#TASKS#ASSIGNEE#alice#OPEN', gsi1sk: '2026-11-26T02:00:00.000Z#01M88YXTM3Q4ZJ8V6WS2RB5KTN',
      gsi2pk: 'T#acme#TASKS#CUSTOMER#01M88YXTM09W5QNPJ5S2E4FEFP', gsi2sk: '0#2026-11-26T02:00:00.000Z#01M88YXTM3Q4ZJ8V6WS2RB5KTN',
      gsi3pk: 'T#acme#TASKS#DEAL#01M88YXTM21CZ7JVBVVX0B5CPY', gsi3sk: '0#2026-11-26T02:00:00.000Z#01M88YXTM3Q4ZJ8V6WS2RB5KTN',
      timers: { 'task-reminder': '2026-11-26T01:00:00.000Z' },
    });
    for (const [name, value] of Object.entries(item)) if (/pk$/.test(name)) expect(value).toMatch(/^T#acme#/);
  });

  it('moves a completed task to the done partition and after the open ones of its records, without a timer', () => {
    const done = toTaskItem('acme', { ...task, status: 'done', completedAt: '2026-11-25T12:00:00.000Z', completedBy: 'alice' });
    expect(done.gsi1pk).toBe('T#acme#TASKS#ASSIGNEE#alice#DONE');
    expect(done.gsi2sk).toBe('1#2026-11-26T02:00:00.000Z#01M88YXTM3Q4ZJ8V6WS2RB5KTN');
    expect(done.timers).toBeUndefined();
    expect(done.gsi3pk).toBeUndefined();
    expect(taskKeys.statusPrefix('open') < taskKeys.statusPrefix('done')).toBe(true);
  });

  it('carries a reminder timer only while open and not yet reminded', () => {
    expect(taskTimers(task)).toEqual({ 'task-reminder': '2026-11-26T01:00:00.000Z' });
    expect(taskTimers({ ...task, remindedAt: '2026-11-26T01:00:05.000Z' })).toBeUndefined();
    expect(taskTimers({ ...task, status: 'done' })).toBeUndefined();
  });

  it('sorts the due index by time, so "due before now" is one sort-key range', () => {
    const now = '2026-11-26T02:00:00.000Z';
    const key = (dueAt: string) => taskIndexAttributes('acme', { ...task, dueAt }).gsi1sk as string;
    expect(key('2026-11-26T01:59:59.999Z') < now).toBe(true);
    expect(key(now) < now).toBe(false); // due exactly now is not overdue yet
    expect(key('2026-11-26T02:00:00.001Z') < now).toBe(false);
  });
});
