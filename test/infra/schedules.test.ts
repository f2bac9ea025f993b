import { beforeAll, describe, expect, it } from 'vitest';
import type { Template } from 'aws-cdk-lib/assertions';
import { manifest } from '@crm/manifest';
import { MANIFEST_ENTRY_TAG } from '../../infra/constructs/crm-function';
import { resourcesOf, synthCrm, tagOf } from './synth-crm';

/** CDK's rendering of `Schedule.rate(Duration.minutes(n))`: the largest whole unit (1440 → `rate(1 day)`). */
function expectedRate(minutes: number): string {
  const [n, unit] = minutes % 1440 === 0 ? [minutes / 1440, 'day'] : minutes % 60 === 0 ? [minutes / 60, 'hour'] : [minutes, 'minute'];
  return `rate(${n} ${unit}${n === 1 ? '' : 's'})`;
}

describe('schedule entries', () => {
  let templates: Map<string, Template>;
  beforeAll(() => {
    templates = synthCrm().templates;
  });

  it('each invokes its function on an EventBridge rule at its rate, with retries and a dead-letter queue', () => {
    const schedules = manifest.filter((e) => e.kind === 'schedule');
    expect(schedules.map((e) => e.name)).toEqual(expect.arrayContaining(['fire-timers', 'score-rfm', 'detect-churn']));
    for (const entry of schedules) {
      const found = [...templates.values()].flatMap((t) => {
        const fns = resourcesOf(t, 'AWS::Lambda::Function');
        const fnId = Object.keys(fns).find((id) => tagOf(fns[id]!, MANIFEST_ENTRY_TAG) === entry.name);
        if (!fnId) return [];
        return Object.values(resourcesOf(t, 'AWS::Events::Rule')).map((rule) => ({ t, rule, fnId }))
          .filter(({ rule }) => (rule.Properties!.Targets as Array<{ Arn: { 'Fn::GetAtt': string[] } }>).some((target) => target.Arn['Fn::GetAtt']?.[0] === fnId));
      });
      expect(found, entry.name).toHaveLength(1);
      const { t, rule, fnId } = found[0]!;
      expect(rule.Properties).toMatchObject({ ScheduleExpression: expectedRate(entry.rateMinutes), State: 'ENABLED' });
      const target = (rule.Properties!.Targets as Array<Record<string, unknown>>)[0]!;
      expect(target).toMatchObject({ RetryPolicy: { MaximumRetryAttempts: 2 }, DeadLetterConfig: { Arn: expect.anything() } });
      // EventBridge may invoke the function (and nothing else is granted through this rule).
      const permissions = Object.values(resourcesOf(t, 'AWS::Lambda::Permission')).filter((p) => (p.Properties!.FunctionName as { 'Fn::GetAtt': string[] })['Fn::GetAtt']?.[0] === fnId);
      expect(permissions.map((p) => p.Properties!.Principal)).toContain('events.amazonaws.com');
    }
  });
});
