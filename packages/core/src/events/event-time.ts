import type { ChangeRecord } from './change-record-events';

/**
 * An event time: the value when it is an instant, else the record's approximate creation time.
 * A leaf module (type-only imports) so the per-module event mappers can share it: they are imported
 * by change-record-events.ts, so a value import from there would be circular at load time.
 */
export function instant(value: unknown, record: ChangeRecord): string {
  if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return new Date(value).toISOString();
  return new Date(record.approximateCreationTime).toISOString();
}
