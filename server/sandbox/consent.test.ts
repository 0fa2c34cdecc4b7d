/**
 * Dynamic (incremental) consent as Entra runs it: an interactive request may ask for delegated
 * permissions beyond the app registration's list and the consent page asks for them; admin-only
 * permissions need an administrator (AADSTS90094 for anyone else); `.default` and the grants that
 * cannot show a consent page keep to the registered list (AADSTS650057).
 * @see https://learn.microsoft.com/entra/identity-platform/consent-types-developer
 */
import fc from 'fast-check';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { API_APP_ID, GRAPH_RESOURCE, SANDBOX_USERS } from './seed.ts';
import {
  asPage,
  asRedirect,
  Browser,
  CONSOLE,
  endpoint,
  formAction,
  generatePkce,
  SPA,
  startTestSandbox,
  TEST_ORIGIN,
  TEST_REDIRECT_URI,
  tokenRequest,
  WEB,
  type Page,
  type TestSandbox,
} from './test-support.ts';

let sandbox: TestSandbox;
beforeAll(async () => {
  sandbox = await startTestSandbox();
});
afterAll(async () => {
  await sandbox.stop();
});

const adele = SANDBOX_USERS.find((u) => u.userPrincipalName.startsWith('adele@'))!;
const isaiah = SANDBOX_USERS.find((u) => u.admin === true)!;

interface Started {
  readonly browser: Browser;
  readonly verifier: string;
  /** The page after the password: the consent page, an error page, or the redirect back. */
  readonly afterLogin: Page | { readonly redirectedTo: string };
}

/** Authorize for `clientId` with `scope`, then sign in as `user`. */
async function startSignIn(
  scope: string,
  user: { userPrincipalName: string; password: string } = adele,
  clientId = SPA.clientId,
): Promise<Started> {
  const browser = new Browser(sandbox);
  const pkce = generatePkce();
  const query = new URLSearchParams({
    client_id: clientId,
    response_type: 'code',
    redirect_uri: TEST_REDIRECT_URI,
    scope,
    state: 's',
    code_challenge: pkce.challenge,
    code_challenge_method: 'S256',
  });
  const login = asPage(await browser.go(`${endpoint(sandbox, '/oauth2/v2.0/authorize')}?${query}`));
  const afterLogin = await browser.go(formAction(login), {
    username: user.userPrincipalName,
    password: user.password,
  });
  return { browser, verifier: pkce.verifier, afterLogin };
}

/** Accepts the consent page and redeems the code as the SPA; returns the access token's claims. */
async function acceptAndRedeem(started: Started, scope?: string): Promise<Record<string, unknown>> {
  const url = asRedirect(
    await started.browser.go(formAction(asPage(started.afterLogin)), { action: 'accept' }),
  );
  const res = await tokenRequest(
    sandbox,
    {
      client_id: SPA.clientId,
      grant_type: 'authorization_code',
      code: url.searchParams.get('code') ?? '',
      code_verifier: started.verifier,
      redirect_uri: TEST_REDIRECT_URI,
      ...(scope === undefined ? {} : { scope }),
    },
    { origin: TEST_ORIGIN },
  );
  expect(res.status).toBe(200);
  return decodeJwt(String(res.body['access_token']));
}

const GRAPH_DESCRIPTIONS: Readonly<Record<string, string>> = {
  'Mail.Read': 'Read your mail',
  'Calendars.Read': 'Read your calendars',
  'User.Read': 'Sign you in and read your profile',
};

