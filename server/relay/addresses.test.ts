/**
 * Every connection the relay opens passes one address check, whatever the host's form: probes
 * against a real relay on loopback, with a real listener on 127.0.0.2 (Linux routes all of 127/8 to
 * lo) counting the connections that arrive — none may — and Node's socket `connect` watched for
 * the addresses no listener could stand in for. Also this machine's own interfaces, `localhost`
 * answered on ::1 by someone else, and what /relay/allow accepts.
 */
import fc from 'fast-check';
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import {
  createServer as createTcpServer,
  isIP,
  Socket,
  type AddressInfo,
  type Server as TcpServer,
} from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import { forward, type Resolver } from './forward.ts';
import { createRelayMiddleware, type RelayOptions } from './index.ts';
import { addressRefusal, Refusal } from './policy.ts';

const APP = 'http://localhost:5173';
const TOKEN = 'per-start-token-addresses';
const SECRET = 'client_secret=top-secret-value';
const servers: (Server | TcpServer)[] = [];

/** Counts TCP connections arriving at 127.0.0.2. */
let listener127002: TcpServer;
let connections127002 = 0;
let P = 0;

interface Relay {
  readonly port: number;
  readonly logs: string[];
  call(options: {
    method?: string;
    path?: string;
    target?: string;
    body?: string;
    headers?: Record<string, string>;
  }): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }>;
}

/** A relay on 127.0.0.1 with these options; `call` sends as the app's page would. */
async function startRelay(options: Partial<RelayOptions>): Promise<Relay> {
  const server = createServer();
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const logs: string[] = [];
  const middleware = createRelayMiddleware({
    appOrigins: [APP],
    port,
    token: TOKEN,
    extraOrigins: [],
    timeoutMs: 2000,
    log: (line) => logs.push(line),
    ...options,
  });
  server.on('request', (req, res) => void middleware(req, res, () => res.writeHead(404).end()));
  return {
    port,
    logs,
    call: ({ method = 'POST', path = '/relay/forward', target, body, headers = {} }) =>
      new Promise((resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port,
            method,
            path,
            headers: {
              host: `localhost:${port}`,
              origin: APP,
              'x-relay-token': TOKEN,
              'content-type': 'application/x-www-form-urlencoded',
              ...(target === undefined ? {} : { 'x-relay-target': target }),
              ...headers,
            },
          },
          (res) => {
            let text = '';
            res.on('data', (c: Buffer) => (text += c.toString()));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
          },
        );
        req.on('error', reject);
        req.end(body ?? (method === 'POST' ? `grant_type=client_credentials&${SECRET}` : undefined));
      }),
  };
}

/**
 * The addresses Node's sockets tried to connect to while `run` ran (leaving out the `except` ports,
 * the test's own calls to the relay): an IP-literal host is connected to at once; a host name only
 * after its lookup succeeded (net.Socket's 'lookup' event, emitted before connecting).
 */
async function connectsDuring(run: () => Promise<unknown>, except: number[] = []): Promise<string[]> {
  const attempts: string[] = [];
  const original = Socket.prototype.connect;
  const spy = vi.spyOn(Socket.prototype, 'connect').mockImplementation(function (
    this: Socket,
    ...args: unknown[]
  ) {
    const first = (Array.isArray(args[0]) ? args[0][0] : args[0]) as { host?: string; port?: number };
    const port = Number(first.port);
    if (!except.includes(port)) {
      const host = first.host ?? 'localhost';
      if (isIP(host) !== 0) attempts.push(`${host}:${port}`);
      else
        this.on('lookup', (error: Error | null, address: string) => {
          if (error === null) attempts.push(`${address}:${port}`);
        });
    }
    return (original as (...a: unknown[]) => Socket).apply(this, args);
  });
  try {
    await run();
    return attempts;
  } finally {
    spy.mockRestore();
  }
}

beforeAll(async () => {
  listener127002 = createTcpServer((socket) => {
    connections127002 += 1;
    socket.destroy();
  });
  servers.push(listener127002);
  await new Promise<void>((resolve) => listener127002.listen(0, '127.0.0.2', resolve));
  P = (listener127002.address() as AddressInfo).port;
});

afterAll(async () => {
  for (const server of servers) await new Promise<void>((resolve) => server.close(() => resolve()));
});

afterEach(() => vi.restoreAllMocks());

