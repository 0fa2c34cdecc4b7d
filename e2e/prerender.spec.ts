import { expect, test } from '@playwright/test';
import { FLOWS, flowPath } from '../src/flows/registry.ts';

/** Every page the build draws, with the heading it must show before any script runs. */
const PAGES = [
  { path: '/', heading: 'OAuth 2.0 and OpenID Connect, one step at a time' },
  ...FLOWS.map((flow) => ({ path: flowPath(flow.id), heading: flow.title })),
  { path: '/tokens', heading: 'Token inspector' },
  { path: '/settings', heading: 'Settings' },
  { path: '/choose', heading: 'Which flow should I use?' },
  { path: '/registration-check', heading: 'Registration checker' },
  { path: '/sandbox-code', heading: 'Use the sandbox from your code' },
  { path: '/attacks', heading: 'Attack lab' },
];

test.describe('prerendered pages', () => {
  test.describe('without JavaScript', () => {
    test.use({ javaScriptEnabled: false });

    for (const { path, heading } of PAGES)
      test(`${path} is drawn from its HTML alone, inert until the app takes over`, async ({ page }) => {
        await page.goto(path);
        const drawn = page.locator('#root > fieldset.prerendered[inert][disabled]');
        await expect(drawn.getByRole('heading', { level: 1, includeHidden: true })).toContainText(heading);
        // Inert: nothing in it can be focused or clicked, so nothing typed there is lost.
        await page.keyboard.press('Tab');
        expect(await page.evaluate(() => document.activeElement === document.body)).toBe(true);
        // The page carries its styles: the header is laid out as a row, not as unstyled blocks.
        expect(await page.locator('.app-header').evaluate((el) => getComputedStyle(el).display)).not.toBe(
          'block',
        );
      });

    test('the redirect URI and unknown paths get the bare shell, never another page', async ({ page }) => {
      for (const path of ['/callback?code=x&state=y', '/no/such/page']) {
        await page.goto(path);
        expect(await page.locator('#root').innerHTML()).toBe('');
      }
    });
  });

  test('a flow page draws its run without waiting for /lab-config.json or the directory', async ({
    page,
  }) => {
    const slow: string[] = [];
    // Requests the app would otherwise wait for, held for good: the page must not need them.
    await page.route(/\/lab-config\.json$|\/app-directory\/v1\.json$/, (route) => {
      slow.push(route.request().url());
    });
    await page.goto('/flows/client-credentials');
    await expect(page.getByRole('button', { name: 'Request the token' })).toBeEnabled();
    await expect(page.getByLabel('client_id')).not.toHaveValue('');
    await expect(page.locator('[inert]')).toHaveCount(0);
    expect(slow.filter((url) => url.endsWith('/lab-config.json'))).toEqual([]);
  });

  test('the app renders over the drawn page with the same content, and keyboard input then works', async ({
    page,
  }) => {
    await page.goto('/flows/device-code');
    await expect(page.locator('[inert]')).toHaveCount(0);
    await expect(page.getByRole('heading', { level: 1 })).toHaveCount(1);
    await page.keyboard.press('Tab');
    await expect(page.getByRole('link', { name: 'Skip to content' })).toBeFocused();
  });
});
