import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { expectNoAxeViolations } from './support/axe.ts';
import { expectNoSecretsLeft, recordConsole, tokensOnPage } from './support/secrets-audit.ts';

const ADELE = { username: 'adele@flowlab-sandbox.onmicrosoft.com', password: 'Sandbox-Adele-1' };
const MEGAN = { username: 'megan@flowlab-sandbox.onmicrosoft.com', password: 'Sandbox-Megan-1' };
const WRONG_PASSWORD = 'Not-Adeles-Password-9';
/** The sandbox's console app, the client the password page uses. */
const CONSOLE_CLIENT_ID = '1b6f9c2d-4e7a-4a35-8c91-0d2e5f7b3a68';

/** The sandbox portal's JSON API, called as the app's own origin (the portal lets it through). */
async function portalApi(request: APIRequestContext) {
  const lab = (await (await request.get('/lab-config.json')).json()) as { sandboxOrigin: string };
  const appOrigin = new URL(test.info().project.use.baseURL ?? 'http://localhost:47173').origin;
  return (path: string, method: 'POST' | 'DELETE', data?: unknown) =>
    request.fetch(`${lab.sandboxOrigin}/portal/${path}`, {
      method,
      headers: { origin: appOrigin },
      ...(data === undefined ? {} : { data }),
    });
}

/** Records Adele's consent to the console on the portal: the password grant cannot ask for it. */
async function grantConsent(request: APIRequestContext) {
  const portal = await portalApi(request);
  expect(
    (await portal(`apps/${CONSOLE_CLIENT_ID}/consents`, 'POST', { user: ADELE.username })).status(),
  ).toBe(200);
}

/** The password input, found by its label (the field's wire name). */
const passwordField = (page: Page) => page.getByLabel(/^password/);

/** Fills the form and sends, by keyboard only. */
async function sendPassword(page: Page, username: string, password: string) {
  await page.goto('/flows/password');
  await expect(page.getByRole('heading', { level: 1, name: 'Resource owner password (ROPC)' })).toBeVisible();
  await page.getByLabel('username').fill(username);
  await passwordField(page).fill(password);
  // The run from an earlier send comes back with the page (sessionStorage): wait for this send's answer,
  // not the restored one.
  const answered = page.waitForResponse((response) => response.url().endsWith('/relay/forward'));
  await page.getByRole('button', { name: 'Send the password' }).press('Enter');
  await answered;
  await expect(page.getByText('Sent through the local relay', { exact: true })).toBeVisible();
}

/** After a run: the password field is empty, the username kept, and nothing secret left in storage. */
async function expectPasswordGone(page: Page, username: string, secrets: string[], consoleLines: string[]) {
  await expect(passwordField(page)).toHaveValue('');
  await expect(page.getByLabel('username')).toHaveValue(username);
  // Even with secrets revealed, the recorded request no longer holds the password.
  const exchange = page.locator('.http-exchange').first();
  const reveal = exchange.getByRole('button', { name: 'Reveal secrets' });
  if ((await reveal.getAttribute('aria-pressed')) !== 'true') await reveal.press('Space');
  await expect(exchange).toContainText('(cleared after sending)');
  await expect(exchange).not.toContainText(secrets[0]!);
  await expectNoSecretsLeft(page, secrets, consoleLines);
}

