/**
 * The shared store on Redis (ioredis): every sandbox instance started with the same server and key prefix
 * sees the same values (issue 15). Same contract as the memory store (shared-store.ts).
 *
 * - Values are JSON strings under `<prefix><key>`; TTLs are Redis's own (`PX`), so Redis drops what
 *   expires without a sweep.
 * - `update` is optimistic: read, compute, then a compare-and-set script writes only when the key still
 *   holds what was read, else reads again. WATCH/MULTI would need a connection per caller (WATCH belongs
 *   to the connection and ioredis multiplexes one connection between every caller of this process).
 * - Publish/subscribe uses a second connection, as Redis requires: a subscribed connection can do nothing
 *   else. Channels are prefixed like keys.
 */
import { Redis } from 'ioredis';
import type { SharedStore, WriteOptions } from './shared-store.ts';

/** Options of {@link createRedisStore}. */
export interface RedisStoreOptions {
  /** `redis://[user:password@]host:port[/db]` (or `rediss://` for TLS). */
  readonly url: string;
  /** Prefix of every key and channel this store touches (e.g. `oauth-lab:`). */
  readonly prefix: string;
  /** How long to wait for the first connection before failing, in milliseconds (default 5000). */
  readonly connectTimeoutMs?: number;
}

/** How often `update` re-reads after losing a race before it gives up. */
const MAX_UPDATE_ATTEMPTS = 1000;
/** SCAN's per-call hint: keys looked at per round trip. */
const SCAN_COUNT = 500;

/**
 * KEYS[1] = key; ARGV[1] = the JSON read ('' when absent), ARGV[2] = the JSON to write ('' to delete),
 * ARGV[3] = TTL in ms ('' for none). Returns 1 when written, 0 when the key changed since it was read.
 */
const COMPARE_AND_SET = `
local current = redis.call('GET', KEYS[1])
if current == false then current = '' end
if current ~= ARGV[1] then return 0 end
if ARGV[2] == '' then
  redis.call('DEL', KEYS[1])
elseif ARGV[3] == '' then
  redis.call('SET', KEYS[1], ARGV[2])
else
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
end
return 1`;

/** KEYS[1] = key; ARGV[1] = by, ARGV[2] = TTL in ms ('' keeps the key's own). Returns the new value. */
const INCREMENT = `
local value = redis.call('INCRBY', KEYS[1], ARGV[1])
if ARGV[2] ~= '' then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return value`;

/** The URL with any password replaced, for messages and logs. */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.href;
  } catch {
    return '(not a URL)';
  }
}

/** SCAN MATCH pattern for keys starting with `literal` (glob characters escaped). */
function startsWithPattern(literal: string): string {
  return `${literal.replace(/[*?[\]\\]/g, (c) => `\\${c}`)}*`;
}

function ttlArgument(options: WriteOptions | undefined): string {
  if (options?.ttlMs === undefined) return '';
  // Redis refuses PX 0 and negative values; a value that expires now is kept for one millisecond.
  return String(Math.max(1, Math.ceil(options.ttlMs)));
}

/** A connected client, or an error that says what to do. */
async function connect(url: string, timeoutMs: number, role: string): Promise<Redis> {
  let connected = false;
  let client: Redis;
  try {
    client = new Redis(url, {
      lazyConnect: true,
      connectTimeout: timeoutMs,
      // Before the first connection: fail at once (the start must not hang). Afterwards: reconnect with
      // a growing delay, up to two seconds, as long as the process lives.
      retryStrategy: (times) => (connected ? Math.min(times * 100, 2000) : null),
      maxRetriesPerRequest: 3,
    });
  } catch (err) {
    throw new Error(`SANDBOX_REDIS_URL ${redactRedisUrl(url)} is not a Redis URL: ${(err as Error).message}`);
  }
  // Errors are reported through the failing commands; without a listener ioredis prints each one. The
  // first connection's says why (ECONNREFUSED, a DNS failure) where connect() only says it closed.
  let cause: Error | undefined;
  client.on('error', (err: Error) => {
    cause ??= err;
  });
  try {
    await client.connect();
    await client.ping();
  } catch (err) {
    client.disconnect();
    throw new Error(
      `Cannot reach Redis at ${redactRedisUrl(url)} (${role} connection): ` +
        `${(cause ?? (err as Error)).message.replace(/\.+$/, '')}. ` +
        'Start Redis there, or unset SANDBOX_REDIS_URL to keep the sandbox in memory.',
    );
  }
  connected = true;
  return client;
}

