import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { E2E_SANDBOX_PORT } from '../playwright.config.ts';
import { expectNoAxeViolations } from './support/axe.ts';
import { expectNoSecretsLeft, recordConsole, tokensOnPage } from './support/secrets-audit.ts';

const USER = 'adele@flowlab-sandbox.onmicrosoft.com';
const PASSWORD = 'Sandbox-Adele-1';
const ADELE_OID = '3a8f2c61-5d4e-4b79-9f10-6c2e8a7d5b31';
const TENANT = '5f1c9e7a-0b3d-4c2e-9a61-7d8e2f4b6c10';
const API_APP_ID = '9e4d2a71-3c58-4b0f-8d16-2a7f5e9c3b40';
const API_SECRET = 'sandbox-only~Api.Secret-9kT3vB';
const WEB_APP = { id: '7c3a1e5d-2b9f-4d68-a05e-3f8b6c1d9e27', secret: 'sandbox-only~WebApp.Secret-4f8Q2x' };
const TOKEN_ENDPOINT = `http://localhost:${E2E_SANDBOX_PORT}/${TENANT}/oauth2/v2.0/token`;

/** Alex: an MFA method registered, asked for it only when a policy's claims challenge demands it. */
const ALEX = { username: 'alex@flowlab-sandbox.onmicrosoft.com', password: 'Sandbox-Alex-1', code: '135790' };

/** Signs in at the sandbox with keys only. */
async function signInByKeyboard(page: Page, username = USER, password = PASSWORD) {
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByLabel('Password').press('Enter');
  await page.getByRole('button', { name: 'Accept' }).press('Enter');
}

/** Sets the sandbox's per-API MFA policy through the portal API (as the app's own origin). */
async function requireMfaFor(request: APIRequestContext, apis: string[]) {
  const lab = (await (await request.get('/lab-config.json')).json()) as { sandboxOrigin: string };
  const appOrigin = new URL(test.info().project.use.baseURL ?? 'http://localhost:47173').origin;
  const res = await request.post(`${lab.sandboxOrigin}/portal/settings`, {
    headers: { origin: appOrigin },
    data: { mfaRequiredApis: apis },
  });
  expect(res.status()).toBe(200);
}

async function openOboPage(page: Page) {
  await page.getByRole('navigation').getByRole('link', { name: 'On-behalf-of' }).first().press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: 'On-behalf-of' })).toBeVisible();
}

