import { readFile } from 'node:fs/promises';
import { expect, test, type Page } from '@playwright/test';
import { SANDBOX_APPS, SANDBOX_TENANT } from '../server/sandbox/seed.ts';
import { expectNoAxeViolations } from './support/axe.ts';
import { expectNoSecretsLeft, recordConsole, tokensOnPage } from './support/secrets-audit.ts';

const USER = 'adele@flowlab-sandbox.onmicrosoft.com';
const PASSWORD = 'Sandbox-Adele-1';
const WEB_APP = SANDBOX_APPS.find((app) => app.displayName === 'Flow Lab Web App')!;
const WEB_SECRET = WEB_APP.clientSecret!;
const API_APP = SANDBOX_APPS.find((app) => app.displayName === 'Flow Lab API')!;
const LEGACY_APP = SANDBOX_APPS.find((app) => app.displayName === 'Flow Lab Legacy SPA')!;
const CONSOLE_APP = SANDBOX_APPS.find((app) => app.displayName === 'Flow Lab Console')!;

/** Where the sandbox runs, as the app itself learns it. */
async function sandboxOrigin(page: Page): Promise<string> {
  const response = await page.request.get('/lab-config.json');
  return ((await response.json()) as { sandboxOrigin: string }).sandboxOrigin;
}

async function chooseAuthority(page: Page, name: string | RegExp) {
  await page.getByRole('radio', { name }).check();
}

/**
 * Settings → any OpenID provider → the sandbox's issuer URL → look up → use it. With `corsBlocked`,
 * the browser's own fetch of the document fails as a CORS refusal would, so the relay is asked.
 */
async function useSandboxAsIssuer(
  page: Page,
  options: {
    corsBlocked?: boolean;
    /** Serves the sandbox's document changed by this function, as another provider would publish it. */
    rewrite?: (document: Record<string, unknown>) => Record<string, unknown>;
    /** Runs with the document as returned open, before the issuer is used. */
    inspect?: (page: Page) => Promise<void>;
  } = {},
): Promise<string> {
  const origin = await sandboxOrigin(page);
  const issuer = `${origin}/${SANDBOX_TENANT.id}/v2.0`;
  if (options.corsBlocked === true)
    await page.route(`${issuer}/.well-known/**`, (route) => route.abort('failed'));
  const rewrite = options.rewrite;
  if (rewrite !== undefined) {
    await page.route(`${issuer}/.well-known/openid-configuration`, async (route) => {
      const original = (await (await route.fetch()).json()) as Record<string, unknown>;
      await route.fulfill({
        json: rewrite(original),
        headers: { 'access-control-allow-origin': '*' },
      });
    });
  }
  await page.goto('/settings');
  await chooseAuthority(page, 'Any OpenID provider, by its issuer URL');
  await page.getByRole('textbox', { name: 'Issuer URL' }).fill(issuer);
  await page.getByRole('button', { name: 'Look up' }).click();
  const found = page.getByRole('heading', { name: 'What the issuer publishes' });
  if (options.corsBlocked === true) {
    await expect(page.getByRole('heading', { name: 'Fetch it through the local relay?' })).toBeVisible();
    await expectNoAxeViolations(page, 'settings asking to use the relay');
    await page.getByRole('button', { name: `Allow ${origin} and fetch` }).click();
    await expect(page.getByText('read through the local relay')).toBeVisible();
  } else {
    await expect(page.getByText('read by the browser')).toBeVisible();
  }
  await expect(found).toBeVisible();
  await expect(page.getByText('The issuer matches')).toBeVisible();
  await page.getByText('The document as returned').click();
  await expect(page.getByLabel('Discovery document')).toContainText('"authorization_endpoint"');
  await options.inspect?.(page);
  await page.getByRole('button', { name: 'Use this issuer' }).click();
  await expect(page.getByText(`Saved. Flows now use ${issuer}.`)).toBeVisible();
  await expect(page.getByText(/^Flows use an OpenID provider found by its issuer URL/)).toBeVisible();
  return issuer;
}

