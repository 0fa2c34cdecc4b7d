/**
 * Section startup: how long `npm start` takes from its spawn to the app answering `GET /` with 200,
 * with a build that is current (median of 3; the target) and with one to rebuild (once, no target).
 * Runs with the bench's app stopped, on the bench's app and sandbox ports, with a build folder and
 * sandbox data of its own, so the other sections' build is left as it is.
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { INPUTS_RECORD } from '../start.ts';
import { figureFor, heading, median, printFigures, type SectionResult } from './report.ts';
import { APP_PORT, SANDBOX_PORT } from './servers.ts';

const SECTION = 'Startup';
const figure = figureFor(SECTION);
const DIST_DIR = '.dist-bench-startup';
const TARGET_MS = 3_000;
const RUNS = 3;
const POLL_MS = 20;
const REBUILD_TIMEOUT_MS = 300_000;
const START_TIMEOUT_MS = 60_000;
const APP_URL = `http://127.0.0.1:${APP_PORT}/`;

interface StartRun {
  /** From spawning `npm start` to the first 200 on `GET /`, in ms; undefined when it never came. */
  readonly ms: number | undefined;
  /** The first line start printed: "build is current …" or "rebuilding because …". */
  readonly said: string;
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await response.body?.cancel();
    return response.status === 200;
  } catch {
    return false;
  }
}

/** Spawns `npm start`, times it to `GET /` = 200, then stops it (its whole process group). */
async function timeStart(timeoutMs: number): Promise<StartRun> {
  while (await answers(APP_URL)) await sleep(100); // a server left from before would be timed instead
  const started = performance.now();
  const child = spawn('npm', ['start'], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      APP_PORT: String(APP_PORT),
      SANDBOX_PORT: String(SANDBOX_PORT),
      LAB_DIST_DIR: DIST_DIR,
      SANDBOX_DATA_DIR: '.sandbox/bench-startup',
    },
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let ms: number | undefined;
  while (performance.now() - started < timeoutMs && child.exitCode === null) {
    if (await answers(APP_URL)) {
      ms = performance.now() - started;
      break;
    }
    await sleep(POLL_MS);
  }
  if (child.pid !== undefined) {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // Already gone.
    }
    const stopped = await Promise.race([exited.then(() => true), sleep(5_000).then(() => false)]);
    if (!stopped) process.kill(-child.pid, 'SIGKILL');
  }
  await exited;
  const said =
    output.split('\n').find((line) => /^(build is current|rebuilding because)/.test(line)) ??
    output.trim().split('\n').slice(-3).join(' | ');
  return { ms, said };
}

/** The startup section: spawn-to-200 of `npm start`, with and without a rebuild. */
export async function benchStartup(): Promise<SectionResult> {
  heading('6. Startup: `npm start` to GET / answering 200');
  // Without the record of what the build was made from, start has to build again.
  rmSync(join(DIST_DIR, INPUTS_RECORD), { force: true });
  const rebuild = await timeStart(REBUILD_TIMEOUT_MS);
  console.log(`  rebuild needed: ${rebuild.ms?.toFixed(0) ?? 'no answer'} ms (${rebuild.said})`);
  const current: StartRun[] = [];
  for (let i = 0; i < RUNS; i++) {
    const run = await timeStart(START_TIMEOUT_MS);
    current.push(run);
    console.log(`  build current, run ${i + 1}: ${run.ms?.toFixed(0) ?? 'no answer'} ms (${run.said})`);
  }
  // A run that rebuilt (its build was not current after all) is not the figure this section measures.
  const valid = current.filter((run) => run.said.startsWith('build is current') && run.ms !== undefined);
  const figures = [
    figure(
      `npm start to GET / = 200, build current (median of ${RUNS})`,
      valid.length === RUNS ? median(valid.map((run) => run.ms ?? 0)) : undefined,
      'ms',
      { op: '<=', limit: TARGET_MS },
      valid.length === RUNS ? {} : { note: 'a run rebuilt or never answered: see the lines above' },
    ),
    figure(
      'npm start to GET / = 200, rebuilding first',
      rebuild.said.startsWith('rebuilding because') ? rebuild.ms : undefined,
      'ms',
    ),
  ];
  console.log('');
  printFigures(figures);
  return { figures, details: { rebuild, current } };
}
