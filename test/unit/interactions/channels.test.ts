import { describe, expect, it } from 'vitest';
import { CHANNEL_IDS, CHANNELS, channelCatalogue, InteractionInput, payloadSchema } from '@crm/core';

/** One valid payload per (channel, type): every schema in the registry must accept its fixture. */
const FIXTURES: Record<string, Record<string, Record<string, unknown>>> = {
  web_form: { submission: { formId: 'trial', fields: { company: 'ACME', seats: 20 }, name: '王芳', utm: { source: 'baidu' } } },
  website_chat: { message: { text: '请问价格?', direction: 'inbound', sessionId: 's-1' }, session_ended: { sessionId: 's-1', durationSec: 300, rating: 5 } },
  wechat_work: {
    message: { text: '在吗', direction: 'inbound', externalUserId: 'wm1' },
    external_contact_added: { externalUserId: 'wm1', staffUserId: 'zhangsan' },
    external_contact_removed: { externalUserId: 'wm1', staffUserId: 'zhangsan', by: 'customer' },
  },
  wechat_official: { message: { text: 'hi', direction: 'inbound', openId: 'o1' }, subscribe: { openId: 'o1', scene: 'qr' }, unsubscribe: { openId: 'o1' }, menu_click: { openId: 'o1', eventKey: 'PRICES' } },
  phone_call: { call: { direction: 'inbound', durationSec: 95, hotline: '400-810-8888', recordingId: 'r-9' } },
  sms: { message: { text: '验证码 1234', direction: 'outbound' } },
  email: { message: { text: 'Offer attached', direction: 'outbound', subject: 'Offer', to: ['a@example.cn'] }, opened: { messageId: 'm1' }, clicked: { messageId: 'm1', url: 'https://example.cn/x' } },
  live_stream: {
    view: { platform: 'douyin', roomId: 'r1', durationSec: 600 },
    comment: { platform: 'kuaishou', roomId: 'r1', text: '多少钱' },
    purchase: { platform: 'taobao_live', roomId: 'r1', orderId: 'o1', amount: 99.9, currency: 'CNY' },
  },
  social: { mention: { platform: 'weibo', text: '好用', sentiment: 'positive' }, message: { platform: 'xiaohongshu', text: 'hi', direction: 'inbound' }, follow: { platform: 'douyin' } },
  app_event: { event: { name: 'add_to_cart', platform: 'ios', properties: { sku: 'A1', qty: 2 } } },
  mini_program: { page_view: { page: 'pages/index/index', durationSec: 30 }, event: { name: 'coupon_claimed' } },
  store_visit: { visit: { storeId: 'SH-01', durationSec: 1200 }, try_on: { storeId: 'SH-01', sku: 'DRESS-1', size: 'M' }, browse: { storeId: 'SH-01', zone: 'shoes' } },
  pos_purchase: {
    purchase: { orderId: 'P1', storeId: 'SH-01', amount: 598, currency: 'CNY', lines: [{ sku: 'A1', quantity: 2, unitPrice: 299 }], paymentMethod: 'wechat_pay' },
    refund: { orderId: 'P1', storeId: 'SH-01', amount: 299, currency: 'CNY' },
  },
  ecommerce_order: { order: { orderId: 'T1', platform: 'tmall', status: 'paid', amount: 1299, currency: 'CNY' } },
  support_ticket: { opened: { ticketId: 'K1', subject: '无法登录' }, updated: { ticketId: 'K1', status: 'pending' }, closed: { ticketId: 'K1', satisfaction: 4 } },
  visit_report: { report: { text: '拜访了采购部', location: { lat: 31.23, lng: 121.47 }, attendees: ['李经理'] } },
  survey: { response: { surveyId: 'nps-2026', nps: 9, comment: '很好' } },
};

