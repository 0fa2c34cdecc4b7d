import { readFileSync } from 'node:fs';
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Resolver } from './forward.ts';
import { createRelayMiddleware } from './index.ts';
import { isForbiddenAddress, NamedKeySets } from './policy.ts';

const APP = 'http://localhost:5173';
const TOKEN = 'per-start-token-0123456789';
/** Key sets the upstream serves, by path: the real providers' paths with their real keys. */
const providerKeySets = new Map<string, string>();
/** What each test discovery document names as jwks_uri, by the first path segment of the document. */
const namedBy: Record<string, string> = {};
const upstreamHits: { method: string; url: string; headers: IncomingHttpHeaders; body: string }[] = [];
const logs: string[] = [];
let upstream: Server;
let relayServer: Server;
let UP = '';
let relayPort = 0;

/** Maps names to addresses the way DNS would, so rebinding can be simulated without a network. */
const fakeDns: Record<string, string[]> = {
  'login.microsoftonline.com': ['10.0.0.5'],
  'login.microsoftonline.us': ['127.0.0.1'],
  'login.partner.microsoftonline.cn': ['169.254.169.254'],
  'issuer.example': ['93.184.216.34', '192.168.1.10'],
  'v6.example': ['fd00::1'],
  'mapped.example': ['::ffff:127.0.0.1'],
};
const resolver: Resolver = (hostname, callback) => {
  const addresses = hostname === 'localhost' ? ['127.0.0.1'] : fakeDns[hostname];
  if (addresses === undefined) {
    callback(new Error('ENOTFOUND'), []);
    return;
  }
  callback(
    null,
    addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
  );
};

beforeAll(async () => {
  upstream = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', (): void => {
      upstreamHits.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const path = req.url ?? '';
      if (path.endsWith('/oauth2/v2.0/token')) {
        res.writeHead(200, {
          'content-type': 'application/json',
          'set-cookie': 'session=1',
          'cache-control': 'no-store',
          ...(req.headers['dpop'] === undefined ? {} : { 'dpop-nonce': 'server-nonce-1' }),
        });
        res.end('{"access_token":"a","token_type":"Bearer"}');
        return;
      }
      if (path === '/t/v2.0/.well-known/openid-configuration') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ issuer: 'http://x/t/v2.0', jwks_uri: `${UP}/t/discovery/v2.0/keys` }));
        return;
      }
      // /{name}/.well-known/openid-configuration names whatever key set the test put in `namedBy`.
      const named = /^\/([a-z-]+)\/\.well-known\/openid-configuration$/.exec(path)?.[1];
      if (named !== undefined && namedBy[named] !== undefined) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ issuer: `https://${named}.example`, jwks_uri: namedBy[named] }));
        return;
      }
      const keySet = providerKeySets.get(path);
      if (keySet !== undefined) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(keySet);
        return;
      }
      if (path === '/.well-known/oauth-authorization-server/t/v2.0') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"issuer":"http://x/t/v2.0"}');
        return;
      }
      if (path === '/t/discovery/v2.0/keys') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"keys":[]}');
        return;
      }
      if (path === '/html/.well-known/openid-configuration') {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<html>sign in</html>');
        return;
      }
      if (path === '/moved/keys' || path === '/redirect/oauth2/v2.0/other') {
        res.writeHead(302, { location: 'http://169.254.169.254/' });
        res.end();
        return;
      }
      if (path === '/big/keys') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(`{"keys":[],"pad":"${'x'.repeat(5000)}"}`);
        return;
      }
      if (path === '/slow/keys') {
        setTimeout(() => res.end('{"keys":[]}'), 1500);
        return;
      }
      res.writeHead(404);
      res.end();
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  UP = `http://localhost:${(upstream.address() as AddressInfo).port}`;
  for (const name of ['moved', 'big', 'slow']) namedBy[name] = `${UP}/${name}/keys`;

  relayServer = createServer();
  await new Promise<void>((resolve) => relayServer.listen(0, '127.0.0.1', resolve));
  relayPort = (relayServer.address() as AddressInfo).port;
  const relay = createRelayMiddleware({
    appOrigins: [APP],
    port: relayPort,
    token: TOKEN,
    extraOrigins: [UP],
    maxBodyBytes: 1024,
    maxResponseBytes: 2048,
    timeoutMs: 500,
    log: (line) => logs.push(line),
    resolver,
  });
  relayServer.on('request', (req, res) => void relay(req, res, () => res.writeHead(404).end()));
});

