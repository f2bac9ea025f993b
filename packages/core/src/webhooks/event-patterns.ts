import { EVENT_DEFINITIONS } from '../events/event-catalogue';

/** Event types a subscription may name: the catalogue's (packages/core/src/events). */
export function knownEventTypes(): string[] {
  return [...new Set(EVENT_DEFINITIONS.map((d) => d.type))].sort();
}

/**
 * Whether `pattern` is a valid subscription filter: an exact catalogue type (`customer.created`),
 * a prefix pattern `<entity>.*` whose entity publishes at least one type (`customer.*`), or `*`
 * (every event). Anything else — including a pattern matching nothing — is refused, so a typo
 * does not silently subscribe to nothing.
 */
export function isValidEventPattern(pattern: string): boolean {
  if (pattern === '*') return true;
  const types = knownEventTypes();
  if (pattern.endsWith('.*')) {
    const prefix = pattern.slice(0, -1);
    return /^[a-z][a-z-]*\.$/.test(prefix) && types.some((t) => t.startsWith(prefix));
  }
  return types.includes(pattern);
}

/** Whether an event type matches one filter (see isValidEventPattern). */
export function eventMatchesPattern(type: string, pattern: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('.*')) return type.startsWith(pattern.slice(0, -1));
  return type === pattern;
}

/** Whether an event type matches any of a subscription's filters. */
export function eventMatchesAny(type: string, patterns: readonly string[]): boolean {
  return patterns.some((p) => eventMatchesPattern(type, p));
}
