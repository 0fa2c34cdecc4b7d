import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse as parseJavaScript } from 'acorn';
import fc from 'fast-check';
import ts from 'typescript';
import { describe, expect, test } from 'vitest';
import { parseSandboxDirectory, type SandboxDirectory } from '../protocol/sandbox-directory.ts';
import {
  buildSandboxCodeGuide,
  JAVASCRIPT_NOTE,
  LIBRARY_NAMES,
  parseSandboxCaFile,
  parseSandboxUsers,
  shellQuote,
  type CodeSnippet,
  type SandboxCodeGuide,
  type SandboxCodeUser,
} from './sandbox-code.ts';

/** True when `text` has a control character (a line break, NUL…): no file path the page would show. */
function hasControl(text: string): boolean {
  return [...text].some((c) => c.charCodeAt(0) < 0x20);
}

const TENANT = '5f1c9e7a-0b3d-4c2e-9a61-7d8e2f4b6c10';
const API = '9e4d2a71-3c58-4b0f-8d16-2a7f5e9c3b40';

/** The seeded tenant as the sandbox serves it (`/app-directory/v1.json`), at `origin`. */
function seededDirectory(origin: string): SandboxDirectory {
  const callback = 'http://localhost:5173/callback';
  const app = (clientId: string, displayName: string, platform: string, extra: Record<string, unknown>) => ({
    clientId,
    displayName,
    platform,
    redirectUris: [callback],
    allowPublicClientFlows: false,
    implicitIdTokens: false,
    implicitAccessTokens: false,
    confidential: false,
    exposedScopes: [],
    ...extra,
  });
  return parseSandboxDirectory({
    schemaVersion: 1,
    tenant: { id: TENANT, domain: 'flowlab-sandbox.onmicrosoft.com', displayName: 'Flow Lab Sandbox' },
    issuer: `${origin}/${TENANT}/v2.0`,
    portal: `${origin}/`,
    apps: [
      app('2d5f7b3e-8a41-4c6f-9e20-5b7c1d3a9f01', 'Flow Lab SPA', 'spa', {}),
      app('7c3a1e5d-2b9f-4d68-a05e-3f8b6c1d9e27', 'Flow Lab Web App', 'web', {
        confidential: true,
        sandboxOnlySecret: 'sandbox-only~WebApp.Secret-4f8Q2x',
      }),
      app('1b6f9c2d-4e7a-4a35-8c91-0d2e5f7b3a68', 'Flow Lab Console', 'publicClient', {
        redirectUris: ['http://localhost:1337/', callback],
        allowPublicClientFlows: true,
      }),
      app(API, 'Flow Lab API', 'web', {
        redirectUris: [],
        confidential: true,
        identifierUri: `api://${API}`,
        exposedScopes: ['access_as_user', 'Tasks.ReadWrite.All'],
        sandboxOnlySecret: 'sandbox-only~Api.Secret-9kT3vB',
      }),
    ],
  });
}

const USERS: SandboxCodeUser[] = [
  {
    userPrincipalName: 'adele@flowlab-sandbox.onmicrosoft.com',
    password: 'Sandbox-Adele-1',
    mfaRequired: false,
  },
  {
    userPrincipalName: 'megan@flowlab-sandbox.onmicrosoft.com',
    password: 'Sandbox-Megan-1',
    mfaRequired: true,
  },
];

const allSnippets = (guide: SandboxCodeGuide): CodeSnippet[] => guide.sections.flatMap((s) => s.snippets);

const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
/** Resource identifiers Entra defines and the sandbox mirrors: the only outside URLs a snippet may name. */
const GRAPH = 'https://graph.microsoft.com';

