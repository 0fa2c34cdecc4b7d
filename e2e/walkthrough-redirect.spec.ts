import { expect, test, type Locator, type Page } from '@playwright/test';
import { E2E_SANDBOX_PORT } from '../playwright.config.ts';
import { expectNoAxeViolations } from './support/axe.ts';
import { VIEWPORTS, expectNoHorizontalScroll, sizeOf, stepBadge } from './support/layout.ts';

/**
 * Issue 11 on the pages the sign-in redirect leaves and comes back to (code flow, implicit/hybrid,
 * callback): runs survive the redirect and a reload, steps go stale instead of staying "done", the diagram
 * draws the run's own variant, and focus lands on the next action.
 */

const USER = 'adele@flowlab-sandbox.onmicrosoft.com';
const PASSWORD = 'Sandbox-Adele-1';

/**
 * Signs in at the sandbox and answers its consent page — each only when the sandbox asks (a second sign-in
 * in the same browser has a session, and a consent already given is not asked again).
 */
async function signInAtSandbox(page: Page, consent: 'Accept' | 'Cancel' = 'Accept') {
  const username = page.getByLabel('Username');
  const consentButton = page.getByRole('button', { name: consent, exact: true });
  const back = page.getByRole('heading', { level: 1, name: /Authorization code|Implicit and hybrid/ });
  // Left the app first: until then the flow page's own heading is on screen.
  await page.waitForURL((url) => url.port === String(E2E_SANDBOX_PORT) || url.pathname === '/callback');
  await expect(username.or(consentButton).or(back).first()).toBeVisible();
  if (await username.isVisible()) {
    await username.fill(USER);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(consentButton.or(back).first()).toBeVisible();
  }
  if (await consentButton.isVisible()) await consentButton.click();
}

/** The side diagram's text alternative: one item per message, as drawn. */
async function diagramTexts(page: Page): Promise<string[]> {
  return page.locator('.flow-diagram .sequence-diagram').first().locator('ol li').allTextContents();
}

/** The flow page's polite live region, where step results are announced. */
function liveRegion(page: Page): Locator {
  return page.locator('.flow-main p.visually-hidden[aria-live="polite"]');
}

/** Client credentials with the sandbox web app's secret, up to its token. */
async function runClientCredentials(page: Page) {
  await page.goto('/flows/client-credentials');
  await page.getByRole('button', { name: 'Request the token' }).click();
  await expect(page.getByRole('region', { name: 'Access token' })).toBeVisible();
}

/** Goes to the code flow the way a person does, by the navigation, so memory is not reset by a load. */
async function openCodeFlowByLink(page: Page) {
  await page
    .getByRole('navigation')
    .getByRole('link', { name: /Authorization code/ })
    .first()
    .click();
  await expect(page.getByRole('heading', { level: 1, name: 'Authorization code (+ PKCE)' })).toBeVisible();
}

async function codeFlowToTokens(page: Page) {
  await page.getByRole('button', { name: 'Sign in at the authorization server' }).click();
  await signInAtSandbox(page);
  await expect(page).toHaveURL(/\/flows\/authorization-code$/);
  await page.getByRole('button', { name: 'Redeem the code' }).click();
  await expect(page.getByRole('region', { name: 'Access token' })).toBeVisible();
}

