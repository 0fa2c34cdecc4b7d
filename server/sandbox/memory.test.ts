/**
 * Issue 9 item 8: expired entries leave memory without being read — the artifact store sweeps on a timer
 * and on writes, the sandbox's own maps sweep too — and the portal shows the store's size.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import { createMemoryAdapter } from './adapter.ts';
import { DevicePollRegistry, EXPIRED_CODE_MEMORY_MS, expiredCodeMemoryMs } from './device-polling.ts';
import { createMemoryStore } from './store/memory-store.ts';
import { SANDBOX_USERS } from './seed.ts';
import {
  asPage,
  Browser,
  endpoint,
  formAction,
  generatePkce,
  signIn,
  SPA,
  startTestSandbox,
  TEST_REDIRECT_URI,
  type TestSandbox,
} from './test-support.ts';

afterEach(() => {
  vi.useRealTimers();
});

function adapterFor(sweepIntervalMs: number) {
  return createMemoryAdapter({
    rotateRefreshTokens: () => false,
    findClient: () => undefined,
    sweepIntervalMs,
  });
}

describe('artifact store (adapter.ts)', () => {
  test('500 short-lived entries are gone after they expire, without a single read (timer sweep)', async () => {
    vi.useFakeTimers();
    const { Adapter, store } = adapterFor(1000);
    try {
      const codes = new Adapter('AuthorizationCode');
      const sessions = new Adapter('Session');
      for (let i = 0; i < 500; i += 1) {
        await codes.upsert(
          `code-${i}`,
          { grantId: `grant-${i}`, uid: `uid-${i}`, padding: 'x'.repeat(2000) },
          1,
        );
      }
      await sessions.upsert('kept', { accountId: 'a' }, 3600);
      const before = await store.stats();
      expect(before.entries).toBe(501);
      expect(before.byModel).toEqual({ AuthorizationCode: 500, Session: 1 });
      expect(before.bytes).toBeGreaterThan(500 * 4000);

      await vi.advanceTimersByTimeAsync(2500);
      const after = await store.stats();
      expect(after.entries).toBe(1);
      expect(after.byModel).toEqual({ Session: 1 });
      expect(after.bytes).toBeLessThan(1000);
      // Index rows went with the entries: nothing is found by uid or grant any more.
      expect(await codes.findByUid('uid-3')).toBeUndefined();
      await codes.revokeByGrantId('grant-3');
      expect((await store.stats()).entries).toBe(1);
    } finally {
      store.close();
    }
  });

  test('a write after the sweep interval sweeps too (amortised), even if the timer has not run', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { Adapter, store } = adapterFor(60_000);
    try {
      const interactions = new Adapter('Interaction');
      for (let i = 0; i < 100; i += 1) await interactions.upsert(`i-${i}`, { uid: `i-${i}` }, 10);
      expect((await store.stats()).entries).toBe(100);
      vi.setSystemTime(Date.now() + 61_000);
      await interactions.upsert('fresh', { uid: 'fresh' }, 10);
      expect((await store.stats()).entries).toBe(1);
    } finally {
      store.close();
    }
  });

  test('a consumed or replaced entry is counted once with its new size; destroy removes it', async () => {
    const { Adapter, store } = adapterFor(60_000);
    try {
      const tokens = new Adapter('RefreshToken');
      await tokens.upsert('t', { grantId: 'g' }, 60);
      await tokens.upsert('t', { grantId: 'g', note: 'y'.repeat(100) }, 60);
      expect((await store.stats()).entries).toBe(1);
      expect((await store.stats()).bytes).toBeGreaterThan(200);
      await tokens.destroy('t');
      expect(await store.stats()).toEqual({ entries: 0, bytes: 0, byModel: {} });
    } finally {
      store.close();
    }
  });
});

describe('device poll registry', () => {
  test('expired device codes are forgotten after the memory window without being polled', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const store = createMemoryStore();
    try {
      const polls = new DevicePollRegistry(store);
      const t0 = Date.now();
      // Entra's 15 minutes: remembered 15 minutes past expiry; a 1-second code: one minute past it.
      for (let i = 0; i < 50; i += 1) await polls.register(`code-${i}`, 'client', i < 25 ? 900 : 1);
      expect(await polls.count()).toBe(50);
      vi.setSystemTime(t0 + 1000 + 60_000 - 10_000);
      expect(await polls.count()).toBe(50);
      expect(await polls.poll('code-30', 'client')).toEqual({ kind: 'expired' });
      vi.setSystemTime(t0 + 2000 + 60_000);
      expect(await polls.count()).toBe(25);
      vi.setSystemTime(t0 + 900_000 + expiredCodeMemoryMs(900) - 10_000);
      expect(await polls.poll('code-3', 'client')).toEqual({ kind: 'expired' });
      vi.setSystemTime(t0 + 900_000 + expiredCodeMemoryMs(900) + 1000);
      expect(await polls.count()).toBe(0);
      expect(await store.keys('')).toEqual([]);
      // However long the code lived, it is forgotten at most an hour after it expired.
      expect(expiredCodeMemoryMs(86_400)).toBe(EXPIRED_CODE_MEMORY_MS);
    } finally {
      await store.close();
    }
  });
});

describe('over HTTP: code flows, then their artifacts expire and leave', () => {
  let sandbox: TestSandbox;
  beforeAll(async () => {
    sandbox = await startTestSandbox();
  });
  afterAll(async () => {
    await sandbox.stop();
  });

  interface Memory {
    store: { entries: number; bytes: number; byModel: Record<string, number> };
    devicePolls: number;
    lockouts: number;
    pendingMfa: number;
  }
  const memory = async (): Promise<Memory> =>
    (await (await fetch(`${sandbox.origin}/portal/memory`)).json()) as Memory;

  test('N sign-ins grow the store; once everything has expired, the next write sweeps it back', async () => {
    const start = await memory();
    const flows = 40;
    for (let i = 0; i < flows; i += 1) {
      const url = await signIn(sandbox, new Browser(sandbox), {
        scope: 'openid profile User.Read',
        pkce: { challenge: generatePkce().challenge },
      });
      expect(url.searchParams.get('code')).toEqual(expect.any(String));
    }
    const grown = await memory();
    expect(grown.store.entries).toBeGreaterThanOrEqual(start.store.entries + flows * 2);
    expect(grown.store.bytes).toBeGreaterThan(start.store.bytes);
    const page = await (await fetch(`${sandbox.origin}/`)).text();
    expect(page).toContain('Artifact store entries');
    expect(page).toContain(`<td>${grown.store.entries} (`);

    // Past every lifetime (grants: 90 days). Only Date is faked; the sandbox runs in this process.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 91 * 24 * 3600 * 1000);
    // One more authorization request writes an interaction: the write sweeps what expired.
    const res = await fetch(
      `${endpoint(sandbox, '/oauth2/v2.0/authorize')}?${new URLSearchParams({
        client_id: SPA.clientId,
        response_type: 'code',
        redirect_uri: TEST_REDIRECT_URI,
        scope: 'openid',
        code_challenge: generatePkce().challenge,
        code_challenge_method: 'S256',
      })}`,
      { redirect: 'manual' },
    );
    expect(res.status).toBe(303);
    const after = await memory();
    expect(after.store.entries).toBeLessThanOrEqual(start.store.entries + 2);
    expect(after.store.bytes).toBeLessThan(grown.store.bytes / 10);
  });

  test('a sign-in abandoned at the verification-code page is forgotten once its interaction expires', async () => {
    vi.useRealTimers();
    const megan = SANDBOX_USERS.find((u) => u.mfaRequired)!;
    const browser = new Browser(sandbox);
    const query = new URLSearchParams({
      client_id: SPA.clientId,
      response_type: 'code',
      redirect_uri: TEST_REDIRECT_URI,
      scope: 'openid',
      code_challenge: generatePkce().challenge,
      code_challenge_method: 'S256',
    });
    const login = asPage(await browser.go(`${endpoint(sandbox, '/oauth2/v2.0/authorize')}?${query}`));
    const codePage = asPage(
      await browser.go(formAction(login), { username: megan.userPrincipalName, password: megan.password }),
    );
    expect(codePage.html).toContain('name="otc"');
    expect((await memory()).pendingMfa).toBe(1);
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 2 * 3600 * 1000);
    await fetch(`${sandbox.origin}/portal/memory/sweep`, { method: 'POST' });
    expect((await memory()).pendingMfa).toBe(0);
  });

  test('POST /portal/memory/sweep sweeps now; GET only reports', async () => {
    const swept = await fetch(`${sandbox.origin}/portal/memory/sweep`, { method: 'POST' });
    expect(swept.status).toBe(200);
    expect(await swept.json()).toMatchObject({ store: { entries: expect.any(Number) } });
    expect((await fetch(`${sandbox.origin}/portal/memory/sweep`)).status).toBe(405);
    expect((await fetch(`${sandbox.origin}/portal/memory/other`)).status).toBe(404);
  });
});
