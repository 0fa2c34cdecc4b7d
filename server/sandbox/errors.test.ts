import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
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

describe('issue 10 item 9: the codes Entra uses', () => {
  test('generated: any method but POST on the token or device code endpoint → AADSTS900561 (invalid_request)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'PUT', 'DELETE', 'PATCH'),
        fc.constantFrom('/oauth2/v2.0/token', '/oauth2/v2.0/devicecode'),
        fc.constantFrom(SANDBOX_TENANT.id, SANDBOX_TENANT.domain, 'organizations'),
        async (method, path, tenant) => {
          const res = await fetch(endpoint(sandbox, path, tenant), { method });
          expect(res.status).toBe(400);
          const body = (await res.json()) as Record<string, unknown>;
          expectEntraError(body, 'invalid_request', 900561);
          expect(String(body['error_description'])).toContain(
            `The endpoint only accepts POST requests. Received a ${method} request.`,
          );
        },
      ),
      { numRuns: 12 },
    );
    // A CORS preflight is not a wrong method: the SPA's token requests need it.
    const preflight = await fetch(endpoint(sandbox, '/oauth2/v2.0/token'), {
      method: 'OPTIONS',
      headers: { origin: TEST_ORIGIN, 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBeLessThan(300);
  });

  test('generated: every response_type holding token, for an app with access tokens off → AADSTS700051', async () => {
    // The Web app allows ID tokens for implicit but not access tokens.
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('token', 'id_token token', 'token id_token', 'code token', 'code id_token token'),
        async (responseType) => {
          const res = await fetch(
            `${endpoint(sandbox, '/oauth2/v2.0/authorize')}?${new URLSearchParams({
              client_id: WEB.clientId,
              response_type: responseType,
              redirect_uri: TEST_REDIRECT_URI,
              scope: 'openid User.Read',
              nonce: 'n',
            })}`,
            { redirect: 'manual' },
          );
          const location = new URL(res.headers.get('location') ?? '');
          const fields = new URLSearchParams(location.hash.slice(1) || location.search);
          expect(fields.get('error')).toBe('unsupported_response_type');
          expect(fields.get('error_description')).toMatch(/^AADSTS700051: /);
        },
      ),
      { numRuns: 5 },
    );
  });

  test("AADSTS700084: an SPA refresh token works until its fixed lifetime from the sign-in, then not; a Web app's is not limited so", async () => {
    const setLifetime = async (seconds: number) =>
      expect(
        (
          await fetch(`${sandbox.origin}/portal/settings`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', origin: 'http://localhost:5173' },
            body: JSON.stringify({ spaRefreshTokenLifetimeSeconds: seconds }),
          })
        ).status,
      ).toBe(200);
    await setLifetime(3600);
    try {
      const { code, verifier } = await spaCode(sandbox);
      const issued = await redeem(code, verifier);
      const refresh = () =>
        tokenRequest(
          sandbox,
          {
            client_id: SPA.clientId,
            grant_type: 'refresh_token',
            refresh_token: String(issued.body['refresh_token']),
          },
          { origin: TEST_ORIGIN },
        );
      const start = Date.now();
      vi.useFakeTimers({ toFake: ['Date'], now: start + 3590_000 });
      // Redeeming it does not extend the lifetime: the new one still counts from the sign-in.
      const early = await refresh();
      expect(early.status).toBe(200);
      vi.setSystemTime(start + 3610_000);
      const late = await refresh();
      expect(late.status).toBe(400);
      expectEntraError(late.body, 'invalid_grant', 700084);
      expect(String(late.body['error_description'])).toContain('fixed, limited lifetime of 01:00:00');
      const again = await tokenRequest(
        sandbox,
        {
          client_id: SPA.clientId,
          grant_type: 'refresh_token',
          refresh_token: String(early.body['refresh_token']),
        },
        { origin: TEST_ORIGIN },
      );
      expectEntraError(again.body, 'invalid_grant', 700084);
      vi.useRealTimers();

      // A Web app's refresh token is not an SPA's: a day and more later it still works.
      const url = await signIn(sandbox, new Browser(sandbox), {
        clientId: WEB.clientId,
        scope: 'openid offline_access User.Read',
      });
      const web = await tokenRequest(sandbox, {
        client_id: WEB.clientId,
        client_secret: WEB.clientSecret ?? '',
        grant_type: 'authorization_code',
        code: url.searchParams.get('code') ?? '',
        redirect_uri: TEST_REDIRECT_URI,
      });
      expect(web.status).toBe(200);
      vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 25 * 3600_000 });
      const webRefresh = await tokenRequest(sandbox, {
        client_id: WEB.clientId,
        client_secret: WEB.clientSecret ?? '',
        grant_type: 'refresh_token',
        refresh_token: String(web.body['refresh_token']),
      });
      expect(webRefresh.status).toBe(200);
    } finally {
      vi.useRealTimers();
      await setLifetime(86_400);
    }
  });
});
