/**
 * Introspection, revocation, userinfo and logout at the standards issuer, beyond the basics of
 * token-management.test.ts: what an inactive answer may say, which client may see or revoke which
 * token, what revoking a refresh token takes with it, and the logout request's client checks. These are
 * the behaviours the token management page teaches, checked over HTTP against the real provider.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  APP_ORIGIN,
  authorizeUrl,
  basicHeader,
  Browser,
  discover,
  formAction,
  postForm,
  REDIRECT_URI,
  secretOf,
  signInAt,
  startStandardSandbox,
  type TestSandbox,
} from './test-support.ts';

let sandbox: TestSandbox;
let doc: Record<string, unknown>;
beforeAll(async () => {
  sandbox = await startStandardSandbox();
  doc = await discover(sandbox);
});
afterAll(() => sandbox.stop());

const endpoint = (name: string): string => String(doc[name]);
const basic = basicHeader('standard-basic', secretOf('standard-basic'));

/** Signs Adele in to the public standard-spa (offline_access needs prompt=consent) and redeems the code. */
async function spaTokens(browser = new Browser(sandbox)): Promise<Record<string, string>> {
  const { url, verifier } = await authorizeUrl(sandbox, 'standard-spa', { prompt: 'consent' });
  const back = await signInAt(browser, url);
  const token = await postForm(
    endpoint('token_endpoint'),
    {
      grant_type: 'authorization_code',
      client_id: 'standard-spa',
      code: back.searchParams.get('code') ?? '',
      redirect_uri: REDIRECT_URI,
      code_verifier: verifier,
    },
    { origin: APP_ORIGIN },
  );
  expect(token.status).toBe(200);
  expect(typeof token.body['refresh_token']).toBe('string');
  return token.body as Record<string, string>;
}

/** Introspects as the public client (client_id only), as the token management page does for it. */
function introspectAsSpa(token: string, hint?: string) {
  return postForm(
    endpoint('introspection_endpoint'),
    { token, client_id: 'standard-spa', ...(hint === undefined ? {} : { token_type_hint: hint }) },
    { origin: APP_ORIGIN },
  );
}

function revokeAsSpa(token: string, hint?: string) {
  return postForm(
    endpoint('revocation_endpoint'),
    { token, client_id: 'standard-spa', ...(hint === undefined ? {} : { token_type_hint: hint }) },
    { origin: APP_ORIGIN },
  );
}

function refreshAsSpa(refreshToken: string) {
  return postForm(endpoint('token_endpoint'), {
    grant_type: 'refresh_token',
    client_id: 'standard-spa',
    refresh_token: refreshToken,
  });
}

function userinfo(accessToken: string, method: 'GET' | 'POST' = 'GET') {
  return fetch(endpoint('userinfo_endpoint'), {
    method,
    headers: { authorization: `Bearer ${accessToken}` },
  });
}

