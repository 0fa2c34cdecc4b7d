/**
 * Key material kept on disk so tokens stay verifiable across restarts: one RS256 signing key (a private
 * JWK) with a self-signed X.509 certificate for it, and the cookie-signing keys. Generated on first
 * start, never the library's development keys; a key file from before certificates gets one on start.
 *
 * Entra publishes each signing key with its certificate (`x5c`) and the certificate's SHA-1 thumbprint
 * (`x5t`), and the key's `kid` is that same thumbprint — see the captured `/common/discovery/v2.0/keys`
 * in test-fixtures/providers/entra-common.json and
 * https://learn.microsoft.com/entra/identity-platform/signing-key-rollover.
 */
import { createHash, generateKeyPairSync, randomBytes, webcrypto } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { JWK } from 'jose';

/** The sandbox's persisted secrets. */
export interface SandboxKeys {
  /**
   * Private RS256 signing key with `kid` (= {@link SandboxKeys.x5t}), `alg`, `use` and `x5c` (the
   * certificate, RFC 7517 §4.7: standard base64 DER).
   */
  readonly signingKey: JWK;
  /** base64url SHA-1 thumbprint of the certificate's DER (RFC 7517 §4.8), which is also the `kid`. */
  readonly x5t: string;
  readonly cookieKeys: readonly string[];
}

interface KeyFile {
  readonly signingKey: JWK;
  readonly cookieKeys: readonly string[];
}

const FILE_NAME = 'keys.json';

/** The certificate's subject: Entra's say `CN=accounts.accesscontrol.windows.net`; ours names the sandbox. */
const CERTIFICATE_SUBJECT = 'CN=sandbox.localhost signing key';
/** Entra's signing certificates are valid for five years (see the captured x5c). */
const CERTIFICATE_VALIDITY_MS = 5 * 365 * 86_400_000;

/** RFC 7517 §4.8: base64url SHA-1 of the DER certificate. */
export function calculateX5t(certificateDer: Uint8Array): string {
  return createHash('sha1').update(certificateDer).digest('base64url');
}

/**
 * Loads the keys from `dataDir`, generating and saving them (mode 0600) on first use. A key file
 * without a certificate (made before the sandbox published `x5c`) keeps its key, gets a certificate and
 * `kid` = thumbprint, and is saved again. Throws when the file exists but is not a sandbox key file.
 */
export async function loadOrCreateKeys(dataDir: string): Promise<SandboxKeys> {
  const path = join(dataDir, FILE_NAME);
  const existing = await readKeyFile(path);
  if (existing && certificateOf(existing.signingKey)) return toSandboxKeys(existing);

  let file: KeyFile;
  if (existing) {
    file = { ...existing, signingKey: await withCertificate(existing.signingKey) };
  } else {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwk = privateKey.export({ format: 'jwk' }) as JWK;
    file = {
      signingKey: await withCertificate({ ...jwk, alg: 'RS256', use: 'sig' }),
      cookieKeys: [randomBytes(32).toString('base64url'), randomBytes(32).toString('base64url')],
    };
  }
  await mkdir(dataDir, { recursive: true });
  await writeFile(path, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
  return toSandboxKeys(file);
}

function certificateOf(jwk: JWK): Uint8Array | undefined {
  const first = jwk.x5c?.[0];
  return typeof first === 'string' && first.length > 0 ? Buffer.from(first, 'base64') : undefined;
}

function toSandboxKeys(file: KeyFile): SandboxKeys {
  const der = certificateOf(file.signingKey);
  if (!der) throw new Error('sandbox signing key has no certificate');
  const x5t = calculateX5t(der);
  return { signingKey: { ...file.signingKey, kid: x5t }, x5t, cookieKeys: file.cookieKeys };
}

/** Makes a self-signed certificate (RFC 5280) for the RSA key and returns the key with `x5c` and `kid`. */
async function withCertificate(jwk: JWK): Promise<JWK> {
  await import('reflect-metadata');
  const x509 = await import('@peculiar/x509');
  x509.cryptoProvider.set(webcrypto as unknown as Crypto);
  const algorithm = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  const { kid: _kid, alg: _alg, use: _use, x5c: _x5c, ...keyMembers } = jwk;
  const publicMembers: webcrypto.JsonWebKey = { kty: 'RSA', n: jwk.n ?? '', e: jwk.e ?? '' };
  const [privateKey, publicKey] = await Promise.all([
    webcrypto.subtle.importKey('jwk', keyMembers as webcrypto.JsonWebKey, algorithm, false, ['sign']),
    webcrypto.subtle.importKey('jwk', publicMembers, algorithm, true, ['verify']),
  ]);
  const notBefore = new Date(Math.floor(Date.now() / 1000) * 1000);
  const serial = randomBytes(8);
  serial[0] = (serial[0] ?? 0) & 0x7f; // RFC 5280 §4.1.2.2: a positive serial number
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial.toString('hex'),
    name: CERTIFICATE_SUBJECT,
    notBefore,
    notAfter: new Date(notBefore.getTime() + CERTIFICATE_VALIDITY_MS),
    signingAlgorithm: algorithm,
    keys: { privateKey, publicKey } as CryptoKeyPair,
    extensions: [new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true)],
  });
  const der = new Uint8Array(certificate.rawData);
  return {
    ...jwk,
    kid: calculateX5t(der),
    alg: 'RS256',
    use: 'sig',
    x5c: [Buffer.from(der).toString('base64')],
  };
}

async function readKeyFile(path: string): Promise<KeyFile | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  let parsed: Partial<KeyFile>;
  try {
    parsed = JSON.parse(text) as Partial<KeyFile>;
  } catch {
    throw new Error(`${path} is not JSON, so not a sandbox key file; delete it to generate new keys`);
  }
  if (parsed.signingKey?.kty !== 'RSA' || !parsed.signingKey.d || !Array.isArray(parsed.cookieKeys)) {
    throw new Error(`${path} is not a sandbox key file; delete it to generate new keys`);
  }
  return { signingKey: parsed.signingKey, cookieKeys: parsed.cookieKeys };
}
