import { decodeJwt } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { SANDBOX_USERS } from './seed.ts';
import { expectEntraError } from './test-fixtures.ts';
import {
  asPage,
  asRedirect,
  Browser,
  CONSOLE,
  endpoint,
  formAction,
  generatePkce,
  LEGACY,
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
afterEach(async () => {
  expect((await fetch(`${sandbox.origin}/portal/reset`, { method: 'POST' })).status).toBe(200);
});

const adele = SANDBOX_USERS[0]!;
const SEEDED_REDIRECT_URI = 'http://localhost:5173/callback';

interface Json {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Record<string, unknown>;
}

/** A JSON request to the portal API, from the lab's own origin unless another is given. */
async function portal(
  method: string,
  path: string,
  body?: unknown,
  origin: string | null = 'http://localhost:5173',
): Promise<Json> {
  const res = await fetch(`${sandbox.origin}/portal/${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(origin === null ? {} : { origin }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
  };
}

const patchApp = (clientId: string, patch: Record<string, unknown>): Promise<Json> =>
  portal('PATCH', `apps/${clientId}`, patch);

function authorizeUrl(params: Record<string, string>): string {
  return `${endpoint(sandbox, '/oauth2/v2.0/authorize')}?${new URLSearchParams({
    redirect_uri: TEST_REDIRECT_URI,
    state: 's',
    nonce: 'n',
    ...params,
  })}`;
}

function ropc(clientId: string = CONSOLE.clientId, extra: Record<string, string> = {}): Promise<Json> {
  return tokenRequest(sandbox, {
    client_id: clientId,
    grant_type: 'password',
    username: adele.userPrincipalName,
    password: adele.password,
    scope: 'openid offline_access User.Read',
    ...extra,
  });
}

function clientCredentials(secret: string, headers: Record<string, string> = {}): Promise<Json> {
  return tokenRequest(
    sandbox,
    {
      client_id: WEB.clientId,
      grant_type: 'client_credentials',
      scope: 'https://graph.microsoft.com/.default',
      ...(secret ? { client_secret: secret } : {}),
    },
    { headers },
  );
}

/** Signs Adele in to the console app through the sign-in page; says whether a consent page came up. */
async function interactiveSignIn(browser: Browser, extra: Record<string, string> = {}): Promise<boolean> {
  let consentShown = false;
  let result = await browser.go(
    authorizeUrl({
      client_id: CONSOLE.clientId,
      response_type: 'code',
      scope: 'openid profile offline_access User.Read',
      ...extra,
    }),
  );
  if (!('redirectedTo' in result) && result.html.includes('name="password"')) {
    result = await browser.go(formAction(result), {
      username: adele.userPrincipalName,
      password: adele.password,
    });
  }
  if (!('redirectedTo' in result) && result.html.includes('name="action"')) {
    consentShown = true;
    result = await browser.go(formAction(result), { action: 'accept' });
  }
  expect(asRedirect(result).searchParams.get('code')).toEqual(expect.any(String));
  return consentShown;
}

describe('portal API for app registrations: reading and CORS', () => {
  test('GET /portal/apps/{clientId}: the registration with secrets (no values but the seeded one) and consent', async () => {
    const res = await portal('GET', `apps/${WEB.clientId.toUpperCase()}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(res.body).toMatchObject({
      clientId: WEB.clientId,
      platform: 'web',
      confidential: true,
      redirectUris: [SEEDED_REDIRECT_URI],
      clientSecret: WEB.clientSecret,
      consent: { adminConsent: false },
    });
    const secrets = res.body['secrets'] as Record<string, unknown>[];
    expect(secrets).toHaveLength(1);
    expect(secrets[0]).toMatchObject({ hint: 'san', value: WEB.clientSecret });
    expect((await portal('GET', 'apps/00000000-0000-0000-0000-000000000000')).status).toBe(404);
  });

  test('foreign origins: no CORS headers on preflight or reads, and changes are refused (403)', async () => {
    const preflight = (origin: string): Promise<Response> =>
      fetch(`${sandbox.origin}/portal/apps/${SPA.clientId}`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'PATCH' },
      });
    const local = await preflight('http://127.0.0.1:4000');
    expect(local.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:4000');
    expect(local.headers.get('access-control-allow-methods')).toContain('PATCH');
    expect((await preflight('https://evil.example')).headers.get('access-control-allow-origin')).toBeNull();
    const read = await portal('GET', `apps/${SPA.clientId}`, undefined, 'https://evil.example');
    expect(read.headers.get('access-control-allow-origin')).toBeNull();
    const write = await portal('PATCH', `apps/${SPA.clientId}`, { platform: 'web' }, 'https://evil.example');
    expect(write.status).toBe(403);
    const form = await fetch(`${sandbox.origin}/portal/apps/${SPA.clientId}/redirect-uris`, {
      method: 'POST',
      headers: {
        origin: 'http://localhost.evil.example',
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ uri: 'https://evil.example/cb' }),
    });
    expect(form.status).toBe(403);
    expect((await portal('POST', 'reset', undefined, 'https://evil.example')).status).toBe(403);
    expect((await portal('GET', `apps/${SPA.clientId}`)).body['platform']).toBe('spa');
  });

  test('PATCH validates: unknown field, wrong types, unknown platform → 400', async () => {
    expect((await patchApp(SPA.clientId, { platfrom: 'web' })).status).toBe(400);
    expect((await patchApp(SPA.clientId, { platform: 'native' })).status).toBe(400);
    expect((await patchApp(SPA.clientId, { implicitIdTokens: 'yes' })).status).toBe(400);
    expect((await patchApp(SPA.clientId, { redirectUris: ['http://example.com/cb'] })).status).toBe(400);
  });
});

