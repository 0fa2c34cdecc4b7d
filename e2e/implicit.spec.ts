import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, expect, test, type Page } from '@playwright/test';
import { expectNoAxeViolations } from './support/axe.ts';
import { expectNoSecretsLeft, recordConsole, tokensOnPage } from './support/secrets-audit.ts';
import { gotoWithoutEmbeddedBoot } from './support/boot.ts';

const USER = 'adele@flowlab-sandbox.onmicrosoft.com';
const PASSWORD = 'Sandbox-Adele-1';
const LEGACY_SPA_ID = '4e8d1c7a-6f2b-4a93-b5d0-8c1e7f3a2b96';

/** Signs in at the sandbox with keys only. */
async function signInByKeyboard(page: Page) {
  await page.getByLabel('Username').fill(USER);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByLabel('Password').press('Enter');
  await page.getByRole('button', { name: 'Accept' }).press('Enter');
}

function base64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

test.describe('implicit and hybrid flows', () => {
  test('id_token token: tokens decoded, fragment gone, nonce and at_hash verified', async ({ page }) => {
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const consoleLines = recordConsole(page);
    await page.goto('/flows/implicit');
    await expect(page.getByRole('heading', { level: 1, name: 'Implicit and hybrid' })).toBeVisible();
    await expect(page.getByRole('note', { name: 'Legacy flow' })).toContainText('RFC 9700 §2.1.2');
    await expect(page.getByLabel('response_type')).toHaveValue('id_token token');
    await expect(page.locator('.url-preview')).toContainText('response_type=id_token+token');

    await page.getByRole('button', { name: 'Sign in at the authorization server' }).press('Enter');
    await signInByKeyboard(page);

    await expect(page).toHaveURL(/\/flows\/implicit$/);
    expect(page.url()).not.toContain('#');
    await expect(page.getByText('The fragment was read and removed')).toBeVisible();
    const checks = page.getByRole('list', { name: 'Checks on the response' });
    await expect(checks).toContainText('nonce verified');
    await expect(checks).toContainText('at_hash verified');
    const accessToken = page.getByRole('region', { name: 'Access token' });
    await expect(accessToken.getByRole('row', { name: /\bscp\b/ })).toContainText('User.Read');
    const idToken = page.getByRole('region', { name: 'ID token' });
    await expect(idToken.getByRole('row', { name: /\bpreferred_username\b/ })).toContainText(USER);
    await expect(idToken.getByRole('row', { name: /\bat_hash\b/ })).toBeVisible();
    await expect(page.getByText('No refresh token: the implicit flow never returns one')).toBeVisible();
    await expectNoAxeViolations(page, 'implicit: validated id_token token run');
    expect(errors).toEqual([]);
    // The tokens are in no URL, history entry, storage or console line.
    await expectNoSecretsLeft(page, await tokensOnPage(page), consoleLines);
  });

  test('code id_token (hybrid): c_hash verified, then the code redeemed through the relay', async ({
    page,
  }) => {
    await page.goto('/flows/implicit');
    await page.getByLabel('response_type').selectOption('code id_token');
    await expect(page.locator('.url-preview')).toContainText('response_type=code+id_token');
    await page.getByRole('button', { name: 'Sign in at the authorization server' }).press('Enter');
    await signInByKeyboard(page);

    const checks = page.getByRole('list', { name: 'Checks on the response' });
    await expect(checks).toContainText('c_hash verified');
    await expect(checks).toContainText('nonce verified');
    expect(page.url()).not.toContain('code=');
    await expect(page.getByText('Will go through the local relay')).toBeVisible();
    await page.getByRole('button', { name: 'Redeem the code' }).press('Enter');
    await expect(page.getByText('Sent through the local relay', { exact: true })).toBeVisible();
    await expect(page.getByRole('heading', { name: 'From the token endpoint (hybrid)' })).toBeVisible();
    await expect(page.getByRole('region', { name: 'Access token' }).last()).toBeVisible();
  });

  test('a forged fragment with another nonce is refused as NONCE_MISMATCH', async ({ page }) => {
    await page.goto('/flows/implicit');
    await page.getByLabel('scope').fill('openid User.Read');
    const state = await page.getByRole('textbox', { name: 'state', exact: true }).inputValue();
    await page.getByRole('button', { name: 'Sign in at the authorization server' }).press('Enter');
    await expect(page.getByText('Sandbox tenant').first()).toBeVisible();

    const forged = `${base64url({ alg: 'RS256', typ: 'JWT' })}.${base64url({ aud: LEGACY_SPA_ID, nonce: 'attacker-nonce' })}.c2ln`;
    const fragment = new URLSearchParams({
      access_token: 'attacker',
      token_type: 'Bearer',
      id_token: forged,
      state,
    });
    await page.goto(`/callback#${fragment.toString()}`);

    const alert = page.getByRole('alert');
    await expect(alert).toContainText('Nonce mismatch');
    await expect(alert).toContainText('attacker-nonce');
    expect(page.url()).not.toContain('#');
    await expect(page.getByRole('region', { name: 'Access token' })).toHaveCount(0);
    // The user's edited scope is kept.
    await expect(page.getByLabel('scope')).toHaveValue('openid User.Read');
  });

  test('the SPA registration (implicit off) is refused with AADSTS700054, explained', async ({ page }) => {
    await page.goto('/flows/implicit');
    await page
      .getByLabel('App registration')
      .selectOption({ label: 'Flow Lab SPA (implicit off: Entra refuses)' });
    await page.getByRole('button', { name: 'Sign in at the authorization server' }).press('Enter');

    const alert = page.getByRole('alert');
    await expect(alert).toContainText('ID tokens not enabled');
    await expect(alert).toContainText('AADSTS700054');
    await expect(alert).toContainText('unsupported_response_type');
    await expect(page).toHaveURL(/\/flows\/implicit$/);
    await expectNoAxeViolations(page, 'implicit: refused on the redirect');
  });

  test('form_post: the tokens are POSTed to the local server and read once, never in an address', async ({
    page,
  }) => {
    const addresses: string[] = [];
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) addresses.push(frame.url());
    });
    await page.goto('/flows/implicit');
    await page.getByLabel('response_mode').selectOption('form_post');
    await expect(page.getByText('whose page then POSTs the result as a form')).toBeVisible();
    await page.getByRole('button', { name: 'Sign in at the authorization server' }).press('Enter');
    await signInByKeyboard(page);
    await expect(page).toHaveURL(/\/flows\/implicit$/);
    await expect(page.getByText('The response came as a form POST')).toBeVisible();
    const checks = page.getByRole('list', { name: 'Checks on the response' });
    await expect(checks).toContainText('nonce verified');
    await expect(checks).toContainText('at_hash verified');
    for (const address of addresses) expect(address).not.toMatch(/access_token=|id_token=/);
  });

  test('form_post without the local server is explained and not sent', async ({ page }) => {
    const config = (await (await page.request.get('/lab-config.json')).json()) as Record<string, unknown>;
    await page.route('**/lab-config.json', (route) =>
      route.fulfill({ json: { sandboxOrigin: config['sandboxOrigin'], relay: false } }),
    );
    await gotoWithoutEmbeddedBoot(page, '/flows/implicit');
    await page.getByLabel('response_mode').selectOption('form_post');
    await expect(page.getByRole('note').filter({ hasText: 'without its local server' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Sign in at the authorization server' })).toBeDisabled();
  });

  // What the implicit route says about the browser's history database, checked in a real profile:
  // replaceState cleans the tab, but the visit was recorded with its fragment as the page arrived.
  test('fragment tokens stay in the browser history database; form_post ones never enter it', async ({
    baseURL,
  }, testInfo) => {
    const profile = mkdtempSync(join(tmpdir(), 'flowlab-history-'));
    const context = await chromium.launchPersistentContext(profile, {
      ...testInfo.project.use.launchOptions,
      ...(baseURL === undefined ? {} : { baseURL }),
    });
    try {
      // Chromium's history page folds redirect chains; a search lists every visit whose URL matches.
      // After the first run the search has at least that run's visit, so the list is never empty.
      const historyUrls = async (): Promise<string[]> => {
        const history = await context.newPage();
        await history.goto('chrome://history/?q=id_token');
        const links = history.locator('history-item #link');
        await expect(links.first()).toBeAttached();
        const urls = await links.evaluateAll((elements) =>
          elements.map((element) => (element as HTMLAnchorElement).href),
        );
        await history.close();
        return urls;
      };
      const runImplicit = async (responseMode: 'fragment' | 'form_post'): Promise<string> => {
        const page = await context.newPage();
        await page.goto('/flows/implicit');
        if (responseMode === 'form_post') await page.getByLabel('response_mode').selectOption('form_post');
        else
          await expect(
            page.getByRole('note').filter({ hasText: 'That clean-up comes too late' }),
          ).toContainText('No page can prevent this');
        await page.getByRole('button', { name: 'Sign in at the authorization server' }).press('Enter');
        await signInByKeyboard(page);
        await expect(page).toHaveURL(/\/flows\/implicit$/);
        await expect(page.getByRole('list', { name: 'Checks on the response' })).toContainText(
          'at_hash verified',
        );
        const [accessToken] = await tokensOnPage(page);
        expect(accessToken, 'the run shows its access token').toBeTruthy();
        await page.close();
        return accessToken ?? '';
      };

      const fragmentToken = await runImplicit('fragment');
      const afterFragment = await historyUrls();
      expect(afterFragment.some((url) => url.includes(fragmentToken))).toBe(true);

      await context.clearCookies(); // a fresh sign-in, as the helper expects
      const formPostToken = await runImplicit('form_post');
      const afterFormPost = await historyUrls();
      expect(afterFormPost.some((url) => url.includes(formPostToken))).toBe(false);
    } finally {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    }
  });
});
