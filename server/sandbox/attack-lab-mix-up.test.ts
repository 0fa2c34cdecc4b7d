/**
 * The mix-up attack (RFC 9700 §4.4, RFC 9207) run end to end against a real sandbox, both ways: the
 * attacker's server at /attack-lab/mixup-as sends the user to the honest standards issuer; without the
 * iss check the app hands the code and verifier to the attacker, who redeems them at the honest server;
 * with it the app stops at the callback and the attacker's token endpoint receives nothing.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mixUpAttack } from '../../src/flows/attacks/mix-up.ts';
import { MIX_UP_AS_PATH, MIX_UP_CAPTURED_PATH } from '../../src/flows/attacks/mix-up-server.ts';
import { runAttack } from '../../src/flows/attacks/runner.ts';
import type { AttackDeps } from '../../src/flows/attacks/types.ts';
import { startTestSandbox, TEST_ORIGIN, TEST_REDIRECT_URI, type TestSandbox } from './test-support.ts';

let sandbox: TestSandbox;
beforeAll(async () => {
  sandbox = await startTestSandbox();
});
afterAll(async () => {
  await sandbox.stop();
});

function deps(): AttackDeps & { readonly sent: string[] } {
  const sent: string[] = [];
  return {
    sent,
    fetch: async (input, init) => {
      sent.push(`${init.method ?? 'GET'} ${input}`);
      const headers = new Headers(init.headers);
      headers.set('origin', TEST_ORIGIN);
      return fetch(input, { ...init, headers });
    },
    now: Date.now,
    relayAvailable: false,
    appOrigin: TEST_ORIGIN,
    sandboxOrigin: sandbox.origin,
    redirectUri: TEST_REDIRECT_URI,
  };
}

describe('the attacker’s server', () => {
  test('publishes its own issuer and sends /authorize on to the honest server with the honest client id', async () => {
    const issuer = `${sandbox.origin}${MIX_UP_AS_PATH}`;
    const doc = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as Record<
      string,
      unknown
    >;
    expect(doc['issuer']).toBe(issuer);
    const res = await fetch(`${issuer}/authorize?client_id=x&state=s&redirect_uri=r`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location') ?? '');
    expect(`${location.origin}${location.pathname}`).toBe(`${sandbox.origin}/standard/auth`);
    expect(location.searchParams.get('client_id')).toBe('standard-spa');
    expect(location.searchParams.get('state')).toBe('s');
  });

  test('its token endpoint keeps what it receives, and the attacker reads it once', async () => {
    const issuer = `${sandbox.origin}${MIX_UP_AS_PATH}`;
    const token = await fetch(`${issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=authorization_code&code=c1&code_verifier=v1',
    });
    expect(token.status).toBe(400);
    const first = (await (await fetch(`${sandbox.origin}${MIX_UP_CAPTURED_PATH}`)).json()) as Record<
      string,
      unknown
    >;
    expect(first).toMatchObject({ captured: true, fields: { code: 'c1', code_verifier: 'v1' } });
    expect(await (await fetch(`${sandbox.origin}${MIX_UP_CAPTURED_PATH}`)).json()).toEqual({
      captured: false,
    });
    expect((await fetch(`${issuer}/elsewhere`)).status).toBe(404);
  });

  test('CORS only for local origins', async () => {
    const local = await fetch(`${sandbox.origin}${MIX_UP_CAPTURED_PATH}`, {
      headers: { origin: TEST_ORIGIN },
    });
    expect(local.headers.get('access-control-allow-origin')).toBe(TEST_ORIGIN);
    const other = await fetch(`${sandbox.origin}${MIX_UP_CAPTURED_PATH}`, {
      headers: { origin: 'https://evil.example' },
    });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('mix-up (RFC 9700 §4.4)', () => {
  test('defence off: the app sends the honest code and verifier to the attacker, who redeems them', async () => {
    const d = deps();
    const record = await runAttack(mixUpAttack, 'vulnerable', d);
    expect(record.failure).toBeUndefined();
    expect(record.verdict?.attackWorked).toBe(true);
    const signIn = record.steps.find((s) => s.id === 'sign-in');
    expect(signIn?.facts?.find((f) => f.label === 'iss in the response')?.value).toBe(
      `${sandbox.origin}/standard`,
    );
    expect(
      record.steps.at(-1)?.facts?.find((f) => f.label === 'The attacker reads from userinfo')?.value,
    ).toBe('adele@flowlab-sandbox.onmicrosoft.com');
    expect(d.sent).toContain(`POST ${sandbox.origin}${MIX_UP_AS_PATH}/token`);
    expect(d.sent.every((line) => line.split(' ')[1]?.startsWith(sandbox.origin))).toBe(true);
  });

  test('defence on: the iss check refuses the callback and nothing reaches the attacker', async () => {
    const d = deps();
    const record = await runAttack(mixUpAttack, 'defended', d);
    expect(record.verdict).toMatchObject({ attackWorked: false, refusal: { code: 'INVALID_RESPONSE' } });
    expect(record.verdict?.refusal?.message).toMatch(/RFC 9207/);
    expect(record.steps.map((s) => s.id)).toEqual(['choose-server', 'sign-in', 'callback']);
    expect(d.sent.some((line) => line.endsWith('/token'))).toBe(false);
    const captured = await fetch(`${sandbox.origin}${MIX_UP_CAPTURED_PATH}`);
    expect(await captured.json()).toEqual({ captured: false });
  });
});