describe('redirect URIs', () => {
  test('Entra validation: https, http only for localhost, no fragment, no wildcard', async () => {
    const add = (uri: string): Promise<Json> => portal('POST', `apps/${SPA.clientId}/redirect-uris`, { uri });
    for (const bad of [
      'http://app.example/cb',
      'https://app.example/cb#frag',
      'https://*.app.example/cb',
      'ftp://app.example/cb',
      '/callback',
      `https://app.example/${'x'.repeat(260)}`,
    ]) {
      const res = await add(bad);
      expect(res.status, bad).toBe(400);
      expect(res.body['error']).toBe('invalid_request');
    }
    const ok = await add('https://app.example/cb');
    expect(ok.status).toBe(201);
    expect(ok.body['redirectUris']).toEqual([SEEDED_REDIRECT_URI, 'https://app.example/cb']);
    expect((await add('http://127.0.0.1:8400/cb')).status).toBe(201);
    expect((await add('https://app.example/cb')).status).toBe(400);
    const directory = (await (await fetch(`${sandbox.origin}/directory.json`)).json()) as {
      apps: { clientId: string; redirectUris: string[] }[];
    };
    expect(directory.apps.find((a) => a.clientId === SPA.clientId)?.redirectUris).toContain(
      'https://app.example/cb',
    );
  });

  test('removed → AADSTS50011 on the sign-in page; added back → sign-in works again', async () => {
    const pkce = generatePkce();
    const url = authorizeUrl({
      client_id: SPA.clientId,
      response_type: 'code',
      scope: 'openid User.Read',
      code_challenge: pkce.challenge,
      code_challenge_method: 'S256',
    });
    const removed = await portal(
      'DELETE',
      `apps/${SPA.clientId}/redirect-uris/${encodeURIComponent(SEEDED_REDIRECT_URI)}`,
    );
    expect(removed.status).toBe(200);
    expect(removed.body['redirectUris']).toEqual([]);
    const page = await fetch(url, { redirect: 'manual' });
    expect(page.status).toBe(400);
    expect(await page.text()).toContain('AADSTS50011');

    const added = await portal('POST', `apps/${SPA.clientId}/redirect-uris`, { uri: SEEDED_REDIRECT_URI });
    expect(added.status).toBe(201);
    const login = asPage(await new Browser(sandbox).go(url));
    expect(login.html).toContain('name="password"');
  });
});

