/**
 * Entra's checks on a token request, run before oidc-provider sees it: client identification and
 * authentication (secret or certificate assertion), the SPA cross-origin rule, code replay (answered
 * without revoking anything, as Entra does), Entra's scope grammar (rewritten into RFC 8707 resource
 * indicators) and the per-grant rules of client credentials, ROPC, device code and on-behalf-of.
 */
import type { SignInMethods } from './access-token-claims.ts';
import type { ArtifactStore } from './adapter.ts';
import type { CertificateStore } from './certificates.ts';
import type { ConsentStore } from './consents.ts';
import { assertionSubject, verifyClientAssertion } from './client-assertion.ts';
import { checkDevicePoll, DEVICE_CODE_GRANT } from './device-flow.ts';
import type { DevicePollRegistry } from './device-polling.ts';
import { aadsts, type EntraError } from './entra-errors.ts';
import { findApi, findUserByName, type TenantSegment } from './directory.ts';
import type { SmartLockout } from './lockout.ts';
import { checkOnBehalfOf, OBO_GRANT } from './obo-grant.ts';
import type { AppRegistration, AppRegistry } from './registrations.ts';
import { checkPassword } from './ropc-grant.ts';
import { OIDC_SCOPES, resolveScopes, toProviderScope } from './scopes.ts';
import { SANDBOX_TENANT } from './seed.ts';
import type { ClientCredentialKind } from './request-marks.ts';
import type { SandboxSettings } from './settings.ts';
import type { SandboxTokenVerifier } from './token-verifier.ts';

/** What to do with a token request. */
export type TokenDecision =
  | {
      readonly action: 'continue';
      readonly params: URLSearchParams;
      readonly allowOrigin: string | undefined;
      readonly credential: ClientCredentialKind;
    }
  | { readonly action: 'error'; readonly error: EntraError; readonly allowOrigin: string | undefined };

/** A token request as the HTTP layer saw it. */
export interface TokenRequestInput {
  readonly params: URLSearchParams;
  readonly authorization: string | undefined;
  /** The request's `Origin` header (present on browser requests). */
  readonly origin: string | undefined;
  readonly tenant: TenantSegment;
}

/** Per-instance state the gate consults. */
export interface TokenGateDeps {
  readonly store: ArtifactStore;
  readonly certificates: CertificateStore;
  /** The live app registrations (platform, secrets, public client flows). */
  readonly registry: AppRegistry;
  readonly consents: ConsentStore;
  readonly devicePolls: DevicePollRegistry;
  /** Smart lockout counters (the password grant counts wrong passwords there). */
  readonly lockout: SmartLockout;
  readonly verifyToken: SandboxTokenVerifier;
  /** The sign-in methods behind v2.0 user tokens (on-behalf-of's Conditional Access reads them). */
  readonly signInMethods: SignInMethods;
  /** The sandbox's own origin, `http://localhost:<port>` (client assertion audiences). */
  readonly sandboxOrigin: string;
  /** Runtime settings (SPA refresh token lifetime, APIs that require MFA). */
  readonly settings: Readonly<SandboxSettings>;
}

/** The short `grant_type` MSAL sends when polling for a device code (RFC 8628's is the URN). */
const DEVICE_CODE_SHORT_GRANT = 'device_code';
const USER_GRANTS = new Set(['authorization_code', 'refresh_token']);
/** Grants Entra lets a public client use only when "Allow public client flows" is on. */
const PUBLIC_CLIENT_FLOWS = new Set(['password', DEVICE_CODE_GRANT]);
/** Grants that act as (or for) the app itself and therefore always need a credential. */
const CONFIDENTIAL_ONLY = new Set(['client_credentials', OBO_GRANT]);

function parseBasic(header: string | undefined): { id: string; secret: string } | undefined {
  const match = /^basic\s+(\S+)$/i.exec(header ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) return undefined;
  // RFC 6749 §2.3.1: client id and secret are form-urlencoded before Basic encoding.
  const unescape = (v: string): string => decodeURIComponent(v.replace(/\+/g, '%20'));
  try {
    return { id: unescape(decoded.slice(0, colon)), secret: unescape(decoded.slice(colon + 1)) };
  } catch {
    return undefined;
  }
}

