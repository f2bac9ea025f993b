import { getRecordingDownload } from '@crm/core';
import { httpRoute, json } from '@crm/runtime';
import { withAbsoluteUrls } from '../customers/job-http';
import { recordIdParam } from '../shared/record-id-param';
import { recordingDeps } from './recording-http';

/** A short-lived presigned GET of the recording (data scope of the customer; audited). */
export const handler = httpRoute({
  auth: 'jwt',
  permission: 'interactions:read',
  async handle({ ctx, params, headers, container }) {
    const out = await getRecordingDownload(recordingDeps(container), ctx, recordIdParam(params, 'Interaction'));
    return json(200, withAbsoluteUrls(out, headers));
  },
});
