/**
 * Test helpers: a sandbox on a free port with a throw-away data directory, and a tiny cookie-keeping
 * "browser" that walks the sign-in and consent pages with plain `fetch`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, type RunningSandbox } from './index.ts';
import { API_APP_ID, SANDBOX_APPS, SANDBOX_TENANT, sandboxApp } from './seed.ts';

/** A sandbox started for one test file; `stop` also removes its data directory. */
export interface TestSandbox extends RunningSandbox {
  readonly dataDir: string;
  stop(): Promise<void>;
}

/** Starts a quiet sandbox on a random free port with a temporary data directory. */
export async function startTestSandbox(
  options: { rotateRefreshTokens?: boolean; deviceCodeLifetimeSeconds?: number } = {},
): Promise<TestSandbox> {
  const dataDir = await mkdtemp(join(tmpdir(), 'sandbox-test-'));
  const sandbox = await startSandbox({ port: 0, dataDir, quiet: true, ...options });
  return {
    ...sandbox,
    dataDir,
    stop: async () => {
      await sandbox.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** The app's redirect URI on a port other than the registered 5173: Entra ignores localhost ports. */
export const TEST_REDIRECT_URI = 'http://localhost:47173/callback';
/** The page app's origin as a browser would send it. */
export const TEST_ORIGIN = 'http://localhost:47173';

/** The seeded single-page app (public, PKCE, cross-origin redemption). */
export const SPA = sandboxApp('spa');
/** The seeded confidential web app (client secret). */
export const WEB = sandboxApp('web');
/** The seeded implicit/hybrid app ("Flow Lab Legacy SPA", web platform, no secret). */
export const LEGACY = SANDBOX_APPS.find((a) => a.displayName === 'Flow Lab Legacy SPA')!;
/** The seeded web API (middle tier for on-behalf-of, confidential). */
export const API = SANDBOX_APPS.find((a) => a.clientId === API_APP_ID)!;
/** The seeded public console client (no secret, no Origin). */
export const CONSOLE = sandboxApp('publicClient');

/** RFC 7636 §4.1 verifier and §4.2 S256 challenge. */
export function generatePkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** Tenant-scoped endpoint URL. */
export function endpoint(sandbox: RunningSandbox, path: string, tenant: string = SANDBOX_TENANT.id): string {
  return `${sandbox.origin}/${tenant}${path}`;
}

/** A minimal cookie jar (names are unique in the sandbox, so paths are ignored). */
export class CookieJar {
  readonly #cookies = new Map<string, string>();

  /** Keeps the cookies a response sets (and forgets the ones it clears). */
  store(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (!value || /expires=Thu, 01 Jan 1970/i.test(line)) this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
  }

  /** The `Cookie` request header value. */
  header(): string {
    return [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

/** What a page looked like: status, URL and HTML. */
export interface Page {
  readonly status: number;
  readonly url: string;
  readonly html: string;
}

/** A cookie-keeping client that follows redirects until it leaves the sandbox or lands on a page. */
export class Browser {
  readonly jar = new CookieJar();
  readonly #origin: string;

  constructor(sandbox: RunningSandbox) {
    this.#origin = sandbox.origin;
  }

  /** Navigates (GET or form POST) and follows sandbox redirects; returns the page or the app URL reached. */
  async go(url: string, form?: Record<string, string>): Promise<Page | { readonly redirectedTo: string }> {
    let next: string = url;
    let body: URLSearchParams | undefined = form ? new URLSearchParams(form) : undefined;
    for (let hops = 0; hops < 10; hops += 1) {
      const res = await fetch(next, {
        method: body ? 'POST' : 'GET',
        redirect: 'manual',
        headers: {
          cookie: this.jar.header(),
          ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        },
        ...(body ? { body } : {}),
      });
      this.jar.store(res);
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location) {
        const target = new URL(location, next).href;
        if (!target.startsWith(this.#origin)) return { redirectedTo: target };
        next = target;
        body = undefined;
        continue;
      }
      return { status: res.status, url: next, html: await res.text() };
    }
    throw new Error('too many redirects');
  }
}

/** The `action` of the first form on a page, as an absolute URL. */
export function formAction(page: Page): string {
  const match = /<form[^>]*action="([^"]+)"/.exec(page.html);
  if (!match?.[1]) throw new Error(`no form on page ${page.url}: ${page.html.slice(0, 300)}`);
  return new URL(match[1].replaceAll('&amp;', '&'), page.url).href;
}

/** Narrows a navigation result to a page. */
export function asPage(result: Page | { readonly redirectedTo: string }): Page {
  if ('redirectedTo' in result) throw new Error(`expected a page, got a redirect to ${result.redirectedTo}`);
  return result;
}

/** Narrows a navigation result to the app URL it redirected to. */
export function asRedirect(result: Page | { readonly redirectedTo: string }): URL {
  if (!('redirectedTo' in result))
    throw new Error(`expected a redirect, got page ${result.url}: ${result.html.slice(0, 500)}`);
  return new URL(result.redirectedTo);
}

/** Options for {@link signIn}. */
export interface SignInOptions {
  readonly clientId?: string;
  readonly scope: string;
  readonly username?: string;
  readonly password?: string;
  readonly consent?: 'accept' | 'cancel';
  readonly extra?: Record<string, string>;
  readonly pkce?: { readonly challenge: string; readonly method?: string };
}

/** Runs authorize → sign-in → consent and returns the URL the browser was sent back to. */
export async function signIn(
  sandbox: RunningSandbox,
  browser: Browser,
  options: SignInOptions,
): Promise<URL> {
  const query = new URLSearchParams({
    client_id: options.clientId ?? SPA.clientId,
    response_type: 'code',
    redirect_uri: TEST_REDIRECT_URI,
    scope: options.scope,
    state: 'state-123',
    nonce: 'nonce-456',
    ...(options.pkce
      ? { code_challenge: options.pkce.challenge, code_challenge_method: options.pkce.method ?? 'S256' }
      : {}),
    ...options.extra,
  });
  let result = await browser.go(`${endpoint(sandbox, '/oauth2/v2.0/authorize')}?${query}`);
  if ('redirectedTo' in result) return new URL(result.redirectedTo);
  if (result.html.includes('name="password"')) {
    result = await browser.go(formAction(result), {
      username: options.username ?? 'adele@flowlab-sandbox.onmicrosoft.com',
      password: options.password ?? 'Sandbox-Adele-1',
    });
    if ('redirectedTo' in result) return new URL(result.redirectedTo);
  }
  if (result.html.includes('name="action"')) {
    result = await browser.go(formAction(result), { action: options.consent ?? 'accept' });
  }
  return asRedirect(result);
}

/** POSTs a token request; `origin` adds the browser's Origin header. */
export async function tokenRequest(
  sandbox: RunningSandbox,
  params: Record<string, string>,
  options: {
    readonly origin?: string;
    readonly headers?: Record<string, string>;
    readonly tenant?: string;
  } = {},
): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const res = await fetch(endpoint(sandbox, '/oauth2/v2.0/token', options.tenant), {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(options.origin ? { origin: options.origin } : {}),
      ...options.headers,
    },
    body: new URLSearchParams(params),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

/** Signs Adele in to the SPA with PKCE and returns the code and verifier. */
export async function spaCode(
  sandbox: RunningSandbox,
  scope = 'openid profile email offline_access User.Read',
): Promise<{ code: string; verifier: string }> {
  const pkce = generatePkce();
  const url = await signIn(sandbox, new Browser(sandbox), { scope, pkce });
  const code = url.searchParams.get('code');
  if (!code) throw new Error(`no code in ${url.href}`);
  return { code, verifier: pkce.verifier };
}
