import * as z from 'zod';

/**
 * The channel registry: every channel an interaction can arrive through, the `type`s it carries and
 * the typed payload schema of each (channel, type). Ingestion validates payloads against it, the
 * OpenAPI document and docs/channels.md are generated from it, so adding a channel is one entry here.
 *
 * Payloads are strict objects (an unknown field is a 400 with its path, never silently dropped);
 * source-specific extras go into `attributes`.
 */

const text = (max = 10_000) => z.string().trim().min(1).max(max);
const id = z.string().trim().min(1).max(200);
const direction = z.enum(['inbound', 'outbound']);
/** A money amount in major units (yuan, euro); at most two decimals. */
const amount = z.number().nonnegative().max(1e12).refine((n) => Math.abs(n * 100 - Math.round(n * 100)) < 1e-6, 'at most two decimals');
const currency = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as CNY');
const durationSec = z.number().int().nonnegative().max(7 * 86_400);
const url = z.url().max(2_000);
const scalar = z.union([z.string().max(2_000), z.number(), z.boolean(), z.null()]);
/** Source-specific extras: a flat map of scalars (≤ 50). */
const attributes = z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]{0,63}$/), scalar).refine((o) => Object.keys(o).length <= 50, 'at most 50 attributes').optional();
const orderLine = z.strictObject({
  sku: id,
  name: text(200).optional(),
  quantity: z.number().positive().max(1e6),
  unitPrice: amount,
  amount: amount.optional(),
});
const utm = z.strictObject({ source: text(200).optional(), medium: text(200).optional(), campaign: text(200).optional() });
const location = z.strictObject({ lat: z.number().min(-90).max(90), lng: z.number().min(-180).max(180), address: text(300).optional() });
const socialPlatform = z.enum(['weibo', 'xiaohongshu', 'douyin', 'bilibili', 'zhihu', 'wechat_channels', 'linkedin', 'other']);
const livePlatform = z.enum(['douyin', 'kuaishou', 'taobao_live', 'wechat_channels', 'xiaohongshu', 'other']);
const shopPlatform = z.enum(['tmall', 'taobao', 'jd', 'pinduoduo', 'douyin', 'youzan', 'wechat_shop', 'own', 'other']);
const wechatMsgType = z.enum(['text', 'image', 'voice', 'video', 'file', 'link', 'miniprogram', 'location', 'other']);

const payload = <S extends z.ZodRawShape>(shape: S) => z.strictObject({ ...shape, attributes });

