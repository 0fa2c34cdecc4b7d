/**
 * Section 3, flow timing against the sandbox, each run in a fresh browser context, against a floor taken
 * in the same Chromium with the same automation:
 *
 * - Authorization code + PKCE: from the click on "Sign in at the authorization server" to the decoded
 *   tokens on screen; sign-in, consent and "Redeem the code" are clicked by the automation at once. Its
 *   floor is what a browser cannot avoid: a bare page's button with the same name sends the browser to the
 *   same authorize URL (the app's, with only the redirect URI, state, nonce and challenge its own), the
 *   same fills and clicks sign in and consent, the redirect lands on a bare page that only parses its
 *   address, and that page POSTs the code and verifier to the token endpoint and puts a heading up.
 *   The bare pages are served by a small server this section starts, on a loopback port of its own: the
 *   sandbox, like Entra, accepts any port for a loopback redirect URI, and the app's origin serves the app.
 * - Client credentials with a secret: from the click on "Request the token" to the decoded token, against
 *   the same request replayed in the same page, as the app sends it (through the local relay), plus one
 *   animation frame.
 *
 * Both ends are read in the page (event time of the click, the frame after the heading "Access token"),
 * and every leg between is read from the documents' navigation and resource timing, for app and floor.
 */
import { createServer, type Server } from 'node:http';
import type { Browser, Page } from '@playwright/test';
import { generatePkce } from '../../server/sandbox/test-support.ts';
import { newBenchContext } from './chromium.ts';
import { figureFor, heading, median, printFigures, type SectionResult } from './report.ts';
import { APP_ORIGIN } from './servers.ts';

const SECTION = 'Flows';
const figure = figureFor(SECTION);
const RUNS = 7;
/** Issue 12: the code flow within 1.5× its floor, client credentials within 2× theirs. */
const AUTH_CODE_MAX_RATIO = 1.5;
const CLIENT_CREDENTIALS_MAX_RATIO = 2;
const USER = 'adele@flowlab-sandbox.onmicrosoft.com';
const PASSWORD = 'Sandbox-Adele-1';
const STEP_TIMEOUT_MS = 20_000;
/** The bare pages of the code flow's floor; next to the bench's other ports (servers.ts). */
export const FLOOR_PORT = 47288;
const SIGN_IN_BUTTON = 'Sign in at the authorization server';

/** Where the section points: the app under test, and the port of its bare floor pages. */
export interface FlowTargets {
  readonly appOrigin: string;
  readonly floorPort: number;
}

/** One timed run: total ms and the time at each mark since the start (the click). */
interface Run {
  readonly totalMs: number;
  readonly marks: Readonly<Record<string, number>>;
}

declare global {
  interface Window {
    __benchClick?: (at: number) => Promise<void>;
    __benchTokensShownAt?: number;
    __benchRedeemShownAt?: number;
  }
}

/**
 * In every document of the context: the wall-clock time of each click (handed to Node), of the first animation frame
 * after an enabled "Redeem the code" button is in the DOM, and of the first frame after a heading
 * "Access token" (a decoded token's view, or the floor's page) is.
 */
function installFlowTimers(): void {
  document.addEventListener(
    'click',
    (event) => {
      // To Node at once: a click that navigates leaves no document to ask afterwards.
      void window.__benchClick?.(performance.timeOrigin + event.timeStamp);
    },
    { capture: true },
  );
  const atNextFrame = (set: (at: number) => void) =>
    requestAnimationFrame(() => set(performance.timeOrigin + performance.now()));
  const observer = new MutationObserver(() => {
    if (window.__benchRedeemShownAt === undefined) {
      const redeem = [...document.querySelectorAll('button')].some(
        (b) => b.textContent?.trim() === 'Redeem the code' && !b.disabled,
      );
      if (redeem) {
        window.__benchRedeemShownAt = -1;
        atNextFrame((at) => (window.__benchRedeemShownAt = at));
      }
    }
    const shown = [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')].some(
      (h) => h.textContent?.trim() === 'Access token',
    );
    if (!shown) return;
    observer.disconnect();
    atNextFrame((at) => (window.__benchTokensShownAt = at));
  });
  observer.observe(document, { childList: true, subtree: true });
}