describe('RFC 7662 introspection: what an answer says, and to whom', () => {
  test('§2.2: an active access token, by its own public client, with the members the page explains', async () => {
    const tokens = await spaTokens();
    const answer = await introspectAsSpa(tokens['access_token'] ?? '', 'access_token');
    expect(answer.status).toBe(200);
    // CORS is open, so the page can ask from the browser.
    expect(answer.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    expect(answer.body).toMatchObject({
      active: true,
      client_id: 'standard-spa',
      sub: expect.any(String),
      scope: expect.stringContaining('openid'),
      iss: `${sandbox.origin}/standard`,
      token_type: 'Bearer',
    });
    expect(typeof answer.body['exp']).toBe('number');
    expect(typeof answer.body['iat']).toBe('number');
  });

  test('§2.2: a token the server never issued is { active: false } and nothing more', async () => {
    const answer = await postForm(
      endpoint('introspection_endpoint'),
      { token: 'never-issued-by-this-server' },
      { authorization: basic },
    );
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ active: false });
  });

  test('§4: a public client cannot read another client’s token: it is told only “inactive”', async () => {
    const cc = await postForm(
      endpoint('token_endpoint'),
      { grant_type: 'client_credentials' },
      { authorization: basic },
    );
    expect(cc.status).toBe(200);
    const token = String(cc.body['access_token']);
    expect((await introspectAsSpa(token)).body).toEqual({ active: false });
    // Its own client still sees it active: the answer depends on who asks.
    const own = await postForm(endpoint('introspection_endpoint'), { token }, { authorization: basic });
    expect(own.body).toMatchObject({ active: true, client_id: 'standard-basic' });
  });

  test('a JWT access token for the API (RFC 9068) is not kept by this server: introspection says inactive', async () => {
    // oidc-provider stores opaque tokens only; a self-contained JWT is checked by the API itself (its
    // signature, iss, aud, exp), so revoking or introspecting it here changes nothing.
    const cc = await postForm(
      endpoint('token_endpoint'),
      { grant_type: 'client_credentials', scope: 'api.read', resource: `${sandbox.origin}/standard/api` },
      { authorization: basic },
    );
    expect(cc.status).toBe(200);
    const token = String(cc.body['access_token']);
    expect(token.split('.')).toHaveLength(3);
    const own = await postForm(endpoint('introspection_endpoint'), { token }, { authorization: basic });
    expect(own.body).toEqual({ active: false });
  });

  test('§2.1: token_type_hint is only a hint — a refresh token sent as “access_token” is still found', async () => {
    const tokens = await spaTokens();
    const answer = await introspectAsSpa(tokens['refresh_token'] ?? '', 'access_token');
    expect(answer.body).toMatchObject({ active: true, client_id: 'standard-spa' });
  });
});

describe('RFC 7009 revocation: what it takes with it', () => {
  test('§2.1: revoking the refresh token ends its grant — access token inactive, UserInfo and refresh refused', async () => {
    const tokens = await spaTokens();
    const access = tokens['access_token'] ?? '';
    const refresh = tokens['refresh_token'] ?? '';
    expect((await userinfo(access)).status).toBe(200);

    const revoked = await revokeAsSpa(refresh, 'refresh_token');
    expect(revoked.status).toBe(200);
    expect(revoked.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);

    expect((await introspectAsSpa(refresh)).body).toEqual({ active: false });
    // RFC 7009 §2.1: the server SHOULD also invalidate the access tokens of the same grant; this one does.
    expect((await introspectAsSpa(access)).body).toEqual({ active: false });
    const info = await userinfo(access);
    expect(info.status).toBe(401);
    expect(info.headers.get('www-authenticate')).toMatch(/^Bearer .*error="invalid_token"/);
    const again = await refreshAsSpa(refresh);
    expect(again.status).toBe(400);
    expect(again.body['error']).toBe('invalid_grant');
  });

  test('§2.1: revoking only the access token leaves the refresh token working', async () => {
    const tokens = await spaTokens();
    expect((await revokeAsSpa(tokens['access_token'] ?? '', 'access_token')).status).toBe(200);
    expect((await introspectAsSpa(tokens['access_token'] ?? '')).body).toEqual({ active: false });
    const refreshed = await refreshAsSpa(tokens['refresh_token'] ?? '');
    expect(refreshed.status).toBe(200);
    expect(typeof refreshed.body['access_token']).toBe('string');
  });

  test('§2.1: a client may not revoke a token issued to another client; the token stays active', async () => {
    const tokens = await spaTokens();
    const refused = await postForm(
      endpoint('revocation_endpoint'),
      { token: tokens['refresh_token'] ?? '', token_type_hint: 'refresh_token' },
      { authorization: basic },
    );
    expect(refused.status).toBe(400);
    expect(refused.body['error']).toBe('invalid_request');
    expect((await introspectAsSpa(tokens['refresh_token'] ?? '')).body).toMatchObject({ active: true });
  });

  test('§2.2: revoking twice is fine — the second answer is the same 200', async () => {
    const tokens = await spaTokens();
    expect((await revokeAsSpa(tokens['access_token'] ?? '')).status).toBe(200);
    expect((await revokeAsSpa(tokens['access_token'] ?? '')).status).toBe(200);
  });

  test('§2.1: revocation that names no client is refused (invalid_request)', async () => {
    const tokens = await spaTokens();
    const refused = await postForm(endpoint('revocation_endpoint'), { token: tokens['access_token'] ?? '' });
    expect(refused.status).toBe(400);
    expect(refused.body['error']).toBe('invalid_request');
  });
});

