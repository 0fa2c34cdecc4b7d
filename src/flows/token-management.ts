/**
 * What a client can do with tokens it already holds: ask the UserInfo endpoint who the user is, ask
 * the introspection endpoint whether a token is active, revoke a token, see that revocation took
 * (introspection says inactive, a refresh fails), and end the user's session at the provider.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#UserInfo
 * @see https://www.rfc-editor.org/rfc/rfc7662
 * @see https://www.rfc-editor.org/rfc/rfc7009
 * @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html
 */
import { buildClientAuthentication, type ClientAuthMethod, type ClientKey } from '../protocol/client-auth.ts';
import { InvalidInputError, ProtocolViolationError } from '../protocol/errors.ts';
import type { HttpExchange, RecordedRequest } from '../protocol/http.ts';
import {
  buildIntrospectionRequest,
  parseIntrospectionResponse,
  type IntrospectionReading,
  type TokenTypeHint,
} from '../protocol/introspection.ts';
import { decodeJwt } from '../protocol/jwt.ts';
import { buildEndSessionUrl, validateLogoutReturn, type LogoutRequestInput } from '../protocol/logout.ts';
import { generateRandomState } from '../protocol/pkce.ts';
import {
  buildRevocationRequest,
  parseRevocationResponse,
  type RevocationOutcome,
} from '../protocol/revocation.ts';
import { buildTokenRequest, type ClientAuthentication, type TokenResponse } from '../protocol/token.ts';
import type { Route } from '../protocol/transport.ts';
import { sendRequest } from './send-request.ts';
import {
  buildUserinfoRequest,
  isDpopBound,
  parseUserinfoResponse,
  type UserinfoReading,
} from '../protocol/userinfo.ts';
import type { CallbackInput } from '../protocol/callback.ts';
import { catalogueEntry } from './registry.ts';
import { toStepFailure, type FlowDeps } from './runner.ts';
import { browserRoute, readTokenExchange, relayRoute, sendTokenRequest } from './token-request.ts';
import type { FlowDefinition, ParameterDefinition, RedirectOutcome } from './types.ts';

