import { expect, test, type Page } from '@playwright/test';
import { APP, recordHosts, run, SANDBOX } from './support/attack-lab.ts';
import { expectNoAxeViolations } from './support/axe.ts';
import { expectNoSecretsLeft, recordConsole } from './support/secrets-audit.ts';

const TITLE = 'Refresh token theft from a single-page app';

/** The sandbox's refresh token settings must be Entra's again after every run. */
async function expectSettingsRestored(page: Page) {
  const response = await page.request.get(`${SANDBOX}/portal/settings`);
  expect(await response.json()).toMatchObject({
    rotateRefreshTokens: false,
    spaRefreshTokenLifetimeSeconds: 86_400,
  });
}

test('refresh token theft: without rotation the stolen token works until the SPA lifetime (AADSTS700084); with rotation the reuse revokes the grant (AADSTS50173)', async ({
  page,
}) => {
  const consoleLines = recordConsole(page);
  const hosts = recordHosts(page);
  await page.goto('/attacks');
  await page.getByRole('link', { name: TITLE }).press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: TITLE })).toBeVisible();

  const off = await run(page, 'off');
  await expect(off.getByRole('heading', { name: 'The attack worked' })).toBeFocused();
  await expect(off).toContainText('neither the SPA nor Adele Vance could tell');
  await expect(off).toContainText('AADSTS700084');
  await expect(off.getByText(/^Attacker \(injected script\):$/).first()).toBeVisible();
  await expect(off.getByText(/Raw HTTP: POST .*\/oauth2\/v2\.0\/token → 200/).first()).toBeVisible();
  await expectNoAxeViolations(page, 'refresh-token-theft: defence off');
  await expectSettingsRestored(page);

  const on = await run(page, 'on');
  await expect(on.getByRole('heading', { name: 'The defence stopped it' })).toBeFocused();
  await expect(on).toContainText('AADSTS50173');
  await expect(on).toContainText('revoked the grant');
  await expect(on.getByText(/Raw HTTP: POST .*\/oauth2\/v2\.0\/token → 400/).first()).toBeVisible();
  await on.getByRole('button', { name: 'Reveal Stolen refresh token' }).press('Enter');
  const fact = on.locator('.attack-facts > div').filter({ hasText: 'Stolen refresh token' });
  const stolen = (await fact.locator('code').first().textContent()) ?? '';
  expect(stolen.length).toBeGreaterThan(10);
  await expectNoAxeViolations(page, 'refresh-token-theft: defence on');
  await expectSettingsRestored(page);

  expect([...hosts].sort()).toEqual([APP, SANDBOX].sort());
  await expectNoSecretsLeft(page, [stolen], consoleLines);
});

test.describe('prerendered, without JavaScript', () => {
  test.use({ javaScriptEnabled: false });
  test('/attacks/refresh-token-theft is drawn from its HTML alone', async ({ page }) => {
    await page.goto('/attacks/refresh-token-theft');
    const drawn = page.locator('#root > fieldset.prerendered[inert][disabled]');
    await expect(drawn.getByRole('heading', { level: 1, includeHidden: true })).toContainText(TITLE);
  });
});