/** A page whose clicks are timed: `clickTimed` clicks and returns when the page saw the click. */
interface TimedPage {
  readonly page: Page;
  clickTimed(name: string, options?: { readonly react?: boolean }): Promise<number>;
}

async function inFreshPage<T>(browser: Browser, run: (timed: TimedPage) => Promise<T>): Promise<T> {
  const context = await newBenchContext(browser);
  try {
    const clicks: number[] = [];
    let onClick: (() => void) | undefined;
    await context.exposeFunction('__benchClick', (at: number) => {
      clicks.push(at);
      onClick?.();
    });
    await context.addInitScript(installFlowTimers);
    const page = await context.newPage();
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    /** Clicks the button named `name`; the wall-clock time the page saw the click. */
    const clickTimed = async (name: string, options: { readonly react?: boolean } = {}) => {
      const button = page.getByRole('button', { name, exact: true });
      await button.waitFor();
      if (options.react === true) await reactRendered(page, name);
      const before = clicks.length;
      const seen = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`the page saw no click on "${name}"`)),
          STEP_TIMEOUT_MS,
        );
        onClick = () => {
          if (clicks.length <= before) return;
          clearTimeout(timer);
          resolve();
        };
      });
      await button.click();
      await seen;
      return clicks[before] ?? Number.NaN;
    };
    return await run({ page, clickTimed });
  } finally {
    await context.close();
  }
}

/**
 * Waits until React drew the button named `name`: a page prerendered at build time shows its buttons
 * before its code runs, and a click then does nothing. (A person is slower than that; the automation
 * is not.) React keeps an element's props under a `__reactProps$…` key.
 */
async function reactRendered(page: Page, name: string): Promise<void> {
  await page.waitForFunction(
    (label) =>
      [...document.querySelectorAll('button')].some(
        (b) => b.textContent?.trim() === label && Object.keys(b).some((k) => k.startsWith('__reactProps$')),
      ),
    name,
  );
}

/** Waits for the decoded token on screen; the wall-clock time of the frame that showed it. */
async function tokensShown(page: Page): Promise<number> {
  const handle = await page.waitForFunction(() => window.__benchTokensShownAt);
  return Number(await handle.jsonValue());
}

/** The current document: wall-clock time its navigation started, and its DOMContentLoaded ended. */
async function documentTimes(page: Page): Promise<{ requested: number; ready: number }> {
  return page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
    return {
      requested: performance.timeOrigin,
      ready: performance.timeOrigin + (nav?.domContentLoadedEventEnd ?? performance.now()),
    };
  });
}

/** The first request in this document whose URL ends with `suffix`: wall-clock start and response end. */
async function resourceTimes(page: Page, suffix: string): Promise<{ sent: number; answered: number }> {
  const handle = await page.waitForFunction((end) => {
    const entry = performance
      .getEntriesByType('resource')
      .find(
        (e) =>
          e.name.split('?')[0]?.endsWith(end) === true && (e as PerformanceResourceTiming).responseEnd > 0,
      );
    return entry === undefined
      ? undefined
      : {
          sent: performance.timeOrigin + entry.startTime,
          answered: performance.timeOrigin + (entry as PerformanceResourceTiming).responseEnd,
        };
  }, suffix);
  const times = await handle.jsonValue();
  if (times === undefined) throw new Error(`no request to …${suffix}`);
  return times;
}

/** Marks as ms since `start`. */
function runFrom(start: number, end: number, at: Record<string, number>): Run {
  return {
    totalMs: end - start,
    marks: Object.fromEntries(Object.entries(at).map(([name, time]) => [name, time - start])),
  };
}

const TOKEN_PATH = '/oauth2/v2.0/token';

