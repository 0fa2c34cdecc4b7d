import { expect, test, type Page, type Route } from '@playwright/test';
import { DEEPLY_NESTED_TOKEN, expectNoInjectedMarkup, guardPage, HOSTILE_TOKENS } from './support/hostile.ts';

/**
 * Hostile input through the real UI: the token inspector, the redirect URI, and token endpoint
 * answers rewritten in flight after a real sign-in at the sandbox. Every case must end with a clear
 * message, the user's input still there, and no uncaught page error or injected script.
 */

const USER = 'adele@flowlab-sandbox.onmicrosoft.com';
const PASSWORD = 'Sandbox-Adele-1';
const TYPED_SCOPE = 'openid profile User.Read';

let guard: { readonly errors: string[] };
test.beforeEach(({ page }) => {
  guard = guardPage(page);
});
test.afterEach(() => {
  expect(guard.errors).toEqual([]);
});

const claimRow = (page: Page, claim: string) =>
  page.locator('tr', { has: page.locator('th code', { hasText: new RegExp(`^${claim}$`) }) }).first();

test.describe('token inspector with hostile tokens', () => {
  for (const [name, { token, expect: expected }] of Object.entries(HOSTILE_TOKENS)) {
    test(`${name}: a precise answer, the pasted text kept`, async ({ page }) => {
      await page.goto('/tokens');
      const input = page.getByLabel('Token', { exact: true });
      await input.fill(token);
      if ('alert' in expected) {
        const alert = page.getByRole('alert');
        await expect(alert).toContainText('Not a well-formed JWT');
        await expect(alert).toContainText(expected.alert);
      } else if ('status' in expected) {
        await expect(page.getByRole('status').filter({ hasText: expected.status })).toBeVisible();
      } else {
        await expect(claimRow(page, expected.claim)).toContainText(expected.shows);
      }
      await expectNoInjectedMarkup(page);
      // The user's paste is still in the field, exactly.
      expect(await input.inputValue()).toBe(token);
    });
  }

  // Regression (src/protocol/claims.ts, formatValue recursion): a 20 kB token with a claim of arrays
  // 10 000 levels deep overflows the stack during render; the page falls to the error boundary
  // ("This page hit a bug") and the pasted token is gone.
  test('a claim nested 10 000 arrays deep keeps the page and the paste', async ({ page }) => {
    await page.goto('/tokens');
    const input = page.getByLabel('Token', { exact: true });
    await input.fill(DEEPLY_NESTED_TOKEN);
    await expect(page.getByRole('heading', { name: 'This page hit a bug' })).toHaveCount(0, {
      timeout: 3_000,
    });
    expect(await input.inputValue({ timeout: 3_000 })).toBe(DEEPLY_NESTED_TOKEN);
  });
});

test.describe('the redirect URI with no sign-in pending', () => {
  const LONG = 'L'.repeat(50_000);
  const CASES: Record<string, string> = {
    'a stray code and state': '/callback?code=abc&state=xyz',
    'a repeated code': '/callback?code=a&code=b&state=s',
    'percent-encoding garbage': '/callback?%E0%A4%A=%ZZ&code=%&state=%%',
    '__proto__ and constructor parameters': '/callback?__proto__[x]=1&constructor=2&code=c',
    'a 50 000-character code in the fragment': `/callback#code=${LONG}&state=s`,
    'no parameters at all': '/callback',
  };
  for (const [name, path] of Object.entries(CASES)) {
    test(`${name}: explained, and the code leaves the address bar`, async ({ page }) => {
      await page.goto(path);
      await expect(page.getByRole('heading', { name: 'No sign-in in progress in this tab' })).toBeVisible();
      expect(page.url()).not.toContain('code=');
    });
  }

  test('injected HTML and script in error and error_description are shown as text', async ({ page }) => {
    await page.goto(
      '/callback?error=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E&error_description=%3Cscript%3Ealert(2)%3C%2Fscript%3E',
    );
    await expect(page.getByRole('heading', { name: 'No sign-in in progress in this tab' })).toBeVisible();
    await expect(page.getByText('<img src=x onerror=alert(1)>')).toBeVisible();
    await expect(page.getByText('<script>alert(2)</script>')).toBeVisible();
    await expectNoInjectedMarkup(page);
  });
});