/** Connects to Redis (failing, not hanging, when it cannot be reached) and returns the store. */
export async function createRedisStore(options: RedisStoreOptions): Promise<SharedStore> {
  const { prefix, url } = options;
  const timeoutMs = options.connectTimeoutMs ?? 5000;
  const client = await connect(url, timeoutMs, 'command');
  let subscriber: Promise<Redis> | undefined;
  const listeners = new Map<string, Set<(message: string) => void>>();
  const full = (key: string): string => `${prefix}${key}`;
  const parse = <T>(json: string | null): T | undefined =>
    json === null ? undefined : (JSON.parse(json) as T);

  const subscriberConnection = (): Promise<Redis> => {
    subscriber ??= connect(url, timeoutMs, 'subscriber').then((connection) => {
      connection.on('message', (channel: string, message: string) => {
        for (const listener of listeners.get(channel) ?? []) listener(message);
      });
      return connection;
    });
    return subscriber;
  };

  const scan = async (match: string): Promise<string[]> => {
    const found = new Set<string>();
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', match, 'COUNT', SCAN_COUNT);
      cursor = next;
      // SCAN may return a key more than once.
      for (const key of keys) found.add(key);
    } while (cursor !== '0');
    return [...found];
  };

  return {
    kind: 'redis',
    get: async (key) => parse(await client.get(full(key))),
    getMany: async <T>(keys: readonly string[]) =>
      keys.length === 0 ? [] : (await client.mget(keys.map(full))).map((json) => parse<T>(json)),
    set: async (key, value, writeOptions) => {
      const json = JSON.stringify(value);
      const ttl = ttlArgument(writeOptions);
      if (ttl === '') await client.set(full(key), json);
      else await client.set(full(key), json, 'PX', ttl);
    },
    setIfAbsent: async (key, value, writeOptions) => {
      const json = JSON.stringify(value);
      const ttl = ttlArgument(writeOptions);
      const answer =
        ttl === ''
          ? await client.set(full(key), json, 'NX')
          : await client.set(full(key), json, 'PX', ttl, 'NX');
      return answer === 'OK';
    },
    update: async <T>(
      key: string,
      change: (current: T | undefined) => T | undefined,
      writeOptions?: WriteOptions,
    ) => {
      for (let attempt = 0; attempt < MAX_UPDATE_ATTEMPTS; attempt += 1) {
        const read = await client.get(full(key));
        const next = change(parse<T>(read));
        const json = next === undefined ? '' : JSON.stringify(next);
        const written = await client.eval(
          COMPARE_AND_SET,
          1,
          full(key),
          read ?? '',
          json,
          ttlArgument(writeOptions),
        );
        if (written === 1) return next;
        // Lost the race again: give the other writers a moment, more each time (jittered).
        if (attempt >= 2) {
          await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(attempt, 20)));
        }
      }
      throw new Error(`Redis store: ${key} kept changing; gave up after ${MAX_UPDATE_ATTEMPTS} attempts`);
    },
    delete: async (...keys) => {
      if (keys.length > 0) await client.del(...keys.map(full));
    },
    increment: async (key, by = 1, writeOptions) =>
      Number(await client.eval(INCREMENT, 1, full(key), String(by), ttlArgument(writeOptions))),
    keys: async (keyPrefix) =>
      (await scan(startsWithPattern(full(keyPrefix)))).map((key) => key.slice(prefix.length)),
    publish: async (channel, message) => {
      await client.publish(full(channel), message);
    },
    subscribe: async (channel, listener) => {
      const connection = await subscriberConnection();
      const name = full(channel);
      let set = listeners.get(name);
      if (!set) {
        listeners.set(name, (set = new Set()));
        await connection.subscribe(name);
      }
      set.add(listener);
      return async () => {
        set.delete(listener);
        if (set.size === 0 && listeners.get(name) === set) {
          listeners.delete(name);
          await connection.unsubscribe(name);
        }
      };
    },
    stats: async () => {
      const [keys, info] = await Promise.all([scan(startsWithPattern(prefix)), client.info('memory')]);
      const used = /^used_memory:(\d+)/m.exec(info)?.[1];
      return { keys: keys.length, bytes: used === undefined ? 0 : Number(used) };
    },
    close: async () => {
      listeners.clear();
      const connections = [client, ...(subscriber ? [await subscriber.catch(() => undefined)] : [])];
      await Promise.all(
        connections.map((connection) => connection?.quit().catch(() => connection.disconnect())),
      );
    },
  };
}
