/**
 * Key material kept on disk so tokens stay verifiable across restarts: one RS256 signing key (a private
 * JWK) and the cookie-signing keys. Generated on first start, never the library's development keys.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { calculateJwkThumbprint, type JWK } from 'jose';

/** The sandbox's persisted secrets. */
export interface SandboxKeys {
  /** Private RS256 signing key with `kid`, `alg` and `use`. */
  readonly signingKey: JWK;
  readonly cookieKeys: readonly string[];
}

interface KeyFile {
  readonly signingKey: JWK;
  readonly cookieKeys: readonly string[];
}

const FILE_NAME = 'keys.json';

/** Loads the keys from `dataDir`, generating and saving them (mode 0600) on first use. */
export async function loadOrCreateKeys(dataDir: string): Promise<SandboxKeys> {
  const path = join(dataDir, FILE_NAME);
  const existing = await readKeyFile(path);
  if (existing) return existing;

  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' }) as JWK;
  const kid = await calculateJwkThumbprint({ kty: 'RSA', e: jwk.e ?? '', n: jwk.n ?? '' });
  const keys: KeyFile = {
    signingKey: { ...jwk, kid, alg: 'RS256', use: 'sig' },
    cookieKeys: [randomBytes(32).toString('base64url'), randomBytes(32).toString('base64url')],
  };
  await mkdir(dataDir, { recursive: true });
  await writeFile(path, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600 });
  return keys;
}

async function readKeyFile(path: string): Promise<KeyFile | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const parsed = JSON.parse(text) as Partial<KeyFile>;
  if (parsed.signingKey?.kty !== 'RSA' || !parsed.signingKey.d || !Array.isArray(parsed.cookieKeys)) {
    throw new Error(`${path} is not a sandbox key file; delete it to generate new keys`);
  }
  return { signingKey: parsed.signingKey, cookieKeys: parsed.cookieKeys };
}
