/**
 * Section 2, Lighthouse 12 with its default mobile settings (simulated slow 4G, 4× CPU slowdown) on every
 * page route of the app (BENCH_ROUTES) and on the reference page, a minimal Vite + React "hello" app built
 * in the same run (scripts/bench/reference): a fresh Chromium per run, median of 3 (`--runs=N` to change).
 *
 * The runs go in rounds: each round loads the reference page first, then every app route once, the
 * routes' order rotated by one per round. Simulated timings still follow how busy the machine is (each
 * task's observed time is scaled, not replaced), and on a shared machine that drifts over the minutes
 * the section takes; spreading each page's runs across the whole section, the reference's among them,
 * lets a drift weigh on the reference and on the app alike, which the bar that counts — LCP ≤ 0.75× the
 * reference's, same run — relies on. One reference run before each route instead would cost as many
 * reference runs as app runs for the same effect. One run on each server first, not counted, warms
 * Chromium and the servers' files.
 *
 * Runtime: a run takes 7–25 s on the 2-core machine, Chromium's start included, so 11 routes and the
 * reference at 3 runs each come to 5–12 min; the section prints its own estimate after the first run.
 * `--runs=1` gives a quick look, without medians worth the name.
 *
 * Lighthouse needs no network beyond the page it loads; any request to a host other than loopback is
 * counted and reported.
 */
import { launch } from 'chrome-launcher';
import lighthouse from 'lighthouse';
import { CHROMIUM_ARGS, DEBIAN_CHROMIUM } from './chromium.ts';
import { figureFor, heading, median, printFigures, type Figure, type SectionResult } from './report.ts';
import { APP_ORIGIN, BENCH_ROUTES } from './servers.ts';

const SECTION = 'Lighthouse';
const figure = figureFor(SECTION);
const DEFAULT_RUNS = 3;
/** Extra attempts per page when a run yields no performance score (a trace Lighthouse could not read). */
const RETRIES = 2;
const CATEGORIES = ['performance', 'accessibility', 'best-practices'] as const;
type Category = (typeof CATEGORIES)[number];
const TARGETS: Record<Category, number> = {
  performance: 98,
  accessibility: 100,
  'best-practices': 100,
};
const LCP_TARGET_MS = 1_200;
const TBT_TARGET_MS = 50;
/** The bar that counts: absolute figures drift from run to run, a same-run ratio much less. */
const LCP_REFERENCE_RATIO = 0.75;
/** The name the reference page goes by in the output. */
const REFERENCE = 'reference';

interface LighthouseRun {
  readonly scores: Partial<Record<Category, number>>;
  readonly lcpMs: number | undefined;
  readonly tbtMs: number | undefined;
  readonly cls: number | undefined;
  /** Wall-clock time of the run, Chromium's start included. */
  readonly seconds: number;
  /** Audits that lost points, with their score, to explain a category below 100. */
  readonly failing: readonly { readonly audit: string; readonly score: number; readonly shown?: string }[];
  readonly offLoopbackRequests: readonly string[];
  /** Audits that could not run (a missing network would show here), with Lighthouse's message. */
  readonly erroredAudits: readonly {
    readonly audit: string;
    readonly scored: boolean;
    readonly message: string;
  }[];
  readonly runtimeError?: string;
  readonly warnings: readonly string[];
}

/** One page measured: an app route, or the reference page. */
interface Page {
  readonly name: string;
  readonly url: string;
  readonly attempts: LighthouseRun[];
  /** The attempts that gave a performance score: the ones the medians are taken from. */
  readonly runs: LighthouseRun[];
}

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/;

