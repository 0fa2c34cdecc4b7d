import { expect, test, type APIRequestContext, type BrowserContext, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { E2E_SANDBOX_PORT } from '../playwright.config.ts';
import { SANDBOX_APPS } from '../server/sandbox/seed.ts';
import { expectNoAxeViolations } from './support/axe.ts';
import { VIEWPORTS, sizeOf } from './support/layout.ts';

/*
 * Presenter mode and the screen audit (issue 11, problem 5): in presenter mode, after every flow run
 * against the sandbox, the page's rendered text and every field that is not drawn masked hold none of
 * the tokens, secrets, codes, verifiers, assertions or device codes the run produced. The values are
 * collected from the network (request bodies and URLs, response bodies and Location headers), so the
 * audit looks for what really went over the wire, not for what the page chose to show.
 */

const SANDBOX = `http://localhost:${E2E_SANDBOX_PORT}`;
const ADELE = { username: 'adele@flowlab-sandbox.onmicrosoft.com', password: 'Sandbox-Adele-1' };
const WEB_APP = SANDBOX_APPS.find((app) => app.displayName === 'Flow Lab Web App')!;
const CONSOLE_APP = SANDBOX_APPS.find((app) => app.displayName === 'Flow Lab Console')!;
const CERTIFICATES = `${SANDBOX}/portal/apps/${WEB_APP.clientId}/certificates`;

/** Parameters whose values are credentials, wherever they travel (form body, query, fragment, JSON). */
const CREDENTIAL_NAMES = [
  'access_token',
  'refresh_token',
  'id_token',
  'code',
  'code_verifier',
  'device_code',
  'client_secret',
  'client_assertion',
  'assertion',
  'password',
  'subject_token',
  'actor_token',
];

/** Credentials in a form-encoded text or a URL's query and fragment. */
function fromForm(text: string, into: Set<string>): void {
  for (const [name, value] of new URLSearchParams(text)) if (CREDENTIAL_NAMES.includes(name)) into.add(value);
}

function fromUrl(url: string, into: Set<string>): void {
  const hash = url.indexOf('#');
  const q = url.indexOf('?');
  if (q !== -1) fromForm(url.slice(q + 1, hash === -1 ? undefined : hash), into);
  if (hash !== -1) fromForm(url.slice(hash + 1), into);
}

function fromJson(value: unknown, into: Set<string>): void {
  if (Array.isArray(value)) value.forEach((item) => fromJson(item, into));
  else if (typeof value === 'object' && value !== null)
    for (const [name, item] of Object.entries(value)) {
      if (CREDENTIAL_NAMES.includes(name) && typeof item === 'string') into.add(item);
      else fromJson(item, into);
    }
}

/** Watches every request and response of the page's context and keeps the credentials they carried. */
function collectCredentials(context: BrowserContext): Set<string> {
  const found = new Set<string>();
  context.on('request', (request) => {
    fromUrl(request.url(), found);
    const body = request.postData();
    if (body === null) return;
    try {
      fromJson(JSON.parse(body) as unknown, found);
    } catch {
      fromForm(body, found);
    }
    const auth = request.headers()['authorization'];
    if (auth !== undefined) found.add(auth.replace(/^\S+\s+/, ''));
  });
  context.on('response', (response) => {
    const location = response.headers()['location'];
    if (location !== undefined) fromUrl(location, found);
    if (response.status() >= 300 && response.status() < 400) return;
    const type = response.headers()['content-type'] ?? '';
    if (!type.includes('json')) return;
    response
      .json()
      .then((body: unknown) => fromJson(body, found))
      .catch(() => {
        // A body that is gone or not JSON holds nothing to collect.
      });
  });
  return found;
}

/** The rendered text of the page plus the value of every field that is not drawn masked. */
async function visibleText(page: Page): Promise<string> {
  return page.evaluate(() => {
    const unmasked: string[] = [];
    for (const field of Array.from(
      document.querySelectorAll<HTMLInputElement | HTMLTextAreaElement>('input, textarea'),
    )) {
      if (field instanceof HTMLInputElement && (field.type === 'password' || field.type === 'hidden'))
        continue;
      const style = getComputedStyle(field) as CSSStyleDeclaration & { webkitTextSecurity?: string };
      const security = style.getPropertyValue('-webkit-text-security') || style.webkitTextSecurity || 'none';
      if (security !== 'none') continue;
      unmasked.push(field.value);
    }
    return `${document.body.innerText}\n${unmasked.join('\n')}`;
  });
}

/** For each value on screen: where it is (the innermost element showing it, or the field), for the report. */
async function whereShown(page: Page, values: readonly string[]): Promise<string[]> {
  return page.evaluate((list) => {
    const describe = (el: Element): string => {
      const label =
        el.getAttribute('aria-label') ?? el.closest('[aria-label]')?.getAttribute('aria-label') ?? '';
      const section = el.closest('section[id], [id^="step-"]')?.id ?? '';
      return `<${el.tagName.toLowerCase()} class="${el.className}"> in ${section} ${label}`.trim();
    };
    return list.map((value) => {
      const field = Array.from(
        document.querySelectorAll<HTMLInputElement | HTMLTextAreaElement>('input, textarea'),
      ).find((f) => f.value.includes(value));
      let innermost: Element | undefined;
      for (const el of Array.from(document.body.querySelectorAll('*'))) {
        if (el instanceof HTMLElement && el.innerText?.includes(value)) innermost = el;
      }
      const where =
        innermost !== undefined
          ? describe(innermost)
          : field !== undefined
            ? `field ${describe(field)}`
            : '?';
      return `${value.slice(0, 16)}… at ${where}`;
    });
  }, values);
}

/** The audit: nothing the run produced is on screen, and no JWT at all is. */
async function expectScreenClean(page: Page, credentials: Set<string>, state: string): Promise<void> {
  // Let responses still being read land in the set.
  await page.waitForTimeout(200);
  const wanted = [...credentials].filter((value) => value.length >= 8);
  expect(wanted.length, `the audit needs credentials to look for (${state})`).toBeGreaterThan(0);
  const text = await visibleText(page);
  const leaks = await whereShown(
    page,
    wanted.filter((value) => text.includes(value)),
  );
  expect(leaks, `credentials on screen after ${state}`).toEqual([]);
  const jwts = text.match(/eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*/g) ?? [];
  expect(
    jwts.map((jwt) => `${jwt.slice(0, 24)}…`),
    `JWT-shaped text on screen after ${state}`,
  ).toEqual([]);
}

/** Signs in as Adele at the sandbox; accepts the consent page when the sandbox shows one (not after an earlier consent). */
async function signIn(page: Page): Promise<void> {
  await page.getByLabel('Username').fill(ADELE.username);
  await page.getByLabel('Password').fill(ADELE.password);
  await page.getByLabel('Password').press('Enter');
  await acceptConsentIfAsked(page, () => !page.url().startsWith(SANDBOX));
}

async function acceptConsentIfAsked(page: Page, done: () => boolean | Promise<boolean>): Promise<void> {
  const accept = page.getByRole('button', { name: 'Accept' });
  await expect.poll(async () => (await accept.isVisible()) || (await done()), { timeout: 15_000 }).toBe(true);
  if (await accept.isVisible()) await accept.press('Enter');
}

async function codeFlowTokens(page: Page): Promise<void> {
  await page.goto('/flows/authorization-code?present=1');
  await page.getByRole('button', { name: 'Sign in at the authorization server' }).press('Enter');
  await signIn(page);
  await page.getByRole('button', { name: 'Redeem the code' }).press('Enter');
  await expect(page.getByRole('heading', { name: 'Refresh token' })).toBeVisible();
}

/** Moves inside the app: a reload would drop the tokens this tab keeps in memory. */
async function openInApp(page: Page, linkName: string): Promise<void> {
  await page.getByRole('navigation').getByRole('link', { name: linkName }).first().press('Enter');
}

async function pickEarlier(page: Page, kind: 'access token' | 'refresh token'): Promise<void> {
  const picker = page.getByLabel(`Use the ${kind} from an earlier run`);
  await picker.selectOption({ index: 1 });
}

async function portal(request: APIRequestContext, path: string, data: unknown): Promise<void> {
  const lab = (await (await request.get('/lab-config.json')).json()) as { sandboxOrigin: string };
  const appOrigin = new URL(test.info().project.use.baseURL ?? 'http://localhost:47173').origin;
  const res = await request.post(`${lab.sandboxOrigin}/portal/${path}`, {
    headers: { origin: appOrigin },
    data,
  });
  expect(res.status()).toBe(200);
}

test.describe('presenter mode', () => {
  for (const viewport of VIEWPORTS) {
    test.describe(viewport.name, () => {
      test.use({ viewport: sizeOf(viewport) });

      test('the header toggle and ?present=1 / ?present=0 switch it for the tab, with larger type', async ({
        page,
      }) => {
        await page.goto('/');
        const toggle = page.getByRole('button', { name: 'Presenter mode' });
        await expect(toggle).toHaveAttribute('aria-pressed', 'false');
        const normal = await page.evaluate(() => parseFloat(getComputedStyle(document.body).fontSize));
        await toggle.focus();
        await toggle.press('Enter');
        await expect(toggle).toHaveAttribute('aria-pressed', 'true');
        await expect(page.locator('body')).toHaveClass(/\bpresenter\b/);
        const large = await page.evaluate(() => parseFloat(getComputedStyle(document.body).fontSize));
        expect(large).toBeGreaterThan(normal);
        // The tab remembers it across a reload; ?present=0 turns it off, ?present=1 on again.
        await page.reload();
        await expect(page.getByRole('button', { name: 'Presenter mode' })).toHaveAttribute(
          'aria-pressed',
          'true',
        );
        await page.goto('/flows/client-credentials?present=0');
        await expect(page.getByRole('button', { name: 'Presenter mode' })).toHaveAttribute(
          'aria-pressed',
          'false',
        );
        await expect(page.locator('body')).not.toHaveClass(/\bpresenter\b/);
        await page.goto('/tokens?present=1');
        await expect(page.getByRole('button', { name: 'Presenter mode' })).toHaveAttribute(
          'aria-pressed',
          'true',
        );
        // Nothing is wider than the screen.
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow).toBeLessThanOrEqual(0);
      });

      test('a token response: every token masked, each with its own keyboard reveal; the page passes axe', async ({
        page,
        context,
      }) => {
        const credentials = collectCredentials(context);
        await page.goto('/flows/client-credentials?present=1');
        await page.getByRole('button', { name: 'Request the token' }).press('Enter');
        await expect(page.getByText('Sent through the local relay', { exact: true })).toBeVisible();
        await expectScreenClean(page, credentials, 'client credentials');
        const exchange = page.locator('.http-exchange').last();
        const reveal = exchange.getByRole('button', { name: 'Reveal access_token' });
        await reveal.focus();
        await reveal.press('Enter');
        await expect(reveal).toHaveAttribute('aria-pressed', 'true');
        // The token response's body is read as it arrives (collectCredentials): wait for it.
        await expect.poll(() => [...credentials].some((value) => value.startsWith('eyJ'))).toBe(true);
        const token = [...credentials].find((value) => value.startsWith('eyJ'))!;
        await expect(exchange).toContainText(token);
        await reveal.press('Space');
        await expect(exchange).not.toContainText(token);
        // The encoded token's text area is drawn as discs until its own reveal.
        const region = page.getByRole('region', { name: 'Access token', exact: true });
        const encoded = region.getByRole('textbox', { name: 'Access token (encoded)' });
        await expect(encoded).toHaveCSS('-webkit-text-security', 'disc');
        await region.getByRole('button', { name: 'Reveal Access token (encoded)' }).press('Enter');
        await expect(encoded).toHaveCSS('-webkit-text-security', 'none');
        await expectNoAxeViolations(page, `presenter mode: client credentials (${viewport.name})`);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow).toBeLessThanOrEqual(0);
      });
    });
  }
});