/** A new profile for the sandbox's confidential web app, its secret in memory only. */
async function addWebAppProfile(page: Page, name = 'Sandbox web app') {
  await page.getByRole('button', { name: 'New profile' }).click();
  await page.getByLabel('Profile name').fill(name);
  await page.getByLabel('Client id', { exact: true }).fill(WEB_APP.clientId);
  await page.getByLabel('Platform', { exact: true }).selectOption('web');
  await page.getByLabel('Client secret', { exact: true }).fill(WEB_SECRET);
  await expect(page.getByLabel('Active profile', { exact: true })).toHaveValue(/.+/);
}

/** Client credentials from the navigation (no reload: the secret lives in memory), through the relay. */
async function runClientCredentials(page: Page) {
  await page
    .getByRole('navigation', { name: 'Flows' })
    .getByRole('link', { name: 'Client credentials' })
    .click();
  await expect(page.getByRole('heading', { level: 1, name: 'Client credentials' })).toBeVisible();
  await expect(page.getByText('Will go through the local relay')).toBeVisible();
  await expect(page.getByRole('list', { name: 'Warnings about this request' })).toHaveCount(0);
  await page.getByRole('button', { name: 'Request the token' }).click();
  await expect(page.getByText('Sent through the local relay', { exact: true })).toBeVisible();
  const accessToken = page.getByRole('region', { name: 'Access token' });
  await expect(accessToken.getByRole('row', { name: /\broles\b/ })).toContainText('User.Read.All');
}

