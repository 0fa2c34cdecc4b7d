/**
 * The SharedStore contract (shared-store.ts), run against both implementations: the in-memory store and
 * the Redis store on a real Redis (the test Redis of redis-global-setup.ts).
 */
import fc from 'fast-check';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { createMemoryStore } from './memory-store.ts';
import { DEFAULT_REDIS_PREFIX, openSharedStore } from './open-store.ts';
import { createRedisStore, redactRedisUrl } from './redis-store.ts';
import type { SharedStore } from './shared-store.ts';
import { clearTestPrefix, freshPrefix, openTestRedisStore, testRedisUrl } from './test-redis.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Two connections to one store: for Redis two clients on one prefix; in memory the same store twice. */
interface Pair {
  readonly one: SharedStore;
  readonly two: SharedStore;
}

const implementations: { name: string; open: () => Promise<Pair>; done: (pair: Pair) => Promise<void> }[] = [
  {
    name: 'memory',
    open: () => {
      const store = createMemoryStore();
      return Promise.resolve({ one: store, two: store });
    },
    done: (pair) => pair.one.close(),
  },
  {
    name: 'redis',
    open: async () => {
      const prefix = freshPrefix();
      const one = await openTestRedisStore(prefix);
      const two = await openTestRedisStore(prefix);
      return { one, two, prefix } as Pair;
    },
    done: async (pair) => {
      const { prefix } = pair as Pair & { prefix: string };
      await Promise.all([pair.one.close(), pair.two.close()]);
      await clearTestPrefix(prefix);
    },
  },
];

