import { expect, test } from '@playwright/test';
import { APP, recordHosts, run, SANDBOX } from './support/attack-lab.ts';
import { expectNoAxeViolations } from './support/axe.ts';
import { expectNoSecretsLeft, recordConsole } from './support/secrets-audit.ts';

const TITLE = 'A token sent to the wrong API';

test('wrong audience: without the aud check the payroll API accepts a token for API A; with it 401 invalid_token', async ({
  page,
}) => {
  const consoleLines = recordConsole(page);
  const hosts = recordHosts(page);
  await page.goto('/attacks');
  await page.getByRole('link', { name: TITLE }).press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: TITLE })).toBeVisible();
  await expect(page.locator('.attack-on-entra')).toContainText('each API must check aud itself');
  await expect(page.locator('.attack-on-entra')).toContainText('IDX10214');
  await expect(page.getByRole('note', { name: 'Vulnerable mode' })).toContainText(
    'accept tokens issued for another API',
  );

  const off = await run(page, 'off');
  await expect(off.getByRole('heading', { name: 'The attack worked' })).toBeFocused();
  await expect(off).toContainText('API A read Adele Vance’s pay slip');
  // The token names API A as its audience.
  const aud = off.locator('.attack-facts > div').filter({ has: page.locator('dt', { hasText: /^aud$/ }) });
  await expect(aud.locator('dd')).toHaveText(`${SANDBOX}/standard/api`);
  await expect(off.getByText(/Raw HTTP: GET .*\/attack-lab\/payroll-api\/me → 200/)).toBeVisible();
  await off.getByRole('button', { name: 'Reveal Access token' }).press('Enter');
  const fact = off.locator('.attack-facts > div').filter({ hasText: 'Access token' });
  const token = (await fact.locator('code').first().textContent()) ?? '';
  expect(token.split('.')).toHaveLength(3);
  await expectNoAxeViolations(page, 'wrong-audience: defence off');
  const afterOff = await page.request.get(`${SANDBOX}/attack-lab/switches`);
  expect(((await afterOff.json()) as { vulnerable: boolean }).vulnerable).toBe(false);

  const on = await run(page, 'on');
  await expect(on.getByRole('heading', { name: 'The defence stopped it' })).toBeFocused();
  await expect(on).toContainText('invalid_token');
  await expect(on.getByText(/Raw HTTP: GET .*\/attack-lab\/payroll-api\/me → 401/)).toBeVisible();
  await expectNoAxeViolations(page, 'wrong-audience: defence on');

  expect([...hosts].sort()).toEqual([APP, SANDBOX].sort());
  await expectNoSecretsLeft(page, [token], consoleLines);
});
