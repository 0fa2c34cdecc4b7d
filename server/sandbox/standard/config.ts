/**
 * oidc-provider configuration of the standards issuer (`${origin}/standard`): the library's own endpoint
 * paths, and every standard feature the lab teaches switched on — PAR, JAR, JARM, DPoP with server
 * nonces, introspection, revocation, userinfo, RP-initiated and back-channel logout, dynamic client
 * registration with management, the device flow, resource indicators with RFC 9068 JWT access tokens.
 */
import type { Account, AdapterConstructor, Configuration, KoaContextWithOIDC } from 'oidc-provider';
import { errors } from 'oidc-provider';
import { findUserById } from '../directory.ts';
import { API_SCOPE, CLIENT_AUTH_METHODS } from './clients.ts';
import { STANDARD_INTERACTION_PREFIX } from './interactions.ts';
import type { StandardKeys } from './keys.ts';
import type { TenantPart, TenantState } from '../tenant-state.ts';
import {
  logoutSource,
  postLogoutSuccessSource,
  renderStandardError,
  standardDeviceSuccessSource,
  standardUserCodeConfirmSource,
  standardUserCodeInputSource,
} from './pages.ts';

/** Settings that change at run time (the standards portal API changes the same object). */
export interface StandardSettings {
  /** RFC 9126 §2.2: lifetime of a pushed request's `request_uri`, seconds (oidc-provider caps it at 60). */
  parRequestUriLifetimeSeconds: number;
  /** RFC 9449 §8: require a server-provided nonce in DPoP proofs (answer `use_dpop_nonce` without one). */
  dpopNonceRequired: boolean;
}

/** Defaults of {@link StandardSettings}. */
export const DEFAULT_STANDARD_SETTINGS: Readonly<StandardSettings> = {
  parRequestUriLifetimeSeconds: 60,
  dpopNonceRequired: true,
};

/**
 * The standards issuer's settings as the tenant state part `standard-settings` (tenant-state.ts): `live`
 * is the object the configuration reads, updated in place when any instance changes a setting; a stored
 * value absent means the settings this instance started with.
 */
export class SharedStandardSettings implements TenantPart {
  /** The tenant state part name. */
  readonly name = 'standard-settings';
  readonly #initial: Readonly<StandardSettings>;
  readonly #tenant: TenantState;

  constructor(
    readonly live: StandardSettings,
    tenant: TenantState,
  ) {
    this.#initial = { ...live };
    this.#tenant = tenant;
    tenant.register(this);
  }

  load(value: unknown): void {
    Object.assign(this.live, this.#initial, (value ?? {}) as Partial<StandardSettings>);
  }

  /** Applies a validated change for every instance; resolves once stored and applied here. */
  async change(patch: Partial<StandardSettings>): Promise<void> {
    await this.#tenant.write<Partial<StandardSettings>>(this.name, (current) => ({ ...current, ...patch }));
  }
}

/** Signing algorithms offered for JAR, JARM, client assertions and DPoP proofs. */
const SIGNING_ALGS = ['HS256', 'RS256', 'PS256', 'ES256'] as const;
const ASYMMETRIC_ALGS = ['RS256', 'PS256', 'ES256'] as const;

/** Client metadata holding URLs the sandbox itself requests (RFC 7591 §2, Back-Channel Logout §2.2). */
const OUTBOUND_URI_METADATA = ['jwks_uri', 'sector_identifier_uri', 'backchannel_logout_uri'] as const;

function isLoopbackUrl(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return (
      (url.protocol === 'http:' || url.protocol === 'https:') &&
      ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname)
    );
  } catch {
    return false;
  }
}

/** Inputs of {@link buildStandardConfig}. */
export interface StandardConfigInput {
  readonly keys: StandardKeys;
  readonly adapter: AdapterConstructor;
  readonly port: number;
  /** The protected resource's identifier, RFC 8707 (`${issuer}/api`). */
  readonly resource: string;
  readonly settings: Readonly<StandardSettings>;
}

async function findAccount(_ctx: KoaContextWithOIDC, id: string): Promise<Account | undefined> {
  const user = findUserById(id);
  if (!user) return undefined;
  return {
    accountId: user.oid,
    async claims() {
      return {
        sub: user.oid,
        name: user.displayName,
        given_name: user.givenName,
        family_name: user.surname,
        preferred_username: user.userPrincipalName,
        email: user.userPrincipalName,
        email_verified: true,
      };
    },
  };
}

function requestedScope(ctx: KoaContextWithOIDC): string[] {
  const scope = ctx.oidc.params?.['scope'];
  return typeof scope === 'string' ? scope.split(' ') : [];
}