/** Starts a sign-in from the code flow page with a scope the user typed; returns the state it sent. */
async function startSignIn(page: Page): Promise<string> {
  await page.goto('/flows/authorization-code');
  await page.getByLabel('scope').fill(TYPED_SCOPE);
  const preview = (await page.locator('.url-preview').first().textContent()) ?? '';
  const state = /[?&]state=([A-Za-z0-9_-]+)/.exec(preview)?.[1] ?? '';
  expect(state).not.toBe('');
  await page.getByRole('button', { name: 'Sign in at the authorization server' }).click();
  await expect(page.getByText('Sandbox tenant').first()).toBeVisible();
  return state;
}

test.describe('the redirect URI with a sign-in pending', () => {
  const CASES: Record<string, { query: (state: string) => string; alert?: RegExp[]; accepted?: true }> = {
    'a forged state': { query: () => '?code=attacker&state=forged', alert: [/State mismatch/, /CSRF/] },
    'no state at all': { query: () => '?code=attacker', alert: [/State mismatch/] },
    'a repeated code (code injection)': {
      query: (s) => `?code=a&code=b&state=${s}`,
      alert: [/Repeated parameter/],
    },
    'a repeated state': { query: (s) => `?code=a&state=${s}&state=${s}`, alert: [/Repeated parameter/] },
    'an error with injected HTML': {
      query: (s) =>
        `?error=invalid_request&error_description=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E&state=${s}`,
      alert: [/Malformed request/, /<img src=x onerror=alert\(1\)>/],
    },
    'declined consent': {
      query: (s) => `?error=access_denied&error_description=AADSTS65004%3A+declined&state=${s}`,
      alert: [/Consent declined/],
    },
    'an unknown error code with odd fields': {
      query: (s) => `?error=%00weird%E2%80%AE&error_codes=not-a-list&state=${s}`,
      alert: [/not a standard OAuth error/],
    },
    'neither code nor error': {
      query: (s) => `?state=${s}&session_state=x`,
      alert: [/Something is missing/],
    },
    'an issuer of another server (mix-up)': {
      query: (s) => `?code=c&state=${s}&iss=https%3A%2F%2Fevil.example`,
      alert: [/mix-up/],
    },
    'percent-encoding garbage in the code': { query: (s) => `?code=%E0%A4%A%ZZ&state=${s}`, accepted: true },
    'a 50 000-character code in the fragment': {
      query: (s) => `#code=${'c'.repeat(50_000)}&state=${s}`,
      accepted: true,
    },
  };
  for (const [name, { query, alert, accepted }] of Object.entries(CASES)) {
    test(`${name}: a clear answer, the typed scope kept`, async ({ page }) => {
      const state = await startSignIn(page);
      await page.goto(`/callback${query(state)}`);
      await expect(page).toHaveURL(/\/flows\/authorization-code$/);
      if (accepted) {
        await expect(page.getByText('the state matches what this tab sent')).toBeVisible();
        await expect(page.getByRole('alert')).toHaveCount(0);
      } else {
        const box = page.getByRole('alert');
        for (const text of alert ?? []) await expect(box).toContainText(text);
        await expect(page.getByRole('button', { name: 'Redeem the code' })).toHaveCount(0);
      }
      await expectNoInjectedMarkup(page);
      await expect(page.getByLabel('scope')).toHaveValue(TYPED_SCOPE);
    });
  }
});

/** Signs in for real at the sandbox, back on the flow page with a code ready to redeem. */
async function signInToRedeem(page: Page): Promise<void> {
  await startSignIn(page);
  await page.getByLabel('Username').fill(USER);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Accept' }).click();
  await expect(page.getByRole('button', { name: 'Redeem the code' })).toBeVisible();
}

type Fulfil = (route: Route) => Promise<void>;
const CORS = { 'Access-Control-Allow-Origin': '*' };
const body =
  (status: number, text: string, contentType = 'application/json'): Fulfil =>
  (route) =>
    route.fulfill({ status, body: text, headers: { ...CORS, 'Content-Type': contentType } });

