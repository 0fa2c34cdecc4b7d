/**
 * Key material kept on disk so tokens stay verifiable across restarts: one RS256 signing key (a private
 * JWK) with a self-signed X.509 certificate for it, and the cookie-signing keys. Generated on first
 * start, never the library's development keys; a key file from before certificates gets one on start.
 *
 * Entra publishes each signing key with its certificate (`x5c`) and the certificate's SHA-1 thumbprint
 * (`x5t`), and the key's `kid` is that same thumbprint — see the captured `/common/discovery/v2.0/keys`
 * in test-fixtures/providers/entra-common.json and
 * https://learn.microsoft.com/entra/identity-platform/signing-key-rollover.
 *
 * Several instances on one Redis (issue 15) must sign with one key and read each other's cookies: the
 * keys then live in the shared store, put there once by the first instance to start (from its data dir,
 * or generated), and every other instance uses them (see {@link loadSharedKeyMaterial}).
 */
import { createHash, generateKeyPairSync, randomBytes, webcrypto } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { JWK } from 'jose';
import type { SharedStore } from './store/shared-store.ts';

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

/** Shared-store key of the tenant's key material. */
const SHARED_KEY_NAME = 'keys:tenant';
/** How long an instance holds the right to put key material into the store (ms). */
const KEY_LOCK_TTL_MS = 30_000;
/** How long an instance waits for another to put it there (ms). */
const KEY_WAIT_MS = 40_000;

/**
 * Key material in a shared store (issue 15). The first instance to take the store's lock (`setIfAbsent`)
 * loads or generates the material with `loadLocal` and stores it; every other instance waits for it and
 * uses it, so the material is generated at most once however many instances start together. A stored
 * value that `parse` rejects is not used: the error says which key to delete. Throws when nothing appears
 * within 40 seconds.
 */
export async function loadSharedKeyMaterial<T>(
  store: SharedStore,
  name: string,
  parse: (value: unknown, where: string) => T,
  loadLocal: () => Promise<T>,
): Promise<T> {
  const where = `the shared store's ${name}`;
  const lock = `${name}:lock`;
  const deadline = Date.now() + KEY_WAIT_MS;
  while (Date.now() < deadline) {
    const stored = await store.get<unknown>(name);
    if (stored !== undefined) return parse(stored, where);
    if (await store.setIfAbsent(lock, true, { ttlMs: KEY_LOCK_TTL_MS })) {
      try {
        // Checked again under the lock: another instance may have stored it and released the lock since.
        const late = await store.get<unknown>(name);
        if (late !== undefined) return parse(late, where);
        const material = await loadLocal();
        await store.setIfAbsent(name, material);
        return parse(await store.get<unknown>(name), where);
      } finally {
        await store.delete(lock);
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(
    `No key material appeared at ${where} within ${KEY_WAIT_MS / 1000} s: another instance holds its ` +
      `lock (${lock}) but did not store it. Is it stuck? Deleting ${lock} lets this instance make it.`,
  );
}

/**
 * The tenant's keys: from the shared store when it is Redis (put there once, from the first instance's
 * data dir), else from `dataDir` as {@link loadOrCreateKeyFile}.
 */
export async function loadOrCreateKeys(dataDir: string, shared?: SharedStore): Promise<SandboxKeys> {
  if (shared?.kind !== 'redis') return loadOrCreateKeyFile(dataDir);
  const file = await loadSharedKeyMaterial(shared, SHARED_KEY_NAME, parseKeyFile, async () => {
    const keys = await loadOrCreateKeyFile(dataDir);
    return { signingKey: keys.signingKey, cookieKeys: keys.cookieKeys } satisfies KeyFile;
  });
  return toSandboxKeys(file);
}

/**
 * Loads the keys from `dataDir`, generating and saving them (mode 0600) on first use. A key file
 * without a certificate (made before the sandbox published `x5c`) keeps its key, gets a certificate and
 * `kid` = thumbprint, and is saved again. Throws when the file exists but is not a sandbox key file.
 */
export async function loadOrCreateKeyFile(dataDir: string): Promise<SandboxKeys> {
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
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`${path} is not JSON, so not a sandbox key file; delete it to generate new keys`);
  }
  return parseKeyFile(parsed, path);
}

/** The key file's members, or an error naming `where` it came from. */
function parseKeyFile(value: unknown, where: string): KeyFile {
  const parsed = (typeof value === 'object' && value !== null ? value : {}) as Partial<KeyFile>;
  if (
    parsed.signingKey?.kty !== 'RSA' ||
    !parsed.signingKey.d ||
    !Array.isArray(parsed.cookieKeys) ||
    !parsed.cookieKeys.every((k) => typeof k === 'string')
  ) {
    throw new Error(`${where} is not a sandbox key file; delete it to generate new keys`);
  }
  return { signingKey: parsed.signingKey, cookieKeys: parsed.cookieKeys };
}
