/**
 * RFC 8693 token exchange at the standards sandbox's token endpoint. A confidential client trades a
 * token this issuer issued — an access token (opaque or RFC 9068 JWT) or an ID token — for a JWT access
 * token for the protected resource, with the same subject. With an actor token the new token records
 * who acts (`act`, RFC 8693 §4.1); scope may only narrow.
 * @see https://www.rfc-editor.org/rfc/rfc8693
 */
import {
  createLocalJWKSet,
  decodeProtectedHeader,
  errors as joseErrors,
  jwtVerify,
  type JSONWebKeySet,
} from 'jose';
import type Provider from 'oidc-provider';
import { errors, type KoaContextWithOIDC, type ResourceServer } from 'oidc-provider';
// oidc-provider keeps its keystore and configuration in a per-instance cache that has no public accessor;
// the public JWKS it serves at jwks_uri and the resource indicator configuration are read from there.
// @ts-expect-error -- an internal module of oidc-provider 8 (pinned), shipped without types.
import instanceOf from 'oidc-provider/lib/helpers/weak_cache.js';

/** RFC 8693 §2.1: the grant type of a token exchange request. */
export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';

/** RFC 8693 §3 token type identifiers. */
export const TOKEN_TYPE = {
  accessToken: 'urn:ietf:params:oauth:token-type:access_token',
  refreshToken: 'urn:ietf:params:oauth:token-type:refresh_token',
  idToken: 'urn:ietf:params:oauth:token-type:id_token',
  jwt: 'urn:ietf:params:oauth:token-type:jwt',
} as const;

/** The request parameters oidc-provider passes to the handler (RFC 8693 §2.1). */
export const TOKEN_EXCHANGE_PARAMS = [
  'subject_token',
  'subject_token_type',
  'actor_token',
  'actor_token_type',
  'requested_token_type',
  'audience',
  'resource',
  'scope',
];

/** The issuer's protected resource, below the issuer (the sandbox contract: `${issuer}/api`). */
const DEFAULT_RESOURCE_PATH = '/api';

/** RFC 8693 §2.1: `audience` and `resource` may repeat. */
const REPEATABLE = ['audience', 'resource'];

/** The token types accepted as subject or actor: what this issuer issues and can check. */
const ACCEPTED_TYPES: ReadonlySet<string> = new Set([
  TOKEN_TYPE.accessToken,
  TOKEN_TYPE.idToken,
  TOKEN_TYPE.jwt,
]);

type ExtraTokenClaims = (ctx: KoaContextWithOIDC, token: object) => unknown;

interface ProviderInternals {
  readonly jwksResponse: JSONWebKeySet;
  configuration(): { extraTokenClaims?: ExtraTokenClaims };
  configuration(path: 'features.resourceIndicators'): {
    getResourceServerInfo(
      ctx: KoaContextWithOIDC,
      indicator: string,
      client: unknown,
    ): Promise<ResourceServer> | ResourceServer;
    defaultResource(
      ctx: KoaContextWithOIDC,
      client: unknown,
      oneOf?: string[],
    ): Promise<string | string[] | undefined> | string | string[] | undefined;
  };
}

/**
 * The `act` of each access token this grant issues. oidc-provider replaces a token's `extra` with what
 * its `extraTokenClaims` returns when it saves it, so the claim is handed over there.
 */
const ACTORS = new WeakMap<object, Record<string, unknown>>();

type ResourceServerClass = new (identifier: string, info: ResourceServer) => ResourceServer;

/** A subject or actor token this issuer accepted, with what the new token needs from it. */
interface CheckedToken {
  readonly sub: string;
  /** Its scope, when it has one (an ID token has none). */
  readonly scope?: readonly string[];
  /** Its own `act` (it came from an earlier delegation), kept as history. */
  readonly act?: Record<string, unknown>;
  readonly mayAct?: Record<string, unknown>;
  /** RFC 9449 §6: the thumbprint of the key the token is bound to (DPoP), if any. */
  readonly jkt?: string;
}

