import type { HttpExchange, RecordedRequest } from '../protocol/http.ts';
import type { FetchLike, Route } from '../protocol/transport.ts';
import { loadFlowPart } from './flow-part.ts';

/** The request transport's module, as `import()` gives it. */
export type TransportModule = typeof import('../protocol/transport.ts');

const loadTransport = (): Promise<TransportModule> => import('../protocol/transport.ts');

/**
 * `protocol/transport.ts`'s `sendRequest` (straight from the browser or through the relay, the answer
 * recorded verbatim), with the transport loaded on the first request rather than with the page
 * (issue 12). A transport that cannot be loaded fails the request with a `NetworkError`
 * (`NETWORK_ERROR`) saying what did not load and to reload; `load` is replaceable for tests.
 * @see https://fetch.spec.whatwg.org/#cors-protocol
 */
export async function sendRequest(
  request: RecordedRequest,
  route: Route,
  fetchFn: FetchLike,
  now?: () => number,
  load: () => Promise<TransportModule> = loadTransport,
): Promise<HttpExchange> {
  const transport = await loadFlowPart(load, 'sends this request');
  return transport.sendRequest(request, route, fetchFn, now);
}
