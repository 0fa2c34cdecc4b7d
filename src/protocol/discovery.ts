/**
 * Finding any authorization server's endpoints from its issuer URL: the OpenID Connect discovery
 * document, else the OAuth 2.0 authorization server metadata of RFC 8414, checked before use. Also
 * the checks for endpoints typed by hand. Fetching is injected: the UI goes direct or via the relay.
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderConfig
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-3
 */
import type { Endpoints } from './endpoints.ts';
import { InvalidInputError, ProtocolViolationError } from './errors.ts';
import { parseSecureUrl } from './endpoint-checks.ts';

export {
  parseSecureUrl,
  relayOriginsOf,
  validateStoredEndpoints,
  validateTypedEndpoints,
  type TypedEndpoints,
} from './endpoint-checks.ts';

/** Which well-known document answered. */
export type MetadataKind = 'openid-configuration' | 'oauth-authorization-server';

/** One answer to a metadata request: the HTTP status and the parsed JSON (undefined when not JSON). */
export interface MetadataAnswer {
  readonly status: number;
  readonly body: unknown;
}

/** Fetches a metadata URL; throws a `NetworkError` when no answer could be read at all (CORS, offline). */
export type FetchMetadata = (url: string) => Promise<MetadataAnswer>;

/** A checked discovery result: what was asked, what answered, and the endpoints taken from it. */
export interface Discovery {
  readonly issuer: string;
  readonly kind: MetadataKind;
  readonly url: string;
  readonly document: Readonly<Record<string, unknown>>;
  readonly endpoints: Endpoints;
  /** What the document lacks or gets wrong without stopping discovery (see `readMetadata`). */
  readonly notes: readonly string[];
  /** Every URL tried, in order, with its status: shown when the first one missed. */
  readonly attempts: readonly { readonly url: string; readonly status: number }[];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Checks an issuer URL the user typed and returns it as typed, without a trailing slash added or
 * removed (the issuer is compared character for character).
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-2
 */
export function parseIssuerUrl(value: string): string {
  const url = parseSecureUrl('issuer', value, 'The issuer');
  // RFC 8414 §2: the issuer is a URL "that has no query or fragment components".
  if (url.search !== '' || url.hash !== '')
    throw new InvalidInputError('issuer', 'An issuer URL has no query (?) or fragment (#).');
  return value.trim();
}

/**
 * Where the metadata may live, in the order tried: OIDC Discovery appends the well-known path to the
 * issuer; RFC 8414 inserts it between the host and the issuer's path.
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderConfigurationRequest
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-3.1
 */
export function buildMetadataUrls(issuer: string): { readonly kind: MetadataKind; readonly url: string }[] {
  const url = new URL(issuer);
  const path = url.pathname.replace(/\/+$/, '');
  return [
    { kind: 'openid-configuration', url: `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration` },
    {
      kind: 'oauth-authorization-server',
      url: `${url.origin}/.well-known/oauth-authorization-server${path}`,
    },
  ];
}

/** Why a field must be present, per document kind: the words used when it is missing. */
const REQUIRED_FIELDS: Record<MetadataKind, readonly (readonly [string, string])[]> = {
  // OIDC Discovery §3 marks these REQUIRED without condition. token_endpoint is REQUIRED only "unless
  // only the Implicit Flow is used", and jwks_uri is read only to check signatures: both are optional here.
  'openid-configuration': [
    ['issuer', 'OIDC Discovery §3 requires it'],
    ['authorization_endpoint', 'OIDC Discovery §3 requires it'],
    ['response_types_supported', 'OIDC Discovery §3 requires it'],
    ['subject_types_supported', 'OIDC Discovery §3 requires it'],
    ['id_token_signing_alg_values_supported', 'OIDC Discovery §3 requires it'],
  ],
  // RFC 8414 §2: issuer and response_types_supported are REQUIRED; authorization_endpoint is REQUIRED
  // unless no grant uses it, and every flow of this lab but client credentials starts there.
  'oauth-authorization-server': [
    ['issuer', 'RFC 8414 §2 requires it'],
    [
      'authorization_endpoint',
      'RFC 8414 §2 requires it unless no grant type uses it, and this lab takes the authority’s endpoints from it',
    ],
    ['response_types_supported', 'RFC 8414 §2 requires it'],
  ],
};

/** Fields that must be a JSON array of strings when present (both specs say "JSON array"). */
const LIST_FIELDS = [
  'response_types_supported',
  'subject_types_supported',
  'id_token_signing_alg_values_supported',
  'grant_types_supported',
];

/** The endpoints the lab takes, with the `Endpoints` member each becomes. */
const ENDPOINT_FIELDS = [
  ['authorization_endpoint', 'authorization'],
  ['token_endpoint', 'token'],
  ['jwks_uri', 'jwks'],
  ['device_authorization_endpoint', 'deviceAuthorization'],
] as const;

/** Absent: not in the document, or JSON null (which says nothing). */
function absent(value: unknown): boolean {
  return value === undefined || value === null;
}

function describeType(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'string') return value === '' ? 'an empty string' : `the string “${value}”`;
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** What a metadata document says, checked: the endpoints taken, and notes on what it lacks. */
export interface MetadataReading {
  readonly endpoints: Endpoints;
  /** Facts worth telling the user that do not stop discovery (a missing optional field, say). */
  readonly notes: readonly string[];
}

/**
 * Checks a metadata document against the issuer used to find it and takes the endpoints from it.
 * Strict where the specs are (required fields, their types, an identical issuer, TLS endpoints);
 * fields that are optional or only needed by some flows never stop it, they only come back as notes.
 * Unknown fields are ignored.
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderMetadata
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-2
 */
export function readMetadata(
  body: unknown,
  issuer: string,
  kind: MetadataKind,
  url: string,
): MetadataReading {
  if (!isObject(body))
    throw new ProtocolViolationError('INVALID_RESPONSE', `${url} did not return a JSON object.`);
  const missing = REQUIRED_FIELDS[kind].filter(([field]) => absent(body[field]) || body[field] === '');
  if (missing.length > 0) {
    throw new ProtocolViolationError(
      'MISSING_PARAMETER',
      `The document at ${url} lacks required fields: ${missing.map(([field, why]) => `${field} (${why})`).join('; ')}.`,
    );
  }
  const named = body['issuer'];
  if (typeof named !== 'string') {
    throw new ProtocolViolationError(
      'INVALID_RESPONSE',
      `issuer in the document at ${url} must be a string (a URL), not ${describeType(named)}.`,
    );
  }
  // OIDC Discovery §4.3 / RFC 8414 §3.3: the issuer in the document MUST be identical to the one used to find it.
  if (named !== issuer) {
    const templated = named.includes('{tenantid}');
    const slashOnly = named.replace(/\/+$/, '') === issuer.replace(/\/+$/, '');
    throw new ProtocolViolationError(
      'INVALID_RESPONSE',
      `The document names the issuer “${named}”, not “${issuer}”; they must be identical.${
        templated ? ' This is an Entra multi-tenant document: choose Microsoft Entra ID instead.' : ''
      }${slashOnly ? ` They differ only by a trailing slash: look up “${named}” exactly.` : ''}`,
    );
  }
  const notes: string[] = [];
  for (const field of LIST_FIELDS) {
    const value = body[field];
    if (absent(value)) continue;
    if (Array.isArray(value) && value.every((item) => typeof item === 'string')) continue;
    const required = REQUIRED_FIELDS[kind].some(([name]) => name === field);
    const problem = `${field} must be a JSON array of strings (such as ["code"]), not ${describeType(value)}`;
    // Both specs define these as JSON arrays; a required one we cannot read is a broken document.
    if (required)
      throw new ProtocolViolationError('INVALID_RESPONSE', `In the document at ${url}, ${problem}.`);
    notes.push(`${problem}; it is ignored, so its default applies.`);
  }
  const taken: Partial<Record<(typeof ENDPOINT_FIELDS)[number][1], string>> = {};
  for (const [field, member] of ENDPOINT_FIELDS) {
    const value = body[field];
    if (absent(value)) continue;
    if (typeof value !== 'string' || value.trim() === '') {
      throw new ProtocolViolationError(
        'INVALID_RESPONSE',
        `${field} in the document at ${url} must be a URL string, not ${describeType(value)}.`,
      );
    }
    try {
      // RFC 6749 §3.1 / §3.2: TLS is required at the authorization and token endpoints (http only on localhost here).
      const parsed = parseSecureUrl(field, value, field);
      // RFC 6749 §3.1 / §3.2: the endpoint URI MUST NOT include a fragment component.
      if (parsed.hash !== '') throw new InvalidInputError(field, `${field} may not have a fragment (#).`);
    } catch (error) {
      throw new ProtocolViolationError(
        'INVALID_RESPONSE',
        `In the document at ${url}: ${(error as Error).message} It says “${value}”.`,
      );
    }
    // Taken exactly as published: a trailing slash or another host is the provider's choice.
    taken[member] = value;
  }
  if (taken.token === undefined) {
    const codeListed = readList(body['response_types_supported']).some((type) =>
      type.split(' ').includes('code'),
    );
    notes.push(
      codeListed
        ? 'The document has no token_endpoint although response_types_supported lists a code response: OIDC Discovery §3 requires one then. Nothing can be redeemed here.'
        : 'The document has no token_endpoint, as allowed when only the implicit flow is used (OIDC Discovery §3): nothing can be redeemed here.',
    );
  }
  if (taken.jwks === undefined)
    notes.push(
      'The document has no jwks_uri, so the lab cannot check the signatures of this issuer’s tokens.',
    );
  return {
    endpoints: {
      authorization: taken.authorization as string,
      ...(taken.token === undefined ? {} : { token: taken.token }),
      ...(taken.jwks === undefined ? {} : { jwks: taken.jwks }),
      discovery: url,
      ...(taken.deviceAuthorization === undefined ? {} : { deviceAuthorization: taken.deviceAuthorization }),
    },
    notes,
  };
}

/** A JSON array of strings, or nothing when the value is anything else. */
function readList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/**
 * Checks a metadata document against the issuer used to find it and takes the endpoints from it.
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderConfigurationValidation
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-3.3
 */
export function validateMetadata(
  body: unknown,
  issuer: string,
  kind: MetadataKind,
  url: string,
): Discovery['endpoints'] {
  return readMetadata(body, issuer, kind, url).endpoints;
}

/**
 * Looks up an issuer: the OIDC document first, then RFC 8414's. A document that answers but fails
 * the checks is an error, not a reason to try the next one.
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderConfig
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-3
 */
export async function discoverAuthorizationServer(
  issuerInput: string,
  fetchMetadata: FetchMetadata,
): Promise<Discovery> {
  const issuer = parseIssuerUrl(issuerInput);
  const attempts: { url: string; status: number }[] = [];
  for (const { kind, url } of buildMetadataUrls(issuer)) {
    const answer = await fetchMetadata(url);
    attempts.push({ url, status: answer.status });
    if (answer.status < 200 || answer.status > 299 || !isObject(answer.body)) continue;
    const { endpoints, notes } = readMetadata(answer.body, issuer, kind, url);
    return { issuer, kind, url, document: answer.body, endpoints, notes, attempts };
  }
  throw new ProtocolViolationError(
    'INVALID_RESPONSE',
    `No metadata document found: ${attempts.map((a) => `${a.url} (${a.status === 0 ? 'no JSON' : `HTTP ${a.status}`})`).join(', then ')}.`,
  );
}
