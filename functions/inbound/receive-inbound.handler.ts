import { receiveInbound } from '@crm/core';
import { rawInboundRoute } from './inbound-http';

/** A signed channel webhook (web form, WeChat Work callback, call-centre CDR) → one interaction. */
export const handler = rawInboundRoute(async ({ tenantId, provider, rawBody, headers, query, requestId, sourceIp, container }) => {
  const { index: _index, interaction: _interaction, ...result } = await receiveInbound(container, tenantId, provider, {
    rawBody, headers, query, requestId, ...(sourceIp ? { sourceIp } : {}),
  });
  // WeChat Work expects a quick 200 with an empty body (anything else makes it retry).
  if (provider === 'wechat-work') return { statusCode: 200, headers: { 'content-type': 'text/plain', 'x-request-id': requestId }, body: '' };
  return {
    statusCode: result.status === 'duplicate' ? 200 : 202,
    headers: { 'content-type': 'application/json', 'x-request-id': requestId },
    body: JSON.stringify(result),
  };
});
