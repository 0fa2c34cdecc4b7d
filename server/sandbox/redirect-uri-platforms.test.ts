/**
 * Redirect URIs per platform: custom schemes (`myapp://auth`, `msal<client id>://auth`) only on "Mobile and
 * desktop applications" (https://learn.microsoft.com/entra/identity-platform/how-to-add-redirect-uri), every
 * refusal of https://learn.microsoft.com/entra/identity-platform/reply-url kept on every platform.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { acceptsCustomSchemes, redirectUriProblem } from './redirect-uri-rules.ts';
import type { Platform } from './seed.ts';
import {
  asRedirect,
  Browser,
  CONSOLE,
  endpoint,
  formAction,
  generatePkce,
  SPA,
  startTestSandbox,
  WEB,
  type TestSandbox,
} from './test-support.ts';

const PLATFORMS: readonly Platform[] = ['web', 'spa', 'publicClient'];

/** Entra's rules, written independently of the code: the reply-url page plus the platform page. */
function entraWouldAccept(uri: string, platform: Platform): boolean {
  if (uri.length === 0 || uri.length > 256) return false;
  if (
    /[#*!$'(),;\s]/.test(uri) ||
    [...uri].some((c) => c.charCodeAt(0) < 0x20 || (c.charCodeAt(0) >= 0x7f && c.charCodeAt(0) <= 0x9f))
  )
    return false;
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return false;
  }
  if (url.username || url.password || /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(uri)) return false;
  if (url.protocol === 'https:') return true;
  if (url.protocol === 'http:') return url.hostname === 'localhost' || url.hostname === '127.0.0.1';
  if (platform !== 'publicClient') return false;
  const scheme = url.protocol.slice(0, -1);
  return (
    !['javascript', 'data', 'vbscript', 'file', 'about', 'blob'].includes(scheme) &&
    uri.length > scheme.length + 1
  );
}

/** RFC 8252 §7.1 private-use schemes: reverse domain names, `msal<guid>`, `msauth.<bundle>`. */
const customScheme = fc
  .oneof(
    fc
      .array(fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/), { minLength: 1, maxLength: 4 })
      .map((parts) => parts.join('.')),
    fc.uuid().map((id) => `msal${id}`),
    fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/).map((bundle) => `msauth.com.example.${bundle}`),
  )
  .filter(
    (s) => !['http', 'https', 'javascript', 'data', 'file', 'about', 'blob', 'ftp', 'ws', 'wss'].includes(s),
  );
const customUri = fc
  .tuple(customScheme, fc.constantFrom('://auth', ':/oauth2redirect', '://callback/path', ':/cb?x=1'))
  .map(([scheme, rest]) => `${scheme}${rest}`);

