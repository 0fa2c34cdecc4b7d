import { readFileSync } from 'node:fs';
import { expect, test, type Page, type Request } from '@playwright/test';
import { expectNoAxeViolations } from './support/axe.ts';
import { expectNoHorizontalScroll, sizeOf, VIEWPORTS } from './support/layout.ts';
import { expectNoSecretsLeft, recordConsole } from './support/secrets-audit.ts';

const DIR = 'test-fixtures/manifests';
interface Case {
  readonly file: string;
  readonly flow: string;
  readonly tenant: string;
  readonly scopes: string;
  readonly redirectUri?: string;
  readonly problems: readonly string[];
  readonly warnings: readonly string[];
}
const EXPECTATIONS = JSON.parse(readFileSync(`${DIR}/expectations.json`, 'utf8')) as {
  readonly now: string;
  readonly cases: readonly Case[];
};
const manifest = (file: string) => readFileSync(`${DIR}/${file}`, 'utf8');

/** The labels of the page's choices, as the checker's flow and tenant ids map to them. */
const FLOW_LABELS: Readonly<Record<string, string>> = {
  'spa-code': 'Authorization code + PKCE, single-page app',
  'web-code': 'Authorization code, web app with a back end',
  'desktop-code': 'Authorization code + PKCE, desktop or mobile app',
  'client-credentials-secret': 'Client credentials with a secret',
  'client-credentials-certificate': 'Client credentials with a certificate',
  'device-code': 'Device code',
  password: 'Resource owner password (ROPC)',
  implicit: 'Implicit (id_token token)',
  hybrid: 'Hybrid (code id_token)',
  'on-behalf-of': 'On-behalf-of (an API calling another API)',
  'refresh-token': 'Refresh token',
};
const TENANT_LABELS: Readonly<Record<string, string>> = {
  tenant: 'Your tenant (its id or domain)',
  common: 'common',
  organizations: 'organizations',
  consumers: 'consumers',
};

/**
 * Every request the page makes from now on, except the app's own background poll of the sandbox
 * directory (a GET of a fixed URL, sent every few seconds and on focus, whatever the page): a check
 * must add none.
 */
function recordRequests(page: Page): Request[] {
  const seen: Request[] = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    const poll = request.method() === 'GET' && url.pathname === '/app-directory/v1.json' && url.search === '';
    if (!poll || request.postData() !== null) seen.push(request);
  });
  return seen;
}

async function open(page: Page): Promise<void> {
  // The corpus's credential dates are read against the expectations' time.
  await page.clock.setFixedTime(new Date(EXPECTATIONS.now));
  await page.goto('/registration-check');
  await expect(page.getByRole('heading', { level: 1, name: 'Registration checker' })).toBeVisible();
  // The page's own code is loaded before a check is made.
  await page.waitForLoadState('networkidle');
}

async function fillCase(page: Page, c: Case): Promise<void> {
  await page.getByLabel('App registration JSON').fill(manifest(c.file));
  await page.getByLabel('Flow you will run').selectOption({ label: FLOW_LABELS[c.flow] ?? c.flow });
  await page
    .getByLabel('Tenant in the authority URL')
    .selectOption({ label: TENANT_LABELS[c.tenant] ?? c.tenant });
  await page.getByLabel('Scopes you ask for').fill(c.scopes);
  await page.getByLabel('Redirect URI the app sends (optional)').fill(c.redirectUri ?? '');
}

async function expectFindings(page: Page, c: Case): Promise<void> {
  const results = page.getByRole('region', { name: /^Checklist:/ });
  await expect(results.getByRole('heading', { level: 2 })).toHaveText(
    `Checklist: ${FLOW_LABELS[c.flow] ?? ''}`,
  );
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  await expect(results.getByRole('status')).toContainText(
    `${plural(c.problems.length, 'problem')}, ${plural(c.warnings.length, 'warning')}`,
  );
  const problems = results.getByRole('region', { name: 'Problems' }).locator('[data-finding]');
  const warnings = results.getByRole('region', { name: 'Warnings' }).locator('[data-finding]');
  const idsOf = (list: typeof problems) => async () =>
    (await list.evaluateAll((els) => els.map((e) => e.getAttribute('data-finding')))).sort();
  await expect.poll(idsOf(problems)).toEqual([...c.problems].sort());
  await expect.poll(idsOf(warnings)).toEqual([...c.warnings].sort());
}

