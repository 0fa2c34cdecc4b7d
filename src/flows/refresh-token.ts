/**
 * The refresh token grant: trade a refresh token for a new access token (and, from Entra, a new
 * refresh token), optionally for fewer scopes. Shows that Entra keeps the old refresh token valid, and
 * what happens when a server rotates them.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-6
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.14.2
 */
import type { QueryParameter, RequestWarning } from '../protocol/authorize.ts';
import {
  clientAuthenticationOf,
  type ClientAuthMethod,
  type ClientKey,
  type JwtAssertion,
} from '../protocol/client-auth.ts';
import { InvalidInputError, ProtocolViolationError } from '../protocol/errors.ts';
import type { HttpExchange, RecordedRequest } from '../protocol/http.ts';
import {
  buildTokenRequest,
  splitScope,
  type ClientAuthentication,
  type TokenResponse,
} from '../protocol/token.ts';
import type { Route } from '../protocol/transport.ts';
import { sendRequest } from './send-request.ts';
import { catalogueEntry } from './registry.ts';
import type { FlowDeps } from './runner.ts';
import { browserRoute, readTokenExchange, relayRoute, sendTokenRequest } from './token-request.ts';
import type { FlowDefinition, ParameterDefinition } from './types.ts';

/** The token request parameters the page shows as fields. */
export const REFRESH_PARAMETERS: readonly ParameterDefinition[] = [
  {
    name: 'grant_type',
    required: true,
    spec: 'RFC 6749 §6',
    explanation: 'Always “refresh_token” for this grant.',
  },
  {
    name: 'client_id',
    required: true,
    spec: 'RFC 6749 §6',
    explanation: 'The app the refresh token was issued to. Another client id is refused.',
  },
  {
    name: 'refresh_token',
    required: true,
    spec: 'RFC 6749 §6',
    explanation: 'The refresh token from an earlier response, exactly as received (opaque in Entra).',
  },
  {
    name: 'scope',
    spec: 'RFC 6749 §6',
    explanation:
      'Optional. A subset of what was granted narrows the new access token; Entra takes one resource per request.',
  },
];

/** The flow as data: steps and sequence diagram. */
export const refreshTokenFlow = {
  ...catalogueEntry('refresh-token'),
  steps: [
    {
      id: 'token',
      title: 'Choose the refresh token',
      spec: 'RFC 6749 §1.5',
      why: 'A refresh token came with an earlier sign-in (offline_access). It is bound to the client it was issued to, and for Entra to how that client is registered.',
    },
    {
      id: 'request',
      title: 'Redeem it at the token endpoint',
      spec: 'RFC 6749 §6',
      why: 'A POST with grant_type=refresh_token. No user, no browser redirect: the user stays signed in without being asked again.',
      inputs: [
        'refreshToken',
        'clientId',
        'clientSecret',
        'scope',
        'tokenEndpoint',
        'spa',
        'authMethod',
        'clientKey',
      ],
    },
    {
      id: 'tokens',
      title: 'Read the new pair',
      spec: 'RFC 6749 §5.1',
      why: 'A fresh access token and a new refresh token. The client keeps the new one and throws the old one away.',
    },
    {
      id: 'reuse',
      title: 'Try the old refresh token again',
      spec: 'RFC 9700 §4.14.2',
      why: 'Entra does not revoke a redeemed refresh token, so a leaked one keeps working. A server that rotates refresh tokens refuses the second use.',
      inputs: ['redeemedToken'],
    },
  ],
  diagram: {
    actors: [
      { id: 'client', label: 'Client' },
      { id: 'as', label: 'Authorization server' },
      { id: 'api', label: 'API' },
    ],
    messages: [
      { from: 'client', to: 'client', text: 'access token expiring; refresh token kept', step: 'token' },
      { from: 'client', to: 'as', text: 'POST /token grant_type=refresh_token', step: 'request', http: true },
      {
        from: 'as',
        to: 'client',
        text: 'new access token + new refresh token',
        step: 'request',
        reply: true,
        http: true,
      },
      { from: 'client', to: 'api', text: 'Bearer new access token', step: 'tokens' },
      { from: 'client', to: 'as', text: 'POST /token with the OLD refresh token', step: 'reuse', http: true },
      {
        from: 'as',
        to: 'client',
        text: 'Entra: new tokens again; rotation: invalid_grant',
        step: 'reuse',
        reply: true,
        http: true,
      },
    ],
  },
} as const satisfies FlowDefinition;

