/**
 * The client assertion: a short-lived JWT the client signs with its certificate's private key and
 * sends instead of a client secret (Entra's "certificate credential").
 * @see https://www.rfc-editor.org/rfc/rfc7523#section-2.2
 * @see https://www.rfc-editor.org/rfc/rfc7523#section-3
 */
import { SignJWT } from 'jose';
import type { AssertionAlgorithm } from './certificate.ts';
import { InvalidInputError } from './errors.ts';

/**
 * The one `client_assertion_type` value for a JWT assertion.
 * @see https://www.rfc-editor.org/rfc/rfc7523#section-2.2
 */
export const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** Entra's recommended lifetime of a client assertion: 10 minutes. */
export const ASSERTION_LIFETIME_SECONDS = 600;

/**
 * The JOSE header of a client assertion: the algorithm and the thumbprint naming the certificate.
 * @see https://www.rfc-editor.org/rfc/rfc7515#section-4.1
 */
export interface ClientAssertionHeader {
  readonly alg: AssertionAlgorithm;
  readonly typ: 'JWT';
  readonly 'x5t#S256': string;
}

/**
 * The claims of a client assertion, as RFC 7523 §3 requires them.
 * @see https://www.rfc-editor.org/rfc/rfc7523#section-3
 */
export interface ClientAssertionClaims {
  readonly aud: string;
  readonly iss: string;
  readonly sub: string;
  readonly jti: string;
  readonly nbf: number;
  readonly exp: number;
  readonly iat?: number;
}

/** What each header field and claim of a client assertion means, in one line with its source. */
export const CLIENT_ASSERTION_FIELDS: readonly {
  readonly name: string;
  readonly spec: string;
  readonly meaning: string;
}[] = [
  {
    name: 'alg',
    spec: 'RFC 7515 §4.1.1',
    meaning: 'How it is signed. PS256 (RSA-PSS) is what Entra recommends; RS256 also works.',
  },
  { name: 'typ', spec: 'RFC 7519 §5.1', meaning: 'Says the payload is a JWT.' },
  {
    name: 'x5t#S256',
    spec: 'RFC 7515 §4.1.8',
    meaning:
      'SHA-256 thumbprint of the certificate: the server uses it to pick the registered certificate whose key checks the signature.',
  },
  {
    name: 'aud',
    spec: 'RFC 7523 §3',
    meaning: 'The token endpoint URL, exactly: the assertion is good only at this server.',
  },
  {
    name: 'iss',
    spec: 'RFC 7523 §3',
    meaning: 'Who made the assertion: the client itself, so its client id.',
  },
  {
    name: 'sub',
    spec: 'RFC 7523 §3',
    meaning:
      'Who is authenticating: again the client id (for client authentication, iss and sub are the same).',
  },
  {
    name: 'jti',
    spec: 'RFC 7523 §3',
    meaning: 'A unique id, so the server can refuse the same assertion twice.',
  },
  { name: 'nbf', spec: 'RFC 7519 §4.1.5', meaning: 'Not valid before this moment (now).' },
  {
    name: 'exp',
    spec: 'RFC 7523 §3',
    meaning: 'Not valid after this moment; keep it short (here 10 minutes).',
  },
  { name: 'iat', spec: 'RFC 7519 §4.1.6', meaning: 'When it was made. Optional.' },
];

/**
 * The header of a client assertion naming the certificate by its SHA-256 thumbprint.
 * @see https://www.rfc-editor.org/rfc/rfc7515#section-4.1.8
 */
export function buildClientAssertionHeader(
  alg: AssertionAlgorithm,
  thumbprintSha256: string,
): ClientAssertionHeader {
  return { alg, typ: 'JWT', 'x5t#S256': thumbprintSha256 };
}

/**
 * The claims of a client assertion: aud the token endpoint, iss = sub = the client id, a fresh jti,
 * valid from now for `lifetimeSeconds`.
 * @see https://www.rfc-editor.org/rfc/rfc7523#section-3
 */
export function buildClientAssertionClaims(input: {
  readonly clientId: string;
  readonly tokenEndpoint: string;
  readonly nowMs: number;
  readonly jti: string;
  readonly includeIat?: boolean;
  readonly lifetimeSeconds?: number;
}): ClientAssertionClaims {
  const now = Math.floor(input.nowMs / 1000);
  return {
    // RFC 7523 §3: "The JWT MUST contain an aud claim containing a value that identifies the
    // authorization server as an intended audience" — Entra wants the token endpoint URL itself.
    aud: input.tokenEndpoint,
    // RFC 7523 §3: for client authentication, iss and sub MUST both be the client_id.
    iss: input.clientId,
    sub: input.clientId,
    jti: input.jti,
    nbf: now,
    exp: now + (input.lifetimeSeconds ?? ASSERTION_LIFETIME_SECONDS),
    ...(input.includeIat === true ? { iat: now } : {}),
  };
}

/**
 * Signs the assertion with a WebCrypto private key (jose's `SignJWT`); throws `InvalidInputError`
 * when a required value is empty or the key does not fit the algorithm.
 * @see https://www.rfc-editor.org/rfc/rfc7515#section-5.1
 */
export async function signClientAssertion(
  header: ClientAssertionHeader,
  claims: ClientAssertionClaims,
  privateKey: CryptoKey,
): Promise<string> {
  for (const [name, value] of [
    ['aud', claims.aud],
    ['iss', claims.iss],
    ['x5t#S256', header['x5t#S256']],
  ] as const) {
    if (value.trim() === '')
      throw new InvalidInputError(name, `The client assertion needs a non-empty “${name}”.`);
  }
  try {
    return await new SignJWT({ ...claims }).setProtectedHeader({ ...header }).sign(privateKey);
  } catch (cause) {
    throw new InvalidInputError(
      'alg',
      `The assertion could not be signed with ${header.alg}: ${cause instanceof Error ? cause.message : String(cause)}.`,
    );
  }
}