describe('UserInfo (OIDC Core §5.3)', () => {
  test('§5.3.1: POST works like GET, with the token in the Authorization header', async () => {
    const tokens = await spaTokens();
    const answer = await userinfo(tokens['access_token'] ?? '', 'POST');
    expect(answer.status).toBe(200);
    const claims = (await answer.json()) as Record<string, unknown>;
    expect(claims).toMatchObject({ sub: expect.any(String), email: expect.stringContaining('@') });
  });
});

describe('RP-initiated logout: the client checks (RP-Initiated Logout §2)', () => {
  test('client_id alone is enough to be sent back to a registered post_logout_redirect_uri, with the state', async () => {
    const browser = new Browser(sandbox);
    await spaTokens(browser);
    const query = new URLSearchParams({
      client_id: 'standard-spa',
      post_logout_redirect_uri: `${APP_ORIGIN}/callback`,
      state: 'bye-2',
    });
    const page = await browser.go(`${endpoint('end_session_endpoint')}?${query}`);
    if ('redirectedTo' in page) throw new Error(`expected the logout page, went to ${page.redirectedTo}`);
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(page.html)?.[1] ?? '';
    const done = await browser.go(formAction(page), { xsrf, logout: 'yes' });
    if (!('redirectedTo' in done)) throw new Error('expected a redirect back to the app');
    const back = new URL(done.redirectedTo);
    expect(`${back.origin}${back.pathname}`).toBe(`${APP_ORIGIN}/callback`);
    expect(back.searchParams.get('state')).toBe('bye-2');
  });

  test('OIDC Core §11: a refresh token granted with offline_access outlives the logout', async () => {
    const browser = new Browser(sandbox);
    const tokens = await spaTokens(browser);
    const query = new URLSearchParams({
      id_token_hint: tokens['id_token'] ?? '',
      post_logout_redirect_uri: `${APP_ORIGIN}/callback`,
      state: 'bye-3',
    });
    const page = await browser.go(`${endpoint('end_session_endpoint')}?${query}`);
    if ('redirectedTo' in page) throw new Error(`expected the logout page, went to ${page.redirectedTo}`);
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(page.html)?.[1] ?? '';
    const done = await browser.go(formAction(page), { xsrf, logout: 'yes' });
    expect('redirectedTo' in done).toBe(true);
    const refreshed = await refreshAsSpa(tokens['refresh_token'] ?? '');
    expect(refreshed.status).toBe(200);
  });

  test('an id_token_hint whose audience is not the client_id sent with it is refused', async () => {
    const browser = new Browser(sandbox);
    const tokens = await spaTokens(browser);
    const query = new URLSearchParams({
      id_token_hint: tokens['id_token'] ?? '',
      client_id: 'standard-basic',
      post_logout_redirect_uri: `${APP_ORIGIN}/callback`,
    });
    const page = await browser.go(`${endpoint('end_session_endpoint')}?${query}`);
    if ('redirectedTo' in page) throw new Error(`redirected to ${page.redirectedTo}`);
    expect(page.status).toBe(400);
  });

  test('refusing to sign out (“No, stay signed in”) keeps the session', async () => {
    const browser = new Browser(sandbox);
    const tokens = await spaTokens(browser);
    const query = new URLSearchParams({
      id_token_hint: tokens['id_token'] ?? '',
      post_logout_redirect_uri: `${APP_ORIGIN}/callback`,
      state: 'stay',
    });
    const page = await browser.go(`${endpoint('end_session_endpoint')}?${query}`);
    if ('redirectedTo' in page) throw new Error(`redirected to ${page.redirectedTo}`);
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(page.html)?.[1] ?? '';
    await browser.go(formAction(page), { xsrf });
    // Still signed in: a new authorization does not ask for the password.
    const { url } = await authorizeUrl(sandbox, 'standard-spa');
    const again = await browser.go(url);
    expect('redirectedTo' in again || !again.html.includes('name="password"')).toBe(true);
  });
});
