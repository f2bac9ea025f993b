import { getPipeline } from '@crm/core';
import { httpRoute } from '@crm/runtime';
import { pipelineIdParam, pipelineResponse } from './pipeline-http';

export const handler = httpRoute({
  auth: 'jwt',
  permission: 'deals:read',
  async handle({ ctx, params, container }) {
    return pipelineResponse(200, await getPipeline(container, ctx, pipelineIdParam(params)));
  },
});
