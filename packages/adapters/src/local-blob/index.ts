/** Local blob store (a folder); no AWS imports, safe for the local runtime and tests. */
export { LocalBlobStore, createLocalBlobStore } from './local-blob-store';