test.describe('the screen audit in presenter mode, after every flow', () => {
  test.use({ viewport: { width: 1280, height: 720 } });

  test('authorization code with PKCE', async ({ page, context }) => {
    const credentials = collectCredentials(context);
    await codeFlowTokens(page);
    await expectScreenClean(page, credentials, 'the code flow with PKCE');
  });

  test('authorization code with a client secret', async ({ page, context }) => {
    const credentials = collectCredentials(context);
    await page.goto('/flows/authorization-code?present=1');
    await page.getByRole('checkbox', { name: /Use PKCE/ }).uncheck();
    await page.getByRole('button', { name: 'Sign in at the authorization server' }).press('Enter');
    await signIn(page);
    await page.getByRole('button', { name: 'Redeem the code' }).press('Enter');
    await expect(page.getByText('Sent through the local relay', { exact: true })).toBeVisible();
    await expect(page.getByRole('heading', { name: 'Access token' })).toBeVisible();
    credentials.add(WEB_APP.clientSecret ?? '');
    await expectScreenClean(page, credentials, 'the code flow with a client secret');
  });

  test('client credentials with a secret, then with a certificate', async ({ page, context, request }) => {
    const credentials = collectCredentials(context);
    await page.goto('/flows/client-credentials?present=1');
    await page.getByRole('button', { name: 'Request the token' }).press('Enter');
    await expect(page.getByRole('region', { name: 'Access token' })).toBeVisible();
    credentials.add(WEB_APP.clientSecret ?? '');
    await expectScreenClean(page, credentials, 'client credentials with a secret');

    const registered: string[] = [];
    try {
      await page.getByRole('radio', { name: /Certificate/ }).check();
      await page.getByRole('button', { name: 'Generate a key pair and certificate' }).press('Enter');
      const thumbprint = page.getByTestId('thumbprint-sha256');
      await expect(thumbprint).toHaveText(/^[A-Za-z0-9_-]{43}$/);
      registered.push((await thumbprint.textContent()) ?? '');
      await page.getByRole('button', { name: 'Register on the sandbox' }).press('Enter');
      await expect(page.getByText('Registered: the sandbox now trusts the certificate')).toBeVisible();
      await page.getByRole('button', { name: 'Sign the client assertion' }).press('Enter');
      await expect(page.getByRole('region', { name: 'Client assertion', exact: true })).toBeVisible();
      await page.getByRole('button', { name: 'Request the token' }).press('Enter');
      await expect(page.getByRole('list', { name: 'What this token is' })).toContainText('certificate');
      await expectScreenClean(page, credentials, 'client credentials with a certificate');
    } finally {
      for (const t of registered) await request.delete(`${CERTIFICATES}/${encodeURIComponent(t)}`);
    }
  });

  test('device code: the device_code masked, the user code readable', async ({ page, context }) => {
    const credentials = collectCredentials(context);
    await page.goto('/flows/device-code?present=1');
    await page.getByRole('button', { name: 'Request a device code' }).press('Enter');
    const userCode = page.getByTestId('user-code');
    await expect(userCode).toHaveText(/^[A-Z]{9}$/);
    const code = (await userCode.textContent()) ?? '';
    await expectScreenClean(page, credentials, 'a device code request');
    const link = page.getByRole('link', { name: `${SANDBOX}/devicelogin` });
    const [verification] = await Promise.all([context.waitForEvent('page'), link.press('Enter')]);
    await verification.getByLabel('Code').fill(code);
    await verification.getByRole('button', { name: 'Next' }).press('Enter');
    await verification.getByLabel('Username').fill(ADELE.username);
    await verification.getByLabel('Password').fill(ADELE.password);
    await verification.getByRole('button', { name: 'Sign in' }).press('Enter');
    const signedIn = verification.getByRole('heading', { name: "You're signed in" });
    await acceptConsentIfAsked(verification, () => signedIn.isVisible());
    await expect(page.getByRole('heading', { name: 'Access token' })).toBeVisible({ timeout: 20_000 });
    await verification.close();
    await expectScreenClean(page, credentials, 'the device code flow');
  });

  test('on-behalf-of: both hops and the call to API B', async ({ page, context }) => {
    const credentials = collectCredentials(context);
    await page.goto('/flows/on-behalf-of?present=1');
    await page.getByRole('button', { name: 'Get a user token for the API' }).press('Enter');
    await signIn(page);
    await page.getByRole('button', { name: 'Redeem the code for the user token' }).press('Enter');
    await expect(page.getByText('The token was issued to API A for a user')).toBeVisible();
    await page.getByRole('button', { name: 'Exchange the token (on-behalf-of)' }).press('Enter');
    await expect(page.getByText('Sent through the local relay', { exact: true })).toBeVisible();
    await page.getByRole('button', { name: 'Call API B with the new token' }).press('Enter');
    await expect(page.getByText('Adele Vance').first()).toBeVisible();
    await expectScreenClean(page, credentials, 'on-behalf-of');
  });

  test('implicit (id_token token)', async ({ page, context }) => {
    const credentials = collectCredentials(context);
    await page.goto('/flows/implicit?present=1');
    await page.getByRole('button', { name: 'Sign in at the authorization server' }).press('Enter');
    await signIn(page);
    await expect(page.getByText('The fragment was read and removed')).toBeVisible();
    await expectScreenClean(page, credentials, 'the implicit flow');
  });

  test('hybrid (code id_token)', async ({ page, context }) => {
    const credentials = collectCredentials(context);
    await page.goto('/flows/implicit?present=1');
    await page.getByLabel('response_type').selectOption('code id_token');
    await page.getByRole('button', { name: 'Sign in at the authorization server' }).press('Enter');
    await signIn(page);
    await page.getByRole('button', { name: 'Redeem the code' }).press('Enter');
    await expect(page.getByRole('heading', { name: 'From the token endpoint (hybrid)' })).toBeVisible();
    await expectScreenClean(page, credentials, 'the hybrid flow');
  });

  test('password (ROPC)', async ({ page, context, request }) => {
    await portal(request, `apps/${CONSOLE_APP.clientId}/consents`, { user: ADELE.username });
    const credentials = collectCredentials(context);
    await page.goto('/flows/password?present=1');
    await page.getByLabel('username').fill(ADELE.username);
    await page.getByLabel(/^password/).fill(ADELE.password);
    await page.getByRole('button', { name: 'Send the password' }).press('Enter');
    await expect(page.getByRole('heading', { name: 'Access token' })).toBeVisible();
    credentials.add(ADELE.password);
    await expectScreenClean(page, credentials, 'the password grant');
  });

  test('refresh token, from an earlier code flow run', async ({ page, context }) => {
    const credentials = collectCredentials(context);
    await codeFlowTokens(page);
    await openInApp(page, 'Refresh token');
    await pickEarlier(page, 'refresh token');
    await expect(page.getByLabel('Refresh token to redeem')).not.toHaveValue('');
    await expectScreenClean(page, credentials, 'a refresh token picked');
    await page.getByRole('button', { name: 'Redeem the refresh token' }).press('Enter');
    await expect(page.getByText('Sent from the browser', { exact: true })).toBeVisible();
    await expect(page.getByRole('region', { name: 'Access token' })).toBeVisible();
    await expectScreenClean(page, credentials, 'the refresh token grant');
  });

  test('call an API with an earlier access token', async ({ page, context }) => {
    const credentials = collectCredentials(context);
    await codeFlowTokens(page);
    await openInApp(page, 'Call an API with a token');
    await pickEarlier(page, 'access token');
    await expect(page.getByLabel('Access token to send')).not.toHaveValue('');
    await page.getByRole('button', { name: 'Send the request' }).press('Enter');
    await expect(page.getByText('Sent from the browser', { exact: true })).toBeVisible();
    await expectScreenClean(page, credentials, 'calling an API');
  });

  test('/tokens with a pasted token', async ({ page, context }) => {
    const credentials = collectCredentials(context);
    await codeFlowTokens(page);
    // The token response's body is read as it arrives (collectCredentials): wait for it.
    await expect.poll(() => [...credentials].some((value) => value.startsWith('eyJ'))).toBe(true);
    const token = [...credentials].find((value) => value.startsWith('eyJ'))!;
    await openInApp(page, 'Token inspector');
    const input = page.getByLabel('Token', { exact: true });
    await input.fill(token);
    await expect(input).toHaveCSS('-webkit-text-security', 'disc');
    await expect(page.getByRole('region', { name: 'The token' })).toBeVisible();
    await expectScreenClean(page, credentials, 'the token inspector');
  });
});

