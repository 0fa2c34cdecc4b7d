import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { E2E_SANDBOX_PORT } from '../playwright.config.ts';
import { SANDBOX_APPS } from '../server/sandbox/seed.ts';
import { expectNoAxeViolations } from './support/axe.ts';
import { expectNoSecretsLeft, recordConsole, tokensOnPage } from './support/secrets-audit.ts';

const WEB_APP = SANDBOX_APPS.find((app) => app.displayName === 'Flow Lab Web App')!;
const SANDBOX = `http://localhost:${E2E_SANDBOX_PORT}`;
const CERTIFICATES = `${SANDBOX}/portal/apps/${WEB_APP.clientId}/certificates`;

/** Removes every certificate this spec registered, so the sandbox is as it was. */
async function removeCertificates(request: APIRequestContext, thumbprints: readonly string[]) {
  for (const thumbprint of thumbprints)
    await request.delete(`${CERTIFICATES}/${encodeURIComponent(thumbprint)}`);
}

async function chooseCertificate(page: Page) {
  const radio = page.getByRole('radio', { name: /Certificate/ });
  await radio.focus();
  await radio.press('Space');
  await expect(radio).toBeChecked();
}

async function generateCertificate(page: Page): Promise<string> {
  await page.getByRole('button', { name: 'Generate a key pair and certificate' }).press('Enter');
  const thumbprint = page.getByTestId('thumbprint-sha256');
  await expect(thumbprint).toHaveText(/^[A-Za-z0-9_-]{43}$/);
  await expect(page.getByTestId('thumbprint-sha1')).toHaveText(/^[0-9A-F]{40}$/);
  await expect(page.getByLabel('Certificate (PEM) — public, safe to share')).toHaveValue(
    /^-----BEGIN CERTIFICATE-----/,
  );
  return (await thumbprint.textContent()) ?? '';
}

