import { isIP } from 'node:net';
import { AppError } from '../errors';

/**
 * The SSRF guard of webhook targets. A partner-supplied URL is called from inside our network, so
 * it must not reach private, loopback, link-local (the instance metadata service at
 * 169.254.169.254), carrier-grade NAT, multicast or reserved addresses. IPv4 written in decimal,
 * octal or hex (`http://2130706433/`, `http://0177.1/`) needs no special code: the WHATWG URL parser
 * normalises such hosts to dotted quads before they are checked. IPv4-mapped/-compatible and NAT64
 * IPv6 addresses are checked as the IPv4 address they embed.
 */
export interface DeliverableUrlOptions {
  /**
   * The local runtime: loopback targets (127.0.0.0/8, ::1, localhost) are allowed, over http too, so
   * developers can point a webhook at a receiver on their machine. Never in AWS.
   */
  allowLoopback: boolean;
}

type Range = [base: number, bits: number];

const ip4 = (a: number, b: number, c: number, d: number): number => ((a << 24) >>> 0) + (b << 16) + (c << 8) + d;

/** IPv4 ranges never delivered to (RFC 6890 special-purpose and private-use blocks). */
const FORBIDDEN_V4: Range[] = [
  [ip4(0, 0, 0, 0), 8], [ip4(10, 0, 0, 0), 8], [ip4(100, 64, 0, 0), 10], [ip4(127, 0, 0, 0), 8],
  [ip4(169, 254, 0, 0), 16], [ip4(172, 16, 0, 0), 12], [ip4(192, 0, 0, 0), 24], [ip4(192, 0, 2, 0), 24],
  [ip4(192, 88, 99, 0), 24], [ip4(192, 168, 0, 0), 16], [ip4(198, 18, 0, 0), 15], [ip4(198, 51, 100, 0), 24],
  [ip4(203, 0, 113, 0), 24], [ip4(224, 0, 0, 0), 4], [ip4(240, 0, 0, 0), 4],
];
const LOOPBACK_V4: Range = [ip4(127, 0, 0, 0), 8];

function inRange4(address: number, [base, bits]: Range): boolean {
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return ((address & mask) >>> 0) === ((base & mask) >>> 0);
}

function parse4(text: string): number {
  const [a, b, c, d] = text.split('.').map(Number) as [number, number, number, number];
  return ip4(a, b, c, d);
}

