/**
 * Decoding (not verifying) JSON Web Tokens for display. Every way a pasted token can be malformed
 * becomes an `InvalidJwtError` whose message says exactly what is wrong and where.
 */

import { jwtDecode } from 'jwt-decode';
import { InvalidJwtError } from './errors.ts';
import { describeCharacter } from './quote.ts';

/**
 * A JWT split into its three parts, with the header and payload decoded.
 * @see https://www.rfc-editor.org/rfc/rfc7519#section-3
 */
export interface DecodedJwt {
  readonly header: Record<string, unknown>;
  readonly payload: Record<string, unknown>;
  /** The third part, still base64url: this module never checks it. */
  readonly signature: string;
  readonly parts: [string, string, string];
}

/**
 * What a token string looks like from the outside: a JWT (it starts with a JOSE header; it may still
 * fail to decode), a five-part JWE, an opaque token (no JWT structure, shaped like a token), a string
 * that is `not-jwt` (dots or JSON that promise a JWT, or nothing shaped like a token at all), or empty.
 * @see https://www.rfc-editor.org/rfc/rfc7516#section-9
 */
export type TokenShape = 'jwt' | 'jwe' | 'opaque' | 'not-jwt' | 'empty';

/**
 * A token's shape and the reason, in a sentence, for the shapes that need one (`not-jwt`, `opaque`).
 * @see https://www.rfc-editor.org/rfc/rfc7519#section-7.2
 */
