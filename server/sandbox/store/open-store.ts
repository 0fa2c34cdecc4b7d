/**
 * Chooses the sandbox's shared store: Redis when a URL is given (`SANDBOX_REDIS_URL`), otherwise the
 * in-memory store, so `npm start` needs nothing (issue 15).
 */
import { createMemoryStore } from './memory-store.ts';
import { createRedisStore, redactRedisUrl } from './redis-store.ts';
import type { SharedStore } from './shared-store.ts';

/** Key prefix when none is given: one tenant per Redis database unless told otherwise. */
export const DEFAULT_REDIS_PREFIX = 'oauth-lab:';

/** Options of {@link openSharedStore}. */
export interface OpenStoreOptions {
  /** Redis URL; absent or empty selects the memory store. */
  readonly url?: string | undefined;
  /** Key prefix on Redis (default {@link DEFAULT_REDIS_PREFIX}); ignored in memory. */
  readonly prefix?: string | undefined;
}

/**
 * The memory store without a URL, else a connected Redis store. Rejects with a message naming the
 * (redacted) URL and what to do when Redis cannot be reached.
 */
export async function openSharedStore(options: OpenStoreOptions = {}): Promise<SharedStore> {
  if (!options.url) return createMemoryStore();
  return createRedisStore({ url: options.url, prefix: options.prefix || DEFAULT_REDIS_PREFIX });
}

/** {@link openSharedStore} from `SANDBOX_REDIS_URL` and `SANDBOX_REDIS_PREFIX`. */
export function openSharedStoreFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<SharedStore> {
  return openSharedStore({ url: env['SANDBOX_REDIS_URL'], prefix: env['SANDBOX_REDIS_PREFIX'] });
}

/** One line for the start-up output: which store the tenant lives in (a Redis URL without its password). */
export function describeSharedStore(env: NodeJS.ProcessEnv = process.env): string {
  const url = env['SANDBOX_REDIS_URL'];
  if (!url) {
    return 'in memory (this process only; set SANDBOX_REDIS_URL to share one tenant between instances)';
  }
  const prefix = env['SANDBOX_REDIS_PREFIX'] || DEFAULT_REDIS_PREFIX;
  return `Redis ${redactRedisUrl(url)}, keys under ${prefix} (every instance using them is one tenant)`;
}

/**
 * The start-up warning for a shared store without a shared origin: with `SANDBOX_REDIS_URL` set and no
 * `SANDBOX_PUBLIC_ORIGIN`, each instance names itself (http://localhost:PORT) as the issuer, so a token
 * one instance signs is refused by another's userinfo and Graph (OIDC Core §3.1.3.7: `iss` MUST match
 * the issuer). Undefined when there is nothing to warn about (memory store, or an origin is set).
 */
export function sharedStoreOriginWarning(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (!env['SANDBOX_REDIS_URL']) return undefined;
  if ((env['SANDBOX_PUBLIC_ORIGIN'] ?? '').trim() !== '') return undefined;
  return (
    'Warning: SANDBOX_REDIS_URL is set but SANDBOX_PUBLIC_ORIGIN is not. This instance signs tokens as ' +
    'its own localhost address, so a second instance on the same Redis refuses them (userinfo, Graph) and ' +
    'sign-ins do not carry over. For more than one instance, set SANDBOX_PUBLIC_ORIGIN on every instance ' +
    'to the one origin learners reach them through (the reverse proxy, e.g. https://sandbox.example.org).'
  );
}
