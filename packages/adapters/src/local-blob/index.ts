/** Local blob store (a folder); no AWS imports, safe for the local runtime and tests. */
export { LocalBlobStore, createLocalBlobStore, DEFAULT_BLOB_URL_PATH, type LocalBlobStoreOptions, type SignedBlobRequest } from './local-blob-store';