/** Everything one run of the flow knows. Secrets and tokens live in memory only. */
export interface RefreshContext {
  readonly tokenEndpoint: string;
  readonly clientId: string;
  /** Confidential clients only; empty for SPAs and public clients. */
  readonly clientSecret: string;
  readonly refreshToken: string;
  readonly scope: string;
  /** Issued to an SPA redirect URI: Entra redeems it only cross-origin (from the browser). */
  readonly spa: boolean;
  /** The scopes granted with the refresh token, when known (from the earlier run's response). */
  readonly grantedScope?: string;
  /** The refresh token the first request redeemed: the "old" one. */
  readonly redeemedToken?: string;
  readonly exchange?: HttpExchange;
  readonly tokens?: TokenResponse;
  readonly reuseExchange?: HttpExchange;
  readonly reuseTokens?: TokenResponse;
  /**
   * Set when the authority is not Entra-shaped: how the client authenticates (any standard method,
   * `none` for a public client). Unset, an empty secret means a public client, as Entra has it.
   */
  readonly authMethod?: ClientAuthMethod | undefined;
  /** private_key_jwt's key pair, made in this browser; the private key is memory only. */
  readonly clientKey?: ClientKey | undefined;
  /** The last JWT client assertion signed and sent (client_secret_jwt, private_key_jwt). */
  readonly jwtAssertion?: JwtAssertion | undefined;
}

/**
 * A new run's starting values.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-6
 */
export function createRefreshContext(input: {
  tokenEndpoint: string;
  clientId: string;
  clientSecret?: string;
  spa: boolean;
  /** A method for a non-Entra authority (see `RefreshContext.authMethod`). */
  authMethod?: ClientAuthMethod;
}): RefreshContext {
  return {
    tokenEndpoint: input.tokenEndpoint,
    clientId: input.clientId,
    clientSecret: input.clientSecret ?? '',
    refreshToken: '',
    scope: '',
    spa: input.spa,
    ...(input.authMethod === undefined ? {} : { authMethod: input.authMethod }),
  };
}

const OIDC_SCOPES = new Set(['openid', 'profile', 'email', 'offline_access']);
const GRAPH = 'https://graph.microsoft.com';

/** A scope in its full form: Entra reads a bare name as a Microsoft Graph scope. */
export function qualifyScope(scope: string): string {
  if (OIDC_SCOPES.has(scope) || scope.includes('/')) return scope;
  return `${GRAPH}/${scope}`;
}

/** The resource (audience) part of a fully written scope; undefined for OIDC scopes. */
function resourceOf(scope: string): string | undefined {
  const full = qualifyScope(scope);
  if (OIDC_SCOPES.has(full)) return undefined;
  const slash = full.lastIndexOf('/');
  return slash <= 0 ? full : full.slice(0, slash);
}

/**
 * Checks the request a careful client would send, without refusing to build it: a refresh token is
 * there, the scope is a subset of the grant and names one resource, an SPA sends no secret.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-6
 */
