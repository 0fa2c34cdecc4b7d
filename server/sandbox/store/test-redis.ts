/**
 * Test helpers for several sandbox instances on one Redis (issue 15): the test Redis started by
 * redis-global-setup.ts, a store under a fresh key prefix, and two sandboxes behind a small reverse proxy
 * that the test steers to one instance or the other.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { startSandbox, type RunningSandbox, type SandboxOptions } from '../index.ts';
import { createRedisStore } from './redis-store.ts';
import type { SharedStore } from './shared-store.ts';

/**
 * The test Redis's URL. Throws, so the test fails (never skips), when there is none, saying why and how
 * to get one.
 */
export function testRedisUrl(): string {
  const url = inject('labTestRedisUrl');
  if (url) return url;
  const why = inject('labTestRedisError') || 'no test Redis was started (vitest globalSetup missing?)';
  throw new Error(
    `These tests need a real Redis and there is none (${why}): install redis-server ` +
      '(apt-get install redis-server), or set LAB_TEST_REDIS_URL to a Redis these tests may write to.',
  );
}

/** A key prefix no other test uses: `test:<random>:`. */
export function freshPrefix(): string {
  return `test:${randomBytes(6).toString('hex')}:`;
}

/** A Redis store on the test Redis under `prefix` (default: a fresh one). */
export function openTestRedisStore(prefix: string = freshPrefix()): Promise<SharedStore> {
  return createRedisStore({ url: testRedisUrl(), prefix });
}

/** Deletes every key under `prefix` on the test Redis. */
export async function clearTestPrefix(prefix: string): Promise<void> {
  const store = await openTestRedisStore(prefix);
  try {
    const keys = await store.keys('');
    if (keys.length > 0) await store.delete(...keys);
  } finally {
    await store.close();
  }
}

/** Which instance the proxy sends requests to; `alternate` switches on every request. */
export type InstanceChoice = 'a' | 'b' | 'alternate';

/** Two sandboxes, one tenant: each has its own Redis connection and data directory. */
export interface TwoInstances {
  /** The public origin (the proxy): `origin` of both instances, the issuer's origin. */
  readonly origin: string;
  /** Instance A, as a sandbox whose `origin` is the proxy's (test-support.ts helpers use it). */
  readonly a: RunningSandbox;
  readonly b: RunningSandbox;
  /** Each instance's own address (`http://127.0.0.1:<port>`), bypassing the proxy. */
  readonly direct: { readonly a: string; readonly b: string };
  /** Each instance's own data directory (temporary, removed on close). */
  readonly dataDirs: { readonly a: string; readonly b: string };
  /** Each instance's shared store (two connections to one Redis, one prefix). */
  readonly stores: { readonly a: SharedStore; readonly b: SharedStore };
  /** The Redis key prefix the pair shares. */
  readonly prefix: string;
  /** Sends the proxy's next requests to `a`, `b`, or each to the other one (`alternate`). */
  use(choice: InstanceChoice): void;
  /** How many requests the proxy forwarded to each instance so far. */
  readonly forwarded: { readonly a: number; readonly b: number };
  /** Closes both sandboxes, the proxy and the stores, and deletes the pair's keys from Redis. */
  close(): Promise<void>;
}

/** Options passed to both instances (port, data dir, store and public origin are the helper's). */
export type InstanceOptions = Omit<SandboxOptions, 'port' | 'dataDir' | 'store' | 'publicOrigin'>;

/**
 * Starts a reverse proxy on a free loopback port and two quiet sandboxes on free ports behind it, sharing
 * a fresh prefix on the test Redis and naming the proxy as their public origin. Requests go to A until
 * {@link TwoInstances.use} says otherwise.
 */
export async function startTwoInstances(options: InstanceOptions = {}): Promise<TwoInstances> {
  const prefix = freshPrefix();
  const ports: { a?: number; b?: number } = {};
  const forwarded = { a: 0, b: 0 };
  let choice: InstanceChoice = 'a';
  let last: 'a' | 'b' = 'b';
  const proxy = createServer((req, res) => {
    const target: 'a' | 'b' = choice === 'alternate' ? (last === 'a' ? 'b' : 'a') : choice;
    last = target;
    const port = ports[target];
    if (port === undefined) {
      res.writeHead(503).end();
      return;
    }
    forwarded[target] += 1;
    const upstream = request(
      { host: '127.0.0.1', port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  await listen(proxy);
  const origin = `http://localhost:${(proxy.address() as AddressInfo).port}`;

  const started: { sandbox: RunningSandbox; dataDir: string; store: SharedStore }[] = [];
  const cleanUp = async (): Promise<void> => {
    await Promise.allSettled(started.map(({ sandbox }) => sandbox.close()));
    await Promise.allSettled(started.map(({ store }) => store.close()));
    await Promise.allSettled(started.map(({ dataDir }) => rm(dataDir, { recursive: true, force: true })));
    proxy.closeAllConnections();
    await new Promise<void>((resolve) => proxy.close(() => resolve()));
    await clearTestPrefix(prefix);
  };
  try {
    // Both at once, as a workshop's instances start: the shared keys must still be made only once.
    await Promise.all(
      (['a', 'b'] as const).map(async (name) => {
        const dataDir = await mkdtemp(join(tmpdir(), `sandbox-${name}-`));
        const store = await openTestRedisStore(prefix);
        const entry = { dataDir, store } as { sandbox: RunningSandbox; dataDir: string; store: SharedStore };
        entry.sandbox = await startSandbox({
          quiet: true,
          ...options,
          port: 0,
          dataDir,
          store,
          publicOrigin: origin,
        }).catch(async (err: unknown) => {
          await store.close();
          await rm(dataDir, { recursive: true, force: true });
          throw err;
        });
        started.push(entry);
        ports[name] = entry.sandbox.port;
        return entry;
      }),
    );
  } catch (err) {
    await cleanUp();
    throw err;
  }
  const find = (port: number | undefined) => started.find(({ sandbox }) => sandbox.port === port)!;
  const a = find(ports.a);
  const b = find(ports.b);
  return {
    origin,
    a: a.sandbox,
    b: b.sandbox,
    direct: { a: `http://127.0.0.1:${a.sandbox.port}`, b: `http://127.0.0.1:${b.sandbox.port}` },
    dataDirs: { a: a.dataDir, b: b.dataDir },
    stores: { a: a.store, b: b.store },
    prefix,
    use: (next) => {
      choice = next;
    },
    forwarded,
    close: cleanUp,
  };
}

function listen(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}