function internals(provider: Provider): ProviderInternals {
  return (instanceOf as (p: Provider) => ProviderInternals)(provider);
}

function text(value: unknown): string {
  return typeof value === 'string' ? value.trim() : '';
}

function list(value: unknown): string[] {
  const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return values.filter((v): v is string => typeof v === 'string' && v.trim() !== '').map((v) => v.trim());
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function looksLikeJwt(token: string): boolean {
  return /^[\w-]+\.[\w-]+\.[\w-]*$/.test(token);
}

/**
 * Checks a JWT this issuer signed: signature with its published keys, `iss`, expiry. `at+jwt` (RFC 9068
 * §2.1) tells an access token from an ID token, so one cannot be passed off as the other.
 */
async function checkJwt(
  provider: Provider,
  token: string,
  type: string,
  which: 'subject_token' | 'actor_token',
): Promise<CheckedToken> {
  let typ: unknown;
  try {
    typ = decodeProtectedHeader(token).typ;
  } catch {
    throw new errors.InvalidRequest(`${which} is not a JWT this issuer can read`);
  }
  const isAccessToken = typeof typ === 'string' && /^(application\/)?at\+jwt$/i.test(typ);
  if (type === TOKEN_TYPE.accessToken && !isAccessToken) {
    throw new errors.InvalidRequest(
      `${which} is not an access token (its typ is ${JSON.stringify(typ ?? null)}, not at+jwt)`,
    );
  }
  if (type === TOKEN_TYPE.idToken && isAccessToken) {
    throw new errors.InvalidRequest(`${which} is an access token (typ at+jwt), not an ID token`);
  }
  const keys = createLocalJWKSet(internals(provider).jwksResponse);
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, keys, { issuer: provider.issuer }));
  } catch (error) {
    const reason =
      error instanceof joseErrors.JWTExpired
        ? 'has expired'
        : error instanceof joseErrors.JWTClaimValidationFailed && error.claim === 'iss'
          ? `was issued by another issuer, not ${provider.issuer}`
          : 'does not carry a valid signature of this issuer';
    throw new errors.InvalidRequest(`${which} ${reason}`);
  }
  const sub = text(payload['sub']);
  if (sub === '') throw new errors.InvalidRequest(`${which} names no subject (sub)`);
  const scope = text(payload['scope']);
  const cnf = payload['cnf'];
  const jkt = isObject(cnf) ? text(cnf['jkt']) : '';
  return {
    sub,
    ...(jkt === '' ? {} : { jkt }),
    ...(isAccessToken ? { scope: scope === '' ? [] : scope.split(' ') } : {}),
    ...(isObject(payload['act']) ? { act: payload['act'] } : {}),
    ...(isObject(payload['may_act']) ? { mayAct: payload['may_act'] } : {}),
  };
}

/** Finds an opaque access token (or client credentials token) in the store: unknown, expired and revoked ones are gone. */
async function checkOpaque(
  provider: Provider,
  token: string,
  which: 'subject_token' | 'actor_token',
): Promise<CheckedToken> {
  const stored = (await provider.AccessToken.find(token)) ?? (await provider.ClientCredentials.find(token));
  if (stored === undefined) {
    throw new errors.InvalidRequest(`${which} is unknown to this issuer, expired or revoked`);
  }
  const grantId = (stored as { grantId?: string }).grantId;
  if (grantId !== undefined && (await provider.Grant.find(grantId)) === undefined) {
    throw new errors.InvalidRequest(`${which} belongs to a grant that has been revoked`);
  }
  const { accountId, jkt } = stored as { accountId?: string; jkt?: string };
  return {
    sub: accountId ?? stored.clientId ?? '',
    scope: stored.scope ? stored.scope.split(' ') : [],
    ...(jkt ? { jkt } : {}),
  };
}

