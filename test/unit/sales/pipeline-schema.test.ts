import { describe, expect, it } from 'vitest';
import { CreateDealInput, missingRequiredFields, PipelineInput, type Deal } from '@crm/core';

const open = (key: string, probability = 10) => ({ key, name: key, probability });
const messages = (input: unknown) => {
  const r = PipelineInput.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('pipeline stage rules', () => {
  it('accepts open stages followed by one won and one lost stage', () => {
    expect(messages({ name: 'p', stages: [open('lead'), open('proposal', 50), { key: 'won', name: 'Won', probability: 100, outcome: 'won' }, { key: 'lost', name: 'Lost', probability: 0, outcome: 'lost' }] })).toEqual([]);
    expect(messages({ name: 'p', stages: [open('only')] })).toEqual([]);
  });

  it('refuses duplicates, bad keys, terminal-only pipelines, open stages after terminal ones, two won stages, wrong probabilities, SLA on terminal stages', () => {
    expect(messages({ name: 'p', stages: [open('a'), open('a')] })).toEqual(['stages.1.key: duplicate stage key a']);
    expect(messages({ name: 'p', stages: [open('Lead')] })[0]).toMatch(/^stages.0.key: must be snake_case/);
    expect(messages({ name: 'p', stages: [{ key: 'won', name: 'Won', probability: 100, outcome: 'won' }] })).toEqual(['stages: at least one open stage']);
    expect(messages({ name: 'p', stages: [open('a'), { key: 'won', name: 'Won', probability: 100, outcome: 'won' }, open('b')] })).toEqual(['stages.2.outcome: open stages come before the won/lost stages']);
    expect(messages({ name: 'p', stages: [open('a'), { key: 'w1', name: 'W', probability: 100, outcome: 'won' }, { key: 'w2', name: 'W', probability: 100, outcome: 'won' }] })).toEqual(['stages.2.outcome: at most one won stage']);
    expect(messages({ name: 'p', stages: [open('a'), { key: 'won', name: 'Won', probability: 90, outcome: 'won' }] })).toEqual(['stages.1.probability: a won stage has probability 100']);
    expect(messages({ name: 'p', stages: [open('a'), { key: 'lost', name: 'Lost', probability: 0, outcome: 'lost', slaDays: 3 }] })).toEqual(['stages.1.slaDays: terminal stages have no SLA']);
    expect(messages({ name: 'p', stages: [{ ...open('a'), probability: 0.5 }] }).length).toBe(1);
    expect(messages({ name: 'p', stages: [{ ...open('a'), requiredFields: ['amount', 'customFields.budget', 'phones'] }] })).toEqual([
      'stages.0.requiredFields.2: must be amount, expectedCloseDate, contactIds or customFields.<key>',
    ]);
  });
});

describe('deal input', () => {
  const base = { name: 'd', currency: 'CNY', customerId: '01M88YXTM09W5QNPJ5S2E4FEFP', pipelineId: '01M88YXTM6A1B2C3D4E5F6G7H8' };
  it('takes amounts with at most two decimals, ISO 4217 currencies and real dates', () => {
    expect(CreateDealInput.safeParse({ ...base, amount: 10.25, expectedCloseDate: '2028-02-29' }).success).toBe(true);
    expect(CreateDealInput.safeParse({ ...base, amount: 10.255 }).success).toBe(false);
    expect(CreateDealInput.safeParse({ ...base, amount: -1 }).success).toBe(false);
    expect(CreateDealInput.safeParse({ ...base, currency: 'cny' }).success).toBe(false);
    expect(CreateDealInput.safeParse({ ...base, currency: 'ABC' }).success).toBe(false);
    expect(CreateDealInput.safeParse({ ...base, expectedCloseDate: '2027-02-29' }).success).toBe(false);
  });

  it('names the required fields a deal lacks for a stage', () => {
    const deal = { amount: 5, contactIds: [], customFields: { budget: '' } } as unknown as Deal;
    expect(missingRequiredFields({ key: 's', name: 's', probability: 50, requiredFields: ['amount', 'expectedCloseDate', 'contactIds', 'customFields.budget'] }, deal))
      .toEqual(['expectedCloseDate', 'contactIds', 'customFields.budget']);
  });
});
