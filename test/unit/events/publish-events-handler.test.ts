import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { marshall } from '@aws-sdk/util-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { beforeEach, describe, expect, it } from 'vitest';
import { SqliteTableStore, openSqliteDatabase } from '@crm/adapters/sqlite';
import { createLocalBlobStore } from '@crm/adapters/local-blob';
import { fieldEncryptionUnavailable, systemClock, type DomainEvent, type EventBus } from '@crm/core';
import { setContainer, ulidGenerator, type Container } from '@crm/runtime';
import type { DynamoDBRecord } from 'aws-lambda';
import { handler } from '../../../functions/events/publish-events.handler';
import { AwsEventBusConfig, eventBusFromEnv, localEventLogFile } from '../../../functions/events/container-events';

const ID = (n: number) => `01M88YXTM09W5QNPJ5S2E4FE${String(n).padStart(2, '0')}`;
const customer = (n: number, extra: Record<string, unknown> = {}) => ({
  entity: 'customer', tenantId: 'acme', id: ID(n), kind: 'person', name: `c${n}`, tags: [], ownerId: null, orgPath: '/', customFields: {},
  version: 1, createdAt: '2026-11-25T09:00:00.000Z', updatedAt: '2026-11-25T09:00:00.000Z', createdBy: 'a', updatedBy: 'a', ...extra,
});
const record = (seq: number, image: Record<string, unknown>): DynamoDBRecord => ({
  eventID: `ev-${seq}`, eventName: 'INSERT', eventSource: 'aws:dynamodb',
  dynamodb: { SequenceNumber: String(seq).padStart(21, '0'), ApproximateCreationDateTime: 1_764_061_200, NewImage: marshall(image, { removeUndefinedValues: true }) as never },
});

/** A bus that fails the events of the given subjects (what a throttled PutEvents leaves over). */
function busFailing(subjects: string[]): EventBus & { published: DomainEvent[] } {
  const published: DomainEvent[] = [];
  return {
    published,
    async publish(events) {
      const failed = events.filter((e) => subjects.includes(e.subject.id));
      published.push(...events.filter((e) => !failed.includes(e)));
      return { failed };
    },
  };
}

function install(eventBus: EventBus): void {
  const store = new SqliteTableStore({ db: openSqliteDatabase(':memory:'), clock: systemClock });
  const container: Container & { eventBus: EventBus } = {
    store, storeFor: async () => store, blobs: createLocalBlobStore(mkdtempSync(join(tmpdir(), 'crm-blobs-'))), encryptor: fieldEncryptionUnavailable,
    companyRegistry: { lookup: async () => undefined } as never, clock: systemClock, ids: ulidGenerator(), logger: new Logger({ logLevel: 'SILENT' }),
    assets: { read: () => undefined }, eventBus,
  };
  setContainer(container);
}

const seq = (n: number) => String(n).padStart(21, '0');

describe('publish-events stream handler', () => {
  let bus: ReturnType<typeof busFailing>;
  beforeEach(() => {
    bus = busFailing([ID(2)]);
    install(bus);
  });

  it('publishes the events of a batch in order and reports only the records whose events failed', async () => {
    const result = await handler({ Records: [record(1, customer(1)), record(2, customer(2)), record(3, customer(3)), record(4, { entity: 'audit', tenantId: 'acme', id: 'x' })] });
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: seq(2) }]);
    expect(bus.published.map((e) => [e.type, e.subject.id])).toEqual([['customer.created', ID(1)], ['customer.created', ID(3)]]);
  });

  it('reports a record that cannot be mapped, and the records after it, without losing the ones before', async () => {
    const broken = customer(5, { kind: 'alien' }); // fails the customer.created contract
    const result = await handler({ Records: [record(1, customer(1)), record(5, broken), record(6, customer(6))] });
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: seq(5) }, { itemIdentifier: seq(6) }]);
    expect(bus.published.map((e) => e.subject.id)).toEqual([ID(1)]);
  });

  it('reports nothing when every event is published', async () => {
    expect(await handler({ Records: [record(1, customer(1))] })).toEqual({ batchItemFailures: [] });
  });
});

describe('event bus selection', () => {
  it('needs EVENT_BUS_NAME in AWS and uses the local JSONL bus under the data folder otherwise', () => {
    expect(() => eventBusFromEnv({ CRM_RUNTIME: 'aws', AWS_REGION: 'eu-central-1' })).toThrow(/EVENT_BUS_NAME/);
    expect(AwsEventBusConfig.safeParse({ AWS_REGION: 'eu-central-1', EVENT_BUS_NAME: 'crm-dev' }).success).toBe(true);
    expect(localEventLogFile({ CRM_DATA_DIR: '/tmp/crm-x' })).toBe('/tmp/crm-x/events/events.jsonl');
    const dir = mkdtempSync(join(tmpdir(), 'crm-data-'));
    expect((eventBusFromEnv({ CRM_DATA_DIR: dir }) as { file?: string }).file).toBe(join(dir, 'events', 'events.jsonl'));
  });
});
