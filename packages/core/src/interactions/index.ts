export * from './channels';
export * from './interaction.keys';
export * from './interaction.schema';
export * from './interaction-settings';
export { resolveIdentity, identityPhone, type IdentityMatch } from './resolve-identity';
export {
  recordInteraction, recordInteractionBatch, loadIngestionConfig, timelineItem, locatorItem, CLIENT_ID_TTL_SECONDS,
  type InteractionDeps, type IngestionConfig, type RecordedInteraction,
} from './record-interaction.use-case';
export { getTimeline, toInteraction, maskInteraction } from './timeline.use-case';
export {
  requestRecordingUpload, completeRecording, getRecordingDownload, requireVisibleInteraction, recordingBlobKey,
  RequestRecordingInput, RecordingRef, RecordingUpload, RecordingDownload, RECORDING_CONTENT_TYPES, MAX_RECORDING_BYTES,
  type RecordingDeps, type RecordingContentType,
} from './recording.use-cases';
export {
  listParkedInteractions, assignParkedInteraction, discardParkedInteraction,
  ParkedInteraction, ParkedInteractionQuery, ParkedInteractionPage, AssignParkedInput, type ParkedInteractionDeps,
} from './parked-interactions.use-cases';
export * from './timeline-entries';
