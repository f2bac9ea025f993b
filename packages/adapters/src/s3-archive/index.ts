export * from './s3-archive-store';
