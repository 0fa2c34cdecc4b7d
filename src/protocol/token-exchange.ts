/**
 * OAuth 2.0 Token Exchange (RFC 8693): a client that holds one token (the subject token, and for
 * delegation an actor token) asks the token endpoint for another — for another audience, narrower,
 * or of another type.
 * @see https://www.rfc-editor.org/rfc/rfc8693
 */
import type { QueryParameter, RequestWarning } from './authorize.ts';
import { ProtocolViolationError } from './errors.ts';
import type { RecordedRequest } from './http.ts';
import { decodeJwt } from './jwt.ts';
import { quoteForMessage } from './quote.ts';
import {
  buildTokenRequest,
  parseTokenResponse,
  type ClientAuthentication,
  type ReadableResponse,
  type TokenResponse,
} from './token.ts';

/**
 * The grant type of a token exchange request.
 * @see https://www.rfc-editor.org/rfc/rfc8693#section-2.1
 */
export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';

/**
 * The token type identifiers RFC 8693 registers, by short name.
 * @see https://www.rfc-editor.org/rfc/rfc8693#section-3
 */
export const TOKEN_TYPES = {
  access_token: 'urn:ietf:params:oauth:token-type:access_token',
  refresh_token: 'urn:ietf:params:oauth:token-type:refresh_token',
  id_token: 'urn:ietf:params:oauth:token-type:id_token',
  saml1: 'urn:ietf:params:oauth:token-type:saml1',
  saml2: 'urn:ietf:params:oauth:token-type:saml2',
  jwt: 'urn:ietf:params:oauth:token-type:jwt',
} as const;

/**
 * One of the registered token type short names.
 * @see https://www.rfc-editor.org/rfc/rfc8693#section-3
 */
export type TokenTypeName = keyof typeof TOKEN_TYPES;

/**
 * A token type as the page lists it: its URI and what it means, in our words.
 * @see https://www.rfc-editor.org/rfc/rfc8693#section-3
 */
export interface TokenTypeInfo {
  readonly name: TokenTypeName;
  readonly uri: string;
  readonly label: string;
  readonly explanation: string;
}

/**
 * The registered token types, in the order RFC 8693 §3 lists them.
 * @see https://www.rfc-editor.org/rfc/rfc8693#section-3
 */
export const TOKEN_TYPE_LIST: readonly TokenTypeInfo[] = [
  {
    name: 'access_token',
    uri: TOKEN_TYPES.access_token,
    label: 'Access token',
    explanation: 'An OAuth access token from this authorization server, whatever its format (JWT or opaque).',
  },
  {
    name: 'refresh_token',
    uri: TOKEN_TYPES.refresh_token,
    label: 'Refresh token',
    explanation: 'An OAuth refresh token from this authorization server.',
  },
  {
    name: 'id_token',
    uri: TOKEN_TYPES.id_token,
    label: 'ID token',
    explanation: 'An OpenID Connect ID token: a signed statement about a sign-in.',
  },
  {
    name: 'saml1',
    uri: TOKEN_TYPES.saml1,
    label: 'SAML 1.1 assertion',
    explanation: 'A SAML 1.1 assertion, base64url-encoded.',
  },
  {
    name: 'saml2',
    uri: TOKEN_TYPES.saml2,
    label: 'SAML 2.0 assertion',
    explanation: 'A SAML 2.0 assertion, base64url-encoded.',
  },
  {
    name: 'jwt',
    uri: TOKEN_TYPES.jwt,
    label: 'JWT',
    explanation:
      'Any JWT. RFC 8693 §3 asks for the more specific type (access token, ID token) when one applies.',
  },
];

/**
 * What a token type URI stands for, or undefined for a type RFC 8693 does not register.
 * @see https://www.rfc-editor.org/rfc/rfc8693#section-3
 */
export function describeTokenType(uri: string): TokenTypeInfo | undefined {
  return TOKEN_TYPE_LIST.find((type) => type.uri === uri.trim());
}

/**
 * The parameters of one exchange, as the client chooses them. Lists may be empty; empty strings are
 * left out of the request.
 * @see https://www.rfc-editor.org/rfc/rfc8693#section-2.1
 */
export interface TokenExchangeInput {
  readonly clientId?: string;
  readonly subjectToken: string;
  readonly subjectTokenType: string;
  readonly actorToken?: string;
  readonly actorTokenType?: string;
  readonly requestedTokenType?: string;
  readonly audience?: readonly string[];
  readonly resource?: readonly string[];
  readonly scope?: string;
}

