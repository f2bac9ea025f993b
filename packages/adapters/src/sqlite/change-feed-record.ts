import { createHash } from 'node:crypto';
import { marshall } from '@aws-sdk/util-dynamodb';
import { KEY_ATTRIBUTES } from '@crm/core';
import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';
import { itemSizeBytes } from '../shared/table-store-rules';

/** Stream ARN the local change feed reports, shaped like a real table stream ARN. */
export const LOCAL_STREAM_ARN = 'arn:aws:dynamodb:local:000000000000:table/crm/stream/local';

/** A `changelog` row as the SQLite table store writes it. */
export interface ChangelogRow {
  seq: number;
  event_name: 'INSERT' | 'MODIFY' | 'REMOVE';
  pk: string;
  sk: string;
  /** The item's `entity` attribute (null when it has none, or for rows older than the column). */
  entity?: string | null;
  new_image: string | null;
  old_image: string | null;
  created_at_ms: number;
  user_identity: string | null;
}

/** Width of DynamoDB Streams sequence numbers (e.g. "000000000000000000042"). */
const SEQUENCE_NUMBER_DIGITS = 21;

/**
 * Formats a changelog sequence as a stream SequenceNumber: a zero-padded decimal string, so string
 * order equals numeric order, as with real sequence numbers of one shard.
 */
export function formatSequenceNumber(seq: number): string {
  return String(seq).padStart(SEQUENCE_NUMBER_DIGITS, '0');
}

/** Inverse of `formatSequenceNumber`; NaN for anything that is not one. */
export function parseSequenceNumber(sequenceNumber: unknown): number {
  return typeof sequenceNumber === 'string' && /^\d+$/.test(sequenceNumber)
    ? Number(sequenceNumber)
    : Number.NaN;
}

type AttributeMap = Record<string, AttributeValue>;

function toAttributeMap(json: string): AttributeMap {
  // The stream carries AttributeValue maps, exactly as Lambda hands them to stream handlers
  // (which unmarshall them with @aws-sdk/util-dynamodb).
  return marshall(JSON.parse(json) as Record<string, unknown>, {
    removeUndefinedValues: true,
  }) as AttributeMap;
}

/**
 * Builds the record Lambda would deliver for a changelog row of a NEW_AND_OLD_IMAGES stream.
 * `SizeBytes` follows DynamoDB's item-size arithmetic over keys and images (an approximation).
 */
export function toStreamRecord(row: ChangelogRow, streamArn: string = LOCAL_STREAM_ARN): DynamoDBRecord {
  const keys = { [KEY_ATTRIBUTES.pk]: row.pk, [KEY_ATTRIBUTES.sk]: row.sk };
  const newImage = row.new_image === null ? undefined : toAttributeMap(row.new_image);
  const oldImage = row.old_image === null ? undefined : toAttributeMap(row.old_image);
  const sizeBytes =
    itemSizeBytes(keys) +
    (row.new_image === null ? 0 : itemSizeBytes(JSON.parse(row.new_image) as Record<string, unknown>)) +
    (row.old_image === null ? 0 : itemSizeBytes(JSON.parse(row.old_image) as Record<string, unknown>));
  const record: DynamoDBRecord = {
    // Stable per row, so a redelivered record carries the same eventID (as Lambda retries do).
    eventID: createHash('md5').update(`${streamArn}#${row.seq}`).digest('hex'),
    eventName: row.event_name,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'local',
    dynamodb: {
      ApproximateCreationDateTime: Math.floor(row.created_at_ms / 1000),
      Keys: marshall(keys) as AttributeMap,
      ...(newImage ? { NewImage: newImage } : {}),
      ...(oldImage ? { OldImage: oldImage } : {}),
      SequenceNumber: formatSequenceNumber(row.seq),
      SizeBytes: sizeBytes,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
    eventSourceARN: streamArn,
  };
  if (row.user_identity !== null) record.userIdentity = JSON.parse(row.user_identity) as unknown;
  return record;
}