/** The flow as data: steps and sequence diagram. */
export const tokenManagementFlow = {
  ...catalogueEntry('token-management'),
  steps: [
    {
      id: 'tokens',
      title: 'Choose the tokens and the client',
      spec: 'RFC 6749 §1.4',
      why: 'Every step below starts from tokens an earlier run obtained (or pasted ones), and from the client they were issued to: introspection and revocation authenticate that client.',
    },
    {
      id: 'userinfo',
      title: 'Ask UserInfo who the user is',
      spec: 'OIDC Core §5.3',
      why: 'The UserInfo endpoint is a protected resource of the OpenID provider: send the access token, get claims about the user who signed in. Its sub must be the ID token’s.',
      inputs: ['accessToken', 'userinfoEndpoint', 'idToken'],
    },
    {
      id: 'introspect',
      title: 'Introspect the token',
      spec: 'RFC 7662 §2',
      why: 'Ask the authorization server itself whether a token is active, and what it stands for: the way to check an opaque token, and the only way to learn a JWT was revoked.',
      inputs: [
        'accessToken',
        'refreshToken',
        'introspectKind',
        'introspectionEndpoint',
        'clientId',
        'authMethod',
      ],
    },
    {
      id: 'revoke',
      title: 'Revoke it',
      spec: 'RFC 7009 §2',
      why: 'A client that no longer needs a token (the user signed out, the app was uninstalled) tells the server to invalidate it, so a leaked copy stops working.',
      inputs: ['accessToken', 'refreshToken', 'revokeKind', 'revocationEndpoint', 'clientId', 'authMethod'],
    },
    {
      id: 'reintrospect',
      title: 'Introspect again: inactive',
      spec: 'RFC 7662 §2.2',
      why: 'The revoked token, introspected again, is now “active: false” — and the answer says nothing more about it.',
      inputs: ['revoked'],
    },
    {
      id: 'refresh',
      title: 'Try the revoked refresh token',
      spec: 'RFC 6749 §5.2',
      why: 'Redeem the refresh token at the token endpoint: once it (or its grant) is revoked, the answer is invalid_grant, and the user must sign in again.',
      inputs: ['refreshToken', 'tokenEndpoint', 'clientId', 'authMethod', 'revoked'],
    },
    {
      id: 'logout',
      title: 'Sign out (RP-initiated logout)',
      spec: 'OIDC RP-Initiated Logout §2',
      why: 'Revoking tokens does not end the user’s session at the provider: the browser still signs in silently. Send the browser to end_session_endpoint to end it, and come back here.',
      inputs: ['idToken', 'endSessionEndpoint', 'postLogoutRedirectUri', 'clientId'],
    },
  ],
  diagram: {
    actors: [
      { id: 'browser', label: 'Browser' },
      { id: 'client', label: 'Client' },
      { id: 'as', label: 'Authorization server' },
    ],
    messages: [
      { from: 'as', to: 'client', text: 'Tokens from an earlier run', step: 'tokens', reply: true },
      {
        from: 'client',
        to: 'as',
        text: 'GET /userinfo Authorization: Bearer access token',
        step: 'userinfo',
        http: true,
      },
      {
        from: 'as',
        to: 'client',
        text: '200 { sub, name, email… }',
        step: 'userinfo',
        reply: true,
        http: true,
      },
      {
        from: 'client',
        to: 'as',
        text: 'POST /introspect token + client authentication',
        step: 'introspect',
        http: true,
      },
      {
        from: 'as',
        to: 'client',
        text: '{ active: true, scope, sub, exp… }',
        step: 'introspect',
        reply: true,
        http: true,
      },
      { from: 'client', to: 'as', text: 'POST /revoke token + token_type_hint', step: 'revoke', http: true },
      {
        from: 'as',
        to: 'client',
        text: '200 (also for an unknown token)',
        step: 'revoke',
        reply: true,
        http: true,
      },
      {
        from: 'client',
        to: 'as',
        text: 'POST /introspect the revoked token',
        step: 'reintrospect',
        http: true,
      },
      {
        from: 'as',
        to: 'client',
        text: '{ active: false }',
        step: 'reintrospect',
        reply: true,
        http: true,
      },
      {
        from: 'client',
        to: 'as',
        text: 'POST /token grant_type=refresh_token',
        step: 'refresh',
        http: true,
      },
      {
        from: 'as',
        to: 'client',
        text: '400 invalid_grant',
        step: 'refresh',
        reply: true,
        http: true,
        failed: true,
      },
      { from: 'client', to: 'browser', text: 'Redirect to end_session_endpoint', step: 'logout' },
      {
        from: 'browser',
        to: 'as',
        text: 'GET end_session id_token_hint, post_logout_redirect_uri, state',
        step: 'logout',
      },
      { from: 'as', to: 'as', text: 'End the session (ask the user to confirm)', step: 'logout' },
      {
        from: 'as',
        to: 'browser',
        text: 'Redirect to post_logout_redirect_uri?state',
        step: 'logout',
        reply: true,
      },
      { from: 'browser', to: 'client', text: 'Back, state checked', step: 'logout', reply: true },
    ],
  },
} as const satisfies FlowDefinition;

/** The request parameters the page explains. */
export const TOKEN_MANAGEMENT_PARAMETERS: readonly ParameterDefinition[] = [
  {
    name: 'token',
    required: true,
    spec: 'RFC 7662 §2.1 · RFC 7009 §2.1',
    explanation: 'The token to introspect or revoke, exactly as issued (an access or a refresh token).',
  },
  {
    name: 'token_type_hint',
    spec: 'RFC 7662 §2.1 · RFC 7009 §2.1',
    options: ['access_token', 'refresh_token'],
    explanation:
      'Optional: which kind of token it is, so the server looks there first. A wrong hint is not an error; the server searches the other kinds too.',
  },
  {
    name: 'id_token_hint',
    spec: 'OIDC RP-Initiated Logout §2',
    explanation:
      'The ID token the provider issued at sign-in: tells it which session and client this is. RECOMMENDED; it travels in the URL (an ID token is not a credential, but it does name the user).',
  },
  {
    name: 'post_logout_redirect_uri',
    spec: 'OIDC RP-Initiated Logout §2',
    explanation:
      'Where the provider sends the browser back after logout. It must be registered for the client, exactly (the sandbox ignores the loopback port).',
  },
  {
    name: 'state',
    spec: 'OIDC RP-Initiated Logout §2',
    explanation:
      'A random value that comes back unchanged on the return: it ties the return to this request.',
  },
  {
    name: 'client_id',
    spec: 'OIDC RP-Initiated Logout §2',
    explanation:
      'The client asking for the logout. With an ID token hint the provider checks they match; without one it is how the provider checks the return address.',
  },
];

