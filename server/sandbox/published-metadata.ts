/**
 * What the sandbox publishes about itself, member for member as Entra publishes it: the v2.0 discovery
 * document (OpenID Connect Discovery 1.0 §3), the v1.0 one, and the signing key set (RFC 7517).
 *
 * Compared with Entra's captured documents (test-fixtures/providers/entra-common.json,
 * entra-organizations.json) and https://learn.microsoft.com/entra/identity-platform/v2-protocols-oidc#find-your-apps-openid-configuration-document-uri.
 */
import { createHash } from 'node:crypto';
import { sandboxV1Issuer, sandboxV2Issuer } from './issuers.ts';
import { OIDC_SCOPES } from './scopes.ts';
import { SANDBOX_TENANT } from './seed.ts';

/**
 * The sandbox's copy of Graph's `https://graph.microsoft.com/oidc/userinfo`, on the sandbox origin (the
 * Graph look-alike lives there too). @see https://learn.microsoft.com/entra/identity-platform/userinfo
 */
export const USERINFO_PATH = '/oidc/userinfo';

/** Where the sandbox's `cloud_instance_name` points (Entra: `microsoftonline.com`). */
const CLOUD_INSTANCE_NAME = 'sandbox.localhost';

/** Entra's v2.0 `claims_supported`, in its order (entra-common.json). */
const V2_CLAIMS_SUPPORTED = [
  'sub',
  'iss',
  'cloud_instance_name',
  'cloud_instance_host_name',
  'cloud_graph_host_name',
  'msgraph_host',
  'aud',
  'exp',
  'iat',
  'auth_time',
  'acr',
  'nonce',
  'preferred_username',
  'name',
  'tid',
  'ver',
  'at_hash',
  'c_hash',
  'email',
] as const;

/** Entra's v1.0 `claims_supported`, in its order. */
const V1_CLAIMS_SUPPORTED = [
  'sub',
  'iss',
  'cloud_instance_name',
  'cloud_instance_host_name',
  'cloud_graph_host_name',
  'msgraph_host',
  'aud',
  'exp',
  'iat',
  'auth_time',
  'acr',
  'amr',
  'nonce',
  'email',
  'given_name',
  'family_name',
  'nickname',
] as const;

/** The tenant segment a request was served under: the tenant GUID or a multi-tenant alias. */
export type PublishedSegment = string;

function isMultiTenantTemplate(segment: PublishedSegment): boolean {
  // Entra: /common and /organizations publish the templated issuer; clients substitute the token's `tid`.
  // https://learn.microsoft.com/entra/identity-platform/access-tokens#validate-the-issuer
  return segment === 'common' || segment === 'organizations';
}

/**
 * The v2.0 issuer a document or key published under `segment` names: the tenant's own, or
 * `${origin}/{tenantid}/v2.0` under `common`, `organizations` (and `consumers`, whose real keys name the
 * consumer tenant; the sandbox has none, so the template stands in).
 */
export function publishedV2Issuer(origin: string, segment: PublishedSegment): string {
  return isMultiTenantTemplate(segment) || segment === 'consumers'
    ? sandboxV2Issuer(origin, '{tenantid}')
    : sandboxV2Issuer(origin, SANDBOX_TENANT.id);
}

/**
 * Entra's v2.0 discovery document for `segment`, from the endpoints oidc-provider computed (`body`).
 * Members as Entra's, in Entra's order; `code_challenge_methods_supported` is added (the sandbox accepts
 * both, RFC 8414 §2). `kerberos_endpoint` is left out: the sandbox has no Kerberos endpoint.
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderMetadata
 */