/** Checks a token request the way Entra does and rewrites it for oidc-provider. */
export async function checkTokenRequest(
  input: TokenRequestInput,
  deps: TokenGateDeps,
): Promise<TokenDecision> {
  const params = new URLSearchParams(input.params);
  let allowOrigin: string | undefined;
  const fail = (error: EntraError): TokenDecision => ({ action: 'error', error, allowOrigin });

  let grantType = params.get('grant_type');
  if (!grantType) return fail(aadsts.missingParameter('grant_type'));
  // MSAL (msal-common GrantType.DEVICE_CODE_GRANT) polls with `grant_type=device_code`, which Entra
  // accepts beside the RFC 8628 §3.4 URN its docs name
  // (https://learn.microsoft.com/entra/identity-platform/v2-oauth2-device-code#authenticating-the-user):
  // the same grant, passed on under the URN oidc-provider knows.
  if (grantType === DEVICE_CODE_SHORT_GRANT) {
    grantType = DEVICE_CODE_GRANT;
    params.set('grant_type', DEVICE_CODE_GRANT);
  }
  const basic = parseBasic(input.authorization);
  const assertion = params.get('client_assertion');
  const clientId =
    params.get('client_id') ?? basic?.id ?? (assertion ? assertionSubject(assertion) : undefined);
  if (!clientId) return fail(aadsts.missingParameter('client_id'));
  const app = deps.registry.find(clientId);
  if (!app) return fail(aadsts.unknownClient(clientId, SANDBOX_TENANT.displayName));
  if (!params.has('client_id') && !basic) params.set('client_id', app.clientId);

  // Entra: only codes and refresh tokens issued to an SPA redirect URI may be redeemed cross-origin, and
  // those may only be redeemed cross-origin. Every other request with an Origin (a confidential or
  // public client's code, client credentials, ROPC, device code, on-behalf-of) gets 9002326 and no CORS
  // headers, so a browser only sees a CORS failure.
  if (input.origin !== undefined) {
    if (app.platform !== 'spa' || !USER_GRANTS.has(grantType))
      return fail(aadsts.crossOriginNotSpa(input.origin));
    allowOrigin = input.origin;
  } else if (app.platform === 'spa' && USER_GRANTS.has(grantType)) {
    return fail(aadsts.spaWithoutOrigin());
  }

  const credential = await authenticateClient(app, params, basic?.secret, grantType, deps);
  if ('error' in credential) return fail(credential.error);
  if (params.has('resource')) return fail(aadsts.resourceParameter());

  const grantError = await checkGrant(app, grantType, params, input.tenant, deps);
  if (grantError) return fail(grantError);
  return { action: 'continue', params, allowOrigin, credential: credential.kind };
}

async function checkGrant(
  app: AppRegistration,
  grantType: string,
  params: URLSearchParams,
  tenant: TenantSegment,
  deps: TokenGateDeps,
): Promise<EntraError | undefined> {
  switch (grantType) {
    case 'authorization_code':
      return checkCode(app, params, deps.store);
    case 'refresh_token':
      return checkRefreshToken(app, params, deps);
    case 'client_credentials':
      return checkClientCredentials(params, tenant);
    case 'password':
      return (
        (await checkPassword(app, params, tenant, deps.lockout)) ??
        (await checkPasswordConsent(app, params, deps.consents))
      );
    case DEVICE_CODE_GRANT:
      return checkDevicePoll(app, params, deps.devicePolls, deps.store);
    case OBO_GRANT:
      return checkOnBehalfOf(app, params, tenant, deps.verifyToken, deps.settings, deps.signInMethods);
    default:
      return undefined;
  }
}

/**
 * Client authentication as Entra does it, against the app's current secrets and certificates. A verified
 * credential is replaced by the internal secret of oidc-provider's client metadata before the request
 * reaches it.
 */
