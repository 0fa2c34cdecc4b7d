import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  asPage,
  Browser,
  endpoint,
  generatePkce,
  signIn,
  SPA,
  spaCode,
  startTestSandbox,
  TEST_ORIGIN,
  TEST_REDIRECT_URI,
  tokenRequest,
  type TestSandbox,
} from './test-support.ts';

let sandbox: TestSandbox;
beforeAll(async () => {
  sandbox = await startTestSandbox({ rotateRefreshTokens: true });
});
afterAll(async () => {
  await sandbox.stop();
});

describe('rotateRefreshTokens: true (RFC 9700 §4.14.2 rotation, not Entra’s default)', () => {
  test('a redeemed refresh token can no longer be used', async () => {
    const { code, verifier } = await spaCode(sandbox);
    const first = await tokenRequest(
      sandbox,
      {
        client_id: SPA.clientId,
        grant_type: 'authorization_code',
        code,
        code_verifier: verifier,
        redirect_uri: TEST_REDIRECT_URI,
      },
      { origin: TEST_ORIGIN },
    );
    const params = {
      client_id: SPA.clientId,
      grant_type: 'refresh_token',
      refresh_token: String(first.body['refresh_token']),
    };
    expect((await tokenRequest(sandbox, params, { origin: TEST_ORIGIN })).status).toBe(200);
    const reused = await tokenRequest(sandbox, params, { origin: TEST_ORIGIN });
    expect(reused.status).toBe(400);
    expect(reused.body['error']).toBe('invalid_grant');
    // Reuse revokes the grant (RFC 9700 §4.14.2): Entra's answer for a revoked grant is AADSTS50173.
    expect(reused.body['error_codes']).toEqual([50173]);
    expect(reused.body['suberror']).toBe('bad_token');
  });
});

describe('sessions', () => {
  test('a second request in the same browser signs in silently; prompt=login asks again', async () => {
    const browser = new Browser(sandbox);
    const first = await signIn(sandbox, browser, { scope: 'openid User.Read', pkce: generatePkce() });
    expect(first.searchParams.get('code')).toBeTruthy();
    const silent = await signIn(sandbox, browser, {
      scope: 'openid User.Read',
      pkce: generatePkce(),
      extra: { prompt: 'none' },
    });
    expect(silent.searchParams.get('code')).toBeTruthy();
    const query = new URLSearchParams({
      client_id: SPA.clientId,
      response_type: 'code',
      redirect_uri: TEST_REDIRECT_URI,
      scope: 'openid',
      prompt: 'login',
      code_challenge: generatePkce().challenge,
      code_challenge_method: 'S256',
    });
    const page = asPage(await browser.go(`${endpoint(sandbox, '/oauth2/v2.0/authorize')}?${query}`));
    expect(page.html).toContain('name="password"');
  });
});
