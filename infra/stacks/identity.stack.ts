import { CfnOutput, Duration, ReferenceStrength, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import {
  AccountRecovery,
  CfnUserPoolRiskConfigurationAttachment,
  ClientAttributes,
  FeaturePlan,
  LambdaVersion,
  Mfa,
  OAuthScope,
  ResourceServerScope,
  StandardThreatProtectionMode,
  StringAttribute,
  UserPool,
  UserPoolClientIdentityProvider,
  UserPoolOperation,
  type CfnUserPoolClient,
  type UserPoolClient,
} from 'aws-cdk-lib/aws-cognito';
import { Policy, PolicyStatement, Role } from 'aws-cdk-lib/aws-iam';
import { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { CLAIMS } from '@crm/core';
import type { CognitoTriggerEntry } from '@crm/manifest';
import type { StageConfig } from '../config';
import { pascalCase } from '../naming';
import { acknowledgeNagRule } from '../nag';

/** Roles of the role matrix; each is a Cognito group, delivered in the `cognito:groups` claim. */
export const CRM_ROLES = ['admin', 'manager', 'sales', 'service', 'analyst', 'auditor', 'partner'] as const;

/** Identifier of the API's resource server; access-token scopes read `crm/<scope>`. */
export const RESOURCE_SERVER_ID = 'crm';

export const CRM_SCOPES = [
  'customers.read',
  'customers.write',
  'interactions.read',
  'interactions.write',
  'deals.read',
  'deals.write',
  'analytics.read',
  'webhooks.manage',
  'admin',
] as const;

/** Scopes partners may be granted: everything except tenant administration. */
const PARTNER_SCOPES = CRM_SCOPES.filter((scope) => scope !== 'admin');

/** Full scope strings as they appear in access tokens and in the manifest (`crm/customers.read`). */
export const QUALIFIED_CRM_SCOPES: readonly string[] = CRM_SCOPES.map((scope) => `${RESOURCE_SERVER_ID}/${scope}`);

/** `custom:tenant_id` → `tenant_id`: the claim names are the source of the attribute names. */
const customAttributeName = (claim: string): string => claim.replace(/^custom:/, '');

export interface IdentityTrigger {
  entry: CognitoTriggerEntry;
  /** ARN attribute of the trigger's function in its bounded-context stack. */
  functionArn: string;
  /** ARN attribute of that function's execution role (for grants on the user pool). */
  roleArn: string;
}

export interface IdentityStackProps extends StackProps {
  config: StageConfig;
  triggers: IdentityTrigger[];
}

/**
 * Cognito user pool for people (authorization code + PKCE) and partners (client credentials).
 * Deployed after the function stacks: it imports trigger functions by ARN, so the trigger's
 * invoke permission lives here and no stack depends back on this one except the API.
 */
export class IdentityStack extends Stack {
  readonly userPool: UserPool;
  readonly userClient: UserPoolClient;
  readonly partnerClient: UserPoolClient;

  constructor(scope: Construct, id: string, props: IdentityStackProps) {
    super(scope, id, props);
    const { config } = props;

    this.userPool = new UserPool(this, 'UserPool', {
      userPoolName: `crm-${config.stage}-users`,
      // Tenants' admins invite users; nobody joins a tenant on their own.
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      // Immutable: tenant and org position come from verified claims, so a user must never be able
      // to change them (not even through an app client that could write attributes).
      customAttributes: {
        [customAttributeName(CLAIMS.tenantId)]: new StringAttribute({ minLen: 1, maxLen: 64, mutable: false }),
        [customAttributeName(CLAIMS.orgPath)]: new StringAttribute({ minLen: 1, maxLen: 2048, mutable: false }),
      },
      // Optional per pool; the pre-token trigger refuses tokens to admins without TOTP (Cognito has
      // no per-group MFA switch). TOTP only: SMS is phishable.
      mfa: Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      featurePlan: FeaturePlan.PLUS,
      standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledgeNagRule(
      this.userPool,
      'COG2',
      'MFA is OPTIONAL (TOTP only) for non-admin roles by product decision; admins get no token without TOTP MFA ' +
        '(pre-token-generation trigger), and adaptive authentication challenges or blocks risky sign-ins.',
    );

    // Adaptive authentication (threat protection ENFORCED): risky sign-ins are challenged for MFA
    // (users without TOTP are asked to set it up) or blocked; leaked passwords are blocked.
    new CfnUserPoolRiskConfigurationAttachment(this, 'RiskConfiguration', {
      userPoolId: this.userPool.userPoolId,
      clientId: 'ALL',
      accountTakeoverRiskConfiguration: {
        actions: {
          lowAction: { eventAction: 'MFA_IF_CONFIGURED', notify: false },
          mediumAction: { eventAction: 'MFA_REQUIRED', notify: false },
          highAction: { eventAction: 'BLOCK', notify: false },
        },
      },
      compromisedCredentialsRiskConfiguration: { actions: { eventAction: 'BLOCK' } },
    });

    CRM_ROLES.forEach((role, precedence) => {
      // Lower precedence wins when a user is in several groups; the list is ordered by privilege.
      this.userPool.addGroup(`${pascalCase(role)}Group`, { groupName: role, precedence, description: `CRM role ${role}` });
    });

    const resourceServer = this.userPool.addResourceServer('CrmResourceServer', {
      identifier: RESOURCE_SERVER_ID,
      userPoolResourceServerName: `crm-${config.stage}-api`,
      scopes: CRM_SCOPES.map((scopeName) => new ResourceServerScope({ scopeName, scopeDescription: `CRM ${scopeName}` })),
    });
    // Literal scope strings (not tokens) keep the template readable; the explicit dependencies below
    // replace the ordering a token reference would have implied.
    const crmScopes = (names: readonly string[]): OAuthScope[] => names.map((name) => OAuthScope.custom(`${RESOURCE_SERVER_ID}/${name}`));

    // Standard attributes only: the tenant/org custom attributes are set by admins, never by clients.
    const writeAttributes = new ClientAttributes().withStandardAttributes({ email: true, fullname: true, givenName: true, familyName: true });

    this.userClient = this.userPool.addClient('UserClient', {
      userPoolClientName: `crm-${config.stage}-web`,
      // Public client (browser/SPA): no secret, authorization code with PKCE.
      generateSecret: false,
      authFlows: { userSrp: true },
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, ...crmScopes(CRM_SCOPES)],
        callbackUrls: config.callbackUrls,
        logoutUrls: config.logoutUrls,
      },
      supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
      writeAttributes,
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
    });

    this.partnerClient = this.userPool.addClient('PartnerClient', {
      userPoolClientName: `crm-${config.stage}-partner`,
      // Machine-to-machine: confidential client, client-credentials grant, API scopes only.
      generateSecret: true,
      oAuth: { flows: { clientCredentials: true }, scopes: crmScopes(PARTNER_SCOPES) },
      supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
      writeAttributes,
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: Duration.hours(1),
    });
    this.userClient.node.addDependency(resourceServer);
    this.partnerClient.node.addDependency(resourceServer);
    // No user sign-in flows on the partner client (CDK would fall back to Cognito's defaults,
    // which include SRP), so its secret cannot be used to sign people in.
    (this.partnerClient.node.defaultChild as CfnUserPoolClient).explicitAuthFlows = ['ALLOW_REFRESH_TOKEN_AUTH'];

    const domain = this.userPool.addDomain('Domain', { cognitoDomain: { domainPrefix: config.cognitoDomainPrefix } });

    for (const trigger of props.triggers) this.addTrigger(trigger);

    new CfnOutput(this, 'UserPoolId', { value: this.userPool.userPoolId });
    new CfnOutput(this, 'UserClientId', { value: this.userClient.userPoolClientId });
    new CfnOutput(this, 'PartnerClientId', { value: this.partnerClient.userPoolClientId });
    new CfnOutput(this, 'HostedUiBaseUrl', { value: domain.baseUrl() });
  }

  private addTrigger({ entry, functionArn, roleArn }: IdentityTrigger): void {
    // Imported by ARN so the invoke permission (which names the user pool) is created in this
    // stack; the function's own stack then needs nothing from here, which avoids a cycle.
    const imported = LambdaFunction.fromFunctionAttributes(this, `${pascalCase(entry.name)}Trigger`, {
      // Weak (Fn::GetStackOutput, no export): removing an entry's function must not be blocked by
      // an export this stack still imports (the "deadly embrace" of strong references).
      functionArn: Stack.consumeReference(functionArn, ReferenceStrength.WEAK),
      sameEnvironment: true,
    });
    switch (entry.trigger) {
      case 'pre-token-generation':
        // V3_0: like V2_0 it adds claims to access tokens (V1_0 only reaches ID tokens), and it also
        // fires for client-credentials grants, so partner tokens get their tenant too (Plus plan).
        this.userPool.addTrigger(UserPoolOperation.PRE_TOKEN_GENERATION_CONFIG, imported, LambdaVersion.V3_0);
        break;
    }
    if (entry.userPool === 'read') {
      // Granted here, where the pool exists: the function's stack is deployed before this one. The
      // role is imported the same weak way as the function.
      const role = Role.fromRoleArn(this, `${pascalCase(entry.name)}TriggerRole`, Stack.consumeReference(roleArn, ReferenceStrength.WEAK), {
        mutable: true,
      });
      new Policy(this, `${pascalCase(entry.name)}UserPoolAccess`, {
        roles: [role],
        statements: [new PolicyStatement({ actions: ['cognito-idp:AdminGetUser'], resources: [this.userPool.userPoolArn] })],
      });
    }
  }
}
