/**
 * Checking a JWT's signature against its issuer's published keys, with jose (never hand-rolled
 * crypto). The verdict says what was checked and why it failed, in terms the user can act on.
 * @see https://www.rfc-editor.org/rfc/rfc7515#section-5.2
 */
import { compactVerify, createLocalJWKSet, errors, type JSONWebKeySet } from 'jose';
import { decodeJwt } from './jwt.ts';
import { quoteForMessage } from './quote.ts';

/** The outcome of a signature check. */
export type SignatureVerdict =
  | { readonly kind: 'valid'; readonly alg: string; readonly kid?: string }
  | { readonly kind: 'invalid'; readonly reason: string }
  | { readonly kind: 'no-key'; readonly reason: string }
  | { readonly kind: 'unsigned'; readonly reason: string }
  | { readonly kind: 'not-verifiable'; readonly reason: string }
  | { readonly kind: 'unavailable'; readonly reason: string };

/** Algorithms accepted for verification; `none` and HMAC (shared secrets) never are. */
export const VERIFIABLE_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
];

const GRAPH_AUDIENCES = [
  '00000003-0000-0000-c000-000000000000',
  'https://graph.microsoft.com',
  'https://graph.microsoft.com/',
];

/**
 * Microsoft Graph access tokens carry a `nonce` in their header and are signed over a hashed form
 * of it: only Graph can check them, so a failed check is expected, not a forgery.
 */
export function isGraphNonceToken(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
): boolean {
  const aud = payload['aud'];
  return typeof header['nonce'] === 'string' && typeof aud === 'string' && GRAPH_AUDIENCES.includes(aud);
}

/**
 * Where an issuer publishes its metadata: issuer + /.well-known/openid-configuration. Entra v1
 * tokens name `https://sts.windows.net/{tid}/`, whose metadata lives on login.microsoftonline.com.
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderConfigurationRequest
 */
export function discoveryUrlForIssuer(issuer: string): string {
  const v1 = /^https:\/\/sts\.windows\.net\/([^/]+)\/?$/.exec(issuer);
  if (v1?.[1] !== undefined)
    return `https://login.microsoftonline.com/${v1[1]}/.well-known/openid-configuration`;
  return `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
}

/**
 * The issuer a discovery document names, with Entra's `{tenantid}` template filled from the token.
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderConfigurationValidation
 */
export function expectedIssuerFromDiscovery(discoveredIssuer: string, tid: unknown): string {
  return typeof tid === 'string' ? discoveredIssuer.replace('{tenantid}', tid) : discoveredIssuer;
}

/**
 * The verdicts that need no keys: unsigned tokens, Graph's header-nonce tokens, symmetric algorithms.
 * @see https://www.rfc-editor.org/rfc/rfc8725#section-3.1
 */
export function precheckSignature(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
): SignatureVerdict | undefined {
  const rawAlg = header['alg'];
  if (typeof rawAlg !== 'string' || rawAlg === '') {
    return {
      kind: 'invalid',
      reason:
        rawAlg === undefined || rawAlg === ''
          ? 'The header has no alg, which RFC 7515 §4.1.1 requires: nothing says how it was signed.'
          : `The header's alg is ${quoteForMessage(rawAlg)}, not an algorithm name.`,
    };
  }
  const alg = rawAlg;
  if (alg.toLowerCase() === 'none') {
    // RFC 8725 §3.1: an unsigned token must never be accepted as if it were signed.
    return {
      kind: 'unsigned',
      reason: 'The header says alg “none”: this token is not signed, so nothing vouches for its claims.',
    };
  }
  if (isGraphNonceToken(header, payload)) {
    return {
      kind: 'not-verifiable',
      reason:
        'This is a Microsoft Graph token with a nonce in its header: only Graph can check its signature. Your app should not validate tokens meant for another API.',
    };
  }
  if (!VERIFIABLE_ALGORITHMS.includes(alg)) {
    return {
      kind: 'invalid',
      reason: `The algorithm ${alg} is not one a public key can verify (HMAC needs the shared secret).`,
    };
  }
  return undefined;
}

/**
 * Verifies a compact JWS against a key set. `alg: none` and symmetric algorithms are refused.
 * @see https://www.rfc-editor.org/rfc/rfc8725#section-3.1
 */
export async function verifyJwtSignature(token: string, jwks: JSONWebKeySet): Promise<SignatureVerdict> {
  const { header, payload } = decodeJwt(token);
  const early = precheckSignature(header, payload);
  if (early !== undefined) return early;
  try {
    const result = await compactVerify(token.trim(), createLocalJWKSet(jwks), {
      algorithms: VERIFIABLE_ALGORITHMS,
    });
    const kid = result.protectedHeader.kid;
    return { kind: 'valid', alg: result.protectedHeader.alg, ...(kid === undefined ? {} : { kid }) };
  } catch (error) {
    if (error instanceof errors.JWKSNoMatchingKey) {
      return {
        kind: 'no-key',
        reason: `No key in the issuer's key set matches kid “${String(header['kid'] ?? '(none)')}”: the keys may have rolled over, or the token comes from elsewhere.`,
      };
    }
    if (error instanceof errors.JWSSignatureVerificationFailed) {
      return {
        kind: 'invalid',
        reason: 'The signature does not match: the token was altered, or was signed by someone else.',
      };
    }
    return { kind: 'invalid', reason: error instanceof Error ? error.message : String(error) };
  }
}
