import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ATTACK_LAB_SWITCH_TTL_SECONDS, SAFE_SWITCHES } from '../../src/flows/attacks/switches.ts';
import { AttackLab } from './attack-lab.ts';
import {
  endpoint,
  generatePkce,
  SPA,
  startTestSandbox,
  TEST_ORIGIN,
  TEST_REDIRECT_URI,
  type TestSandbox,
} from './test-support.ts';

let sandbox: TestSandbox;
beforeAll(async () => {
  sandbox = await startTestSandbox();
});
afterAll(async () => {
  await sandbox.stop();
});

function post(path: string, body: unknown, origin: string | undefined = TEST_ORIGIN): Promise<Response> {
  return fetch(`${sandbox.origin}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(origin === undefined ? {} : { origin }) },
    body: JSON.stringify(body),
  });
}

describe('AttackLab switches', () => {
  test('all off by default; on for at most the TTL, then off by themselves', () => {
    let now = 1_000_000;
    const lab = new AttackLab(() => now);
    expect(lab.switches).toEqual(SAFE_SWITCHES);
    lab.set({ apiSkipsAudienceCheck: true });
    expect(lab.switches.apiSkipsAudienceCheck).toBe(true);
    expect(lab.expiresAt).toBe(now + ATTACK_LAB_SWITCH_TTL_SECONDS * 1000);
    now += ATTACK_LAB_SWITCH_TTL_SECONDS * 1000 - 1;
    expect(lab.switches.apiSkipsAudienceCheck).toBe(true);
    now += 1;
    expect(lab.switches).toEqual(SAFE_SWITCHES);
    expect(lab.expiresAt).toBeUndefined();
  });

  test('turning the last switch off clears the countdown', () => {
    const lab = new AttackLab(() => 0);
    lab.set({ wildcardRedirectUris: true });
    lab.set({ wildcardRedirectUris: false });
    expect(lab.expiresAt).toBeUndefined();
    expect(lab.view()).toEqual({ switches: SAFE_SWITCHES, vulnerable: false });
  });
});

describe('/attack-lab/switches', () => {
  test('GET reads, POST from a local origin sets (CORS for that origin), reset turns all off', async () => {
    const initial = (await (await fetch(`${sandbox.origin}/attack-lab/switches`)).json()) as Record<
      string,
      unknown
    >;
    expect(initial).toEqual({ switches: SAFE_SWITCHES, vulnerable: false });
    const set = await post('/attack-lab/switches', { apiSkipsAudienceCheck: true });
    expect(set.status).toBe(200);
    expect(set.headers.get('access-control-allow-origin')).toBe(TEST_ORIGIN);
    expect(((await set.json()) as { vulnerable: boolean }).vulnerable).toBe(true);
    expect(sandbox.attackLab.switches.apiSkipsAudienceCheck).toBe(true);
    const reset = await post('/attack-lab/switches', { reset: true });
    expect(((await reset.json()) as { vulnerable: boolean }).vulnerable).toBe(false);
    expect(sandbox.attackLab.switches).toEqual(SAFE_SWITCHES);
  });

  test('the portal page says "Vulnerable mode" and names the switch while one is on, and only then', async () => {
    const portal = async () => (await fetch(`${sandbox.origin}/`)).text();
    expect(await portal()).not.toContain('Vulnerable mode');
    await post('/attack-lab/switches', { wildcardRedirectUris: true });
    const page = await portal();
    expect(page).toContain('<strong>Vulnerable mode:</strong>');
    expect(page).toContain('Wildcard redirect URIs match any address with their prefix');
    expect(page).not.toContain('tokens issued for another API');
    await post('/attack-lab/switches', { reset: true });
    expect(await portal()).not.toContain('Vulnerable mode');
  });

  test('another site cannot switch a defence off', async () => {
    const response = await post(
      '/attack-lab/switches',
      { apiSkipsAudienceCheck: true },
      'https://evil.example',
    );
    expect(response.status).toBe(403);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(sandbox.attackLab.switches).toEqual(SAFE_SWITCHES);
  });

  test('a preflight from another site is not allowed', async () => {
    const response = await fetch(`${sandbox.origin}/attack-lab/switches`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  test('unknown switches, non-boolean values and non-JSON bodies are refused', async () => {
    expect((await post('/attack-lab/switches', { everythingOff: true })).status).toBe(400);
    expect((await post('/attack-lab/switches', { wildcardRedirectUris: 'yes' })).status).toBe(400);
    const form = await fetch(`${sandbox.origin}/attack-lab/switches`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: TEST_ORIGIN },
      body: 'wildcardRedirectUris=true',
    });
    expect(form.status).toBe(415);
    expect(sandbox.attackLab.switches).toEqual(SAFE_SWITCHES);
  });
});

describe('/attack-lab/sign-in', () => {
  function authorizeUrl(extra: Record<string, string> = {}): string {
    const { challenge } = generatePkce();
    return `${endpoint(sandbox, '/oauth2/v2.0/authorize')}?${new URLSearchParams({
      client_id: SPA.clientId,
      response_type: 'code',
      redirect_uri: TEST_REDIRECT_URI,
      scope: 'openid profile',
      state: 'attacker-state',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      ...extra,
    })}`;
  }

  test('signs a seeded user in and stops at the redirect URI with the code', async () => {
    const response = await post('/attack-lab/sign-in', {
      username: 'alex@flowlab-sandbox.onmicrosoft.com',
      authorizationUrl: authorizeUrl(),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { redirectedTo: string; hops: unknown[] };
    const back = new URL(body.redirectedTo);
    expect(`${back.origin}${back.pathname}`).toBe(TEST_REDIRECT_URI);
    expect(back.searchParams.get('code')).toBeTruthy();
    expect(back.searchParams.get('state')).toBe('attacker-state');
    expect(body.hops.length).toBeGreaterThan(1);
  });

  test('the sandbox’s own refusal comes back as it would to a browser', async () => {
    const response = await post('/attack-lab/sign-in', {
      username: 'adele@flowlab-sandbox.onmicrosoft.com',
      authorizationUrl: authorizeUrl({ redirect_uri: 'https://evil.example/callback' }),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error_description: string }).error_description).toMatch(
      /page without a form/,
    );
  });

  test('refuses users with a second factor, unknown users and URLs off the sandbox', async () => {
    const mfa = await post('/attack-lab/sign-in', {
      username: 'megan@flowlab-sandbox.onmicrosoft.com',
      authorizationUrl: authorizeUrl(),
    });
    expect(mfa.status).toBe(400);
    const elsewhere = await post('/attack-lab/sign-in', {
      username: 'adele@flowlab-sandbox.onmicrosoft.com',
      authorizationUrl: 'https://login.microsoftonline.com/common/oauth2/v2.0/authorize',
    });
    expect(elsewhere.status).toBe(400);
    expect(
      (await post('/attack-lab/sign-in', { username: 'nobody', authorizationUrl: authorizeUrl() })).status,
    ).toBe(400);
  });
});
