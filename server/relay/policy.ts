/**
 * The relay's refusal rules as pure functions, so each one is tested on its own. The relay is
 * never an open proxy: only allowlisted origins (Entra's login hosts, the sandbox, and issuers the
 * user added), only token / device-code POSTs, GETs of discovery documents and of exactly the key
 * sets those documents named, and never an address on this machine or a private network unless that
 * exact origin was allowlisted.
 */
import { isIP } from 'node:net';

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

/** Parses an origin the user wants to allow: https (or http on loopback), no path, no credentials. */
export function parseAllowableOrigin(value: string): string {
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
  return url.origin;
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

function ipv4ToInt(ip: string): number {
  return ip.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

function inV4(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  const start = ipv4ToInt(base ?? '0.0.0.0');
  const value = ipv4ToInt(ip);
  return value >= start && value < start + size;
}

const FORBIDDEN_V4 = [
  '0.0.0.0/8', // "this" network
  '10.0.0.0/8', // private
  '100.64.0.0/10', // carrier-grade NAT
  '127.0.0.0/8', // loopback
  '169.254.0.0/16', // link-local, cloud metadata (169.254.169.254)
  '172.16.0.0/12', // private
  '192.0.0.0/24', // IETF protocol assignments
  '192.168.0.0/16', // private
  '198.18.0.0/15', // benchmarking
  '224.0.0.0/4', // multicast
  '240.0.0.0/4', // reserved, broadcast
];

/** Whether an IP address belongs to this machine, a private network, link-local or metadata space. */
export function isForbiddenAddress(ip: string): boolean {
  const family = isIP(ip);
  if (family === 4) return FORBIDDEN_V4.some((cidr) => inV4(ip, cidr));
  if (family !== 6) return true;
  const lower = ip.toLowerCase();
  const mapped =
    /^(?:0*:)*:?ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower) ?? /^::(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (mapped?.[1] !== undefined) return isForbiddenAddress(mapped[1]);
  if (lower === '::' || lower === '::1') return true;
  const first = parseInt(lower.split(':')[0] || '0', 16);
  if ((first & 0xfe00) === 0xfc00) return true; // fc00::/7 unique local
  if ((first & 0xffc0) === 0xfe80) return true; // fe80::/10 link-local
  if ((first & 0xff00) === 0xff00) return true; // multicast
  if (lower.startsWith('64:ff9b:')) return true; // NAT64 can reach IPv4 private space
  return false;
}

/** Whether the hostname is an IP literal (the relay resolves names only). */
export function isIpLiteral(hostname: string): boolean {
  return isIP(hostname.replace(/^\[|\]$/g, '')) !== 0;
}
