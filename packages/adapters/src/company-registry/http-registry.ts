import { CompanyRecord, normalizeCreditCode, type CompanyQuery, type CompanyRegistry } from '@crm/core';

export interface HttpCompanyRegistryOptions {
  /** Base URL of the registry gateway, e.g. `https://registry.example.com/v1` (no trailing slash needed). */
  baseUrl: string;
  /** Short provider name; answers carry `source: 'http:<provider>'`. */
  provider: string;
  /** Sent as `Authorization: Bearer <apiKey>` when set (read from a secret by the composition root). */
  apiKey?: string;
  /**
   * Maps the provider's JSON body to a CompanyRecord without `source` (default: the body as is).
   * Providers word things differently (注册资本 in 万元, 存续/在业 statuses); map them here.
   */
  mapResponse?: (body: unknown) => unknown;
  /** Injected for tests or a keep-alive agent; defaults to the global fetch. */
  fetch?: typeof fetch;
}

/**
 * Company registry over HTTP: `GET <baseUrl>/companies?creditCode=<code>` or `?name=<name>`.
 * 200 → the record, 404 → not found, anything else → an error (which the enrichment's retry and
 * circuit breaker handle). The caller's AbortSignal cancels the request.
 */
export function createHttpCompanyRegistry(options: HttpCompanyRegistryOptions): CompanyRegistry {
  const base = new URL(options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`);
  const doFetch = options.fetch ?? fetch;
  const map = options.mapResponse ?? ((body: unknown) => body);
  return {
    async lookup(query: CompanyQuery, lookupOptions?: { signal?: AbortSignal }) {
      const url = new URL('companies', base);
      if (query.creditCode !== undefined) url.searchParams.set('creditCode', normalizeCreditCode(query.creditCode));
      else if (query.name !== undefined) url.searchParams.set('name', query.name.trim());
      else return undefined;
      const response = await doFetch(url, {
        headers: { accept: 'application/json', ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}) },
        ...(lookupOptions?.signal ? { signal: lookupOptions.signal } : {}),
      });
      if (response.status === 404) {
        await response.body?.cancel();
        return undefined;
      }
      if (!response.ok) {
        await response.body?.cancel();
        throw new Error(`Company registry ${options.provider} answered HTTP ${response.status}`);
      }
      const mapped = map(await response.json());
      return CompanyRecord.parse({ ...(mapped as object), source: `http:${options.provider}` });
    },
  };
}
