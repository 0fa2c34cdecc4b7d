import { quoteForMessage } from './quote.ts';
import { parseWwwAuthenticate } from './bearer.ts';
import {
  ProtocolViolationError,
  TokenEndpointError,
  type ErrorBodyFormat,
  type OAuthErrorFields,
} from './errors.ts';
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
  | { readonly method: 'client_secret_jwt'; readonly clientAssertion: string }
  | { readonly method: 'private_key_jwt'; readonly clientAssertion: string };

/**
 * A value form-urlencoded as RFC 6749 Appendix B asks (WHATWG application/x-www-form-urlencoded:
 * space as `+`, everything but letters, digits and `*-._` percent-encoded as UTF-8).
 * @see https://www.rfc-editor.org/rfc/rfc6749#appendix-B
 */
export function formUrlEncode(value: string): string {
  return new URLSearchParams([['', value]]).toString().slice(1);
}

/**
 * The Basic `Authorization` value for a client id and secret: each form-urlencoded, joined by a colon,
 * then base64 (the encoded text is ASCII, so `btoa` takes it).
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1
 */
export function buildBasicAuthorization(clientId: string, clientSecret: string): string {
  // RFC 6749 §2.3.1: id and secret are encoded with application/x-www-form-urlencoded, then used
  // as the username and password of RFC 7617 Basic.
  return `Basic ${btoa(`${formUrlEncode(clientId)}:${formUrlEncode(clientSecret)}`)}`;
}

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
  // RFC 6749 §5.1 answers in JSON anyway; GitHub answers form-encoded unless asked for JSON:
  // https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps#2-users-are-redirected-back-to-your-site-by-github
  const headers: [string, string][] = [
    ['Content-Type', 'application/x-www-form-urlencoded'],
    ['Accept', 'application/json'],
  ];
  if (authentication.method === 'client_secret_post') {
    body.append('client_secret', authentication.clientSecret);
  } else if (authentication.method === 'client_secret_basic') {
    headers.push([
      'Authorization',
      buildBasicAuthorization(body.get('client_id') ?? '', authentication.clientSecret),
    ]);
  } else if (authentication.method === 'private_key_jwt' || authentication.method === 'client_secret_jwt') {
    // RFC 7523 §2.2 (OIDC Core §9 for both JWT methods): the assertion travels as client_assertion,
    // typed by client_assertion_type.
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

/**
 * A response as the parsers read it; headers are optional so a bare status and body can be checked.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.1
 */
export type ReadableResponse = Pick<RecordedResponse, 'status' | 'body'> &
  Partial<Pick<RecordedResponse, 'headers'>>;

function headerOf(response: ReadableResponse, name: string): string | undefined {
  return response.headers?.find(([n]) => n.toLowerCase() === name)?.[1];
}

/**
 * The body without a leading byte order mark, which some servers put before their JSON.
 * @see https://www.rfc-editor.org/rfc/rfc8259#section-8.1
 */
export function withoutBom(text: string): string {
  // RFC 8259 §8.1: implementations MUST NOT add a BOM, but parsers MAY ignore one; we ignore it.
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * What reading a body found: its shape, the error fields it holds (if any), and the parsed JSON.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 */
export interface ErrorBodyReading {
  readonly format: ErrorBodyFormat;
  /** The error as OAuth fields; for shapes other than `oauth`, the wire fields are kept beside them. */
  readonly fields?: OAuthErrorFields;
  readonly json?: unknown;
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Only the defined entries, so optional wire fields stay absent rather than `undefined`. */
function defined(entries: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(entries)) if (value !== undefined) out[name] = value;
  return out;
}

/** An error field's value as a short string, whatever JSON type the server used. */
function asText(value: unknown): string | undefined {
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

function readJsonError(json: Record<string, unknown>, contentType: string): ErrorBodyReading {
  // RFC 6749 §5.2: the error response is a JSON object whose "error" is a string code.
  if (typeof json['error'] === 'string') return { format: 'oauth', fields: json as OAuthErrorFields, json };
  const nested = json['error'];
  if (isObject(nested)) {
    // Microsoft Graph / Azure: {"error":{"code","message"}}; Google APIs: {"error":{"code":401,"status","message"}}.
    const code = asText(nested['code']) ?? asText(nested['status']);
    if (code !== undefined) {
      const description = asText(nested['message']) ?? asText(nested['error_description']);
      return {
        format: 'nested',
        fields: { ...nested, error: code, ...defined({ error_description: description }) },
        json,
      };
    }
  }
  const errorCode = stringOf(json['errorCode']);
  if (errorCode !== undefined) {
    // Okta: https://developer.okta.com/docs/reference/error-codes/
    return {
      format: 'okta',
      fields: {
        ...json,
        error: errorCode,
        ...defined({
          error_description: stringOf(json['errorSummary']),
          error_uri: stringOf(json['errorLink']),
        }),
      },
      json,
    };
  }
  const title = stringOf(json['title']);
  const type = stringOf(json['type']);
  const detail = stringOf(json['detail']);
  if (
    contentType.includes('problem+json') ||
    (title !== undefined && (type !== undefined || detail !== undefined))
  ) {
    // RFC 9457 §3.1: type, title, status, detail, instance.
    const name = title ?? type;
    if (name !== undefined) {
      return {
        format: 'problem',
        fields: { ...json, error: name, ...defined({ error_description: detail }) },
        json,
      };
    }
  }
  return { format: 'json', json };
}

const FORM_BODY = /^[\w.~%+-]+=[^\s&]*(?:&[\w.~%+-]+=[^\s&]*)*$/;

/**
 * Reads whatever a server sent as an error: RFC 6749 §5.2 JSON, Okta's, Graph's or RFC 9457's JSON,
 * GitHub's form-encoded fields, an empty 401 with only a `WWW-Authenticate` challenge, or a page
 * from a gateway. Never throws; `fields` is set only when the body names an error.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 */
export function readErrorBody(response: ReadableResponse): ErrorBodyReading {
  const text = withoutBom(response.body);
  const trimmed = text.trim();
  const contentType = (headerOf(response, 'content-type') ?? '').toLowerCase();
  if (trimmed === '') {
    const header = headerOf(response, 'www-authenticate');
    if (header === undefined || header.trim() === '') return { format: 'empty' };
    // RFC 6749 §5.2: a failed client authentication may be a 401 carrying only WWW-Authenticate.
    try {
      const challenge = parseWwwAuthenticate(header).find((c) => stringOf(c.params['error']) !== undefined);
      if (challenge !== undefined) {
        const { error, error_description, error_uri } = challenge.params;
        return {
          format: 'challenge',
          fields: { error: error ?? '', ...defined({ error_description, error_uri }) },
        };
      }
    } catch {
      // An unreadable header names no error; the body is still empty.
    }
    return { format: 'challenge' };
  }
  let json: unknown;
  let parsed = false;
  try {
    json = JSON.parse(text);
    parsed = true;
  } catch {
    // Not JSON, whatever the Content-Type says: read it as form, page or text below.
  }
  if (parsed) return isObject(json) ? readJsonError(json, contentType) : { format: 'json', json };
  if (contentType.includes('application/x-www-form-urlencoded') || FORM_BODY.test(trimmed)) {
    const form = new URLSearchParams(trimmed);
    const error = form.get('error');
    if (error !== null) {
      const fields: Record<string, string> = {};
      for (const [name, value] of form) if (!Object.hasOwn(fields, name)) fields[name] = value;
      return { format: 'form', fields: { ...fields, error } };
    }
    return { format: 'form' };
  }
  if (contentType.includes('html') || trimmed.startsWith('<')) return { format: 'html' };
  return { format: 'text' };
}

/**
 * Longest raw body kept with an error: enough for any real error page, bounded for storage.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 */
export const MAX_KEPT_BODY = 100_000;

/**
 * The raw body as kept with an error: whole up to `MAX_KEPT_BODY` characters, then cut and marked.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 */
export function keptBody(body: string): string {
  if (body.length <= MAX_KEPT_BODY) return body;
  return `${body.slice(0, MAX_KEPT_BODY)}\n… (${body.length - MAX_KEPT_BODY} more characters not kept)`;
}

/** Says what an unreadable body was, for a message; the raw body is kept beside it. */
function describeBody(reading: ErrorBodyReading, response: ReadableResponse): string {
  switch (reading.format) {
    case 'empty':
      return 'an empty body';
    case 'challenge': {
      const header = headerOf(response, 'www-authenticate') ?? '';
      return `an empty body and only a WWW-Authenticate header (${quoteForMessage(header, 120)})`;
    }
    case 'html':
      return 'an HTML page, not JSON (often a proxy, a login page or a wrong URL)';
    case 'form':
      return 'form-encoded fields, not JSON (GitHub answers so unless the request asks for JSON)';
    case 'json':
      return 'JSON that is not an object';
    default:
      return 'text that is not JSON';
  }
}

/**
 * Reads a token endpoint response: an error body becomes a `TokenEndpointError` with the server's
 * fields verbatim (in whichever shape it came: see `readErrorBody`); a success body must be a JSON
 * object carrying `access_token` and `token_type` as strings.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.1
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 */
export function parseTokenResponse(response: ReadableResponse): TokenResponse {
  const reading = readErrorBody(response);
  // RFC 6749 §5.2 errors come with HTTP 400/401, but GitHub answers errors with 200: an error is an error.
  if (reading.fields !== undefined) {
    throw new TokenEndpointError(response.status, reading.fields, keptBody(response.body), reading.format);
  }
  const json = reading.json;
  if (!isObject(json)) {
    throw new ProtocolViolationError(
      'INVALID_RESPONSE',
      `The token endpoint answered HTTP ${response.status} with ${describeBody(reading, response)}.`,
      { cause: keptBody(response.body), format: reading.format },
    );
  }
  if (response.status < 200 || response.status > 299) {
    const odd =
      json['error'] === undefined ? '' : `: “error” is ${quoteForMessage(json['error'])}, not a string`;
    throw new ProtocolViolationError(
      'INVALID_RESPONSE',
      `The token endpoint answered HTTP ${response.status} without an OAuth error field${odd}.`,
      { cause: keptBody(response.body), format: reading.format },
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
  return readTokenSuccessFields(json);
}

/**
 * The optional fields of a successful token response, read as real servers send them: `expires_in`
 * as a number or a whole-number string ("3600", which some servers send), converted to a number;
 * `scope` as a string, space- or (GitHub, Facebook) comma-separated, kept verbatim; `token_type` in
 * any letter case. Anything else is refused with the field named.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.1
 */
export function readTokenSuccessFields(json: Record<string, unknown>): TokenResponse {
  const out: Record<string, unknown> = { ...json };
  for (const field of ['expires_in', 'ext_expires_in'] as const) {
    const value = out[field];
    if (value === undefined) continue;
    const seconds =
      typeof value === 'number'
        ? value
        : typeof value === 'string' && /^\s*\d+\s*$/.test(value)
          ? Number(value)
          : NaN;
    if (!Number.isSafeInteger(seconds) || seconds < 0) {
      throw new ProtocolViolationError(
        'INVALID_RESPONSE',
        `“${field}” should be a whole number of seconds, not ${quoteForMessage(value)}.`,
      );
    }
    // RFC 6749 §5.1: a number of seconds; a lax server's "3600" is read as the number it spells.
    out[field] = seconds;
  }
  for (const field of ['refresh_token', 'id_token', 'scope'] as const) {
    if (out[field] !== undefined && typeof out[field] !== 'string') {
      throw new ProtocolViolationError(
        'INVALID_RESPONSE',
        `“${field}” should be a string, not ${quoteForMessage(out[field])}.`,
      );
    }
  }
  return out as TokenResponse;
}

/**
 * The scopes of a `scope` value: RFC 6749 §3.3 separates them with spaces; GitHub and Facebook use
 * commas, so both are split.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.3
 */
export function splitScope(scope: string): string[] {
  return scope.split(/[\s,]+/).filter((s) => s !== '');
}

/**
 * Whether a `token_type` is Bearer: RFC 6749 §5.1 says the value is case-insensitive.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.1
 */
export function isBearerTokenType(tokenType: string): boolean {
  return tokenType.trim().toLowerCase() === 'bearer';
}
