import { archivePipeline } from '@crm/core';
import { httpRoute } from '@crm/runtime';
import { pipelineIdParam } from './pipeline-http';

export const handler = httpRoute({
  auth: 'jwt',
  permission: 'deals:manage',
  async handle({ ctx, params, headers, container }) {
    await archivePipeline(container, ctx, pipelineIdParam(params), headers['if-match']);
    return { status: 204 };
  },
});
