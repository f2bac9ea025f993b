/**
 * The API record of a stored item: only the listed record fields that are set, never keys, index
 * attributes, timers or tenant.
 */
export function pickFields<T>(item: Record<string, unknown>, fields: readonly (keyof T & string)[]): T {
  const out: Record<string, unknown> = {};
  for (const f of fields) if (item[f] !== undefined) out[f] = item[f];
  return out as T;
}
