import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { expectNoAxeViolations } from './support/axe.ts';

interface LiveDirectory {
  readonly tenant: { readonly id: string };
  readonly issuer: string;
  readonly apps: readonly { displayName: string; clientId: string; sandboxOnlySecret?: string }[];
}

async function sandboxOrigin(request: APIRequestContext): Promise<string> {
  return ((await (await request.get('/lab-config.json')).json()) as { sandboxOrigin: string }).sandboxOrigin;
}

/** The directory as the sandbox serves it now: the values the page must show. */
async function liveDirectory(request: APIRequestContext): Promise<LiveDirectory> {
  const response = await request.get(`${await sandboxOrigin(request)}/app-directory/v1.json`);
  return (await response.json()) as LiveDirectory;
}

function app(directory: LiveDirectory, name: string) {
  const found = directory.apps.find((a) => a.displayName === name);
  if (found === undefined) throw new Error(`no ${name} in the sandbox directory`);
  return found;
}

/** The portal's JSON API, as sandbox-directory.spec.ts calls it. */
async function portal(
  request: APIRequestContext,
  method: 'POST' | 'DELETE' | 'GET',
  path: string,
  data?: unknown,
) {
  const appOrigin = new URL(test.info().project.use.baseURL ?? '').origin;
  const response = await request.fetch(`${await sandboxOrigin(request)}/portal/${path}`, {
    method,
    headers: { origin: appOrigin },
    ...(data === undefined ? {} : { data }),
  });
  expect(response.ok(), `${method} /portal/${path}: ${response.status()}`).toBe(true);
  return response;
}

/** Opens the page and waits until the app has taken over from the prerendered (inert) copy. */
async function open(page: Page): Promise<void> {
  await page.goto('/sandbox-code', { waitUntil: 'load' });
  await expect(page.locator('#root > fieldset.prerendered')).toHaveCount(0);
  await expect(page.getByRole('heading', { level: 1, name: 'Use the sandbox from your code' })).toBeVisible();
}

function snippet(page: Page, id: string) {
  return page.locator(`[data-snippet="${id}"]`);
}

test.describe('Use the sandbox from your code', () => {
  test.afterEach(async ({ request }) => {
    await portal(request, 'POST', 'reset');
  });

  test('shows every library with the live tenant, client ids and sandbox-only secrets', async ({
    page,
    request,
  }) => {
    const directory = await liveDirectory(request);
    const web = app(directory, 'Flow Lab Web App');
    const cli = app(directory, 'Flow Lab Console');
    const origin = new URL(directory.issuer).origin;
    await open(page);
    await expect(
      page.getByRole('heading', { level: 1, name: 'Use the sandbox from your code' }),
    ).toBeVisible();
    await expect(page.locator('[data-value="tenant"]')).toHaveText(directory.tenant.id);
    await expect(page.locator('[data-value="issuer"]')).toHaveText(directory.issuer);
    await expect(page.locator('[data-value="authority"]')).toHaveText(`${origin}/${directory.tenant.id}`);
    for (const name of ['MSAL Node', 'MSAL.js in a browser', 'Azure Identity', 'openid-client', 'curl'])
      await expect(page.getByRole('heading', { level: 2, name })).toBeVisible();
    const secretSnippet = snippet(page, 'msal-node-client-credentials-secret');
    await expect(secretSnippet.locator('pre')).toContainText(web.clientId);
    await expect(secretSnippet.locator('pre')).toContainText(JSON.stringify(web.sandboxOnlySecret));
    await expect(secretSnippet).toContainText('sandbox-only test data');
    await expect(snippet(page, 'msal-node-device-code').locator('pre')).toContainText(cli.clientId);
    // The demo users come from the sandbox's /directory.json.
    await expect(snippet(page, 'msal-node-password').locator('pre')).toContainText(
      'adele@flowlab-sandbox.onmicrosoft.com',
    );
    await expect(snippet(page, 'curl-client-credentials-secret').locator('pre')).toContainText(
      `${origin}/${directory.tenant.id}/oauth2/v2.0/token`,
    );
  });

  test('a secret added on the portal reaches the snippets without a reload', async ({ page, request }) => {
    const directory = await liveDirectory(request);
    const web = app(directory, 'Flow Lab Web App');
    await open(page);
    const pre = snippet(page, 'msal-node-client-credentials-secret').locator('pre');
    await expect(pre).toContainText(JSON.stringify(web.sandboxOnlySecret));
    const created = (await (
      await portal(request, 'POST', `apps/${web.clientId}/secrets`, { description: 'sandbox-code e2e' })
    ).json()) as { value: string };
    await expect(pre).toContainText(JSON.stringify(created.value), { timeout: 15_000 });
  });

  test('Copy is keyboard operable, announced, and copies exactly the snippet shown', async ({
    page,
    context,
  }) => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await open(page);
    const section = snippet(page, 'openid-client-authorization-code');
    const pre = section.locator('pre');
    await expect(pre).toContainText('client.discovery(');
    // Keyboard only: focus the code block, Tab to its Copy button, press Enter.
    await pre.focus();
    await page.keyboard.press('Tab');
    const button = section.getByRole('button', { name: /^Copy openid-client: / });
    await expect(button).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(section.getByRole('status')).toHaveText('Copied.');
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied).toBe(await pre.innerText());
  });

  test('without the user list the password snippets say why instead of naming a user', async ({ page }) => {
    await page.route('**/directory.json', (route) => route.abort());
    await open(page);
    await expect(snippet(page, 'msal-node-client-credentials-secret')).toBeVisible();
    await expect(snippet(page, 'msal-node-password')).toHaveCount(0);
    await expect(page.getByText(/Username and password \(ROPC\):.*has not been read/)).toBeVisible();
  });

  for (const width of [390, 1280]) {
    test(`axe clean and no sideways scroll at ${width} px, the names table open`, async ({ page }) => {
      await page.setViewportSize({ width, height: 900 });
      await open(page);
      await expect(snippet(page, 'curl-device-code')).toBeVisible();
      await expectNoAxeViolations(page, `/sandbox-code at ${width}`);
      await page.getByText('Every option and call used above').click();
      await expect(page.getByRole('table', { name: 'Library names used in the snippets' })).toBeVisible();
      await expectNoAxeViolations(page, `/sandbox-code at ${width}, names open`);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
    });
  }
});
