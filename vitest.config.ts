import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Servers and DynamoDB Local are started per file; two cores here, so keep parallelism modest.
    maxWorkers: 2,
    env: { CDK_DISABLE_CLI_TELEMETRY: 'true', POWERTOOLS_LOG_LEVEL: 'SILENT' },
  },
});