test.describe('token endpoint answers rewritten in flight', () => {
  const CASES: Record<string, { fulfil: Fulfil; alert: RegExp[] }> = {
    'an HTML login page with 200': {
      fulfil: body(200, '<!DOCTYPE html><html><body><form>Sign in</form></body></html>', 'text/html'),
      alert: [/Unreadable response/, /HTTP 200 with an HTML page/],
    },
    'an empty 200': { fulfil: body(200, ''), alert: [/Unreadable response/, /empty body/] },
    'truncated JSON': {
      fulfil: body(200, '{"token_type":"Bearer","access_token":"eyJ0eX'),
      alert: [/not JSON/],
    },
    'a 500 with text': {
      fulfil: body(500, 'Internal Server Error', 'text/plain'),
      alert: [/HTTP 500 with text that is not JSON/],
    },
    'a 500 with an empty object': {
      fulfil: body(500, '{}'),
      alert: [/HTTP 500 without an OAuth error field/],
    },
    'access_token of the wrong type': {
      fulfil: body(200, JSON.stringify({ token_type: 'Bearer', access_token: 123, id_token: ['x'] })),
      alert: [/access_token/],
    },
    'a JSON array': { fulfil: body(200, '[{"access_token":"a"}]'), alert: [/not an object/] },
    'JSON null': { fulfil: body(200, 'null'), alert: [/not an object/] },
    'an error body with odd fields': {
      fulfil: body(
        400,
        JSON.stringify({ error: 'invalid_grant', error_codes: 'x', error_description: { html: '<b>' } }),
      ),
      alert: [/Grant rejected/, /invalid_grant/],
    },
    'an error named constructor': {
      fulfil: body(
        400,
        JSON.stringify({ error: 'constructor', error_description: '<script>alert(1)</script>' }),
      ),
      alert: [/not a standard OAuth error/, /<script>alert\(1\)<\/script>/],
    },
    'a 1 MB HTML page': {
      fulfil: body(502, `<html>${'<p>bad gateway</p>'.repeat(60_000)}</html>`, 'text/html'),
      alert: [/HTTP 502 with an HTML page/],
    },
    'a very slow 504 (4 s)': {
      fulfil: async (route) => {
        await new Promise((resolve) => setTimeout(resolve, 4_000));
        await body(504, '<html>Gateway Timeout</html>', 'text/html')(route);
      },
      alert: [/HTTP 504 with an HTML page/],
    },
    'the network fails (route aborted)': {
      fulfil: (route) => route.abort('failed'),
      alert: [
        /No readable answer \(network or CORS\)/,
        /unreachable, or it refused this cross-origin request/,
      ],
    },
    'the connection times out (route aborted)': {
      fulfil: (route) => route.abort('timedout'),
      alert: [/No readable answer \(network or CORS\)/],
    },
  };
  for (const [name, { fulfil, alert }] of Object.entries(CASES)) {
    test(`${name}: explained in an alert, the typed scope kept`, async ({ page }) => {
      await signInToRedeem(page);
      await page.route('**/oauth2/v2.0/token', (route) =>
        route.request().method() === 'POST' ? fulfil(route) : route.continue(),
      );
      await page.getByRole('button', { name: 'Redeem the code' }).click();
      const box = page.getByRole('alert');
      for (const text of alert) await expect(box).toContainText(text, { timeout: 15_000 });
      await expect(box).not.toContainText('Unexpected error');
      await expectNoInjectedMarkup(page);
      await expect(page.getByLabel('scope')).toHaveValue(TYPED_SCOPE);
    });
  }

  // Regression (src/ui/components/token-request-panel.tsx): the panel renders <FailurePanel> without
  // context="token", so explain-error.ts's token-specific texts (here CORS_ERROR's "no readable answer
  // from the token endpoint… SPA redirect URIs") never show on any token request step.
  test('a network failure at the token endpoint gets the token-specific explanation', async ({ page }) => {
    await signInToRedeem(page);
    await page.route('**/oauth2/v2.0/token', (route) => route.abort('failed'));
    await page.getByRole('button', { name: 'Redeem the code' }).click();
    await expect(page.getByRole('alert')).toContainText('No readable answer');
    await expect(page.getByRole('alert')).toContainText('from the token endpoint', { timeout: 3_000 });
  });
});
