/**
 * The servers the bench measures, started the way playwright.config.ts starts them: a production
 * build in its own folder, then `tsx server/main.ts --mode=preview` (sandbox + app + relay), or the
 * sandbox alone (`tsx server/sandbox/main.ts`) in its own process. Each runs in its own process group,
 * so stopping it also stops what tsx started under it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createConnection } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export const APP_PORT = 47283;
export const SANDBOX_PORT = 47284;
/** The sandbox started alone for the throughput run. */
export const LOAD_SANDBOX_PORT = 47285;
export const DIST_DIR = '.dist-bench';
const SANDBOX_DATA_DIR = '.sandbox/bench';
const TSX = 'node_modules/.bin/tsx';
const START_TIMEOUT_MS = 60_000;

export const APP_ORIGIN = `http://localhost:${APP_PORT}`;
export const SANDBOX_ORIGIN = `http://localhost:${SANDBOX_PORT}`;

/** A server process started by the bench. */
export interface Started {
  readonly origin: string;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();

/** `vite build` into DIST_DIR, with a manifest so chunks can be traced to their modules. */
export async function buildApp(): Promise<void> {
  const child = spawn('node_modules/.bin/vite', ['build', '--logLevel', 'warn', '--manifest'], {
    stdio: 'inherit',
    env: { ...process.env, LAB_DIST_DIR: DIST_DIR },
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`vite build exited with ${String(code)}`);
}

function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function waitForUrl(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${output()}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new Error(`${url} did not answer within ${START_TIMEOUT_MS / 1000} s:\n${output()}`);
}

async function startProcess(
  args: readonly string[],
  env: Record<string, string>,
  ports: readonly number[],
  readyUrl: string,
  origin: string,
): Promise<Started> {
  for (const port of ports)
    if (await portInUse(port)) throw new Error(`port ${port} is already in use; stop whatever listens there`);
  const child = spawn(TSX, args, {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, SANDBOX_DATA_DIR, ...env },
  });
  running.add(child);
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  await waitForUrl(readyUrl, child, () => output);
  return { origin, stop: () => stopProcess(child) };
}

async function stopProcess(child: ChildProcess): Promise<void> {
  running.delete(child);
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-(child.pid ?? 0), name);
    } catch {
      // the group is already gone
    }
  };
  signal('SIGTERM');
  const timedOut = await Promise.race([exited.then(() => false), sleep(5_000).then(() => true)]);
  if (timedOut) {
    signal('SIGKILL');
    await exited;
  }
}

/** Sandbox, app (`vite preview` of DIST_DIR) and relay, as `npm start` runs them. */
export function startApp(): Promise<Started> {
  return startProcess(
    ['server/main.ts', '--mode=preview'],
    { APP_PORT: String(APP_PORT), SANDBOX_PORT: String(SANDBOX_PORT), LAB_DIST_DIR: DIST_DIR },
    [APP_PORT, SANDBOX_PORT],
    `${APP_ORIGIN}/lab-config.json`,
    APP_ORIGIN,
  );
}

/** The sandbox alone on LOAD_SANDBOX_PORT, in a process of its own. */
export function startLoadSandbox(): Promise<Started> {
  const origin = `http://localhost:${LOAD_SANDBOX_PORT}`;
  return startProcess(
    ['server/sandbox/main.ts'],
    { SANDBOX_PORT: String(LOAD_SANDBOX_PORT) },
    [LOAD_SANDBOX_PORT],
    `${origin}/directory.json`,
    origin,
  );
}

/** Kills every server still running (Ctrl+C, or a section that threw before stopping its own). */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((child) => stopProcess(child)));
}
