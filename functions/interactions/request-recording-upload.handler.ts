import { requestRecordingUpload, RequestRecordingInput } from '@crm/core';
import { httpRoute, json } from '@crm/runtime';
import { withAbsoluteUrls } from '../customers/job-http';
import { recordIdParam } from '../shared/record-id-param';
import { recordingDeps } from './recording-http';

/** A presigned PUT for a phone call's recording; the interaction references the object (status pending). */
export const handler = httpRoute({
  auth: 'jwt',
  permission: 'interactions:create',
  body: RequestRecordingInput,
  async handle({ ctx, body, params, headers, container }) {
    const out = await requestRecordingUpload(recordingDeps(container), ctx, recordIdParam(params, 'Interaction'), body);
    return json(201, withAbsoluteUrls(out, headers));
  },
});
