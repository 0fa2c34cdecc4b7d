/**
 * Which of the post-RFC 6749 features an authorization server offers — PAR, JAR, JARM, DPoP,
 * introspection, revocation, userinfo, logout, dynamic registration, token exchange — and which
 * client authentication methods it takes, judged from its metadata document. Every feature page asks
 * here first and says, in the words below, when the provider does not offer what it is about to try.
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-2
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderMetadata
 */
import type { FlowSupportStatus } from './flow-support.ts';
import type { FeatureMetadata } from './metadata-fields.ts';

export { FEATURE_METADATA_FIELDS, pickFeatureMetadata, type FeatureMetadata } from './metadata-fields.ts';

/** A feature beyond the grants of RFC 6749 that a provider may or may not offer. */
export type ProviderFeature =
  | 'par'
  | 'jar'
  | 'jarm'
  | 'dpop'
  | 'introspection'
  | 'revocation'
  | 'userinfo'
  | 'logout'
  | 'registration'
  | 'token-exchange';

/** Every feature, in the order the app lists them. */
export const PROVIDER_FEATURES: readonly ProviderFeature[] = [
  'par',
  'jar',
  'jarm',
  'dpop',
  'token-exchange',
  'userinfo',
  'introspection',
  'revocation',
  'logout',
  'registration',
];

/**
 * A client authentication method at the token endpoint (and at introspection and revocation).
 * @see https://www.iana.org/assignments/oauth-parameters/oauth-parameters.xhtml#token-endpoint-auth-method
 */
export type ClientAuthMethod =
  'none' | 'client_secret_basic' | 'client_secret_post' | 'client_secret_jwt' | 'private_key_jwt';

/** The methods the lab can perform (mTLS, RFC 8705, is out of scope). */
export const CLIENT_AUTH_METHODS: readonly ClientAuthMethod[] = [
  'client_secret_basic',
  'client_secret_post',
  'client_secret_jwt',
  'private_key_jwt',
  'none',
];

/** A feature's verdict: `offered`, `not-advertised` (still worth a try) or `unavailable` (nowhere to send it). */
export interface FeatureVerdict {
  readonly feature: ProviderFeature;
  readonly status: FlowSupportStatus;
  /** One or two sentences naming the metadata field the verdict rests on. */
  readonly reason: string;
  /** The endpoint the feature uses, when it has its own. */
  readonly endpoint?: string;
  /** The signing algorithms the provider lists for it (JAR, JARM, DPoP). */
  readonly algorithms?: readonly string[];
  /** PAR only: `require_pushed_authorization_requests` is true (RFC 9126 §5). */
  readonly required?: boolean;
}

/** The token-exchange grant type (RFC 8693 §2.1). */
export const TOKEN_EXCHANGE_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:token-exchange';

