/**
 * oidc-provider configuration that makes it answer like Entra ID v2.0: Entra's endpoint paths, seeded
 * clients, JWT access tokens with Entra's claims, refresh tokens whenever `offline_access` is asked for,
 * and no development defaults (keys, adapter, interactions), so start-up prints nothing.
 */
import { createHash, randomBytes } from 'node:crypto';
import type Provider from 'oidc-provider';
import type {
  Account,
  AdapterConstructor,
  ClientMetadata,
  Configuration,
  KoaContextWithOIDC,
  ResourceServer,
  ResponseType,
} from 'oidc-provider';
import { shapeAccessToken, type SignInMethods, type UnsignedJwt } from './access-token-claims.ts';
import { TOKEN_ONLY_MARKER } from './authorize-gate.ts';
import { TENANT_ALIAS_PARAM } from './tenant-audience.ts';
import { successSource, userCodeConfirmSource, userCodeInputSource } from './device-pages.ts';
import type { ConsentStore } from './consents.ts';
import { findUserById } from './directory.ts';
import type { SandboxKeys } from './keys.ts';
import { renderProviderError } from './pages.ts';
import { clientCredentialOf } from './request-marks.ts';
import type { SandboxSettings } from './settings.ts';
import type { AppRegistration, AppRegistry } from './registrations.ts';
import { OIDC_SCOPES, requireApi, splitPermission } from './scopes.ts';
import { SANDBOX_TENANT } from './seed.ts';

/** Entra's paths below `/{tenant}`; the provider is mounted at `/{tenant}`. */
export const ROUTES = {
  authorization: '/oauth2/v2.0/authorize',
  token: '/oauth2/v2.0/token',
  device_authorization: '/oauth2/v2.0/devicecode',
  code_verification: '/oauth2/v2.0/deviceauth',
  jwks: '/discovery/v2.0/keys',
  end_session: '/oauth2/v2.0/logout',
  userinfo: '/openid/userinfo',
} as const;

/** How long a sign-in interaction lasts (seconds); a verification-code step waits as long. */
export const INTERACTION_TTL_SECONDS = 3600;

/** Where the sandbox's own sign-in and consent pages live (outside any tenant prefix). */
export const INTERACTION_PREFIX = '/interaction/';

/**
 * Name of an internal authorization parameter whose validator restores `offline_access`. oidc-provider
 * drops `offline_access` unless `prompt=consent` (OIDC Core §11); Entra issues a refresh token whenever
 * the scope is asked for, so the scope is put back after oidc-provider's scope check.
 */
const RESTORE_OFFLINE_ACCESS = 'x_sandbox_restore_offline_access';

/** Inputs the configuration needs from `startSandbox`. */
export interface ProviderConfigInput {
  readonly keys: SandboxKeys;
  readonly adapter: AdapterConstructor;
  readonly port: number;
  /** The instance's runtime settings (read on every use, so portal changes apply at once). */
  readonly settings: Readonly<SandboxSettings>;
  /** The instance's live app registrations (read on every use, like the settings). */
  readonly registry: AppRegistry;
  /** Consent per user and app, kept outside browser sessions. */
  readonly consents: ConsentStore;
  /** The sign-in methods behind v2.0 user tokens (shared store). */
  readonly signInMethods: SignInMethods;
  /** Every artifact's lifetime cut to at most this many seconds (see `capLifetimes`); absent: Entra's. */
  readonly maxArtifactLifetimeSeconds?: number | undefined;
}

type Lifetimes = NonNullable<Configuration['ttl']>;

/**
 * `ttl` with every lifetime (a number, or what a function returns) cut to at most `maxSeconds`, so a load
 * test sees every code, token, session and grant expire within minutes (issue 15: Redis memory back to
 * its starting size); `ttl` itself without a maximum.
 */
export function capLifetimes(ttl: Lifetimes, maxSeconds: number | undefined): Lifetimes {
  if (maxSeconds === undefined) return ttl;
  const capped: Record<string, unknown> = {};
  for (const [name, lifetime] of Object.entries(ttl))
    capped[name] =
      typeof lifetime === 'function'
        ? (...args: unknown[]) => Math.min((lifetime as (...a: unknown[]) => number)(...args), maxSeconds)
        : Math.min(Number(lifetime), maxSeconds);
  return capped as Lifetimes;
}

