/**
 * Small helpers for the plain `node:http` layer in front of oidc-provider: body buffering, handing a
 * (possibly rewritten) request to koa, and writing responses.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';

/** A request as oidc-provider's mount-path logic needs it: `originalUrl` ends with `url`. */
export type MountedRequest = IncomingMessage & { originalUrl?: string };

const BODY_LIMIT = 56 * 1024;

/**
 * Reads a request body, refusing more than oidc-provider's own 56 kB limit (the request is destroyed).
 * Plain `data`/`end` listeners: an async iterator per request costs more, on every token request.
 */
export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // Already read to the end (as an async iterator would find it): nothing more will come.
    if (req.readableEnded) {
      resolve(Buffer.alloc(0));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer | string): void => {
      const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
      size += buf.length;
      if (size > BODY_LIMIT) {
        cleanUp();
        req.destroy();
        reject(new Error('request body too large'));
        return;
      }
      chunks.push(buf);
    };
    const onEnd = (): void => {
      cleanUp();
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks));
    };
    const onError = (err: Error): void => {
      cleanUp();
      reject(err);
    };
    const onClose = (): void => {
      // Aborted before the end: as the async iterator did, fail rather than wait for ever.
      if (!req.complete) onError(new Error('request aborted'));
    };
    const cleanUp = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

/** True when the request carries an `application/x-www-form-urlencoded` body. */
export function isFormBody(req: IncomingMessage): boolean {
  return (req.headers['content-type'] ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded');
}

/**
 * A stand-in request that replays an already-read (and possibly rewritten) body, so oidc-provider's
 * own body parser reads it as if it came off the socket.
 */
export function replayRequest(
  req: IncomingMessage,
  body: string,
  url: string,
  originalUrl: string,
): MountedRequest {
  const buf = Buffer.from(body, 'utf8');
  // One chunk, then the end: cheaper than `Readable.from`, which pulls from an async iterator.
  const stream = new Readable({ read() {} });
  stream.push(buf);
  stream.push(null);
  return Object.assign(stream, {
    headers: { ...req.headers, 'content-length': String(buf.length) },
    rawHeaders: req.rawHeaders,
    method: req.method,
    url,
    originalUrl,
    socket: req.socket,
    connection: req.socket,
    httpVersion: req.httpVersion,
    httpVersionMajor: req.httpVersionMajor,
    httpVersionMinor: req.httpVersionMinor,
  }) as unknown as MountedRequest;
}

/** Points an untouched request at a path inside the provider's mount. */
export function mountRequest(req: IncomingMessage, url: string, originalUrl: string): MountedRequest {
  const mounted = req as MountedRequest;
  mounted.url = url;
  mounted.originalUrl = originalUrl;
  return mounted;
}

/** Writes a JSON response. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** The one inline script the sandbox serves: it submits a form_post page's form (pages.ts). */
export const FORM_POST_SCRIPT = 'document.forms[0].submit()';

/**
 * The Content-Security-Policy of every sandbox response: nothing may load but inline styles and the
 * form_post script (by its hash), and no page of any origin may frame a sandbox page (a device-code
 * phishing page could otherwise frame /devicelogin; CSP Level 2 `frame-ancestors`).
 */
export const SANDBOX_CSP = [
  "default-src 'none'",
  "style-src 'unsafe-inline'",
  `script-src 'sha256-${createHash('sha256').update(FORM_POST_SCRIPT).digest('base64')}'`,
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The headers every sandbox response carries, whoever writes it (our router, oidc-provider, koa's own
 * error handler): CSP as above, `X-Frame-Options: DENY` for browsers without `frame-ancestors`,
 * `nosniff` and `no-referrer` (authorization URLs carry codes and state; none may leak in a Referer).
 * CORS is a separate matter: these headers do not stop a `fetch` from another origin.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': SANDBOX_CSP,
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** Made once: every response walks these twice. */
const SECURITY_HEADER_ENTRIES = Object.entries(SECURITY_HEADERS);

function hasHeader(headers: unknown, name: string): boolean {
  if (Array.isArray(headers)) {
    return headers.some((h, i) =>
      Array.isArray(h)
        ? String(h[0]).toLowerCase() === name
        : i % 2 === 0 && String(h).toLowerCase() === name,
    );
  }
  if (typeof headers !== 'object' || headers === null) return false;
  return Object.keys(headers).some((k) => k.toLowerCase() === name);
}

/**
 * Makes `res` send {@link SECURITY_HEADERS} whatever code writes it: each one is added just before the
 * status line goes out unless the response already set it, and a CSP without `frame-ancestors` gets
 * `frame-ancestors 'none'` appended. Hooks `writeHead`, which Node also calls for implicit headers
 * (`res.end()` without `writeHead`, as koa does), so it survives koa clearing headers on an error.
 */
export function enforceSecurityHeaders(res: ServerResponse): void {
  // Set at once as well: oidc-provider adds the hash of each inline script it writes (its
  // auto-submitting forms: the switch to another account, the device code confirmation) to a CSP it
  // finds on the response; with none there yet, its script would be blocked and the page stay blank.
  for (const [name, value] of SECURITY_HEADER_ENTRIES) {
    if (!res.hasHeader(name)) res.setHeader(name, value);
  }
  const writeHead = res.writeHead;
  const patched = function writeHeadWithSecurityHeaders(
    this: ServerResponse,
    ...args: Parameters<ServerResponse['writeHead']>
  ): ServerResponse {
    const headers = args.find((a, i) => i > 0 && typeof a === 'object' && a !== null) as
      OutgoingHttpHeaders | undefined;
    if (!this.headersSent) {
      for (const [name, value] of SECURITY_HEADER_ENTRIES) {
        if (!this.hasHeader(name) && !hasHeader(headers, name)) this.setHeader(name, value);
      }
      const csp = this.getHeader('content-security-policy');
      if (typeof csp === 'string' && !/frame-ancestors/i.test(csp)) {
        this.setHeader('content-security-policy', `${csp}; frame-ancestors 'none'`);
      }
    }
    return writeHead.apply(this, args);
  };
  res.writeHead = patched as ServerResponse['writeHead'];
}

/** Writes an HTML response that may not be cached or framed. */
export function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(html),
    'cache-control': 'no-store',
    ...SECURITY_HEADERS,
  });
  res.end(html);
}

/** Writes a redirect. */
export function sendRedirect(res: ServerResponse, location: string, status = 302): void {
  res.writeHead(status, { location, 'content-length': 0, 'cache-control': 'no-store' });
  res.end();
}
