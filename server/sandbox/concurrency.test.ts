/**
 * The sandbox under load: 200 complete authorization code + PKCE flows at once, each in its own
 * cookie jar, half of them Adele (password) and half Megan (password + verification code). Every flow
 * must get its own code and tokens, bound to its own nonce and user, with no session shared between
 * jars and no 5xx anywhere.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SANDBOX_USERS, type SandboxUser } from './seed.ts';
import {
  CookieJar,
  endpoint,
  generatePkce,
  SPA,
  startTestSandbox,
  TEST_ORIGIN,
  TEST_REDIRECT_URI,
  type TestSandbox,
} from './test-support.ts';

const FLOWS = 200;
const SCOPE = 'openid profile offline_access User.Read';
const adele = SANDBOX_USERS[0]!;
const megan = SANDBOX_USERS[1]!;

let sandbox: TestSandbox;
beforeAll(async () => {
  sandbox = await startTestSandbox();
});
afterAll(async () => {
  await sandbox.stop();
});

/** Every HTTP status any flow saw, with where, so a 5xx can be named. */
const seen: { status: number; url: string }[] = [];

/** A cookie-keeping client like test-support's Browser, recording every status it sees. */
class RecordingBrowser {
  readonly jar = new CookieJar();

  async go(
    url: string,
    form?: Record<string, string>,
  ): Promise<{ html: string; url: string } | { redirectedTo: URL }> {
    let next = url;
    let body = form === undefined ? undefined : new URLSearchParams(form);
    for (let hops = 0; hops < 10; hops += 1) {
      const res = await fetch(next, {
        method: body === undefined ? 'GET' : 'POST',
        redirect: 'manual',
        headers: {
          cookie: this.jar.header(),
          ...(body === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' }),
        },
        ...(body === undefined ? {} : { body }),
      });
      seen.push({ status: res.status, url: next });
      this.jar.store(res);
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location !== null) {
        const target = new URL(location, next);
        if (target.origin !== sandbox.origin) return { redirectedTo: target };
        next = target.href;
        body = undefined;
        continue;
      }
      return { html: await res.text(), url: next };
    }
    throw new Error('too many redirects');
  }
}

function formAction(page: { html: string; url: string }): string {
  const match = /<form[^>]*action="([^"]+)"/.exec(page.html);
  if (match?.[1] === undefined) throw new Error(`no form on ${page.url}: ${page.html.slice(0, 200)}`);
  return new URL(match[1].replaceAll('&amp;', '&'), page.url).href;
}

function claims(jwt: unknown): Record<string, unknown> {
  const payload = String(jwt).split('.')[1] ?? '';
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
}

interface FlowResult {
  readonly index: number;
  readonly user: SandboxUser;
  readonly state: string;
  readonly nonce: string;
  readonly returnedState: string | null;
  readonly consentFor: string | undefined;
  readonly askedForCode: boolean;
  readonly code: string;
  readonly tokenStatus: number;
  readonly tokens: Record<string, unknown>;
  readonly cookies: string;
}

/** One whole flow: authorize → sign in (→ code) → consent → callback → token request. */
async function runFlow(index: number): Promise<FlowResult> {
  const user = index % 2 === 0 ? adele : megan;
  const browser = new RecordingBrowser();
  const pkce = generatePkce();
  const state = `s${index}-${randomBytes(8).toString('hex')}`;
  const nonce = `n${index}-${randomBytes(8).toString('hex')}`;
  const query = new URLSearchParams({
    client_id: SPA.clientId,
    response_type: 'code',
    redirect_uri: TEST_REDIRECT_URI,
    scope: SCOPE,
    state,
    nonce,
    code_challenge: pkce.challenge,
    code_challenge_method: 'S256',
  });
  let step = await browser.go(`${endpoint(sandbox, '/oauth2/v2.0/authorize')}?${query}`);
  let consentFor: string | undefined;
  let askedForCode = false;
  for (let guard = 0; guard < 5 && !('redirectedTo' in step); guard += 1) {
    const page = step;
    if (page.html.includes('name="password"')) {
      step = await browser.go(formAction(page), {
        username: user.userPrincipalName,
        password: user.password,
      });
    } else if (page.html.includes('name="otc"')) {
      askedForCode = true;
      step = await browser.go(formAction(page), { otc: user.mfaCode ?? '' });
    } else if (page.html.includes('name="action"')) {
      consentFor = /[\w.-]+@flowlab-sandbox\.onmicrosoft\.com/.exec(page.html)?.[0];
      step = await browser.go(formAction(page), { action: 'accept' });
    } else {
      throw new Error(`flow ${index}: unexpected page ${page.url}: ${page.html.slice(0, 300)}`);
    }
  }
  if (!('redirectedTo' in step)) throw new Error(`flow ${index} never came back to the app`);
  const callback = step.redirectedTo;
  const code = callback.searchParams.get('code') ?? '';
  const res = await fetch(endpoint(sandbox, '/oauth2/v2.0/token'), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: TEST_ORIGIN },
    body: new URLSearchParams({
      client_id: SPA.clientId,
      grant_type: 'authorization_code',
      code,
      code_verifier: pkce.verifier,
      redirect_uri: TEST_REDIRECT_URI,
      scope: SCOPE,
    }),
  });
  seen.push({ status: res.status, url: 'token' });
  return {
    index,
    user,
    state,
    nonce,
    returnedState: callback.searchParams.get('state'),
    consentFor,
    askedForCode,
    code,
    tokenStatus: res.status,
    tokens: (await res.json()) as Record<string, unknown>,
    cookies: browser.jar.header(),
  };
}

