import { etagOf, type Pipeline } from '@crm/core';
import { json, type HttpResult } from '@crm/runtime';
import { recordIdParam } from '../shared/record-id-param';

/** The pipeline `{id}` path parameter (404 when malformed). */
export function pipelineIdParam(params: Record<string, string>): string {
  return recordIdParam(params, 'Pipeline');
}

/** A pipeline with its ETag (send it back as If-Match to change the pipeline). */
export function pipelineResponse(status: number, pipeline: Pipeline): HttpResult {
  return json(status, pipeline, { etag: etagOf(pipeline.version) });
}
