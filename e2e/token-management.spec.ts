import { expect, test, type Page } from '@playwright/test';
import { E2E_SANDBOX_PORT } from '../playwright.config.ts';
import { expectNoAxeViolations } from './support/axe.ts';
import { expectNoSecretsLeft, recordConsole } from './support/secrets-audit.ts';

const USER = 'adele@flowlab-sandbox.onmicrosoft.com';
const PASSWORD = 'Sandbox-Adele-1';
const TITLE = 'Userinfo, introspection, revocation, logout';
const SANDBOX = `http://localhost:${E2E_SANDBOX_PORT}`;

/** Makes the standards sandbox the authority with the keyboard (Settings, its preset). */
async function useStandardsSandbox(page: Page) {
  await page.goto('/settings');
  const radio = page.getByRole('radio', { name: /^Standards sandbox/ });
  await radio.focus();
  await radio.press('Space');
  await page
    .getByRole('button', { name: /Use the standards sandbox|Apply the standards sandbox again/ })
    .press('Enter');
  await expect(page.getByText(/^Saved\. Flows now use http:\/\/localhost:\d+\/standard/)).toBeVisible();
}

/** The authorization code flow as the public standard-spa client, asking for offline_access. */
async function signInWithCodeFlow(page: Page) {
  await page.getByRole('navigation').getByRole('link', { name: 'Authorization code' }).first().press('Enter');
  const scope = page.getByRole('textbox', { name: /^scope\b/ });
  await expect(scope).toHaveValue(/\bopenid\b/);
  await expect(scope).toHaveValue(/\boffline_access\b/);
  // OIDC Core §11: the provider grants offline_access (a refresh token) only with prompt=consent.
  await page.getByRole('combobox', { name: 'prompt' }).selectOption('consent');
  await page.getByRole('button', { name: 'Sign in at the authorization server' }).press('Enter');
  await page.getByLabel('Username').fill(USER);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByLabel('Password').press('Enter');
  await page.getByRole('button', { name: 'Allow' }).press('Enter');
  await page.getByRole('button', { name: 'Redeem the code' }).press('Enter');
  await expect(page.getByRole('heading', { name: 'Refresh token' })).toBeVisible();
}

/** Opens the page inside the app (a reload would forget the in-memory token history). */
async function openTokenManagement(page: Page) {
  await page.getByRole('navigation').getByRole('link', { name: TITLE }).first().press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: TITLE })).toBeVisible();
}

async function chooseRadio(page: Page, group: string, name: string) {
  const radio = page.getByRole('group', { name: group }).getByRole('radio', { name: new RegExp(`^${name}`) });
  await radio.focus();
  await radio.press('Space');
  await expect(radio).toBeChecked();
}

