import { test, type Page } from '@playwright/test';

/**
 * Opens `path` as a link from another site would: the app server then embeds neither the lab config
 * nor the sandbox's directory in the page (src/ui/boot.ts, server/page-html.ts), and the app reads both
 * over the network, where a test's routes can fake or refuse them. The step through the sandbox's
 * portal makes the navigation same-site (Sec-Fetch-Site), which the server does not trust with the
 * config; a page answered by a Playwright route instead would lose its loopback address space, and
 * Chromium would then refuse its requests to the sandbox.
 */
export async function gotoWithoutEmbeddedBoot(page: Page, path: string): Promise<void> {
  const base = test.info().project.use.baseURL ?? '';
  const { sandboxOrigin } = (await (
    await page.request.get(new URL('/lab-config.json', base).href)
  ).json()) as {
    sandboxOrigin: string;
  };
  await page.goto(`${sandboxOrigin}/`);
  const target = new URL(path, base).href;
  await Promise.all([
    page.waitForURL(target),
    page.evaluate((url) => {
      window.location.href = url;
    }, target),
  ]);
}
