import { NetworkError } from './errors.ts';
import type { HttpExchange, RecordedRequest, RecordedResponse } from './http.ts';

/** The fetch the transport uses; injected so every flow can run against a stub. */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** Which way a request goes, and why, decided before it is sent. */
export interface Route {
  readonly via: 'browser' | 'relay';
  readonly reason: string;
  /** For the relay: the Origin header it must send on our behalf (SPA redemption needs one). */
  readonly forwardOrigin?: string;
  /** For the relay: its per-start token, proof the request comes from this app's own page. */
  readonly relayToken?: string;
}

/** The relay endpoint on the app's own origin. */
export const RELAY_PATH = '/relay/forward';

/** Headers a response may show; the rest are dropped when recording. */
function recordHeaders(headers: Headers): [string, string][] {
  const out: [string, string][] = [];
  headers.forEach((value, name) => out.push([name, value]));
  return out;
}

/**
 * Sends a recorded request straight from the browser or through the local relay, and records the
 * answer verbatim. A fetch that gets no HTTP answer becomes a `NetworkError`.
 * @see https://fetch.spec.whatwg.org/#cors-protocol
 */
export async function sendRequest(
  request: RecordedRequest,
  route: Route,
  fetchFn: FetchLike,
  now: () => number = Date.now,
): Promise<HttpExchange> {
  const startedAt = now();
  const headers = new Headers(request.headers as [string, string][]);
  let url = request.url;
  if (route.via === 'relay') {
    url = RELAY_PATH;
    headers.set('X-Relay-Target', request.url);
    if (route.forwardOrigin !== undefined) headers.set('X-Relay-Origin', route.forwardOrigin);
    if (route.relayToken !== undefined) headers.set('X-Relay-Token', route.relayToken);
  }
  let response: Response;
  try {
    response = await fetchFn(url, {
      method: request.method,
      headers,
      ...(request.body === undefined ? {} : { body: request.body }),
      credentials: 'omit',
      cache: 'no-store',
    });
  } catch (cause) {
    throw route.via === 'relay'
      ? new NetworkError('RELAY_UNAVAILABLE', 'The local relay did not answer. Is `npm start` still running?', { cause })
      : new NetworkError(
          'CORS_ERROR',
          'The browser got no readable answer: the server is unreachable, or it refused this cross-origin request (CORS).',
          { cause },
        );
  }
  const body = await response.text();
  if (route.via === 'relay' && response.headers.get('X-Relay-Refused') === '1') {
    throw new NetworkError('RELAY_UNAVAILABLE', `The local relay refused to forward this request: ${body}`);
  }
  const recorded: RecordedResponse = {
    status: response.status,
    statusText: response.statusText,
    headers: recordHeaders(response.headers),
    body,
  };
  return { request, response: recorded, via: route.via, viaReason: route.reason, startedAt, durationMs: now() - startedAt };
}
