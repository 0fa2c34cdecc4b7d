/**
 * The local relay: forwards the token requests a browser may not send itself (Entra refuses
 * cross-origin redemption for anything but SPA clients: AADSTS9002326). It is deliberately narrow —
 * never an open proxy: loopback only (the app server binds 127.0.0.1), POST form bodies only, token
 * and device-code endpoints of allowlisted authorities only, the app's own Origin only, no redirects,
 * no cookies, bounded size and time, and it logs no bodies.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Entra's sign-in hosts (global, US Government, China) the relay may reach. */
export const ENTRA_LOGIN_ORIGINS = [
  'https://login.microsoftonline.com',
  'https://login.microsoftonline.us',
  'https://login.partner.microsoftonline.cn',
] as const;

export interface RelayOptions {
  /** The app's own origin(s): the only Origin the relay accepts, and the only one it forwards. */
  readonly appOrigins: readonly string[];
  /** Extra authority origins allowed besides Entra's (the sandbox). */
  readonly extraOrigins: readonly string[];
  readonly maxBodyBytes?: number;
  readonly timeoutMs?: number;
  readonly log?: (line: string) => void;
  readonly fetch?: typeof fetch;
}

export const RELAY_PATH = '/relay/forward';

const TOKEN_PATH = /^\/[A-Za-z0-9.\-_]+\/oauth2\/v2\.0\/(token|devicecode)$/;
const FORWARDED_REQUEST_HEADERS = ['content-type', 'accept', 'authorization'];
const RETURNED_RESPONSE_HEADERS = ['content-type', 'cache-control', 'pragma', 'www-authenticate'];

class Refusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function refuse(res: ServerResponse, status: number, reason: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Relay-Refused': '1', 'Cache-Control': 'no-store' });
  res.end(reason);
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

/** Checks the target URL against the allowlist; returns it parsed or throws a refusal. */
export function checkTarget(target: string | undefined, allowedOrigins: readonly string[]): URL {
  if (target === undefined || target === '') throw new Refusal(400, 'X-Relay-Target is missing.');
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw new Refusal(400, 'X-Relay-Target is not an absolute URL.');
  }
  if (url.username !== '' || url.password !== '') throw new Refusal(403, 'Credentials in the target URL are not allowed.');
  if (!allowedOrigins.includes(url.origin)) throw new Refusal(403, `${url.origin} is not an authority the relay may reach.`);
  if (!TOKEN_PATH.test(url.pathname)) throw new Refusal(403, 'Only /{tenant}/oauth2/v2.0/token and /devicecode may be relayed.');
  return url;
}

/** A connect-style middleware serving POST /relay/forward; other paths go to `next`. */
export function createRelayMiddleware(options: RelayOptions) {
  const allowed = [...ENTRA_LOGIN_ORIGINS, ...options.extraOrigins];
  const limit = options.maxBodyBytes ?? 64 * 1024;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const log = options.log ?? ((line: string) => console.log(line));
  const fetchFn = options.fetch ?? fetch;

  return async function relay(req: IncomingMessage, res: ServerResponse, next: () => void): Promise<void> {
    const path = (req.url ?? '').split('?')[0];
    if (path !== RELAY_PATH) return next();
    try {
      if (req.method !== 'POST') throw new Refusal(405, 'The relay forwards POST requests only.');
      const origin = req.headers.origin;
      if (origin === undefined || !options.appOrigins.includes(origin)) {
        throw new Refusal(403, 'Only pages of this app may use the relay.');
      }
      const contentType = req.headers['content-type'] ?? '';
      if (!contentType.startsWith('application/x-www-form-urlencoded')) {
        throw new Refusal(415, 'The relay forwards form bodies (application/x-www-form-urlencoded) only.');
      }
      const target = checkTarget(header(req, 'x-relay-target'), allowed);
      const forwardOrigin = header(req, 'x-relay-origin');
      if (forwardOrigin !== undefined && !options.appOrigins.includes(forwardOrigin)) {
        throw new Refusal(403, 'The relay sends only this app\'s own Origin.');
      }
      const body = await readBody(req, limit);
      const headers = new Headers();
      for (const name of FORWARDED_REQUEST_HEADERS) {
        const value = header(req, name);
        if (value !== undefined) headers.set(name, value);
      }
      // Entra wants an Origin for SPA-issued codes (AADSTS9002327) and none for others (AADSTS9002326).
      if (forwardOrigin !== undefined) headers.set('origin', forwardOrigin);
      const started = Date.now();
      let upstream: Response;
      try {
        upstream = await fetchFn(target, {
          method: 'POST',
          headers,
          body,
          redirect: 'manual',
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        throw new Refusal(502, `The authority did not answer: ${error instanceof Error ? error.message : String(error)}`);
      }
      if (upstream.status >= 300 && upstream.status < 400) throw new Refusal(502, 'The authority answered with a redirect; the relay does not follow redirects.');
      const text = await upstream.text();
      log(`relay POST ${target.origin}${target.pathname} -> ${upstream.status} (${Date.now() - started} ms)`);
      const out: Record<string, string> = { 'X-Relay': '1' };
      for (const name of RETURNED_RESPONSE_HEADERS) {
        const value = upstream.headers.get(name);
        if (value !== null) out[name] = value;
      }
      res.writeHead(upstream.status, out);
      res.end(text);
    } catch (error) {
      if (error instanceof Refusal) {
        log(`relay refused ${req.method ?? '?'} (${error.status}): ${error.message}`);
        refuse(res, error.status, error.message);
      } else {
        refuse(res, 500, 'The relay failed.');
      }
    }
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
