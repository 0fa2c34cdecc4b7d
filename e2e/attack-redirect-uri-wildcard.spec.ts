import { expect, test } from '@playwright/test';
import { APP, recordHosts, run, SANDBOX } from './support/attack-lab.ts';
import { expectNoAxeViolations } from './support/axe.ts';
import { expectNoSecretsLeft, recordConsole } from './support/secrets-audit.ts';

const TITLE = 'Open redirect: a wildcard redirect URI';

test('wildcard redirect URI: the attacker’s page on the app’s site gets the code; exact matching answers AADSTS50011', async ({
  page,
}) => {
  const consoleLines = recordConsole(page);
  const hosts = recordHosts(page);
  await page.goto('/attacks');
  await page.getByRole('link', { name: TITLE }).press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: TITLE })).toBeVisible();
  await expect(page.getByRole('note', { name: 'Vulnerable mode' })).toContainText('Wildcard redirect URIs');

  const off = await run(page, 'off');
  await expect(off.getByRole('heading', { name: 'The attack worked' })).toBeFocused();
  await expect(off).toContainText('The attacker holds an access token for Adele Vance');
  await expect(off.getByText(/read as http:\/\/localhost:\d+\/\* \(vulnerable\)/)).toBeVisible();
  await expect(off.getByText(/Raw HTTP: POST .*\/oauth2\/v2\.0\/token → 200/)).toBeVisible();
  await off.getByRole('button', { name: 'Reveal Victim’s code' }).press('Enter');
  const fact = off.locator('.attack-facts > div').filter({ hasText: 'Victim’s code' });
  const code = (await fact.locator('code').first().textContent()) ?? '';
  expect(code.length).toBeGreaterThan(10);
  await expectNoAxeViolations(page, 'redirect-uri-wildcard: defence off');
  const afterOff = await page.request.get(`${SANDBOX}/attack-lab/switches`);
  expect(((await afterOff.json()) as { vulnerable: boolean }).vulnerable).toBe(false);

  const on = await run(page, 'on');
  await expect(on.getByRole('heading', { name: 'The defence stopped it' })).toBeFocused();
  await expect(on).toContainText('AADSTS50011');
  // The expected refusal is the defence: its code once, framed as such, no failure's hint, one full stop.
  // What the page says in prose (the raw HTTP under a step is the wire, verbatim, and stays closed).
  const shown = await on.evaluate((node) => {
    const copy = node.cloneNode(true) as HTMLElement;
    for (const raw of copy.querySelectorAll('details')) raw.remove();
    return copy.textContent ?? '';
  });
  expect(shown.split('AADSTS50011').length - 1, shown).toBe(1);
  await expect(on).toContainText('This refusal is the defence at work, not an error to fix');
  await expect(on).not.toContainText('Is the sandbox');
  expect(shown.replace(/https?:\/\/\S+/g, ' ')).not.toMatch(/[.!?][\s)]*[.!?]/);
  await expect(on.getByText(/Raw HTTP: POST .*\/token/)).toHaveCount(0);
  await expect(on.getByText(/Raw HTTP: POST .*\/attack-lab\/sign-in → 400/)).toBeVisible();
  await expectNoAxeViolations(page, 'redirect-uri-wildcard: defence on');

  expect([...hosts].sort()).toEqual([APP, SANDBOX].sort());
  await expectNoSecretsLeft(page, [code], consoleLines);
});
