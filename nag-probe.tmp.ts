import { App } from 'aws-cdk-lib';
import { buildCrmApp } from './infra/crm-app';
import ctx from './cdk.json' with { type: 'json' };
const app = new App({ outdir: '/tmp/nagtest/out3', context: ctx.context, postCliContext: { 'aws:cdk:bundling-stacks': [] } });
buildCrmApp(app);
try { app.synth(); } catch (e) { console.log('THROWN', String(e).slice(0, 3000)); }
