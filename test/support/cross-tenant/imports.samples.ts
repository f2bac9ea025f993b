import type { CrossTenantSample } from './sample';

/**
 * Import/export id routes. The matrix calls them with tenant A's record ids; test/e2e/imports.test.ts
 * also calls them with real job ids of another tenant and of another user of the same tenant.
 */
export const importSamples: Record<string, CrossTenantSample> = {
  'start-import': {},
  'get-import': {},
  'get-export': {},
};
