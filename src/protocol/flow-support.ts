/**
 * Which of the lab's flows an authority supports, judged from its endpoints and, for a provider
 * found by discovery, what its metadata document lists. A flow is `unavailable` when something it
 * cannot do without is missing (it is refused before any request), `not-advertised` when the
 * document does not list its grant (it stays runnable: many servers accept more than they list),
 * and `offered` otherwise.
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderMetadata
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-2
 */
import type { Endpoints } from './endpoints.ts';
import { pickFeatureMetadata, readStringList, type FeatureMetadata } from './metadata-fields.ts';
import { assessFeature, type ProviderFeature } from './provider-features.ts';

export { FLOW_SUPPORT_FIELDS, pickFlowSupportMetadata } from './metadata-fields.ts';

/** Every flow of the lab, in the order of the flow registry (`src/flows/registry.ts`). */
export const LAB_FLOW_IDS = [
  'authorization-code',
  'client-credentials',
  'call-api',
  'device-code',
  'password',
  'implicit',
  'refresh-token',
  'on-behalf-of',
  'dpop',
  'token-exchange',
  'token-management',
  'dynamic-registration',
] as const;

/** A flow of the lab, by the id it has in the flow registry. */
export type LabFlowId = (typeof LAB_FLOW_IDS)[number];

/** How far an authority goes with a flow. */
export type FlowSupportStatus = 'offered' | 'not-advertised' | 'unavailable';

/** One flow's verdict, with the reason in plain words naming the field it rests on. */
export interface FlowSupport {
  readonly flow: LabFlowId;
  readonly status: FlowSupportStatus;
  readonly reason: string;
  /**
   * The verdict rests on a value a run may change (Entra's tenant), not on the authority itself: the
   * flow page warns but leaves its controls usable, so the user can fix it there or see the error.
   */
  readonly fixableInRun?: boolean;
}

/** What else decides support: the tenant in an Entra-shaped path (Entra itself, or the sandbox). */
export interface FlowSupportOptions {
  readonly entraTenant?: string;
  /**
   * The authority's feature fields (`pickFeatureMetadata`; Entra's published ones for Entra-shaped
   * authorities): they decide the flows that exist for a feature rather than a grant.
   */
  readonly features?: FeatureMetadata;
}

/**
 * Flows Entra refuses, or advises against, on a tenant alias, with the alias values and the reason.
 * Client credentials: "tenant … in GUID or domain-name format"
 * https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow
 * Password (ROPC): "you must use a tenant-specific endpoint … or the organizations endpoint"
 * https://learn.microsoft.com/entra/identity-platform/v2-oauth-ropc
 */
const ENTRA_ALIAS_LIMITS: Partial<Record<LabFlowId, { aliases: readonly string[]; reason: string }>> = {
  'client-credentials': {
    aliases: ['common', 'organizations', 'consumers'],
    reason:
      'Entra issues app-only tokens only for one tenant: on /{alias} no tenant is named, and the answer is AADSTS50059. Use the tenant id or a verified domain.',
  },
  // On-behalf-of: Microsoft's guidance is to exchange in the tenant named by the incoming token's tid,
  // not on /common or /organizations, since the user's token belongs to their home tenant:
  // https://learn.microsoft.com/entra/msal/dotnet/acquiring-tokens/web-apps-apis/on-behalf-of-flow
  'on-behalf-of': {
    aliases: ['common', 'organizations', 'consumers'],
    reason:
      'The exchange belongs in the user’s own tenant (the tid in the incoming token), not on /{alias}: Microsoft advises a tenant id here.',
  },
  password: {
    aliases: ['common', 'consumers'],
    reason:
      'Entra accepts passwords (ROPC) only for work or school accounts: use a tenant id, a domain or organizations, not /{alias}.',
  },
};

/** What a flow needs from the authority. */
interface Needs {
  /** The grant type value a metadata document lists for it (RFC 8414 §2 / IANA registry). */
  readonly grant?: string;
  readonly token?: boolean;
  readonly deviceAuthorization?: boolean;
  /** Which `response_type` values would do, as a test on the set of its words. */
  readonly responseType?: {
    readonly accepts: (words: readonly string[]) => boolean;
    readonly describe: string;
  };
  /** Why the token endpoint is needed, in words. */
  readonly tokenUse?: string;
}

// OAuth 2.0 Multiple Response Types §3: a response_type value is a space-separated set of words.
const CODE_ONLY = {
  accepts: (words: readonly string[]) => words.length === 1 && words[0] === 'code',
  describe: '“code”',
};
// OAuth 2.0 Multiple Response Types §3 / OIDC Core §3.2 and §3.3: implicit and hybrid responses
// return a token or an ID token from the authorization endpoint itself.
const FRONT_CHANNEL_TOKEN = {
  accepts: (words: readonly string[]) => words.includes('token') || words.includes('id_token'),
  describe: 'one with “token” or “id_token”',
};

