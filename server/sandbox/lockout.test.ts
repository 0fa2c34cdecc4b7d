/**
 * Issue 9 item 6: smart lockout as Entra runs it
 * (https://learn.microsoft.com/entra/identity/authentication/howto-password-smart-lockout), driven over
 * HTTP against a real sandbox on loopback (password grant and sign-in page), plus generated sequences of
 * attempts checked against a plain model of the rule.
 */
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test, vi } from 'vitest';
import { FAILURE_MEMORY_MS, REMEMBERED_BAD_PASSWORDS, SmartLockout } from './lockout.ts';
import { createMemoryStore } from './store/memory-store.ts';
import { SANDBOX_USERS } from './seed.ts';
import { expectEntraError } from './test-fixtures.ts';
import {
  Browser,
  CONSOLE,
  asPage,
  endpoint,
  formAction,
  generatePkce,
  SPA,
  startTestSandbox,
  TEST_REDIRECT_URI,
  tokenRequest,
  type TestSandbox,
} from './test-support.ts';

let sandbox: TestSandbox;
beforeAll(async () => {
  sandbox = await startTestSandbox();
  // The password grant needs recorded consent (AADSTS65001 otherwise): Adele's, granted on the portal.
  const granted = await fetch(`${sandbox.origin}/portal/apps/${CONSOLE.clientId}/consents`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: 'http://localhost:5173' },
    body: JSON.stringify({ user: SANDBOX_USERS[0]!.oid }),
  });
  expect(granted.status).toBe(200);
});
afterAll(async () => {
  await sandbox.stop();
  console.info(
    `smart lockout: ${probes.sent} password attempts sent, ${probes.refused} refused, ${probes.locked} of them with AADSTS50053`,
  );
});

const adele = SANDBOX_USERS[0]!;
const probes = { sent: 0, refused: 0, locked: 0 };

async function settings(patch: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${sandbox.origin}/portal/settings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(patch),
  });
  expect(res.status).toBe(200);
}

async function unlock(user: string): Promise<Response> {
  return fetch(`${sandbox.origin}/portal/lockouts/${encodeURIComponent(user)}`, { method: 'DELETE' });
}

beforeEach(async () => {
  await unlock(adele.userPrincipalName);
});
afterEach(async () => {
  await settings({ lockoutThreshold: 10, lockoutDurationSeconds: 60 });
  await unlock(adele.userPrincipalName);
});

/** A password grant for `username`; counts the probe. */
async function ropc(password: string, username = adele.userPrincipalName) {
  const res = await tokenRequest(sandbox, {
    client_id: CONSOLE.clientId,
    grant_type: 'password',
    username,
    password,
    scope: 'openid User.Read',
  });
  probes.sent += 1;
  if (res.status >= 400) probes.refused += 1;
  if ((res.body['error_codes'] as number[] | undefined)?.includes(50053)) probes.locked += 1;
  return res;
}

/** Opens the sign-in page of a fresh authorization request. */
async function signInPage(browser: Browser) {
  const query = new URLSearchParams({
    client_id: SPA.clientId,
    response_type: 'code',
    redirect_uri: TEST_REDIRECT_URI,
    scope: 'openid',
    code_challenge: generatePkce().challenge,
    code_challenge_method: 'S256',
  });
  return asPage(await browser.go(`${endpoint(sandbox, '/oauth2/v2.0/authorize')}?${query}`));
}

