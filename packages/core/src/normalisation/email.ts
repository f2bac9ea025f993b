/**
 * One normalised email. Invalid input is kept in `raw` with `address: null` and `valid: false`.
 */
export interface NormalisedEmail {
  raw: string;
  address: string | null;
  valid: boolean;
}

// RFC 5322 dot-atom local part (no quoted strings: nobody types them into a CRM, and the forms we
// would accept would surprise mail providers) and an LDH domain with at least two labels.
const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/u;
const DOMAIN_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/u;
const TOP_LEVEL = /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/u;

function validDomain(domain: string): boolean {
  if (domain.length > 253) return false;
  const labels = domain.split('.');
  if (labels.length < 2) return false;
  if (!labels.every((label) => DOMAIN_LABEL.test(label))) return false;
  return TOP_LEVEL.test(labels[labels.length - 1]!);
}

/** Turns an internationalised domain into its ASCII (punycode) form, or undefined when it can't. */
function asciiDomain(domain: string): string | undefined {
  if (/^[\x00-\x7F]*$/u.test(domain)) return domain;
  try {
    return new URL(`http://${domain}`).hostname;
  } catch {
    return undefined;
  }
}

/**
 * Normalises one email: trims it, drops a "mailto:" prefix and surrounding angle brackets, turns a
 * full-width "＠" into "@", lower-cases the domain (an internationalised domain becomes punycode)
 * and keeps the local part's case (RFC 5321 leaves its meaning to the receiving host). Then checks
 * the syntax: dot-atom local part of at most 64 characters, a domain of LDH labels with an
 * alphabetic or punycode top-level label, at most 254 characters in all.
 */
export function normaliseEmail(raw: string): NormalisedEmail {
  const text = raw
    .trim()
    .replace(/^mailto:/iu, '')
    .replace(/^<(.*)>$/u, '$1')
    .replace(/\uFF20/gu, '@')
    .trim();
  const at = text.lastIndexOf('@');
  if (at <= 0 || at === text.length - 1) return { raw, address: null, valid: false };
  const local = text.slice(0, at);
  const domain = asciiDomain(text.slice(at + 1).toLowerCase().replace(/\.$/u, ''));
  if (!domain) return { raw, address: null, valid: false };
  const address = `${local}@${domain}`;
  const valid = local.length <= 64 && address.length <= 254 && LOCAL_PART.test(local) && validDomain(domain);
  return valid ? { raw, address, valid } : { raw, address: null, valid: false };
}

/** Normalises a list of emails, keeping order and every entry (invalid ones flagged). */
export function normaliseEmails(raws: readonly string[]): NormalisedEmail[] {
  return raws.map(normaliseEmail);
}
