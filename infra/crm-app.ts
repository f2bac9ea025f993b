import { Tags, Validations, type App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import {
  BOUNDED_CONTEXTS,
  manifest as defaultManifest,
  type BoundedContext,
  type CognitoTriggerEntry,
  type HttpRouteEntry,
  type ManifestEntry,
} from '@crm/manifest';
import type { FunctionBundles } from './bundling/bundle-functions';
import { FunctionCodeSource } from './bundling/function-code';
import { readStageConfig } from './config';
import { pascalCase } from './naming';
import { ApiStack } from './stacks/api.stack';
import { BoundedContextStack } from './stacks/bounded-context.stack';
import { IdentityStack, QUALIFIED_CRM_SCOPES } from './stacks/identity.stack';
import { StatefulStack } from './stacks/stateful.stack';

export interface CrmAppOptions {
  /** Defaults to the real manifest; tests inject fixtures (e.g. one with a stream consumer). */
  manifest?: readonly ManifestEntry[];
  /** Built bundles; required unless the CLI/test asked for no bundling. */
  bundles?: FunctionBundles;
}

export interface CrmStacks {
  stateful: StatefulStack;
  contexts: Map<BoundedContext, BoundedContextStack>;
  identity: IdentityStack;
  api: ApiStack;
}

/**
 * Builds every stack of one stage from the manifest:
 * Stateful → one stack per bounded context with entries → Identity → Api.
 * Each later stack only references earlier ones, so there are no dependency cycles.
 */
export function buildCrmApp(app: App, options: CrmAppOptions = {}): CrmStacks {
  const config = readStageConfig(app);
  const manifest = options.manifest ?? defaultManifest;
  assertManifestFitsInfra(manifest);
  const prefix = `Crm-${config.stage}`;
  Tags.of(app).add('crm:app', 'crm');
  Tags.of(app).add('crm:stage', config.stage);

  const stateful = new StatefulStack(app, `${prefix}-Stateful`, {
    stage: config.stage,
    auditRetentionDays: config.auditRetentionDays,
    description: `CRM ${config.stage}: single table, lake and audit archive buckets, data key (retained)`,
  });

  const code = new FunctionCodeSource(options.bundles);
  const contexts = new Map<BoundedContext, BoundedContextStack>();
  for (const context of BOUNDED_CONTEXTS) {
    const entries = manifest.filter((entry) => entry.context === context);
    if (entries.length === 0) continue;
    contexts.set(
      context,
      new BoundedContextStack(app, `${prefix}-${pascalCase(context)}`, {
        context,
        entries,
        table: { table: stateful.table, key: stateful.dataKey, tenantAccess: stateful.tenantDataAccess },
        fieldKey: stateful.fieldKey,
        eventBus: stateful.eventBus,
        analyticsLake: {
          databaseName: stateful.analyticsLake.databaseName, workGroupName: stateful.analyticsLake.workGroupName,
          queryPolicy: stateful.analyticsLake.queryPolicy, lakeBucketName: stateful.lakeBucket.bucketName,
        },
        buckets: {
          audit: { bucket: stateful.auditBucket, writerPolicy: stateful.auditWriterPolicy },
          imports: { bucket: stateful.importsBucket, writerPolicy: stateful.importsAccessPolicy },
          recordings: { bucket: stateful.recordingsBucket, writerPolicy: stateful.recordingsAccessPolicy },
          lake: { bucket: stateful.lakeBucket, writerPolicy: stateful.analyticsLake.writerPolicy },
          archive: { bucket: stateful.lakeBucket, writerPolicy: stateful.timelineArchive.accessPolicy },
          'customer-archive': { bucket: stateful.lakeBucket, writerPolicy: stateful.timelineArchive.profilePolicy },
        },
        code,
        description: `CRM ${config.stage}: ${context} functions`,
      }),
    );
  }
  const functionOf = (name: string) => {
    for (const stack of contexts.values()) {
      const fn = stack.functions.get(name);
      if (fn) return fn;
    }
    throw new Error(`No function for manifest entry ${name}`);
  };
  const functionArnOf = (name: string): string => functionOf(name).functionArn;

  const identity = new IdentityStack(app, `${prefix}-Identity`, {
    config,
    triggers: manifest
      .filter((entry): entry is CognitoTriggerEntry => entry.kind === 'cognito-trigger')
      .map((entry) => ({ entry, functionArn: functionArnOf(entry.name), roleArn: functionOf(entry.name).roleArn })),
    description: `CRM ${config.stage}: Cognito user pool, groups, scopes and app clients`,
  });

  const api = new ApiStack(app, `${prefix}-Api`, {
    config,
    userPool: identity.userPool,
    routes: manifest
      .filter((entry): entry is HttpRouteEntry => entry.kind === 'http')
      .map((entry) => ({ entry, functionArn: functionArnOf(entry.name) })),
    description: `CRM ${config.stage}: REST API generated from the manifest`,
  });

  // Same switch as CDK's built-in template validation, so unit tests can skip both.
  if (process.env.CDK_VALIDATION !== 'false') {
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  }

  return { stateful, contexts, identity, api };
}

/** Manifest mistakes that would otherwise surface as odd CloudFormation errors at deploy time. */
export function assertManifestFitsInfra(manifest: readonly ManifestEntry[]): void {
  const problems: string[] = [];
  const seen = new Set<string>();
  const routes = new Set<string>();
  const triggers = new Set<string>();
  for (const entry of manifest) {
    // Names become construct ids and bundle folders.
    if (!/^[a-z][a-z0-9-]*$/.test(entry.name)) problems.push(`${entry.name}: name must be kebab-case`);
    if (seen.has(entry.name)) problems.push(`${entry.name}: duplicate name`);
    seen.add(entry.name);
    if (entry.kind === 'http') {
      const route = `${entry.method} ${entry.path}`;
      if (routes.has(route)) problems.push(`${entry.name}: duplicate route ${route}`);
      routes.add(route);
      if (entry.auth.type === 'jwt') {
        // A scope the resource server does not define could never be in a token: the route would be dead.
        for (const scope of entry.auth.scopes) {
          if (!QUALIFIED_CRM_SCOPES.includes(scope)) problems.push(`${entry.name}: unknown scope ${scope}`);
        }
        if (entry.auth.scopes.length === 0) problems.push(`${entry.name}: jwt routes need at least one scope`);
      }
    }
    if (entry.kind === 'cognito-trigger') {
      if (triggers.has(entry.trigger)) problems.push(`${entry.name}: a ${entry.trigger} trigger already exists`);
      triggers.add(entry.trigger);
    }
  }
  if (problems.length > 0) throw new Error(`The manifest does not fit the infrastructure:\n  ${problems.join('\n  ')}`);
}
