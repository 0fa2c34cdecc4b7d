/**
 * Hosting mode (`--host`, docs/workshop.md), started here on its own ports: the app and the sandbox
 * listen on 0.0.0.0 and are reached through 127.0.0.1/localhost. The portal is read-only without the
 * trainer password, a write is refused (401) and then done with it, the relay is off and the app says
 * so, and the pages stay axe clean. Uses the build the config's web server made (LAB_DIST_DIR).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { networkInterfaces } from 'node:os';
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { E2E_APP_PORT, E2E_SANDBOX_PORT } from '../playwright.config.ts';
import { expectNoAxeViolations } from './support/axe.ts';

const APP_PORT = E2E_APP_PORT + 20;
const SANDBOX_PORT = E2E_SANDBOX_PORT + 20;
const APP = `http://localhost:${APP_PORT}`;
const SANDBOX = `http://localhost:${SANDBOX_PORT}`;
const PASSWORD = 'e2e-trainer-password-2026';
const trainer = `Basic ${Buffer.from(`trainer:${PASSWORD}`).toString('base64')}`;

let server: ChildProcess | undefined;
let output = '';

async function waitUntilUp(request: APIRequestContext): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (server?.exitCode !== null && server?.exitCode !== undefined)
      throw new Error(`The hosting-mode server stopped (${server.exitCode}):\n${output}`);
    try {
      const answer = await request.get(`${APP}/lab-config.json`, { timeout: 2_000 });
      if (answer.ok()) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`The hosting-mode server did not start within 60 s:\n${output}`);
}

test.describe.configure({ mode: 'serial' });

test.beforeAll(async ({ request }) => {
  test.setTimeout(90_000);
  server = spawn(
    process.execPath,
    ['--import', 'tsx', 'server/main.ts', '--mode=preview', '--host=0.0.0.0'],
    {
      env: {
        ...process.env,
        APP_PORT: String(APP_PORT),
        SANDBOX_PORT: String(SANDBOX_PORT),
        SANDBOX_DATA_DIR: '.sandbox/e2e-hosting',
        LAB_TRAINER_PASSWORD: PASSWORD,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  server.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  server.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await waitUntilUp(request);
});

test.afterAll(async () => {
  if (server?.exitCode === null) {
    const stopped = new Promise((resolve) => server?.once('exit', resolve));
    server.kill('SIGTERM');
    await stopped;
  }
});

test('the start says hosting mode and the relay is off, and never prints a password it was given', () => {
  expect(output).toContain('Hosting mode → app and sandbox listen on 0.0.0.0');
  expect(output).toContain('Local relay → off');
  expect(output).toContain('Trainer password → from LAB_TRAINER_PASSWORD');
  expect(output).not.toContain(PASSWORD);
});

test('a learner sees the portal read-only, with the reason, and cannot change it', async ({
  page,
  request,
}) => {
  await page.goto(`${SANDBOX}/`);
  const notice = page.locator('#read-only-notice');
  await expect(notice).toContainText('only the trainer can change it');
  await expect(page.getByRole('button', { name: 'Save settings' })).toBeDisabled();
  await expect(page.getByRole('button', { name: 'Reset to the seeded directory' })).toBeDisabled();
  await expect(page.getByRole('link', { name: 'sign in with the trainer password' })).toBeVisible();
  await expectNoAxeViolations(page, 'the read-only portal');

  const refused = await request.post(`${SANDBOX}/portal/settings`, {
    data: { deviceCodeLifetimeSeconds: 300 },
  });
  expect(refused.status()).toBe(401);
  expect(refused.headers()['www-authenticate']).toContain('Basic realm=');
  expect(((await refused.json()) as { error_description: string }).error_description).toContain(
    'trainer password',
  );
  const settings = (await (await request.get(`${SANDBOX}/portal/settings`)).json()) as {
    deviceCodeLifetimeSeconds: number;
  };
  expect(settings.deviceCodeLifetimeSeconds).toBe(900);
});

test('the trainer changes a setting with the password, from curl-like calls and from the page', async ({
  browser,
  request,
}) => {
  const done = await request.post(`${SANDBOX}/portal/settings`, {
    data: { deviceCodeLifetimeSeconds: 300 },
    headers: { authorization: trainer },
  });
  expect(done.status()).toBe(200);
  expect(((await done.json()) as { deviceCodeLifetimeSeconds: number }).deviceCodeLifetimeSeconds).toBe(300);

  const context = await browser.newContext({
    httpCredentials: { username: 'trainer', password: PASSWORD, origin: SANDBOX },
  });
  const page = await context.newPage();
  // The sign-in link answers with a Basic challenge; the browser answers it and lands on the portal.
  await page.goto(`${SANDBOX}/trainer`);
  await expect(page.locator('#trainer-notice')).toContainText('Signed in as the trainer');
  const lifetime = page.getByLabel('Device code lifetime (seconds)');
  await expect(lifetime).toBeEnabled();
  await lifetime.fill('900');
  await page.getByRole('button', { name: 'Save settings' }).focus();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/#settings$/);
  await expect(page.getByLabel('Device code lifetime (seconds)')).toHaveValue('900');
  await expectNoAxeViolations(page, 'the portal signed in as the trainer');
  await context.close();
});

test('the relay is off: /relay/* refused with the reason, and the app says so in Settings', async ({
  page,
  request,
}) => {
  const config = (await (await request.get(`${APP}/lab-config.json`)).json()) as Record<string, unknown>;
  expect(config['hosting']).toBe(true);
  expect(config['relay']).toBe(false);
  expect(config).not.toHaveProperty('relayToken');

  const relayed = await request.post(`${APP}/relay/forward`, {
    headers: { 'x-relay-target': `${SANDBOX}/x`, origin: APP },
    form: { a: 'b' },
  });
  expect(relayed.status()).toBe(404);
  expect(relayed.headers()['x-relay-refused']).toBe('1');
  expect(await relayed.text()).toContain('this lab runs on a shared server');

  await page.goto(`${APP}/settings`);
  const notice = page.getByText('The local relay is off on this shared server.');
  await expect(notice).toBeVisible();
  await expect(page.locator('.relay-off')).toContainText('Copy such a request as curl');
  await expectNoAxeViolations(page, 'Settings in hosting mode');
});

test('over plain http from another address the page has no WebCrypto and says so, without breaking', async ({
  page,
}) => {
  // This machine's own non-loopback address: for the browser an http page there is not a secure context.
  const address = Object.values(networkInterfaces())
    .flat()
    .find((entry) => entry !== undefined && entry.family === 'IPv4' && !entry.internal)?.address;
  test.skip(address === undefined, 'this machine has no non-loopback IPv4 address to open the app at');
  await page.goto(`http://${address ?? ''}:${APP_PORT}/flows/authorization-code`);
  expect(await page.evaluate(() => window.isSecureContext)).toBe(false);
  await expect(page.locator('#insecure-context-notice')).toContainText('no WebCrypto');
  await expect(page.locator('#insecure-context-notice')).toContainText('https address');
  await expect(page.getByRole('heading', { level: 1, name: 'Authorization code (+ PKCE)' })).toBeVisible();
  // The step that needs WebCrypto fails with what happened and what to do, and the page goes on.
  await page.getByRole('button', { name: 'Generate verifier and challenge' }).click();
  const failure = page.getByRole('alert').filter({ hasText: 'No WebCrypto on this page' });
  await expect(failure).toContainText('https pages and to localhost');
  await expect(failure).toContainText('Open the lab at its https address');
  await expect(page.getByRole('heading', { level: 1, name: 'Authorization code (+ PKCE)' })).toBeVisible();
  await expectNoAxeViolations(page, 'a page without a secure context');
});

/** The visible blocks of the page's main content that mention the relay (paragraphs, items, headings…). */
async function relayMessages(page: Page): Promise<string[]> {
  return page.locator('main').evaluate((main) => {
    const blocks = new Set<Element>();
    const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node !== null; node = walker.nextNode()) {
      if (!/relay/i.test(node.textContent ?? '')) continue;
      const block = node.parentElement?.closest('p, li, dd, dt, td, th, h1, h2, h3, h4, h5, label, summary');
      if (block instanceof HTMLElement && block.checkVisibility()) blocks.add(block);
    }
    return [...blocks].map((block) => (block.textContent ?? '').replace(/\s+/g, ' ').trim());
  });
}

