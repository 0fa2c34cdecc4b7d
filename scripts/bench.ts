/**
 * `npm run bench`: measures the production build served locally and prints one report, also written to
 * bench-results/bench.json. A benchmark, not a test: a missed target is reported, never fatal; it exits
 * non-zero only when a section could not be measured at all.
 *
 *   1. bundle      what each route loads, before the diagram too; the form usable before mermaid;
 *                  layout shift; build warnings; chunks no route loads                 (bench/bundle.ts)
 *   2. lighthouse  every route and a minimal Vite + React reference page built in the same run: mobile
 *                  scores, LCP (also against the reference's), TBT, CLS, median of 3  (bench/lighthouse.ts)
 *   3. flows       auth code + PKCE and client credentials vs their HTTP floor         (bench/flows.ts)
 *   4. diagram     first render of the SVG, highlight moves                             (bench/diagram.ts)
 *   5. throughput  client-credentials tokens/s from the sandbox alone                   (bench/throughput.ts)
 *   6. startup     `npm start` from a built tree to the app answering                  (bench/startup.ts)
 *   7. workshop    a class on one tenant: N complete flows at once over two instances on Redis behind a
 *                  proxy vs one instance in memory (bench/workshop.ts); only when asked for
 *                  (`--only=workshop`, `--workshop-n=N`): it needs redis-server and a few minutes
 *
 * They run in the order 1, 3, 4 (one Playwright Chromium), 2 (Lighthouse's own Chromium, one at a time),
 * then 5, 6 and 7 once the app's servers are stopped; the summary lists them in that order.
 * `npm run bench -- --only=bundle,diagram` runs some sections only; `--runs=N` sets Lighthouse's runs
 * per page (3).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import type { Browser } from '@playwright/test';
import { benchBundle, benchUnusedChunks } from './bench/bundle.ts';
import { launchChromium } from './bench/chromium.ts';
import { benchDiagram } from './bench/diagram.ts';
import { benchFlows } from './bench/flows.ts';
import { benchLighthouse } from './bench/lighthouse.ts';
import { figureFor, heading, isMet, printSummary, type Figure, type SectionResult } from './bench/report.ts';
import { benchThroughput } from './bench/throughput.ts';
import { benchStartup } from './bench/startup.ts';
import { benchWorkshop } from './bench/workshop.ts';
import {
  buildApp,
  buildReference,
  DIST_DIR,
  REFERENCE_DIST_DIR,
  startApp,
  startReference,
  stopAll,
  type BuildOutput,
  type Started,
} from './bench/servers.ts';

const SECTIONS = ['bundle', 'lighthouse', 'flows', 'diagram', 'throughput', 'startup', 'workshop'] as const;
type SectionName = (typeof SECTIONS)[number];
/** Sections run only when `--only` names them. */
const ON_REQUEST: readonly SectionName[] = ['workshop'];
const OUTPUT = 'bench-results/bench.json';

function chosenSections(): Set<SectionName> {
  const only = process.argv.find((arg) => arg.startsWith('--only='))?.slice('--only='.length);
  if (only === undefined) return new Set(SECTIONS.filter((s) => !ON_REQUEST.includes(s)));
  const names = only.split(',').map((s) => s.trim());
  const unknown = names.filter((n) => !(SECTIONS as readonly string[]).includes(n));
  if (unknown.length > 0)
    throw new Error(`unknown section(s) ${unknown.join(', ')}; known: ${SECTIONS.join(', ')}`);
  return new Set(names as SectionName[]);
}

const chosen = chosenSections();
const started = performance.now();
const results: Partial<Record<SectionName, SectionResult | { error: string }>> = {};

/** Runs one section; a throw is recorded as "not measured" and the bench goes on. */
async function section(name: SectionName, run: () => Promise<SectionResult>): Promise<void> {
  if (!chosen.has(name)) return;
  try {
    const before = loadavg()[0] ?? 0;
    results[name] = await run();
    // Other work on the machine skews every figure; the load average says how much there was.
    console.log(
      `(load average ${before.toFixed(2)} before this section, ${(loadavg()[0] ?? 0).toFixed(2)} after)`,
    );
  } catch (error) {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    console.error(`\n${name}: could not be measured: ${message}`);
    results[name] = { error: message.split('\n')[0] ?? message };
  }
}

/** Stops every server the bench started and removes its builds (`eslint .` would lint a left-over one). */
async function cleanUp(): Promise<void> {
  await stopAll();
  rmSync(DIST_DIR, { recursive: true, force: true });
  rmSync(REFERENCE_DIST_DIR, { recursive: true, force: true });
}

for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    console.error(`\n${signal}: stopping the servers`);
    void cleanUp().finally(() => process.exit(130));
  });

