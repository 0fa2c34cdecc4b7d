/**
 * On-behalf-of: a middle-tier API (API A) received a user's access token and trades it, with its own
 * credential, for a token to call a downstream API (API B) as that same user. Entra's profile of the
 * JWT bearer grant with `requested_token_use=on_behalf_of`.
 * @see https://www.rfc-editor.org/rfc/rfc7523#section-2.1
 * @see https://learn.microsoft.com/entra/identity-platform/v2-oauth2-on-behalf-of-flow
 */
import type { QueryParameter, RequestWarning } from '../protocol/authorize.ts';
import { LabError, ProtocolViolationError, type OAuthErrorFields } from '../protocol/errors.ts';
import type { HttpExchange, RecordedRequest } from '../protocol/http.ts';
import { decodeJwt } from '../protocol/jwt.ts';
import { buildTokenRequest, type TokenResponse } from '../protocol/token.ts';
import type { Route } from '../protocol/transport.ts';
import { sendRequest } from './send-request.ts';
import {
  buildAuthorizeStep,
  createAuthCodeContext,
  loadFlowPart,
  makePkcePair,
  readExchange,
  sendExchange,
  type AuthCodeContext,
} from './authorization-code.ts';
import type { RedirectOutcome } from './types.ts';
import { catalogueEntry } from './registry.ts';
import { toStepFailure, type FlowDeps } from './runner.ts';
import { readTokenExchange, relayRoute, sendTokenRequest } from './token-request.ts';
import type { FlowDefinition, ParameterDefinition } from './types.ts';

/** RFC 7523 §2.1: the grant type of a JWT used as an authorization grant. */
export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/** The token request parameters of hop 2, each explained. */
export const OBO_PARAMETERS: readonly ParameterDefinition[] = [
  {
    name: 'grant_type',
    required: true,
    spec: 'RFC 7523 §2.1',
    explanation: 'The JWT bearer grant: a JWT (here the user’s token) stands in for a code or password.',
  },
  {
    name: 'client_id',
    required: true,
    spec: 'RFC 6749 §2.2',
    explanation: 'API A, the middle tier. It must be the audience of the incoming token.',
  },
  {
    name: 'assertion',
    required: true,
    spec: 'RFC 7523 §2.1',
    explanation: 'The access token API A received from the client, passed on unchanged.',
  },
  {
    name: 'requested_token_use',
    required: true,
    spec: 'Entra extension',
    explanation: '“on_behalf_of” tells Entra to issue a token for the same user, not for the app.',
  },
  {
    name: 'scope',
    required: true,
    spec: 'RFC 6749 §3.3',
    explanation:
      'What API A needs from API B. {resource}/.default means every permission API A was granted there.',
  },
];

/** The flow as data: steps and sequence diagram (client → API A → authorization server → API B). */
export const onBehalfOfFlow = {
  ...catalogueEntry('on-behalf-of'),
  steps: [
    {
      id: 'user-token',
      title: 'Hop 1: the client gets a user token for API A',
      spec: 'RFC 6749 §4.1',
      why: 'Any user flow will do; here the SPA signs the user in with code + PKCE and asks for API A’s scope, so the token’s audience is API A.',
    },
    {
      id: 'check',
      title: 'API A validates the incoming token',
      spec: 'RFC 9068 §4',
      why: 'Before using a token, API A checks it was issued for API A (aud) and for a user (scp). Entra checks the same when it exchanges it.',
      inputs: ['assertion', 'clientId'],
    },
    {
      id: 'exchange',
      title: 'Hop 2: API A exchanges it for a token for API B',
      spec: 'RFC 7523 §2.1',
      why: 'API A must not forward the user’s token to API B. It asks Entra for a new token for API B, proving itself with its own secret and the user’s token.',
      inputs: ['assertion', 'clientId', 'clientSecret', 'scope', 'tokenEndpoint'],
    },
    {
      id: 'tokens',
      title: 'Compare the two tokens',
      spec: 'RFC 7519 §4.1',
      why: 'Same user (oid, tid), new audience (API B), new authorized party (API A).',
      inputs: ['assertion', 'tokens'],
    },
    {
      id: 'call',
      title: 'API A calls API B',
      spec: 'RFC 6750 §2.1',
      why: 'API A uses the new token for API B only, then answers the client.',
      inputs: ['tokens', 'apiUrl'],
    },
  ],
  diagram: {
    actors: [
      { id: 'client', label: 'Client' },
      { id: 'apiA', label: 'API A (middle tier)' },
      { id: 'as', label: 'Authorization server' },
      { id: 'apiB', label: 'API B (Graph)' },
    ],
    messages: [
      {
        from: 'client',
        to: 'as',
        text: 'Sign in, scope api://API-A/access_as_user',
        step: 'user-token',
        variant: 'sign-in',
        http: true,
      },
      {
        from: 'client',
        to: 'as',
        text: 'POST /token code + code_verifier',
        step: 'user-token',
        variant: 'sign-in',
        http: true,
      },
      {
        from: 'as',
        to: 'client',
        text: 'Token A (aud = API A)',
        step: 'user-token',
        reply: true,
        variant: 'sign-in',
        http: true,
      },
      {
        from: 'client',
        to: 'client',
        text: 'Token A from an earlier run, or pasted',
        step: 'user-token',
        variant: 'earlier-token',
      },
      { from: 'client', to: 'apiA', text: 'Request with Token A', step: 'check' },
      { from: 'apiA', to: 'apiA', text: 'Validate Token A: aud, scp', step: 'check' },
      {
        from: 'apiA',
        to: 'as',
        text: 'POST /token jwt-bearer, assertion = Token A, secret',
        step: 'exchange',
        http: true,
      },
      {
        from: 'as',
        to: 'apiA',
        text: 'Token B (aud = API B, same user)',
        step: 'exchange',
        reply: true,
        http: true,
      },
      { from: 'apiA', to: 'apiB', text: 'GET with Token B', step: 'call', http: true },
      { from: 'apiB', to: 'apiA', text: 'Data B', step: 'call', reply: true, http: true },
      { from: 'apiA', to: 'client', text: 'Data A and B', step: 'call', reply: true },
    ],
  },
} as const satisfies FlowDefinition;

