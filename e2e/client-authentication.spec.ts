import { expect, test, type Page } from '@playwright/test';
import { E2E_SANDBOX_PORT } from '../playwright.config.ts';
import { expectNoAxeViolations } from './support/axe.ts';
import { expectNoSecretsLeft, recordConsole, tokensOnPage } from './support/secrets-audit.ts';

const SANDBOX = `http://localhost:${E2E_SANDBOX_PORT}`;
const ISSUER = `${SANDBOX}/standard`;

interface DirectoryClient {
  readonly client_id: string;
  readonly client_secret?: string;
  readonly token_endpoint_auth_method: string;
}

/** The standards sandbox's seeded clients (their sandbox-only secrets are published on purpose). */
async function directoryClients(page: Page): Promise<readonly DirectoryClient[]> {
  const response = await page.request.get(`${ISSUER}/directory.json`);
  expect(response.ok()).toBe(true);
  return ((await response.json()) as { clients: DirectoryClient[] }).clients;
}

async function clientFor(page: Page, method: string): Promise<DirectoryClient> {
  const client = (await directoryClients(page)).find((c) => c.token_endpoint_auth_method === method);
  expect(client, `a seeded client for ${method}`).toBeDefined();
  return client!;
}

/** Settings → any OpenID provider → the standards issuer → look up → use it (keyboard only). */
async function useStandardsIssuer(page: Page) {
  await page.goto('/settings');
  const radio = page.getByRole('radio', { name: 'Any OpenID provider, by its issuer URL' });
  await radio.focus();
  await radio.press('Space');
  await page.getByRole('textbox', { name: 'Issuer URL' }).fill(ISSUER);
  await page.getByRole('button', { name: 'Look up' }).press('Enter');
  await expect(page.getByRole('heading', { name: 'What the issuer publishes' })).toBeVisible();
  await page.getByRole('button', { name: 'Use this issuer' }).press('Enter');
  await expect(page.getByText(`Saved. Flows now use ${ISSUER}.`)).toBeVisible();
}

/** Opens client credentials for a seeded client and picks a method, by keyboard. */
async function openFor(page: Page, client: DirectoryClient, method: string) {
  await page.goto('/flows/client-credentials');
  await expect(page.getByRole('heading', { level: 1, name: 'Client credentials' })).toBeVisible();
  await page.getByLabel('client_id').fill(client.client_id);
  // The standards sandbox's API scope: its access token is then a JWT for the API (RFC 9068).
  await page.getByLabel('scope').fill('api.read');
  const choice = page.getByRole('group', { name: 'Client authentication' });
  const radio = choice.getByRole('radio', { name: method, exact: true });
  await radio.focus();
  await radio.press('Space');
  await expect(radio).toBeChecked();
  if (client.client_secret !== undefined) {
    await page.getByLabel('Client secret (kept in memory only)').fill(client.client_secret);
  }
}

async function requestToken(page: Page) {
  await page.getByRole('button', { name: 'Request the token' }).press('Enter');
  const accessToken = page.getByRole('region', { name: 'Access token' });
  await expect(accessToken).toBeVisible();
  return accessToken;
}

