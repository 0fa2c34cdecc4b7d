/**
 * Hosting mode's write rules (hosted-access.ts, server/hosting.ts): every write a learner could make to
 * the shared sandbox outside the OAuth/OIDC protocol is refused without the trainer password, and the
 * attack lab is off for everyone. The non-protocol write endpoints are enumerated from the running
 * sandbox itself (its portal pages' forms and the writes they document, the attack lab's paths) and from
 * generated paths, so an endpoint added later is caught by the same test.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ATTACK_LAB_SIGN_IN_PATH, ATTACK_LAB_SWITCHES_PATH } from '../../src/flows/attacks/switches.ts';
import { ATTACK_LAB_OFF_REASON } from '../hosting.ts';
import { MIX_UP_AS_PREFIX } from './attack-lab-mix-up.ts';
import { classifyHostedRequest, isProtocolPath, STANDARD_PROTOCOL_PATHS } from './hosted-access.ts';
import { startSandbox, type RunningSandbox } from './index.ts';

const WRITES = ['POST', 'PUT', 'PATCH', 'DELETE'] as const;
const READS = ['GET', 'HEAD', 'OPTIONS'] as const;
const PASSWORD = 'trainer-password-for-hosted-access';
const basic = (password: string) => `Basic ${Buffer.from(`trainer:${password}`).toString('base64')}`;

const segment = fc.stringMatching(/^[A-Za-z0-9._~%-]{1,12}$/);
const anyPath = fc.array(segment, { minLength: 1, maxLength: 4 }).map((parts) => `/${parts.join('/')}`);

describe('classifyHostedRequest', () => {
  test('outside the attack lab, every read is open', () => {
    fc.assert(
      fc.property(fc.constantFrom(...READS), anyPath, (method, path) => {
        fc.pre(!path.startsWith('/attack-lab/'));
        expect(classifyHostedRequest(method, path)).toBe('open');
      }),
    );
  });

  test('any change to the attack lab is off, the mix-up capture read too; its other reads stay open', () => {
    fc.assert(
      fc.property(fc.constantFrom(...WRITES, 'post', 'Delete'), anyPath, (method, rest) => {
        expect(classifyHostedRequest(method, `/attack-lab${rest}`)).toBe('off');
      }),
    );
    for (const path of [ATTACK_LAB_SWITCHES_PATH, ATTACK_LAB_SIGN_IN_PATH, `${MIX_UP_AS_PREFIX}/token`])
      expect(classifyHostedRequest('POST', path)).toBe('off');
    expect(classifyHostedRequest('GET', `${MIX_UP_AS_PREFIX}/captured`)).toBe('off');
    expect(classifyHostedRequest('GET', ATTACK_LAB_SWITCHES_PATH)).toBe('open');
  });

  test('a write is open exactly at a protocol endpoint; any other path needs the trainer (deny by default)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...WRITES),
        fc.oneof(
          anyPath,
          anyPath.map((p) => `/portal${p}`),
          anyPath.map((p) => `/standard${p}`),
          anyPath.map((p) => `/standard/portal/api${p}`),
          anyPath.map((p) => `/organizations${p}`),
        ),
        (method, path) => {
          fc.pre(!path.startsWith('/attack-lab/'));
          const access = classifyHostedRequest(method, path);
          expect(access).toBe(isProtocolPath(path) ? 'open' : 'trainer');
          if (path.startsWith('/portal/') || path.startsWith('/standard/portal/'))
            expect(access).toBe('trainer');
        },
      ),
    );
  });
});

describe('a sandbox in hosting mode: non-protocol writes', () => {
  let hosted: RunningSandbox;
  let open: RunningSandbox;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'hosted-access-'));
    hosted = await startSandbox({ port: 0, dataDir, quiet: true, trainerPassword: PASSWORD });
    open = await startSandbox({ port: 0, dataDir, quiet: true });
  });
  afterAll(async () => {
    await Promise.all([hosted.close(), open.close()]);
    await rm(dataDir, { recursive: true, force: true });
  });
  const at = (s: RunningSandbox, path: string) => `http://127.0.0.1:${s.port}${path}`;

  /** The write endpoints the sandbox's own portal pages offer: form actions and documented calls. */
  async function documentedWrites(): Promise<readonly (readonly [string, string])[]> {
    const pages = await Promise.all(
      ['/', '/standard/portal'].map(async (path) =>
        (await fetch(at(hosted, path), { headers: { authorization: basic(PASSWORD) } })).text(),
      ),
    );
    const found = new Map<string, readonly [string, string]>();
    for (const html of pages) {
      for (const m of html.matchAll(/<form\b[^>]*\bmethod="post"[^>]*\baction="([^"]+)"/gi)) {
        const path = new URL(m[1]!.replaceAll('&amp;', '&'), at(hosted, '/')).pathname;
        found.set(`POST ${path}`, ['POST', path]);
      }
      for (const m of html.matchAll(/<code>(POST|PUT|PATCH|DELETE) (\/[^\s<]*)<\/code>/g))
        found.set(`${m[1]} ${m[2]}`, [m[1]!, m[2]!]);
    }
    return [...found.values()];
  }

  test('every portal write the pages offer: 401 without the trainer password, from curl or a browser', async () => {
    const writes = await documentedWrites();
    // The tenant portal's forms (apps, redirect URIs, secrets, certificates, lockouts, reset, settings)
    // and the standards portal's documented settings call.
    expect(writes.length).toBeGreaterThan(8);
    expect(writes.map(([, path]) => path)).toEqual(
      expect.arrayContaining(['/portal/reset', '/portal/settings', '/standard/portal/api/settings']),
    );
    for (const [method, path] of writes) {
      for (const origin of [undefined, `http://localhost:5173`, 'https://elsewhere.example']) {
        const answer = await fetch(at(hosted, path), {
          method,
          headers: {
            'content-type': 'application/json',
            ...(origin === undefined ? {} : { origin }),
          },
          body: '{}',
        });
        expect(answer.status, `${method} ${path} from ${origin ?? 'curl'}`).toBe(401);
        expect(answer.headers.get('www-authenticate')).toMatch(/^Basic /);
      }
    }
  });

  test('the attack lab is off: switches, sign-in and the attacker server answer 403 with the reason, password or not', async () => {
    const calls: readonly (readonly [string, string, string])[] = [
      ['POST', ATTACK_LAB_SWITCHES_PATH, JSON.stringify({ wildcardRedirectUris: true })],
      ['POST', ATTACK_LAB_SIGN_IN_PATH, JSON.stringify({ username: 'x', authorizationUrl: 'x' })],
      ['POST', `${MIX_UP_AS_PREFIX}/token`, 'code=stolen'],
      ['GET', `${MIX_UP_AS_PREFIX}/captured`, ''],
    ];
    for (const [method, path, body] of calls) {
      for (const authorization of [undefined, basic(PASSWORD)]) {
        const answer = await fetch(at(hosted, path), {
          method,
          headers: {
            'content-type': 'application/json',
            ...(authorization === undefined ? {} : { authorization }),
          },
          ...(method === 'GET' ? {} : { body }),
        });
        expect(answer.status, `${method} ${path}`).toBe(403);
        expect(await answer.json()).toEqual({ error: 'forbidden', error_description: ATTACK_LAB_OFF_REASON });
      }
    }
    expect(ATTACK_LAB_OFF_REASON).toContain('npm start');
    const view = (await (await fetch(at(hosted, ATTACK_LAB_SWITCHES_PATH))).json()) as {
      vulnerable: boolean;
    };
    expect(view.vulnerable).toBe(false);
  });

  test('any other write, at any path outside the protocol endpoints, is refused without the password', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...WRITES), anyPath, async (method, path) => {
        fc.pre(!isProtocolPath(path));
        const answer = await fetch(at(hosted, path), { method, body: '' });
        expect([401, 403], `${method} ${path}`).toContain(answer.status);
      }),
      { numRuns: 60 },
    );
  });

  test('protocol endpoints stay open: every endpoint both discovery documents publish', async () => {
    const documents = await Promise.all(
      [
        '/organizations/v2.0/.well-known/openid-configuration',
        '/standard/.well-known/openid-configuration',
      ].map(async (path) => (await (await fetch(at(hosted, path))).json()) as Record<string, unknown>),
    );
    const endpoints = documents.flatMap((doc) =>
      Object.entries(doc)
        .filter(([key, value]) => key.endsWith('_endpoint') && typeof value === 'string')
        .map(([, value]) =>
          new URL(value as string).pathname.replace(/^\/[^/]*\/oauth2/, '/organizations/oauth2'),
        ),
    );
    expect(endpoints.length).toBeGreaterThan(10);
    for (const path of endpoints) expect(classifyHostedRequest('POST', path), path).toBe('open');
    // And the allow-list holds only those: each standards path below is published (or is the device page).
    const published = new Set(endpoints);
    for (const sub of STANDARD_PROTOCOL_PATHS)
      expect(published.has(`/standard${sub}`) || sub === '/device', sub).toBe(true);
  });

  test('outside hosting mode nothing changes: the attack lab switches from curl as before', async () => {
    const answer = await fetch(at(open, ATTACK_LAB_SWITCHES_PATH), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ reset: true }),
    });
    expect(answer.status).toBe(200);
  });
});