/**
 * Entra's `azpacr`: 0 public client, 1 client secret, 2 certificate. The token gate records how the
 * client authenticated; requests at the authorization endpoint (implicit) carry no credential.
 */
export function azpacr(ctx: KoaContextWithOIDC, app: AppRegistration | undefined): '0' | '1' | '2' {
  const kind = ctx.oidc.route === 'token' ? clientCredentialOf(ctx.req) : 'none';
  if (kind === 'certificate') return '2';
  if (kind === 'secret') return '1';
  return kind === undefined && app?.confidential ? '1' : '0';
}

/** Response types an app may use: `code`, plus the implicit/hybrid ones its settings enable. */
function responseTypesFor(app: AppRegistration): ResponseType[] {
  const types: ResponseType[] = ['code'];
  if (app.implicitIdTokens) types.push('id_token', 'code id_token');
  if (app.implicitAccessTokens) types.push('code token');
  // `token` alone is served as `id_token token` (see authorize-gate.ts), so it needs both enabled
  // inside oidc-provider even though Entra only asks for "Access tokens".
  if (app.implicitAccessTokens) types.push('id_token token', 'code id_token token');
  return types;
}

/** Entra's `sub` is pairwise: the same user gets a different subject per application. */
export function pairwiseSubject(oid: string, appId: string): string {
  return createHash('sha256').update(`${SANDBOX_TENANT.id}|${oid}|${appId}`).digest('base64url');
}

/** A fresh `uti` (Entra's unique token identifier). */
function newUti(): string {
  return randomBytes(16).toString('base64url');
}

/** Entra's default access-token lifetime: randomised between 60 and 90 minutes. */
function accessTokenTtl(): number {
  return 3600 + Math.floor(Math.random() * 1800);
}

/** oidc-provider's resource server description of a sandbox API: Entra-shaped JWT access tokens for it. */
export function resourceServerInfo(identifier: string): ResourceServer {
  const api = requireApi(identifier);
  return {
    scope: api.delegatedScopes.map((s) => `${api.identifier}/${s}`).join(' '),
    audience: api.appId,
    accessTokenFormat: 'jwt',
    accessTokenTTL: accessTokenTtl(),
    jwt: { sign: { alg: 'RS256' } },
  };
}

/**
 * oidc-provider's metadata for an app registration as it stands now. A confidential client's secret here
 * is internal: the token gate checks the app's real secrets and certificates, then presents this one.
 */
export function clientMetadata(app: AppRegistration, internalSecret: string): ClientMetadata {
  const hasRedirects = app.redirectUris.length > 0;
  const grantTypes = ['refresh_token'];
  if (hasRedirects) grantTypes.push('authorization_code');
  const responseTypes = hasRedirects ? responseTypesFor(app) : [];
  if (responseTypes.some((t) => t !== 'code')) grantTypes.push('implicit');
  if (app.confidential) {
    grantTypes.push('client_credentials', 'password', 'urn:ietf:params:oauth:grant-type:jwt-bearer');
  }
  if (app.allowPublicClientFlows) {
    grantTypes.push('password', 'urn:ietf:params:oauth:grant-type:device_code');
  }
  return {
    client_id: app.clientId,
    client_name: app.displayName,
    application_type: 'web',
    redirect_uris: [...app.redirectUris],
    response_types: responseTypes,
    grant_types: [...new Set(grantTypes)],
    // client_secret_post also admits client_secret_basic in oidc-provider's token endpoint auth.
    token_endpoint_auth_method: app.confidential ? 'client_secret_post' : 'none',
    ...(app.confidential ? { client_secret: internalSecret } : {}),
  };
}

function requestedScope(ctx: KoaContextWithOIDC): string {
  const source: unknown = ctx.method === 'POST' ? ctx.oidc.body : ctx.query;
  const scope = (source as Record<string, unknown> | undefined)?.['scope'];
  return typeof scope === 'string' ? scope : '';
}

