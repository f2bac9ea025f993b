/**
 * Synthesizes the CRM app in-process the way the CLI would (cdk.json context merged in), but
 * without bundling, so infra tests run in seconds and need no handler build.
 */
import { readFileSync } from 'node:fs';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { ManifestEntry } from '@crm/manifest';
import { buildCrmApp, type CrmStacks } from '../../infra/crm-app';

const CDK_JSON = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as { context: Record<string, unknown> };

export interface SynthOptions {
  manifest?: readonly ManifestEntry[];
  context?: Record<string, unknown>;
  /** Run cdk-nag (off by default: most tests only look at templates). */
  validation?: boolean;
}

export interface SynthResult {
  app: App;
  stacks: CrmStacks;
  /** Template per stack name (`Crm-dev-Api`, ...). */
  templates: Map<string, Template>;
}

export function synthCrm(options: SynthOptions = {}): SynthResult {
  // `new App()` outside the CLI ignores cdk.json, so its context (feature flags) is merged here.
  const app = new App({
    context: { ...CDK_JSON.context, ...options.context },
    postCliContext: { 'aws:cdk:bundling-stacks': [] },
  });
  const previous = process.env.CDK_VALIDATION;
  process.env.CDK_VALIDATION = options.validation ? 'true' : 'false';
  try {
    const stacks = buildCrmApp(app, { manifest: options.manifest });
    const all: Stack[] = [stacks.stateful, ...stacks.contexts.values(), stacks.identity, stacks.api];
    const templates = new Map<string, Template>();
    if (!options.validation) for (const stack of all) templates.set(stack.stackName, Template.fromStack(stack));
    return { app, stacks, templates };
  } finally {
    if (previous === undefined) delete process.env.CDK_VALIDATION;
    else process.env.CDK_VALIDATION = previous;
  }
}

type CfnResource = { Type: string; Properties?: Record<string, unknown>; DependsOn?: string[] };

/** Resources of one template as a plain object (logical id → resource). */
export function resourcesOf(template: Template, type?: string): Record<string, CfnResource> {
  const resources = template.toJSON().Resources as Record<string, CfnResource>;
  if (!type) return resources;
  return Object.fromEntries(Object.entries(resources).filter(([, resource]) => resource.Type === type));
}

/** The tag value of a resource's `Tags` list, if any. */
export function tagOf(resource: CfnResource, key: string): string | undefined {
  const tags = (resource.Properties?.Tags ?? []) as Array<{ Key: string; Value: string }>;
  return tags.find((tag) => tag.Key === key)?.Value;
}

/**
 * Cross-stack references inside a JSON value, as `<stack>:<name>`: strong ones (`Fn::ImportValue`
 * of an export, whose name starts with the producing stack) and weak ones (`Fn::GetStackOutput`).
 */
export function crossStackReferences(value: unknown): string[] {
  const found: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      for (const [key, child] of Object.entries(node)) {
        if (key === 'Fn::ImportValue' && typeof child === 'string') found.push(child);
        else if (key === 'Fn::GetStackOutput') {
          const { StackName, OutputName } = child as { StackName: string; OutputName: string };
          found.push(`${StackName}:${OutputName}`);
        } else walk(child);
      }
    }
  };
  walk(value);
  return found;
}

/** Reconstructs each `AWS::ApiGateway::Resource`'s full path from PathPart/ParentId. */
export function resourcePaths(apiTemplate: Template): Map<string, string> {
  const resources = resourcesOf(apiTemplate, 'AWS::ApiGateway::Resource');
  const paths = new Map<string, string>();
  const pathOf = (logicalId: string): string => {
    const cached = paths.get(logicalId);
    if (cached) return cached;
    const properties = resources[logicalId]!.Properties as { PathPart: string; ParentId: unknown };
    const parent = properties.ParentId as { Ref?: string; 'Fn::GetAtt'?: [string, string] };
    // The root resource is referenced as the RestApi's RootResourceId attribute.
    const parentPath = parent.Ref ? pathOf(parent.Ref) : '';
    const path = `${parentPath}/${properties.PathPart}`;
    paths.set(logicalId, path);
    return path;
  };
  for (const logicalId of Object.keys(resources)) pathOf(logicalId);
  return paths;
}

/** Every IAM policy statement in a template, with the logical id of its policy. */
export function policyStatements(template: Template): Array<{ policy: string; Action: string[]; Resource: unknown }> {
  const statements: Array<{ policy: string; Action: string[]; Resource: unknown }> = [];
  for (const [policy, resource] of Object.entries(resourcesOf(template, 'AWS::IAM::Policy'))) {
    const document = resource.Properties!.PolicyDocument as { Statement: Array<{ Action: string | string[]; Resource: unknown }> };
    for (const statement of document.Statement) {
      statements.push({ policy, Action: [statement.Action].flat(), Resource: statement.Resource });
    }
  }
  return statements;
}
