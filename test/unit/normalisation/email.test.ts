import { describe, expect, it } from 'vitest';
import { normaliseEmail, normaliseEmails } from '@crm/core';

describe('normaliseEmail', () => {
  it.each([
    ['zhang.san@Example.COM', 'zhang.san@example.com'],
    ['  Zhang.San@QQ.com  ', 'Zhang.San@qq.com'],
    ['mailto:Li.Si@163.COM', 'Li.Si@163.com'],
    ['<wang@Company.cn>', 'wang@company.cn'],
    ['zhao＠sina.com.cn', 'zhao@sina.com.cn'],
    ['first+tag@gmail.com', 'first+tag@gmail.com'],
    ["o'brien@example.ie", "o'brien@example.ie"],
    ['user@sub.domain.co.uk', 'user@sub.domain.co.uk'],
    ['user@example.com.', 'user@example.com'],
    ['info@例子.中国', 'info@xn--fsqu00a.xn--fiqs8s'],
  ])('%j → %j', (raw, address) => {
    expect(normaliseEmail(raw)).toEqual({ raw, address, valid: true });
  });

  it.each([
    '',
    '   ',
    'plainaddress',
    '@example.com',
    'user@',
    'user@localhost',
    'user@example',
    'user@@example.com',
    'user name@example.com',
    '.user@example.com',
    'user.@example.com',
    'us..er@example.com',
    'user@-example.com',
    'user@example-.com',
    'user@exa_mple.com',
    'user@example.c',
    'user@123.456',
    `${'a'.repeat(65)}@example.com`,
    `user@${'a'.repeat(250)}.com`,
    '张三@example.com',
  ])('%j is kept and flagged invalid', (raw) => {
    expect(normaliseEmail(raw)).toEqual({ raw, address: null, valid: false });
  });

  it('a list keeps every entry in order', () => {
    expect(normaliseEmails(['A@B.CO', 'nope']).map((e) => e.address)).toEqual(['A@b.co', null]);
  });
});
