import { InboundProviderSchema, notFound, PutInboundSettingsInput, rotateInboundSecret } from '@crm/core';
import { httpRoute, json } from '@crm/runtime';

/** Creates or rotates the tenant's inbound secret of one provider; the answer is the only time it is shown. */
export const handler = httpRoute({
  auth: 'jwt',
  permission: 'settings:manage',
  body: PutInboundSettingsInput,
  async handle({ ctx, body, params, container }) {
    const provider = InboundProviderSchema.safeParse(params.provider);
    if (!provider.success) throw notFound(`Inbound provider ${params.provider}`);
    const view = await rotateInboundSecret(container, ctx, provider.data, body);
    return json(200, view, { 'cache-control': 'no-store' });
  },
});