/** The revoked token, remembered so the next steps can show it is dead. */
export interface RevokedToken {
  readonly kind: TokenTypeHint;
  readonly token: string;
}

/** Everything one run knows. Tokens and secrets live in memory only (unless the user keeps tokens). */
export interface TokenManagementContext {
  readonly sandboxOrigin: string;
  readonly accessToken: string;
  /** The token_type of the response the access token came in (Bearer, DPoP). */
  readonly accessTokenType?: string | undefined;
  readonly refreshToken: string;
  readonly idToken: string;
  /** Where the tokens came from, for display. */
  readonly tokenSource?: string | undefined;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly authMethod: ClientAuthMethod;
  /** The private_key_jwt key made in this browser (memory only). */
  readonly clientKey?: ClientKey | undefined;
  readonly tokenEndpoint: string;
  readonly userinfoEndpoint: string;
  readonly introspectionEndpoint: string;
  readonly revocationEndpoint: string;
  readonly endSessionEndpoint: string;
  readonly postLogoutRedirectUri: string;
  readonly introspectKind: TokenTypeHint;
  readonly revokeKind: TokenTypeHint;
  readonly userinfoExchange?: HttpExchange | undefined;
  readonly userinfo?: UserinfoReading | undefined;
  readonly introspectExchange?: HttpExchange | undefined;
  readonly introspection?: IntrospectionReading | undefined;
  readonly revokeExchange?: HttpExchange | undefined;
  readonly revocation?: RevocationOutcome | undefined;
  readonly revoked?: RevokedToken | undefined;
  readonly reintrospectExchange?: HttpExchange | undefined;
  readonly reintrospection?: IntrospectionReading | undefined;
  readonly refreshExchange?: HttpExchange | undefined;
  /** A refresh that worked despite the revocation (tokens the server issued anyway). */
  readonly refreshTokens?: TokenResponse | undefined;
  /** The state the logout request carried; checked on the return. */
  readonly logoutState?: string | undefined;
  /** The browser came back from the provider's logout with the state it was sent with. */
  readonly loggedOut?: boolean | undefined;
}

/** The endpoints a run starts with (from the provider's metadata; empty when it lists none). */
export interface TokenManagementEndpoints {
  readonly token: string;
  readonly userinfo: string;
  readonly introspection: string;
  readonly revocation: string;
  readonly endSession: string;
}

/**
 * A new run: no tokens yet, the provider's endpoints, the app's own callback as the logout return.
 * @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html#RPLogout
 */
export function createTokenManagementContext(input: {
  sandboxOrigin: string;
  appOrigin: string;
  endpoints: TokenManagementEndpoints;
  clientId: string;
  clientSecret?: string;
  authMethod: ClientAuthMethod;
}): TokenManagementContext {
  return {
    sandboxOrigin: input.sandboxOrigin,
    accessToken: '',
    refreshToken: '',
    idToken: '',
    clientId: input.clientId,
    clientSecret: input.clientSecret ?? '',
    authMethod: input.authMethod,
    tokenEndpoint: input.endpoints.token,
    userinfoEndpoint: input.endpoints.userinfo,
    introspectionEndpoint: input.endpoints.introspection,
    revocationEndpoint: input.endpoints.revocation,
    endSessionEndpoint: input.endpoints.endSession,
    postLogoutRedirectUri: `${input.appOrigin.replace(/\/+$/, '')}/callback`,
    introspectKind: 'access_token',
    revokeKind: 'refresh_token',
  };
}

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

/**
 * Browser or relay for introspection, revocation and the refresh: the local sandbox answers the
 * browser (CORS); most providers do not, since these are calls a back end makes.
 */