describe('smart lockout over HTTP (password grant and sign-in page)', () => {
  test('sixty different wrong passwords, then the right one: refused with AADSTS50053 in Entra’s shape', async () => {
    const answers: number[] = [];
    for (let i = 0; i < 60; i += 1) {
      const res = await ropc(`wrong-${i}`);
      expect(res.status).toBe(400);
      answers.push((res.body['error_codes'] as number[])[0]!);
    }
    // The first nine are wrong passwords; the tenth locks the account; the rest find it locked.
    expect(answers.slice(0, 9)).toEqual(Array(9).fill(50126));
    expect(answers.slice(9)).toEqual(Array(51).fill(50053));
    const right = await ropc(adele.password);
    expect(right.status).toBe(400);
    expectEntraError(right.body, 'invalid_grant', 50053);
    expect(String(right.body['error_description'])).toMatch(
      /^AADSTS50053: The account is locked, you've tried to sign in too many times with an incorrect user ID or password\.\r\nTrace ID: [0-9a-f-]{36}\r\nCorrelation ID: [0-9a-f-]{36}\r\nTimestamp: /,
    );
    expect(right.body).toMatchObject({ trace_id: expect.any(String), correlation_id: expect.any(String) });
  });

  test('the sign-in page counts too, by account whatever the case of the name, and refuses the right password', async () => {
    await settings({ lockoutThreshold: 3 });
    const browser = new Browser(sandbox);
    let page = await signInPage(browser);
    const names = [
      adele.userPrincipalName.toUpperCase(),
      adele.userPrincipalName,
      ` ${adele.userPrincipalName}`,
    ];
    for (const [i, username] of names.entries()) {
      page = asPage(await browser.go(formAction(page), { username, password: `nope-${i}` }));
      probes.sent += 1;
      probes.refused += 1;
    }
    expect(page.html).toContain('AADSTS50053');
    expect(page.html).toContain('The account is locked');
    probes.locked += 1;
    page = asPage(
      await browser.go(formAction(page), { username: adele.userPrincipalName, password: adele.password }),
    );
    probes.sent += 1;
    expect(page.html).toContain('AADSTS50053');
    probes.refused += 1;
    probes.locked += 1;
    // The same account is locked for the password grant too.
    expectEntraError((await ropc(adele.password)).body, 'invalid_grant', 50053);
  });

  test('after the lockout duration the right password works again', async () => {
    await settings({ lockoutThreshold: 2, lockoutDurationSeconds: 1 });
    await ropc('first-wrong');
    expectEntraError((await ropc('second-wrong')).body, 'invalid_grant', 50053);
    expectEntraError((await ropc(adele.password)).body, 'invalid_grant', 50053);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const res = await ropc(adele.password);
    expect(res.status).toBe(200);
    expect(res.body['access_token']).toEqual(expect.any(String));
  });

  test('the portal lists the locked user (until when, failures) and unlocks them', async () => {
    await settings({ lockoutThreshold: 3 });
    for (const p of ['a1', 'a2', 'a3']) await ropc(p);
    const listed = (await (await fetch(`${sandbox.origin}/portal/lockouts`)).json()) as Record<
      string,
      unknown
    >[];
    expect(listed).toEqual([
      {
        userPrincipalName: adele.userPrincipalName,
        objectId: adele.oid,
        failures: 3,
        locked: true,
        lockedUntil: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      },
    ]);
    const until = Date.parse(String(listed[0]!['lockedUntil']));
    expect(until - Date.now()).toBeGreaterThan(50_000);
    const portal = await (await fetch(`${sandbox.origin}/`)).text();
    expect(portal).toContain('Locked until');
    expect(portal).toContain(`aria-label="Unlock ${adele.userPrincipalName}"`);
    expectEntraError((await ropc(adele.password)).body, 'invalid_grant', 50053);

    // The portal page's form post, by object id.
    const unlocked = await fetch(`${sandbox.origin}/portal/lockouts/${adele.oid}/delete`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
      redirect: 'manual',
    });
    expect(unlocked.status).toBe(303);
    expect(unlocked.headers.get('location')).toBe('/#lockouts');
    expect((await ropc(adele.password)).status).toBe(200);
    expect(await (await fetch(`${sandbox.origin}/portal/lockouts`)).json()).toEqual([]);
  });

  test('unlocking a user the tenant does not have is a 404 with a reason; another site may not unlock', async () => {
    const missing = await unlock('nobody@flowlab-sandbox.onmicrosoft.com');
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error_description: string }).error_description).toContain('nobody@');
    const foreign = await fetch(`${sandbox.origin}/portal/lockouts/${adele.oid}`, {
      method: 'DELETE',
      headers: { origin: 'https://evil.example' },
    });
    expect(foreign.status).toBe(403);
  });

  test('the threshold setting is honoured, a success resets the count, a retyped wrong password is not counted', async () => {
    await settings({ lockoutThreshold: 5 });
    for (let i = 0; i < 4; i += 1) expectEntraError((await ropc(`w${i}`)).body, 'invalid_grant', 50126);
    expect((await ropc(adele.password)).status).toBe(200);
    for (let i = 0; i < 4; i += 1) expectEntraError((await ropc(`v${i}`)).body, 'invalid_grant', 50126);
    // Entra tracks the last three bad password hashes: v1..v3 again do not count.
    for (let i = 0; i < 20; i += 1)
      expectEntraError((await ropc(`v${1 + (i % 3)}`)).body, 'invalid_grant', 50126);
    expectEntraError((await ropc('v-new')).body, 'invalid_grant', 50053);
    await settings({ lockoutThreshold: 1 });
    await unlock(adele.userPrincipalName);
    expectEntraError((await ropc('one-miss')).body, 'invalid_grant', 50053);
  });

  test('settings out of range are refused with the range', async () => {
    for (const patch of [
      { lockoutThreshold: 0 },
      { lockoutThreshold: 1.5 },
      { lockoutThreshold: '10' },
      { lockoutDurationSeconds: 0 },
      { lockoutDurationSeconds: 86_401 },
    ]) {
      const res = await fetch(`${sandbox.origin}/portal/settings`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(patch),
      });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error_description: string }).error_description).toMatch(
        /must be an integer from 1 to/,
      );
    }
  });
});

