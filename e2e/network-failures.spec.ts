import { expect, test, type Page } from '@playwright/test';
import { SANDBOX_APPS, SANDBOX_TENANT } from '../server/sandbox/seed.ts';
import { expectNoAxeViolations } from './support/axe.ts';

const WEB_APP = SANDBOX_APPS.find((app) => app.displayName === 'Flow Lab Web App')!;
const WEB_SECRET = WEB_APP.clientSecret!;

/**
 * A loopback port nothing listens on, so connecting to it is refused. Not a port just listened on and
 * closed: the system may hand it to another socket of the run before the request goes out (a clean CI
 * run met a reset there). Port 1 (tcpmux) is below 1024, where nothing of ours listens.
 */
async function closedPort(): Promise<number> {
  return 1;
}

async function sandboxOrigin(page: Page): Promise<string> {
  const response = await page.request.get('/lab-config.json');
  return ((await response.json()) as { sandboxOrigin: string }).sandboxOrigin;
}

/** Settings → endpoints typed by hand, with this token endpoint; then a web app profile with a secret. */
async function useTokenEndpoint(page: Page, tokenEndpoint: string) {
  const base = `${await sandboxOrigin(page)}/${SANDBOX_TENANT.id}`;
  await page.goto('/settings');
  await page.getByRole('radio', { name: 'Endpoints typed by hand' }).check();
  await page
    .getByRole('textbox', { name: 'Authorization endpoint', exact: true })
    .fill(`${base}/oauth2/v2.0/authorize`);
  await page.getByRole('textbox', { name: 'Token endpoint' }).fill(tokenEndpoint);
  await page.getByLabel('Keys (JWKS) URL').fill(`${base}/discovery/v2.0/keys`);
  await page.getByRole('button', { name: 'Use these endpoints' }).click();
  await expect(page.getByText('Saved. Flows now use these endpoints.')).toBeVisible();
  await page.getByRole('button', { name: 'New profile' }).click();
  await page.getByLabel('Profile name').fill('Unreachable web app');
  await page.getByLabel('Client id', { exact: true }).fill(WEB_APP.clientId);
  await page.getByLabel('Platform', { exact: true }).selectOption('web');
  await page.getByLabel('Client secret', { exact: true }).fill(WEB_SECRET);
  await page
    .getByRole('navigation', { name: 'Flows' })
    .getByRole('link', { name: 'Client credentials' })
    .click();
  await expect(page.getByRole('heading', { level: 1, name: 'Client credentials' })).toBeVisible();
  await expect(page.getByText('Will go through the local relay')).toBeVisible();
}

test.describe('an authority that cannot be reached', () => {
  test('a token endpoint on a closed loopback port: the headline names the host and “connection refused”, the attempted POST stays shown', async ({
    page,
  }) => {
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const port = await closedPort();
    const endpoint = `http://127.0.0.1:${port}/oauth2/token`;
    await useTokenEndpoint(page, endpoint);
    await page.getByRole('button', { name: 'Request the token' }).click();

    const failure = page.getByRole('alert').filter({ hasText: 'Could not reach' });
    await expect(failure.getByRole('heading', { level: 3 })).toHaveText(
      `Could not reach 127.0.0.1:${port}: connection refused`,
    );
    await expect(failure).toContainText('The local relay is running');
    await expect(failure.getByRole('heading', { level: 3 })).not.toContainText(/relay/i);
    await expect(failure.getByLabel('Connection failure')).toContainText('ECONNREFUSED');

    const exchange = page.getByRole('article', { name: `HTTP exchange: POST ${endpoint}` });
    await expect(exchange).toContainText('Attempted: this request was sent, and no answer came back.');
    await expect(exchange).toContainText(
      `No response: Could not reach 127.0.0.1:${port}: connection refused.`,
    );
    await expect(exchange).toContainText(`POST ${endpoint}`);
    await expect(exchange).toContainText('Accept: application/json');
    // No discovery document: RFC 8414 §2's default, client_secret_basic, puts the secret in the Authorization
    // header, masked like any secret field.
    await expect(exchange).toContainText('••••••');
    await expect(exchange).not.toContainText(WEB_SECRET);
    await expectNoAxeViolations(page, 'client credentials after a refused connection');
    expect(errors).toEqual([]);
  });

  test('a host that resolves nowhere (RFC 6761 .invalid): “DNS lookup failed”', async ({ page }) => {
    await useTokenEndpoint(page, 'https://something.invalid/oauth2/token');
    await page.getByRole('button', { name: 'Request the token' }).click();
    const failure = page.getByRole('alert').filter({ hasText: 'Could not reach' });
    await expect(failure.getByRole('heading', { level: 3 })).toHaveText(
      'Could not reach something.invalid: DNS lookup failed',
    );
    await expect(failure).toContainText('check that you are online'.replace('check', 'Check'));
  });
});
