/**
 * Checking a JWT's signature against its issuer's published keys, with jose (never hand-rolled
 * crypto). The lab picks the candidate keys itself (kid, use, key_ops, kty/crv, alg), tries each,
 * and the verdict says which key verified, how many were tried, or exactly why none could.
 * @see https://www.rfc-editor.org/rfc/rfc7515#section-5.2
 * @see https://www.rfc-editor.org/rfc/rfc7517#section-4
 */
import {
  calculateJwkThumbprint,
  compactVerify,
  errors,
  exportJWK,
  importJWK,
  importX509,
  type JSONWebKeySet,
  type JWK,
} from 'jose';
import { decodeBase64Url } from './base64url.ts';
import { decodeJwt, normalizeToken } from './jwt.ts';
import { quoteForMessage } from './quote.ts';

/**
 * The outcome of a signature check. `notes` say what the lab noticed about the key set on the way.
 * @see https://www.rfc-editor.org/rfc/rfc7515#section-5.2
 */
export type SignatureVerdict =
  | {
      readonly kind: 'valid';
      readonly alg: string;
      readonly kid?: string;
      /** Zero-based position of the key that verified, in the published `keys` array. */
      readonly keyIndex: number;
      /** How the UI names that key: its kid, else its position. */
      readonly keyLabel: string;
      /** RFC 7638 SHA-256 thumbprint of the public key that verified. */
      readonly thumbprint: string;
      /** Whether the key came from the first `x5c` certificate rather than n/e, x/y. */
      readonly fromCertificate: boolean;
      readonly tried: number;
      readonly candidates: number;
      readonly notes?: readonly string[];
    }
  | { readonly kind: 'invalid'; readonly reason: string; readonly notes?: readonly string[] }
  | { readonly kind: 'no-key'; readonly reason: string; readonly notes?: readonly string[] }
  | { readonly kind: 'unusable-key'; readonly reason: string; readonly notes?: readonly string[] }
  | { readonly kind: 'needs-secret'; readonly reason: string }
  | { readonly kind: 'unsupported-alg'; readonly reason: string }
  | { readonly kind: 'unsigned'; readonly reason: string }
  | { readonly kind: 'not-verifiable'; readonly reason: string }
  | { readonly kind: 'unavailable'; readonly reason: string };

/**
 * Every JWS algorithm jose 6.2 verifies with a public key (its lib/jws_algorithms.js, without HS*).
 * ML-DSA needs a runtime whose WebCrypto has it; where it does not, its keys are "unusable", not "invalid".
 * @see https://www.rfc-editor.org/rfc/rfc7518#section-3.1
 * @see https://www.rfc-editor.org/rfc/rfc9864#section-2.2
 */
export const VERIFIABLE_ALGORITHMS: readonly string[] = [
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
  'Ed25519',
  'ML-DSA-44',
  'ML-DSA-65',
  'ML-DSA-87',
];

/**
 * The JWS algorithms that are MACs: checked with a secret the issuer shares with the recipient.
 * @see https://www.rfc-editor.org/rfc/rfc7518#section-3.2
 */
export const SHARED_SECRET_ALGORITHMS: readonly string[] = ['HS256', 'HS384', 'HS512'];

/** A table entry by an outside name, never an inherited member ("toString", "__proto__"). */
function lookup<T>(table: Readonly<Record<string, T>>, name: string): T | undefined {
  return Object.hasOwn(table, name) ? table[name] : undefined;
}

/** Registered signature algorithms jose cannot verify, with the document that defines each. */
const REGISTERED_UNSUPPORTED: Readonly<Record<string, string>> = {
  ES256K: 'RFC 8812',
  Ed448: 'RFC 9864',
  RS1: 'the WebCrypto key algorithms registration (SHA-1, deprecated)',
};

/** JWE key-management algorithms (RFC 7518 §4.1): they encrypt, they never sign. */
const JWE_KEY_ALGORITHM =
  /^(RSA1_5|RSA-OAEP(-256|-384|-512)?|A(128|192|256)(GCM)?KW|dir|ECDH-ES(\+A(128|192|256)KW)?|PBES2-HS(256\+A128|384\+A192|512\+A256)KW)$/;

