/**
 * DPoP (Demonstrating Proof of Possession): the client holds a key pair, signs a short JWT (the proof)
 * for every request, and the server binds the access token to the public key's thumbprint, so a stolen
 * token is useless without the private key.
 * @see https://www.rfc-editor.org/rfc/rfc9449
 */
import type { JWK } from 'jose';
import { encodeBase64Url } from './base64url.ts';
import { parseWwwAuthenticate } from './bearer.ts';
import { InvalidInputError, NetworkError, ProtocolViolationError } from './errors.ts';
import { classifyToken, decodeJwt } from './jwt.ts';
import type { ReadableResponse, TokenResponse } from './token.ts';

/**
 * The signature algorithms this app can make DPoP keys for (WebCrypto); ES256 is the usual choice.
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-5.1
 */
export const DPOP_ALGORITHMS = ['ES256', 'PS256', 'RS256'] as const;

/**
 * A DPoP signature algorithm this app supports.
 * @see https://www.rfc-editor.org/rfc/rfc7518#section-3.1
 */
export type DpopAlgorithm = (typeof DPOP_ALGORITHMS)[number];

/**
 * The `typ` every DPoP proof carries in its header.
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-4.2
 */
export const DPOP_PROOF_TYPE = 'dpop+jwt';

/**
 * The public key as a JWK: the members RFC 7638 hashes, nothing private.
 * @see https://www.rfc-editor.org/rfc/rfc7517#section-4
 */
export interface DpopPublicJwk {
  readonly kty: string;
  readonly crv?: string;
  readonly x?: string;
  readonly y?: string;
  readonly n?: string;
  readonly e?: string;
}

/**
 * A DPoP key pair: the private key is a non-extractable WebCrypto key held in memory only.
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-2
 */
export interface DpopKeyPair {
  readonly alg: DpopAlgorithm;
  readonly privateKey: CryptoKey;
  readonly publicJwk: DpopPublicJwk;
  /** RFC 7638 SHA-256 thumbprint of the public key: the `jkt` the server binds tokens to. */
  readonly thumbprint: string;
}

/**
 * The header of a DPoP proof.
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-4.2
 */
export interface DpopProofHeader {
  readonly typ: typeof DPOP_PROOF_TYPE;
  readonly alg: DpopAlgorithm;
  readonly jwk: DpopPublicJwk;
}

/**
 * The claims of a DPoP proof.
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-4.2
 */
export interface DpopProofClaims {
  readonly jti: string;
  readonly htm: string;
  readonly htu: string;
  readonly iat: number;
  readonly nonce?: string;
  readonly ath?: string;
}

/**
 * A signed proof with its decoded parts, kept to show and to send.
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-4.2
 */
export interface DpopProof {
  readonly jwt: string;
  readonly header: DpopProofHeader;
  readonly claims: DpopProofClaims;
}

/** What each header field and claim of a DPoP proof means, in one line with its source. */
export const DPOP_PROOF_FIELDS: readonly {
  readonly name: string;
  readonly spec: string;
  readonly meaning: string;
}[] = [
  {
    name: 'typ',
    spec: 'RFC 9449 §4.2',
    meaning: 'Always dpop+jwt, so a proof cannot be mistaken for any other kind of JWT.',
  },
  {
    name: 'alg',
    spec: 'RFC 9449 §4.2',
    meaning: 'The signature algorithm; it must be asymmetric (no HS256: the server has no shared secret).',
  },
  {
    name: 'jwk',
    spec: 'RFC 9449 §4.2',
    meaning:
      'The public key, in the proof itself. The server checks the signature with it and binds the token to its thumbprint.',
  },
  {
    name: 'jti',
    spec: 'RFC 9449 §4.2',
    meaning: 'A random id, new for every proof: the server refuses a proof it has seen before.',
  },
  {
    name: 'htm',
    spec: 'RFC 9449 §4.2',
    meaning: 'The HTTP method of the request this proof is for (POST, GET…).',
  },
  {
    name: 'htu',
    spec: 'RFC 9449 §4.2',
    meaning:
      'The URL of that request, without query or fragment: a proof for one endpoint is no good at another.',
  },
  {
    name: 'iat',
    spec: 'RFC 9449 §4.2',
    meaning: 'When the proof was made; servers accept it only for a short while.',
  },
  {
    name: 'nonce',
    spec: 'RFC 9449 §8',
    meaning: 'The value the server sent in its DPoP-Nonce header, echoed back to show the proof is fresh.',
  },
  {
    name: 'ath',
    spec: 'RFC 9449 §4.2',
    meaning:
      'Hash of the access token (SHA-256, base64url), on calls to a resource: the proof is tied to this one token.',
  },
];

