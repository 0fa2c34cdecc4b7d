import { expect, test } from '@playwright/test';
import { APP, recordHosts, run, SANDBOX } from './support/attack-lab.ts';
import { expectNoAxeViolations } from './support/axe.ts';
import { expectNoSecretsLeft, recordConsole } from './support/secrets-audit.ts';

const TITLE = 'Authorization code interception without PKCE';

test('code interception: without PKCE the other app redeems the code; with PKCE it gets invalid_grant (AADSTS501481)', async ({
  page,
}) => {
  const consoleLines = recordConsole(page);
  const hosts = recordHosts(page);
  await page.goto('/attacks');
  await page.getByRole('link', { name: TITLE }).press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: TITLE })).toBeVisible();
  await expect(page.getByRole('note', { name: 'Vulnerable mode' })).toContainText('no code_challenge');

  const off = await run(page, 'off');
  await expect(off.getByRole('heading', { name: 'The attack worked' })).toBeFocused();
  await expect(off).toContainText('holds Adele Vance’s access token and refresh token');
  await expect(off.getByText('adele@flowlab-sandbox.onmicrosoft.com', { exact: true })).toBeVisible();
  await expect(off.getByText(/Raw HTTP: POST .*\/oauth2\/v2\.0\/token → 200/)).toBeVisible();
  await expectNoAxeViolations(page, 'code-interception: defence off');

  const on = await run(page, 'on');
  await expect(on.getByRole('heading', { name: 'The defence stopped it' })).toBeFocused();
  await expect(on).toContainText('AADSTS501481');
  // The code once, the citation once: not "AADSTS501481: AADSTS501481", not "(RFC 8252 §7.3) (RFC 8252 §7.3)".
  const outcome = (await on.locator('.attack-outcome').textContent()) ?? '';
  expect(outcome.split('AADSTS501481').length - 1, outcome).toBe(1);
  for (const why of await on.locator('.attack-step p').filter({ hasText: /^Why:/ }).allTextContents())
    expect(why.match(/RFC \d+ §[\d.]+/g)?.length ?? 0, why).toBeLessThanOrEqual(1);
  await expect(on.getByText(/Raw HTTP: POST .*\/oauth2\/v2\.0\/token → 400/)).toBeVisible();
  await on.getByRole('button', { name: 'Reveal Captured code' }).press('Enter');
  const fact = on.locator('.attack-facts > div').filter({ hasText: 'Captured code' });
  const code = (await fact.locator('code').first().textContent()) ?? '';
  expect(code.length).toBeGreaterThan(10);
  await expectNoAxeViolations(page, 'code-interception: defence on');

  const switches = await page.request.get(`${SANDBOX}/attack-lab/switches`);
  expect(((await switches.json()) as { vulnerable: boolean }).vulnerable).toBe(false);
  expect([...hosts].sort()).toEqual([APP, SANDBOX].sort());
  await expectNoSecretsLeft(page, [code], consoleLines);
});