const NEEDS: Record<LabFlowId, Needs> = {
  // RFC 6749 §4.1: the code comes from the authorization endpoint and is redeemed at the token endpoint.
  'authorization-code': {
    grant: 'authorization_code',
    token: true,
    tokenUse: 'no code can be redeemed',
    responseType: CODE_ONLY,
  },
  // RFC 6749 §4.4: the client asks the token endpoint directly.
  'client-credentials': { grant: 'client_credentials', token: true, tokenUse: 'no token can be asked for' },
  'call-api': {},
  // RFC 8628 §3.1 and §3.4: a device authorization request, then polls at the token endpoint.
  'device-code': {
    grant: 'urn:ietf:params:oauth:grant-type:device_code',
    token: true,
    deviceAuthorization: true,
    tokenUse: 'the device cannot poll for its tokens',
  },
  // RFC 6749 §4.3: the password goes to the token endpoint.
  password: { grant: 'password', token: true, tokenUse: 'no password can be sent' },
  // RFC 6749 §4.2: tokens come back from the authorization endpoint; no token endpoint is involved.
  implicit: { grant: 'implicit', responseType: FRONT_CHANNEL_TOKEN },
  // RFC 6749 §6: a refresh token is redeemed at the token endpoint.
  'refresh-token': { grant: 'refresh_token', token: true, tokenUse: 'no refresh token can be redeemed' },
  // Entra's on-behalf-of is a JWT bearer grant (RFC 7523 §2.1) at the token endpoint; the lab first gets
  // the user's token for the middle tier with the code flow.
  // https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-on-behalf-of-flow#first-case-access-token-request-with-a-shared-secret
  'on-behalf-of': {
    grant: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
    token: true,
    tokenUse: 'no token can be exchanged',
    responseType: CODE_ONLY,
  },
  // RFC 9449 §5: a DPoP proof goes with a token request; which grant is the run's choice.
  dpop: { token: true, tokenUse: 'no DPoP-bound token can be asked for' },
  // RFC 8693 §2.1: the exchange is a token request with its own grant type.
  'token-exchange': {
    grant: 'urn:ietf:params:oauth:grant-type:token-exchange',
    token: true,
    tokenUse: 'no token can be exchanged',
  },
  // Userinfo, introspection, revocation and logout each have their own endpoint (provider-features.ts).
  'token-management': {},
  // RFC 7591 §3: registration has its own endpoint (provider-features.ts).
  'dynamic-registration': {},
};

// OIDC Discovery §3 / RFC 8414 §2: when grant_types_supported is omitted, the default is these two.
const DEFAULT_GRANTS = ['authorization_code', 'implicit'];

/** A token endpoint laid out as Entra's v2.0 (`/{tenant}/oauth2/v2.0/token`), as Entra and the sandbox have it. */
function isEntraShapedTokenEndpoint(token: string | undefined): boolean {
  if (token === undefined) return false;
  try {
    return /^\/[^/]+\/oauth2\/v2\.0\/token$/.test(new URL(token).pathname);
  } catch {
    return false;
  }
}

/**
 * On-behalf-of is Microsoft's profile of RFC 7523's JWT bearer grant (`requested_token_use=on_behalf_of`).
 * Other servers that list jwt-bearer use it for signed assertions (Google: service accounts), and the
 * standard way to trade a user's token is RFC 8693 token exchange.
 * https://learn.microsoft.com/entra/identity-platform/v2-oauth2-on-behalf-of-flow
 */
function onBehalfOfElsewhere(grants: readonly string[] | undefined): string {
  const jwtBearer = grants?.includes('urn:ietf:params:oauth:grant-type:jwt-bearer') === true;
  const exchange = grants?.includes('urn:ietf:params:oauth:grant-type:token-exchange') === true;
  return [
    'On-behalf-of is Microsoft’s use of the jwt-bearer grant (requested_token_use=on_behalf_of).',
    jwtBearer
      ? 'This document lists jwt-bearer, which other servers take for signed assertions such as service accounts, not for trading a user’s token.'
      : 'This document does not list jwt-bearer.',
    exchange ? 'It lists RFC 8693 token exchange, the standard way to trade a user’s token.' : '',
    'It may still work.',
  ]
    .filter((part) => part !== '')
    .join(' ');
}

/** The features behind the flows that exist for one (everything the token management route can do). */
const FLOW_FEATURES: Partial<Record<LabFlowId, readonly ProviderFeature[]>> = {
  dpop: ['dpop'],
  'token-exchange': ['token-exchange'],
  'token-management': ['userinfo', 'introspection', 'revocation', 'logout'],
  'dynamic-registration': ['registration'],
};

function assessByFeature(flow: LabFlowId, features: FeatureMetadata | undefined): FlowSupport | undefined {
  const wanted = FLOW_FEATURES[flow];
  if (wanted === undefined) return undefined;
  const verdicts = wanted.map((feature) => assessFeature(feature, features));
  if (verdicts.length === 1) {
    const [only] = verdicts as [ReturnType<typeof assessFeature>];
    return { flow, status: only.status, reason: only.reason };
  }
  const offered = verdicts.filter((v) => v.status === 'offered').map((v) => v.feature);
  const missing = verdicts.filter((v) => v.status !== 'offered').map((v) => v.feature);
  if (offered.length === 0)
    return {
      flow,
      status: 'unavailable',
      reason:
        'The metadata lists none of userinfo_endpoint, introspection_endpoint, revocation_endpoint, end_session_endpoint.',
    };
  return {
    flow,
    status: 'offered',
    reason: `Offers ${offered.join(', ')}${missing.length > 0 ? `; not ${missing.join(', ')}` : ''}.`,
  };
}

