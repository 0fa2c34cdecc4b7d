import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { TenantSegment } from './directory.ts';
import { ROUTES } from './provider-config.ts';
import { SANDBOX_TENANT } from './seed.ts';
import {
  checkSignInAudience,
  isSignInAudience,
  SIGN_IN_AUDIENCES,
  type SignInAudience,
} from './tenant-audience.ts';
import {
  asPage,
  Browser,
  CONSOLE,
  endpoint,
  formAction,
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

const SEGMENTS: readonly TenantSegment[] = [
  { kind: 'tenant', segment: SANDBOX_TENANT.id },
  { kind: 'alias', segment: 'common' },
  { kind: 'alias', segment: 'organizations' },
  { kind: 'alias', segment: 'consumers' },
];

/**
 * Entra's table of which accounts each setting signs in, per endpoint
 * (https://learn.microsoft.com/entra/identity-platform/supported-accounts-validation,
 * https://learn.microsoft.com/entra/identity-platform/v2-protocols#endpoints): a work account of the
 * sandbox tenant may start a sign-in where the app's audience and the endpoint's accounts overlap.
 */
function allowed(audience: SignInAudience, segment: string): boolean {
  const work = audience !== 'PersonalMicrosoftAccount';
  const multi = audience !== 'AzureADMyOrg';
  const personal =
    audience === 'AzureADandPersonalMicrosoftAccount' || audience === 'PersonalMicrosoftAccount';
  if (segment === 'consumers') return personal;
  if (segment === 'common') return multi;
  if (segment === 'organizations') return work && multi;
  return work;
}

describe('supported account types × tenant segment (generated)', () => {
  test('every audience on every segment: allowed exactly where Entra allows, else the documented error', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SIGN_IN_AUDIENCES), fc.constantFrom(...SEGMENTS), (audience, tenant) => {
        const verdict = checkSignInAudience(tenant, {
          clientId: 'c',
          displayName: 'App',
          signInAudience: audience,
        });
        if (allowed(audience, tenant.segment)) {
          expect(verdict.kind).toBe('ok');
          return;
        }
        if (tenant.segment === 'consumers') {
          expect(verdict).toMatchObject({ kind: 'consumers-client', error: 'unauthorized_client' });
        } else if (audience === 'PersonalMicrosoftAccount') {
          expect(verdict).toMatchObject({
            kind: 'entra',
            error: { code: 9002331, error: 'invalid_request' },
          });
        } else {
          expect(verdict).toMatchObject({
            kind: 'entra',
            error: { code: 50194, error: 'invalid_request', status: 400 },
          });
        }
      }),
    );
  });

  test('only Entra’s four spellings are audiences', () => {
    fc.assert(
      fc.property(fc.string(), (value) => {
        expect(isSignInAudience(value)).toBe((SIGN_IN_AUDIENCES as readonly string[]).includes(value));
      }),
    );
    expect(isSignInAudience('azureadmyorg')).toBe(false);
  });
});

let sandbox: TestSandbox;
beforeAll(async () => {
  sandbox = await startTestSandbox();
});
afterAll(async () => {
  await sandbox.stop();
});

function authorizeUrl(tenant: string, clientId: string, extra: Record<string, string> = {}): string {
  return `${endpoint(sandbox, ROUTES.authorization, tenant)}?${new URLSearchParams({
    client_id: clientId,
    response_type: 'code',
    redirect_uri: TEST_REDIRECT_URI,
    scope: 'openid User.Read',
    state: 'st-1',
    code_challenge: generatePkce().challenge,
    code_challenge_method: 'S256',
    ...extra,
  })}`;
}

async function setAudience(clientId: string, signInAudience: string): Promise<Response> {
  return fetch(`${sandbox.origin}/portal/apps/${clientId}`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ signInAudience }),
  });
}

