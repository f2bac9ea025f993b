import { beforeAll, describe, expect, it } from 'vitest';
import type { Template } from 'aws-cdk-lib/assertions';
import { manifest } from '@crm/manifest';
import { MANIFEST_ENTRY_TAG } from '../../infra/constructs/crm-function';
import { resourcesOf, synthCrm, tagOf } from './synth-crm';

type Statement = { Action: string | string[]; Resource: unknown };

describe('geocoding place index', () => {
  let templates: Map<string, Template>;
  beforeAll(() => {
    templates = synthCrm().templates;
  });

  it('is one Amazon Location place index in the customers stack, created for storing results', () => {
    const indexes = [...templates.entries()].flatMap(([stack, t]) => Object.entries(resourcesOf(t, 'AWS::Location::PlaceIndex')).map(([id, r]) => ({ stack, id, r })));
    expect(indexes).toHaveLength(1);
    expect(indexes[0]!.stack).toBe('Crm-dev-Customers');
    expect(indexes[0]!.r.Properties).toMatchObject({
      IndexName: 'Crm-dev-Customers-places',
      DataSource: 'Esri',
      // The consumer stores the coordinates; SingleUse results may not be stored.
      DataSourceConfiguration: { IntendedUse: 'Storage' },
    });
  });

  it('is searchable (geo:SearchPlaceIndexForText only, on that index only) exactly by entries with placeIndex, which get its name', () => {
    const customers = templates.get('Crm-dev-Customers')!;
    const indexId = Object.keys(resourcesOf(customers, 'AWS::Location::PlaceIndex'))[0]!;
    const withGrant = new Set<string>();
    const withEnv = new Set<string>();
    for (const template of templates.values()) {
      const roles = resourcesOf(template, 'AWS::IAM::Role');
      for (const policy of Object.values(resourcesOf(template, 'AWS::IAM::Policy'))) {
        const statements = (policy.Properties!.PolicyDocument as { Statement: Statement[] }).Statement;
        const geo = statements.filter((s) => [s.Action].flat().some((a) => a.startsWith('geo:')));
        if (geo.length === 0) continue;
        for (const statement of geo) {
          expect(statement.Action).toBe('geo:SearchPlaceIndexForText');
          expect(statement.Resource).toEqual({ 'Fn::GetAtt': [indexId, 'Arn'] });
        }
        for (const roleRef of policy.Properties!.Roles as Array<{ Ref: string }>) withGrant.add(tagOf(roles[roleRef.Ref]!, MANIFEST_ENTRY_TAG)!);
      }
      for (const fn of Object.values(resourcesOf(template, 'AWS::Lambda::Function'))) {
        const env = (fn.Properties!.Environment as { Variables: Record<string, unknown> } | undefined)?.Variables ?? {};
        if (env.GEOCODER_PLACE_INDEX !== undefined) {
          expect(env.GEOCODER_PLACE_INDEX).toBe('Crm-dev-Customers-places');
          withEnv.add(tagOf(fn, MANIFEST_ENTRY_TAG)!);
        }
      }
    }
    const expected = manifest.filter((entry) => entry.placeIndex).map((entry) => entry.name).sort();
    expect(expected).toEqual(['geocode-customer']);
    expect([...withGrant].sort()).toEqual(expected);
    expect([...withEnv].sort()).toEqual(expected);
  });
});