test.describe('token management', () => {
  test('standards sandbox: userinfo, introspect, revoke, inactive, refresh refused, logout round trip', async ({
    page,
  }) => {
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const consoleLines = recordConsole(page);
    await useStandardsSandbox(page);
    await signInWithCodeFlow(page);
    await openTokenManagement(page);

    const picker = page.getByLabel('Use the access token from an earlier run');
    await picker.selectOption({ label: await picker.locator('option').nth(1).innerText() });
    const accessToken = await page.getByLabel('Access token', { exact: true }).inputValue();
    const refreshToken = await page.getByLabel('Refresh token', { exact: true }).inputValue();
    expect(accessToken).not.toBe('');
    expect(refreshToken).not.toBe('');
    await expect(page.getByLabel('Client id (the client the tokens were issued to)')).toHaveValue(
      'standard-spa',
    );
    await expect(
      page
        .getByRole('group', { name: 'Client authentication at introspection and revocation' })
        .getByRole('radio', {
          name: 'None (public client)',
        }),
    ).toBeChecked();

    // OIDC Core §5.3: UserInfo answers with the user's claims; sub is the ID token's.
    await page.getByRole('button', { name: 'Ask UserInfo' }).press('Enter');
    await expect(page.getByText('The sub matches the ID token’s')).toBeVisible();
    await expect(page.getByRole('table', { name: 'Claims about the user' })).toContainText('sub');

    // RFC 7662 §2.2: the access token is active, with its members explained.
    await page.getByRole('button', { name: 'Introspect the token' }).press('Enter');
    const answer = page.getByRole('table', { name: 'The introspection answer (RFC 7662 §2.2)' });
    await expect(answer.getByRole('row', { name: /client_id/ })).toContainText('standard-spa');
    await expect(page.getByText('active: true — the server says this token may be used now.')).toBeVisible();

    // RFC 7009 §2.1: revoke the refresh token.
    await expect(
      page.getByRole('group', { name: 'Token to revoke' }).getByRole('radio', { name: /^Refresh token/ }),
    ).toBeChecked();
    await page.getByRole('button', { name: 'Revoke the refresh token' }).press('Enter');
    await expect(page.getByText(/^HTTP 200: revoked/)).toBeVisible();

    // RFC 7662 §2.2: introspected again, it is inactive and nothing else is said.
    await page.getByRole('button', { name: 'Introspect the revoked token' }).press('Enter');
    const revoked = page.getByRole('table', { name: 'The revoked token, introspected' });
    await expect(revoked.getByRole('row')).toHaveCount(2);
    await expect(revoked).toContainText('false');

    // RFC 6749 §5.2: the revoked refresh token is refused with invalid_grant.
    await page.getByRole('button', { name: 'Redeem the refresh token' }).press('Enter');
    await expect(page.getByRole('note', { name: 'Refresh refused' })).toBeVisible();
    await expect(page.locator('#step-refresh')).toContainText('invalid_grant');

    // Revoke the access token as well, and see it inactive too.
    await chooseRadio(page, 'Token to revoke', 'Access token');
    await page.getByRole('button', { name: 'Revoke the access token' }).press('Enter');
    await expect(page.locator('#step-revoke').getByText(/^HTTP 200: revoked/)).toBeVisible();
    await page.getByRole('button', { name: 'Introspect the revoked token' }).press('Enter');
    await expect(page.locator('#step-reintrospect')).toContainText(
      'Introspect the revoked access token again.',
    );
    await expect(
      page.getByRole('table', { name: 'The revoked token, introspected' }).getByRole('row'),
    ).toHaveCount(2);
    await expectNoAxeViolations(page, 'token-management: after revocation');

    // OIDC RP-Initiated Logout §2: a full-page trip to end_session and back through /callback.
    await page.getByRole('button', { name: 'Sign out at the provider' }).press('Enter');
    await expect(page.getByRole('heading', { name: 'Sign out?' })).toBeVisible();
    await page.getByRole('button', { name: 'Yes, sign me out' }).press('Enter');
    await expect(page).toHaveURL(/\/flows\/token-management$/);
    await expect(page.getByRole('status', { name: 'Signed out' })).toBeVisible();
    await expectNoAxeViolations(page, 'token-management: after logout');
    expect(errors).toEqual([]);
    // The ID token is a hint in the logout URL by design (it names the user; it is not a credential).
    await expectNoSecretsLeft(page, [accessToken, refreshToken], consoleLines);
  });

  test('standards sandbox: a wrong client secret is refused (invalid_client); an unknown token is only “inactive”', async ({
    page,
    request,
  }) => {
    const consoleLines = recordConsole(page);
    const directory = (await (await request.get(`${SANDBOX}/standard/directory.json`)).json()) as {
      clients: { client_id: string; client_secret?: string }[];
    };
    const secret = directory.clients.find((c) => c.client_id === 'standard-basic')?.client_secret ?? '';
    expect(secret).not.toBe('');
    await useStandardsSandbox(page);
    await page.getByRole('navigation').getByRole('link', { name: TITLE }).first().press('Enter');
    await expect(page.getByRole('heading', { level: 1, name: TITLE })).toBeVisible();

    const unknown = 'not-a-token-this-server-issued-0123456789';
    await page.getByLabel('Access token', { exact: true }).fill(unknown);
    await page.getByLabel('Client id (the client the tokens were issued to)').fill('standard-basic');
    await chooseRadio(page, 'Client authentication at introspection and revocation', 'client_secret_basic');
    await page.getByLabel('Client secret (kept in memory only)').fill('wrong-secret');
    await page.getByRole('button', { name: 'Introspect the token' }).press('Enter');
    const step = page.locator('#step-introspect');
    await expect(step.getByRole('heading', { name: 'Client authentication failed' })).toBeVisible();
    await expect(step).toContainText('invalid_client');
    await expect(step.getByRole('note', { name: 'Client authentication refused' })).toBeVisible();

    // RFC 6749 §2.3.1: the right secret, form-encoded in the Basic header, is accepted.
    await page.getByLabel('Client secret (kept in memory only)').fill(secret);
    await page.getByRole('button', { name: 'Introspect the token' }).press('Enter');
    await expect(page.getByText(/^active: false — the token is not usable/)).toBeVisible();
    const answer = page.getByRole('table', { name: 'The introspection answer (RFC 7662 §2.2)' });
    // RFC 7662 §2.2: nothing but `active` (one header row, one member row).
    await expect(answer.getByRole('row')).toHaveCount(2);
    await expectNoAxeViolations(page, 'token-management: introspection refused, then inactive');
    await expectNoSecretsLeft(page, [secret, unknown], consoleLines);
  });

  test('Entra-shaped sandbox: UserInfo and logout work; introspection and revocation are said to be missing', async ({
    page,
  }) => {
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    // The default authority: the Entra-shaped sandbox tenant, its SPA registration.
    await page.goto('/flows/authorization-code');
    await page.getByRole('button', { name: 'Sign in at the authorization server' }).press('Enter');
    await page.getByLabel('Username').fill(USER);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByLabel('Password').press('Enter');
    await page.getByRole('button', { name: 'Accept' }).press('Enter');
    await page.getByRole('button', { name: 'Redeem the code' }).press('Enter');
    await expect(page.getByRole('heading', { name: 'Refresh token' })).toBeVisible();
    await openTokenManagement(page);

    const introspection = page.getByRole('note', { name: 'introspection not offered' });
    await expect(introspection).toContainText('Entra ID has no introspection endpoint');
    const revocation = page.getByRole('note', { name: 'revocation not offered' });
    await expect(revocation).toContainText('revokeSignInSessions');
    await expect(revocation.getByRole('link', { name: /revokeSignInSessions/ })).toHaveAttribute(
      'href',
      'https://learn.microsoft.com/graph/api/user-revokesigninsessions',
    );
    // Entra offers userinfo (on Graph) and logout.
    await expect(page.getByRole('note', { name: 'userinfo not offered' })).toHaveCount(0);
    await expect(page.getByRole('note', { name: 'logout not offered' })).toHaveCount(0);

    const picker = page.getByLabel('Use the access token from an earlier run');
    await picker.selectOption({ label: await picker.locator('option').nth(1).innerText() });
    await page.getByRole('button', { name: 'Ask UserInfo' }).press('Enter');
    await expect(page.getByText('The sub matches the ID token’s')).toBeVisible();

    // Sending anyway is refused before any request: there is no endpoint.
    await page.getByRole('button', { name: 'Introspect the token' }).press('Enter');
    await expect(page.locator('#step-introspect')).toContainText('introspection_endpoint');
    await expectNoAxeViolations(page, 'token-management: Entra-shaped authority');

    // Entra's logout returns straight to the registered redirect URI with the state.
    await page.getByRole('button', { name: 'Sign out at the provider' }).press('Enter');
    await expect(page).toHaveURL(/\/flows\/token-management$/);
    await expect(page.getByRole('status', { name: 'Signed out' })).toBeVisible();
    expect(errors).toEqual([]);
  });
});
