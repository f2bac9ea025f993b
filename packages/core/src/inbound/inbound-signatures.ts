import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Signature schemes of inbound channel webhooks (pure functions, no I/O).
 *
 * - `web-form`, `call-center-cdr`: `X-Signature: <hex HMAC-SHA256(secret, "<X-Timestamp>.<raw body>")>`
 *   (an optional `sha256=` prefix is accepted); `X-Timestamp` is Unix seconds. Binding the timestamp
 *   into the signature is what makes the 5-minute replay window enforceable.
 * - `wechat-work`: WeChat Work (企业微信) callback mode: `msg_signature = sha1(sort(token, timestamp,
 *   nonce, encrypt).join(''))` over the `Encrypt` element; the message is AES-256-CBC encrypted with
 *   key = base64(EncodingAESKey + '='), IV = key[0..16), PKCS#7 padding to 32 bytes, plaintext =
 *   16 random bytes | 4-byte big-endian length | message | receiveid (the corp id).
 */

/** Requests signed longer ago (or further ahead) than this are refused as replays. */
export const INBOUND_MAX_SKEW_SECONDS = 5 * 60;

export function hmacSignature(secret: string, timestamp: string, rawBody: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${rawBody}`, 'utf8').digest('hex');
}

/** Constant-time check of a hex HMAC signature (`sha256=` prefix optional). */
export function verifyHmacSignature(secret: string, timestamp: string, rawBody: string, signature: string): boolean {
  const given = signature.trim().replace(/^sha256=/i, '').toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(given)) return false;
  return timingSafeEqual(Buffer.from(given, 'hex'), Buffer.from(hmacSignature(secret, timestamp, rawBody), 'hex'));
}

/** Whether a Unix-seconds timestamp is within the replay window of `now`. */
export function freshTimestamp(timestamp: string | undefined, now: Date): boolean {
  if (!timestamp || !/^\d{9,11}$/.test(timestamp)) return false;
  return Math.abs(now.getTime() / 1000 - Number(timestamp)) <= INBOUND_MAX_SKEW_SECONDS;
}

export function wechatSignature(token: string, timestamp: string, nonce: string, encrypt: string): string {
  return createHash('sha1').update([token, timestamp, nonce, encrypt].sort().join(''), 'utf8').digest('hex');
}

export function verifyWechatSignature(token: string, timestamp: string, nonce: string, encrypt: string, signature: string): boolean {
  const given = signature.trim().toLowerCase();
  if (!/^[0-9a-f]{40}$/.test(given)) return false;
  return timingSafeEqual(Buffer.from(given, 'hex'), Buffer.from(wechatSignature(token, timestamp, nonce, encrypt), 'hex'));
}

function aesKeyOf(encodingAesKey: string): Buffer {
  const key = Buffer.from(`${encodingAesKey}=`, 'base64');
  if (key.length !== 32) throw new RangeError('EncodingAESKey must be 43 base64 characters (32 bytes)');
  return key;
}

/** Decrypts a WeChat Work `Encrypt` value; undefined when it is malformed or for another corp id. */
export function wechatDecrypt(encodingAesKey: string, encrypt: string, receiveId: string): string | undefined {
  try {
    const key = aesKeyOf(encodingAesKey);
    const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
    decipher.setAutoPadding(false);
    const padded = Buffer.concat([decipher.update(Buffer.from(encrypt, 'base64')), decipher.final()]);
    const pad = padded[padded.length - 1]!;
    if (pad < 1 || pad > 32) return undefined;
    const plain = padded.subarray(0, padded.length - pad);
    const length = plain.readUInt32BE(16);
    if (20 + length > plain.length) return undefined;
    const message = plain.subarray(20, 20 + length).toString('utf8');
    if (plain.subarray(20 + length).toString('utf8') !== receiveId) return undefined;
    return message;
  } catch {
    return undefined;
  }
}

/** Encrypts like WeChat Work does (tests and senders of the same scheme). */
export function wechatEncrypt(encodingAesKey: string, message: string, receiveId: string): string {
  const key = aesKeyOf(encodingAesKey);
  const body = Buffer.from(message, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  const plain = Buffer.concat([randomBytes(16), length, body, Buffer.from(receiveId, 'utf8')]);
  const pad = 32 - (plain.length % 32);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(Buffer.concat([plain, Buffer.alloc(pad, pad)])), cipher.final()]).toString('base64');
}

/** The text of `<name>` in a flat WeChat XML document (CDATA or plain), undefined when absent. */
export function xmlField(xml: string, name: string): string | undefined {
  const match = new RegExp(`<${name}>\\s*(?:<!\\[CDATA\\[([\\s\\S]*?)\\]\\]>|([^<]*))\\s*</${name}>`).exec(xml);
  if (!match) return undefined;
  return match[1] ?? decodeEntities(match[2] ?? '');
}

function decodeEntities(s: string): string {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
}