export function shapeV2Discovery(
  origin: string,
  segment: PublishedSegment,
  body: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const base = `${origin}/${segment}`;
  return {
    token_endpoint: body['token_endpoint'],
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: body['jwks_uri'],
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: [...OIDC_SCOPES],
    issuer: publishedV2Issuer(origin, segment),
    request_uri_parameter_supported: false,
    // Entra names Graph's userinfo; the sandbox names its Graph look-alike's.
    userinfo_endpoint: `${origin}${USERINFO_PATH}`,
    authorization_endpoint: body['authorization_endpoint'],
    ...(body['device_authorization_endpoint']
      ? { device_authorization_endpoint: body['device_authorization_endpoint'] }
      : {}),
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    // Not in Entra's document; published because the sandbox accepts both methods (RFC 8414 §2).
    code_challenge_methods_supported: ['plain', 'S256'],
    claims_supported: [...V2_CLAIMS_SUPPORTED],
    // Entra: null on the multi-tenant aliases, the tenant's region scope on a tenant.
    tenant_region_scope: segment === SANDBOX_TENANT.id ? 'NA' : null,
    cloud_instance_name: CLOUD_INSTANCE_NAME,
    cloud_graph_host_name: 'graph.windows.net',
    msgraph_host: 'graph.microsoft.com',
    rbac_url: 'https://pas.windows.net',
  };
}

/**
 * Entra's v1.0 discovery document (`/{tenant}/.well-known/openid-configuration`, no `v2.0`) for the
 * sandbox tenant: the v1 issuer (sts.windows.net's shape, {@link sandboxV1Issuer}) and the v1 endpoint
 * paths. The sandbox serves only the v2.0 protocol endpoints; its v1 ones answer with an explanation
 * (v1-endpoints.ts), its v1 key set is the same key set (as Entra's).
 * @see https://learn.microsoft.com/entra/identity-platform/access-tokens#token-formats
 */
export function buildV1Discovery(origin: string, segment: PublishedSegment): Record<string, unknown> {
  const base = `${origin}/${segment}`;
  const tenantId =
    isMultiTenantTemplate(segment) || segment === 'consumers' ? '{tenantid}' : SANDBOX_TENANT.id;
  return {
    token_endpoint: `${base}/oauth2/token`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: `${base}/discovery/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'token id_token', 'token'],
    scopes_supported: ['openid'],
    issuer: sandboxV1Issuer(origin, tenantId),
    microsoft_multi_refresh_token: true,
    authorization_endpoint: `${base}/oauth2/authorize`,
    device_authorization_endpoint: `${base}/oauth2/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${base}/oauth2/logout`,
    claims_supported: [...V1_CLAIMS_SUPPORTED],
    check_session_iframe: `${base}/oauth2/checksession`,
    userinfo_endpoint: `${base}/openid/userinfo`,
    tenant_region_scope: segment === SANDBOX_TENANT.id ? 'NA' : null,
    cloud_instance_name: CLOUD_INSTANCE_NAME,
    cloud_graph_host_name: 'graph.windows.net',
    msgraph_host: 'graph.microsoft.com',
    rbac_url: 'https://pas.windows.net',
  };
}

/** RFC 7517 §4.8: base64url SHA-1 of the first certificate's DER. */
function thumbprintOf(x5c: unknown): string | undefined {
  const first = Array.isArray(x5c) ? (x5c[0] as unknown) : undefined;
  if (typeof first !== 'string' || first.length === 0) return undefined;
  return createHash('sha1').update(Buffer.from(first, 'base64')).digest('base64url');
}

/**
 * Entra's key set from the one oidc-provider publishes: each key as `kty, use, kid, x5t, n, e, x5c,
 * issuer` — no `alg` (clients pick the key by `kid`; RFC 7517 §4.4 makes `alg` optional), `x5t` the
 * certificate's SHA-1 thumbprint and `kid` equal to it, `issuer` the v2.0 issuer the key signs for.
 * @see https://learn.microsoft.com/entra/identity-platform/access-tokens#validate-the-signature
 */
export function shapeJwks(body: unknown, issuer: string): { keys: Record<string, unknown>[] } {
  const keys = (body as { keys?: unknown } | null)?.keys;
  return {
    keys: (Array.isArray(keys) ? keys : []).flatMap((raw: unknown) => {
      if (typeof raw !== 'object' || raw === null) return [];
      const key = raw as Record<string, unknown>;
      const x5t = thumbprintOf(key['x5c']);
      return [
        {
          kty: key['kty'],
          use: key['use'],
          kid: x5t ?? key['kid'],
          ...(x5t ? { x5t } : {}),
          n: key['n'],
          e: key['e'],
          ...(Array.isArray(key['x5c']) ? { x5c: key['x5c'] } : {}),
          issuer,
        },
      ];
    }),
  };
}