/** Where the incoming token came from. */
export type AssertionSource = 'sign-in' | 'earlier-run' | 'pasted';

/** Everything one run knows. Secrets and tokens live in memory only. */
export interface OboContext {
  /** Hop 1, run as the SPA with PKCE. */
  readonly signIn: AuthCodeContext;
  /** The incoming user token (Token A). */
  readonly assertion: string;
  readonly assertionSource?: AssertionSource | undefined;
  readonly tokenEndpoint: string;
  /** API A's client id. */
  readonly clientId: string;
  /** API A's secret: memory only. */
  readonly clientSecret: string;
  readonly scope: string;
  readonly exchange?: HttpExchange | undefined;
  /** Token B. */
  readonly tokens?: TokenResponse | undefined;
  /** API B's URL for the closing call. */
  readonly apiUrl: string;
  readonly apiCall?: HttpExchange | undefined;
}

/**
 * The diagram variant of a run: hop 1 signed in here (`sign-in`, also the plan before anything is
 * chosen), or Token A came from an earlier run or was pasted (`earlier-token`).
 */
export function oboVariant(ctx: Pick<OboContext, 'assertionSource'>): 'sign-in' | 'earlier-token' {
  return ctx.assertionSource === 'earlier-run' || ctx.assertionSource === 'pasted'
    ? 'earlier-token'
    : 'sign-in';
}

/** The scope hop 1 asks for: API A's delegated permission. */
export function userTokenScope(apiClientId: string): string {
  return `openid profile api://${apiClientId}/access_as_user`;
}

/** Default downstream scope: everything API A may do in Graph. */
export const DEFAULT_OBO_SCOPE = 'https://graph.microsoft.com/.default';

/**
 * A new run's starting values.
 * @see https://www.rfc-editor.org/rfc/rfc7523#section-2.1
 */
export function createOboContext(input: {
  authorizationEndpoint: string;
  tokenEndpoint: string;
  issuer?: string;
  spaClientId: string;
  redirectUri: string;
  apiClientId: string;
  apiClientSecret: string;
  apiUrl: string;
}): OboContext {
  const signIn = createAuthCodeContext({
    authorizationEndpoint: input.authorizationEndpoint,
    tokenEndpoint: input.tokenEndpoint,
    ...(input.issuer === undefined ? {} : { issuer: input.issuer }),
    clientId: input.spaClientId,
    redirectUri: input.redirectUri,
    clientSecret: '',
    usePkce: true,
  });
  return {
    signIn: { ...signIn, params: { ...signIn.params, scope: userTokenScope(input.apiClientId) } },
    assertion: '',
    tokenEndpoint: input.tokenEndpoint,
    clientId: input.apiClientId,
    clientSecret: input.apiClientSecret,
    scope: DEFAULT_OBO_SCOPE,
    apiUrl: input.apiUrl,
  };
}

/**
 * Hop 1, before the redirect: a fresh PKCE pair and the authorization URL (the code flow's own steps).
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.2
 */