function stringOf(metadata: FeatureMetadata | undefined, field: string): string | undefined {
  const value = metadata?.[field];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function listOf(metadata: FeatureMetadata | undefined, field: string): readonly string[] | undefined {
  const value = metadata?.[field];
  return Array.isArray(value) ? (value as readonly string[]) : undefined;
}

function flagOf(metadata: FeatureMetadata | undefined, field: string): boolean | undefined {
  const value = metadata?.[field];
  return typeof value === 'boolean' ? value : undefined;
}

/** What Entra ID offers instead, when it lacks a feature: said wherever the feature is refused. */
export const ENTRA_LACKS: Readonly<Partial<Record<ProviderFeature, string>>> = {
  par: 'Entra ID has no pushed authorization request endpoint: its authorization requests travel in the URL.',
  jar: 'Entra ID does not take signed request objects (its metadata says request_uri_parameter_supported: false and lists no request object algorithms).',
  jarm: 'Entra ID has no JWT response modes: the code comes back in the query, the fragment or a form post.',
  dpop: 'Entra ID does not bind tokens with DPoP for apps; its tokens are bearer tokens.',
  introspection:
    'Entra ID has no introspection endpoint: an API validates Entra’s JWT access tokens itself, with the issuer’s keys.',
  revocation:
    'Entra ID has no revocation endpoint: refresh tokens and sessions are revoked per user with Microsoft Graph (revokeSignInSessions).',
  registration:
    'Entra ID has no dynamic client registration endpoint: apps are registered in the admin center or with Microsoft Graph (POST /applications).',
  'token-exchange':
    'Entra ID does not implement RFC 8693 token exchange; its on-behalf-of flow is a JWT bearer grant with requested_token_use=on_behalf_of.',
};

/**
 * The verdict on one feature, from a metadata subset (`pickFeatureMetadata`). Without metadata (endpoints
 * typed by hand) every feature with its own endpoint is unavailable and the rest are not advertised.
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-2
 */
export function assessFeature(
  feature: ProviderFeature,
  metadata: FeatureMetadata | undefined,
): FeatureVerdict {
  switch (feature) {
    case 'par': {
      // RFC 9126 §5: the endpoint's presence is how a client learns PAR is supported.
      const endpoint = stringOf(metadata, 'pushed_authorization_request_endpoint');
      const required = flagOf(metadata, 'require_pushed_authorization_requests') === true;
      if (endpoint === undefined)
        return {
          feature,
          status: 'unavailable',
          reason:
            'The metadata lists no pushed_authorization_request_endpoint, so there is nowhere to push the request (RFC 9126 §5).',
        };
      return {
        feature,
        status: 'offered',
        endpoint,
        required,
        reason: required
          ? 'The provider requires pushed requests (require_pushed_authorization_requests: true): every authorization request must go through PAR.'
          : 'The provider lists a pushed_authorization_request_endpoint.',
      };
    }
    case 'jar': {
      // OIDC Discovery §3: request_parameter_supported defaults to false.
      const algorithms = listOf(metadata, 'request_object_signing_alg_values_supported');
      const byValue = flagOf(metadata, 'request_parameter_supported');
      if (byValue === true)
        return {
          feature,
          status: 'offered',
          ...(algorithms ? { algorithms } : {}),
          reason: `The provider takes request objects (request_parameter_supported: true)${algorithms ? `, signed with ${algorithms.join(', ')}` : ''}.`,
        };
      return {
        feature,
        status: 'not-advertised',
        ...(algorithms ? { algorithms } : {}),
        reason:
          byValue === false
            ? 'The metadata says request_parameter_supported: false: a signed request object will likely be refused or ignored.'
            : 'The metadata does not list request_parameter_supported (its default is false): the provider may ignore or refuse a request object.',
      };
    }
    case 'jarm': {
      const modes = listOf(metadata, 'response_modes_supported') ?? [];
      const algorithms = listOf(metadata, 'authorization_signing_alg_values_supported');
      // JARM §4.3: the modes are jwt, query.jwt, fragment.jwt and form_post.jwt.
      const jwtModes = modes.filter((mode) => mode === 'jwt' || mode.endsWith('.jwt'));
      if (jwtModes.length > 0)
        return {
          feature,
          status: 'offered',
          ...(algorithms ? { algorithms } : {}),
          reason: `The provider lists the JWT response modes ${jwtModes.join(', ')}.`,
        };
      return {
        feature,
        status: 'not-advertised',
        reason:
          'response_modes_supported lists no jwt mode (JARM §4.3): the response will not be a signed JWT.',
      };
    }
    case 'dpop': {
      // RFC 9449 §5.1: dpop_signing_alg_values_supported announces DPoP at the token endpoint.
      const algorithms = listOf(metadata, 'dpop_signing_alg_values_supported');
      if (algorithms !== undefined && algorithms.length > 0)
        return {
          feature,
          status: 'offered',
          algorithms,
          reason: `The provider accepts DPoP proofs signed with ${algorithms.join(', ')} (dpop_signing_alg_values_supported).`,
        };
      return {
        feature,
        status: 'not-advertised',
        reason:
          'The metadata lists no dpop_signing_alg_values_supported (RFC 9449 §5.1): the provider will most likely issue a bearer token and ignore the proof.',
      };
    }
    case 'token-exchange': {
      const grants = listOf(metadata, 'grant_types_supported');
      if (grants?.includes(TOKEN_EXCHANGE_GRANT_TYPE))
        return {
          feature,
          status: 'offered',
          reason: 'grant_types_supported lists the token-exchange grant (RFC 8693).',
        };
      return {
        feature,
        status: 'not-advertised',
        reason:
          grants === undefined
            ? 'The metadata lists no grant_types_supported, so whether token exchange works can only be tried.'
            : 'grant_types_supported does not list urn:ietf:params:oauth:grant-type:token-exchange: expect unsupported_grant_type.',
      };
    }
    default:
      return endpointFeature(feature, metadata);
  }
}

const ENDPOINT_FIELDS = {
  userinfo: ['userinfo_endpoint', 'OIDC Core §5.3'],
  introspection: ['introspection_endpoint', 'RFC 7662 §2'],
  revocation: ['revocation_endpoint', 'RFC 7009 §2'],
  logout: ['end_session_endpoint', 'OIDC RP-Initiated Logout §2'],
  registration: ['registration_endpoint', 'RFC 7591 §3'],
} as const;

function endpointFeature(
  feature: keyof typeof ENDPOINT_FIELDS,
  metadata: FeatureMetadata | undefined,
): FeatureVerdict {
  const [field, spec] = ENDPOINT_FIELDS[feature];
  const endpoint = stringOf(metadata, field);
  if (endpoint === undefined)
    return {
      feature,
      status: 'unavailable',
      reason: `The metadata lists no ${field}, so there is no endpoint to call (${spec}).`,
    };
  return { feature, status: 'offered', endpoint, reason: `The provider lists its ${field}.` };
}

/** Which endpoint a client authenticates at. */
export type AuthenticatedEndpoint = 'token' | 'introspection' | 'revocation';

/**
 * The client authentication methods a provider takes at an endpoint, in the lab's order. RFC 8414 §2 and
 * OIDC Discovery §3: without token_endpoint_auth_methods_supported the default is client_secret_basic.
 * Introspection and revocation have no default (RFC 8414 §2: "determined by other means"): the token
 * endpoint's list stands in, which is what servers do in practice.
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-2
 */
export function clientAuthMethods(
  metadata: FeatureMetadata | undefined,
  endpoint: AuthenticatedEndpoint = 'token',
): ClientAuthMethod[] {
  const tokenList = listOf(metadata, 'token_endpoint_auth_methods_supported') ?? ['client_secret_basic'];
  const listed =
    endpoint === 'token'
      ? tokenList
      : (listOf(metadata, `${endpoint}_endpoint_auth_methods_supported`) ?? tokenList);
  return CLIENT_AUTH_METHODS.filter((method) => listed.includes(method));
}

/**
 * Entra ID v2.0's feature metadata, as its discovery document publishes it (captured from
 * login.microsoftonline.com/organizations/v2.0/.well-known/openid-configuration), with the authority's own
 * endpoint URLs: used for Entra and for the Entra-shaped sandbox tenant, which mirrors it.
 * @see https://learn.microsoft.com/entra/identity-platform/v2-protocols-oidc#find-your-apps-openid-configuration-document-uri
 */
export function entraFeatureMetadata(urls: {
  readonly userinfo: string;
  readonly endSession: string;
}): FeatureMetadata {
  return {
    userinfo_endpoint: urls.userinfo,
    end_session_endpoint: urls.endSession,
    request_uri_parameter_supported: false,
    frontchannel_logout_supported: true,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
  };
}
