/**
 * Sends one relayed request with Node's http/https. Every connection passes one address check
 * (`addressRefusal`) three times over: an IP-literal host before connecting (Node's `net.connect`
 * never calls `lookup` for one), every address a host name resolves to (the resolver is ours, so the
 * address connected to is the one checked: no DNS-rebinding gap), and the socket's actual peer once
 * connected, before a byte of the request is written. No redirects are followed, no cookies are
 * sent, and both time and response size are capped.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type Socket } from 'node:net';
import { addressRefusal, type AddressPolicy, Refusal } from './policy.ts';

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
  /**
   * The origin was added exactly as localhost, 127.0.0.1 or [::1] (the sandbox, a local test
   * server): every address connected to must be loopback. Otherwise loopback, private and other
   * special-purpose addresses are refused.
   */
  readonly loopbackOnly: boolean;
  /**
   * The address to connect to instead of resolving the host (the sandbox's listening address, since
   * `localhost` may resolve to ::1 first while it listens on 127.0.0.1). Still address-checked.
   */
  readonly pinnedAddress?: string;
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

/** What `forward` may be given besides the request: where names resolve and what this machine is. */
export interface ForwardDependencies {
  readonly resolver?: Resolver;
  /** This machine's addresses, read at each check (default: `os.networkInterfaces()`). */
  readonly localAddresses?: () => readonly string[];
}

/**
 * Forwards the request; resolves with the upstream answer or rejects with a `Refusal` (403 when the
 * address check refuses: nothing was connected to, or nothing was written) or an `Unreachable`.
 */
export function forward(
  request: ForwardRequest,
  dependencies: ForwardDependencies = {},
): Promise<ForwardResponse> {
  const policy: AddressPolicy = {
    loopbackOnly: request.loopbackOnly,
    ...(dependencies.localAddresses === undefined ? {} : { localAddresses: dependencies.localAddresses }),
  };
  const host = request.url.hostname;
  const refused = (subject: string, reason: string) =>
    new Refusal(
      403,
      `${subject} ${reason}. The relay connects to public addresses only, and to loopback only for an origin you added exactly as localhost, 127.0.0.1 or [::1]; use a public host name, or add the local server that way.`,
    );
  const pinned = request.pinnedAddress;
  const resolver: Resolver =
    pinned !== undefined
      ? (_hostname, callback) => callback(null, [{ address: pinned, family: isIP(pinned) === 6 ? 6 : 4 }])
      : (dependencies.resolver ?? systemResolver);
  return new Promise((resolve, reject) => {
    // Node connects to an IP-literal host without calling `lookup`: check it here, before connecting.
    if (isIP(host.replace(/^\[|\]$/g, '')) !== 0) {
      const reason = addressRefusal(host, policy);
      if (reason !== undefined) {
        reject(refused(`${host} is`, reason));
        return;
      }
    }
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
        // One forbidden answer refuses the name: a rebinding server mixes a public and a private one.
        const refusals = addresses.map((a) => ({
          address: a.address,
          reason: addressRefusal(a.address, policy),
        }));
        const bad = refusals.find((r) => r.reason !== undefined);
        if (bad !== undefined || addresses.length === 0) {
          return callback(
            refused(
              `${hostname} resolves to ${bad?.address ?? 'no address'}, which is`,
              bad?.reason ?? 'not an address',
            ),
            '',
            0,
          );
        }
        if (options.all === true) return callback(null, addresses);
        const first = addresses[0] as LookupAddress;
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
    // The last check, on the peer actually connected to: nothing is written before it passes.
    req.on('socket', (socket: Socket) => {
      const verify = (): void => {
        const peer = socket.remoteAddress ?? '';
        const reason = addressRefusal(peer, policy);
        if (reason !== undefined) {
          req.destroy(refused(`${request.url.host} connected to ${peer}, which is`, reason));
          return;
        }
        if (request.body !== undefined) req.write(request.body);
        req.end();
      };
      if (socket.connecting) socket.once('connect', verify);
      else verify();
    });
  });
}
