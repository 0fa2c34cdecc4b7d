/**
 * The standards issuer's own key material, kept on disk beside the Entra tenant's (`standard-keys.json`)
 * so its tokens stay verifiable across restarts: an RSA key (RS256 and PS256 signatures) and a P-256 key
 * (ES256), the cookie-signing keys and the secret DPoP nonces are derived from. Generated on first start.
 * With several instances on one Redis (issue 15) they live in the shared store, put there once.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { loadSharedKeyMaterial } from '../keys.ts';
import type { SharedStore } from '../store/shared-store.ts';

/** The standards issuer's persisted secrets. */
export interface StandardKeys {
  /** Private signing keys with `kid` (RFC 7638 thumbprint) and `use: sig`: RSA first, then EC P-256. */
  readonly signingKeys: readonly JWK[];
  readonly cookieKeys: readonly string[];
  /** RFC 9449 §8: the server's nonces are derived from this 32-byte secret (base64url). */
  readonly dpopNonceSecret: string;
}

const FILE_NAME = 'standard-keys.json';

/** Shared-store key of the standards issuer's key material. */
const SHARED_KEY_NAME = 'keys:standard';

/**
 * Loads the keys from `dataDir`, generating and saving them (mode 0600) on first use; with a Redis
 * `shared` store, from there (put there once, from the first instance's data dir: loadSharedKeyMaterial).
 */
export async function loadOrCreateStandardKeys(dataDir: string, shared?: SharedStore): Promise<StandardKeys> {
  if (shared?.kind !== 'redis') return loadOrCreateStandardKeyFile(dataDir);
  return loadSharedKeyMaterial(shared, SHARED_KEY_NAME, parseStandardKeys, () =>
    loadOrCreateStandardKeyFile(dataDir),
  );
}

async function loadOrCreateStandardKeyFile(dataDir: string): Promise<StandardKeys> {
  const path = join(dataDir, FILE_NAME);
  const existing = await readKeyFile(path);
  if (existing) return existing;
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
  const signingKeys = await Promise.all(
    [rsa as JWK, ec as JWK].map(async (jwk) => ({
      ...jwk,
      kid: await calculateJwkThumbprint(jwk),
      use: 'sig',
    })),
  );
  const keys: StandardKeys = {
    signingKeys,
    cookieKeys: [randomBytes(32).toString('base64url'), randomBytes(32).toString('base64url')],
    dpopNonceSecret: randomBytes(32).toString('base64url'),
  };
  await mkdir(dataDir, { recursive: true });
  await writeFile(path, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600 });
  return keys;
}

/** The public members of the signing keys (what `jwks_uri` publishes). */
export function publicJwks(keys: StandardKeys): { readonly keys: readonly JWK[] } {
  return {
    keys: keys.signingKeys.map((k) => {
      const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...pub } = k;
      return pub;
    }),
  };
}

async function readKeyFile(path: string): Promise<StandardKeys | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(
      `${path} is not JSON, so not a standards sandbox key file; delete it to generate new keys`,
    );
  }
  return parseStandardKeys(value, path);
}

/** The key material's members, or an error naming `where` it came from. */
function parseStandardKeys(value: unknown, where: string): StandardKeys {
  const parsed = (typeof value === 'object' && value !== null ? value : {}) as Partial<StandardKeys>;
  if (
    !Array.isArray(parsed.signingKeys) ||
    parsed.signingKeys.length === 0 ||
    !parsed.signingKeys.every((k) => typeof k.d === 'string') ||
    !Array.isArray(parsed.cookieKeys) ||
    typeof parsed.dpopNonceSecret !== 'string' ||
    Buffer.from(parsed.dpopNonceSecret, 'base64url').length !== 32
  ) {
    throw new Error(`${where} is not a standards sandbox key file; delete it to generate new keys`);
  }
  return {
    signingKeys: parsed.signingKeys,
    cookieKeys: parsed.cookieKeys,
    dpopNonceSecret: parsed.dpopNonceSecret,
  };
}
