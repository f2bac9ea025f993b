export * from './channels';
export * from './interaction.keys';
export * from './interaction.schema';
export * from './interaction-settings';
export { resolveIdentity, identityPhone, type IdentityMatch } from './resolve-identity';
export {
  recordInteraction, recordInteractionBatch, loadIngestionConfig, timelineItem, CLIENT_ID_TTL_SECONDS,
  type InteractionDeps, type IngestionConfig, type RecordedInteraction,
} from './record-interaction.use-case';
export { getTimeline, toInteraction, maskInteraction } from './timeline.use-case';
