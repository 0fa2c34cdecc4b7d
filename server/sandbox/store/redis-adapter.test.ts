/**
 * The shared-store adapter (redis-adapter.ts) against oidc-provider's adapter contract, on both stores
 * (memory and a real Redis), and the same behaviour as the memory adapter (adapter.ts) where the sandbox
 * depends on it: consume marking, the refresh rotation switch, clients, indexes, expiry.
 */
import fc from 'fast-check';
import type { AdapterPayload, ClientMetadata } from 'oidc-provider';
import { afterEach, describe, expect, test } from 'vitest';
import { createMemoryAdapter } from '../adapter.ts';
import { createMemoryStore } from './memory-store.ts';
import { createSharedStoreAdapter } from './redis-adapter.ts';
import type { SharedStore } from './shared-store.ts';
import { clearTestPrefix, freshPrefix, openTestRedisStore } from './test-redis.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const NAMESPACE = 'tenant:oidc:';

interface Opened {
  readonly store: SharedStore;
  readonly second: SharedStore;
  done(): Promise<void>;
}

const stores: { name: string; open: () => Promise<Opened> }[] = [
  {
    name: 'memory store',
    open: () => {
      const store = createMemoryStore();
      return Promise.resolve({ store, second: store, done: () => store.close() });
    },
  },
  {
    name: 'Redis store',
    open: async () => {
      const prefix = freshPrefix();
      const store = await openTestRedisStore(prefix);
      const second = await openTestRedisStore(prefix);
      return {
        store,
        second,
        done: async () => {
          await Promise.all([store.close(), second.close()]);
          await clearTestPrefix(prefix);
        },
      };
    },
  },
];

