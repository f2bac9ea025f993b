import sanitizeHtml from 'sanitize-html';
import { UserRef } from '../customers/customer.schema';

/**
 * Rich-text notes are stored already sanitised, so every reader (API, timeline, exports, webhooks)
 * gets markup that is safe to render. The allow-list is deliberately small: text formatting,
 * lists, quotes, code, links and user mentions. Everything else is removed — elements whose
 * content is code or styling (`script`, `style`, `iframe`, …) with their content, any other
 * element keeping its text — and so are all attributes outside the list (event handlers, `style`,
 * `class`, `id`). See docs/adr/0021-notes-rich-text.md.
 */

/** Attribute that marks a user mention: `<span data-mention="<userId>">@Name</span>`. */
export const MENTION_ATTRIBUTE = 'data-mention';
/** Every link opens without handing the CRM window or its URL to the target, and earns it no SEO credit. */
export const LINK_REL = 'noopener noreferrer nofollow';
/** Longest plain-text excerpt kept with a note and shown in the timeline. */
export const EXCERPT_MAX_CHARS = 200;
/** Most distinct users one note may mention. */
export const MAX_MENTIONS = 50;

const ALLOWED_TAGS = ['p', 'br', 'strong', 'b', 'em', 'i', 'u', 's', 'ul', 'ol', 'li', 'blockquote', 'code', 'pre', 'a', 'span'];
/** Not an HTML element: a tag renamed to it is dropped while its text stays. */
const UNWRAP = 'crm-unwrap';

const NOTE_HTML_OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: ALLOWED_TAGS,
  allowedAttributes: { a: ['href', 'rel'], span: [MENTION_ATTRIBUTE] },
  // href only; http(s) and mailto, no protocol-relative `//host` (its scheme is the page's).
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: {},
  allowedSchemesAppliedToAttributes: ['href'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  // These lose their content too, not just the tags (the library's default list plus embeds).
  nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'iframe', 'object', 'embed', 'svg', 'math', 'template', 'title', 'head', 'xmp', 'noembed', 'noframes', 'plaintext'],
  parseStyleAttributes: false,
  enforceHtmlBoundary: false,
  // Deeper nesting than any editor produces is an attack on the parser or the renderer.
  nestingLimit: 32,
  transformTags: {
    a: (_tag, attribs) => ({ tagName: 'a', attribs: { ...(attribs.href !== undefined ? { href: attribs.href } : {}), rel: LINK_REL } }),
    // A span is only kept as a mention of a well-formed user id; any other span is unwrapped.
    span: (_tag, attribs): sanitizeHtml.Tag => {
      const user = attribs[MENTION_ATTRIBUTE];
      return user !== undefined && UserRef.safeParse(user).success
        ? { tagName: 'span', attribs: { [MENTION_ATTRIBUTE]: user } }
        : { tagName: UNWRAP, attribs: {} };
    },
  },
};

const TEXT_OPTIONS: sanitizeHtml.IOptions = { allowedTags: [], allowedAttributes: {}, nonTextTags: NOTE_HTML_OPTIONS.nonTextTags! };

/** The allow-listed form of untrusted HTML (idempotent: sanitising the result changes nothing). */
export function sanitiseNoteHtml(html: string): string {
  return sanitizeHtml(html, NOTE_HTML_OPTIONS);
}

/** User ids mentioned in sanitised note HTML, distinct, in order of first mention. */
export function mentionsOf(sanitisedHtml: string): string[] {
  // After sanitising, a mention is always exactly `<span data-mention="<UserRef>">` (no quotes or
  // entities can occur in a UserRef), so reading the markup back is exact.
  const users = [...sanitisedHtml.matchAll(/<span data-mention="([^"]+)">/g)].map((m) => m[1]!);
  return [...new Set(users)];
}

/** Plain text of sanitised note HTML: tags removed, block boundaries as spaces, entities decoded. */
export function plainTextOf(sanitisedHtml: string): string {
  const spaced = sanitisedHtml.replace(/<br \/>|<\/(?:p|li|blockquote|pre)>|<(?:p|li|ul|ol|blockquote|pre)>/g, ' $&');
  return decodeEscapes(sanitizeHtml(spaced, TEXT_OPTIONS));
}

/** The first characters of a text, whitespace collapsed, cut at a code-point boundary with an ellipsis. */
export function excerptOf(text: string, max = EXCERPT_MAX_CHARS): string {
  const collapsed = text.replace(/\s+/g, ' ').trim();
  const chars = Array.from(collapsed);
  return chars.length <= max ? collapsed : `${chars.slice(0, max - 1).join('').trimEnd()}…`;
}

export type NoteFormat = 'html' | 'text';

/** What is stored for a note body: the safe body, its excerpt and the users it mentions. */
export interface NoteContent {
  body: string;
  excerpt: string;
  mentions: string[];
}

/**
 * Turns a submitted body into stored content. `html` is sanitised and its mentions read from the
 * markup (the one source of truth); `text` is kept verbatim — it is plain text, never markup, and
 * readers must render it as text.
 */
export function noteContent(body: string, format: NoteFormat): NoteContent {
  if (format === 'text') return { body, excerpt: excerptOf(body), mentions: [] };
  const clean = sanitiseNoteHtml(body);
  return { body: clean, excerpt: excerptOf(plainTextOf(clean)), mentions: mentionsOf(clean) };
}

function decodeEscapes(text: string): string {
  // The library escapes exactly these in text output; `&amp;` last so `&amp;lt;` stays `&lt;`.
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');
}
