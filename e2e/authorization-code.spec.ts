import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { expectNoSecretsLeft, recordConsole, tokensOnPage } from './support/secrets-audit.ts';
import { gotoWithoutEmbeddedBoot } from './support/boot.ts';

const USER = 'adele@flowlab-sandbox.onmicrosoft.com';
const PASSWORD = 'Sandbox-Adele-1';
const WEB_APP_SECRET = 'sandbox-only~WebApp.Secret-4f8Q2x';

async function signInAtSandbox(
  page: Page,
  options: { consent: 'accept' | 'cancel' } = { consent: 'accept' },
) {
  await expect(page.getByText('Sandbox tenant').first()).toBeVisible();
  await page.getByLabel('Username').fill(USER);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: options.consent === 'accept' ? 'Accept' : 'Cancel' }).click();
}

/** Signs in at the sandbox with keys only: type into the focused field, Tab, Enter. */
/**
 * Paste-the-redirect set-up: the Console app with a desktop loopback redirect URI (a stand-in
 * listener at http://localhost:1337/), signed in in a new tab that ends on the listener with a code.
 */
async function signInAtLoopbackInNewTab(page: Page, context: BrowserContext): Promise<Page> {
  await context.route('http://localhost:1337/**', (route) =>
    route.fulfill({ status: 200, body: 'listener' }),
  );
  await page.goto('/flows/authorization-code');
  await page.getByLabel('client_id').fill('1b6f9c2d-4e7a-4a35-8c91-0d2e5f7b3a68');
  await page.getByLabel('redirect_uri').fill('http://localhost:1337/');
  const popupPromise = context.waitForEvent('page');
  await page.getByRole('button', { name: 'Open the sign-in page in a new tab' }).click();
  const popup = await popupPromise;
  await popup.getByLabel('Username').fill(USER);
  await popup.getByLabel('Password').fill(PASSWORD);
  await popup.getByRole('button', { name: 'Sign in' }).click();
  await popup.getByRole('button', { name: 'Accept' }).click();
  await popup.waitForURL(/^http:\/\/localhost:1337\/\?code=/);
  return popup;
}

async function signInByKeyboard(page: Page) {
  await page.getByLabel('Username').press('Control+a');
  await page.keyboard.type(USER);
  await page.keyboard.press('Tab');
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press('Enter');
  await page.getByRole('button', { name: 'Accept' }).press('Enter');
}