/** The eight 16-bit groups of an IPv6 address (isIP already said it is one). */
function parse6(text: string): number[] {
  let address = text.toLowerCase();
  const zone = address.indexOf('%');
  if (zone >= 0) address = address.slice(0, zone);
  // A trailing dotted quad (::ffff:1.2.3.4) becomes two groups.
  const quad = /(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (quad) {
    const v4 = parse4(quad[1]!);
    address = `${address.slice(0, quad.index)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const [head, tail] = address.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return groups.map((g) => parseInt(g, 16));
}

type Verdict = 'public' | 'loopback' | 'forbidden';

function classify4(address: number): Verdict {
  if (inRange4(address, LOOPBACK_V4)) return 'loopback';
  return FORBIDDEN_V4.some((r) => inRange4(address, r)) ? 'forbidden' : 'public';
}

function classify6(g: number[]): Verdict {
  const embedded4 = (): number => ((g[6]! << 16) >>> 0) + g[7]!;
  const zeros = (n: number) => g.slice(0, n).every((x) => x === 0);
  if (zeros(7) && g[7] === 1) return 'loopback'; // ::1
  if (zeros(8)) return 'forbidden'; // ::
  if (zeros(5) && g[5] === 0xffff) return classify4(embedded4()); // ::ffff:a.b.c.d (mapped)
  if (zeros(6)) return classify4(embedded4()) === 'public' ? 'forbidden' : classify4(embedded4()); // ::a.b.c.d (deprecated compatible)
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)) return classify4(embedded4()); // NAT64 64:ff9b::/96
  const first = g[0]!;
  if ((first & 0xfe00) === 0xfc00) return 'forbidden'; // fc00::/7 unique local
  if ((first & 0xffc0) === 0xfe80) return 'forbidden'; // fe80::/10 link-local
  if ((first & 0xffc0) === 0xfec0) return 'forbidden'; // fec0::/10 site-local (deprecated)
  if ((first & 0xff00) === 0xff00) return 'forbidden'; // ff00::/8 multicast
  if (first === 0x2001 && g[1] === 0x0db8) return 'forbidden'; // 2001:db8::/32 documentation
  if (first === 0x2001 && g[1]! < 0x200) return 'forbidden'; // 2001::/23 IETF protocol assignments (Teredo, ...)
  if (first === 0x2002) return 'forbidden'; // 6to4 (embeds an arbitrary IPv4)
  return 'public';
}

/** Whether an IP address literal is public, loopback or otherwise forbidden as a webhook target. */
export function classifyAddress(address: string): Verdict {
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  const family = isIP(bare.split('%')[0]!);
  if (family === 4) return classify4(parse4(bare));
  if (family === 6) return classify6(parse6(bare));
  throw new Error(`Not an IP address: ${address}`);
}

/** Host names that always mean this machine or a cloud metadata service. */
function classifyHostname(hostname: string): Verdict | undefined {
  const name = hostname.toLowerCase().replace(/\.$/, '');
  if (name === 'localhost' || name.endsWith('.localhost')) return 'loopback';
  if (name === 'metadata' || name === 'metadata.google.internal' || name === 'instance-data' || name.endsWith('.internal')) return 'forbidden';
  return undefined;
}

function refuse(message: string): never {
  throw new AppError('validation_failed', message, { errors: [{ path: 'body.url', message }] });
}

/**
 * Checks a webhook target URL and answers it parsed. Refused (validation_failed on `body.url`):
 * anything but https (http only for loopback when `allowLoopback`), user:password in the URL,
 * fragments, IP literals and well-known host names of private, loopback (unless allowed),
 * link-local, metadata, multicast or reserved addresses. Host names are checked again at delivery,
 * after DNS resolution (assertResolvedAddresses), because the name may point anywhere.
 */
export function assertDeliverableUrl(raw: string, options: DeliverableUrlOptions): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return refuse('must be an absolute URL');
  }
  if (raw.length > 2048) refuse('must be at most 2048 characters');
  if (url.protocol !== 'https:' && url.protocol !== 'http:') refuse('must be an https URL');
  if (url.username || url.password) refuse('must not contain credentials');
  if (url.hash) refuse('must not contain a fragment');
  const host = url.hostname;
  const verdict = isIP(host.replace(/^\[|\]$/g, '')) ? classifyAddress(host) : classifyHostname(host) ?? 'public';
  if (verdict === 'forbidden' || (verdict === 'loopback' && !options.allowLoopback)) {
    refuse('must not point at a private, loopback, link-local or reserved address');
  }
  if (url.protocol === 'http:' && verdict !== 'loopback') refuse('must be an https URL (http only for a local receiver)');
  return url;
}

/**
 * The delivery-time half of the guard: every address a host name resolved to must be public (or
 * loopback when allowed). Checking all of them defeats a name with one public and one private
 * record. Throws a plain Error (the delivery is recorded as failed, not the request).
 */
export function assertResolvedAddresses(hostname: string, addresses: readonly string[], options: DeliverableUrlOptions): void {
  if (addresses.length === 0) throw new Error(`${hostname} did not resolve`);
  for (const address of addresses) {
    const verdict = classifyAddress(address);
    if (verdict === 'forbidden' || (verdict === 'loopback' && !options.allowLoopback)) {
      throw new Error(`${hostname} resolves to a non-public address (${address}); delivery refused`);
    }
  }
}
