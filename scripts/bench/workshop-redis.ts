/**
 * The workshop bench's own Redis: a throwaway `redis-server` on loopback (no snapshot, no append-only
 * file), started and shut down by the bench, and the two things the bench reads from it: the server's
 * `used_memory` and how many keys live under the run's prefix.
 */
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';

/** A Redis server the bench started. */
export interface BenchRedis {
  /** `redis://127.0.0.1:<port>`. */
  readonly url: string;
  /** `INFO memory` → `used_memory`: bytes the server has allocated, in bytes. */
  usedMemory(): Promise<number>;
  /** Keys whose name starts with `prefix` (SCAN, so expired keys are not counted). */
  countKeys(prefix: string): Promise<number>;
  /** `SHUTDOWN NOSAVE`; waits for the process to exit. */
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 10_000;

/**
 * Starts `redis-server` on 127.0.0.1:`port`. Throws, saying what to do, when it is not installed, the
 * port is taken or it does not answer PING within 10 s.
 */
export async function startBenchRedis(port: number): Promise<BenchRedis> {
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
      throw new Error(`redis-server on port ${port} exited with ${child.exitCode}: ${output.trim()}`);
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
