/**
 * Finding any authorization server's endpoints from its issuer URL: the OpenID Connect discovery
 * document, else the OAuth 2.0 authorization server metadata of RFC 8414, checked before use. Also
 * the checks for endpoints typed by hand. Fetching is injected: the UI goes direct or via the relay.
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderConfig
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-3
 */
import type { Endpoints } from './endpoints.ts';
import { InvalidInputError, ProtocolViolationError } from './errors.ts';

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
  /** Every URL tried, in order, with its status: shown when the first one missed. */
  readonly attempts: readonly { readonly url: string; readonly status: number }[];
}

const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]'];

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Parses a URL that must use https, except http on this machine (a local test server).
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderMetadata
 */
export function parseSecureUrl(field: string, value: string, label: string): URL {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new InvalidInputError(field, `${label} is not an absolute URL.`);
  }
  const loopbackHttp = url.protocol === 'http:' && LOOPBACK_HOSTS.includes(url.hostname);
  if (url.protocol !== 'https:' && !loopbackHttp) {
    throw new InvalidInputError(field, `${label} must use https (http is accepted on localhost only).`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new InvalidInputError(field, `${label} may not carry a user name or password.`);
  }
  return url;
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

const REQUIRED_FIELDS: Record<MetadataKind, readonly string[]> = {
  // OIDC Discovery §3 lists these as REQUIRED (token_endpoint unless only the implicit flow is used).
  'openid-configuration': [
    'issuer',
    'authorization_endpoint',
    'token_endpoint',
    'jwks_uri',
    'response_types_supported',
    'subject_types_supported',
    'id_token_signing_alg_values_supported',
  ],
  // RFC 8414 §2 makes jwks_uri optional; the lab needs it to check token signatures.
  'oauth-authorization-server': [
    'issuer',
    'authorization_endpoint',
    'token_endpoint',
    'jwks_uri',
    'response_types_supported',
  ],
};

const ENDPOINT_FIELDS = [
  'authorization_endpoint',
  'token_endpoint',
  'jwks_uri',
  'device_authorization_endpoint',
];

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
  if (!isObject(body))
    throw new ProtocolViolationError('INVALID_RESPONSE', `${url} did not return a JSON object.`);
  const missing = REQUIRED_FIELDS[kind].filter((field) => body[field] === undefined || body[field] === '');
  if (missing.length > 0) {
    throw new ProtocolViolationError(
      'MISSING_PARAMETER',
      `The document at ${url} lacks required fields: ${missing.join(', ')}.`,
    );
  }
  const named = body['issuer'];
  // OIDC Discovery §4.3 / RFC 8414 §3.3: the issuer in the document MUST be identical to the one used to find it.
  if (named !== issuer) {
    const templated = typeof named === 'string' && named.includes('{tenantid}');
    throw new ProtocolViolationError(
      'INVALID_RESPONSE',
      `The document names the issuer “${String(named)}”, not “${issuer}”; they must be identical.${
        templated ? ' This is an Entra multi-tenant document: choose Microsoft Entra ID instead.' : ''
      }`,
    );
  }
  for (const field of ENDPOINT_FIELDS) {
    const value = body[field];
    if (value === undefined) continue;
    if (typeof value !== 'string')
      throw new ProtocolViolationError('INVALID_RESPONSE', `${field} is not a string.`);
    try {
      parseSecureUrl(field, value, field);
    } catch (error) {
      throw new ProtocolViolationError('INVALID_RESPONSE', (error as Error).message);
    }
  }
  const device = body['device_authorization_endpoint'];
  return {
    authorization: body['authorization_endpoint'] as string,
    token: body['token_endpoint'] as string,
    jwks: body['jwks_uri'] as string,
    discovery: url,
    ...(typeof device === 'string' ? { deviceAuthorization: device } : {}),
  };
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
    const endpoints = validateMetadata(answer.body, issuer, kind, url);
    return { issuer, kind, url, document: answer.body, endpoints, attempts };
  }
  throw new ProtocolViolationError(
    'INVALID_RESPONSE',
    `No metadata document found: ${attempts.map((a) => `${a.url} (${a.status === 0 ? 'no JSON' : `HTTP ${a.status}`})`).join(', then ')}.`,
  );
}

/** Endpoints as typed by hand; empty strings for those left blank. */
export interface TypedEndpoints {
  readonly authorization: string;
  readonly token: string;
  readonly deviceAuthorization: string;
  readonly jwks: string;
}

/**
 * Checks endpoints typed by hand: authorization, token and keys are needed, device code is optional;
 * each must use https, or http on localhost.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.1
 */
export function validateTypedEndpoints(input: TypedEndpoints): Endpoints {
  const labels = {
    authorization: 'The authorization endpoint',
    token: 'The token endpoint',
    deviceAuthorization: 'The device authorization endpoint',
    jwks: 'The key set (JWKS) URL',
  } as const;
  for (const field of ['authorization', 'token', 'deviceAuthorization', 'jwks'] as const) {
    if (input[field].trim() === '') {
      if (field === 'deviceAuthorization') continue;
      throw new InvalidInputError(field, `${labels[field]} is empty.`);
    }
    const url = parseSecureUrl(field, input[field], labels[field]);
    // RFC 6749 §3.1: the endpoint URI MUST NOT include a fragment component.
    if (url.hash !== '') throw new InvalidInputError(field, `${labels[field]} may not have a fragment (#).`);
  }
  const device = input.deviceAuthorization.trim();
  return {
    authorization: input.authorization.trim(),
    token: input.token.trim(),
    jwks: input.jwks.trim(),
    ...(device === '' ? {} : { deviceAuthorization: device }),
  };
}

/**
 * The origins the local relay may have to reach for these endpoints: token and device requests,
 * discovery and keys. The authorization endpoint is only ever visited by the browser itself.
 * @see https://www.rfc-editor.org/rfc/rfc6454#section-4
 */
export function relayOriginsOf(endpoints: Endpoints): string[] {
  const urls = [endpoints.token, endpoints.deviceAuthorization, endpoints.jwks, endpoints.discovery];
  const origins = new Set<string>();
  for (const value of urls) {
    if (value === undefined || value === '') continue;
    try {
      origins.add(new URL(value).origin);
    } catch {
      // Checked earlier; an unparsable URL simply adds nothing.
    }
  }
  return [...origins];
}
