import * as z from 'zod';
import { AppError, notFound } from '../errors';
import type { SecuredContext } from '../access/access-policy';
import { auditEntryFrom, auditPutOperation, writeAudit } from '../audit/audit-entry';
import { requireVisibleCustomer } from '../customers/customer.repository';
import { PresignedRequestSchema } from '../jobs/job.schema';
import type { BlobTransferStore, PresignedRequest } from '../ports/blob-store.port';
import type { Clock } from '../ports/clock.port';
import type { IdGenerator } from '../ports/id-generator.port';
import { ConditionFailedError, TransactionConflictError, type Item, type TableStore } from '../ports/table-store.port';
import { interactionKeys } from './interaction.keys';
import { loadInteractionSettings } from './interaction-settings';

/**
 * Call recordings: audio attached to a `phone_call` interaction. The client asks for a presigned PUT
 * (`requestRecordingUpload`), uploads the bytes straight to the recordings bucket (S3 with SSE-KMS
 * and Object Lock in AWS, the local blob folder locally), confirms (`completeRecording`), and reads
 * it back through a short-lived presigned GET (`getRecordingDownload`, audited every time).
 * The interaction item holds `recording: { key, contentType, sizeBytes, status, retainUntil }`; the
 * object is locked until `retainUntil` (the tenant's `recordingRetentionDays`, default 365).
 */

/** Accepted audio types and the file extension of their object key. */
export const RECORDING_CONTENT_TYPES = { 'audio/mpeg': 'mp3', 'audio/wav': 'wav', 'audio/ogg': 'ogg', 'audio/mp4': 'm4a' } as const;
export type RecordingContentType = keyof typeof RECORDING_CONTENT_TYPES;
/** Largest recording accepted (a multi-hour call in compressed audio stays far below). */
export const MAX_RECORDING_BYTES = 500 * 1024 * 1024;
/** Presigned upload URLs live 15 minutes, downloads 5 (ask GET again for a fresh one). */
export const RECORDING_UPLOAD_SECONDS = 15 * 60;
export const RECORDING_DOWNLOAD_SECONDS = 5 * 60;

export const RequestRecordingInput = z.strictObject({
  contentType: z.enum(Object.keys(RECORDING_CONTENT_TYPES) as [RecordingContentType, ...RecordingContentType[]]),
  sizeBytes: z.number().int().min(1).max(MAX_RECORDING_BYTES),
  /** Base64 MD5 of the audio: signed into the upload URL (S3 stores only these bytes; Object Lock requires it). */
  contentMd5: z.string().regex(/^[A-Za-z0-9+/]{22}==$/, 'must be the base64 MD5 digest (24 characters)'),
}).meta({ id: 'RequestRecordingInput' });
export type RequestRecordingInput = z.infer<typeof RequestRecordingInput>;

export const RecordingRef = z.object({
  key: z.string(),
  contentType: z.string(),
  sizeBytes: z.number().int(),
  contentMd5: z.string().optional(),
  /** pending: upload URL issued; available: the object was uploaded and confirmed. */
  status: z.enum(['pending', 'available']),
  requestedAt: z.string(),
  completedAt: z.string().optional(),
  /**
   * The object is locked (Object Lock GOVERNANCE: no delete, no overwrite) until this instant:
   * requestedAt + the tenant's `recordingRetentionDays` (absent on recordings requested before
   * per-tenant retention existed: those have the bucket default).
   */
  retainUntil: z.string().optional(),
}).meta({ id: 'RecordingRef' });
export type RecordingRef = z.infer<typeof RecordingRef>;

export const RecordingUpload = z.object({ key: z.string(), upload: PresignedRequestSchema, recording: RecordingRef }).meta({ id: 'RecordingUpload' });
export const RecordingDownload = z.object({ key: z.string(), download: PresignedRequestSchema, recording: RecordingRef }).meta({ id: 'RecordingDownload' });

export interface RecordingDeps {
  store: TableStore;
  clock: Clock;
  ids: IdGenerator;
  /** The recordings bucket (AWS) or the local blob folder. */
  blobs: BlobTransferStore;
}

/** `recordings/tenant=<t>/<customerId>/<interactionId>.<ext>` (one object per interaction). */
export function recordingBlobKey(tenantId: string, customerId: string, interactionId: string, contentType: RecordingContentType): string {
  return `recordings/tenant=${tenantId}/${customerId}/${interactionId}.${RECORDING_CONTENT_TYPES[contentType]}`;
}

/**
 * A presigned PUT for the recording of a phone call (409 for other channels, and once a recording
 * is available: recordings are write-once). Asking again while pending replaces the pending request.
 * Audited (`interactions:attach-recording`) in the same transaction as the item update.
 */
