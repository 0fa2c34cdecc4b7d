/**
 * Where an authority's endpoints live. Entra v2 and the sandbox tenant share one path layout under
 * `/{tenant}`; the tenant may be a GUID, a verified domain, or common / organizations / consumers.
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderConfig
 */

/** The endpoints a flow needs, as absolute URLs. */
export interface Endpoints {
  readonly authorization: string;
  readonly token: string;
  readonly deviceAuthorization: string;
  readonly jwks: string;
  readonly discovery: string;
}

/** The tenant aliases Entra accepts in place of a tenant id. */
export const TENANT_ALIASES = ['common', 'organizations', 'consumers'] as const;

/** Entra's public cloud sign-in host, the default for real tenants. */
export const ENTRA_GLOBAL_ORIGIN = 'https://login.microsoftonline.com';

/**
 * Endpoints of an Entra-shaped authority (Entra ID v2.0 or the sandbox) for one tenant.
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-2
 */
export function buildEntraEndpoints(origin: string, tenant: string): Endpoints {
  const base = `${origin.replace(/\/+$/, '')}/${encodeURIComponent(tenant.trim())}`;
  return {
    authorization: `${base}/oauth2/v2.0/authorize`,
    token: `${base}/oauth2/v2.0/token`,
    deviceAuthorization: `${base}/oauth2/v2.0/devicecode`,
    jwks: `${base}/discovery/v2.0/keys`,
    discovery: `${base}/v2.0/.well-known/openid-configuration`,
  };
}

/** Whether a tenant value names one tenant (GUID or domain) rather than an alias. */
export function isSpecificTenant(tenant: string): boolean {
  return tenant.trim() !== '' && !(TENANT_ALIASES as readonly string[]).includes(tenant.trim().toLowerCase());
}
