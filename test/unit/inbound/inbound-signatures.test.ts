import { describe, expect, it } from 'vitest';
import {
  freshTimestamp, hmacSignature, verifyHmacSignature, verifyWechatSignature, wechatDecrypt, wechatEncrypt, wechatSignature, xmlField,
} from '@crm/core';

// Public test vector of WeChat Work's callback docs (https://developer.work.weixin.qq.com/document/path/90968).
const official = { corpId: 'wx5823bf96d3bd56c7', token: 'QDG6eK', encodingAesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C' };
const verifyUrl = {
  msgSignature: '5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3', timestamp: '1409659589', nonce: '263014780',
  echostr: 'P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==',
};

describe('WeChat Work callback crypto', () => {
  it('verifies and decrypts the official URL-check vector', () => {
    const { msgSignature, timestamp, nonce, echostr } = verifyUrl;
    expect(wechatSignature(official.token, timestamp, nonce, echostr)).toBe(msgSignature);
    expect(verifyWechatSignature(official.token, timestamp, nonce, echostr, msgSignature)).toBe(true);
    expect(verifyWechatSignature(official.token, timestamp, '263014781', echostr, msgSignature)).toBe(false);
    expect(wechatDecrypt(official.encodingAesKey, echostr, official.corpId)).toBe('1616140317555161061');
    // Another receiver id (corp) is refused.
    expect(wechatDecrypt(official.encodingAesKey, echostr, 'wwOTHER')).toBeUndefined();
  });

  it('round-trips its own encryption (UTF-8, any length)', () => {
    for (const message of ['', 'a', '<xml><Content><![CDATA[你好，世界]]></Content></xml>', 'x'.repeat(1000)]) {
      expect(wechatDecrypt(official.encodingAesKey, wechatEncrypt(official.encodingAesKey, message, official.corpId), official.corpId)).toBe(message);
    }
    expect(wechatDecrypt(official.encodingAesKey, 'not base64 ciphertext', official.corpId)).toBeUndefined();
  });

  it('reads CDATA and plain XML fields', () => {
    const xml = '<xml><MsgType><![CDATA[text]]></MsgType><CreateTime>1409659813</CreateTime><Content>a &amp; b</Content></xml>';
    expect([xmlField(xml, 'MsgType'), xmlField(xml, 'CreateTime'), xmlField(xml, 'Content'), xmlField(xml, 'MsgId')]).toEqual(['text', '1409659813', 'a & b', undefined]);
  });
});

describe('HMAC inbound signatures', () => {
  it('accepts the exact signature (with or without sha256=) and nothing else', () => {
    const sig = hmacSignature('s3cret', '1764000000', '{"a":1}');
    expect(verifyHmacSignature('s3cret', '1764000000', '{"a":1}', sig)).toBe(true);
    expect(verifyHmacSignature('s3cret', '1764000000', '{"a":1}', `sha256=${sig.toUpperCase()}`)).toBe(true);
    expect(verifyHmacSignature('s3cret', '1764000001', '{"a":1}', sig)).toBe(false);
    expect(verifyHmacSignature('s3cret', '1764000000', '{"a":2}', sig)).toBe(false);
    expect(verifyHmacSignature('other', '1764000000', '{"a":1}', sig)).toBe(false);
    expect(verifyHmacSignature('s3cret', '1764000000', '{"a":1}', 'zz')).toBe(false);
  });

  it('keeps a 5-minute replay window either way', () => {
    const now = new Date('2026-11-25T12:00:00Z');
    const at = (offset: number) => String(now.getTime() / 1000 + offset);
    expect([at(0), at(-300), at(300)].map((t) => freshTimestamp(t, now))).toEqual([true, true, true]);
    expect([at(-301), at(301), undefined, 'abc', '12'].map((t) => freshTimestamp(t, now))).toEqual([false, false, false, false, false]);
  });
});
