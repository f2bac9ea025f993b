import { notFound, RecordId } from '@crm/core';

/** The `{id}` path parameter; a malformed id cannot exist, so it answers 404 like a foreign one. */
export function recordIdParam(params: Record<string, string>, what: string): string {
  const id = params.id ?? '';
  if (!RecordId.safeParse(id).success) throw notFound(`${what} ${id}`);
  return id;
}