/** `--runs=N` on the command line, else 3. */
function runsWanted(): number {
  const arg = process.argv.find((a) => a.startsWith('--runs='))?.slice('--runs='.length);
  if (arg === undefined) return DEFAULT_RUNS;
  const n = Number(arg);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--runs wants a whole number ≥ 1, not ${arg}`);
  return n;
}

async function runOnce(url: string): Promise<LighthouseRun> {
  const startedAt = performance.now();
  const chrome = await launch({
    chromePath: DEBIAN_CHROMIUM,
    chromeFlags: [...CHROMIUM_ARGS, '--headless'],
    logLevel: 'silent',
  });
  try {
    const result = await lighthouse(url, {
      port: chrome.port,
      logLevel: 'error',
      output: 'json',
      onlyCategories: [...CATEGORIES],
    });
    if (result === undefined) throw new Error('Lighthouse returned no result');
    const { lhr } = result;
    const scores: LighthouseRun['scores'] = {};
    const failing: { audit: string; score: number; shown?: string }[] = [];
    for (const id of CATEGORIES) {
      const category = lhr.categories[id];
      if (category?.score !== null && category?.score !== undefined)
        scores[id] = Math.round(category.score * 100);
      for (const ref of category?.auditRefs ?? []) {
        const audit = lhr.audits[ref.id];
        if (ref.weight > 0 && audit?.score !== null && audit?.score !== undefined && audit.score < 1)
          failing.push({
            audit: `${id}/${ref.id}`,
            score: audit.score,
            ...(audit.displayValue === undefined ? {} : { shown: audit.displayValue }),
          });
      }
    }
    const requests =
      (lhr.audits['network-requests']?.details as { items?: { url?: string }[] } | undefined)?.items ?? [];
    const offLoopbackRequests = requests
      .map((item) => item.url ?? '')
      .filter((u) => /^https?:/.test(u) && !LOOPBACK.test(new URL(u).hostname));
    const weights = new Map(
      Object.values(lhr.categories).flatMap((c) => c.auditRefs.map((ref) => [ref.id, ref.weight] as const)),
    );
    const erroredAudits = Object.values(lhr.audits)
      .filter((audit) => audit.scoreDisplayMode === 'error')
      .map((audit) => ({
        audit: audit.id,
        scored: (weights.get(audit.id) ?? 0) > 0,
        message: audit.errorMessage ?? 'no message',
      }));
    return {
      scores,
      lcpMs: lhr.audits['largest-contentful-paint']?.numericValue,
      tbtMs: lhr.audits['total-blocking-time']?.numericValue,
      cls: lhr.audits['cumulative-layout-shift']?.numericValue,
      seconds: (performance.now() - startedAt) / 1000,
      failing,
      offLoopbackRequests,
      erroredAudits,
      ...(lhr.runtimeError === undefined
        ? {}
        : { runtimeError: `${lhr.runtimeError.code}: ${lhr.runtimeError.message}` }),
      warnings: lhr.runWarnings.map(String),
    };
  } finally {
    chrome.kill();
  }
}

const whole = (v: number | undefined) => (v === undefined ? 'n/a' : Math.round(v).toString());

function describe(run: LighthouseRun): string {
  const s = (id: Category) => run.scores[id]?.toString() ?? 'n/a';
  return `performance ${s('performance')}, accessibility ${s('accessibility')}, best practices ${s('best-practices')}, LCP ${whole(run.lcpMs)} ms, TBT ${whole(run.tbtMs)} ms, CLS ${run.cls?.toFixed(4) ?? 'n/a'} (${run.seconds.toFixed(0)} s)`;
}

/** Runs Lighthouse once on `page`, prints the run and keeps it. */
async function measure(page: Page): Promise<LighthouseRun> {
  const run = await runOnce(page.url);
  page.attempts.push(run);
  const counted = run.scores.performance !== undefined;
  if (counted) page.runs.push(run);
  console.log(
    `  ${page.name} run ${page.attempts.length}: ${describe(run)}${counted ? '' : ' — not counted, run again'}`,
  );
  if (run.runtimeError !== undefined) console.log(`      runtime error: ${run.runtimeError}`);
  for (const warning of run.warnings) console.log(`      warning: ${warning}`);
  for (const url of run.offLoopbackRequests) console.log(`      request off loopback: ${url}`);
  return run;
}

function medianOf(page: Page, pick: (run: LighthouseRun) => number | undefined): number | undefined {
  return median(page.runs.map(pick).filter((v) => v !== undefined));
}

/** Audits that lost points on a page, with the score and value of each run. */
function printFailing(page: Page): void {
  const failing = new Map<string, string[]>();
  for (const f of page.runs.flatMap((r) => r.failing))
    failing.set(f.audit, [
      ...(failing.get(f.audit) ?? []),
      `${f.score.toFixed(2)}${f.shown === undefined ? '' : ` ${f.shown}`}`,
    ]);
  if (failing.size > 0)
    console.log(
      `  ${page.name} audits below full marks (score and value per run):\n${[...failing].map(([audit, values]) => `      ${audit}: ${values.join(', ')}`).join('\n')}`,
    );
}

/**
 * Audits that could not run, once for the section and grouped by Lighthouse's message: the same error
 * tends to hit several audits on every page. Runs without a performance score are left out, their
 * runtime error was printed with them.
 */
function printErrored(pages: readonly Page[]): void {
  const errored = new Map<string, { audits: Set<string>; runs: number; pages: Set<string> }>();
  for (const page of pages)
    for (const run of page.runs) {
      const seen = new Set<string>();
      for (const { audit, scored, message } of run.erroredAudits) {
        const key = `${scored ? 'SCORED (its category has no score)' : 'diagnostic, weight 0 (scores unaffected)'}: ${message}`;
        const entry = errored.get(key) ?? { audits: new Set<string>(), runs: 0, pages: new Set<string>() };
        entry.audits.add(audit);
        entry.pages.add(page.name);
        if (!seen.has(key)) entry.runs += 1;
        seen.add(key);
        errored.set(key, entry);
      }
    }
  if (errored.size === 0) return;
  const counted = pages.reduce((n, p) => n + p.runs.length, 0);
  console.log(`\n  Audits that could not run (of the ${counted} runs counted):`);
  for (const [key, { audits, runs, pages: on }] of errored)
    console.log(
      `      ${[...audits].join(', ')} — in ${runs} runs, on ${on.size === pages.length ? 'every page' : [...on].join(', ')}; ${key}`,
    );
}

/** One line per page: medians, and LCP as a multiple of the reference's. */
function printTable(pages: readonly Page[], referenceLcp: number | undefined): void {
  const header = `  ${'page'.padEnd(28)} ${'perf'.padStart(4)} ${'a11y'.padStart(4)} ${'bp'.padStart(4)} ${'LCP ms'.padStart(7)} ${'×ref'.padStart(5)} ${'TBT ms'.padStart(6)} ${'CLS'.padStart(6)} runs`;
  console.log(
    `\n  Medians (target: perf ≥ 98, a11y 100, bp 100, LCP ≤ ${LCP_TARGET_MS} ms and ≤ ${LCP_REFERENCE_RATIO}× the reference's, TBT ≤ ${TBT_TARGET_MS} ms, CLS 0):`,
  );
  console.log(header);
  for (const page of pages) {
    const lcp = medianOf(page, (r) => r.lcpMs);
    const ratio = lcp === undefined || referenceLcp === undefined ? undefined : lcp / referenceLcp;
    const cls = medianOf(page, (r) => r.cls);
    console.log(
      `  ${page.name.padEnd(28)} ${whole(medianOf(page, (r) => r.scores.performance)).padStart(4)} ${whole(medianOf(page, (r) => r.scores.accessibility)).padStart(4)} ${whole(medianOf(page, (r) => r.scores['best-practices'])).padStart(4)} ${whole(lcp).padStart(7)} ${(ratio === undefined ? 'n/a' : ratio.toFixed(2)).padStart(5)} ${whole(medianOf(page, (r) => r.tbtMs)).padStart(6)} ${(cls === undefined ? 'n/a' : cls.toFixed(3)).padStart(6)} ${page.runs.length}/${page.attempts.length}`,
    );
  }
}

