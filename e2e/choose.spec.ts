import { expect, test, type Page } from '@playwright/test';
import { SANDBOX_APPS } from '../server/sandbox/seed.ts';
import {
  buildChooserQuery,
  nextQuestion,
  recommend,
  type ChooserAnswers,
  type Recommendation,
} from '../src/flows/chooser.ts';
import { catalogueEntry, FLOWS, flowPath, type FlowId } from '../src/flows/registry.ts';
import { expectNoAxeViolations } from './support/axe.ts';
import { expectNoHorizontalScroll } from './support/layout.ts';
import { expectNoSecretsLeft, recordConsole } from './support/secrets-audit.ts';

const APP_KIND = 'What kind of app are you building?';
const USER = 'Does it act for a signed-in user?';
const SECRET = 'Can it keep a secret?';
const BROWSER = 'Can it open a browser on the same device?';
const SPA_CLIENT_ID = SANDBOX_APPS.find((app) => app.displayName === 'Flow Lab SPA')!.clientId;
const WEB_SECRET = SANDBOX_APPS.find((app) => app.displayName === 'Flow Lab Web App')!.clientSecret!;

/** Into the page's main content with keys only: the skip link, then the first control inside it. */
async function enterMainByKeyboard(page: Page) {
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Skip to content' })).toBeFocused();
  await page.keyboard.press('Enter');
  await page.keyboard.press('Tab');
}

/** Presses Tab until `target` has focus (at most `max` times), as a keyboard user moving through a page. */
async function tabUntil(page: Page, target: ReturnType<Page['locator']>, max = 40) {
  for (let i = 0; i < max; i++) {
    if (await target.evaluate((el) => el === document.activeElement)) return;
    await page.keyboard.press('Tab');
  }
  await expect(target).toBeFocused();
}

/**
 * Answers the question whose radio group has focus (none of its radios checked yet) with keys only:
 * Space takes the first choice, each arrow moves to and takes the next. Then Tab leaves the group.
 */
async function answerByKeyboard(page: Page, legend: string, choice: string) {
  const group = page.getByRole('group', { name: legend });
  const radios = group.getByRole('radio');
  await expect(radios.first()).toBeFocused();
  const names = await radios.evaluateAll((els) =>
    els.map((el) =>
      (el.getAttribute('aria-labelledby') ?? '')
        .split(' ')
        .map((id) => document.getElementById(id)?.textContent ?? '')
        .join(' '),
    ),
  );
  const at = names.indexOf(choice);
  expect(at, `${choice} is a choice of “${legend}”: ${names.join(', ')}`).toBeGreaterThanOrEqual(0);
  await page.keyboard.press('Space');
  for (let i = 0; i < at; i++) await page.keyboard.press('ArrowDown');
  await expect(group.getByRole('radio', { name: choice, exact: true })).toBeChecked();
  await page.keyboard.press('Tab');
}

/** The recommendation's region, by its heading. */
function result(page: Page, r: Recommendation) {
  return page.getByRole('region', { name: `Use: ${r.grant}` });
}

