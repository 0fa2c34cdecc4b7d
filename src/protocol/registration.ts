/**
 * Dynamic client registration: a client sends its metadata as JSON to the registration endpoint and
 * gets back a client id (and a secret, for a confidential client), then manages that registration
 * with the registration access token it was given. Pure: builds requests and reads answers.
 * @see https://www.rfc-editor.org/rfc/rfc7591
 * @see https://www.rfc-editor.org/rfc/rfc7592
 */
import type { RequestWarning } from './authorize.ts';
import { ProtocolViolationError, RegistrationError } from './errors.ts';
import type { RecordedRequest } from './http.ts';
import { keptBody, readErrorBody, withoutBom, type ReadableResponse } from './token.ts';

/**
 * Client metadata a client asks to be registered with. Wire names as RFC 7591 §2 spells them.
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-2
 */
export interface ClientMetadata {
  readonly redirect_uris?: readonly string[];
  readonly token_endpoint_auth_method?: string;
  readonly grant_types?: readonly string[];
  readonly response_types?: readonly string[];
  readonly client_name?: string;
  readonly scope?: string;
  readonly jwks?: { readonly keys: readonly Readonly<Record<string, unknown>>[] };
  readonly jwks_uri?: string;
  readonly [field: string]: unknown;
}

/**
 * What the server answers: the metadata as registered, plus the client's credentials (RFC 7591 §3.2.1)
 * and what it needs to manage the registration (RFC 7592 §3).
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-3.2.1
 */
export interface ClientInformation extends ClientMetadata {
  readonly client_id: string;
  readonly client_secret?: string;
  readonly client_id_issued_at?: number;
  /** 0 means the secret does not expire. */
  readonly client_secret_expires_at?: number;
  readonly registration_access_token?: string;
  readonly registration_client_uri?: string;
}

/**
 * A registration answer as read: the client information and what a careful client notices about it.
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-3.2.1
 */
export interface RegistrationReading {
  readonly client: ClientInformation;
  /** Departures from the RFCs that do not stop the client from using the registration. */
  readonly notes: readonly string[];
}

/**
 * The four error codes RFC 7591 adds for a refused registration.
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-3.2.2
 */
export const REGISTRATION_ERROR_CODES = [
  'invalid_redirect_uri',
  'invalid_client_metadata',
  'invalid_software_statement',
  'unapproved_software_statement',
] as const;

/**
 * Which response type each grant type needs, the pairs RFC 7591 §2.1 lists; other grants use none.
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-2.1
 */
export const GRANT_RESPONSE_TYPES: Readonly<Record<string, string>> = {
  authorization_code: 'code',
  implicit: 'token',
};

/** Grant types that send the user's browser to the authorization endpoint and back to a redirect URI. */
const REDIRECT_GRANTS = new Set(Object.keys(GRANT_RESPONSE_TYPES));

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The metadata without empty values: an empty string or list is left out rather than sent, so the
 * server applies its default (RFC 7591 §2: omitted fields take the server's defaults).
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-2
 */
export function compactMetadata(metadata: ClientMetadata): ClientMetadata {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(metadata)) {
    if (value === undefined || value === '') continue;
    if (Array.isArray(value) && value.length === 0) continue;
    out[name] = value;
  }
  return out as ClientMetadata;
}

/**
 * The registration request: the metadata as a JSON object, POSTed; an initial access token, when the
 * server hands them out, goes as a bearer token.
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-3.1
 */
export function buildRegistrationRequest(
  endpoint: string,
  metadata: ClientMetadata,
  initialAccessToken = '',
): RecordedRequest {
  const headers: [string, string][] = [
    // RFC 7591 §3.1: "the client sends an HTTP POST ... with a content type of application/json".
    ['Content-Type', 'application/json'],
    ['Accept', 'application/json'],
  ];
  const token = initialAccessToken.trim();
  if (token !== '') headers.push(['Authorization', `Bearer ${token}`]);
  return {
    method: 'POST',
    url: endpoint,
    headers,
    body: JSON.stringify(compactMetadata(metadata), null, 2),
    secretFields: token === '' ? [] : ['Authorization'],
  };
}

/**
 * A request to the client configuration endpoint: read the registration (GET, RFC 7592 §2.1) or
 * delete it (DELETE, §2.3), authorized by the registration access token.
 * @see https://www.rfc-editor.org/rfc/rfc7592#section-2
 */
export function buildClientConfigurationRequest(
  registrationClientUri: string,
  registrationAccessToken: string,
  method: 'GET' | 'DELETE',
): RecordedRequest {
  return {
    method,
    url: registrationClientUri,
    headers: [
      ['Accept', 'application/json'],
      // RFC 7592 §2: the registration access token is a bearer token (RFC 6750 §2.1).
      ['Authorization', `Bearer ${registrationAccessToken}`],
    ],
    secretFields: ['Authorization'],
  };
}

/**
 * Fields the server owns, which an update request must not carry.
 * @see https://www.rfc-editor.org/rfc/rfc7592#section-2.2
 */