const GRAPH_AUDIENCES = [
  '00000003-0000-0000-c000-000000000000',
  'https://graph.microsoft.com',
  'https://graph.microsoft.com/',
];

/**
 * Microsoft Graph access tokens carry a `nonce` in their header and are signed over a hashed form
 * of it: only Graph can check them, so a failed check is expected, not a forgery.
 * @see https://learn.microsoft.com/entra/identity-platform/access-tokens#validate-tokens
 */
export function isGraphNonceToken(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
): boolean {
  const aud = payload['aud'];
  return typeof header['nonce'] === 'string' && typeof aud === 'string' && GRAPH_AUDIENCES.includes(aud);
}

/** The verdict for an algorithm no public key here can check, or undefined when one can. */
function explainAlgorithm(alg: string): SignatureVerdict | undefined {
  if (VERIFIABLE_ALGORITHMS.includes(alg)) return undefined;
  const shown = quoteForMessage(alg, 40);
  if (SHARED_SECRET_ALGORITHMS.includes(alg)) {
    // RFC 7518 §3.2: HMAC uses one secret for signing and checking; no published key can check it.
    return {
      kind: 'needs-secret',
      reason: `${alg} is HMAC: it is checked with a secret the issuer shares with the token's recipient, not with a published key. Only a holder of that secret can verify it.`,
    };
  }
  const defined = lookup(REGISTERED_UNSUPPORTED, alg);
  if (defined !== undefined) {
    return {
      kind: 'unsupported-alg',
      reason: `${alg} is a registered signature algorithm (${defined}), but jose, the library this lab checks signatures with, does not support it, so it cannot be verified here.`,
    };
  }
  if (JWE_KEY_ALGORITHM.test(alg)) {
    return {
      kind: 'unsupported-alg',
      reason: `${shown} is an encryption algorithm (JWE key management), not a signature algorithm: a signed JWT cannot name it.`,
    };
  }
  const sameLetters = [...VERIFIABLE_ALGORITHMS, ...SHARED_SECRET_ALGORITHMS].find(
    (known) => known.toLowerCase() === alg.toLowerCase(),
  );
  return {
    kind: 'unsupported-alg',
    reason: `The algorithm ${shown} is unknown: it is not a JWS signature algorithm this lab can verify.${
      sameLetters === undefined
        ? ''
        : ` Algorithm names are case-sensitive (RFC 7515 §4.1.1): ${sameLetters} is spelled differently.`
    }`,
  };
}

/**
 * The verdicts that need no keys: unsigned tokens, Graph's header-nonce tokens, shared-secret and
 * unknown algorithms.
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
  return explainAlgorithm(alg);
}

/**
 * What the lab makes of one member of a key set before any token is checked against it.
 * @see https://www.rfc-editor.org/rfc/rfc7517#section-4
 */
export interface KeyReview {
  readonly index: number;
  readonly kid?: string;
  /** The key's kid in quotes, else its position: “abc” or #2. */
  readonly label: string;
  /** Why the key is never used to verify; undefined when it may be. */
  readonly skipped?: string;
  /** Private-key members found in it (a published key set must hold none). */
  readonly privateMembers: readonly string[];
}

const PRIVATE_MEMBERS: Readonly<Record<string, readonly string[]>> = {
  RSA: ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth'],
  EC: ['d'],
  OKP: ['d'],
  AKP: ['priv'],
};

const PUBLIC_MEMBERS: Readonly<Record<string, readonly string[]>> = {
  RSA: ['n', 'e'],
  EC: ['crv', 'x', 'y'],
  OKP: ['crv', 'x'],
  AKP: ['alg', 'pub'],
};

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const LABEL_MAX = 60;

/** A key's kid in quotes, cut (and marked “…”) past 60 characters; its position when it has none. */
function keyLabel(index: number, kid: unknown): string {
  if (typeof kid !== 'string') return `#${index + 1}`;
  const chars = Array.from(kid);
  return chars.length <= LABEL_MAX ? `“${kid}”` : `“${chars.slice(0, LABEL_MAX - 1).join('')}…”`;
}

/**
 * Reviews each member of a key set: which ones may verify signatures, which are skipped and why,
 * and which wrongly publish private parts.
 * @see https://www.rfc-editor.org/rfc/rfc7517#section-4
 */
