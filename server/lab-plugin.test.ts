/**
 * The app server's own handler over real HTTP: `/lab-config.json` (which carries the relay token)
 * only for the app itself, nosniff on every answer, and the sandbox reached at the address it
 * listens on rather than wherever `localhost` resolves first.
 */
import fc from 'fast-check';
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildFilesPolicy, createLabMiddleware, LAB_CONFIG_PATH } from './lab-plugin.ts';

const servers: Server[] = [];
let port = 0;
let sandboxPort = 0;
let v4Hits = 0;
let v6Hits = 0;
let v6 = false;
const logs: string[] = [];

async function listen(server: Server, host: string, wanted = 0): Promise<boolean> {
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(wanted, host, () => {
      servers.push(server);
      resolve(true);
    });
  });
}

const tokenAnswer = (count: () => void) =>
  createServer((req, res) => {
    req.resume();
    count();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"access_token":"a","token_type":"Bearer"}');
  });

beforeAll(async () => {
  // A stand-in sandbox on 127.0.0.1 and, on the same port, someone else on [::1].
  for (let attempt = 0; attempt < 5 && !v6; attempt += 1) {
    const four = tokenAnswer(() => (v4Hits += 1));
    await listen(four, '127.0.0.1');
    sandboxPort = (four.address() as AddressInfo).port;
    v6 = await listen(
      tokenAnswer(() => (v6Hits += 1)),
      '::1',
      sandboxPort,
    );
  }
  const app = createServer();
  await listen(app, '127.0.0.1');
  port = (app.address() as AddressInfo).port;
  const handler = createLabMiddleware({
    appOrigins: [`http://localhost:${port}`, `http://127.0.0.1:${port}`],
    port,
    sandboxOrigin: `http://localhost:${sandboxPort}`,
    sandboxAddress: '127.0.0.1',
    relay: {
      log: (line) => logs.push(line),
      // `localhost` as many systems answer it: ::1 first.
      resolver: (_hostname, callback) =>
        callback(null, [
          { address: '::1', family: 6 },
          { address: '127.0.0.1', family: 4 },
        ]),
    },
  });
  // What Vite would do after the plugin: serve a static file.
  app.on('request', (req, res) =>
    handler(req, res, () => {
      res.writeHead(200, { 'Content-Type': 'text/javascript' });
      res.end('export {};');
    }),
  );
});

afterAll(async () => {
  for (const server of servers) await new Promise<void>((resolve) => server.close(() => resolve()));
});

function get(
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
  body?: string,
): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, method, path, headers: { host: `localhost:${port}`, ...headers } },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('/lab-config.json: the relay token is for the app itself', () => {
  test.each([
    ['a plain GET (Playwright readiness check, curl)', {}],
    ['a same-origin fetch', { 'sec-fetch-site': 'same-origin' }],
    ['a same-origin fetch that sends Origin', { 'sec-fetch-site': 'same-origin', origin: 'APP' }],
    ['the address typed in the address bar', { 'sec-fetch-site': 'none' }],
  ])('%s is served', async (_name, headers: Record<string, string>) => {
    const res = await get(
      LAB_CONFIG_PATH,
      Object.fromEntries(
        Object.entries(headers).map(([k, v]) => [k, v === 'APP' ? `http://localhost:${port}` : v]),
      ),
    );
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ relay: true, relayToken: expect.any(String) });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  test.each([
    [
      'another localhost port (same-site)',
      { origin: 'http://localhost:5999', 'sec-fetch-site': 'same-site' },
    ],
    ['another localhost port, Origin only', { origin: 'http://localhost:5999' }],
    ['Sec-Fetch-Site same-site only', { 'sec-fetch-site': 'same-site' }],
    ['a cross-site page', { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }],
    ['Sec-Fetch-Site cross-site only', { 'sec-fetch-site': 'cross-site' }],
    ['a sandboxed frame (Origin null)', { origin: 'null' }],
    ['the app origin with a cross-site mark', { origin: 'APP', 'sec-fetch-site': 'cross-site' }],
  ])('%s is refused with 403 and no token', async (_name, headers: Record<string, string>) => {
    const res = await get(
      LAB_CONFIG_PATH,
      Object.fromEntries(
        Object.entries(headers).map(([k, v]) => [k, v === 'APP' ? `http://localhost:${port}` : v]),
      ),
    );
    expect(res.status).toBe(403);
    expect(res.body).toBe('');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  test('a foreign Host (DNS rebinding) is refused with 421', async () => {
    const res = await get(LAB_CONFIG_PATH, { host: `evil.example:${port}` });
    expect(res.status).toBe(421);
    expect(res.body).toBe('');
  });

  test('property: any Origin other than the app’s own is refused, with no token in the answer', async () => {
    const appOrigins = [`http://localhost:${port}`, `http://127.0.0.1:${port}`];
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.webUrl().map((url) => new URL(url).origin),
          fc.integer({ min: 1, max: 65535 }).map((p) => `http://localhost:${p}`),
          fc.stringMatching(/^[\x21-\x7e]{1,40}$/),
        ),
        async (origin) => {
          fc.pre(!appOrigins.includes(origin));
          const res = await get(LAB_CONFIG_PATH, { origin });
          expect(res.status).toBe(403);
          expect(res.body).toBe('');
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('nosniff on every answer of the app origin', () => {
  test.each([
    ['a static file', 'GET', '/assets/index.js', undefined],
    ['a relay refusal', 'POST', '/relay/forward', ''],
    ['a form_post refusal', 'POST', '/callback', 'x'],
    [
      'a form_post lookup that finds nothing',
      'GET',
      '/callback/form-post/AAAAAAAAAAAAAAAAAAAAAAAA',
      undefined,
    ],
  ])('%s', async (_name, method, path, body) => {
    const res = await get(path, { 'sec-fetch-site': 'same-origin' }, method, body);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });
});

describe('the sandbox is reached where it listens', () => {
  test('a relayed token request reaches 127.0.0.1, never whoever listens on [::1] at the same port', async (context) => {
    if (!v6) context.skip();
    const config = JSON.parse((await get(LAB_CONFIG_PATH)).body) as { relayToken: string };
    v4Hits = 0;
    v6Hits = 0;
    const res = await get(
      '/relay/forward',
      {
        origin: `http://localhost:${port}`,
        'x-relay-token': config.relayToken,
        'x-relay-target': `http://localhost:${sandboxPort}/t/oauth2/v2.0/token`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      'POST',
      'grant_type=client_credentials&client_secret=top-secret-value',
    );
    expect(res.status, logs.join('\n')).toBe(200);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(v4Hits).toBe(1);
    expect(v6Hits).toBe(0);
  });
});

describe('buildFilesPolicy', () => {
  async function answer(path: string, headers: Record<string, string> = {}) {
    const server = createServer((req, res) =>
      buildFilesPolicy(req, res, () => {
        res.writeHead(200, { 'Cache-Control': 'no-cache', ETag: '"e"' });
        res.end('file');
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      return await fetch(`http://127.0.0.1:${port}${path}`, { headers });
    } finally {
      server.close();
    }
  }

  test('keeps hashed assets for a year, replacing the static server’s no-cache', async () => {
    const response = await answer('/assets/index-DvXsh0LC.js');
    expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(response.headers.get('etag')).toBe('"e"');
  });

  test('leaves other files to the static server, and does not serve the build’s bookkeeping', async () => {
    expect((await answer('/favicon.svg')).headers.get('cache-control')).toBe('no-cache');
    expect((await answer('/.vite/manifest.json')).status).toBe(404);
    expect((await answer('/.vite/build-inputs.json?x=1')).status).toBe(404);
  });
});