/** The values a snippet may name: the directory's, the users', and the origin's. */
function checkNamesOnlyDirectoryValues(guide: SandboxCodeGuide, directory: SandboxDirectory): void {
  const ids = new Set(
    [directory.tenant.id, ...directory.apps.map((a) => a.clientId)].map((v) => v.toLowerCase()),
  );
  for (const s of allSnippets(guide)) {
    for (const guid of s.code.match(GUID) ?? [])
      expect(ids, `${s.id} names ${guid}`).toContain(guid.toLowerCase());
    // Every absolute URL is the sandbox's, Graph's (a resource identifier), or a registered redirect URI
    // with the reader's port.
    for (const url of s.code.match(/\bhttps?:\/\/[^\s"'`\\)]+/g) ?? []) {
      const ok =
        url.startsWith(guide.origin) ||
        url.startsWith(GRAPH) ||
        directory.apps.some((a) =>
          a.redirectUris.some((r) => {
            const u = new URL(r);
            u.port = '3000';
            return (
              URL.canParse(url) &&
              new URL(url).pathname === u.pathname &&
              url.startsWith('http://localhost:3000')
            );
          }),
        );
      expect(ok, `${s.id} names ${url}`).toBe(true);
    }
  }
}

const KNOWN = new Map<string, Set<string>>();
for (const n of LIBRARY_NAMES) {
  if (!KNOWN.has(n.library)) KNOWN.set(n.library, new Set());
  KNOWN.get(n.library)?.add(n.name);
}

describe('sandbox code guide', () => {
  test('every grant of every library has a snippet for the seeded tenant, over http and https', () => {
    for (const origin of ['http://localhost:5174', 'https://localhost:5174']) {
      const guide = buildSandboxCodeGuide(seededDirectory(origin), USERS);
      expect(guide.sections.map((s) => s.missing.map((m) => m.grant))).toEqual([[], [], [], [], []]);
      expect(Object.fromEntries(guide.sections.map((s) => [s.library, s.snippets.map((x) => x.id)]))).toEqual(
        {
          'msal-node': [
            'msal-node-client-credentials-secret',
            'msal-node-client-credentials-certificate',
            'msal-node-device-code',
            'msal-node-password',
            'msal-node-authorization-code',
            'msal-node-on-behalf-of',
          ],
          'msal-browser': ['msal-browser-authorization-code'],
          'azure-identity': [
            'azure-identity-client-credentials-secret',
            'azure-identity-client-credentials-certificate',
            'azure-identity-device-code',
            'azure-identity-on-behalf-of',
          ],
          'openid-client': ['openid-client-authorization-code', 'openid-client-client-credentials-secret'],
          curl: ['curl-client-credentials-secret', 'curl-device-code', 'curl-password', 'curl-on-behalf-of'],
        },
      );
      const https = origin.startsWith('https:');
      expect(guide.sections.map((s) => s.needsHttps)).toEqual([!https, !https, !https, false, false]);
      expect(guide.authority).toBe(`${origin}/${TENANT}`);
    }
  });

  test('each snippet uses only names listed in the table for its library, and uses every name it lists', () => {
    for (const origin of ['http://localhost:5174', 'https://localhost:5174']) {
      for (const s of allSnippets(buildSandboxCodeGuide(seededDirectory(origin), USERS))) {
        for (const name of s.names) {
          expect(KNOWN.get(s.library), `${s.id}: ${name}`).toContain(name);
          expect(s.code, `${s.id} lists ${name}`).toContain(name);
        }
      }
    }
    // No documented name twice for one library.
    const keys = LIBRARY_NAMES.map((n) => `${n.library}:${n.name}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const n of LIBRARY_NAMES) expect(n.docs).toMatch(/^https:\/\//);
  });

  test('openid-client gets allowInsecureRequests exactly when the sandbox runs on http; curl its CA over https', () => {
    const http = buildSandboxCodeGuide(seededDirectory('http://localhost:5174'), USERS);
    const https = buildSandboxCodeGuide(seededDirectory('https://localhost:5174'), USERS);
    const code = (g: SandboxCodeGuide, lib: string) =>
      g.sections
        .find((s) => s.library === lib)
        ?.snippets.map((s) => s.code)
        .join('\n') ?? '';
    expect(code(http, 'openid-client')).toContain('allowInsecureRequests');
    expect(code(https, 'openid-client')).not.toContain('allowInsecureRequests');
    expect(code(https, 'curl')).toContain('--cacert "$NODE_EXTRA_CA_CERTS"');
    expect(code(http, 'curl')).not.toContain('--cacert');
    expect(code(https, 'msal-node')).toContain('knownAuthorities: ["localhost:5174"]');
    expect(code(https, 'azure-identity')).toContain(
      'authorityHost: "https://localhost:5174", disableInstanceDiscovery: true',
    );
  });

  test('generated directories: snippets name only the directory values; every value survives quoting', () => {
    const secret = fc.string({ minLength: 1, maxLength: 24, unit: 'grapheme-ascii' });
    fc.assert(
      fc.property(
        fc.uuid(),
        fc.uuid(),
        fc.uuid(),
        secret,
        secret,
        fc.constantFrom('http://localhost:5174', 'https://sandbox.example.test', 'https://127.0.0.1:8443'),
        (tenant, web, cli, webSecret, apiSecret, origin) => {
          fc.pre(new Set([tenant, web, cli, API].map((x) => x.toLowerCase())).size === 4);
          const base = seededDirectory(origin);
          const directory: SandboxDirectory = {
            ...base,
            tenant: { ...base.tenant, id: tenant },
            issuer: `${origin}/${tenant}/v2.0`,
            apps: base.apps.map((a) =>
              a.displayName === 'Flow Lab Web App'
                ? { ...a, clientId: web, sandboxOnlySecret: webSecret }
                : a.displayName === 'Flow Lab Console'
                  ? { ...a, clientId: cli }
                  : a.displayName === 'Flow Lab API'
                    ? { ...a, sandboxOnlySecret: apiSecret }
                    : a,
            ),
          };
          const guide = buildSandboxCodeGuide(directory, USERS);
          checkNamesOnlyDirectoryValues(guide, directory);
          for (const s of allSnippets(guide)) {
            if (s.language === 'js') {
              // Plain JavaScript, as a reader saves it in a .mjs file: a type annotation is a SyntaxError.
              expect(
                () => parseJavaScript(s.code, { ecmaVersion: 2022, sourceType: 'module' }),
                s.id,
              ).not.toThrow();
              // Each value is written as a string literal that reads back as the value itself.
              if (s.code.includes('clientSecret') && s.library !== 'azure-identity')
                expect(s.code).toContain(
                  JSON.stringify(s.id.includes('on-behalf-of') ? apiSecret : webSecret),
                );
              const parsed = ts.transpileModule(s.code, {
                reportDiagnostics: true,
                compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
              });
              expect(parsed.diagnostics ?? [], s.id).toEqual([]);
            }
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  test('curl snippets, run by a real shell with curl replaced, pass every value through unchanged', () => {
    const odd = [`it's "quoted" $HOME \`x\` \\ !`, 'plain', "'"];
    for (const webSecret of odd) {
      const base = seededDirectory('https://localhost:5174');
      const directory: SandboxDirectory = {
        ...base,
        apps: base.apps.map((a) =>
          a.displayName === 'Flow Lab Web App' ? { ...a, sandboxOnlySecret: webSecret } : a,
        ),
      };
      const guide = buildSandboxCodeGuide(directory, USERS);
      const snippet = allSnippets(guide).find((s) => s.id === 'curl-client-credentials-secret');
      expect(snippet).toBeDefined();
      const run = spawnSync('sh', ['-c', `curl() { printf '%s\\n' "$@"; }\n${snippet?.code ?? ''}`], {
        encoding: 'utf8',
        env: { PATH: process.env['PATH'] ?? '', NODE_EXTRA_CA_CERTS: '/ca.pem' },
      });
      expect(run.status).toBe(0);
      expect(run.stdout.split('\n')).toEqual([
        '--cacert',
        '/ca.pem',
        `https://localhost:5174/${TENANT}/oauth2/v2.0/token`,
        '--user',
        `7c3a1e5d-2b9f-4d68-a05e-3f8b6c1d9e27:${webSecret}`,
        '--data-urlencode',
        'grant_type=client_credentials',
        '--data-urlencode',
        'scope=https://graph.microsoft.com/.default',
        '',
      ]);
    }
    expect(shellQuote("a'b")).toBe(`'a'\\''b'`);
  });

  test('a directory without a usable app, secret or user list gives reasons, not snippets', () => {
    const base = seededDirectory('https://localhost:5174');
    const noSecrets: SandboxDirectory = {
      ...base,
      apps: base.apps.map(({ sandboxOnlySecret: _s, ...a }) => a),
    };
    const guide = buildSandboxCodeGuide(noSecrets, undefined);
    const missing = guide.sections.flatMap((s) => s.missing);
    expect(missing.map((m) => `${m.library}: ${m.grant}`)).toEqual([
      'msal-node: Client credentials with a secret',
      'msal-node: Username and password (ROPC)',
      'msal-node: Authorization code with PKCE, then silent refresh',
      'msal-node: On-behalf-of',
      'azure-identity: Client credentials with a secret',
      'azure-identity: On-behalf-of (in your API)',
      'openid-client: Discovery, code flow with PKCE, ID token, refresh, userinfo',
      'curl: Client credentials with a secret',
      'curl: Username and password (ROPC), then refresh',
    ]);
    for (const m of missing) expect(m.reason).toMatch(/\.$/);
    const empty = buildSandboxCodeGuide({ ...base, apps: [] }, USERS);
    expect(empty.sections.every((s) => s.snippets.length === 0)).toBe(true);
    expect(empty.sections.every((s) => s.missing.length > 0 || s.library === 'curl')).toBe(true);
  });

  test('the user list is read from any JSON without a throw; only complete users are kept', () => {
    fc.assert(
      fc.property(fc.anything(), (json) => {
        for (const user of parseSandboxUsers(json)) {
          expect(typeof user.userPrincipalName).toBe('string');
          expect(typeof user.mfaRequired).toBe('boolean');
        }
      }),
    );
    expect(
      parseSandboxUsers({
        users: [
          { userPrincipalName: 'a@b', password: 'p', mfaRequired: true },
          { userPrincipalName: 'x' },
          null,
        ],
      }),
    ).toEqual([{ userPrincipalName: 'a@b', password: 'p', mfaRequired: true }]);
  });

  test('the JavaScript snippets type-check (checkJs) against the installed MSAL Node, MSAL.js 4, Azure Identity and openid-client', () => {
    // Written under node_modules/.cache so the libraries' own type declarations resolve from there.
    const root = resolve(import.meta.dirname, '../..');
    mkdirSync(join(root, 'node_modules/.cache'), { recursive: true });
    const dir = mkdtempSync(join(root, 'node_modules/.cache/sandbox-code-'));
    try {
      const files: string[] = [];
      for (const origin of ['http://localhost:5174', 'https://localhost:5174'])
        for (const s of allSnippets(buildSandboxCodeGuide(seededDirectory(origin), USERS)))
          if (s.language === 'js') {
            const file = join(dir, `${origin.startsWith('https') ? 's' : 'p'}-${s.id}.mjs`);
            writeFileSync(file, s.code);
            files.push(file);
          }
      const program = ts.createProgram(files, {
        allowJs: true,
        checkJs: true,
        strict: true,
        // Plain JavaScript has no annotations: a parameter without a contextual type is any.
        noImplicitAny: false,
        noEmit: true,
        module: ts.ModuleKind.NodeNext,
        moduleResolution: ts.ModuleResolutionKind.NodeNext,
        target: ts.ScriptTarget.ES2022,
        lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
        types: ['node'],
        typeRoots: [join(root, 'node_modules/@types')],
        skipLibCheck: true,
      });
      const problems = ts
        .getPreEmitDiagnostics(program)
        .map(
          (d) =>
            `${d.file?.fileName.split('/').pop() ?? ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`,
        );
      expect(problems).toEqual([]);
      expect(files.length).toBe(26);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  test('a parameter with a TypeScript annotation fails the JavaScript parse the snippets must pass', () => {
    expect(() =>
      parseJavaScript('export async function f(incomingToken: string) {}', {
        ecmaVersion: 2022,
        sourceType: 'module',
      }),
    ).toThrow(SyntaxError);
    expect(JAVASCRIPT_NOTE).toMatch(/\.mjs/);
  });

  test('the CA file is read from any JSON without a throw: only an absolute path on one line', () => {
    fc.assert(
      fc.property(fc.anything(), (json) => {
        const caFile = parseSandboxCaFile(json);
        if (caFile !== undefined) expect(caFile).toMatch(/^(\/|[A-Za-z]:[\\/]|\\\\)/);
      }),
    );
    fc.assert(
      fc.property(fc.string(), (path) => {
        const caFile = parseSandboxCaFile({ tls: { caFile: path } });
        const absolute = /^(\/|[A-Za-z]:[\\/]|\\\\)/.test(path) && !hasControl(path);
        expect(caFile).toBe(absolute ? path : undefined);
      }),
    );
    expect(parseSandboxCaFile({ tls: { caFile: '/home/me/lab/.sandbox/tls-ca.pem' } })).toBe(
      '/home/me/lab/.sandbox/tls-ca.pem',
    );
    expect(parseSandboxCaFile({ tls: { caFile: '.sandbox/tls-ca.pem' } })).toBeUndefined();
  });

  test('with the CA path the sandbox gave, the trust step and curl name it absolutely; without, the relative form is explained', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }).filter((p) => !hasControl(p)),
        (tail) => {
          const caFile = `/${tail}`;
          const guide = buildSandboxCodeGuide(seededDirectory('https://localhost:5174'), USERS, caFile);
          expect(guide.caExport).toBe(`export NODE_EXTRA_CA_CERTS=${shellQuote(caFile)}`);
          // The shell reads the line back as the path itself.
          const run = spawnSync('sh', ['-c', `${guide.caExport}\nprintf '%s' "$NODE_EXTRA_CA_CERTS"`], {
            encoding: 'utf8',
          });
          expect(run.stdout).toBe(caFile);
          for (const s of allSnippets(guide).filter((x) => x.library === 'curl')) {
            expect(s.code).toContain(`--cacert ${shellQuote(caFile)}`);
            expect(s.code).not.toContain('$NODE_EXTRA_CA_CERTS');
          }
        },
      ),
      { numRuns: 30 },
    );
    const unknown = buildSandboxCodeGuide(seededDirectory('https://localhost:5174'), USERS);
    expect(unknown.caExport).toContain('export NODE_EXTRA_CA_CERTS="$PWD/.sandbox/tls-ca.pem"');
    expect(unknown.caExport).toMatch(/OAuth Flow Lab folder \(not your project\)/);
  });

  test('knownAuthorities is written in one form everywhere: the host alone, as MSAL documents it', () => {
    const root = resolve(import.meta.dirname, '../..');
    const urlForm = /knownAuthorities:\s*\[\s*['"`]https?:\/\//;
    const texts: [string, string][] = [
      ['README.md', readFileSync(join(root, 'README.md'), 'utf8')],
      ...readdirSync(join(root, 'docs'))
        .filter((f) => f.endsWith('.md'))
        .map((f): [string, string] => [`docs/${f}`, readFileSync(join(root, 'docs', f), 'utf8')]),
    ];
    for (const origin of ['http://localhost:5174', 'https://localhost:5174', 'https://lab.example.org'])
      for (const section of buildSandboxCodeGuide(seededDirectory(origin), USERS).sections) {
        texts.push([section.library, section.beyondAuthority.join('\n')]);
        for (const s of section.snippets) texts.push([s.id, `${s.code}\n${s.notes.join('\n')}`]);
        if (section.library.startsWith('msal'))
          for (const s of section.snippets)
            expect(s.code, s.id).toContain(`knownAuthorities: [${JSON.stringify(new URL(origin).host)}]`);
      }
    for (const [where, text] of texts) expect(urlForm.test(text), where).toBe(false);
    expect(urlForm.test("knownAuthorities: ['https://localhost:5174']")).toBe(true);
  });
});
