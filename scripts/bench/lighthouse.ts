/**
 * Section 2, Lighthouse 12 (its default mobile settings: simulated slow 4G and 4× CPU slowdown) on the
 * landing page and a flow page, a fresh Chromium per run, median of three. Lighthouse needs no network
 * beyond the page it loads; any request it saw to a host other than loopback is counted and reported.
 */
import { launch } from 'chrome-launcher';
import lighthouse from 'lighthouse';
import { CHROMIUM_ARGS, DEBIAN_CHROMIUM } from './chromium.ts';
import { figureFor, heading, median, printFigures, type Figure, type SectionResult } from './report.ts';
import { APP_ORIGIN } from './servers.ts';

const SECTION = 'Lighthouse';
const figure = figureFor(SECTION);
const ROUTES = ['/', '/flows/authorization-code'];
const RUNS = 3;
/** Extra attempts when a run yields no performance score (a trace Lighthouse could not read). */
const RETRIES = 2;
const CATEGORIES = ['performance', 'accessibility', 'best-practices'] as const;
const TARGETS: Record<(typeof CATEGORIES)[number], number> = {
  performance: 98,
  accessibility: 100,
  'best-practices': 100,
};
const LCP_TARGET_MS = 1_200;
const TBT_TARGET_MS = 50;

interface LighthouseRun {
  readonly scores: Partial<Record<(typeof CATEGORIES)[number], number>>;
  readonly lcpMs: number | undefined;
  readonly tbtMs: number | undefined;
  /** Audits that lost points, with their score, to explain a category below 100. */
  readonly failing: readonly { readonly audit: string; readonly score: number; readonly shown?: string }[];
  readonly offLoopbackRequests: readonly string[];
  /** Audits that could not run (a missing network would show here), with Lighthouse's message. */
  readonly erroredAudits: readonly string[];
  readonly runtimeError?: string;
  readonly warnings: readonly string[];
}

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/;

async function runOnce(url: string): Promise<LighthouseRun> {
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
      .map(
        (audit) =>
          `${audit.id} (${(weights.get(audit.id) ?? 0) > 0 ? 'SCORED: its category has no score' : 'diagnostic, weight 0: scores unaffected'}): ${audit.errorMessage ?? 'no message'}`,
      );
    return {
      scores,
      lcpMs: lhr.audits['largest-contentful-paint']?.numericValue,
      tbtMs: lhr.audits['total-blocking-time']?.numericValue,
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

function describe(run: LighthouseRun): string {
  const s = (id: (typeof CATEGORIES)[number]) => run.scores[id]?.toString() ?? 'n/a';
  return `performance ${s('performance')}, accessibility ${s('accessibility')}, best practices ${s('best-practices')}, LCP ${run.lcpMs === undefined ? 'n/a' : Math.round(run.lcpMs)} ms, TBT ${run.tbtMs === undefined ? 'n/a' : Math.round(run.tbtMs)} ms`;
}

export async function benchLighthouse(): Promise<SectionResult> {
  heading(`2. Lighthouse ${RUNS}× per page (mobile, simulated throttling)`);
  const figures: Figure[] = [];
  const details: Record<string, LighthouseRun[]> = {};
  for (const route of ROUTES) {
    const runs: LighthouseRun[] = [];
    const attempts: LighthouseRun[] = [];
    while (runs.length < RUNS && attempts.length < RUNS + RETRIES) {
      const run = await runOnce(`${APP_ORIGIN}${route}`);
      attempts.push(run);
      const counted = run.scores.performance !== undefined;
      if (counted) runs.push(run);
      console.log(
        `  ${route} run ${attempts.length}: ${describe(run)}${counted ? '' : ' — not counted, run again'}`,
      );
      if (run.runtimeError !== undefined) console.log(`      runtime error: ${run.runtimeError}`);
      for (const warning of run.warnings) console.log(`      warning: ${warning}`);
      for (const url of run.offLoopbackRequests) console.log(`      request off loopback: ${url}`);
    }
    const errored = new Map<string, number>();
    for (const audit of attempts.flatMap((r) => r.erroredAudits))
      errored.set(audit, (errored.get(audit) ?? 0) + 1);
    if (errored.size > 0)
      console.log(
        `  ${route} audits that could not run (in how many of ${attempts.length} runs):\n${[...errored].map(([audit, n]) => `      ${n}× ${audit}`).join('\n')}`,
      );
    details[route] = attempts;
    const medianOf = (pick: (run: LighthouseRun) => number | undefined) =>
      median(runs.map(pick).filter((v) => v !== undefined));
    const failing = new Map<string, string[]>();
    for (const f of runs.flatMap((r) => r.failing))
      failing.set(f.audit, [
        ...(failing.get(f.audit) ?? []),
        `${f.score.toFixed(2)}${f.shown === undefined ? '' : ` ${f.shown}`}`,
      ]);
    if (failing.size > 0)
      console.log(
        `  ${route} audits below full marks (score and value per run):\n${[...failing].map(([audit, values]) => `      ${audit}: ${values.join(', ')}`).join('\n')}`,
      );
    const offLoopback = attempts.reduce((n, r) => n + r.offLoopbackRequests.length, 0);
    for (const id of CATEGORIES)
      figures.push(
        figure(
          `${route} ${id.replace('-', ' ')} (median)`,
          medianOf((r) => r.scores[id]),
          'score',
          {
            op: '>=',
            limit: TARGETS[id],
          },
          runs.some((r) => r.scores[id] === undefined)
            ? { note: 'no score in some run (see its runtime error)' }
            : {},
        ),
      );
    figures.push(
      figure(
        `${route} LCP (median)`,
        medianOf((r) => r.lcpMs),
        'ms',
        { op: '<=', limit: LCP_TARGET_MS },
      ),
      figure(
        `${route} TBT (median)`,
        medianOf((r) => r.tbtMs),
        'ms',
        { op: '<=', limit: TBT_TARGET_MS },
      ),
      figure(`${route} requests off loopback`, offLoopback, 'count', { op: '=', limit: 0 }),
    );
  }
  console.log('');
  printFigures(figures);
  return { figures, details };
}