test.describe('resource owner password flow', () => {
  test('is marked legacy and points to the safer flows', async ({ page }) => {
    await page.goto('/flows/password');
    const legacy = page.getByRole('note', { name: 'Legacy flow' });
    await expect(legacy).toContainText('RFC 9700 §2.4');
    await expect(legacy).toContainText('MUST NOT');
    await expect(page.getByRole('link', { name: 'authorization code with PKCE' }).first()).toHaveAttribute(
      'href',
      '/flows/authorization-code',
    );
    await expect(page.getByRole('link', { name: 'device code' }).first()).toHaveAttribute(
      'href',
      '/flows/device-code',
    );
    await expect(page.getByText('Will go through the local relay')).toBeVisible();
    await expect(page.getByText(/AADSTS9002326/).first()).toBeVisible();
  });

  test('no consent recorded: AADSTS65001 explained — the password grant cannot show a consent page', async ({
    page,
    request,
  }) => {
    const portal = await portalApi(request);
    const consoleLines = recordConsole(page);
    expect(
      (
        await portal(`apps/${CONSOLE_CLIENT_ID}/consents/${encodeURIComponent(ADELE.username)}`, 'DELETE')
      ).status(),
    ).toBe(200);
    try {
      await sendPassword(page, ADELE.username, ADELE.password);
      const alert = page.getByRole('alert');
      await expect(alert).toContainText('AADSTS65001');
      await expect(alert).toContainText('Consent missing');
      await expect(alert).toContainText('invalid_grant');
      await expect(alert).toContainText(/cannot show a consent page/);
      await expectNoAxeViolations(page, 'password: consent missing');
      await expectPasswordGone(page, ADELE.username, [ADELE.password], consoleLines);
    } finally {
      await grantConsent(request);
    }
  });

  test('adele: tokens, password masked in the preview and cleared after sending (keyboard only)', async ({
    page,
    request,
  }) => {
    // Consent recorded first (on the portal, as an admin or an earlier interactive sign-in would).
    await grantConsent(request);
    const consoleLines = recordConsole(page);
    await page.goto('/flows/password');
    await page.getByLabel('username').fill(ADELE.username);
    await passwordField(page).fill(ADELE.password);
    // The preview masks the password until "Reveal secrets".
    const preview = page.locator('.http-exchange').first();
    await expect(preview).not.toContainText(ADELE.password);
    await preview.getByRole('button', { name: 'Reveal secrets' }).press('Space');
    await expect(preview).toContainText(ADELE.password);
    await preview.getByRole('button', { name: 'Reveal secrets' }).press('Space');
    await expect(preview).not.toContainText(ADELE.password);

    await page.getByRole('button', { name: 'Send the password' }).press('Enter');
    await expect(page.getByRole('heading', { name: 'Access token' })).toBeVisible();
    await expect(page.getByRole('heading', { name: 'Refresh token' })).toBeVisible();
    await expect(
      page.getByRole('region', { name: 'ID token' }).getByRole('row', { name: /\bpreferred_username\b/ }),
    ).toContainText(ADELE.username);
    await expectNoAxeViolations(page, 'password: tokens');
    const tokens = await tokensOnPage(page);
    expect(tokens.length).toBeGreaterThan(0);
    await expectPasswordGone(page, ADELE.username, [ADELE.password, ...tokens], consoleLines);
  });

  test('megan (MFA): AADSTS50076 explained — ROPC cannot do MFA', async ({ page }) => {
    const consoleLines = recordConsole(page);
    await sendPassword(page, MEGAN.username, MEGAN.password);
    const alert = page.getByRole('alert');
    await expect(alert).toContainText('AADSTS50076');
    await expect(alert).toContainText(/multi-factor/i);
    await expect(alert).toContainText('invalid_grant');
    await expect(page.getByRole('note').filter({ hasText: 'ROPC cannot do MFA' })).toContainText(
      'MFA required — ROPC cannot do MFA; use an interactive flow',
    );
    await expectNoAxeViolations(page, 'password: MFA required');
    await expectPasswordGone(page, MEGAN.username, [MEGAN.password], consoleLines);
  });

  test('wrong password: AADSTS50126 explained', async ({ page }) => {
    const consoleLines = recordConsole(page);
    await sendPassword(page, ADELE.username, WRONG_PASSWORD);
    const alert = page.getByRole('alert');
    await expect(alert).toContainText('Wrong user name or password');
    await expect(alert).toContainText('AADSTS50126');
    await expectPasswordGone(page, ADELE.username, [WRONG_PASSWORD], consoleLines);
  });

  test('smart lockout: after the threshold even the right password gets AADSTS50053, explained', async ({
    page,
    request,
  }) => {
    const portal = await portalApi(request);
    await grantConsent(request);
    const consoleLines = recordConsole(page);
    // Start from no counted failures (the wrong-password case above counts one for Adele).
    expect((await portal(`lockouts/${encodeURIComponent(ADELE.username)}`, 'DELETE')).status()).toBe(200);
    expect((await portal('settings', 'POST', { lockoutThreshold: 2 })).status()).toBe(200);
    try {
      await sendPassword(page, ADELE.username, `${WRONG_PASSWORD}-a`);
      await expect(page.getByRole('alert')).toContainText('AADSTS50126');
      await sendPassword(page, ADELE.username, `${WRONG_PASSWORD}-b`);
      await expect(page.getByRole('alert')).toContainText('AADSTS50053');
      await sendPassword(page, ADELE.username, ADELE.password);
      const alert = page.getByRole('alert');
      await expect(alert).toContainText('AADSTS50053');
      await expect(alert).toContainText('Account locked or sign-in blocked');
      await expect(alert).toContainText('too many wrong passwords');
      await expect(alert).toContainText('invalid_grant');
      await expectPasswordGone(page, ADELE.username, [ADELE.password], consoleLines);
    } finally {
      await portal('settings', 'POST', { lockoutThreshold: 10, lockoutDurationSeconds: 60 });
      await portal(`lockouts/${encodeURIComponent(ADELE.username)}`, 'DELETE');
    }
  });

  test('common is warned about before sending', async ({ page }) => {
    await page.goto('/flows/password');
    await page.getByLabel('tenant').fill('common');
    await expect(page.getByRole('list', { name: 'Warnings about this request' })).toContainText(
      'AADSTS9001023',
    );
  });
});
