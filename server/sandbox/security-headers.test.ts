/**
 * Issue 9 item 5: every sandbox response — portal, device pages, sign-in and consent, oidc-provider's
 * own error, logout and form_post pages, discovery, keys, token JSON, the Graph look-alike, 404s — carries
 * a CSP with `frame-ancestors 'none'`, `X-Frame-Options: DENY`, `nosniff` and `no-referrer`, while the
 * CORS answers the app relies on still come back.
 */
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { enforceSecurityHeaders } from './http-utils.ts';
import { DEVICE_LOGIN_PATH } from './device-flow.ts';
import { GRAPH_ENDPOINTS } from './graph-api.ts';
import { MULTI_TENANT_ALIASES } from './directory.ts';
import { ROUTES } from './provider-config.ts';
import { SANDBOX_TENANT, SANDBOX_USERS } from './seed.ts';
import {
  CONSOLE,
  CookieJar,
  endpoint,
  generatePkce,
  SPA,
  startTestSandbox,
  TEST_ORIGIN,
  TEST_REDIRECT_URI,
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

const adele = SANDBOX_USERS[0]!;

/** Every response checked, by `METHOD path → status`, and the refusals among them (status ≥ 400). */
const checked: string[] = [];
let refused = 0;

function expectSecurityHeaders(res: Response, label: string): void {
  const csp = res.headers.get('content-security-policy') ?? '';
  expect(csp, `${label}: CSP`).toMatch(/frame-ancestors 'none'/);
  expect(csp, `${label}: CSP default-src`).toMatch(/default-src 'none'/);
  expect(res.headers.get('x-frame-options'), `${label}: X-Frame-Options`).toBe('DENY');
  expect(res.headers.get('x-content-type-options'), `${label}: nosniff`).toBe('nosniff');
  expect(res.headers.get('referrer-policy'), `${label}: Referrer-Policy`).toBe('no-referrer');
  checked.push(`${label} → ${res.status}`);
  if (res.status >= 400) refused += 1;
}

/**
 * Every inline script of an HTML page must be allowed by the page's own CSP (by its hash): a blocked
 * auto-submitting form leaves the user on a blank page (oidc-provider's account switch did).
 */
function expectInlineScriptsAllowed(csp: string, html: string, label: string): void {
  for (const [, script] of html.matchAll(/<script>([\s\S]*?)<\/script>/g)) {
    const hash = `'sha256-${createHash('sha256')
      .update(script ?? '')
      .digest('base64')}'`;
    expect(csp, `${label}: an inline script the CSP blocks`).toContain(hash);
    inlineScriptsChecked += 1;
  }
}
let inlineScriptsChecked = 0;

/** One request, headers asserted. */
async function probe(url: string, init: RequestInit = {}, jar?: CookieJar): Promise<Response> {
  const res = await fetch(url, {
    redirect: 'manual',
    ...init,
    headers: { ...(jar ? { cookie: jar.header() } : {}), ...(init.headers as Record<string, string>) },
  });
  jar?.store(res);
  const label = `${init.method ?? 'GET'} ${new URL(url).pathname}`;
  expectSecurityHeaders(res, label);
  if ((res.headers.get('content-type') ?? '').includes('text/html')) {
    const html = await res.clone().text();
    expectInlineScriptsAllowed(res.headers.get('content-security-policy') ?? '', html, label);
  }
  return res;
}

const form = (fields: Record<string, string>): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields),
});

/** Follows sandbox redirects, checking every hop; returns the last sandbox page or the app URL reached. */
async function walk(
  jar: CookieJar,
  url: string,
  init: RequestInit = {},
): Promise<{ page?: { url: string; html: string; status: number }; left?: string }> {
  let next = url;
  let request = init;
  for (let hops = 0; hops < 12; hops += 1) {
    const res = await probe(next, request, jar);
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      const target = new URL(location, next).href;
      if (!target.startsWith(sandbox.origin)) return { left: target };
      next = target;
      request = {};
      continue;
    }
    return { page: { url: next, html: await res.text(), status: res.status } };
  }
  throw new Error('too many redirects');
}

