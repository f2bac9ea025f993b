import { randomBytes } from 'node:crypto';
import * as z from 'zod';
import { AppError, notFound } from '../errors';
import { loadAccessPolicy, loadRoleDefinitions, type SecuredContext } from '../access/access-policy';
import { auditEntryFrom, auditPutOperation } from '../audit/audit-entry';
import type { Principal } from '../principal';
import type { Item } from '../ports/table-store.port';
import { InteractionInput } from '../interactions/interaction.schema';
import { recordInteraction, type InteractionDeps, type RecordedInteraction } from '../interactions/record-interaction.use-case';
import { freshTimestamp, verifyHmacSignature, verifyWechatSignature, wechatDecrypt, xmlField } from './inbound-signatures';

/**
 * Inbound channel webhooks: `POST /v1/inbound/{tenant}/{provider}` without a user token. The tenant's
 * per-provider secret (set with `PUT /v1/settings/inbound/{provider}`, shown once) authenticates the
 * request; the payload is mapped to the channel registry's (channel, type) and recorded through
 * `recordInteraction` as the system principal `inbound:<provider>` (role `partner`, tenant scope).
 * A provider event id becomes the client id, so a redelivery writes nothing twice.
 */
export const INBOUND_PROVIDERS = ['web-form', 'wechat-work', 'call-center-cdr'] as const;
export type InboundProvider = (typeof INBOUND_PROVIDERS)[number];
export const InboundProviderSchema = z.enum(INBOUND_PROVIDERS);
/** Role the inbound principal runs with (needs interactions:create, customers:create for leads). */
export const INBOUND_ROLE = 'partner';

export const inboundKeys = {
  secret: (tenantId: string, provider: InboundProvider) => ({ pk: `T#${tenantId}#SETTINGS`, sk: `INBOUND#${provider}` }),
};

export const PutInboundSettingsInput = z.strictObject({
  /** wechat-work only: the corp id (receiveid) the callback messages are encrypted for. */
  corpId: z.string().trim().regex(/^[A-Za-z0-9_-]{1,64}$/).optional(),
}).meta({ id: 'PutInboundSettingsInput' });
export type PutInboundSettingsInput = z.infer<typeof PutInboundSettingsInput>;

export const InboundSecretView = z.object({
  provider: InboundProviderSchema,
  url: z.string().describe('Path to configure at the provider'),
  /** web-form, call-center-cdr: the HMAC secret. Shown once; PUT again to rotate. */
  secret: z.string().optional(),
  /** wechat-work: Token and EncodingAESKey to enter in the WeChat Work admin console, with the corp id. */
  token: z.string().optional(),
  encodingAesKey: z.string().optional(),
  corpId: z.string().optional(),
  rotatedAt: z.string(),
}).meta({ id: 'InboundSecret' });
export type InboundSecretView = z.infer<typeof InboundSecretView>;

/**
 * Creates or rotates the tenant's secret for `provider` and returns it (the only time it is shown).
 * Stored on the tenant's settings item (table encrypted with the data key). Audited without the secret.
 */
export async function rotateInboundSecret(
  deps: Pick<InteractionDeps, 'store' | 'clock' | 'ids'>, ctx: SecuredContext, provider: InboundProvider, input: PutInboundSettingsInput,
): Promise<InboundSecretView> {
  const { tenantId } = ctx.principal;
  if (provider === 'wechat-work' && !input.corpId) {
    throw new AppError('validation_failed', 'wechat-work needs the corp id', { errors: [{ path: 'body.corpId', message: 'required for wechat-work' }] });
  }
  const rotatedAt = deps.clock.now().toISOString();
  const secrets = provider === 'wechat-work'
    ? { token: randomBytes(24).toString('base64url').replace(/[-_]/g, 'x').slice(0, 32), encodingAesKey: randomBytes(32).toString('base64').slice(0, 43), corpId: input.corpId! }
    : { secret: randomBytes(32).toString('hex') };
  await deps.store.transact([
    { type: 'put', item: { ...inboundKeys.secret(tenantId, provider), entity: 'inbound-secret', tenantId, provider, ...secrets, rotatedAt, rotatedBy: ctx.principal.subject } },
    auditPutOperation(auditEntryFrom(ctx, { action: 'settings:manage', resource: 'settings', resourceId: `inbound-${provider}`, detail: { provider, rotated: true } }, deps.clock, deps.ids)),
  ]);
  return { provider, url: `/v1/inbound/${tenantId}/${provider}`, ...secrets, rotatedAt };
}

