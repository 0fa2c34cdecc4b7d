import { expect, test, type Locator, type Page } from '@playwright/test';
import { SANDBOX_USERS } from '../server/sandbox/seed.ts';
import { expectNoAxeViolations } from './support/axe.ts';
import { VIEWPORTS, expectNoHorizontalScroll, sizeOf } from './support/layout.ts';

const ADELE = SANDBOX_USERS.find((u) => u.userPrincipalName.startsWith('adele@'))!;

/** A JWT-shaped token long enough to wrap many times (never verified: only its shape matters here). */
function longToken(claims: Record<string, unknown> = {}): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const payload = {
    aud: '00000003-0000-0000-c000-000000000000',
    scp: 'openid profile User.Read',
    exp: Math.floor(Date.now() / 1000) + 3600,
    oid: '3a8f2c61-5d4e-4b79-9f10-6c2e8a7d5b31',
    padding: 'x'.repeat(600),
    ...claims,
  };
  return `${part({ alg: 'RS256', typ: 'JWT' })}.${part(payload)}.${'c2ln'.repeat(40)}`;
}

/** The run history panel's opt-in: tokens survive reloads and the sign-in redirect in this tab. */
async function keepTokensInThisTab(page: Page) {
  await page
    .getByText(/This session’s runs/)
    .first()
    .click();
  await page.getByLabel(/Keep tokens in this tab across reloads/).check();
}

/** The code flow with PKCE as Adele, signed in at the sandbox by keyboard. */
async function codeFlowAsAdele(page: Page) {
  await page.goto('/flows/authorization-code');
  await page.getByRole('button', { name: 'Sign in at the authorization server' }).press('Enter');
  await page.getByLabel('Username').fill(ADELE.userPrincipalName);
  await page.getByLabel('Password').fill(ADELE.password);
  await page.getByLabel('Password').press('Enter');
  await page.getByRole('button', { name: 'Accept' }).press('Enter');
  await expect(page.getByText('the state matches what this tab sent')).toBeVisible();
  await page.getByRole('button', { name: 'Redeem the code' }).press('Enter');
  await expect(page.getByRole('heading', { name: 'Access token' })).toBeVisible();
}

/** Sends the API request and returns the Authorization header the browser really sent (or none). */
async function sendAndCapture(page: Page): Promise<string | undefined> {
  const sent = page.waitForRequest((r) => /\/v1\.0\/(me|users)$/.test(new URL(r.url()).pathname));
  await page.getByRole('button', { name: 'Send the request' }).press('Enter');
  return (await sent).headers()['authorization'];
}

/** The picker's option for an earlier run of this flow title (its label starts with the title). */
async function chooseRun(picker: Locator, title: string) {
  const label = await picker.locator('option:not([disabled])', { hasText: title }).first().innerText();
  await picker.selectOption({ label });
}

/** Width of an element as a share of its step's content box. */
async function shareOfStep(page: Page, stepId: string, control: Locator): Promise<number> {
  const controlWidth = (await control.boundingBox())?.width ?? 0;
  const stepWidth = await page.locator(`#step-${stepId}`).evaluate((section) => {
    const style = getComputedStyle(section);
    return section.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  });
  return controlWidth / stepWidth;
}