describe('the sandbox over HTTP', () => {
  test('AADSTS50194: the single-tenant SPA on /common and /organizations is sent back with invalid_request', async () => {
    for (const tenant of ['common', 'organizations']) {
      const res = await fetch(authorizeUrl(tenant, SPA.clientId), { redirect: 'manual' });
      expect(res.status).toBe(302);
      const back = new URL(res.headers.get('location') ?? '');
      expect(back.origin + back.pathname).toBe(TEST_REDIRECT_URI);
      expect(back.searchParams.get('error')).toBe('invalid_request');
      expect(back.searchParams.get('error_description')).toMatch(
        /^AADSTS50194: Application '[^']+'\(Flow Lab SPA\) is not configured as a multi-tenant application/,
      );
      expect(back.searchParams.get('state')).toBe('st-1');
    }
    // The tenant id and its domain still sign the SPA in.
    const ok = await signIn(sandbox, new Browser(sandbox), { scope: 'openid', pkce: generatePkce() });
    expect(ok.searchParams.get('code')).toBeTruthy();
  });

  test('the multitenant web app signs in on /organizations and /common', async () => {
    for (const tenant of ['organizations', 'common']) {
      const res = await fetch(authorizeUrl(tenant, WEB.clientId), { redirect: 'manual' });
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toContain('/interaction/');
    }
  });

  test('/consumers: an app for work accounts only gets the unauthorized_client page, no redirect', async () => {
    const res = await fetch(authorizeUrl('consumers', SPA.clientId), { redirect: 'manual' });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('unauthorized_client');
    expect(html).toContain('not enabled for consumers');
  });

  test('/consumers: an app enabled for personal accounts reaches sign-in, and a sandbox work account gets AADSTS50020', async () => {
    const browser = new Browser(sandbox);
    const page = asPage(
      await browser.go(
        authorizeUrl('consumers', CONSOLE.clientId, { redirect_uri: 'http://localhost:1337/' }),
      ),
    );
    expect(page.html).toContain('name="password"');
    const refused = asPage(
      await browser.go(formAction(page), {
        username: 'adele@flowlab-sandbox.onmicrosoft.com',
        password: 'Sandbox-Adele-1',
      }),
    );
    expect(refused.html).toContain('AADSTS50020');
    expect(refused.html).toContain('does not exist in tenant');
    expect(refused.html).toContain('name="password"');
  });

  test('the token endpoint: a refresh by the single-tenant SPA on /common is AADSTS50194; on the tenant it works', async () => {
    const pkce = generatePkce();
    const url = await signIn(sandbox, new Browser(sandbox), {
      scope: 'openid offline_access User.Read',
      pkce,
    });
    const code = await tokenRequest(
      sandbox,
      {
        client_id: SPA.clientId,
        grant_type: 'authorization_code',
        code: url.searchParams.get('code') ?? '',
        redirect_uri: TEST_REDIRECT_URI,
        code_verifier: pkce.verifier,
      },
      { origin: TEST_ORIGIN },
    );
    expect(code.status).toBe(200);
    const refresh = {
      client_id: SPA.clientId,
      grant_type: 'refresh_token',
      refresh_token: String(code.body['refresh_token']),
      scope: 'User.Read',
    };
    const common = await tokenRequest(sandbox, refresh, { origin: TEST_ORIGIN, tenant: 'common' });
    expect(common.status).toBe(400);
    expect(common.body['error']).toBe('invalid_request');
    expect(common.body['error_codes']).toEqual([50194]);
    // The browser can read the refusal (CORS as for any SPA answer).
    expect(common.headers.get('access-control-allow-origin')).toBe(TEST_ORIGIN);
    const consumers = await tokenRequest(sandbox, refresh, { origin: TEST_ORIGIN, tenant: 'consumers' });
    expect(consumers.status).toBe(400);
    expect(consumers.body['error']).toBe('unauthorized_client');
    expect((await tokenRequest(sandbox, refresh, { origin: TEST_ORIGIN })).status).toBe(200);
  });

  test('the portal changes an app’s supported account types; a bad value is refused with the list', async () => {
    expect((await setAudience(SPA.clientId, 'AzureADMultipleOrgs')).status).toBe(200);
    const res = await fetch(authorizeUrl('organizations', SPA.clientId), { redirect: 'manual' });
    expect(res.status).toBe(303);
    const bad = await setAudience(SPA.clientId, 'EveryoneEverywhere');
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('AzureADMyOrg');
    expect((await setAudience(SPA.clientId, 'AzureADMyOrg')).status).toBe(200);
    const directory = (await (await fetch(`${sandbox.origin}/portal/apps/${SPA.clientId}`)).json()) as Record<
      string,
      unknown
    >;
    expect(directory['signInAudience']).toBe('AzureADMyOrg');
  });
});
