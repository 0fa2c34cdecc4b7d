/**
 * The sandbox tenant's two issuer shapes, one place for every module that issues, publishes or checks them.
 *
 * Entra names two issuers per tenant: v2.0 `https://login.microsoftonline.com/{tid}/v2.0` and v1.0
 * `https://sts.windows.net/{tid}/`. Which one an access token carries depends on the version the resource
 * accepts (its `accessTokenAcceptedVersion`), not on the endpoint the client called.
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/access-tokens#token-formats
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/access-token-claims-reference#payload-claims
 */

/**
 * The sandbox's v2.0 issuer: `${origin}/{tid}/v2.0`, as `https://login.microsoftonline.com/{tid}/v2.0`.
 * `origin` is `http://localhost:<port>` with no trailing slash.
 */
export function sandboxV2Issuer(origin: string, tenantId: string): string {
  return `${origin}/${tenantId}/v2.0`;
}

/**
 * The sandbox's v1.0 issuer: `${origin}/sts/{tid}/` — its own copy of `https://sts.windows.net/{tid}/`
 * (the host becomes the `sts` path segment; the trailing slash is kept, as Entra's v1 issuer has it).
 * Its metadata is published where Entra publishes v1 metadata: `${origin}/{tid}/.well-known/openid-configuration`.
 */
export function sandboxV1Issuer(origin: string, tenantId: string): string {
  return `${origin}/sts/${tenantId}/`;
}

/** The path pattern of a v1 issuer of the sandbox's shape: `/sts/{tid}/`; group 1 is the tenant id. */
export const SANDBOX_V1_ISSUER_PATH =
  /^\/sts\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/$/i;