export function reviewKeySet(jwks: JSONWebKeySet): KeyReview[] {
  const keys: unknown[] = Array.isArray((jwks as { keys?: unknown }).keys) ? jwks.keys : [];
  return keys.map((key, index): KeyReview => {
    if (!isObject(key)) {
      return { index, label: `#${index + 1}`, skipped: 'it is not a JSON object', privateMembers: [] };
    }
    const kid = typeof key['kid'] === 'string' ? key['kid'] : undefined;
    const base = { index, ...(kid === undefined ? {} : { kid }), label: keyLabel(index, key['kid']) };
    const kty = key['kty'];
    const privateMembers =
      typeof kty === 'string' ? (lookup(PRIVATE_MEMBERS, kty) ?? []).filter((m) => key[m] !== undefined) : [];
    const skip = (skipped: string): KeyReview => ({ ...base, skipped, privateMembers });
    // RFC 7517 §4.1: kty is REQUIRED.
    if (typeof kty !== 'string') return skip('it has no kty (key type), which every key must have');
    if (kty === 'oct') {
      return skip(
        'it is a symmetric (oct) key: a shared secret, never used to check a public signature, and one that should never be published',
      );
    }
    if (lookup(PUBLIC_MEMBERS, kty) === undefined)
      return skip(`its key type ${quoteForMessage(kty, 20)} is not one that signs`);
    // RFC 7517 §4.2: "enc" keys are for encryption; only "sig" (or no use) may verify.
    const use = key['use'];
    if (use !== undefined && use !== 'sig') {
      return skip(
        use === 'enc'
          ? 'it is for encryption (use “enc”)'
          : `its use is ${quoteForMessage(use, 20)}, not “sig”`,
      );
    }
    // RFC 7517 §4.3: key_ops lists what the key may do; without "verify" it may not check signatures.
    const ops = key['key_ops'];
    if (ops !== undefined && !(Array.isArray(ops) && ops.includes('verify'))) {
      return skip(`its key_ops ${quoteForMessage(ops, 40)} do not include “verify”`);
    }
    return { ...base, privateMembers };
  });
}

/** Remarks on a key set shown with any verdict: skipped keys and published private parts. */
function keySetNotes(reviews: readonly KeyReview[]): string[] {
  const notes: string[] = [];
  for (const review of reviews) {
    if (review.skipped !== undefined) notes.push(`Key ${review.label} was skipped: ${review.skipped}.`);
    if (review.privateMembers.length > 0) {
      notes.push(
        `Key ${review.label} holds private-key members (${review.privateMembers.join(', ')}): a published key set must never contain them, so whoever holds this set can sign as the issuer. Only its public part is used here.`,
      );
    }
  }
  return notes;
}

/** Curves jose verifies for each EC/OKP algorithm (RFC 7518 §3.4, RFC 8037 §3.1, RFC 9864 §2.2). */
const ALG_KEYS: Readonly<Record<string, { readonly kty: string; readonly crv?: string }>> = {
  RS256: { kty: 'RSA' },
  RS384: { kty: 'RSA' },
  RS512: { kty: 'RSA' },
  PS256: { kty: 'RSA' },
  PS384: { kty: 'RSA' },
  PS512: { kty: 'RSA' },
  ES256: { kty: 'EC', crv: 'P-256' },
  ES384: { kty: 'EC', crv: 'P-384' },
  ES512: { kty: 'EC', crv: 'P-521' },
  EdDSA: { kty: 'OKP', crv: 'Ed25519' },
  Ed25519: { kty: 'OKP', crv: 'Ed25519' },
  'ML-DSA-44': { kty: 'AKP' },
  'ML-DSA-65': { kty: 'AKP' },
  'ML-DSA-87': { kty: 'AKP' },
};

