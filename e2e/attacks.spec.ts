import { expect, test, type Page } from '@playwright/test';
import { attackPath, builtAttacks } from '../src/flows/attacks/registry.ts';
import {
  APP,
  expectStoredDiagramWithAttacker,
  recordHosts,
  recordRequests,
  run,
  SANDBOX,
} from './support/attack-lab.ts';
import { expectNoAxeViolations } from './support/axe.ts';
import { expectNoHorizontalScroll } from './support/layout.ts';
import { expectNoSecretsLeft, recordConsole } from './support/secrets-audit.ts';

/** Opens an attack from the index with the keyboard. */
async function openAttack(page: Page, title: string) {
  await page.goto('/attacks');
  await expect(page.getByRole('heading', { level: 1, name: 'Attack lab' })).toBeVisible();
  await page.getByRole('link', { name: title }).press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: title })).toBeVisible();
}

async function expectSwitchesOff(page: Page) {
  const response = await page.request.get(`${SANDBOX}/attack-lab/switches`);
  expect(((await response.json()) as { vulnerable: boolean }).vulnerable).toBe(false);
}

test.describe('attack lab', () => {
  test('the index lists each built attack with its defence, axe clean', async ({ page }) => {
    await page.goto('/attacks');
    await expect(page.getByRole('heading', { level: 1, name: 'Attack lab' })).toBeVisible();
    const items = page.getByRole('main').getByRole('listitem');
    await expect(items).toHaveCount(builtAttacks().length);
    for (const attack of builtAttacks()) {
      const item = items.filter({ has: page.getByRole('link', { name: attack.title, exact: true }) });
      await expect(item).toContainText(`Defence: ${attack.defence}.`);
    }
    // Keyboard: Enter on an attack's link opens its page.
    const first = page.getByRole('link', { name: builtAttacks()[0]?.title ?? '', exact: true });
    await first.focus();
    await page.keyboard.press('Enter');
    await expect(page.getByRole('heading', { level: 1, name: builtAttacks()[0]?.title ?? '' })).toBeVisible();
    await page.goBack();
    await expect(page.getByRole('heading', { level: 1, name: 'Attack lab' })).toBeVisible();
    await expectNoAxeViolations(page, 'attacks: index');
  });

  test.describe('prerendered, without JavaScript', () => {
    test.use({ javaScriptEnabled: false });
    for (const [path, heading] of [
      ['/attacks', 'Attack lab'],
      ...builtAttacks().map((attack) => [attackPath(attack.id), attack.title] as const),
    ] as const)
      test(`${path} is drawn from its HTML alone`, async ({ page }) => {
        await page.goto(path);
        const drawn = page.locator('#root > fieldset.prerendered[inert][disabled]');
        await expect(drawn.getByRole('heading', { level: 1, includeHidden: true })).toContainText(heading);
      });
  });

  test('an unknown attack says so and links back to the index', async ({ page }) => {
    await page.goto('/attacks/no-such-attack');
    await expect(page.getByRole('heading', { level: 1, name: 'No such attack' })).toBeVisible();
    await expect(page.getByRole('link', { name: 'See every attack' })).toBeVisible();
  });

  test('login CSRF: without state the victim is signed in as the attacker; with state the callback is refused', async ({
    page,
  }) => {
    const consoleLines = recordConsole(page);
    const hosts = recordHosts(page);
    await openAttack(page, 'Login CSRF without state');
    await expect(page.getByRole('note', { name: 'Vulnerable mode' })).toContainText('does not compare state');

    const off = await run(page, 'off');
    await expect(off.getByRole('heading', { name: 'The attack worked' })).toBeFocused();
    await expect(off).toContainText('signed in to the app as Alex Wilber, the attacker');
    await expect(off.getByText('alex@flowlab-sandbox.onmicrosoft.com', { exact: true })).toBeVisible();
    await expect(off.getByText(/^Attacker \(their own account\):$/).first()).toBeVisible();
    await expect(off.getByText(/Raw HTTP: POST .*\/oauth2\/v2\.0\/token → 200/)).toBeVisible();
    await expectNoAxeViolations(page, 'login-csrf: defence off');
    await expectSwitchesOff(page);

    const on = await run(page, 'on');
    await expect(on.getByRole('heading', { name: 'The defence stopped it' })).toBeFocused();
    await expect(on).toContainText('STATE_MISMATCH');
    await expect(on.getByText(/Raw HTTP: POST .*\/token/)).toHaveCount(0);
    // The redemption and the sign-in never happen: the run stopped at the callback.
    await expect(on.getByText('(not reached: the run ended before this step)')).toHaveCount(2);
    await on.getByRole('button', { name: 'Reveal Attacker’s code' }).press('Enter');
    const code = (await on.locator('.attack-facts code').first().textContent()) ?? '';
    await expectNoAxeViolations(page, 'login-csrf: defence on');

    expect([...hosts].sort()).toEqual([APP, SANDBOX].sort());
    await expectNoSecretsLeft(page, [code], consoleLines);
  });

  test('ID token replay: without nonce the attacker is signed in as the victim; with nonce the token is refused', async ({
    page,
  }) => {
    const consoleLines = recordConsole(page);
    const hosts = recordHosts(page);
    await openAttack(page, 'ID token replay without nonce');

    const off = await run(page, 'off');
    await expect(off.getByRole('heading', { name: 'The attack worked' })).toBeVisible();
    await expect(off).toContainText('signed in to the app as Adele Vance, the victim');
    await expect(off.getByText(/^valid \(key /)).toBeVisible();
    await expectNoAxeViolations(page, 'id-token-replay: defence off');

    // The diagram follows the run; keyboard: choose the other run's diagram.
    const choice = page.getByRole('radio', { name: 'Defence on' });
    await choice.focus();
    await choice.press('Space');
    await expect(choice).toBeChecked();

    const on = await run(page, 'on');
    await expect(on.getByRole('heading', { name: 'The defence stopped it' })).toBeFocused();
    await expect(on).toContainText('NONCE_MISMATCH');
    await on.getByRole('button', { name: 'Reveal The victim’s ID token' }).press('Enter');
    const idToken = (await on.locator('.attack-facts code').first().textContent()) ?? '';
    expect(idToken.split('.')).toHaveLength(3);
    await expectNoAxeViolations(page, 'id-token-replay: defence on');
    await expectSwitchesOff(page);

    expect([...hosts].sort()).toEqual([APP, SANDBOX].sort());
    await expectNoSecretsLeft(page, [idToken], consoleLines);
  });

  test.describe('on a phone (390 px)', () => {
    test.use({ viewport: { width: 390, height: 844 } });
    test('an attack page keeps to the screen; its stored diagram, full size, shows the attacker apart', async ({
      page,
    }, testInfo) => {
      const requested = recordRequests(page);
      await openAttack(page, 'Mix-up between two authorization servers');
      await expectStoredDiagramWithAttacker(page, requested);
      const off = await run(page, 'off');
      await expect(off.getByRole('heading', { name: 'The attack worked' })).toBeFocused();
      await expectNoHorizontalScroll(page, 'the mix-up page at 390 px');
      await page.screenshot({ path: testInfo.outputPath('mix-up-390.png'), fullPage: true });
      await expectNoAxeViolations(page, 'mix-up at 390 px');

      const open = page.getByRole('button', { name: 'Diagram: open it full size' });
      await open.focus();
      await page.keyboard.press('Enter');
      const dialog = page.getByRole('dialog');
      await expect(dialog.locator('svg rect[fill="rgb(253, 226, 226)"]')).toHaveCount(1);
      await page.screenshot({ path: testInfo.outputPath('mix-up-390-diagram.png') });
      await page.keyboard.press('Escape');
      await expect(open).toBeFocused();
      expect(requested.filter((url) => /mermaid|sequenceDiagram-/i.test(url))).toEqual([]);
    });
  });
});