test.describe('client credentials flow', () => {
  test('client secret: an app-only token with roles, through the relay (keyboard only)', async ({ page }) => {
    const consoleLines = recordConsole(page);
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto('/flows/client-credentials');
    await expect(page.getByRole('heading', { level: 1, name: 'Client credentials' })).toBeVisible();
    await expect(page.getByText('Will go through the local relay')).toBeVisible();
    await expect(page.getByText(/AADSTS9002326/).first()).toBeVisible();
    await expect(page.getByRole('list', { name: 'Warnings about this request' })).toHaveCount(0);

    await page.getByRole('button', { name: 'Request the token' }).press('Enter');
    await expect(page.getByText('Sent through the local relay', { exact: true })).toBeVisible();
    const accessToken = page.getByRole('region', { name: 'Access token' });
    await expect(accessToken.getByRole('row', { name: /\broles\b/ })).toContainText('User.Read.All');
    await expect(accessToken.getByRole('row', { name: /\bazpacr\b/ })).toContainText('1');
    await expect(accessToken.getByRole('row', { name: /\bidtyp\b/ })).toContainText('app');
    await expect(accessToken.getByRole('row', { name: /^scp\b/ })).toHaveCount(0);
    const facts = page.getByRole('list', { name: 'What this token is' });
    await expect(facts).toContainText('User.Read.All');
    await expect(facts).toContainText('No refresh token');
    await expect(facts).toContainText('No ID token');
    expect(errors).toEqual([]);
    await expectNoAxeViolations(page, 'client credentials: token');
    await expectNoSecretsLeft(
      page,
      [WEB_APP.clientSecret ?? '', ...(await tokensOnPage(page))],
      consoleLines,
    );
  });

  test('certificate: generated in the browser, registered on the sandbox, azpacr 2 (keyboard only)', async ({
    page,
    request,
  }) => {
    const registered: string[] = [];
    try {
      await page.goto('/flows/client-credentials');
      await chooseCertificate(page);
      const thumbprint = await generateCertificate(page);
      registered.push(thumbprint);

      await page.getByRole('button', { name: 'Register on the sandbox' }).press('Enter');
      await expect(page.getByText('Registered: the sandbox now trusts the certificate')).toContainText(
        thumbprint,
      );
      const listed = (await (await request.get(CERTIFICATES)).json()) as { thumbprintSha256: string }[];
      expect(listed.map((c) => c.thumbprintSha256)).toContain(thumbprint);

      await page.getByRole('button', { name: 'Sign the client assertion' }).press('Enter');
      const assertion = page.getByRole('region', { name: 'Client assertion', exact: true });
      await expect(assertion.getByRole('row', { name: /x5t#S256/ })).toContainText(thumbprint);
      await expect(assertion.getByRole('row', { name: /^alg\b/ })).toContainText('PS256');
      const explained = page.getByRole('table', { name: 'What the assertion says, and why' });
      await expect(explained.getByRole('row', { name: /^aud\b/ })).toContainText(`/oauth2/v2.0/token`);
      await expect(explained.getByRole('row', { name: /^iss\b/ })).toContainText(WEB_APP.clientId);

      await expect(page.getByText('client_assertion_type').first()).toBeVisible();
      await page.getByRole('button', { name: 'Request the token' }).press('Enter');
      const accessToken = page.getByRole('region', { name: 'Access token' });
      await expect(accessToken.getByRole('row', { name: /\bazpacr\b/ })).toContainText('2');
      await expect(accessToken.getByRole('row', { name: /\broles\b/ })).toContainText('User.Read.All');
      await expect(page.getByRole('list', { name: 'What this token is' })).toContainText('certificate');
    } finally {
      await removeCertificates(request, registered);
    }
  });

  test('a wrong client secret is explained as AADSTS7000215, the input kept', async ({ page }) => {
    await page.goto('/flows/client-credentials');
    await page.getByLabel('Client secret (kept in memory only)').fill('not-the-secret');
    await page.getByRole('button', { name: 'Request the token' }).press('Enter');
    const alert = page.getByRole('alert');
    await expect(alert).toContainText('Wrong client secret');
    await expect(alert).toContainText('AADSTS7000215');
    await expect(page.getByLabel('Client secret (kept in memory only)')).toHaveValue('not-the-secret');
  });

  test('an unregistered certificate is explained as AADSTS700027', async ({ page }) => {
    await page.goto('/flows/client-credentials');
    await chooseCertificate(page);
    await generateCertificate(page);
    await page.getByRole('button', { name: 'Sign the client assertion' }).press('Enter');
    await expect(page.getByRole('region', { name: 'Client assertion', exact: true })).toBeVisible();
    await page.getByRole('button', { name: 'Request the token' }).press('Enter');
    const alert = page.getByRole('alert');
    await expect(alert).toContainText('Client assertion rejected');
    await expect(alert).toContainText('AADSTS700027');
    await expect(alert).toContainText('invalid_client');
  });

  test('a scope without /.default is warned about, then explained as AADSTS1002012', async ({ page }) => {
    await page.goto('/flows/client-credentials');
    await page.getByLabel('scope').fill('User.Read.All');
    await expect(page.getByRole('list', { name: 'Warnings about this request' })).toContainText(
      'AADSTS1002012',
    );
    await page.getByRole('button', { name: 'Request the token' }).press('Enter');
    const alert = page.getByRole('alert');
    await expect(alert).toContainText('Scope must end in /.default');
    await expect(alert).toContainText('AADSTS1002012');
    await expect(page.getByLabel('scope')).toHaveValue('User.Read.All');
  });

  test('a tenant alias in Settings: the flows list and the page say a tenant is needed, and the run can still fix it', async ({
    page,
  }) => {
    await page.goto('/settings');
    await page.getByLabel('Tenant', { exact: true }).fill('common');
    const flows = page.getByRole('list', { name: 'Flows with this authority' });
    await expect(flows.getByRole('listitem').filter({ hasText: 'Client credentials' })).toContainText(
      'Not available',
    );
    await expect(flows.getByRole('listitem').filter({ hasText: 'Client credentials' })).toContainText(
      'AADSTS50059',
    );
    await expect(flows.getByRole('listitem').filter({ hasText: 'Device code' })).toContainText('Offered');
    await page.goto('/flows/client-credentials');
    await expect(page.getByRole('status').filter({ hasText: 'Not available on this tenant' })).toContainText(
      'tenant id',
    );
    // The run's own tenant can be changed here: nothing is disabled.
    await expect(page.getByLabel('tenant')).toBeEnabled();
    await expect(page.getByRole('button', { name: 'Request the token' })).toBeEnabled();
  });

  test('the common tenant is warned about, then explained as AADSTS50059', async ({ page }) => {
    await page.goto('/flows/client-credentials');
    await page.getByLabel('tenant').fill('common');
    await expect(page.getByRole('list', { name: 'Warnings about this request' })).toContainText(
      'AADSTS50059',
    );
    await page.getByRole('button', { name: 'Request the token' }).press('Enter');
    await expect(page.getByRole('alert')).toContainText('AADSTS50059');
  });
});
