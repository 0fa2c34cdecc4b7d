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
        if (error !== null) return callback(new Refusal(502, `${hostname} does not resolve.`), '', 0);
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
        res.on('error', (error) =>
          reject(error instanceof Refusal ? error : new Refusal(502, error.message)),
        );
      },
    );
    const deadline = setTimeout(
      () => req.destroy(new Refusal(504, `No answer within ${request.timeoutMs} ms.`)),
      request.timeoutMs,
    );
    req.on('close', () => clearTimeout(deadline));
    req.on('timeout', () => req.destroy(new Refusal(504, `No answer within ${request.timeoutMs} ms.`)));
    req.on('error', (error) =>
      reject(
        error instanceof Refusal ? error : new Refusal(502, `The server did not answer: ${error.message}`),
      ),
    );
    if (request.body !== undefined) req.write(request.body);
    req.end();
  });
}
