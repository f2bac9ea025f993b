import type { CrossTenantSample } from './sample';

/** Requests tenant B (and another team) sends at tenant A's pipelines and deals. */
export const dealSamples: Record<string, CrossTenantSample> = {
  'get-pipeline': { target: 'pipeline' },
  'replace-pipeline': { target: 'pipeline', body: { name: 'Hijacked', stages: [{ key: 'new', name: 'New', probability: 10 }] }, headers: { 'if-match': '"1"' } },
  'update-pipeline': { target: 'pipeline', body: { name: 'Hijacked' }, headers: { 'if-match': '"1"' } },
  'delete-pipeline': { target: 'pipeline' },
  'get-pipeline-board': { target: 'pipeline' },
  'get-deal': { target: 'deal' },
  'update-deal': { target: 'deal', body: { name: 'Hijacked' }, headers: { 'if-match': '"1"' } },
  'delete-deal': { target: 'deal' },
  'change-deal-stage': { target: 'deal', body: { stage: 'won', reason: 'hijack' } },
  'list-deal-history': { target: 'deal' },
};