/** Builds the configuration of the standards issuer. */
export function buildStandardConfig({
  keys,
  adapter,
  port,
  resource,
  settings,
}: StandardConfigInput): Configuration {
  return {
    adapter,
    // Seeded and registered clients are both read through the adapter (clients.ts, the store).
    clients: [],
    jwks: { keys: keys.signingKeys.map((k) => ({ ...k })) as NonNullable<Configuration['jwks']>['keys'] },
    cookies: {
      // Suffixed with the port (every localhost port shares one cookie jar) and apart from the tenant's.
      names: {
        session: `standard_session_${port}`,
        interaction: `standard_interaction_${port}`,
        resume: `standard_resume_${port}`,
      },
      keys: [...keys.cookieKeys],
      long: { httpOnly: true, sameSite: 'lax' },
      short: { httpOnly: true, sameSite: 'lax' },
    },
    claims: {
      openid: ['sub'],
      profile: ['name', 'given_name', 'family_name', 'preferred_username'],
      email: ['email', 'email_verified'],
    },
    scopes: ['openid', 'offline_access', 'profile', 'email'],
    responseTypes: ['code'],
    // Introspection and revocation authenticate clients as the token endpoint does (the library has no
    // separate setting, so the lists are published as the same).
    discovery: {
      introspection_endpoint_auth_methods_supported: [...CLIENT_AUTH_METHODS],
      introspection_endpoint_auth_signing_alg_values_supported: [...SIGNING_ALGS],
      revocation_endpoint_auth_methods_supported: [...CLIENT_AUTH_METHODS],
      revocation_endpoint_auth_signing_alg_values_supported: [...SIGNING_ALGS],
    },
    clientAuthMethods: [...CLIENT_AUTH_METHODS],
    pkce: {
      methods: ['S256'],
      // RFC 9700 §2.1.1: PKCE for every public client; confidential clients may omit it here.
      required: (_ctx, client) => client.clientAuthMethod === 'none',
    },
    enabledJWA: {
      clientAuthSigningAlgValues: [...SIGNING_ALGS],
      requestObjectSigningAlgValues: [...SIGNING_ALGS],
      authorizationSigningAlgValues: [...ASYMMETRIC_ALGS],
      idTokenSigningAlgValues: [...ASYMMETRIC_ALGS],
      userinfoSigningAlgValues: [...ASYMMETRIC_ALGS],
      introspectionSigningAlgValues: [...ASYMMETRIC_ALGS],
      dPoPSigningAlgValues: ['ES256', 'RS256', 'PS256', 'EdDSA'],
    },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: {
        enabled: true,
        // RFC 7662 §4: a public client may only introspect its own tokens.
        allowedPolicy: async (ctx, client, token) =>
          client.clientAuthMethod !== 'none' || token.clientId === ctx.oidc.client?.clientId,
      },
      revocation: { enabled: true },
      userinfo: { enabled: true },
      rpInitiatedLogout: { enabled: true, logoutSource, postLogoutSuccessSource },
      backchannelLogout: { enabled: true },
      registration: {
        enabled: true,
        // Open registration (RFC 7591 §3 allows it): a local sandbox.
        initialAccessToken: false,
      },
      registrationManagement: { enabled: true, rotateRegistrationAccessToken: false },
      pushedAuthorizationRequests: { enabled: true, requirePushedAuthorizationRequests: false },
      requestObjects: { request: true, requestUri: false, requireSignedRequestObject: false },
      jwtResponseModes: { enabled: true },
      dPoP: {
        enabled: true,
        nonceSecret: Buffer.from(keys.dpopNonceSecret, 'base64url'),
        requireNonce: () => settings.dpopNonceRequired,
      },
      deviceFlow: {
        enabled: true,
        userCodeInputSource: standardUserCodeInputSource,
        userCodeConfirmSource: standardUserCodeConfirmSource,
        successSource: standardDeviceSuccessSource,
      },
      resourceIndicators: {
        enabled: true,
        // One resource here; a request that asks for its scope without naming it gets it.
        defaultResource: (ctx, _client, oneOf) => {
          if (oneOf) return oneOf;
          // The library's type says string, but undefined (no resource: an opaque token) is what it expects.
          return (requestedScope(ctx).includes(API_SCOPE) ? resource : undefined) as string;
        },
        getResourceServerInfo: (_ctx, indicator) => {
          // RFC 8707 §2: an unknown resource is `invalid_target`.
          if (indicator !== resource) throw new errors.InvalidTarget(`unknown resource ${indicator}`);
          return {
            scope: API_SCOPE,
            audience: resource,
            accessTokenTTL: 3600,
            // RFC 9068: JWT access tokens (typ at+jwt) for the resource.
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'RS256' } },
          };
        },
        // Without `resource` a code with `openid` gives an opaque token for userinfo.
        useGrantedResource: () => false,
      },
    },
    // The sandbox fetches a client's jwks_uri and sector_identifier_uri and posts logout tokens to its
    // backchannel_logout_uri: open registration must not make it call anything but this machine.
    extraClientMetadata: {
      properties: [...OUTBOUND_URI_METADATA],
      validator: (_ctx, key, value) => {
        if (!(OUTBOUND_URI_METADATA as readonly string[]).includes(key) || value === undefined) return;
        if (!isLoopbackUrl(value)) {
          throw new errors.InvalidClientMetadata(
            `${key} must be an http(s) URL on localhost, 127.0.0.1 or [::1]: the sandbox calls it and only calls this machine`,
          );
        }
      },
    },
    // A local sandbox: every client may call the token, PAR, introspection, revocation and userinfo
    // endpoints from a browser.
    clientBasedCORS: () => true,
    rotateRefreshToken: true,
    ttl: {
      AccessToken: 3600,
      AuthorizationCode: 600,
      BackchannelAuthenticationRequest: 600,
      ClientCredentials: 3600,
      DeviceCode: 600,
      Grant: 14 * 24 * 3600,
      IdToken: 3600,
      Interaction: 3600,
      RefreshToken: 14 * 24 * 3600,
      Session: 24 * 3600,
    },
    interactions: { url: (_ctx, interaction) => `${STANDARD_INTERACTION_PREFIX}${interaction.uid}` },
    renderError: renderStandardError,
    findAccount,
  };
}