export const SERVER_OWNED_FIELDS = [
  'registration_access_token',
  'registration_client_uri',
  'client_secret_expires_at',
  'client_id_issued_at',
] as const;

/**
 * An update of the registration (PUT): the client's whole metadata as it stands, with the changes, and
 * its client_id. The secret is left out (RFC 7592 §2.2 allows it; if sent it must match), so the update
 * carries no credential but the bearer token.
 * @see https://www.rfc-editor.org/rfc/rfc7592#section-2.2
 */
export function buildClientUpdateRequest(
  registrationClientUri: string,
  registrationAccessToken: string,
  current: ClientInformation,
  changes: ClientMetadata,
): RecordedRequest {
  const body: Record<string, unknown> = {};
  for (const [name, value] of Object.entries({ ...current, ...changes })) {
    // RFC 7592 §2.2: these "MUST NOT be included in the request".
    if ((SERVER_OWNED_FIELDS as readonly string[]).includes(name) || name === 'client_secret') continue;
    if (value !== undefined) body[name] = value;
  }
  // RFC 7592 §2.2: the client MUST include its client_id, the same as issued.
  body['client_id'] = current.client_id;
  return {
    method: 'PUT',
    url: registrationClientUri,
    headers: [
      ['Content-Type', 'application/json'],
      ['Accept', 'application/json'],
      ['Authorization', `Bearer ${registrationAccessToken}`],
    ],
    body: JSON.stringify(body, null, 2),
    secretFields: ['Authorization'],
  };
}

function throwIfError(response: ReadableResponse, what: string): Record<string, unknown> {
  const reading = readErrorBody(response);
  // As at the token endpoint: an error body is an error, whatever the status says.
  if (reading.fields !== undefined) {
    throw new RegistrationError(response.status, reading.fields, keptBody(response.body), reading.format);
  }
  if (response.status < 200 || response.status > 299) {
    throw new ProtocolViolationError(
      'INVALID_RESPONSE',
      `The ${what} answered HTTP ${response.status} without an error the client can read.`,
      { cause: keptBody(response.body), format: reading.format },
    );
  }
  if (!isObject(reading.json)) {
    throw new ProtocolViolationError(
      'INVALID_RESPONSE',
      `The ${what} answered HTTP ${response.status} with a body that is not a JSON object.`,
      { cause: keptBody(response.body), format: reading.format },
    );
  }
  return reading.json;
}

/**
 * Reads a registration answer (RFC 7591 §3.2.1: 201 with the client information) or a read of the
 * registration (RFC 7592 §2.1: 200). Errors (§3.2.2) become a `RegistrationError` with the server's
 * fields; a success without a client id is refused; other departures are noted.
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-3.2
 */
export function parseRegistrationResponse(
  response: ReadableResponse,
  kind: 'register' | 'read' = 'register',
): RegistrationReading {
  const json = throwIfError(
    response,
    kind === 'register' ? 'registration endpoint' : 'client configuration endpoint',
  );
  const clientId = json['client_id'];
  if (typeof clientId !== 'string' || clientId === '') {
    throw new ProtocolViolationError(
      'MISSING_PARAMETER',
      'The answer has no client_id: without it the client cannot identify itself (RFC 7591 §3.2.1 makes it REQUIRED).',
      { cause: keptBody(withoutBom(response.body)) },
    );
  }
  const notes: string[] = [];
  const expected = kind === 'register' ? 201 : 200;
  if (response.status !== expected) {
    notes.push(
      `The server answered HTTP ${response.status}; ${kind === 'register' ? 'RFC 7591 §3.2.1 says 201 Created' : 'RFC 7592 §3 says 200 OK'}.`,
    );
  }
  const secret = json['client_secret'];
  if (secret !== undefined && typeof secret !== 'string') notes.push('client_secret is not a string.');
  // RFC 7591 §3.2.1: client_secret_expires_at is REQUIRED if client_secret is issued.
  if (typeof secret === 'string' && typeof json['client_secret_expires_at'] !== 'number') {
    notes.push(
      'A client_secret came without client_secret_expires_at, which RFC 7591 §3.2.1 requires with a secret: the client cannot tell when to renew it.',
    );
  }
  for (const field of ['client_id_issued_at', 'client_secret_expires_at']) {
    if (json[field] !== undefined && typeof json[field] !== 'number')
      notes.push(`${field} should be a number of seconds since 1970 (RFC 7591 §3.2.1).`);
  }
  const token = json['registration_access_token'];
  const uri = json['registration_client_uri'];
  // RFC 7592 §3: the two come together, or the registration cannot be managed.
  if ((token === undefined) !== (uri === undefined)) {
    notes.push(
      'Only one of registration_access_token and registration_client_uri came back: RFC 7592 §3 returns both, and the registration cannot be read or deleted with one.',
    );
  }
  return { client: json as ClientInformation, notes };
}

/**
 * Reads the answer to a DELETE of a registration: 204 No Content on success (RFC 7592 §2.3); an error
 * body (401 invalid_token, 403 not permitted) becomes a `RegistrationError`.
 * @see https://www.rfc-editor.org/rfc/rfc7592#section-2.3
 */