/** Every way a URL parser accepts to write IPv4 address `n` as a host (WHATWG URL host parsing). */
function v4Spellings(n: number): string[] {
  const [a, b, c, d] = [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
  const hex = (x: number) => `0x${x.toString(16)}`;
  const oct = (x: number) => `0${x.toString(8)}`;
  const high = (a << 8) | b;
  const low = (c << 8) | d;
  const h16 = (x: number) => x.toString(16);
  return [
    `${a}.${b}.${c}.${d}`,
    `${a}.${b}.${c}.${d}.`,
    String(n >>> 0),
    hex(n >>> 0),
    oct(n >>> 0),
    `${hex(a)}.${hex(b)}.${hex(c)}.${hex(d)}`,
    `${oct(a)}.${oct(b)}.${oct(c)}.${oct(d)}`,
    `${hex(a)}.${b}.${oct(c)}.${d}`,
    `${a}.${b}.${(c << 8) | d}`,
    `${a}.${(b << 16) | (c << 8) | d}`,
    `${oct(a)}.${hex((b << 16) | (c << 8) | d)}`,
    `[::ffff:${a}.${b}.${c}.${d}]`,
    `[::ffff:${h16(high)}:${h16(low)}]`,
    `[0:0:0:0:0:ffff:${h16(high)}:${h16(low)}]`,
    `[::FFFF:${h16(high).toUpperCase()}:${h16(low).toUpperCase()}]`,
    `[64:ff9b::${a}.${b}.${c}.${d}]`,
    `[64:ff9b::${h16(high)}:${h16(low)}]`,
  ];
}

describe('IP-literal hosts: nothing reaches a listener on 127.0.0.2', () => {
  // Allowlisted through extraOrigins, which /relay/allow cannot refuse: only the connect-time check stands.
  let relay: Relay;
  beforeAll(async () => {
    relay = await startRelay({
      extraOrigins: [
        `http://127.0.0.2:${P}`,
        `https://127.0.0.2:${P}`,
        `http://[::ffff:7f00:2]:${P}`,
        `http://[64:ff9b::7f00:2]:${P}`,
      ],
    });
  });

  test('the listener counts a connection that does arrive (so the probes below can fail)', async () => {
    connections127002 = 0;
    await new Promise<void>((resolve) => {
      const socket = new Socket();
      socket.on('close', () => resolve());
      socket.on('error', () => resolve());
      socket.connect(P, '127.0.0.2');
    });
    await vi.waitFor(() => expect(connections127002).toBe(1));
    connections127002 = 0;
  });

  const spellings = () => [
    ...v4Spellings(0x7f000002).map((host) => `http://${host}:${P}/t/oauth2/v2.0/token`),
    `https://127.0.0.2:${P}/t/oauth2/v2.0/token`,
  ];

  test.each(Array.from({ length: v4Spellings(0).length + 1 }, (_, i) => i))(
    'refuses spelling #%i of 127.0.0.2 with 403, and the secret goes nowhere',
    async (index) => {
      const target = spellings()[index] as string;
      connections127002 = 0;
      const res = await relay.call({ target });
      expect(res.status, target).toBe(403);
      expect(res.headers['x-relay-refused']).toBe('1');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.body).toMatch(/loopback/);
      // The refusal says what to do, not only what happened.
      expect(res.body).toMatch(/localhost, 127\.0\.0\.1 or \[::1\]/);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(connections127002).toBe(0);
    },
  );

  test('a GET of a metadata document on 127.0.0.2 is refused the same way', async () => {
    connections127002 = 0;
    const res = await relay.call({
      method: 'GET',
      target: `http://127.0.0.2:${P}/.well-known/openid-configuration`,
    });
    expect(res.status).toBe(403);
    expect(connections127002).toBe(0);
  });

  test('property: any spelling of 127.0.0.2 the URL parser accepts is refused without a connection', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...v4Spellings(0x7f000002)), async (host) => {
        connections127002 = 0;
        const res = await relay.call({ target: `http://${host}:${P}/token` });
        expect(res.status).toBe(403);
        expect(connections127002).toBe(0);
      }),
      { numRuns: 40 },
    );
  });

  test('the log names the refusal, never the secret', () => {
    expect(relay.logs.join('\n')).toMatch(/refused POST \(403\)/);
    expect(relay.logs.join('\n')).not.toMatch(/top-secret-value|client_secret/);
  });
});

