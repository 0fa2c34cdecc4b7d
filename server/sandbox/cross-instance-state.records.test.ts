/**
 * Issue 15: the sandbox's per-key records (consents.ts, device-polling.ts) used by two instances through
 * two connections to one store, under generated sequences, against plain models of the rules: what one
 * instance records, the other answers from. Run on one in-memory store and on the test Redis.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { ConsentStore, type ConsentState } from './consents.ts';
import {
  DEVICE_POLL_INTERVAL,
  DevicePollRegistry,
  expiredCodeMemoryMs,
  type PollVerdict,
} from './device-polling.ts';
import { createMemoryStore } from './store/memory-store.ts';
import type { SharedStore } from './store/shared-store.ts';
import { clearTestPrefix, freshPrefix, openTestRedisStore } from './store/test-redis.ts';

/** Two connections to one store (the same object in memory; two clients on Redis). */
interface StorePair {
  readonly a: SharedStore;
  readonly b: SharedStore;
  close(): Promise<void>;
}

const memoryPair = (): Promise<StorePair> => {
  const store = createMemoryStore();
  return Promise.resolve({ a: store, b: store, close: () => store.close() });
};

const redisPair = async (): Promise<StorePair> => {
  const prefix = freshPrefix();
  const a = await openTestRedisStore(prefix);
  const b = await openTestRedisStore(prefix);
  return {
    a,
    b,
    close: async () => {
      await Promise.all([a.close(), b.close()]);
      await clearTestPrefix(prefix);
    },
  };
};

/** The consent rules as the sandbox had them in one process (the model). */
class ConsentModel {
  readonly granted = new Map<string, Set<string>>();
  readonly accepted = new Map<string, Set<string>>();
  readonly revoked = new Set<string>();
  readonly admin = new Set<string>();

  state(user: string, app: string): ConsentState {
    if (this.admin.has(app)) return { kind: 'admin' };
    const k = `${user}|${app}`;
    if (this.revoked.has(k)) return { kind: 'revoked' };
    const scopes = this.granted.get(k);
    return scopes ? { kind: 'granted', scopes: [...scopes] } : { kind: 'none' };
  }
  covers(user: string, app: string, scopes: readonly string[]): boolean {
    const state = this.state(user, app);
    if (state.kind === 'admin') return true;
    if (state.kind === 'revoked') return false;
    const all = new Set([
      ...(state.kind === 'granted' ? state.scopes : []),
      ...(this.accepted.get(`${user}|${app}`) ?? []),
    ]);
    return scopes.every((s) => all.has(s));
  }
  allowsSilent(user: string, app: string, scopes: readonly string[]): boolean {
    const state = this.state(user, app);
    if (state.kind === 'admin' || state.kind === 'none') return true;
    if (state.kind === 'revoked') return false;
    return scopes.every((s) => state.scopes.includes(s));
  }
}

const user = fc.constantFrom('u1', 'u2');
const app = fc.constantFrom('c1', 'c2');
const scopes = fc.array(fc.constantFrom('openid', 'User.Read', 'Mail.Read', 'api.read'), {
  minLength: 1,
  maxLength: 3,
});
const consentCommand = fc.record({
  on: fc.constantFrom('a' as const, 'b' as const),
  op: fc.constantFrom('grant', 'accepted', 'revoke', 'grantAdmin', 'revokeAdmin', 'reset'),
  user,
  app,
  scopes,
});

const sortedState = (state: ConsentState): ConsentState =>
  state.kind === 'granted' ? { kind: 'granted', scopes: [...state.scopes].sort() } : state;