const KEY_ALGORITHMS: Record<DpopAlgorithm, true> = { ES256: true, PS256: true, RS256: true };

/**
 * Whether a value names an algorithm this app can make a DPoP key for.
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-5.1
 */
export function isDpopAlgorithm(value: unknown): value is DpopAlgorithm {
  return typeof value === 'string' && Object.hasOwn(KEY_ALGORITHMS, value);
}

/**
 * The JWK thumbprint (SHA-256, base64url) of a public key: the `jkt` a DPoP-bound token names.
 * @see https://www.rfc-editor.org/rfc/rfc7638#section-3
 */
export async function calculateJwkThumbprint(jwk: DpopPublicJwk): Promise<string> {
  const { calculateJwkThumbprint: joseThumbprint } = await loadJose();
  return joseThumbprint(jwk as JWK, 'sha256');
}

/**
 * jose (key generation, thumbprint, signing), loaded with the first key or proof rather than with the
 * DPoP page (issue 12: a flow route loads at most 1.5× the landing page's JavaScript). A failed load is a
 * `NetworkError` that says to reload.
 */
async function loadJose(): Promise<typeof import('jose')> {
  try {
    return await import('jose');
  } catch (cause) {
    throw new NetworkError(
      'NETWORK_ERROR',
      'The code that makes DPoP keys and signs proofs could not be loaded (the app’s server did not answer, or the app was updated since this page opened). Reload the page and try again.',
      { cause },
    );
  }
}

/** Only the public members RFC 7638 §3.2 hashes; jose's export adds nothing private, but be strict. */
function publicMembers(jwk: JWK): DpopPublicJwk {
  if (jwk.kty === 'EC') return { kty: 'EC', crv: jwk.crv ?? '', x: jwk.x ?? '', y: jwk.y ?? '' };
  return { kty: jwk.kty ?? 'RSA', n: jwk.n ?? '', e: jwk.e ?? '' };
}

/**
 * A new DPoP key pair made with WebCrypto; the private key cannot be exported.
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-2
 */
export async function generateDpopKeyPair(alg: DpopAlgorithm = 'ES256'): Promise<DpopKeyPair> {
  if (!isDpopAlgorithm(alg)) {
    throw new InvalidInputError('alg', `DPoP keys can be ES256, PS256 or RS256 here, not “${String(alg)}”.`);
  }
  const { exportJWK, generateKeyPair } = await loadJose();
  // jose makes the private key non-extractable unless asked otherwise.
  const pair = await generateKeyPair(alg, { extractable: false });
  const publicJwk = publicMembers(await exportJWK(pair.publicKey));
  return { alg, privateKey: pair.privateKey, publicJwk, thumbprint: await calculateJwkThumbprint(publicJwk) };
}

/**
 * The `htu` for a request URL: scheme, host, port and path, without query and fragment.
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-4.2
 */
export function buildDpopHtu(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidInputError('htu', `“${url}” is not an absolute URL, so no DPoP proof can name it.`);
  }
  // RFC 9449 §4.2: "The HTTP target URI ... without query and fragment parts".
  parsed.search = '';
  parsed.hash = '';
  return parsed.href;
}

/**
 * The `ath` claim: base64url of the SHA-256 of the access token's ASCII bytes.
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-4.2
 */
export async function calculateAccessTokenHash(accessToken: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(accessToken));
  return encodeBase64Url(new Uint8Array(digest));
}