/** IANA's IPv4 special-purpose ranges (not globally reachable) that the relay must refuse. */
const FORBIDDEN_V4: [number, number][] = [
  [0x00000000, 8],
  [0x0a000000, 8],
  [0x64400000, 10],
  [0x7f000000, 8],
  [0xa9fe0000, 16],
  [0xac100000, 12],
  [0xc0000000, 24],
  [0xc0000200, 24],
  [0xc0a80000, 16],
  [0xc6120000, 15],
  [0xc6336400, 24],
  [0xcb007100, 24],
  [0xe0000000, 4],
  [0xf0000000, 4],
];
const forbiddenV4 = fc
  .tuple(fc.constantFrom(...FORBIDDEN_V4), fc.integer({ min: 0, max: 0xffffffff }))
  .map(([[base, prefix], random]) => {
    const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
    return ((base & mask) | (random & ~mask)) >>> 0;
  });

/** IPv6 ranges refused: [first groups, prefix length]. */
const FORBIDDEN_V6: [string, number][] = [
  ['::1', 128],
  ['::', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
  ['100::', 64],
  ['2001::', 32],
  ['2001:db8::', 32],
  ['2002::', 16],
  ['3fff::', 20],
  ['64:ff9b:1::', 48],
  ['::', 96], // IPv4-compatible
];
function v6ToBig(text: string): bigint {
  const [head = '', tail = ''] = text.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === '' ? [] : tail.split(':');
  const groups = text.includes('::')
    ? [...left, ...new Array<string>(8 - left.length - right.length).fill('0'), ...right]
    : left;
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}
const forbiddenV6 = fc
  .tuple(fc.constantFrom(...FORBIDDEN_V6), fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }))
  .map(([[base, prefix], random]) => {
    const all = (1n << 128n) - 1n;
    const mask = prefix === 0 ? 0n : (all << BigInt(128 - prefix)) & all;
    const value = (v6ToBig(base) & mask) | (random & ~mask & all);
    return Array.from({ length: 8 }, (_, i) => Number((value >> BigInt(112 - 16 * i)) & 0xffffn));
  });
/** Ways to write eight groups: full, leading zeros, upper case, compressed, dotted tail. */
function v6Spellings(groups: number[]): string[] {
  const hex = groups.map((g) => g.toString(16));
  const tail = `${groups[6]! >> 8}.${groups[6]! & 0xff}.${groups[7]! >> 8}.${groups[7]! & 0xff}`;
  const full = hex.join(':');
  return [
    `[${full}]`,
    `[${groups.map((g) => g.toString(16).padStart(4, '0')).join(':')}]`,
    `[${full.toUpperCase()}]`,
    new URL(`http://[${full}]/`).hostname,
    `[${hex.slice(0, 6).join(':')}:${tail}]`,
  ];
}

