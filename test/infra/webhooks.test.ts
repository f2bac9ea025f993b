import { beforeAll, describe, expect, it } from 'vitest';
import type { Template } from 'aws-cdk-lib/assertions';
import { MANIFEST_ENTRY_TAG } from '../../infra/constructs/crm-function';
import { resourcesOf, synthCrm, tagOf } from './synth-crm';

/** Partner webhooks in AWS: one stateless Webhooks stack; the dispatcher is a table-stream consumer (ADR 0018). */
describe('partner webhooks stack', () => {
  let webhooks: Template;
  beforeAll(() => {
    webhooks = synthCrm().templates.get('Crm-dev-Webhooks')!;
  });

  const functions = () => Object.values(resourcesOf(webhooks, 'AWS::Lambda::Function')).map((fn) => ({
    name: tagOf(fn, MANIFEST_ENTRY_TAG)!,
    env: (fn.Properties!.Environment as { Variables: Record<string, unknown> } | undefined)?.Variables ?? {},
    timeout: fn.Properties!.Timeout,
  }));

  it('holds the routes and the dispatcher', () => {
    expect(webhooks).toBeDefined();
    // arrayContaining: other webhook-related functions (inbound channels) may share the context.
    expect(functions().map((f) => f.name)).toEqual(expect.arrayContaining([
      'create-webhook', 'delete-webhook', 'dispatch-webhooks', 'get-webhook', 'list-webhook-deliveries', 'list-webhooks',
      'replay-webhook-delivery', 'rotate-webhook-secret', 'update-webhook',
    ]));
  });

  it('runs the dispatcher on the table stream with partial batch failures, 120 s per batch', () => {
    const mappings = Object.values(resourcesOf(webhooks, 'AWS::Lambda::EventSourceMapping')).filter((m) => m.Properties!.BatchSize === 50);
    expect(mappings).toHaveLength(1);
    expect(mappings[0]!.Properties).toMatchObject({ BatchSize: 50, FunctionResponseTypes: ['ReportBatchItemFailures'] });
    expect(functions().find((f) => f.name === 'dispatch-webhooks')!.timeout).toBe(120);
  });

  it('gives the field-encryption key only to functions that seal or open signing secrets', () => {
    const withKey = functions().filter((f) => /webhook/.test(f.name) && f.env.FIELD_KEY_ARN !== undefined).map((f) => f.name).sort();
    expect(withKey).toEqual(['create-webhook', 'dispatch-webhooks', 'replay-webhook-delivery', 'rotate-webhook-secret']);
  });
});
