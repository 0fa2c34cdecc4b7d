import { expect, test } from '@playwright/test';

/** The sandbox origin the app was started with. */
async function sandboxOrigin(request: import('@playwright/test').APIRequestContext): Promise<string> {
  return ((await (await request.get('/lab-config.json')).json()) as { sandboxOrigin: string }).sandboxOrigin;
}

test.describe('sandbox portal: break it on purpose, then fix it', () => {
  test('removing the SPA redirect URI gives AADSTS50011; adding it back fixes sign-in', async ({
    page,
    request,
  }) => {
    const origin = await sandboxOrigin(request);
    try {
      await page.goto(`${origin}/`);
      const spa = page.getByRole('region', { name: /Flow Lab SPA/ });
      await spa.getByRole('button', { name: 'Remove redirect URI http://localhost:5173/callback' }).click();

      await page.goto('/flows/authorization-code');
      await page.getByRole('button', { name: 'Sign in at the authorization server' }).click();
      await expect(page.getByText(/AADSTS50011/).first()).toBeVisible();

      await page.goto(`${origin}/`);
      const again = page.getByRole('region', { name: /Flow Lab SPA/ });
      await again.getByLabel('Redirect URI').fill('http://localhost:5173/callback');
      await again.getByRole('button', { name: 'Add redirect URI' }).click();

      await page.goto('/flows/authorization-code');
      await page.getByRole('button', { name: 'Sign in at the authorization server' }).click();
      await expect(page.getByLabel('Username')).toBeVisible();
    } finally {
      const appOrigin = new URL(test.info().project.use.baseURL ?? 'http://localhost:47173').origin;
      await request.post(`${origin}/portal/reset`, { headers: { origin: appOrigin } });
    }
  });

  test('a redirect URI with a fragment is refused on the portal, with the rule, and nothing is added', async ({
    page,
    request,
  }) => {
    const origin = await sandboxOrigin(request);
    await page.goto(`${origin}/`);
    const spa = page.getByRole('region', { name: /Flow Lab SPA/ });
    await spa.getByLabel('Redirect URI', { exact: true }).fill('http://localhost:5173/callback#/home');
    await spa.getByRole('button', { name: 'Add redirect URI' }).click();
    await expect(page.getByRole('alert').first()).toContainText('must not contain a fragment');
    await expect(page.getByRole('alert').first()).toContainText('RFC 6749 §3.1.2');
    await page.goto(`${origin}/`);
    await expect(
      page
        .getByRole('region', { name: /Flow Lab SPA/ })
        .getByRole('button', { name: 'Remove redirect URI http://localhost:5173/callback#/home' }),
    ).toHaveCount(0);
  });

  test('smart lockout: the portal lists a locked user with failures and end time, and unlocks them; memory is shown', async ({
    page,
    request,
  }) => {
    const origin = await sandboxOrigin(request);
    const appOrigin = new URL(test.info().project.use.baseURL ?? 'http://localhost:47173').origin;
    const user = 'adele@flowlab-sandbox.onmicrosoft.com';
    const token = (password: string) =>
      request.post(`${origin}/organizations/oauth2/v2.0/token`, {
        form: {
          client_id: consoleApp,
          grant_type: 'password',
          username: user,
          password,
          scope: 'openid User.Read',
        },
      });
    // The password grant cannot show a consent page (AADSTS65001 otherwise): consent recorded first.
    const consoleApp = '1b6f9c2d-4e7a-4a35-8c91-0d2e5f7b3a68';
    const consent = await request.post(`${origin}/portal/apps/${consoleApp}/consents`, {
      headers: { origin: appOrigin },
      data: { user },
    });
    expect(consent.status()).toBe(200);
    await page.goto(`${origin}/`);
    await page.getByLabel('Smart lockout threshold (wrong passwords)').fill('3');
    await page.getByRole('button', { name: 'Save settings' }).click();
    try {
      for (const password of ['one', 'two', 'three']) await token(password);
      const locked = (await (await token('Sandbox-Adele-1')).json()) as { error_codes: number[] };
      expect(locked.error_codes).toEqual([50053]);

      // The page is still the portal (at #settings): a hash change alone would not fetch it again.
      await page.reload();
      const row = page.getByRole('row').filter({ has: page.getByRole('button', { name: `Unlock ${user}` }) });
      await expect(row).toContainText('3');
      await expect(row).toContainText('Locked until');
      await expect(page.getByRole('heading', { name: 'Memory' })).toBeVisible();
      await expect(page.getByRole('row', { name: /Artifact store entries/ })).toBeVisible();
      await row.getByRole('button', { name: `Unlock ${user}` }).click();
      await expect(page.getByText('No account has wrong passwords counted or is locked.')).toBeVisible();
      expect((await token('Sandbox-Adele-1')).status()).toBe(200);
    } finally {
      await request.post(`${origin}/portal/settings`, {
        headers: { origin: appOrigin },
        data: { lockoutThreshold: 10, lockoutDurationSeconds: 60 },
      });
      await request.delete(`${origin}/portal/lockouts/${encodeURIComponent(user)}`, {
        headers: { origin: appOrigin },
      });
      await request.delete(`${origin}/portal/apps/${consoleApp}/consents/${encodeURIComponent(user)}`, {
        headers: { origin: appOrigin },
      });
    }
  });
});
