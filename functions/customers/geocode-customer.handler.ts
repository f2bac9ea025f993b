import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { geocodeCustomer } from '@crm/core';
import { getContainer } from '@crm/runtime';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { geocodingOf } from './container-geocoding';

type Image = Record<string, AttributeValue>;

/**
 * Change-feed consumer: a customer whose address is new or changed gets `address.location` from the
 * geocoder — after its write has committed, so geocoding never blocks or fails a write. A timeout or
 * geocoder error becomes a batch item failure (the stream redelivers it); an open circuit is
 * acknowledged and skipped (the address is geocoded on its next change).
 */
export const handler = async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
  const container = getContainer();
  const deps = { store: container.store, clock: container.clock, ids: container.ids, geocoding: geocodingOf(container) };
  const batchItemFailures: Array<{ itemIdentifier: string }> = [];
  for (const record of event.Records) {
    const image = record.dynamodb?.NewImage;
    if ((record.eventName !== 'INSERT' && record.eventName !== 'MODIFY') || !image) continue;
    const newImage = unmarshall(image as Image);
    if (newImage.entity !== 'customer') continue;
    const old = record.dynamodb?.OldImage;
    try {
      const result = await geocodeCustomer(deps, { newImage, ...(old ? { oldImage: unmarshall(old as Image) } : {}) });
      if (result.action !== 'unavailable') continue;
      const detail = { tenantId: newImage.tenantId, customerId: newImage.id, reason: result.reason };
      if (result.reason === 'circuit_open') container.logger.warn('geocoding skipped: circuit open', detail);
      else throw new Error(`geocoder ${result.reason}`);
    } catch (error) {
      container.logger.error('geocoding failed', { error: error as Error, tenantId: newImage.tenantId, customerId: newImage.id });
      batchItemFailures.push({ itemIdentifier: record.dynamodb!.SequenceNumber! });
    }
  }
  return { batchItemFailures };
};
