import { expect, test } from '@playwright/test';
import {
  APP,
  expectStoredDiagramWithAttacker,
  recordHosts,
  recordRequests,
  run,
  SANDBOX,
} from './support/attack-lab.ts';
import { expectNoAxeViolations } from './support/axe.ts';
import { expectNoSecretsLeft, recordConsole } from './support/secrets-audit.ts';

const TITLE = 'Mix-up between two authorization servers';

test('mix-up: without the iss check the app hands the code and verifier to the attacker’s server; with it the callback is refused', async ({
  page,
}) => {
  const consoleLines = recordConsole(page);
  const hosts = recordHosts(page);
  const requested = recordRequests(page);
  await page.goto('/attacks');
  await page.getByRole('link', { name: TITLE }).press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: TITLE })).toBeVisible();
  await expect(page.getByRole('note', { name: 'Vulnerable mode' })).toContainText('the callback ignores iss');
  // What Entra does, with Microsoft's page as the source.
  await expect(page.locator('.attack-on-entra strong')).toHaveText('On Entra ID:');
  await expect(page.locator('.attack-on-entra')).toContainText('Entra ID sends no iss');
  await expect(
    page.getByRole('link', {
      name: 'Source: Microsoft: the authorization code response (opens in a new tab)',
    }),
  ).toHaveAttribute('href', /learn\.microsoft\.com\/entra\/identity-platform\/v2-oauth2-auth-code-flow/);
  await expectStoredDiagramWithAttacker(page, requested);

  const off = await run(page, 'off');
  await expect(off.getByRole('heading', { name: 'The attack worked' })).toBeFocused();
  await expect(off).toContainText('now holds Adele Vance’s tokens');
  await expect(off.getByText(/Raw HTTP: POST .*\/attack-lab\/mixup-as\/token → 400/)).toBeVisible();
  await expect(off.getByText(/Raw HTTP: POST .*\/standard\/token → 200/)).toBeVisible();
  await expect(off.getByText('adele@flowlab-sandbox.onmicrosoft.com', { exact: true })).toBeVisible();
  await expectNoAxeViolations(page, 'mix-up: defence off');

  const on = await run(page, 'on');
  await expect(on.getByRole('heading', { name: 'The defence stopped it' })).toBeFocused();
  await expect(on).toContainText('RFC 9207');
  await expect(on.getByText(`${SANDBOX}/standard`, { exact: true })).toBeVisible();
  await expect(on.getByText(/Raw HTTP: POST .*\/token/)).toHaveCount(0);
  await on.getByRole('button', { name: 'Reveal Code (issued by the honest server)' }).press('Enter');
  const fact = on.locator('.attack-facts > div').filter({ hasText: 'Code (issued by the honest server)' });
  const code = (await fact.locator('code').first().textContent()) ?? '';
  expect(code.length).toBeGreaterThan(10);
  await expectNoAxeViolations(page, 'mix-up: defence on');

  const captured = await page.request.get(`${SANDBOX}/attack-lab/mixup-as/captured`);
  expect(await captured.json()).toEqual({ captured: false });
  expect([...hosts].sort()).toEqual([APP, SANDBOX].sort());
  await expectNoSecretsLeft(page, [code], consoleLines);
});

test.describe('prerendered, without JavaScript', () => {
  test.use({ javaScriptEnabled: false });
  test('/attacks/mix-up is drawn from its HTML alone', async ({ page }) => {
    await page.goto('/attacks/mix-up');
    const drawn = page.locator('#root > fieldset.prerendered[inert][disabled]');
    await expect(drawn.getByRole('heading', { level: 1, includeHidden: true })).toContainText(TITLE);
  });
});
