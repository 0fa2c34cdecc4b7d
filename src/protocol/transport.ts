import {
  describeUnreachable,
  InvalidInputError,
  isUnreachableCause,
  NetworkError,
  type UnreachableDetail,
} from './errors.ts';
import { describeCharacter, quoteForMessage } from './quote.ts';
import type { HttpExchange, RecordedRequest, RecordedResponse } from './http.ts';
import { RELAY_PATH } from './relay-path.ts';

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

/** The relay endpoint on the app's own origin (kept in `relay-path.ts` for the relay's state). */
export { RELAY_PATH };

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

/** The host (and port) a request is for, to name it when it cannot be reached. */
function hostOf(url: string): string {
  try {
    return new URL(url).host || url;
  } catch {
    return url;
  }
}

function isOffline(): boolean {
  return typeof navigator !== 'undefined' && navigator.onLine === false;
}

/**
 * Decodes a body in the charset its Content-Type names (RFC 9110 §8.3.1), UTF-8 when it names none
 * or one the browser does not know; a UTF-8 BOM is dropped by the decoder.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-8.3.1
 */
export function decodeBody(bytes: ArrayBuffer, response: Pick<Response, 'headers'>): string {
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(response.headers.get('content-type') ?? '')?.[1];
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(charset ?? 'utf-8');
  } catch {
    decoder = new TextDecoder('utf-8');
  }
  return decoder.decode(bytes);
}

/** Reads the relay's `upstream_unreachable` answer; a body it cannot read still names the host. */
function readUnreachable(body: string, host: string): UnreachableDetail {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { host, cause: 'unknown', via: 'relay' };
  }
  const object = typeof json === 'object' && json !== null ? (json as Record<string, unknown>) : {};
  const cause = isUnreachableCause(object['cause']) ? object['cause'] : 'unknown';
  const named = typeof object['host'] === 'string' && object['host'] !== '' ? object['host'] : host;
  const detail = typeof object['detail'] === 'string' ? object['detail'] : undefined;
  return { host: named, cause, via: 'relay', ...(detail === undefined ? {} : { detail }) };
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
  const host = hostOf(request.url);
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
      const unreachable: UnreachableDetail = { host, cause: 'timeout', via: route.via };
      throw new NetworkError(
        'NETWORK_ERROR',
        `${describeUnreachable(unreachable)} (nothing within ${REQUEST_TIMEOUT_MS / 1000} s).`,
        { cause, unreachable },
      );
    }
    if (route.via === 'relay') {
      // The relay itself gave no HTTP answer: it is down, not the server it would have reached.
      throw new NetworkError(
        'RELAY_UNAVAILABLE',
        'The local relay did not answer. Is `npm start` still running?',
        {
          cause,
        },
      );
    }
    if (isOffline()) {
      const unreachable: UnreachableDetail = { host, cause: 'offline', via: 'browser' };
      throw new NetworkError('NETWORK_ERROR', `${describeUnreachable(unreachable)}.`, { cause, unreachable });
    }
    throw new NetworkError(
      'CORS_ERROR',
      `The browser got no readable answer from ${host}: the server is unreachable, or it refused this cross-origin request (CORS).`,
      { cause, unreachable: { host, cause: 'unknown', via: 'browser' } },
    );
  }
  let body: string;
  try {
    body =
      route.via === 'browser' ? decodeBody(await response.arrayBuffer(), response) : await response.text();
  } catch (cause) {
    throw new NetworkError(
      route.via === 'relay' ? 'RELAY_UNAVAILABLE' : 'NETWORK_ERROR',
      `The answer (HTTP ${response.status}) was cut off while its body was read.`,
      { cause },
    );
  }
  if (route.via === 'relay' && response.headers.get('X-Relay-Unreachable') === '1') {
    const unreachable = readUnreachable(body, host);
    throw new NetworkError(
      'NETWORK_ERROR',
      `${describeUnreachable(unreachable)}${unreachable.detail === undefined ? '' : ` (${quoteForMessage(unreachable.detail, 120)})`}. The local relay tried and is running.`,
      { unreachable },
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
