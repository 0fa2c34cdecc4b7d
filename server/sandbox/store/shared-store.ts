/**
 * The sandbox's shared store: where everything one sandbox instance must see of what another did lives
 * (issue 15: several instances, one tenant). Two implementations with the same behaviour:
 * - memory (memory-store.ts): one process, the default, so `npm start` needs nothing;
 * - Redis (redis-store.ts): every instance started with the same `SANDBOX_REDIS_URL` (and key prefix)
 *   shares one tenant.
 *
 * Values are JSON. Keys are the caller's; the store adds its own prefix, so two tenants (or two test
 * files) can share one Redis server without seeing each other.
 */

/** Time to live in milliseconds; absent means the value never expires. */
export interface WriteOptions {
  readonly ttlMs?: number;
}

export interface SharedStore {
  /** `memory`: this process only; `redis`: every instance using the same server and prefix. */
  readonly kind: 'memory' | 'redis';
  /** The value at `key`, or undefined when absent or expired. */
  get<T>(key: string): Promise<T | undefined>;
  /** Several values at once (undefined where absent), in the order asked. */
  getMany<T>(keys: readonly string[]): Promise<(T | undefined)[]>;
  set(key: string, value: unknown, options?: WriteOptions): Promise<void>;
  /** Sets `key` only when it is absent (atomically); true when this call set it. */
  setIfAbsent(key: string, value: unknown, options?: WriteOptions): Promise<boolean>;
  /**
   * Atomic read-modify-write: `change` gets the current value (undefined when absent) and returns the new
   * one, or undefined to delete the key. Retried when another instance wrote the key meanwhile, so
   * `change` must be pure. Resolves to what was written.
   */
  update<T>(
    key: string,
    change: (current: T | undefined) => T | undefined,
    options?: WriteOptions,
  ): Promise<T | undefined>;
  /** Deletes keys; absent ones are ignored. */
  delete(...keys: string[]): Promise<void>;
  /** Adds `by` (default 1) to an integer counter that starts at 0; returns the new value. */
  increment(key: string, by?: number, options?: WriteOptions): Promise<number>;
  /** Every live key starting with `prefix` (without the store's own prefix). Not for hot paths. */
  keys(prefix: string): Promise<string[]>;
  /** Delivers `message` to every subscriber of `channel`, in every instance, this one included. */
  publish(channel: string, message: string): Promise<void>;
  /** Calls `listener` for each message on `channel`; resolves once subscribed, to an unsubscribe function. */
  subscribe(channel: string, listener: (message: string) => void): Promise<() => Promise<void>>;
  /** Keys held under the prefix and bytes used (Redis: the server's `used_memory`; memory: an estimate). */
  stats(): Promise<{ readonly keys: number; readonly bytes: number }>;
  /** Closes connections and timers; the store is unusable afterwards. */
  close(): Promise<void>;
}
