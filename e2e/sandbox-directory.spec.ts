import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { SANDBOX_APPS, SANDBOX_TENANT } from '../server/sandbox/seed.ts';
import { expectNoSecretsLeft, recordConsole, tokensOnPage } from './support/secrets-audit.ts';
import { gotoWithoutEmbeddedBoot } from './support/boot.ts';

const USER = 'adele@flowlab-sandbox.onmicrosoft.com';
const PASSWORD = 'Sandbox-Adele-1';
const SPA = SANDBOX_APPS.find((app) => app.displayName === 'Flow Lab SPA')!;
const WEB = SANDBOX_APPS.find((app) => app.displayName === 'Flow Lab Web App')!;
const DIRECTORY = '/app-directory/v1.json';

async function sandboxOrigin(request: APIRequestContext): Promise<string> {
  return ((await (await request.get('/lab-config.json')).json()) as { sandboxOrigin: string }).sandboxOrigin;
}

/** The portal's JSON API, called as the portal page's own scripts-free forms would be: same shape, JSON. */
async function portal(
  request: APIRequestContext,
  method: 'POST' | 'DELETE' | 'GET' | 'PATCH',
  path: string,
  data?: unknown,
) {
  const origin = await sandboxOrigin(request);
  const appOrigin = new URL(test.info().project.use.baseURL ?? '').origin;
  const response = await request.fetch(`${origin}/portal/${path}`, {
    method,
    headers: { origin: appOrigin },
    ...(data === undefined ? {} : { data }),
  });
  expect(response.ok(), `${method} /portal/${path}: ${response.status()}`).toBe(true);
  return response;
}

/** Resolves with the next directory read that brought a changed document (200, not 304). */
function nextDirectoryChange(page: Page) {
  return page.waitForResponse((r) => r.url().endsWith(DIRECTORY) && r.status() === 200, { timeout: 15_000 });
}

async function signInAtSandbox(page: Page) {
  await page.getByLabel('Username').fill(USER);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Accept' }).click();
}