describe('channel registry', () => {
  it('has at least the 17 required snake_case channels with their required types', () => {
    const required = ['web_form', 'website_chat', 'wechat_work', 'wechat_official', 'phone_call', 'sms', 'email', 'live_stream', 'social', 'app_event', 'mini_program', 'store_visit', 'pos_purchase', 'ecommerce_order', 'support_ticket', 'visit_report', 'survey'];
    expect(CHANNEL_IDS).toEqual(expect.arrayContaining(required));
    for (const id of CHANNEL_IDS) expect(id).toMatch(/^[a-z]+(_[a-z]+)*$/);
    const types = (c: string) => Object.keys(CHANNELS[c as keyof typeof CHANNELS].types);
    for (const [c, t] of [['web_form', 'submission'], ['website_chat', 'message'], ['wechat_work', 'message'], ['sms', 'message'], ['email', 'message'], ['phone_call', 'call'], ['store_visit', 'visit'], ['pos_purchase', 'purchase']]) {
      expect(types(c!), c).toContain(t);
    }
  });

  it('accepts a fixture for every (channel, type) and has a fixture for each', () => {
    for (const channel of CHANNEL_IDS) {
      for (const type of Object.keys(CHANNELS[channel].types)) {
        const fixture = FIXTURES[channel]?.[type];
        expect(fixture, `${channel}/${type} fixture`).toBeDefined();
        const parsed = payloadSchema(channel, type)!.safeParse(fixture);
        expect(parsed.error?.issues ?? [], `${channel}/${type}`).toEqual([]);
      }
    }
  });

  it('gives per-field errors for a bad payload, with paths under payload', () => {
    const bad = InteractionInput.safeParse({
      customerId: '01J0000000000000000000000Z', channel: 'pos_purchase', type: 'purchase', occurredAt: '2026-11-01T08:00:00+08:00',
      payload: { orderId: 'P1', storeId: '', amount: 1.234, currency: 'yuan', lines: [{ sku: 'A', quantity: 0, unitPrice: 1 }], extra: 1 },
    });
    expect(bad.success).toBe(false);
    const paths = bad.error!.issues.map((i) => i.path.join('.')).sort();
    expect(paths).toEqual(['payload', 'payload.amount', 'payload.currency', 'payload.lines.0.quantity', 'payload.storeId']);
    const call = InteractionInput.safeParse({ identity: { phone: '138' }, channel: 'phone_call', type: 'call', occurredAt: '2026-11-01T08:00:00Z', payload: { direction: 'sideways', durationSec: -1 } });
    expect(call.error!.issues.map((i) => i.path.join('.')).sort()).toEqual(['payload.direction', 'payload.durationSec']);
  });

  it('requires exactly one of customerId and identity, a known type, and stores occurredAt canonically', () => {
    const base = { channel: 'sms', type: 'message', occurredAt: '2026-11-01T08:00:00+08:00', payload: { text: 'hi', direction: 'inbound' } };
    expect(InteractionInput.safeParse(base).error!.issues[0]).toMatchObject({ path: ['customerId'], message: 'give either customerId or identity' });
    expect(InteractionInput.safeParse({ ...base, identity: {} }).error!.issues[0]!.path).toEqual(['identity']);
    expect(InteractionInput.safeParse({ ...base, identity: { phone: '13800138000' }, type: 'purchase' }).error!.issues[0]).toMatchObject({ path: ['type'], message: 'must be one of message for channel sms' });
    expect(InteractionInput.safeParse({ ...base, identity: { phone: '13800138000' } }).data!.occurredAt).toBe('2026-11-01T00:00:00.000Z');
    expect(InteractionInput.safeParse({ ...base, identity: { phone: '13800138000' }, occurredAt: '2026-11-01 08:00' }).success).toBe(false);
  });

  it('lists every channel, type and payload field in the catalogue (optional ones marked)', () => {
    const rows = channelCatalogue();
    expect(rows.length).toBe(CHANNEL_IDS.reduce((n, c) => n + Object.keys(CHANNELS[c].types).length, 0));
    expect(rows.find((r) => r.channel === 'pos_purchase' && r.type === 'purchase')!.fields).toEqual(['orderId', 'storeId', 'amount', 'currency', 'lines?', 'paymentMethod?', 'staffId?']);
  });
});
