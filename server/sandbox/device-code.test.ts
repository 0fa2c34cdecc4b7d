import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { GRAPH_RESOURCE, SANDBOX_TENANT, SANDBOX_USERS } from './seed.ts';
import { graphSigningInput } from './graph-token.ts';
import { sandboxV1Issuer } from './issuers.ts';
import { expectEntraError } from './test-fixtures.ts';
import {
  asPage,
  Browser,
  CONSOLE,
  endpoint,
  formAction,
  SPA,
  startTestSandbox,
  TEST_ORIGIN,
  tokenRequest,
  type Page,
  type TestSandbox,
} from './test-support.ts';

let sandbox: TestSandbox;
beforeAll(async () => {
  sandbox = await startTestSandbox();
});
afterAll(async () => {
  await sandbox.stop();
});

const adele = SANDBOX_USERS[0]!;
const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

async function requestDeviceCode(
  params: Record<string, string> = {},
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const res = await fetch(endpoint(sandbox, '/oauth2/v2.0/devicecode'), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams({
      client_id: CONSOLE.clientId,
      scope: 'openid profile offline_access User.Read',
      ...params,
    }),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

function poll(deviceCode: string, origin?: string): ReturnType<typeof tokenRequest> {
  return tokenRequest(
    sandbox,
    { client_id: CONSOLE.clientId, grant_type: DEVICE_GRANT, device_code: deviceCode },
    origin ? { origin } : {},
  );
}

/** The page's hidden inputs plus `fields`, as a browser would submit the form. */
function submission(page: Page, fields: Record<string, string>): Record<string, string> {
  const hidden: Record<string, string> = {};
  for (const m of page.html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    hidden[m[1] ?? ''] = (m[2] ?? '').replaceAll('&amp;', '&');
  }
  return { ...hidden, ...fields };
}

/** Enters the user code at /devicelogin, signs in as Adele and answers the consent page. */
async function approve(userCode: string, consent: 'accept' | 'cancel' = 'accept'): Promise<Page> {
  const browser = new Browser(sandbox);
  const codePage = asPage(await browser.go(`${sandbox.origin}/devicelogin`));
  const login = asPage(await browser.go(formAction(codePage), submission(codePage, { user_code: userCode })));
  expect(login.html).toContain('<label for="username">Username</label>');
  const consentPage = asPage(
    await browser.go(formAction(login), { username: adele.userPrincipalName, password: adele.password }),
  );
  expect(consentPage.html).toContain('>Accept</button>');
  expect(consentPage.html).toContain(CONSOLE.displayName);
  return asPage(await browser.go(formAction(consentPage), { action: consent }));
}

describe('device authorization grant (RFC 8628) as Entra runs it', () => {
  test('POST /devicecode: Entra fields, 9-character user code, /devicelogin, interval 5, message', async () => {
    const res = await requestDeviceCode();
    expect(res.status).toBe(200);
    const body = res.body;
    expect(Object.keys(body).sort()).toEqual(
      ['device_code', 'expires_in', 'interval', 'message', 'user_code', 'verification_uri'].sort(),
    );
    expect(body['user_code']).toMatch(/^[A-Z]{9}$/);
    expect(body['verification_uri']).toBe(`${sandbox.origin}/devicelogin`);
    expect(body['expires_in']).toBe(900);
    expect(body['interval']).toBe(5);
    expect(body['message']).toBe(
      `To sign in, use a web browser to open the page ${sandbox.origin}/devicelogin and enter the code ${String(body['user_code'])} to authenticate.`,
    );
  });

  test('the whole flow: code page ("Code", "Next"), sign-in, consent, final page; the poll gets tokens', async () => {
    const { body } = await requestDeviceCode();
    const browser = new Browser(sandbox);
    const codePage = asPage(await browser.go(`${sandbox.origin}/devicelogin`));
    expect(codePage.html).toContain('Sandbox tenant');
    expect(codePage.html).toContain('<label for="user_code">Code</label>');
    expect(codePage.html).toContain('>Next</button>');
    const wrong = asPage(
      await browser.go(formAction(codePage), submission(codePage, { user_code: 'BBBBBBBBB' })),
    );
    expect(wrong.html).toContain('role="alert"');
    expect(wrong.html).toContain('That code didn');

    const done = await approve(String(body['user_code']));
    expect(done.html).toContain('Return to your device to continue');

    const res = await poll(String(body['device_code']));
    expect(res.status).toBe(200);
    // Entra's scope echo: Graph permissions bare, offline_access not echoed (the refresh token answers it).
    expect(String(res.body['scope']).split(' ').sort()).toEqual(['User.Read', 'openid', 'profile'].sort());
    expect(res.body['refresh_token']).toEqual(expect.any(String));
    const jwks = createRemoteJWKSet(new URL(endpoint(sandbox, '/discovery/v2.0/keys')));
    const issuer = `${sandbox.origin}/${SANDBOX_TENANT.id}/v2.0`;
    // A v1.0 Graph token, checked as Graph checks it (graph-token.ts).
    const { payload } = await jwtVerify(graphSigningInput(String(res.body['access_token'])), jwks, {
      issuer: sandboxV1Issuer(sandbox.origin, SANDBOX_TENANT.id),
      audience: GRAPH_RESOURCE.identifier,
    });
    expect(payload).toMatchObject({ oid: adele.oid, scp: 'openid profile User.Read', appid: CONSOLE.clientId });
    const { payload: id } = await jwtVerify(String(res.body['id_token']), jwks, {
      issuer,
      audience: CONSOLE.clientId,
    });
    expect(id['oid']).toBe(adele.oid);

    // A redeemed device code is not redeemable again (and redeeming it revokes nothing).
    const again = await poll(String(body['device_code']));
    expectEntraError(again.body, 'bad_verification_code', 70018);
    const refreshed = await tokenRequest(sandbox, {
      client_id: CONSOLE.clientId,
      grant_type: 'refresh_token',
      refresh_token: String(res.body['refresh_token']),
    });
    expect(refreshed.status).toBe(200);
  });

  test('AADSTS70016 authorization_pending, then slow_down when polled within the interval (RFC 8628 §3.5)', async () => {
    const { body } = await requestDeviceCode();
    const pending = await poll(String(body['device_code']));
    expect(pending.status).toBe(400);
    expectEntraError(pending.body, 'authorization_pending', 70016);
    const tooSoon = await poll(String(body['device_code']));
    expect(tooSoon.status).toBe(400);
    // Entra documents no AADSTS code for slow_down (and 50196 is LoopDetected): the RFC's error alone.
    expect(tooSoon.body['error']).toBe('slow_down');
    expect(tooSoon.body).not.toHaveProperty('error_codes');
    expect(tooSoon.body).not.toHaveProperty('error_uri');
    expect(String(tooSoon.body['error_description'])).not.toMatch(/AADSTS/);
    expect(tooSoon.body['trace_id']).toEqual(expect.any(String));
    expect(String(tooSoon.body['error_description'])).toContain('10 seconds');
    expect(tooSoon.body).not.toHaveProperty('interval');
    const stillTooSoon = await poll(String(body['device_code']));
    expect(String(stillTooSoon.body['error_description'])).toContain('15 seconds');
  });

  test('authorization_declined (AADSTS65004) when the user presses Cancel on consent', async () => {
    const { body } = await requestDeviceCode();
    const page = await approve(String(body['user_code']), 'cancel');
    expect(page.html).toContain('You declined');
    const res = await poll(String(body['device_code']));
    expectEntraError(res.body, 'authorization_declined', 65004);
  });

  test('expired_token (AADSTS70019) after the lifetime set on the portal', async () => {
    const set = (value: number): Promise<Response> =>
      fetch(`${sandbox.origin}/portal/settings`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ deviceCodeLifetimeSeconds: value }),
      });
    expect((await set(1)).status).toBe(200);
    try {
      const { body } = await requestDeviceCode();
      expect(body['expires_in']).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const res = await poll(String(body['device_code']));
      expectEntraError(res.body, 'expired_token', 70019);
    } finally {
      await set(900);
    }
  });

  test('bad_verification_code (AADSTS70018) for an unknown device_code', async () => {
    const res = await poll('not-a-device-code');
    expectEntraError(res.body, 'bad_verification_code', 70018);
  });

  test('AADSTS7000218: an app without "Allow public client flows" cannot start the flow', async () => {
    const res = await requestDeviceCode({ client_id: SPA.clientId });
    expect(res.status).toBe(401);
    expectEntraError(res.body, 'invalid_client', 7000218);
  });

  test('not CORS-enabled: no Access-Control-Allow-Origin on preflight or request; polling with Origin → 9002326', async () => {
    const preflight = await fetch(endpoint(sandbox, '/oauth2/v2.0/devicecode'), {
      method: 'OPTIONS',
      headers: { origin: TEST_ORIGIN, 'access-control-request-method': 'POST' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    const res = await requestDeviceCode({}, { origin: TEST_ORIGIN });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(res.status).toBe(400);
    const { body } = await requestDeviceCode();
    const polled = await poll(String(body['device_code']), TEST_ORIGIN);
    expectEntraError(polled.body, 'invalid_request', 9002326);
    expect(polled.headers.get('access-control-allow-origin')).toBeNull();
  });
});
