/**
 * On-behalf-of (Entra's use of RFC 7523 §2.1 `jwt-bearer` with `requested_token_use=on_behalf_of`): a
 * middle-tier API trades the user's access token it received (its own audience) for a downstream token
 * for the same user, limited to the API's configured delegated permissions.
 */
import type { SignInMethods } from './access-token-claims.ts';
import { decodeJwt } from 'jose';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { aadsts, type EntraError } from './entra-errors.ts';
import { apiByIdentifier, findUserById, type TenantSegment } from './directory.ts';
import { issueUserTokens } from './issue-user-tokens.ts';
import { applyUserScope } from './ropc-grant.ts';
import { OIDC_SCOPES } from './scopes.ts';
import type { AppRegistration } from './registrations.ts';
import { GRAPH_RESOURCE, SANDBOX_TENANT } from './seed.ts';
import type { SandboxSettings } from './settings.ts';
import type { SandboxTokenVerifier } from './token-verifier.ts';

/** RFC 7523 §2.1 grant type. */
export const OBO_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/** The parameters oidc-provider must pass through to the handler. */
export const OBO_GRANT_PARAMS = ['assertion', 'requested_token_use', 'scope', 'resource'];

const OIDC_SET: ReadonlySet<string> = new Set(OIDC_SCOPES);

/**
 * The id of the sandbox's Conditional Access policy "require MFA for the selected APIs" (portal setting
 * `mfaRequiredApis`): the value of the `polids` claims challenge it answers with. A stable GUID derived
 * from the tenant, our own value in the shape Microsoft's OBO page shows.
 */
export const MFA_POLICY_ID = `${SANDBOX_TENANT.id.slice(0, 24)}c0a1f0a5e1f0`;

/**
 * Whether the sign-in behind an incoming token included MFA: its `amr` claim (RFC 8176 §2) lists `mfa`.
 * v1.0 access tokens carry `amr`; v2.0 ones do not, and Entra decides from its own sign-in session
 * (https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference, amr: v1.0 only):
 * for a v2.0 token the sandbox looks up the sign-in it recorded for the token's `uti` when issuing it.
 */
export async function assertionHasMfa(
  payload: Readonly<Record<string, unknown>>,
  signInMethods: SignInMethods,
): Promise<boolean> {
  const amr = payload['amr'];
  if (Array.isArray(amr)) return amr.includes('mfa');
  return (await signInMethods.of(payload['uti'])).includes('mfa');
}

/**
 * Conditional Access on the downstream API: when the portal marks it as requiring MFA and the incoming
 * token's sign-in had none, Entra answers the middle tier `interaction_required` with a claims challenge
 * (https://learn.microsoft.com/entra/identity-platform/v2-oauth2-on-behalf-of-flow#error-response-example):
 * AADSTS50076 when the user has an MFA method to use, AADSTS50079 when they must register one first
 * (https://learn.microsoft.com/entra/identity-platform/reference-error-codes).
 */
export async function conditionalAccessError(
  resource: string,
  payload: Readonly<Record<string, unknown>>,
  settings: Readonly<Pick<SandboxSettings, 'mfaRequiredApis'>>,
  signInMethods: SignInMethods,
): Promise<EntraError | undefined> {
  if (!settings.mfaRequiredApis.includes(resource)) return undefined;
  if (await assertionHasMfa(payload, signInMethods)) return undefined;
  const api = apiByIdentifier(resource);
  const user = findUserById(String(payload['oid'] ?? ''));
  const appId = api?.appId ?? resource;
  return user?.mfaCode
    ? aadsts.oboMfaRequired(appId, MFA_POLICY_ID)
    : aadsts.oboMfaEnrollment(appId, MFA_POLICY_ID);
}

/** Entra's checks on an on-behalf-of request; rewrites the scope for the handler. */
export async function checkOnBehalfOf(
  app: AppRegistration,
  params: URLSearchParams,
  tenant: TenantSegment,
  verifyToken: SandboxTokenVerifier,
  settings: Readonly<Pick<SandboxSettings, 'mfaRequiredApis'>>,
  signInMethods: SignInMethods,
): Promise<EntraError | undefined> {
  // Entra: OBO runs against the tenant (or organizations) endpoint, not /common or /consumers.
  if (tenant.kind === 'alias' && tenant.segment !== 'organizations') return aadsts.grantNotOnCommon();
  const use = params.get('requested_token_use');
  if (!use) return aadsts.missingParameter('requested_token_use');
  if (use !== 'on_behalf_of') {
    return aadsts.generic('invalid_request', `requested_token_use must be 'on_behalf_of', not '${use}'`);
  }
  const assertion = params.get('assertion');
  if (!assertion) return aadsts.missingParameter('assertion');
  const verified = await verifyToken(assertion);
  if (!verified.ok) {
    return verified.reason === 'expired' ? aadsts.oboExpired() : aadsts.oboInvalidSignature(verified.detail);
  }
  const { payload } = verified;
  // The incoming token must have been issued to this middle tier (its client id, or its App ID URI).
  const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud ?? ''];
  const accepted = [app.clientId, ...(app.identifierUri ? [app.identifierUri] : [])];
  if (!audiences.some((a) => accepted.includes(a)))
    return aadsts.oboAudience(audiences.join(', '), app.clientId);
  if (payload['idtyp'] === 'app' || typeof payload['scp'] !== 'string') return aadsts.oboAppOnly();
  if (!findUserById(String(payload['oid'] ?? ''))) {
    return aadsts.oboInvalidSignature('The assertion names a user the sandbox tenant does not have.');
  }
  const scopeError = applyUserScope(app, params);
  if (scopeError) return scopeError;
  const resource = params.get('resource') ?? GRAPH_RESOURCE.identifier;
  return conditionalAccessError(resource, payload, settings, signInMethods);
}

/** oidc-provider grant handler: the gate has verified the assertion and rewritten the scope. */
export async function onBehalfOfGrantHandler(ctx: KoaContextWithOIDC): Promise<void> {
  const params = ctx.oidc.params ?? {};
  const { oid, amr } = decodeJwt(String(params['assertion'] ?? ''));
  const scopes = String(params['scope'] ?? '')
    .split(' ')
    .filter(Boolean);
  await issueUserTokens(ctx, {
    accountId: String(oid),
    gty: 'on_behalf_of',
    oidcScopes: scopes.filter((s) => OIDC_SET.has(s)),
    resource: String(params['resource'] ?? GRAPH_RESOURCE.identifier),
    resourceScopes: scopes.filter((s) => !OIDC_SET.has(s)),
    // The downstream token is for the same sign-in: it keeps the methods the assertion records.
    amr: Array.isArray(amr) && amr.every((m) => typeof m === 'string') ? amr : ['pwd'],
  });
}
