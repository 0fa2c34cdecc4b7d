/**
 * The relay's refusal rules as pure functions, so each one is tested on its own. The relay is
 * never an open proxy: only allowlisted origins (Entra's login hosts, the sandbox, and issuers the
 * user added), only token / device-code POSTs, GETs of discovery documents and of exactly the key
 * sets those documents named, and never an address on this machine or a private network unless that
 * exact origin was allowlisted.
 */
import { BlockList, isIP } from 'node:net';
import { networkInterfaces } from 'node:os';

/** Entra's sign-in hosts (global, US Government, China) the relay may always reach. */
export const ENTRA_LOGIN_ORIGINS = [
  'https://login.microsoftonline.com',
  'https://login.microsoftonline.us',
  'https://login.partner.microsoftonline.cn',
] as const;

/** Why a request was refused, with the HTTP status the relay answers. */
export class Refusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const ENTRA_FORM_PATH = /^\/[A-Za-z0-9.\-_]+\/oauth2\/v2\.0\/(token|devicecode)$/;
// OIDC Discovery appends its well-known path to the issuer; RFC 8414 §3.1 inserts its own before the issuer's path.
const DISCOVERY_PATH =
  /(\/\.well-known\/(openid-configuration|oauth-authorization-server)$)|(^\/\.well-known\/oauth-authorization-server\/.+$)/;

/** Whether a URL is where OIDC Discovery §4 or RFC 8414 §3.1 put a metadata document. */
export function isMetadataUrl(url: URL): boolean {
  return DISCOVERY_PATH.test(url.pathname);
}

/**
 * The key set URLs (`jwks_uri`) that metadata documents fetched by this relay named, exactly as
 * named, forgetting the oldest once `limit` is reached. Only these may be fetched besides metadata:
 * a key set's path says nothing (Facebook's ends in /jwks/, Spotify's in /certs/v1).
 */
export class NamedKeySets {
  readonly #urls = new Set<string>();

  constructor(readonly limit = 256) {}

  /**
   * Remembers the `jwks_uri` of a metadata document from `documentUrl` (already checked to be on
   * the allowlist). Only https URLs, or any URL on an allowlisted origin, without credentials or
   * fragment; anything else is ignored. Returns the URL remembered, if any.
   */
  rememberFrom(document: unknown, allowlisted: (origin: string) => boolean): string | undefined {
    if (typeof document !== 'object' || document === null) return undefined;
    const value = (document as Record<string, unknown>)['jwks_uri'];
    if (typeof value !== 'string' || value.length > 2048) return undefined;
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return undefined;
    }
    if (url.username !== '' || url.password !== '' || url.hash !== '') return undefined;
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && allowlisted(url.origin))) return undefined;
    this.#urls.delete(url.href);
    this.#urls.add(url.href);
    while (this.#urls.size > this.limit) {
      const oldest = this.#urls.values().next().value;
      if (oldest === undefined) break;
      this.#urls.delete(oldest);
    }
    return url.href;
  }

  has(url: URL): boolean {
    return this.#urls.has(url.href);
  }

  get size(): number {
    return this.#urls.size;
  }
}

/**
 * Parses an origin the user wants to allow: https (or http on localhost, 127.0.0.1, [::1]), no path
 * meaning, no credentials. An IP address must be written the way a URL parser writes it (no
 * `2130706433`, `0x7f.1` or `[::ffff:7f00:1]` spellings) and must pass the address check, except the
 * exact loopback hosts `127.0.0.1` and `[::1]`, allowed for local test servers. Returns the origin;
 * throws a `Refusal` (400 for malformed input, 403 for a forbidden address) saying what to do.
 */
export function parseAllowableOrigin(value: string, localAddresses?: () => readonly string[]): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Refusal(400, 'Not an absolute URL.');
  }
  if (url.username !== '' || url.password !== '')
    throw new Refusal(400, 'An origin may not carry credentials.');
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHostname(url.hostname))) {
    throw new Refusal(400, 'Only https origins (or http on localhost) may be added.');
  }
  if (isIpLiteral(url.hostname)) {
    const typed = typedHost(value);
    if (typed !== url.hostname) {
      throw new Refusal(
        400,
        `${typed ?? 'That host'} is another spelling of the address ${url.hostname}; write it as ${url.hostname} if you mean it.`,
      );
    }
    const reason =
      url.hostname === '127.0.0.1' || url.hostname === '[::1]'
        ? undefined
        : addressRefusal(url.hostname, {
            loopbackOnly: false,
            ...(localAddresses === undefined ? {} : { localAddresses }),
          });
    if (reason !== undefined) {
      throw new Refusal(
        403,
        `${url.hostname} is ${reason}, which the relay never reaches. Use a public host name, or for a server on this machine http://localhost, http://127.0.0.1 or http://[::1].`,
      );
    }
  }
  return url.origin;
}