export async function requestRecordingUpload(
  deps: RecordingDeps, ctx: SecuredContext, interactionId: string, input: RequestRecordingInput,
): Promise<{ key: string; upload: PresignedRequest; recording: RecordingRef }> {
  const item = await requireVisibleInteraction(deps.store, ctx, interactionId);
  if (item.channel !== 'phone_call') throw new AppError('conflict', 'Only phone_call interactions can have a recording', { channel: item.channel });
  const existing = item.recording as RecordingRef | undefined;
  if (existing?.status === 'available') throw new AppError('conflict', 'This interaction already has a recording (recordings are write-once)');
  const { tenantId } = ctx.principal;
  const key = recordingBlobKey(tenantId, item.customerId as string, interactionId, input.contentType);
  const now = deps.clock.now();
  const { recordingRetentionDays } = await loadInteractionSettings(deps.store, tenantId);
  const retainUntil = new Date(now.getTime() + recordingRetentionDays * 86_400_000).toISOString();
  const recording: RecordingRef = {
    key, contentType: input.contentType, sizeBytes: input.sizeBytes, contentMd5: input.contentMd5, status: 'pending', requestedAt: now.toISOString(), retainUntil,
  };
  await saveRecording(deps, item, recording, auditPutOperation(auditEntryFrom(ctx, {
    action: 'interactions:attach-recording', resource: 'interaction', resourceId: interactionId,
    detail: { customerId: item.customerId, key, contentType: input.contentType, sizeBytes: input.sizeBytes, stage: 'requested', retainUntil },
  }, deps.clock, deps.ids)));
  // The tenant's retention travels with the upload (signed lock headers), overriding the bucket default.
  const upload = await deps.blobs.presignUpload(key, {
    contentType: input.contentType, expiresInSeconds: RECORDING_UPLOAD_SECONDS, contentMd5: input.contentMd5, retention: { mode: 'GOVERNANCE', retainUntil },
  });
  return { key, upload, recording };
}

/** Marks an uploaded recording available (409 while nothing, or not the announced size, was uploaded). */
export async function completeRecording(deps: RecordingDeps, ctx: SecuredContext, interactionId: string): Promise<RecordingRef> {
  const item = await requireVisibleInteraction(deps.store, ctx, interactionId);
  const pending = item.recording as RecordingRef | undefined;
  if (!pending) throw new AppError('conflict', 'Request a recording upload first');
  if (pending.status === 'available') return pending;
  const size = await deps.blobs.size(pending.key);
  if (size === undefined) throw new AppError('conflict', 'Upload the recording to the upload URL first');
  if (size !== pending.sizeBytes) throw new AppError('conflict', `The uploaded recording has ${size} bytes, ${pending.sizeBytes} were announced`, { sizeBytes: size });
  const recording: RecordingRef = { ...pending, status: 'available', completedAt: deps.clock.now().toISOString() };
  await saveRecording(deps, item, recording, auditPutOperation(auditEntryFrom(ctx, {
    action: 'interactions:attach-recording', resource: 'interaction', resourceId: interactionId,
    detail: { customerId: item.customerId, key: pending.key, sizeBytes: size, stage: 'completed' },
  }, deps.clock, deps.ids)));
  return recording;
}

/**
 * A presigned GET of the recording for a caller who may see the customer; every download link
 * handed out is audited (`interactions:read-recording`). 404 when the interaction has none, 409
 * while the upload is not confirmed.
 */
export async function getRecordingDownload(
  deps: RecordingDeps, ctx: SecuredContext, interactionId: string,
): Promise<{ key: string; download: PresignedRequest; recording: RecordingRef }> {
  const item = await requireVisibleInteraction(deps.store, ctx, interactionId);
  const recording = item.recording as RecordingRef | undefined;
  if (!recording) throw notFound(`Recording of interaction ${interactionId}`);
  if (recording.status !== 'available') throw new AppError('conflict', 'The recording upload has not been completed');
  await writeAudit(deps.store, auditEntryFrom(ctx, {
    action: 'interactions:read-recording', resource: 'interaction', resourceId: interactionId,
    detail: { customerId: item.customerId, key: recording.key },
  }, deps.clock, deps.ids));
  const ext = recording.key.slice(recording.key.lastIndexOf('.') + 1);
  const download = await deps.blobs.presignDownload(recording.key, { expiresInSeconds: RECORDING_DOWNLOAD_SECONDS, filename: `call-${interactionId}.${ext}` });
  return { key: recording.key, download, recording };
}

/**
 * The timeline item of an interaction the caller may see: locator → customer (data scope, as the
 * timeline; a merged customer answers with its survivor, whose partition the merge moves the item
 * to under the same sort key) → item. Unknown id, another tenant's or another team's interaction,
 * a deleted customer: 404 alike.
 */
export async function requireVisibleInteraction(store: TableStore, ctx: SecuredContext, interactionId: string): Promise<Item> {
  const { tenantId } = ctx.principal;
  const locator = await store.get(interactionKeys.locator(tenantId, interactionId));
  if (!locator) throw notFound(`Interaction ${interactionId}`);
  const recordedOn = locator.customerId as string;
  let customerId: string;
  try {
    customerId = (await requireVisibleCustomer(store, ctx, recordedOn, { followMerged: true })).id;
  } catch (error) {
    if (error instanceof AppError && error.code === 'not_found') throw notFound(`Interaction ${interactionId}`);
    throw error;
  }
  // The survivor's partition first; the original one while a merge is still moving items (or after an undo).
  for (const owner of [...new Set([customerId, recordedOn])]) {
    const item = await store.get({ pk: interactionKeys.timelinePartition(tenantId, owner), sk: locator.timelineSk as string }, { consistent: true });
    if (item) return item;
  }
  throw notFound(`Interaction ${interactionId}`);
}

async function saveRecording(deps: RecordingDeps, item: Item, recording: RecordingRef, audit: ReturnType<typeof auditPutOperation>): Promise<void> {
  const current = item.recording as RecordingRef | undefined;
  try {
    await deps.store.transact([
      {
        type: 'put', item: { ...item, recording, recordingRequestedAt: recording.requestedAt },
        // Optimistic: nobody changed the recording since it was read.
        condition: current ? { kind: 'equals', attribute: 'recordingRequestedAt', value: current.requestedAt } : { kind: 'exists' },
      },
      audit,
    ]);
  } catch (error) {
    if (error instanceof ConditionFailedError || error instanceof TransactionConflictError) {
      throw new AppError('conflict', 'The recording was changed concurrently; try again');
    }
    throw error;
  }
}
