import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { Readable } from 'node:stream';
import { assertResolvedAddresses, type DeliverableUrlOptions } from '@crm/core';

/**
 * A `fetch` for webhook deliveries whose connections can only reach addresses the SSRF guard
 * allows: the guard runs inside the socket's DNS lookup, on the very addresses it connects to, so a
 * host name cannot resolve to a public address when checked and to a private one when connecting
 * (DNS rebinding). Node's http(s) clients never follow redirects. Supports what deliverEvent uses:
 * method, string body, headers, AbortSignal.
 */
export function guardedFetch(targets: DeliverableUrlOptions): typeof fetch {
  const lookup: LookupFunction = (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 0);
      try {
        assertResolvedAddresses(hostname, addresses.map((a) => a.address), targets);
      } catch (refused) {
        return callback(refused as NodeJS.ErrnoException, '', 0);
      }
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      return callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
  return (async (input: string | URL | Request, init: RequestInit = {}) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const request = url.protocol === 'https:' ? httpsRequest : url.protocol === 'http:' ? httpRequest : undefined;
    if (!request) throw new TypeError(`Unsupported protocol ${url.protocol}`);
    const body = typeof init.body === 'string' ? init.body : undefined;
    const headers = { ...(init.headers as Record<string, string> | undefined), ...(body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {}) };
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      // agent: false — a fresh connection per attempt, so every connection passes the guarded lookup.
      const req = request(url, { method: init.method ?? 'GET', headers, lookup, agent: false, ...(init.signal ? { signal: init.signal } : {}) }, resolve);
      req.on('error', (error) => reject(init.signal?.aborted ? init.signal.reason : error));
      req.end(body);
    });
    const responseHeaders = new Headers();
    for (const [name, value] of Object.entries(response.headers)) {
      for (const v of [value ?? []].flat()) responseHeaders.append(name, v);
    }
    const status = response.statusCode ?? 0;
    const stream = status === 204 || status === 304 ? null : (Readable.toWeb(response) as ReadableStream<Uint8Array>);
    if (!stream) response.resume();
    return new Response(stream, { status, headers: responseHeaders });
  }) as typeof fetch;
}