describe.each(implementations)('SharedStore contract: $name', ({ name, open, done }) => {
  const opened: Pair[] = [];
  const pair = async (): Promise<Pair> => {
    const p = await open();
    opened.push(p);
    return p;
  };
  afterEach(async () => {
    await Promise.all(opened.splice(0).map(done));
  });

  test('JSON values round-trip; absent keys read as undefined', async () => {
    const { one, two } = await pair();
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1, maxLength: 20 }), fc.jsonValue(), async (key, value) => {
        await one.set(key, value);
        // What JSON.stringify/parse make of it (-0 becomes 0): the same in both stores.
        expect(await two.get(key)).toEqual(JSON.parse(JSON.stringify(value)));
        await two.delete(key);
        expect(await one.get(key)).toBeUndefined();
      }),
      { numRuns: 40 },
    );
    expect(await one.getMany(['x', 'y'])).toEqual([undefined, undefined]);
    await one.set('y', { n: 1 });
    expect(await two.getMany(['x', 'y'])).toEqual([undefined, { n: 1 }]);
    expect(await two.getMany([])).toEqual([]);
  });

  test('a value written with a TTL is gone after it; without one it stays', async () => {
    const { one, two } = await pair();
    await one.set('short', 'soon gone', { ttlMs: 40 });
    await one.set('long', 'stays');
    expect(await two.get('short')).toBe('soon gone');
    await sleep(80);
    expect(await two.get('short')).toBeUndefined();
    expect(await two.keys('short')).toEqual([]);
    expect(await two.get('long')).toBe('stays');
  });

  test('setIfAbsent: of many racing writers exactly one wins, and everyone reads the winner', async () => {
    const { one, two } = await pair();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? one : two).setIfAbsent('key', { writer: i })),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = results.indexOf(true);
    expect(await one.get('key')).toEqual({ writer: winner });
    expect(await two.setIfAbsent('key', { writer: 'late' })).toBe(false);
    // Once expired, the key can be set again.
    expect(await one.setIfAbsent('brief', 1, { ttlMs: 30 })).toBe(true);
    await sleep(60);
    expect(await two.setIfAbsent('brief', 2)).toBe(true);
  });

  test('update from two connections at once never loses a change', async () => {
    const { one, two } = await pair();
    const n = 60;
    await Promise.all(
      Array.from({ length: n }, (_, i) =>
        (i % 2 ? one : two).update<{ count: number; by: number[] }>('counter', (current) => ({
          count: (current?.count ?? 0) + 1,
          by: [...(current?.by ?? []), i],
        })),
      ),
    );
    const final = await one.get<{ count: number; by: number[] }>('counter');
    expect(final?.count).toBe(n);
    expect([...(final?.by ?? [])].sort((x, y) => x - y)).toEqual(Array.from({ length: n }, (_, i) => i));
  });

  test('update under heavy contention (200 writers on one key over two connections) still counts every one', async () => {
    const { one, two } = await pair();
    await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        (i % 2 ? one : two).update<number>('hot', (current) => (current ?? 0) + 1),
      ),
    );
    expect(await one.get('hot')).toBe(200);
  });

  test('update: undefined deletes, the TTL applies to what is written, the result is what was written', async () => {
    const { one, two } = await pair();
    expect(await one.update<number>('n', (c) => (c ?? 10) + 1)).toBe(11);
    expect(await two.update('n', () => undefined)).toBeUndefined();
    expect(await one.get('n')).toBeUndefined();
    await one.update('t', () => 'x', { ttlMs: 40 });
    await sleep(80);
    expect(await two.get('t')).toBeUndefined();
  });

  test('increment from two connections: counts every call, keeps an existing TTL, applies a given one', async () => {
    const { one, two } = await pair();
    const values = await Promise.all(
      Array.from({ length: 40 }, (_, i) => (i % 2 ? one : two).increment('hits')),
    );
    expect([...values].sort((x, y) => x - y)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(await one.get('hits')).toBe(40);
    expect(await two.increment('hits', 5)).toBe(45);
    expect(await one.increment('brief', 1, { ttlMs: 50 })).toBe(1);
    expect(await two.increment('brief', 2)).toBe(3);
    await sleep(90);
    expect(await one.get('brief')).toBeUndefined();
  });

  test('keys lists live keys by prefix, without the store prefix', async () => {
    const { one, two } = await pair();
    await one.set('device:1', 1);
    await one.set('device:2', 2);
    await one.set('devices', 3);
    await one.set('lockout:a', 4);
    // Glob characters in a key are literal.
    await one.set('odd*[key]?', 5);
    expect((await two.keys('device:')).sort()).toEqual(['device:1', 'device:2']);
    expect(await two.keys('odd*')).toEqual(['odd*[key]?']);
    expect(await two.keys('odd[')).toEqual([]);
    expect((await two.keys('')).length).toBe(5);
  });

  test('publish reaches subscribers on every connection, this one included; unsubscribe stops it', async () => {
    const { one, two } = await pair();
    const heardByOne: string[] = [];
    const heardByTwo: string[] = [];
    const offOne = await one.subscribe('news', (m) => heardByOne.push(m));
    const offTwo = await two.subscribe('news', (m) => heardByTwo.push(m));
    await one.publish('news', 'first');
    await two.publish('other', 'not for us');
    await waitFor(() => heardByOne.length === 1 && heardByTwo.length === 1);
    expect(heardByOne).toEqual(['first']);
    expect(heardByTwo).toEqual(['first']);
    await offTwo();
    await two.publish('news', 'second');
    await waitFor(() => heardByOne.length === 2);
    await sleep(30);
    expect(heardByTwo).toEqual(['first']);
    await offOne();
  });

  test('stats counts the keys held', async () => {
    const { one } = await pair();
    const before = await one.stats();
    await one.set('a', 'x'.repeat(1000));
    await one.set('b', 1);
    const after = await one.stats();
    expect(after.keys).toBe(before.keys + 2);
    expect(after.bytes).toBeGreaterThan(0);
    if (name === 'memory') expect(after.bytes).toBeGreaterThan(before.bytes);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(5);
  }
}

describe('opening the store', () => {
  const toClose: SharedStore[] = [];
  afterAll(async () => {
    await Promise.all(toClose.map((s) => s.close()));
  });

  test('without a URL: the memory store', async () => {
    const store = await openSharedStore({});
    toClose.push(store);
    expect(store.kind).toBe('memory');
    const empty = await openSharedStore({ url: '' });
    toClose.push(empty);
    expect(empty.kind).toBe('memory');
  });

  test('with a URL: Redis, under the default prefix unless given one', async () => {
    const store = await openSharedStore({ url: testRedisUrl() });
    toClose.push(store);
    expect(store.kind).toBe('redis');
    const key = `open-store-test:${Date.now()}`;
    await store.set(key, 1, { ttlMs: 5000 });
    const raw = await createRedisStore({ url: testRedisUrl(), prefix: '' });
    toClose.push(raw);
    expect(await raw.get(`${DEFAULT_REDIS_PREFIX}${key}`)).toBe(1);
    await store.delete(key);
  });

  test('a Redis that cannot be reached fails at once, naming the URL without its password and what to do', async () => {
    const started = Date.now();
    const url = 'redis://:hunter2@127.0.0.1:1';
    const error = await openSharedStore({ url }).then(
      () => undefined,
      (err: unknown) => err as Error,
    );
    expect(error?.message).toMatch(/^Cannot reach Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:1/);
    expect(error?.message).toMatch(/unset SANDBOX_REDIS_URL/);
    expect(error?.message).not.toContain('hunter2');
    expect(Date.now() - started).toBeLessThan(3000);
  });

  test('redactRedisUrl hides any password and never echoes a non-URL', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 12 }).filter((s) => /^\w+$/.test(s)),
        (secret) => {
          const shown = redactRedisUrl(`redis://user:${secret}@host:6380/2`);
          expect(shown).toBe('redis://user:***@host:6380/2');
        },
      ),
    );
    expect(redactRedisUrl('not a url hunter2')).toBe('(not a URL)');
  });
});
