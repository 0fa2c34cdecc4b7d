/**
 * Token introspection: a protected resource (or the client) asks the authorization server whether a
 * token is active and what it stands for. The request is a client-authenticated form POST; the answer
 * is JSON whose only required member is `active`.
 * @see https://www.rfc-editor.org/rfc/rfc7662
 */
import type { QueryParameter } from './authorize.ts';
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
 * Which kind of token is sent, as a hint to speed up the server's lookup; it may search other kinds.
 * @see https://www.rfc-editor.org/rfc/rfc7009#section-2.1
 * @see https://www.rfc-editor.org/rfc/rfc7662#section-2.1
 */
export type TokenTypeHint = 'access_token' | 'refresh_token';

/**
 * A form POST to an endpoint the client authenticates at (introspection, revocation): the parameters
 * plus the client's authentication. With Basic the client id travels only in the header.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1
 */
export function buildClientAuthenticatedPost(
  endpoint: string,
  clientId: string,
  parameters: readonly QueryParameter[],
  authentication: ClientAuthentication,
): RecordedRequest {
  const request = buildTokenRequest(
    endpoint.trim(),
    [...parameters, ['client_id', clientId.trim()]],
    authentication,
  );
  // The token itself is the secret here; the form field is called `token`, not `access_token`.
  const secretFields = [...new Set(['token', ...request.secretFields])];
  if (authentication.method !== 'client_secret_basic') return { ...request, secretFields };
  // RFC 6749 §2.3.1: with Basic the header carries the client id; a copy in the body says nothing more.
  const body = new URLSearchParams(request.body);
  body.delete('client_id');
  return { ...request, body: body.toString(), secretFields };
}

/** What the introspection request carries besides client authentication. */
export interface IntrospectionInput {
  readonly token: string;
  readonly tokenTypeHint?: TokenTypeHint | '';
  readonly clientId: string;
}

/**
 * The introspection request: `token` and optionally `token_type_hint`, with client authentication.
 * @see https://www.rfc-editor.org/rfc/rfc7662#section-2.1
 */