test.describe('settings: authorities, profiles, transfer', () => {
  test('the sandbox as a generic issuer: code + PKCE to decoded tokens, then client credentials via the relay', async ({
    page,
  }) => {
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const consoleLines = recordConsole(page);
    const issuer = await useSandboxAsIssuer(page);
    await expect(page.locator('.authority-badge')).toContainText(`Issuer: ${new URL(issuer).host}`);

    await page
      .getByRole('navigation', { name: 'Flows' })
      .getByRole('link', { name: 'Authorization code (+ PKCE)' })
      .click();
    await expect(page.locator('.url-preview')).toContainText(
      `${issuer.replace('/v2.0', '')}/oauth2/v2.0/authorize`,
    );
    await page.getByRole('button', { name: 'Sign in at the authorization server' }).click();
    await page.getByLabel('Username').fill(USER);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Accept' }).click();
    await expect(page).toHaveURL(/\/flows\/authorization-code$/);
    await expect(page.getByText('Will be sent from the browser')).toBeVisible();
    await page.getByRole('button', { name: 'Redeem the code' }).click();
    await expect(page.getByText('Sent from the browser', { exact: true })).toBeVisible();
    await expect(
      page.getByRole('region', { name: 'ID token' }).getByRole('row', { name: /^iss\b/ }),
    ).toContainText(issuer);
    await expect(
      page.getByRole('region', { name: 'Access token' }).getByRole('row', { name: /\bscp\b/ }),
    ).toContainText('User.Read');

    await page.getByRole('navigation', { name: 'Flows' }).getByRole('link', { name: 'Settings' }).click();
    await addWebAppProfile(page);
    await runClientCredentials(page);
    // No tenant field: the endpoints come from the issuer's document.
    await expect(page.getByLabel(/^tenant/)).toHaveCount(0);
    // The profile's secret was not remembered: storage, URL and history hold neither it nor a token.
    await expectNoSecretsLeft(page, [WEB_SECRET, ...(await tokensOnPage(page))], consoleLines);
    expect(errors).toEqual([]);
  });

  test('the sandbox publishes as Entra: userinfo and end session endpoints in its document, and an ID token verifies from its key’s x5c certificate', async ({
    page,
  }) => {
    const origin = await sandboxOrigin(page);
    const issuer = await useSandboxAsIssuer(page, {
      inspect: async (p) => {
        const document = p.getByLabel('Discovery document');
        await expect(document).toContainText(`"userinfo_endpoint": "${origin}/oidc/userinfo"`);
        await expect(document).toContainText(
          `"end_session_endpoint": "${origin}/${SANDBOX_TENANT.id}/oauth2/v2.0/logout"`,
        );
        await expect(document).toContainText('"frontchannel_logout_supported": true');
      },
    });
    await page
      .getByRole('navigation', { name: 'Flows' })
      .getByRole('link', { name: 'Authorization code (+ PKCE)' })
      .click();
    await page.getByRole('button', { name: 'Sign in at the authorization server' }).click();
    await page.getByLabel('Username').fill(USER);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Accept' }).click();
    await page.getByRole('button', { name: 'Redeem the code' }).click();
    const idToken = page.getByRole('region', { name: 'ID token' });
    await expect(idToken.getByRole('row', { name: /^iss\b/ })).toContainText(issuer);
    const value = await idToken.getByRole('textbox').inputValue();
    await page.getByRole('link', { name: 'Token inspector' }).click();
    await page.getByLabel('Token', { exact: true }).fill(value);
    await page.getByRole('button', { name: 'Verify the signature' }).click();
    const verdict = page.getByRole('status').filter({ hasText: 'Signature valid' });
    await expect(verdict).toContainText('taken from its x5c certificate');
    await expect(verdict).toContainText('discovery/v2.0/keys');
  });

  test('tenant common with the single-tenant SPA: the sign-in comes back with AADSTS50194, explained, before any password is asked', async ({
    page,
  }) => {
    await page.goto('/settings');
    await page.getByLabel('Tenant', { exact: true }).fill('common');
    await page
      .getByRole('navigation', { name: 'Flows' })
      .getByRole('link', { name: 'Authorization code (+ PKCE)' })
      .click();
    await expect(page.locator('.url-preview')).toContainText('/common/oauth2/v2.0/authorize');
    await page.getByRole('button', { name: 'Sign in at the authorization server' }).click();
    await expect(page).toHaveURL(/\/flows\/authorization-code$/);
    const alert = page.getByRole('alert').filter({ hasText: 'AADSTS50194' });
    await expect(alert).toContainText('Single-tenant app');
    await expect(page.getByLabel('Username')).toHaveCount(0);
  });

  test('the sandbox as a generic issuer: password, device code, refresh and an API call all go through', async ({
    page,
    context,
  }) => {
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const issuer = await useSandboxAsIssuer(page);
    // The password grant cannot show a consent page (AADSTS65001 otherwise): consent recorded on the portal.
    const lab = (await (await page.request.get('/lab-config.json')).json()) as { sandboxOrigin: string };
    const consent = await page.request.post(
      `${lab.sandboxOrigin}/portal/apps/${CONSOLE_APP.clientId}/consents`,
      { headers: { origin: new URL(page.url()).origin }, data: { user: USER } },
    );
    expect(consent.status()).toBe(200);
    const nav = page.getByRole('navigation', { name: 'Flows' });
    await page.getByRole('button', { name: 'New profile' }).click();
    await page.getByLabel('Profile name').fill('Sandbox console');
    await page.getByLabel('Client id', { exact: true }).fill(CONSOLE_APP.clientId);
    await page.getByLabel('Platform', { exact: true }).selectOption('public');

    // Resource owner password, through the relay, against the issuer's own token endpoint.
    await nav.getByRole('link', { name: 'Resource owner password (ROPC)' }).click();
    await page.getByLabel('username').fill(USER);
    await page.getByLabel(/^password/).fill(PASSWORD);
    await page.getByRole('button', { name: 'Send the password' }).click();
    await expect(
      page.getByRole('region', { name: 'ID token' }).getByRole('row', { name: /^iss\b/ }),
    ).toContainText(issuer);

    // Device code: the issuer's device_authorization_endpoint, a second tab for the user.
    await nav.getByRole('link', { name: 'Device code' }).click();
    await page.getByRole('button', { name: 'Request a device code' }).click();
    const userCode = (await page.getByTestId('user-code').textContent()) ?? '';
    expect(userCode).toMatch(/^[A-Z]{9}$/);
    const [verification] = await Promise.all([
      context.waitForEvent('page'),
      page.getByRole('link', { name: /\/devicelogin$/ }).click(),
    ]);
    await verification.getByLabel('Code').fill(userCode);
    await verification.getByRole('button', { name: 'Next' }).click();
    await verification.getByLabel('Username').fill(USER);
    await verification.getByLabel('Password').fill(PASSWORD);
    await verification.getByRole('button', { name: 'Sign in' }).click();
    // No consent page: the consent recorded on the portal above covers these permissions (as in Entra).
    await expect(page.getByRole('heading', { name: 'Access token' })).toBeVisible({ timeout: 20_000 });
    await verification.close();

    // Refresh the tokens of an earlier run (a public client's: through the relay).
    await nav.getByRole('link', { name: 'Refresh token' }).click();
    const picker = page.getByLabel('Use the refresh token from an earlier run');
    await picker.selectOption({ label: await picker.locator('option').nth(1).innerText() });
    await page.getByRole('button', { name: 'Redeem the refresh token' }).click();
    await expect(page.getByText('Sent through the local relay', { exact: true })).toBeVisible();
    await expect(page.getByRole('region', { name: 'Access token' })).toBeVisible();

    // And the token works at the API.
    await nav.getByRole('link', { name: 'Call an API with a token' }).click();
    const accessPicker = page.getByLabel('Use the access token from an earlier run');
    await accessPicker.selectOption({ label: await accessPicker.locator('option').nth(1).innerText() });
    await page.getByRole('button', { name: 'Send the request' }).click();
    await expect(page.getByText('HTTP 200: the API accepted the token.')).toContainText('Adele Vance');
    expect(errors).toEqual([]);
  });

  test('the sandbox as a generic issuer: on-behalf-of, both hops', async ({ page }) => {
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await useSandboxAsIssuer(page);
    await page.getByRole('navigation', { name: 'Flows' }).getByRole('link', { name: 'On-behalf-of' }).click();
    // Outside the sandbox, API A's registration is typed in: its client id (hop 1 asks for a token
    // for it) and, after the sign-in, its secret (memory only, so not kept across the redirect).
    await page.getByLabel('client_id (required)').fill(API_APP.clientId);
    await page.getByRole('button', { name: 'Get a user token for the API' }).click();
    await page.getByLabel('Username').fill(USER);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Accept' }).click();
    await expect(page).toHaveURL(/\/flows\/on-behalf-of$/);
    await page.getByRole('button', { name: 'Redeem the code for the user token' }).click();
    await expect(page.getByText('The token was issued to API A for a user')).toBeVisible();
    await page.getByLabel('API A’s client secret (kept in memory only)').fill(API_APP.clientSecret ?? '');
    await page.getByRole('button', { name: 'Exchange the token (on-behalf-of)' }).click();
    await expect(page.getByText('Sent through the local relay', { exact: true })).toBeVisible();
    await expect(
      page.getByRole('region', { name: 'Access token' }).getByRole('row', { name: /\bappid\b/ }),
    ).toContainText(API_APP.clientId);
    expect(errors).toEqual([]);
  });

  test('the sandbox as a generic issuer: implicit (id_token token), checked and decoded', async ({
    page,
  }) => {
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const issuer = await useSandboxAsIssuer(page);
    await page
      .getByRole('navigation', { name: 'Flows' })
      .getByRole('link', { name: 'Implicit and hybrid' })
      .click();
    // The registration with implicit ID and access tokens enabled.
    await page.getByLabel('client_id', { exact: false }).first().fill(LEGACY_APP.clientId);
    await page.getByRole('button', { name: 'Sign in at the authorization server' }).click();
    await page.getByLabel('Username').fill(USER);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Accept' }).click();
    await expect(page).toHaveURL(/\/flows\/implicit$/);
    const checks = page.getByRole('list', { name: 'Checks on the response' });
    await expect(checks).toContainText('nonce verified');
    await expect(checks).toContainText('at_hash verified');
    await expect(
      page.getByRole('region', { name: 'ID token' }).getByRole('row', { name: /^iss\b/ }),
    ).toContainText(issuer);
    expect(errors).toEqual([]);
  });

  test('flows with this authority: the sandbox as a generic issuer lists what its document says, and a flow it does not list gets a note', async ({
    page,
  }) => {
    await page.goto('/settings');
    // The sandbox tenant itself (Entra-shaped, judged by what Entra publishes): every grant offered;
    // of the feature routes, token management (userinfo, logout) only.
    const sandboxFlows = page.getByRole('list', { name: 'Flows with this authority' });
    await expect(sandboxFlows.getByRole('listitem')).toHaveCount(12);
    await expect(sandboxFlows.getByRole('listitem').filter({ hasText: 'Offered' })).toHaveCount(9);
    const sandboxRow = (title: string) => sandboxFlows.getByRole('listitem').filter({ hasText: title });
    await expect(sandboxRow('Sender-constrained tokens (DPoP)')).toContainText('Not advertised');
    await expect(sandboxRow('Token exchange (RFC 8693)')).toContainText('Not advertised');
    await expect(sandboxRow('Dynamic client registration')).toContainText('registration_endpoint');

    await useSandboxAsIssuer(page);
    // One list on the page: the looked-up document's.
    const flows = page.getByRole('list', { name: 'Flows with this authority' });
    await expect(flows).toHaveCount(1);
    const row = (title: string) => flows.getByRole('listitem').filter({ hasText: title });
    await expect(row('Authorization code (+ PKCE)')).toContainText('Offered');
    await expect(row('Implicit and hybrid')).toContainText('Offered');
    await expect(row('Call an API with a token')).toContainText('Offered');
    // No grant_types_supported: the default is authorization_code and implicit only.
    for (const title of [
      'Client credentials',
      'Device code',
      'Resource owner password (ROPC)',
      'Refresh token',
    ])
      await expect(row(title)).toContainText('Not advertised');
    await expect(row('Resource owner password (ROPC)')).toContainText('grant_types_supported');

    await page
      .getByRole('navigation', { name: 'Flows' })
      .getByRole('link', { name: 'Resource owner password (ROPC)' })
      .click();
    await expect(page.getByRole('note', { name: 'Not advertised' })).toContainText('password');
    await expect(page.getByRole('button', { name: 'Send the password' })).toBeEnabled();
    await expectNoAxeViolations(page, 'a flow page with the not-advertised note');
  });

  test('a provider without token_endpoint (implicit only, like Facebook): discovery succeeds, code flows are refused before any request', async ({
    page,
  }) => {
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const tokenRequests: string[] = [];
    page.on('request', (request) => {
      // Saving the issuer POSTs to /relay/allow; anything else would be a grant's request.
      if (request.method() === 'POST' && !request.url().endsWith('/relay/allow'))
        tokenRequests.push(request.url());
    });
    await useSandboxAsIssuer(page, {
      rewrite: ({ token_endpoint: _t, device_authorization_endpoint: _d, ...rest }) => ({
        ...rest,
        response_types_supported: ['id_token', 'id_token token'],
      }),
    });
    await expect(page.getByRole('list', { name: 'Notes on the document' })).toContainText(
      'no token_endpoint',
    );
    const flows = page.getByRole('list', { name: 'Flows with this authority' });
    const row = (title: string) => flows.getByRole('listitem').filter({ hasText: title });
    await expect(row('Authorization code (+ PKCE)')).toContainText('Not available');
    await expect(row('Authorization code (+ PKCE)')).toContainText(
      'There is no token_endpoint, so no code can be redeemed: only the implicit flow works with this provider.',
    );
    await expect(row('Implicit and hybrid')).toContainText('Offered');
    await expect(row('Device code')).toContainText('Not available');

    await page
      .getByRole('navigation', { name: 'Flows' })
      .getByRole('link', { name: 'Authorization code (+ PKCE)' })
      .click();
    const notice = page.getByRole('status').filter({ hasText: 'Not available with this authority' });
    await expect(notice).toContainText('token_endpoint');
    await expect(notice.getByRole('link', { name: /Settings/ })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Sign in at the authorization server' })).toBeDisabled();
    await expectNoAxeViolations(page, 'a flow page the authority cannot do');

    await page
      .getByRole('navigation', { name: 'Flows' })
      .getByRole('link', { name: 'Refresh token' })
      .click();
    await expect(
      page.getByRole('status').filter({ hasText: 'Not available with this authority' }),
    ).toBeVisible();

    await page
      .getByRole('navigation', { name: 'Flows' })
      .getByRole('link', { name: 'Implicit and hybrid' })
      .click();
    await expect(
      page.getByRole('status').filter({ hasText: 'Not available with this authority' }),
    ).toHaveCount(0);
    await expect(page.getByRole('button', { name: 'Sign in at the authorization server' })).toBeEnabled();
    // A reload keeps the verdicts: the document's deciding fields are stored with the issuer.
    await page.goto('/flows/authorization-code');
    await expect(
      page.getByRole('status').filter({ hasText: 'Not available with this authority' }),
    ).toBeVisible();
    expect(tokenRequests).toEqual([]);
    expect(errors).toEqual([]);
  });

  test('an Entra-shaped authority typed by hand: client credentials; no device endpoint, no device code', async ({
    page,
  }) => {
    const base = `${await sandboxOrigin(page)}/${SANDBOX_TENANT.id}`;
    await page.goto('/settings');
    await chooseAuthority(page, 'Endpoints typed by hand');
    await page
      .getByRole('textbox', { name: 'Authorization endpoint', exact: true })
      .fill(`${base}/oauth2/v2.0/authorize`);
    await page.getByRole('textbox', { name: 'Token endpoint' }).fill('http://example.com/token');
    await page.getByLabel('Keys (JWKS) URL').fill(`${base}/discovery/v2.0/keys`);
    await page.getByRole('button', { name: 'Use these endpoints' }).click();
    await expect(page.getByRole('alert')).toContainText('The token endpoint must use https');
    await page.getByRole('textbox', { name: 'Token endpoint' }).fill(`${base}/oauth2/v2.0/token`);
    await page.getByRole('button', { name: 'Use these endpoints' }).click();
    await expect(page.getByText('Saved. Flows now use these endpoints.')).toBeVisible();

    await page.getByRole('navigation', { name: 'Flows' }).getByRole('link', { name: 'Device code' }).click();
    await expect(page.getByText('This authority offers no device authorization endpoint')).toBeVisible();
    await expect(page.getByRole('button', { name: 'Request a device code' })).toHaveCount(0);
    await expect(
      page.getByRole('status').filter({ hasText: 'Not available with this authority' }),
    ).toContainText('device_authorization_endpoint');

    await page.getByRole('navigation', { name: 'Flows' }).getByRole('link', { name: 'Settings' }).click();
    await expect(page.getByRole('textbox', { name: 'Token endpoint' })).toHaveValue(
      `${base}/oauth2/v2.0/token`,
    );
    await page.getByLabel('Device authorization endpoint (optional)').fill(`${base}/oauth2/v2.0/devicecode`);
    await page.getByRole('button', { name: 'Use these endpoints' }).click();
    await expect(page.getByText('Saved. Flows now use these endpoints.')).toBeVisible();
    await addWebAppProfile(page);
    await runClientCredentials(page);
  });

  test('“Remember on this device” keeps a secret across a reload, and it can be removed', async ({
    page,
  }) => {
    await page.goto('/settings');
    await addWebAppProfile(page);
    const stored = () => page.evaluate(() => JSON.stringify(window.localStorage));
    expect(await stored()).not.toContain(WEB_SECRET);
    await page.getByLabel('Remember on this device').check();
    expect(await stored()).toContain(WEB_SECRET);
    await page.reload();
    await expect(page.getByLabel('Client secret', { exact: true })).toHaveValue(WEB_SECRET);
    await page.getByRole('button', { name: 'Forget the stored secret' }).click();
    await expect(page.getByLabel('Remember on this device')).not.toBeChecked();
    expect(await stored()).not.toContain(WEB_SECRET);
    await page.reload();
    await expect(page.getByLabel('Client secret', { exact: true })).toHaveValue('');
  });

  test('export, then import the file back; a bad file is refused with a clear error', async ({ page }) => {
    const issuer = await useSandboxAsIssuer(page);
    await addWebAppProfile(page, 'Contoso web');
    const downloading = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export settings' }).click();
    const download = await downloading;
    const text = await readFile((await download.path())!, 'utf8');
    expect(text).not.toContain(WEB_SECRET);
    expect(JSON.parse(text)).toMatchObject({
      format: 'oauth-flow-lab/settings',
      authority: { kind: 'issuer', issuer },
    });

    await page.getByRole('button', { name: 'Reset to the sandbox defaults' }).click();
    await expect(page.getByText(/^Flows use the sandbox tenant/)).toBeVisible();

    await page.getByLabel('Or paste the settings JSON').fill('{"format":"something-else"}');
    await page.getByRole('button', { name: 'Check the settings' }).click();
    await expect(page.getByRole('alert')).toContainText('not an OAuth Flow Lab settings file');

    await page.getByLabel('Import from a file').setInputFiles({
      name: 'settings.json',
      mimeType: 'application/json',
      buffer: Buffer.from(text),
    });
    const confirm = page.getByRole('region', { name: 'Importing will change' });
    await expect(confirm).toContainText(`The OpenID provider ${issuer}`);
    await expect(confirm).toContainText('Contoso web');
    await page.getByRole('button', { name: 'Import these settings' }).click();
    await expect(page.getByText(/^Imported:/)).toBeVisible();
    await expect(page.getByText(/^Flows use an OpenID provider found by its issuer URL/)).toBeVisible();
    await expect(page.getByLabel('Active profile', { exact: true })).toHaveValue(/.+/);
    await expect(page.getByLabel('Active profile', { exact: true }).locator('option:checked')).toHaveText(
      'Contoso web',
    );
    // The secret never left: after the round trip the profile has none.
    await expect(page.getByLabel('Client secret', { exact: true })).toHaveValue('');
  });

  test('a share link opened in a new page lands on the flow and step with the settings, and holds no secret', async ({
    page,
    browser,
  }) => {
    const issuer = await useSandboxAsIssuer(page);
    await addWebAppProfile(page);
    await page
      .getByRole('navigation', { name: 'Flows' })
      .getByRole('link', { name: 'Client credentials' })
      .click();
    await page
      .getByRole('navigation', { name: 'Steps' })
      .getByRole('link', { name: 'Request the token' })
      .click();
    await page.getByRole('button', { name: 'Share a link to this step' }).click();
    const link = await page.getByLabel('Link with your settings, without secrets').inputValue();
    expect(link).toMatch(/\/flows\/client-credentials\?share=[A-Za-z0-9_-]+$/);
    const payload = Buffer.from(new URL(link).searchParams.get('share')!, 'base64url').toString('utf8');
    expect(link).not.toContain(WEB_SECRET);
    expect(payload).not.toContain(WEB_SECRET);
    expect(payload).not.toMatch(/secret|password|private|verifier|access_token|refresh_token|id_token/i);

    const other = await browser.newContext();
    try {
      const fresh = await other.newPage();
      await fresh.goto(link);
      await expect(fresh.getByRole('heading', { level: 1, name: 'Open a shared setup?' })).toBeVisible();
      await expect(fresh.getByText(`The OpenID provider ${issuer}`)).toBeVisible();
      await expect(fresh.getByText(/App profile “Sandbox web app” becomes the active one/)).toContainText(
        WEB_APP.clientId,
      );
      await expectNoAxeViolations(fresh, 'the share link prompt');
      await fresh.getByRole('button', { name: 'Apply and continue' }).click();
      await expect(fresh).toHaveURL(/\/flows\/client-credentials#step-request$/);
      await expect(fresh.getByRole('heading', { level: 1, name: 'Client credentials' })).toBeVisible();
      await expect(
        fresh.getByRole('navigation', { name: 'Steps' }).locator('[aria-current="step"]'),
      ).toContainText('Request the token');
      await expect(fresh.locator('.authority-badge')).toContainText(`Issuer: ${new URL(issuer).host}`);
      expect(fresh.url()).not.toContain(WEB_SECRET);
      // No secret came with the link: the secret field is empty and the request warns about it.
      await expect(fresh.getByLabel('Client secret (kept in memory only)')).toHaveValue('');
    } finally {
      await other.close();
    }
  });

  test('accessibility: the settings page with each form open (discovery through the relay)', async ({
    page,
  }) => {
    await useSandboxAsIssuer(page, { corsBlocked: true });
    await expectNoAxeViolations(page, 'settings with an issuer looked up');
    await chooseAuthority(page, 'Endpoints typed by hand');
    await page.getByLabel('Remember on this device').check();
    await expectNoAxeViolations(page, 'settings with typed endpoints and a remembered secret');
    await chooseAuthority(page, 'Microsoft Entra ID (your tenant)');
    await expectNoAxeViolations(page, 'settings for Entra ID');
  });
});

test.describe('settings: choosing a client fills what it implies', () => {
  test('a sandbox registration fills its name, platform, redirect URI and secret, and says so; a Microsoft client too', async ({
    page,
  }) => {
    await page.goto('/settings');
    const registrations = page.getByRole('group', { name: 'Sandbox app registrations' });
    await registrations.getByRole('button', { name: 'Flow Lab Web App' }).click();
    await expect(page.getByLabel('Profile name')).toHaveValue('Flow Lab Web App');
    await expect(page.getByLabel('Client id', { exact: true })).toHaveValue(WEB_APP.clientId);
    await expect(page.getByLabel('Platform', { exact: true })).toHaveValue('web');
    // This app's callback when the registration lists it, else the first it lists (and the status says so).
    const callback = `${new URL(page.url()).origin}/callback`;
    await expect(page.getByLabel('Redirect URI')).toHaveValue(
      WEB_APP.redirectUris.includes(callback) ? callback : WEB_APP.redirectUris[0]!,
    );
    await expect(page.getByLabel('Client secret', { exact: true })).toHaveValue(WEB_SECRET);
    await expect(page.getByRole('status').filter({ hasText: 'Filled in:' })).toContainText('platform web');

    await registrations.getByRole('button', { name: 'Flow Lab Console' }).click();
    await expect(page.getByLabel('Profile name')).toHaveValue('Flow Lab Console');
    await expect(page.getByLabel('Platform', { exact: true })).toHaveValue('public');
    await expect(page.getByLabel('Client secret', { exact: true })).toHaveValue('');
    await expect(page.getByRole('status').filter({ hasText: 'Filled in:' })).toContainText(
      'platform public client',
    );

    await page.getByLabel('Microsoft’s public clients').selectOption({ label: 'Graph Explorer' });
    await page.getByRole('button', { name: 'Add as a profile' }).click();
    await expect(page.getByLabel('Active profile', { exact: true }).locator('option:checked')).toHaveText(
      'Graph Explorer',
    );
    await expect(page.getByLabel('Profile name')).toHaveValue('Graph Explorer');
    await expect(page.getByLabel('Client id', { exact: true })).toHaveValue(
      'de8bc8b5-d9f9-48b1-a8ad-b748da725064',
    );
    await expect(page.getByLabel('Redirect URI')).toHaveValue(
      'https://developer.microsoft.com/en-us/graph/graph-explorer',
    );
    await expect(page.getByLabel('Platform', { exact: true })).toHaveValue('spa');
    // No scopes are filled in for Microsoft's clients: none of them documents a default set.
    await expect(page.getByLabel('Default scopes')).toHaveValue('');
    await expect(page.getByRole('status').filter({ hasText: 'Added the profile' })).toContainText(
      'redirect URI https://developer.microsoft.com/en-us/graph/graph-explorer',
    );
    await expectNoAxeViolations(page, 'settings after choosing clients');
  });
});