test.describe('presenter mode in Settings', () => {
  test.use({ viewport: { width: 1280, height: 720 } });

  test('a sandbox app chosen for a profile: its secret stays masked, with its own reveal', async ({
    page,
  }) => {
    await page.goto('/settings?present=1');
    await page
      .getByRole('group', { name: 'Sandbox app registrations' })
      .getByRole('button', { name: 'Flow Lab Web App' })
      .first()
      .click();
    const secret = page.getByLabel('Client secret', { exact: true }).first();
    await expect(secret).toHaveValue(WEB_APP.clientSecret ?? '');
    await expectScreenClean(
      page,
      new Set([WEB_APP.clientSecret ?? '']),
      'choosing a sandbox app in Settings',
    );
  });
});

test.describe('export this run', () => {
  test('client credentials: the Markdown download has the run and no secret or token', async ({
    page,
    context,
  }) => {
    const credentials = collectCredentials(context);
    await page.goto('/flows/client-credentials');
    await page.getByRole('button', { name: 'Request the token' }).press('Enter');
    await expect(page.getByRole('region', { name: 'Access token' })).toBeVisible();
    credentials.add(WEB_APP.clientSecret ?? '');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export this run (Markdown)' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^flow-lab-client-credentials-.*\.md$/);
    const text = readFileSync(await download.path(), 'utf8');
    expect(text).toContain('# Client credentials: a run');
    expect(text).toMatch(/### 1\. POST \S+\/oauth2\/v2\.0\/token — HTTP 200/);
    expect(text).toContain('[redacted:access_token]');
    expect(text).toContain('```mermaid');
    for (const value of [...credentials].filter((v) => v.length >= 8)) expect(text).not.toContain(value);

    const [html] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export as HTML' }).click(),
    ]);
    const page2 = readFileSync(await html.path(), 'utf8');
    expect(page2).toContain('<h1>Client credentials: a run</h1>');
    // The diagram as drawn on the page, with no script.
    expect(page2).toMatch(/<div class="diagram"><svg[\s\S]*<\/svg><\/div>/);
    expect(page2).not.toMatch(/<script/i);
    for (const value of [...credentials].filter((v) => v.length >= 8)) expect(page2).not.toContain(value);
  });
});
