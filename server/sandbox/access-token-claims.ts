/**
 * The claims and header of the access tokens the sandbox issues, in the version Entra would issue them:
 * - Microsoft Graph: v1.0 tokens with a header `nonce` only Graph can check (graph-token.ts);
 * - an API registered in the tenant: v1.0 unless its registration sets `accessTokenAcceptedVersion` to 2.
 * The version follows the resource, never the endpoint the client called (the sandbox has only v2.0 ones).
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/access-tokens#token-formats
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/access-token-claims-reference
 */
import { randomBytes } from 'node:crypto';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { findApi, findUserById, servicePrincipalId } from './directory.ts';
import { newSignedGraphNonce } from './graph-token.ts';
import { sandboxV1Issuer } from './issuers.ts';
import type { AppRegistration, AppRegistry } from './registrations.ts';
import type { SharedStore } from './store/shared-store.ts';
import { permissionValue } from './scopes.ts';
import { GRAPH_RESOURCE, SANDBOX_TENANT } from './seed.ts';

/** The JWT oidc-provider built, before signing (`formats.customizers.jwt`). */
export interface UnsignedJwt {
  header?: Record<string, unknown> | undefined;
  payload: Record<string, unknown>;
}

/** What the shaping needs to know of the token being issued. */
export interface IssuedToken {
  readonly kind: string;
  readonly accountId?: string | undefined;
  /** The resource indicator (RFC 8707) the token is for. */
  readonly resource: string | undefined;
}

/** An access token's version and, for v1.0, whether it is Graph's own kind. */
export type AccessTokenShape = 'graph-v1' | 'v1' | 'v2';

/**
 * Which version Entra issues for `resource`: Graph's own v1.0 form; for a tenant API its registration's
 * `accessTokenAcceptedVersion` (null or 1 → v1.0, 2 → v2.0).
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/reference-microsoft-graph-app-manifest#api-attributes
 */
export function accessTokenShape(registry: AppRegistry, resource: string | undefined): AccessTokenShape {
  if (resource === undefined || resource === GRAPH_RESOURCE.identifier) return 'graph-v1';
  const api = findApi(resource);
  const version = api ? registry.find(api.appId)?.accessTokenAcceptedVersion : null;
  return version === 2 ? 'v2' : 'v1';
}

/** A fresh `uti` (Entra's unique token identifier). */
function newUti(): string {
  return randomBytes(16).toString('base64url');
}

/** `https://host/{tid}/v2.0` → `https://host`: the origin the sandbox issues from. */
function originOf(v2Issuer: string): string {
  return v2Issuer.replace(/\/[^/]+\/v2\.0$/, '');
}

const METHODS_PREFIX = 'amr:';

/**
 * How the user signed in behind each v2.0 user token still valid, by its `uti`. v2.0 tokens carry no
 * `amr`, yet Entra still knows the sign-in behind one (Conditional Access on on-behalf-of decides from
 * it); the sandbox remembers it in the tenant's shared store (`amr:{uti}`), so an on-behalf-of request
 * sent to any instance finds it, and each record leaves the store when its token expires.
 */
export class SignInMethods {
  readonly #store: SharedStore;

  constructor(store: SharedStore) {
    this.#store = store;
  }

  /** Records the methods behind a token until its `exp` (seconds since the epoch). */
  async remember(uti: string, amr: readonly string[] | undefined, exp: unknown): Promise<void> {
    if (amr === undefined || amr.length === 0 || typeof exp !== 'number') return;
    const ttlMs = Math.floor(exp * 1000 - Date.now());
    if (ttlMs <= 0) return;
    await this.#store.set(`${METHODS_PREFIX}${uti}`, amr, { ttlMs });
  }