export async function prepareUserSignIn(ctx: OboContext): Promise<{ signIn: AuthCodeContext; url: URL }> {
  // A new verifier for every sign-in (RFC 7636 §4.1), never one left from an earlier attempt.
  // Hop 1 asks for a token for API A as it is now typed (its client id may have been edited).
  const target = { ...ctx.signIn, params: { ...ctx.signIn.params, scope: userTokenScope(ctx.clientId) } };
  const signIn = { ...target, ...(await makePkcePair({ ...target, codeVerifier: '' })) };
  return { signIn, url: buildAuthorizeStep(signIn).url };
}

/** Only what may wait in sessionStorage across the redirect: hop 1's request and verifier, no secret or token. */
export function redirectSafeOboContext(ctx: OboContext): OboContext {
  const { exchange: _e, tokens: _t, authorizationResponse: _r, ...signIn } = ctx.signIn;
  return {
    signIn: { ...signIn, clientSecret: '' },
    assertion: '',
    tokenEndpoint: ctx.tokenEndpoint,
    clientId: ctx.clientId,
    clientSecret: '',
    scope: ctx.scope,
    apiUrl: ctx.apiUrl,
  };
}

function isOboContext(value: unknown): value is OboContext {
  if (typeof value !== 'object' || value === null) return false;
  const ctx = value as Partial<OboContext>;
  return typeof ctx.signIn === 'object' && ctx.signIn !== null && typeof ctx.clientId === 'string';
}

/**
 * The callback of hop 1: checks the redirect against the saved run (state, issuer) and keeps the code
 * for redemption.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2
 */
export async function readUserTokenRedirect(
  pending: unknown,
  callbackUrl: string,
): Promise<RedirectOutcome<OboContext>> {
  if (!isOboContext(pending)) {
    throw new ProtocolViolationError(
      'INVALID_RESPONSE',
      'The saved run is unreadable; start the flow again.',
    );
  }
  const ctx: OboContext = { ...pending, clientSecret: '' };
  try {
    // The callback parser loads with the redirect back, not with the page (issue 12).
    const { readCallback } = await loadFlowPart(
      () => import('./authorization-code-callback.ts'),
      'reads the redirect back',
    );
    const read = readCallback(ctx.signIn, callbackUrl);
    return { ctx: { ...ctx, signIn: { ...ctx.signIn, ...read } }, current: 'user-token', status: {} };
  } catch (error) {
    return {
      ctx,
      current: 'user-token',
      status: {},
      failure: { stepId: 'user-token', failure: toStepFailure(error) },
    };
  }
}

/**
 * Hop 1, redemption, first half: the SPA redeems its code from the browser (the code flow's step).
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.3
 */
export async function sendUserTokenRedeem(
  ctx: OboContext,
  deps: FlowDeps,
): Promise<Pick<OboContext, 'signIn'>> {
  return { signIn: { ...ctx.signIn, ...(await sendExchange(ctx.signIn, deps)) } };
}

/**
 * Hop 1, redemption, second half: the access token becomes the assertion of hop 2.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.1
 */
export async function readUserTokenRedeem(
  ctx: OboContext,
): Promise<Pick<OboContext, 'signIn' | 'assertion' | 'assertionSource'>> {
  const { tokens } = await readExchange(ctx.signIn);
  return { signIn: { ...ctx.signIn, tokens }, assertion: tokens.access_token, assertionSource: 'sign-in' };
}

/** What API A (and Entra) will make of the incoming token. */
export interface AssertionCheck {
  /** The token could not be decoded; the reason. */
  readonly unreadable?: string;
  readonly aud?: unknown;
  readonly audienceOk: boolean;
  /** A user (delegated) token: it has `scp` and is not `idtyp: app`. */
  readonly userToken: boolean;
  readonly oid?: unknown;
  readonly scp?: unknown;
  readonly problems: readonly RequestWarning[];
}

/**
 * API A's checks on the incoming token, as Entra will make them: the audience is API A (its client id
 * or App ID URI), and it is a user token. Problems are warnings: the request can still be sent.
 * @see https://www.rfc-editor.org/rfc/rfc9068#section-4
 */
