import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';

/**
 * Issue 9 item 5 in a real Chromium: a page on another origin cannot frame the sandbox's pages (a
 * device-code phishing page framing /devicelogin), while the same pages still open on their own.
 *
 * The framing page comes from a small server of this spec on 127.0.0.1: a page Playwright's router
 * invents counts as a public one, and Chromium's Local Network Access checks would stop it loading
 * localhost at all, which would prove nothing about the sandbox's headers.
 */

async function sandboxOrigin(request: APIRequestContext): Promise<string> {
  return ((await (await request.get('/lab-config.json')).json()) as { sandboxOrigin: string }).sandboxOrigin;
}

let framer: Server;
let framerPort = 0;

test.beforeAll(async () => {
  framer = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/plain') {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<p>Sandbox tenant look-alike</p>');
      return;
    }
    const src = url.searchParams.get('src') ?? '';
    const escaped = src.replaceAll('&', '&amp;').replaceAll('"', '&quot;').replaceAll('<', '&lt;');
    res
      .writeHead(200, { 'content-type': 'text/html' })
      .end(
        `<!DOCTYPE html><title>Enter your code</title><iframe title="framed" src="${escaped}" width="600" height="400"></iframe>`,
      );
  });
  await new Promise<void>((resolve) => framer.listen(0, '127.0.0.1', resolve));
  framerPort = (framer.address() as AddressInfo).port;
});

test.afterAll(async () => {
  await new Promise((resolve) => framer.close(resolve));
});

/** The framing page on 127.0.0.1, another origin than the sandbox's localhost one. */
const framingPage = (src: string): string =>
  `http://127.0.0.1:${framerPort}/frame?${new URLSearchParams({ src })}`;

/** The text the frame shows, or '' when Chromium shows its blocked-page document instead. */
async function frameText(page: Page): Promise<{ url: string; text: string }> {
  const frame = page.frames().find((f) => f !== page.mainFrame());
  if (!frame) return { url: '', text: '' };
  await frame.waitForLoadState('load').catch(() => undefined);
  const text = await frame.evaluate(() => document.body?.innerText ?? '').catch(() => '');
  return { url: frame.url(), text };
}

test.describe('sandbox pages refuse to be framed by another origin', () => {
  test('control: a cross-origin page without the headers does render in the same frame', async ({ page }) => {
    await page.goto(framingPage(`http://localhost:${framerPort}/plain`));
    await expect.poll(async () => (await frameText(page)).text).toContain('Sandbox tenant');
  });

  for (const path of ['/devicelogin', '/', '/interaction/nothing-here']) {
    test(`${path}: Chromium refuses to render it in a frame; on its own it renders`, async ({
      page,
      request,
    }) => {
      const origin = await sandboxOrigin(request);
      const target = `${origin}${path}`;
      // Chromium cancels a frame whose response forbids framing: the request fails, it gets no response.
      const blocked = page.waitForEvent('requestfailed', {
        predicate: (r) => r.url() === target,
        timeout: 15_000,
      });
      await page.goto(framingPage(target));
      expect((await blocked).failure()?.errorText).toMatch(/ERR_BLOCKED_BY_RESPONSE/);
      const headers = (await request.get(target)).headers();
      expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(headers['x-frame-options']).toBe('DENY');
      // In the frame Chromium shows its blocked-page document: no sandbox text.
      const framed = await frameText(page);
      expect(framed.text).not.toMatch(/Sandbox tenant|Enter code|Sign in/);

      await page.goto(target);
      await expect(page.getByText('Sandbox tenant').first()).toBeVisible();
    });
  }
});
