/**
 * What every grant's token request shares: choosing the path (browser or relay), sending, and
 * reading the answer. Steps of each flow build their own request and call these.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5
 */
import { missingEndpointReason } from '../protocol/endpoints.ts';
import { InvalidInputError, NetworkError, ProtocolViolationError } from '../protocol/errors.ts';
import type { HttpExchange, RecordedRequest } from '../protocol/http.ts';
import { parseTokenResponse, type TokenResponse } from '../protocol/token.ts';
import type { Route } from '../protocol/transport.ts';
import { sendRequest } from './send-request.ts';
import type { FlowDeps } from './runner.ts';

/** A request the browser may send itself, with the reason shown to the user. */
export function browserRoute(reason: string): Route {
  return { via: 'browser', reason };
}

/** A request that needs a server: the relay, or an explanation of why it cannot go. */
export function relayRoute(
  reason: string,
  deps: Pick<FlowDeps, 'relayAvailable' | 'relayToken'>,
  forwardOrigin?: string,
): Route {
  return {
    ...(deps.relayToken === undefined ? {} : { relayToken: deps.relayToken }),
    via: 'relay',
    reason: deps.relayAvailable
      ? `${reason} The local relay sends it from a server.`
      : `${reason} No local relay is running (start the app with npm start).`,
    ...(forwardOrigin === undefined ? {} : { forwardOrigin }),
  };
}

/** Sends a token-endpoint request on the chosen route; only a missing answer throws. */
export async function sendTokenRequest(
  request: RecordedRequest,
  route: Route,
  deps: FlowDeps,
): Promise<HttpExchange> {
  // OIDC Discovery §3: an implicit-only provider has no token endpoint; refuse before sending anything.
  if (request.url === '') throw new InvalidInputError('token', missingEndpointReason('token'));
  if (route.via === 'relay' && !deps.relayAvailable)
    throw new NetworkError('RELAY_UNAVAILABLE', route.reason);
  return sendRequest(request, route, deps.fetch, deps.now);
}

/** Reads the token response of a recorded exchange; errors keep the server's fields. */
export function readTokenExchange(exchange: HttpExchange | undefined): TokenResponse {
  const response = exchange?.response;
  if (response === undefined)
    throw new ProtocolViolationError('INVALID_RESPONSE', 'No token response was recorded.');
  return parseTokenResponse(response);
}
