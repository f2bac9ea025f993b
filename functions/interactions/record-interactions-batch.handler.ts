import { InteractionBatchInput, recordInteractionBatch } from '@crm/core';
import { httpRoute, json } from '@crm/runtime';

/** Up to 500 interactions; always 200 with a result per item (400 only for a malformed envelope). */
export const handler = httpRoute({
  auth: 'jwt',
  permission: 'interactions:create',
  body: InteractionBatchInput,
  async handle({ ctx, body, headers, container }) {
    const idempotencyKey = headers['idempotency-key'];
    return json(200, await recordInteractionBatch(container, ctx, body, idempotencyKey !== undefined ? { idempotencyKey } : {}));
  },
});
