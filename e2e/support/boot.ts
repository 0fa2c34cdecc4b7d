import { test, type Page } from '@playwright/test';

/**
 * Pages served by the app server carry the lab config and the sandbox's directory (src/ui/boot.ts).
 * A test that fakes `/lab-config.json` or the directory's answer strips them first, so the app reads
 * both over the network, where the test's routes answer — as it does when served without them. Only
 * the app's own page loads are touched.
 */
export async function withoutEmbeddedBoot(page: Page): Promise<void> {
  const appOrigin = new URL(test.info().project.use.baseURL ?? 'http://localhost').origin;
  await page.route(
    (url) => url.origin === appOrigin && !/\.[a-z0-9]+$/i.test(url.pathname),
    async (route) => {
      if (route.request().resourceType() !== 'document') return route.fallback();
      const response = await route.fetch();
      const html = (await response.text()).replace(
        /<script type="application\/json" id="lab-boot">[\s\S]*?<\/script>/,
        '',
      );
      return route.fulfill({ response, body: html });
    },
  );
}
