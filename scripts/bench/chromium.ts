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
 * The URL path of every request a page of a bench context made, whatever the section: the bundle
 * section's "chunks no route loads" counts what the whole run loaded, a step clicked in the flows
 * section included.
 */
export const requestedPaths = new Set<string>();

/**
 * A fresh context whose pages define `__name`: tsx compiles with esbuild's keepNames, which wraps inner
 * functions in `__name(...)`, and functions sent to the page with evaluate or addInitScript keep that call.
 * Every request its pages make is added to `requestedPaths`.
 */
export async function newBenchContext(browser: Browser): Promise<BrowserContext> {
  const context = await browser.newContext();
  await context.addInitScript({ content: 'globalThis.__name = (fn) => fn;' });
  context.on('request', (request) => {
    requestedPaths.add(new URL(request.url()).pathname);
  });
  return context;
}
