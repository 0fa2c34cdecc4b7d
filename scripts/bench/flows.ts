/**
 * Section 3, flow timing against the sandbox, each in a fresh browser context: authorization code + PKCE
 * (click on "Generate verifier and challenge" to the decoded tokens on screen, sign-in and consent
 * automated) and client credentials with a secret (click on "Request the token" to the decoded token).
 * Beside each, its floor: the same HTTP round-trips with plain Node fetch, as the sandbox tests make them.
 */
import type { Browser, Page } from '@playwright/test';
import { DEFAULT_SETTINGS } from '../../server/sandbox/settings.ts';
import { SANDBOX_TENANT } from '../../server/sandbox/seed.ts';
import {
  Browser as FetchBrowser,
  generatePkce,
  signIn,
  SPA,
  tokenRequest,
  WEB,
} from '../../server/sandbox/test-support.ts';
import type { RunningSandbox } from '../../server/sandbox/index.ts';
import { DEFAULT_SCOPE } from '../../src/flows/authorization-code.ts';
import { newBenchContext } from './chromium.ts';
import { figureFor, heading, median, printFigures, type SectionResult } from './report.ts';
import { APP_ORIGIN, SANDBOX_ORIGIN, SANDBOX_PORT } from './servers.ts';

const SECTION = 'Flows';
const figure = figureFor(SECTION);
const RUNS = 5;
const MAX_RATIO = 2;
const USER = 'adele@flowlab-sandbox.onmicrosoft.com';
const PASSWORD = 'Sandbox-Adele-1';
const STEP_TIMEOUT_MS = 20_000;

/** The running sandbox as test-support's helpers address it (they only need its origin). */
const sandbox: RunningSandbox = {
  origin: SANDBOX_ORIGIN,
  port: SANDBOX_PORT,
  issuer: `${SANDBOX_ORIGIN}/${SANDBOX_TENANT.id}/v2.0`,
  settings: DEFAULT_SETTINGS,
  close: () => Promise.resolve(),
};

/** One timed run: total ms and the time at each mark since the start. */
interface Run {
  readonly totalMs: number;
  readonly marks: Readonly<Record<string, number>>;
  /** The same run timed from Node, around Playwright's calls (includes its polling). */
  readonly harnessMs?: number;
}

/** Wall-clock ms with sub-ms precision; the page's `timeOrigin + now()` is on the same clock. */
const now = () => performance.timeOrigin + performance.now();

function stopwatch(start = now()) {
  const marks: Record<string, number> = {};
  return {
    mark: (name: string, at = now()) => {
      marks[name] = at - start;
    },
    done: (end = now()): Run => ({ totalMs: end - start, marks }),
  };
}

declare global {
  interface Window {
    __benchClickAt?: number;
    __benchTokensShownAt?: number;
  }
}

/**
 * In every document of the context: the wall-clock time of the first click, and of the first animation
 * frame after a heading "Access token" (a decoded token's view) entered the DOM.
 */
function installFlowTimers(): void {
  document.addEventListener(
    'click',
    (event) => {
      window.__benchClickAt ??= performance.timeOrigin + event.timeStamp;
    },
    { capture: true },
  );
  const observer = new MutationObserver(() => {
    const shown = [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')].some(
      (h) => h.textContent?.trim() === 'Access token',
    );
    if (!shown) return;
    observer.disconnect();
    requestAnimationFrame(() => {
      window.__benchTokensShownAt = performance.timeOrigin + performance.now();
    });
  });
  observer.observe(document, { childList: true, subtree: true });
}

async function inFreshPage(browser: Browser, run: (page: Page) => Promise<Run>): Promise<Run> {
  const context = await newBenchContext(browser);
  try {
    await context.addInitScript(installFlowTimers);
    const page = await context.newPage();
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    return await run(page);
  } finally {
    await context.close();
  }
}

/** Clicks `button` and returns the wall-clock time the page saw the click. */
async function clickTimed(page: Page, name: string): Promise<number> {
  const button = page.getByRole('button', { name });
  await button.waitFor();
  await button.click();
  const at = await page.evaluate(() => window.__benchClickAt);
  if (at === undefined) throw new Error(`the page saw no click on "${name}"`);
  return at;
}

/** Waits for the decoded token on screen; the wall-clock time of the frame that showed it. */
async function tokensShown(page: Page): Promise<number> {
  await page.getByRole('heading', { name: 'Access token' }).waitFor();
  const handle = await page.waitForFunction(() => window.__benchTokensShownAt);
  return (await handle.jsonValue()) ?? now();
}

/** Authorization code + PKCE through the app, as a person would click it. */
function authCodeInApp(browser: Browser): Promise<Run> {
  return inFreshPage(browser, async (page) => {
    await page.goto(`${APP_ORIGIN}/flows/authorization-code`);
    const harnessStart = now();
    const watch = stopwatch(await clickTimed(page, 'Generate verifier and challenge'));
    await page.getByTestId('code-challenge').waitFor();
    watch.mark('challenge shown');
    await page.getByRole('button', { name: 'Sign in at the authorization server' }).click();
    await page.getByLabel('Username').fill(USER);
    watch.mark('sign-in page filled in');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('button', { name: 'Accept' }).click();
    const redeem = page.getByRole('button', { name: 'Redeem the code' });
    await redeem.waitFor();
    // Consent accepted, the redirect back loads the app anew at /callback: this document's start.
    watch.mark('back at /callback', await page.evaluate(() => performance.timeOrigin));
    watch.mark('redeem shown');
    await redeem.click();
    const end = await tokensShown(page);
    watch.mark('redeem clicked', await page.evaluate(() => window.__benchClickAt ?? 0));
    const run = watch.done(end);
    return { ...run, harnessMs: now() - harnessStart };
  });
}