describe('property: forbidden addresses in every spelling are refused before any socket connects', () => {
  const request = (host: string) => ({
    url: new URL(`http://${host}:${P}/token`),
    method: 'POST' as const,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: SECRET,
    loopbackOnly: false,
    timeoutMs: 2000,
    maxResponseBytes: 1024,
  });
  const noResolver: Resolver = () => {
    throw new Error('an IP literal is never resolved');
  };

  test('IPv4 special-purpose ranges, in decimal, hex, octal, short, IPv4-mapped and NAT64 forms', async () => {
    await fc.assert(
      fc.asyncProperty(forbiddenV4, fc.nat(), async (n, pick) => {
        const spellings = v4Spellings(n);
        const host = spellings[pick % spellings.length] as string;
        let outcome: unknown;
        const connects = await connectsDuring(async () => {
          outcome = await forward(request(host), { resolver: noResolver }).catch((e: unknown) => e);
        });
        expect(connects, host).toEqual([]);
        expect(outcome, host).toBeInstanceOf(Refusal);
        expect((outcome as Refusal).status).toBe(403);
      }),
      { numRuns: 300 },
    );
  });

  test('IPv6 loopback, unspecified, ULA, link-local, site-local, multicast, Teredo, 6to4, NAT64 local-use, IPv4-compatible', async () => {
    await fc.assert(
      fc.asyncProperty(forbiddenV6, fc.nat(), async (groups, pick) => {
        const spellings = v6Spellings(groups);
        const host = spellings[pick % spellings.length] as string;
        let outcome: unknown;
        const connects = await connectsDuring(async () => {
          outcome = await forward(request(host), { resolver: noResolver }).catch((e: unknown) => e);
        });
        expect(connects, host).toEqual([]);
        expect(outcome, host).toBeInstanceOf(Refusal);
        expect((outcome as Refusal).status).toBe(403);
      }),
      { numRuns: 300 },
    );
  });

  test('the same ranges as DNS answers are refused, and a public answer is not', async () => {
    await fc.assert(
      fc.property(forbiddenV4, forbiddenV6, (n, groups) => {
        const v4 = `${n >>> 24}.${(n >>> 16) & 0xff}.${(n >>> 8) & 0xff}.${n & 0xff}`;
        const v6 = groups.map((g) => g.toString(16)).join(':');
        expect(addressRefusal(v4, { loopbackOnly: false, localAddresses: () => [] }), v4).toBeDefined();
        expect(addressRefusal(v6, { loopbackOnly: false, localAddresses: () => [] }), v6).toBeDefined();
      }),
      { numRuns: 500 },
    );
    // Microsoft's 20.0.0.0/8 and 2603::/16 hold Entra's sign-in addresses: public, so allowed.
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffff }), fc.integer({ min: 0, max: 0xffff }), (low, g) => {
        const v4 = `20.${low >> 16}.${(low >> 8) & 0xff}.${low & 0xff}`;
        expect(addressRefusal(v4, { loopbackOnly: false, localAddresses: () => [] }), v4).toBeUndefined();
        expect(
          addressRefusal(`::ffff:${v4}`, { loopbackOnly: false, localAddresses: () => [] }),
        ).toBeUndefined();
        expect(
          addressRefusal(`64:ff9b::${v4}`, { loopbackOnly: false, localAddresses: () => [] }),
        ).toBeUndefined();
        expect(
          addressRefusal(`2603:1036:${g.toString(16)}::1`, {
            loopbackOnly: false,
            localAddresses: () => [],
          }),
        ).toBeUndefined();
      }),
    );
  });

  test('loopbackOnly lets loopback through, and nothing else: not private, not public, not loopback behind NAT64', () => {
    const loose = { loopbackOnly: true, localAddresses: () => ['127.0.0.1', '::1'] };
    expect(addressRefusal('127.0.0.1', loose)).toBeUndefined();
    expect(addressRefusal('::1', loose)).toBeUndefined();
    expect(addressRefusal('::ffff:127.0.0.1', loose)).toBeUndefined();
    expect(addressRefusal('127.8.9.10', loose)).toBeUndefined();
    for (const ip of [
      '10.0.0.5',
      'fd00::1',
      '20.190.160.1',
      '2603:1036::1',
      '64:ff9b::7f00:1',
      '::7f00:1',
      '::',
    ])
      expect(addressRefusal(ip, loose), ip).toMatch(/not a loopback address/);
  });
});

