/**
 * Vitest global setup: a throw-away Redis for the tests that need one (issue 15), on 127.0.0.1:47379
 * (`LAB_TEST_REDIS_PORT` to change), no persistence. Several test runs at once share it: each keeps a
 * key of its own there while it runs (refreshed, expiring a minute after a run that was killed), and the
 * last one out shuts the server down, whoever started it. When none can be had, the reason is handed to the tests instead of a URL: the Redis tests then
 * fail saying how to install it (they never skip), every other test runs as usual.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** `redis://127.0.0.1:<port>` of the test Redis, or '' when there is none. */
    labTestRedisUrl: string;
    /** Why there is no test Redis ('' when there is one). */
    labTestRedisError: string;
  }
}

const HOST = '127.0.0.1';
/** Keys of the test runs using the test Redis (outside every test prefix): `lab-test-run:<pid>`. */
const RUN_KEY_PREFIX = 'lab-test-run:';
/** A run's key lives this long unless refreshed (ms), so a killed run stops counting. */
const RUN_KEY_TTL_MS = 60_000;
const DEFAULT_PORT = 47379;
const START_TIMEOUT_MS = 5000;

/**
 * Sends one inline command to the Redis at host:port and resolves to its first reply line (`+PONG`,
 * `:3`), or undefined when nothing answers. No client library: this runs before any test.
 */
export function redisCommand(
  port: number,
  command: string,
  host = HOST,
  timeoutMs = 500,
): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let answer = '';
    const done = (reply: string | undefined): void => {
      socket.destroy();
      resolve(reply);
    };
    socket.setTimeout(timeoutMs, () => done(undefined));
    socket.on('error', () => done(undefined));
    // SHUTDOWN answers by closing the connection.
    socket.on('close', () => done(answer ? answer.split('\r\n')[0] : undefined));
    socket.on('connect', () => socket.write(`${command}\r\n`));
    socket.on('data', (chunk) => {
      answer += chunk.toString('utf8');
      if (answer.includes('\r\n')) done(answer.split('\r\n')[0]);
    });
  });
}

/** True when something at host:port answers a Redis PING with +PONG. */
export async function redisAnswers(port: number, host = HOST): Promise<boolean> {
  return (await redisCommand(port, 'PING', host)) === '+PONG';
}

async function startRedis(port: number): Promise<{ child: ChildProcess } | { error: string }> {
  // Detached, so it outlives this run when another run still uses it (the last run out shuts it down).
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', HOST, '--save', '', '--appendonly', 'no', '--daemonize', 'no'],
    { stdio: 'ignore', detached: true },
  );
  const failed = new Promise<string>((resolve) => {
    child.once('error', (err: NodeJS.ErrnoException) =>
      resolve(
        err.code === 'ENOENT'
          ? 'redis-server is not installed'
          : `redis-server could not start: ${err.message}`,
      ),
    );
    child.once('exit', (code) =>
      resolve(`redis-server exited at start (code ${code ?? 'none'}); is port ${port} taken?`),
    );
  });
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const outcome = await Promise.race([
      failed,
      new Promise<undefined>((resolve) => setTimeout(resolve, 50, undefined)),
    ]);
    if (outcome !== undefined) return { error: outcome };
    if (await redisAnswers(port)) return { child };
  }
  child.kill();
  return { error: `redis-server did not answer on ${HOST}:${port} within ${START_TIMEOUT_MS} ms` };
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const given = process.env['LAB_TEST_REDIS_URL'];
  if (given) {
    project.provide('labTestRedisUrl', given);
    project.provide('labTestRedisError', '');
    return undefined;
  }
  const port = Number(process.env['LAB_TEST_REDIS_PORT'] ?? DEFAULT_PORT);
  const url = `redis://${HOST}:${port}`;
  let child: ChildProcess | undefined;
  if (!(await redisAnswers(port))) {
    const started = await startRedis(port);
    // Another run may have started one on the port a moment before: use that one.
    if ('error' in started && !(await redisAnswers(port))) {
      project.provide('labTestRedisUrl', '');
      project.provide('labTestRedisError', started.error);
      return undefined;
    }
    if ('child' in started) child = started.child;
  }
  const runKey = `${RUN_KEY_PREFIX}${process.pid}`;
  const markRunning = () => redisCommand(port, `SET ${runKey} 1 PX ${RUN_KEY_TTL_MS}`);
  await markRunning();
  const heartbeat = setInterval(() => void markRunning(), RUN_KEY_TTL_MS / 3);
  heartbeat.unref();
  project.provide('labTestRedisUrl', url);
  project.provide('labTestRedisError', '');
  return async () => {
    clearInterval(heartbeat);
    await redisCommand(port, `DEL ${runKey}`);
    // An array reply: `*0` when no other run is left.
    const others = await redisCommand(port, `KEYS ${RUN_KEY_PREFIX}*`);
    if (others !== undefined && others !== '*0') {
      // Still used by another run, which will shut it down; this process must not wait for it.
      child?.unref();
      return;
    }
    await redisCommand(port, 'SHUTDOWN NOSAVE');
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 3000))]);
    }
  };
}
