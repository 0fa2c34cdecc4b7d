/**
 * Section 1, bundle: every chunk's size, what each route loads (counted from the requests headless
 * Chromium makes, sized from the built files, gzip level 9), whether a flow page's form is usable
 * before mermaid's chunk has arrived, and the layout shift until the diagram's SVG is in the DOM.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser, Page } from '@playwright/test';
import { FLOWS, flowPath } from '../../src/flows/registry.ts';
import { newBenchContext } from './chromium.ts';
import { addProbe, cumulativeShift, readProbe, waitForDiagram, type ProbeResult } from './page-probe.ts';
import { figureFor, heading, kb, median, printFigures, type Figure, type SectionResult } from './report.ts';
import { APP_ORIGIN, DIST_DIR } from './servers.ts';

const SECTION = 'Bundle';
const figure = figureFor(SECTION);
const LANDING_TARGET_KB = 100;
const LARGEST_SHOWN = 15;
const FLOW_ROUTES = FLOWS.map((flow) => flowPath(flow.id));
const ROUTES = [...new Set(['/', '/flows/authorization-code', '/tokens', ...FLOW_ROUTES])];
/**
 * Whether the form is usable before mermaid arrives is judged under Lighthouse's mobile "slow 4G" profile
 * (150 ms RTT, 1.6 Mbps down, 750 kbps up) and 4× CPU slowdown: on loopback mermaid's chunk lands within
 * milliseconds of its request, which starts in the same commit that puts the form on screen, so there the
 * order only says how busy the main thread is right after that commit. Every flow route is loaded once so,
 * and THROTTLED_ROUTE THROTTLED_RUNS times for a median.
 */
const THROTTLED_ROUTE = '/flows/authorization-code';
const THROTTLED_RUNS = 3;
const SLOW_4G = {
  latency: 150,
  downloadThroughput: (1.6 * 1024 * 1024) / 8,
  uploadThroughput: (750 * 1024) / 8,
};
const CPU_SLOWDOWN = 4;

export interface Asset {
  readonly file: string;
  readonly raw: number;
  readonly gzip: number;
}

interface ManifestChunk {
  readonly file: string;
  readonly imports?: readonly string[];
  readonly dynamicImports?: readonly string[];
  readonly css?: readonly string[];
}

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}

/** Every .js and .css file of the build, by the URL path it is served at. */
function readAssets(): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const path of listFiles(DIST_DIR)) {
    if (!/\.(js|css)$/.test(path)) continue;
    const content = readFileSync(path);
    const file = path.slice(DIST_DIR.length).replace(/\\/g, '/');
    assets.set(file, { file, raw: content.length, gzip: gzipSync(content, { level: 9 }).length });
  }
  return assets;
}

/**
 * From Vite's manifest: the chunk `import('mermaid')` loads, and every chunk only mermaid needs (what it
 * imports, statically or on demand, that the app does not reach without going through mermaid).
 */
function mermaidChunks(): { core: string; all: Set<string> } {
  const manifest = JSON.parse(readFileSync(join(DIST_DIR, '.vite/manifest.json'), 'utf8')) as Record<
    string,
    ManifestChunk
  >;
  const entry = Object.keys(manifest).find((key) =>
    key.endsWith('node_modules/mermaid/dist/mermaid.core.mjs'),
  );
  if (entry === undefined) throw new Error('mermaid.core is not a chunk of its own in the manifest');
  const closure = (start: string, stop?: string): Set<string> => {
    const seen = new Set<string>();
    const visit = (key: string): void => {
      if (seen.has(key) || key === stop) return;
      seen.add(key);
      const chunk = manifest[key];
      for (const next of [...(chunk?.imports ?? []), ...(chunk?.dynamicImports ?? [])]) visit(next);
    };
    visit(start);
    return seen;
  };
  const app = closure('index.html', entry);
  const files = (keys: Iterable<string>) =>
    new Set(
      [...keys]
        .flatMap((key) => [manifest[key]?.file, ...(manifest[key]?.css ?? [])])
        .filter((f) => f !== undefined)
        .map((f) => `/${f}`),
    );
  const appFiles = files(app);
  const core = `/${manifest[entry]?.file ?? ''}`;
  return { core, all: new Set([...files(closure(entry))].filter((f) => !appFiles.has(f))) };
}

interface RouteLoad {
  readonly route: string;
  readonly js: readonly Asset[];
  readonly css: readonly Asset[];
  readonly jsGzip: number;
  readonly jsRaw: number;
  readonly cssGzip: number;
  readonly cssRaw: number;
  /** JS this route loads that belongs to mermaid (loaded on demand for the diagram). */
  readonly mermaidJsGzip: number;
  readonly flow?: FlowTiming;
}

