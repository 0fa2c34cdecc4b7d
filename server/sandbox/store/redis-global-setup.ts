/**
 * Vitest global setup: a throw-away Redis for the tests that need one (issue 15), on 127.0.0.1:47379
 * (`LAB_TEST_REDIS_PORT` to change), no persistence. A Redis already answering there is used as is and
 * left running. When none can be had, the reason is handed to the tests instead of a URL: the Redis tests
 * then fail saying how to install it (they never skip), every other test runs as usual.
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
const DEFAULT_PORT = 47379;
const START_TIMEOUT_MS = 5000;

/** True when something at host:port answers a Redis PING with +PONG. */
export function redisAnswers(port: number, host = HOST, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let answer = '';
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      answer += chunk.toString('utf8');
      if (answer.includes('\r\n')) done(answer.startsWith('+PONG'));
    });
  });
}

async function startRedis(port: number): Promise<{ child: ChildProcess } | { error: string }> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', HOST, '--save', '', '--appendonly', 'no', '--daemonize', 'no'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const failed = new Promise<string>((resolve) => {
    child.once('error', (err: NodeJS.ErrnoException) =>
      resolve(
        err.code === 'ENOENT'
          ? 'redis-server is not installed: install redis-server (apt-get install redis-server)'
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
  if (await redisAnswers(port)) {
    project.provide('labTestRedisUrl', url);
    project.provide('labTestRedisError', '');
    return undefined;
  }
  const started = await startRedis(port);
  if ('error' in started) {
    project.provide('labTestRedisUrl', '');
    project.provide('labTestRedisError', started.error);
    return undefined;
  }
  project.provide('labTestRedisUrl', url);
  project.provide('labTestRedisError', '');
  return async () => {
    const exited = new Promise((resolve) => started.child.once('exit', resolve));
    started.child.kill('SIGTERM');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 3000))]);
  };
}