describe('platform', () => {
  test('SPA → web: a browser redemption gets AADSTS9002326; back to SPA, the same code redeems', async () => {
    const { code, verifier } = await spaCode(sandbox);
    const redeem = (): Promise<Json> =>
      tokenRequest(
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
    expect((await patchApp(SPA.clientId, { platform: 'web' })).body['platform']).toBe('web');
    const refused = await redeem();
    expect(refused.status).toBe(400);
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
    expectEntraError(refused.body, 'invalid_request', 9002326);

    await patchApp(SPA.clientId, { platform: 'spa' });
    const ok = await redeem();
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe(TEST_ORIGIN);
  });

  test('web → public client: presenting the secret gets AADSTS700025; back to web, it works', async () => {
    const patched = await patchApp(WEB.clientId, { platform: 'publicClient' });
    expect(patched.body).toMatchObject({ platform: 'publicClient', confidential: false });
    const refused = await clientCredentials(WEB.clientSecret ?? '');
    expect(refused.status).toBe(401);
    expectEntraError(refused.body, 'invalid_client', 700025);

    await patchApp(WEB.clientId, { platform: 'web' });
    expect((await clientCredentials(WEB.clientSecret ?? '')).status).toBe(200);
  });
});

describe('implicit grant check boxes', () => {
  test('"ID tokens" off → AADSTS700054; "Access tokens" off → AADSTS700051; on again → sign-in page', async () => {
    const implicit = (responseType: string): string =>
      authorizeUrl({ client_id: LEGACY.clientId, response_type: responseType, scope: 'openid User.Read' });
    const errorOf = async (url: string): Promise<URLSearchParams> => {
      const res = await fetch(url, { redirect: 'manual' });
      expect(res.status).toBe(302);
      return new URLSearchParams(new URL(res.headers.get('location') ?? '').hash.slice(1));
    };
    await patchApp(LEGACY.clientId, { implicitIdTokens: false, implicitAccessTokens: false });
    const idToken = await errorOf(implicit('id_token'));
    expect(idToken.get('error')).toBe('unsupported_response_type');
    expect(idToken.get('error_description')).toMatch(/^AADSTS700054:/);
    const token = await errorOf(implicit('token'));
    expect(token.get('error_description')).toMatch(/^AADSTS700051:/);

    await patchApp(LEGACY.clientId, { implicitIdTokens: true, implicitAccessTokens: true });
    for (const responseType of ['id_token', 'token', 'id_token token']) {
      const page = asPage(await new Browser(sandbox).go(implicit(responseType)));
      expect(page.html).toContain('name="password"');
    }
  });

  test('turning "ID tokens" on for the SPA lets oidc-provider issue them (its client metadata follows)', async () => {
    await patchApp(SPA.clientId, { implicitIdTokens: true });
    const url = await signIn(sandbox, new Browser(sandbox), {
      scope: 'openid profile',
      extra: { response_type: 'id_token' },
    });
    const fragment = new URLSearchParams(url.hash.slice(1));
    expect(decodeJwt(fragment.get('id_token') ?? '')['aud']).toBe(SPA.clientId);
  });
});

describe('allow public client flows', () => {
  const deviceCode = (): Promise<Response> =>
    fetch(endpoint(sandbox, '/oauth2/v2.0/devicecode'), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: CONSOLE.clientId, scope: 'User.Read' }),
    });

  test('off → device code and ROPC get AADSTS7000218; on again → both work', async () => {
    await patchApp(CONSOLE.clientId, { allowPublicClientFlows: false });
    const device = await deviceCode();
    expect(device.status).toBe(401);
    expectEntraError((await device.json()) as Record<string, unknown>, 'invalid_client', 7000218);
    expectEntraError((await ropc()).body, 'invalid_client', 7000218);

    await patchApp(CONSOLE.clientId, { allowPublicClientFlows: true });
    expect((await deviceCode()).status).toBe(200);
    // The password grant needs recorded consent (AADSTS65001 otherwise): grant it on the portal.
    expectEntraError((await ropc()).body, 'invalid_grant', 65001);
    await portal('POST', `apps/${CONSOLE.clientId}/consents`, { user: adele.oid });
    expect((await ropc()).status).toBe(200);
  });

  test('on for the SPA: ROPC without a credential is accepted (oidc-provider follows the new grant types)', async () => {
    expectEntraError((await ropc(SPA.clientId)).body, 'invalid_client', 7000218);
    await patchApp(SPA.clientId, { allowPublicClientFlows: true });
    await portal('POST', `apps/${SPA.clientId}/consents`, { user: adele.oid });
    expect((await ropc(SPA.clientId)).status).toBe(200);
  });
});

