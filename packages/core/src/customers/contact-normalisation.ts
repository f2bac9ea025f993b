import { normaliseEmail } from '../normalisation/email';
import { normalisePhone } from '../normalisation/phone';
import type { CountryCode } from 'libphonenumber-js';
import type { Customer, EmailInput, PhoneInput } from './customer.schema';
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