describe.each(stores)('shared-store adapter on the $name', ({ open }) => {
  const opened: Opened[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((o) => o.done()));
  });

  /** Two adapters on one store (two instances), with the rotation switch the test sets. */
  async function twoInstances(options: { rotate?: boolean; clients?: Record<string, ClientMetadata> } = {}) {
    const o = await open();
    opened.push(o);
    const rotation = { on: options.rotate ?? false };
    const make = (store: SharedStore) =>
      createSharedStoreAdapter({
        store,
        namespace: NAMESPACE,
        rotateRefreshTokens: () => rotation.on,
        findClient: (id) => options.clients?.[id],
      });
    return { a: make(o.store), b: make(o.second), rotation, store: o.store };
  }

  test('what one instance upserts the other finds, by id, uid and user code; destroy removes it for both', async () => {
    const { a, b } = await twoInstances();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('Session', 'Interaction', 'DeviceCode', 'AuthorizationCode', 'Grant'),
        fc.string({ minLength: 1, maxLength: 30 }),
        fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue(), { maxKeys: 4 }),
        async (model, id, extra) => {
          const payload: AdapterPayload = {
            ...(extra as AdapterPayload),
            uid: `uid-${id}`,
            userCode: `UC-${id}`,
          };
          await new a.Adapter(model).upsert(id, payload, 60);
          const there = new b.Adapter(model);
          const expected = JSON.parse(JSON.stringify(payload)) as AdapterPayload;
          expect(await there.find(id)).toEqual(expected);
          expect(await there.findByUid(`uid-${id}`)).toEqual(expected);
          expect(await there.findByUserCode(`UC-${id}`)).toEqual(expected);
          expect(await b.store.find(model, id)).toEqual(expected);
          await there.destroy(id);
          expect(await new a.Adapter(model).find(id)).toBeUndefined();
          expect(await a.store.find(model, id)).toBeUndefined();
        },
      ),
      { numRuns: 25 },
    );
  });

  test('consume marks the artifact for every instance and keeps its expiry', async () => {
    const { a, b } = await twoInstances();
    await new a.Adapter('AuthorizationCode').upsert('code', { grantId: 'g', clientId: 'c' }, 1);
    await new b.Adapter('AuthorizationCode').consume('code');
    const seen = await new a.Adapter('AuthorizationCode').find('code');
    expect(seen?.consumed).toEqual(expect.any(Number));
    expect(Math.abs(Number(seen?.consumed) - Date.now() / 1000)).toBeLessThan(5);
    await sleep(1100);
    expect(await new a.Adapter('AuthorizationCode').find('code')).toBeUndefined();
  });

  test('RFC 6749 §4.1.2: of two instances consuming one code at the same moment, exactly one succeeds', async () => {
    const { a, b } = await twoInstances({ rotate: true });
    for (const model of ['AuthorizationCode', 'RefreshToken', 'DeviceCode']) {
      for (let round = 0; round < 10; round += 1) {
        const id = `${model}-${round}`;
        await new a.Adapter(model).upsert(id, { grantId: 'g' }, 60);
        const outcomes = await Promise.allSettled([
          new a.Adapter(model).consume(id),
          new b.Adapter(model).consume(id),
        ]);
        expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
        const refused = outcomes.find((o) => o.status === 'rejected');
        expect((refused as PromiseRejectedResult).reason).toMatchObject({
          error: 'invalid_grant',
          error_description: 'grant request is invalid',
        });
        expect((await a.store.find(model, id))?.consumed).toEqual(expect.any(Number));
      }
    }
  });

  test('a refresh token is consumed only while rotation is on, read at each redemption', async () => {
    const { a, b, rotation } = await twoInstances();
    const tokens = new a.Adapter('RefreshToken');
    await tokens.upsert('rt', { grantId: 'g' }, 60);
    await new b.Adapter('RefreshToken').consume('rt');
    expect((await tokens.find('rt'))?.consumed).toBeUndefined();
    rotation.on = true;
    await new b.Adapter('RefreshToken').consume('rt');
    expect((await tokens.find('rt'))?.consumed).toEqual(expect.any(Number));
  });

  test('revokeByGrantId at one instance removes every artifact of that grant, and only those', async () => {
    const { a, b } = await twoInstances();
    const models = ['AuthorizationCode', 'AccessToken', 'RefreshToken', 'DeviceCode'];
    for (const [i, model] of models.entries()) {
      await new a.Adapter(model).upsert(`x-${i}`, { grantId: 'doomed' }, 60);
      await new a.Adapter(model).upsert(`y-${i}`, { grantId: 'kept' }, 60);
    }
    await new b.Adapter('AccessToken').revokeByGrantId('doomed');
    for (const [i, model] of models.entries()) {
      expect(await a.store.find(model, `x-${i}`)).toBeUndefined();
      expect(await a.store.find(model, `y-${i}`)).toEqual({ grantId: 'kept' });
    }
    // Revoking a grant with nothing left is not an error.
    await new a.Adapter('Grant').revokeByGrantId('doomed');
  });

  test('short-lived artifacts leave nothing in the store once expired: records and index rows', async () => {
    const { a, store } = await twoInstances();
    for (let i = 0; i < 20; i += 1) {
      await new a.Adapter('DeviceCode').upsert(`d-${i}`, { grantId: `g-${i}`, userCode: `U-${i}` }, 1);
      await new a.Adapter('Session').upsert(`s-${i}`, { uid: `u-${i}` }, 1);
    }
    // Per device code: record, grant row, user code row; per session: record, uid row.
    expect((await store.keys(NAMESPACE)).length).toBe(100);
    expect((await a.store.stats()).entries).toBe(40);
    expect((await a.store.stats()).byModel).toEqual({ DeviceCode: 20, Session: 20 });
    await sleep(1100);
    expect(await store.keys(NAMESPACE)).toEqual([]);
    expect(await a.store.stats()).toEqual({ entries: 0, bytes: 0, byModel: {} });
  });

  test('clients: the registration first, then a client the issuer registered itself', async () => {
    const { a, b } = await twoInstances({ clients: { seeded: { client_id: 'seeded' } } });
    expect(await new a.Adapter('Client').find('seeded')).toEqual({ client_id: 'seeded' });
    await new a.Adapter('Client').upsert('dynamic', { client_id: 'dynamic' }, 0);
    expect(await new b.Adapter('Client').find('dynamic')).toEqual({ client_id: 'dynamic' });
    expect(await new b.Adapter('Client').find('nobody')).toBeUndefined();
  });
});

describe('the memory adapter keeps its behaviour with async look-ups', () => {
  test('find and stats resolve; clients fall back to registered ones', async () => {
    const { Adapter, store } = createMemoryAdapter({
      rotateRefreshTokens: () => false,
      findClient: (id) => (id === 'seeded' ? { client_id: 'seeded' } : undefined),
    });
    try {
      await new Adapter('AuthorizationCode').upsert('c', { grantId: 'g' }, 60);
      expect(await store.find('AuthorizationCode', 'c')).toEqual({ grantId: 'g' });
      expect(await store.find('Client', 'seeded')).toEqual({ client_id: 'seeded' });
      await new Adapter('Client').upsert('dynamic', { client_id: 'dynamic' }, 0);
      expect(await new Adapter('Client').find('dynamic')).toEqual({ client_id: 'dynamic' });
      expect((await store.stats()).byModel).toEqual({ AuthorizationCode: 1, Client: 1 });
    } finally {
      store.close();
    }
  });
});
