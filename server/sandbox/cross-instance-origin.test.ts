/**
 * The public origin (issue 15): behind a reverse proxy, each instance names the proxy — issuer,
 * endpoints, discovery, cookies, client-assertion audiences and page links — whatever address it was
 * reached at.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { assertionAudiences } from './client-assertion.ts';
import { parsePublicOrigin, startSandbox, type RunningSandbox } from './index.ts';
import { SANDBOX_TENANT } from './seed.ts';
import { generatePkce, SPA, TEST_REDIRECT_URI } from './test-support.ts';

const PUBLIC = 'https://lab.example.test:8443';

describe('parsePublicOrigin', () => {
  test('an http(s) origin, with or without a port or a final slash, is taken as its origin', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('http', 'https'),
        fc.domain(),
        fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
        fc.boolean(),
        (scheme, host, port, slash) => {
          const text = `${scheme}://${host}${port === undefined ? '' : `:${port}`}${slash ? '/' : ''}`;
          const url = parsePublicOrigin(text);
          expect(url.origin).toBe(new URL(text).origin);
        },
      ),
    );
  });

  test('anything else is refused, saying what an origin is', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc
            .webPath()
            .filter((p) => p.length > 1)
            .map((p) => `https://lab.example${p.startsWith('/') ? p : `/${p}`}`),
          fc.constantFrom(
            'lab.example:8443',
            'ftp://lab.example',
            'https://user:pw@lab.example',
            'https://lab.example/?x=1',
            'https://lab.example/#top',
            'https://lab.example?',
            'http://',
            '',
            'redis://127.0.0.1:6379',
          ),
        ),
        (text) => {
          expect(() => parsePublicOrigin(text)).toThrow(/is not an origin: give the scheme, host and port/);
        },
      ),
    );
  });
});

describe('a sandbox behind a proxy at https://lab.example.test:8443', () => {
  let sandbox: RunningSandbox;
  let dataDir: string;
  let direct: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'sandbox-origin-'));
    sandbox = await startSandbox({ port: 0, dataDir, quiet: true, publicOrigin: PUBLIC });
    direct = `http://127.0.0.1:${sandbox.port}`;
  });
  afterAll(async () => {
    await sandbox.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  test('origin, issuer and every discovery URL of both issuers name the public origin', async () => {
    expect(sandbox.origin).toBe(PUBLIC);
    expect(sandbox.issuer).toBe(`${PUBLIC}/${SANDBOX_TENANT.id}/v2.0`);
    const doc = (await (
      await fetch(`${direct}/${SANDBOX_TENANT.id}/v2.0/.well-known/openid-configuration`)
    ).json()) as Record<string, unknown>;
    // Entra's discovery also names one Microsoft service (rbac_url); every other URL is the tenant's.
    const urls = Object.entries(doc)
      .filter(([name]) => name !== 'rbac_url')
      .map(([, v]) => v)
      .filter((v): v is string => typeof v === 'string' && v.includes('://'));
    expect(urls.length).toBeGreaterThan(4);
    for (const url of urls) expect(url.startsWith(`${PUBLIC}/`)).toBe(true);
    const standard = (await (
      await fetch(`${direct}/standard/.well-known/openid-configuration`)
    ).json()) as Record<string, unknown>;
    expect(standard['issuer']).toBe(`${PUBLIC}/standard`);
    for (const value of Object.values(standard)) {
      if (typeof value === 'string' && value.includes('://'))
        expect(value.startsWith(`${PUBLIC}/`)).toBe(true);
    }
  });

  test("cookie names carry the public origin's port, the same on every instance", async () => {
    const pkce = generatePkce();
    const res = await fetch(
      `${direct}/${SANDBOX_TENANT.id}/oauth2/v2.0/authorize?${new URLSearchParams({
        client_id: SPA.clientId,
        response_type: 'code',
        redirect_uri: TEST_REDIRECT_URI,
        scope: 'openid',
        code_challenge: pkce.challenge,
        code_challenge_method: 'S256',
      })}`,
      { redirect: 'manual' },
    );
    const names = res.headers.getSetCookie().map((c) => c.slice(0, c.indexOf('=')));
    expect(names).toContain('sandbox_interaction_8443');
    expect(res.headers.get('location')).toMatch(new RegExp(`^(${PUBLIC})?/interaction/`));
  });

  test('the portal links to the public origin', async () => {
    const html = await (await fetch(`${direct}/`)).text();
    expect(html).toContain(`${PUBLIC}/${SANDBOX_TENANT.id}/v2.0`);
    expect(html).not.toContain(`localhost:${sandbox.port}`);
  });

  test('client assertions are accepted for the public token endpoint, and loopback spellings only on loopback', () => {
    const audiences = assertionAudiences(PUBLIC);
    expect(audiences).toContain(`${PUBLIC}/${SANDBOX_TENANT.id}/oauth2/v2.0/token`);
    expect(audiences.some((a) => a.includes('localhost') || a.includes('127.0.0.1'))).toBe(false);
    expect(assertionAudiences('http://localhost:5174')).toContain(
      `http://127.0.0.1:5174/${SANDBOX_TENANT.id}/oauth2/v2.0/token`,
    );
  });
});

describe('choosing the public origin', () => {
  test('SANDBOX_PUBLIC_ORIGIN applies when the option is absent; a bad one stops the start', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'sandbox-origin-env-'));
    const saved = process.env['SANDBOX_PUBLIC_ORIGIN'];
    try {
      process.env['SANDBOX_PUBLIC_ORIGIN'] = 'http://workshop.example.test';
      const sandbox = await startSandbox({ port: 0, dataDir, quiet: true });
      expect(sandbox.origin).toBe('http://workshop.example.test');
      await sandbox.close();
      process.env['SANDBOX_PUBLIC_ORIGIN'] = 'http://workshop.example.test/lab';
      await expect(startSandbox({ port: 0, dataDir, quiet: true })).rejects.toThrow(/is not an origin/);
      delete process.env['SANDBOX_PUBLIC_ORIGIN'];
      const plain = await startSandbox({ port: 0, dataDir, quiet: true });
      expect(plain.origin).toBe(`http://localhost:${plain.port}`);
      await plain.close();
    } finally {
      if (saved === undefined) delete process.env['SANDBOX_PUBLIC_ORIGIN'];
      else process.env['SANDBOX_PUBLIC_ORIGIN'] = saved;
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