/** Sign-in, and consent if asked, at the sandbox, as both the app's run and the floor click them. */
async function signInAndConsent(page: Page, at: Record<string, number>): Promise<void> {
  await page.getByLabel('Username').waitFor();
  const signInPage = await documentTimes(page);
  at['sign-in page requested'] = signInPage.requested;
  at['sign-in page ready'] = signInPage.ready;
  await page.getByLabel('Username').fill(USER);
  await page.getByLabel('Password').fill(PASSWORD);
  const authorizationServer = new URL(page.url()).origin;
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  const accept = page.getByRole('button', { name: 'Accept' });
  // Consent only when the sandbox asks for it: else the sign-in goes straight back to the redirect URI.
  const left = page.waitForURL((url) => url.origin !== authorizationServer);
  const asked = await Promise.race([accept.waitFor().then(() => true), left.then(() => false)]);
  left.catch(() => undefined);
  if (!asked) return;
  const consentPage = await documentTimes(page);
  at['consent page requested'] = consentPage.requested;
  at['consent page ready'] = consentPage.ready;
  await accept.click();
}

/** Authorization code + PKCE through the app, as a person would click it; `onAuthorize` sees its URL. */
function authCodeInApp(browser: Browser, targets: FlowTargets, onAuthorize: (url: string) => void) {
  return inFreshPage(browser, async ({ page, clickTimed }): Promise<Run> => {
    page.on('request', (request) => {
      if (request.isNavigationRequest() && request.url().includes('/oauth2/v2.0/authorize?'))
        onAuthorize(request.url());
    });
    await page.goto(`${targets.appOrigin}/flows/authorization-code`);
    // Not timed: the verifier is made before the sign-in, on the step before it.
    const pkce = 'Generate verifier and challenge';
    await page.getByRole('button', { name: pkce }).waitFor();
    await reactRendered(page, pkce);
    await page.getByRole('button', { name: pkce }).click();
    await page.getByTestId('code-challenge').waitFor();
    const at: Record<string, number> = {};
    const start = await clickTimed(SIGN_IN_BUTTON, { react: true });
    await signInAndConsent(page, at);
    const redeem = page.getByRole('button', { name: 'Redeem the code' });
    await redeem.waitFor();
    const back = await documentTimes(page);
    at['redirect URI requested'] = back.requested;
    at['redirect URI page ready'] = back.ready;
    const redeemShown = await page.waitForFunction(() => {
      const at = window.__benchRedeemShownAt;
      return at !== undefined && at > 0 ? at : undefined;
    });
    at['redeem shown'] = Number(await redeemShown.jsonValue());
    at['redeem clicked'] = await clickTimed('Redeem the code', { react: true });
    const end = await tokensShown(page);
    const token = await resourceTimes(page, TOKEN_PATH);
    at['token request sent'] = token.sent;
    at['token response in'] = token.answered;
    return runFrom(start, end, at);
  });
}

/** How long the browser and servers get to finish with one run (a closed context, logs) before the next. */
const SETTLE_MS = 300;
const settle = () => new Promise((resolve) => setTimeout(resolve, SETTLE_MS));

/** What the floor's bare pages serve for the current run. */
interface FloorRun {
  authorizeUrl: string;
  tokenEndpoint: string;
  clientId: string;
  redirectUri: string;
  scope: string;
  state: string;
  verifier: string;
}

