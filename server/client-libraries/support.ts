/**
 * Client-library tests (issue 17): an https sandbox the real libraries trust the way a user's program
 * does (`NODE_EXTRA_CA_CERTS`, set by tls-global-setup.ts before the test processes start), and the
 * user's browser steps (sign-in, MFA, consent, device code entry) driven over HTTP with the cookie-keeping
 * client of server/sandbox/test-support.ts.
 */
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { startSandbox } from '../sandbox/index.ts';
import { SANDBOX_TENANT, SANDBOX_USERS, type SandboxUser } from '../sandbox/seed.ts';
import { TLS_CA_FILE } from '../sandbox/tls.ts';
import {
  asPage,
  asRedirect,
  Browser,
  formAction,
  type Page,
  type TestSandbox,
} from '../sandbox/test-support.ts';

/** A sandbox served over https with the CA the test processes trust. */
export interface HttpsTestSandbox extends TestSandbox {
  /** `https://localhost:<port>/<tenant id>`: what a library is given as its authority, and nothing else. */
  readonly authority: string;
}

/**
 * Starts a quiet https sandbox on a free port with a throw-away data dir seeded with the test CA, so its
 * localhost certificate is one every test process already trusts. Throws when the global setup did not
 * run (the CA directory is missing): run the file with `npx vitest run`, which reads vitest.config.ts.
 */
export async function startHttpsTestSandbox(): Promise<HttpsTestSandbox> {
  const caDir = inject('labTestTlsDir');
  if (!caDir || !process.env['NODE_EXTRA_CA_CERTS'])
    throw new Error(
      'No test CA: server/client-libraries/tls-global-setup.ts did not run. Run the tests with `npx vitest run <file>` from the repository root.',
    );
  const dataDir = await mkdtemp(join(tmpdir(), 'sandbox-https-test-'));
  await Promise.all(
    [TLS_CA_FILE, 'tls-ca-key.pem'].map((file) => copyFile(join(caDir, file), join(dataDir, file))),
  );
  const sandbox = await startSandbox({ port: 0, dataDir, quiet: true, https: true });
  if (sandbox.tls?.caCreated !== false) {
    await sandbox.close();
    throw new Error('The https sandbox made a CA of its own instead of using the test CA it was given.');
  }
  return {
    ...sandbox,
    dataDir,
    authority: `${sandbox.origin}/${SANDBOX_TENANT.id}`,
    stop: async () => {
      await sandbox.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Adele: an ordinary user, no MFA. */
export const ORDINARY_USER: SandboxUser = SANDBOX_USERS.find((u) => !u.mfaRequired)!;
/** Megan: every sign-in needs a verification code. */
export const MFA_USER: SandboxUser = SANDBOX_USERS.find((u) => u.mfaRequired)!;

/** The page's hidden inputs plus `fields`, as a browser submits the form. */
export function submission(page: Page, fields: Record<string, string>): Record<string, string> {
  const hidden: Record<string, string> = {};
  for (const m of page.html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    hidden[m[1] ?? ''] = (m[2] ?? '').replaceAll('&amp;', '&');
  }
  return { ...hidden, ...fields };
}

/**
 * From a sign-in page on: the user's password, their verification code when the page asks for one,
 * and Accept on the consent page when it is shown. Returns where the browser ended: a redirect out of
 * the sandbox, or the last sandbox page (the device flow's "you may close this window").
 */
async function finishSignIn(
  browser: Browser,
  login: Page,
  user: SandboxUser,
): Promise<Page | { readonly redirectedTo: string }> {
  if (!login.html.includes('name="password"'))
    throw new Error(`expected the sign-in page, got ${login.url}: ${login.html.slice(0, 300)}`);
  let result = await browser.go(formAction(login), {
    ...submission(login, {}),
    username: user.userPrincipalName,
    password: user.password,
  });
  if (!('redirectedTo' in result) && result.html.includes('name="otc"')) {
    if (!user.mfaCode)
      throw new Error(`${user.userPrincipalName} was asked for a verification code it has not got`);
    result = await browser.go(formAction(result), { ...submission(result, {}), otc: user.mfaCode });
  }
  if (!('redirectedTo' in result) && result.html.includes('name="action"'))
    result = await browser.go(formAction(result), { ...submission(result, {}), action: 'accept' });
  return result;
}

/**
 * Opens an authorization URL a library built (MSAL's getAuthCodeUrl, openid-client's buildAuthorizationUrl)
 * in a fresh browser, signs `user` in, consents, and returns the redirect URI reached (code, state, …).
 */
export async function completeAuthorization(
  sandbox: HttpsTestSandbox,
  authorizationUrl: string,
  user: SandboxUser = ORDINARY_USER,
): Promise<URL> {
  const browser = new Browser(sandbox);
  const first = await browser.go(authorizationUrl);
  if ('redirectedTo' in first) return new URL(first.redirectedTo);
  return asRedirect(await finishSignIn(browser, first, user));
}

/**
 * The user's side of the device code flow (RFC 8628 §3.3): opens the verification URI the library was
 * given, enters the user code, signs in and consents. Returns the last page (the "signed in" page).
 */
export async function completeDeviceLogin(
  verificationUri: string,
  userCode: string,
  sandbox: HttpsTestSandbox,
  user: SandboxUser = ORDINARY_USER,
): Promise<Page> {
  const browser = new Browser(sandbox);
  const codePage = asPage(await browser.go(verificationUri));
  const login = asPage(await browser.go(formAction(codePage), submission(codePage, { user_code: userCode })));
  return asPage(await finishSignIn(browser, login, user));
}