test.describe('runs survive the sign-in redirect', () => {
  test('client credentials, then the code flow with tokens kept: both runs and both tokens are there after the redirect', async ({
    page,
  }) => {
    await runClientCredentials(page);
    await openCodeFlowByLink(page);
    // Tokens are in memory only: the sign-in step says the reload will lose them, and offers to keep them.
    const notice = page.getByRole('note', { name: 'Tokens across the redirect' });
    await expect(notice).toContainText('will be lost with that reload');
    await expect(notice).toContainText('Client credentials');
    await expectNoAxeViolations(page, 'code flow: the sign-in step warns that tokens will be lost');
    await notice.getByRole('button', { name: 'Keep tokens in this tab' }).click();
    await expect(notice).toContainText('This tab keeps tokens across reloads');

    await codeFlowToTokens(page);
    const history = page.locator('details.run-history');
    await history.locator('summary').click();
    await expect(history.getByRole('listitem').filter({ hasText: 'Client credentials' })).toHaveCount(1);
    await expect(history.getByRole('listitem').filter({ hasText: 'Authorization code' })).toHaveCount(1);
    await expect(history).toContainText('(2 in this tab now)');

    // The client credentials run came back from the redirect with its token.
    await history.getByRole('link', { name: 'Client credentials' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Client credentials' })).toBeVisible();
    await expect(page.getByRole('region', { name: 'Access token' })).toBeVisible();
    // Its client secret is never kept (the page may say so); its tokens were.
    await expect(page.getByText(/came back from a reload without .*tokens/)).toHaveCount(0);
  });

  test('client credentials, then the code flow with tokens not kept: the loss is said before and after', async ({
    page,
  }) => {
    await runClientCredentials(page);
    await openCodeFlowByLink(page);
    await expect(page.getByRole('note', { name: 'Tokens across the redirect' })).toContainText(
      'will be lost with that reload',
    );
    await codeFlowToTokens(page);

    await page.getByRole('link', { name: 'Client credentials' }).first().click();
    await expect(page.getByRole('heading', { level: 1, name: 'Client credentials' })).toBeVisible();
    // The run is there, its token is not, and the page says so.
    await expect(page.getByText(/came back from a reload without .*tokens/)).toBeVisible();
    await expect(page.getByRole('button', { name: 'Keep tokens in this tab from now on' })).toBeVisible();
    const history = page.locator('details.run-history');
    await history.locator('summary').click();
    await expect(history.getByRole('listitem').filter({ hasText: 'Authorization code' })).toHaveCount(1);
  });
});

test.describe('a reload at any step loses nothing', () => {
  test('before sign-in, after the callback and after the tokens (kept): steps, statuses and values come back', async ({
    page,
  }) => {
    await page.goto('/flows/authorization-code');
    await page.getByLabel('scope').fill('openid profile offline_access User.Read');
    await page.getByRole('button', { name: 'Generate verifier and challenge' }).click();
    const challenge = (await page.getByTestId('code-challenge').textContent()) ?? '';
    const state = await page.getByRole('textbox', { name: 'state', exact: true }).inputValue();

    await page.reload();
    await expect(page.getByLabel('scope')).toHaveValue('openid profile offline_access User.Read');
    await expect(page.getByTestId('code-challenge')).toHaveText(challenge);
    await expect(page.getByRole('textbox', { name: 'state', exact: true })).toHaveValue(state);
    await expect(stepBadge(page, 'Make the PKCE pair')).toHaveText('done');

    await page.getByRole('button', { name: 'Sign in at the authorization server' }).click();
    await signInAtSandbox(page);
    await expect(page.getByText('the state matches what this tab sent')).toBeVisible();

    await page.reload();
    await expect(page.getByText('the state matches what this tab sent')).toBeVisible();
    await expect(stepBadge(page, 'Make the PKCE pair')).toHaveText('done');
    await expect(stepBadge(page, 'Sign in and come back')).toHaveText('done');
    await expect(page.getByTestId('code-challenge')).toHaveText(challenge);

    // The code waited across the reload and is still redeemable; tokens are kept from here on.
    await page.locator('details.run-history summary').click();
    await page.getByRole('checkbox', { name: /Keep tokens in this tab/ }).check();
    await page.getByRole('button', { name: 'Redeem the code' }).click();
    await expect(page.getByRole('region', { name: 'Access token' })).toBeVisible();

    await page.reload();
    await expect(page.getByRole('region', { name: 'Access token' })).toBeVisible();
    await expect(stepBadge(page, 'Exchange the code for tokens')).toHaveText('done');
    await expect(stepBadge(page, 'Read the tokens')).toHaveText('done');
    await expect(page.getByLabel('scope')).toHaveValue('openid profile offline_access User.Read');
    await expect(page.getByText(/came back from a reload without/)).toHaveCount(0);
  });

  test('after the tokens, not kept: the steps stay, and the page says the tokens were not kept', async ({
    page,
  }) => {
    await page.goto('/flows/authorization-code');
    await codeFlowToTokens(page);
    await page.reload();
    await expect(stepBadge(page, 'Exchange the code for tokens')).toHaveText('done');
    await expect(page.getByText(/came back from a reload without .*tokens/)).toBeVisible();
    await expect(page.getByText('The tokens of this run were not kept across the reload')).toBeVisible();
    await expect(page.getByRole('region', { name: 'Access token' })).toHaveCount(0);
  });

  test('a declined consent: the failure survives a reload, earlier steps stay done, later ones hold nothing', async ({
    page,
  }) => {
    await page.goto('/flows/authorization-code');
    // A whole run first, so there are results a new sign-in must not leave behind.
    await codeFlowToTokens(page);
    // The sandbox has a session and the consent now: prompt=consent asks again.
    await page.getByLabel('prompt').selectOption('consent');
    await page.getByRole('button', { name: 'Sign in at the authorization server' }).click();
    await signInAtSandbox(page, 'Cancel');
    await expect(page.getByRole('alert')).toContainText('Consent declined');

    for (const when of ['on return', 'after a reload']) {
      if (when === 'after a reload') await page.reload();
      await expect(page.getByRole('alert'), when).toContainText('access_denied');
      await expect(stepBadge(page, 'Make the PKCE pair'), when).toHaveText('done');
      await expect(stepBadge(page, 'Build the authorization URL'), when).toHaveText('done');
      await expect(stepBadge(page, 'Sign in and come back'), when).toHaveText('failed');
      await expect(stepBadge(page, 'Exchange the code for tokens'), when).toHaveText('idle');
      await expect(stepBadge(page, 'Read the tokens'), when).toHaveText('idle');
      await expect(page.getByRole('button', { name: 'Redeem the code' }), when).toHaveCount(0);
      await expect(page.getByRole('region', { name: 'Access token' }), when).toHaveCount(0);
      await expect(page.getByText('No tokens yet.'), when).toBeVisible();
    }
    // The diagram draws the refused return as a failed arrow with the error.
    expect((await diagramTexts(page)).join('\n')).toMatch(
      /redirect to \/callback, [^\n]*error[^\n]*access_denied/,
    );
    // By keyboard, "Start again" in the explanation goes with the failure it explains: focus lands on
    // the new run's first action, never on <body>.
    await page.getByRole('alert').getByRole('button', { name: 'Start again' }).focus();
    await page.keyboard.press('Enter');
    await expect(page.getByRole('alert')).toHaveCount(0);
    await expect.poll(() => page.evaluate(() => document.activeElement?.tagName)).not.toBe('BODY');
    await expect(page.locator(':focus')).toBeInViewport();
  });
});

test.describe('a reload at any step of the implicit flow loses nothing', () => {
  test('after the redirect: the checks and statuses come back; the tokens only when kept, and the page says so', async ({
    page,
  }) => {
    await page.goto('/flows/implicit');
    await page.getByLabel('scope').fill('openid User.Read');
    await page.reload();
    await expect(page.getByLabel('scope')).toHaveValue('openid User.Read');
    await page.getByRole('button', { name: 'Sign in at the authorization server' }).click();
    await signInAtSandbox(page);
    await expect(page).toHaveURL(/\/flows\/implicit$/);
    await expect(page.getByRole('region', { name: 'Access token' })).toBeVisible();

    await page.reload();
    const checks = page.getByRole('list', { name: 'Checks on the response' });
    await expect(checks).toContainText('nonce verified');
    await expect(checks).toContainText('at_hash verified');
    await expect(stepBadge(page, 'Check state, nonce and hashes')).toHaveText('done');
    await expect(stepBadge(page, 'Read the tokens')).toHaveText('done');
    await expect(page.getByLabel('scope')).toHaveValue('openid User.Read');
    await expect(page.getByText('The tokens of this run were not kept across the reload')).toBeVisible();
    await expect(page.getByRole('region', { name: 'Access token' })).toHaveCount(0);
  });
});

test.describe('steps never stay "done" on old inputs', () => {
  test('editing scope after the tokens marks sign-in, exchange and tokens stale, not the PKCE pair', async ({
    page,
  }) => {
    await page.goto('/flows/authorization-code');
    await codeFlowToTokens(page);
    await expect(stepBadge(page, 'Read the tokens')).toHaveText('done');
    await page.getByLabel('scope').fill('openid User.Read');
    for (const title of [
      'Build the authorization URL',
      'Sign in and come back',
      'Exchange the code for tokens',
      'Read the tokens',
    ])
      await expect(stepBadge(page, title), title).toHaveText('stale');
    await expect(stepBadge(page, 'Make the PKCE pair')).toHaveText('done');
    await expect(page.locator('#step-exchange-title')).toContainText('stale');
  });

  test('Start again clears the run and what the page held: pasted text, results, statuses', async ({
    page,
  }) => {
    await page.goto('/flows/authorization-code');
    await page.getByLabel('redirect_uri').fill('http://localhost:1337/');
    await page.getByLabel('Redirected URL (or just the code)').fill('http://localhost:1337/?code=abc');
    await page.getByRole('button', { name: 'Generate verifier and challenge' }).click();
    await page.getByRole('button', { name: 'Start again' }).first().click();
    await expect(page.getByLabel('Redirected URL (or just the code)')).toHaveValue('');
    await expect(page.getByTestId('code-challenge')).toHaveCount(0);
    await expect(stepBadge(page, 'Make the PKCE pair')).toHaveText('idle');
    // Parameters the user typed are kept on purpose.
    await expect(page.getByLabel('redirect_uri')).toHaveValue('http://localhost:1337/');
  });
});

test.describe('the diagram follows the run', () => {
  test('PKCE off: no code_verifier or code_challenge; the secret is drawn; after the run, the real requests', async ({
    page,
  }) => {
    await page.goto('/flows/authorization-code');
    await expect.poll(async () => (await diagramTexts(page)).join('\n')).toContain('code_challenge');
    await page.getByRole('checkbox', { name: /Use PKCE/ }).uncheck();
    await expect.poll(async () => (await diagramTexts(page)).join('\n')).toContain('client_secret');
    expect((await diagramTexts(page)).join('\n')).not.toMatch(/code_verifier|code_challenge/);

    await page.getByRole('button', { name: 'Sign in at the authorization server' }).click();
    await signInAtSandbox(page);
    await page.getByRole('button', { name: 'Redeem the code' }).click();
    await expect(page.getByRole('region', { name: 'Access token' })).toBeVisible();
    const texts = (await diagramTexts(page)).join('\n');
    // What happened: the navigation, the redirect back with its parameter names, the token request via the relay.
    expect(texts).toMatch(/GET …\/authorize response_type=code, state, nonce/);
    expect(texts).toMatch(/redirect to \/callback, code, state/);
    expect(texts).toContain('Local relay');
    expect(texts).toMatch(/POST …\/token/);
    expect(texts).not.toMatch(/code_verifier|code_challenge/);
  });

  test('implicit, form_post: the return is an auto-submitted POST, planned and as it happened, never a 302', async ({
    page,
  }) => {
    await page.goto('/flows/implicit');
    await page.getByLabel('response_mode').selectOption('form_post');
    await expect
      .poll(async () => (await diagramTexts(page)).join('\n'))
      .toContain('auto-submitted form: POST redirect_uri');
    expect((await diagramTexts(page)).join('\n')).not.toMatch(/\b302\b/);
    await page.getByRole('button', { name: 'Sign in at the authorization server' }).click();
    await signInAtSandbox(page);
    await expect(page).toHaveURL(/\/flows\/implicit$/);
    await expect(page.getByRole('list', { name: 'Checks on the response' })).toContainText(
      'at_hash verified',
    );
    const texts = (await diagramTexts(page)).join('\n');
    expect(texts).toMatch(/auto-submitted form: POST \/callback, [^\n]*access_token/);
    expect(texts).not.toMatch(/\b302\b/);
    expect(texts).not.toContain('wipe the fragment');
  });

  test('implicit: the hybrid token request is drawn only for code id_token', async ({ page }) => {
    await page.goto('/flows/implicit');
    await expect.poll(async () => (await diagramTexts(page)).join('\n')).toContain('at_hash');
    expect((await diagramTexts(page)).join('\n')).not.toContain('POST /token');
    await page.getByLabel('response_type').selectOption('code id_token');
    await expect.poll(async () => (await diagramTexts(page)).join('\n')).toContain('POST /token code');
    expect((await diagramTexts(page)).join('\n')).toContain('c_hash');
  });
});

for (const viewport of VIEWPORTS) {
  test.describe(`where am I, ${viewport.name}`, () => {
    test.use({ viewport: sizeOf(viewport) });

    test('after the sign-in redirect, "Redeem the code" is in view and focused; after it, the tokens', async ({
      page,
    }) => {
      await page.goto('/flows/authorization-code');
      await expectNoHorizontalScroll(page);
      await page.getByRole('button', { name: 'Sign in at the authorization server' }).click();
      await signInAtSandbox(page);
      await expect(page).toHaveURL(/\/flows\/authorization-code$/);
      const redeem = page.getByRole('button', { name: 'Redeem the code' });
      await expect(redeem).toBeFocused();
      await expect(redeem).toBeInViewport();
      await expect(liveRegion(page)).toHaveText(/Next: redeem the code/);
      await expectNoHorizontalScroll(page);
      await page.keyboard.press('Enter');
      const tokensHeading = page.locator('#step-tokens-title');
      await expect(tokensHeading).toBeFocused();
      await expect(tokensHeading).toBeInViewport();
      await expectNoHorizontalScroll(page);
      await expectNoAxeViolations(page, `code flow after the tokens, ${viewport.name}`);
    });

    test('implicit: after the redirect the tokens are in view and focused; hybrid lands on its Redeem button', async ({
      page,
    }) => {
      await page.goto('/flows/implicit');
      await expectNoHorizontalScroll(page);
      await page.getByRole('button', { name: 'Sign in at the authorization server' }).click();
      await signInAtSandbox(page);
      await expect(page).toHaveURL(/\/flows\/implicit$/);
      const tokensHeading = page.locator('#step-tokens-title');
      await expect(tokensHeading).toBeFocused();
      await expect(tokensHeading).toBeInViewport();
      await expectNoHorizontalScroll(page);

      await page.getByLabel('response_type').selectOption('code id_token');
      await page.getByRole('button', { name: 'Sign in at the authorization server' }).click();
      await signInAtSandbox(page);
      const redeem = page.getByRole('button', { name: 'Redeem the code' });
      await expect(redeem).toBeFocused();
      await expect(redeem).toBeInViewport();
      await expectNoHorizontalScroll(page);
    });
  });
}
