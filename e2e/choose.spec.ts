import { expect, test, type Page } from '@playwright/test';
import { SANDBOX_APPS } from '../server/sandbox/seed.ts';
import {
  buildChooserQuery,
  nextQuestion,
  recommend,
  RECOMMENDATIONS,
  type ChooserAnswers,
  type GrantRecommendation,
  type Recommendation,
} from '../src/flows/chooser.ts';
import { catalogueEntry, FLOWS, flowPath, type FlowId } from '../src/flows/registry.ts';
import { expectNoAxeViolations } from './support/axe.ts';
import { expectNoHorizontalScroll } from './support/layout.ts';
import { expectNoSecretsLeft, recordConsole, tokensOnPage } from './support/secrets-audit.ts';

const APP_KIND = 'What kind of app are you building?';
const USER = 'Does it act for a signed-in user?';
const SECRET = 'Can it keep a secret?';
const BROWSER = 'Can it open a browser on the same device?';
const SPA_CLIENT_ID = SANDBOX_APPS.find((app) => app.displayName === 'Flow Lab SPA')!.clientId;
const WEB_APP = SANDBOX_APPS.find((app) => app.displayName === 'Flow Lab Web App')!;
const WEB_SECRET = WEB_APP.clientSecret!;
const CLIENT_IDS = Object.fromEntries(SANDBOX_APPS.map((app) => [app.displayName, app.clientId]));

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
  return page.getByRole('region', { name: r.kind === 'grant' ? `Use: ${r.grant}` : r.title, exact: true });
}

