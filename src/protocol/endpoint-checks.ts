/**
 * The checks for endpoint URLs typed by hand or read back from storage, a file or a link, and the origins
 * the relay may reach for them. Kept apart from discovery (`discovery.ts`, which reads and checks whole
 * metadata documents) so that restoring the settings at start-up does not load the document checks.
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderMetadata
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.1
 */
import type { Endpoints } from './endpoints.ts';
import { InvalidInputError } from './errors.ts';

const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]'];

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
  return checkEndpoints(input, ['deviceAuthorization']);
}

/**
 * Checks endpoints read back from storage, a file or a link. With a discovery URL they came from a
 * document, where the token endpoint and the key set may be absent (OIDC Discovery §3, RFC 8414 §2);
 * without one they were typed by hand and follow those rules.
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderMetadata
 */
export function validateStoredEndpoints(input: TypedEndpoints & { readonly discovery: string }): Endpoints {
  const discovery = input.discovery.trim();
  if (discovery === '') return validateTypedEndpoints(input);
  parseSecureUrl('discovery', discovery, 'The discovery URL');
  return { ...checkEndpoints(input, ['deviceAuthorization', 'token', 'jwks']), discovery };
}

function checkEndpoints(input: TypedEndpoints, optional: readonly (keyof TypedEndpoints)[]): Endpoints {
  const labels = {
    authorization: 'The authorization endpoint',
    token: 'The token endpoint',
    deviceAuthorization: 'The device authorization endpoint',
    jwks: 'The key set (JWKS) URL',
  } as const;
  for (const field of ['authorization', 'token', 'deviceAuthorization', 'jwks'] as const) {
    if (input[field].trim() === '') {
      if (optional.includes(field)) continue;
      throw new InvalidInputError(field, `${labels[field]} is empty.`);
    }
    const url = parseSecureUrl(field, input[field], labels[field]);
    // RFC 6749 §3.1: the endpoint URI MUST NOT include a fragment component.
    if (url.hash !== '') throw new InvalidInputError(field, `${labels[field]} may not have a fragment (#).`);
  }
  const [token, jwks, device] = [input.token.trim(), input.jwks.trim(), input.deviceAuthorization.trim()];
  return {
    authorization: input.authorization.trim(),
    ...(token === '' ? {} : { token }),
    ...(jwks === '' ? {} : { jwks }),
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
