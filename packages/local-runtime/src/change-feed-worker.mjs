// Entry of the change-feed worker thread: registers tsx's loader in this thread (loader hooks of
// the starting thread do not carry over to workers on Node 20), then runs the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./change-feed-worker.ts');
