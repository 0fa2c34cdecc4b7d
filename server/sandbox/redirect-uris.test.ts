/**
 * Issue 9 item 7: redirect URIs with a fragment (RFC 6749 §3.1.2) — and every other kind Entra's app
 * registration refuses (https://learn.microsoft.com/entra/identity-platform/reply-url) — are refused at
 * registration and at the authorization endpoint; any URI the sandbox accepts is one Entra would accept.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { redirectUriProblem } from './redirect-uri-rules.ts';
import { SANDBOX_APPS } from './seed.ts';
import {
  endpoint,
  generatePkce,
  SPA,
  startTestSandbox,
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
  console.info(`redirect URIs: ${probes.sent} refusals probed over HTTP, ${probes.refused} refused`);
});

const probes = { sent: 0, refused: 0 };

/** Entra's registration rules as the reply-url page lists them, written independently of the code. */
function entraWouldAccept(uri: string): boolean {
  if (uri.length === 0 || uri.length > 256) return false;
  if (/[#*!$'(),;\s]/.test(uri)) return false;
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return false;
  }
  if (url.username || url.password || /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(uri)) return false;
  if (url.protocol === 'https:') return true;
  return url.protocol === 'http:' && (url.hostname === 'localhost' || url.hostname === '127.0.0.1');
}

const fragment = fc.oneof(fc.constant(''), fc.string({ maxLength: 20 }), fc.webFragments());
const registrable = fc.oneof(
  fc.constant(TEST_REDIRECT_URI),
  fc.integer({ min: 1, max: 65535 }).map((port) => `http://localhost:${port}/callback`),
  fc
    .webUrl({ validSchemes: ['https'], withQueryParameters: false })
    .filter((u) => redirectUriProblem(u) === undefined),
);
/** Redirect URIs of every kind Entra refuses. */
const refusedKinds = fc.oneof(
  fc.tuple(registrable, fragment).map(([u, f]) => `${u}#${f}`),
  fc.constantFrom(
    'http://app.example/cb',
    'http://[::1]:5173/callback',
    'https://*.example.com/cb',
    'https://app.example/cb*',
    "https://app.example/it's",
    'https://app.example/cb;x',
    'https://app.example/(cb)',
    'https://user:pass@app.example/cb',
    'http://user@localhost:5173/callback',
    'javascript:alert(1)',
    'ftp://app.example/cb',
    'myapp://auth',
    'not a uri',
    '/callback',
    `https://app.example/${'a'.repeat(240)}`,
    'https://app.example/cb\u0000',
    'https://app.example/c b',
  ),
);

describe('redirect URI rules (unit, generated)', () => {
  test('RFC 6749 §3.1.2: any URI with a fragment, even an empty one, is refused, and the message says so', () => {
    fc.assert(
      fc.property(registrable, fragment, (uri, f) => {
        const problem = redirectUriProblem(`${uri}#${f}`);
        expect(problem).toBeDefined();
        if (`${uri}#${f}`.length <= 256) expect(problem).toMatch(/fragment/);
      }),
    );
  });

  test('every URI the sandbox accepts is one Entra would accept (arbitrary strings and URLs)', () => {
    const anything = fc.oneof(
      fc.string(),
      fc.webUrl({ withFragments: true, withQueryParameters: true, validSchemes: ['http', 'https', 'ftp'] }),
      refusedKinds,
      registrable,
      fc
        .tuple(fc.constantFrom('http://', 'https://', 'HTTP://'), fc.string(), fc.string())
        .map(([s, h, p]) => `${s}${h}/${p}`),
    );
    fc.assert(
      fc.property(anything, (uri) => {
        if (redirectUriProblem(uri) === undefined) expect(entraWouldAccept(uri), uri).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  test('each refused kind gets a reason; registrable ones get none; the seed is registrable', () => {
    fc.assert(
      fc.property(refusedKinds, (uri) => {
        expect(redirectUriProblem(uri), uri).toEqual(expect.any(String));
      }),
    );
    fc.assert(
      fc.property(registrable, (uri) => {
        expect(redirectUriProblem(uri), uri).toBeUndefined();
      }),
    );
    for (const app of SANDBOX_APPS)
      for (const uri of app.redirectUris) expect(redirectUriProblem(uri)).toBeUndefined();
  });
});

async function authorize(redirectUri: string): Promise<Response> {
  const query = new URLSearchParams({
    client_id: SPA.clientId,
    response_type: 'code',
    redirect_uri: redirectUri,
    scope: 'openid',
    code_challenge: generatePkce().challenge,
    code_challenge_method: 'S256',
  });
  return fetch(`${endpoint(sandbox, '/oauth2/v2.0/authorize')}?${query}`, { redirect: 'manual' });
}

describe('the authorization endpoint refuses a fragment redirect URI (AADSTS50011 on the page)', () => {
  test('…/callback#x on any localhost port, any fragment: an error page, never a redirect', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1024, max: 65535 }), fragment, async (port, f) => {
        const res = await authorize(`http://localhost:${port}/callback#${f}`);
        probes.sent += 1;
        expect(res.status).toBe(400);
        expect(res.headers.get('location')).toBeNull();
        const html = await res.text();
        expect(html).toContain('AADSTS50011');
        expect(html).toContain('fragment');
        probes.refused += 1;
      }),
      { numRuns: 40 },
    );
  });

  test('user information and the other unregistrable kinds are refused the same way; the plain URI still works', async () => {
    for (const uri of [
      'http://user@localhost:47173/callback',
      'http://user:pw@localhost:47173/callback',
      'http://[::1]:47173/callback',
      'http://localhost:47173/callback;x',
      'HTTP://localhost:47173/callback#',
    ]) {
      const res = await authorize(uri);
      probes.sent += 1;
      expect(res.status, uri).toBe(400);
      expect(await res.text()).toContain('AADSTS50011');
      probes.refused += 1;
    }
    const ok = await authorize(TEST_REDIRECT_URI);
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toMatch(/^\/interaction\//);
  });
});

describe('registration refuses them: portal JSON API, PATCH, and the portal form', () => {
  test('generated refused kinds: POST redirect-uris and PATCH redirectUris answer 400 with the reason; nothing is stored', async () => {
    await fc.assert(
      fc.asyncProperty(refusedKinds, async (uri) => {
        const added = await fetch(`${sandbox.origin}/portal/apps/${WEB.clientId}/redirect-uris`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ uri }),
        });
        const patched = await fetch(`${sandbox.origin}/portal/apps/${WEB.clientId}`, {
          method: 'PATCH',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ redirectUris: [uri] }),
        });
        probes.sent += 2;
        // A URI that is only blank space after trimming is refused as missing.
        for (const res of [added, patched]) {
          expect(res.status, uri).toBe(400);
          const body = (await res.json()) as { error: string; error_description: string };
          expect(body.error).toBe('invalid_request');
          expect(body.error_description.length).toBeGreaterThan(10);
          probes.refused += 1;
        }
      }),
      { numRuns: 40 },
    );
    const app = (await (await fetch(`${sandbox.origin}/portal/apps/${WEB.clientId}`)).json()) as {
      redirectUris: string[];
    };
    expect(app.redirectUris).toEqual(WEB.redirectUris);
  });

  test('the portal form shows the fragment rule on the page', async () => {
    const res = await fetch(`${sandbox.origin}/portal/apps/${WEB.clientId}/redirect-uris`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ uri: 'https://app.example/callback#section' }),
      redirect: 'manual',
    });
    probes.sent += 1;
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('role="alert"');
    expect(html).toContain('must not contain a fragment');
    expect(html).toContain('RFC 6749 §3.1.2');
    probes.refused += 1;
  });
});