export function parseDeleteResponse(response: ReadableResponse): { readonly notes: readonly string[] } {
  if (response.status === 204) return { notes: [] };
  if (response.status >= 200 && response.status < 300) {
    return { notes: [`The server answered HTTP ${response.status}; RFC 7592 §2.3 says 204 No Content.`] };
  }
  const reading = readErrorBody(response);
  if (reading.fields !== undefined) {
    throw new RegistrationError(response.status, reading.fields, keptBody(response.body), reading.format);
  }
  throw new ProtocolViolationError(
    'INVALID_RESPONSE',
    `The client configuration endpoint answered HTTP ${response.status} without an error the client can read.`,
    { cause: keptBody(response.body), format: reading.format },
  );
}

/**
 * When a secret expires, in words: `client_secret_expires_at` is seconds since 1970, 0 for never.
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-3.2.1
 */
export function describeSecretExpiry(expiresAt: unknown): string {
  if (expiresAt === undefined) return 'not said';
  if (expiresAt === 0) return 'never (0)';
  if (typeof expiresAt !== 'number' || !Number.isFinite(expiresAt) || expiresAt < 0)
    return `unreadable (${JSON.stringify(expiresAt)})`;
  return `${new Date(expiresAt * 1000).toISOString()} (${expiresAt})`;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) {
    const left = [...(a as unknown[])].map((v) => JSON.stringify(v)).sort();
    const right = [...(b as unknown[])].map((v) => JSON.stringify(v)).sort();
    return left.length === right.length && left.every((v, i) => v === right[i]);
  }
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The metadata the server registered differently from what was asked. RFC 7591 §3.2.1: the server
 * may replace or drop values, and the client must use what came back, not what it sent.
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-3.2.1
 */
export function compareRegisteredMetadata(
  requested: ClientMetadata,
  registered: ClientInformation,
): { readonly field: string; readonly requested: unknown; readonly registered: unknown }[] {
  const sent = compactMetadata(requested);
  return Object.entries(sent)
    .filter(([field, value]) => !sameValue(value, registered[field]))
    .map(([field, value]) => ({ field, requested: value, registered: registered[field] }));
}

function isAbsoluteUrl(value: string): boolean {
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}

/**
 * What a careful client would say before sending: metadata the server will refuse or that contradicts
 * itself (grant and response types, a redirect grant without a redirect URI, a key-based
 * authentication method without keys). The request is still built: the user may want the error.
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-2
 */
export function validateClientMetadata(metadata: ClientMetadata): RequestWarning[] {
  const warnings: RequestWarning[] = [];
  const grants = metadata.grant_types ?? ['authorization_code'];
  const responses = metadata.response_types ?? ['code'];
  const redirects = metadata.redirect_uris ?? [];
  for (const uri of redirects) {
    // RFC 7591 §2: redirect URIs are absolute URIs; RFC 6749 §3.1.2 forbids a fragment.
    if (!isAbsoluteUrl(uri))
      warnings.push({ parameter: 'redirect_uris', message: `“${uri}” is not an absolute URI.` });
    else if (new URL(uri).hash !== '' || uri.includes('#'))
      warnings.push({
        parameter: 'redirect_uris',
        message: `“${uri}” has a fragment, which RFC 6749 §3.1.2 forbids.`,
      });
  }
  if (redirects.length === 0 && grants.some((g) => REDIRECT_GRANTS.has(g))) {
    warnings.push({
      parameter: 'redirect_uris',
      message:
        'A grant that redirects the browser (authorization_code, implicit) needs at least one redirect URI.',
    });
  }
  // RFC 7591 §2.1: the server may refuse grant_types and response_types that do not match.
  for (const [grant, response] of Object.entries(GRANT_RESPONSE_TYPES)) {
    if (grants.includes(grant) && !responses.includes(response))
      warnings.push({
        parameter: 'response_types',
        message: `grant_types has ${grant}, which needs response_type ${response} (RFC 7591 §2.1).`,
      });
    if (responses.includes(response) && !grants.includes(grant))
      warnings.push({
        parameter: 'grant_types',
        message: `response_types has ${response}, which needs grant_type ${grant} (RFC 7591 §2.1).`,
      });
  }
  const method = metadata.token_endpoint_auth_method ?? 'client_secret_basic';
  if (method === 'private_key_jwt' && metadata.jwks === undefined && metadata.jwks_uri === undefined) {
    warnings.push({
      parameter: 'jwks',
      message:
        'private_key_jwt needs the client’s public keys (jwks or jwks_uri) so the server can check its assertions.',
    });
  }
  if (method === 'none' && grants.includes('client_credentials')) {
    warnings.push({
      parameter: 'grant_types',
      message:
        'client_credentials needs a client that authenticates; with token_endpoint_auth_method none the server will refuse it (RFC 6749 §4.4).',
    });
  }
  return warnings;
}

/**
 * Splits a field typed as space- or line-separated values into a list (redirect URIs, grant types).
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-2
 */
export function splitList(text: string): string[] {
  return text.split(/[\s,]+/).filter((item) => item !== '');
}