describe("this machine's own addresses", () => {
  const OWN_V4 = '20.190.160.77';
  const OWN_V6 = '2603:1036:3000::77';
  const own = ['127.0.0.1', '::1', OWN_V4, OWN_V6];
  const dns: Record<string, string[]> = { 'own.example': [OWN_V4], 'own6.example': [OWN_V6] };
  const resolver: Resolver = (hostname, callback) =>
    callback(
      null,
      (dns[hostname] ?? []).map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
    );
  let relay: Relay;
  beforeAll(async () => {
    relay = await startRelay({
      extraOrigins: [
        `https://${OWN_V4}`,
        `https://[${OWN_V6}]`,
        // 20.190.160.77 written IPv4-mapped, as the URL parser writes it.
        'https://[::ffff:14be:a04d]',
        'https://own.example',
        'https://own6.example',
      ],
      resolver,
      localAddresses: () => own,
    });
  });

  test('the interface list is read at each check: an address becomes forbidden once an interface has it', () => {
    const interfaces = ['127.0.0.1', '::1'];
    const policy = { loopbackOnly: false, localAddresses: () => interfaces };
    expect(addressRefusal(OWN_V4, policy)).toBeUndefined();
    interfaces.push(OWN_V4, OWN_V6);
    expect(addressRefusal(OWN_V4, policy)).toMatch(/own network interfaces/);
    expect(addressRefusal(OWN_V6, policy)).toMatch(/own network interfaces/);
    expect(addressRefusal(`::ffff:${OWN_V4}`, policy)).toMatch(/own network interfaces/);
    expect(addressRefusal(`64:ff9b::${OWN_V4}`, policy)).toMatch(/own network interfaces/);
    expect(addressRefusal('20.190.160.78', policy)).toBeUndefined();
  });

  test.each([
    ['as an IPv4 literal', () => `https://${OWN_V4}/oauth2/token`],
    ['as an IPv6 literal', () => `https://[${OWN_V6}]/oauth2/token`],
    ['as an IPv4-mapped literal', () => `https://[::ffff:${OWN_V4}]/oauth2/token`],
    ['as a DNS answer (IPv4)', () => 'https://own.example/oauth2/token'],
    ['as a DNS answer (IPv6)', () => 'https://own6.example/oauth2/token'],
  ])('a public address of an interface is refused %s, nothing connected', async (_name, target) => {
    let res: Awaited<ReturnType<Relay['call']>> | undefined;
    const connects = await connectsDuring(async () => {
      res = await relay.call({ target: target() });
    }, [relay.port]);
    expect(connects).toEqual([]);
    expect(res?.status).toBe(403);
    expect(res?.body).toMatch(/own network interfaces/);
  });

  test('/relay/allow refuses an interface address, and accepts a public one that is not', async () => {
    const refused = await relay.call({
      path: '/relay/allow',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ origin: `https://${OWN_V4}` }),
    });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatch(/own network interfaces/);
    const accepted = await relay.call({
      path: '/relay/allow',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ origin: 'https://20.190.160.78' }),
    });
    expect(accepted.status).toBe(200);
  });
});

describe('/relay/allow: an IP-literal origin must be a permitted address, written plainly', () => {
  let relay: Relay;
  beforeAll(async () => {
    relay = await startRelay({ localAddresses: () => ['127.0.0.1', '::1'] });
  });
  const allow = (origin: string) =>
    relay.call({
      path: '/relay/allow',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ origin }),
    });

  test.each([
    ['https://127.0.0.2:8443', 403],
    ['https://[::ffff:7f00:1]:8443', 403],
    ['https://[::ffff:7f00:2]:8443', 403],
    ['https://[::1]:8443', 200],
    ['https://10.0.0.1', 403],
    ['https://169.254.169.254', 403],
    ['https://100.64.0.1', 403],
    ['https://192.0.2.1', 403],
    ['https://[fd00::1]', 403],
    ['https://[fe80::1]', 403],
    ['https://[fec0::1]', 403],
    ['https://[ff02::1]', 403],
    ['https://[64:ff9b::a00:1]', 403],
    ['https://[64:ff9b:1::a00:1]', 403],
    ['https://[2002:a00:1::1]', 403],
    ['https://[2001:0:4136:e378::1]', 403],
    ['https://[::7f00:1]', 403],
    ['https://2130706433:8443', 400],
    ['https://0x7f.1', 400],
    ['https://0177.0.0.1', 400],
    ['https://127.1', 400],
    ['https://[::ffff:127.0.0.1]', 400],
    ['http://0x7f.0.0.1:8080', 400],
    ['http://2130706433:8080', 400],
    ['http://[0:0:0:0:0:0:0:1]:8080', 400],
    ['http://127.0.0.2:8080', 400],
    ['http://127.0.0.1:8080', 200],
    ['http://[::1]:8080', 200],
    ['http://localhost:8080', 200],
    ['https://20.190.160.1', 200],
    ['https://[2603:1036::1]', 200],
    ['https://login.example.com', 200],
  ])('%s → %i', async (origin, status) => {
    const res = await allow(origin);
    expect(res.status, res.body).toBe(status);
    if (status !== 200) {
      expect(res.headers['x-relay-refused']).toBe('1');
      // Says what to do: the plain spelling, or where the relay does go.
      expect(res.body).toMatch(/write it as|Use a public host name|Only https origins/);
    }
  });

  test('property: an https origin on any forbidden IPv4 address, in any spelling, is refused', async () => {
    await fc.assert(
      fc.asyncProperty(forbiddenV4, fc.nat(), async (n, pick) => {
        const spellings = v4Spellings(n);
        const host = spellings[pick % spellings.length] as string;
        fc.pre(host !== '127.0.0.1');
        const res = await allow(`https://${host}`);
        expect([400, 403], host).toContain(res.status);
      }),
      { numRuns: 100 },
    );
  });
});