test('client credentials in hosting mode: one relay message, before and after a run, never a contradiction', async ({
  page,
}) => {
  await page.goto(`${APP}/flows/client-credentials`);
  await expect(page.getByRole('heading', { level: 1, name: 'Client credentials' })).toBeVisible();
  await expect(page.locator('.relay-off')).toHaveCount(1);
  let messages = await relayMessages(page);
  expect(messages, messages.join('\n')).toHaveLength(1);
  expect(messages[0]).toContain('The local relay is off on this shared server.');
  expect(messages[0]).not.toMatch(/relay is off.*relay is off/i);

  await page.getByRole('button', { name: 'Request the token' }).press('Enter');
  const failure = page.getByRole('alert').filter({ hasText: 'Not sent: this request needs a server' });
  await expect(failure).toBeVisible();
  await expect(failure).toContainText('send it from your own machine');
  messages = await relayMessages(page);
  expect(messages, messages.join('\n')).toHaveLength(1);
  await expect(page.getByText('No local relay is running')).toHaveCount(0);
  await expect(page.getByText(/sends it through the local relay/)).toHaveCount(0);
  await expectNoAxeViolations(page, 'client credentials in hosting mode');
});

test('the password page in hosting mode: one relay message too', async ({ page }) => {
  await page.goto(`${APP}/flows/password`);
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await expect(page.locator('.relay-off')).toHaveCount(1);
  const messages = await relayMessages(page);
  expect(messages, messages.join('\n')).toHaveLength(1);
  expect(messages[0]).toContain('The local relay is off on this shared server.');
});

test('an attack page in hosting mode says the attack lab is off and what to do; its runs are off', async ({
  page,
  request,
}) => {
  await page.goto(`${APP}/attacks/mix-up`);
  const notice = page.locator('#attack-lab-off');
  await expect(notice).toBeVisible();
  await expect(notice).toContainText('The attack lab is off on this shared server.');
  await expect(notice).toContainText('npm start');
  const runs = page.getByRole('button', { name: /^Run: the attack/ });
  await expect(runs).toHaveCount(2);
  for (const run of await runs.all()) await expect(run).toBeDisabled();
  await expectNoAxeViolations(page, 'an attack page in hosting mode');
  // And the sandbox refuses the switches from curl (no Origin), with the same advice.
  const refused = await request.post(`${SANDBOX}/attack-lab/switches`, {
    data: { wildcardRedirectUris: true },
  });
  expect(refused.status()).toBe(403);
  expect(((await refused.json()) as { error_description: string }).error_description).toContain('npm start');
});
