import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  ADELE,
  APP_ORIGIN,
  authorizeUrl,
  Browser,
  codeFor,
  endpointOf,
  postForm,
  REDIRECT_URI,
  secretOf,
  signInAt,
  startStandardSandbox,
  type TestSandbox,
} from './test-support.ts';

let sandbox: TestSandbox;
beforeAll(async () => {
  sandbox = await startStandardSandbox();
});
afterAll(() => sandbox.stop());

describe('authorization code flow at the standards issuer', () => {
  test('RFC 6749 §4.1 + RFC 7636: the public client signs in, consents and redeems its code with PKCE', async () => {
    // OIDC Core §11: offline_access (a refresh token) is granted only with prompt=consent.
    const { code, verifier } = await codeFor(sandbox, 'standard-spa', { prompt: 'consent' });
    const token = await postForm(
      await endpointOf(sandbox, 'token_endpoint'),
      {
        grant_type: 'authorization_code',
        client_id: 'standard-spa',
        code,
        redirect_uri: REDIRECT_URI,
        code_verifier: verifier,
      },
      { origin: APP_ORIGIN },
    );
    expect(token.status).toBe(200);
    // A browser may redeem it: CORS is open on the token endpoint.
    expect(token.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    expect(token.body).toMatchObject({ token_type: 'Bearer', scope: expect.stringContaining('openid') });
    expect(typeof token.body['refresh_token']).toBe('string');
    const idToken = decodeJwt(String(token.body['id_token']));
    expect(idToken).toMatchObject({
      iss: `${sandbox.origin}/standard`,
      aud: 'standard-spa',
      sub: '3a8f2c61-5d4e-4b79-9f10-6c2e8a7d5b31',
      nonce: 'n-1',
    });
    // OIDC Core §5.4: with an access token issued, profile and email claims come from userinfo.
    expect(idToken).not.toHaveProperty('email');
    expect(decodeProtectedHeader(String(token.body['id_token'])).alg).toBe('RS256');
  });

  test('RFC 9207: the authorization response carries iss and the state', async () => {
    const { url } = await authorizeUrl(sandbox, 'standard-spa');
    const back = await signInAt(new Browser(sandbox), url);
    expect(`${back.origin}${back.pathname}`).toBe(REDIRECT_URI);
    expect(back.searchParams.get('iss')).toBe(`${sandbox.origin}/standard`);
    expect(back.searchParams.get('state')).toBe('st-1');
  });

  test('RFC 7636 §4.4.1: a public client without PKCE is refused', async () => {
    const { url } = await authorizeUrl(sandbox, 'standard-spa');
    const bare = new URL(url);
    bare.searchParams.delete('code_challenge');
    bare.searchParams.delete('code_challenge_method');
    const back = await new Browser(sandbox).go(bare.href);
    if (!('redirectedTo' in back)) throw new Error('expected a redirect');
    const target = new URL(back.redirectedTo);
    expect(target.searchParams.get('error')).toBe('invalid_request');
    expect(target.searchParams.get('error_description')).toMatch(/PKCE|code_challenge/);
  });

  test('RFC 7636 §4.6: a wrong code_verifier is invalid_grant', async () => {
    const { code } = await codeFor(sandbox, 'standard-spa');
    const token = await postForm(await endpointOf(sandbox, 'token_endpoint'), {
      grant_type: 'authorization_code',
      client_id: 'standard-spa',
      code,
      redirect_uri: REDIRECT_URI,
      code_verifier: 'x'.repeat(43),
    });
    expect(token.status).toBe(400);
    expect(token.body['error']).toBe('invalid_grant');
  });

  test('RFC 6749 §3.1.2.3: a redirect URI on another path is refused with a page, not a redirect', async () => {
    const { url } = await authorizeUrl(sandbox, 'standard-spa', {
      redirect_uri: 'http://localhost:47173/elsewhere',
    });
    const page = await new Browser(sandbox).go(url);
    if ('redirectedTo' in page) throw new Error(`redirected to ${page.redirectedTo}`);
    expect(page.status).toBe(400);
    expect(page.html).toContain('redirect_uri');
  });

  test('RFC 6749 §4.1.2.1: denying consent returns access_denied', async () => {
    const { url } = await authorizeUrl(sandbox, 'standard-post');
    const back = await signInAt(new Browser(sandbox), url, ADELE, 'deny');
    expect(back.searchParams.get('error')).toBe('access_denied');
  });

  test('a wrong password shows the sign-in page again with an error', async () => {
    const { url } = await authorizeUrl(sandbox, 'standard-spa');
    const browser = new Browser(sandbox);
    const page = await browser.go(url);
    if ('redirectedTo' in page) throw new Error('expected the sign-in page');
    const action = new URL(/action="([^"]+)"/.exec(page.html)![1]!, page.url).href;
    const again = await browser.go(action, { username: ADELE.username, password: 'wrong' });
    if ('redirectedTo' in again) throw new Error('expected the sign-in page again');
    expect(again.html).toContain('role="alert"');
    expect(again.html).toContain('Wrong username or password');
  });

  test('RFC 8707: with resource the code gives an RFC 9068 JWT for the API; without it an opaque token', async () => {
    const resource = `${sandbox.origin}/standard/api`;
    const { code, verifier } = await codeFor(sandbox, 'standard-post', {
      scope: 'openid profile api.read',
      resource,
    });
    const tokenEndpoint = await endpointOf(sandbox, 'token_endpoint');
    const credentials = { client_id: 'standard-post', client_secret: secretOf('standard-post') };
    const api = await postForm(tokenEndpoint, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT_URI,
      code_verifier: verifier,
      resource,
      ...credentials,
    });
    expect(api.status).toBe(200);
    const at = String(api.body['access_token']);
    expect(decodeProtectedHeader(at).typ).toBe('at+jwt');
    expect(decodeJwt(at)).toMatchObject({
      iss: `${sandbox.origin}/standard`,
      aud: resource,
      scope: 'api.read',
      client_id: 'standard-post',
      sub: '3a8f2c61-5d4e-4b79-9f10-6c2e8a7d5b31',
    });

    const second = await codeFor(sandbox, 'standard-post', { scope: 'openid profile' });
    const userinfo = await postForm(tokenEndpoint, {
      grant_type: 'authorization_code',
      code: second.code,
      redirect_uri: REDIRECT_URI,
      code_verifier: second.verifier,
      ...credentials,
    });
    expect(userinfo.status).toBe(200);
    expect(String(userinfo.body['access_token']).split('.')).toHaveLength(1);
  });
});
