import { listParkedInteractions, maskInteraction, ParkedInteractionQuery, type Interaction } from '@crm/core';
import { httpRoute, json } from '@crm/runtime';

/** Interactions parked for an unknown identity (tenant policy `park`), newest first. */
export const handler = httpRoute({
  auth: 'jwt',
  permission: 'interactions:read',
  query: ParkedInteractionQuery,
  async handle({ ctx, query, container }) {
    const page = await listParkedInteractions(container, ctx, query);
    // The role's interaction field rules (e.g. a hidden payload.text) apply to parked items too.
    return json(200, { ...page, items: page.items.map((i) => maskInteraction(ctx.access, i as unknown as Interaction)) });
  },
});