describe('200 concurrent authorization code + PKCE flows', () => {
  test('each flow gets its own code and tokens, bound to its nonce and its user; no 5xx', async () => {
    const started = performance.now();
    const results = await Promise.all(Array.from({ length: FLOWS }, (_, i) => runFlow(i)));
    const elapsed = performance.now() - started;

    expect(seen.filter((s) => s.status >= 500)).toEqual([]);
    expect(results.map((r) => r.tokenStatus)).toEqual(Array(FLOWS).fill(200));

    // Each callback answers its own request.
    for (const r of results) expect(r.returnedState, `flow ${r.index}`).toBe(r.state);
    // When a consent page was shown, it was for the user of this jar.
    for (const r of results)
      if (r.consentFor !== undefined) expect(r.consentFor).toBe(r.user.userPrincipalName);

    const distinct = (values: unknown[]) => new Set(values).size;
    expect(distinct(results.map((r) => r.code))).toBe(FLOWS);
    expect(distinct(results.map((r) => r.tokens['access_token']))).toBe(FLOWS);
    expect(distinct(results.map((r) => r.tokens['id_token']))).toBe(FLOWS);
    expect(distinct(results.map((r) => r.tokens['refresh_token']))).toBe(FLOWS);
    // No two jars hold the same session.
    expect(distinct(results.map((r) => r.cookies))).toBe(FLOWS);

    const subs = new Map<string, Set<unknown>>();
    for (const r of results) {
      const id = claims(r.tokens['id_token']);
      const access = claims(r.tokens['access_token']);
      expect(id['nonce'], `flow ${r.index}`).toBe(r.nonce);
      expect(id['aud']).toBe(SPA.clientId);
      expect(id['oid']).toBe(r.user.oid);
      expect(id['preferred_username']).toBe(r.user.userPrincipalName);
      expect(access['oid']).toBe(r.user.oid);
      // A Graph token is v1.0: appid names the client (access-token-claims-reference).
      expect(access['appid']).toBe(SPA.clientId);
      // Megan was asked for her verification code in every jar; Adele never.
      expect(r.askedForCode, `flow ${r.index}`).toBe(r.user.mfaRequired);
      const set = subs.get(r.user.oid) ?? new Set();
      set.add(id['sub']);
      subs.set(r.user.oid, set);
    }
    // Entra's sub is pairwise per user and app: one value per user, different between users.
    expect([...subs.values()].map((s) => s.size)).toEqual([1, 1]);
    const [adeleSub] = subs.get(adele.oid) ?? [];
    const [meganSub] = subs.get(megan.oid) ?? [];
    expect(adeleSub).not.toBe(meganSub);

    // Every code was single-use and is now spent.
    const replay = await fetch(endpoint(sandbox, '/oauth2/v2.0/token'), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: TEST_ORIGIN },
      body: new URLSearchParams({
        client_id: SPA.clientId,
        grant_type: 'authorization_code',
        code: results[0]?.code ?? '',
        code_verifier: 'x'.repeat(43),
        redirect_uri: TEST_REDIRECT_URI,
      }),
    });
    expect(replay.status).toBe(400);

    expect(elapsed).toBeLessThan(40_000);
  }, 55_000);
});
