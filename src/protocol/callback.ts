import { quoteForMessage } from './quote.ts';
import {
  AuthorizationResponseError,
  InvalidInputError,
  ProtocolViolationError,
  type OAuthErrorFields,
} from './errors.ts';

/** A successful authorization response, as read from the redirect URI. */
export interface AuthorizationResponse {
  readonly code: string;
  readonly state?: string;
  /** Where the parameters were found: the query string or the fragment. */
  readonly responseMode: 'query' | 'fragment';
  /** Every parameter the server sent, verbatim. */
  readonly params: Readonly<Record<string, string>>;
}

/** What the client expects to find in the callback. */
export interface CallbackExpectations {
  readonly state: string | undefined;
  /** When set and the response carries `iss`, the two must match (RFC 9207). */
  readonly issuer?: string;
}

const RESPONSE_FIELDS = ['code', 'error', 'state', 'id_token', 'access_token'];

/**
 * Reads the authorization response parameters from a redirect URL (query or fragment), refusing
 * repeated parameters.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2
 */
export function readCallbackParameters(url: string | URL): {
  mode: 'query' | 'fragment';
  params: Record<string, string>;
} {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidInputError(
      'callback',
      'That address is not a complete URL: paste it again from the address bar.',
    );
  }
  const fragment = new URLSearchParams(parsed.hash.replace(/^#/, ''));
  const useFragment = RESPONSE_FIELDS.some((name) => fragment.has(name));
  const source = useFragment ? fragment : parsed.searchParams;
  // No prototype: a parameter named __proto__ is kept like any other.
  const params = Object.create(null) as Record<string, string>;
  for (const [name, value] of source) {
    // RFC 6749 §3.1: parameters MUST NOT be included more than once.
    if (Object.hasOwn(params, name)) {
      throw new ProtocolViolationError(
        'DUPLICATE_PARAMETER',
        `The callback carries “${name}” more than once, so it cannot be trusted.`,
      );
    }
    params[name] = value;
  }
  return { mode: useFragment ? 'fragment' : 'query', params };
}

/**
 * Validates an authorization response: state first (CSRF), then error, then the code.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2
 * @see https://www.rfc-editor.org/rfc/rfc9207#section-2.4
 */
export function parseAuthorizationResponse(
  url: string | URL,
  expected: CallbackExpectations,
): AuthorizationResponse {
  const { mode, params } = readCallbackParameters(url);
  const state = params['state'];
  // RFC 6749 §10.12: the client MUST check state before acting on the response.
  if (expected.state !== undefined && state !== expected.state) {
    throw new ProtocolViolationError(
      'STATE_MISMATCH',
      state === undefined
        ? 'The callback has no state, but this browser sent one: it may not answer our request.'
        : 'The state in the callback is not the one this browser sent.',
    );
  }
  const iss = params['iss'];
  if (expected.issuer !== undefined && iss !== undefined && iss !== expected.issuer) {
    throw new ProtocolViolationError(
      'INVALID_RESPONSE',
      `The response says it comes from ${quoteForMessage(iss)}, not ${expected.issuer} (RFC 9207 mix-up defence).`,
    );
  }
  const error = params['error'];
  if (error !== undefined) {
    const fields: OAuthErrorFields = { ...params, error };
    throw new AuthorizationResponseError(fields);
  }
  const code = params['code'];
  if (code === undefined || code === '') {
    throw new ProtocolViolationError('MISSING_PARAMETER', 'The callback has neither a code nor an error.');
  }
  return { code, responseMode: mode, params, ...(state === undefined ? {} : { state }) };
}