test.describe('the app learns the sandbox at run time', () => {
  test.afterEach(async ({ request }) => {
    await portal(request, 'POST', 'reset');
  });

  test('a Web app secret rotated on the portal is the one the next code flow (secret variant) uses, no reload', async ({
    page,
    request,
  }) => {
    const consoleLines = recordConsole(page);
    await page.goto('/flows/authorization-code');
    await expect(page.getByRole('checkbox', { name: /Use PKCE/ })).toBeChecked();

    // Rotate on the portal: a new secret, then the seeded one removed, as a user would in Entra.
    const changed = nextDirectoryChange(page);
    const created = (await (
      await portal(request, 'POST', `apps/${WEB.clientId}/secrets`, { description: 'rotated in e2e' })
    ).json()) as { value: string };
    const secrets = (await (await portal(request, 'GET', `apps/${WEB.clientId}/secrets`)).json()) as {
      id: string;
      description: string;
    }[];
    for (const s of secrets.filter((s) => s.description !== 'rotated in e2e'))
      await portal(request, 'DELETE', `apps/${WEB.clientId}/secrets/${s.id}`);
    await changed;

    await page.getByRole('checkbox', { name: /Use PKCE/ }).uncheck();
    await expect(page.getByText('Without PKCE this is the confidential-client variant')).toBeVisible();
    await page.getByRole('button', { name: 'Sign in at the authorization server' }).click();
    await signInAtSandbox(page);
    await expect(page.getByText('Will go through the local relay')).toBeVisible();
    await page.getByRole('button', { name: 'Redeem the code' }).click();
    await expect(page.getByText('Sent through the local relay', { exact: true })).toBeVisible();
    await expect(page.getByRole('heading', { name: 'Access token' })).toBeVisible();
    await expect(
      page.getByRole('region', { name: 'Access token' }).getByRole('row', { name: /\bazpacr\b/ }),
    ).toContainText('1');
    // The old value would have been refused (AADSTS7000215): the run used the rotated one.
    await expectNoSecretsLeft(
      page,
      [created.value, WEB.clientSecret!, ...(await tokensOnPage(page))],
      consoleLines,
    );
  });

  test('a page already open when the secret is rotated takes the new one, says so, and its request succeeds', async ({
    page,
    request,
  }) => {
    await page.goto('/flows/client-credentials');
    // The app's page, not the prerendered picture of it (whose text is there before the app runs).
    await expect(page.getByRole('button', { name: 'Request the token' })).toBeVisible();
    await expect(page.getByText('Will go through the local relay')).toBeVisible();
    const changed = nextDirectoryChange(page);
    await portal(request, 'POST', `apps/${WEB.clientId}/secrets`, { description: 'rotated in e2e' });
    const secrets = (await (await portal(request, 'GET', `apps/${WEB.clientId}/secrets`)).json()) as {
      id: string;
      description: string;
    }[];
    for (const s of secrets.filter((s) => s.description !== 'rotated in e2e'))
      await portal(request, 'DELETE', `apps/${WEB.clientId}/secrets/${s.id}`);
    await changed;
    await expect(page.getByRole('status').filter({ hasText: 'changed on the sandbox portal' })).toContainText(
      'Flow Lab Web App',
    );
    await page.getByRole('button', { name: 'Request the token' }).press('Enter');
    await expect(page.getByText('Sent through the local relay', { exact: true })).toBeVisible();
    // With the old value still in the run this would be AADSTS7000215 (invalid client secret).
    await expect(page.getByRole('region', { name: 'Access token' })).toBeVisible();
    await expect(page.getByText(/AADSTS7000215/)).toHaveCount(0);
  });

  test('the SPA redirect URI removed on the portal: the code page shows the AADSTS50011 lesson with the registration as it is now', async ({
    page,
    request,
  }) => {
    await page.goto('/flows/authorization-code');
    await expect(page.getByRole('note', { name: 'AADSTS50011 ahead' })).toHaveCount(0);

    const changed = nextDirectoryChange(page);
    await portal(
      request,
      'DELETE',
      `apps/${SPA.clientId}/redirect-uris/${encodeURIComponent(SPA.redirectUris[0]!)}`,
    );
    await changed;
    const lesson = page.getByRole('note', { name: 'AADSTS50011 ahead' });
    await expect(lesson).toContainText('Flow Lab SPA');
    await expect(lesson).toContainText(SPA.clientId);
    await expect(lesson).toContainText('lists no redirect URI at all');
    await expect(lesson).toContainText(`${new URL(page.url()).origin}/callback`);
    // And the sandbox says the same when asked.
    await page.getByRole('button', { name: 'Sign in at the authorization server' }).click();
    await expect(page.getByText(/AADSTS50011/).first()).toBeVisible();

    // A different redirect URI registered instead: the lesson lists it.
    await page.goBack();
    const again = nextDirectoryChange(page);
    await portal(request, 'POST', `apps/${SPA.clientId}/redirect-uris`, {
      uri: 'https://app.example.com/cb',
    });
    await again;
    await expect(page.getByRole('list', { name: 'Redirect URIs registered on Flow Lab SPA' })).toContainText(
      'https://app.example.com/cb',
    );
  });

  test('the SPA moved to the Web platform on the portal: the code page warns of AADSTS9002326 before sign-in', async ({
    page,
    request,
  }) => {
    await page.goto('/flows/authorization-code');
    await expect(page.getByRole('checkbox', { name: /Use PKCE/ })).toBeChecked();
    const changed = nextDirectoryChange(page);
    await portal(request, 'PATCH', `apps/${SPA.clientId}`, { platform: 'web' });
    await changed;
    const lesson = page.getByRole('note', { name: 'AADSTS9002326 ahead' });
    await expect(lesson).toContainText('Flow Lab SPA');
    await expect(lesson).toContainText('on the Web platform now');
    // Moved back: the warning goes, without a reload.
    const back = nextDirectoryChange(page);
    await portal(request, 'PATCH', `apps/${SPA.clientId}`, { platform: 'spa' });
    await back;
    await expect(lesson).toHaveCount(0);
  });

  test('the sandbox back after being unreachable: the notice goes and the flow starts afresh with its registrations', async ({
    page,
  }) => {
    await page.route(`**${DIRECTORY}`, (route) => route.abort('connectionrefused'));
    await gotoWithoutEmbeddedBoot(page, '/flows/client-credentials');
    const notice = page.getByRole('status').filter({ hasText: 'The sandbox is not reachable.' });
    await expect(notice).toBeVisible();
    await expect(page.getByLabel('client_id')).toHaveValue('');

    const back = nextDirectoryChange(page);
    await page.unroute(`**${DIRECTORY}`);
    await back;
    await expect(notice).toHaveCount(0);
    await expect(page.getByLabel('client_id')).toHaveValue(WEB.clientId);
    await expect(page.getByLabel('tenant')).toHaveValue(SANDBOX_TENANT.id);
    await page.getByRole('button', { name: 'Request the token' }).click();
    await expect(
      page.getByRole('region', { name: 'Access token' }).getByRole('row', { name: /\broles\b/ }),
    ).toContainText('User.Read.All');
  });

  test('the sandbox unreachable: one plain notice on Settings and flow pages; another authority still works', async ({
    page,
    request,
  }) => {
    await page.route(`**${DIRECTORY}`, (route) => route.abort('connectionrefused'));
    await gotoWithoutEmbeddedBoot(page, '/settings');
    const notice = page.getByRole('status').filter({ hasText: 'The sandbox is not reachable.' });
    await expect(notice).toBeVisible();
    await expect(notice).toContainText('npm start');
    await expect(notice).toContainText('choose another authority');
    await page.getByRole('navigation', { name: 'Flows' }).getByRole('link', { name: 'Device code' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Device code' })).toBeVisible();
    await expect(notice).toBeVisible();
    await expect(page.getByRole('status').filter({ hasText: 'The sandbox is not reachable.' })).toHaveCount(
      1,
    );

    // The sandbox's OpenID endpoints as any other provider's: found by discovery, used with a typed client.
    const issuer = `${await sandboxOrigin(request)}/${SANDBOX_TENANT.id}/v2.0`;
    await page.getByRole('navigation', { name: 'Flows' }).getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('radio', { name: 'Any OpenID provider, by its issuer URL' }).check();
    await page.getByRole('textbox', { name: 'Issuer URL' }).fill(issuer);
    await page.getByRole('button', { name: 'Look up' }).click();
    await page.getByRole('button', { name: 'Use this issuer' }).click();
    await expect(page.getByText(`Saved. Flows now use ${issuer}.`)).toBeVisible();
    await expect(notice).toHaveCount(0);
    await page.getByRole('button', { name: 'New profile' }).click();
    await page.getByLabel('Client id', { exact: true }).fill(WEB.clientId);
    await page.getByLabel('Platform', { exact: true }).selectOption('web');
    await page.getByLabel('Client secret', { exact: true }).fill(WEB.clientSecret!);
    await page
      .getByRole('navigation', { name: 'Flows' })
      .getByRole('link', { name: 'Client credentials' })
      .click();
    await page.getByRole('button', { name: 'Request the token' }).click();
    await expect(
      page.getByRole('region', { name: 'Access token' }).getByRole('row', { name: /\broles\b/ }),
    ).toContainText('User.Read.All');
  });
});

test('the built bundle carries no sandbox client secret, client id or tenant id', async () => {
  // The e2e web server builds into LAB_DIST_DIR (vite.config.ts outDir); the check reads what it built.
  const dist = process.env['LAB_DIST_DIR'] ?? 'dist';
  const files = (await readdir(dist, { recursive: true, withFileTypes: true }))
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
  expect(files.some((file) => file.endsWith('.js'))).toBe(true);
  const secrets = SANDBOX_APPS.flatMap((app) => (app.clientSecret === undefined ? [] : [app.clientSecret]));
  expect(secrets.length).toBeGreaterThan(0);
  const forbidden = [...secrets, ...SANDBOX_APPS.map((app) => app.clientId), SANDBOX_TENANT.id];
  const found: string[] = [];
  for (const file of files) {
    const text = await readFile(file, 'utf8');
    for (const value of forbidden) if (text.includes(value)) found.push(`${file}: ${value.slice(0, 12)}…`);
  }
  expect(found, 'sandbox values compiled into the bundle').toEqual([]);
});