  /** The sign-in methods behind a v2.0 user token the sandbox issued (by `uti`), while it is valid. */
  async of(uti: unknown): Promise<readonly string[]> {
    if (typeof uti !== 'string' || uti === '') return [];
    return (await this.#store.get<string[]>(`${METHODS_PREFIX}${uti}`)) ?? [];
  }
}

/** v1.0's `amr`: how the user signed in, as the code, refresh token or device code recorded it. */
function signInMethods(ctx: KoaContextWithOIDC): { amr?: string[] } {
  const { entities } = ctx.oidc;
  const amr = (entities.AuthorizationCode ?? entities.RefreshToken ?? entities.DeviceCode)?.amr;
  return Array.isArray(amr) && amr.length > 0 ? { amr: amr.map(String) } : {};
}

/** The delegated scopes a user token carries, without resource prefixes, as `scp` has them. */
function delegatedScopes(ctx: KoaContextWithOIDC, scope: unknown, graph: boolean): string[] {
  const scp = String(scope ?? '')
    .split(' ')
    .filter(Boolean)
    .map(permissionValue);
  if (!graph && scp.length > 0) return scp;
  // Entra: a Graph token's scp also lists the OpenID scopes granted with it ("email openid profile
  // User.Read"), which is what lets Graph's UserInfo return the profile and email claims; a sign-in-only
  // request (OIDC scopes alone) yields a Graph token scoped to them.
  // https://learn.microsoft.com/en-us/entra/identity-platform/userinfo
  const { entities } = ctx.oidc;
  const model = entities.RefreshToken ?? entities.AuthorizationCode ?? entities.DeviceCode;
  const asked = typeof ctx.oidc.params?.['scope'] === 'string' ? ctx.oidc.params['scope'].split(' ') : [];
  // A refresh that names its scopes narrows the token to them (RFC 6749 §6); otherwise the grant's own.
  const granted = entities.RefreshToken && asked.length > 0 ? asked : [...(model?.scopes ?? asked)];
  const oidc = granted.filter((s) => s === 'openid' || s === 'profile' || s === 'email');
  return [...new Set([...oidc, ...scp])];
}

/** What the shaping needs besides the token. */
export interface AccessTokenOptions {
  /** Entra's `azpacr` / `appidacr`: 0 public client, 1 client secret, 2 certificate. */
  readonly credential: '0' | '1' | '2';
  /** Entra's per-application `sub` of a user. */
  readonly pairwiseSubject: (oid: string, appId: string) => string;
  /** The signing key's `kid` (the certificate thumbprint), repeated as `x5t` in v1.0 headers. */
  readonly kid: string | undefined;
  /** Where the sign-in methods behind v2.0 user tokens are remembered (on-behalf-of reads them). */
  readonly signInMethods: SignInMethods;
}

/**
 * Rewrites the JWT oidc-provider built into the claims and header Entra puts in an access token of the
 * resource's version.
 *
 * v2.0: `aud` is the API's client id, `iss` `{origin}/{tid}/v2.0`, `azp`/`azpacr`, `ver` "2.0".
 * v1.0: `aud` is the resource URI the request named (the App ID URI; Graph's `https://graph.microsoft.com`),
 * `iss` the sandbox's copy of `https://sts.windows.net/{tid}/`, `appid`/`appidacr`, `unique_name`, `upn`,
 * `ver` "1.0", and the header also carries `x5t` (= `kid`, the certificate thumbprint).
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/access-token-claims-reference#payload-claims
 */
export async function shapeAccessToken(
  registry: AppRegistry,
  ctx: KoaContextWithOIDC,
  token: IssuedToken,
  jwt: UnsignedJwt,
  options: AccessTokenOptions,
): Promise<UnsignedJwt> {
  const { credential, pairwiseSubject, kid } = options;
  const { payload } = jwt;
  const clientId = String(payload['client_id']);
  const app: AppRegistration | undefined = registry.find(clientId);
  const shape = accessTokenShape(registry, token.resource);
  const v1 = shape !== 'v2';
  const iat = Number(payload['iat']);
  const v2Issuer = String(payload['iss']);
  // access-token-claims-reference, aud: "In v2.0 tokens, this value is always the client ID of the API.
  // In v1.0 tokens, it can be the client ID or the resource URI used in the request."
  const aud = v1 && token.resource !== undefined ? token.resource : String(payload['aud']);
  const base = {
    aud,
    iss: v1 ? sandboxV1Issuer(originOf(v2Issuer), SANDBOX_TENANT.id) : v2Issuer,
    iat,
    nbf: iat,
    exp: payload['exp'],
  };
  const client = v1 ? { appid: clientId, appidacr: credential } : { azp: clientId, azpacr: credential };
  const ver = v1 ? '1.0' : '2.0';

  if (token.kind === 'ClientCredentials') {
    const roles = token.resource && app ? [...(app.applicationPermissions[token.resource] ?? [])] : [];
    // Entra: app-only tokens name the app's service principal in `oid` and `sub`; no roles when none granted.
    const principal = app ? servicePrincipalId(app) : clientId;
    jwt.payload = {
      ...base,
      ...client,
      idtyp: 'app',
      oid: principal,
      ...(roles.length ? { roles } : {}),
      sub: principal,
      tid: SANDBOX_TENANT.id,
      uti: newUti(),
      ver,
    };
  } else {
    const user = findUserById(String(token.accountId));
    const scp = delegatedScopes(ctx, payload['scope'], shape === 'graph-v1');
    const uti = newUti();
    if (!v1) await options.signInMethods.remember(uti, signInMethods(ctx).amr, payload['exp']);
    jwt.payload = {
      ...base,
      ...client,
      ...(v1 ? { ...signInMethods(ctx), family_name: user?.surname, given_name: user?.givenName } : {}),
      name: user?.displayName,
      oid: user?.oid,
      ...(v1 ? {} : { preferred_username: user?.userPrincipalName }),
      scp: scp.join(' '),
      // Entra's sub is pairwise per application: the API the token is for.
      sub: pairwiseSubject(String(token.accountId), String(payload['aud'])),
      tid: SANDBOX_TENANT.id,
      ...(v1 ? { unique_name: user?.userPrincipalName, upn: user?.userPrincipalName } : {}),
      uti,
      ver,
    };
  }
  jwt.header = {
    ...jwt.header,
    typ: 'JWT',
    // access-tokens#validate-tokens: Graph's tokens carry a header nonce (signed over its hash).
    ...(shape === 'graph-v1' ? { nonce: newSignedGraphNonce() } : {}),
    // access-tokens#header-claims: x5t "functions the same (in use and value) as kid", v1.0 tokens only.
    ...(v1 && typeof kid === 'string' ? { x5t: kid } : {}),
  };
  return jwt;
}
