import { parentPort, workerData } from 'node:worker_threads';
import { manifest } from '@crm/manifest';
import { setContainer } from '@crm/runtime';
import type { LocalConfig } from './local-config';
import { createLocalRuntime } from './local-container';
import type { ChangeFeedReply, ChangeFeedRequest } from './change-feed-host';

/**
 * The change-feed worker thread (CRM_CHANGE_FEED=worker): the same composition root as the server
 * with its own SQLite connection, running the manifest's stream consumers and the TTL sweeper —
 * the local counterpart of Lambda's event source mappings running apart from the API. The server
 * thread posts `notify` after its commits, `drain` for tests and `stop` on shutdown.
 */
const { config, repoRoot } = workerData as { config: LocalConfig; repoRoot: string };
const port = parentPort!;
const reply = (message: ChangeFeedReply) => port.postMessage(message);

try {
  const runtime = await createLocalRuntime({ ...config, CRM_CHANGE_FEED: 'in-process' }, manifest, repoRoot);
  setContainer(runtime.container);
  runtime.changeFeed.start();
  port.on('message', (message: ChangeFeedRequest) => {
    if (message.type === 'notify') runtime.changeFeed.notify();
    else if (message.type === 'drain' || message.type === 'run-schedules') {
      (message.type === 'drain' ? runtime.changeFeed.drain() : runtime.changeFeed.runSchedules()).then(
        () => reply({ type: 'drained', id: message.id }),
        (error: unknown) => reply({ type: 'drained', id: message.id, error: error instanceof Error ? error.message : String(error) }),
      );
    } else if (message.type === 'stop') {
      void runtime.close().finally(() => reply({ type: 'stopped' }));
    }
  });
  reply({ type: 'ready' });
} catch (error) {
  reply({ type: 'failed', error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
}