describe('localhost: the relay connects where the server listens, and only to loopback', () => {
  let v4Hits = 0;
  let v6Hits = 0;
  let port = 0;
  let v6 = false;
  const answer = (count: () => void) =>
    createServer((req, res) => {
      req.resume();
      count();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"access_token":"a","token_type":"Bearer"}');
    });

  beforeAll(async () => {
    // The same port on 127.0.0.1 and on [::1]: whoever holds [::1] must not receive the request.
    for (let attempt = 0; attempt < 5 && !v6; attempt += 1) {
      const four = answer(() => (v4Hits += 1));
      await new Promise<void>((resolve) => four.listen(0, '127.0.0.1', resolve));
      port = (four.address() as AddressInfo).port;
      servers.push(four);
      const six = answer(() => (v6Hits += 1));
      v6 = await new Promise<boolean>((resolve) => {
        six.once('error', () => resolve(false));
        six.listen(port, '::1', () => resolve(true));
      });
      if (v6) servers.push(six);
    }
  });

  // Today's `localhost` answers on many systems: ::1 first.
  const v6First: Resolver = (hostname, callback) =>
    callback(
      null,
      hostname === 'localhost'
        ? [
            { address: '::1', family: 6 },
            { address: '127.0.0.1', family: 4 },
          ]
        : [],
    );

  test('the sandbox origin is pinned to 127.0.0.1: a relayed POST reaches only the 127.0.0.1 listener', async (context) => {
    if (!v6) context.skip();
    const origin = `http://localhost:${port}`;
    const relay = await startRelay({
      extraOrigins: [origin],
      pinnedAddresses: { [origin]: '127.0.0.1' },
      resolver: v6First,
    });
    v4Hits = 0;
    v6Hits = 0;
    const res = await relay.call({ target: `${origin}/t/oauth2/v2.0/token` });
    expect(res.status).toBe(200);
    expect(v4Hits).toBe(1);
    expect(v6Hits).toBe(0);
  });

  test('a pinned address is still checked: a sandbox pinned to a private address is refused', async () => {
    const origin = `http://localhost:${port}`;
    const relay = await startRelay({
      extraOrigins: [origin],
      pinnedAddresses: { [origin]: '10.0.0.5' },
      resolver: v6First,
    });
    let res: Awaited<ReturnType<Relay['call']>> | undefined;
    const connects = await connectsDuring(async () => {
      res = await relay.call({ target: `${origin}/t/oauth2/v2.0/token` });
    }, [relay.port]);
    expect(res?.status).toBe(403);
    expect(connects).toEqual([]);
  });

  test.each([
    ['a private address', ['10.0.0.5']],
    ['loopback and a private address', ['127.0.0.1', '192.168.1.10']],
    ['loopback and a public address', ['127.0.0.1', '20.190.160.1']],
    ['an IPv6 unique local address', ['fd00::5']],
  ])('a user-added localhost that resolves to %s is refused, nothing connected', async (_name, addresses) => {
    const origin = `http://localhost:${port}`;
    const relay = await startRelay({
      extraOrigins: [origin],
      resolver: (_hostname, callback) =>
        callback(
          null,
          addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
        ),
    });
    let res: Awaited<ReturnType<Relay['call']>> | undefined;
    const connects = await connectsDuring(async () => {
      res = await relay.call({ target: `${origin}/t/oauth2/v2.0/token` });
    }, [relay.port]);
    expect(res?.status).toBe(403);
    expect(res?.headers['x-relay-refused']).toBe('1');
    expect(connects).toEqual([]);
  });

  test('a user-added localhost that resolves to loopback only is relayed', async () => {
    const origin = `http://localhost:${port}`;
    const relay = await startRelay({
      extraOrigins: [origin],
      resolver: (_hostname, callback) => callback(null, [{ address: '127.0.0.1', family: 4 }]),
    });
    v4Hits = 0;
    const res = await relay.call({ target: `${origin}/t/oauth2/v2.0/token` });
    expect(res.status).toBe(200);
    expect(v4Hits).toBe(1);
  });
});
