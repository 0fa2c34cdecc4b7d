/**
 * Issue 17: the "Use the sandbox from your code" page's snippets, run as a user would copy them. The
 * guide is built from what an https sandbox serves (its directory and user list), each snippet that needs
 * no person at a browser is written to a file and run by a fresh `node` (or `sh` with the real curl) that
 * trusts the sandbox's CA through NODE_EXTRA_CA_CERTS only — the page's own instructions.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  buildSandboxCodeGuide,
  parseSandboxCaFile,
  parseSandboxUsers,
  type SandboxCodeGuide,
} from '../../src/flows/sandbox-code.ts';
import { parseSandboxDirectory, SANDBOX_DIRECTORY_PATH } from '../../src/protocol/sandbox-directory.ts';
import { API_APP_ID } from '../sandbox/seed.ts';
import {
  Browser,
  CONSOLE,
  endpoint,
  generatePkce,
  signIn,
  SPA,
  spaCode,
  TEST_ORIGIN,
  TEST_REDIRECT_URI,
  tokenRequest,
  WEB,
} from '../sandbox/test-support.ts';
import {
  completeAuthorization,
  completeDeviceLogin,
  startHttpsTestSandbox,
  type HttpsTestSandbox,
} from './support.ts';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');

let sandbox: HttpsTestSandbox;
let guide: SandboxCodeGuide;
let dir: string;
/** The CA file as the sandbox's /directory.json names it (what the page shows). */
let caFile: string | undefined;
/** The environment a reader's shell has after the page's trust step, and nothing from this test run. */
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  sandbox = await startHttpsTestSandbox();
  const directory = parseSandboxDirectory(
    await (await fetch(`${sandbox.origin}${SANDBOX_DIRECTORY_PATH}`)).json(),
  );
  const json: unknown = await (await fetch(`${sandbox.origin}/directory.json`)).json();
  caFile = parseSandboxCaFile(json);
  guide = buildSandboxCodeGuide(directory, parseSandboxUsers(json), caFile);
  const { NODE_EXTRA_CA_CERTS: _fromSetup, ...rest } = process.env;
  env = { ...rest, NODE_EXTRA_CA_CERTS: caFile };
  // Under the repository's node_modules so `import "@azure/msal-node"` resolves as in a user's project.
  await mkdir(join(ROOT, 'node_modules/.cache'), { recursive: true });
  dir = await mkdtemp(join(ROOT, 'node_modules/.cache/sandbox-code-run-'));
});

afterAll(async () => {
  await sandbox.stop();
  await rm(dir, { recursive: true, force: true });
});

function code(id: string): string {
  const found = guide.sections.flatMap((s) => s.snippets).find((s) => s.id === id);
  if (found === undefined) throw new Error(`no snippet ${id}`);
  return found.code;
}

/** Runs a snippet as an ES module in a new Node process; returns what it printed. */
async function runNode(id: string): Promise<string> {
  const file = join(dir, `${id}.mjs`);
  await writeFile(file, code(id));
  const { stdout } = await run(process.execPath, [file], { cwd: dir, env, timeout: 30_000 });
  return stdout.trim();
}

/** Runs a curl block whole, as pasted into a shell that never set NODE_EXTRA_CA_CERTS. */
async function runShell(script: string, extra: NodeJS.ProcessEnv = {}): Promise<string> {
  const { NODE_EXTRA_CA_CERTS: _unset, ...rest } = env;
  const { stdout } = await run('sh', ['-c', script], { env: { ...rest, ...extra }, timeout: 30_000 });
  return stdout;
}

const JWT = /^[\w-]+\.[\w-]+\.[\w-]*$/;

test('the page names the https sandbox it was read from, and the absolute CA path from its directory.json', async () => {
  expect(guide.https).toBe(true);
  expect(guide.origin).toBe(sandbox.origin);
  expect(guide.sections.filter((s) => s.needsHttps)).toEqual([]);
  expect(caFile).toBe(sandbox.tls?.caPath);
  expect(caFile?.startsWith('/')).toBe(true);
  // The trust step, run in some other folder (the reader's project), names the same file.
  const { stdout } = await run('sh', ['-c', `${guide.caExport}\nprintf '%s' "$NODE_EXTRA_CA_CERTS"`], {
    cwd: dir,
  });
  expect(stdout).toBe(caFile);
});

