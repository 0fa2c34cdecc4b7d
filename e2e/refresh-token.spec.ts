import { expect, test, type Page } from '@playwright/test';
import { E2E_SANDBOX_PORT } from '../playwright.config.ts';
import { expectNoAxeViolations } from './support/axe.ts';
import { expectNoSecretsLeft, recordConsole, tokensOnPage } from './support/secrets-audit.ts';

const USER = 'adele@flowlab-sandbox.onmicrosoft.com';
const PASSWORD = 'Sandbox-Adele-1';
const SETTINGS = `http://localhost:${E2E_SANDBOX_PORT}/portal/settings`;

/** Signs in at the sandbox with keys only. */
async function signInByKeyboard(page: Page) {
  await page.getByLabel('Username').fill(USER);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByLabel('Password').press('Enter');
  await page.getByRole('button', { name: 'Accept' }).press('Enter');
}

/** The authorization code flow with PKCE, as adele: leaves a refresh token in this tab's history. */
async function tokensFromCodeFlow(page: Page) {
  await page.goto('/flows/authorization-code');
  await page.getByRole('button', { name: 'Sign in at the authorization server' }).press('Enter');
  await signInByKeyboard(page);
  await page.getByRole('button', { name: 'Redeem the code' }).press('Enter');
  await expect(page.getByRole('heading', { name: 'Refresh token' })).toBeVisible();
}

/** Opens the refresh page inside the app (a reload would forget the in-memory token history). */
async function openRefreshPage(page: Page) {
  await page.getByRole('navigation').getByRole('link', { name: 'Refresh token' }).first().press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: 'Refresh token' })).toBeVisible();
}

async function pickEarlierRefreshToken(page: Page) {
  const picker = page.getByLabel('Use the refresh token from an earlier run');
  await picker.selectOption({ label: await picker.locator('option').nth(1).innerText() });
  await expect(page.getByLabel('Refresh token to redeem')).not.toHaveValue('');
}

test.describe('refresh token', () => {
  test('an SPA refresh token: new pair from the browser, and the old token still works', async ({ page }) => {
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const consoleLines = recordConsole(page);
    await tokensFromCodeFlow(page);
    const original = await page
      .getByRole('region', { name: 'Refresh token', exact: true })
      .getByRole('textbox')
      .first()
      .inputValue();
    await openRefreshPage(page);
    await pickEarlierRefreshToken(page);
    await expect(page.getByText('Will be sent from the browser')).toBeVisible();

    await page.getByRole('button', { name: 'Redeem the refresh token' }).press('Enter');
    await expect(page.getByText('Sent from the browser', { exact: true })).toBeVisible();
    await expect(page.getByRole('region', { name: 'Access token' })).toBeVisible();
    const fresh = await page
      .getByRole('region', { name: 'Refresh token', exact: true })
      .getByRole('textbox')
      .first()
      .inputValue();
    expect(fresh).not.toBe(original);

    await page.getByRole('button', { name: 'Redeem the old refresh token again' }).press('Enter');
    await expect(page.getByText('The old refresh token still works')).toBeVisible();
    await expectNoAxeViolations(page, 'refresh-token: after reuse');
    expect(errors).toEqual([]);
    await expectNoSecretsLeft(page, [original, ...(await tokensOnPage(page))], consoleLines);
  });

  test('scope narrowing: openid User.Read gives a token with only User.Read', async ({ page }) => {
    await tokensFromCodeFlow(page);
    await openRefreshPage(page);
    await pickEarlierRefreshToken(page);
    await page.getByLabel('scope', { exact: true }).fill('openid User.Read');
    await expect(page.getByRole('list', { name: 'Warnings about this request' })).toHaveCount(0);
    await page.getByRole('button', { name: 'Redeem the refresh token' }).press('Enter');
    const accessToken = page.getByRole('region', { name: 'Access token' });
    await expect(accessToken.getByRole('row', { name: /\bscp\b/ })).toContainText('User.Read');
    const scope = page.locator('.token-meta dd').nth(1);
    await expect(scope).toContainText('User.Read');
    await expect(scope).not.toContainText('email');
  });

  test('a pasted garbage refresh token: invalid_grant, explained', async ({ page }) => {
    await page.goto('/flows/refresh-token');
    await page.getByLabel('Refresh token to redeem').fill('not-a-refresh-token');
    await page.getByRole('button', { name: 'Redeem the refresh token' }).press('Enter');
    const alert = page.getByRole('alert');
    await expect(alert).toContainText('invalid_grant');
    await expect(alert).toContainText('AADSTS9002313');
    await expect(page.getByText('invalid_grant means this refresh token cannot be used')).toBeVisible();
    await expect(page.getByLabel('Refresh token to redeem')).toHaveValue('not-a-refresh-token');
    await expectNoAxeViolations(page, 'refresh-token: invalid_grant');
  });

  test('rotation on: the redeemed refresh token is refused the second time', async ({ page, request }) => {
    try {
      await tokensFromCodeFlow(page);
      await openRefreshPage(page);
      const rotation = page.getByRole('checkbox', { name: 'Rotate refresh tokens (sandbox setting)' });
      await expect(page.getByText('Currently off')).toBeVisible();
      await rotation.press('Space');
      await expect(page.getByText('Currently on')).toBeVisible();

      await pickEarlierRefreshToken(page);
      await page.getByRole('button', { name: 'Redeem the refresh token' }).press('Enter');
      await expect(page.getByRole('region', { name: 'Access token' })).toBeVisible();
      await page.getByRole('button', { name: 'Redeem the old refresh token again' }).press('Enter');
      const alert = page.getByRole('alert');
      await expect(alert).toContainText('invalid_grant');
      await expect(alert).toContainText('AADSTS50173');
      await expect(page.getByText('this server rotates refresh tokens')).toBeVisible();
    } finally {
      await request.post(SETTINGS, { data: { rotateRefreshTokens: false } });
    }
  });
});