test.describe('runs feed each other across reloads', () => {
  // Three flows, two sign-ins and four reloads on a shared 2-core machine.
  test.describe.configure({ timeout: 180_000 });

  test('client credentials, then the code flow, then Call an API with either token, reloading between each, tokens kept: nothing lost', async ({
    page,
  }) => {
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto('/flows/client-credentials');
    await keepTokensInThisTab(page);
    await page.getByRole('button', { name: 'Request the token' }).press('Enter');
    await expect(page.getByText('Sent through the local relay', { exact: true })).toBeVisible();
    await page.reload();
    // The run is still there after the reload, its token with it.
    await expect(page.getByRole('heading', { name: 'Access token' })).toBeVisible();

    await codeFlowAsAdele(page);
    await page.reload();
    await expect(page.getByRole('heading', { name: 'Access token' })).toBeVisible();

    await page.goto('/flows/call-api');
    const picker = page.getByLabel('Use the access token from an earlier run');
    await expect(picker.locator('option', { hasText: 'Client credentials' })).toHaveCount(1);
    await expect(picker.locator('option', { hasText: 'Authorization code' })).toHaveCount(1);
    await expect(page.getByRole('note', { name: 'Tokens not kept' })).toHaveCount(0);

    // The app-only token lists every user.
    await chooseRun(picker, 'Client credentials');
    await page
      .getByLabel('API', { exact: true })
      .selectOption({ label: 'Sandbox API: /v1.0/users (every user, app-only)' });
    const shownAppOnly = await page.getByLabel('Access token to send').inputValue();
    expect(await sendAndCapture(page)).toBe(`Bearer ${shownAppOnly}`);
    await expect(page.getByText(/HTTP 200: the API accepted the token\./)).toContainText('users');

    await page.reload();
    // The answer and the token chosen came back with the run.
    await expect(page.getByText(/HTTP 200: the API accepted the token\./)).toBeVisible();
    await expect(page.getByLabel('Access token to send')).toHaveValue(shownAppOnly);

    // The delegated token reads Adele's profile.
    await chooseRun(page.getByLabel('Use the access token from an earlier run'), 'Authorization code');
    await page
      .getByLabel('API', { exact: true })
      .selectOption({ label: 'Sandbox API: /v1.0/me (the signed-in user)' });
    const shownDelegated = await page.getByLabel('Access token to send').inputValue();
    expect(shownDelegated).not.toBe(shownAppOnly);
    expect(await sendAndCapture(page)).toBe(`Bearer ${shownDelegated}`);
    await expect(page.getByText('HTTP 200: the API accepted the token.')).toContainText('Adele Vance');
    expect(errors).toEqual([]);
  });

  test('tokens not kept: after a reload the picker says which runs’ tokens were dropped and how to keep them', async ({
    page,
  }) => {
    await page.goto('/flows/client-credentials');
    await page.getByRole('button', { name: 'Request the token' }).press('Enter');
    await expect(page.getByText('Sent through the local relay', { exact: true })).toBeVisible();
    await page.goto('/flows/call-api');
    const note = page.getByRole('note', { name: 'Tokens not kept' });
    await expect(note).toContainText('Client credentials at');
    await expect(page.getByLabel('Use the access token from an earlier run').locator('option')).toHaveCount(
      1,
    );
    await note.getByRole('button', { name: 'Keep tokens in this tab from now on' }).click();
    await expect(note).toContainText('dropped before');
    await page.goto('/flows/refresh-token');
    await expect(page.getByRole('note', { name: 'Tokens not kept' })).toContainText('refresh token');
    await expectNoAxeViolations(page, 'refresh token: earlier runs’ tokens not kept');
  });

  test('refresh token: a run without a refresh token is listed with why; the code flow’s is offered', async ({
    page,
  }) => {
    await page.goto('/flows/client-credentials');
    await keepTokensInThisTab(page);
    await page.getByRole('button', { name: 'Request the token' }).press('Enter');
    await expect(page.getByText('Sent through the local relay', { exact: true })).toBeVisible();
    await codeFlowAsAdele(page);
    await page.getByRole('navigation').getByRole('link', { name: 'Refresh token' }).first().click();
    const picker = page.getByLabel('Use the refresh token from an earlier run');
    await expect(picker.locator('option[disabled]', { hasText: 'Client credentials' })).toContainText(
      'no refresh token',
    );
    await chooseRun(picker, 'Authorization code');
    await page.getByRole('button', { name: 'Redeem the refresh token' }).press('Enter');
    await expect(page.getByRole('heading', { name: 'Access token' })).toBeVisible();
    await expect(
      page.getByRole('navigation', { name: 'Steps' }).getByRole('listitem').filter({ hasText: 'Redeem it' }),
    ).toContainText('done');
  });
});