function assessOne(
  flow: LabFlowId,
  endpoints: Endpoints,
  metadata: Readonly<Record<string, unknown>> | undefined,
  options: FlowSupportOptions,
): FlowSupport {
  const needs = NEEDS[flow];
  const alias = options.entraTenant?.trim().toLowerCase() ?? '';
  const limit = ENTRA_ALIAS_LIMITS[flow];
  if (limit !== undefined && limit.aliases.includes(alias)) {
    return {
      flow,
      status: 'unavailable',
      reason: limit.reason.replace('{alias}', alias),
      fixableInRun: true,
    };
  }
  if (flow === 'call-api')
    return {
      flow,
      status: 'offered',
      reason: 'Needs nothing from the authority: it sends a token you already have to an API.',
    };
  if (needs.deviceAuthorization === true && (endpoints.deviceAuthorization ?? '') === '') {
    return {
      flow,
      status: 'unavailable',
      reason: 'There is no device_authorization_endpoint, so a device cannot start a sign-in here.',
    };
  }
  const responseTypes = readStringList(metadata, 'response_types_supported');
  // OIDC Discovery §3: token_endpoint may be absent only when the implicit flow is all that is used.
  if (needs.token === true && (endpoints.token ?? '') === '') {
    const implicitWorks =
      responseTypes === undefined ||
      responseTypes.some((value) => FRONT_CHANNEL_TOKEN.accepts(value.split(' ')));
    return {
      flow,
      status: 'unavailable',
      reason: `There is no token_endpoint, so ${needs.tokenUse ?? 'nothing can be redeemed'}${
        implicitWorks ? ': only the implicit flow works with this provider' : ''
      }.`,
    };
  }
  if (needs.responseType !== undefined && responseTypes !== undefined) {
    const fits = responseTypes.some((value) =>
      needs.responseType?.accepts(value.split(' ').filter((word) => word !== '')),
    );
    // OIDC Discovery §3 / RFC 8414 §2: response_types_supported lists every response_type the server takes.
    if (!fits) {
      const listed = responseTypes.length === 0 ? 'nothing' : responseTypes.map((t) => `“${t}”`).join(', ');
      return {
        flow,
        status: 'unavailable',
        reason: `response_types_supported lists ${listed}, and this flow needs ${needs.responseType.describe}.`,
      };
    }
  }
  // A whole document read here carries its own feature fields; stored settings pass them apart.
  const byFeature = assessByFeature(
    flow,
    options.features ?? (metadata === undefined ? undefined : pickFeatureMetadata(metadata)),
  );
  if (byFeature !== undefined) return byFeature;
  const grant = needs.grant ?? '';
  if (metadata === undefined) {
    return { flow, status: 'offered', reason: 'The authority has every endpoint this flow uses.' };
  }
  const grants = readStringList(metadata, 'grant_types_supported');
  if (flow === 'on-behalf-of' && !isEntraShapedTokenEndpoint(endpoints.token)) {
    return { flow, status: 'not-advertised', reason: onBehalfOfElsewhere(grants) };
  }
  if (grants === undefined) {
    if (DEFAULT_GRANTS.includes(grant)) {
      return {
        flow,
        status: 'offered',
        reason: `The document lists no grant_types_supported; its default includes ${grant}.`,
      };
    }
    return {
      flow,
      status: 'not-advertised',
      reason: `The document lists no grant_types_supported, and the default (authorization_code, implicit) leaves out ${grant}. It may still work.`,
    };
  }
  if (grants.includes(grant)) {
    return { flow, status: 'offered', reason: `grant_types_supported lists ${grant}.` };
  }
  const shortName = grant.startsWith('urn:ietf:params:oauth:grant-type:')
    ? grant.slice('urn:ietf:params:oauth:grant-type:'.length)
    : undefined;
  // RFC 8628 §3.4 / RFC 7523 §2.1: the registered grant type is the full URN, not its last word.
  const near =
    shortName !== undefined && grants.includes(shortName)
      ? ` It lists “${shortName}”, which is not the registered name.`
      : '';
  return {
    flow,
    status: 'not-advertised',
    reason: `grant_types_supported does not list ${grant}.${near} It may still work.`,
  };
}

/**
 * One verdict per flow of the lab, in registry order. Without a metadata document (Entra, the
 * sandbox, endpoints typed by hand) only missing endpoints count, and for Entra-shaped authorities the
 * tenant alias in `options.entraTenant`.
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderMetadata
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-2
 */
export function assessFlowSupport(
  endpoints: Endpoints,
  metadata?: Readonly<Record<string, unknown>>,
  options: FlowSupportOptions = {},
): FlowSupport[] {
  return LAB_FLOW_IDS.map((flow) => assessOne(flow, endpoints, metadata, options));
}