export function buildIntrospectionRequest(
  endpoint: string,
  input: IntrospectionInput,
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

/**
 * An introspection answer. Wire names as RFC 7662 §2.2 spells them; open-ended for extensions.
 * @see https://www.rfc-editor.org/rfc/rfc7662#section-2.2
 */
export interface IntrospectionResponse {
  readonly active: boolean;
  readonly scope?: string;
  readonly client_id?: string;
  readonly username?: string;
  readonly token_type?: string;
  readonly exp?: number;
  readonly iat?: number;
  readonly nbf?: number;
  readonly sub?: string;
  readonly aud?: string | readonly string[];
  readonly iss?: string;
  readonly jti?: string;
  readonly [member: string]: unknown;
}

/** What reading an introspection answer found: the answer, and what a careful client notices. */
export interface IntrospectionReading {
  readonly response: IntrospectionResponse;
  /** Members an inactive answer should not have carried (RFC 7662 §2.2); empty when it was discreet. */
  readonly leakedMembers: readonly string[];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const NUMERIC_MEMBERS = ['exp', 'iat', 'nbf'] as const;
const STRING_MEMBERS = ['scope', 'client_id', 'username', 'token_type', 'sub', 'iss', 'jti'] as const;

/**
 * Reads an introspection answer: an error body (bad client authentication is a 401 `invalid_client`)
 * becomes a `TokenEndpointError`; a success must be a JSON object with a boolean `active`. An inactive
 * answer is reduced to `{ active: false }`: nothing else in it may be trusted.
 * @see https://www.rfc-editor.org/rfc/rfc7662#section-2.2
 * @see https://www.rfc-editor.org/rfc/rfc7662#section-2.3
 */
export function parseIntrospectionResponse(response: ReadableResponse): IntrospectionReading {
  const reading = readErrorBody(response);
  if (reading.fields !== undefined) {
    throw new TokenEndpointError(response.status, reading.fields, keptBody(response.body), reading.format);
  }
  const json = reading.json;
  if (response.status !== 200 || !isObject(json)) {
    throw new ProtocolViolationError(
      'INVALID_RESPONSE',
      `The introspection endpoint answered HTTP ${response.status} without a JSON object${isObject(json) ? '' : ' (RFC 7662 §2.2 requires one)'}.`,
      { cause: keptBody(response.body), format: reading.format },
    );
  }
  // RFC 7662 §2.2: "active" is REQUIRED, a boolean.
  if (typeof json['active'] !== 'boolean') {
    throw new ProtocolViolationError(
      'INVALID_RESPONSE',
      json['active'] === undefined
        ? 'The introspection answer has no “active” member (RFC 7662 §2.2 requires it).'
        : `“active” should be true or false, not ${quoteForMessage(json['active'])}: a string "true" is not an answer a client may trust.`,
      { cause: keptBody(response.body) },
    );
  }
  if (!json['active']) {
    // RFC 7662 §2.2: for an inactive token the server SHOULD NOT say more; whatever it said is not used.
    return { response: { active: false }, leakedMembers: Object.keys(json).filter((k) => k !== 'active') };
  }
  for (const member of NUMERIC_MEMBERS) {
    if (json[member] !== undefined && typeof json[member] !== 'number') {
      throw new ProtocolViolationError(
        'INVALID_RESPONSE',
        `“${member}” should be a number of seconds since 1970 (RFC 7662 §2.2), not ${quoteForMessage(json[member])}.`,
      );
    }
  }
  for (const member of STRING_MEMBERS) {
    if (json[member] !== undefined && typeof json[member] !== 'string') {
      throw new ProtocolViolationError(
        'INVALID_RESPONSE',
        `“${member}” should be a string (RFC 7662 §2.2), not ${quoteForMessage(json[member])}.`,
      );
    }
  }
  return { response: json as IntrospectionResponse, leakedMembers: [] };
}

/** One member of an introspection answer, with what it means for this token. */
export interface IntrospectionMember {
  readonly name: string;
  readonly value: string;
  readonly meaning: string;
}

const MEMBER_MEANINGS: Readonly<Record<string, string>> = {
  active:
    'Whether the token may be used right now: issued by this server, not expired, not revoked. The only member every answer has.',
  scope: 'The scopes the token carries, space-separated.',
  client_id: 'The client the token was issued to.',
  username: 'A human-readable name of the resource owner who authorized the token.',
  token_type: 'The kind of token (Bearer, DPoP…), as in the token response.',
  exp: 'When the token expires.',
  iat: 'When the token was issued.',
  nbf: 'The token is not to be used before this time.',
  sub: 'The subject: usually the user the token acts for (for a client-credentials token, the client).',
  aud: 'The audience: the resource server(s) the token is meant for.',
  iss: 'The issuer: the authorization server that issued the token.',
  jti: 'The token’s unique identifier.',
  cnf: 'A confirmation key: the token is bound to a key (cnf.jkt for DPoP, RFC 9449 §6.2) and is useless without it.',
};

function formatValue(name: string, value: unknown, nowMs: number): string {
  if ((name === 'exp' || name === 'iat' || name === 'nbf') && typeof value === 'number') {
    const date = new Date(value * 1000);
    if (Number.isNaN(date.getTime())) return String(value);
    const seconds = Math.round(value - nowMs / 1000);
    const relative = seconds >= 0 ? `in ${seconds} s` : `${-seconds} s ago`;
    return `${value} (${date.toISOString()}, ${relative})`;
  }
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * Each member of an introspection answer with its meaning (RFC 7662 §2.2's list first, extensions
 * after, named as such). An inactive answer has only `active`.
 * @see https://www.rfc-editor.org/rfc/rfc7662#section-2.2
 */
export function explainIntrospection(response: IntrospectionResponse, nowMs: number): IntrospectionMember[] {
  const known = Object.keys(MEMBER_MEANINGS).filter((name) => response[name] !== undefined);
  const extra = Object.keys(response).filter((name) => !Object.hasOwn(MEMBER_MEANINGS, name));
  return [...known, ...extra].map((name) => ({
    name,
    value: formatValue(name, response[name], nowMs),
    meaning:
      MEMBER_MEANINGS[name] ??
      'An extension member: the server may add its own (RFC 7662 §2.2); its meaning is the server’s.',
  }));
}
