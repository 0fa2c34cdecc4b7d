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
