import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test, type Response } from '@playwright/test';
import { gotoWithoutEmbeddedBoot } from './support/boot.ts';

test.describe('security headers', () => {
  test('the built app is served with a strict CSP and no-referrer, and no page breaks it', async ({
    page,
  }) => {
    const violations: string[] = [];
    await page.exposeFunction('reportViolation', (text: string) => violations.push(text));
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        (window as unknown as { reportViolation: (t: string) => void }).reportViolation(
          `${e.violatedDirective} ${e.blockedURI}`,
        );
      });
    });
    const response = await page.goto('/');
    const headers = response?.headers() ?? {};
    expect(headers['content-security-policy']).toContain("script-src 'self'");
    expect(headers['content-security-policy']).not.toContain('unsafe-eval');
    expect(headers['referrer-policy']).toBe('no-referrer');
    // The flow page loads mermaid and draws the diagram: the heaviest thing the CSP must allow.
    await page.goto('/flows/authorization-code');
    await expect(page.locator('.flow-diagram svg')).toBeVisible();
    await page.goto('/tokens');
    await page.goto('/settings');
    expect(violations).toEqual([]);
  });

  test('a page on another localhost port cannot read /lab-config.json (the relay token)', async ({
    page,
    baseURL,
  }) => {
    // Another local web app: the same site as the lab (only the port differs), a different origin.
    const foreign: Server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><title>another local app</title><p>hello</p>');
    });
    await new Promise<void>((resolve) => foreign.listen(0, '127.0.0.1', resolve));
    try {
      const foreignPort = (foreign.address() as AddressInfo).port;
      const configUrl = new URL('/lab-config.json', baseURL).href;
      const answers: Response[] = [];
      page.on('response', (response) => {
        if (response.url() === configUrl) answers.push(response);
      });
      await page.goto(`http://localhost:${foreignPort}/`);
      const outcome = await page.evaluate(async (url) => {
        const tries: string[] = [];
        for (const mode of ['cors', 'no-cors'] as const) {
          try {
            const response = await fetch(url, { mode, credentials: 'include' });
            tries.push(`${mode}: read ${response.type} ${response.status} ${await response.text()}`);
          } catch (error) {
            tries.push(`${mode}: failed ${String(error)}`);
          }
        }
        return tries;
      }, configUrl);
      expect(outcome[0]).toMatch(/^cors: failed TypeError/);
      // An opaque answer: no status, no body.
      expect(outcome[1]).toBe('no-cors: read opaque 0 ');
      expect(outcome.join('\n')).not.toMatch(/relayToken/);
      // The server refused too, not only the browser: Chromium marked the requests same-site.
      expect(answers.length).toBeGreaterThan(0);
      for (const answer of answers) {
        expect(answer.status()).toBe(403);
        expect(answer.headers()['access-control-allow-origin']).toBeUndefined();
        expect(await answer.request().headerValue('sec-fetch-site')).toBe('same-site');
      }
    } finally {
      await new Promise<void>((resolve) => foreign.close(() => resolve()));
    }
  });

  test('pages carry the configuration only for requests /lab-config.json would answer', async ({
    request,
  }) => {
    const boot = /<script type="application\/json" id="lab-boot">([^<]*)<\/script>/;
    const page = (headers: Record<string, string>) =>
      request.get('/flows/client-credentials', { headers: { accept: 'text/html', ...headers } });
    for (const site of ['none', 'same-origin']) {
      const embedded = boot.exec(await (await page({ 'sec-fetch-site': site })).text())?.[1];
      expect(JSON.parse(embedded ?? '{}')).toMatchObject({ config: { relayToken: expect.any(String) } });
    }
    for (const site of ['same-site', 'cross-site'])
      expect(await (await page({ 'sec-fetch-site': site })).text()).not.toContain('relayToken');
    expect(await (await page({ origin: 'http://localhost:5999' })).text()).not.toContain('relayToken');
  });

  test('without it in the page, the app reads its configuration and offers the relay', async ({ page }) => {
    const config = page.waitForResponse((r) => r.url().endsWith('/lab-config.json'));
    await gotoWithoutEmbeddedBoot(page, '/');
    const response = await config;
    // Answered: the server refuses a request a browser marks as from another site (the test above and
    // server/lab-plugin.test.ts); with this test's routes in place Playwright does not show that header.
    expect(response.status()).toBe(200);
    expect(await response.json()).toMatchObject({ relay: true, relayToken: expect.any(String) });
  });

  test('nosniff on every kind of answer: index, a script, lab-config, a relay refusal, a 404; no CORS grant to another port', async ({
    page,
    request,
  }) => {
    const index = await page.goto('/');
    expect(index?.headers()['x-content-type-options']).toBe('nosniff');
    // A prerendered page starts its main script once painted (build/prerender.ts): named in data-main.
    const script = await page.locator('script[type="module"][data-main]').first().getAttribute('data-main');
    expect(script).toMatch(/\.js$/);
    const foreignOrigin = { origin: 'http://localhost:5999' };
    const answers = {
      script: await request.get(script ?? '', { headers: foreignOrigin }),
      route: await request.get('/flows/authorization-code', { headers: foreignOrigin }),
      config: await request.get('/lab-config.json'),
      refusedConfig: await request.get('/lab-config.json', { headers: foreignOrigin }),
      relay: await request.post('/relay/forward', {
        headers: { ...foreignOrigin, 'content-type': 'application/x-www-form-urlencoded' },
        data: 'grant_type=client_credentials',
      }),
      missing: await request.get('/assets/no-such-file.js'),
    };
    expect(answers.script.status()).toBe(200);
    expect(answers.config.status()).toBe(200);
    expect(answers.refusedConfig.status()).toBe(403);
    expect(answers.relay.status()).toBe(403);
    expect(answers.relay.headers()['x-relay-refused']).toBe('1');
    for (const [name, answer] of Object.entries(answers)) {
      expect(answer.headers()['x-content-type-options'], name).toBe('nosniff');
      expect(answer.headers()['access-control-allow-origin'], name).toBeUndefined();
    }
  });
});
