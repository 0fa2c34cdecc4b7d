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
});
