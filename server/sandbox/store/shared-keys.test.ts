/**
 * Signing and cookie keys shared through the store (keys.ts, standard/keys.ts): made once however many
 * instances start together, taken from the first instance's data dir, never from a broken stored value.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { loadOrCreateKeyFile, loadOrCreateKeys, loadSharedKeyMaterial } from '../keys.ts';
import { loadOrCreateStandardKeys } from '../standard/keys.ts';
import { createMemoryStore } from './memory-store.ts';
import type { SharedStore } from './shared-store.ts';
import { clearTestPrefix, freshPrefix, openTestRedisStore } from './test-redis.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'shared-keys-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** `count` connections to one fresh prefix on the test Redis. */
async function redisConnections(count: number): Promise<SharedStore[]> {
  const prefix = freshPrefix();
  const stores = await Promise.all(Array.from({ length: count }, () => openTestRedisStore(prefix)));
  cleanups.push(async () => {
    await Promise.all(stores.map((s) => s.close()));
    await clearTestPrefix(prefix);
  });
  return stores;
}

const asString = (value: unknown, where: string): string => {
  if (typeof value !== 'string') throw new Error(`${where} is not key material`);
  return value;
};

describe('loadSharedKeyMaterial', () => {
  test('ten instances starting at once: the material is made once and all of them get it', async () => {
    const stores = await redisConnections(10);
    let made = 0;
    const results = await Promise.all(
      stores.map((store, i) =>
        loadSharedKeyMaterial(store, 'keys:test', asString, async () => {
          made += 1;
          await new Promise((resolve) => setTimeout(resolve, 30));
          return `material-of-${i}`;
        }),
      ),
    );
    expect(made).toBe(1);
    expect(new Set(results).size).toBe(1);
    expect(await stores[0]!.keys('keys:test')).toEqual(['keys:test']);
  });

  test('a stored value that is not key material is refused with the key to delete', async () => {
    const [store] = await redisConnections(1);
    await store!.set('keys:test', 42);
    await expect(
      loadSharedKeyMaterial(store!, 'keys:test', asString, () => Promise.resolve('fresh')),
    ).rejects.toThrow("the shared store's keys:test is not key material");
  });

  test('an instance that fails while making it releases the lock: the next one makes it', async () => {
    const [one, two] = await redisConnections(2);
    await expect(
      loadSharedKeyMaterial(one!, 'keys:test', asString, () => Promise.reject(new Error('disk full'))),
    ).rejects.toThrow('disk full');
    expect(await loadSharedKeyMaterial(two!, 'keys:test', asString, () => Promise.resolve('ok'))).toBe('ok');
  });
});

describe('tenant and standards keys on Redis', () => {
  test("the first instance's data dir supplies the keys; a second instance with its own dir uses them and writes nothing", async () => {
    const [first, second] = await redisConnections(2);
    const dirA = await tempDir();
    const dirB = await tempDir();
    const existing = await loadOrCreateKeyFile(dirA);
    const a = await loadOrCreateKeys(dirA, first);
    const b = await loadOrCreateKeys(dirB, second);
    expect(a.x5t).toBe(existing.x5t);
    expect(b).toEqual(a);
    expect(await readdir(dirB)).toEqual([]);
    const standardA = await loadOrCreateStandardKeys(dirA, first);
    const standardB = await loadOrCreateStandardKeys(dirB, second);
    expect(standardB).toEqual(standardA);
    expect(await readdir(dirB)).toEqual([]);
    expect(JSON.parse(await readFile(join(dirA, 'standard-keys.json'), 'utf8'))).toEqual(standardA);
  });

  test("a broken key file in the first instance's data dir fails its start with the file named", async () => {
    const [store] = await redisConnections(1);
    const dir = await tempDir();
    await writeFile(join(dir, 'keys.json'), '{"signingKey":{}}');
    await expect(loadOrCreateKeys(dir, store)).rejects.toThrow(/keys\.json is not a sandbox key file/);
    // Nothing broken was stored: a healthy instance can still put its keys in.
    expect(await store!.get('keys:tenant')).toBeUndefined();
  });

  test('the memory store keeps keys in the data dir, as before', async () => {
    const store = createMemoryStore();
    cleanups.push(() => store.close());
    const dir = await tempDir();
    const keys = await loadOrCreateKeys(dir, store);
    expect(await store.keys('')).toEqual([]);
    expect((await loadOrCreateKeyFile(dir)).x5t).toBe(keys.x5t);
  });
});
