/**
 * Key sets shaped like a provider's published one, with our own key material: each published key is
 * replaced by a fresh key of the same kty (and curve), keeping which members it has — alg or none,
 * kid or none, x5c (a self-signed certificate around the new key) or n/e, x5t, use and any other
 * member as published — and keys published twice with the same material stay twins. Returns the
 * private key for each position, so a test can sign a token that only that position verifies.
 * @see https://www.rfc-editor.org/rfc/rfc7517#section-4
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';

type PublishedKey = Readonly<Record<string, unknown>>;

/** One position of the shaped set: what to sign with and what the header names. */
export interface ShapedKey {
  readonly index: number;
  /** The published key's kid, when it had one; the token header then names it (RFC 7515 §4.1.4). */
  readonly kid: string | undefined;
  /** The published alg, when it had one. */
  readonly publishedAlg: string | undefined;
  /** The JWS algorithm the token is signed with: the published alg, else the kty's usual one. */
  readonly alg: string;
  readonly privateKey: CryptoKey;
  /** RFC 7638 thumbprint of the shaped public key: what names a key without kid. */
  readonly thumbprint: string;
  readonly jwk: Readonly<Record<string, unknown>>;
}

export interface ShapedKeySet {
  readonly jwks: { readonly keys: readonly Readonly<Record<string, unknown>>[] };
  readonly keys: readonly ShapedKey[];
}

const MATERIAL_MEMBERS = ['n', 'e', 'x', 'y', 'crv', 'd', 'p', 'q', 'dp', 'dq', 'qi', 'k'];
const CERTIFICATE_MEMBERS = ['x5c', 'x5t', 'x5t#S256', 'x5u'];

/** The JWS algorithm a published key without alg would be used with. */
function defaultAlgorithm(key: PublishedKey): string {
  const kty = key['kty'];
  const crv = key['crv'];
  if (kty === 'RSA') return 'RS256';
  if (kty === 'EC') {
    if (crv === 'P-256') return 'ES256';
    if (crv === 'P-384') return 'ES384';
    if (crv === 'P-521') return 'ES512';
  }
  if (kty === 'OKP' && crv === 'Ed25519') return 'Ed25519';
  throw new Error(`No shaped replacement for a key of kty ${String(kty)} crv ${String(crv)}.`);
}

/** The WebCrypto signature algorithm a certificate around the key is signed with. */
function certificateSigningAlgorithm(alg: string): Algorithm & Record<string, unknown> {
  const hash = `SHA-${alg.slice(2) === '256' ? '256' : alg.slice(2)}`;
  if (alg.startsWith('RS')) return { name: 'RSASSA-PKCS1-v1_5', hash };
  if (alg.startsWith('PS')) return { name: 'RSA-PSS', hash, saltLength: Number(alg.slice(2)) / 8 };
  if (alg.startsWith('ES')) return { name: 'ECDSA', hash };
  return { name: 'Ed25519' };
}

/** What identifies a published key's material, so twins (one key under two kids) stay twins. */
function materialOf(key: PublishedKey): string {
  const x5c = key['x5c'];
  const first = Array.isArray(x5c) ? x5c[0] : undefined;
  return JSON.stringify([key['kty'], key['crv'], key['n'], key['e'], key['x'], key['y'], first]);
}

function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}

async function certificateFor(pair: CryptoKeyPair, alg: string): Promise<Uint8Array> {
  x509.cryptoProvider.set(crypto);
  const now = Date.now();
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01' + Buffer.from(crypto.getRandomValues(new Uint8Array(8))).toString('hex'),
    name: 'CN=OAuth Flow Lab provider harness',
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 86_400_000),
    signingAlgorithm: certificateSigningAlgorithm(alg),
    keys: pair,
  });
  return new Uint8Array(certificate.rawData);
}

interface Material {
  readonly pair: CryptoKeyPair;
  readonly publicJwk: JWK;
  readonly der: Uint8Array | undefined;
}

