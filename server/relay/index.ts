/**
 * The local relay: sends the requests a browser may not make itself — token and device-code
 * requests of non-SPA clients (Entra refuses them cross-origin: AADSTS9002326), and discovery or
 * key sets served without CORS. It is never an open proxy: loopback only, this machine's Host
 * names only, the app's own Origin and per-start token only, allowlisted origins only, no
 * redirects, no cookies, capped size and time, and it never logs a body, a secret or a token.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { forward, Unreachable, type ForwardDependencies, type Resolver } from './forward.ts';
import {
  checkHostHeader,
  checkTarget,
  ENTRA_LOGIN_ORIGINS,
  isIpLiteral,
  isMetadataUrl,
  NamedKeySets,
  parseAllowableOrigin,
  Refusal,
} from './policy.ts';

export { ENTRA_LOGIN_ORIGINS } from './policy.ts';

export const RELAY_PATH = '/relay/forward';
export const RELAY_ALLOW_PATH = '/relay/allow';

export interface RelayOptions {
  /** The app's own origins: the only Origin the relay accepts, and the only one it forwards. */
  readonly appOrigins: readonly string[];
  /** The port the app listens on, for the Host header check. */
  readonly port: number;
  /** A random value made at start; pages of the app learn it from /lab-config.json. */
  readonly token: string;
  /** Origins allowed from the start besides Entra's (the sandbox). */
  readonly extraOrigins: readonly string[];
  readonly maxBodyBytes?: number;
  readonly maxResponseBytes?: number;
  readonly timeoutMs?: number;
  /** How many key set URLs named by discovery documents are remembered (the oldest are forgotten). */
  readonly maxNamedKeySets?: number;
  readonly log?: (line: string) => void;
  readonly resolver?: Resolver;
  /**
   * Origin → the IP address to connect to for it, instead of resolving its host: the sandbox is
   * `http://localhost:<port>` but listens on 127.0.0.1 only, and `localhost` may resolve to ::1
   * first, where another process could be listening. The address check still applies.
   */
  readonly pinnedAddresses?: Readonly<Record<string, string>>;
  /** This machine's addresses, read at each check (default: `os.networkInterfaces()`); for tests. */
  readonly localAddresses?: () => readonly string[];
}

const LOOPBACK_PEERS = ['127.0.0.1', '::1', '::ffff:127.0.0.1'];
// RFC 9449 §4.1: a DPoP proof travels in the DPoP header; §8: the server's nonce comes back in DPoP-Nonce.
const FORWARDED_REQUEST_HEADERS = ['content-type', 'accept', 'authorization', 'dpop'];
const RETURNED_RESPONSE_HEADERS = [
  'content-type',
  'cache-control',
  'pragma',
  'www-authenticate',
  'dpop-nonce',
];

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function sameSecret(a: string | undefined, b: string): boolean {
  if (a === undefined) return false;
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limit) throw new Refusal(413, `The body is over ${limit} bytes.`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The upstream could not be reached: said as JSON, without X-Relay-Refused, so the page can tell it
 * from the relay's own refusals and from the relay being down, and name the host and the cause.
 */
function reportUnreachable(res: ServerResponse, error: Unreachable): void {
  res.writeHead(error.status, {
    'Content-Type': 'application/json',
    'X-Relay-Unreachable': '1',
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  });
  res.end(
    JSON.stringify({
      relay_error: 'upstream_unreachable',
      host: error.host,
      cause: error.kind,
      detail: error.detail,
    }),
  );
}

function refuse(res: ServerResponse, status: number, reason: string): void {
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'X-Relay-Refused': '1',
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  });
  res.end(reason);
}

/** Checks that apply to every relay call: who is calling and how. */
function checkCaller(req: IncomingMessage, options: RelayOptions): void {
  if (!LOOPBACK_PEERS.includes(req.socket.remoteAddress ?? ''))
    throw new Refusal(403, 'The relay serves this machine only.');
  checkHostHeader(header(req, 'host'), options.port);
  const origin = header(req, 'origin');
  // Browsers leave Origin off same-origin GETs; Fetch Metadata then says where the request came from.
  const sameOriginGet =
    origin === undefined && req.method === 'GET' && header(req, 'sec-fetch-site') === 'same-origin';
  if (!sameOriginGet && (origin === undefined || !options.appOrigins.includes(origin))) {
    throw new Refusal(403, 'Only pages of this app may use the relay.');
  }
  if (!sameSecret(header(req, 'x-relay-token'), options.token))
    throw new Refusal(403, 'The relay token is missing or wrong.');
}

/** A GET through the relay must come back as a discovery document or a key set, nothing else. */
function checkJsonShape(body: string): unknown {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new Refusal(502, 'The answer is not JSON, so it is not a discovery document or key set.');
  }
  const object = typeof json === 'object' && json !== null ? (json as Record<string, unknown>) : {};
  if (typeof object['issuer'] !== 'string' && !Array.isArray(object['keys'])) {
    throw new Refusal(502, 'The answer is neither a discovery document nor a key set.');
  }
  return json;
}

