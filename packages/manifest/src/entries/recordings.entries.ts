import type { ManifestEntry } from '../manifest.types';
import { jwtRoute, SCOPES } from './route-builder';

const recordings = (): { context: 'interactions'; buckets: ['recordings'] } => ({ context: 'interactions', buckets: ['recordings'] });

/** Call recordings of phone_call interactions: presigned upload, confirmation, audited download. */
export const recordingEntries: ManifestEntry[] = [
  jwtRoute('interactions', 'request-recording-upload', 'POST', '/v1/interactions/{id}/recording', "A presigned upload for a phone call's recording (the interaction references the object)",
    { ...recordings(), table: 'read-write', scopes: SCOPES.customersWrite, permission: 'interactions:create' }),
  jwtRoute('interactions', 'complete-recording', 'POST', '/v1/interactions/{id}/recording/complete', 'Confirm an uploaded recording (checks the object and its size)',
    { ...recordings(), table: 'read-write', scopes: SCOPES.customersWrite, permission: 'interactions:create' }),
  jwtRoute('interactions', 'get-recording', 'GET', '/v1/interactions/{id}/recording', 'A short-lived download link of the recording (data scope of the customer; audited)',
    // Writes the audit record of the read.
    { ...recordings(), table: 'read-write', scopes: SCOPES.customersRead, permission: 'interactions:read' }),
];
