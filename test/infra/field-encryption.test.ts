import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { manifest } from '@crm/manifest';
import { MANIFEST_ENTRY_TAG } from '../../infra/constructs/crm-function';
import { resourcesOf, synthCrm, tagOf } from './synth-crm';

type Statement = { Action: string | string[]; Resource: unknown; Condition?: Record<string, Record<string, string>> };

describe('field encryption key', () => {
  let stateful: Template;
  let templates: Map<string, Template>;
  beforeAll(() => {
    templates = synthCrm().templates;
    stateful = templates.get('Crm-dev-Stateful')!;
  });

  const fieldKeyId = () => {
    const aliases = resourcesOf(stateful, 'AWS::KMS::Alias');
    const alias = Object.values(aliases).find((a) => a.Properties!.AliasName === 'alias/crm-dev-fields');
    expect(alias).toBeDefined();
    return ((alias!.Properties!.TargetKeyId as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'])[0];
  };

  it('is a customer managed key of its own, rotated and retained', () => {
    const id = fieldKeyId();
    const key = resourcesOf(stateful, 'AWS::KMS::Key')[id] as unknown as { Properties: Record<string, unknown>; DeletionPolicy: string; UpdateReplacePolicy: string };
    expect(key.Properties.EnableKeyRotation).toBe(true);
    expect(key.DeletionPolicy).toBe('Retain');
    expect(key.UpdateReplacePolicy).toBe('Retain');
    expect(id).not.toBe(Object.keys(resourcesOf(stateful, 'AWS::KMS::Key')).find((k) => k.startsWith('DataKey')));
  });

  it('is granted (GenerateDataKey + Decrypt, context required) exactly to entries with fieldEncryption, with FIELD_KEY_ARN set', () => {
    const withGrant = new Set<string>();
    const withEnv = new Set<string>();
    for (const template of templates.values()) {
      const roles = resourcesOf(template, 'AWS::IAM::Role');
      for (const policy of Object.values(resourcesOf(template, 'AWS::IAM::Policy'))) {
        const statements = (policy.Properties!.PolicyDocument as { Statement: Statement[] }).Statement;
        const fieldStatements = statements.filter((s) => JSON.stringify(s.Resource).includes('FieldKey'));
        if (fieldStatements.length === 0) continue;
        for (const statement of fieldStatements) {
          expect([statement.Action].flat().sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
          expect(statement.Condition).toEqual({
            Null: { 'kms:EncryptionContext:tenantId': 'false', 'kms:EncryptionContext:field': 'false' },
          });
        }
        for (const roleRef of policy.Properties!.Roles as Array<{ Ref: string }>) {
          withGrant.add(tagOf(roles[roleRef.Ref]!, MANIFEST_ENTRY_TAG)!);
        }
      }
      for (const fn of Object.values(resourcesOf(template, 'AWS::Lambda::Function'))) {
        const env = (fn.Properties!.Environment as { Variables: Record<string, unknown> } | undefined)?.Variables ?? {};
        if (env.FIELD_KEY_ARN !== undefined) {
          expect(JSON.stringify(env.FIELD_KEY_ARN)).toContain('FieldKey');
          withEnv.add(tagOf(fn, MANIFEST_ENTRY_TAG)!);
        }
      }
    }
    const expected = manifest.filter((entry) => entry.fieldEncryption).map((entry) => entry.name).sort();
    expect(expected).toEqual(expect.arrayContaining(['get-security-settings', 'put-security-settings']));
    expect([...withGrant].sort()).toEqual(expected);
    expect([...withEnv].sort()).toEqual(expected);
  });

  it('grants nobody kms:Encrypt or wildcard actions on the field key', () => {
    for (const template of templates.values()) {
      for (const policy of Object.values(resourcesOf(template, 'AWS::IAM::Policy'))) {
        for (const statement of (policy.Properties!.PolicyDocument as { Statement: Statement[] }).Statement) {
          if (!JSON.stringify(statement.Resource).includes('FieldKey')) continue;
          for (const action of [statement.Action].flat()) expect(action).not.toMatch(/\*|kms:Encrypt|ReEncrypt/);
        }
      }
    }
  });
});