const page = (body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>floor</title></head><body>${body}</body></html>`;

/**
 * The floor's two bare pages: `/start`, a button that sends the browser to the authorize URL, and
 * `/callback`, which parses its address, checks the state and POSTs the token request from the browser.
 */
async function startFloorServer(port: number, current: () => FloorRun): Promise<Server> {
  const server = createServer((req, res) => {
    const run = current();
    const path = (req.url ?? '/').split('?')[0];
    let html: string | undefined;
    if (path === '/start') {
      const url = JSON.stringify(run.authorizeUrl).replaceAll('<', '\\u003c');
      html = page(
        `<button type="button" id="go">${SIGN_IN_BUTTON}</button><script>document.getElementById('go').addEventListener('click', () => location.assign(${url}));</script>`,
      );
    } else if (path === '/callback') {
      const params = JSON.stringify({
        tokenEndpoint: run.tokenEndpoint,
        clientId: run.clientId,
        redirectUri: run.redirectUri,
        scope: run.scope,
        state: run.state,
        verifier: run.verifier,
      }).replaceAll('<', '\\u003c');
      html = page(`<script type="module">
const run = ${params};
const query = new URLSearchParams(location.search);
if (query.get('state') !== run.state) throw new Error('state mismatch');
const response = await fetch(run.tokenEndpoint, {
  method: 'POST',
  body: new URLSearchParams({
    grant_type: 'authorization_code', client_id: run.clientId, code: query.get('code') ?? '',
    redirect_uri: run.redirectUri, scope: run.scope, code_verifier: run.verifier,
  }),
});
const tokens = await response.json();
if (typeof tokens.access_token !== 'string') throw new Error(JSON.stringify(tokens));
const h = document.createElement('h2');
h.textContent = 'Access token';
document.body.append(h);
</script>`);
    }
    if (html === undefined) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(html);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, 'localhost', () => resolve());
  });
  return server;
}

/** The floor run for the app's authorize URL: same parameters, the floor's redirect URI and fresh values. */
function floorRunFor(appAuthorizeUrl: string, floorOrigin: string): FloorRun {
  const url = new URL(appAuthorizeUrl);
  const pkce = generatePkce();
  const state = crypto.randomUUID();
  const redirectUri = `${floorOrigin}/callback`;
  url.searchParams.set('redirect_uri', redirectUri);
  url.searchParams.set('state', state);
  if (url.searchParams.has('nonce')) url.searchParams.set('nonce', crypto.randomUUID());
  url.searchParams.set('code_challenge', pkce.challenge);
  url.searchParams.set('code_challenge_method', 'S256');
  // The query is the floor's response mode: a form_post would need a server to receive it.
  url.searchParams.set('response_mode', 'query');
  return {
    authorizeUrl: url.href,
    tokenEndpoint: url.href.split('?')[0]?.replace(/\/authorize$/, '/token') ?? '',
    clientId: url.searchParams.get('client_id') ?? '',
    redirectUri,
    scope: url.searchParams.get('scope') ?? '',
    state,
    verifier: pkce.verifier,
  };
}

/** The code flow's floor: bare button → same authorize URL → same sign-in → bare callback → token POST. */
function authCodeFloor(browser: Browser, floorOrigin: string) {
  return inFreshPage(browser, async ({ page, clickTimed }): Promise<Run> => {
    await page.goto(`${floorOrigin}/start`);
    const at: Record<string, number> = {};
    const start = await clickTimed(SIGN_IN_BUTTON);
    await signInAndConsent(page, at);
    const end = await tokensShown(page);
    const back = await documentTimes(page);
    at['redirect URI requested'] = back.requested;
    at['redirect URI page ready'] = back.ready;
    const token = await resourceTimes(page, TOKEN_PATH);
    at['token request sent'] = token.sent;
    at['token response in'] = token.answered;
    return runFrom(start, end, at);
  });
}

/** A request as Playwright saw it, to send again from the page. */
interface SeenRequest {
  readonly url: string;
  readonly method: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/**
 * Client credentials with the seeded secret: the app's run (click → decoded token), then in the same page
 * its floor, the very request the app sent (the relay's, with its headers) sent again with a bare fetch,
 * its answer read, and one animation frame.
 */
function clientCredentials(browser: Browser, targets: FlowTargets) {
  return inFreshPage(browser, async ({ page, clickTimed }): Promise<{ app: Run; floor: Run }> => {
    let seen: SeenRequest | undefined;
    page.on('request', (request) => {
      if (request.method() === 'POST' && request.resourceType() === 'fetch' && seen === undefined)
        seen = {
          url: request.url(),
          method: request.method(),
          headers: request.headers(),
          body: request.postData() ?? '',
        };
    });
    await page.goto(`${targets.appOrigin}/flows/client-credentials`);
    const start = await clickTimed('Request the token', { react: true });
    const app = runFrom(start, await tokensShown(page), {});
    if (seen === undefined) throw new Error('the app sent no token request');
    const request = seen;
    const floorMs = await page.evaluate(async ({ url, method, headers, body }) => {
      const { 'content-length': _length, ...sent } = headers;
      const begin = performance.now();
      const response = await fetch(url, { method, headers: sent, body });
      const tokens = (await response.json()) as { access_token?: unknown };
      if (typeof tokens.access_token !== 'string') throw new Error(JSON.stringify(tokens));
      await new Promise(requestAnimationFrame);
      return performance.now() - begin;
    }, request);
    return { app, floor: { totalMs: floorMs, marks: {} } };
  });
}

/** The legs of a code-flow run, each the time between two marks (undefined: the click, or the end). */
const LEGS: readonly { name: string; from?: string; to?: string; floor: boolean }[] = [
  { name: 'click → sign-in page ready', to: 'sign-in page ready', floor: true },
  {
    name: 'fill, post sign-in → consent page ready',
    from: 'sign-in page ready',
    to: 'consent page ready',
    floor: true,
  },
  {
    name: 'post consent → redirect URI requested',
    from: 'consent page ready',
    to: 'redirect URI requested',
    floor: true,
  },
  {
    name: 'redirect URI requested → token request sent',
    from: 'redirect URI requested',
    to: 'token request sent',
    floor: true,
  },
  {
    name: '  of which: page loaded (DOMContentLoaded)',
    from: 'redirect URI requested',
    to: 'redirect URI page ready',
    floor: false,
  },
  {
    name: '  of which: → "Redeem the code" shown',
    from: 'redirect URI page ready',
    to: 'redeem shown',
    floor: false,
  },
  { name: "  of which: → the automation's click", from: 'redeem shown', to: 'redeem clicked', floor: false },
  {
    name: '  of which: click → token request sent',
    from: 'redeem clicked',
    to: 'token request sent',
    floor: false,
  },
  { name: 'token request', from: 'token request sent', to: 'token response in', floor: true },
  { name: 'token response → tokens on screen', from: 'token response in', floor: true },
];

function legOf(run: Run, from: string | undefined, to: string | undefined): number | undefined {
  const a = from === undefined ? 0 : run.marks[from];
  const b = to === undefined ? run.totalMs : run.marks[to];
  return a === undefined || b === undefined ? undefined : b - a;
}

function printLegs(app: readonly Run[], floor: readonly Run[]): void {
  const fmt = (v: number | undefined) => (v === undefined ? '—' : `${Math.round(v)} ms`);
  const medianLeg = (runs: readonly Run[], from?: string, to?: string) =>
    median(runs.map((r) => legOf(r, from, to)).filter((v) => v !== undefined));
  console.log(`      ${'leg (median)'.padEnd(46)}${'app'.padStart(9)}${'floor'.padStart(9)}`);
  for (const leg of LEGS) {
    const appLeg = medianLeg(app, leg.from, leg.to);
    const floorLeg = leg.floor ? medianLeg(floor, leg.from, leg.to) : undefined;
    console.log(`      ${leg.name.padEnd(46)}${fmt(appLeg).padStart(9)}${fmt(floorLeg).padStart(9)}`);
  }
}

function printRuns(label: string, runs: readonly Run[]): void {
  console.log(`  ${label}: ${runs.map((r) => Math.round(r.totalMs)).join(', ')} ms`);
  for (const run of runs) {
    const marks = Object.entries(run.marks)
      .sort(([, a], [, b]) => a - b)
      .map(([mark, ms]) => `${mark} ${Math.round(ms)}`);
    if (marks.length > 0) console.log(`      ${marks.join(', ')}, done ${Math.round(run.totalMs)}`);
  }
}

export async function benchFlows(
  browser: Browser,
  targets: FlowTargets = { appOrigin: APP_ORIGIN, floorPort: FLOOR_PORT },
): Promise<SectionResult> {
  heading(
    `3. Flow timing against the sandbox (median of ${RUNS}, after one warm-up run; app and floor alternate)`,
  );
  const floorOrigin = `http://localhost:${targets.floorPort}`;
  let appAuthorizeUrl: string | undefined;
  let floorRun: FloorRun | undefined;
  const server = await startFloorServer(targets.floorPort, () => {
    if (floorRun === undefined) throw new Error('no floor run is prepared');
    return floorRun;
  });
  const authCodeApp: Run[] = [];
  const authCodeFloorRuns: Run[] = [];
  const ccApp: Run[] = [];
  const ccFloor: Run[] = [];
  try {
    const app = async () => {
      await settle();
      return authCodeInApp(browser, targets, (url) => (appAuthorizeUrl = url));
    };
    const floor = async () => {
      if (appAuthorizeUrl === undefined) throw new Error('the app sent the browser to no authorize URL');
      floorRun = floorRunFor(appAuthorizeUrl, floorOrigin);
      await settle();
      return authCodeFloor(browser, floorOrigin);
    };
    // The warm-up's app run goes first (the floor copies its authorize URL); then app and floor take
    // turns going first, so neither always follows the other's leftovers.
    for (let i = 0; i <= RUNS; i += 1) {
      const appFirst = i % 2 === 0;
      const first = appFirst ? await app() : await floor();
      const second = appFirst ? await floor() : await app();
      await settle();
      const cc = await clientCredentials(browser, targets);
      if (i === 0) continue; // warm-up
      authCodeApp.push(appFirst ? first : second);
      authCodeFloorRuns.push(appFirst ? second : first);
      ccApp.push(cc.app);
      ccFloor.push(cc.floor);
    }
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
  printRuns('authorization code + PKCE in the app, click "Sign in" → tokens shown', authCodeApp);
  printRuns('authorization code floor, bare pages in the same browser', authCodeFloorRuns);
  printLegs(authCodeApp, authCodeFloorRuns);
  printRuns('client credentials in the app, click → token shown', ccApp);
  printRuns('client credentials floor, the same request from the page + one frame', ccFloor);

  const med = (runs: readonly Run[]) => median(runs.map((r) => r.totalMs));
  const authApp = med(authCodeApp);
  const authFloor = med(authCodeFloorRuns);
  const ccAppMs = med(ccApp);
  const ccFloorMs = med(ccFloor);
  const limit = (floor: number | undefined, ratio: number) =>
    floor === undefined ? undefined : { op: '<=' as const, limit: ratio * floor, basis: `${ratio}× floor` };
  const note = (app: number | undefined, floor: number | undefined) => ({
    note: `${app === undefined || floor === undefined || floor === 0 ? 'n/a' : (app / floor).toFixed(2)}× its floor`,
  });
  const figures = [
    figure(
      'auth code + PKCE: click "Sign in" to tokens shown',
      authApp,
      'ms',
      limit(authFloor, AUTH_CODE_MAX_RATIO),
      note(authApp, authFloor),
    ),
    figure('auth code floor: bare pages, same browser and clicks', authFloor, 'ms'),
    figure(
      'client credentials: click to token shown',
      ccAppMs,
      'ms',
      limit(ccFloorMs, CLIENT_CREDENTIALS_MAX_RATIO),
      note(ccAppMs, ccFloorMs),
    ),
    figure('client credentials floor: same request from the page + a frame', ccFloorMs, 'ms'),
  ];
  console.log('');
  printFigures(figures);
  return {
    figures,
    details: {
      authCodeApp,
      authCodeFloor: authCodeFloorRuns,
      clientCredentialsApp: ccApp,
      clientCredentialsFloor: ccFloor,
    },
  };
}