test.describe('Call an API: Start again, then Send', () => {
  test('Start again clears the token chosen before; Send then sends what the page shows, nothing else', async ({
    page,
  }) => {
    await codeFlowAsAdele(page);
    await page
      .getByRole('navigation')
      .getByRole('link', { name: 'Call an API with a token' })
      .first()
      .click();
    const picker = page.getByLabel('Use the access token from an earlier run');
    await chooseRun(picker, 'Authorization code');
    const chosen = await page.getByLabel('Access token to send').inputValue();
    expect(await sendAndCapture(page)).toBe(`Bearer ${chosen}`);
    await expect(page.getByText('HTTP 200: the API accepted the token.')).toBeVisible();
    // The diagram draws this run: the API it called (scp checked, not roles) and the answer it got.
    const diagram = page.getByRole('complementary', { name: 'Sequence diagram' }).getByRole('list');
    await expect(diagram).toContainText('Check aud, exp, scp');
    await expect(diagram).not.toContainText('roles');
    await expect(diagram.getByRole('listitem').filter({ hasText: 'GET /v1.0/me' })).toHaveCount(1);
    await expect(diagram).toContainText('(reply): 200');

    // An input the answer depended on changes: the steps that used it are stale, never "done".
    await page.getByLabel('Access token to send').fill(longToken());
    const steps = page.getByRole('navigation', { name: 'Steps' });
    await expect(steps.getByRole('listitem').filter({ hasText: 'Call the API' })).toContainText('stale');
    await expect(steps.getByRole('listitem').filter({ hasText: 'Call the API' })).not.toContainText('done');

    await page.getByRole('button', { name: 'Start again' }).click();
    await expect(page.getByLabel('Access token to send')).toHaveValue('');
    await expect(picker).toHaveValue('');
    await expect(page.getByText('No answer yet.')).toBeVisible();
    await expect(steps).not.toContainText('stale');
    // Nothing shown, nothing sent.
    expect(await sendAndCapture(page)).toBeUndefined();
    await expect(page.getByRole('alert')).toContainText('No token was sent');

    const pasted = 'pasted-after-start-again';
    await page.getByLabel('Access token to send').fill(pasted);
    expect(await sendAndCapture(page)).toBe(`Bearer ${pasted}`);
    await expect(page.getByRole('alert')).toContainText('The token was rejected');
  });
});

for (const viewport of VIEWPORTS) {
  test.describe(`at ${viewport.width}×${viewport.height}`, () => {
    test.use({ viewport: sizeOf(viewport) });

    test('token text areas on Call an API and on-behalf-of take the step’s width, monospace and wrapping; no sideways scroll', async ({
      page,
    }) => {
      const token = longToken({ aud: 'api://9e4d2a71-3c58-4b0f-8d16-2a7f5e9c3b40' });
      for (const [path, stepId, label] of [
        ['/flows/call-api', 'token', 'Access token to send'],
        ['/flows/on-behalf-of', 'user-token', 'Incoming user token (the assertion)'],
      ] as const) {
        await page.goto(path);
        const area = page.getByLabel(label);
        await area.fill(token);
        expect(await shareOfStep(page, stepId, area)).toBeGreaterThanOrEqual(0.9);
        const style = await area.evaluate((el) => {
          const s = getComputedStyle(el);
          return { font: s.fontFamily, wrap: s.whiteSpace, height: el.getBoundingClientRect().height };
        });
        expect(style.font).toMatch(/mono|Menlo|Consolas/i);
        expect(style.wrap).toBe('pre-wrap');
        expect(style.height).toBeGreaterThan(80);
        await expectNoHorizontalScroll(page);
      }
    });

    test('on-behalf-of: the exchange is reachable without hunting — without Token A it says so and takes focus to step 1; back from the sign-in focus is on Redeem, after it on the exchange', async ({
      page,
    }) => {
      await page.goto('/flows/on-behalf-of');
      const exchange = page.getByRole('button', { name: 'Exchange the token (on-behalf-of)' });
      await expect(exchange).toBeEnabled();
      await expect(page.getByRole('note', { name: 'What the exchange needs' })).toContainText(
        'needs the user’s token',
      );
      await exchange.press('Enter');
      const getToken = page.getByRole('button', { name: 'Get a user token for the API' });
      await expect(getToken).toBeFocused();
      await expect(getToken).toBeInViewport();
      // The sandbox user to sign in as is named where the sign-in starts.
      await page.getByText('Which sandbox user to sign in as').click();
      await expect(page.getByText('alex@flowlab-sandbox.onmicrosoft.com')).toBeVisible();

      await page.getByRole('button', { name: 'Get the user’s token (step 1)' }).press('Enter');
      await expect(getToken).toBeFocused();

      await getToken.press('Enter');
      await page.getByLabel('Username').fill(ADELE.userPrincipalName);
      await page.getByLabel('Password').fill(ADELE.password);
      await page.getByLabel('Password').press('Enter');
      await page.getByRole('button', { name: 'Accept' }).press('Enter');
      await expect(page.getByText('Came back with a code')).toBeVisible();
      // Back from the sign-in, the next action is in view and focused.
      const redeem = page.getByRole('button', { name: 'Redeem the code for the user token' });
      await expect(redeem).toBeFocused();
      await expect(redeem).toBeInViewport();
      await redeem.press('Enter');
      await expect(page.getByText('The token was issued to API A for a user')).toBeVisible();
      await expect(exchange).toBeFocused();
      await expect(exchange).toBeInViewport();
      await expectNoHorizontalScroll(page);
      await expectNoAxeViolations(page, `on-behalf-of after hop 1 at ${viewport.width}`);
    });
  });
}
