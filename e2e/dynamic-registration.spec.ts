import { expect, test, type Page } from '@playwright/test';
import { E2E_SANDBOX_PORT } from '../playwright.config.ts';
import { expectNoAxeViolations } from './support/axe.ts';
import { expectNoSecretsLeft, recordConsole, tokensOnPage } from './support/secrets-audit.ts';

const ISSUER = `http://localhost:${E2E_SANDBOX_PORT}/standard`;

interface Registered {
  readonly client_id: string;
  readonly client_secret: string;
  readonly registration_access_token: string;
  readonly registration_client_uri: string;
}

/** Settings → the standards sandbox preset, with the keyboard. */
async function useStandardsSandbox(page: Page) {
  await page.goto('/settings');
  const radio = page.getByRole('radio', { name: /^Standards sandbox/ });
  await radio.focus();
  await radio.press('Space');
  await page.getByRole('button', { name: 'Use the standards sandbox' }).press('Enter');
  await expect(page.getByText(`Saved. Flows now use ${ISSUER}`)).toBeVisible();
}

/** The registration page up to the request, every step moved on with the keyboard. */
async function openRegistration(page: Page) {
  // In-app navigation: the run, and the secrets it holds in memory, live as long as the page.
  await page.getByRole('link', { name: 'Dynamic client registration' }).first().click();
  await expect(page.getByRole('heading', { level: 1, name: 'Dynamic client registration' })).toBeVisible();
  await expect(page.locator('p').filter({ hasText: /^Offered:/ })).toContainText(`${ISSUER}/reg`);
  await page.getByRole('button', { name: 'Continue: describe the client' }).press('Enter');
  await expect(page.getByLabel('redirect_uris')).toHaveValue(/\/callback$/);
}

async function register(page: Page): Promise<{ status: number; body: Record<string, unknown> }> {
  const answer = page.waitForResponse(
    (response) => response.url() === `${ISSUER}/reg` && response.request().method() === 'POST',
  );
  await page.getByRole('button', { name: 'Register the client' }).press('Enter');
  const response = await answer;
  return { status: response.status(), body: (await response.json()) as Record<string, unknown> };
}