export function checkAssertion(assertion: string, apiClientId: string): AssertionCheck {
  if (assertion.trim() === '') {
    return {
      audienceOk: false,
      userToken: false,
      problems: [{ parameter: 'assertion', message: 'No incoming token yet.' }],
    };
  }
  let claims: Record<string, unknown>;
  try {
    claims = decodeJwt(assertion).payload;
  } catch (error) {
    const message = error instanceof LabError ? error.message : 'The token could not be decoded.';
    return {
      unreadable: message,
      audienceOk: false,
      userToken: false,
      problems: [{ parameter: 'assertion', message }],
    };
  }
  const aud = claims['aud'];
  const audiences = Array.isArray(aud) ? aud : [aud];
  const accepted = [apiClientId, `api://${apiClientId}`];
  const audienceOk = audiences.some((a) => typeof a === 'string' && accepted.includes(a));
  const userToken = claims['idtyp'] !== 'app' && typeof claims['scp'] === 'string';
  const problems: RequestWarning[] = [];
  if (!audienceOk) {
    problems.push({
      parameter: 'assertion',
      message: `aud is ${JSON.stringify(aud)}, not API A (${apiClientId}): Entra will refuse the exchange (AADSTS50013). A token for another API must not be exchanged by this one.`,
    });
  }
  if (!userToken) {
    problems.push({
      parameter: 'assertion',
      message:
        'This is an app-only token (no scp, or idtyp “app”): there is no user to act for, so Entra will refuse it (AADSTS50013).',
    });
  }
  return { aud, audienceOk, userToken, oid: claims['oid'], scp: claims['scp'] ?? claims['roles'], problems };
}

/**
 * Hop 2's token request, before it is sent.
 * @see https://www.rfc-editor.org/rfc/rfc7523#section-2.1
 */
export function buildOboRequest(ctx: OboContext): RecordedRequest {
  const parameters: QueryParameter[] = [
    ['grant_type', JWT_BEARER_GRANT],
    ['client_id', ctx.clientId.trim()],
    ['assertion', ctx.assertion.trim()],
    ['requested_token_use', 'on_behalf_of'],
    ['scope', ctx.scope.trim()],
  ];
  return buildTokenRequest(ctx.tokenEndpoint, parameters, {
    method: 'client_secret_post',
    clientSecret: ctx.clientSecret,
  });
}

/** Hop 2 is API A's server talking to Entra: never a browser (AADSTS9002326), so the relay plays the server. */
export function decideOboRoute(deps: Pick<FlowDeps, 'relayAvailable' | 'relayToken'>): Route {
  return relayRoute(
    'In real life API A makes this call from its own server with its own secret; Entra refuses it from a browser (AADSTS9002326).',
    deps,
  );
}

/**
 * Hop 2, first half: sends the exchange.
 * @see https://www.rfc-editor.org/rfc/rfc7523#section-2.1
 */
export async function sendOnBehalfOf(ctx: OboContext, deps: FlowDeps): Promise<Pick<OboContext, 'exchange'>> {
  if (ctx.assertion.trim() === '') {
    throw new ProtocolViolationError(
      'MISSING_PARAMETER',
      'There is no incoming user token to exchange: do hop 1 first.',
    );
  }
  return { exchange: await sendTokenRequest(buildOboRequest(ctx), decideOboRoute(deps), deps) };
}

/**
 * Hop 2, second half: reads Token B.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.1
 */
export function readOnBehalfOf(ctx: OboContext): Pick<OboContext, 'tokens'> {
  return { tokens: readTokenExchange(ctx.exchange) };
}

/** One claim of Token A beside the same claim of Token B. */
export interface ClaimComparison {
  readonly claim: string;
  readonly incoming: unknown;
  readonly outgoing: unknown;
  readonly same: boolean;
}

// v2.0 tokens name the user in preferred_username and the client in azp; v1.0 tokens (Graph's, and an
// API's unless it accepts v2.0) use upn and appid instead, and carry ver and a different iss.
// https://learn.microsoft.com/en-us/entra/identity-platform/access-token-claims-reference
const COMPARED_CLAIMS = [
  'ver',
  'iss',
  'oid',
  'tid',
  'preferred_username',
  'upn',
  'aud',
  'azp',
  'appid',
  'scp',
];

/**
 * The two tokens side by side: the user claims stay, the audience and the client change. Only claims
 * found in at least one of them are listed, so a v1.0 token beside a v2.0 one shows what each uses.
 * @see https://www.rfc-editor.org/rfc/rfc7519#section-4.1
 */
export function compareTokens(incoming: string, outgoing: string): ClaimComparison[] {
  const claims = (token: string): Record<string, unknown> => {
    try {
      return decodeJwt(token).payload;
    } catch {
      return {};
    }
  };
  const a = claims(incoming);
  const b = claims(outgoing);
  return COMPARED_CLAIMS.filter((claim) => a[claim] !== undefined || b[claim] !== undefined).map((claim) => ({
    claim,
    incoming: a[claim],
    outgoing: b[claim],
    same: JSON.stringify(a[claim]) === JSON.stringify(b[claim]),
  }));
}

