/**
 * JWT Secured Authorization Response Mode (JARM): the authorization server signs its answer (code,
 * state, or error) into one JWT, `response`, so the client can tell it was not forged or changed on
 * the way and that it was meant for this client.
 * @see https://openid.net/specs/oauth-v2-jarm.html
 */
// jose is loaded when a response is verified, so it stays out of the page's first bundle.
import type { JSONWebKeySet } from 'jose';
import { NetworkError, ProtocolViolationError } from './errors.ts';
import type { DecodedJwt } from './jwt.ts';
import { quoteForMessage } from './quote.ts';

/**
 * The JARM response modes: `jwt` means the response type's default carrier.
 * @see https://openid.net/specs/oauth-v2-jarm.html#section-2.3
 */
export const JARM_RESPONSE_MODES = ['jwt', 'query.jwt', 'fragment.jwt', 'form_post.jwt'] as const;

/**
 * One of the JARM response modes.
 * @see https://openid.net/specs/oauth-v2-jarm.html#section-2.3
 */
export type JarmResponseMode = (typeof JARM_RESPONSE_MODES)[number];

/**
 * Whether a response_mode value asks for a JARM response.
 * @see https://openid.net/specs/oauth-v2-jarm.html#section-2.3
 */
export function isJarmResponseMode(mode: string): mode is JarmResponseMode {
  return (JARM_RESPONSE_MODES as readonly string[]).includes(mode);
}

/**
 * Where a JARM response travels: `jwt` is query for `code` and fragment once a token is on the
 * redirect.
 * @see https://openid.net/specs/oauth-v2-jarm.html#section-2.3.4
 */
export function jarmCarrier(
  mode: JarmResponseMode,
  responseType: string,
): 'query' | 'fragment' | 'form_post' {
  if (mode === 'query.jwt') return 'query';
  if (mode === 'fragment.jwt') return 'fragment';
  if (mode === 'form_post.jwt') return 'form_post';
  const types = responseType.split(/\s+/);
  return types.includes('token') || types.includes('id_token') ? 'fragment' : 'query';
}

/** The claims that frame a JARM response rather than carry the authorization response. */
const FRAME_CLAIMS = new Set(['aud', 'exp', 'iat', 'nbf', 'jti']);

/**
 * A JARM response checked: its header, its claims, and the authorization response parameters it
 * carries (strings, `iss` kept for the RFC 9207 check).
 * @see https://openid.net/specs/oauth-v2-jarm.html#section-2.1
 */
export interface VerifiedJarmResponse {
  readonly header: Readonly<Record<string, unknown>>;
  readonly claims: Readonly<Record<string, unknown>>;
  readonly params: Readonly<Record<string, string>>;
}

/**
 * Verifies a JARM response with jose: signature against the issuer's keys, `iss` the issuer, `aud`
 * this client, `exp` present and not past. Throws `ProtocolViolationError` (INVALID_RESPONSE) saying
 * which check failed; an encrypted response is refused as unsupported.
 * @see https://openid.net/specs/oauth-v2-jarm.html#section-4.4
 */
export async function verifyJarmResponse(
  response: string,
  expected: {
    readonly issuer: string;
    readonly clientId: string;
    readonly jwks: JSONWebKeySet;
    readonly nowMs: number;
  },
): Promise<VerifiedJarmResponse> {
  const parts = response.split('.');
  if (parts.length === 5) {
    throw new ProtocolViolationError(
      'INVALID_RESPONSE',
      'The JARM response is encrypted (a JWE). This app only reads signed responses: register the client without authorization_encrypted_response_alg.',
    );
  }
  // The JWT decoder loads with the response it reads, not with the code flow's page (issue 12).
  let decodeJwt: (jwt: string) => DecodedJwt;
  try {
    ({ decodeJwt } = await import('./jwt.ts'));
  } catch (cause) {
    throw new NetworkError(
      'NETWORK_ERROR',
      'The code that reads the JARM response could not be loaded (the app’s server did not answer, or the app was updated since this page opened). Reload the page and try again.',
      { cause },
    );
  }
  // Decoded first, so a malformed JWT is named as such before any key is looked for.
  let decoded: DecodedJwt;
  try {
    decoded = decodeJwt(response);
  } catch (cause) {
    throw new ProtocolViolationError(
      'INVALID_RESPONSE',
      `The “response” parameter is not a readable JWT: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause: response },
    );
  }
  const alg = decoded.header['alg'];
  // JARM §4.4 (and RFC 8725 §3.1): an unsigned response proves nothing.
  if (alg === 'none' || typeof alg !== 'string' || alg.startsWith('HS')) {
    throw new ProtocolViolationError(
      'INVALID_RESPONSE',
      alg === 'none'
        ? 'The JARM response is not signed (alg “none”), so it proves nothing: it is not used.'
        : `The JARM response is signed with ${quoteForMessage(String(alg), 20)}, which this app cannot check against the issuer’s public keys.`,
    );
  }
  const { createLocalJWKSet, jwtVerify } = await import('jose');
  try {
    const { payload, protectedHeader } = await jwtVerify(response, createLocalJWKSet(expected.jwks), {
      // JARM §4.4: iss MUST be the authorization server, aud MUST contain the client id, exp not past.
      issuer: expected.issuer,
      audience: expected.clientId,
      requiredClaims: ['exp'],
      currentDate: new Date(expected.nowMs),
    });
    const params: Record<string, string> = Object.create(null) as Record<string, string>;
    for (const [name, value] of Object.entries(payload)) {
      if (FRAME_CLAIMS.has(name)) continue;
      params[name] = typeof value === 'string' ? value : JSON.stringify(value);
    }
    return { header: protectedHeader, claims: payload, params };
  } catch (cause) {
    throw new ProtocolViolationError('INVALID_RESPONSE', jarmFailureMessage(cause, expected), {
      cause: response,
    });
  }
}

/** Says which JARM check failed, in words that point at the likely cause (jose's error codes). */
function jarmFailureMessage(cause: unknown, expected: { issuer: string; clientId: string }): string {
  const { code, claim, reason } = (cause ?? {}) as { code?: unknown; claim?: unknown; reason?: unknown };
  if (code === 'ERR_JWT_EXPIRED') {
    return 'The JARM response has expired (its exp is past): it took too long to come back, or this computer’s clock is off. Start the sign-in again.';
  }
  if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED') {
    if (claim === 'iss')
      return `The JARM response was issued by someone other than ${quoteForMessage(expected.issuer)} (its iss differs), so it may come from another server (a mix-up): it is not used.`;
    if (claim === 'aud')
      return `The JARM response is addressed to another client (its aud is not ${quoteForMessage(expected.clientId)}): it is not used.`;
    if (claim === 'exp')
      return 'The JARM response has no expiry (exp), which JARM §2.1 requires: it is not used.';
    return `The JARM response's ${String(claim)} claim fails its check (${String(reason)}): it is not used.`;
  }
  if (code === 'ERR_JWKS_NO_MATCHING_KEY') {
    return 'None of the issuer’s published keys matches the JARM response’s kid and algorithm, so its signature cannot be checked: it is not used.';
  }
  if (code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED') {
    return 'The JARM response’s signature does not verify with the issuer’s key: it was changed on the way, or signed by someone else. It is not used.';
  }
  return `The JARM response could not be verified: ${cause instanceof Error ? cause.message : String(cause)}.`;
}
