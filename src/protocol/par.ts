/**
 * Pushed Authorization Requests (PAR): the client POSTs the authorization request's parameters to the
 * authorization server first, gets a one-time `request_uri` back, and the browser's URL carries only
 * that reference and the client id.
 * @see https://www.rfc-editor.org/rfc/rfc9126
 */
import type { QueryParameter } from './authorize.ts';
import { buildAuthorizationUrl } from './authorize.ts';
import { ProtocolViolationError, TokenEndpointError } from './errors.ts';
import type { RecordedRequest } from './http.ts';
import { quoteForMessage } from './quote.ts';
import {
  buildTokenRequest,
  keptBody,
  readErrorBody,
  type ClientAuthentication,
  type ReadableResponse,
} from './token.ts';

/**
 * The PAR endpoint's success answer.
 * @see https://www.rfc-editor.org/rfc/rfc9126#section-2.2
 */
export interface PushedAuthorizationResponse {
  readonly request_uri: string;
  readonly expires_in: number;
  readonly [param: string]: unknown;
}

/**
 * The pushed request: the same parameters the authorization URL would carry, as a form POST, with the
 * client authenticating as it would at the token endpoint (public clients send only client_id).
 * @see https://www.rfc-editor.org/rfc/rfc9126#section-2.1
 */
export function buildPushedAuthorizationRequest(
  endpoint: string,
  parameters: readonly QueryParameter[],
  authentication: ClientAuthentication,
): RecordedRequest {
  // RFC 9126 §2.1: "request_uri" MUST NOT be pushed; a request object travels as "request" instead.
  const pushed = parameters.filter(([name]) => name.trim() !== 'request_uri');
  return buildTokenRequest(endpoint, pushed, authentication);
}

/**
 * Reads the PAR endpoint's answer: HTTP 201 with `request_uri` and `expires_in` (RFC 9126 §2.2), or an
 * error body (§2.3) kept verbatim as a `TokenEndpointError`.
 * @see https://www.rfc-editor.org/rfc/rfc9126#section-2.2
 * @see https://www.rfc-editor.org/rfc/rfc9126#section-2.3
 */
export function parsePushedAuthorizationResponse(response: ReadableResponse): PushedAuthorizationResponse {
  const reading = readErrorBody(response);
  if (reading.fields !== undefined) {
    throw new TokenEndpointError(response.status, reading.fields, keptBody(response.body), reading.format);
  }
  const json = reading.json;
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ProtocolViolationError(
      'INVALID_RESPONSE',
      `The pushed authorization request endpoint answered HTTP ${response.status} without a JSON object, so no request_uri could be read.`,
      { cause: keptBody(response.body), format: reading.format },
    );
  }
  const body = json as Record<string, unknown>;
  if (response.status < 200 || response.status > 299) {
    throw new ProtocolViolationError(
      'INVALID_RESPONSE',
      `The pushed authorization request endpoint answered HTTP ${response.status} without an OAuth error field.`,
      { cause: keptBody(response.body), format: reading.format },
    );
  }
  const requestUri = body['request_uri'];
  if (typeof requestUri !== 'string' || requestUri === '') {
    throw new ProtocolViolationError(
      'INVALID_RESPONSE',
      'The pushed authorization request endpoint answered without a “request_uri” string (RFC 9126 §2.2 requires it), so there is nothing to send the browser with.',
      { cause: keptBody(response.body) },
    );
  }
  const expiresIn = body['expires_in'];
  // RFC 9126 §2.2: expires_in is REQUIRED, a positive integer of seconds.
  if (typeof expiresIn !== 'number' || !Number.isInteger(expiresIn) || expiresIn <= 0) {
    throw new ProtocolViolationError(
      'INVALID_RESPONSE',
      `The pushed authorization request endpoint’s “expires_in” is ${expiresIn === undefined ? 'missing' : quoteForMessage(JSON.stringify(expiresIn), 40)}; RFC 9126 §2.2 requires a positive whole number of seconds.`,
      { cause: keptBody(response.body) },
    );
  }
  return { ...body, request_uri: requestUri, expires_in: expiresIn };
}

/**
 * The authorization URL after a push: only `client_id` and `request_uri`; everything else is on the
 * server already.
 * @see https://www.rfc-editor.org/rfc/rfc9126#section-4
 */
export function buildPushedAuthorizationUrl(endpoint: string, clientId: string, requestUri: string): URL {
  // RFC 9126 §4: client_id is still sent, so the server can check the request_uri was pushed by it.
  return buildAuthorizationUrl(endpoint, [
    ['client_id', clientId],
    ['request_uri', requestUri],
  ]);
}

/**
 * Seconds left before a pushed request's `request_uri` expires (negative once it has).
 * @see https://www.rfc-editor.org/rfc/rfc9126#section-2.2
 */
export function calculateRequestUriSecondsLeft(pushedAtMs: number, expiresIn: number, nowMs: number): number {
  return Math.floor((pushedAtMs + expiresIn * 1000 - nowMs) / 1000);
}
