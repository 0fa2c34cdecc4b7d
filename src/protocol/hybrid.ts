/**
 * Checking what the authorization endpoint hands over directly in the implicit and hybrid flows: the
 * ID token's nonce, and the `at_hash` / `c_hash` claims that bind the access token and the code to it.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#ImplicitIDTValidation
 * @see https://openid.net/specs/openid-connect-core-1_0.html#HybridIDToken
 */
import { quoteForMessage } from './quote.ts';
import { encodeBase64Url } from './base64url.ts';
import { InvalidInputError, ProtocolViolationError } from './errors.ts';
import { decodeJwt, type DecodedJwt } from './jwt.ts';

/** The hash behind a JWS algorithm: the number in its name (RS256 → SHA-256). */
export type HalfHashAlgorithm = 'SHA-256' | 'SHA-384' | 'SHA-512';

/**
 * The hash a token's `alg` implies for `at_hash` / `c_hash`; undefined for algorithms without one.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#CodeIDToken
 */
export function hashAlgorithmFor(alg: unknown): HalfHashAlgorithm | undefined {
  const match = typeof alg === 'string' ? /^(?:RS|PS|ES|HS)(256|384|512)$/.exec(alg) : null;
  return match === null ? undefined : (`SHA-${match[1]}` as HalfHashAlgorithm);
}

/**
 * The left-most half of the hash of the ASCII value, base64url: the `at_hash` / `c_hash` value.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#HybridIDToken
 */
export async function calculateHalfHash(
  value: string,
  algorithm: HalfHashAlgorithm = 'SHA-256',
): Promise<string> {
  // OIDC Core §3.3.2.11: hash "the octets of the ASCII representation" of the code or token.
  if (!/^[\x20-\x7e]*$/.test(value)) {
    throw new InvalidInputError('value', 'A code or access token is ASCII; this value has other characters.');
  }
  const digest = new Uint8Array(await crypto.subtle.digest(algorithm, new TextEncoder().encode(value)));
  return encodeBase64Url(digest.slice(0, digest.length / 2));
}

/** What the client sent and therefore expects back. */
export interface HybridExpectations {
  /** The response_type of the request, e.g. "id_token token" or "code id_token". */
  readonly responseType: string;
  /** The nonce sent; an empty string when none was sent. */
  readonly nonce: string;
  /** The client id the ID token's `aud` must contain. */
  readonly clientId: string;
}

/** One hash claim compared with the value it must describe. */
export interface HashCheck {
  readonly claim: 'at_hash' | 'c_hash';
  /** What the client computed from the access token or code. */
  readonly calculated: string;
  /** What the ID token says; undefined when the claim is absent. */
  readonly inToken: string | undefined;
}

/** The outcome of a successful validation, for the UI to show what was checked. */
export interface HybridValidation {
  readonly idToken?: DecodedJwt;
  /** The nonce was compared with the one sent (false when no ID token came back). */
  readonly nonceChecked: boolean;
  readonly hashes: readonly HashCheck[];
}

function responseTypes(responseType: string): Set<string> {
  return new Set(responseType.split(/\s+/).filter(Boolean));
}

function audienceContains(aud: unknown, clientId: string): boolean {
  return Array.isArray(aud) ? aud.includes(clientId) : aud === clientId;
}

/**
 * Validates the parameters of an implicit or hybrid authorization response (state and errors are
 * checked before): the expected parts are there, the ID token names this client and carries the
 * nonce, and its `at_hash` / `c_hash` match the access token and code. The signature is not checked.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#ImplicitTokenValidation
 * @see https://openid.net/specs/openid-connect-core-1_0.html#HybridTokenValidation
 */
export async function validateHybridResponse(
  params: Readonly<Record<string, string>>,
  expected: HybridExpectations,
): Promise<HybridValidation> {
  const types = responseTypes(expected.responseType);
  for (const [type, field] of [
    ['code', 'code'],
    ['token', 'access_token'],
    ['id_token', 'id_token'],
  ] as const) {
    if (types.has(type) && (params[field] ?? '') === '') {
      throw new ProtocolViolationError(
        'MISSING_PARAMETER',
        `response_type includes “${type}”, but the response has no ${field}.`,
      );
    }
  }
  const idTokenText = params['id_token'];
  if (idTokenText === undefined || idTokenText === '') return { nonceChecked: false, hashes: [] };

  const idToken = decodeJwt(idTokenText);
  const claims = idToken.payload;
  // OIDC Core §3.1.3.7 (via §3.2.2.11): aud MUST contain the client_id.
  if (!audienceContains(claims['aud'], expected.clientId)) {
    throw new ProtocolViolationError(
      'INVALID_RESPONSE',
      `The ID token was issued to ${quoteForMessage(claims['aud'])}, not to this client (${expected.clientId}).`,
    );
  }
  // OIDC Core §3.2.2.11: the nonce MUST be present and equal the one sent in the request.
  if (expected.nonce === '') {
    throw new ProtocolViolationError(
      'NONCE_MISMATCH',
      'No nonce was sent, so this ID token cannot be told apart from a replayed one (OIDC Core §3.2.2.11).',
    );
  }
  if (claims['nonce'] !== expected.nonce) {
    throw new ProtocolViolationError(
      'NONCE_MISMATCH',
      claims['nonce'] === undefined
        ? 'The ID token has no nonce, but this run sent one.'
        : `The ID token’s nonce (${quoteForMessage(claims['nonce'])}) is not the one this run sent (${quoteForMessage(expected.nonce)}).`,
    );
  }

  const algorithm = hashAlgorithmFor(idToken.header['alg']);
  const hashes: HashCheck[] = [];
  const bindings = [
    // OIDC Core §3.2.2.10: at_hash is REQUIRED when an access token comes with the ID token.
    { claim: 'at_hash', value: params['access_token'], required: types.has('token') },
    // OIDC Core §3.3.2.11: c_hash is REQUIRED when response_type is "code id_token".
    { claim: 'c_hash', value: params['code'], required: types.has('code') },
  ] as const;
  for (const { claim, value, required } of bindings) {
    if (value === undefined || value === '') continue;
    const inToken = typeof claims[claim] === 'string' ? claims[claim] : undefined;
    if (inToken === undefined && !required) continue;
    if (algorithm === undefined) {
      throw new ProtocolViolationError(
        'INVALID_RESPONSE',
        `The ID token’s alg (${String(idToken.header['alg'])}) names no hash, so ${claim} cannot be checked.`,
      );
    }
    const calculated = await calculateHalfHash(value, algorithm);
    if (inToken === undefined) {
      throw new ProtocolViolationError(
        'MISSING_PARAMETER',
        `The ID token has no ${claim}, which OIDC Core requires with this response_type.`,
      );
    }
    // OIDC Core §3.2.2.9 / §3.3.2.10: the value MUST match the hash of what arrived beside it.
    if (inToken !== calculated) {
      const what = claim === 'at_hash' ? 'access token' : 'code';
      throw new ProtocolViolationError(
        'HASH_MISMATCH',
        `The ID token’s ${claim} (${inToken}) does not match the ${what} that came with it (${calculated}): the ${what} may have been swapped.`,
      );
    }
    hashes.push({ claim, calculated, inToken });
  }
  return { idToken, nonceChecked: true, hashes };
}
