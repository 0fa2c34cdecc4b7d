import { expect, test, type APIRequestContext, type BrowserContext, type Page } from '@playwright/test';
import { E2E_SANDBOX_PORT } from '../playwright.config.ts';
import { expectNoAxeViolations } from './support/axe.ts';
import { expectNoSecretsLeft, recordConsole, tokensOnPage } from './support/secrets-audit.ts';

const SANDBOX = `http://localhost:${E2E_SANDBOX_PORT}`;
const SETTINGS = `${SANDBOX}/portal/settings`;
const USER = 'adele@flowlab-sandbox.onmicrosoft.com';
const PASSWORD = 'Sandbox-Adele-1';

/** Requests a device code with the keyboard and returns the user code shown. */
async function requestCode(page: Page): Promise<string> {
  await page.goto('/flows/device-code');
  await expect(page.getByRole('heading', { level: 1, name: 'Device code' })).toBeVisible();
  await page.getByRole('button', { name: 'Request a device code' }).press('Enter');
  const code = page.getByTestId('user-code');
  await expect(code).toHaveText(/^[A-Z]{9}$/);
  return (await code.textContent()) ?? '';
}

/** Opens the verification link in a new tab (keyboard), enters the code and signs in as adele. */
async function signInOnSecondDevice(context: BrowserContext, page: Page, userCode: string): Promise<Page> {
  const link = page.getByRole('link', { name: `${SANDBOX}/devicelogin` });
  await expect(link).toHaveAttribute('target', '_blank');
  await expect(link).toHaveAttribute('rel', 'noopener noreferrer');
  const [verification] = await Promise.all([context.waitForEvent('page'), link.press('Enter')]);
  await verification.getByLabel('Code').fill(userCode);
  await verification.getByRole('button', { name: 'Next' }).press('Enter');
  await verification.getByLabel('Username').fill(USER);
  await verification.getByLabel('Password').fill(PASSWORD);
  await verification.getByRole('button', { name: 'Sign in' }).press('Enter');
  return verification;
}

async function withDeviceCodeLifetime(
  request: APIRequestContext,
  seconds: number,
  body: () => Promise<void>,
) {
  const before = (await (await request.get(SETTINGS)).json()) as { deviceCodeLifetimeSeconds: number };
  try {
    const changed = await request.post(SETTINGS, { data: { deviceCodeLifetimeSeconds: seconds } });
    expect(changed.ok()).toBe(true);
    await body();
  } finally {
    await request.post(SETTINGS, { data: { deviceCodeLifetimeSeconds: before.deviceCodeLifetimeSeconds } });
  }
}