test.describe('registration checker', () => {
  test('every case of the corpus (both Entra formats and RFC 7591 metadata) gives its expected findings, and no request leaves the page', async ({
    page,
  }) => {
    test.setTimeout(240_000);
    await open(page);
    const requests = recordRequests(page);
    expect(new Set(EXPECTATIONS.cases.map((c) => c.file)).size).toBeGreaterThanOrEqual(24);
    for (const c of EXPECTATIONS.cases) {
      await test.step(`${c.file} · ${c.flow} · ${c.tenant} · ${c.scopes}`, async () => {
        await fillCase(page, c);
        await page.getByRole('button', { name: 'Check the registration' }).click();
        await expectFindings(page, c);
      });
    }
    expect(requests.map((r) => r.url())).toEqual([]);
  });

  test('keyboard only: the SPA manifest with Web redirect URIs gets AADSTS9002326 explained and the fix; axe clean', async ({
    page,
  }) => {
    await open(page);
    const requests = recordRequests(page);
    const box = page.getByLabel('App registration JSON');
    await box.focus();
    await page.keyboard.insertText(manifest('graph-spa-on-web.json'));
    // Tab through the file picker, to the flow (single-page app already chosen) and the tenant.
    await page.keyboard.press('Tab');
    await expect(page.getByLabel('Or load the manifest file')).toBeFocused();
    await page.keyboard.press('Tab');
    await expect(page.getByLabel('Flow you will run')).toBeFocused();
    await expect(page.getByLabel('Flow you will run')).toHaveValue('spa-code');
    await page.keyboard.press('Tab');
    await expect(page.getByLabel('Tenant in the authority URL')).toBeFocused();
    await page.keyboard.press('Tab');
    await expect(page.getByLabel('Scopes you ask for')).toHaveValue('openid profile User.Read');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await expect(page.getByRole('button', { name: 'Check the registration' })).toBeFocused();
    await page.keyboard.press('Enter');

    const heading = page.getByRole('heading', { level: 2, name: /^Checklist:/ });
    await expect(heading).toBeFocused();
    const problem = page.getByRole('region', { name: 'Problems' }).getByRole('listitem');
    await expect(problem).toHaveCount(1);
    await expect(problem).toContainText('Redirect URI on the wrong platform');
    await expect(problem).toContainText('AADSTS9002326');
    await expect(problem).toContainText('Browser redemption refused');
    await expect(problem).toContainText(
      'Move (or add) the redirect URI to the Single-page application platform',
    );
    await expect(problem).toContainText('spa.redirectUris');
    await expect(page.getByRole('region', { name: 'Passed' }).getByRole('listitem').first()).toBeVisible();
    expect(requests).toEqual([]);
    await expectNoAxeViolations(page, 'registration checker with findings');
  });

  test('a file loaded from disk is read in the page; the Azure AD Graph implicit switches are named', async ({
    page,
  }) => {
    await open(page);
    const requests = recordRequests(page);
    await page.getByLabel('Or load the manifest file').setInputFiles(`${DIR}/aad-implicit-off.json`);
    await expect(page.getByText('Loaded aad-implicit-off.json')).toBeVisible();
    await page.getByLabel('Flow you will run').selectOption({ label: FLOW_LABELS['implicit'] ?? '' });
    await page.getByRole('button', { name: 'Check the registration' }).click();
    const problems = page.getByRole('region', { name: 'Problems' });
    await expect(problems).toContainText('AADSTS700054');
    await expect(problems).toContainText('oauth2AllowIdTokenImplicitFlow');
    await expect(problems).toContainText('AADSTS700051');
    await expect(problems).toContainText('oauth2AllowImplicitFlow');
    await expect(
      page.getByText('Read as an Entra manifest (Azure AD Graph format): Legacy implicit off'),
    ).toBeVisible();
    expect(requests).toEqual([]);
  });

  test('unreadable input is explained, never a crash; a pasted client secret stays out of storage, URL and console', async ({
    page,
  }) => {
    const consoleLines = recordConsole(page);
    await open(page);
    const check = page.getByRole('button', { name: 'Check the registration' });
    const box = page.getByLabel('App registration JSON');

    await box.fill(readFileSync(`${DIR}/unreadable/truncated.txt`, 'utf8'));
    await check.click();
    await expect(page.getByRole('alert')).toContainText('This is not valid JSON');
    await box.fill(manifest('unreadable/package-json.json'));
    await check.click();
    await expect(page.getByRole('alert')).toContainText('neither an Entra app manifest nor client metadata');
    await box.fill(manifest('unreadable/wrong-shape.json'));
    await check.click();
    await expect(page.getByRole('alert')).toContainText('spa.redirectUris should be a list of strings');
    await expectNoAxeViolations(page, 'registration checker with an unreadable manifest');

    const secret = 'rc-e2e-secret-7d1f0a9c44b2';
    await box.fill(
      JSON.stringify({
        client_id: 'worker',
        client_secret: secret,
        grant_types: ['client_credentials'],
        token_endpoint_auth_method: 'client_secret_basic',
      }),
    );
    await page
      .getByLabel('Flow you will run')
      .selectOption({ label: FLOW_LABELS['client-credentials-secret'] ?? '' });
    await check.click();
    await expect(page.getByRole('status').filter({ hasText: 'passed' })).toContainText('0 problems');
    await expect(page.getByRole('note')).toContainText('The tenant choice does not apply');
    await expectNoSecretsLeft(page, [secret], consoleLines);
  });

  for (const viewport of VIEWPORTS.filter((v) => v.name !== '1366×900')) {
    test(`the checklist fits a ${viewport.name} screen`, async ({ page }) => {
      await page.setViewportSize(sizeOf(viewport));
      await open(page);
      const c = EXPECTATIONS.cases.find((x) => x.file === 'graph-spa-wildcard.json');
      if (c === undefined) throw new Error('no case');
      await fillCase(page, c);
      await page.getByRole('button', { name: 'Check the registration' }).click();
      await expectFindings(page, c);
      await expectNoHorizontalScroll(page, `the registration checker at ${viewport.name}`);
    });
  }
});