export function validateRefreshRequest(ctx: RefreshContext): RequestWarning[] {
  const warnings: RequestWarning[] = [];
  if (ctx.refreshToken.trim() === '') {
    warnings.push({ parameter: 'refresh_token', message: 'Pick or paste a refresh token first.' });
  }
  if (ctx.clientId.trim() === '')
    warnings.push({ parameter: 'client_id', message: 'The client id is empty.' });
  const asked = ctx.scope.split(/\s+/).filter(Boolean);
  const resources = new Set(asked.map(resourceOf).filter((r) => r !== undefined));
  if (resources.size > 1) {
    warnings.push({
      parameter: 'scope',
      message: `Scopes of ${resources.size} resources: Entra issues a token for one resource per request (AADSTS700022).`,
    });
  }
  if (ctx.grantedScope !== undefined && ctx.grantedScope.trim() !== '') {
    // The granted scope comes from a server: GitHub and Facebook separate it with commas, not spaces.
    const granted = new Set(splitScope(ctx.grantedScope).map(qualifyScope));
    // RFC 6749 §6: the scope MUST NOT include any scope not originally granted.
    const extra = asked.filter(
      (s) => !granted.has(qualifyScope(s)) && !OIDC_SCOPES.has(s) && !s.endsWith('/.default'),
    );
    if (extra.length > 0) {
      warnings.push({
        parameter: 'scope',
        message: `Not in the original grant: ${extra.join(', ')}. A refresh may only narrow the scope; expect invalid_grant (AADSTS65001).`,
      });
    }
  }
  if (ctx.authMethod !== undefined) {
    if (
      (ctx.authMethod === 'client_secret_basic' ||
        ctx.authMethod === 'client_secret_post' ||
        ctx.authMethod === 'client_secret_jwt') &&
      ctx.clientSecret === ''
    ) {
      warnings.push({
        parameter: 'client_secret',
        message: `${ctx.authMethod} needs the client secret, and it is empty.`,
      });
    }
    if (ctx.authMethod === 'private_key_jwt' && ctx.clientKey === undefined) {
      warnings.push({
        parameter: 'client_assertion',
        message: 'No key pair yet: generate one and register its public key.',
      });
    }
  } else if (ctx.spa && ctx.clientSecret !== '') {
    warnings.push({
      parameter: 'client_secret',
      message: 'An SPA is a public client: a secret is refused (AADSTS700025).',
    });
  }
  return warnings;
}

/**
 * The token request, before it is sent (shown as a preview). `refreshToken` defaults to the run's.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-6
 */
export function buildRefreshRequest(
  ctx: RefreshContext,
  refreshToken: string = ctx.refreshToken,
): RecordedRequest {
  const parameters: QueryParameter[] = [
    ['grant_type', 'refresh_token'],
    ['client_id', ctx.clientId.trim()],
    ['refresh_token', refreshToken.trim()],
    ['scope', ctx.scope.trim()],
  ];
  // RFC 6749 §6: a confidential client MUST authenticate when it refreshes.
  const auth: ClientAuthentication =
    ctx.authMethod !== undefined
      ? clientAuthenticationOf(ctx.authMethod, ctx.clientSecret, ctx.jwtAssertion)
      : ctx.clientSecret === ''
        ? { method: 'none' }
        : { method: 'client_secret_post', clientSecret: ctx.clientSecret };
  return buildTokenRequest(ctx.tokenEndpoint, parameters, auth);
}

/**
 * Browser or relay: Entra redeems SPA refresh tokens only cross-origin (AADSTS9002327 otherwise), and
 * every other client's only without an Origin header (AADSTS9002326 from a browser).
 */
export function decideRefreshRoute(
  ctx: Pick<RefreshContext, 'spa'>,
  deps: Pick<FlowDeps, 'relayAvailable' | 'relayToken'>,
): Route {
  if (ctx.spa) {
    return browserRoute(
      'This refresh token was issued to an SPA redirect URI, so Entra redeems it only from a browser, with an Origin header (AADSTS9002327 otherwise).',
    );
  }
  return relayRoute(
    'This refresh token belongs to a confidential or public non-SPA client, which Entra refuses from a browser (AADSTS9002326).',
    deps,
  );
}

function requireToken(token: string): void {
  if (token.trim() === '') {
    throw new InvalidInputError(
      'refresh_token',
      'There is no refresh token to send: pick one from an earlier run or paste one.',
    );
  }
}

/**
 * For client_secret_jwt and private_key_jwt, a fresh assertion for one request (RFC 7523 §3: a server
 * may refuse a jti it has seen); nothing for the other methods.
 * @see https://www.rfc-editor.org/rfc/rfc7523#section-3
 */
export async function signRefreshAssertion(
  ctx: RefreshContext,
  deps: Pick<FlowDeps, 'now'>,
): Promise<Pick<RefreshContext, 'jwtAssertion'>> {
  const method = ctx.authMethod;
  if (method !== 'client_secret_jwt' && method !== 'private_key_jwt') return {};
  const { signJwtAssertion } = await import('../protocol/client-auth.ts');
  return {
    jwtAssertion: await signJwtAssertion(method, {
      clientId: ctx.clientId.trim(),
      clientSecret: ctx.clientSecret,
      key: ctx.clientKey,
      // RFC 7523 §3: the token endpoint identifies the authorization server as the audience.
      audience: ctx.tokenEndpoint.trim(),
      nowMs: deps.now(),
    }),
  };
}

