/**
 * Verifies access tokens the sandbox itself issued (RFC 7519 §7.2): signature against the sandbox's own
 * signing key, issuer, `exp`/`nbf`. Used by the on-behalf-of grant and by the Graph-like API.
 */
import { createLocalJWKSet, errors as joseErrors, jwtVerify, type JWK, type JWTPayload } from 'jose';

/** Why a token was refused. */
export type TokenRejection = 'malformed' | 'signature' | 'expired' | 'not_yet_valid' | 'issuer' | 'audience';

/** A verification result. */
export type TokenVerification =
  | { readonly ok: true; readonly payload: JWTPayload }
  | { readonly ok: false; readonly reason: TokenRejection; readonly detail: string };

/** Verifies sandbox-issued JWTs. */
export type SandboxTokenVerifier = (
  token: string,
  options?: { readonly audience?: readonly string[] },
) => Promise<TokenVerification>;

/** Builds a verifier for tokens signed with `signingKey` (its private members are dropped). */
export function createSandboxTokenVerifier(signingKey: JWK, issuer: string): SandboxTokenVerifier {
  const publicKey: JWK = {
    kty: signingKey.kty,
    n: signingKey.n,
    e: signingKey.e,
    ...(signingKey.kid === undefined ? {} : { kid: signingKey.kid }),
    alg: 'RS256',
  } as JWK;
  const keys = createLocalJWKSet({ keys: [publicKey] });
  return async (token, options = {}) => {
    try {
      const { payload } = await jwtVerify(token, keys, {
        issuer,
        algorithms: ['RS256'],
        clockTolerance: 5,
        ...(options.audience ? { audience: [...options.audience] } : {}),
      });
      return { ok: true, payload };
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired)
        return { ok: false, reason: 'expired', detail: 'The token is expired.' };
      if (err instanceof joseErrors.JWTClaimValidationFailed) {
        if (err.claim === 'nbf')
          return { ok: false, reason: 'not_yet_valid', detail: 'The token is not yet valid.' };
        if (err.claim === 'iss')
          return { ok: false, reason: 'issuer', detail: 'The token issuer is invalid.' };
        if (err.claim === 'aud')
          return { ok: false, reason: 'audience', detail: 'The audience claim is invalid.' };
        return { ok: false, reason: 'malformed', detail: `The '${err.claim}' claim is invalid.` };
      }
      if (
        err instanceof joseErrors.JWSSignatureVerificationFailed ||
        err instanceof joseErrors.JWKSNoMatchingKey
      ) {
        return {
          ok: false,
          reason: 'signature',
          detail: 'The provided signature value did not match the expected signature value.',
        };
      }
      return { ok: false, reason: 'malformed', detail: 'The token is not a well-formed JWT.' };
    }
  };
}
