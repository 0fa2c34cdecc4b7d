/**
 * Certificate credentials for client authentication: an RSA key pair made with WebCrypto, a
 * self-signed X.509 certificate around its public key, the certificate's thumbprints, and PEM.
 * The private key never leaves memory: it is re-imported as non-extractable signing keys.
 * @see https://www.rfc-editor.org/rfc/rfc7523#section-2.2
 * @see https://www.rfc-editor.org/rfc/rfc5280#section-4.1
 */
import { encodeBase64Url, encodeHex } from './base64url.ts';
import { InvalidInputError } from './errors.ts';

/** The JWS algorithms a client assertion may be signed with here (Entra accepts both; PS256 preferred). */
export type AssertionAlgorithm = 'PS256' | 'RS256';

/**
 * The thumbprints of a DER certificate: what a JWS header names and what the Entra portal shows.
 * @see https://www.rfc-editor.org/rfc/rfc7515#section-4.1.8
 */
export interface CertificateThumbprints {
  /** base64url SHA-256 of the DER bytes: the `x5t#S256` header value. */
  readonly sha256Base64Url: string;
  /** Upper-case hex SHA-1 of the DER bytes: the portal's "Thumbprint" column. */
  readonly sha1Hex: string;
}

/** A generated certificate credential. The signing keys are non-extractable CryptoKeys, memory only. */
export interface CertificateCredential {
  readonly pem: string;
  readonly der: Uint8Array;
  readonly subject: string;
  readonly notBefore: number;
  readonly notAfter: number;
  readonly thumbprints: CertificateThumbprints;
  readonly publicKey: CryptoKey;
  /** One private key per algorithm: WebCrypto binds a key to one signature scheme. */
  readonly signingKeys: Readonly<Record<AssertionAlgorithm, CryptoKey>>;
}

const PEM_LINE = 64;
const PEM_PATTERN = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+)-----END CERTIFICATE-----/;

/**
 * The PEM text of a DER certificate: base64 in 64-character lines between the armour lines.
 * @see https://www.rfc-editor.org/rfc/rfc7468#section-5.1
 */
export function encodeCertificatePem(der: Uint8Array): string {
  let binary = '';
  for (const byte of der) binary += String.fromCharCode(byte);
  const base64 = btoa(binary);
  const lines: string[] = [];
  for (let i = 0; i < base64.length; i += PEM_LINE) lines.push(base64.slice(i, i + PEM_LINE));
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

/**
 * The DER bytes inside a PEM certificate; throws `InvalidInputError` when there is no certificate block.
 * @see https://www.rfc-editor.org/rfc/rfc7468#section-5.1
 */
export function parseCertificatePem(pem: string): Uint8Array {
  const match = PEM_PATTERN.exec(pem);
  const body = match?.[1]?.replace(/\s+/g, '') ?? '';
  if (body === '') {
    throw new InvalidInputError(
      'certificate',
      'Expected a PEM certificate between -----BEGIN CERTIFICATE----- and -----END CERTIFICATE-----.',
    );
  }
  let binary: string;
  try {
    binary = atob(body);
  } catch {
    throw new InvalidInputError('certificate', 'The PEM certificate’s body is not valid base64.');
  }
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/**
 * SHA-256 (base64url) and SHA-1 (hex) of a DER certificate.
 * @see https://www.rfc-editor.org/rfc/rfc7515#section-4.1.8
 * @see https://www.rfc-editor.org/rfc/rfc7515#section-4.1.7
 */
export async function calculateCertificateThumbprints(der: Uint8Array): Promise<CertificateThumbprints> {
  const bytes = new Uint8Array(der);
  // RFC 7515 §4.1.8: x5t#S256 is the base64url SHA-256 digest of the DER encoding of the certificate.
  const sha256 = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  const sha1 = new Uint8Array(await crypto.subtle.digest('SHA-1', bytes));
  return { sha256Base64Url: encodeBase64Url(sha256), sha1Hex: encodeHex(sha1).toUpperCase() };
}

const RSA_PARAMS = {
  modulusLength: 2048,
  publicExponent: new Uint8Array([1, 0, 1]),
  hash: 'SHA-256',
} as const;

/** A positive 128-bit serial number as hex (RFC 5280 §4.1.2.2: positive, at most 20 octets). */
function generateSerialNumber(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return encodeHex(bytes);
}

/**
 * A fresh RSA-2048 key pair and a self-signed certificate for it. `@peculiar/x509` (and the
 * `reflect-metadata` it needs) are loaded only now, so they stay out of every page bundle.
 * @see https://www.rfc-editor.org/rfc/rfc5280#section-4.1
 * @see https://www.w3.org/TR/WebCryptoAPI/#dfn-CryptoKey-extractable
 */
export async function generateCertificateCredential(input: {
  readonly subject: string;
  readonly nowMs: number;
  readonly validityDays: number;
}): Promise<CertificateCredential> {
  await import('reflect-metadata');
  const x509 = await import('@peculiar/x509');
  x509.cryptoProvider.set(crypto);
  const algorithm = { name: 'RSASSA-PKCS1-v1_5', ...RSA_PARAMS };
  // Extractable only so the private key can be re-imported once per algorithm below.
  const pair = await crypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const notBefore = new Date(Math.floor(input.nowMs / 1000) * 1000);
  const notAfter = new Date(notBefore.getTime() + input.validityDays * 86_400_000);
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: generateSerialNumber(),
    name: input.subject,
    notBefore,
    notAfter,
    signingAlgorithm: algorithm,
    keys: pair,
    extensions: [new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true)],
  });
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey('pkcs8', pair.privateKey));
  try {
    const [ps256, rs256] = await Promise.all([
      crypto.subtle.importKey('pkcs8', pkcs8, { name: 'RSA-PSS', hash: 'SHA-256' }, false, ['sign']),
      crypto.subtle.importKey('pkcs8', pkcs8, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, [
        'sign',
      ]),
    ]);
    const der = new Uint8Array(certificate.rawData);
    return {
      pem: encodeCertificatePem(der),
      der,
      subject: certificate.subject,
      notBefore: notBefore.getTime(),
      notAfter: notAfter.getTime(),
      thumbprints: await calculateCertificateThumbprints(der),
      publicKey: pair.publicKey,
      signingKeys: { PS256: ps256, RS256: rs256 },
    };
  } finally {
    // The exported copy is wiped; only the non-extractable keys remain.
    pkcs8.fill(0);
  }
}
