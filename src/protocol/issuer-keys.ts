/**
 * Finding the keys that should have signed a token: the issuer's discovery document, then its
 * `jwks_uri`. The fetching is injected (the UI goes direct, or through the relay where CORS blocks).
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderConfig
 */
import type { JSONWebKeySet } from 'jose';
import { ProtocolViolationError } from './errors.ts';
import { discoveryUrlForIssuer, expectedIssuerFromDiscovery } from './verify.ts';

/** Fetches a URL and returns its JSON body; throws a typed error when it cannot. */
export type FetchJson = (url: string) => Promise<unknown>;

export interface IssuerKeys {
  readonly discoveryUrl: string;
  readonly jwksUri: string;
  readonly jwks: JSONWebKeySet;
  /** The issuer the discovery document names (Entra's template filled in). */
  readonly discoveredIssuer: string;
  readonly issuerMatches: boolean;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Discovery, then the key set, for the token's `iss` (and `tid` for Entra's templated issuer).
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderConfigurationValidation
 */
export async function fetchIssuerKeys(
  issuer: string,
  tid: unknown,
  fetchJson: FetchJson,
): Promise<IssuerKeys> {
  const discoveryUrl = discoveryUrlForIssuer(issuer);
  const discovery = await fetchJson(discoveryUrl);
  if (
    !isObject(discovery) ||
    typeof discovery['jwks_uri'] !== 'string' ||
    typeof discovery['issuer'] !== 'string'
  ) {
    throw new ProtocolViolationError(
      'INVALID_RESPONSE',
      `${discoveryUrl} is not a discovery document (no issuer or jwks_uri).`,
    );
  }
  const jwksUri = discovery['jwks_uri'];
  const jwks = await fetchJson(jwksUri);
  if (!isObject(jwks) || !Array.isArray(jwks['keys'])) {
    throw new ProtocolViolationError('INVALID_RESPONSE', `${jwksUri} is not a key set (no "keys" array).`);
  }
  const discoveredIssuer = expectedIssuerFromDiscovery(discovery['issuer'], tid);
  // OIDC Discovery §4.3: the issuer in the document MUST be identical to the one used to find it.
  const issuerMatches =
    discoveredIssuer.replace(/\/+$/, '') === issuer.replace(/\/+$/, '') ||
    /^https:\/\/sts\.windows\.net\//.test(issuer);
  return { discoveryUrl, jwksUri, jwks: jwks as unknown as JSONWebKeySet, discoveredIssuer, issuerMatches };
}