/** Why a key cannot check a signature made with `alg`; undefined when its type and alg fit. */
function keyMisfit(alg: string, key: Record<string, unknown>): string | undefined {
  const wanted = lookup(ALG_KEYS, alg);
  if (wanted === undefined) return `${alg} is not verifiable here`;
  const kty = String(key['kty']);
  const crv = typeof key['crv'] === 'string' ? key['crv'] : undefined;
  const what = crv === undefined ? `an ${kty} key` : `an ${kty} ${crv} key`;
  if (kty !== wanted.kty) return `it is ${what}; ${alg} needs an ${wanted.kty} key`;
  // RFC 7517 §4.7: with x5c the certificate holds the key; a missing crv is then the certificate's to say.
  const curveFromCertificate = crv === undefined && key['x5c'] !== undefined;
  if (wanted.crv !== undefined && crv !== wanted.crv && !curveFromCertificate) {
    // RFC 8037 §3.1: EdDSA also covers Ed448. Such a key may be the signer: it is tried, and found unusable.
    if (alg === 'EdDSA' && crv === 'Ed448') return undefined;
    return `it is ${what}; ${alg} needs the ${wanted.crv} curve`;
  }
  const keyAlg = key['alg'];
  // RFC 7517 §4.4: a key's alg names the one algorithm it is meant for. RFC 9864 §2.2 makes Ed25519
  // the fully specified name of EdDSA on Ed25519, so the two names fit the same Ed25519 key.
  const edPair = (a: unknown, b: unknown) =>
    (a === 'EdDSA' && b === 'Ed25519') || (a === 'Ed25519' && b === 'EdDSA');
  if (keyAlg !== undefined && keyAlg !== alg && !edPair(keyAlg, alg)) {
    return `it is published for ${quoteForMessage(keyAlg, 20)}, not ${alg}`;
  }
  if (wanted.kty === 'AKP' && keyAlg !== alg)
    return `it is published for ${quoteForMessage(keyAlg, 20)}, not ${alg}`;
  return undefined;
}

/** A key that could not be imported; never mistaken for a signature mismatch. */
class UnusableKeyError extends Error {}

