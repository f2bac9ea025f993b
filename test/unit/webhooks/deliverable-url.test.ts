import { describe, expect, it } from 'vitest';
import { AppError, assertDeliverableUrl, assertResolvedAddresses, classifyAddress } from '@crm/core';

const aws = { allowLoopback: false };
const local = { allowLoopback: true };
const refused = (url: string, options = aws) => {
  try {
    assertDeliverableUrl(url, options);
    return false;
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('validation_failed');
    return true;
  }
};

describe('assertDeliverableUrl', () => {
  it('accepts public https URLs', () => {
    expect(assertDeliverableUrl('https://hooks.partner.example/crm?x=1', aws).href).toBe('https://hooks.partner.example/crm?x=1');
    expect(refused('https://93.184.216.34/hook')).toBe(false);
    expect(refused('https://[2606:4700:4700::1111]/hook')).toBe(false);
  });

  it('refuses http, other schemes, credentials, fragments and garbage', () => {
    for (const url of ['http://hooks.partner.example/', 'ftp://x.example/', 'file:///etc/passwd', 'https://u:p@x.example/', 'https://x.example/#f', 'not a url', `https://x.example/${'a'.repeat(2100)}`]) {
      expect(refused(url), url).toBe(true);
    }
  });

  it.each([
    'https://10.0.0.1/', 'https://10.255.255.255/', 'https://172.16.0.1/', 'https://172.31.255.255/', 'https://192.168.1.1/',
    'https://169.254.169.254/latest/meta-data/', 'https://127.0.0.1/', 'https://127.1.2.3/', 'https://0.0.0.0/', 'https://100.64.0.1/',
    'https://224.0.0.1/', 'https://255.255.255.255/', 'https://[::1]/', 'https://[::]/', 'https://[fc00::1]/', 'https://[fd12:3456::1]/',
    'https://[fe80::1]/', 'https://[febf::1]/', 'https://[::ffff:127.0.0.1]/', 'https://[::ffff:169.254.169.254]/', 'https://[::ffff:a9fe:a9fe]/',
    'https://[64:ff9b::10.0.0.1]/', 'https://[ff02::1]/', 'https://localhost/', 'https://api.localhost/', 'https://metadata.google.internal/',
    // Decimal, octal and hex spellings of 127.0.0.1 / 169.254.169.254 / 10.0.0.1:
    'https://2130706433/', 'https://0177.0.0.1/', 'https://0x7f.0.0.1/', 'https://0x7f000001/', 'https://127.1/', 'https://2852039166/',
    'https://0251.0376.0251.0376/', 'https://012.0.0.1/', 'https://0/', 'https://127.0.0.1./', 'https://localhost./',
  ])('refuses %s in AWS', (url) => {
    expect(refused(url)).toBe(true);
  });

  it('allows public neighbours of the private ranges', () => {
    for (const url of ['https://172.15.255.255/', 'https://172.32.0.1/', 'https://11.0.0.1/', 'https://169.253.255.255/', 'https://192.169.0.1/', 'https://[fe00::1]/', 'https://[2001:4860::8888]/']) {
      expect(refused(url), url).toBe(false);
    }
  });

  it('locally allows loopback, over http too, but still refuses private and metadata targets', () => {
    expect(assertDeliverableUrl('http://127.0.0.1:4000/hook', local).port).toBe('4000');
    expect(refused('http://localhost:4000/hook', local)).toBe(false);
    expect(refused('http://[::1]:4000/', local)).toBe(false);
    expect(refused('http://2130706433:4000/', local)).toBe(false);
    expect(refused('http://169.254.169.254/', local)).toBe(true);
    expect(refused('https://10.0.0.1/', local)).toBe(true);
    expect(refused('http://hooks.partner.example/', local)).toBe(true);
  });
});

describe('assertResolvedAddresses', () => {
  it('refuses a host name when any resolved address is not public', () => {
    expect(() => assertResolvedAddresses('ok.example', ['93.184.216.34', '2606:4700::1'], aws)).not.toThrow();
    expect(() => assertResolvedAddresses('rebind.example', ['93.184.216.34', '10.1.2.3'], aws)).toThrow(/non-public/);
    expect(() => assertResolvedAddresses('meta.example', ['169.254.169.254'], aws)).toThrow(/non-public/);
    expect(() => assertResolvedAddresses('six.example', ['fe80::1%eth0'], aws)).toThrow(/non-public/);
    expect(() => assertResolvedAddresses('lo.example', ['127.0.0.1'], aws)).toThrow(/non-public/);
    expect(() => assertResolvedAddresses('lo.example', ['127.0.0.1'], local)).not.toThrow();
    expect(() => assertResolvedAddresses('none.example', [], aws)).toThrow(/did not resolve/);
  });

  it('classifies addresses', () => {
    expect(classifyAddress('8.8.8.8')).toBe('public');
    expect(classifyAddress('127.0.0.1')).toBe('loopback');
    expect(classifyAddress('::1')).toBe('loopback');
    expect(classifyAddress('[::ffff:10.0.0.1]')).toBe('forbidden');
    expect(classifyAddress('::ffff:8.8.8.8')).toBe('public');
    expect(classifyAddress('172.20.1.1')).toBe('forbidden');
  });
});