export function decideManagementRoute(
  endpoint: string,
  ctx: Pick<TokenManagementContext, 'sandboxOrigin'>,
  deps: Pick<FlowDeps, 'relayAvailable' | 'relayToken'>,
): Route {
  if (originOf(endpoint) !== undefined && originOf(endpoint) === originOf(ctx.sandboxOrigin)) {
    return browserRoute('The local sandbox answers these calls from the browser (CORS).');
  }
  return relayRoute(
    'Introspection, revocation and refresh are calls a back end makes; most providers do not answer them from a browser (no CORS).',
    deps,
  );
}

/** The UserInfo endpoint is made to be called from the browser: OpenID providers answer it with CORS. */
export function decideUserinfoRoute(): Route {
  return browserRoute(
    'OpenID providers answer UserInfo from the browser (CORS), as a single-page app calls it.',
  );
}

/** The token a step sends, by kind. */
export function tokenOfKind(ctx: TokenManagementContext, kind: TokenTypeHint): string {
  return (kind === 'access_token' ? ctx.accessToken : ctx.refreshToken).trim();
}

function requireEndpoint(url: string, field: string, what: string): string {
  const trimmed = url.trim();
  if (trimmed === '')
    throw new InvalidInputError(
      field,
      `There is no ${what} to call: the provider’s metadata lists no ${field}.`,
    );
  let parsed: URL | undefined;
  try {
    parsed = new URL(trimmed);
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:'))
    throw new InvalidInputError(
      field,
      `The ${what} is not an absolute http(s) URL: take ${field} from the provider’s discovery document.`,
    );
  return trimmed;
}

function requireToken(token: string, kind: TokenTypeHint): string {
  if (token === '')
    throw new InvalidInputError(
      kind,
      `There is no ${kind === 'access_token' ? 'access' : 'refresh'} token: pick a run that has one, or paste one.`,
    );
  return token;
}

/** The client authentication a preview shows: JWT assertions are signed only when the request is sent. */
export function previewAuthentication(ctx: TokenManagementContext): ClientAuthentication {
  switch (ctx.authMethod) {
    case 'none':
      return { method: 'none' };
    case 'client_secret_basic':
    case 'client_secret_post':
      return { method: ctx.authMethod, clientSecret: ctx.clientSecret };
    default:
      return { method: ctx.authMethod, clientAssertion: '' };
  }
}

/**
 * The client authentication for a request to `endpoint`, signing a fresh assertion for the JWT methods.
 * @see https://www.rfc-editor.org/rfc/rfc7523#section-3
 */
async function authenticate(
  ctx: TokenManagementContext,
  endpoint: string,
  deps: FlowDeps,
): Promise<ClientAuthentication> {
  // RFC 7523 §3: the aud identifies the authorization server; the endpoint's own URL does.
  return buildClientAuthentication(ctx.authMethod, {
    clientId: ctx.clientId.trim(),
    clientSecret: ctx.clientSecret,
    key: ctx.clientKey,
    audience: endpoint,
    nowMs: deps.now(),
  });
}

/** The `sub` of the run's ID token, when it has one that decodes. */
export function idTokenSubject(idToken: string): string | undefined {
  if (idToken.trim() === '') return undefined;
  try {
    const sub = decodeJwt(idToken).payload['sub'];
    return typeof sub === 'string' ? sub : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The UserInfo request as the page previews it.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#UserInfoRequest
 */
export function buildUserinfoPreview(ctx: TokenManagementContext): RecordedRequest {
  return buildUserinfoRequest(ctx.userinfoEndpoint, ctx.accessToken);
}

/**
 * Step "userinfo": GET the UserInfo endpoint with the access token and read the claims.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#UserInfo
 */
export async function askUserinfo(
  ctx: TokenManagementContext,
  deps: FlowDeps,
): Promise<Pick<TokenManagementContext, 'userinfoExchange' | 'userinfo'>> {
  const endpoint = requireEndpoint(ctx.userinfoEndpoint, 'userinfo_endpoint', 'UserInfo endpoint');
  requireToken(ctx.accessToken.trim(), 'access_token');
  const exchange = await sendRequest(
    buildUserinfoRequest(endpoint, ctx.accessToken),
    decideUserinfoRoute(),
    deps.fetch,
    deps.now,
  );
  const response = exchange.response;
  if (response === undefined)
    throw new ProtocolViolationError('INVALID_RESPONSE', 'The UserInfo endpoint did not answer.');
  return {
    userinfoExchange: exchange,
    userinfo: parseUserinfoResponse(response, idTokenSubject(ctx.idToken)),
  };
}

/** Whether the access token is DPoP-bound, so a Bearer call to UserInfo will be refused. */
export function accessTokenIsDpopBound(ctx: TokenManagementContext): boolean {
  return ctx.accessToken.trim() !== '' && isDpopBound(ctx.accessToken, ctx.accessTokenType);
}

/**
 * The introspection request of a step, as previewed (JWT assertions unsigned until sent).
 * @see https://www.rfc-editor.org/rfc/rfc7662#section-2.1
 */
export function buildIntrospectionPreview(
  ctx: TokenManagementContext,
  kind: TokenTypeHint,
  token: string = tokenOfKind(ctx, kind),
): RecordedRequest {
  return buildIntrospectionRequest(
    ctx.introspectionEndpoint,
    { token, tokenTypeHint: kind, clientId: ctx.clientId },
    previewAuthentication(ctx),
  );
}

async function introspect(
  ctx: TokenManagementContext,
  deps: FlowDeps,
  kind: TokenTypeHint,
  token: string,
): Promise<{ exchange: HttpExchange; reading: IntrospectionReading }> {
  const endpoint = requireEndpoint(
    ctx.introspectionEndpoint,
    'introspection_endpoint',
    'introspection endpoint',
  );
  const request = buildIntrospectionRequest(
    endpoint,
    { token: requireToken(token, kind), tokenTypeHint: kind, clientId: ctx.clientId },
    await authenticate(ctx, endpoint, deps),
  );
  const exchange = await sendTokenRequest(request, decideManagementRoute(endpoint, ctx, deps), deps);
  const response = exchange.response;
  if (response === undefined)
    throw new ProtocolViolationError('INVALID_RESPONSE', 'The introspection endpoint did not answer.');
  return { exchange, reading: parseIntrospectionResponse(response) };
}

/**
 * Step "introspect": asks whether the chosen token is active.
 * @see https://www.rfc-editor.org/rfc/rfc7662#section-2
 */
export async function introspectToken(
  ctx: TokenManagementContext,
  deps: FlowDeps,
): Promise<Pick<TokenManagementContext, 'introspectExchange' | 'introspection'>> {
  const { exchange, reading } = await introspect(
    ctx,
    deps,
    ctx.introspectKind,
    tokenOfKind(ctx, ctx.introspectKind),
  );
  return { introspectExchange: exchange, introspection: reading };
}

/**
 * The revocation request, as previewed.
 * @see https://www.rfc-editor.org/rfc/rfc7009#section-2.1
 */
export function buildRevocationPreview(ctx: TokenManagementContext): RecordedRequest {
  return buildRevocationRequest(
    ctx.revocationEndpoint,
    { token: tokenOfKind(ctx, ctx.revokeKind), tokenTypeHint: ctx.revokeKind, clientId: ctx.clientId },
    previewAuthentication(ctx),
  );
}

/**
 * Step "revoke": revokes the chosen token and remembers it for the next steps.
 * @see https://www.rfc-editor.org/rfc/rfc7009#section-2
 */
export async function revokeToken(
  ctx: TokenManagementContext,
  deps: FlowDeps,
): Promise<Pick<TokenManagementContext, 'revokeExchange' | 'revocation' | 'revoked'>> {
  const endpoint = requireEndpoint(ctx.revocationEndpoint, 'revocation_endpoint', 'revocation endpoint');
  const kind = ctx.revokeKind;
  const token = requireToken(tokenOfKind(ctx, kind), kind);
  const request = buildRevocationRequest(
    endpoint,
    { token, tokenTypeHint: kind, clientId: ctx.clientId },
    await authenticate(ctx, endpoint, deps),
  );
  const exchange = await sendTokenRequest(request, decideManagementRoute(endpoint, ctx, deps), deps);
  const response = exchange.response;
  if (response === undefined)
    throw new ProtocolViolationError('INVALID_RESPONSE', 'The revocation endpoint did not answer.');
  const revocation = parseRevocationResponse(response);
  return { revokeExchange: exchange, revocation, revoked: { kind, token } };
}

/**
 * Step "reintrospect": introspects the revoked token; a careful server answers `active: false`.
 * @see https://www.rfc-editor.org/rfc/rfc7662#section-2.2
 */
export async function reintrospectRevoked(
  ctx: TokenManagementContext,
  deps: FlowDeps,
): Promise<Pick<TokenManagementContext, 'reintrospectExchange' | 'reintrospection'>> {
  if (ctx.revoked === undefined)
    throw new ProtocolViolationError(
      'MISSING_PARAMETER',
      'Revoke a token first; then this step introspects the same token again.',
    );
  const { exchange, reading } = await introspect(ctx, deps, ctx.revoked.kind, ctx.revoked.token);
  return { reintrospectExchange: exchange, reintrospection: reading };
}

/**
 * The refresh request of step "refresh": the run's refresh token at the token endpoint.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-6
 */
export function buildRefreshPreview(
  ctx: TokenManagementContext,
  authentication: ClientAuthentication = previewAuthentication(ctx),
): RecordedRequest {
  return buildTokenRequest(
    ctx.tokenEndpoint.trim(),
    [
      ['grant_type', 'refresh_token'],
      ['client_id', ctx.clientId.trim()],
      ['refresh_token', ctx.refreshToken.trim()],
    ],
    authentication,
  );
}

/**
 * Step "refresh": redeems the refresh token. After its revocation (or its grant's) the server answers
 * invalid_grant, which the runner records as the step's failure.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 */
export async function tryRefresh(
  ctx: TokenManagementContext,
  deps: FlowDeps,
): Promise<Pick<TokenManagementContext, 'refreshExchange'>> {
  const endpoint = requireEndpoint(ctx.tokenEndpoint, 'token_endpoint', 'token endpoint');
  requireToken(ctx.refreshToken.trim(), 'refresh_token');
  const request = buildRefreshPreview(ctx, await authenticate(ctx, endpoint, deps));
  return {
    refreshExchange: await sendTokenRequest(request, decideManagementRoute(endpoint, ctx, deps), deps),
  };
}

/**
 * Step "refresh", second half: a token response means the refresh token was still alive.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.1
 */
export function readRefreshAttempt(
  ctx: TokenManagementContext,
): Pick<TokenManagementContext, 'refreshTokens'> {
  return { refreshTokens: readTokenExchange(ctx.refreshExchange) };
}

/** The logout request's inputs from the run. */
export function logoutInput(ctx: TokenManagementContext, state: string): LogoutRequestInput {
  return {
    idTokenHint: ctx.idToken,
    clientId: ctx.clientId,
    postLogoutRedirectUri: ctx.postLogoutRedirectUri,
    state,
  };
}

/**
 * Step "logout", before leaving: a fresh state and the end_session URL the browser is sent to.
 * @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html#RPLogout
 */
export function prepareLogout(ctx: TokenManagementContext): {
  readonly patch: Pick<TokenManagementContext, 'logoutState' | 'loggedOut'>;
  readonly url: URL;
} {
  const endpoint = requireEndpoint(ctx.endSessionEndpoint, 'end_session_endpoint', 'end_session endpoint');
  const state = generateRandomState();
  return {
    patch: { logoutState: state, loggedOut: false },
    url: buildEndSessionUrl(endpoint, logoutInput(ctx, state)),
  };
}

/**
 * The return from the provider's logout, for the callback page: checks the state against the one the
 * run sent and marks the step done, or failed with STATE_MISMATCH.
 * @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html#RedirectionAfterLogout
 */
export async function readLogoutReturn(
  pending: unknown,
  callback: CallbackInput,
): Promise<RedirectOutcome<TokenManagementContext>> {
  const ctx = pending as TokenManagementContext;
  const href =
    typeof callback === 'object' && 'formPost' in callback
      ? `http://localhost/callback?${callback.formPost}`
      : String(callback);
  try {
    validateLogoutReturn(href, ctx.logoutState ?? '');
    return { ctx: { ...ctx, loggedOut: true }, current: 'logout', status: { logout: 'done' } };
  } catch (error) {
    return {
      ctx: { ...ctx, loggedOut: false },
      current: 'logout',
      status: {},
      failure: { stepId: 'logout', failure: toStepFailure(error) },
    };
  }
}
