import { createPipeline, PipelineInput } from '@crm/core';
import { httpRoute } from '@crm/runtime';
import { pipelineResponse } from './pipeline-http';

export const handler = httpRoute({
  auth: 'jwt',
  permission: 'deals:manage',
  body: PipelineInput,
  async handle({ ctx, body, container }) {
    return pipelineResponse(201, await createPipeline(container, ctx, body));
  },
});