/** A random `jti`: 16 bytes of randomness, base64url. */
function generateJti(): string {
  return encodeBase64Url(crypto.getRandomValues(new Uint8Array(16)));
}

/**
 * Builds and signs a DPoP proof for one request (jose's SignJWT). `accessToken` adds `ath` (calls to a
 * resource); `nonce` echoes the server's DPoP-Nonce.
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-4.2
 */
export async function buildDpopProof(
  key: Pick<DpopKeyPair, 'alg' | 'privateKey' | 'publicJwk'>,
  input: {
    readonly htm: string;
    readonly htu: string;
    readonly nonce?: string | undefined;
    readonly accessToken?: string | undefined;
    readonly nowMs?: number;
    readonly jti?: string;
  },
): Promise<DpopProof> {
  const htm = input.htm.trim().toUpperCase();
  if (!/^[A-Z]+$/.test(htm)) throw new InvalidInputError('htm', `“${input.htm}” is not an HTTP method.`);
  const header: DpopProofHeader = { typ: DPOP_PROOF_TYPE, alg: key.alg, jwk: key.publicJwk };
  const claims: DpopProofClaims = {
    jti: input.jti ?? generateJti(),
    htm,
    htu: buildDpopHtu(input.htu),
    iat: Math.floor((input.nowMs ?? Date.now()) / 1000),
    ...(input.nonce === undefined || input.nonce === '' ? {} : { nonce: input.nonce }),
    // RFC 9449 §4.2: ath is required when the proof goes with an access token.
    ...(input.accessToken === undefined ? {} : { ath: await calculateAccessTokenHash(input.accessToken) }),
  };
  const { SignJWT } = await loadJose();
  try {
    const jwt = await new SignJWT({ ...claims })
      .setProtectedHeader({ typ: header.typ, alg: header.alg, jwk: { ...header.jwk } })
      .sign(key.privateKey);
    return { jwt, header, claims };
  } catch (cause) {
    throw new InvalidInputError(
      'alg',
      `The DPoP proof could not be signed with ${key.alg}: ${cause instanceof Error ? cause.message : String(cause)}.`,
    );
  }
}

/**
 * The `Authorization` value for a DPoP-bound token: scheme DPoP, not Bearer.
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-7.1
 */
export function buildDpopAuthorization(accessToken: string): string {
  return `DPoP ${accessToken}`;
}

/**
 * What a server said about DPoP in one answer: its error (e.g. `use_dpop_nonce`) and the nonce it
 * wants in the next proof.
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-8
 */
export interface DpopChallenge {
  /** Token endpoint errors come in the JSON body; a resource's in WWW-Authenticate. */
  readonly where: 'token-endpoint' | 'resource';
  readonly error?: string;
  readonly error_description?: string;
  /** The `DPoP-Nonce` header's value, when the answer carried one. */
  readonly nonce?: string;
  /** The resource's `algs` auth-param: the proof algorithms it accepts (RFC 9449 §7.1). */
  readonly algs?: string;
}

function headerOf(response: ReadableResponse, name: string): string | undefined {
  return response.headers?.find(([n]) => n.toLowerCase() === name)?.[1];
}