/**
 * Step "call": the closing call, API A → API B with Token B, sent and its answer recorded whatever its
 * status. Sent from the browser here because Graph allows it; in real life API A's server makes it. The
 * API-call code loads now, not with the page (issue 12); a failed load is a `NetworkError` saying to
 * reload.
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-2.1
 */
export async function callDownstreamApi(
  ctx: OboContext,
  deps: FlowDeps,
): Promise<Pick<OboContext, 'apiCall'>> {
  if (ctx.tokens === undefined) {
    throw new ProtocolViolationError('MISSING_PARAMETER', 'There is no token for API B yet: do hop 2 first.');
  }
  const { buildApiRequest, decideApiRoute } = await loadFlowPart(
    () => import('./call-api.ts'),
    'calls the API',
  );
  const request = buildApiRequest({ token: ctx.tokens.access_token, url: ctx.apiUrl });
  return { apiCall: await sendRequest(request, decideApiRoute(), deps.fetch, deps.now) };
}

/** A Conditional Access claims challenge Entra gave API A instead of Token B. */
export interface ClaimsChallenge {
  /** The `claims` value, verbatim: the JSON the client must send back at /authorize. */
  readonly claims: string;
  /** The AADSTS code (50076: do MFA; 50079: register a second factor first), when present. */
  readonly code?: number;
  /** The policy ids the challenge names (`access_token.polids` or `capolids` values), for display. */
  readonly policyIds: readonly string[];
  /** Authentication context ids (`access_token.acrs`), when the challenge names those instead. */
  readonly authContexts: readonly string[];
}

function stringValues(request: unknown): string[] {
  if (typeof request !== 'object' || request === null) return [];
  const { values, value } = request as { values?: unknown; value?: unknown };
  const list = Array.isArray(values) ? values : value === undefined ? [] : [value];
  return list.filter((v): v is string => typeof v === 'string');
}

/**
 * Reads a claims challenge from a refused exchange: `interaction_required` (or `invalid_grant`) with a
 * `claims` JSON object. Undefined for any other error, or when `claims` is absent or not JSON.
 * @see https://learn.microsoft.com/entra/identity-platform/v2-oauth2-on-behalf-of-flow#error-response-example
 * @see https://openid.net/specs/openid-connect-core-1_0.html#ClaimsParameter
 */
export function readClaimsChallenge(fields: OAuthErrorFields | undefined): ClaimsChallenge | undefined {
  if (fields === undefined || typeof fields.claims !== 'string' || fields.claims.trim() === '')
    return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(fields.claims);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const accessToken = (parsed as Record<string, unknown>)['access_token'];
  const requests =
    typeof accessToken === 'object' && accessToken !== null ? (accessToken as Record<string, unknown>) : {};
  const code = fields.error_codes?.[0];
  return {
    claims: fields.claims,
    ...(typeof code === 'number' ? { code } : {}),
    policyIds: [...stringValues(requests['polids']), ...stringValues(requests['capolids'])],
    authContexts: stringValues(requests['acrs']),
  };
}

/**
 * The answer API A gives its client when it holds a claims challenge: 401 with a `WWW-Authenticate`
 * Bearer challenge carrying the claims, base64-encoded, and `error="insufficient_claims"`.
 * @see https://learn.microsoft.com/entra/identity-platform/claims-challenge
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3
 */
export function buildClaimsChallengeHeader(
  challenge: ClaimsChallenge,
  authorizationEndpoint: string,
  clientId: string,
): string {
  const encoded = btoa(String.fromCharCode(...new TextEncoder().encode(challenge.claims)));
  return `Bearer realm="", authorization_uri="${authorizationEndpoint}", client_id="${clientId}", error="insufficient_claims", claims="${encoded}"`;
}

/**
 * The client's answer to the challenge: hop 1 again with `claims=` added to the authorization request
 * (and a fresh sign-in, so the policy is evaluated anew); the old incoming token and hop 2's results are
 * dropped.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#ClaimsParameter
 */
export function withClaimsChallenge(ctx: OboContext, challenge: ClaimsChallenge): OboContext {
  const extraParams = [
    ...ctx.signIn.extraParams.filter(([name]) => name !== 'claims'),
    ['claims', challenge.claims] as const,
  ];
  const { exchange: _e, tokens: _t, authorizationResponse: _r, ...signIn } = ctx.signIn;
  const { exchange: _x, tokens: _b, apiCall: _c, assertionSource: _s, ...rest } = ctx;
  return { ...rest, signIn: { ...signIn, extraParams }, assertion: '' };
}
