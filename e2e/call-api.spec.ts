import { expect, test, type Page } from '@playwright/test';
import { SANDBOX_USERS } from '../server/sandbox/seed.ts';
import { expectNoAxeViolations } from './support/axe.ts';
import { expectNoSecretsLeft, recordConsole } from './support/secrets-audit.ts';

const USER = 'adele@flowlab-sandbox.onmicrosoft.com';
const PASSWORD = 'Sandbox-Adele-1';

/** Signs in at the sandbox with keys only. */
async function signInByKeyboard(page: Page) {
  await page.getByLabel('Username').fill(USER);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByLabel('Password').press('Enter');
  await page.getByRole('button', { name: 'Accept' }).press('Enter');
}

/** The authorization code flow with PKCE, as adele: leaves a delegated token in this tab's history. */
async function delegatedTokenFromCodeFlow(page: Page) {
  await page.goto('/flows/authorization-code');
  await page.getByRole('button', { name: 'Sign in at the authorization server' }).press('Enter');
  await signInByKeyboard(page);
  await page.getByRole('button', { name: 'Redeem the code' }).press('Enter');
  await expect(page.getByRole('heading', { name: 'Access token' })).toBeVisible();
}

/** Moves to another page inside the app (a reload would forget the in-memory token history). */
async function openInApp(page: Page, linkName: string) {
  await page.getByRole('navigation').getByRole('link', { name: linkName }).first().press('Enter');
}