afterAll(async () => {
  await new Promise<void>((resolve) => relayServer.close(() => resolve()));
  await new Promise<void>((resolve) => upstream.close(() => resolve()));
});

interface Call {
  method?: string;
  path?: string;
  headers?: Record<string, string | undefined>;
  body?: string;
}

/** One raw HTTP call to the relay, so Host and Origin can be set freely. */
function call({
  method = 'POST',
  path = '/relay/forward',
  headers = {},
  body,
}: Call): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  const base: Record<string, string | undefined> = {
    host: `localhost:${relayPort}`,
    origin: APP,
    'x-relay-token': TOKEN,
    'content-type': 'application/x-www-form-urlencoded',
  };
  const merged = Object.fromEntries(
    Object.entries({ ...base, ...headers }).filter((e): e is [string, string] => e[1] !== undefined),
  );
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: relayPort, method, path, headers: merged }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(
      body ??
        (method === 'POST' ? 'grant_type=client_credentials&client_secret=top-secret-value' : undefined),
    );
  });
}

const token = (origin: string, tenant = 'common') => `${origin}/${tenant}/oauth2/v2.0/token`;

/** GETs a metadata document through the relay, as the app does before it fetches a key set. */
async function discover(url: string): Promise<void> {
  const res = await call({ method: 'GET', headers: { 'x-relay-target': url } });
  expect(res.status, `discovery at ${url}`).toBe(200);
}

describe('local relay: allowed paths', () => {
  test('forwards a form POST to an allowlisted token endpoint, without cookies, Origin or redirects', async () => {
    upstreamHits.length = 0;
    const res = await call({ headers: { 'x-relay-target': token(UP, 't'), cookie: 'a=b' } });
    expect(res.status).toBe(200);
    expect(res.headers['x-relay']).toBe('1');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(JSON.parse(res.body)).toMatchObject({ access_token: 'a' });
    expect(upstreamHits[0]?.headers.cookie).toBeUndefined();
    expect(upstreamHits[0]?.headers.origin).toBeUndefined();
    expect(upstreamHits[0]?.headers['x-relay-token']).toBeUndefined();
    expect(upstreamHits[0]?.body).toContain('client_secret=top-secret-value');
  });

  test('RFC 9449: forwards the DPoP proof and returns the server’s DPoP-Nonce', async () => {
    upstreamHits.length = 0;
    const res = await call({
      headers: { 'x-relay-target': token(UP, 't'), dpop: 'eyJ0eXAiOiJkcG9wK2p3dCJ9.e30.sig' },
    });
    expect(upstreamHits[0]?.headers['dpop']).toBe('eyJ0eXAiOiJkcG9wK2p3dCJ9.e30.sig');
    expect(res.headers['dpop-nonce']).toBe('server-nonce-1');
  });

  test("sends the app's Origin only when asked (SPA redemption, AADSTS9002327)", async () => {
    upstreamHits.length = 0;
    await call({ headers: { 'x-relay-target': token(UP, 't'), 'x-relay-origin': APP } });
    expect(upstreamHits[0]?.headers.origin).toBe(APP);
  });

  test('a same-origin GET without Origin is accepted on Fetch Metadata, a cross-site one is not', async () => {
    await discover(`${UP}/t/v2.0/.well-known/openid-configuration`);
    const target = { 'x-relay-target': `${UP}/t/discovery/v2.0/keys`, origin: undefined };
    expect(
      (await call({ method: 'GET', headers: { ...target, 'sec-fetch-site': 'same-origin' } })).status,
    ).toBe(200);
    expect(
      (await call({ method: 'GET', headers: { ...target, 'sec-fetch-site': 'cross-site' } })).status,
    ).toBe(403);
    expect(
      (await call({ method: 'POST', headers: { ...target, 'sec-fetch-site': 'same-origin' } })).status,
    ).toBe(403);
  });

  test('fetches a discovery document and a key set with GET', async () => {
    const discovery = await call({
      method: 'GET',
      headers: { 'x-relay-target': `${UP}/t/v2.0/.well-known/openid-configuration` },
    });
    expect(discovery.status).toBe(200);
    const rfc8414 = await call({
      method: 'GET',
      headers: { 'x-relay-target': `${UP}/.well-known/oauth-authorization-server/t/v2.0` },
    });
    expect(rfc8414.status).toBe(200);
    const keys = await call({ method: 'GET', headers: { 'x-relay-target': `${UP}/t/discovery/v2.0/keys` } });
    expect(JSON.parse(keys.body)).toEqual({ keys: [] });
  });

  test('an added https origin passes the allowlist but still meets the address check', async () => {
    const added = await call({
      path: '/relay/allow',
      headers: { 'content-type': 'application/json' },
      body: '{"origin":"https://issuer.example"}',
    });
    expect(added.status).toBe(200);
    const res = await call({ headers: { 'x-relay-target': 'https://issuer.example/oauth2/token' } });
    expect(res.status).toBe(403);
    expect(res.body).toMatch(/private network/);
  });

  test('never logs a body, a secret or a token', () => {
    expect(logs.join('\n')).not.toMatch(/top-secret-value|client_secret|access_token|per-start-token/);
  });
});

