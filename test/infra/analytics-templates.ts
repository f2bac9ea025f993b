import type { Template } from 'aws-cdk-lib/assertions';
import { synthCrm } from './synth-crm';

/** The templates the analytics infra tests read: the stateful stack (lake bucket, Glue, policies) and the Analytics context stack. */
export interface AnalyticsTemplates {
  stateful: Template;
  analytics: Template;
}

/** Synthesizes the app (call it once per test file, in beforeAll) and picks the analytics-related templates. */
export function synthAnalyticsTemplates(): AnalyticsTemplates {
  const { templates } = synthCrm();
  return { stateful: templates.get('Crm-dev-Stateful')!, analytics: templates.get('Crm-dev-Analytics')! };
}