/** A flow page's load, in ms from navigation start. */
interface FlowTiming {
  readonly controlAt: number | undefined;
  readonly interactiveAt: number | undefined;
  readonly mermaidRequestedAt: number | undefined;
  readonly mermaidCoreAt: number | undefined;
  readonly mermaidAllAt: number | undefined;
  readonly svgAt: number | undefined;
  readonly cls: number;
  readonly shifts: ProbeResult['shifts'];
  readonly lcp: ProbeResult['lcp'];
}

function flowTiming(probe: ProbeResult, mermaid: { core: string; all: Set<string> }): FlowTiming {
  const ends = probe.resources.filter((r) => mermaid.all.has(r.path)).map((r) => r.responseEnd);
  const core = probe.resources.find((r) => r.path === mermaid.core);
  return {
    controlAt: probe.firstControlAt,
    interactiveAt: probe.interactiveAt,
    mermaidRequestedAt: core?.startTime,
    mermaidCoreAt: core?.responseEnd,
    mermaidAllAt: ends.length === 0 ? undefined : Math.max(...ends),
    svgAt: probe.svgAt,
    cls: cumulativeShift(probe.shifts),
    shifts: probe.shifts,
    lcp: probe.lcp,
  };
}

async function loadRoute(
  browser: Browser,
  route: string,
  assets: Map<string, Asset>,
  mermaid: { core: string; all: Set<string> },
  throttle = false,
): Promise<RouteLoad> {
  const context = await newBenchContext(browser);
  try {
    const page = await context.newPage();
    await addProbe(page);
    if (throttle) await slowDown(page);
    const requested: string[] = [];
    page.on('requestfinished', (request) => {
      const path = new URL(request.url()).pathname;
      if (assets.has(path)) requested.push(path);
    });
    const isFlow = FLOW_ROUTES.includes(route);
    await page.goto(`${APP_ORIGIN}${route}`, { waitUntil: 'load' });
    if (isFlow) await waitForDiagram(page, throttle ? 60_000 : 30_000);
    await page.waitForLoadState('networkidle');
    const used = [...new Set(requested)].map((file) => assets.get(file)).filter((a) => a !== undefined);
    const js = used.filter((a) => a.file.endsWith('.js'));
    const css = used.filter((a) => a.file.endsWith('.css'));
    const sum = (list: readonly Asset[], key: 'raw' | 'gzip') => list.reduce((s, a) => s + a[key], 0);
    return {
      route,
      js,
      css,
      jsGzip: sum(js, 'gzip'),
      jsRaw: sum(js, 'raw'),
      cssGzip: sum(css, 'gzip'),
      cssRaw: sum(css, 'raw'),
      mermaidJsGzip: sum(
        js.filter((a) => mermaid.all.has(a.file)),
        'gzip',
      ),
      ...(isFlow ? { flow: flowTiming(await readProbe(page), mermaid) } : {}),
    };
  } finally {
    await context.close();
  }
}

async function slowDown(page: Page): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', { offline: false, ...SLOW_4G });
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_SLOWDOWN });
}

const ms = (value: number | undefined) => (value === undefined ? 'n/a' : `${Math.round(value)} ms`);

function printTiming(indent: string, f: FlowTiming): void {
  console.log(
    `  ${indent}form in the DOM ${ms(f.controlAt)}, usable ${ms(f.interactiveAt)}; mermaid requested ${ms(f.mermaidRequestedAt)}, arrived ${ms(f.mermaidCoreAt)} (all its chunks ${ms(f.mermaidAllAt)}); SVG ${ms(f.svgAt)}; CLS ${f.cls.toFixed(4)}; LCP ${ms(f.lcp?.at)} ${f.lcp?.element ?? ''}`,
  );
  for (const shift of f.shifts)
    console.log(
      `  ${indent}  shift ${shift.value.toFixed(4)} at ${Math.round(shift.startTime)} ms: ${shift.sources.join(', ')}`,
    );
}

