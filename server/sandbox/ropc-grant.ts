/**
 * Resource owner password credentials (RFC 6749 §4.3) as Entra implements it: for public clients with
 * "Allow public client flows" and for confidential clients with their credential; never on `/common` or
 * `/consumers`; and, since a password cannot satisfy MFA, AADSTS50076 with a claims challenge for users
 * that need a second factor.
 */
import type { KoaContextWithOIDC } from 'oidc-provider';
import { aadsts, type EntraError } from './entra-errors.ts';
import { apiByIdentifier, findUserByName, type TenantSegment } from './directory.ts';
import { issueUserTokens } from './issue-user-tokens.ts';
import { OIDC_SCOPES, resolveScopes } from './scopes.ts';
import type { SmartLockout } from './lockout.ts';
import type { AppRegistration } from './registrations.ts';
import { GRAPH_RESOURCE } from './seed.ts';

/** RFC 6749 §4.3.2 grant type. */
export const PASSWORD_GRANT = 'password';

/** The parameters oidc-provider must pass through to the handler. */
export const PASSWORD_GRANT_PARAMS = ['username', 'password', 'scope', 'resource'];

const OIDC_SET: ReadonlySet<string> = new Set(OIDC_SCOPES);

/**
 * One resource per request (Entra): the scope's only resource, or Microsoft Graph for a sign-in-only
 * scope. Rewrites `scope` to fully-qualified values and sets `resource`.
 */
export function applyUserScope(app: AppRegistration, params: URLSearchParams): EntraError | undefined {
  const scope = params.get('scope');
  if (!scope?.trim()) return aadsts.missingParameter('scope');
  const resolved = resolveScopes(app, scope);
  if (!resolved.ok) return resolved.error;
  const resources = [...resolved.scopes.resources];
  if (resources.length > 1) return aadsts.multipleResources(scope);
  const [resource = GRAPH_RESOURCE.identifier, permissions = []] = resources[0] ?? [];
  params.set('scope', [...resolved.scopes.oidc, ...permissions].join(' '));
  params.set('resource', resource);
  return undefined;
}

/**
 * Entra's checks on a password grant request; rewrites the scope for the handler. Every password checked
 * for an existing user goes through smart lockout: a locked account gets AADSTS50053 (`invalid_grant`,
 * 400) even with the right password.
 */
export async function checkPassword(
  app: AppRegistration,
  params: URLSearchParams,
  tenant: TenantSegment,
  lockout: SmartLockout,
): Promise<EntraError | undefined> {
  if (tenant.kind === 'alias' && tenant.segment !== 'organizations') return aadsts.grantNotOnCommon();
  const username = params.get('username');
  if (!username) return aadsts.missingParameter('username');
  const password = params.get('password');
  if (!password) return aadsts.missingParameter('password');
  const scopeError = applyUserScope(app, params);
  if (scopeError) return scopeError;
  const user = findUserByName(username);
  if (!user) return aadsts.userNotFound(username);
  const verdict = await lockout.attempt(user.oid, password === user.password, password);
  if (verdict.kind === 'locked') return aadsts.accountLocked();
  if (verdict.kind === 'wrong') return aadsts.invalidCredentials();
  if (user.mfaRequired) {
    const api = apiByIdentifier(params.get('resource') ?? '');
    return aadsts.mfaRequired(api?.appId ?? GRAPH_RESOURCE.appId);
  }
  return undefined;
}

/** oidc-provider grant handler: the gate has already checked the user and rewritten the scope. */
export async function passwordGrantHandler(ctx: KoaContextWithOIDC): Promise<void> {
  const params = ctx.oidc.params ?? {};
  const user = findUserByName(String(params['username'] ?? ''));
  if (!user) throw new Error('password grant reached oidc-provider without a checked user');
  const scopes = String(params['scope'] ?? '')
    .split(' ')
    .filter(Boolean);
  await issueUserTokens(ctx, {
    accountId: user.oid,
    gty: PASSWORD_GRANT,
    oidcScopes: scopes.filter((s) => OIDC_SET.has(s)),
    resource: String(params['resource'] ?? GRAPH_RESOURCE.identifier),
    resourceScopes: scopes.filter((s) => !OIDC_SET.has(s)),
    amr: ['pwd'],
  });
}