async function restoreOfflineAccess(ctx: KoaContextWithOIDC): Promise<void> {
  const { params } = ctx.oidc;
  if (!params) return;
  const current = typeof params['scope'] === 'string' ? params['scope'] : '';
  const asked = requestedScope(ctx).split(' ').includes('offline_access');
  if (asked && !current.split(' ').includes('offline_access')) {
    params['scope'] = current ? `${current} offline_access` : 'offline_access';
  }
}

async function findAccount(ctx: KoaContextWithOIDC, id: string): Promise<Account | undefined> {
  const user = findUserById(id);
  if (!user) return undefined;
  return {
    accountId: user.oid,
    async claims() {
      const clientId = ctx.oidc.client?.clientId ?? '';
      return {
        sub: pairwiseSubject(user.oid, clientId),
        oid: user.oid,
        tid: SANDBOX_TENANT.id,
        ver: '2.0',
        nbf: Math.floor(Date.now() / 1000),
        uti: newUti(),
        name: user.displayName,
        preferred_username: user.userPrincipalName,
        email: user.userPrincipalName,
      };
    },
  };
}

/**
 * Rewrites the JWT oidc-provider built into Entra's access-token shape, in the version Entra issues for
 * its resource (access-token-claims.ts).
 */
async function entraAccessToken(
  registry: AppRegistry,
  signInMethods: SignInMethods,
  kid: string | undefined,
  ctx: KoaContextWithOIDC,
  token: Parameters<NonNullable<NonNullable<NonNullable<Configuration['formats']>['customizers']>['jwt']>>[1],
  jwt: UnsignedJwt,
): Promise<UnsignedJwt> {
  // `identifier()` exists at runtime (lib/helpers/resource_server.js) but not in @types/oidc-provider.
  const resource = (token.resourceServer as { identifier?: () => string } | undefined)?.identifier?.();
  const app = registry.find(String(jwt.payload['client_id']));
  return shapeAccessToken(
    registry,
    ctx,
    { kind: token.kind, accountId: 'accountId' in token ? token.accountId : undefined, resource },
    jwt,
    { credential: azpacr(ctx, app), pairwiseSubject, kid, signInMethods },
  );
}