function routeFigures(page: Page, referenceLcp: number | undefined): Figure[] {
  const lcp = medianOf(page, (r) => r.lcpMs);
  return [
    ...CATEGORIES.map((id) =>
      figure(
        `${page.name} ${id.replace('-', ' ')} (median)`,
        medianOf(page, (r) => r.scores[id]),
        'score',
        { op: '>=', limit: TARGETS[id] },
        page.runs.some((r) => r.scores[id] === undefined)
          ? { note: 'no score in some run (see its runtime error)' }
          : {},
      ),
    ),
    figure(`${page.name} LCP (median)`, lcp, 'ms', { op: '<=', limit: LCP_TARGET_MS }),
    figure(
      `${page.name} LCP vs reference (median)`,
      lcp,
      'ms',
      referenceLcp === undefined
        ? undefined
        : {
            op: '<=',
            limit: Math.round(LCP_REFERENCE_RATIO * referenceLcp),
            basis: `${LCP_REFERENCE_RATIO}× ref`,
          },
      referenceLcp === undefined || lcp === undefined
        ? { note: 'the reference page was not measured' }
        : { note: `${(lcp / referenceLcp).toFixed(2)}× the reference's ${Math.round(referenceLcp)} ms` },
    ),
    figure(
      `${page.name} TBT (median)`,
      medianOf(page, (r) => r.tbtMs),
      'ms',
      { op: '<=', limit: TBT_TARGET_MS },
    ),
    figure(
      `${page.name} CLS (median)`,
      medianOf(page, (r) => r.cls),
      'CLS',
      { op: '<=', limit: 0 },
    ),
  ];
}

/**
 * Measures every app route and, when `referenceOrigin` is given (the reference page is served there),
 * the reference page in the same rounds. Without it the figures against the reference are not measured.
 */
