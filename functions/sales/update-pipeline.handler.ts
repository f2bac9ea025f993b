import { UpdatePipelineInput, updatePipeline } from '@crm/core';
import { httpRoute } from '@crm/runtime';
import { pipelineIdParam, pipelineResponse } from './pipeline-http';

export const handler = httpRoute({
  auth: 'jwt',
  permission: 'deals:manage',
  body: UpdatePipelineInput,
  async handle({ ctx, params, body, headers, container }) {
    return pipelineResponse(200, await updatePipeline(container, ctx, pipelineIdParam(params), body, headers['if-match']));
  },
});
