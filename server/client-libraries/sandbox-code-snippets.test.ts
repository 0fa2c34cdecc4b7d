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
import ts from 'typescript';
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  buildSandboxCodeGuide,
  parseSandboxUsers,
  type SandboxCodeGuide,
} from '../../src/flows/sandbox-code.ts';
import { parseSandboxDirectory, SANDBOX_DIRECTORY_PATH } from '../../src/protocol/sandbox-directory.ts';
import { API_APP_ID } from '../sandbox/seed.ts';
import { SPA, spaCode, TEST_ORIGIN, TEST_REDIRECT_URI, tokenRequest } from '../sandbox/test-support.ts';
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

beforeAll(async () => {
  sandbox = await startHttpsTestSandbox();
  const directory = parseSandboxDirectory(
    await (await fetch(`${sandbox.origin}${SANDBOX_DIRECTORY_PATH}`)).json(),
  );
  const users = parseSandboxUsers(await (await fetch(`${sandbox.origin}/directory.json`)).json());
  guide = buildSandboxCodeGuide(directory, users);
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
  const { stdout } = await run(process.execPath, [file], { cwd: dir, timeout: 30_000 });
  return stdout.trim();
}

const JWT = /^[\w-]+\.[\w-]+\.[\w-]*$/;

test('the page names the https sandbox it was read from', () => {
  expect(guide.https).toBe(true);
  expect(guide.origin).toBe(sandbox.origin);
  expect(guide.sections.filter((s) => s.needsHttps)).toEqual([]);
});

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
  const child = spawn(process.execPath, [file], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
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

test.each(['curl-client-credentials-secret', 'curl-password'])(
  '%s, run by sh with the real curl, gets a token',
  async (id) => {
    const { stdout } = await run('sh', ['-c', code(id).split('\n\n# Refresh')[0] ?? ''], { timeout: 30_000 });
    const body = JSON.parse(stdout) as { access_token?: unknown; token_type?: unknown };
    expect(body.token_type).toBe('Bearer');
    expect(String(body.access_token)).toMatch(JWT);
  },
  40_000,
);

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
  const child = spawn(process.execPath, [file], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
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
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await (await fetch(redirect)).text();
      } catch (error) {
        if (attempt === 20) throw error;
        await new Promise((wait) => setTimeout(wait, 100));
      }
    }
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
  "%s, copied as shown (TypeScript compiled as a user would): the API swaps the SPA user's token for a Graph token",
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
      const { stdout } = await run('sh', ['-c', code(id)], { env: { ...process.env, USER_TOKEN: incoming } });
      token = String((JSON.parse(stdout) as { access_token?: unknown }).access_token);
    } else {
      const module = join(dir, `${id}.mjs`);
      const compiled = ts.transpileModule(code(id), {
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      });
      await writeFile(module, compiled.outputText);
      const caller = join(dir, `${id}-caller.mjs`);
      await writeFile(
        caller,
        `import { graphTokenFor } from ${JSON.stringify(module)};\nconsole.log(await graphTokenFor(process.argv[2]));\n`,
      );
      token = (await run(process.execPath, [caller, incoming], { cwd: dir, timeout: 30_000 })).stdout.trim();
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