export async function benchLighthouse(referenceOrigin: string | undefined): Promise<SectionResult> {
  const runs = runsWanted();
  const routes: Page[] = BENCH_ROUTES.map((route) => ({
    name: route,
    url: `${APP_ORIGIN}${route}`,
    attempts: [],
    runs: [],
  }));
  const reference: Page | undefined =
    referenceOrigin === undefined
      ? undefined
      : { name: REFERENCE, url: `${referenceOrigin}/`, attempts: [], runs: [] };
  const planned = (routes.length + (reference === undefined ? 0 : 1)) * runs;
  heading(
    `2. Lighthouse ${runs}× per page on ${routes.length} routes${reference === undefined ? '' : ' and the reference page'} (mobile, simulated throttling): ${planned} runs`,
  );
  if (reference === undefined)
    console.log('  The reference page is not served: the figures against it are not measured.');

  // Chromium's first start on this machine, and the first load of a server's files, are slower than the
  // rest: one run on each server, not counted, keeps that out of the first round.
  for (const page of reference === undefined ? [routes[0]] : [reference, routes[0]]) {
    if (page === undefined) continue;
    const run = await runOnce(page.url);
    console.log(`  ${page.name} warm-up (not counted): ${describe(run)}`);
  }
  const sectionStart = performance.now();
  let done = 0;
  for (let round = 0; round < runs; round += 1) {
    const order = [...routes.slice(round % routes.length), ...routes.slice(0, round % routes.length)];
    for (const page of reference === undefined ? order : [reference, ...order]) {
      await measure(page);
      done += 1;
      if (done === 1 || done === Math.ceil(planned / 2)) {
        const perRun = (performance.now() - sectionStart) / 1000 / done;
        console.log(
          `      (${perRun.toFixed(0)} s per run so far: about ${Math.ceil((perRun * (planned - done)) / 60)} min to go for the ${planned - done} runs left)`,
        );
      }
    }
  }
  for (const page of reference === undefined ? routes : [reference, ...routes])
    while (page.runs.length < runs && page.attempts.length < runs + RETRIES) await measure(page);
  const seconds = (performance.now() - sectionStart) / 1000;

  const pages = reference === undefined ? routes : [reference, ...routes];
  printErrored(pages);
  console.log('');
  for (const page of pages) printFailing(page);
  const referenceLcp = reference === undefined ? undefined : medianOf(reference, (r) => r.lcpMs);
  printTable(pages, referenceLcp);

  const lcpRatios = routes.map((page) => {
    const lcp = medianOf(page, (r) => r.lcpMs);
    return lcp === undefined || referenceLcp === undefined ? undefined : lcp / referenceLcp;
  });
  const measuredRatios = lcpRatios.filter((r) => r !== undefined);
  const worstRatio = measuredRatios.length === 0 ? undefined : Math.max(...measuredRatios);
  const worstRoute = worstRatio === undefined ? undefined : routes[lcpRatios.indexOf(worstRatio)]?.name;
  const offLoopback = pages.reduce(
    (n, page) => n + page.attempts.reduce((m, r) => m + r.offLoopbackRequests.length, 0),
    0,
  );
  const unmeasured = { note: 'the reference page was not measured' };
  const figures: Figure[] = [
    figure(
      `${REFERENCE} (Vite + React hello) performance (median)`,
      reference === undefined ? undefined : medianOf(reference, (r) => r.scores.performance),
      'score',
      undefined,
      reference === undefined ? unmeasured : {},
    ),
    figure(
      `${REFERENCE} (Vite + React hello) LCP (median)`,
      referenceLcp,
      'ms',
      undefined,
      reference === undefined ? unmeasured : {},
    ),
    figure(
      `${REFERENCE} (Vite + React hello) TBT (median)`,
      reference === undefined ? undefined : medianOf(reference, (r) => r.tbtMs),
      'ms',
      undefined,
      reference === undefined ? unmeasured : {},
    ),
    ...routes.flatMap((page) => routeFigures(page, referenceLcp)),
    figure(
      'every route: LCP / reference LCP (worst)',
      worstRatio,
      'ratio',
      { op: '<=', limit: LCP_REFERENCE_RATIO },
      worstRoute === undefined
        ? unmeasured
        : {
            note: `${worstRoute}${measuredRatios.length === routes.length ? '' : '; some route gave no LCP'}`,
          },
    ),
    figure('requests off loopback (every run)', offLoopback, 'count', { op: '=', limit: 0 }),
  ];
  console.log('');
  printFigures(figures);
  console.log(
    `  (${pages.reduce((n, p) => n + p.attempts.length, 0)} Lighthouse runs in ${seconds.toFixed(0)} s)`,
  );
  return {
    figures,
    details: {
      runsPerPage: runs,
      order: 'rounds: the reference page, then every route (rotated by one per round)',
      seconds: Math.round(seconds),
      pages: Object.fromEntries(pages.map((p) => [p.name, p.attempts])),
    },
  };
}