async function authenticateClient(
  app: AppRegistration,
  params: URLSearchParams,
  basicSecret: string | undefined,
  grantType: string,
  deps: TokenGateDeps,
): Promise<{ readonly kind: ClientCredentialKind } | { readonly error: EntraError }> {
  const secret = params.get('client_secret') ?? basicSecret;
  const assertion = params.get('client_assertion');
  // A Web app is a confidential client even with no credential left: what it presents is checked (and
  // fails with AADSTS7000215 / 700027) rather than refused as coming from a public client.
  const presented = secret !== undefined || assertion !== null;
  if (!app.confidential && !(app.platform === 'web' && presented)) {
    if (secret !== undefined || assertion !== null) return { error: aadsts.publicClientCredential() };
    if (CONFIDENTIAL_ONLY.has(grantType)) return { error: aadsts.missingCredential() };
    // Entra: with "Allow public client flows" off the app is treated as confidential for these grants.
    if (PUBLIC_CLIENT_FLOWS.has(grantType) && !app.allowPublicClientFlows)
      return { error: aadsts.missingCredential() };
    return { kind: 'none' };
  }
  if (assertion !== null) {
    const error = await verifyClientAssertion({
      assertion,
      assertionType: params.get('client_assertion_type'),
      clientId: app.clientId,
      certificates: deps.certificates,
      origin: deps.sandboxOrigin,
    });
    if (error) return { error };
    params.delete('client_assertion');
    params.delete('client_assertion_type');
    presentInternalSecret(app, params, deps.registry);
    return { kind: 'certificate' };
  }
  if (secret === undefined || secret === '') return { error: aadsts.missingCredential() };
  const verdict = deps.registry.verifySecret(app.clientId, secret);
  if (verdict === 'expired') return { error: aadsts.expiredSecret(app.clientId) };
  if (verdict === 'invalid') return { error: aadsts.invalidSecret(app.clientId) };
  presentInternalSecret(app, params, deps.registry);
  return { kind: 'secret' };
}

/** Puts the credential oidc-provider expects in the body (the caller drops any Basic header). */
function presentInternalSecret(app: AppRegistration, params: URLSearchParams, registry: AppRegistry): void {
  params.set('client_id', app.clientId);
  params.set('client_secret', registry.internalSecret(app.clientId));
}

const OIDC_SET: ReadonlySet<string> = new Set(OIDC_SCOPES);

/** The API permissions among fully-qualified scopes (consent is about these; OIDC scopes come with them). */
function permissionsOf(scope: string | null | undefined): string[] {
  return (scope ?? '').split(' ').filter((s) => s && !OIDC_SET.has(s));
}

/**
 * Entra: the password grant cannot show a consent page, so consent must already be recorded — by the
 * user in an earlier interactive sign-in, on the portal, or by an admin for everyone — or the answer is
 * AADSTS65001 with `suberror: consent_required`
 * (https://learn.microsoft.com/entra/identity-platform/v2-oauth-ropc: "the user must have consented").
 */
async function checkPasswordConsent(
  app: AppRegistration,
  params: URLSearchParams,
  consents: ConsentStore,
): Promise<EntraError | undefined> {
  const user = findUserByName(params.get('username') ?? '');
  if (!user) return undefined;
  return (await consents.covers(user.oid, app.clientId, permissionsOf(params.get('scope'))))
    ? undefined
    : aadsts.consentRequired(app.clientId, app.displayName);
}

/** Entra: one resource per token request; the scope picks it among those the code or token covers. */
function applyScope(app: AppRegistration, params: URLSearchParams): EntraError | undefined {
  const scope = params.get('scope');
  if (!scope?.trim()) return undefined;
  // The code or refresh token covers what was consented, dynamically too; oidc-provider checks the grant.
  const resolved = resolveScopes(app, scope, { dynamic: true });
  if (!resolved.ok) return resolved.error;
  const resources = [...resolved.scopes.resources.keys()];
  if (resources.length > 1) return aadsts.multipleResources(scope);
  params.set('scope', toProviderScope(resolved.scopes));
  if (resources[0]) params.set('resource', resources[0]);
  return undefined;
}

