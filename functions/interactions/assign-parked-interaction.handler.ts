import { AssignParkedInput, assignParkedInteraction, maskInteraction } from '@crm/core';
import { httpRoute, json } from '@crm/runtime';
import { recordIdParam } from '../shared/record-id-param';

/** Assigns a parked interaction to a customer the caller may see; answers the recorded interaction. */
export const handler = httpRoute({
  auth: 'jwt',
  permission: 'interactions:create',
  body: AssignParkedInput,
  async handle({ ctx, body, params, container }) {
    const interaction = await assignParkedInteraction(container, ctx, recordIdParam(params, 'Parked interaction'), body);
    return json(200, maskInteraction(ctx.access, interaction));
  },
});