describe('redirect URI rules per platform (generated)', () => {
  test('a custom-scheme URI: accepted on mobile and desktop, refused on Web and SPA with the platform named', () => {
    fc.assert(
      fc.property(customUri, (uri) => {
        expect(redirectUriProblem(uri, 'publicClient'), uri).toBeUndefined();
        for (const platform of ['web', 'spa'] as const) {
          expect(redirectUriProblem(uri, platform), uri).toMatch(/Mobile and desktop applications/);
        }
      }),
    );
    expect(acceptsCustomSchemes('publicClient')).toBe(true);
    expect(acceptsCustomSchemes('spa')).toBe(false);
  });

  test('on every platform, every URI the sandbox accepts is one Entra would accept there', () => {
    const anything = fc.oneof(
      fc.string(),
      customUri,
      fc.tuple(customUri, fc.string({ maxLength: 8 })).map(([u, x]) => `${u}${x}`),
      fc.tuple(customScheme, fc.string({ maxLength: 12 })).map(([s, x]) => `${s}:${x}`),
      fc.webUrl({ withFragments: true, withQueryParameters: true, validSchemes: ['http', 'https', 'ftp'] }),
      fc.constantFrom(
        'javascript:alert(1)',
        'data:text/html,x',
        'file:///etc/passwd',
        'about:blank',
        'myapp:',
      ),
    );
    fc.assert(
      fc.property(anything, fc.constantFrom(...PLATFORMS), (uri, platform) => {
        if (redirectUriProblem(uri, platform) === undefined)
          expect(entraWouldAccept(uri, platform), uri).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  test('the refusals Entra makes everywhere hold for custom schemes too', () => {
    fc.assert(
      fc.property(
        customUri,
        fc.constantFrom('#frag', '*', ' x', "'", ';x', '(x)', '!', '$', ',', '\u0000'),
        (uri, bad) => {
          const problem = redirectUriProblem(`${uri}${bad}`, 'publicClient');
          expect(problem, `${uri}${bad}`).toEqual(expect.any(String));
        },
      ),
    );
    expect(redirectUriProblem(`myapp://${'a'.repeat(250)}`, 'publicClient')).toMatch(/256/);
    expect(redirectUriProblem('myapp://user@auth', 'publicClient')).toMatch(/user name/);
    for (const uri of ['javascript:alert', 'data:text/html', 'file:///tmp/x', 'about:blank', 'blob:x'])
      expect(redirectUriProblem(uri, 'publicClient'), uri).toMatch(/browser handles it itself/);
    expect(redirectUriProblem('myapp:', 'publicClient')).toMatch(/needs a path/);
    // http beyond localhost and [::1] stay refused on the mobile and desktop platform as well.
    expect(redirectUriProblem('http://app.example/cb', 'publicClient')).toMatch(/localhost/);
    expect(redirectUriProblem('http://[::1]:1337/', 'publicClient')).toMatch(/::1/);
  });
});

let sandbox: TestSandbox;
beforeAll(async () => {
  sandbox = await startTestSandbox();
});
afterAll(async () => {
  await sandbox.stop();
});

async function addRedirectUri(clientId: string, uri: string): Promise<Response> {
  return fetch(`${sandbox.origin}/portal/apps/${clientId}/redirect-uris`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ uri }),
  });
}

describe('over HTTP: registration and the authorization endpoint', () => {
  test('msal<client id>://auth on the console app: registered, and a sign-in comes back to it with a code', async () => {
    const uri = `msal${CONSOLE.clientId}://auth`;
    expect((await addRedirectUri(CONSOLE.clientId, uri)).status).toBeLessThan(300);
    const pkce = generatePkce();
    const browser = new Browser(sandbox);
    const query = new URLSearchParams({
      client_id: CONSOLE.clientId,
      response_type: 'code',
      redirect_uri: uri,
      scope: 'openid User.Read',
      state: 's-1',
      code_challenge: pkce.challenge,
      code_challenge_method: 'S256',
    });
    let result = await browser.go(`${endpoint(sandbox, '/oauth2/v2.0/authorize')}?${query}`);
    if (!('redirectedTo' in result) && result.html.includes('name="password"')) {
      result = await browser.go(formAction(result), {
        username: 'adele@flowlab-sandbox.onmicrosoft.com',
        password: 'Sandbox-Adele-1',
      });
    }
    if (!('redirectedTo' in result) && result.html.includes('name="action"')) {
      result = await browser.go(formAction(result), { action: 'accept' });
    }
    const back = asRedirect(result);
    expect(back.protocol).toBe(`msal${CONSOLE.clientId}:`);
    expect(back.searchParams.get('code')).toBeTruthy();
    expect(back.searchParams.get('state')).toBe('s-1');
  });

  test('custom schemes on Web and SPA are refused with the platform rule, at registration and at authorize', async () => {
    for (const app of [WEB, SPA]) {
      const res = await addRedirectUri(app.clientId, 'myapp://auth');
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error_description: string }).error_description).toMatch(
        /Mobile and desktop applications/,
      );
    }
    const query = new URLSearchParams({
      client_id: SPA.clientId,
      response_type: 'code',
      redirect_uri: 'myapp://auth',
      scope: 'openid',
      code_challenge: generatePkce().challenge,
      code_challenge_method: 'S256',
    });
    const res = await fetch(`${endpoint(sandbox, '/oauth2/v2.0/authorize')}?${query}`, {
      redirect: 'manual',
    });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('AADSTS50011');
    expect(html).toContain('Mobile and desktop applications');
  });

  test('an app with a custom-scheme URI cannot move off the mobile and desktop platform until it is removed', async () => {
    const uri = 'com.example.flowlab:/oauth2redirect';
    expect((await addRedirectUri(CONSOLE.clientId, uri)).status).toBeLessThan(300);
    const moved = await fetch(`${sandbox.origin}/portal/apps/${CONSOLE.clientId}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ platform: 'spa' }),
    });
    expect(moved.status).toBe(400);
    expect(((await moved.json()) as { error_description: string }).error_description).toMatch(
      /single-page application platform must use https/,
    );
    const removed = await fetch(
      `${sandbox.origin}/portal/apps/${CONSOLE.clientId}/redirect-uris/${encodeURIComponent(uri)}`,
      { method: 'DELETE' },
    );
    expect(removed.status).toBe(200);
  });
});