function nonEmpty(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * Reads a DPoP challenge: a token endpoint's `use_dpop_nonce` (JSON body, §8) or a resource's
 * `WWW-Authenticate: DPoP error=…` (§7.1, §9), with the `DPoP-Nonce` header. Undefined when the answer
 * says nothing about DPoP; never throws.
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-8
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-9
 */
export function readDpopChallenge(response: ReadableResponse): DpopChallenge | undefined {
  const nonce = nonEmpty(headerOf(response, 'dpop-nonce')?.trim());
  const withNonce = nonce === undefined ? {} : { nonce };
  const header = headerOf(response, 'www-authenticate');
  if (header !== undefined && header.trim() !== '') {
    try {
      const dpop = parseWwwAuthenticate(header).find((c) => c.scheme.toLowerCase() === 'dpop');
      if (dpop !== undefined) {
        const p = dpop.params;
        return {
          where: 'resource',
          ...withNonce,
          ...(p['error'] === undefined ? {} : { error: p['error'] }),
          ...(p['error_description'] === undefined ? {} : { error_description: p['error_description'] }),
          ...(p['algs'] === undefined ? {} : { algs: p['algs'] }),
        };
      }
    } catch {
      // An unreadable challenge says nothing we can use; the body may still.
    }
  }
  let json: unknown;
  try {
    json = JSON.parse(response.body);
  } catch {
    json = undefined;
  }
  const body = typeof json === 'object' && json !== null ? (json as Record<string, unknown>) : {};
  const error = nonEmpty(body['error']);
  if (error === 'use_dpop_nonce' || error === 'invalid_dpop_proof') {
    const description = nonEmpty(body['error_description']);
    return {
      where: 'token-endpoint',
      ...withNonce,
      error,
      ...(description === undefined ? {} : { error_description: description }),
    };
  }
  // RFC 9449 §8.2: a server may hand out a fresh nonce on a success too.
  return nonce === undefined
    ? undefined
    : { where: header === undefined ? 'token-endpoint' : 'resource', nonce };
}

/**
 * Whether the answer asks the client to retry with the server's nonce (and gave one).
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-8
 */
export function isNonceChallenge(challenge: DpopChallenge | undefined): challenge is DpopChallenge & {
  readonly nonce: string;
} {
  return challenge?.error === 'use_dpop_nonce' && challenge.nonce !== undefined;
}

/**
 * What a token response says about its binding to the DPoP key, read without throwing.
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-6.1
 */
export interface DpopBinding {
  readonly tokenType: string;
  /** `token_type` is DPoP (case-insensitive). */
  readonly isDpop: boolean;
  /** The access token is a readable JWT; an opaque one hides its `cnf` (introspection shows it). */
  readonly decoded: boolean;
  /** The access token's `cnf.jkt`, when it is a JWT that has one. */
  readonly jkt?: string;
  /** `jkt` equals the key's thumbprint; undefined when there is no jkt to compare. */
  readonly matches?: boolean;
}

/**
 * Reads `token_type` and the access token's `cnf.jkt`, and compares it with the key's thumbprint.
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-6.1
 */
export function describeDpopBinding(tokens: TokenResponse, thumbprint: string): DpopBinding {
  const tokenType = tokens.token_type;
  // RFC 9449 §5: token_type is "DPoP"; RFC 6749 §5.1 makes it case-insensitive.
  const isDpop = tokenType.trim().toLowerCase() === 'dpop';
  if (classifyToken(tokens.access_token) !== 'jwt') return { tokenType, isDpop, decoded: false };
  try {
    const cnf = decodeJwt(tokens.access_token).payload['cnf'];
    const jkt =
      typeof cnf === 'object' && cnf !== null ? nonEmpty((cnf as Record<string, unknown>)['jkt']) : undefined;
    return {
      tokenType,
      isDpop,
      decoded: true,
      ...(jkt === undefined ? {} : { jkt, matches: jkt === thumbprint }),
    };
  } catch {
    return { tokenType, isDpop, decoded: false };
  }
}

/**
 * Refuses a token response that is not bound to this key: `token_type` must be DPoP, and a JWT access
 * token's `cnf.jkt` must be the key's thumbprint. Throws `INVALID_RESPONSE`.
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-5
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-6.1
 */
export function validateDpopTokenResponse(tokens: TokenResponse, thumbprint: string): DpopBinding {
  const binding = describeDpopBinding(tokens, thumbprint);
  if (!binding.isDpop) {
    throw new ProtocolViolationError(
      'INVALID_RESPONSE',
      `The server answered token_type “${binding.tokenType}”, not DPoP: it ignored the proof and issued a token anyone holding it can use.`,
    );
  }
  if (binding.matches === false) {
    throw new ProtocolViolationError(
      'INVALID_RESPONSE',
      `The access token is bound to another key: its cnf.jkt is ${binding.jkt ?? ''}, this key's thumbprint is ${thumbprint}.`,
    );
  }
  return binding;
}
