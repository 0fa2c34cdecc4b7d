import { quoteForMessage } from './quote.ts';
import { ProtocolViolationError, TokenEndpointError, type OAuthErrorFields } from './errors.ts';
import type { RecordedRequest, RecordedResponse } from './http.ts';
import type { QueryParameter } from './authorize.ts';

/**
 * A successful token response. Wire names as RFC 6749 spells them; open-ended for Entra's extras.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.1
 */
export interface TokenResponse {
  readonly access_token: string;
  readonly token_type: string;
  readonly expires_in?: number;
  readonly ext_expires_in?: number;
  readonly scope?: string;
  readonly refresh_token?: string;
  readonly id_token?: string;
  readonly [param: string]: unknown;
}

/**
 * How the client proves who it is at the token endpoint.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1
 */
export type ClientAuthentication =
  | { readonly method: 'none' }
  | { readonly method: 'client_secret_post'; readonly clientSecret: string }
  | { readonly method: 'client_secret_basic'; readonly clientSecret: string }
  | { readonly method: 'private_key_jwt'; readonly clientAssertion: string };

/** Form fields whose values are secrets wherever they appear. */
export const SECRET_FIELDS = [
  'client_secret',
  'code_verifier',
  'refresh_token',
  'password',
  'client_assertion',
  'assertion',
  'code',
  'device_code',
  'Authorization',
] as const;

/**
 * A token request: a form POST. Empty values are left out.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.3
 */
export function buildTokenRequest(
  endpoint: string,
  parameters: readonly QueryParameter[],
  authentication: ClientAuthentication,
): RecordedRequest {
  const body = new URLSearchParams();
  for (const [name, value] of parameters) if (name !== '' && value !== '') body.append(name, value);
  const headers: [string, string][] = [['Content-Type', 'application/x-www-form-urlencoded']];
  if (authentication.method === 'client_secret_post') {
    body.append('client_secret', authentication.clientSecret);
  } else if (authentication.method === 'client_secret_basic') {
    // RFC 6749 §2.3.1: id and secret are form-urlencoded before being joined for Basic.
    const id = encodeURIComponent(body.get('client_id') ?? '');
    const secret = encodeURIComponent(authentication.clientSecret);
    headers.push(['Authorization', `Basic ${btoa(`${id}:${secret}`)}`]);
  } else if (authentication.method === 'private_key_jwt') {
    // RFC 7523 §2.2: the assertion travels as client_assertion, typed by client_assertion_type.
    body.append('client_assertion_type', 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
    body.append('client_assertion', authentication.clientAssertion);
  }
  const secretFields = SECRET_FIELDS.filter(
    (field) => body.has(field) || headers.some(([name]) => name === field),
  );
  return { method: 'POST', url: endpoint, headers, body: body.toString(), secretFields };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describeBody(text: string): string {
  const trimmed = text.trim();
  if (trimmed === '') return 'an empty body';
  if (trimmed.startsWith('<')) return 'an HTML page, not JSON (often a proxy, a login page or a wrong URL)';
  return 'text that is not JSON';
}

/**
 * Reads a token endpoint response: an error body becomes a `TokenEndpointError` with the server's
 * fields verbatim; a success body must carry `access_token` and `token_type` as strings.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.1
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 */
export function parseTokenResponse(response: Pick<RecordedResponse, 'status' | 'body'>): TokenResponse {
  let json: unknown;
  try {
    json = JSON.parse(response.body);
  } catch (cause) {
    throw new ProtocolViolationError(
      'INVALID_RESPONSE',
      `The token endpoint answered HTTP ${response.status} with ${describeBody(response.body)}.`,
      { cause },
    );
  }
  if (!isObject(json)) {
    throw new ProtocolViolationError(
      'INVALID_RESPONSE',
      `The token endpoint answered HTTP ${response.status} with JSON that is not an object.`,
    );
  }
  if (typeof json['error'] === 'string') {
    throw new TokenEndpointError(response.status, json as OAuthErrorFields, response.body);
  }
  if (response.status < 200 || response.status > 299) {
    throw new ProtocolViolationError(
      'INVALID_RESPONSE',
      `The token endpoint answered HTTP ${response.status} without an OAuth error field.`,
    );
  }
  for (const field of ['access_token', 'token_type'] as const) {
    if (typeof json[field] !== 'string' || json[field] === '') {
      throw new ProtocolViolationError(
        'INVALID_RESPONSE',
        `The token response has no “${field}” string (RFC 6749 §5.1 requires it).`,
      );
    }
  }
  for (const field of ['expires_in', 'ext_expires_in'] as const) {
    const value = json[field];
    const valid =
      value === undefined ||
      (typeof value === 'number'
        ? Number.isInteger(value) && value >= 0
        : typeof value === 'string' && /^\d+$/.test(value));
    if (!valid) {
      throw new ProtocolViolationError(
        'INVALID_RESPONSE',
        `“${field}” should be a whole number of seconds, not ${quoteForMessage(value)}.`,
      );
    }
  }
  for (const field of ['refresh_token', 'id_token', 'scope'] as const) {
    if (json[field] !== undefined && typeof json[field] !== 'string') {
      throw new ProtocolViolationError(
        'INVALID_RESPONSE',
        `“${field}” should be a string, not ${quoteForMessage(json[field])}.`,
      );
    }
  }
  return json as TokenResponse;
}
