import { expect, test, type Page } from '@playwright/test';
import { expectNoAxeViolations } from './support/axe.ts';
import { expectNoSecretsLeft, recordConsole, tokensOnPage } from './support/secrets-audit.ts';

const USER = 'adele@flowlab-sandbox.onmicrosoft.com';
const PASSWORD = 'Sandbox-Adele-1';

/** Makes the standards sandbox the authority with the keyboard (Settings, its preset), then a profile active. */
async function useStandardsSandbox(page: Page, clientId: string) {
  await page.goto('/settings');
  const radio = page.getByRole('radio', { name: /^Standards sandbox/ });
  await radio.focus();
  await radio.press('Space');
  await page
    .getByRole('button', { name: /Use the standards sandbox|Apply the standards sandbox again/ })
    .press('Enter');
  await expect(page.getByText(/^Saved\. Flows now use http:\/\/localhost:\d+\/standard/)).toBeVisible();
  await page
    .getByLabel('Active profile', { exact: true })
    .selectOption({ label: `Standards sandbox: ${clientId}` });
}

/** Opens the code flow inside the app (a reload would forget the client secret held in memory). */
async function openCodeFlow(page: Page) {
  await page.getByRole('navigation').getByRole('link', { name: 'Authorization code' }).first().press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: 'Authorization code (+ PKCE)' })).toBeVisible();
}

/** Signs in at the standards sandbox's own pages with the keyboard. */
async function signInAtStandardSandbox(page: Page) {
  await page.getByLabel('Username').fill(USER);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByLabel('Password').press('Enter');
  const allow = page.getByRole('button', { name: 'Allow' });
  // Consent is asked once per client; a later sign-in may go straight back.
  await Promise.race([
    allow.waitFor().then(() => allow.press('Enter')),
    page.waitForURL(/\/flows\/authorization-code$/),
  ]);
}

/** The sandbox-only secret of a seeded client, as the standards sandbox's directory publishes it. */
async function secretOf(page: Page, clientId: string): Promise<string> {
  const config = (await (await page.request.get('/lab-config.json')).json()) as { sandboxOrigin: string };
  const directory = (await (
    await page.request.get(`${config.sandboxOrigin}/standard/directory.json`)
  ).json()) as { clients: { client_id: string; client_secret?: string }[] };
  return directory.clients.find((client) => client.client_id === clientId)?.client_secret ?? '';
}