describe('local relay: refusal probes (each must be refused, and nothing reaches a server)', () => {
  const entra = 'https://login.microsoftonline.com';
  // Thunks: the upstream's port is known only once beforeAll has run.
  const probes: [string, () => Call, number][] = [
    ['no Origin', () => ({ headers: { origin: undefined, 'x-relay-target': token(UP) } }), 403],
    [
      'a foreign Origin',
      () => ({ headers: { origin: 'https://evil.example', 'x-relay-target': token(UP) } }),
      403,
    ],
    [
      'Origin "null" (sandboxed frame)',
      () => ({ headers: { origin: 'null', 'x-relay-target': token(UP) } }),
      403,
    ],
    [
      'the app origin on another port',
      () => ({ headers: { origin: 'http://localhost:5999', 'x-relay-target': token(UP) } }),
      403,
    ],
    ['no relay token', () => ({ headers: { 'x-relay-token': undefined, 'x-relay-target': token(UP) } }), 403],
    [
      'a wrong relay token',
      () => ({ headers: { 'x-relay-token': 'per-start-token-0123456788', 'x-relay-target': token(UP) } }),
      403,
    ],
    [
      'a relay token of another length',
      () => ({ headers: { 'x-relay-token': 'x', 'x-relay-target': token(UP) } }),
      403,
    ],
    [
      'a foreign Host (DNS rebinding)',
      () => ({ headers: { host: 'evil.example', 'x-relay-target': token(UP) } }),
      421,
    ],
    [
      'a Host with another port',
      () => ({ headers: { host: 'localhost:1', 'x-relay-target': token(UP) } }),
      421,
    ],
    ['no target', () => ({ headers: {} }), 400],
    ['a relative target', () => ({ headers: { 'x-relay-target': '/common/oauth2/v2.0/token' } }), 400],
    [
      'a host not on the allowlist',
      () => ({ headers: { 'x-relay-target': token('https://example.com') } }),
      403,
    ],
    [
      'a look-alike of Entra',
      () => ({ headers: { 'x-relay-target': token('https://login.microsoftonline.com.evil.example') } }),
      403,
    ],
    [
      'Entra on another port',
      () => ({ headers: { 'x-relay-target': token('https://login.microsoftonline.com:8443') } }),
      403,
    ],
    [
      'Entra over plain http',
      () => ({ headers: { 'x-relay-target': token('http://login.microsoftonline.com') } }),
      403,
    ],
    [
      'an Entra path that is not token or devicecode',
      () => ({ headers: { 'x-relay-target': `${entra}/common/oauth2/v2.0/authorize` } }),
      403,
    ],
    [
      'a traversal out of the token path',
      () => ({ headers: { 'x-relay-target': `${entra}/common/oauth2/v2.0/token/../../../../admin` } }),
      403,
    ],
    ['a file: URL', () => ({ headers: { 'x-relay-target': 'file:///etc/passwd' } }), 403],
    ['a data: URL', () => ({ headers: { 'x-relay-target': 'data:text/plain,hi' } }), 403],
    ['a gopher: URL', () => ({ headers: { 'x-relay-target': 'gopher://localhost:70/' } }), 403],
    [
      'credentials in the URL',
      () => ({ headers: { 'x-relay-target': token('https://user:pw@login.microsoftonline.com') } }),
      403,
    ],
    ['a fragment in the URL', () => ({ headers: { 'x-relay-target': `${token(entra)}#x` } }), 400],
    [
      'an over-long URL',
      () => ({ headers: { 'x-relay-target': `${token(entra)}?${'a'.repeat(3000)}` } }),
      414,
    ],
    [
      'the metadata IP literal',
      () => ({ headers: { 'x-relay-target': token('http://169.254.169.254') } }),
      403,
    ],
    [
      'a loopback IP literal not added',
      () => ({ headers: { 'x-relay-target': token(UP.replace('localhost', '127.0.0.1')) } }),
      403,
    ],
    ['an IPv6 loopback literal', () => ({ headers: { 'x-relay-target': token('http://[::1]:5174') } }), 403],
    ['a decimal IP', () => ({ headers: { 'x-relay-target': token('http://2130706433') } }), 403],
    ['a hex IP', () => ({ headers: { 'x-relay-target': token('http://0x7f.1') } }), 403],
    ['an octal IP', () => ({ headers: { 'x-relay-target': token('http://0177.0.0.1') } }), 403],
    ['a short IP', () => ({ headers: { 'x-relay-target': token('http://127.1') } }), 403],
    [
      'an IPv4-mapped loopback literal (hex form)',
      () => ({ headers: { 'x-relay-target': token('http://[::ffff:7f00:1]:5174') } }),
      403,
    ],
    [
      'the metadata address behind NAT64',
      () => ({ headers: { 'x-relay-target': token('http://[64:ff9b::a9fe:a9fe]') } }),
      403,
    ],
    [
      'the upstream on a loopback address other than the one allowed',
      () => ({ headers: { 'x-relay-target': token(UP.replace('localhost', '127.0.0.2'), 't') } }),
      403,
    ],
    [
      'an allowlisted host on another port',
      () => ({ headers: { 'x-relay-target': token(UP.replace(/:\d+$/, ':1')) } }),
      403,
    ],
    ['Entra resolving to a private address', () => ({ headers: { 'x-relay-target': token(entra) } }), 403],
    [
      'Entra (US) resolving to loopback',
      () => ({ headers: { 'x-relay-target': token('https://login.microsoftonline.us') } }),
      403,
    ],
    [
      'Entra (China) resolving to the metadata address',
      () => ({ headers: { 'x-relay-target': token('https://login.partner.microsoftonline.cn') } }),
      403,
    ],
    ['a PUT', () => ({ method: 'PUT', headers: { 'x-relay-target': token(UP, 't') } }), 405],
    ['a DELETE', () => ({ method: 'DELETE', headers: { 'x-relay-target': token(UP, 't') } }), 405],
    [
      'a JSON body',
      () => ({ headers: { 'x-relay-target': token(UP, 't'), 'content-type': 'application/json' } }),
      415,
    ],
    [
      'no content type',
      () => ({ headers: { 'x-relay-target': token(UP, 't'), 'content-type': undefined } }),
      415,
    ],
    [
      'a body over the limit',
      () => ({ headers: { 'x-relay-target': token(UP, 't') }, body: `a=${'x'.repeat(2000)}` }),
      413,
    ],
    [
      'a GET of something that is neither discovery nor keys',
      () => ({ method: 'GET', headers: { 'x-relay-target': `${UP}/directory.json` } }),
      403,
    ],
    [
      'a foreign Origin to forward',
      () => ({ headers: { 'x-relay-target': token(UP, 't'), 'x-relay-origin': 'https://evil.example' } }),
      403,
    ],
    [
      'adding a plain-http origin',
      () => ({
        path: '/relay/allow',
        headers: { 'content-type': 'application/json' },
        body: '{"origin":"http://example.com"}',
      }),
      400,
    ],
    [
      'adding an origin with credentials',
      () => ({
        path: '/relay/allow',
        headers: { 'content-type': 'application/json' },
        body: '{"origin":"https://a:b@example.com"}',
      }),
      400,
    ],
    [
      'adding an https origin on a loopback address other than 127.0.0.1',
      () => ({
        path: '/relay/allow',
        headers: { 'content-type': 'application/json' },
        body: '{"origin":"https://127.0.0.2:8443"}',
      }),
      403,
    ],
    [
      'adding an IPv4-mapped loopback origin',
      () => ({
        path: '/relay/allow',
        headers: { 'content-type': 'application/json' },
        body: '{"origin":"https://[::ffff:7f00:1]:8443"}',
      }),
      403,
    ],
    [
      'adding a private-network origin',
      () => ({
        path: '/relay/allow',
        headers: { 'content-type': 'application/json' },
        body: '{"origin":"https://192.168.1.1"}',
      }),
      403,
    ],
    [
      'adding loopback spelled as one decimal number',
      () => ({
        path: '/relay/allow',
        headers: { 'content-type': 'application/json' },
        body: '{"origin":"http://2130706433:8080"}',
      }),
      400,
    ],
    [
      'adding an origin from another site',
      () => ({
        path: '/relay/allow',
        headers: { origin: 'https://evil.example', 'content-type': 'application/json' },
        body: '{"origin":"https://x.example"}',
      }),
      403,
    ],
  ];

  test.each(probes)('refuses %s', async (_name, probe, status) => {
    upstreamHits.length = 0;
    const res = await call(probe());
    expect(res.status).toBe(status);
    expect(res.headers['x-relay-refused']).toBe('1');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(upstreamHits).toHaveLength(0);
  });

  test.each([
    ['a discovery answer that is HTML', `/html/.well-known/openid-configuration`, 502],
    ['a key set that redirects', `/moved/keys`, 502],
    ['a key set over the size limit', `/big/keys`, 502],
  ])('refuses %s', async (_name, path, status) => {
    // The key sets are fetched as a client would: after the document that names them.
    const segment = path.split('/')[1] ?? '';
    if (namedBy[segment] !== undefined) await discover(`${UP}/${segment}/.well-known/openid-configuration`);
    const res = await call({ method: 'GET', headers: { 'x-relay-target': `${UP}${path}` } });
    expect(res.status).toBe(status);
    expect(res.headers['x-relay-refused']).toBe('1');
  });

  test('a key set that takes too long is reported as an unreachable upstream (timeout), not a refusal', async () => {
    await discover(`${UP}/slow/.well-known/openid-configuration`);
    const res = await call({ method: 'GET', headers: { 'x-relay-target': `${UP}/slow/keys` } });
    expect(res.status).toBe(504);
    expect(res.headers['x-relay-refused']).toBeUndefined();
    expect(res.headers['x-relay-unreachable']).toBe('1');
    expect(JSON.parse(res.body)).toMatchObject({ relay_error: 'upstream_unreachable', cause: 'timeout' });
  });

  test('refuses a token endpoint that redirects', async () => {
    const res = await call({ headers: { 'x-relay-target': `${UP}/redirect/oauth2/v2.0/other` } });
    expect(res.status).toBe(502);
  });
});