/**
 * Step "request", first half: sends the refresh request and remembers which token it redeemed.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-6
 */
export async function sendRefresh(
  ctx: RefreshContext,
  deps: FlowDeps,
): Promise<Pick<RefreshContext, 'exchange' | 'redeemedToken' | 'jwtAssertion'>> {
  requireToken(ctx.refreshToken);
  const signed = await signRefreshAssertion(ctx, deps);
  const request = buildRefreshRequest({ ...ctx, ...signed });
  const exchange = await sendTokenRequest(request, decideRefreshRoute(ctx, deps), deps);
  return { ...signed, exchange, redeemedToken: ctx.refreshToken.trim() };
}

/**
 * Step "request", second half: reads the new tokens.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.1
 */
export function readRefresh(ctx: RefreshContext): Pick<RefreshContext, 'tokens'> {
  return { tokens: readTokenExchange(ctx.exchange) };
}

/**
 * Step "reuse", first half: redeems the already-redeemed refresh token a second time.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.14.2
 */
export async function sendReuse(
  ctx: RefreshContext,
  deps: FlowDeps,
): Promise<Pick<RefreshContext, 'reuseExchange' | 'jwtAssertion'>> {
  if (ctx.redeemedToken === undefined) {
    throw new ProtocolViolationError(
      'MISSING_PARAMETER',
      'Redeem a refresh token first; then this step sends the same one again.',
    );
  }
  const signed = await signRefreshAssertion(ctx, deps);
  return {
    ...signed,
    reuseExchange: await sendTokenRequest(
      buildRefreshRequest({ ...ctx, ...signed }, ctx.redeemedToken),
      decideRefreshRoute(ctx, deps),
      deps,
    ),
  };
}

/**
 * Step "reuse", second half: success means the old token is still alive (Entra); rotation answers
 * invalid_grant.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.14.2
 */
export function readReuse(ctx: RefreshContext): Pick<RefreshContext, 'reuseTokens'> {
  return { reuseTokens: readTokenExchange(ctx.reuseExchange) };
}

/** The sandbox's runtime settings this page reads and changes. */
export interface SandboxRotationSetting {
  readonly rotateRefreshTokens: boolean;
}

/** The sandbox portal's settings URL. */
export function sandboxSettingsUrl(sandboxOrigin: string): string {
  return `${sandboxOrigin.replace(/\/+$/, '')}/portal/settings`;
}

/**
 * Reads or changes the sandbox's rotation setting (sandbox only; the portal answers CORS for localhost).
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.14.2
 */
export async function exchangeRotationSetting(
  sandboxOrigin: string,
  deps: Pick<FlowDeps, 'fetch' | 'now'>,
  rotate?: boolean,
): Promise<SandboxRotationSetting> {
  const request: RecordedRequest =
    rotate === undefined
      ? { method: 'GET', url: sandboxSettingsUrl(sandboxOrigin), headers: [], secretFields: [] }
      : {
          method: 'POST',
          url: sandboxSettingsUrl(sandboxOrigin),
          headers: [['Content-Type', 'application/json']],
          body: JSON.stringify({ rotateRefreshTokens: rotate }),
          secretFields: [],
        };
  const exchange = await sendRequest(
    request,
    browserRoute('The sandbox portal answers the browser for localhost origins.'),
    deps.fetch,
    deps.now,
  );
  const response = exchange.response;
  let json: unknown;
  try {
    json = JSON.parse(response?.body ?? '');
  } catch {
    json = undefined;
  }
  const value =
    typeof json === 'object' && json !== null
      ? (json as Record<string, unknown>)['rotateRefreshTokens']
      : undefined;
  if (response === undefined || response.status !== 200 || typeof value !== 'boolean') {
    throw new ProtocolViolationError(
      'INVALID_RESPONSE',
      `The sandbox portal answered HTTP ${response?.status ?? 0} without a rotateRefreshTokens setting.`,
    );
  }
  return { rotateRefreshTokens: value };
}
