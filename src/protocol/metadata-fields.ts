/**
 * The subsets of a provider's metadata document the app keeps in its settings, and how each field is
 * checked before it is stored or read back. Kept apart from the verdicts and their explanations
 * (`provider-features.ts`, `flow-support.ts`), which only the pages that show them load: restoring the
 * settings at start-up needs these few checks, not the texts.
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-2
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderMetadata
 */

/** The feature metadata fields kept: strings (endpoints), booleans and lists of strings. */
export type FeatureMetadata = Readonly<Record<string, string | boolean | readonly string[]>>;

/**
 * The fields read from a metadata document, by the registry that defines them:
 * RFC 8414 §2, OIDC Discovery §3, RFC 9126 §5, RFC 9101 §10.5, JARM §6, RFC 9449 §5.1, RFC 7662 / RFC 7009
 * (via RFC 8414 §2), OIDC RP-Initiated Logout §3.1, OIDC Back-Channel Logout §2.1, RFC 7591 (RFC 8414 §2).
 */
export const FEATURE_METADATA_FIELDS = {
  strings: [
    'issuer',
    'pushed_authorization_request_endpoint',
    'introspection_endpoint',
    'revocation_endpoint',
    'userinfo_endpoint',
    'end_session_endpoint',
    'registration_endpoint',
  ],
  booleans: [
    'require_pushed_authorization_requests',
    'request_parameter_supported',
    'request_uri_parameter_supported',
    'require_signed_request_object',
    'backchannel_logout_supported',
    'frontchannel_logout_supported',
  ],
  lists: [
    'grant_types_supported',
    'response_modes_supported',
    'request_object_signing_alg_values_supported',
    'authorization_signing_alg_values_supported',
    'dpop_signing_alg_values_supported',
    'token_endpoint_auth_methods_supported',
    'token_endpoint_auth_signing_alg_values_supported',
    'introspection_endpoint_auth_methods_supported',
    'revocation_endpoint_auth_methods_supported',
  ],
} as const;

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

/**
 * A field read as a JSON array of strings (what RFC 8414 §2 defines every `*_supported` list as);
 * undefined when absent or not such an array.
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-2
 */
export function readStringList(
  metadata: Readonly<Record<string, unknown>> | undefined,
  field: string,
): string[] | undefined {
  const value = metadata?.[field];
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) return undefined;
  return value as string[];
}

/**
 * The feature fields of a metadata document, each kept only with the type its spec gives it, so the
 * result can be stored and read back safely. Endpoints must be absolute http(s) URLs.
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-2
 */
export function pickFeatureMetadata(document: Readonly<Record<string, unknown>>): FeatureMetadata {
  const picked: Record<string, string | boolean | readonly string[]> = {};
  for (const field of FEATURE_METADATA_FIELDS.strings) {
    const value = document[field];
    if (typeof value === 'string' && isHttpUrl(value)) picked[field] = value;
  }
  for (const field of FEATURE_METADATA_FIELDS.booleans) {
    const value = document[field];
    if (typeof value === 'boolean') picked[field] = value;
  }
  for (const field of FEATURE_METADATA_FIELDS.lists) {
    const list = readStringList(document, field);
    if (list !== undefined) picked[field] = [...list];
  }
  return picked;
}

/**
 * The metadata fields kept of a discovery document: those `assessFlowSupport` reads, and the lists of
 * parameter values the authorization endpoint accepts, which the flow pages warn against (RFC 8414 §2).
 */
export const FLOW_SUPPORT_FIELDS = [
  'grant_types_supported',
  'response_types_supported',
  'response_modes_supported',
  'code_challenge_methods_supported',
] as const;

/**
 * The fields of a metadata document that decide flow support, each kept only when it is a JSON
 * array of strings (what the specs define), so they can be stored and read back safely.
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-2
 */
export function pickFlowSupportMetadata(
  document: Readonly<Record<string, unknown>>,
): Readonly<Record<string, readonly string[]>> {
  const picked: Record<string, readonly string[]> = {};
  for (const field of FLOW_SUPPORT_FIELDS) {
    const list = readStringList(document, field);
    if (list !== undefined) picked[field] = [...list];
  }
  return picked;
}
