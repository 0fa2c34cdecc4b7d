import fc from 'fast-check';
import { decodeJwt } from 'jose';
import { redirectUriMatches } from './authorize-gate.ts';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ROUTES } from './provider-config.ts';
import { SANDBOX_TENANT, SANDBOX_USERS } from './seed.ts';
import {
  API,
  asPage,
  asRedirect,
  Browser,
  endpoint,
  generatePkce,
  signIn,
  SPA,
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

const ADELE = SANDBOX_USERS[0]!;

/** Signs Adele in to the SPA in `browser` and redeems the code. */
async function spaTokens(
  browser: Browser,
  scope: string,
): Promise<{ access_token: string; id_token: string }> {
  const pkce = generatePkce();
  const url = await signIn(sandbox, browser, { scope, pkce });
  const code = url.searchParams.get('code') ?? '';
  const res = await tokenRequest(
    sandbox,
    {
      client_id: SPA.clientId,
      grant_type: 'authorization_code',
      code,
      redirect_uri: TEST_REDIRECT_URI,
      code_verifier: pkce.verifier,
    },
    { origin: TEST_ORIGIN },
  );
  expect(res.status).toBe(200);
  return res.body as { access_token: string; id_token: string };
}

async function userinfo(
  token: string | undefined,
  method = 'GET',
): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const res = await fetch(`${sandbox.origin}/oidc/userinfo`, {
    method,
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

describe('UserInfo (https://learn.microsoft.com/entra/identity-platform/userinfo)', () => {
  test('a Graph token for openid profile email: sub equal to the ID token sub, name claims and email', async () => {
    const tokens = await spaTokens(new Browser(sandbox), 'openid profile email');
    for (const method of ['GET', 'POST']) {
      const res = await userinfo(tokens.access_token, method);
      expect(res.status).toBe(200);
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
      expect(res.body).toEqual({
        sub: decodeJwt(tokens.id_token).sub,
        name: ADELE.displayName,
        family_name: ADELE.surname,
        given_name: ADELE.givenName,
        email: ADELE.userPrincipalName,
      });
    }
  });

  test('a token for another audience gets Graph’s 401 InvalidAuthenticationToken with a Bearer challenge', async () => {
    const api = await tokenRequest(sandbox, {
      client_id: WEB.clientId,
      client_secret: WEB.clientSecret!,
      grant_type: 'client_credentials',
      scope: `api://${API.clientId}/.default`,
    });
    const token = String(api.body['access_token'] ?? '');
    expect(token).not.toBe('');
    const res = await userinfo(token);
    expect(res.status).toBe(401);
    expect((res.body['error'] as { code: string }).code).toBe('InvalidAuthenticationToken');
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer .*error="invalid_token"/);
  });

  test('no token, a malformed token, and an app-only Graph token are refused with 401', async () => {
    const none = await userinfo(undefined);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).not.toContain('error=');
    for (const bad of ['x', 'a.b.c', `${'e'.repeat(40)}.${'e'.repeat(40)}.sig`]) {
      const res = await userinfo(bad);
      expect(res.status).toBe(401);
      expect((res.body['error'] as { message: string }).message).toBeTruthy();
    }
    const app = await tokenRequest(sandbox, {
      client_id: WEB.clientId,
      client_secret: WEB.clientSecret!,
      grant_type: 'client_credentials',
      scope: 'https://graph.microsoft.com/.default',
    });
    const res = await userinfo(String(app.body['access_token']));
    expect(res.status).toBe(401);
    expect((res.body['error'] as { message: string }).message).toMatch(/signed-in user/);
  });
});

describe('sign-out (https://learn.microsoft.com/entra/identity-platform/v2-protocols-oidc#send-a-sign-out-request)', () => {
  const authorizeUrl = (): string =>
    `${endpoint(sandbox, ROUTES.authorization)}?${new URLSearchParams({
      client_id: SPA.clientId,
      response_type: 'code',
      redirect_uri: TEST_REDIRECT_URI,
      scope: 'openid',
      code_challenge: generatePkce().challenge,
      code_challenge_method: 'S256',
    })}`;

  test('ends the session and redirects to a registered redirect URI with state', async () => {
    const browser = new Browser(sandbox);
    const tokens = await spaTokens(browser, 'openid profile');
    // Signed in: a second authorize goes straight back to the app.
    asRedirect(await browser.go(authorizeUrl()));
    const out = await browser.go(
      `${endpoint(sandbox, ROUTES.end_session)}?${new URLSearchParams({
        post_logout_redirect_uri: TEST_REDIRECT_URI,
        id_token_hint: tokens.id_token,
        state: 'bye-1',
      })}`,
    );
    const back = asRedirect(out);
    expect(back.origin + back.pathname).toBe(TEST_REDIRECT_URI);
    expect(back.searchParams.get('state')).toBe('bye-1');
    // Signed out: authorize asks for the password again.
    expect(asPage(await browser.go(authorizeUrl())).html).toContain('name="password"');
  });

  test('an unregistered post_logout_redirect_uri is not followed: the user is signed out and told why', async () => {
    for (const uri of ['https://evil.example/', 'http://localhost:47173/other', `${TEST_REDIRECT_URI}#x`]) {
      const browser = new Browser(sandbox);
      await spaTokens(browser, 'openid');
      const out = asPage(
        await browser.go(
          `${endpoint(sandbox, ROUTES.end_session, 'common')}?${new URLSearchParams({
            post_logout_redirect_uri: uri,
            client_id: SPA.clientId,
          })}`,
        ),
      );
      expect(out.status).toBe(200);
      expect(out.html).toContain('You signed out of your account');
      expect(out.html).toContain('not one of the app’s registered redirect URIs');
      expect(asPage(await browser.go(authorizeUrl())).html).toContain('name="password"');
    }
  });

  test('generated requests: the browser is only ever sent to a redirect URI registered for the app named', async () => {
    const uri = fc.oneof(
      fc.webUrl({ withFragments: true, withQueryParameters: true }),
      fc.string({ maxLength: 40 }),
      fc.integer({ min: 1, max: 65535 }).map((port) => `http://localhost:${port}/callback`),
      fc.constantFrom(
        TEST_REDIRECT_URI,
        'javascript:alert(1)',
        '//evil.example/',
        `${TEST_REDIRECT_URI}?x=1`,
      ),
    );
    const hint = fc.oneof(fc.constant(undefined), fc.string({ maxLength: 30 }), fc.constant('a.b.c'));
    const client = fc.constantFrom(undefined, SPA.clientId, WEB.clientId, 'not-a-guid', '');
    await fc.assert(
      fc.asyncProperty(uri, hint, client, fc.boolean(), async (target, idTokenHint, clientId, post) => {
        const params: Record<string, string> = { post_logout_redirect_uri: target, state: 's' };
        if (idTokenHint !== undefined) params['id_token_hint'] = idTokenHint;
        if (clientId !== undefined) params['client_id'] = clientId;
        const url = endpoint(sandbox, ROUTES.end_session);
        const res = post
          ? await fetch(url, { method: 'POST', body: new URLSearchParams(params), redirect: 'manual' })
          : await fetch(`${url}?${new URLSearchParams(params)}`, { redirect: 'manual' });
        if (res.status === 302) {
          const app = [SPA, WEB].find((a) => a.clientId === clientId);
          expect(app, target).toBeDefined();
          const location = new URL(res.headers.get('location') ?? '');
          expect(location.searchParams.get('state')).toBe('s');
          location.searchParams.delete('state');
          const asked = new URL(target);
          asked.searchParams.delete('state');
          expect(location.href).toBe(asked.href);
          expect(redirectUriMatches(app!.redirectUris, target)).toBe(true);
        } else {
          expect(res.status, target).toBe(200);
          expect(await res.text()).toContain('You signed out of your account');
        }
      }),
      { numRuns: 60 },
    );
  });

  test('POST with client_id, an unknown app, and no session at all', async () => {
    const browser = new Browser(sandbox);
    await spaTokens(browser, 'openid');
    const posted = await browser.go(endpoint(sandbox, ROUTES.end_session, SANDBOX_TENANT.domain), {
      post_logout_redirect_uri: TEST_REDIRECT_URI,
      client_id: SPA.clientId,
    });
    expect(asRedirect(posted).pathname).toBe(new URL(TEST_REDIRECT_URI).pathname);
    const unknown = asPage(
      await new Browser(sandbox).go(
        `${endpoint(sandbox, ROUTES.end_session)}?post_logout_redirect_uri=${encodeURIComponent(TEST_REDIRECT_URI)}&client_id=00000000-0000-0000-0000-000000000000`,
      ),
    );
    expect(unknown.html).toContain('not registered in this tenant');
    const plain = asPage(await new Browser(sandbox).go(endpoint(sandbox, ROUTES.end_session)));
    expect(plain.html).toContain('no sandbox sign-in session');
  });
});