async function generateMaterial(alg: string, withCertificate: boolean): Promise<Material> {
  const pair = (await generateKeyPair(alg, { extractable: true })) as CryptoKeyPair;
  const publicJwk = await exportJWK(pair.publicKey);
  return { pair, publicJwk, der: withCertificate ? await certificateFor(pair, alg) : undefined };
}

async function digest(name: 'SHA-1' | 'SHA-256', bytes: Uint8Array): Promise<string> {
  return Buffer.from(await crypto.subtle.digest(name, new Uint8Array(bytes))).toString('base64url');
}

/**
 * A key set of the same shape as `published`, with fresh material in every position.
 * @see https://www.rfc-editor.org/rfc/rfc7517#section-5
 */
export async function buildShapedKeySet(published: {
  readonly keys: readonly PublishedKey[];
}): Promise<ShapedKeySet> {
  const byMaterial = new Map<string, Material>();
  const keys: ShapedKey[] = [];
  const jwks: Record<string, unknown>[] = [];
  for (const [index, key] of published.keys.entries()) {
    const publishedAlg = typeof key['alg'] === 'string' ? key['alg'] : undefined;
    const alg = publishedAlg ?? defaultAlgorithm(key);
    const hasX5c = Array.isArray(key['x5c']);
    const identity = materialOf(key);
    let material = byMaterial.get(identity);
    if (material === undefined) {
      material = await generateMaterial(alg, hasX5c);
      byMaterial.set(identity, material);
    }
    const shaped: Record<string, unknown> = {};
    // Same members in the same order as published; only the material changes.
    for (const [member, value] of Object.entries(key)) {
      if (MATERIAL_MEMBERS.includes(member)) {
        const mine = (material.publicJwk as Record<string, unknown>)[member];
        if (mine !== undefined) shaped[member] = mine;
      } else if (CERTIFICATE_MEMBERS.includes(member)) {
        if (material.der === undefined) continue;
        if (member === 'x5c') shaped[member] = [toBase64(material.der)];
        if (member === 'x5t') shaped[member] = await digest('SHA-1', material.der);
        if (member === 'x5t#S256') shaped[member] = await digest('SHA-256', material.der);
      } else {
        shaped[member] = value;
      }
    }
    jwks.push(shaped);
    keys.push({
      index,
      kid: typeof key['kid'] === 'string' ? key['kid'] : undefined,
      publishedAlg,
      alg,
      privateKey: material.pair.privateKey,
      thumbprint: await calculateJwkThumbprint(material.publicJwk),
      jwk: shaped,
    });
  }
  return { jwks: { keys: jwks }, keys };
}

/**
 * The key material members of a published key that are not base64url as RFC 7518 §6.2.1 and
 * §6.3.1 require (Battle.net publishes n in standard base64 with padding). Shaped keys always use
 * base64url: the shape kept is kty, alg, kid, x5c or n/e and the other members, not this defect.
 */
export function membersNotBase64Url(key: PublishedKey): string[] {
  return ['n', 'e', 'x', 'y'].filter(
    (member) => typeof key[member] === 'string' && !/^[A-Za-z0-9_-]+$/.test(key[member] as string),
  );
}

/** A JWT signed with one shaped key; its header names the kid only if the published key had one. */
export async function signWithShapedKey(key: ShapedKey, claims: Record<string, unknown>): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: key.alg, typ: 'JWT', ...(key.kid === undefined ? {} : { kid: key.kid }) })
    .sign(key.privateKey);
}

/**
 * A JWT that names a published key (its kid and alg) but is signed with a key nobody published:
 * checked against the published set it must be reported as a bad signature, never as a crash.
 */
export async function signPretendingToBe(
  key: PublishedKey,
  claims: Record<string, unknown>,
): Promise<string> {
  const alg = typeof key['alg'] === 'string' ? key['alg'] : defaultAlgorithm(key);
  const { privateKey } = await generateKeyPair(alg);
  const kid = typeof key['kid'] === 'string' ? key['kid'] : undefined;
  return new SignJWT(claims)
    .setProtectedHeader({ alg, typ: 'JWT', ...(kid === undefined ? {} : { kid }) })
    .sign(privateKey);
}
