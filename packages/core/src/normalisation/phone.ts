import { parsePhoneNumberFromString, type CountryCode, type NumberType, type PhoneNumber } from 'libphonenumber-js/max';

/**
 * Line type of a phone number, from libphonenumber's full ("max") metadata: the smaller default
 * metadata cannot tell mobile from fixed line, and the type is what dedupe and SMS features key on.
 */
export type PhoneType =
  | 'mobile'
  | 'fixed_line'
  | 'fixed_line_or_mobile'
  | 'toll_free'
  | 'premium_rate'
  | 'shared_cost'
  | 'voip'
  | 'personal_number'
  | 'pager'
  | 'uan'
  | 'voicemail'
  | 'unknown';

/**
 * One normalised phone. Invalid input is never dropped: `raw` keeps it verbatim, `valid` is false
 * and `e164`/`display`/`type` are null. `ext` is present only when the input carried an extension
 * (E.164 has no room for one).
 */
export interface NormalisedPhone {
  raw: string;
  e164: string | null;
  display: string | null;
  type: PhoneType | null;
  valid: boolean;
  ext?: string;
}

export interface PhoneNormaliseOptions {
  /** The tenant's default region (ISO 3166-1 alpha-2) for numbers written without a country code. */
  defaultRegion: CountryCode;
}

const TYPE_NAMES: Record<NumberType & string, PhoneType> = {
  MOBILE: 'mobile',
  FIXED_LINE: 'fixed_line',
  FIXED_LINE_OR_MOBILE: 'fixed_line_or_mobile',
  TOLL_FREE: 'toll_free',
  PREMIUM_RATE: 'premium_rate',
  SHARED_COST: 'shared_cost',
  VOIP: 'voip',
  PERSONAL_NUMBER: 'personal_number',
  PAGER: 'pager',
  UAN: 'uan',
  VOICEMAIL: 'voicemail',
};

/**
 * Chinese ways of writing an extension that libphonenumber does not read: "010-12345678转801",
 * "分机 801", and the business-card form "010-12345678-801" (area code, 7–8 digit number, extension).
 */
function rewriteExtensions(text: string): string {
  const spoken = text.replace(/\s*(?:转|轉|分机|分機)\s*(\d{1,6})\s*$/u, ' ext. $1');
  if (spoken !== text) return spoken;
  const card = /^\s*(\(?0\d{2,3}\)?)[\s-]+(\d{7,8})[\s-]+(\d{1,6})\s*$/u.exec(text);
  return card ? `${card[1]}-${card[2]} ext. ${card[3]}` : text;
}

/** Full-width digits and signs (common in Chinese input methods) to ASCII. */
function toHalfWidth(text: string): string {
  return text.replace(/[\uFF01-\uFF5E]/gu, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).replace(/\u3000/gu, ' ');
}

/**
 * Display form. Numbers of the default region are shown in national form, others in international
 * form. Chinese (+86) numbers follow local habit: fixed lines as area code and number joined by a
 * hyphen ("010-12345678", "0755-88888888"), mobiles in 3-4-4 groups ("138 0013 8000"), 400/800
 * service numbers in 3-3-4 groups ("400 810 8888"). An extension is appended as " ext. 801" so the
 * display form parses back to the same number.
 */
function displayOf(phone: PhoneNumber, type: PhoneType, defaultRegion: CountryCode): string {
  const extSuffix = phone.ext ? ` ext. ${phone.ext}` : '';
  if (phone.countryCallingCode === '86') {
    const national = phone.formatNational().replace(/\s*ext\..*$/u, '');
    if (type === 'fixed_line') {
      const [areaCode, ...rest] = national.split(' ');
      return `${areaCode}-${rest.join('')}${extSuffix}`;
    }
    return phone.country === defaultRegion ? national + extSuffix : phone.formatInternational();
  }
  return phone.country === defaultRegion ? phone.formatNational() : phone.formatInternational();
}

function invalid(raw: string): NormalisedPhone {
  return { raw, e164: null, display: null, type: null, valid: false };
}

/**
 * Normalises one phone as typed by a person or found in an import: parses it against the tenant's
 * default region, accepts "+86", "0086", spaces, hyphens, brackets, full-width digits and Chinese
 * extension notations, and returns E.164, line type and display form.
 */
export function normalisePhone(raw: string, options: PhoneNormaliseOptions): NormalisedPhone {
  const text = rewriteExtensions(toHalfWidth(raw).trim());
  if (!/\d/u.test(text)) return invalid(raw);
  let phone: PhoneNumber | undefined;
  try {
    phone = parsePhoneNumberFromString(text, { defaultCountry: options.defaultRegion });
  } catch {
    phone = undefined;
  }
  if (!phone || !phone.isValid()) return invalid(raw);
  const numberType = phone.getType();
  const type: PhoneType = numberType ? TYPE_NAMES[numberType] : 'unknown';
  return {
    raw,
    e164: phone.number,
    display: displayOf(phone, type, options.defaultRegion),
    type,
    valid: true,
    ...(phone.ext ? { ext: phone.ext } : {}),
  };
}

/** Normalises a list of phones, keeping order and every entry (invalid ones flagged). */
export function normalisePhones(raws: readonly string[], options: PhoneNormaliseOptions): NormalisedPhone[] {
  return raws.map((raw) => normalisePhone(raw, options));
}

/** True when `region` is a region code libphonenumber knows; use it to validate a tenant setting. */
export { isSupportedCountry as isSupportedPhoneRegion } from 'libphonenumber-js/max';
export type { CountryCode as PhoneRegion } from 'libphonenumber-js/max';
