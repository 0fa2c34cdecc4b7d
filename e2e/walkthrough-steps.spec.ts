import { expect, test, type APIRequestContext, type Locator, type Page } from '@playwright/test';
import { E2E_SANDBOX_PORT } from '../playwright.config.ts';
import { SANDBOX_APPS } from '../server/sandbox/seed.ts';
import { expectNoAxeViolations } from './support/axe.ts';
import { VIEWPORTS, expectNoHorizontalScroll, sizeOf, stepBadge } from './support/layout.ts';

/**
 * Client credentials, device code and password as a learner walks through them: steps go stale when an
 * input changes, the diagram draws the run's own variant and requests, runs survive a reload, and after
 * each step the next action is focused and in view — at a laptop, a projector and a phone size.
 */

const SANDBOX = `http://localhost:${E2E_SANDBOX_PORT}`;
const WEB_APP = SANDBOX_APPS.find((app) => app.displayName === 'Flow Lab Web App')!;
const CONSOLE_APP = SANDBOX_APPS.find((app) => app.displayName === 'Flow Lab Console')!;
const CERTIFICATES = `${SANDBOX}/portal/apps/${WEB_APP.clientId}/certificates`;
const ADELE = { username: 'adele@flowlab-sandbox.onmicrosoft.com', password: 'Sandbox-Adele-1' };

/** The sequence diagram's text alternative: one item per drawn message, in order. */
function diagramItems(page: Page): Locator {
  return page.locator('.sequence-diagram ol li');
}

async function expectFocusedInView(page: Page, name: string | RegExp): Promise<void> {
  const focused = page.locator(':focus');
  await expect(focused).toHaveAccessibleName(name);
  await expect(focused).toBeInViewport();
}

async function chooseCertificate(page: Page): Promise<void> {
  const radio = page.getByRole('radio', { name: /Certificate/ });
  await radio.check();
  await expect(radio).toBeChecked();
}

async function removeCertificates(request: APIRequestContext, thumbprints: readonly string[]) {
  for (const thumbprint of thumbprints)
    await request.delete(`${CERTIFICATES}/${encodeURIComponent(thumbprint)}`);
}

/** Records Adele's consent to the console on the portal: the password grant cannot ask for it. */
async function grantConsent(request: APIRequestContext, baseURL: string | undefined) {
  const origin = new URL(baseURL ?? 'http://localhost:47173').origin;
  const answer = await request.post(`${SANDBOX}/portal/apps/${CONSOLE_APP.clientId}/consents`, {
    headers: { origin },
    data: { user: ADELE.username },
  });
  expect(answer.status()).toBe(200);
}