test('every Node snippet is plain JavaScript: node --check passes on it saved as .mjs', async () => {
  const js = guide.sections.flatMap((s) => s.snippets).filter((s) => s.language === 'js');
  expect(js.length).toBeGreaterThanOrEqual(12);
  for (const s of js) {
    const file = join(dir, `check-${s.id}.mjs`);
    await writeFile(file, s.code);
    await expect(run(process.execPath, ['--check', file]), s.id).resolves.toBeDefined();
  }
  // The check refuses TypeScript syntax (the kind of mistake it guards against).
  const typed = join(dir, 'typed.mjs');
  await writeFile(typed, 'export async function f(incomingToken: string) {}\n');
  await expect(run(process.execPath, ['--check', typed])).rejects.toThrow(/SyntaxError/);
}, 60_000);

test.each([
  'msal-node-client-credentials-secret',
  'azure-identity-client-credentials-secret',
  'openid-client-client-credentials-secret',
])(
  '%s, copied as shown, gets an app-only token',
  async (id) => {
    expect(await runNode(id)).toMatch(JWT);
  },
  40_000,
);

/**
 * Runs a device code snippet; when it prints the message (page and code, RFC 8628 §3.3), the user's side
 * is done over HTTP by the ordinary user. Returns everything it printed.
 */
async function runDeviceCode(id: string): Promise<string> {
  const file = join(dir, `${id}.mjs`);
  await writeFile(file, code(id));
  return runWithDeviceLogin(process.execPath, [file]);
}

/** Runs a program that prints the device code message; the user signs in when it does. */
async function runWithDeviceLogin(command: string, args: string[], childEnv = env): Promise<string> {
  const child = spawn(command, args, { cwd: dir, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let user: Promise<unknown> | undefined;
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    const found = /open the page (\S+) and enter the code (\S+)/.exec(out);
    if (found !== null && user === undefined)
      user = completeDeviceLogin(found[1] ?? '', found[2] ?? '', sandbox);
  });
  const status = await new Promise<number | null>((done) => child.on('close', done));
  await user;
  expect(status, err).toBe(0);
  expect(user, `no device code message in: ${out}`).toBeDefined();
  return out.trim();
}

test('msal-node-device-code, copied as shown: the user signs in at the printed page and the app gets the account', async () => {
  const printed = await runDeviceCode('msal-node-device-code');
  expect(printed.split('\n').at(-1)).toBe('adele@flowlab-sandbox.onmicrosoft.com');
}, 60_000);

test('azure-identity-device-code, copied as shown, gets a token once the user signed in', async () => {
  const printed = await runDeviceCode('azure-identity-device-code');
  expect(Number(printed.split('\n').at(-1))).toBeGreaterThan(Date.now());
}, 60_000);

// After the device code sign-in above, Adele has consented to the Console app (ROPC cannot ask).
test('msal-node-password, copied as shown, signs the ordinary user in', async () => {
  expect(await runNode('msal-node-password')).toBe('adele@flowlab-sandbox.onmicrosoft.com');
}, 40_000);

test('msal-node-password for the MFA user prints the subError and AADSTS code (basic_action AADSTS50076), not only invalid_grant', async () => {
  const directory = parseSandboxDirectory(
    await (await fetch(`${sandbox.origin}${SANDBOX_DIRECTORY_PATH}`)).json(),
  );
  const users = parseSandboxUsers(await (await fetch(`${sandbox.origin}/directory.json`)).json());
  const mfa = users.find((u) => u.mfaRequired);
  expect(mfa).toBeDefined();
  // The snippet names the first user without MFA; listed as such, the MFA user is the one it signs in.
  const asOrdinary = buildSandboxCodeGuide(directory, mfa ? [{ ...mfa, mfaRequired: false }] : [], caFile);
  const snippet = asOrdinary.sections.flatMap((s) => s.snippets).find((s) => s.id === 'msal-node-password');
  const file = join(dir, 'mfa-password.mjs');
  await writeFile(file, snippet?.code ?? '');
  const { stdout } = await run(process.execPath, [file], { cwd: dir, env, timeout: 30_000 });
  expect(stdout.trim()).toBe('Sign in interactively instead: basic_action AADSTS50076');
}, 40_000);

test('curl-client-credentials-secret, pasted whole into sh with the real curl, gets a token', async () => {
  const body = JSON.parse(await runShell(code('curl-client-credentials-secret'))) as Record<string, unknown>;
  expect(body['token_type']).toBe('Bearer');
  expect(String(body['access_token'])).toMatch(JWT);
}, 40_000);

