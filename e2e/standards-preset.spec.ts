import { expect, test, type Page } from '@playwright/test';
import { E2E_SANDBOX_PORT } from '../playwright.config.ts';
import { SEEDED_CLIENTS } from '../server/sandbox/standard/clients.ts';
import { expectNoAxeViolations } from './support/axe.ts';
import { expectNoSecretsLeft, recordConsole } from './support/secrets-audit.ts';

const ISSUER = `http://localhost:${E2E_SANDBOX_PORT}/standard`;
const SECRETS = SEEDED_CLIENTS.flatMap((client) => (client.client_secret ? [client.client_secret] : []));
const BASIC = SEEDED_CLIENTS.find((client) => client.client_id === 'standard-basic')!;

/** Settings → the "Standards sandbox" radio → its button, with the keyboard only. */
async function applyPreset(page: Page, button: string) {
  const radio = page.getByRole('radio', { name: /^Standards sandbox/ });
  await radio.focus();
  await radio.press('Space');
  await expect(radio).toBeChecked();
  await page.getByRole('button', { name: button }).press('Enter');
}

async function profileNames(page: Page): Promise<string[]> {
  return page.getByLabel('Active profile', { exact: true }).locator('option').allTextContents();
}

test.describe('the standards sandbox preset', () => {
  test('applied with the keyboard: the issuer, its clients as profiles; a reload keeps all but the secrets; again, no duplicates', async ({
    page,
  }) => {
    const consoleLines = recordConsole(page);
    await page.goto('/settings');
    await applyPreset(page, 'Use the standards sandbox');
    await expect(page.getByText(`Saved. Flows now use ${ISSUER}; added 5 profiles`)).toBeVisible();
    await expect(page.getByText(/^Flows use the standards sandbox/)).toContainText(ISSUER);
    // What this issuer is, and what Entra ID lacks of it, said plainly.
    await expect(page.getByText(/It offers what Entra ID does not have/)).toContainText(
      'token exchange (RFC 8693)',
    );
    await expect(page.getByText(/It offers what Entra ID does not have/)).toContainText('client_secret_jwt');

    const names = await profileNames(page);
    for (const client of SEEDED_CLIENTS) expect(names).toContain(`Standards sandbox: ${client.client_id}`);
    await expect(page.getByLabel('Active profile', { exact: true }).locator('option:checked')).toHaveText(
      'Standards sandbox: standard-spa',
    );
    await expect(page.getByLabel('Client id', { exact: true })).toHaveValue('standard-spa');
    await expect(page.getByLabel('Client secret', { exact: true })).toHaveValue('');
    // The endpoints in use are the standards issuer's, read from its discovery document.
    await expect(page.getByText(`${ISSUER}/token`).first()).toBeVisible();
    await expectNoAxeViolations(page, 'settings: standards sandbox applied');

    // A confidential client's sandbox-only secret is in its profile, in memory.
    const active = page.getByLabel('Active profile', { exact: true });
    await active.focus();
    await active.selectOption({ label: 'Standards sandbox: standard-basic' });
    await expect(page.getByLabel('Client secret', { exact: true })).toHaveValue(BASIC.client_secret!);
    await expectNoSecretsLeft(page, SECRETS, consoleLines);

    await page.reload();
    await expect(page.getByText(/^Flows use the standards sandbox/)).toContainText(ISSUER);
    await expect(page.getByRole('radio', { name: /^Standards sandbox/ })).toBeChecked();
    expect((await profileNames(page)).filter((n) => n.startsWith('Standards sandbox:'))).toHaveLength(5);
    await expect(page.getByLabel('Active profile', { exact: true }).locator('option:checked')).toHaveText(
      'Standards sandbox: standard-basic',
    );
    // Not remembered: the secret did not survive the reload.
    await expect(page.getByLabel('Client secret', { exact: true })).toHaveValue('');

    await applyPreset(page, 'Apply the standards sandbox again');
    await expect(page.getByText(`Saved. Flows now use ${ISSUER}; updated 5 profiles`)).toBeVisible();
    const again = await profileNames(page);
    expect(again.filter((n) => n.startsWith('Standards sandbox:'))).toHaveLength(5);
    expect(again).toHaveLength(names.length);
    await expect(page.getByLabel('Client id', { exact: true })).toHaveValue('standard-spa');
    await expectNoAxeViolations(page, 'settings: standards sandbox applied again');
    await expectNoSecretsLeft(page, SECRETS, consoleLines);
  });

  test('a remembered secret survives the reload; the feature routes see the issuer’s features', async ({
    page,
  }) => {
    const consoleLines = recordConsole(page);
    await page.goto('/settings');
    await applyPreset(page, 'Use the standards sandbox');
    await expect(page.getByText(/added 5 profiles/)).toBeVisible();
    await page
      .getByLabel('Active profile', { exact: true })
      .selectOption({ label: 'Standards sandbox: standard-basic' });
    await page.getByRole('checkbox', { name: 'Remember on this device' }).check();
    await page.reload();
    await expect(page.getByLabel('Client secret', { exact: true })).toHaveValue(BASIC.client_secret!);

    // The registration route finds the issuer's registration endpoint in what the preset saved.
    await page.goto('/flows/dynamic-registration');
    await expect(page.locator('p').filter({ hasText: /^Offered:/ })).toContainText(`${ISSUER}/reg`);
    await page.goto('/settings');
    await page.getByRole('button', { name: 'Forget the stored secret' }).click();
    await expectNoSecretsLeft(page, SECRETS, consoleLines);
  });

  test('the sandbox tenant (Entra-shaped) has no registration endpoint: the page says how Entra registers apps', async ({
    page,
  }) => {
    await page.goto('/flows/dynamic-registration');
    const note = page.getByRole('note', { name: 'Registration not offered' });
    await expect(note).toContainText('POST /applications');
    await expect(note.getByRole('link', { name: 'POST /applications' })).toHaveAttribute(
      'href',
      'https://learn.microsoft.com/graph/api/application-post-applications',
    );
    await expect(page.getByRole('button', { name: 'Register the client' })).toBeDisabled();
    await expectNoAxeViolations(page, 'dynamic registration: not offered');
  });
});
