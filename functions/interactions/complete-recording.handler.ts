import { completeRecording } from '@crm/core';
import { httpRoute, json } from '@crm/runtime';
import { recordIdParam } from '../shared/record-id-param';
import { recordingDeps } from './recording-http';

/** Confirms the uploaded recording (checks the object and its size); then it can be downloaded. */
export const handler = httpRoute({
  auth: 'jwt',
  permission: 'interactions:create',
  async handle({ ctx, params, container }) {
    const recording = await completeRecording(recordingDeps(container), ctx, recordIdParam(params, 'Interaction'));
    return json(200, { recording });
  },
});