for (const [label, open] of [
  ['one in-memory store', memoryPair],
  ['the test Redis', redisPair],
] as const) {
  describe(`per-key records across two instances (${label})`, () => {
    /** Runs `body` on a fresh pair of connections, closed (and its keys deleted) afterwards. */
    const withPair = async (body: (pair: StorePair) => Promise<void>): Promise<void> => {
      const pair = await open();
      try {
        await body(pair);
      } finally {
        await pair.close();
      }
    };

    test('consent: any sequence of decisions on either instance, read on the other, agrees with the model', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(consentCommand, { maxLength: 20 }), (run) =>
          withPair(async (pair) => {
            const stores = { a: new ConsentStore(pair.a), b: new ConsentStore(pair.b) };
            const model = new ConsentModel();
            for (const c of run) {
              const here = stores[c.on];
              const k = `${c.user}|${c.app}`;
              if (c.op === 'grant') {
                await here.grant(c.user, c.app, c.scopes);
                model.revoked.delete(k);
                model.granted.set(k, new Set([...(model.granted.get(k) ?? []), ...c.scopes]));
              } else if (c.op === 'accepted') {
                await here.acceptedOnPage(c.user, c.app, c.scopes);
                model.revoked.delete(k);
                model.accepted.set(k, new Set([...(model.accepted.get(k) ?? []), ...c.scopes]));
              } else if (c.op === 'revoke') {
                await here.revoke(c.user, c.app);
                model.granted.delete(k);
                model.accepted.delete(k);
                model.revoked.add(k);
              } else if (c.op === 'grantAdmin') {
                await here.grantAdmin(c.app);
                model.admin.add(c.app);
              } else if (c.op === 'revokeAdmin') {
                await here.revokeAdmin(c.app);
                model.admin.delete(c.app);
              } else {
                await here.reset();
                model.granted.clear();
                model.accepted.clear();
                model.revoked.clear();
                model.admin.clear();
              }
              // The other instance answers from what this one recorded.
              const there = stores[c.on === 'a' ? 'b' : 'a'];
              expect(sortedState(await there.state(c.user, c.app))).toEqual(
                sortedState(model.state(c.user, c.app)),
              );
              expect(await there.covers(c.user, c.app, c.scopes)).toBe(model.covers(c.user, c.app, c.scopes));
              expect(await there.allowsSilent(c.user, c.app, c.scopes)).toBe(
                model.allowsSilent(c.user, c.app, c.scopes),
              );
              const snapshot = await there.snapshot();
              expect(snapshot.hasAdminConsent(c.app)).toBe(model.admin.has(c.app));
            }
          }),
        ),
        { numRuns: label === 'the test Redis' ? 30 : 150 },
      );
    }, 60_000);

    test('device code polls on either instance share one interval (RFC 8628 §3.5), as the model says', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(
            fc.record({
              on: fc.constantFrom('a' as const, 'b' as const),
              afterMs: fc.integer({ min: 0, max: 30_000 }),
            }),
            { minLength: 1, maxLength: 15 },
          ),
          (polls) =>
            withPair(async (pair) => {
              const registries = { a: new DevicePollRegistry(pair.a), b: new DevicePollRegistry(pair.b) };
              const t0 = Date.now();
              const lifetimeSeconds = 120;
              await registries.a.register('code', 'client', lifetimeSeconds, t0);
              // The model: RFC 8628 §3.5, the interval grows by 5 s on each slow_down, for all later polls.
              let interval = DEVICE_POLL_INTERVAL;
              let last: number | undefined;
              let now = t0;
              for (const poll of polls) {
                now += poll.afterMs;
                let expected: PollVerdict;
                const expiresAt = t0 + lifetimeSeconds * 1000;
                if (now >= expiresAt + expiredCodeMemoryMs(lifetimeSeconds)) expected = { kind: 'unknown' };
                else if (now >= expiresAt) expected = { kind: 'expired' };
                else if (last !== undefined && now - last < interval * 1000) {
                  interval += 5;
                  last = now;
                  expected = { kind: 'slow_down', interval };
                } else {
                  last = now;
                  expected = { kind: 'continue' };
                }
                expect(await registries[poll.on].poll('code', 'client', now)).toEqual(expected);
              }
              // Another client's poll of the code, or an unknown code, is never answered as if known.
              expect(await registries.b.poll('code', 'other-client', t0)).toEqual({ kind: 'unknown' });
              expect(await registries.b.poll('no-such-code', 'client', t0)).toEqual({ kind: 'unknown' });
            }),
        ),
        { numRuns: label === 'the test Redis' ? 30 : 150 },
      );
    }, 60_000);
  });
}
