/**
 * Hosting mode: the options read from the command line and the environment, the trainer gate (HTTP
 * Basic, RFC 7617) on its own and in a running sandbox, the relay off and the lab config of the app
 * server, and the seeded redirect URIs for the public origin.
 */
import fc from 'fast-check';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  checkTrainerCredentials,
  createTrainerGate,
  DEFAULT_HOSTING_ADDRESS,
  HostingOptionError,
  isPortalWrite,
  parseHostingOptions,
  RELAY_OFF_REASON,
  TRAINER_SIGN_IN_PATH,
} from './hosting.ts';
import { createLabMiddleware, LAB_CONFIG_PATH } from './lab-plugin.ts';
import { startSandbox, type RunningSandbox } from './sandbox/index.ts';
import { disableForms } from './sandbox/portal.ts';
import { DEFAULT_APP_ORIGIN, seededAppOrigins } from './sandbox/seed.ts';

const basic = (user: string, password: string): string =>
  `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;

describe('hosting options (--host, LAB_HOST, LAB_TRAINER_PASSWORD, LAB_PUBLIC_ORIGIN)', () => {
  const made = () => 'generated-password-0123456789';

  test('without --host or LAB_HOST: not hosting (loopback only, as before)', () => {
    expect(parseHostingOptions([], {}, made)).toBeUndefined();
    expect(parseHostingOptions(['--mode=dev'], { LAB_HOST: '' }, made)).toBeUndefined();
    expect(parseHostingOptions([], { LAB_TRAINER_PASSWORD: 'a-long-enough-password' }, made)).toBeUndefined();
  });

  test('--host alone listens on every interface with a password made at start', () => {
    expect(parseHostingOptions(['--host'], {}, made)).toEqual({
      address: DEFAULT_HOSTING_ADDRESS,
      trainerPassword: 'generated-password-0123456789',
      passwordGenerated: true,
    });
  });

  test('--host=ADDRESS, LAB_HOST, a chosen password and the public origin', () => {
    expect(
      parseHostingOptions(['--host=192.168.1.20'], { LAB_TRAINER_PASSWORD: 'correct horse battery' }, made),
    ).toEqual({
      address: '192.168.1.20',
      trainerPassword: 'correct horse battery',
      passwordGenerated: false,
    });
    expect(
      parseHostingOptions([], { LAB_HOST: '::', LAB_PUBLIC_ORIGIN: 'https://lab.example.org/' }, made),
    ).toMatchObject({ address: '::', publicOrigin: 'https://lab.example.org' });
    // The command line wins over the environment.
    expect(parseHostingOptions(['--host=10.0.0.5'], { LAB_HOST: '0.0.0.0' }, made)?.address).toBe('10.0.0.5');
  });

  test('a bad address, a short password or a public origin with a path: an error saying what to give', () => {
    expect(() => parseHostingOptions(['--host=lab.example.org'], {}, made)).toThrow(/IP address/);
    expect(() => parseHostingOptions(['--host'], { LAB_TRAINER_PASSWORD: 'short' }, made)).toThrow(
      /shorter than 12 characters/,
    );
    expect(() =>
      parseHostingOptions(['--host'], { LAB_PUBLIC_ORIGIN: 'https://lab.example.org/app' }, made),
    ).toThrow(/origin only/);
    expect(() => parseHostingOptions(['--host'], { LAB_PUBLIC_ORIGIN: 'ftp://x' }, made)).toThrow(
      HostingOptionError,
    );
  });

  test('any --host value: an IP address to listen on, or a HostingOptionError (never anything else)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.ipV4(), fc.ipV6()), (value) => {
        try {
          const options = parseHostingOptions([`--host=${value}`], {}, made);
          expect(options?.address).toMatch(/^[0-9a-f.:]+$/i);
        } catch (error) {
          expect(error).toBeInstanceOf(HostingOptionError);
        }
      }),
    );
  });

  test('generated passwords differ from start to start and are long', () => {
    const a = parseHostingOptions(['--host'], {});
    const b = parseHostingOptions(['--host'], {});
    expect(a?.trainerPassword).toHaveLength(32);
    expect(a?.trainerPassword).not.toBe(b?.trainerPassword);
  });
});

describe('trainer credentials (RFC 7617 Basic)', () => {
  test('the password under any user name is accepted; any other password is not', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }),
        fc.string().filter((user) => !user.includes(':')),
        fc.string(),
        (password, user, other) => {
          expect(checkTrainerCredentials(basic(user, password), password)).toBe(true);
          if (other !== password) expect(checkTrainerCredentials(basic(user, other), password)).toBe(false);
        },
      ),
    );
  });

  test('any Authorization header: true only for the password, never a throw', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string().map((s) => `Basic ${s}`),
        ),
        (header) => {
          expect(checkTrainerCredentials(header, 'the-trainer-password')).toBe(false);
        },
      ),
    );
    expect(checkTrainerCredentials(undefined, 'the-trainer-password')).toBe(false);
    expect(checkTrainerCredentials('Bearer dGhlLXRyYWluZXI=', 'the-trainer-password')).toBe(false);
    expect(checkTrainerCredentials(basic('trainer', 'the-trainer-password'), 'the-trainer-password')).toBe(
      true,
    );
    // RFC 7617 §2: the scheme name is case-insensitive.
    expect(
      checkTrainerCredentials(
        basic('trainer', 'the-trainer-password').replace('Basic', 'bAsIc'),
        'the-trainer-password',
      ),
    ).toBe(true);
  });

  test('portal writes: every unsafe method below either portal API, and nothing else', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('GET', 'HEAD', 'OPTIONS', 'POST', 'PATCH', 'PUT', 'DELETE', 'get', 'post'),
        fc.constantFrom(
          '/portal/',
          '/standard/portal/api/',
          '/',
          '/standard/portal',
          '/attack-lab/',
          '/x/portal/',
        ),
        fc.string(),
        (method, prefix, rest) => {
          const write = !['GET', 'HEAD', 'OPTIONS'].includes(method.toUpperCase());
          const portal = prefix === '/portal/' || prefix === '/standard/portal/api/';
          expect(isPortalWrite(method, `${prefix}${rest}`)).toBe(write && portal);
        },
      ),
    );
  });

  test('an empty trainer password is refused at start', () => {
    expect(() => createTrainerGate('')).toThrow(HostingOptionError);
  });
});

describe('the portal page made read-only', () => {
  test('every form gets a disabled fieldset around its controls, whatever the markup inside', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('', ' method="post" action="/portal/reset"'), fc.string()), {
          maxLength: 6,
        }),
        (forms) => {
          const html = forms
            .map(([attrs, inner]) => `<p>x</p><form${attrs}>${inner.replace(/<\/?form/g, '')}</form>`)
            .join('');
          const out = disableForms(html);
          expect(out.match(/<form\b/g)?.length ?? 0).toBe(forms.length);
          expect(out.match(/<fieldset class="read-only" disabled/g)?.length ?? 0).toBe(forms.length);
          expect(out.match(/<\/fieldset><\/form>/g)?.length ?? 0).toBe(forms.length);
        },
      ),
    );
  });
});

describe('a sandbox in hosting mode', () => {
  const PASSWORD = 'trainer-password-for-tests';
  let sandbox: RunningSandbox;
  let open: RunningSandbox;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'hosting-test-'));
    sandbox = await startSandbox({ port: 0, dataDir, quiet: true, trainerPassword: PASSWORD });
    open = await startSandbox({ port: 0, dataDir, quiet: true });
  });
  afterAll(async () => {
    await Promise.all([sandbox.close(), open.close()]);
    await rm(dataDir, { recursive: true, force: true });
  });
  const url = (path: string, s: RunningSandbox = sandbox) => `http://127.0.0.1:${s.port}${path}`;
  const trainer = { authorization: basic('trainer', PASSWORD) };

  test('the portal page: read-only for a learner, with the reason; editable for the trainer', async () => {
    const learner = await (await fetch(url('/'))).text();
    expect(learner).toContain('Read-only.');
    expect(learner).toContain('only the trainer can change it');
    const forms = learner.match(/<form\b/g)?.length ?? 0;
    expect(forms).toBeGreaterThan(10);
    expect(learner.match(/<fieldset class="read-only" disabled/g)?.length).toBe(forms);
    const signedIn = await (await fetch(url('/'), { headers: trainer })).text();
    expect(signedIn).toContain('Signed in as the trainer');
    expect(signedIn).not.toContain('class="read-only"');
  });

  test('every kind of portal write: 401 with a Basic challenge without the password, done with it', async () => {
    const writes: readonly [string, string, string?][] = [
      ['POST', '/portal/reset'],
      ['POST', '/portal/settings', JSON.stringify({ rotateRefreshTokens: false })],
      ['POST', '/portal/memory/sweep'],
      ['DELETE', '/portal/lockouts/adele%40flowlab-sandbox.onmicrosoft.com'],
      ['PATCH', '/standard/portal/api/settings', JSON.stringify({ dpopNonceRequired: false })],
    ];
    for (const [method, path, body] of writes) {
      const refused = await fetch(url(path), {
        method,
        headers: { 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body }),
      });
      expect(refused.status, `${method} ${path}`).toBe(401);
      expect(refused.headers.get('www-authenticate')).toMatch(/^Basic realm="[^"]+", charset="UTF-8"$/);
      const answer = (await refused.json()) as { error: string; error_description: string };
      expect(answer.error).toBe('unauthorized');
      expect(answer.error_description).toContain('trainer password');
      const wrong = await fetch(url(path), {
        method,
        headers: { 'content-type': 'application/json', authorization: basic('trainer', `${PASSWORD}x`) },
        ...(body === undefined ? {} : { body }),
      });
      expect(wrong.status, `${method} ${path} with a wrong password`).toBe(401);
      const done = await fetch(url(path), {
        method,
        headers: { 'content-type': 'application/json', ...trainer },
        ...(body === undefined ? {} : { body }),
      });
      expect(done.status, `${method} ${path} as the trainer`).toBeLessThan(300);
    }
  });

  test('a form post without the password gets a page saying why; reads stay open', async () => {
    const refused = await fetch(url('/portal/reset'), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
    });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('content-type')).toContain('text/html');
    const page = await refused.text();
    expect(page).toContain('Trainer password needed');
    expect(page).not.toContain(PASSWORD);
    expect((await fetch(url('/portal/settings'))).status).toBe(200);
    expect((await fetch(url('/directory.json'))).status).toBe(200);
    expect((await fetch(url('/standard/portal'))).status).toBe(200);
  });

  test(`${TRAINER_SIGN_IN_PATH}: a challenge, then back to the portal once signed in`, async () => {
    const challenge = await fetch(url(TRAINER_SIGN_IN_PATH), { headers: { accept: 'text/html' } });
    expect(challenge.status).toBe(401);
    expect(challenge.headers.get('www-authenticate')).toContain('Basic');
    const back = await fetch(url(TRAINER_SIGN_IN_PATH), { headers: trainer, redirect: 'manual' });
    expect(back.status).toBe(303);
    expect(back.headers.get('location')).toBe('/');
  });

  test('outside hosting mode nothing changes: no password, no read-only page, no /trainer', async () => {
    const page = await (await fetch(url('/', open))).text();
    expect(page).not.toContain('Read-only.');
    expect(page).not.toContain('class="read-only"');
    const reset = await fetch(url('/portal/reset', open), { method: 'POST' });
    expect(reset.status).toBe(200);
    expect((await fetch(url(TRAINER_SIGN_IN_PATH, open))).status).toBe(404);
  });
});