for (const size of VIEWPORTS) {
  test.describe(`at ${size.width}×${size.height}`, () => {
    test.use({ viewport: sizeOf(size) });

    test('client credentials: a secret run, then the certificate — steps 4 and 5 go stale, the secret’s answer is not shown as current; Start again clears it all', async ({
      page,
    }) => {
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto('/flows/client-credentials');
      const items = diagramItems(page);
      // Planned for a secret: no certificate upload, no assertion.
      await expect(items.filter({ hasText: 'client_secret' })).toHaveCount(1);
      await expect(items.filter({ hasText: /Upload the certificate|assertion/ })).toHaveCount(0);

      await page.getByRole('button', { name: 'Request the token' }).click();
      await expect(page.getByRole('region', { name: 'Access token' })).toBeVisible();
      await expectFocusedInView(page, /Read the token/);
      await expect(stepBadge(page, 'Choose the credential')).toHaveText('done');
      await expect(stepBadge(page, 'Request the token')).toHaveText('done');
      await expect(stepBadge(page, 'Read the token')).toHaveText('done');
      // Drawn as it happened: the token request through the relay, with its status.
      await expect(items.filter({ hasText: /POST …\/token/ })).toHaveCount(2);
      await expect(items.filter({ hasText: 'Local relay' }).first()).toBeAttached();
      await expect(items.filter({ hasText: /: 200$/ }).first()).toBeAttached();
      await expect(items.filter({ hasText: /Upload the certificate|assertion/ })).toHaveCount(0);
      await expectNoHorizontalScroll(page);

      await chooseCertificate(page);
      await expect(stepBadge(page, 'Request the token')).toHaveText('stale');
      await expect(stepBadge(page, 'Read the token')).toHaveText('stale');
      await expect(page.locator('#step-request h2')).toContainText('stale');
      await expect(page.locator('#step-token h2')).toContainText('stale');
      // The secret's answer is kept for reference only, folded under a "stale" mark.
      await expect(page.getByRole('region', { name: 'Access token' })).toBeHidden();
      const earlier = page.locator('#step-request details.stale-result');
      await expect(earlier.locator('> summary')).toContainText('Stale');
      await expect(earlier).not.toHaveAttribute('open', /.*/);
      await expect(page.locator('#step-token details.stale-result > summary')).toContainText('Stale');
      // What step 4 would send now is the certificate's request.
      const now = page.locator('#step-request .token-request');
      await expect(now).toContainText('client_assertion_type');
      await expect(now).not.toContainText('client_secret=');
      // The diagram now plans the certificate's messages.
      await expect(items.filter({ hasText: 'Upload the certificate' })).toHaveCount(1);
      await expect(items.filter({ hasText: 'Sign assertion' })).toHaveCount(1);
      await expectNoHorizontalScroll(page);

      await page.getByRole('button', { name: 'Start again' }).click();
      for (const title of [
        'Choose the credential',
        'Register the certificate',
        'Request the token',
        'Read the token',
      ])
        await expect(stepBadge(page, title)).toHaveText('idle');
      await expect(page.locator('details.stale-result')).toHaveCount(0);
      await expect(items.filter({ hasText: 'Local relay' })).toHaveCount(0);
      await expect(page.getByRole('radio', { name: /Certificate/ })).toBeChecked();
      expect(errors).toEqual([]);
    });

    test('client credentials: a certificate run by keyboard — after each step the next action is focused and in view; its diagram has the upload and the assertion', async ({
      page,
      request,
    }) => {
      const registered: string[] = [];
      try {
        await page.goto('/flows/client-credentials');
        await chooseCertificate(page);
        await page.getByRole('button', { name: 'Generate a key pair and certificate' }).press('Enter');
        const thumbprint = page.getByTestId('thumbprint-sha256');
        await expect(thumbprint).toHaveText(/^[A-Za-z0-9_-]{43}$/);
        registered.push((await thumbprint.textContent()) ?? '');
        await expectFocusedInView(page, 'Register on the sandbox');

        await page.keyboard.press('Enter');
        await expect(page.getByText('Registered: the sandbox now trusts the certificate')).toBeVisible();
        await expectFocusedInView(page, 'Sign the client assertion');

        await page.keyboard.press('Enter');
        await expect(page.getByRole('region', { name: 'Client assertion', exact: true })).toBeVisible();
        await expectFocusedInView(page, 'Request the token');

        await page.keyboard.press('Enter');
        const accessToken = page.getByRole('region', { name: 'Access token' });
        await expect(accessToken.getByRole('row', { name: /\bazpacr\b/ })).toContainText('2');
        await expectFocusedInView(page, /Read the token/);

        const items = diagramItems(page);
        await expect(items.filter({ hasText: 'Key pair + self-signed certificate' })).toHaveCount(1);
        await expect(items.filter({ hasText: /POST …\/certificates/ })).toHaveCount(1);
        await expect(items.filter({ hasText: 'Sign assertion' })).toHaveCount(1);
        await expect(items.filter({ hasText: /client_secret|Client secret/ })).toHaveCount(0);
        await expectNoHorizontalScroll(page);
        await expectNoAxeViolations(page, `client credentials: certificate run at ${size.width}`);
      } finally {
        await removeCertificates(request, registered);
      }
    });

    test('device code: the code arrives with a QR code, the address to open is focused and in view', async ({
      page,
    }) => {
      await page.goto('/flows/device-code');
      await page.getByRole('button', { name: 'Request a device code' }).click();
      await expect(page.getByTestId('user-code')).toHaveText(/^[A-Z]{9}$/);
      await expectFocusedInView(page, `${SANDBOX}/devicelogin`);
      await expect(page.getByRole('img', { name: `QR code of ${SANDBOX}/devicelogin` })).toBeVisible();
      await expect(page.getByRole('button', { name: 'Copy the address' })).toBeVisible();
      await expect(page.getByText(/QR encoder library|No QR code here/)).toHaveCount(0);
      await expectNoHorizontalScroll(page);
      await expectNoAxeViolations(page, `device code: code shown at ${size.width}`);

      // A changed request: polling for the earlier code stops, and what followed from it is stale.
      await page.getByLabel('scope').fill('openid offline_access');
      await expect(page.getByTestId('poll-state')).toHaveText('Cancelled: no more polls will be sent');
      for (const title of ['Request a device code', 'Show the code to the user', 'Poll for the tokens'])
        await expect(stepBadge(page, title)).toHaveText('stale');
      await expect(page.locator('#step-show-code details.stale-result > summary')).toContainText('Stale');
      await expect(page.getByTestId('user-code')).toBeHidden();
      await expect(page.getByRole('button', { name: 'Request a new code' }).first()).toBeVisible();
    });

    test('device code: once the user signs in on the second device, the tokens are focused and in view', async ({
      page,
      context,
    }) => {
      await page.goto('/flows/device-code');
      await page.getByRole('button', { name: 'Request a device code' }).click();
      const userCode = (await page.getByTestId('user-code').textContent()) ?? '';
      const [verification] = await Promise.all([
        context.waitForEvent('page'),
        page.getByRole('link', { name: `${SANDBOX}/devicelogin` }).click(),
      ]);
      await verification.getByLabel('Code').fill(userCode);
      await verification.getByRole('button', { name: 'Next' }).click();
      await verification.getByLabel('Username').fill(ADELE.username);
      await verification.getByLabel('Password').fill(ADELE.password);
      await verification.getByRole('button', { name: 'Sign in' }).click();
      const accept = verification.getByRole('button', { name: 'Accept' });
      const signedIn = verification.getByRole('heading', { name: "You're signed in" });
      // Consent may already be recorded for Adele (another spec grants it on the portal).
      await expect(accept.or(signedIn)).toBeVisible();
      if (await accept.isVisible()) await accept.click();
      await expect(signedIn).toBeVisible();
      await verification.close();
      await expect(page.getByRole('heading', { name: 'Access token' })).toBeVisible({ timeout: 20_000 });
      await page.bringToFront();
      await expectFocusedInView(page, /Read the tokens/);
      await expect(stepBadge(page, 'Poll for the tokens')).toHaveText('done');
      await expectNoHorizontalScroll(page);
    });

    test('password: after sending, the tokens are focused and in view; a new user name makes the run stale', async ({
      page,
      request,
      baseURL,
    }) => {
      await grantConsent(request, baseURL);
      await page.goto('/flows/password');
      await page.getByLabel('username').fill(ADELE.username);
      await page.getByLabel(/^password/).fill(ADELE.password);
      await page.getByRole('button', { name: 'Send the password' }).click();
      await expect(page.getByRole('heading', { name: 'Access token' })).toBeVisible();
      await expectFocusedInView(page, /Read the tokens/);
      await expect(stepBadge(page, 'The app collects the password')).toHaveText('done');
      await expect(stepBadge(page, 'Send the password')).toHaveText('done');
      await expectNoHorizontalScroll(page);

      await page.getByLabel('username').fill('megan@flowlab-sandbox.onmicrosoft.com');
      for (const title of ['The app collects the password', 'Send the password', 'Read the tokens'])
        await expect(stepBadge(page, title)).toHaveText('stale');
      await expect(page.getByRole('heading', { name: 'Access token' })).toBeHidden();
      await expect(page.locator('#step-tokens details.stale-result > summary')).toContainText('Stale');
    });
  });
}