test.describe('authorization code flow: PAR, JAR and JARM against the standards sandbox', () => {
  test('PAR + JARM (public client, keyboard only): push, sign in, verified response, tokens; a used request_uri is refused', async ({
    page,
  }) => {
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const consoleLines = recordConsole(page);
    await useStandardsSandbox(page, 'standard-spa');
    await openCodeFlow(page);

    const par = page.getByRole('checkbox', { name: 'Push the request first (PAR, RFC 9126)' });
    await expect(par).toBeEnabled();
    await par.focus();
    await par.press('Space');
    await expect(par).toBeChecked();
    await page.getByRole('combobox', { name: 'response_mode' }).selectOption('jwt');
    await page.getByRole('combobox', { name: 'prompt' }).selectOption('consent');

    // RFC 9126 §2: the push, and its answer.
    await page.getByRole('button', { name: 'Push the request', exact: true }).press('Enter');
    const parStep = page.locator('#step-par');
    await expect(parStep.getByText(/^urn:ietf:params:oauth:request_uri:/)).toBeVisible();
    await expect(parStep.getByText(/\d+ seconds \(until/)).toBeVisible();
    // RFC 9126 §4: the URL carries only client_id and request_uri.
    const preview = page.locator('.url-preview');
    await expect(preview).toContainText('request_uri=');
    await expect(preview).not.toContainText('code_challenge=');
    await expect(preview).not.toContainText('state=');
    await expectNoAxeViolations(page, 'authorization-code-standards: pushed');

    await page.getByRole('button', { name: 'Sign in at the authorization server' }).press('Enter');
    await signInAtStandardSandbox(page);
    await expect(page).toHaveURL(/\/flows\/authorization-code$/);

    // JARM: the response JWT was verified before its code and state were used.
    await expect(page.getByText('The answer came as one signed JWT (JARM)')).toBeVisible();
    await expect(page.getByRole('figure', { name: 'The JARM response, decoded' })).toContainText('"iss"');
    await expect(page.getByText('the state matches what this tab sent')).toBeVisible();
    await page.getByRole('button', { name: 'Redeem the code' }).press('Enter');
    await expect(page.getByRole('heading', { name: 'Access token' })).toBeVisible();
    await expect(page.getByRole('heading', { name: 'ID token' })).toBeVisible();
    await expectNoAxeViolations(page, 'authorization-code-standards: tokens after JARM');
    expect(page.url()).not.toContain('response=');
    await expectNoSecretsLeft(page, await tokensOnPage(page), consoleLines);

    // The request_uri is single-use: the page says so before leaving, the server refuses it.
    await expect(page.locator('#step-par').getByText(/Already used for a sign-in/)).toBeVisible();
    await expect(page.getByText(/This request_uri was already used for a sign-in/)).toBeVisible();
    // A server that cannot find the pushed request sends its error to the client's only registered
    // redirect URI (oidc-provider's recovery); the sandbox registers the app's default origin, so the
    // answer is handed on to this app's own callback, as it would reach an app registered there.
    const appOrigin = new URL(page.url()).origin;
    await page.route(/^http:\/\/localhost:\d+\/callback\?/, async (route) => {
      const url = new URL(route.request().url());
      if (url.origin === appOrigin) return route.continue();
      return route.fulfill({ status: 302, headers: { location: `${appOrigin}/callback${url.search}` } });
    });
    await page.getByRole('button', { name: 'Sign in at the authorization server' }).press('Enter');
    await expect(page).toHaveURL(/\/flows\/authorization-code$/);
    await expect(
      page.getByRole('heading', { name: 'The request_uri is not valid (any more)' }),
    ).toBeVisible();
    await expect(page.getByText(/single-use and short-lived/)).toBeVisible();
    await expectNoAxeViolations(page, 'authorization-code-standards: used request_uri explained');
    expect(errors).toEqual([]);
  });

  test('JAR by value with HS256 and client_secret_post (standard-post): signed, decoded, redeemed', async ({
    page,
  }) => {
    const consoleLines = recordConsole(page);
    const secret = await secretOf(page, 'standard-post');
    expect(secret).not.toBe('');
    await useStandardsSandbox(page, 'standard-post');
    await openCodeFlow(page);
    await page.getByRole('textbox', { name: /^scope\b/ }).fill('openid profile');

    await page.getByLabel('Request object (JAR, RFC 9101)').selectOption('HS256');
    await page.getByRole('button', { name: 'Sign the request object' }).press('Enter');
    const decoded = page.getByRole('figure', { name: 'The signed request object, decoded' });
    await expect(decoded).toContainText('"typ": "oauth-authz-req+jwt"');
    await expect(decoded).toContainText('"iss": "standard-post"');
    await expect(decoded).toContainText(/"aud": "http:\/\/localhost:\d+\/standard"/);
    // RFC 9101 §5: the URL carries client_id and the request object only.
    const preview = page.locator('.url-preview');
    await expect(preview).toContainText('request=');
    await expect(preview).not.toContainText('redirect_uri=');
    await expectNoAxeViolations(page, 'authorization-code-standards: request object signed');

    await page.getByRole('button', { name: 'Sign in at the authorization server' }).press('Enter');
    await signInAtStandardSandbox(page);
    await expect(page.getByText('the state matches what this tab sent')).toBeVisible();
    // The secret lived in memory only: the redirect dropped it, so it is typed again.
    await page.getByLabel('Client secret (kept in memory only)').fill(secret);
    await page.getByRole('button', { name: 'Redeem the code' }).press('Enter');
    await expect(page.getByText('Sent from the browser', { exact: true })).toBeVisible();
    await expect(page.getByRole('heading', { name: 'Access token' })).toBeVisible();
    // The raw redemption holds code, code_verifier and client_secret masked on consecutive lines:
    // their reveal buttons must still be targets of 24 × 24 px (WCAG 2.5.8).
    await expectNoAxeViolations(page, 'authorization-code-standards: redeemed, masked values side by side');
    await expectNoSecretsLeft(page, [secret, ...(await tokensOnPage(page))], consoleLines);
  });

  test('PAR + form_post.jwt with client_secret_basic (standard-basic): the secret form-encoded at both endpoints', async ({
    page,
  }) => {
    const consoleLines = recordConsole(page);
    const secret = await secretOf(page, 'standard-basic');
    expect(secret).toMatch(/[:+/&%]/);
    await useStandardsSandbox(page, 'standard-basic');
    await openCodeFlow(page);
    await page.getByRole('textbox', { name: /^scope\b/ }).fill('openid profile');
    await page
      .getByRole('group', { name: 'Client authentication (at the PAR and token endpoints)' })
      .getByRole('radio', { name: 'client_secret_basic' })
      .check();
    await page.getByRole('checkbox', { name: 'Push the request first (PAR, RFC 9126)' }).check();
    await page.getByRole('combobox', { name: 'response_mode' }).selectOption('form_post.jwt');
    await page.getByRole('button', { name: 'Push the request', exact: true }).click();
    const parStep = page.locator('#step-par');
    await expect(parStep.getByText(/^urn:ietf:params:oauth:request_uri:/)).toBeVisible();
    await expect(parStep.getByText('Authorization: Basic', { exact: false }).first()).toBeVisible();

    await page.getByRole('button', { name: 'Sign in at the authorization server' }).click();
    await signInAtStandardSandbox(page);
    // Form Post Response Mode + JARM: the JWT was POSTed to this app's local server, then verified.
    await expect(page.getByText('The answer came as one signed JWT (JARM)')).toBeVisible();
    await expect(page.getByText('the state matches what this tab sent')).toBeVisible();
    await page.getByLabel('Client secret (kept in memory only)').fill(secret);
    await page.getByRole('button', { name: 'Redeem the code' }).click();
    await expect(page.getByRole('heading', { name: 'Access token' })).toBeVisible();
    await expectNoSecretsLeft(page, [secret, ...(await tokensOnPage(page))], consoleLines);
  });

  test('JAR pushed, signed with an ES256 key pair made in the browser and registered on the client', async ({
    page,
  }) => {
    await useStandardsSandbox(page, 'standard-spa');
    await openCodeFlow(page);
    await page.getByRole('checkbox', { name: 'Push the request first (PAR, RFC 9126)' }).check();
    await page.getByLabel('Request object (JAR, RFC 9101)').selectOption('ES256');
    await page.getByRole('button', { name: 'Make a key pair (ES256)' }).click();
    await expect(page.getByLabel('Public key (JWK) to register with the client')).toHaveValue(/"kty": "EC"/);
    await expect(page.getByLabel('Public key (JWK) to register with the client')).not.toHaveValue(/"d"/);
    await page.getByRole('button', { name: 'Register the public key with the sandbox client' }).click();
    await expect(page.getByText('Registered: the client’s key set now holds this key.')).toBeVisible();
    await page.getByRole('button', { name: 'Push the request', exact: true }).click();
    await expect(page.locator('#step-par').getByText(/^urn:ietf:params:oauth:request_uri:/)).toBeVisible();
    // The pushed body carries client_id and the request object, not the parameters.
    await expect(page.getByRole('figure', { name: 'The signed request object, decoded' })).toContainText(
      '"alg": "ES256"',
    );
    await page.getByRole('button', { name: 'Sign in at the authorization server' }).click();
    await signInAtStandardSandbox(page);
    await expect(page.getByText('the state matches what this tab sent')).toBeVisible();
    await page.getByRole('button', { name: 'Redeem the code' }).click();
    await expect(page.getByRole('heading', { name: 'Access token' })).toBeVisible();
  });

  test('JARM carrying an error: a declined consent comes back signed and is shown as access_denied', async ({
    page,
  }) => {
    await useStandardsSandbox(page, 'standard-spa');
    await openCodeFlow(page);
    await page.getByRole('combobox', { name: 'response_mode' }).selectOption('fragment.jwt');
    await page.getByRole('combobox', { name: 'prompt' }).selectOption('consent');
    await page.getByRole('button', { name: 'Sign in at the authorization server' }).click();
    await page.getByLabel('Username').fill(USER);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByLabel('Password').press('Enter');
    await page.getByRole('button', { name: 'Deny' }).click();
    await expect(page).toHaveURL(/\/flows\/authorization-code$/);
    // JARM §2.1: the error travelled inside the signed JWT; once verified it is the authorization error.
    const alert = page.getByRole('alert');
    await expect(alert).toContainText('access_denied');
    // The return trip carried only the JWT, in the fragment.
    await expect(page.getByText(/response in the fragment/).first()).toBeAttached();
    expect(page.url()).not.toContain('response=');
    await expectNoAxeViolations(page, 'authorization-code-standards: JARM error');
  });

  test('a wrong secret signs a request object the server refuses: the push is explained', async ({
    page,
  }) => {
    await useStandardsSandbox(page, 'standard-post');
    await openCodeFlow(page);
    await page.getByRole('checkbox', { name: 'Push the request first (PAR, RFC 9126)' }).check();
    await page.getByLabel('Client secret (kept in memory only)').fill('not-the-secret-of-this-client');
    await page.getByRole('button', { name: 'Push the request', exact: true }).click();
    await expect(page.getByRole('heading', { name: 'Client authentication failed' })).toBeVisible();
    await expectNoAxeViolations(page, 'authorization-code-standards: refused push');
  });

  test('Entra-shaped sandbox: PAR, JAR and JARM are not offered, and the page says why', async ({ page }) => {
    await page.goto('/flows/authorization-code');
    // The app's own page, not the prerendered picture it replaces (inert and hidden from axe).
    await expect(page.locator('.flow-diagram svg')).toBeVisible();
    await expect(page.getByRole('heading', { level: 1, name: 'Authorization code (+ PKCE)' })).toBeVisible();
    await expect(
      page.getByText(/Entra ID has no pushed authorization request endpoint/).first(),
    ).toBeVisible();
    await expect(page.getByText(/Entra ID does not take signed request objects/).first()).toBeVisible();
    await expect(page.getByText(/Entra ID has no JWT response modes/).first()).toBeVisible();
    await expect(page.getByRole('checkbox', { name: /Push the request first/ })).toHaveCount(0);
    await expect(
      page.getByRole('combobox', { name: 'response_mode' }).locator('option[value="jwt"]'),
    ).toHaveCount(0);
    await expectNoAxeViolations(page, 'authorization-code-standards: Entra-shaped');
  });
});