test.describe('dynamic client registration (RFC 7591, RFC 7592) against the standards sandbox', () => {
  test('register a client, use it for a client credentials token, read it back, delete it (keyboard only)', async ({
    page,
  }) => {
    const consoleLines = recordConsole(page);
    await useStandardsSandbox(page);
    await openRegistration(page);
    await expectNoAxeViolations(page, 'dynamic registration: metadata form');
    await page.getByRole('button', { name: 'Continue: review the request' }).press('Enter');
    await expect(page.getByText('Will be sent from the browser')).toBeVisible();

    const { status, body } = await register(page);
    expect(status).toBe(201);
    const registered = body as unknown as Registered;
    const table = page.getByRole('table', { name: 'What the server registered' });
    await expect(table.getByRole('row', { name: /^client_id\b/ })).toContainText(registered.client_id);
    await expect(table.getByRole('row', { name: /^client_secret_expires_at\b/ })).toContainText('never (0)');
    // The credentials are masked, each with its own reveal.
    await expect(table.getByRole('row', { name: /^client_secret\b/ })).not.toContainText(
      registered.client_secret,
    );
    await expect(table.getByRole('row', { name: /^registration_access_token\b/ })).not.toContainText(
      registered.registration_access_token,
    );
    await expectNoAxeViolations(page, 'dynamic registration: client information');

    await page.getByRole('button', { name: 'Continue: use the client' }).press('Enter');
    await page.getByRole('button', { name: 'Use this client: add it as an app profile' }).press('Enter');
    await expect(page.getByText(/^Added the app profile/)).toBeVisible();

    // The new client gets a token of its own.
    await page.getByRole('link', { name: 'Client credentials' }).first().click();
    await expect(page.getByRole('heading', { level: 1, name: 'Client credentials' })).toBeVisible();
    // The API's scope: asked for here, at the token endpoint (RFC 8707 resource by default).
    await page.getByLabel('scope').fill('api.read');
    await page.getByRole('button', { name: 'Request the token' }).press('Enter');
    const accessToken = page.getByRole('region', { name: 'Access token' });
    await expect(accessToken.getByRole('row', { name: /^client_id\b/ })).toContainText(registered.client_id);
    const tokens = await tokensOnPage(page);

    // Back to the run (history, not a reload) to manage the registration.
    await page.goBack();
    await expect(page.getByRole('heading', { level: 1, name: 'Dynamic client registration' })).toBeVisible();
    await page.getByRole('button', { name: 'Read the registration (GET)' }).press('Enter');
    const readBack = page.getByRole('region', { name: 'Read back' });
    await expect(readBack.getByText('HTTP 200 OK').first()).toBeVisible();
    // RFC 7592 §2.2: the whole metadata again, with a new name.
    await page.getByLabel('New client_name').fill('Renamed by the lab');
    await page.getByRole('button', { name: 'Change the name (PUT)' }).press('Enter');
    const updated = page.getByRole('region', { name: 'Update' });
    await expect(updated.getByText('HTTP 200 OK').first()).toBeVisible();
    await expect(updated.getByRole('group', { name: 'Response' })).toContainText(
      '"client_name": "Renamed by the lab"',
    );
    await page.getByRole('button', { name: 'Delete the registration (DELETE)' }).press('Enter');
    await expect(
      page.getByRole('region', { name: 'Delete' }).getByText('HTTP 204 No Content').first(),
    ).toBeVisible();
    const gone = page.getByRole('note', { name: 'Registration deleted' });
    await expect(gone).toContainText('The registration is gone');
    await gone.getByRole('button', { name: 'Remove the app profile made from it' }).press('Enter');
    await expect(gone.getByRole('button')).toHaveCount(0);

    // Deleted: reading it again is refused, and the refusal is explained.
    await page.getByRole('button', { name: 'Read the registration (GET)' }).press('Enter');
    await expect(page.getByRole('alert').filter({ hasText: 'invalid_token' })).toBeVisible();
    await expectNoAxeViolations(page, 'dynamic registration: deleted');

    await expectNoSecretsLeft(
      page,
      [registered.client_secret, registered.registration_access_token, ...tokens],
      consoleLines,
    );
  });

  test('a reload brings the run back without the client secret and the registration access token', async ({
    page,
  }) => {
    const consoleLines = recordConsole(page);
    await useStandardsSandbox(page);
    await openRegistration(page);
    const { body } = await register(page);
    const registered = body as unknown as Registered;
    await expect(page.getByRole('table', { name: 'What the server registered' })).toBeVisible();

    await page.reload();
    await expect(page.getByText(/came back from a reload without client secrets/)).toBeVisible();
    const table = page.getByRole('table', { name: 'What the server registered' });
    await expect(table.getByRole('row', { name: /^client_id\b/ })).toContainText(registered.client_id);
    await expectNoSecretsLeft(
      page,
      [registered.client_secret, registered.registration_access_token],
      consoleLines,
    );
    // Without its token the registration cannot be managed from here, and the page says why.
    await page.getByRole('button', { name: 'Read the registration (GET)' }).press('Enter');
    await expect(page.getByRole('alert')).toContainText('not kept across a reload');
    await expectNoAxeViolations(page, 'dynamic registration: after a reload');
  });

  test('refused: an API scope in the metadata is invalid_client_metadata, explained', async ({ page }) => {
    const consoleLines = recordConsole(page);
    await useStandardsSandbox(page);
    await openRegistration(page);
    await page.getByLabel('scope', { exact: true }).fill('openid api.read');
    await page.getByRole('button', { name: 'Continue: review the request' }).press('Enter');
    const { status, body } = await register(page);
    expect(status).toBe(400);
    expect(body['error']).toBe('invalid_client_metadata');
    const failure = page.getByRole('alert').filter({ hasText: 'Client metadata refused' });
    await expect(failure).toContainText('scopes_supported');
    await expect(page.getByRole('table', { name: 'What the server registered' })).toHaveCount(0);
    await expectNoAxeViolations(page, 'dynamic registration: refused');

    // Fixed and sent again: registered.
    await page.getByLabel('scope', { exact: true }).fill('openid');
    const again = await register(page);
    expect(again.status).toBe(201);
    await expect(page.getByRole('table', { name: 'What the server registered' })).toBeVisible();
    await expectNoSecretsLeft(page, [String(again.body['client_secret'])], consoleLines);
  });
});