/** Builds the oidc-provider configuration for one sandbox instance. */
export function buildProviderConfig({
  keys,
  adapter,
  port,
  settings,
  registry,
  consents,
  signInMethods,
  maxArtifactLifetimeSeconds,
}: ProviderConfigInput): Configuration {
  return {
    adapter,
    // No static clients: oidc-provider caches those for good. It reads these through the adapter.
    clients: [],
    jwks: { keys: [keys.signingKey] },
    cookies: {
      // Suffixed with the port: every localhost port shares one cookie jar.
      names: {
        session: `sandbox_session_${port}`,
        interaction: `sandbox_interaction_${port}`,
        resume: `sandbox_resume_${port}`,
      },
      keys: [...keys.cookieKeys],
      // SameSite=None needs Secure, which plain-http localhost cannot set reliably.
      long: { httpOnly: true, sameSite: 'lax' },
      short: { httpOnly: true, sameSite: 'lax' },
    },
    claims: {
      openid: ['sub', 'tid', 'ver', 'nbf', 'uti'],
      profile: ['name', 'preferred_username', 'oid'],
      email: ['email'],
    },
    scopes: [...OIDC_SCOPES],
    responseTypes: [
      'code',
      'id_token',
      'code id_token',
      'code token',
      'id_token token',
      'code id_token token',
    ],
    pkce: {
      methods: ['S256'],
      // Entra requires PKCE only for SPA redirect URIs; the authorize gate enforces it (AADSTS9002325).
      required: () => false,
    },
    routes: ROUTES,
    extraParams: {
      domain_hint: null,
      client_info: null,
      [RESTORE_OFFLINE_ACCESS]: restoreOfflineAccess,
      [TOKEN_ONLY_MARKER]: null,
      // The tenant alias a sign-in began on, for the sign-in page's account-type check (tenant-audience.ts).
      [TENANT_ALIAS_PARAM]: null,
    },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      deviceFlow: {
        enabled: true,
        // Entra's user codes: 9 upper-case characters, no separator.
        charset: 'base-20',
        mask: '*********',
        userCodeInputSource,
        userCodeConfirmSource,
        successSource,
      },
      userinfo: { enabled: false },
      rpInitiatedLogout: { enabled: false },
      resourceIndicators: {
        enabled: true,
        // The gates always send explicit resource indicators; when a code or refresh token covers several,
        // the token request's `scope` chose one (Entra: one resource per token request).
        defaultResource: (_ctx, _client, oneOf) => oneOf?.[0] ?? [],
        getResourceServerInfo: (_ctx, identifier) => resourceServerInfo(identifier),
        // Without this a code that includes `openid` would be exchanged for an opaque userinfo token.
        useGrantedResource: () => true,
      },
    },
    formats: {
      customizers: {
        jwt: (ctx, token, jwt) =>
          entraAccessToken(registry, signInMethods, keys.signingKey.kid, ctx, token, jwt),
      },
    },
    clientBasedCORS: (_ctx, _origin, client) => registry.find(client.clientId)?.platform === 'spa',
    // Every refresh issues a new refresh token; the adapter decides whether the old one is consumed.
    rotateRefreshToken: true,
    ttl: capLifetimes(
      {
        AccessToken: accessTokenTtl,
        AuthorizationCode: 600,
        BackchannelAuthenticationRequest: 600,
        ClientCredentials: accessTokenTtl,
        DeviceCode: () => settings.deviceCodeLifetimeSeconds,
        Grant: 90 * 24 * 3600,
        IdToken: 3600,
        Interaction: INTERACTION_TTL_SECONDS,
        // Entra: 24 h fixed for SPA redirect URIs (a redeemed token does not extend it), 90 days otherwise.
        RefreshToken: (ctx, _token, client) => {
          if (registry.find(client.clientId)?.platform !== 'spa') return 90 * 24 * 3600;
          const previous = ctx?.oidc.entities.RotatedRefreshToken;
          return previous ? previous.remainingTTL : 24 * 3600;
        },
        Session: 24 * 3600,
      },
      maxArtifactLifetimeSeconds,
    ),
    interactions: { url: (_ctx, interaction) => `${INTERACTION_PREFIX}${interaction.uid}` },
    renderError: renderProviderError,
    findAccount,
    loadExistingGrant: (ctx) => loadExistingGrant(ctx, registry, consents),
  };
}

/** Every permission an app registration may be granted: its API permissions plus the OIDC scopes. */
export function allPermissions(app: AppRegistration): string[] {
  return [
    ...OIDC_SCOPES,
    ...Object.entries(app.delegatedPermissions).flatMap(([resource, values]) =>
      values.map((v) => `${resource}/${v}`),
    ),
  ];
}

/**
 * oidc-provider's grant for a sign-in, with Entra's consent model on top: a revoked user sees the
 * consent page again even within a session that consented before; admin consent, or consent recorded for
 * the user (portal, or "Remember consent"), covers a new browser session too.
 */
async function loadExistingGrant(
  ctx: KoaContextWithOIDC,
  registry: AppRegistry,
  consents: ConsentStore,
): Promise<InstanceType<Provider['Grant']> | undefined> {
  const { provider, client, session, result } = ctx.oidc;
  const finished = (result?.['consent'] as { grantId?: string } | undefined)?.grantId;
  if (finished) return provider.Grant.find(finished);
  const accountId = session?.accountId;
  if (!client || !accountId) return undefined;
  const state = await consents.state(accountId, client.clientId);
  if (state.kind === 'revoked') return undefined;
  const sessionGrantId = session.grantIdFor(client.clientId);
  let grant = sessionGrantId ? await provider.Grant.find(sessionGrantId) : undefined;
  const app = registry.find(client.clientId);
  const recorded =
    state.kind === 'admin' && app ? allPermissions(app) : state.kind === 'granted' ? state.scopes : [];
  if (recorded.length === 0) return grant;
  grant ??= new provider.Grant({ accountId, clientId: client.clientId });
  const oidc = recorded.filter((s) => (OIDC_SCOPES as readonly string[]).includes(s));
  if (oidc.length) grant.addOIDCScope(oidc.join(' '));
  for (const scope of recorded) {
    const permission = splitPermission(scope);
    if (permission) grant.addResourceScope(permission.api.identifier, scope);
  }
  await grant.save();
  return grant;
}