test.describe('authorization code flow', () => {
  test('PKCE: from verifier to decoded tokens, redeemed by the browser', async ({ page }) => {
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const consoleLines = recordConsole(page);
    await page.goto('/');
    await page.getByRole('link', { name: 'Authorization code (+ PKCE)' }).first().click();
    await expect(page.getByRole('heading', { level: 1, name: 'Authorization code (+ PKCE)' })).toBeVisible();

    await page.getByRole('button', { name: 'Generate verifier and challenge' }).click();
    const challenge = (await page.getByTestId('code-challenge').textContent()) ?? '';
    expect(challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await expect(page.locator('.url-preview')).toContainText(`code_challenge=${challenge}`);

    await page.getByRole('button', { name: 'Sign in at the authorization server' }).click();
    await signInAtSandbox(page);

    await expect(page).toHaveURL(/\/flows\/authorization-code$/);
    await expect(page.getByText('the state matches what this tab sent')).toBeVisible();
    // Entra's session_state (a GUID) comes with the code and is listed with the other parameters.
    await expect(
      page
        .getByRole('table', { name: /Parameters on the redirect/ })
        .getByRole('row', { name: /session_state/ }),
    ).toContainText(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/);
    await expect(page.getByText('Will be sent from the browser')).toBeVisible();
    await page.getByRole('button', { name: 'Redeem the code' }).click();
    await expect(page.getByText('Sent from the browser', { exact: true })).toBeVisible();

    await expect(page.getByRole('heading', { name: 'Access token' })).toBeVisible();
    await expect(page.getByRole('heading', { name: 'ID token' })).toBeVisible();
    await expect(page.getByRole('heading', { name: 'Refresh token' })).toBeVisible();
    const accessToken = page.getByRole('region', { name: 'Access token' });
    await expect(accessToken.getByRole('row', { name: /\bscp\b/ })).toContainText('User.Read');
    // A Graph token: v1.0, as Entra issues Graph's tokens whatever the endpoint.
    await expect(accessToken.getByRole('row', { name: /\bver\b/ })).toContainText('1.0');
    await expect(
      page.getByRole('region', { name: 'ID token' }).getByRole('row', { name: /\bpreferred_username\b/ }),
    ).toContainText(USER);
    // The code left the history: the callback entry was replaced.
    expect(page.url()).not.toContain('code=');
    expect(errors).toEqual([]);
    await expectNoSecretsLeft(page, await tokensOnPage(page), consoleLines);
  });

  test('client secret: the code is redeemed through the relay', async ({ page }) => {
    const consoleLines = recordConsole(page);
    await page.goto('/flows/authorization-code');
    await page.getByRole('checkbox', { name: /Use PKCE/ }).uncheck();
    await expect(page.getByText('Without PKCE this is the confidential-client variant')).toBeVisible();
    await expect(page.locator('.url-preview')).not.toContainText('code_challenge');
    await page.getByRole('button', { name: 'Sign in at the authorization server' }).click();
    await signInAtSandbox(page);

    await expect(page.getByText('Will go through the local relay')).toBeVisible();
    await page.getByRole('button', { name: 'Redeem the code' }).click();
    await expect(page.getByText('Sent through the local relay', { exact: true })).toBeVisible();
    await expect(page.getByRole('heading', { name: 'Access token' })).toBeVisible();
    await expect(
      page.getByRole('region', { name: 'Access token' }).getByRole('row', { name: /\bazpacr\b/ }),
    ).toContainText('1');
    await expectNoSecretsLeft(page, [WEB_APP_SECRET, ...(await tokensOnPage(page))], consoleLines);
  });

  test('client secret: a wrong secret is explained as AADSTS7000215', async ({ page }) => {
    await page.goto('/flows/authorization-code');
    await page.getByRole('checkbox', { name: /Use PKCE/ }).uncheck();
    await page.getByRole('button', { name: 'Sign in at the authorization server' }).click();
    await signInAtSandbox(page);
    await page.getByLabel('Client secret (kept in memory only)').fill('not-the-secret');
    await page.getByRole('button', { name: 'Redeem the code' }).click();
    const alert = page.getByRole('alert');
    await expect(alert).toContainText('Wrong client secret');
    await expect(alert).toContainText('AADSTS7000215');
    await expect(page.getByLabel('Client secret (kept in memory only)')).toHaveValue('not-the-secret');
  });

  test('declined consent comes back as access_denied and is explained', async ({ page }) => {
    await page.goto('/flows/authorization-code');
    await page.getByRole('button', { name: 'Sign in at the authorization server' }).click();
    await signInAtSandbox(page, { consent: 'cancel' });
    const alert = page.getByRole('alert');
    await expect(alert).toContainText('Consent declined');
    await expect(alert).toContainText('access_denied');
    await page.getByRole('button', { name: 'Start again' }).last().click();
    await expect(page.getByRole('alert')).toHaveCount(0);
  });

  test('a forged state is refused before the code is used', async ({ page }) => {
    await page.goto('/flows/authorization-code');
    await page.getByLabel('scope').fill('openid User.Read');
    await page.getByRole('button', { name: 'Sign in at the authorization server' }).click();
    await expect(page.getByText('Sandbox tenant').first()).toBeVisible();
    await page.goto('/callback?code=attacker-code&state=forged');
    const alert = page.getByRole('alert');
    await expect(alert).toContainText('State mismatch');
    await expect(alert).toContainText('CSRF');
    await expect(page.getByRole('button', { name: 'Redeem the code' })).toHaveCount(0);
    // The user's edited scope is still there.
    await expect(page.getByLabel('scope')).toHaveValue('openid User.Read');
  });

  test('keyboard only: the PKCE run completes without the mouse', async ({ page }) => {
    await page.goto('/flows/authorization-code');
    await page.getByRole('button', { name: 'Generate verifier and challenge' }).press('Enter');
    await expect(page.getByTestId('code-challenge')).toBeVisible();
    await page.getByRole('button', { name: 'Sign in at the authorization server' }).press('Enter');
    await signInByKeyboard(page);
    await page.getByRole('button', { name: 'Redeem the code' }).press('Enter');
    await expect(page.getByRole('heading', { name: 'Access token' })).toBeVisible();
  });

  test('keyboard only: the client-secret variant completes without the mouse', async ({ page }) => {
    await page.goto('/flows/authorization-code');
    await page.getByRole('checkbox', { name: /Use PKCE/ }).press('Space');
    await expect(page.getByText('Without PKCE this is the confidential-client variant')).toBeVisible();
    await page.getByRole('button', { name: 'Sign in at the authorization server' }).press('Enter');
    await signInByKeyboard(page);
    await page.getByRole('button', { name: 'Redeem the code' }).press('Enter');
    await expect(page.getByText('Sent through the local relay', { exact: true })).toBeVisible();
    await expect(page.getByRole('heading', { name: 'Access token' })).toBeVisible();
  });

  test('paste-the-redirect: a desktop client’s loopback redirect, signed in in another tab', async ({
    page,
    context,
  }) => {
    const popup = await signInAtLoopbackInNewTab(page, context);
    await page.getByLabel('Redirected URL (or just the code)').fill(popup.url());
    await page.getByRole('button', { name: 'Use this response' }).click();
    await expect(page.getByText('the state matches what this tab sent')).toBeVisible();
    await expect(page.getByText('Will go through the local relay')).toBeVisible();
    await page.getByRole('button', { name: 'Redeem the code' }).click();
    await expect(page.getByRole('heading', { name: 'Access token' })).toBeVisible();
    await expect(
      page.getByRole('region', { name: 'Access token' }).getByRole('row', { name: /\bappid\b/ }),
    ).toContainText('1b6f9c2d-4e7a-4a35-8c91-0d2e5f7b3a68');
  });

  test('response_mode=form_post: the answer is POSTed to the local server, read once, and redeemed', async ({
    page,
  }) => {
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const addresses: string[] = [];
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) addresses.push(frame.url());
    });
    let formPostLocation = '';
    page.on('response', (response) => {
      if (response.request().method() === 'POST' && new URL(response.url()).pathname === '/callback')
        formPostLocation = response.headers()['location'] ?? '';
    });
    await page.goto('/flows/authorization-code');
    await page.getByLabel('response_mode').selectOption('form_post');
    await expect(page.locator('.url-preview')).toContainText('response_mode=form_post');
    await expect(page.getByText('form_post: the server’s page will POST the answer')).toBeVisible();
    await page.getByRole('button', { name: 'Sign in at the authorization server' }).click();
    await signInAtSandbox(page);

    await expect(page).toHaveURL(/\/flows\/authorization-code$/);
    await expect(page.getByText('the state matches what this tab sent')).toBeVisible();
    await expect(page.getByText('The answer came as a form POST')).toBeVisible();
    await expect(page.getByRole('table', { name: /Parameters on the redirect \(form_post\)/ })).toBeVisible();
    await page.getByRole('button', { name: 'Redeem the code' }).click();
    await expect(page.getByRole('heading', { name: 'Access token' })).toBeVisible();
    // The code was never in any address this tab showed.
    expect(formPostLocation).toMatch(/^\/callback\?form_post=[A-Za-z0-9_-]+$/);
    for (const address of addresses) expect(address).not.toMatch(/[?#&]code=/);
    // Handed over once: a second read of the same id finds nothing.
    const again = await page.request.get(
      formPostLocation.replace('/callback?form_post=', '/callback/form-post/'),
    );
    expect(again.status()).toBe(404);
    expect(errors).toEqual([]);
  });

  test('response_mode=form_post with an id already used says the answer is gone, and why', async ({
    page,
  }) => {
    await page.goto('/flows/authorization-code');
    await page.getByLabel('response_mode').selectOption('form_post');
    await page.getByRole('button', { name: 'Sign in at the authorization server' }).click();
    await expect(page.getByLabel('Username')).toBeVisible();
    // Arrive at the callback with an id the local server never issued (as after a reload).
    await page.goto(`/callback?form_post=${'A'.repeat(32)}`);
    await expect(page).toHaveURL(/\/flows\/authorization-code$/);
    await expect(page.getByRole('alert')).toContainText('handed over only once');
  });

  test('without the local server, form_post is refused before the redirect, with the reason', async ({
    page,
  }) => {
    const config = (await (await page.request.get('/lab-config.json')).json()) as Record<string, unknown>;
    await page.route('**/lab-config.json', (route) =>
      route.fulfill({ json: { sandboxOrigin: config['sandboxOrigin'], relay: false } }),
    );
    await gotoWithoutEmbeddedBoot(page, '/flows/authorization-code');
    await page.getByLabel('response_mode').selectOption('form_post');
    await expect(page.getByRole('alert')).toContainText('without its local server');
    await expect(page.getByRole('button', { name: 'Sign in at the authorization server' })).toBeDisabled();
    await page.getByLabel('response_mode').selectOption('query');
    await expect(page.getByRole('button', { name: 'Sign in at the authorization server' })).toBeEnabled();
  });

  test('response_mode=fragment: the code comes back after # and is redeemed', async ({ page }) => {
    await page.goto('/flows/authorization-code');
    await page.getByLabel('response_mode').selectOption('fragment');
    await page.getByRole('button', { name: 'Sign in at the authorization server' }).click();
    await signInAtSandbox(page);
    await expect(page).toHaveURL(/\/flows\/authorization-code$/);
    await expect(page.getByRole('table', { name: /Parameters on the redirect \(fragment\)/ })).toBeVisible();
    await page.getByRole('button', { name: 'Redeem the code' }).click();
    await expect(page.getByRole('heading', { name: 'Access token' })).toBeVisible();
    expect(page.url()).not.toContain('code=');
  });

  test('code id_token with response_mode=query is refused before sign-in, with the reason', async ({
    page,
  }) => {
    await page.goto('/flows/authorization-code');
    await page.getByLabel('response_type').selectOption('code id_token');
    await page.getByLabel('response_mode').selectOption('query');
    await expect(page.getByRole('alert')).toContainText('must never travel in the query string');
    await expect(page.getByRole('button', { name: 'Sign in at the authorization server' })).toBeDisabled();
  });

  test('paste-the-redirect: a URL pasted from a chat (quoted, wrapped, &amp;) is read and state-checked', async ({
    page,
    context,
  }) => {
    const popup = await signInAtLoopbackInNewTab(page, context);
    const url = popup.url().replace(/&/g, '&amp;');
    const wrapped = `  “${url.slice(0, 40)}\n   ${url.slice(40)}”  `;
    await page.getByLabel('Redirected URL (or just the code)').fill(wrapped);
    await page.getByRole('button', { name: 'Use this response' }).click();
    await expect(page.getByText('the state matches what this tab sent')).toBeVisible();
    await expect(page.getByRole('status').filter({ hasText: 'Read from your paste' })).toContainText('&amp;');
    await page.getByRole('button', { name: 'Redeem the code' }).click();
    await expect(page.getByRole('heading', { name: 'Access token' })).toBeVisible();
  });
});
