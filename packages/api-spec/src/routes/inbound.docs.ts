import * as z from 'zod';
import { InboundProviderSchema, InboundSecretView, InteractionResult, PutInboundSettingsInput } from '@crm/core';
import type { RouteDoc } from '../route-doc';

const InboundParams = z.object({ tenant: z.string().describe('Tenant id'), provider: InboundProviderSchema });
const Signed = z.object({
  'x-timestamp': z.string().optional().describe('web-form, call-center-cdr: Unix seconds; older than 5 minutes is refused'),
  'x-signature': z.string().optional().describe('web-form, call-center-cdr: hex HMAC-SHA256(secret, "<x-timestamp>.<raw body>")'),
});
const WechatQuery = z.object({
  msg_signature: z.string().optional().describe('wechat-work: sha1 of sorted token, timestamp, nonce, Encrypt'),
  timestamp: z.string().optional(), nonce: z.string().optional(),
});
const Received = InteractionResult.omit({ index: true }).meta({ id: 'InboundResult' });

/** Inbound channel webhooks. */
export const inboundDocs: Record<string, RouteDoc> = {
  'receive-inbound': {
    params: InboundParams, headers: Signed, query: WechatQuery,
    body: z.record(z.string(), z.unknown()).describe('web-form / call-center-cdr JSON, or WeChat Work callback XML').meta({ id: 'InboundWebhookBody' }),
    ok: { 202: Received, 200: Received }, errors: [400, 401, 404, 413],
  },
  'verify-inbound': { params: InboundParams, query: WechatQuery.extend({ echostr: z.string().optional() }), ok: { 200: z.string() }, errors: [401, 404] },
  'put-inbound-settings': { params: z.object({ provider: InboundProviderSchema }), body: PutInboundSettingsInput, ok: { 200: InboundSecretView }, errors: [400, 403, 404, 415] },
};
