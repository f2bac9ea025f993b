import * as z from 'zod';
import { CreateWebhookInput, Delivery, ListDeliveriesQuery, ListWebhooksQuery, RecordId, UpdateWebhookInput, Webhook } from '@crm/core';
import type { RouteDoc } from '../route-doc';

const IdParams = z.object({ id: RecordId });
const WebhookDoc = Webhook.meta({ id: 'Webhook' });
const WebhookWithSecretDoc = Webhook.extend({
  /** `whsec_` + base64 of 32 bytes: the HMAC key of the Standard Webhooks signature. Shown only here. */
  secret: z.string(),
}).meta({ id: 'WebhookWithSecret' });
const DeliveryDoc = Delivery.meta({ id: 'WebhookDelivery' });

export const webhookDocs: Record<string, RouteDoc> = {
  'create-webhook': { body: CreateWebhookInput, ok: { 201: WebhookWithSecretDoc }, errors: [400] },
  'list-webhooks': { query: ListWebhooksQuery, ok: { 200: z.object({ items: z.array(WebhookDoc), next: z.string().nullable() }) }, errors: [400] },
  'get-webhook': { params: IdParams, ok: { 200: WebhookDoc }, errors: [404] },
  'update-webhook': { params: IdParams, body: UpdateWebhookInput, ok: { 200: WebhookDoc }, errors: [400, 404, 409] },
  'delete-webhook': { params: IdParams, ok: { 204: undefined }, errors: [404] },
  'rotate-webhook-secret': { params: IdParams, ok: { 200: WebhookWithSecretDoc }, errors: [404, 409] },
  'list-webhook-deliveries': {
    params: IdParams, query: ListDeliveriesQuery,
    ok: { 200: z.object({ items: z.array(DeliveryDoc), next: z.string().nullable() }) }, errors: [400, 404],
  },
  'replay-webhook-delivery': { params: z.object({ id: RecordId, deliveryId: RecordId }), ok: { 200: DeliveryDoc }, errors: [404, 409] },
};