test.describe('client authentication against the standards sandbox (client credentials)', () => {
  test.beforeEach(async ({ page }) => {
    await useStandardsIssuer(page);
  });

  test('client_secret_basic: the form-encoding shown step by step, then a token (keyboard only)', async ({
    page,
  }) => {
    const consoleLines = recordConsole(page);
    const client = await clientFor(page, 'client_secret_basic');
    await openFor(page, client, 'client_secret_basic');
    const secret = client.client_secret ?? '';
    // The offered methods come from the issuer's token_endpoint_auth_methods_supported.
    const choice = page.getByRole('group', { name: 'Client authentication' });
    for (const method of ['client_secret_post', 'client_secret_jwt', 'private_key_jwt'])
      await expect(choice.getByRole('radio', { name: method, exact: true })).toBeEnabled();

    const steps = page.getByRole('table', { name: /client_secret_basic, step by step/ });
    await expect(steps).toBeVisible();
    // Masked until revealed; then step 1 shows the secret's form-encoding.
    await expect(steps).not.toContainText(secret);
    await page.getByRole('button', { name: 'Reveal the secret in these steps' }).press('Enter');
    await expect(steps).toContainText(secret);
    await expect(steps.getByRole('row', { name: /1\. Form-urlencoded/ })).toContainText(
      new URLSearchParams([['', secret]]).toString().slice(1),
    );
    const bug = page.getByRole('note', { name: 'The Basic encoding bug' });
    await expect(bug).toContainText('another secret');
    await expect(bug).toContainText('invalid_client');
    await expectNoAxeViolations(page, 'client_secret_basic chosen, steps revealed');

    const accessToken = await requestToken(page);
    await expect(page.getByRole('list', { name: 'What this token is' })).toContainText('client_secret_basic');
    await expect(accessToken.getByRole('row', { name: /^client_id\b/ })).toContainText(client.client_id);
    await expectNoSecretsLeft(page, [secret, ...(await tokensOnPage(page))], consoleLines);
  });

  test('client_secret_post: the secret in the body', async ({ page }) => {
    const consoleLines = recordConsole(page);
    const client = await clientFor(page, 'client_secret_post');
    await openFor(page, client, 'client_secret_post');
    const adds = page.getByRole('table', { name: 'What client_secret_post adds to the request' });
    await expect(adds.getByRole('row', { name: /client_secret/ })).toContainText('Body');
    await requestToken(page);
    await expect(page.getByRole('list', { name: 'What this token is' })).toContainText('client_secret_post');
    await expectNoAxeViolations(page, 'client_secret_post token');
    await expectNoSecretsLeft(
      page,
      [client.client_secret ?? '', ...(await tokensOnPage(page))],
      consoleLines,
    );
  });

  test('client_secret_jwt: an HS256 assertion signed with the secret, decoded', async ({ page }) => {
    const consoleLines = recordConsole(page);
    const client = await clientFor(page, 'client_secret_jwt');
    await openFor(page, client, 'client_secret_jwt');
    await page.getByRole('button', { name: 'Sign a client assertion to see it' }).press('Enter');
    const table = page.getByRole('table', { name: 'What the client_secret_jwt assertion says, and why' });
    await expect(table.getByRole('row', { name: /^alg\b/ })).toContainText('HS256');
    await expect(table.getByRole('row', { name: /^iss\b/ })).toContainText(client.client_id);
    await expect(table.getByRole('row', { name: /^aud\b/ })).toContainText(`${ISSUER}/token`);
    await requestToken(page);
    await expect(page.getByRole('list', { name: 'What this token is' })).toContainText('client_secret_jwt');
    await expectNoAxeViolations(page, 'client_secret_jwt token');
    await expectNoSecretsLeft(
      page,
      [client.client_secret ?? '', ...(await tokensOnPage(page))],
      consoleLines,
    );
  });

  test('private_key_jwt: a key pair made in the browser, its public key registered, a token', async ({
    page,
  }) => {
    const consoleLines = recordConsole(page);
    const client = await clientFor(page, 'private_key_jwt');
    await openFor(page, client, 'private_key_jwt');
    await page.getByRole('button', { name: 'Generate a key pair' }).press('Enter');
    const kid = page.getByTestId('client-key-kid');
    await expect(kid).toHaveText(/^[A-Za-z0-9_-]{43}$/);
    const jwk = page.getByLabel(/Public key \(JWK\)/);
    await expect(jwk).toHaveValue(/"kty": "EC"/);
    await expect(jwk).not.toHaveValue(/"d"/);
    await page.getByRole('button', { name: 'Register the public key on the sandbox' }).press('Enter');
    await expect(page.getByText('Registered: the sandbox now checks')).toContainText(
      (await kid.textContent()) ?? '',
    );
    await expectNoAxeViolations(page, 'private_key_jwt key registered');
    await requestToken(page);
    await expect(page.getByRole('list', { name: 'What this token is' })).toContainText('private_key_jwt');
    const table = page.getByRole('table', { name: 'What the private_key_jwt assertion says, and why' });
    await expect(table.getByRole('row', { name: /^kid\b/ })).toContainText((await kid.textContent()) ?? '');
    await expectNoSecretsLeft(page, [...(await tokensOnPage(page))], consoleLines);
  });

  test('refused: a client registered for client_secret_jwt that sends its secret gets invalid_client', async ({
    page,
  }) => {
    const client = await clientFor(page, 'client_secret_jwt');
    await openFor(page, client, 'client_secret_post');
    await page.getByRole('button', { name: 'Request the token' }).press('Enter');
    // oidc-provider says no more than this, on purpose: the reason stays in its logs.
    await expect(page.getByText('client authentication failed').first()).toBeVisible();
    await expect(page.getByText('HTTP 401 Unauthorized').first()).toBeVisible();
    await expect(page.getByRole('region', { name: 'Access token' })).toHaveCount(0);
    await expectNoAxeViolations(page, 'invalid_client');
  });
});

test.describe('client authentication against the standards sandbox (refresh token)', () => {
  test.beforeEach(async ({ page }) => {
    await useStandardsIssuer(page);
  });

  /** The refresh page for a confidential seeded client, a pasted refresh token and a method, by keyboard. */
  async function refreshAs(page: Page, client: DirectoryClient, secret: string) {
    await page.goto('/flows/refresh-token');
    await expect(page.getByRole('heading', { level: 1, name: 'Refresh token' })).toBeVisible();
    await page.getByLabel('Refresh token to redeem').fill('not-a-refresh-token');
    const spa = page.getByRole('checkbox', { name: /Issued to an SPA/ });
    await spa.focus();
    await spa.press('Space');
    await expect(spa).not.toBeChecked();
    await page.getByLabel('client_id').fill(client.client_id);
    const choice = page.getByRole('group', { name: 'Client authentication' });
    const radio = choice.getByRole('radio', { name: client.token_endpoint_auth_method, exact: true });
    await radio.focus();
    await radio.press('Space');
    await expect(radio).toBeChecked();
    await page.getByLabel('Client secret (confidential clients; kept in memory only)').fill(secret);
    await page.getByRole('button', { name: 'Redeem the refresh token' }).press('Enter');
  }

  test('client_secret_basic on a refresh: the client is authenticated, so the bad token is what is refused', async ({
    page,
  }) => {
    const consoleLines = recordConsole(page);
    const client = await clientFor(page, 'client_secret_basic');
    await refreshAs(page, client, client.client_secret ?? '');
    await expect(page.getByRole('alert')).toContainText('invalid_grant');
    await expect(page.getByRole('table', { name: /client_secret_basic, step by step/ })).toBeVisible();
    await expectNoAxeViolations(page, 'refresh with client_secret_basic: invalid_grant');
    await expectNoSecretsLeft(page, [client.client_secret ?? ''], consoleLines);
  });

  test('a wrong secret on a refresh is invalid_client, before the token is even looked at', async ({
    page,
  }) => {
    const client = await clientFor(page, 'client_secret_post');
    await refreshAs(page, client, 'not-the-secret');
    await expect(page.getByRole('alert')).toContainText('invalid_client');
  });
});
