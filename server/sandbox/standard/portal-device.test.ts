import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  ADELE,
  Browser,
  endpointOf,
  formAction,
  postForm,
  startStandardSandbox,
  type TestSandbox,
} from './test-support.ts';

let sandbox: TestSandbox;
beforeAll(async () => {
  sandbox = await startStandardSandbox();
});
afterAll(() => sandbox.stop());

describe('standards portal', () => {
  test('the tenant portal links to the standards portal, which lists clients, users and settings', async () => {
    const main = await (await fetch(`${sandbox.origin}/`)).text();
    expect(main).toContain('href="/standard/portal"');
    const res = await fetch(`${sandbox.origin}/standard/portal`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<html lang="en">');
    for (const id of [
      'standard-basic',
      'standard-post',
      'standard-jwt',
      'standard-private-key',
      'standard-spa',
    ]) {
      expect(html).toContain(id);
    }
    expect(html).toContain('Sandbox-Adele-1');
    expect(html).toContain('DPoP nonce required: on');
    expect(html).not.toMatch(/<script/i);
  });

  test('the settings API changes the runtime settings and refuses bad values', async () => {
    const url = `${sandbox.origin}/standard/portal/api/settings`;
    const bad = await fetch(url, {
      method: 'POST',
      body: JSON.stringify({ parRequestUriLifetimeSeconds: 600 }),
    });
    expect(bad.status).toBe(400);
    const ok = await fetch(url, {
      method: 'POST',
      headers: { origin: 'http://localhost:47173' },
      body: JSON.stringify({ dpopNonceRequired: false }),
    });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe('http://localhost:47173');
    expect(await ok.json()).toMatchObject({ dpopNonceRequired: false });
    expect(sandbox.standard.settings.dpopNonceRequired).toBe(false);
    await fetch(url, { method: 'POST', body: JSON.stringify({ dpopNonceRequired: true }) });
  });

  test('the jwks API refuses a client that is not seeded and keys that are not JWKs', async () => {
    const base = `${sandbox.origin}/standard/portal/api/clients`;
    const unknown = await fetch(`${base}/nobody/jwks`, { method: 'POST', body: '{"keys":[]}' });
    expect(unknown.status).toBe(404);
    const notJwk = await fetch(`${base}/standard-private-key/jwks`, {
      method: 'POST',
      body: JSON.stringify({ keys: [{ x: 'no kty' }] }),
    });
    expect(notJwk.status).toBe(400);
    const symmetric = await fetch(`${base}/standard-private-key/jwks`, {
      method: 'POST',
      body: JSON.stringify({ keys: [{ kty: 'oct', k: 'c2VjcmV0' }] }),
    });
    expect(symmetric.status).toBe(400);
    expect(((await symmetric.json()) as Record<string, string>)['error_description']).toContain('k');
  });
});

describe('RFC 8628 device authorization grant at the standards issuer', () => {
  test('§3.1-§3.5: the device polls, the user enters the code and signs in, the device gets its tokens', async () => {
    const tokenEndpoint = await endpointOf(sandbox, 'token_endpoint');
    const started = await postForm(await endpointOf(sandbox, 'device_authorization_endpoint'), {
      client_id: 'standard-spa',
      scope: 'openid profile',
    });
    expect(started.status).toBe(200);
    const poll = (): ReturnType<typeof postForm> =>
      postForm(tokenEndpoint, {
        grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
        device_code: String(started.body['device_code']),
        client_id: 'standard-spa',
      });
    expect((await poll()).body['error']).toBe('authorization_pending');

    const browser = new Browser(sandbox);
    const codePage = await browser.go(String(started.body['verification_uri']));
    if ('redirectedTo' in codePage) throw new Error('expected the code page');
    expect(codePage.html).toContain('<label for="user_code">');
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(codePage.html)?.[1] ?? '';
    let page = await browser.go(formAction(codePage), {
      xsrf,
      confirm: 'yes',
      user_code: String(started.body['user_code']),
    });
    if ('redirectedTo' in page) throw new Error(`left the sandbox for ${page.redirectedTo}`);
    page = await browser.go(formAction(page), ADELE);
    if ('redirectedTo' in page) throw new Error(`left the sandbox for ${page.redirectedTo}`);
    page = await browser.go(formAction(page), { action: 'accept' });
    if ('redirectedTo' in page) throw new Error(`left the sandbox for ${page.redirectedTo}`);
    expect(page.html).toContain('signed in');

    const done = await poll();
    expect(done.status).toBe(200);
    expect(typeof done.body['id_token']).toBe('string');
  });
});
