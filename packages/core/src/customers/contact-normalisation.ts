import { normaliseEmail } from '../normalisation/email';
import { normalisePhone } from '../normalisation/phone';
import { parseChineseAddress } from '../normalisation/address';
import type { CountryCode } from 'libphonenumber-js';
import type { Address, Customer, EmailInput, PhoneInput } from './customer.schema';
import type * as z from 'zod';

/** Region assumed for numbers without a country code, until tenants can set their own (issue 4). */
export const DEFAULT_PHONE_REGION: CountryCode = 'CN';

/** Phones as stored: normalised (E.164, type, display), the label kept; unparseable input flagged, never dropped. */
export function normalisePhoneInputs(phones: Array<z.infer<typeof PhoneInput>>, region: CountryCode = DEFAULT_PHONE_REGION): Customer['phones'] {
  return phones.map(({ number, label }) => ({ ...normalisePhone(number, { defaultRegion: region }), ...(label ? { label } : {}) }));
}

/** Emails as stored: trimmed, domain lower-cased (the input schema has already checked the syntax). */
export function normaliseEmailInputs(emails: Array<z.infer<typeof EmailInput>>): Customer['emails'] {
  return emails.map(({ address, label }) => ({ address: normaliseEmail(address).address ?? address, ...(label ? { label } : {}) }));
}

/**
 * An address as stored: the fields as given, plus the province / city / district (with national
 * division codes) parsed from them when the address is in mainland China and the parse is confident.
 */
export function normaliseAddressInput(address: z.infer<typeof Address>): NonNullable<Customer['address']> {
  if ((address.country ?? 'CN') !== 'CN') return address;
  const text = [address.region, address.city, address.line1, address.line2].filter(Boolean).join('');
  if (!/[\u4e00-\u9fff]/.test(text)) return address;
  const { raw: _raw, detail: _detail, ...division } = parseChineseAddress(text);
  return division.confidence > 0 ? { ...address, division } : address;
}