async function checkToken(
  provider: Provider,
  token: string,
  type: string,
  which: 'subject_token' | 'actor_token',
): Promise<CheckedToken> {
  if (!ACCEPTED_TYPES.has(type)) {
    // RFC 8693 §2.2.2: a request the server cannot process is invalid_request.
    throw new errors.InvalidRequest(
      `${which}_type ${JSON.stringify(type)} is not supported here: use ${[...ACCEPTED_TYPES].join(', ')}`,
    );
  }
  if (looksLikeJwt(token)) return checkJwt(provider, token, type, which);
  if (type !== TOKEN_TYPE.accessToken) {
    throw new errors.InvalidRequest(
      `${which} is not a JWT, so it cannot be an ${type === TOKEN_TYPE.idToken ? 'ID token' : 'JWT'}`,
    );
  }
  return checkOpaque(provider, token, which);
}

/** The one resource the new token is for: from `resource` and `audience`, or the issuer's default. */
async function chooseTarget(
  ctx: KoaContextWithOIDC,
  provider: Provider,
): Promise<{ identifier: string; info: ResourceServer }> {
  const params = ctx.oidc.params ?? {};
  const targets = [...new Set([...list(params['resource']), ...list(params['audience'])])];
  if (targets.length > 1) {
    throw new errors.InvalidTarget(
      'this issuer issues a token for one resource at a time; name one resource or audience',
    );
  }
  const resourceIndicators = internals(provider).configuration('features.resourceIndicators');
  let identifier = targets[0];
  if (identifier === undefined) {
    const fallback = await resourceIndicators.defaultResource(ctx, ctx.oidc.client, undefined);
    // Nothing named and nothing implied by the scope: the issuer's one protected resource.
    identifier =
      (Array.isArray(fallback) ? fallback[0] : fallback) ?? `${provider.issuer}${DEFAULT_RESOURCE_PATH}`;
  }
  // RFC 8693 §2.2.2: a target the server will not issue for is invalid_target (thrown by the configuration).
  const info = await resourceIndicators.getResourceServerInfo(ctx, identifier, ctx.oidc.client);
  return { identifier, info };
}