/** RFC 7517 §4.7: x5c holds base64 (not base64url) DER; the first certificate holds the key. */
function x5cPem(x5c: unknown): string | undefined {
  if (x5c === undefined) return undefined;
  if (!Array.isArray(x5c) || x5c.length === 0 || typeof x5c[0] !== 'string') {
    throw new UnusableKeyError('its x5c is not a list of base64 certificates');
  }
  const body = x5c[0].replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body)) {
    throw new UnusableKeyError('its first x5c certificate is not base64 (RFC 7517 §4.7)');
  }
  const lines = body.match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----`;
}

/**
 * Whether two key members hold the same value: the same string, or the same integer once leading
 * zero bytes are dropped (some issuers publish n with a leading 0x00, RFC 7518 §6.3.1.1 says not to).
 */
function sameMember(published: unknown, derived: unknown): boolean {
  if (published === derived) return true;
  if (typeof published !== 'string' || typeof derived !== 'string') return false;
  try {
    const strip = (bytes: Uint8Array) => bytes.slice(bytes.findIndex((b) => b !== 0));
    const a = strip(decodeBase64Url(published));
    const b = strip(decodeBase64Url(derived));
    return a.length === b.length && a.every((byte, i) => byte === b[i]);
  } catch {
    return false;
  }
}

interface ImportedKey {
  readonly key: CryptoKey | Uint8Array;
  readonly publicJwk: JWK;
  readonly fromCertificate: boolean;
}

function describeImportError(error: unknown): string {
  const message = (error instanceof Error ? error.message : String(error)).trim();
  // Browsers' WebCrypto often rejects a malformed key with an empty message: name the error instead.
  const said = message === '' ? `WebCrypto said ${error instanceof Error ? error.name : 'no more'}` : message;
  if (error instanceof errors.JOSENotSupported) return `this runtime cannot use it (${said})`;
  return message === '' ? `its members do not make a valid public key (${said})` : message;
}

/** Imports one published key for `alg`: from its first x5c certificate when there is one, else its members. */
async function importCandidate(key: Record<string, unknown>, alg: string): Promise<ImportedKey> {
  const kty = String(key['kty']);
  if (kty === 'OKP' && key['crv'] === 'Ed448') {
    throw new UnusableKeyError(
      'it is an Ed448 key, and jose, the library this lab checks signatures with, cannot verify Ed448',
    );
  }
  const members = lookup(PUBLIC_MEMBERS, kty) ?? [];
  // RFC 7518 §6.2.1 / §6.3.1 (and RFC 8037 §2): the key members are base64url, without padding.
  const malformed = members.filter(
    (m) =>
      m !== 'crv' &&
      m !== 'alg' &&
      key[m] !== undefined &&
      (typeof key[m] !== 'string' || !/^[A-Za-z0-9_-]+$/.test(key[m])),
  );
  if (malformed.length > 0) {
    const standard = malformed.some((m) => typeof key[m] === 'string' && /[+/=]/.test(key[m]));
    throw new UnusableKeyError(
      `its ${malformed.map((m) => `"${m}"`).join(' and ')} ${malformed.length === 1 ? 'is' : 'are'} not base64url (RFC 7518 §6.3.1)${
        standard ? ': it is standard base64, with “+”, “/” or “=” padding' : ''
      }, so the browser cannot import the key`,
    );
  }
  const pem = x5cPem(key['x5c']);
  if (pem !== undefined) {
    let imported: CryptoKey;
    try {
      imported = await importX509(pem, alg, { extractable: true });
    } catch (error) {
      throw new UnusableKeyError(
        `its x5c certificate does not hold a usable ${alg} key: ${describeImportError(error)}`,
      );
    }
    const derived = await exportJWK(imported);
    // RFC 7517 §4.7: the certificate's key MUST match the other members when both are present.
    const differ = members.filter(
      (m) =>
        m !== 'alg' && key[m] !== undefined && !sameMember(key[m], (derived as Record<string, unknown>)[m]),
    );
    if (differ.length > 0) {
      throw new UnusableKeyError(
        `its x5c certificate and its ${differ.join('/')} describe different keys, so it cannot be trusted`,
      );
    }
    return { key: imported, publicJwk: derived, fromCertificate: true };
  }
  const publicJwk: Record<string, unknown> = { kty };
  for (const m of members) if (key[m] !== undefined) publicJwk[m] = key[m];
  try {
    const imported = await importJWK(publicJwk as JWK, alg, { extractable: true });
    return { key: imported, publicJwk: publicJwk as JWK, fromCertificate: false };
  } catch (error) {
    throw new UnusableKeyError(describeImportError(error));
  }
}

interface Candidate {
  readonly review: KeyReview;
  readonly key: Record<string, unknown>;
}

/**
 * Verifies a compact JWS against a key set. The candidates are chosen by RFC 7515 §4.1.4 (kid),
 * RFC 7517 §4.2–4.4 (use, key_ops, alg) and the key type the algorithm needs; each is tried in turn.
 * @see https://www.rfc-editor.org/rfc/rfc7515#section-5.2
 * @see https://www.rfc-editor.org/rfc/rfc8725#section-3.1
 */
export async function verifyJwtSignature(token: string, jwks: JSONWebKeySet): Promise<SignatureVerdict> {
  const { header, payload } = decodeJwt(token);
  const early = precheckSignature(header, payload);
  if (early !== undefined) return early;
  const alg = String(header['alg']);
  const kid = header['kid'];
  if (kid !== undefined && typeof kid !== 'string') {
    return {
      kind: 'invalid',
      reason: `The header's kid is ${quoteForMessage(kid, 40)}, not a string (RFC 7515 §4.1.4): no key can be named by it.`,
    };
  }
  const reviews = reviewKeySet(jwks);
  const keys = jwks.keys as unknown[];
  const notes = keySetNotes(reviews);
  const withNotes = notes.length > 0 ? { notes } : {};
  if (reviews.length === 0) {
    return {
      kind: 'no-key',
      reason: 'The key set is empty: it has no key to check the signature with.',
      ...withNotes,
    };
  }

  const misfits: string[] = [];
  const candidates: Candidate[] = [];
  const consider = (review: KeyReview) => {
    const key = keys[review.index] as Record<string, unknown>;
    if (review.skipped !== undefined) {
      misfits.push(`key ${review.label} is skipped: ${review.skipped}`);
      return;
    }
    const misfit = keyMisfit(alg, key);
    if (misfit !== undefined) misfits.push(`key ${review.label} does not fit: ${misfit}`);
    else candidates.push({ review, key });
  };
  let kidNote: string | undefined;
  let kidUnknown = false;
  if (kid === undefined) {
    reviews.forEach(consider);
  } else {
    const named = reviews.filter((r) => r.kid === kid);
    named.forEach(consider);
    if (named.length === 0) {
      kidUnknown = true;
      // RFC 7515 §4.1.4: kid is a hint. Keys published without a kid can still be the signer.
      const unnamed = reviews.filter((r) => r.kid === undefined);
      unnamed.forEach(consider);
      if (candidates.length > 0) {
        kidNote = `No key has kid ${keyLabel(0, kid)}; the keys published without a kid were tried instead.`;
      }
    }
  }
  const brought = ['jwk', 'jku', 'x5u', 'x5c'].filter((member) => header[member] !== undefined);
  // RFC 8725 §3.10: a key or key URL carried by the token itself proves nothing; only the issuer's set counts.
  const headerNote =
    brought.length === 0
      ? []
      : [
          `The header carries its own key reference (${brought.join(', ')}): it was ignored, since anyone can put a key there. Only the issuer's key set was used.`,
        ];
  const allNotes = [...(kidNote === undefined ? [] : [kidNote]), ...headerNote, ...notes];
  const noteField = allNotes.length > 0 ? { notes: allNotes } : {};

  if (candidates.length === 0) {
    const listed = `${misfits.slice(0, 3).join('; ')}${misfits.length > 3 ? `; and ${misfits.length - 3} more` : ''}`;
    const reason = kidUnknown
      ? `No key in the issuer's key set has kid ${keyLabel(0, kid)} (it holds ${reviews.length}): the keys may have rolled over, or the token comes from another issuer.${
          misfits.length > 0 ? ` The keys without a kid cannot check it either: ${listed}.` : ''
        }`
      : `No key in the set can check this ${alg} signature${kid === undefined ? '' : ` with kid ${keyLabel(0, kid)}`}: ${listed}.`;
    return { kind: 'no-key', reason, ...noteField };
  }

  const unusable: string[] = [];
  let mismatched = 0;
  for (const [position, candidate] of candidates.entries()) {
    let imported: ImportedKey;
    try {
      imported = await importCandidate(candidate.key, alg);
    } catch (error) {
      if (!(error instanceof UnusableKeyError)) throw error;
      unusable.push(`key ${candidate.review.label}: ${error.message}`);
      continue;
    }
    try {
      await compactVerify(normalizeToken(token), imported.key, { algorithms: [alg] });
    } catch (error) {
      if (error instanceof errors.JWSSignatureVerificationFailed) {
        mismatched += 1;
        continue;
      }
      if (error instanceof errors.JWSInvalid || error instanceof errors.JOSENotSupported) {
        // The token itself is at fault (a crit it does not honour, a broken part): no key would do.
        return { kind: 'invalid', reason: `The token cannot be checked: ${error.message}.`, ...noteField };
      }
      unusable.push(`key ${candidate.review.label}: ${describeImportError(error)}`);
      continue;
    }
    const { review } = candidate;
    return {
      kind: 'valid',
      alg,
      ...(review.kid === undefined ? {} : { kid: review.kid }),
      keyIndex: review.index,
      keyLabel: review.label,
      thumbprint: await calculateJwkThumbprint(imported.publicJwk, 'sha256'),
      fromCertificate: imported.fromCertificate,
      tried: position + 1,
      candidates: candidates.length,
      ...noteField,
    };
  }
  if (unusable.length > 0) {
    return {
      kind: 'unusable-key',
      reason: `${unusable.length === 1 ? 'A candidate key' : `${unusable.length} candidate keys`} could not be used, so the signature was not judged: ${unusable.slice(0, 2).join('; ')}${unusable.length > 2 ? '; …' : ''}.${mismatched > 0 ? ` ${mismatched} other candidate${mismatched === 1 ? '' : 's'} did not match.` : ''}`,
      ...noteField,
    };
  }
  return {
    kind: 'invalid',
    reason: `The signature does not match ${candidates.length === 1 ? `key ${candidates[0]?.review.label ?? ''}` : `any of the ${candidates.length} candidate keys`}: the token was altered, or was signed by someone else.`,
    ...noteField,
  };
}