describe('local relay: a key set is fetched only as a metadata document named it', () => {
  /** Real providers whose jwks_uri no path rule would guess, served at their real paths. */
  const PROVIDERS = ['facebook', 'battle-net', 'klarna', 'spotify'].map((name) => {
    const fixture = JSON.parse(
      readFileSync(new URL(`../../test-fixtures/providers/${name}.json`, import.meta.url), 'utf8'),
    ) as { metadata: { jwks_uri: string }; jwks: { keys: unknown[] } };
    // One key each keeps every answer under this relay's 2 KiB response cap.
    return {
      name,
      path: new URL(fixture.metadata.jwks_uri).pathname,
      keys: { keys: fixture.jwks.keys.slice(0, 1) },
    };
  });

  beforeAll(() => {
    for (const p of PROVIDERS) providerKeySets.set(p.path, JSON.stringify(p.keys));
  });

  test('the paths are the real ones: /.well-known/oauth/openid/jwks/, /jwks/certs, …/.well-known/jwks.json, /oidc/certs/v1', () => {
    expect(PROVIDERS.map((p) => p.path)).toEqual([
      '/.well-known/oauth/openid/jwks/',
      '/jwks/certs',
      '/eu/lp/idp/.well-known/jwks.json',
      '/oidc/certs/v1',
    ]);
  });

  test.each(PROVIDERS)(
    '$name: refused while no document named it, fetched once its discovery was relayed',
    async (p) => {
      const keys = `${UP}${p.path}`;
      upstreamHits.length = 0;
      const before = await call({ method: 'GET', headers: { 'x-relay-target': keys } });
      expect(before.status).toBe(403);
      expect(before.headers['x-relay-refused']).toBe('1');
      expect(before.body).toMatch(/fetch the discovery document through the relay first/);
      expect(upstreamHits).toHaveLength(0);

      namedBy[p.name] = keys;
      await discover(`${UP}/${p.name}/.well-known/openid-configuration`);
      const after = await call({ method: 'GET', headers: { 'x-relay-target': keys } });
      expect(after.status).toBe(200);
      expect(JSON.parse(after.body)).toEqual(p.keys);
      // Exactly the URL named: a neighbour on the same path is still refused.
      const neighbour = await call({ method: 'GET', headers: { 'x-relay-target': `${keys}x` } });
      expect(neighbour.status).toBe(403);
    },
  );

  test('a document from an origin not on the allowlist is not fetched, so what it would name stays refused', async () => {
    const foreign = UP.replace('localhost', '127.0.0.1');
    namedBy['foreign'] = `${UP}/foreign/keys`;
    const doc = await call({
      method: 'GET',
      headers: { 'x-relay-target': `${foreign}/foreign/.well-known/openid-configuration` },
    });
    expect(doc.status).toBe(403);
    const keys = await call({ method: 'GET', headers: { 'x-relay-target': `${UP}/foreign/keys` } });
    expect(keys.status).toBe(403);
  });

  test('a named key set on another origin still meets the address checks after DNS', async () => {
    // issuer.example resolves to a public and a private address: refused although named.
    namedBy['private'] = 'https://issuer.example/keys';
    await discover(`${UP}/private/.well-known/openid-configuration`);
    const res = await call({ method: 'GET', headers: { 'x-relay-target': 'https://issuer.example/keys' } });
    expect(res.status).toBe(403);
    expect(res.body).toMatch(/private network/);
  });

  test.each([
    ['plain http to the metadata address', 'http://169.254.169.254/latest/meta-data'],
    ['plain http to loopback', 'http://127.0.0.1:9/keys'],
    ['https to an IP literal', 'https://10.0.0.8/keys'],
    ['credentials in the URL', 'https://user:pw@keys.example/keys'],
  ])('a named key set that is %s is never fetched', async (_name, url) => {
    namedBy['odd'] = url;
    await discover(`${UP}/odd/.well-known/openid-configuration`);
    upstreamHits.length = 0;
    const res = await call({ method: 'GET', headers: { 'x-relay-target': url } });
    expect(res.status).toBe(403);
    expect(res.headers['x-relay-refused']).toBe('1');
  });

  test('a named key set on another origin opens a GET of that URL only, never a POST', async () => {
    namedBy['elsewhere'] = 'https://keys.example/jwks';
    await discover(`${UP}/elsewhere/.well-known/openid-configuration`);
    const post = await call({ headers: { 'x-relay-target': 'https://keys.example/jwks' } });
    expect(post.status).toBe(403);
    expect(post.body).toMatch(/not on the relay's allowlist/);
    // The GET passes the policy and goes on to DNS, where keys.example does not resolve here.
    const get = await call({ method: 'GET', headers: { 'x-relay-target': 'https://keys.example/jwks' } });
    expect(get.status).not.toBe(403);
    expect(get.headers['x-relay-refused']).toBeUndefined();
  });
});

describe('named key sets', () => {
  const allowlisted = (origin: string) => origin === 'http://localhost:1';

  test('remembers https URLs, and http only on an allowlisted origin, exactly as named', () => {
    const named = new NamedKeySets();
    expect(
      named.rememberFrom(
        { jwks_uri: 'https://www.facebook.com/.well-known/oauth/openid/jwks/' },
        allowlisted,
      ),
    ).toBe('https://www.facebook.com/.well-known/oauth/openid/jwks/');
    expect(named.has(new URL('https://www.facebook.com/.well-known/oauth/openid/jwks/'))).toBe(true);
    expect(named.has(new URL('https://www.facebook.com/.well-known/oauth/openid/jwks'))).toBe(false);
    expect(named.rememberFrom({ jwks_uri: 'http://localhost:1/keys' }, allowlisted)).toBe(
      'http://localhost:1/keys',
    );
    for (const jwks_uri of [
      'http://example.com/keys',
      'https://a:b@x.example/k',
      'https://x.example/k#f',
      'not a url',
      7,
    ]) {
      expect(named.rememberFrom({ jwks_uri }, allowlisted)).toBeUndefined();
    }
    expect(named.rememberFrom(null, allowlisted)).toBeUndefined();
    expect(named.rememberFrom(['https://x.example/k'], allowlisted)).toBeUndefined();
    expect(named.size).toBe(2);
  });

  test('is bounded: past the limit the oldest are forgotten', () => {
    const named = new NamedKeySets(3);
    for (let i = 0; i < 5; i += 1)
      named.rememberFrom({ jwks_uri: `https://k${i}.example/keys` }, allowlisted);
    expect(named.size).toBe(3);
    expect(named.has(new URL('https://k0.example/keys'))).toBe(false);
    expect(named.has(new URL('https://k4.example/keys'))).toBe(true);
  });
});

describe('forbidden addresses', () => {
  test.each([
    ['127.0.0.1', true],
    ['10.1.2.3', true],
    ['172.31.255.255', true],
    ['172.32.0.1', false],
    ['192.168.0.1', true],
    ['169.254.169.254', true],
    ['100.64.0.1', true],
    ['0.0.0.0', true],
    ['224.0.0.1', true],
    ['20.190.160.1', false],
    ['::1', true],
    ['::', true],
    ['fd00::1', true],
    ['fe80::1', true],
    ['::ffff:10.0.0.1', true],
    ['::ffff:20.190.160.1', false],
    ['::ffff:7f00:1', true],
    ['::7f00:1', true],
    ['fec0::1', true],
    ['ff02::1', true],
    ['64:ff9b::a00:1', true],
    ['64:ff9b::14be:a001', false],
    ['64:ff9b:1::1', true],
    ['2002:a00:1::1', true],
    ['2001:0:4136:e378::1', true],
    ['2001:db8::1', true],
    ['192.0.2.1', true],
    ['198.51.100.1', true],
    ['203.0.113.1', true],
    ['192.88.99.1', true],
    ['255.255.255.255', true],
    ['2603:1036::1', false],
    ['not-an-ip', true],
  ])('%s → %s', (ip, forbidden) => {
    expect(isForbiddenAddress(ip)).toBe(forbidden);
  });
});
