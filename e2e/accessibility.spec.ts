import { expect, test } from '@playwright/test';
import { expectNoAxeViolations } from './support/axe.ts';

const USER = 'adele@flowlab-sandbox.onmicrosoft.com';
const PASSWORD = 'Sandbox-Adele-1';

test.describe('accessibility (axe-core)', () => {
  for (const path of [
    '/',
    '/settings',
    '/tokens',
    '/choose',
    '/registration-check',
    '/sandbox-code',
    '/attacks',
    '/callback',
    '/no-such-page',
  ]) {
    test(`${path} has no violations`, async ({ page }) => {
      await page.goto(path);
      await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
      await expectNoAxeViolations(page, path);
    });
  }

  test('the authorization code flow in every step state, and the sandbox pages it passes through', async ({
    page,
  }) => {
    await page.goto('/flows/authorization-code');
    await expect(page.locator('.flow-diagram svg')).toBeVisible();
    await expectNoAxeViolations(page, 'flow: start');
    await page.getByRole('button', { name: 'Generate verifier and challenge' }).click();
    await expectNoAxeViolations(page, 'flow: PKCE done');
    await page.getByRole('button', { name: 'Sign in at the authorization server' }).click();
    await expectNoAxeViolations(page, 'sandbox sign-in page');
    await page.getByLabel('Username').fill(USER);
    await page.getByLabel('Password').fill('wrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expectNoAxeViolations(page, 'sandbox sign-in page with an error');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expectNoAxeViolations(page, 'sandbox consent page');
    await page.getByRole('button', { name: 'Accept' }).click();
    await expect(page.getByRole('button', { name: 'Redeem the code' })).toBeVisible();
    await expectNoAxeViolations(page, 'flow: code received');
    await page.getByRole('button', { name: 'Redeem the code' }).click();
    await expect(page.getByRole('heading', { name: 'Access token' })).toBeVisible();
    await expectNoAxeViolations(page, 'flow: tokens');
    await page.getByRole('button', { name: 'Reveal secrets' }).first().click();
    await page.getByText('Send it yourself: PowerShell, curl or fetch').first().click();
    await expectNoAxeViolations(page, 'flow: secrets revealed, snippets open');
  });

  test('a failed step (declined consent) has no violations', async ({ page }) => {
    await page.goto('/flows/authorization-code');
    await page.getByRole('button', { name: 'Sign in at the authorization server' }).click();
    await page.getByLabel('Username').fill(USER);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Cancel' }).click();
    await expect(page.getByRole('alert')).toBeVisible();
    await expectNoAxeViolations(page, 'flow: declined consent');
  });

  test('the sandbox portal has no violations', async ({ page }) => {
    const config = (await (await page.request.get('/lab-config.json')).json()) as { sandboxOrigin: string };
    await page.goto(`${config.sandboxOrigin}/`);
    await expectNoAxeViolations(page, 'sandbox portal');
  });

  test('dark colour scheme has no contrast violations', async ({ page }) => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.goto('/flows/authorization-code');
    await expect(page.locator('.flow-diagram svg')).toBeVisible();
    await expectNoAxeViolations(page, 'flow page, dark');
  });
});
