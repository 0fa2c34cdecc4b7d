/**
 * On-behalf-of (Entra's use of RFC 7523 §2.1 `jwt-bearer` with `requested_token_use=on_behalf_of`): a
 * middle-tier API trades the user's access token it received (its own audience) for a downstream token
 * for the same user, limited to the API's configured delegated permissions.
 */
import { decodeJwt } from 'jose';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { aadsts, type EntraError } from './entra-errors.ts';
import { findUserById, type TenantSegment } from './directory.ts';
import { issueUserTokens } from './issue-user-tokens.ts';
import { applyUserScope } from './ropc-grant.ts';
import { OIDC_SCOPES } from './scopes.ts';
import type { AppRegistration } from './registrations.ts';
import { GRAPH_RESOURCE } from './seed.ts';
import type { SandboxTokenVerifier } from './token-verifier.ts';

/** RFC 7523 §2.1 grant type. */
export const OBO_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/** The parameters oidc-provider must pass through to the handler. */
export const OBO_GRANT_PARAMS = ['assertion', 'requested_token_use', 'scope', 'resource'];

const OIDC_SET: ReadonlySet<string> = new Set(OIDC_SCOPES);

/** Entra's checks on an on-behalf-of request; rewrites the scope for the handler. */
export async function checkOnBehalfOf(
  app: AppRegistration,
  params: URLSearchParams,
  tenant: TenantSegment,
  verifyToken: SandboxTokenVerifier,
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
  return applyUserScope(app, params);
}

/** oidc-provider grant handler: the gate has verified the assertion and rewritten the scope. */
export async function onBehalfOfGrantHandler(ctx: KoaContextWithOIDC): Promise<void> {
  const params = ctx.oidc.params ?? {};
  const { oid } = decodeJwt(String(params['assertion'] ?? ''));
  const scopes = String(params['scope'] ?? '')
    .split(' ')
    .filter(Boolean);
  await issueUserTokens(ctx, {
    accountId: String(oid),
    gty: 'on_behalf_of',
    oidcScopes: scopes.filter((s) => OIDC_SET.has(s)),
    resource: String(params['resource'] ?? GRAPH_RESOURCE.identifier),
    resourceScopes: scopes.filter((s) => !OIDC_SET.has(s)),
    amr: ['pwd'],
  });
}