test.describe('which flow should I use?', () => {
  test('keyboard only: a single-page app ends on code + PKCE, and Open lands on the code flow with the SPA profile', async ({
    page,
  }) => {
    const consoleLines = recordConsole(page);
    // Another registration active first: the chooser must switch back to the SPA, not keep it.
    await page.goto('/settings');
    await page
      .getByRole('group', { name: 'Sandbox app registrations' })
      .getByRole('button', { name: 'Flow Lab Console' })
      .press('Enter');
    await expect(page.getByLabel('Profile name')).toHaveValue('Flow Lab Console');
    await page.goto('/choose');
    await expect(page.getByRole('heading', { level: 1, name: 'Which flow should I use?' })).toBeVisible();
    await expectNoAxeViolations(page, 'chooser: first question');
    await enterMainByKeyboard(page);
    await answerByKeyboard(page, APP_KIND, 'Single-page app');
    expect(new URL(page.url()).search).toBe('?app=spa');

    const r = recommend({ app: 'spa' })!;
    const region = result(page, r);
    await expect(region).toBeVisible();
    await expect(page.getByRole('group', { name: USER })).toHaveCount(0);
    await expect(page.getByRole('list').filter({ hasText: 'Can it keep a secret? No' })).toContainText(
      'public client',
    );
    await expect(region.getByText('Single-page application', { exact: true })).toBeVisible();
    await expect(region.getByText('https://app.example.com/auth/callback')).toBeVisible();
    await expect(region.getByRole('link', { name: /RFC 9700 §2\.1\.1/ }).first()).toHaveAttribute(
      'href',
      'https://www.rfc-editor.org/rfc/rfc9700#section-2.1.1',
    );
    await expect(region.getByRole('listitem').filter({ hasText: 'Implicit grant:' })).toContainText(
      'RFC 9700 §2.1.2',
    );
    await expect(page.getByRole('status').filter({ hasText: 'Recommendation:' })).toHaveText(
      `Recommendation: ${r.grant}.`,
    );
    await expectNoAxeViolations(page, 'chooser: SPA recommendation');

    const open = region.getByRole('button', { name: `Open ${catalogueEntry('authorization-code').title}` });
    await expect(open).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(page).toHaveURL(/\/flows\/authorization-code$/);
    await expect(page.getByLabel('client_id')).toHaveValue(SPA_CLIENT_ID);
    await expect(
      page.getByRole('heading', { level: 1, name: catalogueEntry('authorization-code').title }),
    ).toBeVisible();
    await page
      .getByRole('navigation', { name: 'Flows' })
      .getByRole('link', { name: 'Settings' })
      .press('Enter');
    await expect(page.getByLabel('Active profile', { exact: true }).locator('option:checked')).toHaveText(
      'Sandbox SPA',
    );
    await expectNoSecretsLeft(page, [WEB_SECRET], consoleLines);
  });

  test('keyboard only: a CLI with a user and no browser ends on device code; changing an answer moves the recommendation and the URL (replaced, not pushed)', async ({
    page,
  }) => {
    await page.goto('/');
    await page.getByRole('main').getByRole('link', { name: 'Which flow should I use?' }).press('Enter');
    await expect(page).toHaveURL(/\/choose$/);
    const historyLength = await page.evaluate(() => history.length);
    // In-app navigation leaves the sequential focus point where the link was: Tab on from there.
    await tabUntil(page, page.getByRole('group', { name: APP_KIND }).getByRole('radio').first());
    await answerByKeyboard(page, APP_KIND, 'CLI, or a device with no browser');
    await answerByKeyboard(page, USER, 'Yes, for a user');
    await expect(page.getByRole('group', { name: SECRET })).toHaveCount(0);
    await answerByKeyboard(page, BROWSER, 'No');
    expect(new URL(page.url()).search).toBe('?app=cli&user=yes&browser=no');
    expect(await page.evaluate(() => history.length)).toBe(historyLength);

    const device = recommend({ app: 'cli', user: 'yes', browser: 'no' })!;
    const region = result(page, device);
    await expect(region).toBeVisible();
    await expect(region).toContainText('Allow public client flows');
    await expect(region).toContainText('None: this grant sends no one');
    await expect(
      region.getByRole('button', { name: `Open ${catalogueEntry('device-code').title}` }),
    ).toBeFocused();
    await expectNoAxeViolations(page, 'chooser: device code recommendation');

    // Back to the browser question with Shift+Tab, and Up to "Yes": the recommendation follows.
    await page.keyboard.press('Shift+Tab');
    await expect(page.getByRole('group', { name: BROWSER }).getByRole('radio', { name: 'No' })).toBeFocused();
    await page.keyboard.press('ArrowUp');
    expect(new URL(page.url()).search).toBe('?app=cli&user=yes&browser=yes');
    const loopback = result(page, recommend({ app: 'cli', user: 'yes', browser: 'yes' })!);
    await expect(loopback).toBeVisible();
    await expect(loopback.getByText('http://localhost', { exact: true })).toBeVisible();
    await expect(loopback.getByText('Mobile and desktop applications', { exact: true })).toBeVisible();
    await expect(page.getByRole('status').filter({ hasText: 'Recommendation:' })).toContainText(
      'system browser',
    );

    // A daemon: the user question is decided; the secret one is asked, and No ends on "no grant fits".
    await page
      .getByRole('group', { name: APP_KIND })
      .getByRole('radio', { name: 'Daemon or background service' })
      .focus();
    await page.keyboard.press('Space');
    await expect(page.getByRole('group', { name: USER })).toHaveCount(0);
    await page.keyboard.press('Tab');
    await answerByKeyboard(page, SECRET, 'No');
    const stuck = recommend({ app: 'daemon', secret: 'no' })!;
    await expect(result(page, stuck)).toContainText('RFC 6749 §4.4');
    await page.getByRole('button', { name: 'Start over' }).press('Enter');
    expect(new URL(page.url()).search).toBe('');
    await expect(
      page.getByRole('group', { name: APP_KIND }).getByRole('radio', { checked: true }),
    ).toHaveCount(0);
    await expect(page.getByRole('group', { name: APP_KIND }).getByRole('radio').first()).toBeFocused();
  });

  test('a deep link lands on its answer; unknown values are asked; a recommendation links only to the lab’s pages and the sources it cites', async ({
    page,
  }) => {
    await page.goto('/choose?app=api&user=yes');
    const obo = result(page, recommend({ app: 'api', user: 'yes' })!);
    await expect(obo).toBeVisible();
    await expect(
      page.getByRole('group', { name: APP_KIND }).getByRole('radio', { name: 'API that calls another API' }),
    ).toBeChecked();
    await expect(
      page.getByRole('group', { name: USER }).getByRole('radio', { name: 'Yes, for a user' }),
    ).toBeChecked();
    await expectNoAxeViolations(page, 'chooser: on-behalf-of from a deep link');
    const hrefs = await obo
      .getByRole('link')
      .evaluateAll((links) => links.map((a) => a.getAttribute('href') ?? ''));
    expect(hrefs.length).toBeGreaterThan(3);
    for (const href of hrefs)
      expect(href).toMatch(
        /^(\/flows\/[a-z-]+|https:\/\/www\.rfc-editor\.org\/rfc\/rfc\d+#section-[\d.]+|https:\/\/learn\.microsoft\.com\/entra\/identity-platform\/[a-z0-9-]+)$/,
      );

    await page.goto('/choose?app=mainframe&user=yes');
    await expect(
      page.getByRole('group', { name: APP_KIND }).getByRole('radio', { checked: true }),
    ).toHaveCount(0);
    await expect(page.getByRole('region', { name: /^Use:/ })).toHaveCount(0);

    await page.goto('/choose?app=cli&user=perhaps');
    await expect(page.getByRole('group', { name: USER }).getByRole('radio', { checked: true })).toHaveCount(
      0,
    );
    await expect(page.getByRole('region', { name: /^Use:/ })).toHaveCount(0);
  });

  test('with Entra ID as the authority, Open only opens the page: the authority and profiles stay as they were', async ({
    page,
  }) => {
    await page.goto('/settings');
    await page.getByRole('radio', { name: 'Microsoft Entra ID (your tenant)' }).check();
    const profiles = await page
      .getByLabel('Active profile', { exact: true })
      .locator('option')
      .allInnerTexts();
    await page.goto('/choose?app=spa');
    const region = result(page, recommend({ app: 'spa' })!);
    await expect(region).toContainText('Opens the page with your current authority and active profile');
    await region
      .getByRole('button', { name: `Open ${catalogueEntry('authorization-code').title}` })
      .press('Enter');
    await expect(page).toHaveURL(/\/flows\/authorization-code$/);
    await expect(page.locator('.authority-badge')).toHaveText('Entra ID');
    await page
      .getByRole('navigation', { name: 'Flows' })
      .getByRole('link', { name: 'Settings' })
      .press('Enter');
    await expect(page.getByLabel('Active profile', { exact: true }).locator('option')).toHaveText(profiles);
  });

  test('every page of the lab is reached from the chooser', async ({ page }) => {
    test.setTimeout(120_000);
    // For each flow, the first recommendation (answers tried in order) that opens or links to it.
    const paths: ChooserAnswers[] = [];
    const visit = (answers: Record<string, string>) => {
      const q = nextQuestion(answers);
      if (q === undefined) paths.push(answers);
      else for (const option of q.options) visit({ ...answers, [q.id]: option.value });
    };
    visit({});
    for (const flow of FLOWS) {
      const id: FlowId = flow.id;
      const answers = paths.find((a) => {
        const r = recommend(a)!;
        return r.route === id || r.avoid.some((x) => x.route === id) || r.related.some((x) => x.route === id);
      });
      expect(answers, `${id} is reachable from some recommendation`).toBeDefined();
      const r = recommend(answers!)!;
      await page.goto(`/choose${buildChooserQuery(answers!)}`);
      const region = result(page, r);
      await expect(region).toBeVisible();
      if (r.route === id) await region.getByRole('button', { name: `Open ${flow.title}` }).click();
      else
        await region
          .getByRole('link', { name: new RegExp(`^(See it on its page: )?${escapeRegExp(flow.title)}$`) })
          .first()
          .click();
      await expect(page, `${id} via ${buildChooserQuery(answers!)}`).toHaveURL(
        new RegExp(`${flowPath(id)}$`),
      );
      await expect(page.getByRole('heading', { level: 1, name: flow.title })).toBeVisible();
    }
  });

  test.describe('prerendered', () => {
    test.use({ javaScriptEnabled: false });
    test('/choose is drawn from its HTML alone with the first question, before any script runs', async ({
      page,
    }) => {
      await page.goto('/choose');
      const drawn = page.locator('#root > fieldset.prerendered[inert][disabled]');
      await expect(drawn.getByRole('heading', { level: 1, includeHidden: true })).toHaveText(
        'Which flow should I use?',
      );
      await expect(drawn.locator('legend').first()).toHaveText(APP_KIND);
      await expect(drawn.locator('input[type="radio"]')).toHaveCount(6);
    });
  });

  test.describe('on a phone (390×844)', () => {
    test.use({ viewport: { width: 390, height: 844 } });
    test('questions and every recommendation fit without sideways scrolling', async ({ page }) => {
      await page.goto('/choose');
      await expectNoHorizontalScroll(page, 'the first question');
      for (const query of [
        '?app=spa',
        '?app=web&user=yes',
        '?app=native&user=yes',
        '?app=cli&user=yes&browser=no',
        '?app=daemon&secret=yes',
        '?app=daemon&secret=no',
        '?app=api&user=yes',
      ]) {
        await page.goto(`/choose${query}`);
        await expect(page.getByRole('region', { name: /^Use:/ })).toBeVisible();
        await expectNoHorizontalScroll(page, `the recommendation for ${query}`);
      }
      await expectNoAxeViolations(page, 'chooser on a phone');
    });
  });
});

/** `text` as a literal inside a regular expression. */
function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