test.describe('call an API', () => {
  test('a delegated token: /v1.0/me answers 200 with Adele, /v1.0/users answers 403 insufficient_scope (User.Read.All)', async ({
    page,
  }) => {
    const consoleLines = recordConsole(page);
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await delegatedTokenFromCodeFlow(page);
    await openInApp(page, 'Call an API with a token');
    await expect(page.getByRole('heading', { level: 1, name: 'Call an API with a token' })).toBeVisible();

    const picker = page.getByLabel('Use the access token from an earlier run');
    await picker.selectOption({ label: await picker.locator('option').nth(1).innerText() });
    await expect(page.getByLabel('Access token to send')).toHaveValue(/^eyJ/);
    const checks = page.getByRole('table', { name: /What the API will check/ });
    await expect(checks.getByRole('row', { name: /^aud\b/ })).toContainText('passes');
    await expect(checks.getByRole('row', { name: /^scp\b/ })).toContainText('User.Read');
    await expect(page.getByText('Will be sent from the browser')).toBeVisible();
    await expect(page.getByText('Authorization: Bearer ••••••')).toBeVisible();

    await page.getByRole('button', { name: 'Send the request' }).press('Enter');
    await expect(page.getByText('Sent from the browser', { exact: true })).toBeVisible();
    await expect(page.getByText('HTTP 200: the API accepted the token.')).toContainText('Adele Vance');

    await page
      .getByLabel('API', { exact: true })
      .selectOption({ label: 'Sandbox API: /v1.0/users (every user, app-only)' });
    await expect(page.getByRole('list', { name: 'Warnings about this request' })).toContainText(
      'User.Read.All',
    );
    await page.getByRole('button', { name: 'Send the request' }).press('Enter');
    const alert = page.getByRole('alert');
    await expect(alert).toContainText('Missing permission: User.Read.All');
    await expect(alert).toContainText('insufficient_scope');
    await expect(alert).toContainText('Authorization_RequestDenied');
    expect(errors).toEqual([]);
    await expectNoAxeViolations(page, 'call an API: 403 explained');
    await expectNoSecretsLeft(
      page,
      [await page.getByLabel('Access token to send').inputValue()],
      consoleLines,
    );
  });

  test('a v1.0 token for the Flow Lab API: the page explains why a v2.0-configured validator refuses its issuer', async ({
    page,
  }) => {
    await page.goto('/flows/authorization-code');
    await page.getByLabel('scope').fill('openid api://9e4d2a71-3c58-4b0f-8d16-2a7f5e9c3b40/access_as_user');
    await page.getByRole('button', { name: 'Sign in at the authorization server' }).press('Enter');
    await signInByKeyboard(page);
    await page.getByRole('button', { name: 'Redeem the code' }).press('Enter');
    await expect(page.getByRole('heading', { name: 'Access token' })).toBeVisible();
    await openInApp(page, 'Call an API with a token');
    const picker = page.getByLabel('Use the access token from an earlier run');
    await picker.selectOption({ label: await picker.locator('option').nth(1).innerText() });
    const note = page.getByRole('note').filter({ hasText: 'This is a v1.0 access token' });
    await expect(note).toContainText('/sts/');
    await expect(note).toContainText('accessTokenAcceptedVersion to 2');
    // It is not a Graph token: the Graph look-alike's audience check says so before sending.
    await expect(
      page.getByRole('table', { name: /What the API will check/ }).getByRole('row', { name: /^aud\b/ }),
    ).toContainText('fails');
    await expectNoAxeViolations(page, 'call an API: v1.0 issuer explained');
  });

  test('a pasted garbage token: 401 invalid_token, explained', async ({ page }) => {
    await page.goto('/flows/call-api');
    await page.getByLabel('Access token to send').fill('garbage');
    await page.getByRole('button', { name: 'Send the request' }).press('Enter');
    const alert = page.getByRole('alert');
    await expect(alert).toContainText('The token was rejected');
    await expect(alert).toContainText('invalid_token');
    await expect(alert).toContainText('InvalidAuthenticationToken');
    await expect(page.getByLabel('Access token to send')).toHaveValue('garbage');
  });

  test('a pasted expired token: warned before sending, then 401 invalid_token explained as expired', async ({
    page,
  }) => {
    const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const expired = `${part({ alg: 'RS256', typ: 'JWT' })}.${part({ aud: '00000003-0000-0000-c000-000000000000', scp: 'User.Read', exp: 1_600_000_000 })}.c2ln`;
    await page.goto('/flows/call-api');
    await page.getByLabel('Access token to send').fill(expired);
    await expect(page.getByRole('list', { name: 'Warnings about this request' })).toContainText('expired');
    await page.getByRole('button', { name: 'Send the request' }).press('Enter');
    const alert = page.getByRole('alert');
    await expect(alert).toContainText('The token has expired');
    await expect(alert).toContainText('invalid_token');
  });

  test('no token at all: 401 with a challenge and no error code', async ({ page }) => {
    await page.goto('/flows/call-api');
    await page.getByRole('button', { name: 'Send the request' }).press('Enter');
    const alert = page.getByRole('alert');
    await expect(alert).toContainText('No token was sent');
    await expect(alert).not.toContainText('invalid_token"');
  });

  test('an app-only token from client credentials lists every user', async ({ page }) => {
    await page.goto('/flows/client-credentials');
    await page.getByRole('button', { name: 'Request the token' }).press('Enter');
    await expect(page.getByRole('heading', { name: 'Access token' })).toBeVisible();
    await openInApp(page, 'Call an API with a token');
    const picker = page.getByLabel('Use the access token from an earlier run');
    await picker.selectOption({
      label: await picker.locator('option', { hasText: 'Client credentials' }).innerText(),
    });
    await page
      .getByLabel('API', { exact: true })
      .selectOption({ label: 'Sandbox API: /v1.0/users (every user, app-only)' });
    await expect(
      page.getByRole('table', { name: /What the API will check/ }).getByRole('row', { name: /^roles\b/ }),
    ).toContainText('passes');
    await page.getByRole('button', { name: 'Send the request' }).press('Enter');
    // Every user of the seeded directory, however many it holds.
    await expect(page.getByText('HTTP 200: the API accepted the token.')).toContainText(
      `${SANDBOX_USERS.length} users`,
    );
  });
});
