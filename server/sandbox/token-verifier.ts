/**
 * Verifies access tokens the sandbox itself issued (RFC 7519 §7.2): signature against the sandbox's own
 * signing key, issuer (the tenant's v2.0 or v1.0 one: an API's registration decides which version its
 * tokens have), `exp`/`nbf`. Used by the on-behalf-of grant and by the Graph-like API, which checks Graph's
 * header-nonce tokens as Graph does (graph-token.ts).
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/access-tokens#validate-the-issuer
 */
import { createLocalJWKSet, errors as joseErrors, jwtVerify, type JWK, type JWTPayload } from 'jose';
import { graphSigningInput } from './graph-token.ts';
import { sandboxV1Issuer } from './issuers.ts';

/** Why a token was refused. */
export type TokenRejection = 'malformed' | 'signature' | 'expired' | 'not_yet_valid' | 'issuer' | 'audience';

/** A verification result. */
export type TokenVerification =
  | { readonly ok: true; readonly payload: JWTPayload }
  | { readonly ok: false; readonly reason: TokenRejection; readonly detail: string };

/** What a verification also checks. */
export interface VerifyOptions {
  /** Accepted `aud` values; any when absent. */
  readonly audience?: readonly string[];
  /**
   * Check the signature as Microsoft Graph does: over the header with its `nonce` replaced by the nonce's
   * hash. Only Graph does this; any other API fails such a token's signature, as it would with Entra.
   */
  readonly graphNonce?: boolean;
}

/** Verifies sandbox-issued JWTs. */
export type SandboxTokenVerifier = (token: string, options?: VerifyOptions) => Promise<TokenVerification>;

/**
 * Builds a verifier for tokens signed with `signingKey` (its private members are dropped). `issuer` is the
 * tenant's v2.0 issuer (`{origin}/{tid}/v2.0`); its v1.0 counterpart (issuers.ts) is accepted too.
 */
export function createSandboxTokenVerifier(signingKey: JWK, issuer: string): SandboxTokenVerifier {
  const v2 = /^(.*)\/([^/]+)\/v2\.0$/.exec(issuer);
  const issuers =
    v2?.[1] !== undefined && v2[2] !== undefined ? [issuer, sandboxV1Issuer(v2[1], v2[2])] : [issuer];
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
      const { payload } = await jwtVerify(options.graphNonce ? graphSigningInput(token) : token, keys, {
        issuer: issuers,
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