test.describe('runs that survive a reload', () => {
  test.use({ viewport: { width: 1280, height: 720 } });

  test('device code: polls fold into one loop with their count; a reload keeps the run and offers to resume polling', async ({
    page,
  }) => {
    const polls: number[] = [];
    page.on('request', (req) => {
      if ((req.headers()['x-relay-target'] ?? '').endsWith('/oauth2/v2.0/token')) polls.push(Date.now());
    });
    await page.goto('/flows/device-code');
    await page.getByRole('button', { name: 'Request a device code' }).click();
    const code = page.getByTestId('user-code');
    await expect(code).toHaveText(/^[A-Z]{9}$/);
    const userCode = (await code.textContent()) ?? '';
    await expect(page.getByTestId('poll-count')).toHaveText('2', { timeout: 20_000 });

    const items = diagramItems(page);
    // Two polls, one loop: the request drawn once (device → relay → server), the one answer named once
    // inside a loop whose label has the count.
    await expect(items.filter({ hasText: /POST …\/token$/ })).toHaveCount(2);
    await expect(
      items.filter({ hasText: /\(in a loop, 2 times\): 400 authorization_pending( AADSTS70016)?$/ }).first(),
    ).toBeAttached();
    await expect(items.filter({ hasText: 'every interval' })).toHaveCount(0);
    // The list read out in place of the drawing says the requests repeat, as the drawn loop box does.
    await expect(items.filter({ hasText: /\(in a loop, [2-9] times\)/ }).first()).toBeAttached();

    await page.reload();
    await expect(code).toHaveText(userCode);
    await expect(page.getByTestId('poll-count')).toHaveText('2');
    await expect(page.getByTestId('poll-state')).toHaveText(
      'Paused by the reload: the code is still pending',
    );
    const paused = page.getByRole('note', { name: 'Polling paused' });
    await expect(paused).toContainText('sent 2 polls');
    await expect(
      items.filter({ hasText: /\(in a loop, 2 times\): 400 authorization_pending( AADSTS70016)?$/ }).first(),
    ).toBeAttached();
    // Nothing is sent until the user resumes (longer than one 5 s interval).
    const before = polls.length;
    await page.waitForTimeout(5500);
    expect(polls.length).toBe(before);

    await paused.getByRole('button', { name: 'Resume polling' }).click();
    await expect(page.getByTestId('poll-count')).toHaveText('3', { timeout: 10_000 });
    await expect(
      items.filter({ hasText: /\(in a loop, 3 times\): 400 authorization_pending( AADSTS70016)?$/ }).first(),
    ).toBeAttached();
    await page.getByRole('button', { name: 'Cancel polling' }).click();
  });

  test('device code: a code that expired while the page was away is said to have expired', async ({
    page,
    request,
  }) => {
    const settings = `${SANDBOX}/portal/settings`;
    const before = (await (await request.get(settings)).json()) as { deviceCodeLifetimeSeconds: number };
    try {
      expect((await request.post(settings, { data: { deviceCodeLifetimeSeconds: 3 } })).ok()).toBe(true);
      await page.goto('/flows/device-code');
      await page.getByRole('button', { name: 'Request a device code' }).click();
      await expect(page.getByTestId('user-code')).toHaveText(/^[A-Z]{9}$/);
      // Away (a full load elsewhere) before the first poll (5 s), back after the code's 3 s.
      await page.goto('/settings');
      await page.waitForTimeout(3500);
      await page.goto('/flows/device-code');
      const alert = page.getByRole('alert');
      await expect(alert).toContainText('Device code expired');
      await expect(page.getByTestId('poll-state')).toHaveText('Stopped: the code expired');
      await expect(alert.getByRole('button', { name: 'Request a new code' })).toBeVisible();
    } finally {
      await request.post(settings, { data: { deviceCodeLifetimeSeconds: before.deviceCodeLifetimeSeconds } });
    }
  });

  test('client credentials: after a reload the certificate’s private key is gone — said so, a new one offered, no crash', async ({
    page,
    request,
  }) => {
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const registered: string[] = [];
    try {
      await page.goto('/flows/client-credentials');
      await chooseCertificate(page);
      await page.getByRole('button', { name: 'Generate a key pair and certificate' }).click();
      const thumbprint = page.getByTestId('thumbprint-sha256');
      await expect(thumbprint).toHaveText(/^[A-Za-z0-9_-]{43}$/);
      const first = (await thumbprint.textContent()) ?? '';
      registered.push(first);
      await page.getByRole('button', { name: 'Register on the sandbox' }).click();
      await expect(page.getByText('Registered: the sandbox now trusts the certificate')).toBeVisible();

      await page.reload();
      await expect(page.getByRole('radio', { name: /Certificate/ })).toBeChecked();
      await expect(thumbprint).toHaveText(first);
      await expect(stepBadge(page, 'Register the certificate')).toHaveText('done');
      await expect(page.getByRole('note', { name: 'Private key gone' })).toContainText(
        'The private key is gone',
      );
      await expect(page.getByRole('button', { name: 'Sign the client assertion' })).toBeDisabled();

      await page.getByRole('button', { name: 'Generate a new key pair and certificate' }).click();
      await expect(thumbprint).not.toHaveText(first);
      registered.push((await thumbprint.textContent()) ?? '');
      await expect(page.getByRole('note', { name: 'Private key gone' })).toHaveCount(0);
      await expect(stepBadge(page, 'Register the certificate')).toHaveText('stale');
      await expect(page.getByRole('button', { name: 'Sign the client assertion' })).toBeEnabled();
      expect(errors).toEqual([]);
    } finally {
      await removeCertificates(request, registered);
    }
  });

  test('client credentials: a reload keeps the secret run, never the secret in storage; the sandbox’s comes back from its directory', async ({
    page,
  }) => {
    await page.goto('/flows/client-credentials');
    await page.getByRole('button', { name: 'Request the token' }).click();
    await expect(page.getByRole('region', { name: 'Access token' })).toBeVisible();
    const stored = () => page.evaluate(() => JSON.stringify({ ...sessionStorage }));
    expect(await stored()).not.toContain(WEB_APP.clientSecret ?? '');

    await page.reload();
    for (const title of ['Choose the credential', 'Request the token', 'Read the token'])
      await expect(stepBadge(page, title)).toHaveText('done');
    await expect(page.getByLabel('Client secret (kept in memory only)')).toHaveValue(
      WEB_APP.clientSecret ?? '',
    );
    await expect(page.getByRole('note', { name: 'Secret not kept' })).toHaveCount(0);
    expect(await stored()).not.toContain(WEB_APP.clientSecret ?? '');
    await page.getByRole('button', { name: 'Request the token' }).click();
    await expect(page.getByRole('region', { name: 'Access token' })).toBeVisible();
    await expect(page.getByRole('alert')).toHaveCount(0);
  });

  test('password: a reload keeps the run and the user name, never the password', async ({
    page,
    request,
    baseURL,
  }) => {
    await grantConsent(request, baseURL);
    await page.goto('/flows/password');
    await page.getByLabel('username').fill(ADELE.username);
    await page.getByLabel(/^password/).fill(ADELE.password);
    await page.getByRole('button', { name: 'Send the password' }).click();
    await expect(page.getByRole('heading', { name: 'Access token' })).toBeVisible();
    const stored = await page.evaluate(() => JSON.stringify({ ...sessionStorage }));
    expect(stored).not.toContain(ADELE.password);

    await page.reload();
    await expect(page.getByLabel('username')).toHaveValue(ADELE.username);
    await expect(page.getByLabel(/^password/)).toHaveValue('');
    await expect(stepBadge(page, 'Send the password')).toHaveText('done');
    await expect(page.getByText('(cleared after sending)').first()).toBeAttached();
    expect(await page.evaluate(() => JSON.stringify({ ...sessionStorage }))).not.toContain(ADELE.password);
  });
});