describe('client secrets', () => {
  test('a new secret is shown once and works; removed → AADSTS7000215', async () => {
    const created = await portal('POST', `apps/${WEB.clientId}/secrets`, {
      description: 'CI',
      expiresInDays: 90,
    });
    expect(created.status).toBe(201);
    const { id, value, hint, expiresAt } = created.body as Record<string, string>;
    expect(value).toMatch(/^[\w~-]{40}$/);
    expect(hint).toBe(value?.slice(0, 3));
    expect(Date.parse(expiresAt ?? '') - Date.now()).toBeGreaterThan(89 * 24 * 3600 * 1000);
    const listed = (await portal('GET', `apps/${WEB.clientId}/secrets`)).body as unknown as Record<
      string,
      unknown
    >[];
    expect(listed.find((s) => s['id'] === id)).toEqual(
      expect.not.objectContaining({ value: expect.anything() }),
    );

    const ok = await clientCredentials(value ?? '');
    expect(ok.status).toBe(200);
    // A Graph token is v1.0: the credential type is in appidacr (access-token-claims-reference).
    expect(decodeJwt(String(ok.body['access_token']))['appidacr']).toBe('1');
    const basic = `Basic ${Buffer.from(`${WEB.clientId}:${encodeURIComponent(value ?? '')}`).toString('base64')}`;
    expect((await clientCredentials('', { authorization: basic })).status).toBe(200);
    // The secret's id is not its value (Entra's hint in the AADSTS7000215 text).
    expectEntraError((await clientCredentials(id ?? '')).body, 'invalid_client', 7000215);

    const removed = await fetch(`${sandbox.origin}/portal/apps/${WEB.clientId}/secrets/${id ?? ''}`, {
      method: 'DELETE',
    });
    expect(removed.status).toBe(204);
    const refused = await clientCredentials(value ?? '');
    expect(refused.status).toBe(401);
    expectEntraError(refused.body, 'invalid_client', 7000215);
    expect((await clientCredentials(WEB.clientSecret ?? '')).status).toBe(200);
  });

  test('removing the seeded secret makes it AADSTS7000215 too; the portal hides the value from then on', async () => {
    const app = (await portal('GET', `apps/${WEB.clientId}`)).body;
    const [seeded] = app['secrets'] as { id: string }[];
    expect((await portal('DELETE', `apps/${WEB.clientId}/secrets/${seeded?.id ?? ''}`)).status).toBe(204);
    expectEntraError((await clientCredentials(WEB.clientSecret ?? '')).body, 'invalid_client', 7000215);
    expect((await portal('GET', `apps/${WEB.clientId}`)).body).not.toHaveProperty('clientSecret');
  });

  test('a secret on the SPA still gets AADSTS700025 (an SPA is a public client)', async () => {
    const created = await portal('POST', `apps/${SPA.clientId}/secrets`, {});
    expect(created.status).toBe(201);
    const res = await ropc(SPA.clientId, { client_secret: String(created.body['value']) });
    expectEntraError(res.body, 'invalid_client', 700025);
  });
});