test('curl-password, pasted whole: the password answer, then the refresh with the refresh token it captured', async () => {
  const [first, refreshed, ...rest] = (await runShell(code('curl-password'))).trim().split('\n');
  expect(rest).toEqual([]);
  const a = JSON.parse(first ?? '') as Record<string, unknown>;
  const b = JSON.parse(refreshed ?? '') as Record<string, unknown>;
  expect(String(a['access_token'])).toMatch(JWT);
  expect(String(b['access_token'])).toMatch(JWT);
  expect(b['refresh_token']).toEqual(expect.any(String));
}, 40_000);

test('curl-device-code, pasted whole: it prints where to sign in, polls while pending, and prints the tokens', async () => {
  const printed = await runWithDeviceLogin('sh', ['-c', code('curl-device-code')], {
    ...Object.fromEntries(Object.entries(env).filter(([k]) => k !== 'NODE_EXTRA_CA_CERTS')),
  });
  const body = JSON.parse(printed.split('\n').at(-1) ?? '') as Record<string, unknown>;
  expect(String(body['access_token'])).toMatch(JWT);
  expect(body['refresh_token']).toEqual(expect.any(String));
}, 60_000);

test('the on-behalf-of notes, checked: the Console app may not ask for the API scope (AADSTS650057); the Web app may, in a browser sign-in', async () => {
  const apiScope = `api://${API_APP_ID}/access_as_user`;
  const notes = guide.sections
    .flatMap((s) => s.snippets)
    .filter((s) => s.id.endsWith('on-behalf-of'))
    .map((s) => s.notes.join(' '));
  expect(notes).toHaveLength(3);
  for (const note of notes) {
    expect(note).toContain('AADSTS650057');
    expect(note).toContain('/flows/authorization-code');
  }
  const device = await fetch(endpoint(sandbox, '/oauth2/v2.0/devicecode'), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: CONSOLE.clientId, scope: `${apiScope} offline_access` }),
  });
  expect(device.status).toBe(400);
  expect(String(((await device.json()) as Record<string, unknown>)['error_description'])).toMatch(
    /^AADSTS650057:/,
  );
  // The Web app: Adele signs in and consents; its code, redeemed with its secret, is a token for the API,
  // which the curl on-behalf-of snippet swaps for a Graph token.
  const secret = /clientSecret: "([^"]+)"/.exec(code('msal-node-client-credentials-secret'))?.[1] ?? '';
  const pkce = generatePkce();
  const back = await signIn(sandbox, new Browser(sandbox), {
    clientId: WEB.clientId,
    scope: `openid ${apiScope}`,
    pkce,
  });
  const tokens = await tokenRequest(sandbox, {
    client_id: WEB.clientId,
    client_secret: secret,
    grant_type: 'authorization_code',
    code: back.searchParams.get('code') ?? '',
    code_verifier: pkce.verifier,
    redirect_uri: TEST_REDIRECT_URI,
  });
  expect(tokens.status, JSON.stringify(tokens.body)).toBe(200);
  const graph = JSON.parse(
    await runShell(code('curl-on-behalf-of'), { USER_TOKEN: String(tokens.body['access_token']) }),
  ) as Record<string, unknown>;
  expect(String(graph['access_token'])).toMatch(JWT);
}, 60_000);

test('the certificate snippets: the openssl line from the page, cert.pem uploaded on the portal, then MSAL Node and Azure Identity get tokens', async () => {
  const snippets = guide.sections.flatMap((s) => s.snippets);
  const msal = snippets.find((s) => s.id === 'msal-node-client-credentials-certificate');
  const openssl = msal?.notes
    .map((n) => /openssl req .*?-subj "[^"]+"/.exec(n)?.[0])
    .find((c) => c !== undefined);
  expect(openssl).toBeDefined();
  await run('sh', ['-c', openssl ?? ''], { cwd: dir, timeout: 30_000 });
  const web = /clientId: "([^"]+)"/.exec(msal?.code ?? '')?.[1] ?? '';
  const upload = await fetch(`${sandbox.origin}/portal/apps/${web}/certificates`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ pem: await readFile(join(dir, 'cert.pem'), 'utf8') }),
  });
  expect(upload.status).toBe(201);
  expect(await runNode('msal-node-client-credentials-certificate')).toMatch(JWT);
  // The Azure Identity snippet's own comment: cat cert.pem key.pem > client.pem
  const cat = /cat cert\.pem key\.pem > client\.pem/.exec(
    code('azure-identity-client-credentials-certificate'),
  )?.[0];
  expect(cat).toBeDefined();
  await run('sh', ['-c', cat ?? ''], { cwd: dir });
  expect(await runNode('azure-identity-client-credentials-certificate')).toMatch(JWT);
}, 60_000);