function isExpired(payload: { exp?: number | undefined }): boolean {
  return payload.exp !== undefined && payload.exp * 1000 <= Date.now();
}

async function checkCode(
  app: AppRegistration,
  params: URLSearchParams,
  store: ArtifactStore,
): Promise<EntraError | undefined> {
  const code = params.get('code');
  if (!code) return aadsts.missingParameter('code');
  if (!params.get('redirect_uri')) return aadsts.missingParameter('redirect_uri');
  const stored = await store.find('AuthorizationCode', code);
  if (!stored || stored.clientId !== app.clientId) return aadsts.invalidCode();
  if (isExpired(stored)) return aadsts.expiredGrant();
  // Entra answers a replayed code with 54005 and revokes nothing; oidc-provider would revoke the grant.
  if (stored.consumed) return aadsts.codeRedeemed();
  return applyScope(app, params);
}

async function checkRefreshToken(
  app: AppRegistration,
  params: URLSearchParams,
  { store, consents, settings }: TokenGateDeps,
): Promise<EntraError | undefined> {
  const token = params.get('refresh_token');
  if (!token) return aadsts.missingParameter('refresh_token');
  const stored = await store.find('RefreshToken', token);
  if (!stored || stored.clientId !== app.clientId)
    return badToken(
      aadsts.malformed('refresh_token is unknown to the sandbox or was issued to another client'),
    );
  if (isExpired(stored)) return badToken(aadsts.expiredGrant());
  // Entra: a single-page app's refresh token has a fixed lifetime from the sign-in, which redeeming it
  // does not extend (https://learn.microsoft.com/entra/identity-platform/refresh-tokens#token-lifetime).
  if (app.platform === 'spa') {
    const signedInAt = typeof stored['authTime'] === 'number' ? stored['authTime'] : stored.iat;
    const lifetime = settings.spaRefreshTokenLifetimeSeconds;
    if (typeof signedInAt === 'number' && (signedInAt + lifetime) * 1000 <= Date.now()) {
      return badToken(aadsts.spaRefreshTokenExpired(lifetime, new Date(signedInAt * 1000)));
    }
  }
  const scopeError = applyScope(app, params);
  if (scopeError) return scopeError;
  // Entra: revoking consent stops refresh tokens issued under it (AADSTS65001), until consent returns.
  const asked = permissionsOf(params.get('scope') ?? stored.scope);
  if (stored.accountId && !(await consents.allowsSilent(stored.accountId, app.clientId, asked)))
    return aadsts.consentRequired(app.clientId, app.displayName);
  return undefined;
}

/**
 * A refresh token that can never be used again: Entra adds `suberror: bad_token` (as on its AADSTS50173
 * answers to MSAL's refresh requests), which MSAL reads as InteractionRequiredAuthError and on which it
 * drops the token from its cache
 * (https://learn.microsoft.com/javascript/api/@azure/msal-node/interactionrequiredautherrorcodes: badToken).
 */
function badToken(error: EntraError): EntraError {
  return { ...error, extra: { ...error.extra, suberror: 'bad_token' } };
}

function checkClientCredentials(params: URLSearchParams, tenant: TenantSegment): EntraError | undefined {
  // Client credentials act as the app itself, so Entra needs to know which tenant it is in.
  if (tenant.kind === 'alias') return aadsts.tenantRequired();
  const scope = params.get('scope')?.trim();
  if (!scope) return aadsts.missingParameter('scope');
  const parts = scope.split(' ').filter(Boolean);
  const only = parts[0];
  if (parts.length !== 1 || !only?.endsWith('/.default')) return aadsts.clientCredentialsScope(scope);
  const prefix = only.slice(0, -'/.default'.length);
  const api = findApi(prefix);
  if (!api) return aadsts.unknownResource(prefix, SANDBOX_TENANT.domain);
  params.delete('scope');
  params.set('resource', api.identifier);
  return undefined;
}
