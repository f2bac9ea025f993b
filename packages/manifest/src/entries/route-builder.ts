import type { HttpMethod, HttpRouteEntry } from '../manifest.types';

export const SCOPES = {
  customersRead: ['crm/customers.read'],
  customersWrite: ['crm/customers.write'],
  admin: ['crm/admin'],
} as const;

type JwtRouteOptions = Omit<HttpRouteEntry, 'kind' | 'entry' | 'auth' | 'method' | 'path' | 'name' | 'summary'> & {
  scopes: readonly string[];
  permission: string;
};

/**
 * A token-protected HTTP route whose handler is `functions/<folder>/<name>.handler.ts` (the
 * convention every handler follows), so entries read as one line of routing facts each.
 */
export function jwtRoute(
  folder: string,
  name: string,
  method: HttpMethod,
  path: string,
  summary: string,
  { scopes, permission, ...rest }: JwtRouteOptions,
): HttpRouteEntry {
  return {
    kind: 'http', name, method, path, summary, entry: `functions/${folder}/${name}.handler.ts`,
    auth: { type: 'jwt', scopes: [...scopes], permission }, ...rest,
  };
}