/** The header's links as a person meets them: the navigation landmark's links, in order. */
async function navLinkNames(page: Page): Promise<string[]> {
  const links = page.getByRole('navigation', { name: 'Flows' }).locator('a');
  // The app's own page, not the prerendered one it replaces (hidden from the accessibility tree).
  await expect(links.last()).toBeAttached();
  return links.evaluateAll((all) => all.map((a) => (a.textContent ?? '').trim()));
}

test.describe('the header', () => {
  for (const size of [
    { width: 1280, height: 720 },
    { width: 1920, height: 1080 },
  ]) {
    test(`at ${size.width} px every link shows, the registration checker among them, no menu button; axe clean`, async ({
      page,
    }) => {
      await page.setViewportSize(size);
      await page.goto('/');
      const nav = page.getByRole('navigation', { name: 'Flows' });
      await expect(nav.getByRole('button', { name: 'Menu' })).toBeHidden();
      const names = await navLinkNames(page);
      expect(names).toContain('Registration checker');
      expect(names.indexOf('Registration checker')).toBe(names.indexOf('Attack lab') + 1);
      for (const name of names) await expect(nav.getByRole('link', { name, exact: true })).toBeVisible();
      await expectNoHorizontalScroll(page, `the header at ${size.width} px`);
      await expectNoAxeViolations(page, `the header at ${size.width} px`);
      await nav.getByRole('link', { name: 'Registration checker' }).click();
      await expect(page.getByRole('heading', { level: 1, name: 'Registration checker' })).toBeVisible();
      await expect(nav.getByRole('link', { name: 'Registration checker' })).toHaveAttribute(
        'aria-current',
        'page',
      );
    });
  }

  test.describe('on a phone (390×844)', () => {
    test.use({ viewport: { width: 390, height: 844 } });

    test('the links fold behind one Menu button, so each page’s heading is on the first screen', async ({
      page,
    }) => {
      for (const path of ['/', '/registration-check', '/choose', '/attacks', '/flows/authorization-code']) {
        await page.goto(path);
        const heading = page.getByRole('heading', { level: 1 });
        await expect(heading).toBeVisible();
        const box = await heading.boundingBox();
        expect(box, path).not.toBeNull();
        // The whole heading, not just its top, above the fold.
        expect(
          (box?.y ?? 0) + (box?.height ?? 0),
          `${path}: the heading ends below the first screen`,
        ).toBeLessThanOrEqual(844);
        const menu = page.getByRole('button', { name: 'Menu' });
        await expect(menu).toBeVisible();
        await expect(menu).toHaveAttribute('aria-expanded', 'false');
        await expect(page.getByRole('navigation', { name: 'Flows' }).getByRole('link').first()).toBeHidden();
        await expectNoHorizontalScroll(page, `${path} at 390 px`);
      }
    });

    test('keyboard only: Enter opens the menu, Tab reaches every link, Escape closes it and returns focus; axe clean open and closed', async ({
      page,
    }) => {
      await page.goto('/');
      const names = await navLinkNames(page);
      expect(names.length).toBeGreaterThanOrEqual(17);
      expect(names).toContain('Registration checker');
      const menu = page.getByRole('button', { name: 'Menu' });
      await expectNoAxeViolations(page, 'the phone header, menu closed');

      // Skip link, brand, then the menu button.
      await page.keyboard.press('Tab');
      await page.keyboard.press('Tab');
      await page.keyboard.press('Tab');
      await expect(menu).toBeFocused();
      await page.keyboard.press('Enter');
      await expect(menu).toHaveAttribute('aria-expanded', 'true');
      const list = page.locator(`#${await menu.getAttribute('aria-controls')}`);
      await expect(list).toBeVisible();
      await expectNoAxeViolations(page, 'the phone header, menu open');

      // Every link of the menu, in order, each in view when it has focus.
      const reached: string[] = [];
      for (let i = 0; i < names.length; i++) {
        await page.keyboard.press('Tab');
        const focused = page.locator(':focus');
        await expect(focused).toBeInViewport();
        reached.push(((await focused.textContent()) ?? '').trim());
      }
      expect(reached).toEqual(names);

      await page.keyboard.press('Escape');
      await expect(menu).toHaveAttribute('aria-expanded', 'false');
      await expect(menu).toBeFocused();
      await expect(list).toBeHidden();

      // Space opens it too; a link followed closes it and its page's heading shows.
      await page.keyboard.press('Space');
      await expect(list).toBeVisible();
      await list.getByRole('link', { name: 'Registration checker' }).focus();
      await page.keyboard.press('Enter');
      await expect(page).toHaveURL(/\/registration-check$/);
      await expect(menu).toHaveAttribute('aria-expanded', 'false');
      await expect(page.getByRole('heading', { level: 1, name: 'Registration checker' })).toBeInViewport();
      await expectNoAxeViolations(page, 'the registration checker at 390 px');
    });

    test('the focused menu button shows its focus ring, and a press outside the open menu closes it', async ({
      page,
    }) => {
      await page.goto('/');
      const menu = page.getByRole('button', { name: 'Menu' });
      await menu.focus();
      await page.keyboard.press('Enter');
      const outline = await menu.evaluate((el) => getComputedStyle(el).outlineStyle);
      expect(outline).not.toBe('none');
      await expect(menu).toHaveAttribute('aria-expanded', 'true');
      // The authority line under the brand: outside the navigation, and not a control.
      await page.locator('.authority-badge').click({ position: { x: 3, y: 3 } });
      await expect(menu).toHaveAttribute('aria-expanded', 'false');
    });
  });
});
