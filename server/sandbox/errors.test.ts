import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SANDBOX_TENANT } from './seed.ts';
import {
  asPage,
  Browser,
  CONSOLE,
  endpoint,
  formAction,
  generatePkce,
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

/** Entra's JSON error shape with the given code (STYLE.md: failure paths assert the exact code). */
function expectEntraError(body: Record<string, unknown>, error: string, code: number): void {
  expect(body['error']).toBe(error);
  expect(body['error_codes']).toEqual([code]);
  const description = String(body['error_description']);
  expect(description.startsWith(`AADSTS${code}: `)).toBe(true);
  expect(description).toMatch(
    /\r\nTrace ID: [0-9a-f-]{36}\r\nCorrelation ID: [0-9a-f-]{36}\r\nTimestamp: \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/,
  );
  expect(body['timestamp']).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
  expect(body['trace_id']).toEqual(expect.any(String));
  expect(body['correlation_id']).toEqual(expect.any(String));
  expect(body['error_uri']).toBe(`https://login.microsoftonline.com/error?code=${code}`);
}

function redeem(code: string, verifier: string, origin: string | undefined = TEST_ORIGIN) {
  return tokenRequest(
    sandbox,
    {
      client_id: SPA.clientId,
      grant_type: 'authorization_code',
      code,
      code_verifier: verifier,
      redirect_uri: TEST_REDIRECT_URI,
    },
    origin ? { origin } : {},
  );
}

describe('token endpoint errors in Entra shape', () => {
  test('AADSTS501481: code_verifier does not match the code_challenge', async () => {
    const { code } = await spaCode(sandbox);
    const res = await redeem(code, generatePkce().verifier);
    expect(res.status).toBe(400);
    expectEntraError(res.body, 'invalid_grant', 501481);
  });

  test('AADSTS54005: a code redeemed twice; the first tokens stay usable (nothing revoked)', async () => {
    const { code, verifier } = await spaCode(sandbox);
    const first = await redeem(code, verifier);
    expect(first.status).toBe(200);
    const second = await redeem(code, verifier);
    expect(second.status).toBe(400);
    expectEntraError(second.body, 'invalid_grant', 54005);
    const refreshed = await tokenRequest(
      sandbox,
      {
        client_id: SPA.clientId,
        grant_type: 'refresh_token',
        refresh_token: String(first.body['refresh_token']),
      },
      { origin: TEST_ORIGIN },
    );
    expect(refreshed.status).toBe(200);
  });

  test('AADSTS7000215: wrong client secret (401 invalid_client)', async () => {
    const res = await tokenRequest(sandbox, {
      client_id: WEB.clientId,
      client_secret: 'not-the-secret',
      grant_type: 'client_credentials',
      scope: 'https://graph.microsoft.com/.default',
    });
    expect(res.status).toBe(401);
    expectEntraError(res.body, 'invalid_client', 7000215);
  });

  test('AADSTS7000218: confidential client without a credential (401 invalid_client)', async () => {
    const res = await tokenRequest(sandbox, {
      client_id: WEB.clientId,
      grant_type: 'authorization_code',
      code: 'x',
      redirect_uri: TEST_REDIRECT_URI,
    });
    expect(res.status).toBe(401);
    expectEntraError(res.body, 'invalid_client', 7000218);
  });

  test('AADSTS700025: public client presenting a secret', async () => {
    const res = await tokenRequest(sandbox, {
      client_id: CONSOLE.clientId,
      client_secret: 'anything',
      grant_type: 'authorization_code',
      code: 'x',
      redirect_uri: TEST_REDIRECT_URI,
    });
    expectEntraError(res.body, 'invalid_client', 700025);
  });

  test('AADSTS700016: unknown client_id', async () => {
    const res = await tokenRequest(sandbox, {
      client_id: '00000000-0000-0000-0000-000000000001',
      grant_type: 'authorization_code',
      code: 'x',
    });
    expect(res.status).toBe(400);
    expectEntraError(res.body, 'unauthorized_client', 700016);
  });

  test("AADSTS900144: missing parameter 'grant_type'", async () => {
    const res = await tokenRequest(sandbox, { client_id: SPA.clientId });
    expectEntraError(res.body, 'invalid_request', 900144);
    expect(String(res.body['error_description'])).toContain(
      "The request body must contain the following parameter: 'grant_type'.",
    );
  });

  test('AADSTS70011: invalid scope at the token endpoint', async () => {
    const { code, verifier } = await spaCode(sandbox);
    const res = await tokenRequest(
      sandbox,
      {
        client_id: SPA.clientId,
        grant_type: 'authorization_code',
        code,
        code_verifier: verifier,
        redirect_uri: TEST_REDIRECT_URI,
        scope: 'User.Frobnicate',
      },
      { origin: TEST_ORIGIN },
    );
    expectEntraError(res.body, 'invalid_scope', 70011);
  });

  test('AADSTS700022: scopes of two resources in one token request', async () => {
    const { code, verifier } = await spaCode(sandbox);
    const res = await tokenRequest(
      sandbox,
      {
        client_id: SPA.clientId,
        grant_type: 'authorization_code',
        code,
        code_verifier: verifier,
        redirect_uri: TEST_REDIRECT_URI,
        scope: 'User.Read api://9e4d2a71-3c58-4b0f-8d16-2a7f5e9c3b40/access_as_user',
      },
      { origin: TEST_ORIGIN },
    );
    expectEntraError(res.body, 'invalid_scope', 700022);
  });

  test('client-request-id is echoed as the correlation id', async () => {
    const id = '11111111-2222-3333-4444-555555555555';
    const res = await tokenRequest(
      sandbox,
      { client_id: SPA.clientId },
      { headers: { 'client-request-id': id } },
    );
    expect(res.body['correlation_id']).toBe(id);
  });
});

describe('authorization endpoint errors', () => {
  test('AADSTS50011: unregistered redirect URI is shown on the page (HTTP 400, no redirect)', async () => {
    const query = new URLSearchParams({
      client_id: SPA.clientId,
      response_type: 'code',
      redirect_uri: 'http://localhost:47173/elsewhere',
      scope: 'openid',
      state: 'x',
    });
    const res = await fetch(`${endpoint(sandbox, '/oauth2/v2.0/authorize')}?${query}`, {
      redirect: 'manual',
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    const html = await res.text();
    expect(html).toContain('AADSTS50011');
    expect(html).toContain('<html lang="en">');
  });

  test('AADSTS70011: unknown scope is redirected back as invalid_scope', async () => {
    const url = await signIn(sandbox, new Browser(sandbox), {
      scope: 'openid Not.AScope',
      pkce: generatePkce(),
    });
    expect(url.searchParams.get('error')).toBe('invalid_scope');
    expect(url.searchParams.get('error_description')).toMatch(/^AADSTS70011: /);
    expect(url.searchParams.get('state')).toBe('state-123');
  });

  test('AADSTS9002325: the SPA must use PKCE (redirected, fragment mode honoured)', async () => {
    const url = await signIn(sandbox, new Browser(sandbox), {
      scope: 'openid',
      extra: { response_mode: 'fragment' },
    });
    const fragment = new URLSearchParams(url.hash.slice(1));
    expect(fragment.get('error')).toBe('invalid_request');
    expect(fragment.get('error_description')).toMatch(/^AADSTS9002325: /);
  });

  test('AADSTS50126: wrong password is reported on the sign-in page', async () => {
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
    const again = asPage(
      await browser.go(formAction(login), {
        username: 'adele@flowlab-sandbox.onmicrosoft.com',
        password: 'wrong',
      }),
    );
    expect(again.html).toContain('AADSTS50126');
    expect(again.html).toContain('role="alert"');
  });

  test('AADSTS65004: Cancel on the consent page → error=access_denied', async () => {
    const url = await signIn(sandbox, new Browser(sandbox), {
      scope: 'openid User.Read',
      pkce: generatePkce(),
      consent: 'cancel',
    });
    expect(url.searchParams.get('error')).toBe('access_denied');
    expect(url.searchParams.get('error_description')).toMatch(
      /^AADSTS65004: User declined to consent to access the app\.\r\nTrace ID: /,
    );
    expect(url.searchParams.get('state')).toBe('state-123');
    expect(url.searchParams.get('iss')).toBeNull();
  });

  test('AADSTS50058: prompt=none without a session → login_required', async () => {
    const url = await signIn(sandbox, new Browser(sandbox), {
      scope: 'openid',
      pkce: generatePkce(),
      extra: { prompt: 'none' },
    });
    expect(url.searchParams.get('error')).toBe('login_required');
    expect(url.searchParams.get('error_description')).toMatch(/^AADSTS50058: /);
  });

  test('AADSTS90002: unknown tenant', async () => {
    const res = await tokenRequest(
      sandbox,
      { grant_type: 'client_credentials' },
      { tenant: 'nope.onmicrosoft.com' },
    );
    expectEntraError(res.body, 'invalid_request', 90002);
    expect(SANDBOX_TENANT.domain).not.toBe('nope.onmicrosoft.com');
  });
});
