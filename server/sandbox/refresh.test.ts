import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { expectEntraError } from './test-fixtures.ts';
import {
  Browser,
  signIn,
  SPA,
  spaCode,
  startTestSandbox,
  TEST_ORIGIN,
  TEST_REDIRECT_URI,
  tokenRequest,
  WEB,
  type TestSandbox,
} from './test-support.ts';

let sandbox: TestSandbox;
beforeAll(async () => {
  sandbox = await startTestSandbox();
});
afterAll(async () => {
  await sandbox.stop();
});

async function spaRefreshToken(scope: string): Promise<string> {
  const { code, verifier } = await spaCode(sandbox, scope);
  const res = await tokenRequest(
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
  return String(res.body['refresh_token']);
}

function refresh(
  refreshToken: string,
  extra: Record<string, string> = {},
  origin: string | null = TEST_ORIGIN,
) {
  return tokenRequest(
    sandbox,
    { client_id: SPA.clientId, grant_type: 'refresh_token', refresh_token: refreshToken, ...extra },
    origin ? { origin } : {},
  );
}

describe('refresh tokens (RFC 6749 §6) for the SPA, as Entra', () => {
  test('from the browser: Access-Control-Allow-Origin echoes the origin', async () => {
    const res = await refresh(await spaRefreshToken('openid offline_access User.Read'));
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(TEST_ORIGIN);
  });

  test('AADSTS9002327: an SPA refresh token redeemed without an Origin header (a server or relay)', async () => {
    const res = await refresh(await spaRefreshToken('openid offline_access User.Read'), {}, null);
    expect(res.status).toBe(400);
    expectEntraError(res.body, 'invalid_request', 9002327);
  });

  test('scope narrowing: asking a subset gives a token with only that subset', async () => {
    const token = await spaRefreshToken('openid offline_access User.Read Mail.Read');
    const res = await refresh(token, { scope: 'https://graph.microsoft.com/User.Read' });
    expect(res.status).toBe(200);
    expect(decodeJwt(String(res.body['access_token']))['scp']).toBe('User.Read');
    const both = await refresh(token, { scope: 'User.Read Mail.Read offline_access' });
    expect(decodeJwt(String(both.body['access_token']))['scp']).toBe('User.Read Mail.Read');
  });

  test('AADSTS65001: a scope that was not granted with the refresh token', async () => {
    const res = await refresh(await spaRefreshToken('openid offline_access User.Read'), {
      scope: 'Mail.Read',
    });
    expect(res.status).toBe(400);
    expectEntraError(res.body, 'invalid_grant', 65001);
  });

  test('AADSTS9002326: a confidential web app refresh token redeemed from a browser', async () => {
    const url = await signIn(sandbox, new Browser(sandbox), {
      clientId: WEB.clientId,
      scope: 'openid offline_access User.Read',
    });
    const code = await tokenRequest(sandbox, {
      client_id: WEB.clientId,
      client_secret: WEB.clientSecret ?? '',
      grant_type: 'authorization_code',
      code: url.searchParams.get('code') ?? '',
      redirect_uri: TEST_REDIRECT_URI,
    });
    const params = {
      client_id: WEB.clientId,
      client_secret: WEB.clientSecret ?? '',
      grant_type: 'refresh_token',
      refresh_token: String(code.body['refresh_token']),
    };
    const res = await tokenRequest(sandbox, params, { origin: TEST_ORIGIN });
    expectEntraError(res.body, 'invalid_request', 9002326);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect((await tokenRequest(sandbox, params)).status).toBe(200);
  });

  test('AADSTS9002313: a garbage refresh token', async () => {
    const res = await refresh('not-a-refresh-token');
    expectEntraError(res.body, 'invalid_grant', 9002313);
    expect(String(res.body['error_description'])).toContain(
      'Invalid request. Request is malformed or invalid.',
    );
  });
});
