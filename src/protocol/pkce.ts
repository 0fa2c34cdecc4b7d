import { encodeBase64Url, encodeHex } from './base64url.ts';
import { InvalidInputError } from './errors.ts';

/** `S256` hashes the verifier; `plain` sends it unchanged. */
export type CodeChallengeMethod = 'S256' | 'plain';

/** A computed challenge, with the intermediate digest the UI shows. */
export interface CodeChallenge {
  readonly method: CodeChallengeMethod;
  /** What goes on the wire as `code_challenge`. */
  readonly challenge: string;
  /** SHA-256 of the verifier as lower-case hex (S256 only): what `sha256sum` prints, never sent. */
  readonly sha256Hex?: string;
}

const VERIFIER_ALPHABET = /^[A-Za-z0-9\-._~]{43,128}$/;

/**
 * A fresh code_verifier: 32 random octets from WebCrypto, base64url-encoded to 43 characters.
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.1
 */
export function generateCodeVerifier(): string {
  // RFC 7636 §4.1: it is RECOMMENDED to base64url-encode a 32-octet random sequence.
  return encodeBase64Url(crypto.getRandomValues(new Uint8Array(32)));
}

/**
 * Whether a code_verifier has the length and characters RFC 7636 allows; returns a reason when not.
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.1
 */
export function validateCodeVerifier(verifier: string): string | undefined {
  if (VERIFIER_ALPHABET.test(verifier)) return undefined;
  if (verifier.length < 43) return `It is ${verifier.length} characters long; RFC 7636 needs at least 43.`;
  if (verifier.length > 128) return `It is ${verifier.length} characters long; RFC 7636 allows at most 128.`;
  return 'It may only hold letters, digits and - . _ ~ (RFC 7636 §4.1).';
}

/**
 * The code_challenge for a verifier: BASE64URL(SHA256(ASCII(verifier))) for S256, the verifier for plain.
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.2
 */
export async function calculateCodeChallenge(
  verifier: string,
  method: CodeChallengeMethod = 'S256',
): Promise<CodeChallenge> {
  if (verifier === '') throw new InvalidInputError('code_verifier', 'The code verifier is empty.');
  if (method === 'plain') return { method, challenge: verifier };
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  return { method, challenge: encodeBase64Url(digest), sha256Hex: encodeHex(digest) };
}

/**
 * Random value for `state` or `nonce`: 16 octets, base64url.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-10.12
 */
export function generateRandomState(): string {
  return encodeBase64Url(crypto.getRandomValues(new Uint8Array(16)));
}
