/** S3 adapters. Imported by Lambda bundles; nothing here may reach SQLite or local folders. */
export { S3BlobStore, createS3BlobStore, contentDisposition, type S3BlobStoreOptions } from './s3-blob-store';