export interface TokenShapeReading {
  readonly shape: TokenShape;
  /** Why it is (or is not) a JWT; empty for `jwt` and `empty`. */
  readonly reason: string;
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;
const BEARER_PREFIX = /^bearer(?:\s+|$)/i;

/**
 * Trims surrounding whitespace and one leading `Bearer ` (as copied from an Authorization header).
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-2.1
 */
export function normalizeToken(token: string): string {
  return token.trim().replace(BEARER_PREFIX, '').trim();
}

function describeJsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

/** Checks one part against the base64url alphabet without padding; returns a reason or undefined. */
function base64urlProblem(part: string): string | undefined {
  if (BASE64URL.test(part)) {
    // A length of 4n+1 cannot come from whole bytes: no base64 encoder produces it.
    return part.length % 4 === 1
      ? `its length (${part.length}) is not a possible base64url length`
      : undefined;
  }
  const index = part.search(/[^A-Za-z0-9_-]/);
  const char = part.charAt(index);
  if (char === '=') {
    // RFC 7515 §2: base64url in JOSE is used "with all trailing '=' characters omitted".
    return `it has "=" padding at position ${index + 1}, which JWTs leave out`;
  }
  if (char === '+' || char === '/') {
    return `character “${char}” at position ${index + 1} is standard base64; base64url uses “-” and “_” instead`;
  }
  const shown = /\s/.test(char)
    ? 'a whitespace character'
    : /[\p{C}\p{Z}]/u.test(char)
      ? describeCharacter(char)
      : `character “${char}”`;
  return `${shown} at position ${index + 1} is not in the base64url alphabet (A-Z, a-z, 0-9, "-", "_")`;
}

function decodePart(token: string, which: 'header' | 'payload', part: string): Record<string, unknown> {
  const label = which === 'header' ? 'header' : 'payload';
  if (part === '') throw new InvalidJwtError(`The ${label} part is empty.`);
  const problem = base64urlProblem(part);
  if (problem !== undefined) throw new InvalidJwtError(`The ${label} is not valid base64url: ${problem}.`);
  let value: unknown;
  try {
    value = which === 'header' ? jwtDecode<unknown>(token, { header: true }) : jwtDecode<unknown>(token);
  } catch (cause) {
    // The alphabet and length were checked above, so what failed is the JSON parse.
    throw new InvalidJwtError(`The ${label} is valid base64url but does not decode to JSON.`, { cause });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    // RFC 7519 §7.2: the header and the claims set must each be a JSON object.
    throw new InvalidJwtError(
      `The ${label} decodes to JSON but to ${describeJsonType(value)}, not an object.`,
    );
  }
  return value as Record<string, unknown>;
}

/**
 * Splits and decodes a JWS-compact JWT without verifying its signature; throws `InvalidJwtError`.
 * @see https://www.rfc-editor.org/rfc/rfc7519#section-7.2
 */
export function decodeJwt(token: string): DecodedJwt {
  const trimmed = token.trim();
  if (trimmed === '') throw new InvalidJwtError('The token is empty.');
  const clean = normalizeToken(trimmed);
  if (clean === '')
    throw new InvalidJwtError('Only the "Bearer" prefix is there; the token after it is missing.');
  const space = clean.search(/\s/);
  if (space !== -1) {
    throw new InvalidJwtError(
      `The token has whitespace or a line break at position ${space + 1}; a JWT is one unbroken string.`,
    );
  }
  const parts = clean.split('.');
  if (parts.length === 5) {
    // RFC 7516 §7.1: the JWE compact serialization has five parts.
    throw new InvalidJwtError(
      'The token has 5 parts: it is a JWE (an encrypted token). Only the holder of the decryption key can read it.',
    );
  }
  const [header, payload, signature] = parts;
  if (parts.length !== 3 || header === undefined || payload === undefined || signature === undefined) {
    const hint = parts.length === 1 ? ' (no dots at all: it may be an opaque token, not a JWT)' : '';
    throw new InvalidJwtError(
      `A JWT has 3 parts separated by dots (header.payload.signature); this token has ${parts.length}${hint}.`,
    );
  }
  const decodedHeader = decodePart(clean, 'header', header);
  const decodedPayload = decodePart(clean, 'payload', payload);
  const signatureProblem = base64urlProblem(signature);
  if (signatureProblem !== undefined) {
    throw new InvalidJwtError(`The signature is not valid base64url: ${signatureProblem}.`);
  }
  return { header: decodedHeader, payload: decodedPayload, signature, parts: [header, payload, signature] };
}

/** True when a part looks like a JOSE header: base64url of a JSON object (which always starts `eyJ`-ish). */
function looksLikeJoseHeader(part: string): boolean {
  // '{"' encodes to "eyJ"; a header with a leading space or line break still decodes below.
  if (part.startsWith('eyJ')) return true;
  if (!BASE64URL.test(part) || part.length % 4 === 1 || part === '') return false;
  try {
    const value: unknown = jwtDecode<unknown>(`${part}.`, { header: true });
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

/** The part decoded as base64url JSON (any JSON value), or undefined when it is not that. */
function partJson(part: string): { readonly value: unknown } | undefined {
  if (part === '' || !BASE64URL.test(part) || part.length % 4 === 1) return undefined;
  try {
    return { value: jwtDecode<unknown>(`${part}.`, { header: true }) };
  } catch {
    return undefined;
  }
}

// RFC 6750 §2.1 b64token (A-Z a-z 0-9 - . _ ~ + / then =), plus the ! * $ of Microsoft account tokens.
const TOKEN_CHARS = /^[A-Za-z0-9\-._~+/!*$]+=*$/;
/** Shorter than this, a string is a word, not a credential (RFC 6749 §10.10 wants them unguessable). */
const MIN_OPAQUE_LENGTH = 16;

/** Random tokens mix at least two of: lower case, upper case, digits. */
function mixesCharacterClasses(text: string): boolean {
  return [/[a-z]/, /[A-Z]/, /[0-9]/].filter((re) => re.test(text)).length >= 2;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** Why the first part is not a JOSE header, in words (the decoder's own reason when it has one). */
function headerProblem(first: string, clean: string): string {
  if (first === '') return 'its first part is empty';
  try {
    decodePart(clean, 'header', first);
    return 'its first part is a JSON object but not a JOSE header';
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return `its first part is not a JOSE header (${message.replace(/^The header /, 'it ').replace(/\.$/, '')})`;
  }
}

/**
 * Says what a token string is, and why: a JWT (its first part is a JOSE header; it may still fail to
 * decode), a five-part encrypted JWE, an opaque token only its issuer can read (no JWT structure, but
 * long and random like Entra's refresh tokens, Google's ya29 access tokens or RFC 6749's examples), a
 * string that is not a JWT (dots or base64url JSON that promise one, or too short and plain to be a
 * token), or empty. Never throws.
 * @see https://www.rfc-editor.org/rfc/rfc7519#section-7.2
 * @see https://www.rfc-editor.org/rfc/rfc7662#section-1
 */
export function describeTokenShape(token: string): TokenShapeReading {
  const clean = normalizeToken(token);
  if (clean === '') return { shape: 'empty', reason: '' };
  const parts = clean.split('.');
  const first = parts[0] ?? '';
  if (looksLikeJoseHeader(first)) {
    // RFC 7516 §9: five parts with a JOSE header is a JWE; anything else starting so is meant as a JWT.
    return parts.length === 5
      ? {
          shape: 'jwe',
          reason:
            'it has 5 parts and a JOSE header: an encrypted JWT (JWE, RFC 7516), readable only with the decryption key',
        }
      : { shape: 'jwt', reason: '' };
  }
  const space = clean.search(/\s/);
  if (space !== -1) {
    return {
      shape: 'not-jwt',
      reason: `it holds whitespace at position ${space + 1}; a JWT, like any token, is one unbroken string`,
    };
  }
  // Parts that decode to JSON promise a JWT that is not there: say what is wrong instead of "opaque".
  const jsonParts = parts.flatMap((part, index) => {
    const json = partJson(part);
    const structured = json !== undefined && typeof json.value === 'object' && json.value !== null;
    return structured || (json !== undefined && index === 0 && parts.length === 3) || part.startsWith('eyJ')
      ? [index]
      : [];
  });
  const dots = parts.length - 1;
  if (jsonParts.length > 0) {
    const shape =
      parts.length === 3
        ? 'three dot-separated parts like a JWT, but'
        : `${plural(parts.length, 'dot-separated part')} (a JWT has 3: header.payload.signature), and`;
    return { shape: 'not-jwt', reason: `it has ${shape} ${headerProblem(first, clean)}` };
  }
  if (clean.length >= MIN_OPAQUE_LENGTH && TOKEN_CHARS.test(clean) && mixesCharacterClasses(clean)) {
    return {
      shape: 'opaque',
      reason:
        dots === 0
          ? 'it has no JWT structure (no dots, no JOSE header) and is long and random, as tokens are'
          : `it has ${plural(dots, 'dot')} but no JOSE header or JSON part, and is long and random, as tokens are`,
    };
  }
  const why =
    dots === 0
      ? 'it has no dots'
      : `it has ${plural(parts.length, 'dot-separated part')} (a JWT has 3: header.payload.signature) and ${headerProblem(first, clean)}`;
  const stray = clean.replace(/=+$/, '').search(/[^A-Za-z0-9\-._~+/!*$]/);
  const notToken = !TOKEN_CHARS.test(clean)
    ? `it holds ${describeCharacter(clean.charAt(Math.max(stray, 0)))} at position ${stray + 1}, which no token uses`
    : clean.length < MIN_OPAQUE_LENGTH
      ? `at ${plural(clean.length, 'character')} it is too short to be a token`
      : 'it is too plain (one kind of character) to be a random token';
  return { shape: 'not-jwt', reason: `${why}; nor is it an opaque token: ${notToken}` };
}

/**
 * The shape alone, as {@link describeTokenShape} decides it.
 * @see https://www.rfc-editor.org/rfc/rfc7519#section-7.2
 */
export function classifyToken(token: string): TokenShape {
  return describeTokenShape(token).shape;
}

/** Whether a NumericDate is at or before `nowMs` (`numeric-date.ts`). */
export { isPast } from './numeric-date.ts';
