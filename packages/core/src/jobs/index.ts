export * from './job.schema';
export * from './job.keys';
export * from './job.repository';
export * from './job-runner';
export * from '../imports/csv-mapping';
export * from '../imports/import.schema';
export * from '../imports/import-job';
export * from '../imports/import.use-cases';
export * from '../exports/export.schema';
export * from '../exports/export-job';
export * from '../exports/export.use-cases';
import { importJobKind } from '../imports/import-job';
import { exportJobKind } from '../exports/export-job';
import { duplicateScanJobKind } from '../duplicates/duplicate-scan';
import { createJobRegistry, type JobKind } from './job-runner';

/** The job kinds this build runs; add a kind here (e.g. duplicate scans) and the runner picks it up. */
export const CORE_JOB_KINDS: readonly JobKind[] = [importJobKind, exportJobKind, duplicateScanJobKind];
export const defaultJobRegistry = () => createJobRegistry(CORE_JOB_KINDS);