export async function benchBundle(browser: Browser): Promise<SectionResult> {
  heading('1. Bundle: what each route loads');
  const assets = readAssets();
  const mermaid = mermaidChunks();
  const chunks = [...assets.values()].sort((a, b) => b.gzip - a.gzip);
  const total = (key: 'raw' | 'gzip') => chunks.reduce((s, a) => s + a[key], 0);
  console.log(
    `Build: ${chunks.length} JS/CSS files, ${kb(total('raw')).toFixed(1)} KB raw, ${kb(total('gzip')).toFixed(1)} KB gzip; the ${LARGEST_SHOWN} largest (all in the JSON):`,
  );
  for (const a of chunks.slice(0, LARGEST_SHOWN))
    console.log(
      `  ${a.file.padEnd(56)} ${kb(a.raw).toFixed(1).padStart(8)} KB raw ${kb(a.gzip).toFixed(1).padStart(7)} KB gzip`,
    );

  const loads: RouteLoad[] = [];
  for (const route of ROUTES) loads.push(await loadRoute(browser, route, assets, mermaid));
  console.log('\nPer route on loopback (JS gzip / raw, of which mermaid; CSS gzip / raw):');
  for (const r of loads) {
    console.log(
      `  ${r.route.padEnd(28)} JS ${kb(r.jsGzip).toFixed(1).padStart(6)} / ${kb(r.jsRaw).toFixed(1).padStart(7)} KB in ${String(r.js.length).padStart(2)} files (mermaid ${kb(r.mermaidJsGzip).toFixed(1)} KB gzip); CSS ${kb(r.cssGzip).toFixed(1)} / ${kb(r.cssRaw).toFixed(1)} KB`,
    );
    if (r.flow !== undefined) printTiming(`${''.padEnd(28)} `, r.flow);
  }

  console.log(
    `\nFlow routes under slow 4G and ${CPU_SLOWDOWN}× CPU slowdown (${THROTTLED_ROUTE} ${THROTTLED_RUNS}×):`,
  );
  const throttled: { route: string; timing: FlowTiming }[] = [];
  const throttledRoutes = [...FLOW_ROUTES, ...Array<string>(THROTTLED_RUNS - 1).fill(THROTTLED_ROUTE)];
  for (const route of throttledRoutes) {
    const load = await loadRoute(browser, route, assets, mermaid, true);
    if (load.flow === undefined) continue;
    throttled.push({ route, timing: load.flow });
    printTiming(`${route.padEnd(28)} `, load.flow);
  }

  const lead = (f: FlowTiming) =>
    f.interactiveAt === undefined || f.mermaidCoreAt === undefined
      ? undefined
      : f.mermaidCoreAt - f.interactiveAt;
  const leads = throttled.map((t) => lead(t.timing));
  const measuredLeads = leads.filter((m) => m !== undefined);
  const leastLead = measuredLeads.length === 0 ? undefined : Math.min(...measuredLeads);
  const mainRoute = throttled.filter((t) => t.route === THROTTLED_ROUTE).map((t) => t.timing);
  const pick = (key: 'interactiveAt' | 'mermaidCoreAt') =>
    median(mainRoute.map((f) => f[key]).filter((v) => v !== undefined));
  const mainLead = median(mainRoute.map(lead).filter((v) => v !== undefined));
  const allLoads = [
    ...loads.flatMap((r) => (r.flow === undefined ? [] : [{ route: r.route, timing: r.flow }])),
    ...throttled,
  ];
  const worstShift = (list: readonly { timing: FlowTiming }[]) =>
    list.length === 0 ? undefined : Math.max(...list.map((l) => l.timing.cls));
  const landing = loads.find((r) => r.route === '/');

  const figures: Figure[] = [
    figure('landing JS (gzip)', landing === undefined ? undefined : kb(landing.jsGzip), 'KB', {
      op: '<=',
      limit: LANDING_TARGET_KB,
    }),
    figure('landing CSS (gzip)', landing === undefined ? undefined : kb(landing.cssGzip), 'KB'),
    figure(
      'mermaid JS on landing (gzip)',
      landing === undefined ? undefined : kb(landing.mermaidJsGzip),
      'KB',
      { op: '=', limit: 0 },
    ),
    ...loads
      .filter((r) => r.route !== '/')
      .map((r) =>
        figure(`${r.route} JS (gzip)`, kb(r.jsGzip), 'KB', undefined, {
          note: `mermaid ${kb(r.mermaidJsGzip).toFixed(1)} KB of it; CSS ${kb(r.cssGzip).toFixed(1)} KB`,
        }),
      ),
    figure(`${THROTTLED_ROUTE} form usable (slow 4G, median)`, pick('interactiveAt'), 'ms'),
    figure(`${THROTTLED_ROUTE} mermaid chunk loaded (slow 4G, median)`, pick('mermaidCoreAt'), 'ms'),
    figure(`${THROTTLED_ROUTE} form usable before mermaid by (median)`, mainLead, 'ms', {
      op: '>=',
      limit: 0,
    }),
    figure(
      'every flow route: form usable before mermaid by (least)',
      leastLead,
      'ms',
      { op: '>=', limit: 0 },
      measuredLeads.length === leads.length ? {} : { note: 'some flow route gave no timing' },
    ),
    figure(
      `${THROTTLED_ROUTE} CLS until the diagram is drawn (1280×720, worst)`,
      worstShift(allLoads.filter((l) => l.route === THROTTLED_ROUTE)),
      'CLS',
      { op: '<=', limit: 0 },
    ),
    figure('every flow route: CLS until the diagram is drawn (worst)', worstShift(allLoads), 'CLS', {
      op: '<=',
      limit: 0,
    }),
  ];
  console.log('');
  printFigures(figures);
  return {
    figures,
    details: {
      chunks,
      mermaidCore: mermaid.core,
      routes: loads,
      throttled: { network: SLOW_4G, cpuSlowdown: CPU_SLOWDOWN, loads: throttled },
    },
  };
}