export interface InboundRequest {
  rawBody: string;
  /** Lower-case names. */
  headers: Record<string, string>;
  query: Record<string, string>;
  requestId: string;
  sourceIp?: string;
}

const TENANT = /^[A-Za-z0-9_-]{1,64}$/;

/** Any authentication failure looks the same (unknown tenant, no secret, bad signature, stale timestamp). */
const refused = () => new AppError('unauthorized', 'The request signature is not valid or has expired');

/**
 * Verifies and records one inbound webhook for `tenantId` (from the path; trusted only once the
 * signature made with that tenant's secret checks out). 401 for any signature problem, 400 for a
 * payload that does not map, otherwise the result of `recordInteraction`.
 */
export async function receiveInbound(
  deps: InteractionDeps, tenantId: string, providerParam: string, request: InboundRequest,
): Promise<RecordedInteraction> {
  const provider = InboundProviderSchema.safeParse(providerParam);
  if (!provider.success || !TENANT.test(tenantId)) throw notFound(`Inbound endpoint ${providerParam}`);
  const stored = await deps.store.get(inboundKeys.secret(tenantId, provider.data));
  if (!stored) throw refused();
  const now = deps.clock.now();
  const input = provider.data === 'wechat-work' ? wechatInput(stored, request, now) : hmacInput(provider.data, stored, request, now);
  const parsed = InteractionInput.safeParse(input);
  if (!parsed.success) {
    throw new AppError('validation_failed', 'The webhook payload does not map to an interaction', {
      errors: parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
    });
  }
  const principal: Principal = { tenantId, kind: 'client', subject: `inbound:${provider.data}`, clientId: `inbound:${provider.data}`, roles: [INBOUND_ROLE], scopes: [] };
  const access = await loadAccessPolicy(deps.store, principal, (t) => loadRoleDefinitions(deps.store, t));
  const ctx: SecuredContext = { principal, requestId: request.requestId, ...(request.sourceIp ? { sourceIp: request.sourceIp } : {}), access };
  return recordInteraction(deps, ctx, parsed.data);
}

const WebForm = z.object({
  formId: z.string(), submissionId: z.string().min(1).max(150), submittedAt: z.string().optional(), formName: z.string().optional(),
  name: z.string().optional(), phone: z.string().optional(), email: z.string().optional(),
  fields: z.record(z.string(), z.unknown()).default({}), pageUrl: z.string().optional(), utm: z.record(z.string(), z.unknown()).optional(),
});
const Cdr = z.object({
  callId: z.string().min(1).max(150), direction: z.enum(['inbound', 'outbound']), startedAt: z.string(), durationSec: z.number(),
  from: z.string(), to: z.string(), outcome: z.string().optional(), hotline: z.string().optional(), agentId: z.string().optional(), recordingUrl: z.string().optional(),
});

function hmacInput(provider: 'web-form' | 'call-center-cdr', stored: Item, request: InboundRequest, now: Date): unknown {
  const timestamp = request.headers['x-timestamp'];
  const signature = request.headers['x-signature'];
  if (!signature || !freshTimestamp(timestamp, now) || !verifyHmacSignature(stored.secret as string, timestamp!, request.rawBody, signature)) throw refused();
  let body: unknown;
  try {
    body = JSON.parse(request.rawBody);
  } catch (error) {
    throw new AppError('invalid_json', `The body is not valid JSON: ${(error as Error).message}`);
  }
  if (provider === 'web-form') {
    const f = strict(WebForm, body);
    const { name, phone, email } = f;
    return {
      clientId: `web-form:${f.submissionId}`,
      identity: { ...(phone ? { phone } : {}), ...(email ? { email } : {}), ...(name ? { name } : {}) },
      channel: 'web_form', type: 'submission', occurredAt: f.submittedAt ?? now.toISOString(),
      payload: { formId: f.formId, fields: f.fields, ...(f.formName ? { formName: f.formName } : {}), ...(name ? { name } : {}), ...(f.pageUrl ? { pageUrl: f.pageUrl } : {}), ...(f.utm ? { utm: f.utm } : {}) },
    };
  }
  const c = strict(Cdr, body);
  return {
    clientId: `cdr:${c.callId}`,
    identity: { phone: c.direction === 'inbound' ? c.from : c.to },
    channel: 'phone_call', type: 'call', occurredAt: c.startedAt,
    payload: {
      direction: c.direction, durationSec: c.durationSec, from: c.from, to: c.to,
      ...(c.outcome ? { outcome: c.outcome } : {}), ...(c.hotline ? { hotline: c.hotline } : {}), ...(c.agentId ? { agentId: c.agentId } : {}),
      recordingId: c.callId, ...(c.recordingUrl ? { recordingUrl: c.recordingUrl } : {}),
    },
  };
}

