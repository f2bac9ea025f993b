import { verifyWechatCallbackUrl } from '@crm/core';
import { rawInboundRoute } from './inbound-http';

/** WeChat Work's callback URL check: answers the decrypted `echostr` when the signature holds. */
export const handler = rawInboundRoute(async ({ tenantId, provider, query, requestId, container }) => {
  const plain = await verifyWechatCallbackUrl(container, tenantId, provider, query);
  return { statusCode: 200, headers: { 'content-type': 'text/plain', 'x-request-id': requestId }, body: plain };
});