const APP_SECTIONS: readonly SectionName[] = ['bundle', 'lighthouse', 'flows', 'diagram'];
let app: Started | undefined;
let browser: Browser | undefined;
let build: BuildOutput | undefined;
/** Why the reference page cannot be measured, when it cannot. */
let referenceError: string | undefined;
try {
  if (APP_SECTIONS.some((s) => chosen.has(s))) {
    heading('Building the app and starting sandbox + app + relay');
    try {
      build = await buildApp();
      app = await startApp();
      console.log(`App at ${app.origin} (build in ${DIST_DIR}/)`);
    } catch (error) {
      // Without the app, its sections are not measured; the sandbox alone still is.
      const message = error instanceof Error ? error.message : String(error);
      console.error(`The app could not be built or started: ${message}`);
      for (const name of APP_SECTIONS)
        if (chosen.has(name))
          results[name] = { error: `app not built or started: ${message.split('\n')[0]}` };
    }
    if (chosen.has('lighthouse')) {
      try {
        await buildReference();
        console.log(`Reference page built in ${REFERENCE_DIST_DIR}/`);
      } catch (error) {
        referenceError = error instanceof Error ? error.message : String(error);
        console.error(`The reference page could not be built: ${referenceError}`);
      }
    }
    if (app !== undefined && (chosen.has('bundle') || chosen.has('flows') || chosen.has('diagram')))
      browser = await launchChromium();
  }
  if (browser !== undefined) {
    const b = browser;
    await section('bundle', () => benchBundle(b, build));
    await section('flows', () => benchFlows(b));
    await section('diagram', () => benchDiagram(b));
    // Counted once every page of this Chromium has loaded: a chunk a clicked step loads is one in use.
    const bundle = results.bundle;
    if (bundle !== undefined && !('error' in bundle)) {
      const walks = (['bundle', 'flows', 'diagram'] as const).filter((name) => chosen.has(name));
      try {
        const unused = benchUnusedChunks(walks);
        results.bundle = {
          figures: [...bundle.figures, ...unused.figures],
          details: { ...(bundle.details as object), ...(unused.details as object) },
        };
      } catch (error) {
        console.error(`\nchunks no route loads: could not be measured: ${String(error)}`);
      }
    }
    await browser.close();
    browser = undefined;
  }
  if (app !== undefined)
    await section('lighthouse', async () => {
      // Served only while Lighthouse runs; without it the app's figures are still measured.
      let reference: Started | undefined;
      if (referenceError === undefined)
        try {
          reference = await startReference();
        } catch (error) {
          referenceError = error instanceof Error ? error.message : String(error);
        }
      if (referenceError !== undefined)
        console.error(`The reference page is not measured: ${referenceError.split('\n')[0]}`);
      try {
        return await benchLighthouse(reference?.origin);
      } finally {
        await reference?.stop();
      }
    });
  await app?.stop();
  app = undefined;
  // The app's servers are stopped first: the sandbox under load gets the machine to itself.
  await section('throughput', benchThroughput);
  await section('startup', benchStartup);
  await section('workshop', benchWorkshop);
} finally {
  await browser?.close();
  await cleanUp();
}

const figures: Figure[] = [];
for (const name of SECTIONS) {
  const result = results[name];
  if (result === undefined) continue;
  if ('error' in result)
    figures.push(
      figureFor(name)('could not be measured', undefined, 'count', undefined, { note: result.error }),
    );
  else figures.push(...result.figures);
}
const elapsedS = (performance.now() - started) / 1000;
heading(`Summary (${elapsedS.toFixed(0)} s, ${availableParallelism()} cores, Node ${process.version})`);
printSummary(figures);
const notMeasured = figures.filter((f) => f.value === undefined);
for (const f of notMeasured)
  console.log(`Not measured: ${f.section}: ${f.name}${f.note === undefined ? '' : ` — ${f.note}`}`);
const missed = figures.filter((f) => isMet(f) === false);
console.log(
  `${figures.length - missed.length - notMeasured.length} of ${figures.length} figures meet their target or have none; ${missed.length} missed.`,
);

mkdirSync('bench-results', { recursive: true });
writeFileSync(
  OUTPUT,
  `${JSON.stringify(
    {
      date: new Date().toISOString(),
      node: process.version,
      cores: availableParallelism(),
      loadAverageAtEnd: loadavg(),
      elapsedSeconds: Math.round(elapsedS),
      summary: figures.map((f) => ({ ...f, met: isMet(f) })),
      sections: results,
    },
    null,
    2,
  )}\n`,
);
console.log(`Written to ${OUTPUT}`);
process.exitCode = Object.values(results).some((r) => 'error' in r) ? 1 : 0;