describe('consent', () => {
  test('revoked → the consent page returns in the same session, ROPC, refresh and prompt=none get AADSTS65001; granted again → all work', async () => {
    const browser = new Browser(sandbox);
    expect(await interactiveSignIn(browser)).toBe(true);
    expect(await interactiveSignIn(browser)).toBe(false);
    const issued = await ropc();
    expect(issued.status).toBe(200);
    const refreshToken = String(issued.body['refresh_token']);
    const refresh = (): Promise<Json> =>
      tokenRequest(sandbox, {
        client_id: CONSOLE.clientId,
        grant_type: 'refresh_token',
        refresh_token: refreshToken,
      });

    const revoked = await portal(
      'DELETE',
      `apps/${CONSOLE.clientId}/consents/${encodeURIComponent(adele.userPrincipalName)}`,
    );
    expect(revoked.status).toBe(200);
    expect((revoked.body['users'] as { state: string }[])[0]?.state).toBe('revoked');
    expectEntraError((await ropc()).body, 'invalid_grant', 65001);
    expectEntraError((await refresh()).body, 'invalid_grant', 65001);
    const silent = asRedirect(
      await browser.go(
        authorizeUrl({
          client_id: CONSOLE.clientId,
          response_type: 'code',
          scope: 'openid User.Read',
          prompt: 'none',
        }),
      ),
    );
    expect(silent.searchParams.get('error')).toBe('consent_required');
    expect(silent.searchParams.get('error_description')).toMatch(/^AADSTS65001:/);
    expect(await interactiveSignIn(browser)).toBe(true);

    // Accepting the consent page again lifts the revocation.
    expect((await ropc()).status).toBe(200);
    expect((await refresh()).status).toBe(200);

    await portal('DELETE', `apps/${CONSOLE.clientId}/consents/${adele.oid}`);
    expectEntraError((await ropc()).body, 'invalid_grant', 65001);
    const granted = await portal('POST', `apps/${CONSOLE.clientId}/consents`, { user: adele.oid });
    expect((granted.body['users'] as { state: string }[])[0]?.state).toBe('granted');
    expect((await ropc()).status).toBe(200);
    // Consent granted on the portal holds in a new browser session: sign-in, no consent page.
    expect(await interactiveSignIn(new Browser(sandbox))).toBe(false);
  });

  test('admin consent → no consent page for any user in any session; revoked → the page returns', async () => {
    const granted = await portal('POST', `apps/${CONSOLE.clientId}/consents`, { admin: true });
    expect(granted.status).toBe(200);
    expect(granted.body['adminConsent']).toBe(true);
    expect(await interactiveSignIn(new Browser(sandbox))).toBe(false);
    // A user's own revocation does not override admin consent.
    await portal('DELETE', `apps/${CONSOLE.clientId}/consents/${adele.oid}`);
    expect((await ropc()).status).toBe(200);

    const revoked = await portal('DELETE', `apps/${CONSOLE.clientId}/consents/admin`);
    expect(revoked.body['adminConsent']).toBe(false);
    expect(await interactiveSignIn(new Browser(sandbox))).toBe(true);
  });

  test('"Remember consent" on: accepting once covers a new browser session (Entra); off: asked again', async () => {
    expect(await interactiveSignIn(new Browser(sandbox))).toBe(true);
    expect(await interactiveSignIn(new Browser(sandbox))).toBe(true);
    await portal('POST', 'settings', { rememberConsent: true });
    try {
      expect(await interactiveSignIn(new Browser(sandbox))).toBe(true);
      expect(await interactiveSignIn(new Browser(sandbox))).toBe(false);
      const app = (await portal('GET', `apps/${CONSOLE.clientId}`)).body;
      const [user] = (app['consent'] as { users: { state: string; scopes: string[] }[] }).users;
      expect(user?.state).toBe('granted');
      expect(user?.scopes).toContain('https://graph.microsoft.com/User.Read');
    } finally {
      await portal('POST', 'settings', { rememberConsent: false });
    }
  });
});