/** oidc-provider grant handler for the token exchange grant. */
export async function tokenExchangeHandler(ctx: KoaContextWithOIDC): Promise<void> {
  const { provider } = ctx.oidc;
  const client = ctx.oidc.client;
  if (client === undefined) throw new errors.InvalidClient('client authentication is required');
  // RFC 8693 §2.1 (and §5): the client authenticates; a public client cannot be trusted with another's token.
  if (client.clientAuthMethod === 'none') {
    throw new errors.UnauthorizedClient(
      'token exchange is for clients that authenticate; this client is public',
    );
  }
  const params = ctx.oidc.params ?? {};
  const subjectToken = text(params['subject_token']);
  const subjectType = text(params['subject_token_type']);
  const actorToken = text(params['actor_token']);
  const actorType = text(params['actor_token_type']);
  const requested = text(params['requested_token_type']);
  if (subjectToken === '') throw new errors.InvalidRequest('missing required parameter subject_token');
  if (subjectType === '') throw new errors.InvalidRequest('missing required parameter subject_token_type');
  // RFC 8693 §2.1: actor_token_type is REQUIRED with an actor_token and MUST NOT be sent without one.
  if (actorToken !== '' && actorType === '')
    throw new errors.InvalidRequest('actor_token_type is required with actor_token');
  if (actorToken === '' && actorType !== '')
    throw new errors.InvalidRequest('actor_token_type was sent without actor_token');
  if (requested !== '' && requested !== TOKEN_TYPE.accessToken) {
    throw new errors.InvalidRequest(
      `requested_token_type ${JSON.stringify(requested)} is not issued here: this issuer issues access tokens`,
    );
  }

  const subject = await checkToken(provider, subjectToken, subjectType, 'subject_token');
  const actor =
    actorToken === '' ? undefined : await checkToken(provider, actorToken, actorType, 'actor_token');
  // RFC 8693 §4.4: a subject token that names who may act for it is honoured.
  if (actor !== undefined && subject.mayAct !== undefined && text(subject.mayAct['sub']) !== actor.sub) {
    throw new errors.InvalidRequest(`the subject token's may_act does not name the actor (${actor.sub})`);
  }

  const { identifier, info } = await chooseTarget(ctx, provider);
  const resourceScopes = new Set((info.scope ?? '').split(' ').filter(Boolean));
  // The ceiling: the subject token's scope. An ID token carries none: then what the client may ask of
  // the resource (its registered scope, or without one the resource's own scopes).
  const ceiling = new Set(subject.scope ?? (client.scope ? client.scope.split(' ') : [...resourceScopes]));
  const asked = text(params['scope']).split(' ').filter(Boolean);
  const beyond = asked.filter((s) => !ceiling.has(s) || !resourceScopes.has(s));
  if (beyond.length > 0) {
    throw new errors.InvalidScope(
      `a token exchange may narrow the scope, never widen it: ${beyond.join(' ')} is not in the subject token or not offered by ${identifier}`,
      beyond.join(' '),
    );
  }
  const scopes = (asked.length > 0 ? asked : [...ceiling]).filter((s) => resourceScopes.has(s));
  if (scopes.length === 0) {
    throw new errors.InvalidScope(
      `the subject token carries none of ${identifier}'s scopes (${[...resourceScopes].join(' ')}); a token exchange cannot add them`,
      [...resourceScopes].join(' '),
    );
  }

  // RFC 8693 §4.1: the current actor outermost, earlier ones nested as history.
  const act =
    actor !== undefined
      ? { sub: actor.sub, ...(subject.act === undefined ? {} : { act: subject.act }) }
      : subject.act;
  const grant = new provider.Grant({ accountId: subject.sub, clientId: client.clientId });
  grant.addResourceScope(identifier, scopes.join(' '));
  const grantId = await grant.save();
  // `ResourceServer` exists at runtime (lib/helpers/resource_server.js) but not in @types/oidc-provider.
  const ResourceServerImpl = (provider as unknown as { ResourceServer: ResourceServerClass }).ResourceServer;
  const at = new provider.AccessToken({
    accountId: subject.sub,
    client,
    grantId,
    gty: 'token_exchange',
    scope: scopes.join(' '),
  });
  if (act !== undefined) ACTORS.set(at, act);
  // A DPoP-bound subject token gives a token bound to the same key (RFC 9449 §6: cnf.jkt): an exchange
  // must not turn a sender-constrained token into a bearer token for whoever presents it.
  // `setThumbprint` exists at runtime (models/mixins/is_sender_constrained.js) but not in the types.
  if (subject.jkt !== undefined)
    (at as unknown as { setThumbprint(kind: 'jkt', value: string): void }).setThumbprint('jkt', subject.jkt);
  at.resourceServer = new ResourceServerImpl(identifier, info);
  ctx.oidc.entity('AccessToken', at);
  const accessToken = await at.save();
  // RFC 8693 §2.2.1: issued_token_type is REQUIRED; token_type is how to use it (Bearer, or DPoP).
  ctx.body = {
    access_token: accessToken,
    issued_token_type: TOKEN_TYPE.accessToken,
    token_type: (at as unknown as { tokenType: string }).tokenType,
    expires_in: at.expiration,
    scope: scopes.join(' '),
  };
}

/** Registers the token exchange grant on the standards provider. */
export function registerTokenExchange(provider: Provider): void {
  const configuration = internals(provider).configuration();
  const previous = configuration.extraTokenClaims;
  configuration.extraTokenClaims = async (ctx, token) => {
    const base = previous === undefined ? undefined : await previous(ctx, token);
    const act = ACTORS.get(token);
    return act === undefined ? base : { ...(isObject(base) ? base : {}), act };
  };
  provider.registerGrantType(TOKEN_EXCHANGE_GRANT, tokenExchangeHandler, TOKEN_EXCHANGE_PARAMS, REPEATABLE);
}
