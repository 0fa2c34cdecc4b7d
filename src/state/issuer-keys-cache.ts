/**
 * An issuer's keys, found once (discovery document, then its `jwks_uri`) and kept in memory for the
 * page's lifetime, so checking the signature of the next token of the same issuer costs no request.
 * Keys rotate: a token whose `kid` the kept key set does not hold reads the issuer's keys again once,
 * and a kept set is read again after {@link ISSUER_KEYS_MAX_AGE_MS}, so a retired key does not keep
 * verifying tokens for long. Nothing is written to storage.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#RotateSigKeys
 */
import type { FetchMetadata } from '../protocol/discovery.ts';
import { fetchIssuerKeys, type IssuerKeys, type TokenIssuer } from '../protocol/issuer-keys.ts';

/** How long a key set is used without reading it again, in milliseconds. */
export const ISSUER_KEYS_MAX_AGE_MS = 5 * 60_000;

interface Kept {
  readonly keys: Promise<IssuerKeys>;
  /** When the read started (`now()` ms). */
  readonly at: number;
}

const kept = new Map<string, Kept>();

function keyOf(issuer: Extract<TokenIssuer, { kind: 'url' }>, tid: unknown): string {
  // Entra's multi-tenant documents name the issuer with a {tenantid} template that tid fills in.
  return `${issuer.iss}\n${typeof tid === 'string' ? tid : ''}`;
}

function holdsKid(keys: IssuerKeys, kid: string): boolean {
  return keys.jwks.keys.some((key) => key.kid === kid);
}

/**
 * The keys of `issuer`, as `fetchIssuerKeys` finds them, read once per issuer (and tenant) and shared
 * by concurrent callers. `kid`, the token's key id when it has one, decides whether a kept set will do:
 * a set without that key is read again, once per call. A read that fails is not kept. Rejects as
 * `fetchIssuerKeys` does.
 */
export async function cachedIssuerKeys(
  issuer: Extract<TokenIssuer, { kind: 'url' }>,
  tid: unknown,
  fetchMetadata: FetchMetadata,
  kid?: string,
  now: () => number = Date.now,
): Promise<IssuerKeys> {
  const key = keyOf(issuer, tid);
  const read = (): Promise<IssuerKeys> => {
    const keys = fetchIssuerKeys(issuer, tid, fetchMetadata);
    const entry: Kept = { keys, at: now() };
    kept.set(key, entry);
    keys.catch(() => {
      if (kept.get(key) === entry) kept.delete(key);
    });
    return keys;
  };
  const entry = kept.get(key);
  if (entry === undefined || now() - entry.at > ISSUER_KEYS_MAX_AGE_MS) return read();
  let keys: IssuerKeys;
  try {
    keys = await entry.keys;
  } catch {
    // A read another caller started failed: this caller tries for itself.
    return read();
  }
  if (kid === undefined || holdsKid(keys, kid)) return keys;
  // The issuer may have rolled over to a key published after this set was read: read it again, or
  // take the read another caller started since (one new read, however many callers ask at once).
  const newer = kept.get(key);
  return newer === undefined || newer === entry ? read() : newer.keys;
}

/** Forgets every kept key set (tests, or after the user changes authority). */
export function forgetIssuerKeys(): void {
  kept.clear();
}
