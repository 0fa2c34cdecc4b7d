/**
 * JWT-Secured Authorization Requests (JAR): the authorization request's parameters signed into one
 * JWT, the request object, sent by value (`request`) or pushed (PAR), so nobody on the way can change
 * them and the server knows the client wrote them.
 * @see https://www.rfc-editor.org/rfc/rfc9101
 */
// jose is loaded when a key is made or an object signed, so it stays out of the page's first bundle.
import type { JWK } from 'jose';
import type { QueryParameter } from './authorize.ts';
import { buildAuthorizationUrl } from './authorize.ts';
import { InvalidInputError } from './errors.ts';

/**
 * The algorithms this app signs request objects with: HS256 keyed by the client secret, or a key pair
 * made in the browser whose public half is registered with the server.
 * @see https://www.rfc-editor.org/rfc/rfc9101#section-10.4
 */
export type RequestObjectAlgorithm = 'HS256' | 'RS256' | 'PS256' | 'ES256';

/**
 * The asymmetric algorithms among them: a key pair whose public key the client registers.
 * @see https://www.rfc-editor.org/rfc/rfc9101#section-10.4
 */
export const ASYMMETRIC_REQUEST_OBJECT_ALGORITHMS = ['ES256', 'PS256', 'RS256'] as const;

/**
 * The media type a request object declares in its `typ` header.
 * @see https://www.rfc-editor.org/rfc/rfc9101#section-10.8
 */
export const REQUEST_OBJECT_TYP = 'oauth-authz-req+jwt';

/**
 * How long a request object this app signs stays valid (its exp), in seconds: short, as it is used once.
 * @see https://www.rfc-editor.org/rfc/rfc9101#section-10.2
 */
export const REQUEST_OBJECT_LIFETIME_SECONDS = 300;

/**
 * What signs the request object.
 * @see https://www.rfc-editor.org/rfc/rfc9101#section-4
 */
export type RequestObjectKey =
  | { readonly alg: 'HS256'; readonly clientSecret: string }
  | {
      readonly alg: Exclude<RequestObjectAlgorithm, 'HS256'>;
      readonly privateKey: CryptoKey;
      readonly kid: string;
    };

/**
 * A key pair made in the browser for signing request objects: the private key stays a non-extractable
 * WebCrypto key in memory, the public key is a JWK (kid = its RFC 7638 thumbprint) to register.
 * @see https://www.rfc-editor.org/rfc/rfc7638#section-3
 */
export interface RequestObjectKeyPair {
  readonly alg: Exclude<RequestObjectAlgorithm, 'HS256'>;
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK & { readonly kid: string };
}

/**
 * Makes a signing key pair with WebCrypto (through jose); the private key cannot be exported.
 * @see https://www.rfc-editor.org/rfc/rfc7517#section-4
 */
export async function generateRequestObjectKeyPair(
  alg: Exclude<RequestObjectAlgorithm, 'HS256'>,
): Promise<RequestObjectKeyPair> {
  const { calculateJwkThumbprint, exportJWK, generateKeyPair } = await import('jose');
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: false });
  const jwk = await exportJWK(publicKey);
  // RFC 7638 §3: the thumbprint names the key without a registry of ids.
  const kid = await calculateJwkThumbprint(jwk, 'sha256');
  return { alg, privateKey, publicJwk: { ...jwk, kid, alg, use: 'sig' } };
}

/**
 * The request object's claims: every authorization parameter (empty ones left out), plus iss = the
 * client id, aud = the issuer, and a short lifetime with a unique jti.
 * @see https://www.rfc-editor.org/rfc/rfc9101#section-4
 */
export function buildRequestObjectClaims(input: {
  readonly parameters: readonly QueryParameter[];
  readonly clientId: string;
  readonly issuer: string;
  readonly nowMs: number;
  readonly jti: string;
  readonly lifetimeSeconds?: number;
}): Record<string, unknown> {
  const claims: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const [name, value] of input.parameters) {
    const key = name.trim();
    // RFC 9101 §4: the request object MUST NOT contain "request" or "request_uri".
    if (key === '' || value === '' || key === 'request' || key === 'request_uri') continue;
    if (!Object.hasOwn(claims, key)) claims[key] = value;
  }
  const now = Math.floor(input.nowMs / 1000);
  return {
    ...claims,
    client_id: input.clientId,
    // RFC 9101 §4: a signed request object SHOULD contain iss (the client id) and aud (the issuer).
    iss: input.clientId,
    aud: input.issuer,
    iat: now,
    nbf: now,
    exp: now + (input.lifetimeSeconds ?? REQUEST_OBJECT_LIFETIME_SECONDS),
    jti: input.jti,
  };
}

/**
 * The request object's protected header.
 * @see https://www.rfc-editor.org/rfc/rfc9101#section-10.8
 */
export function buildRequestObjectHeader(key: RequestObjectKey): {
  alg: RequestObjectAlgorithm;
  typ: string;
  kid?: string;
} {
  return key.alg === 'HS256'
    ? { alg: 'HS256', typ: REQUEST_OBJECT_TYP }
    : { alg: key.alg, typ: REQUEST_OBJECT_TYP, kid: key.kid };
}

/**
 * Signs the request object with jose; an empty client secret or a key that does not fit is an
 * `InvalidInputError` naming what to fix.
 * @see https://www.rfc-editor.org/rfc/rfc9101#section-4
 */
export async function signRequestObject(
  claims: Record<string, unknown>,
  key: RequestObjectKey,
): Promise<string> {
  const header = buildRequestObjectHeader(key);
  let signingKey: CryptoKey | Uint8Array;
  if (key.alg === 'HS256') {
    if (key.clientSecret === '') {
      throw new InvalidInputError(
        'clientSecret',
        'HS256 signs the request object with the client secret, and there is none: enter the client’s secret, or choose a key pair (ES256, PS256, RS256) instead.',
      );
    }
    // RFC 7518 §3.2 / OIDC Core §10.1: the key is the octets of the client secret's UTF-8 form.
    signingKey = new TextEncoder().encode(key.clientSecret);
  } else {
    signingKey = key.privateKey;
  }
  const { SignJWT } = await import('jose');
  try {
    return await new SignJWT({ ...claims }).setProtectedHeader(header).sign(signingKey);
  } catch (cause) {
    throw new InvalidInputError(
      'alg',
      `The request object could not be signed with ${key.alg}: ${cause instanceof Error ? cause.message : String(cause)}.`,
    );
  }
}

/**
 * The authorization URL carrying the request object by value: `client_id` and `request` only.
 * @see https://www.rfc-editor.org/rfc/rfc9101#section-5
 */
export function buildRequestObjectAuthorizationUrl(
  endpoint: string,
  clientId: string,
  requestObject: string,
): URL {
  // RFC 9101 §5: client_id is repeated outside the object so the server knows whose key verifies it.
  return buildAuthorizationUrl(endpoint, [
    ['client_id', clientId],
    ['request', requestObject],
  ]);
}