/**
 * A list typed in one text field (audience, resource): one value per line or space-separated.
 * @see https://www.rfc-editor.org/rfc/rfc8693#section-2.1
 */
export function splitTargets(text: string): string[] {
  return text.split(/\s+/).filter((value) => value !== '');
}

/**
 * The form parameters of a token exchange request, in RFC 8693 §2.1 order; `audience` and `resource`
 * repeat once per value.
 * @see https://www.rfc-editor.org/rfc/rfc8693#section-2.1
 */
export function tokenExchangeParameters(input: TokenExchangeInput): QueryParameter[] {
  const actorToken = input.actorToken?.trim() ?? '';
  const parameters: QueryParameter[] = [['grant_type', TOKEN_EXCHANGE_GRANT]];
  if (input.clientId !== undefined) parameters.push(['client_id', input.clientId.trim()]);
  for (const resource of input.resource ?? []) parameters.push(['resource', resource.trim()]);
  for (const audience of input.audience ?? []) parameters.push(['audience', audience.trim()]);
  parameters.push(
    ['scope', input.scope?.trim() ?? ''],
    ['requested_token_type', input.requestedTokenType?.trim() ?? ''],
    ['subject_token', input.subjectToken.trim()],
    ['subject_token_type', input.subjectTokenType.trim()],
    ['actor_token', actorToken],
    // RFC 8693 §2.1: actor_token_type is REQUIRED with an actor_token and MUST NOT be sent without one.
    ['actor_token_type', actorToken === '' ? '' : (input.actorTokenType?.trim() ?? '')],
  );
  return parameters;
}

/**
 * The token exchange request, before it is sent: a token request whose subject and actor tokens are
 * secrets like any credential.
 * @see https://www.rfc-editor.org/rfc/rfc8693#section-2.1
 */
export function buildTokenExchangeRequest(
  endpoint: string,
  input: TokenExchangeInput,
  authentication: ClientAuthentication,
): RecordedRequest {
  const request = buildTokenRequest(endpoint, tokenExchangeParameters(input), authentication);
  const body = new URLSearchParams(request.body ?? '');
  // RFC 6749 §2.3.1: with Basic the client_id travels in the header; RFC 8693 §2.3 sends none in the body.
  if (authentication.method === 'client_secret_basic') body.delete('client_id');
  const extra = ['subject_token', 'actor_token'].filter((field) => body.has(field));
  return { ...request, body: body.toString(), secretFields: [...request.secretFields, ...extra] };
}

function isAbsoluteUriWithoutFragment(value: string): boolean {
  try {
    const url = new URL(value);
    return url.hash === '' && !value.includes('#');
  } catch {
    return false;
  }
}

/**
 * What a careful client would point out before sending; the request is still built and may be sent,
 * so the user can see what the server answers.
 * @see https://www.rfc-editor.org/rfc/rfc8693#section-2.1
 */
export function checkTokenExchangeInput(input: TokenExchangeInput): RequestWarning[] {
  const warnings: RequestWarning[] = [];
  if (input.subjectToken.trim() === '') {
    warnings.push({
      parameter: 'subject_token',
      message: 'No subject token yet: choose a token from an earlier run, or paste one.',
    });
  }
  const checkType = (parameter: string, uri: string) => {
    if (uri.trim() === '') {
      warnings.push({ parameter, message: `${parameter} is empty; RFC 8693 §2.1 requires it here.` });
    } else if (describeTokenType(uri) === undefined) {
      warnings.push({
        parameter,
        message: `${quoteForMessage(uri)} is not a token type RFC 8693 §3 registers; the server may not know it.`,
      });
    }
  };
  checkType('subject_token_type', input.subjectTokenType);
  const actorToken = input.actorToken?.trim() ?? '';
  if (actorToken !== '') checkType('actor_token_type', input.actorTokenType ?? '');
  const requested = input.requestedTokenType?.trim() ?? '';
  if (requested !== '' && describeTokenType(requested) === undefined) {
    warnings.push({
      parameter: 'requested_token_type',
      message: `${quoteForMessage(requested)} is not a token type RFC 8693 §3 registers.`,
    });
  }
  for (const resource of input.resource ?? []) {
    // RFC 8693 §2.1 (and RFC 8707 §2): a resource is an absolute URI without a fragment.
    if (!isAbsoluteUriWithoutFragment(resource)) {
      warnings.push({
        parameter: 'resource',
        message: `${quoteForMessage(resource)} is not an absolute URI without a fragment; use audience for a logical name.`,
      });
    }
  }
  return warnings;
}

