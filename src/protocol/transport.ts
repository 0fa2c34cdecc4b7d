import { InvalidInputError, NetworkError } from './errors.ts';
import { describeCharacter, quoteForMessage } from './quote.ts';
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

/** How long a request may take before the step fails instead of waiting forever. */
export const REQUEST_TIMEOUT_MS = 30_000;

/**
 * The request's headers, refusing values a header cannot carry (line breaks, NUL, characters
 * beyond Latin-1 — typically a pasted token with an invisible character).
 * @see https://fetch.spec.whatwg.org/#concept-header-value
 */
function buildHeaders(request: RecordedRequest): Headers {
  for (const [name, value] of request.headers) {
    const at = [...value].findIndex((char) => /[\r\n\0]/.test(char) || (char.codePointAt(0) ?? 0) > 0xff);
    if (at !== -1) {
      throw new InvalidInputError(
        name,
        `The ${name} value has ${describeCharacter([...value][at] ?? '')} at position ${at + 1}, which cannot go in an HTTP header: copy it again without line breaks or invisible characters.`,
      );
    }
  }
  try {
    return new Headers(request.headers as [string, string][]);
  } catch (cause) {
    throw new InvalidInputError(
      'headers',
      `A header cannot be sent as it is: ${cause instanceof Error ? cause.message : String(cause)}`,
    );
  }
}

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
  const headers = buildHeaders(request);
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
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === 'TimeoutError') {
      throw new NetworkError('NETWORK_ERROR', `No answer within ${REQUEST_TIMEOUT_MS / 1000} s.`, { cause });
    }
    throw route.via === 'relay'
      ? new NetworkError(
          'RELAY_UNAVAILABLE',
          'The local relay did not answer. Is `npm start` still running?',
          { cause },
        )
      : new NetworkError(
          'CORS_ERROR',
          'The browser got no readable answer: the server is unreachable, or it refused this cross-origin request (CORS).',
          { cause },
        );
  }
  let body: string;
  try {
    body = await response.text();
  } catch (cause) {
    throw new NetworkError(
      route.via === 'relay' ? 'RELAY_UNAVAILABLE' : 'NETWORK_ERROR',
      `The answer (HTTP ${response.status}) was cut off while its body was read.`,
      { cause },
    );
  }
  if (route.via === 'relay' && response.headers.get('X-Relay-Refused') === '1') {
    throw new NetworkError(
      'RELAY_UNAVAILABLE',
      `The local relay refused to forward this request: ${quoteForMessage(body, 300)}`,
    );
  }
  const recorded: RecordedResponse = {
    status: response.status,
    statusText: response.statusText,
    headers: recordHeaders(response.headers),
    body,
  };
  return {
    request,
    response: recorded,
    via: route.via,
    viaReason: route.reason,
    startedAt,
    durationMs: now() - startedAt,
  };
}
