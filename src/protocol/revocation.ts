/**
 * Token revocation: the client tells the authorization server it no longer needs a token, so the
 * server invalidates it (and, for a refresh token, usually the access tokens of the same grant).
 * @see https://www.rfc-editor.org/rfc/rfc7009
 */
import { ProtocolViolationError, TokenEndpointError } from './errors.ts';
import type { RecordedRequest } from './http.ts';
import { buildClientAuthenticatedPost, type TokenTypeHint } from './introspection.ts';
import { keptBody, readErrorBody, type ClientAuthentication, type ReadableResponse } from './token.ts';

/** What the revocation request carries besides client authentication. */
export interface RevocationInput {
  readonly token: string;
  readonly tokenTypeHint?: TokenTypeHint | '';
  readonly clientId: string;
}

/**
 * The revocation request: `token` and optionally `token_type_hint`, with client authentication.
 * @see https://www.rfc-editor.org/rfc/rfc7009#section-2.1
 */
export function buildRevocationRequest(
  endpoint: string,
  input: RevocationInput,
  authentication: ClientAuthentication,
): RecordedRequest {
  return buildClientAuthenticatedPost(
    endpoint,
    input.clientId,
    [
      ['token', input.token.trim()],
      ['token_type_hint', input.tokenTypeHint ?? ''],
    ],
    authentication,
  );
}

/** What a revocation answer says. */
export interface RevocationOutcome {
  readonly status: number;
  /**
   * Always true on a 200: the server says the same whether the token was valid, unknown, already
   * revoked or issued to another client, so the answer reveals nothing about the token.
   */
  readonly revoked: true;
}

/**
 * Reads a revocation answer: HTTP 200 is success whatever the body (RFC 7009 §2.2, even for an unknown
 * token); an error body (`unsupported_token_type`, `invalid_client`…) becomes a `TokenEndpointError`.
 * @see https://www.rfc-editor.org/rfc/rfc7009#section-2.2
 * @see https://www.rfc-editor.org/rfc/rfc7009#section-2.2.1
 */
export function parseRevocationResponse(response: ReadableResponse): RevocationOutcome {
  // RFC 7009 §2.2: "The content of the response body is ignored by the client".
  if (response.status === 200) return { status: 200, revoked: true };
  const reading = readErrorBody(response);
  if (reading.fields !== undefined) {
    throw new TokenEndpointError(response.status, reading.fields, keptBody(response.body), reading.format);
  }
  // RFC 7009 §2.2.1: 503 means "try again later", with Retry-After; anything else is not in the RFC.
  throw new ProtocolViolationError(
    'INVALID_RESPONSE',
    response.status === 503
      ? 'The revocation endpoint answered 503: the server could not revoke the token now. The token may still be valid: try again later (Retry-After says when).'
      : `The revocation endpoint answered HTTP ${response.status} without an OAuth error: the token may still be valid.`,
    { cause: keptBody(response.body), format: reading.format },
  );
}
