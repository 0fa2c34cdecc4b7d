/**
 * The workshop bench's own Redis: a throwaway `redis-server` on loopback (no snapshot, no append-only
 * file), started and shut down by the bench, and the two things the bench reads from it: the server's
 * `used_memory` and how many keys live under the run's prefix.
 */
import { spawn } from 'node:child_process';
import { createConnection } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';

/** Keys of one kind under a prefix: `tenant:oidc:Session`, `consent`, … */
export interface KeyKind {
  readonly kind: string;
  readonly count: number;
  /** Of those, keys without a time to live. */
  readonly lasting: number;
  /** The longest time to live left among the others, in seconds (0 when all are lasting). */
  readonly maxTtlSeconds: number;
}

/** A key's kind: its name after `prefix`, without the id parts (the last segment, and long random ones). */
function kindOf(key: string, prefix: string): string {
  const parts = key.slice(prefix.length).split(':');
  if (parts.length > 1) parts.pop();
  return parts.filter((p) => p.length < 20).join(':') || '(no kind)';
}

/** A Redis server the bench started. */
export interface BenchRedis {
  /** `redis://127.0.0.1:<port>`. */
  readonly url: string;
  /** `INFO memory` → `used_memory`: bytes the server has allocated, in bytes. */
  usedMemory(): Promise<number>;
  /** Keys whose name starts with `prefix` (SCAN, so expired keys are not counted). */
  countKeys(prefix: string): Promise<number>;
  /**
   * The keys under `prefix` grouped by kind (the name without its id parts), most numerous first.
   */
  keyKinds(prefix: string): Promise<KeyKind[]>;
  /** `SHUTDOWN NOSAVE`; waits for the process to exit. */
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 10_000;

/**
 * Starts `redis-server` on 127.0.0.1:`port`. Throws, saying what to do, when it is not installed, the
 * port is taken or it does not answer PING within 10 s.
 */
export async function startBenchRedis(port: number): Promise<BenchRedis> {
  const taken = await new Promise<boolean>((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
  // Never measure (or shut down) a Redis someone else started.
  if (taken)
    throw new Error(
      `port ${port} is already in use; stop whatever listens there (a Redis left over: redis-cli -p ${port} shutdown nosave)`,
    );
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-2_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // Never outlives the bench, even one stopped by a signal before it could shut Redis down.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  void exited.then(() => process.off('exit', killOnExit));

  const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 1 });
  client.on('error', () => {
    // retried below; the last failure is what the bench reports
  });
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    const failed = await Promise.race([spawnError, sleep(200).then(() => undefined)]);
    if (failed !== undefined)
      throw new Error(
        `redis-server could not be started (${failed.message}); install Debian's redis-server (apt-get install redis-server)`,
      );
    if (child.exitCode !== null)
      throw new Error(
        `redis-server on port ${port} exited with ${child.exitCode}: ${output.trim().split('\n').slice(-2).join(' ')}`,
      );
    try {
      if (client.status === 'wait' || client.status === 'end') await client.connect();
      if ((await client.ping()) === 'PONG') break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      client.disconnect();
      throw new Error(`redis-server on port ${port} did not answer within ${START_TIMEOUT_MS / 1000} s`);
    }
  }

  return {
    url: `redis://127.0.0.1:${port}`,
    async usedMemory() {
      const info = await client.info('memory');
      const match = /^used_memory:(\d+)/m.exec(info);
      if (match?.[1] === undefined) throw new Error('INFO memory has no used_memory');
      return Number(match[1]);
    },
    async countKeys(prefix) {
      let cursor = '0';
      let count = 0;
      do {
        const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        cursor = next;
        count += keys.length;
      } while (cursor !== '0');
      return count;
    },
    async keyKinds(prefix) {
      const kinds = new Map<string, { count: number; lasting: number; maxTtlSeconds: number }>();
      let cursor = '0';
      do {
        const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        cursor = next;
        const ttls = keys.length === 0 ? [] : await Promise.all(keys.map((k) => client.ttl(k)));
        keys.forEach((key, i) => {
          const kind = kindOf(key, prefix);
          const entry = kinds.get(kind) ?? { count: 0, lasting: 0, maxTtlSeconds: 0 };
          // TTL: -1 for a key without one, -2 for one gone since the SCAN.
          const ttl = ttls[i] ?? -2;
          if (ttl === -2) return;
          entry.count += 1;
          if (ttl === -1) entry.lasting += 1;
          else entry.maxTtlSeconds = Math.max(entry.maxTtlSeconds, ttl);
          kinds.set(kind, entry);
        });
      } while (cursor !== '0');
      return [...kinds].map(([kind, v]) => ({ kind, ...v })).sort((a, b) => b.count - a.count);
    },
    async stop() {
      if (child.exitCode !== null) return;
      try {
        await client.shutdown('NOSAVE');
      } catch {
        // SHUTDOWN closes the connection before answering
      }
      client.disconnect();
      const timedOut = await Promise.race([exited.then(() => false), sleep(5_000).then(() => true)]);
      if (timedOut) {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}
