import * as z from 'zod';
import { RecordId, RecordingDownload, RecordingRef, RecordingUpload, RequestRecordingInput } from '@crm/core';
import type { RouteDoc } from '../route-doc';

const IdParams = z.object({ id: RecordId.describe('Interaction id') });

/** Call recordings of phone_call interactions. */
export const recordingDocs: Record<string, RouteDoc> = {
  'request-recording-upload': { params: IdParams, body: RequestRecordingInput, ok: { 201: RecordingUpload }, errors: [400, 403, 404, 409, 415] },
  'complete-recording': { params: IdParams, ok: { 200: z.object({ recording: RecordingRef }).meta({ id: 'RecordingCompleted' }) }, errors: [403, 404, 409] },
  'get-recording': { params: IdParams, ok: { 200: RecordingDownload }, errors: [403, 404, 409] },
};
