/**
 * The attack lab's own attacks (login CSRF, ID token replay) run end to end against a real sandbox, in
 * both modes: the attack works with the defence off and is stopped, with the defence's own error, with
 * it on. The local relay is played by the fetch below (it forwards to X-Relay-Target).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { idTokenReplayAttack } from '../../src/flows/attacks/id-token-replay.ts';
import { loginCsrfAttack } from '../../src/flows/attacks/login-csrf.ts';
import { runAttack } from '../../src/flows/attacks/runner.ts';
import { SAFE_SWITCHES } from '../../src/flows/attacks/switches.ts';
import type { AttackDeps } from '../../src/flows/attacks/types.ts';
import { RELAY_PATH } from '../../src/protocol/transport.ts';
import { startTestSandbox, TEST_ORIGIN, TEST_REDIRECT_URI, type TestSandbox } from './test-support.ts';

let sandbox: TestSandbox;
beforeAll(async () => {
  sandbox = await startTestSandbox();
});
afterAll(async () => {
  await sandbox.stop();
});

function deps(relayAvailable = true): AttackDeps & { readonly sent: string[] } {
  const sent: string[] = [];
  return {
    sent,
    fetch: async (input, init) => {
      const headers = new Headers(init.headers);
      if (input === RELAY_PATH) {
        const target = headers.get('x-relay-target') ?? '';
        sent.push(`relay ${target}`);
        headers.delete('x-relay-target');
        headers.delete('x-relay-token');
        return fetch(target, { ...init, headers });
      }
      sent.push(input);
      // A browser's requests carry the page's Origin.
      headers.set('origin', TEST_ORIGIN);
      return fetch(input, { ...init, headers });
    },
    now: Date.now,
    relayAvailable,
    relayToken: 'test',
    appOrigin: TEST_ORIGIN,
    sandboxOrigin: sandbox.origin,
    redirectUri: TEST_REDIRECT_URI,
  };
}

describe('login CSRF (RFC 9700 §4.7)', () => {
  test('defence off: the victim ends up signed in as the attacker', async () => {
    const d = deps();
    const record = await runAttack(loginCsrfAttack, 'vulnerable', d);
    expect(record.failure).toBeUndefined();
    expect(record.verdict?.attackWorked).toBe(true);
    expect(record.steps.at(-1)?.facts?.[0]?.value).toBe('alex@flowlab-sandbox.onmicrosoft.com');
    expect(d.sent.some((url) => url.startsWith('relay ') && url.endsWith('/oauth2/v2.0/token'))).toBe(true);
    expect(d.sent.every((url) => url.replace(/^relay /, '').startsWith(sandbox.origin))).toBe(true);
  });

  test('defence on: STATE_MISMATCH, and the code is never redeemed', async () => {
    const d = deps();
    const record = await runAttack(loginCsrfAttack, 'defended', d);
    expect(record.verdict).toMatchObject({ attackWorked: false, refusal: { code: 'STATE_MISMATCH' } });
    expect(record.steps.map((s) => s.id)).toEqual([
      'attacker-sign-in',
      'victim-visits',
      'forged-callback',
      'callback',
    ]);
    expect(d.sent.some((url) => url.endsWith('/token'))).toBe(false);
  });

  test('without the relay the redemption fails as a failed run, not a verdict', async () => {
    const record = await runAttack(loginCsrfAttack, 'vulnerable', deps(false));
    expect(record.verdict).toBeUndefined();
    expect(record.failure).toMatchObject({ stepId: 'redeem', code: 'RELAY_UNAVAILABLE' });
  });
});

describe('ID token replay (OIDC Core §3.2.2.11)', () => {
  test('defence off: the attacker is signed in as the victim with her genuine old token', async () => {
    const record = await runAttack(idTokenReplayAttack, 'vulnerable', deps());
    expect(record.failure).toBeUndefined();
    expect(record.verdict?.attackWorked).toBe(true);
    const facts = record.steps.at(-1)?.facts ?? [];
    expect(facts.find((f) => f.label === 'Signature')?.value).toMatch(/^valid/);
  });

  test('defence on: NONCE_MISMATCH after every other check passed', async () => {
    const record = await runAttack(idTokenReplayAttack, 'defended', deps());
    expect(record.verdict).toMatchObject({ attackWorked: false, refusal: { code: 'NONCE_MISMATCH' } });
    expect(record.steps.at(-1)?.facts?.find((f) => f.label === 'aud')?.value).toMatch(/this app/);
  });

  test('neither attack leaves a sandbox switch on', () => {
    expect(sandbox.attackLab.switches).toEqual(SAFE_SWITCHES);
  });
});