/** Client credentials with the seeded secret, through the app and its relay. */
function clientCredentialsInApp(browser: Browser): Promise<Run> {
  return inFreshPage(browser, async (page) => {
    await page.goto(`${APP_ORIGIN}/flows/client-credentials`);
    const harnessStart = now();
    const watch = stopwatch(await clickTimed(page, 'Request the token'));
    const run = watch.done(await tokensShown(page));
    return { ...run, harnessMs: now() - harnessStart };
  });
}

/** The floor: authorize → sign-in POST → consent POST → token exchange, with cookies, as test-support does. */
async function authCodeFloor(): Promise<Run> {
  const watch = stopwatch();
  const pkce = generatePkce();
  const redirectUri = `${APP_ORIGIN}/callback`;
  const back = await signIn(sandbox, new FetchBrowser(sandbox), {
    scope: DEFAULT_SCOPE,
    pkce,
    extra: { redirect_uri: redirectUri, response_mode: 'query' },
  });
  watch.mark('code received');
  const code = back.searchParams.get('code');
  if (code === null) throw new Error(`no code in ${back.href}`);
  const token = await tokenRequest(
    sandbox,
    {
      grant_type: 'authorization_code',
      client_id: SPA.clientId,
      code,
      redirect_uri: redirectUri,
      code_verifier: pkce.verifier,
    },
    { origin: APP_ORIGIN },
  );
  if (token.status !== 200)
    throw new Error(`token exchange answered ${token.status}: ${JSON.stringify(token.body)}`);
  return watch.done();
}

/** The floor: one token POST. */
async function clientCredentialsFloor(): Promise<Run> {
  const watch = stopwatch();
  const token = await tokenRequest(sandbox, {
    grant_type: 'client_credentials',
    client_id: WEB.clientId,
    client_secret: WEB.clientSecret ?? '',
    scope: 'https://graph.microsoft.com/.default',
  });
  if (token.status !== 200)
    throw new Error(`token request answered ${token.status}: ${JSON.stringify(token.body)}`);
  return watch.done();
}

/** One warm-up run (not counted), then RUNS timed runs. */
async function timed(label: string, once: () => Promise<Run>): Promise<Run[]> {
  await once();
  const runs: Run[] = [];
  for (let i = 0; i < RUNS; i += 1) runs.push(await once());
  const at = (run: Run) =>
    Object.entries(run.marks)
      .sort(([, a], [, b]) => a - b)
      .map(([mark, ms]) => `${mark} ${Math.round(ms)}`)
      .join(', ');
  const harness = runs.some((r) => r.harnessMs !== undefined)
    ? ` (seen from Node around Playwright: ${runs.map((r) => Math.round(r.harnessMs ?? 0)).join(', ')} ms)`
    : '';
  console.log(`  ${label}: ${runs.map((r) => Math.round(r.totalMs)).join(', ')} ms${harness}`);
  for (const run of runs)
    if (Object.keys(run.marks).length > 0) console.log(`      ${at(run)}, done ${Math.round(run.totalMs)}`);
  return runs;
}

export async function benchFlows(browser: Browser): Promise<SectionResult> {
  heading(`3. Flow timing against the sandbox (median of ${RUNS}, after one warm-up run)`);
  const results = {
    authCodeApp: await timed('authorization code + PKCE in the app', () => authCodeInApp(browser)),
    authCodeFloor: await timed('authorization code floor (Node fetch)', authCodeFloor),
    clientCredentialsApp: await timed('client credentials in the app', () => clientCredentialsInApp(browser)),
    clientCredentialsFloor: await timed('client credentials floor (Node fetch)', clientCredentialsFloor),
  };
  const med = (runs: readonly Run[]) => median(runs.map((r) => r.totalMs));
  const ratio = (app: number | undefined, floor: number | undefined) =>
    app === undefined || floor === undefined || floor === 0 ? undefined : app / floor;
  const authApp = med(results.authCodeApp);
  const authFloor = med(results.authCodeFloor);
  const ccApp = med(results.clientCredentialsApp);
  const ccFloor = med(results.clientCredentialsFloor);
  const limit = (floor: number | undefined) =>
    floor === undefined
      ? undefined
      : { op: '<=' as const, limit: MAX_RATIO * floor, basis: `${MAX_RATIO}× floor` };
  const authLimit = limit(authFloor);
  const ccLimit = limit(ccFloor);
  const authRatio = ratio(authApp, authFloor);
  const ccRatio = ratio(ccApp, ccFloor);
  const figures = [
    figure('auth code + PKCE: click to tokens shown', authApp, 'ms', authLimit, {
      note: `${authRatio?.toFixed(1) ?? 'n/a'}× its floor`,
    }),
    figure('auth code floor: HTTP round-trips only', authFloor, 'ms'),
    figure('client credentials: click to token shown', ccApp, 'ms', ccLimit, {
      note: `${ccRatio?.toFixed(1) ?? 'n/a'}× its floor`,
    }),
    figure('client credentials floor: one token POST', ccFloor, 'ms'),
  ];
  console.log('');
  printFigures(figures);
  return { figures, details: results };
}
