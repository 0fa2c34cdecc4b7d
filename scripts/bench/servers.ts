/**
 * The servers the bench measures, started the way playwright.config.ts starts them: a production
 * build in its own folder, then `tsx server/main.ts --mode=preview` (sandbox + app + relay), or the
 * sandbox alone (`tsx server/sandbox/main.ts`) in its own process; and the reference page
 * (scripts/bench/reference), built into a folder of its own and served by `vite preview`. Each runs in its
 * own process group, so stopping it also stops what tsx or vite started under it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createConnection } from 'node:net';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { FLOWS, flowPath } from '../../src/flows/registry.ts';

export const APP_PORT = 47283;
export const SANDBOX_PORT = 47284;
/** The sandbox started alone for the throughput run. */
export const LOAD_SANDBOX_PORT = 47285;
/** The reference page's `vite preview`: an uncommon port, strict, so a stray server is never measured. */
export const REFERENCE_PORT = 47286;
export const DIST_DIR = '.dist-bench';
export const REFERENCE_DIST_DIR = '.dist-bench-reference';
const REFERENCE_CONFIG = 'scripts/bench/reference/vite.config.ts';
const SANDBOX_DATA_DIR = '.sandbox/bench';
export const TSX = 'node_modules/.bin/tsx';
const VITE = 'node_modules/.bin/vite';
const START_TIMEOUT_MS = 60_000;

export const APP_ORIGIN = `http://localhost:${APP_PORT}`;
export const SANDBOX_ORIGIN = `http://localhost:${SANDBOX_PORT}`;
export const REFERENCE_ORIGIN = `http://localhost:${REFERENCE_PORT}`;

/**
 * Every page route of the app the bench loads: the landing page, each registered flow (so a new flow is
 * measured without touching the bench), the token inspector and the settings. /callback is left out: it
 * only makes sense coming back from a sign-in.
 */
export const BENCH_ROUTES: readonly string[] = [
  '/',
  ...FLOWS.map((flow) => flowPath(flow.id)),
  '/tokens',
  '/settings',
];

/** A server process started by the bench. */
export interface Started {
  readonly origin: string;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();

/** What `vite build` printed at log level "warn": its warnings (and errors), nothing else. */
export interface BuildOutput {
  /** Everything it printed, colours removed. */
  readonly text: string;
  /** One entry per warning, its first line. */
  readonly warnings: readonly string[];
}

// eslint-disable-next-line no-control-regex -- the colour codes Vite's logger writes
const ANSI = /\x1b\[[0-9;]*m/g;
/**
 * How a warning starts at log level "warn": a Rolldown code (`[INEFFECTIVE_DYNAMIC_IMPORT] …`), a
 * plugin's name (`[plugin vite:reporter] …`), Vite's own `(!) …`, or a plain "warning". Lines after it
 * (a code frame, a list of hints) belong to the same warning.
 */
const WARNING_START = /^\s*(\[[A-Z][A-Z0-9_]+\]|\[plugin [^\]]+\]|\(!\)|[Ww]arn(ing)?\b)/;

/** Splits a build's output into warnings, one per line that starts one. */
export function parseBuildWarnings(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => WARNING_START.test(line))
    .map((line) => line.trim());
}

/** Runs `vite <args>`, echoing its output as it comes and keeping it. Throws when it exits non-zero. */
async function runVite(args: readonly string[], env: Record<string, string>): Promise<string> {
  const child = spawn(VITE, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let text = '';
  child.stdout.on('data', (chunk: Buffer) => {
    process.stdout.write(chunk);
    text += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    process.stderr.write(chunk);
    text += chunk.toString();
  });
  const code = await new Promise<number | null>((done) => child.on('close', done));
  if (code !== 0) throw new Error(`vite ${args.join(' ')} exited with ${String(code)}`);
  return text.replace(ANSI, '');
}

/**
 * `vite build` into DIST_DIR, with a manifest so chunks can be traced to their modules. Its output is
 * printed as it comes, as before, and returned so its warnings can be counted.
 */
export async function buildApp(): Promise<BuildOutput> {
  const text = await runVite(['build', '--logLevel', 'warn', '--manifest'], { LAB_DIST_DIR: DIST_DIR });
  return { text, warnings: parseBuildWarnings(text) };
}

/** `vite build` of the reference page into REFERENCE_DIST_DIR (its warnings are not the app's). */
export async function buildReference(): Promise<void> {
  await runVite(
    ['build', '--config', REFERENCE_CONFIG, '--outDir', resolve(REFERENCE_DIST_DIR), '--logLevel', 'warn'],
    {},
  );
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

/**
 * Starts `command` in a process group of its own once none of `ports` is taken, and resolves when
 * `readyUrl` answers 2xx (throws with the server's last output when it exits or does not answer within
 * START_TIMEOUT_MS). `stopAll` stops it too.
 */
export async function startProcess(
  command: string,
  args: readonly string[],
  env: Record<string, string>,
  ports: readonly number[],
  readyUrl: string,
  origin: string,
): Promise<Started> {
  for (const port of ports)
    if (await portInUse(port)) throw new Error(`port ${port} is already in use; stop whatever listens there`);
  const child = spawn(command, args, {
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
    TSX,
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
    TSX,
    ['server/sandbox/main.ts'],
    { SANDBOX_PORT: String(LOAD_SANDBOX_PORT) },
    [LOAD_SANDBOX_PORT],
    `${origin}/directory.json`,
    origin,
  );
}

/** The reference page, built by `buildReference`, served by `vite preview` on REFERENCE_PORT. */
export function startReference(): Promise<Started> {
  return startProcess(
    VITE,
    [
      'preview',
      '--config',
      REFERENCE_CONFIG,
      '--outDir',
      resolve(REFERENCE_DIST_DIR),
      '--host',
      'localhost',
      '--port',
      String(REFERENCE_PORT),
      '--strictPort',
    ],
    {},
    [REFERENCE_PORT],
    `${REFERENCE_ORIGIN}/`,
    REFERENCE_ORIGIN,
  );
}

/** Kills every server still running (Ctrl+C, or a section that threw before stopping its own). */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((child) => stopProcess(child)));
}