test.describe('device code flow', () => {
  test('happy path: code, second tab sign-in, polling gets the tokens (keyboard only)', async ({
    page,
    context,
  }) => {
    const consoleLines = recordConsole(page);
    const userCode = await requestCode(page);
    await expect(page.getByText('Sent through the local relay', { exact: true }).first()).toBeVisible();
    await expect(page.getByText('not CORS-enabled').first()).toBeVisible();
    await expect(page.getByRole('blockquote')).toContainText(`enter the code ${userCode}`);
    await expect(page.getByRole('progressbar', { name: 'Time left before the code expires' })).toBeVisible();
    await expect(page.getByTestId('poll-state')).toContainText(/next poll in \d s/);

    // The first poll, before the user has done anything: a state, not a failure.
    await expect(page.getByTestId('poll-count')).toHaveText('1', { timeout: 10_000 });
    await expect(
      page.getByRole('status').filter({ hasText: 'Poll 1: still waiting for the user' }),
    ).toHaveCount(1);
    await expect(page.getByRole('alert')).toHaveCount(0);
    await expectNoAxeViolations(page, 'device code: polling');

    const verification = await signInOnSecondDevice(context, page, userCode);
    await verification.getByRole('button', { name: 'Accept' }).press('Enter');
    await expect(verification.getByRole('heading', { name: "You're signed in" })).toBeVisible();

    await expect(page.getByRole('heading', { name: 'Access token' })).toBeVisible({ timeout: 15_000 });
    await expect(page.getByRole('heading', { name: 'Refresh token' })).toBeVisible();
    await expect(
      page.getByRole('region', { name: 'ID token' }).getByRole('row', { name: /\bpreferred_username\b/ }),
    ).toContainText(USER);
    await expect(page.getByTestId('poll-state')).toHaveText('Done: tokens received');
    await expect(page.getByRole('status').filter({ hasText: 'the user finished' })).toHaveCount(1);
    await expectNoAxeViolations(page, 'device code: tokens');
    await expectNoSecretsLeft(page, await tokensOnPage(page), consoleLines);
  });

  test('an expired device code stops polling with the explanation', async ({ page, request }) => {
    await withDeviceCodeLifetime(request, 3, async () => {
      await requestCode(page);
      const alert = page.getByRole('alert');
      await expect(alert).toContainText('Device code expired', { timeout: 10_000 });
      await expect(alert).toContainText('expired_token');
      await expect(page.getByTestId('poll-state')).toHaveText('Stopped: the code expired');
      const again = alert.getByRole('button', { name: 'Request a new code' });
      await expect(again).toBeVisible();
      await again.press('Enter');
      await expect(page.getByRole('alert')).toHaveCount(0);
      await expect(page.getByTestId('user-code')).toHaveText(/^[A-Z]{9}$/);
      await page.getByRole('button', { name: 'Cancel polling' }).press('Enter');
    });
  });

  test('Cancel on the consent page: authorization_declined explained', async ({ page, context }) => {
    const userCode = await requestCode(page);
    const verification = await signInOnSecondDevice(context, page, userCode);
    await verification.getByRole('button', { name: 'Cancel' }).press('Enter');
    const alert = page.getByRole('alert');
    await expect(alert).toContainText('authorization_declined', { timeout: 15_000 });
    await expect(alert).toContainText('declined');
    await expect(alert.getByRole('button', { name: 'Request a new code' })).toBeVisible();
    await expect(page.getByTestId('poll-state')).toHaveText('Stopped');
    await expectNoAxeViolations(page, 'device code: declined');
    // The inputs are kept.
    await expect(page.getByLabel('scope')).toHaveValue('openid profile offline_access User.Read');
  });

  test('the Cancel button stops polling', async ({ page }) => {
    const polls: string[] = [];
    page.on('request', (req) => {
      const target = req.headers()['x-relay-target'] ?? '';
      if (target.endsWith('/oauth2/v2.0/token')) polls.push(target);
    });
    await requestCode(page);
    await page.getByRole('button', { name: 'Cancel polling' }).press('Enter');
    await expect(page.getByTestId('poll-state')).toHaveText('Cancelled: no more polls will be sent');
    await expect(page.getByRole('status').filter({ hasText: 'Polling cancelled' })).toHaveCount(1);
    // Longer than one interval (5 s): no poll may go out.
    await page.waitForTimeout(6500);
    expect(polls).toEqual([]);
    await expect(page.getByTestId('poll-count')).toHaveText('0');
    await expect(page.getByRole('button', { name: 'Request a new code' }).first()).toBeVisible();
  });

  test('leaving the page stops polling', async ({ page }) => {
    const polls: number[] = [];
    page.on('request', (req) => {
      if ((req.headers()['x-relay-target'] ?? '').endsWith('/oauth2/v2.0/token')) polls.push(Date.now());
    });
    await requestCode(page);
    await page.getByRole('link', { name: 'Client credentials' }).first().press('Enter');
    await expect(page.getByRole('heading', { level: 1, name: 'Client credentials' })).toBeVisible();
    await page.waitForTimeout(6500);
    expect(polls).toEqual([]);
  });

  test('a Google-shaped answer (verification_url, expires_in as a string, no interval) is read and the step says so', async ({
    page,
  }) => {
    // The sandbox answers like Entra; this stands in for Google's device endpoint behind the relay.
    await page.route('**/relay/forward', async (route) => {
      const target = route.request().headers()['x-relay-target'] ?? '';
      if (!target.endsWith('/devicecode')) return route.continue();
      return route.fulfill({
        status: 200,
        contentType: 'application/json; charset=utf-8',
        body: JSON.stringify({
          device_code: 'AH-1Ng0Ihc9yoEsLiXyNW2ADRhiGU6KeJ2bSvBvzhsXLJDIWhFFVlJHGH5-HKb-zzPUgDgvqi6KXzv5r',
          user_code: 'GQVQ-JKEC',
          verification_url: 'https://www.google.com/device',
          expires_in: '1800',
        }),
      });
    });
    await page.goto('/flows/device-code');
    await page.getByRole('button', { name: 'Request a device code' }).click();
    await expect(page.getByTestId('user-code')).toHaveText('GQVQ-JKEC');
    await expect(page.getByRole('link', { name: 'https://www.google.com/device' })).toBeVisible();
    const note = page.getByRole('note', { name: 'How this answer departs from RFC 8628' });
    await expect(note).toContainText('verification_url (Google’s name');
    await expect(note).toContainText('instead of RFC 8628’s verification_uri');
    await expect(note).toContainText('“expires_in” came as the string "1800"');
    await expect(page.getByRole('alert')).toHaveCount(0);
    await page.getByRole('button', { name: 'Cancel polling' }).click();
  });
});
