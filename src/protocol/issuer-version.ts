/**
 * Entra's two issuers per tenant, and what a v1.0 access token's issuer means for an API that validates it.
 * Entra issues an API's access tokens in the version the API's registration accepts
 * (`accessTokenAcceptedVersion`, v1.0 unless set to 2), whatever endpoint the client used: a v1.0 token
 * names `https://sts.windows.net/{tid}/` as its issuer, while the v2.0 discovery document names
 * `https://login.microsoftonline.com/{tid}/v2.0`. A validator configured from the v2.0 metadata then
 * refuses a token whose signature is good.
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/access-tokens#token-formats
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/access-tokens#validate-the-issuer
 */

const TENANT = '([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})';
/** Entra's v1.0 issuers (public and China clouds; US Government tenants get sts.windows.net too). */
const ENTRA_V1 = new RegExp(`^https://(sts\\.windows\\.net|sts\\.chinacloudapi\\.cn)/${TENANT}/$`, 'i');
/** The lab sandbox's copy of sts.windows.net: `{origin}/sts/{tid}/` on a loopback origin. */
const SANDBOX_V1 = new RegExp(
  `^(https?://(?:localhost|127\\.0\\.0\\.1|\\[::1\\])(?::\\d{1,5})?)/sts/${TENANT}/$`,
  'i',
);
/** Where each v1.0 issuer host's tenants have their v2.0 issuer. */
const V2_HOST: Readonly<Record<string, string>> = {
  'sts.windows.net': 'login.microsoftonline.com',
  'sts.chinacloudapi.cn': 'login.partner.microsoftonline.cn',
};

/**
 * An Entra-shaped v1.0 issuer, read: its tenant, the matching v2.0 issuer, the v1.0 metadata URL, and
 * whether it is the lab sandbox's copy (`{origin}/sts/{tid}/`) rather than Entra's own.
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/access-tokens#validate-the-issuer
 */
export interface EntraV1Issuer {
  readonly issuer: string;
  readonly tenantId: string;
  /** `https://login.microsoftonline.com/{tid}/v2.0`, or the sandbox's `{origin}/{tid}/v2.0`. */
  readonly v2Issuer: string;
  /** The v1.0 discovery document: `{login host}/{tid}/.well-known/openid-configuration`. */
  readonly metadataUrl: string;
  readonly sandbox: boolean;
}

/**
 * Reads `iss` as an Entra v1.0 issuer (`https://sts.windows.net/{tid}/` or the sandbox's
 * `{origin}/sts/{tid}/`); undefined for anything else, whatever its type. Never throws.
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/access-token-claims-reference#payload-claims
 */
export function parseEntraV1Issuer(iss: unknown): EntraV1Issuer | undefined {
  if (typeof iss !== 'string') return undefined;
  const sandbox = SANDBOX_V1.exec(iss);
  if (sandbox?.[1] !== undefined && sandbox[2] !== undefined) {
    const [origin, tenantId] = [sandbox[1], sandbox[2]];
    return {
      issuer: iss,
      tenantId,
      v2Issuer: `${origin}/${tenantId}/v2.0`,
      metadataUrl: `${origin}/${tenantId}/.well-known/openid-configuration`,
      sandbox: true,
    };
  }
  const entra = ENTRA_V1.exec(iss);
  const host = V2_HOST[entra?.[1]?.toLowerCase() ?? ''];
  if (host === undefined || entra?.[2] === undefined) return undefined;
  return {
    issuer: iss,
    tenantId: entra[2],
    v2Issuer: `https://${host}/${entra[2]}/v2.0`,
    metadataUrl: `https://${host}/${entra[2]}/.well-known/openid-configuration`,
    sandbox: false,
  };
}

const GRAPH_AUDIENCES: readonly string[] = [
  '00000003-0000-0000-c000-000000000000',
  'https://graph.microsoft.com',
  'https://graph.microsoft.com/',
];

/**
 * For a v1.0 access token of an API (not Microsoft Graph's, which only Graph reads): why a validator set up
 * from the v2.0 discovery document refuses it, and the two ways out. Undefined for any other token.
 * `payload` may be of any shape; never throws.
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/reference-microsoft-graph-app-manifest#api-attributes
 */
export function explainV1AccessTokenIssuer(payload: Readonly<Record<string, unknown>>): string | undefined {
  const v1 = parseEntraV1Issuer(payload['iss']);
  if (v1 === undefined) return undefined;
  const aud = payload['aud'];
  if (typeof aud === 'string' && GRAPH_AUDIENCES.includes(aud)) return undefined;
  // ID tokens follow the endpoint, not the API; only access tokens carry scp or roles (or appid).
  const access = 'scp' in payload || 'roles' in payload || 'appid' in payload;
  if (!access) return undefined;
  const where = v1.sandbox
    ? 'the API’s registration on the sandbox portal (Access token version)'
    : 'the API’s app registration manifest (api.requestedAccessTokenVersion in the current manifest format)';
  return `This is a v1.0 access token: its issuer is ${v1.issuer}, while the v2.0 discovery document names ${v1.v2Issuer}. An API that takes its expected issuer from the v2.0 metadata refuses this token even though the signature is good. Either set accessTokenAcceptedVersion to 2 in ${where}, so the API gets v2.0 tokens (aud is then its client id), or make the API accept the v1.0 issuer as well.`;
}
