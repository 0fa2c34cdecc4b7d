/**
 * Small helpers for the plain `node:http` layer in front of oidc-provider: body buffering, handing a
 * (possibly rewritten) request to koa, and writing responses.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';

/** A request as oidc-provider's mount-path logic needs it: `originalUrl` ends with `url`. */
export type MountedRequest = IncomingMessage & { originalUrl?: string };

const BODY_LIMIT = 56 * 1024;

/** Reads a request body, refusing more than oidc-provider's own 56 kB limit. */
export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buf.length;
    if (size > BODY_LIMIT) throw new Error('request body too large');
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
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
  const stream = Readable.from([buf], { objectMode: false });
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

/** Writes an HTML response that may not be cached or framed. */
export function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(html),
    'cache-control': 'no-store',
    'x-frame-options': 'DENY',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
  });
  res.end(html);
}

/** Writes a redirect. */
export function sendRedirect(res: ServerResponse, location: string, status = 302): void {
  res.writeHead(status, { location, 'content-length': 0, 'cache-control': 'no-store' });
  res.end();
}