describe('the app server in hosting mode', () => {
  let server: Server;
  let hosted: Server;
  let port = 0;
  let hostedPort = 0;
  const start = async (hosting: boolean): Promise<[Server, number]> => {
    const handler = createLabMiddleware({
      appOrigins: ['http://localhost:1', 'http://127.0.0.1:1'],
      port: 1,
      sandboxOrigin: 'https://sandbox.lab.example',
      sandboxAddress: '127.0.0.1',
      ...(hosting ? { hosting: true } : {}),
      relay: { log: () => undefined },
    });
    const s = createServer((req: IncomingMessage, res: ServerResponse) =>
      handler(req, res, () => res.writeHead(418).end()),
    );
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    return [s, (s.address() as AddressInfo).port];
  };
  beforeAll(async () => {
    [hosted, hostedPort] = await start(true);
    [server, port] = await start(false);
  });
  afterAll(async () => {
    await Promise.all([hosted, server].map((s) => new Promise((resolve) => s.close(resolve))));
  });

  test('every /relay/* answer is a 404 with the reason, marked as the relay’s refusal', async () => {
    for (const path of ['/relay/forward', '/relay/allow', '/relay/anything?x=1']) {
      const answer = await fetch(`http://127.0.0.1:${hostedPort}${path}`, { method: 'POST' });
      expect(answer.status).toBe(404);
      expect(answer.headers.get('x-relay-refused')).toBe('1');
      expect(await answer.text()).toContain(RELAY_OFF_REASON);
    }
    // Not hosting: the relay is there and refuses on its own terms (wrong Host header for port 1).
    const local = await fetch(`http://127.0.0.1:${port}/relay/forward`, { method: 'POST' });
    expect(local.status).not.toBe(404);
  });

  test('/lab-config.json says hosting, relay off and why, carries no token, under any Host name', async () => {
    const answer = await fetch(`http://127.0.0.1:${hostedPort}${LAB_CONFIG_PATH}`);
    expect(answer.status).toBe(200);
    const config = (await answer.json()) as Record<string, unknown>;
    expect(config).toEqual({
      sandboxOrigin: 'https://sandbox.lab.example',
      relay: false,
      hosting: true,
      relayOffReason: RELAY_OFF_REASON,
      formPost: true,
    });
    // The page's own origin may read it; another site may not.
    const own = await fetch(`http://127.0.0.1:${hostedPort}${LAB_CONFIG_PATH}`, {
      headers: { origin: `http://127.0.0.1:${hostedPort}` },
    });
    expect(own.status).toBe(200);
    const foreign = await fetch(`http://127.0.0.1:${hostedPort}${LAB_CONFIG_PATH}`, {
      headers: { origin: 'https://evil.example' },
    });
    expect(foreign.status).toBe(403);
    // Not hosting: only this machine's names (the port here is not the configured one).
    expect((await fetch(`http://127.0.0.1:${port}${LAB_CONFIG_PATH}`)).status).toBe(421);
  });
});

describe('seeded redirect URIs for the public origin', () => {
  test('LAB_PUBLIC_ORIGIN adds its origin once; anything else leaves the local one alone', () => {
    expect(seededAppOrigins(undefined)).toEqual([DEFAULT_APP_ORIGIN]);
    expect(seededAppOrigins('https://lab.example.org/')).toEqual([
      DEFAULT_APP_ORIGIN,
      'https://lab.example.org',
    ]);
    expect(seededAppOrigins(DEFAULT_APP_ORIGIN)).toEqual([DEFAULT_APP_ORIGIN]);
    fc.assert(
      fc.property(fc.string(), (value) => {
        const origins = seededAppOrigins(value);
        expect(origins[0]).toBe(DEFAULT_APP_ORIGIN);
        for (const origin of origins) expect(origin).toMatch(/^https?:\/\/[^/]+$/);
      }),
    );
  });
});