function wechatInput(stored: Item, request: InboundRequest, now: Date): unknown {
  const { msg_signature: signature, timestamp, nonce } = request.query;
  const encrypt = xmlField(request.rawBody, 'Encrypt');
  if (!signature || !nonce || !encrypt || !freshTimestamp(timestamp, now)) throw refused();
  if (!verifyWechatSignature(stored.token as string, timestamp!, nonce, encrypt, signature)) throw refused();
  const xml = wechatDecrypt(stored.encodingAesKey as string, encrypt, stored.corpId as string);
  if (xml === undefined) throw refused();
  const createTime = Number(xmlField(xml, 'CreateTime'));
  const occurredAt = Number.isFinite(createTime) && createTime > 0 ? new Date(createTime * 1000).toISOString() : now.toISOString();
  const msgType = xmlField(xml, 'MsgType') ?? '';
  if (msgType === 'event') {
    const externalUserId = xmlField(xml, 'ExternalUserID') ?? '';
    const staffUserId = xmlField(xml, 'UserID') ?? '';
    const change = xmlField(xml, 'ChangeType') ?? '';
    const base = { clientId: `wechat-work:${externalUserId}:${change}:${createTime}`, identity: { externalId: { system: 'wechat_work', id: externalUserId } }, channel: 'wechat_work', occurredAt };
    const state = xmlField(xml, 'State');
    if (change === 'add_external_contact') return { ...base, type: 'external_contact_added', payload: { externalUserId, staffUserId, ...(state ? { state } : {}) } };
    if (change === 'del_external_contact' || change === 'del_follow_user') {
      return { ...base, type: 'external_contact_removed', payload: { externalUserId, staffUserId, by: change === 'del_external_contact' ? 'staff' : 'customer' } };
    }
    throw new AppError('validation_failed', `WeChat Work event ${xmlField(xml, 'Event')}/${change} is not mapped`);
  }
  const from = xmlField(xml, 'FromUserName') ?? '';
  const msgId = xmlField(xml, 'MsgId');
  const known = ['text', 'image', 'voice', 'video', 'file', 'link', 'miniprogram', 'location'];
  return {
    clientId: `wechat-work:${msgId ?? `${from}:${createTime}`}`,
    identity: { externalId: { system: 'wechat_work', id: from } },
    channel: 'wechat_work', type: 'message', occurredAt,
    payload: {
      text: xmlField(xml, 'Content') ?? `[${msgType}]`, direction: 'inbound', msgType: known.includes(msgType) ? msgType : 'other',
      externalUserId: from, ...(msgId ? { msgId } : {}),
    },
  };
}

function strict<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    throw new AppError('validation_failed', 'The webhook payload is not valid', {
      errors: parsed.error.issues.map((i) => ({ path: `body.${i.path.map(String).join('.')}`, message: i.message })),
    });
  }
  return parsed.data;
}

/**
 * WeChat Work's URL check when the callback is configured (`GET ?msg_signature&timestamp&nonce&echostr`):
 * the signature covers `echostr`, and the answer is its decrypted plaintext. 401 otherwise.
 */
export async function verifyWechatCallbackUrl(deps: Pick<InteractionDeps, 'store' | 'clock'>, tenantId: string, providerParam: string, query: Record<string, string>): Promise<string> {
  if (providerParam !== 'wechat-work' || !TENANT.test(tenantId)) throw notFound(`Inbound endpoint ${providerParam}`);
  const stored = await deps.store.get(inboundKeys.secret(tenantId, 'wechat-work'));
  const { msg_signature: signature, timestamp, nonce, echostr } = query;
  if (!stored || !signature || !nonce || !echostr || !freshTimestamp(timestamp, deps.clock.now())) throw refused();
  if (!verifyWechatSignature(stored.token as string, timestamp!, nonce, echostr, signature)) throw refused();
  const plain = wechatDecrypt(stored.encodingAesKey as string, echostr, stored.corpId as string);
  if (plain === undefined) throw refused();
  return plain;
}
