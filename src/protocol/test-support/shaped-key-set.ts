/**
 * Test support (never bundled): given a key set an issuer publishes, builds one of exactly the same
 * shape — same key count, kty, crv, alg or no alg, kid or no kid, use, key_ops, x5c and/or n/e, and
 * the other members — with our own generated key material in one position, so a token we sign
 * stands for one that issuer signed. Used by the Vitest suites and the e2e harness.
 * @see https://www.rfc-editor.org/rfc/rfc7517#section-4
 */
import { exportJWK, generateKeyPair, type JSONWebKeySet, type JWK } from 'jose';
import { encodeBase64Url } from '../base64url.ts';

/**
 * A key set shaped like a published one, and what a test needs to sign as its issuer.
 * @see https://www.rfc-editor.org/rfc/rfc7517#section-5
 */
export interface ShapedKeySet {
  readonly jwks: JSONWebKeySet;
  /** Signs tokens that the key at `position` verifies. */
  readonly privateKey: CryptoKey;
  /** The kid our key got, when the published key at `position` had one (put it in the token header). */
  readonly kid?: string;
  /** The algorithm to sign with: the published key's alg, else the one its kty/crv implies. */
  readonly alg: string;
  readonly position: number;
  /** Our public key as a bare JWK, for thumbprints. */
  readonly publicJwk: JWK;
}

const DEFAULT_ALG: Readonly<Record<string, string>> = {
  RSA: 'RS256',
  'EC P-256': 'ES256',
  'EC P-384': 'ES384',
  'EC P-521': 'ES512',
  'OKP Ed25519': 'EdDSA',
};

/** The WebCrypto signature algorithm a certificate is signed with, for each JWS algorithm family. */
function certificateSigning(alg: string): Algorithm | RsaPssParams | EcdsaParams {
  const bits = alg.slice(2);
  if (alg.startsWith('RS')) return { name: 'RSASSA-PKCS1-v1_5', hash: `SHA-${bits}` } as Algorithm;
  if (alg.startsWith('PS')) return { name: 'RSA-PSS', saltLength: Number(bits) / 8 } as RsaPssParams;
  if (alg.startsWith('ES')) return { name: 'ECDSA', hash: `SHA-${bits}` };
  return { name: 'Ed25519' };
}

function base64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/**
 * A self-signed X.509 certificate (DER) around a key pair, made with @peculiar/x509 as
 * src/protocol/certificate.ts does.
 * @see https://www.rfc-editor.org/rfc/rfc5280#section-4.1
 */
export async function generateTestCertificate(
  pair: CryptoKeyPair,
  alg: string,
): Promise<Uint8Array<ArrayBuffer>> {
  await import('reflect-metadata');
  const x509 = await import('@peculiar/x509');
  x509.cryptoProvider.set(crypto);
  const notBefore = new Date(Date.now() - 60_000);
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=Flow Lab shaped test key',
    notBefore,
    notAfter: new Date(notBefore.getTime() + 86_400_000),
    signingAlgorithm: certificateSigning(alg),
    keys: pair,
  });
  return new Uint8Array(certificate.rawData);
}

function signingPosition(keys: readonly Record<string, unknown>[]): number {
  const index = keys.findIndex(
    (k) =>
      (k['use'] === undefined || k['use'] === 'sig') &&
      (k['kty'] === 'RSA' || k['kty'] === 'EC' || k['kty'] === 'OKP'),
  );
  if (index === -1) throw new Error('The published key set holds no signing key to imitate.');
  return index;
}

/**
 * Builds a key set shaped like `published` with our own key at `position` (default: the first
 * signing key). Every other key stays exactly as published.
 * @see https://www.rfc-editor.org/rfc/rfc7517#section-5
 */
export async function buildShapedKeySet(
  published: JSONWebKeySet,
  options: { readonly position?: number } = {},
): Promise<ShapedKeySet> {
  const keys = published.keys as unknown as Record<string, unknown>[];
  const position = options.position ?? signingPosition(keys);
  const model = keys[position];
  if (model === undefined) throw new Error(`The published key set has no key at position ${position}.`);
  const kty = String(model['kty']);
  const crv = typeof model['crv'] === 'string' ? model['crv'] : undefined;
  const alg =
    typeof model['alg'] === 'string' ? model['alg'] : DEFAULT_ALG[crv === undefined ? kty : `${kty} ${crv}`];
  if (alg === undefined) throw new Error(`No signing algorithm fits a ${kty} ${crv ?? ''} key.`);
  const pair = (await generateKeyPair(alg, { extractable: true })) as CryptoKeyPair;
  const publicJwk = await exportJWK(pair.publicKey);
  const der = 'x5c' in model ? await generateTestCertificate(pair, alg) : undefined;
  const kid =
    typeof model['kid'] === 'string'
      ? `shaped-${encodeBase64Url(crypto.getRandomValues(new Uint8Array(9)))}`
      : undefined;

  const own: Record<string, unknown> = {};
  for (const [member, value] of Object.entries(model)) {
    if (member === 'kid' && kid !== undefined) own[member] = kid;
    else if (member === 'x5c' && der !== undefined) own[member] = [base64(der)];
    else if (member === 'x5t' && der !== undefined)
      own[member] = encodeBase64Url(new Uint8Array(await crypto.subtle.digest('SHA-1', der)));
    else if (member === 'x5t#S256' && der !== undefined)
      own[member] = encodeBase64Url(new Uint8Array(await crypto.subtle.digest('SHA-256', der)));
    else if (member in publicJwk) own[member] = (publicJwk as Record<string, unknown>)[member];
    else if (['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth'].includes(member)) continue;
    else own[member] = value;
  }
  // A published key with neither its members nor a certificate cannot be imitated by shape alone.
  if (der === undefined) for (const [member, value] of Object.entries(publicJwk)) own[member] ??= value;

  const shaped = keys.map((key, index) => (index === position ? own : key));
  return {
    jwks: { ...published, keys: shaped as unknown as JSONWebKeySet['keys'] },
    privateKey: pair.privateKey,
    ...(kid === undefined ? {} : { kid }),
    alg,
    position,
    publicJwk,
  };
}
