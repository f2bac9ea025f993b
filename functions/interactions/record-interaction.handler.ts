import { InteractionInput, maskInteraction, recordInteraction } from '@crm/core';
import { httpRoute, json } from '@crm/runtime';

const STATUS = { created: 201, duplicate: 200, parked: 202 } as const;

/** One interaction; the Idempotency-Key header stands in for a missing `clientId`. */
export const handler = httpRoute({
  auth: 'jwt',
  permission: 'interactions:create',
  body: InteractionInput,
  async handle({ ctx, body, headers, container }) {
    const idempotencyKey = headers['idempotency-key'];
    const input = body.clientId === undefined && idempotencyKey !== undefined ? { ...body, clientId: idempotencyKey } : body;
    const { index: _index, interaction, ...result } = await recordInteraction(container, ctx, input);
    const answer = interaction ? { ...result, interaction: maskInteraction(ctx.access, interaction) } : result;
    return json(STATUS[result.status as keyof typeof STATUS] ?? 200, answer);
  },
});
