/**
 * The shared store in one process (the default): a Map with expiry, and an in-process event bus for
 * publish/subscribe. Same contract as the Redis store (shared-store.ts), so the sandbox's code has one
 * path; JSON round trips keep values from being shared by reference, as they are not in Redis.
 */
import type { SharedStore, WriteOptions } from './shared-store.ts';

interface Entry {
  readonly json: string;
  readonly expiresAt: number | undefined;
}

/** How often expired entries are dropped without being read (milliseconds). */
const SWEEP_INTERVAL_MS = 30_000;

/** Creates an empty in-memory store. */
export function createMemoryStore(): SharedStore {
  const entries = new Map<string, Entry>();
  const listeners = new Map<string, Set<(message: string) => void>>();
  const live = (key: string, now = Date.now()): Entry | undefined => {
    const entry = entries.get(key);
    if (entry?.expiresAt !== undefined && entry.expiresAt <= now) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  };
  const write = (key: string, value: unknown, options?: WriteOptions): void => {
    const expiresAt = options?.ttlMs === undefined ? undefined : Date.now() + options.ttlMs;
    entries.set(key, { json: JSON.stringify(value), expiresAt });
  };
  const read = <T>(key: string): T | undefined => {
    const entry = live(key);
    return entry ? (JSON.parse(entry.json) as T) : undefined;
  };
  const timer = setInterval(() => {
    const now = Date.now();
    for (const key of entries.keys()) live(key, now);
  }, SWEEP_INTERVAL_MS);
  timer.unref();

  return {
    kind: 'memory',
    get: (key) => Promise.resolve(read(key)),
    getMany: <T>(keys: readonly string[]) => Promise.resolve(keys.map((key) => read<T>(key))),
    set: (key, value, options) => {
      write(key, value, options);
      return Promise.resolve();
    },
    setIfAbsent: (key, value, options) => {
      if (live(key)) return Promise.resolve(false);
      write(key, value, options);
      return Promise.resolve(true);
    },
    update: <T>(
      key: string,
      change: (current: T | undefined) => T | undefined,
      options?: WriteOptions,
    ) => {
      const next = change(read<T>(key));
      if (next === undefined) entries.delete(key);
      else write(key, next, options);
      return Promise.resolve(next);
    },
    delete: (...keys) => {
      for (const key of keys) entries.delete(key);
      return Promise.resolve();
    },
    increment: (key, by = 1, options) => {
      const next = (read<number>(key) ?? 0) + by;
      const entry = live(key);
      // Redis's INCRBY keeps the key's expiry; a TTL applies only when given.
      const ttlMs =
        options?.ttlMs ?? (entry?.expiresAt === undefined ? undefined : entry.expiresAt - Date.now());
      write(key, next, ttlMs === undefined ? undefined : { ttlMs });
      return Promise.resolve(next);
    },
    keys: (prefix) =>
      Promise.resolve([...entries.keys()].filter((key) => key.startsWith(prefix) && live(key))),
    publish: (channel, message) => {
      for (const listener of listeners.get(channel) ?? []) queueMicrotask(() => listener(message));
      return Promise.resolve();
    },
    subscribe: (channel, listener) => {
      let set = listeners.get(channel);
      if (!set) listeners.set(channel, (set = new Set()));
      set.add(listener);
      return Promise.resolve(() => {
        set.delete(listener);
        return Promise.resolve();
      });
    },
    stats: () => {
      let bytes = 0;
      for (const [key, entry] of entries) if (live(key)) bytes += 2 * (key.length + entry.json.length);
      return Promise.resolve({ keys: entries.size, bytes });
    },
    close: () => {
      clearInterval(timer);
      entries.clear();
      listeners.clear();
      return Promise.resolve();
    },
  };
}
