import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  ADELE,
  APP_ORIGIN,
  authorizeUrl,
  basicHeader,
  BASIC_CLIENT_SECRET,
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

const postCredentials = { client_id: 'standard-post', client_secret: secretOf('standard-post') };
const endpoint = (name: string): string => String(doc[name]);

/** Signs Adele in to standard-post (with offline_access) and redeems the code. */
async function tokensFor(browser = new Browser(sandbox)): Promise<Record<string, unknown>> {
  const { url, verifier } = await authorizeUrl(sandbox, 'standard-post', { prompt: 'consent' });
  const back = await signInAt(browser, url);
  const token = await postForm(endpoint('token_endpoint'), {
    grant_type: 'authorization_code',
    code: back.searchParams.get('code') ?? '',
    redirect_uri: REDIRECT_URI,
    code_verifier: verifier,
    ...postCredentials,
  });
  expect(token.status).toBe(200);
  return token.body;
}

describe('RFC 7662 introspection and RFC 7009 revocation', () => {
  test('§2.2: an issued refresh token is active; after revocation it is not', async () => {
    const tokens = await tokensFor();
    const refresh = String(tokens['refresh_token']);
    const before = await postForm(
      endpoint('introspection_endpoint'),
      { token: refresh, ...postCredentials },
      { origin: APP_ORIGIN },
    );
    expect(before.status).toBe(200);
    expect(before.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    expect(before.body).toMatchObject({
      active: true,
      client_id: 'standard-post',
      scope: expect.stringContaining('offline_access'),
      sub: '3a8f2c61-5d4e-4b79-9f10-6c2e8a7d5b31',
      iss: `${sandbox.origin}/standard`,
    });
    const access = await postForm(endpoint('introspection_endpoint'), {
      token: String(tokens['access_token']),
      token_type_hint: 'access_token',
      ...postCredentials,
    });
    expect(access.body).toMatchObject({ active: true, token_type: 'Bearer' });

    const revoked = await postForm(endpoint('revocation_endpoint'), {
      token: refresh,
      token_type_hint: 'refresh_token',
      ...postCredentials,
    });
    expect(revoked.status).toBe(200);
    const after = await postForm(endpoint('introspection_endpoint'), { token: refresh, ...postCredentials });
    expect(after.body).toEqual({ active: false });
    // RFC 6749 §6: the revoked refresh token no longer works.
    const refreshed = await postForm(endpoint('token_endpoint'), {
      grant_type: 'refresh_token',
      refresh_token: refresh,
      ...postCredentials,
    });
    expect(refreshed.body['error']).toBe('invalid_grant');
  });

  test('§2.1: introspection with a wrong client secret is refused', async () => {
    const tokens = await tokensFor();
    const res = await postForm(endpoint('introspection_endpoint'), {
      token: String(tokens['access_token']),
      client_id: 'standard-post',
      client_secret: 'wrong',
    });
    expect(res.status).toBe(401);
    expect(res.body['error']).toBe('invalid_client');
  });

  test('another confidential client may introspect (a resource server would), with client_secret_basic', async () => {
    const tokens = await tokensFor();
    const res = await postForm(
      endpoint('introspection_endpoint'),
      { token: String(tokens['access_token']) },
      { authorization: basicHeader('standard-basic', BASIC_CLIENT_SECRET) },
    );
    expect(res.status).toBe(200);
    expect(res.body['active']).toBe(true);
  });

  test('RFC 7009 §2.2: revoking an unknown token answers 200', async () => {
    const res = await postForm(endpoint('revocation_endpoint'), {
      token: 'no-such-token',
      ...postCredentials,
    });
    expect(res.status).toBe(200);
  });
});

describe('userinfo (OIDC Core §5.3)', () => {
  test('the opaque access token gives the profile and email claims', async () => {
    const tokens = await tokensFor();
    const res = await fetch(endpoint('userinfo_endpoint'), {
      headers: { authorization: `Bearer ${String(tokens['access_token'])}`, origin: APP_ORIGIN },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    expect(await res.json()).toMatchObject({
      sub: '3a8f2c61-5d4e-4b79-9f10-6c2e8a7d5b31',
      name: 'Adele Vance',
      given_name: 'Adele',
      family_name: 'Vance',
      preferred_username: ADELE.username,
      email: ADELE.username,
    });
  });

  test('RFC 6750 §3.1: a bad token is invalid_token in WWW-Authenticate', async () => {
    const res = await fetch(endpoint('userinfo_endpoint'), { headers: { authorization: 'Bearer nope' } });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
  });
});

describe('RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0)', () => {
  test('§2-§3: confirming on the logout page ends the session and returns to post_logout_redirect_uri with state', async () => {
    const browser = new Browser(sandbox);
    const tokens = await tokensFor(browser);
    const query = new URLSearchParams({
      id_token_hint: String(tokens['id_token']),
      post_logout_redirect_uri: `${APP_ORIGIN}/`,
      state: 'bye-1',
    });
    const page = await browser.go(`${endpoint('end_session_endpoint')}?${query}`);
    if ('redirectedTo' in page) throw new Error(`expected the logout page, went to ${page.redirectedTo}`);
    expect(page.html).toContain('Yes, sign me out');
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(page.html)?.[1] ?? '';
    const done = await browser.go(formAction(page), { xsrf, logout: 'yes' });
    if (!('redirectedTo' in done)) throw new Error('expected a redirect back to the app');
    const back = new URL(done.redirectedTo);
    expect(`${back.origin}${back.pathname}`).toBe(`${APP_ORIGIN}/`);
    expect(back.searchParams.get('state')).toBe('bye-1');
    // The session is gone: a new authorization asks for the password again.
    const { url } = await authorizeUrl(sandbox, 'standard-post');
    const again = await browser.go(url);
    expect('html' in again && again.html.includes('name="password"')).toBe(true);
  });

  test('a post_logout_redirect_uri that is not registered is refused', async () => {
    const browser = new Browser(sandbox);
    const tokens = await tokensFor(browser);
    const query = new URLSearchParams({
      id_token_hint: String(tokens['id_token']),
      post_logout_redirect_uri: 'http://localhost:47173/elsewhere',
    });
    const page = await browser.go(`${endpoint('end_session_endpoint')}?${query}`);
    if ('redirectedTo' in page) throw new Error(`redirected to ${page.redirectedTo}`);
    expect(page.status).toBe(400);
    expect(page.html).toContain('post_logout_redirect_uri');
  });
});