/**
 * A successful token exchange response: a token response that also says what type of token was issued.
 * @see https://www.rfc-editor.org/rfc/rfc8693#section-2.2.1
 */
export interface TokenExchangeResponse extends TokenResponse {
  readonly issued_token_type: string;
}

/**
 * Reads a token exchange response. Errors keep the server's fields (RFC 8693 §2.2.2: `invalid_request`,
 * `invalid_target`, …); a success must carry `access_token`, `token_type` (`N_A` when the issued token
 * is not an access token) and `issued_token_type`.
 * @see https://www.rfc-editor.org/rfc/rfc8693#section-2.2.1
 */
export function parseTokenExchangeResponse(response: ReadableResponse): TokenExchangeResponse {
  const tokens = parseTokenResponse(response);
  const issued = tokens['issued_token_type'];
  if (typeof issued !== 'string' || issued.trim() === '') {
    throw new ProtocolViolationError(
      'INVALID_RESPONSE',
      issued === undefined
        ? 'The response has no “issued_token_type” (RFC 8693 §2.2.1 requires it): the client cannot tell what kind of token it got.'
        : `“issued_token_type” should be a token type URI, not ${quoteForMessage(issued)}.`,
    );
  }
  return { ...tokens, issued_token_type: issued };
}

/**
 * Whether the issued token is meant to be sent as an access token: RFC 8693 §2.2.1 says `token_type`
 * is `N_A` when it is not.
 * @see https://www.rfc-editor.org/rfc/rfc8693#section-2.2.1
 */
export function isUsableAsAccessToken(tokens: Pick<TokenExchangeResponse, 'token_type'>): boolean {
  return tokens.token_type.trim().toUpperCase() !== 'N_A';
}

/**
 * One party in an `act` chain: the current actor first, earlier ones after it.
 * @see https://www.rfc-editor.org/rfc/rfc8693#section-4.1
 */
export interface ActorLink {
  readonly sub?: string;
  readonly iss?: string;
  /** The link's other claims (client_id, email…), verbatim. */
  readonly claims: Readonly<Record<string, unknown>>;
}

/**
 * What a token says about delegation: who acts (`act`, newest actor first), who may act (`may_act`).
 * @see https://www.rfc-editor.org/rfc/rfc8693#section-4.1
 */
export interface DelegationReading {
  /** The token could not be decoded as a JWT (opaque, or not a token); the reason. */
  readonly unreadable?: string;
  readonly sub?: unknown;
  /** The `act` chain: [current actor, the one before, …]; empty when the token has no `act`. */
  readonly actors: readonly ActorLink[];
  /** The `may_act` claim, verbatim, when present. */
  readonly mayAct?: Readonly<Record<string, unknown>>;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function linkOf(claim: Record<string, unknown>): ActorLink {
  const { act: _nested, ...claims } = claim;
  return {
    ...(typeof claim['sub'] === 'string' ? { sub: claim['sub'] } : {}),
    ...(typeof claim['iss'] === 'string' ? { iss: claim['iss'] } : {}),
    claims,
  };
}

/** How deep an `act` chain is followed: enough for any real chain, bounded for a hostile token. */
const MAX_ACT_DEPTH = 16;

/**
 * Reads the `act` chain and `may_act` of a JWT. In a chain only the outermost actor is the current
 * one; the nested ones are history (RFC 8693 §4.1).
 * @see https://www.rfc-editor.org/rfc/rfc8693#section-4.1
 * @see https://www.rfc-editor.org/rfc/rfc8693#section-4.4
 */
export function readDelegation(token: string): DelegationReading {
  let payload: Record<string, unknown>;
  try {
    payload = decodeJwt(token).payload;
  } catch (error) {
    return {
      unreadable: error instanceof Error ? error.message : 'The token could not be decoded.',
      actors: [],
    };
  }
  const actors: ActorLink[] = [];
  let act = payload['act'];
  while (isObject(act) && actors.length < MAX_ACT_DEPTH) {
    actors.push(linkOf(act));
    act = act['act'];
  }
  const mayAct = payload['may_act'];
  return {
    ...(payload['sub'] === undefined ? {} : { sub: payload['sub'] }),
    actors,
    ...(isObject(mayAct) ? { mayAct } : {}),
  };
}