/** The first answers (in the order asked) that end on each recommendation. */
function firstPathTo(): Map<string, ChooserAnswers> {
  const paths = new Map<string, ChooserAnswers>();
  const visit = (answers: Record<string, string>) => {
    const q = nextQuestion(answers);
    if (q === undefined) {
      const id = recommend(answers)!.id;
      if (!paths.has(id)) paths.set(id, answers);
    } else for (const option of q.options) visit({ ...answers, [q.id]: option.value });
  };
  visit({});
  return paths;
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

    const r = recommend({ app: 'spa' }) as GrantRecommendation;
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
    // Focus lands on the opened page's heading, not on <body>.
    await expect(
      page.getByRole('heading', { level: 1, name: catalogueEntry('authorization-code').title }),
    ).toBeFocused();
    await expect(page.getByLabel('client_id')).toHaveValue(SPA_CLIENT_ID);
    await expect(page.getByRole('checkbox', { name: /Use PKCE/ })).toBeChecked();
    await expect(page.getByLabel('Client secret (kept in memory only)')).toHaveCount(0);
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
        /^(\/flows\/[a-z-]+|https:\/\/www\.rfc-editor\.org\/rfc\/rfc\d+#section-[\d.]+|https:\/\/learn\.microsoft\.com\/entra\/[a-z0-9/-]+|https:\/\/datatracker\.ietf\.org\/doc\/html\/draft-ietf-oauth-[a-z-]+#section-[\d.]+)$/,
      );

    await page.goto('/choose?app=mainframe&user=yes');
    await expect(
      page.getByRole('group', { name: APP_KIND }).getByRole('radio', { checked: true }),
    ).toHaveCount(0);
    await expect(page.getByRole('region', { name: /^Use:/ })).toHaveCount(0);
    // Not silently: the link's answer is named as not recognised, with the values app takes.
    const note = page.getByRole('status').filter({ hasText: 'not all recognised' });
    await expect(note).toContainText('“mainframe” is not an answer to “What kind of app are you building?”');
    await expect(note).toContainText('Valid values: spa, web, native, cli, daemon, api.');
    await expectNoAxeViolations(page, 'chooser: a link with an unknown answer');
    // Answering replaces the link's answers, and the note goes with them.
    await page.getByRole('group', { name: APP_KIND }).getByRole('radio', { name: 'Single-page app' }).check();
    await expect(note).toHaveCount(0);

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

  test('the web app answer opens the code flow as a confidential client: Web App profile, PKCE on, its secret', async ({
    page,
  }) => {
    const consoleLines = recordConsole(page);
    await page.goto('/choose?app=web&user=yes');
    const r = recommend({ app: 'web', user: 'yes' }) as GrantRecommendation;
    const region = result(page, r);
    await expect(region).toContainText('Opens with the sandbox’s Flow Lab Web App registration');
    await expect(region).not.toContainText('Untick PKCE');
    await region.getByRole('button', { name: `Open ${catalogueEntry('authorization-code').title}` }).focus();
    await page.keyboard.press('Enter');
    await expect(page).toHaveURL(/\/flows\/authorization-code$/);
    await expect(
      page.getByRole('heading', { level: 1, name: catalogueEntry('authorization-code').title }),
    ).toBeFocused();
    await expect(page.getByLabel('client_id')).toHaveValue(WEB_APP.clientId);
    await expect(page.getByRole('checkbox', { name: /Use PKCE/ })).toBeChecked();
    // The label follows the Web App profile: its server redeems the code, never "the browser".
    const pkce = page.getByRole('checkbox', {
      name: 'Use PKCE (Web app: its server redeems the code with its secret and the verifier)',
    });
    await expect(pkce).toBeChecked();
    await expect(page.getByText(/SPA registration|the browser redeems/)).toHaveCount(0);
    // Off and on again by keyboard: still the web app, and the announcements say so.
    await pkce.press('Space');
    await expect(page.getByRole('status').filter({ hasText: 'PKCE off:' })).toContainText('web app’s server');
    await pkce.press('Space');
    await expect(page.getByRole('status').filter({ hasText: 'PKCE on:' })).toContainText(
      'with its secret and the code_verifier',
    );
    await expect(page.getByLabel('client_id')).toHaveValue(WEB_APP.clientId);
    const secret = page.getByLabel('Client secret (kept in memory only)');
    await expect(secret).toBeVisible();
    await expect(secret).not.toHaveValue('');
    await expectNoAxeViolations(page, 'code flow opened from the web app answer');

    // The hand-off works end to end: PKCE in the request, then the code redeemed with the verifier and
    // the secret (azpacr 1: the client authenticated with a secret) by the relay, as a server would.
    const authorize = page.waitForRequest((request) => /\/authorize\?/.test(request.url()));
    await page.getByRole('button', { name: 'Sign in at the authorization server' }).click();
    const sent = new URL((await authorize).url()).searchParams;
    expect(sent.get('client_id')).toBe(WEB_APP.clientId);
    expect(sent.get('code_challenge_method')).toBe('S256');
    expect(sent.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await expect(page.getByText('Sandbox tenant').first()).toBeVisible();
    await page.getByLabel('Username').fill('adele@flowlab-sandbox.onmicrosoft.com');
    await page.getByLabel('Password').fill('Sandbox-Adele-1');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Accept' }).click();
    await page.getByRole('button', { name: 'Redeem the code' }).click();
    await expect(page.getByText('Sent through the local relay', { exact: true })).toBeVisible();
    await expect(
      page.getByRole('region', { name: 'Access token' }).getByRole('row', { name: /\bazpacr\b/ }),
    ).toContainText('1');
    await expect(
      page.getByRole('region', { name: 'Access token' }).getByRole('row', { name: /\bazp\b/ }),
    ).toContainText(WEB_APP.clientId);
    const tokens = await tokensOnPage(page);
    expect(tokens.length).toBeGreaterThan(0);

    await page
      .getByRole('navigation', { name: 'Flows' })
      .getByRole('link', { name: 'Settings' })
      .press('Enter');
    await expect(page.getByLabel('Active profile', { exact: true }).locator('option:checked')).toHaveText(
      'Flow Lab Web App',
    );
    await expect(page.getByLabel('Platform')).toHaveValue('web');
    await expectNoSecretsLeft(page, [WEB_SECRET, ...tokens], consoleLines);
  });

  test('no grant fits: why and what to do instead, with no page to open and no registration advice', async ({
    page,
  }) => {
    const stuck = RECOMMENDATIONS['public-no-user'];
    for (const query of ['?app=daemon&secret=no', '?app=native&user=no', '?app=cli&user=no&secret=no']) {
      await page.goto(`/choose${query}`);
      const region = result(page, stuck);
      await expect(region, query).toBeVisible();
      await expect(region.getByRole('button')).toHaveCount(0);
      await expect(region.getByRole('heading', { name: 'Register it' })).toHaveCount(0);
      await expect(region).not.toContainText('Entra platform');
      await expect(region).not.toContainText('Redirect URI');
      await expect(region.locator('a[href^="/flows/"]')).toHaveCount(0);
      await expect(region.getByRole('heading', { name: 'What to do instead' })).toBeVisible();
      await expect(region.locator('.choose-instead > li')).toHaveCount(stuck.instead.length);
      await expect(page.getByRole('region', { name: /^Use:/ })).toHaveCount(0);
      await expect(page.getByRole('status').filter({ hasText: 'Recommendation' })).toHaveCount(0);
    }
    await expectNoAxeViolations(page, 'chooser: no grant fits');
  });

  test('a daemon or an API is never asked, nor shown, whether a browser is at hand', async ({ page }) => {
    for (const query of [
      '?app=daemon&secret=yes&browser=yes',
      '?app=api&user=yes',
      '?app=api&user=no',
      '?app=web&user=no',
      '?app=cli&user=no&secret=yes',
    ]) {
      await page.goto(`/choose${query}`);
      await expect(page.getByRole('region', { name: /^Use:/ }), query).toBeVisible();
      await expect(page.getByRole('group', { name: BROWSER })).toHaveCount(0);
      await expect(page.getByRole('main')).not.toContainText(BROWSER);
    }
    // A deep link's answer to a question that does not apply is dropped from the address, once answered again.
    await page.goto('/choose?app=daemon&browser=yes');
    await page.getByRole('group', { name: SECRET }).getByRole('radio', { name: 'Yes' }).check();
    expect(new URL(page.url()).search).toBe('?app=daemon&secret=yes');
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
        return (
          r.kind === 'grant' &&
          (r.route === id || r.avoid.some((x) => x.route === id) || r.related.some((x) => x.route === id))
        );
      });
      expect(answers, `${id} is reachable from some recommendation`).toBeDefined();
      const r = recommend(answers!)! as GrantRecommendation;
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
        await expect(page.locator('.choose-result')).toBeVisible();
        await expectNoHorizontalScroll(page, `the recommendation for ${query}`);
      }
      await expectNoAxeViolations(page, 'chooser on a phone');
    });
  });
});