/**
 * Runs a code flow snippet (it prints the authorization URL, then serves its redirect URI); the user
 * signs in and consents over HTTP, and the redirect is followed to the snippet's own server. Returns
 * that server's answer; the snippet's process is ended afterwards.
 */
async function runCodeFlow(id: string): Promise<string> {
  const file = join(dir, `${id}.mjs`);
  await writeFile(file, code(id));
  const child = spawn(process.execPath, [file], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    let out = '';
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const url = await new Promise<string>((found, failed) => {
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /Open: (\S+)/.exec(out);
        if (match !== null) found(match[1] ?? '');
      });
      child.on('close', (status) =>
        failed(new Error(`${id} ended (${String(status)}) before printing a URL: ${err}`)),
      );
    });
    const redirect = await completeAuthorization(sandbox, url);
    expect(redirect.searchParams.get('code')).not.toBeNull();
    // The snippet starts listening just after printing; give it a moment on a busy machine.
    let answer: string | undefined;
    for (let attempt = 0; answer === undefined; attempt += 1) {
      try {
        answer = await (await fetch(redirect)).text();
      } catch (error) {
        if (attempt === 20) throw error;
        await new Promise((wait) => setTimeout(wait, 100));
      }
    }
    // What a browser sends next: its favicon, or any other path; then the callback again without a code.
    for (const path of ['/favicon.ico', '/some/other/path?code=x&state=y']) {
      const other = await fetch(new URL(path, redirect));
      expect(other.status, path).toBe(404);
    }
    const again = await fetch(new URL(redirect.pathname, redirect));
    expect(again.status).toBe(500);
    expect(await again.text()).toMatch(/^Sign-in failed: /);
    await new Promise((wait) => setTimeout(wait, 300));
    expect(child.exitCode, `${id} ended: ${err}`).toBeNull();
    // Still serving after all that.
    expect((await fetch(new URL('/favicon.ico', redirect))).status).toBe(404);
    return answer;
  } finally {
    child.kill();
  }
}

test('msal-node-authorization-code, copied as shown: PKCE, the code redeemed at its redirect URI, then a silent token', async () => {
  expect(await runCodeFlow('msal-node-authorization-code')).toBe(
    'Signed in as adele@flowlab-sandbox.onmicrosoft.com; silent token: yes',
  );
}, 60_000);

test('openid-client-authorization-code, copied as shown: discovery, PKCE, ID token checks, userinfo and refresh', async () => {
  expect(await runCodeFlow('openid-client-authorization-code')).toBe(
    'Signed in as Adele Vance; refreshed: yes',
  );
}, 60_000);

test.each(['msal-node-on-behalf-of', 'azure-identity-on-behalf-of', 'curl-on-behalf-of'])(
  "%s, copied as shown (plain JavaScript, as .mjs): the API swaps the SPA user's token for a Graph token",
  async (id) => {
    // The SPA signs Adele in and gets a token for the API, as the snippet's note says.
    const { code: authorizationCode, verifier } = await spaCode(
      sandbox,
      `openid api://${API_APP_ID}/access_as_user`,
    );
    const spa = await tokenRequest(
      sandbox,
      {
        client_id: SPA.clientId,
        grant_type: 'authorization_code',
        code: authorizationCode,
        code_verifier: verifier,
        redirect_uri: TEST_REDIRECT_URI,
      },
      { origin: TEST_ORIGIN },
    );
    const incoming = String(spa.body['access_token']);
    expect(incoming).toMatch(JWT);
    let token: string;
    if (id.startsWith('curl')) {
      const stdout = await runShell(code(id), { USER_TOKEN: incoming });
      token = String((JSON.parse(stdout) as { access_token?: unknown }).access_token);
    } else {
      const module = join(dir, `${id}.mjs`);
      await writeFile(module, code(id));
      const caller = join(dir, `${id}-caller.mjs`);
      await writeFile(
        caller,
        `import { graphTokenFor } from ${JSON.stringify(module)};\nconsole.log(await graphTokenFor(process.argv[2]));\n`,
      );
      token = (
        await run(process.execPath, [caller, incoming], { cwd: dir, env, timeout: 30_000 })
      ).stdout.trim();
    }
    expect(token).toMatch(JWT);
    const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as Record<
      string,
      unknown
    >;
    expect(claims).toMatchObject({
      aud: 'https://graph.microsoft.com',
      appid: API_APP_ID,
      upn: 'adele@flowlab-sandbox.onmicrosoft.com',
    });
  },
  60_000,
);