describe('reset and the portal page', () => {
  test('reset restores the seeded directory', async () => {
    const before = await (await fetch(`${sandbox.origin}/directory.json`)).json();
    await patchApp(SPA.clientId, { platform: 'web', redirectUris: [] });
    await patchApp(CONSOLE.clientId, { allowPublicClientFlows: false });
    await portal('POST', `apps/${WEB.clientId}/secrets`, {});
    await portal('POST', `apps/${CONSOLE.clientId}/consents`, { admin: true });
    const reset = await portal('POST', 'reset');
    expect(reset.status).toBe(200);
    const after = await (await fetch(`${sandbox.origin}/directory.json`)).json();
    const withoutDates = (d: unknown): unknown =>
      JSON.parse(JSON.stringify(d), (k, v: unknown) => (k === 'createdAt' || k === 'expiresAt' ? 0 : v));
    expect(withoutDates(after)).toEqual(withoutDates(before));
    expect(withoutDates(reset.body)).toEqual(withoutDates(before));
  });

  test('every control is labelled; form posts change the app and come back; output is escaped', async () => {
    const html = await (await fetch(`${sandbox.origin}/`)).text();
    const id = SPA.clientId;
    for (const label of [
      `<label class="inline" for="platform-web-${id}">Web</label>`,
      `<label class="inline" for="implicitIdTokens-${id}">ID tokens (used for implicit and hybrid flows)</label>`,
      `<label class="inline" for="allowPublicClientFlows-${id}">Allow public client flows</label>`,
      `<label for="redirect-uri-${id}">Redirect URI</label>`,
      `<label for="secret-description-${id}">Description</label>`,
      `<label for="rememberConsent" style="display:inline">Remember consent per user and app</label>`,
    ]) {
      expect(html).toContain(label);
    }
    expect(html).toContain(`aria-label="Remove redirect URI ${SEEDED_REDIRECT_URI}"`);
    expect(html).toContain('aria-label="Revoke consent for Adele Vance"');
    expect(html).toContain('>Reset to the seeded directory</button>');
    for (const match of html.matchAll(/<input [^>]*id="([^"]+)"/g)) {
      if (!match[0].includes('type="hidden"')) expect(html).toContain(`for="${match[1] ?? ''}"`);
    }

    const form = (path: string, fields: Record<string, string>): Promise<Response> =>
      fetch(`${sandbox.origin}/portal/apps/${id}${path}`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(fields),
      });
    const saved = await form('', { platform: 'web', implicitIdTokens: 'on' });
    expect(saved.status).toBe(303);
    expect(saved.headers.get('location')).toBe(`/#app-${id}`);
    expect((await portal('GET', `apps/${id}`)).body).toMatchObject({
      platform: 'web',
      implicitIdTokens: true,
      implicitAccessTokens: false,
      allowPublicClientFlows: false,
    });

    // No ( ) here: Entra refuses them in redirect URIs (redirect-uri-rules.ts).
    const hostile = 'https://app.example/cb?q=<script>alert`1`</script>';
    expect((await form('/redirect-uris', { uri: hostile })).status).toBe(303);
    const escaped = await (await fetch(`${sandbox.origin}/`)).text();
    expect(escaped).not.toContain('<script>');
    expect(escaped).toContain('&lt;script&gt;alert`1`&lt;/script&gt;');
    const invalid = await form('/redirect-uris', { uri: 'http://app.example/cb' });
    expect(invalid.status).toBe(400);
    expect(await invalid.text()).toContain('role="alert"');

    const secretPage = await form('/secrets', { description: 'From the page', expiresInDays: '30' });
    expect(secretPage.status).toBe(200);
    const text = await secretPage.text();
    const value = /Value: <code>([^<]+)<\/code>/.exec(text)?.[1] ?? '';
    expect(value).toMatch(/^sbx~/);
    expect(text).toContain('role="status"');
    expect(await (await fetch(`${sandbox.origin}/`)).text()).not.toContain(value);

    const consent = await form('/consents', { user: adele.userPrincipalName });
    expect(consent.status).toBe(303);
    const reset = await fetch(`${sandbox.origin}/portal/reset`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(reset.status).toBe(303);
  });
});
