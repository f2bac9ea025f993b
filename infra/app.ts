/**
 * CDK entry point (`cdk.json` → `npx tsx infra/app.ts`). Environment-agnostic: no account or
 * region lookups, so `cdk synth` works offline without credentials.
 */
import { App } from 'aws-cdk-lib';
import { manifest } from '@crm/manifest';
import { bundleFunctions } from './bundling/bundle-functions';
import { isBundlingRequested } from './bundling/function-code';
import { buildCrmApp } from './crm-app';

const app = new App();
// One esbuild run for all functions, skipped when the CLI needs no assets (e.g. `cdk list`).
const bundles = isBundlingRequested(app) ? await bundleFunctions({ manifest }) : undefined;
buildCrmApp(app, { manifest, bundles });
app.synth();
