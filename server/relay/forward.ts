/**
 * Sends one relayed request with Node's http/https, resolving the host name itself so the address
 * actually connected to is the one checked (no DNS-rebinding gap between check and connect). No
 * redirects are followed, no cookies are sent, and both time and response size are capped.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isForbiddenAddress, Refusal } from './policy.ts';

/** dns.lookup's shape with `all: true`, injectable for tests. */
export type Resolver = (
  hostname: string,
  callback: (error: Error | null, addresses: LookupAddress[]) => void,
) => void;

export interface ForwardRequest {
  readonly url: URL;
  readonly method: 'GET' | 'POST';
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  /** Loopback and private addresses are allowed only for an origin the user added exactly (the sandbox). */
  readonly allowPrivateAddresses: boolean;
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
}

export interface ForwardResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

const systemResolver: Resolver = (hostname, callback) => dnsLookup(hostname, { all: true }, callback);

/** Why the upstream could not be reached, as the browser is told (never the relay's own refusal). */
export type UnreachableCause = 'dns' | 'refused' | 'reset' | 'timeout' | 'tls' | 'no-route' | 'unknown';

/** The upstream could not be reached: no DNS answer, no connection, no TLS, or no answer in time. */
export class Unreachable extends Refusal {
  constructor(
    readonly host: string,
    readonly kind: UnreachableCause,
    readonly detail: string,
  ) {
    super(kind === 'timeout' ? 504 : 502, `${host} could not be reached (${kind}): ${detail}`);
  }
}

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NODATA', 'EAI_NONAME', 'ESERVFAIL']);
const NO_ROUTE_CODES = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'EHOSTDOWN', 'EADDRNOTAVAIL']);

/** Maps a Node connection error (its `code`) to the cause the browser is told. */
export function classifyConnectionError(error: unknown): { cause: UnreachableCause; detail: string } {
  const code =
    typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string'
      ? (error as { code: string }).code
      : '';
  const message = error instanceof Error ? error.message : String(error);
  const detail = code === '' ? message : code;
  if (DNS_CODES.has(code)) return { cause: 'dns', detail };
  if (code === 'ECONNREFUSED') return { cause: 'refused', detail };
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'ECONNABORTED') return { cause: 'reset', detail };
  if (code === 'ETIMEDOUT' || code === 'ESOCKETTIMEDOUT') return { cause: 'timeout', detail };
  if (NO_ROUTE_CODES.has(code)) return { cause: 'no-route', detail };
  // OpenSSL's and Node's certificate and handshake errors: CERT_HAS_EXPIRED, ERR_TLS_CERT_ALTNAME_INVALID…
  if (/CERT|SSL|TLS|EPROTO|SIGNATURE|ISSUER/.test(code)) return { cause: 'tls', detail };
  return { cause: 'unknown', detail };
}

/** Forwards the request; resolves with the upstream answer or rejects with a `Refusal`. */
export function forward(
  request: ForwardRequest,
  resolver: Resolver = systemResolver,
): Promise<ForwardResponse> {
  return new Promise((resolve, reject) => {
    const guardedLookup = (
      hostname: string,
      options: { all?: boolean },
      callback: (error: Error | null, address: string | LookupAddress[], family?: number) => void,
    ): void => {
      resolver(hostname, (error, addresses) => {
        if (error !== null) {
          const { detail } = classifyConnectionError(error);
          return callback(new Unreachable(request.url.host, 'dns', detail), '', 0);
        }
        const allowed = addresses.filter(
          (a) => request.allowPrivateAddresses || !isForbiddenAddress(a.address),
        );
        if (allowed.length === 0 || allowed.length !== addresses.length) {
          return callback(
            new Refusal(403, `${hostname} resolves to an address on this machine or a private network.`),
            '',
            0,
          );
        }
        if (options.all === true) return callback(null, allowed);
        const first = allowed[0] as LookupAddress;
        return callback(null, first.address, first.family);
      });
    };
    const send = request.url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(
      request.url,
      {
        method: request.method,
        headers:
          request.body === undefined
            ? request.headers
            : { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) },
        lookup: guardedLookup as never,
        timeout: request.timeoutMs,
        agent: false,
      },
      (res) => {
        const status = res.statusCode ?? 502;
        if (status >= 300 && status < 400) {
          res.resume();
          reject(
            new Refusal(502, 'The server answered with a redirect; the relay does not follow redirects.'),
          );
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > request.maxResponseBytes) {
            req.destroy(new Refusal(502, `The answer is over ${request.maxResponseBytes} bytes.`));
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () =>
          resolve({ status, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', (error) => {
          if (error instanceof Refusal) return reject(error);
          const { cause, detail } = classifyConnectionError(error);
          return reject(new Unreachable(request.url.host, cause === 'unknown' ? 'reset' : cause, detail));
        });
      },
    );
    const timedOut = (): Unreachable =>
      new Unreachable(request.url.host, 'timeout', `no answer within ${request.timeoutMs} ms`);
    const deadline = setTimeout(() => req.destroy(timedOut()), request.timeoutMs);
    req.on('close', () => clearTimeout(deadline));
    req.on('timeout', () => req.destroy(timedOut()));
    req.on('error', (error) => {
      if (error instanceof Refusal) return reject(error);
      const { cause, detail } = classifyConnectionError(error);
      return reject(new Unreachable(request.url.host, cause, detail));
    });
    if (request.body !== undefined) req.write(request.body);
    req.end();
  });
}