/** The host as typed in an absolute URL (lower case, port and credentials left off), before parsing. */
function typedHost(value: string): string | undefined {
  const authority = /^[a-z][a-z0-9+.-]*:[/\\]{2}([^/?#\\]*)/i.exec(value.trim())?.[1];
  if (authority === undefined) return undefined;
  const host = authority.slice(authority.lastIndexOf('@') + 1).toLowerCase();
  return host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d*$/, '');
}

function isLoopbackHostname(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '127.0.0.1' || hostname === '[::1]';
}

/**
 * Checks where a request wants to go. Allowed: a POST to an allowlisted origin's token or device
 * code endpoint (Entra's fixed paths; any path on an origin the user added), a GET of a metadata
 * document on an allowlisted origin, or a GET of a key set that such a document named (on any
 * origin; the address checks after DNS still apply).
 */
export function checkTarget(
  target: string | undefined,
  method: string,
  allowlist: {
    readonly entra: readonly string[];
    readonly added: readonly string[];
    readonly namedKeySets?: { has(url: URL): boolean };
  },
): URL {
  if (target === undefined || target === '') throw new Refusal(400, 'X-Relay-Target is missing.');
  if (target.length > 2048) throw new Refusal(414, 'The target URL is too long.');
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw new Refusal(400, 'X-Relay-Target is not an absolute URL.');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new Refusal(403, `The ${url.protocol} scheme is not relayed.`);
  if (url.username !== '' || url.password !== '')
    throw new Refusal(403, 'Credentials in the target URL are not allowed.');
  if (url.hash !== '') throw new Refusal(400, 'A target URL has no fragment.');
  const entra = allowlist.entra.includes(url.origin);
  const added = allowlist.added.includes(url.origin);
  // OIDC Discovery §3 / RFC 8414 §2: jwks_uri may be any URL; the document that named it is the authority.
  if (method === 'GET' && allowlist.namedKeySets?.has(url) === true) return url;
  if (!entra && !added) throw new Refusal(403, `${url.origin} is not on the relay's allowlist.`);
  if (method === 'POST') {
    if (entra && !ENTRA_FORM_PATH.test(url.pathname)) {
      throw new Refusal(403, 'Only /{tenant}/oauth2/v2.0/token and /devicecode may be relayed to Entra.');
    }
    return url;
  }
  if (method === 'GET') {
    if (!isMetadataUrl(url)) {
      throw new Refusal(
        403,
        'Only metadata documents (/.well-known/…) and the key sets (jwks_uri) they named may be fetched; fetch the discovery document through the relay first.',
      );
    }
    return url;
  }
  throw new Refusal(405, 'The relay forwards POST and GET only.');
}

/** Whether the relay is being reached under a name of this machine (defeats DNS rebinding). */
export function checkHostHeader(host: string | undefined, port: number): void {
  const allowed = [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`];
  if (host === undefined || !allowed.includes(host.toLowerCase())) {
    throw new Refusal(421, 'The relay answers only under localhost (Host header check).');
  }
}

/**
 * IPv4 ranges the relay never connects to (unless an exact loopback origin was added): every entry of
 * IANA's IPv4 Special-Purpose Address Registry (RFC 6890, updated by RFC 8190) that is not globally
 * reachable, plus multicast and the reserved class E. Documentation ranges are included on principle:
 * nothing legitimate is served there. https://www.iana.org/assignments/iana-ipv4-special-registry
 */
const FORBIDDEN_V4: readonly (readonly [string, number, string])[] = [
  ['0.0.0.0', 8, '"this" network'],
  ['10.0.0.0', 8, 'a private network address'],
  ['100.64.0.0', 10, 'a carrier-grade NAT address'],
  ['127.0.0.0', 8, 'a loopback address'],
  ['169.254.0.0', 16, 'a link-local address (cloud metadata lives at 169.254.169.254)'],
  ['172.16.0.0', 12, 'a private network address'],
  ['192.0.0.0', 24, 'an IETF protocol assignment'],
  ['192.0.2.0', 24, 'a documentation address'],
  ['192.88.99.0', 24, 'a deprecated 6to4 relay address (RFC 7526)'],
  ['192.168.0.0', 16, 'a private network address'],
  ['198.18.0.0', 15, 'a benchmarking address'],
  ['198.51.100.0', 24, 'a documentation address'],
  ['203.0.113.0', 24, 'a documentation address'],
  ['224.0.0.0', 4, 'a multicast address'],
  ['240.0.0.0', 4, 'a reserved or broadcast address'],
];

/**
 * IPv6 ranges inside global unicast (2000::/3) that are still not globally reachable, from IANA's
 * IPv6 Special-Purpose Address Registry. Everything outside 2000::/3 is refused anyway (loopback,
 * unspecified, ULA fc00::/7, link-local fe80::/10, site-local fec0::/10, multicast ff00::/8, the
 * discard prefix 100::/64, SRv6 5f00::/16 and unassigned space), except the two forms that embed an
 * IPv4 address and are checked as that address (see `embeddedV4`).
 * https://www.iana.org/assignments/iana-ipv6-special-registry
 */
const FORBIDDEN_V6_GLOBAL: readonly (readonly [string, number, string])[] = [
  // Teredo (2001::/32, RFC 4380) lies inside; its IPv4 server and client are obfuscated in the address
  // and reach wherever the tunnel leads, so the whole IETF block is refused rather than decoded.
  ['2001::', 23, 'an IETF protocol assignment or Teredo tunnel address'],
  ['2001:db8::', 32, 'a documentation address'],
  // 6to4 (RFC 3056) embeds any IPv4 address, private ones included, behind relays RFC 7526 deprecated:
  // refused wholesale, since no identity provider is reachable only through 6to4.
  ['2002::', 16, 'a 6to4 tunnel address'],
  ['3fff::', 20, 'a documentation address'],
];

function blockListOf(ranges: readonly (readonly [string, number, string])[], family: 'ipv4' | 'ipv6') {
  return ranges.map(([net, prefix, reason]) => {
    const list = new BlockList();
    list.addSubnet(net, prefix, family);
    return { list, reason };
  });
}

const V4_RULES = blockListOf(FORBIDDEN_V4, 'ipv4');
const V6_RULES = blockListOf(FORBIDDEN_V6_GLOBAL, 'ipv6');
/** Names for the non-global IPv6 ranges a user is likeliest to meet, for the refusal message. */
const V6_NAMED_OUTSIDE_GLOBAL = blockListOf(
  [
    ['fc00::', 7, 'a unique local (private) IPv6 address'],
    ['fe80::', 10, 'a link-local IPv6 address'],
    // RFC 3879 deprecated site-local addresses, but old networks still route them privately.
    ['fec0::', 10, 'a site-local IPv6 address'],
    ['ff00::', 8, 'a multicast address'],
    ['64:ff9b:1::', 48, 'a local-use NAT64 address (RFC 8215)'],
  ],
  'ipv6',
);
const V6_GLOBAL_UNICAST = blockListOf([['2000::', 3, '']], 'ipv6')[0]?.list as BlockList;

/** The eight 16-bit groups of an IPv6 address (any textual form Node accepts), or undefined. */
function v6Groups(ip: string): number[] | undefined {
  let canonical: string;
  try {
    // WHATWG URL writes every IPv6 form (dotted tail, zero runs, upper case) as compressed hex groups.
    canonical = new URL(`http://[${ip}]/`).hostname.slice(1, -1);
  } catch {
    return undefined;
  }
  const [head = '', tail] = canonical.split('::');
  const part = (text: string) => (text === '' ? [] : text.split(':').map((g) => parseInt(g, 16)));
  const left = part(head);
  const right = tail === undefined ? [] : part(tail);
  const groups = [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff)
    ? groups
    : undefined;
}

const v4Of = (high: number, low: number) => `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;

/** The IPv4 address that an IPv4-mapped (RFC 4291 §2.5.5.2) or NAT64 (RFC 6052) address carries. */
function embeddedV4(groups: readonly number[]): { v4: string; kind: 'mapped' | 'nat64' } | undefined {
  const [a, b, c, d, e, f, g = 0, h = 0] = groups;
  if (a === 0 && b === 0 && c === 0 && d === 0 && e === 0 && f === 0xffff)
    return { v4: v4Of(g, h), kind: 'mapped' };
  // RFC 6052 §3.1: the well-known prefix 64:ff9b::/96 MUST NOT carry non-global IPv4 addresses, so
  // the embedded address decides; a DNS64 network reaching Entra this way keeps working.
  if (a === 0x64 && b === 0xff9b && c === 0 && d === 0 && e === 0 && f === 0)
    return { v4: v4Of(g, h), kind: 'nat64' };
  return undefined;
}

/** Whether `ip` (a valid address, no brackets) is loopback: 127.0.0.0/8, ::1, or 127/8 IPv4-mapped. */
function isLoopback(ip: string): boolean {
  const family = isIP(ip);
  if (family === 4) return ip.split('.')[0] === '127';
  const groups = v6Groups(ip);
  if (groups === undefined) return false;
  if (groups.slice(0, 7).every((g) => g === 0) && groups[7] === 1) return true;
  const embedded = embeddedV4(groups);
  return embedded?.kind === 'mapped' && embedded.v4.startsWith('127.');
}

/** The addresses of this machine's interfaces right now (interfaces come and go, so read per check). */
export function currentLocalAddresses(): string[] {
  return Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((i) => i.address));
}

/** What the address check may allow besides public addresses, and what counts as this machine. */
export interface AddressPolicy {
  /**
   * The origin was added exactly as localhost, 127.0.0.1 or [::1]: every address must then be
   * loopback (a `localhost` answering elsewhere is refused). Otherwise loopback is refused like
   * every special-purpose address.
   */
  readonly loopbackOnly: boolean;
  /** This machine's addresses; defaults to `os.networkInterfaces()` read at each check. */
  readonly localAddresses?: () => readonly string[];
}

function sameAddress(a: string, b: string): boolean {
  if (isIP(a) === 4 && isIP(b) === 4) return a === b;
  const left = isIP(a) === 4 ? [0, 0, 0, 0, 0, 0xffff, ...v4Pair(a)] : v6Groups(a);
  const right = isIP(b) === 4 ? [0, 0, 0, 0, 0, 0xffff, ...v4Pair(b)] : v6Groups(b);
  return left !== undefined && right !== undefined && left.every((g, i) => g === right[i]);
}

function v4Pair(ip: string): [number, number] {
  const [w = 0, x = 0, y = 0, z = 0] = ip.split('.').map(Number);
  return [(w << 8) | x, (y << 8) | z];
}

/**
 * Why the relay must not connect to `address`, or undefined when it may. `address` is an IP address
 * in any form Node or a URL accepts for a host (brackets and a zone id are tolerated); anything that
 * is not an IP address is refused. Refused: every special-purpose (not globally reachable) IPv4 or
 * IPv6 range, IPv6 outside global unicast, IPv4-compatible, 6to4 and Teredo addresses, IPv4-mapped
 * and NAT64 addresses whose embedded IPv4 address is refused, and every address of this machine's
 * interfaces. With `loopbackOnly`, loopback addresses pass and nothing else does.
 */
export function addressRefusal(address: string, policy: AddressPolicy): string | undefined {
  const ip = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const family = isIP(ip);
  if (family === 0) return 'not an IP address';
  if (policy.loopbackOnly)
    return isLoopback(ip)
      ? undefined
      : 'not a loopback address, though the origin was added as a server on this machine';
  let reason: string | undefined;
  if (family === 4) {
    reason = V4_RULES.find((rule) => rule.list.check(ip, 'ipv4'))?.reason;
  } else {
    const groups = v6Groups(ip);
    if (groups === undefined) return 'not an IP address';
    const embedded = embeddedV4(groups);
    if (embedded !== undefined) {
      const inner = addressRefusal(embedded.v4, policy);
      return inner === undefined
        ? undefined
        : `${inner}, written as ${embedded.kind === 'nat64' ? 'a NAT64' : 'an IPv4-mapped'} IPv6 address`;
    }
    if (groups.slice(0, 7).every((g) => g === 0) && (groups[7] ?? 0) <= 1)
      reason = groups[7] === 1 ? 'a loopback address' : 'the unspecified address';
    // RFC 4291 §2.5.5.1 deprecated ::a.b.c.d and no host is reached that way on purpose: refused
    // wholesale rather than decoded, so ::127.0.0.1 and ::10.0.0.1 never slip through.
    else if (groups.slice(0, 6).every((g) => g === 0))
      reason = 'a deprecated IPv4-compatible IPv6 address (RFC 4291 §2.5.5.1)';
    else if (!V6_GLOBAL_UNICAST.check(ip, 'ipv6'))
      reason =
        V6_NAMED_OUTSIDE_GLOBAL.find((rule) => rule.list.check(ip, 'ipv6'))?.reason ??
        'a reserved IPv6 address (outside global unicast 2000::/3)';
    else reason = V6_RULES.find((rule) => rule.list.check(ip, 'ipv6'))?.reason;
  }
  if (reason !== undefined) return reason;
  const local = (policy.localAddresses ?? currentLocalAddresses)();
  if (local.some((own) => isIP(own.replace(/%.*$/, '')) !== 0 && sameAddress(ip, own.replace(/%.*$/, ''))))
    return "an address of this machine's own network interfaces";
  return undefined;
}

/**
 * Whether the relay must refuse to connect to `ip` (see `addressRefusal`): a special-purpose
 * address, one of this machine's, or not an IP address at all.
 */
export function isForbiddenAddress(ip: string, policy: AddressPolicy = { loopbackOnly: false }): boolean {
  return addressRefusal(ip, policy) !== undefined;
}

/** Whether the hostname is an IP literal (the relay resolves names only). */
export function isIpLiteral(hostname: string): boolean {
  return isIP(hostname.replace(/^\[|\]$/g, '')) !== 0;
}