describe('dynamic consent (interactive requests may go beyond the registered permissions)', () => {
  test('the SPA asks for Calendars.Read (not registered): the consent page lists it, the token carries it', async () => {
    expect(SPA.delegatedPermissions[GRAPH_RESOURCE.identifier]).not.toContain('Calendars.Read');
    const started = await startSignIn('openid Calendars.Read');
    const consent = asPage(started.afterLogin);
    expect(consent.html).toContain('Read your calendars');
    expect(consent.html).toContain('name="action"');
    const claims = await acceptAndRedeem(started);
    expect(String(claims['scp']).split(' ')).toContain('Calendars.Read');
  });

  test('generated: any Graph permission an app has not registered is asked for on the consent page', async () => {
    const cases = fc.record({
      app: fc.constantFrom(SPA, CONSOLE),
      permission: fc.constantFrom('Mail.Read', 'Calendars.Read', 'User.Read'),
    });
    await fc.assert(
      fc.asyncProperty(cases, async ({ app, permission }) => {
        const started = await startSignIn(`openid ${permission}`, adele, app.clientId);
        // Each run is a new browser session: the consent page lists what this sign-in asks for.
        const page = asPage(started.afterLogin);
        expect(page.html).toContain(GRAPH_DESCRIPTIONS[permission]);
        expect(page.html).not.toContain('AADSTS650057');
      }),
      { numRuns: 6 },
    );
  });

  test('.default keeps to the registered list: none for that resource → AADSTS650057 on the redirect', async () => {
    const res = await fetch(
      `${endpoint(sandbox, '/oauth2/v2.0/authorize')}?${new URLSearchParams({
        client_id: WEB.clientId,
        response_type: 'code',
        redirect_uri: TEST_REDIRECT_URI,
        scope: `api://${API_APP_ID}/.default`,
      })}`,
      { redirect: 'manual' },
    );
    const location = new URL(res.headers.get('location') ?? '');
    expect(location.searchParams.get('error')).toBe('invalid_client');
    expect(location.searchParams.get('error_description')).toMatch(/^AADSTS650057: /);
  });

  test('a permission the API does not expose at all is still AADSTS70011 (invalid_scope)', async () => {
    const res = await fetch(
      `${endpoint(sandbox, '/oauth2/v2.0/authorize')}?${new URLSearchParams({
        client_id: SPA.clientId,
        response_type: 'code',
        redirect_uri: TEST_REDIRECT_URI,
        scope: 'openid Files.Nonexistent',
        code_challenge: generatePkce().challenge,
        code_challenge_method: 'S256',
      })}`,
      { redirect: 'manual' },
    );
    const location = new URL(res.headers.get('location') ?? '');
    expect(location.searchParams.get('error')).toBe('invalid_scope');
    expect(location.searchParams.get('error_description')).toMatch(/^AADSTS70011: /);
  });

  test('grants without a consent page keep to the registered list: the password grant gets AADSTS650057', async () => {
    const res = await tokenRequest(sandbox, {
      client_id: CONSOLE.clientId,
      grant_type: 'password',
      username: adele.userPrincipalName,
      password: adele.password,
      scope: 'Calendars.Read',
    });
    expect(res.body['error_codes']).toEqual([650057]);
  });
});

describe('admin-only permissions', () => {
  test.each([
    ['Graph Directory.ReadWrite.All', 'openid Directory.ReadWrite.All', 'Directory.ReadWrite.All'],
    [
      'the Flow Lab API’s Tasks.ReadWrite.All (Admins only)',
      `openid api://${API_APP_ID}/Tasks.ReadWrite.All`,
      'Tasks.ReadWrite.All',
    ],
  ])(
    '%s: a user gets AADSTS90094 (need admin approval); an administrator consents',
    async (_n, scope, value) => {
      const refused = asPage((await startSignIn(scope)).afterLogin);
      expect(refused.html).toContain('AADSTS90094');
      // Not the "could not be returned to the app safely" hint: the request is sound, an admin is needed.
      expect(refused.html).toContain('Only an administrator can approve this permission');
      expect(refused.html).toContain('Administrator consent is required');
      expect(refused.html).not.toContain('name="action"');

      const started = await startSignIn(scope, isaiah);
      const consent = asPage(started.afterLogin);
      expect(consent.html).toContain('name="action"');
      const claims = await acceptAndRedeem(started);
      expect(String(claims['scp']).split(' ')).toContain(value);
      expect(claims['oid']).toBe(isaiah.oid);
    },
  );
});

describe("the tenant's user consent setting", () => {
  test('"Users can consent to apps" off: a user gets AADSTS90094 for any permission, an administrator still consents', async () => {
    const set = async (userConsentAllowed: boolean) => {
      const res = await fetch(`${sandbox.origin}/portal/settings`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: 'http://localhost:5173' },
        body: JSON.stringify({ userConsentAllowed }),
      });
      expect(res.status).toBe(200);
    };
    await set(false);
    try {
      const refused = asPage((await startSignIn('openid User.Read')).afterLogin);
      expect(refused.html).toContain('AADSTS90094');
      const admin = asPage((await startSignIn('openid User.Read', isaiah)).afterLogin);
      expect(admin.html).toContain('name="action"');
    } finally {
      await set(true);
    }
    expect(asPage((await startSignIn('openid User.Read')).afterLogin).html).toContain('name="action"');
  });
});