test.describe('on-behalf-of', () => {
  test('hop 1 as adele for the API, hop 2 to Graph: same oid, then API B answers', async ({ page }) => {
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const consoleLines = recordConsole(page);
    await page.goto('/flows/on-behalf-of');
    await expect(page.getByRole('heading', { level: 1, name: 'On-behalf-of' })).toBeVisible();
    await page.getByRole('button', { name: 'Get a user token for the API' }).press('Enter');
    await signInByKeyboard(page);

    await expect(page).toHaveURL(/\/flows\/on-behalf-of$/);
    await expect(page.getByText('Came back with a code')).toBeVisible();
    await page.getByRole('button', { name: 'Redeem the code for the user token' }).press('Enter');
    await expect(page.getByText('The token was issued to API A for a user')).toBeVisible();
    const check = page.getByRole('table', { name: 'What API A checks before it exchanges the token' });
    await expect(check.getByRole('row', { name: /\baud\b/ })).toContainText(API_APP_ID);

    await expect(page.getByText('Will go through the local relay')).toBeVisible();
    await page.getByRole('button', { name: 'Exchange the token (on-behalf-of)' }).press('Enter');
    await expect(page.getByText('Sent through the local relay', { exact: true })).toBeVisible();
    const compare = page.getByRole('table', { name: /side by side/ });
    const oid = compare.getByRole('row', { name: /\boid\b/ });
    await expect(oid).toContainText(ADELE_OID);
    await expect(oid).toContainText('same');
    await expect(compare.getByRole('row', { name: /\baud\b/ })).toContainText('different');
    await expect(
      page.getByRole('region', { name: 'Access token' }).getByRole('row', { name: /\bappid\b/ }),
    ).toContainText(API_APP_ID);

    await page.getByRole('button', { name: 'Call API B with the new token' }).press('Enter');
    await expect(page.getByText('Adele Vance').first()).toBeVisible();
    await expectNoAxeViolations(page, 'on-behalf-of: both hops and the API call done');
    expect(errors).toEqual([]);
    await expectNoSecretsLeft(page, [API_SECRET, ...(await tokensOnPage(page))], consoleLines);
  });

  test('a token whose aud is Graph is flagged, then refused with AADSTS50013', async ({ page }) => {
    await page.goto('/flows/authorization-code');
    await page.getByRole('button', { name: 'Sign in at the authorization server' }).press('Enter');
    await signInByKeyboard(page);
    await page.getByRole('button', { name: 'Redeem the code' }).press('Enter');
    await expect(page.getByRole('heading', { name: 'Access token' })).toBeVisible();
    await openOboPage(page);

    const picker = page.getByLabel('Use the access token from an earlier run');
    await picker.selectOption({ label: await picker.locator('option').nth(1).innerText() });
    const problems = page.getByRole('list', { name: 'Problems with the incoming token' });
    await expect(problems).toContainText('AADSTS50013');
    await page.getByRole('button', { name: 'Exchange the token (on-behalf-of)' }).press('Enter');
    const alert = page.getByRole('alert');
    await expect(alert).toContainText('Assertion rejected');
    await expect(alert).toContainText('AADSTS50013');
    // A Graph token carries a header nonce only Graph can check: its signature fails first (Entra's
    // access-tokens page: third parties cannot validate Graph tokens), before its audience is looked at.
    await expect(alert).toContainText('Assertion failed signature validation');
    await expectNoAxeViolations(page, 'on-behalf-of: AADSTS50013');
  });

  test('an app-only token (client credentials for the API) is refused and explained', async ({
    page,
    request,
  }) => {
    const response = await request.post(TOKEN_ENDPOINT, {
      form: {
        grant_type: 'client_credentials',
        client_id: WEB_APP.id,
        client_secret: WEB_APP.secret,
        scope: `api://${API_APP_ID}/.default`,
      },
    });
    expect(response.status()).toBe(200);
    const appOnly = String(((await response.json()) as Record<string, unknown>)['access_token']);

    await page.goto('/flows/on-behalf-of');
    await page.getByLabel('Incoming user token (the assertion)').fill(appOnly);
    const problems = page.getByRole('list', { name: 'Problems with the incoming token' });
    await expect(problems).toContainText('app-only');
    await page.getByRole('button', { name: 'Exchange the token (on-behalf-of)' }).press('Enter');
    const alert = page.getByRole('alert');
    await expect(alert).toContainText('AADSTS50013');
    await expect(alert).toContainText('app-only');
  });

  test('Conditional Access on Graph: the claims challenge is explained and answered by signing in again with MFA', async ({
    page,
    request,
  }) => {
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await requireMfaFor(request, ['https://graph.microsoft.com']);
    try {
      await page.goto('/flows/on-behalf-of');
      await page.getByRole('button', { name: 'Get a user token for the API' }).press('Enter');
      // Alex's ordinary sign-in asks no second factor.
      await page.getByLabel('Username').fill(ALEX.username);
      await page.getByLabel('Password').fill(ALEX.password);
      await page.getByLabel('Password').press('Enter');
      const accept = page.getByRole('button', { name: 'Accept' });
      await expect(accept.or(page.getByText('Came back with a code'))).toBeVisible();
      if (await accept.isVisible()) await accept.press('Enter');
      await expect(page.getByText('Came back with a code')).toBeVisible();
      await page.getByRole('button', { name: 'Redeem the code for the user token' }).press('Enter');
      await expect(page.getByText('The token was issued to API A for a user')).toBeVisible();

      await page.getByRole('button', { name: 'Exchange the token (on-behalf-of)' }).press('Enter');
      const alert = page.getByRole('alert');
      await expect(alert).toContainText('AADSTS50076');
      await expect(alert).toContainText('interaction_required');
      const challenge = page.getByRole('region', { name: 'Claims challenge: the user must sign in again' });
      await expect(challenge).toContainText('WWW-Authenticate');
      await expect(challenge).toContainText('error="insufficient_claims"');
      await expect(challenge).toContainText('"polids"');
      await expectNoAxeViolations(page, 'on-behalf-of: claims challenge');

      await challenge.getByRole('button', { name: 'Sign in again with the claims challenge' }).press('Enter');
      // The challenge forces a fresh sign-in, and this time the second factor.
      await page.getByLabel('Username').fill(ALEX.username);
      await page.getByLabel('Password').fill(ALEX.password);
      await page.getByLabel('Password').press('Enter');
      await page.getByLabel('Verification code').fill(ALEX.code);
      await page.getByLabel('Verification code').press('Enter');
      const acceptAgain = page.getByRole('button', { name: 'Accept' });
      await expect(acceptAgain.or(page.getByText('Came back with a code'))).toBeVisible();
      if (await acceptAgain.isVisible()) await acceptAgain.press('Enter');
      await expect(page.getByText('Came back with a code')).toBeVisible();
      await expect(page.getByRole('note', { name: 'Claims challenge in this sign-in' })).toContainText(
        'polids',
      );
      await page.getByRole('button', { name: 'Redeem the code for the user token' }).press('Enter');
      await expect(page.getByText('The token was issued to API A for a user')).toBeVisible();
      // The new Token A records the second factor, so the same exchange now passes the policy.
      await page.getByRole('button', { name: 'Exchange the token (on-behalf-of)' }).press('Enter');
      await expect(page.getByText('Sent through the local relay', { exact: true })).toBeVisible();
      const compare = page.getByRole('table', { name: /side by side/ });
      await expect(compare.getByRole('row', { name: /\baud\b/ })).toContainText('different');
      await expect(page.getByRole('alert')).toHaveCount(0);
      expect(errors).toEqual([]);
    } finally {
      await requireMfaFor(request, []);
    }
  });
});
