import { Aws, Stack } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { AccountRootPrincipal, Effect, PolicyDocument, PolicyStatement, Role, SessionTagsPrincipal, type IRole } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { INDEX_NAMES } from '@crm/core';
import type { TableAccess } from '@crm/manifest';

export type TenantAccessLevel = Exclude<TableAccess, 'none'>;

/** Session tag carrying the tenant; the adapter sets it (packages/adapters/src/dynamodb/tenant-scoped-stores.ts). */
export const TENANT_SESSION_TAG = 'tenantId';

/**
 * Tag on a function's execution role naming the tenant role it may assume. The tenant roles' trust
 * policies require it, so only roles the CRM built for request handlers can assume them.
 */
export const TENANT_ACCESS_ROLE_TAG = 'crm:tenant-data-access';

/**
 * IAM actions per access level. Transactions are authorized per item with these actions. No Scan,
 * no PartiQL: neither takes a partition key, so `dynamodb:LeadingKeys` could not confine them.
 */
export const TENANT_TABLE_ACTIONS: Record<TenantAccessLevel, string[]> = {
  read: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem'],
  'read-write': [
    'dynamodb:GetItem',
    'dynamodb:BatchGetItem',
    'dynamodb:Query',
    'dynamodb:ConditionCheckItem',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'dynamodb:DeleteItem',
  ],
};

const TABLE_KEY_ACTIONS: Record<TenantAccessLevel, string[]> = {
  read: ['kms:Decrypt'],
  'read-write': ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
};

export interface TenantDataAccessProps {
  stage: string;
  table: ITableV2;
  key: IKey;
}

/**
 * The "token vending machine" roles (docs/adr/0007): one per access level. A request handler
 * assumes one with the session tag `tenantId=<tenant from verified claims>`; the role's policy
 * then lets DynamoDB serve only items whose partition key (table or index) starts with
 * `T#<tenant>#`. Request handlers' own execution roles hold no table permissions at all, so a bug
 * that builds another tenant's key fails with AccessDenied instead of leaking data.
 *
 * Two roles rather than one with conditions on the action: the access level is a property of the
 * function (manifest `table`), so a read-only handler cannot write even with a valid tenant tag.
 */
export class TenantDataAccess extends Construct {
  readonly roles: Record<TenantAccessLevel, Role>;

  constructor(scope: Construct, id: string, props: TenantDataAccessProps) {
    super(scope, id);
    this.roles = {
      read: this.createRole('Read', 'read', props),
      'read-write': this.createRole('ReadWrite', 'read-write', props),
    };
  }

  roleFor(access: TenantAccessLevel): IRole {
    return this.roles[access];
  }

  private createRole(id: string, access: TenantAccessLevel, { stage, table, key }: TenantDataAccessProps): Role {
    const tableResources = [table.tableArn, ...INDEX_NAMES.map((indexName) => `${table.tableArn}/index/${indexName}`)];
    const role = new Role(this, id, {
      description: `CRM ${stage}: ${access} access to one tenant's items (session tag ${TENANT_SESSION_TAG})`,
      // Trusting the account delegates to identity policies (only request handlers get
      // sts:AssumeRole on this role); the conditions narrow it further to this stage's roles that
      // were tagged for this access level, and demand exactly one non-empty tenant session tag.
      assumedBy: new SessionTagsPrincipal(new AccountRootPrincipal()).withConditions({
        StringEquals: { [`aws:PrincipalTag/${TENANT_ACCESS_ROLE_TAG}`]: access },
        ArnLike: { 'aws:PrincipalArn': `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/Crm-${stage}-*` },
        'ForAllValues:StringEquals': { 'aws:TagKeys': [TENANT_SESSION_TAG] },
        StringLike: { [`aws:RequestTag/${TENANT_SESSION_TAG}`]: '?*' },
      }),
      inlinePolicies: {
        TenantItems: new PolicyDocument({
          statements: [
            new PolicyStatement({
              effect: Effect.ALLOW,
              actions: TENANT_TABLE_ACTIONS[access],
              resources: tableResources,
              conditions: {
                // Every partition key the request touches (table pk, or the index pk of a Query)
                // must start with the caller's tenant. ForAllValues alone is also true for a request
                // without any key, hence the Null condition that demands keys be present.
                'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`T#\${aws:PrincipalTag/${TENANT_SESSION_TAG}}#*`] },
                Null: { 'dynamodb:LeadingKeys': 'false' },
              },
            }),
            new PolicyStatement({
              effect: Effect.ALLOW,
              actions: TABLE_KEY_ACTIONS[access],
              resources: [key.keyArn],
              conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${Stack.of(this).region}.amazonaws.com` } },
            }),
          ],
        }),
      },
    });
    return role;
  }
}
