/**
 * AT2's attacks (code interception without PKCE, the wildcard redirect URI, the token sent to the wrong
 * API) run end to end against a real sandbox in both modes: the attack works with the defence off and
 * is stopped, with the defence's own error, with it on. The local relay is played by the fetch below.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { codeInterceptionAttack } from '../../src/flows/attacks/code-interception.ts';
import { redirectUriWildcardAttack } from '../../src/flows/attacks/redirect-uri-wildcard.ts';
import { runAttack } from '../../src/flows/attacks/runner.ts';
import { wrongAudienceAttack } from '../../src/flows/attacks/wrong-audience.ts';
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

function onlySandbox(sent: readonly string[]): boolean {
  return sent.every((url) => url.replace(/^relay /, '').startsWith(sandbox.origin));
}

describe('wildcard redirect URI (RFC 9700 §4.1)', () => {
  test('defence off: the attacker’s page on the app’s site receives the code and redeems it', async () => {
    const d = deps();
    const record = await runAttack(redirectUriWildcardAttack, 'vulnerable', d);
    expect(record.failure).toBeUndefined();
    expect(record.verdict?.attackWorked).toBe(true);
    expect(record.switchesReset).toBe(true);
    const redirected = record.steps[1]?.facts?.[0]?.value ?? '';
    expect(new URL(redirected).pathname).toBe('/users/attacker/profile');
    expect(new URL(redirected).searchParams.has('code')).toBe(true);
    expect(onlySandbox(d.sent)).toBe(true);
    expect(sandbox.attackLab.switches).toEqual(SAFE_SWITCHES);
  });

  test('defence on: AADSTS50011 on the sandbox’s page, no code issued', async () => {
    const d = deps();
    const record = await runAttack(redirectUriWildcardAttack, 'defended', d);
    expect(record.failure).toBeUndefined();
    expect(record.verdict).toMatchObject({ attackWorked: false, refusal: { code: 'AADSTS50011' } });
    expect(record.verdict?.refusal?.message).toContain('/users/attacker/profile');
    expect(record.steps.map((s) => s.id)).toEqual(['attacker-link', 'victim-signs-in']);
    expect(d.sent.some((url) => url.endsWith('/token'))).toBe(false);
  });

  test('with the switch off, the wildcard reading never applies (the normal flows are exact)', async () => {
    // The switch is off again: the same kind of link is refused even right after a vulnerable run.
    await runAttack(redirectUriWildcardAttack, 'vulnerable', deps());
    const record = await runAttack(redirectUriWildcardAttack, 'defended', deps());
    expect(record.verdict?.attackWorked).toBe(false);
  });
});

describe('token sent to the wrong API (RFC 9700 §2.3, §4.9.2)', () => {
  test('defence off: the payroll API accepts a token issued for API A', async () => {
    const d = deps();
    const record = await runAttack(wrongAudienceAttack, 'vulnerable', d);
    expect(record.failure).toBeUndefined();
    expect(record.verdict?.attackWorked).toBe(true);
    expect(record.steps[1]?.facts?.[0]).toEqual({ label: 'aud', value: `${sandbox.origin}/standard/api` });
    expect(record.steps[2]?.exchanges?.[0]?.response?.status).toBe(200);
    expect(record.steps.at(-1)?.facts?.[0]).toEqual({ label: 'Employee', value: 'Adele Vance' });
    expect(onlySandbox(d.sent)).toBe(true);
    expect(sandbox.attackLab.switches).toEqual(SAFE_SWITCHES);
  });

  test('defence on: 401 invalid_token, the audience is API A', async () => {
    const record = await runAttack(wrongAudienceAttack, 'defended', deps());
    expect(record.failure).toBeUndefined();
    expect(record.verdict).toMatchObject({ attackWorked: false, refusal: { code: 'invalid_token' } });
    const replay = record.steps.at(-1)?.exchanges?.[0];
    expect(replay?.response?.status).toBe(401);
    expect(replay?.response?.headers.find(([n]) => n.toLowerCase() === 'www-authenticate')?.[1]).toMatch(
      /error="invalid_token"/,
    );
  });
});

describe('authorization code interception (RFC 7636 §1, RFC 9700 §2.1.1)', () => {
  test('defence off: the other app redeems the captured code and holds the victim’s tokens', async () => {
    const d = deps();
    const record = await runAttack(codeInterceptionAttack, 'vulnerable', d);
    expect(record.failure).toBeUndefined();
    expect(record.verdict?.attackWorked).toBe(true);
    const facts = record.steps.at(-1)?.facts ?? [];
    expect(facts.find((f) => f.label === 'Tokens issued for')?.value).toBe(
      'adele@flowlab-sandbox.onmicrosoft.com',
    );
    expect(facts.some((f) => f.label === 'Refresh token')).toBe(true);
    const start = record.steps[0]?.facts?.[0]?.value ?? '';
    expect(new URL(start).searchParams.has('code_challenge')).toBe(false);
    expect(onlySandbox(d.sent)).toBe(true);
  });

  test('defence on: the redemption without the verifier is refused (invalid_grant, AADSTS501481)', async () => {
    const d = deps();
    const record = await runAttack(codeInterceptionAttack, 'defended', d);
    expect(record.failure).toBeUndefined();
    expect(record.verdict).toMatchObject({ attackWorked: false, refusal: { code: 'AADSTS501481' } });
    const start = record.steps[0]?.facts?.[0]?.value ?? '';
    expect(new URL(start).searchParams.get('code_challenge_method')).toBe('S256');
    const redeem = record.steps.at(-1)?.exchanges?.[0];
    expect(redeem?.response?.status).toBe(400);
    expect(redeem?.request.body).not.toContain('code_verifier');
    expect(onlySandbox(d.sent)).toBe(true);
  });

  test('no switch is left on', () => {
    expect(sandbox.attackLab.switches).toEqual(SAFE_SWITCHES);
  });
});
