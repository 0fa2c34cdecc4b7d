/**
 * Entra's checks on a token request, run before oidc-provider sees it: client identification and
 * authentication errors, the SPA cross-origin rule, code replay (answered without revoking anything, as
 * Entra does) and Entra's scope grammar, which is rewritten into RFC 8707 resource indicators.
 */
import type { ArtifactStore } from './adapter.ts';
import { aadsts, type EntraError } from './entra-errors.ts';
import { findApi, findApp, isConfidential } from './directory.ts';
import { resolveScopes, toProviderScope } from './scopes.ts';
import { SANDBOX_TENANT, type SandboxApp } from './seed.ts';

/** What to do with a token request. */
export type TokenDecision =
  | {
      readonly action: 'continue';
      readonly params: URLSearchParams;
      readonly allowOrigin: string | undefined;
    }
  | { readonly action: 'error'; readonly error: EntraError; readonly allowOrigin: string | undefined };

/** A token request as the HTTP layer saw it. */
export interface TokenRequestInput {
  readonly params: URLSearchParams;
  readonly authorization: string | undefined;
  readonly origin: string | undefined;
  readonly tenantKind: 'tenant' | 'alias';
  readonly store: ArtifactStore;
}

const USER_GRANTS = new Set(['authorization_code', 'refresh_token']);

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
export function checkTokenRequest(input: TokenRequestInput): TokenDecision {
  const params = new URLSearchParams(input.params);
  let allowOrigin: string | undefined;
  const fail = (error: EntraError): TokenDecision => ({ action: 'error', error, allowOrigin });

  const grantType = params.get('grant_type');
  if (!grantType) return fail(aadsts.missingParameter('grant_type'));
  const basic = parseBasic(input.authorization);
  const clientId = params.get('client_id') ?? basic?.id;
  if (!clientId) return fail(aadsts.missingParameter('client_id'));
  const app = findApp(clientId);
  if (!app) return fail(aadsts.unknownClient(clientId, SANDBOX_TENANT.displayName));

  // Entra: only codes and refresh tokens issued to an SPA redirect URI may be redeemed cross-origin, and
  // those may only be redeemed cross-origin. Other clients get 9002326 and no CORS headers.
  if (input.origin !== undefined) {
    if (app.platform !== 'spa') return fail(aadsts.crossOriginNotSpa(input.origin));
    allowOrigin = input.origin;
  } else if (app.platform === 'spa' && USER_GRANTS.has(grantType)) {
    return fail(aadsts.spaWithoutOrigin());
  }

  const credentialError = checkCredentials(
    app,
    params.get('client_secret') ?? basic?.secret,
    params.has('client_assertion'),
    grantType,
  );
  if (credentialError) return fail(credentialError);
  if (params.has('resource')) return fail(aadsts.resourceParameter());

  const grantError =
    grantType === 'authorization_code'
      ? checkCode(app, params, input.store)
      : grantType === 'refresh_token'
        ? checkRefreshToken(app, params, input.store)
        : grantType === 'client_credentials'
          ? checkClientCredentials(params, input.tenantKind)
          : undefined;
  if (grantError) return fail(grantError);
  return { action: 'continue', params, allowOrigin };
}

function checkCredentials(
  app: SandboxApp,
  secret: string | undefined,
  hasAssertion: boolean,
  grantType: string,
): EntraError | undefined {
  if (!isConfidential(app)) {
    if (secret !== undefined || hasAssertion) return aadsts.publicClientCredential();
    return grantType === 'client_credentials' ? aadsts.missingCredential() : undefined;
  }
  if (hasAssertion) return aadsts.unsupportedAssertion();
  if (secret === undefined || secret === '') return aadsts.missingCredential();
  return secret === app.clientSecret ? undefined : aadsts.invalidSecret(app.clientId);
}

/** Entra: one resource per token request; the scope picks it among those the code or token covers. */
function applyScope(app: SandboxApp, params: URLSearchParams): EntraError | undefined {
  const scope = params.get('scope');
  if (!scope?.trim()) return undefined;
  const resolved = resolveScopes(app, scope);
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

function checkCode(app: SandboxApp, params: URLSearchParams, store: ArtifactStore): EntraError | undefined {
  const code = params.get('code');
  if (!code) return aadsts.missingParameter('code');
  if (!params.get('redirect_uri')) return aadsts.missingParameter('redirect_uri');
  const stored = store.find('AuthorizationCode', code);
  if (!stored || stored.clientId !== app.clientId) return aadsts.invalidCode();
  if (isExpired(stored)) return aadsts.expiredGrant();
  // Entra answers a replayed code with 54005 and revokes nothing; oidc-provider would revoke the grant.
  if (stored.consumed) return aadsts.codeRedeemed();
  return applyScope(app, params);
}

function checkRefreshToken(
  app: SandboxApp,
  params: URLSearchParams,
  store: ArtifactStore,
): EntraError | undefined {
  const token = params.get('refresh_token');
  if (!token) return aadsts.missingParameter('refresh_token');
  const stored = store.find('RefreshToken', token);
  if (!stored || stored.clientId !== app.clientId)
    return aadsts.malformed('refresh_token is unknown to the sandbox or was issued to another client');
  if (isExpired(stored)) return aadsts.expiredGrant();
  return applyScope(app, params);
}

function checkClientCredentials(
  params: URLSearchParams,
  tenantKind: 'tenant' | 'alias',
): EntraError | undefined {
  // Client credentials act as the app itself, so Entra needs to know which tenant it is in.
  if (tenantKind === 'alias') return aadsts.tenantRequired();
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
