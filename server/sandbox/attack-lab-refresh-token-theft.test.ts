/**
 * The refresh token theft attack (RFC 9700 §4.14) run end to end against a real sandbox, both ways:
 * without rotation the stolen token keeps working beside the victim's until the SPA lifetime ends it
 * (AADSTS700084); with rotation the second use of a token revokes the grant (AADSTS50173). Either way
 * the sandbox's settings are as they were before the run.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { refreshTokenTheftAttack } from '../../src/flows/attacks/refresh-token-theft.ts';
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
      // A browser's requests carry the page's Origin.
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

async function settings(): Promise<Record<string, unknown>> {
  const response = await fetch(`${sandbox.origin}/portal/settings`, { headers: { origin: TEST_ORIGIN } });
  return (await response.json()) as Record<string, unknown>;
}

describe('refresh token theft from a SPA (RFC 9700 §4.14)', () => {
  test('defence off: the stolen token works beside the victim’s until the SPA lifetime (AADSTS700084)', async () => {
    const d = deps();
    const record = await runAttack(refreshTokenTheftAttack, 'vulnerable', d);
    expect(record.failure).toBeUndefined();
    expect(record.verdict?.attackWorked).toBe(true);
    expect(record.steps.map((s) => s.id)).toEqual([
      'sandbox-setting',
      'victim-sign-in',
      'steal',
      'attacker-refresh',
      'victim-refresh',
      'attacker-again',
      'a-day-later',
    ]);
    const last = record.steps.at(-1);
    expect(last?.facts?.find((f) => f.label === 'Refused')?.value).toMatch(/^AADSTS700084: /);
    expect(d.sent.every((line) => line.split(' ')[1]?.startsWith(sandbox.origin))).toBe(true);
    expect(await settings()).toMatchObject({
      rotateRefreshTokens: false,
      spaRefreshTokenLifetimeSeconds: 86_400,
    });
  });

  test('defence on: the victim’s reuse revokes the grant (AADSTS50173), and the attacker’s newer token stops; the story says what the codes say', async () => {
    const record = await runAttack(refreshTokenTheftAttack, 'defended', deps());
    expect(record.failure).toBeUndefined();
    const victim = record.steps.find((s) => s.id === 'victim-refresh');
    // The code shown and the story told agree: a revoked grant, never "expired due to inactivity".
    const victimCode = victim?.facts?.[0]?.value ?? '';
    expect(victimCode).toMatch(/^AADSTS50173: /);
    expect(victimCode).not.toMatch(/inactivity/);
    expect(victim?.said).toMatch(/revoked the whole grant/);
    expect(victim?.said).not.toMatch(/AADSTS|expired/);
    const refusal = record.verdict?.refusal;
    expect(record.verdict?.attackWorked).toBe(false);
    expect(record.verdict?.why).toMatch(/revoked the grant/);
    const attacker = record.steps.find((s) => s.id === 'attacker-again');
    // The attacker's token went with the grant: the sandbox no longer holds it, and says so.
    expect(refusal?.code).toBe('AADSTS9002313');
    expect(refusal?.message).toMatch(/unknown to the sandbox/);
    expect(attacker?.said).toMatch(/no longer holds: revoking the grant deleted/);
    expect(record.steps.at(-1)?.id).toBe('attacker-again');
    expect(await settings()).toMatchObject({
      rotateRefreshTokens: false,
      spaRefreshTokenLifetimeSeconds: 86_400,
    });
  });

  test('a person’s own settings come back after a run', async () => {
    await fetch(`${sandbox.origin}/portal/settings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: TEST_ORIGIN },
      body: JSON.stringify({ rotateRefreshTokens: true, spaRefreshTokenLifetimeSeconds: 7200 }),
    });
    const record = await runAttack(refreshTokenTheftAttack, 'vulnerable', deps());
    expect(record.verdict?.attackWorked).toBe(true);
    expect(await settings()).toMatchObject({
      rotateRefreshTokens: true,
      spaRefreshTokenLifetimeSeconds: 7200,
    });
  });
});