/** One attempt in a generated sequence: which password, and how long after the previous attempt. */
interface Attempt {
  readonly password: string;
  readonly afterMs: number;
}

const RIGHT = 'right';

/**
 * The rule written out plainly, independent of the class: a list of the distinct wrong passwords since
 * the last reset, and the time the account unlocks.
 */
function model(attempts: readonly Attempt[], threshold: number, durationMs: number): string[] {
  let recent: string[] = [];
  let count = 0;
  let unlockAt = -Infinity;
  let wasLocked = false;
  let now = 0;
  const out: string[] = [];
  for (const { password, afterMs } of attempts) {
    now += afterMs;
    if (wasLocked && now >= unlockAt) {
      recent = [];
      count = 0;
      wasLocked = false;
    }
    if (now < unlockAt) {
      out.push('locked');
      continue;
    }
    if (password === RIGHT) {
      recent = [];
      count = 0;
      out.push('ok');
      continue;
    }
    if (!recent.includes(password)) {
      count += 1;
      recent.push(password);
      if (recent.length > REMEMBERED_BAD_PASSWORDS) recent.shift();
    }
    if (count >= threshold) {
      unlockAt = now + durationMs;
      wasLocked = true;
      out.push('locked');
    } else {
      out.push('wrong');
    }
  }
  return out;
}

describe('smart lockout rule: generated sequences agree with the model', () => {
  test('any sequence of right and wrong passwords, any timing, threshold and duration', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            password: fc.oneof(fc.constant(RIGHT), fc.constantFrom('a', 'b', 'c', 'd', 'e'), fc.string()),
            afterMs: fc.oneof(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 5000 })),
          }),
          { maxLength: 80 },
        ),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 3 }),
        async (attempts, threshold, durationSeconds) => {
          const store = createMemoryStore();
          const lockout = new SmartLockout(store, () => ({
            lockoutThreshold: threshold,
            lockoutDurationSeconds: durationSeconds,
          }));
          let now = 1_000_000;
          const got: string[] = [];
          for (const { password, afterMs } of attempts) {
            now += afterMs;
            got.push((await lockout.attempt('user', password === RIGHT, password, now)).kind);
          }
          await store.close();
          expect(got).toEqual(model(attempts, threshold, durationSeconds * 1000));
        },
      ),
      { numRuns: 300 },
    );
  });

  test('two instances on one store count together: wrong passwords split between them add up', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ password: fc.string({ minLength: 1 }), onB: fc.boolean() }), { maxLength: 30 }),
        fc.integer({ min: 1, max: 6 }),
        async (attempts, threshold) => {
          const store = createMemoryStore();
          const policy = () => ({ lockoutThreshold: threshold, lockoutDurationSeconds: 60 });
          const a = new SmartLockout(store, policy);
          const b = new SmartLockout(store, policy);
          const got: string[] = [];
          for (const { password, onB } of attempts) {
            got.push((await (onB ? b : a).attempt('user', password === RIGHT, password, 1_000_000)).kind);
          }
          await store.close();
          expect(got).toEqual(
            model(
              attempts.map(({ password }) => ({ password, afterMs: 0 })),
              threshold,
              60_000,
            ),
          );
        },
      ),
      { numRuns: 200 },
    );
  });

  test('records leave the shared store by themselves: a lockout at its end, a count a day after the last miss', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const store = createMemoryStore();
    try {
      const lockout = new SmartLockout(store, () => ({ lockoutThreshold: 2, lockoutDurationSeconds: 1 }));
      const t0 = Date.now();
      await lockout.attempt('a', false, 'x', t0);
      expect((await lockout.attempt('a', false, 'y', t0)).kind).toBe('locked');
      expect((await lockout.attempt('b', false, 'x', t0)).kind).toBe('wrong');
      expect(await lockout.count()).toBe(2);
      expect(await lockout.lockedUntil('a', t0)).toBe(t0 + 1000);
      // Attempts while locked (even the right password) change nothing, and the record still ends with it.
      expect((await lockout.attempt('a', true, 'right', t0 + 500)).kind).toBe('locked');
      expect((await lockout.attempt('a', false, 'z', t0 + 500)).kind).toBe('locked');
      vi.setSystemTime(t0 + 1000);
      expect(await lockout.count()).toBe(1);
      expect(await lockout.lockedUntil('a')).toBeUndefined();
      vi.setSystemTime(t0 + FAILURE_MEMORY_MS);
      expect(await lockout.count()).toBe(0);
      expect(await store.keys('')).toEqual([]);
    } finally {
      vi.useRealTimers();
      await store.close();
    }
  });
});
