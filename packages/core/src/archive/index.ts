export * from './archive.keys';
export * from './archive-expired.use-case';
export * from './rehydrate.use-case';
export * from './reconcile-archive';
export * from './archive.schema';
export * from './archive-inactive-customers.use-case';
export { stubOf, rehydratedProfileOf, discardStaleArchivedProfile } from './customer-stub';