/** channel → type → payload schema. Channel and type ids are snake_case and never renamed. */
export const CHANNELS = {
  web_form: {
    label: 'Web form',
    types: {
      submission: payload({ formId: id, formName: text(200).optional(), fields: z.record(z.string().max(100), scalar), name: text(200).optional(), pageUrl: url.optional(), utm: utm.optional() }),
    },
  },
  website_chat: {
    label: 'Website chat',
    types: {
      message: payload({ text: text(), direction, sessionId: id, agentId: id.optional() }),
      session_ended: payload({ sessionId: id, durationSec: durationSec.optional(), rating: z.number().int().min(1).max(5).optional() }),
    },
  },
  wechat_work: {
    label: 'WeChat Work (企业微信)',
    types: {
      message: payload({ text: text(), direction, msgType: wechatMsgType.default('text'), externalUserId: id, staffUserId: id.optional(), msgId: id.optional() }),
      external_contact_added: payload({ externalUserId: id, staffUserId: id, state: text(200).optional() }),
      external_contact_removed: payload({ externalUserId: id, staffUserId: id, by: z.enum(['staff', 'customer']) }),
    },
  },
  wechat_official: {
    label: 'WeChat official account (公众号)',
    types: {
      message: payload({ text: text(), direction, msgType: wechatMsgType.default('text'), openId: id }),
      subscribe: payload({ openId: id, scene: text(200).optional() }),
      unsubscribe: payload({ openId: id }),
      menu_click: payload({ openId: id, eventKey: id }),
    },
  },
  phone_call: {
    label: 'Phone / 400 hotline',
    types: {
      call: payload({
        direction, durationSec,
        outcome: z.enum(['answered', 'missed', 'voicemail', 'busy', 'failed']).default('answered'),
        from: text(60).optional(), to: text(60).optional(), hotline: text(60).optional(), agentId: id.optional(),
        recordingId: id.optional(), recordingUrl: url.optional(), text: text().optional(),
      }),
    },
  },
  sms: {
    label: 'SMS',
    types: {
      message: payload({ text: text(2_000), direction, from: text(60).optional(), to: text(60).optional(), status: z.enum(['sent', 'delivered', 'failed', 'received']).optional() }),
    },
  },
  email: {
    label: 'Email',
    types: {
      message: payload({ text: text(100_000), direction, subject: text(500).optional(), from: text(320).optional(), to: z.array(text(320)).max(100).optional(), messageId: id.optional() }),
      opened: payload({ messageId: id, campaignId: id.optional() }),
      clicked: payload({ messageId: id, url, campaignId: id.optional() }),
    },
  },
  live_stream: {
    label: 'Live-stream platform',
    types: {
      view: payload({ platform: livePlatform, roomId: id, durationSec: durationSec.optional() }),
      comment: payload({ platform: livePlatform, roomId: id, text: text(2_000) }),
      purchase: payload({ platform: livePlatform, roomId: id, orderId: id, amount, currency, lines: z.array(orderLine).max(200).optional() }),
    },
  },
  social: {
    label: 'Social media',
    types: {
      mention: payload({ platform: socialPlatform, text: text(), url: url.optional(), sentiment: z.enum(['positive', 'neutral', 'negative']).optional() }),
      message: payload({ platform: socialPlatform, text: text(), direction }),
      follow: payload({ platform: socialPlatform, handle: id.optional() }),
    },
  },
  app_event: {
    label: 'App event',
    types: {
      event: payload({ name: text(100), platform: z.enum(['ios', 'android', 'harmonyos', 'web', 'other']).optional(), appVersion: text(50).optional(), properties: z.record(z.string().max(100), scalar).optional() }),
    },
  },
  mini_program: {
    label: 'Mini-program (小程序)',
    types: {
      page_view: payload({ page: text(500), appId: id.optional(), durationSec: durationSec.optional() }),
      event: payload({ name: text(100), appId: id.optional(), properties: z.record(z.string().max(100), scalar).optional() }),
    },
  },
  store_visit: {
    label: 'Store visit / PDA scan',
    types: {
      visit: payload({ storeId: id, durationSec: durationSec.optional(), staffId: id.optional(), text: text().optional() }),
      try_on: payload({ storeId: id, sku: id, productName: text(200).optional(), size: text(20).optional(), staffId: id.optional() }),
      browse: payload({ storeId: id, sku: id.optional(), zone: text(100).optional(), durationSec: durationSec.optional() }),
    },
  },
  pos_purchase: {
    label: 'POS purchase',
    types: {
      purchase: payload({ orderId: id, storeId: id, amount, currency, lines: z.array(orderLine).max(500).optional(), paymentMethod: z.enum(['cash', 'card', 'wechat_pay', 'alipay', 'unionpay', 'voucher', 'other']).optional(), staffId: id.optional() }),
      refund: payload({ orderId: id, storeId: id, amount, currency, reason: text(500).optional() }),
    },
  },
  ecommerce_order: {
    label: 'E-commerce order',
    types: {
      order: payload({
        orderId: id, platform: shopPlatform, status: z.enum(['created', 'paid', 'shipped', 'completed', 'cancelled', 'refunded']),
        amount, currency, lines: z.array(orderLine).max(500).optional(), shopId: id.optional(),
      }),
    },
  },
  support_ticket: {
    label: 'Support ticket',
    types: {
      opened: payload({ ticketId: id, subject: text(500), text: text().optional(), priority: z.enum(['low', 'normal', 'high', 'urgent']).default('normal') }),
      updated: payload({ ticketId: id, status: z.enum(['open', 'pending', 'on_hold', 'solved']), text: text().optional() }),
      closed: payload({ ticketId: id, resolution: text(2_000).optional(), satisfaction: z.number().int().min(1).max(5).optional() }),
    },
  },
  visit_report: {
    label: 'Meeting / visit report (mobile form)',
    types: {
      report: payload({ text: text(), purpose: text(200).optional(), location: location.optional(), attendees: z.array(text(200)).max(50).optional(), nextSteps: text(2_000).optional() }),
    },
  },
  survey: {
    label: 'Survey / NPS',
    types: {
      response: payload({ surveyId: id, nps: z.number().int().min(0).max(10).optional(), score: z.number().optional(), answers: z.record(z.string().max(100), scalar).default({}), comment: text(5_000).optional() }),
    },
  },
} as const satisfies Record<string, { label: string; types: Record<string, z.ZodType> }>;

export type ChannelId = keyof typeof CHANNELS;
export const CHANNEL_IDS = Object.keys(CHANNELS) as ChannelId[];
export const ChannelIdSchema = z.enum(CHANNEL_IDS as [ChannelId, ...ChannelId[]]);
/** Every type id of any channel (for query filters). */
export const INTERACTION_TYPE_IDS = [...new Set(CHANNEL_IDS.flatMap((c) => Object.keys(CHANNELS[c].types)))];

/** The payload schema of a (channel, type), or undefined when the channel has no such type. */
export function payloadSchema(channel: string, type: string): z.ZodType | undefined {
  const entry = (CHANNELS as Record<string, { types: Record<string, z.ZodType> }>)[channel];
  return entry && Object.hasOwn(entry.types, type) ? entry.types[type] : undefined;
}

/** Type ids of a channel ([] for an unknown channel). */
export function channelTypes(channel: string): string[] {
  const entry = (CHANNELS as Record<string, { types: Record<string, z.ZodType> }>)[channel];
  return entry ? Object.keys(entry.types) : [];
}

/** Catalogue rows (channel, label, type, payload fields with `?` for optional ones), for docs. */
export function channelCatalogue(): Array<{ channel: ChannelId; label: string; type: string; fields: string[] }> {
  return CHANNEL_IDS.flatMap((channel) => Object.entries(CHANNELS[channel].types).map(([type, schema]) => ({
    channel, label: CHANNELS[channel].label, type,
    fields: Object.entries((schema as z.ZodObject).shape).filter(([k]) => k !== 'attributes').map(([k, s]) => ((s as z.ZodType).safeParse(undefined).success ? `${k}?` : k)),
  })));
}