function actionOf(page: { url: string; html: string }): string {
  const match = /<form[^>]*action="([^"]+)"/.exec(page.html);
  if (!match?.[1]) throw new Error(`no form on ${page.url}`);
  return new URL(match[1].replaceAll('&amp;', '&'), page.url).href;
}

function hiddenFields(html: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)) {
    fields[m[1]!] = m[2]!.replaceAll('&amp;', '&');
  }
  return fields;
}

describe('security headers on every sandbox response (issue 9 item 5)', () => {
  test('every route of the router, every tenant segment and method, and the paths that lead nowhere', async () => {
    const tenants = [SANDBOX_TENANT.id, SANDBOX_TENANT.domain, ...MULTI_TENANT_ALIASES, 'not-a-tenant'];
    const paths = [...Object.values(ROUTES), '/v2.0/.well-known/openid-configuration', '/no/such/path'];
    for (const tenant of tenants) {
      for (const path of paths) {
        for (const method of ['GET', 'POST', 'OPTIONS', 'PUT']) {
          await probe(`${sandbox.origin}/${tenant}${path}`, {
            method,
            headers: { origin: TEST_ORIGIN, 'content-type': 'application/x-www-form-urlencoded' },
            ...(method === 'POST' || method === 'PUT' ? { body: 'x=1' } : {}),
          });
        }
      }
    }
    const sandboxPaths = [
      '/',
      '/directory.json',
      '/portal/settings',
      '/portal/apps',
      `/portal/apps/${SPA.clientId}`,
      `/portal/apps/${SPA.clientId}/redirect-uris`,
      '/portal/lockouts',
      '/portal/memory',
      '/portal/no-such-thing',
      '/portal/apps/no-such-app',
      GRAPH_ENDPOINTS.me,
      GRAPH_ENDPOINTS.users,
      '/v1.0/no-such-resource',
      DEVICE_LOGIN_PATH,
      `${DEVICE_LOGIN_PATH}?user_code=NOPE-NOPE`,
      '/interaction/no-such-interaction',
      '/interaction/no-such-interaction/login',
      '/favicon.ico',
      '/%',
    ];
    for (const path of sandboxPaths) {
      for (const method of ['GET', 'HEAD', 'OPTIONS']) {
        await probe(`${sandbox.origin}${path}`, { method, headers: { origin: TEST_ORIGIN } });
      }
    }
    // Refused changes: another site's origin, bad JSON, unknown settings.
    await probe(`${sandbox.origin}/portal/settings`, {
      method: 'POST',
      headers: { origin: 'https://evil.example', 'content-type': 'application/json' },
      body: '{}',
    });
    await probe(`${sandbox.origin}/portal/settings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{not json',
    });
    await probe(`${sandbox.origin}/portal/settings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ lockoutThreshold: 0 }),
    });
    expect(checked.length).toBeGreaterThan(250);
  });

  test('authorize: error pages, error redirects, form_post error page, and a request oidc-provider refuses', async () => {
    const authorize = endpoint(sandbox, ROUTES.authorization);
    const base = {
      client_id: SPA.clientId,
      response_type: 'code',
      redirect_uri: TEST_REDIRECT_URI,
      scope: 'openid',
    };
    const cases: Record<string, string>[] = [
      {},
      { client_id: 'not-a-client' },
      { ...base, redirect_uri: 'https://evil.example/cb' },
      { ...base, redirect_uri: `${TEST_REDIRECT_URI}#fragment` },
      { ...base, response_type: 'nonsense' },
      { ...base, response_type: 'code', response_mode: 'form_post' },
      { ...base, code_challenge: 'short' },
      { ...base, response_type: 'code', prompt: 'none', ...pkceParams() },
      { ...base, ...pkceParams(), max_age: 'not-a-number' },
    ];
    for (const params of cases) {
      await probe(`${authorize}?${new URLSearchParams(params)}`);
      await probe(authorize, form(params));
    }
  });

  test('a full code flow with form_post: sign-in, consent, oidc-provider’s form_post page, token, keys', async () => {
    const jar = new CookieJar();
    const pkce = generatePkce();
    const start = await walk(
      jar,
      `${endpoint(sandbox, ROUTES.authorization)}?${new URLSearchParams({
        client_id: SPA.clientId,
        response_type: 'code',
        response_mode: 'form_post',
        redirect_uri: TEST_REDIRECT_URI,
        scope: 'openid profile User.Read',
        state: 's',
        nonce: 'n',
        code_challenge: pkce.challenge,
        code_challenge_method: 'S256',
      })}`,
    );
    const signInPage = start.page!;
    expect(signInPage.html).toContain('name="password"');
    const wrong = await walk(
      jar,
      actionOf(signInPage),
      form({ username: adele.userPrincipalName, password: 'x' }),
    );
    expect(wrong.page?.html).toContain('AADSTS50126');
    const consent = await walk(
      jar,
      actionOf(signInPage),
      form({ username: adele.userPrincipalName, password: adele.password }),
    );
    const done = await walk(jar, actionOf(consent.page!), form({ action: 'accept' }));
    const formPost = done.page!;
    expect(formPost.html).toContain('method="post"');
    const code = hiddenFields(formPost.html)['code'];
    expect(code).toEqual(expect.any(String));

    const token = await probe(
      endpoint(sandbox, ROUTES.token),
      {
        method: 'POST',
        headers: { origin: TEST_ORIGIN, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          client_id: SPA.clientId,
          grant_type: 'authorization_code',
          code: code!,
          redirect_uri: TEST_REDIRECT_URI,
          code_verifier: pkce.verifier,
        }),
      },
      jar,
    );
    expect(token.status).toBe(200);
    // CORS for the SPA still answers: CSP and X-Frame-Options do not affect a fetch.
    expect(token.headers.get('access-control-allow-origin')).toBe(TEST_ORIGIN);
    const tokens = (await token.json()) as { access_token: string; id_token: string };

    const me = await probe(`${sandbox.origin}${GRAPH_ENDPOINTS.me}`, {
      headers: { authorization: `Bearer ${tokens.access_token}`, origin: TEST_ORIGIN },
    });
    expect(me.status).toBe(200);
    expect(me.headers.get('access-control-allow-origin')).toBeTruthy();

    // End session: oidc-provider's logout confirmation, its form post, a bad xsrf, and a bad hint.
    const logout = await walk(
      jar,
      `${endpoint(sandbox, ROUTES.end_session)}?id_token_hint=${tokens.id_token}&client_id=${SPA.clientId}`,
    );
    if (logout.page) {
      expect(logout.page.html.length).toBeGreaterThan(0);
      if (/<form/.test(logout.page.html)) {
        await walk(jar, actionOf(logout.page), form({ ...hiddenFields(logout.page.html), logout: 'yes' }));
        await walk(jar, actionOf(logout.page), form({ xsrf: 'forged', logout: 'yes' }));
      }
    }
    await walk(jar, `${endpoint(sandbox, ROUTES.end_session)}?id_token_hint=not-a-token`);
    await walk(
      jar,
      `${endpoint(sandbox, ROUTES.end_session)}?post_logout_redirect_uri=https://evil.example/`,
    );
  });

  test('device pages: a bad code, a good code through sign-in and consent to the success page', async () => {
    const device = await probe(
      endpoint(sandbox, ROUTES.device_authorization),
      form({ client_id: CONSOLE.clientId, scope: 'openid User.Read' }),
    );
    const { user_code: userCode } = (await device.json()) as { user_code: string };
    const jar = new CookieJar();
    const codePage = (await walk(jar, `${sandbox.origin}${DEVICE_LOGIN_PATH}`)).page!;
    const bad = await walk(
      jar,
      actionOf(codePage),
      form({ ...hiddenFields(codePage.html), user_code: 'BADBADBAD' }),
    );
    const retry = bad.page!;
    expect(retry.html).toContain('That code didn');
    const login = (
      await walk(jar, actionOf(retry), form({ ...hiddenFields(retry.html), user_code: userCode }))
    ).page!;
    const consent = (
      await walk(jar, actionOf(login), form({ username: adele.userPrincipalName, password: adele.password }))
    ).page!;
    const success = await walk(jar, actionOf(consent), form({ action: 'accept' }));
    expect(success.page?.html).toContain('Return to your device');
    await walk(jar, `${sandbox.origin}${DEVICE_LOGIN_PATH}?user_code=${userCode}`);
    // A code in the link: oidc-provider answers with a form that submits itself by an inline script.
    await probe(`${sandbox.origin}${DEVICE_LOGIN_PATH}?user_code=${userCode}`, {}, jar);
    expect(inlineScriptsChecked).toBeGreaterThan(0);
  });

  test('JSON answers the app reads cross-origin keep their CORS headers', async () => {
    const discovery = await probe(
      `${sandbox.origin}/${SANDBOX_TENANT.id}/v2.0/.well-known/openid-configuration`,
      {
        headers: { origin: TEST_ORIGIN },
      },
    );
    expect(discovery.headers.get('access-control-allow-origin')).toBe('*');
    const keys = await probe(endpoint(sandbox, ROUTES.jwks), { headers: { origin: TEST_ORIGIN } });
    expect(keys.headers.get('access-control-allow-origin')).toBe('*');
    const directory = await probe(`${sandbox.origin}/directory.json`, { headers: { origin: TEST_ORIGIN } });
    expect(directory.headers.get('access-control-allow-origin')).toBe('*');
    const settings = await probe(`${sandbox.origin}/portal/settings`, { headers: { origin: TEST_ORIGIN } });
    expect(settings.headers.get('access-control-allow-origin')).toBe(TEST_ORIGIN);
    const wrongSecret = await probe(
      endpoint(sandbox, ROUTES.token),
      form({
        client_id: WEB.clientId,
        client_secret: 'wrong',
        grant_type: 'client_credentials',
        scope: 'https://graph.microsoft.com/.default',
      }),
    );
    expect(wrongSecret.status).toBe(401);
  });

  test('enforceSecurityHeaders: headers a handler removed (as koa does on an error) and a CSP without frame-ancestors', async () => {
    const server = createServer((req, res) => {
      enforceSecurityHeaders(res);
      res.setHeader('x-frame-options', 'SAMEORIGIN-by-mistake');
      for (const name of res.getHeaderNames()) res.removeHeader(name);
      if (req.url === '/own-csp') res.setHeader('content-security-policy', "default-src 'none'");
      res.statusCode = 500;
      res.end('Internal Server Error');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const plain = await fetch(`http://127.0.0.1:${port}/`);
      expectSecurityHeaders(plain, 'GET / (bare handler)');
      const own = await fetch(`http://127.0.0.1:${port}/own-csp`);
      expectSecurityHeaders(own, 'GET /own-csp (bare handler)');
      expect(own.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
    } finally {
      server.close();
    }
  });

  test('no-referrer makes the portal’s own form posts say Origin: null; only Sec-Fetch-Site: same-origin lets them through', async () => {
    const post = (headers: Record<string, string>) =>
      probe(`${sandbox.origin}/portal/settings`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: new URLSearchParams({ deviceCodeLifetimeSeconds: '900' }),
      });
    expect((await post({ origin: 'null', 'sec-fetch-site': 'same-origin' })).status).toBe(303);
    expect((await post({ origin: 'null', 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await post({ origin: 'null', 'sec-fetch-site': 'same-site' })).status).toBe(403);
    expect((await post({ origin: 'null' })).status).toBe(403);
    expect((await post({ origin: 'https://evil.example', 'sec-fetch-site': 'same-origin' })).status).toBe(
      403,
    );
  });

  afterAll(() => {
    console.info(
      `security headers: ${checked.length} responses checked, ${refused} of them refusals (≥ 400)`,
    );
  });
});

function pkceParams(): Record<string, string> {
  return { code_challenge: generatePkce().challenge, code_challenge_method: 'S256' };
}
