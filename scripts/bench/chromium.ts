/**
 * The Chromium every section drives: Playwright's own build where installed, else Debian's, with the
 * flags the e2e suite uses (playwright.config.ts).
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext } from '@playwright/test';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export const DEBIAN_CHROMIUM = '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  const own = chromium.executablePath();
  const useOwn = own !== '' && existsSync(own);
  return chromium.launch({ args: CHROMIUM_ARGS, ...(useOwn ? {} : { executablePath: DEBIAN_CHROMIUM }) });
}

/**
 * A fresh context whose pages define `__name`: tsx compiles with esbuild's keepNames, which wraps inner
 * functions in `__name(...)`, and functions sent to the page with evaluate or addInitScript keep that call.
 */
export async function newBenchContext(browser: Browser): Promise<BrowserContext> {
  const context = await browser.newContext();
  await context.addInitScript({ content: 'globalThis.__name = (fn) => fn;' });
  return context;
}
