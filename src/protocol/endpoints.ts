/**
 * Where an authority's endpoints live. Entra v2 and the sandbox tenant share one path layout under
 * `/{tenant}`; the tenant may be a GUID, a verified domain, or common / organizations / consumers.
 * Any other authorization server names its endpoints in its discovery document, or the user types them.
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderConfig
 */
import { InvalidInputError } from './errors.ts';

/**
 * The endpoints a flow needs, as absolute URLs. A generic authorization server may offer no device
 * authorization endpoint, an implicit-only OpenID provider no token endpoint (OIDC Discovery §3), an
 * RFC 8414 server no key set, and endpoints typed by hand come without a discovery document.
 */
export interface Endpoints {
  readonly authorization: string;
  readonly token?: string;
  readonly deviceAuthorization?: string;
  readonly jwks?: string;
  readonly discovery?: string;
}

/** Endpoints that may be missing, with the words used when one is. */
const OPTIONAL_ENDPOINTS = {
  // OIDC Discovery §3 / RFC 8414 §2: token_endpoint may be left out when only the implicit flow is used.
  token:
    'This authority publishes no token endpoint (token_endpoint), so nothing can be redeemed or exchanged with it: only the implicit flow works.',
  deviceAuthorization:
    'This authority offers no device authorization endpoint, so the device code flow is not available with it.',
  // RFC 8414 §2: jwks_uri is OPTIONAL.
  jwks: 'This authority publishes no key set (jwks_uri), so token signatures cannot be checked.',
  discovery: 'These endpoints were typed by hand: there is no discovery document.',
} as const;

/** The endpoints an authority may lack. */
export type OptionalEndpoint = keyof typeof OPTIONAL_ENDPOINTS;

/**
 * The words used when an authority lacks an endpoint.
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderMetadata
 */
export function missingEndpointReason(name: OptionalEndpoint): string {
  return OPTIONAL_ENDPOINTS[name];
}

/**
 * An optional endpoint, or an `InvalidInputError` naming it when the authority has none.
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderMetadata
 */
export function requireEndpoint(endpoints: Endpoints, name: OptionalEndpoint): string {
  const url = endpoints[name];
  if (url === undefined || url === '') throw new InvalidInputError(name, OPTIONAL_ENDPOINTS[name]);
  return url;
}

/** The tenant aliases Entra accepts in place of a tenant id. */
export const TENANT_ALIASES = ['common', 'organizations', 'consumers'] as const;

/** Entra's public cloud sign-in host, the default for real tenants. */
export const ENTRA_GLOBAL_ORIGIN = 'https://login.microsoftonline.com';

/** Entra's sign-in hosts: global, US Government, China (21Vianet). */
export const ENTRA_CLOUD_ORIGINS = [
  ENTRA_GLOBAL_ORIGIN,
  'https://login.microsoftonline.us',
  'https://login.partner.microsoftonline.cn',
] as const;

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

/**
 * A run's endpoints: those fixed by the settings (a generic issuer, or typed by hand), else Entra's
 * layout for the run's own origin and tenant, which the user may edit during the run.
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-2
 */
export function resolveEndpoints(run: {
  readonly authorityOrigin: string;
  readonly tenant: string;
  readonly endpoints?: Endpoints | undefined;
}): Endpoints {
  return run.endpoints ?? buildEntraEndpoints(run.authorityOrigin, run.tenant);
}

/** Whether a tenant value names one tenant (GUID or domain) rather than an alias. */
export function isSpecificTenant(tenant: string): boolean {
  return tenant.trim() !== '' && !(TENANT_ALIASES as readonly string[]).includes(tenant.trim().toLowerCase());
}
