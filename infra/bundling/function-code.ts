import { Stack } from 'aws-cdk-lib';
import { Code } from 'aws-cdk-lib/aws-lambda';
import { BUNDLING_STACKS } from 'aws-cdk-lib/cx-api';
import type { Construct } from 'constructs';
import type { ManifestEntry } from '@crm/manifest';
import type { FunctionBundles } from './bundle-functions';

/** Stands in for a bundle when the CLI (or a unit test) says no stack needs bundling. */
const PLACEHOLDER_SOURCE =
  "exports.handler = async () => { throw new Error('Synthesized without bundling; run cdk synth/deploy to get real code'); };";

/**
 * True unless the CLI asked for no bundling at all (`aws:cdk:bundling-stacks` = []), e.g. unit
 * tests or `cdk list`. Decided once for the app because all entries share one esbuild run.
 */
export function isBundlingRequested(scope: Construct): boolean {
  const patterns: unknown = scope.node.tryGetContext(BUNDLING_STACKS) ?? ['**'];
  return Array.isArray(patterns) && patterns.length > 0;
}

/** Picks each function's code: its bundle folder, or a placeholder for stacks that skip bundling. */
export class FunctionCodeSource {
  constructor(private readonly bundles: FunctionBundles | undefined) {}

  codeFor(scope: Construct, entry: ManifestEntry): Code {
    if (!Stack.of(scope).bundlingRequired) return Code.fromInline(PLACEHOLDER_SOURCE);
    if (!this.bundles) {
      throw new Error(`Stack ${Stack.of(scope).stackName} needs bundling but no bundles were built (see infra/app.ts)`);
    }
    return Code.fromAsset(this.bundles.folderFor(entry.name));
  }
}