for (const viewport of [
  { width: 1280, height: 800 },
  { width: 390, height: 844 },
]) {
  test.describe(`every grant the chooser reaches, at ${viewport.width} px`, () => {
    test.use({ viewport });
    test('Open hands the answer to its page (registration, PKCE, secret) and focus lands on its heading; axe clean', async ({
      page,
    }) => {
      test.setTimeout(180_000);
      for (const [id, answers] of firstPathTo()) {
        const r = recommend(answers)!;
        const query = buildChooserQuery(answers);
        await page.goto(`/choose${query}`);
        const region = result(page, r);
        await expect(region, query).toBeVisible();
        await expectNoHorizontalScroll(page, `the recommendation for ${query}`);
        await expectNoAxeViolations(page, `chooser: ${id} at ${viewport.width} px`);
        if (r.kind === 'none') {
          await expect(region.getByRole('button')).toHaveCount(0);
          continue;
        }
        const title = catalogueEntry(r.route).title;
        await region.getByRole('button', { name: `Open ${title}` }).focus();
        await page.keyboard.press('Enter');
        await expect(page, query).toHaveURL(new RegExp(`${flowPath(r.route)}$`));
        await expect(page.getByRole('heading', { level: 1, name: title }), query).toBeFocused();
        const clientId = CLIENT_IDS[r.handOff.registration];
        if (r.route === 'authorization-code') {
          await expect(page.getByLabel('client_id'), query).toHaveValue(clientId!);
          await expect(page.getByRole('checkbox', { name: /Use PKCE/ })).toBeChecked({
            checked: r.handOff.pkce === true,
          });
          await expect(page.getByLabel('Client secret (kept in memory only)'), query).toHaveCount(
            r.handOff.secret === true ? 1 : 0,
          );
        } else if (r.route === 'device-code' || r.route === 'client-credentials') {
          await expect(page.getByRole('textbox', { name: /^client_id/ }).first(), query).toHaveValue(
            clientId!,
          );
        }
      }
    });
  });
}

/** `text` as a literal inside a regular expression. */
function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