/** A connect-style middleware serving /relay/forward and /relay/allow; other paths go to `next`. */
export function createRelayMiddleware(options: RelayOptions) {
  const added = new Set(options.extraOrigins);
  // Per start: the key sets named by metadata documents this relay fetched from allowlisted origins.
  const namedKeySets = new NamedKeySets(options.maxNamedKeySets ?? 256);
  const allowlisted = (origin: string) =>
    added.has(origin) || (ENTRA_LOGIN_ORIGINS as readonly string[]).includes(origin);
  const limits = {
    body: options.maxBodyBytes ?? 64 * 1024,
    response: options.maxResponseBytes ?? 1024 * 1024,
    timeout: options.timeoutMs ?? 15_000,
  };
  const log = options.log ?? ((line: string) => console.log(line));
  const dependencies: ForwardDependencies = {
    ...(options.resolver === undefined ? {} : { resolver: options.resolver }),
    ...(options.localAddresses === undefined ? {} : { localAddresses: options.localAddresses }),
  };

  async function allow(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST') throw new Refusal(405, 'Use POST to add an origin.');
    let value: unknown;
    try {
      value = (JSON.parse(await readBody(req, 4096)) as Record<string, unknown>)['origin'];
    } catch {
      throw new Refusal(400, 'Send JSON: { "origin": "https://…" }.');
    }
    const origin = parseAllowableOrigin(typeof value === 'string' ? value : '', options.localAddresses);
    added.add(origin);
    log(`relay: origin added to the allowlist: ${origin}`);
    res.writeHead(200, {
      'Content-Type': 'application/json',
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    });
    res.end(JSON.stringify({ allowed: [...ENTRA_LOGIN_ORIGINS, ...added] }));
  }

  async function relay(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? '';
    const target = checkTarget(header(req, 'x-relay-target'), method, {
      entra: ENTRA_LOGIN_ORIGINS,
      added: [...added],
      namedKeySets,
    });
    const isAdded = added.has(target.origin);
    if (isIpLiteral(target.hostname) && !isAdded)
      throw new Refusal(403, 'IP addresses are not relayed; use a host name.');
    const forwardOrigin = header(req, 'x-relay-origin');
    if (forwardOrigin !== undefined && !options.appOrigins.includes(forwardOrigin)) {
      throw new Refusal(403, "The relay sends only this app's own Origin.");
    }
    let body: string | undefined;
    if (method === 'POST') {
      const contentType = header(req, 'content-type') ?? '';
      if (!contentType.startsWith('application/x-www-form-urlencoded')) {
        throw new Refusal(415, 'The relay forwards form bodies (application/x-www-form-urlencoded) only.');
      }
      body = await readBody(req, limits.body);
    }
    const headers: Record<string, string> = {};
    for (const name of FORWARDED_REQUEST_HEADERS) {
      const value = header(req, name);
      if (value !== undefined) headers[name] = value;
    }
    // Entra wants an Origin for SPA-issued codes (AADSTS9002327) and none for others (AADSTS9002326).
    if (forwardOrigin !== undefined) headers['origin'] = forwardOrigin;
    const started = Date.now();
    // README: loopback only for an origin added exactly as localhost, 127.0.0.1 or [::1], and such
    // an origin reaches loopback only; private addresses never.
    const loopbackOnly = isAdded && ['localhost', '127.0.0.1', '[::1]'].includes(target.hostname);
    const pinnedAddress = options.pinnedAddresses?.[target.origin];
    const upstream = await forward(
      {
        url: target,
        method: method === 'GET' ? 'GET' : 'POST',
        headers,
        ...(body === undefined ? {} : { body }),
        loopbackOnly,
        ...(pinnedAddress === undefined ? {} : { pinnedAddress }),
        timeoutMs: limits.timeout,
        maxResponseBytes: limits.response,
      },
      dependencies,
    );
    if (method === 'GET') {
      const json = checkJsonShape(upstream.body);
      // Only a document this relay fetched itself, from an allowlisted origin, may name a key set.
      if (
        upstream.status >= 200 &&
        upstream.status < 300 &&
        isMetadataUrl(target) &&
        allowlisted(target.origin)
      ) {
        const named = namedKeySets.rememberFrom(json, allowlisted);
        if (named !== undefined) log(`relay: key set named by ${target.origin}: ${new URL(named).origin}`);
      }
    }
    log(
      `relay ${method} ${target.origin}${target.pathname} -> ${upstream.status} (${Date.now() - started} ms)`,
    );
    // The upstream's body is served on the app's origin: never let a browser sniff it into HTML or script.
    const out: Record<string, string> = { 'X-Relay': '1', 'X-Content-Type-Options': 'nosniff' };
    for (const name of RETURNED_RESPONSE_HEADERS) {
      const value = upstream.headers[name];
      if (typeof value === 'string') out[name] = value;
    }
    res.writeHead(upstream.status, out);
    res.end(upstream.body);
  }

  return async function middleware(
    req: IncomingMessage,
    res: ServerResponse,
    next: () => void,
  ): Promise<void> {
    const path = (req.url ?? '').split('?')[0];
    if (path !== RELAY_PATH && path !== RELAY_ALLOW_PATH) return next();
    try {
      checkCaller(req, options);
      await (path === RELAY_ALLOW_PATH ? allow(req, res) : relay(req, res));
    } catch (error) {
      if (error instanceof Unreachable) {
        log(`relay could not reach ${error.host} (${error.kind}: ${error.detail})`);
        if (!res.headersSent) reportUnreachable(res, error);
        else res.end();
        return;
      }
      const refusal = error instanceof Refusal ? error : new Refusal(500, 'The relay failed.');
      log(`relay refused ${req.method ?? '?'} (${refusal.status}): ${refusal.message}`);
      if (!res.headersSent) refuse(res, refusal.status, refusal.message);
      else res.end();
    }
  };
}
