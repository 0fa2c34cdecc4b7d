/**
 * Section 1, bundle: every chunk's size, what each route loads (counted from the requests headless
 * Chromium makes, sized from the built files, gzip level 9), the JS each flow route loads before its
 * diagram is needed against the landing page's, whether a flow page's form is usable before mermaid's
 * chunk has arrived, the layout shift until the diagram's SVG is in the DOM, the build's warnings, and the
 * chunks of the build that no route loads.
 *
 * "Before the diagram" leaves out what only the diagram loads: read from Vite's manifest, every chunk
 * reached from a dynamic entry that is mermaid or a module of ours named for the diagram
 * (DIAGRAM_MODULE), and reached from no entry of the app without going through one.
 *
 * A chunk "no route loads" is one no page of the run's Playwright Chromium requested (section 1's walk of
 * every route, and the flows and diagram sections when they ran: see benchUnusedChunks) and that no
 * `import()` written in src/** reaches with its static imports: a feature loaded on demand (the QR
 * code, the certificate parser) is allowed; a chunk only a library's own `import()` can reach (mermaid's
 * diagram types the app never draws) is not.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser, Page } from '@playwright/test';
import { FLOWS, flowPath } from '../../src/flows/registry.ts';
import { newBenchContext, requestedPaths } from './chromium.ts';
import { addProbe, cumulativeShift, readProbe, waitForDiagram, type ProbeResult } from './page-probe.ts';
import { figureFor, heading, kb, median, printFigures, type Figure, type SectionResult } from './report.ts';
import { APP_ORIGIN, BENCH_ROUTES, DIST_DIR, type BuildOutput } from './servers.ts';

const SECTION = 'Bundle';
const figure = figureFor(SECTION);
const LANDING_TARGET_KB = 100;
/** JS a flow route loads before its diagram is needed, as a multiple of the landing page's. */
const FLOW_JS_RATIO_TARGET = 1.5;
const LARGEST_SHOWN = 15;
const FLOW_ROUTES = FLOWS.map((flow) => flowPath(flow.id));
const ROUTES = BENCH_ROUTES;
/** A module of ours loaded on demand for the diagram alone (its manifest key). */
const DIAGRAM_MODULE = /^src\/.*(diagram|mermaid)/i;
const MERMAID_MODULE = /^node_modules\/mermaid\//;
const SOURCE_DIR = 'src';
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
  readonly isEntry?: boolean;
  readonly isDynamicEntry?: boolean;
  readonly imports?: readonly string[];
  readonly dynamicImports?: readonly string[];
  readonly css?: readonly string[];
}

type Manifest = Record<string, ManifestChunk>;

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

function readManifest(): Manifest {
  return JSON.parse(readFileSync(join(DIST_DIR, '.vite/manifest.json'), 'utf8')) as Manifest;
}

/** Manifest keys reached from `starts`, through static imports and, with `dynamic`, `import()` too. */
function closure(
  manifest: Manifest,
  starts: Iterable<string>,
  options: { dynamic: boolean; stop?: ReadonlySet<string> },
): Set<string> {
  const seen = new Set<string>();
  const visit = (key: string): void => {
    if (seen.has(key) || options.stop?.has(key) === true) return;
    seen.add(key);
    const chunk = manifest[key];
    for (const next of [...(chunk?.imports ?? []), ...(options.dynamic ? (chunk?.dynamicImports ?? []) : [])])
      visit(next);
  };
  for (const key of starts) visit(key);
  return seen;
}

/** The URL paths of the chunks (and their CSS) behind some manifest keys. */
function filesOf(manifest: Manifest, keys: Iterable<string>): Set<string> {
  return new Set(
    [...keys]
      .flatMap((key) => [manifest[key]?.file, ...(manifest[key]?.css ?? [])])
      .filter((f) => f !== undefined)
      .map((f) => `/${f}`),
  );
}

/** What only `roots` need: reached from them, and from no entry of the app without going through them. */
function onlyThrough(manifest: Manifest, roots: ReadonlySet<string>): Set<string> {
  const entries = Object.keys(manifest).filter((key) => manifest[key]?.isEntry === true);
  const app = filesOf(manifest, closure(manifest, entries, { dynamic: true, stop: roots }));
  return new Set(
    [...filesOf(manifest, closure(manifest, roots, { dynamic: true }))].filter((f) => !app.has(f)),
  );
}

interface MermaidChunks {
  /** The chunk `import('mermaid')` loads; undefined when mermaid is not in the build. */
  readonly core: string | undefined;
  /** Every chunk only mermaid needs (what it imports, statically or on demand, that the app does not reach). */
  readonly all: ReadonlySet<string>;
}

function mermaidChunks(manifest: Manifest): MermaidChunks {
  const entry = Object.keys(manifest).find((key) =>
    key.endsWith('node_modules/mermaid/dist/mermaid.core.mjs'),
  );
  if (entry === undefined) return { core: undefined, all: new Set() };
  return { core: `/${manifest[entry]?.file ?? ''}`, all: onlyThrough(manifest, new Set([entry])) };
}

/** The dynamic entries that load the diagram, and every chunk only they need. */
function diagramChunks(manifest: Manifest): { roots: string[]; files: Set<string> } {
  const roots = Object.keys(manifest).filter(
    (key) =>
      manifest[key]?.isDynamicEntry === true &&
      (DIAGRAM_MODULE.test(key) || (MERMAID_MODULE.test(key) && key.endsWith('mermaid.core.mjs'))),
  );
  return { roots, files: onlyThrough(manifest, new Set(roots)) };
}

function sourceFiles(dir: string): string[] {
  return listFiles(dir).filter((path) => /\.(ts|tsx|js|jsx)$/.test(path) && !/\.test\.[jt]sx?$/.test(path));
}

/**
 * A package's entry for the browser as Vite picks it: `exports` under the browser / import / module /
 * default conditions, else `module`, else `main` (through the `browser` field's map when it has one).
 * Paths relative to the package's folder, most likely first.
 */
function packageEntries(packageDir: string, subpath: string): string[] {
  let pkg: {
    exports?: unknown;
    module?: string;
    main?: string;
    browser?: string | Record<string, string | false>;
  };
  try {
    pkg = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as typeof pkg;
  } catch {
    return [];
  }
  const pick = (value: unknown): string | undefined => {
    if (typeof value === 'string') return value;
    if (Array.isArray(value)) return value.map(pick).find((v) => v !== undefined);
    if (typeof value === 'object' && value !== null) {
      const conditions = value as Record<string, unknown>;
      for (const condition of ['browser', 'import', 'module', 'default'])
        if (condition in conditions) {
          const found = pick(conditions[condition]);
          if (found !== undefined) return found;
        }
    }
    return undefined;
  };
  const { exports } = pkg;
  const bySubpath =
    typeof exports === 'object' && exports !== null && Object.keys(exports).some((k) => k.startsWith('.'))
      ? (exports as Record<string, unknown>)[subpath]
      : subpath === '.'
        ? exports
        : undefined;
  const candidates = [pick(bySubpath)];
  if (subpath === '.') {
    const browserMap = typeof pkg.browser === 'object' ? pkg.browser : {};
    const mapped = (path: string | undefined) => {
      if (path === undefined) return undefined;
      const key = `./${normalize(path)}`;
      const to = browserMap[key];
      return typeof to === 'string' ? to : path;
    };
    candidates.push(
      typeof pkg.browser === 'string' ? pkg.browser : undefined,
      mapped(pkg.module),
      mapped(pkg.main),
    );
  } else candidates.push(subpath);
  return candidates.filter((c) => c !== undefined).map((c) => normalize(c));
}

/** The manifest key an `import()` specifier written in `file` resolves to, if it is a chunk's. */
function resolveDynamicImport(manifest: Manifest, file: string, specifier: string): string | undefined {
  const candidates: string[] = [];
  if (specifier.startsWith('.')) {
    const base = relative('.', join(dirname(file), specifier)).replace(/\\/g, '/');
    candidates.push(
      base,
      base.replace(/\.js$/, '.ts'),
      base.replace(/\.js$/, '.tsx'),
      ...['.ts', '.tsx', '.js', '/index.ts', '/index.tsx'].map((ext) => `${base}${ext}`),
    );
  } else {
    const parts = specifier.split('/');
    const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? '');
    const rest = parts.slice(specifier.startsWith('@') ? 2 : 1).join('/');
    const dir = join('node_modules', name);
    for (const entry of packageEntries(dir, rest === '' ? '.' : `./${rest}`))
      candidates.push(join(dir, entry).replace(/\\/g, '/'));
  }
  return candidates.find((key) => manifest[key] !== undefined);
}

/**
 * Chunks that some `import()` written in src/** may load: the chunk each one resolves to and its static
 * imports. `unresolved` lists the specifiers that match no chunk (inlined by the bundler, or a type).
 */
function onDemandChunks(manifest: Manifest): { files: Set<string>; unresolved: string[] } {
  const keys = new Set<string>();
  const unresolved: string[] = [];
  // `typeof import('x')` is a type; any other import('literal') is a load on demand.
  const dynamicImport = /(?<!typeof\s*)\bimport\(\s*(['"`])([^'"`]+)\1\s*\)/g;
  for (const file of sourceFiles(SOURCE_DIR)) {
    for (const match of readFileSync(file, 'utf8').matchAll(dynamicImport)) {
      const specifier = match[2] ?? '';
      const key = resolveDynamicImport(manifest, file, specifier);
      if (key === undefined) unresolved.push(`${file}: import('${specifier}')`);
      else keys.add(key);
    }
  }
  return { files: filesOf(manifest, closure(manifest, keys, { dynamic: false })), unresolved };
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
  /** JS this route loads that only the diagram needs (mermaid's included): see diagramChunks. */
  readonly diagramJsGzip: number;
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

function flowTiming(probe: ProbeResult, mermaid: MermaidChunks): FlowTiming {
  const ends = probe.resources.filter((r) => mermaid.all.has(r.path)).map((r) => r.responseEnd);
  const core = mermaid.core === undefined ? undefined : probe.resources.find((r) => r.path === mermaid.core);
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
  mermaid: MermaidChunks,
  diagramOnly: ReadonlySet<string>,
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
    // A diagram that never shows is reported by its missing timings, not by losing the whole section.
    if (isFlow) await waitForDiagram(page, throttle ? 60_000 : 30_000).catch(() => undefined);
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
      diagramJsGzip: sum(
        js.filter((a) => diagramOnly.has(a.file)),
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

/** Names, wrapped to lines of about 110 characters, each line indented. */
function wrapped(names: readonly string[], indent: string): string {
  const lines: string[] = [];
  let line = '';
  for (const name of names) {
    if (line !== '' && line.length + name.length + 2 > 110) {
      lines.push(`${indent}${line},`);
      line = '';
    }
    line = line === '' ? name : `${line}, ${name}`;
  }
  if (line !== '') lines.push(`${indent}${line}`);
  return lines.join('\n');
}

/**
 * Section 1. `build` is what `vite build` printed (its warnings are counted); undefined when the bench
 * did not capture it, and then the warnings are not measured.
 */
export async function benchBundle(browser: Browser, build: BuildOutput | undefined): Promise<SectionResult> {
  heading('1. Bundle: what each route loads');
  const assets = readAssets();
  const manifest = readManifest();
  const mermaid = mermaidChunks(manifest);
  const diagram = diagramChunks(manifest);
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
  for (const route of ROUTES) loads.push(await loadRoute(browser, route, assets, mermaid, diagram.files));
  console.log(
    '\nPer route on loopback (JS gzip / raw, of which mermaid, and gzip before the diagram is needed; CSS gzip / raw):',
  );
  for (const r of loads) {
    console.log(
      `  ${r.route.padEnd(28)} JS ${kb(r.jsGzip).toFixed(1).padStart(6)} / ${kb(r.jsRaw).toFixed(1).padStart(7)} KB in ${String(r.js.length).padStart(2)} files (mermaid ${kb(r.mermaidJsGzip).toFixed(1)} KB gzip; before the diagram ${kb(r.jsGzip - r.diagramJsGzip).toFixed(1)} KB); CSS ${kb(r.cssGzip).toFixed(1)} / ${kb(r.cssRaw).toFixed(1)} KB`,
    );
    if (r.flow !== undefined) printTiming(`${''.padEnd(28)} `, r.flow);
  }

  console.log(
    `\nFlow routes under slow 4G and ${CPU_SLOWDOWN}× CPU slowdown (${THROTTLED_ROUTE} ${THROTTLED_RUNS}×):`,
  );
  const throttled: { route: string; timing: FlowTiming }[] = [];
  const throttledRoutes = [...FLOW_ROUTES, ...Array<string>(THROTTLED_RUNS - 1).fill(THROTTLED_ROUTE)];
  for (const route of throttledRoutes) {
    const load = await loadRoute(browser, route, assets, mermaid, diagram.files, true);
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
  // With the diagram drawn without mermaid, there is no "before mermaid" to measure: said, not guessed.
  const noMermaid = throttled.some((t) => t.timing.mermaidRequestedAt !== undefined)
    ? {}
    : { note: 'no throttled load requested mermaid' };

  // JS before the diagram is needed, flow routes against the landing page.
  const beforeDiagram = (r: RouteLoad) => kb(r.jsGzip - r.diagramJsGzip);
  const landingBefore = landing === undefined ? undefined : beforeDiagram(landing);
  const flowLoads = loads.filter((r) => FLOW_ROUTES.includes(r.route));
  const ratios = flowLoads.map((r) => ({
    route: r.route,
    ratio: landingBefore === undefined || landingBefore === 0 ? undefined : beforeDiagram(r) / landingBefore,
  }));
  const worst = ratios.reduce<{ route: string; ratio: number } | undefined>(
    (w, r) =>
      r.ratio !== undefined && (w === undefined || r.ratio > w.ratio)
        ? { route: r.route, ratio: r.ratio }
        : w,
    undefined,
  );
  console.log(
    `\nWhat only the diagram loads (left out of "before the diagram"): the chunks behind ${diagram.roots.length === 0 ? 'no dynamic entry (none is mermaid or named for the diagram)' : diagram.roots.join(', ')}; ${diagram.files.size} files.`,
  );

  // Build warnings, as `vite build` printed them.
  if (build !== undefined) {
    console.log(`\nBuild warnings (${build.warnings.length}):`);
    for (const warning of build.warnings) console.log(`  ${warning}`);
  }

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
    figure('landing JS before the diagram is needed (gzip)', landingBefore, 'KB'),
    ...flowLoads.map((r, i) =>
      figure(
        `${r.route} JS before the diagram is needed (gzip)`,
        beforeDiagram(r),
        'KB',
        landingBefore === undefined
          ? undefined
          : {
              op: '<=',
              limit: FLOW_JS_RATIO_TARGET * landingBefore,
              basis: `${FLOW_JS_RATIO_TARGET}× landing`,
            },
        { note: `${ratios[i]?.ratio?.toFixed(2) ?? 'n/a'}× landing's` },
      ),
    ),
    figure(
      'flow routes: JS before the diagram / landing JS (worst)',
      worst?.ratio,
      'ratio',
      { op: '<=', limit: FLOW_JS_RATIO_TARGET },
      worst === undefined ? { note: 'the landing page gave no JS' } : { note: worst.route },
    ),
    figure(
      'build warnings',
      build?.warnings.length,
      'count',
      { op: '=', limit: 0 },
      build === undefined ? { note: 'the build output was not captured' } : {},
    ),

    figure(`${THROTTLED_ROUTE} form usable (slow 4G, median)`, pick('interactiveAt'), 'ms'),
    figure(
      `${THROTTLED_ROUTE} mermaid chunk loaded (slow 4G, median)`,
      pick('mermaidCoreAt'),
      'ms',
      undefined,
      noMermaid,
    ),
    figure(
      `${THROTTLED_ROUTE} form usable before mermaid by (median)`,
      mainLead,
      'ms',
      { op: '>=', limit: 0 },
      noMermaid,
    ),
    figure(
      'every flow route: form usable before mermaid by (least)',
      leastLead,
      'ms',
      { op: '>=', limit: 0 },
      measuredLeads.length === leads.length
        ? {}
        : throttled.every((t) => t.timing.mermaidRequestedAt === undefined)
          ? noMermaid
          : { note: 'some flow route gave no timing' },
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
      diagramRoots: diagram.roots,
      buildWarnings: build?.warnings,
      routes: loads,
      throttled: { network: SLOW_4G, cpuSlowdown: CPU_SLOWDOWN, loads: throttled },
    },
  };
}

/**
 * The bundle section's last figure, taken once every Playwright section has run: the chunks of the build
 * that no page of this run requested (requestedPaths) and that no `import()` written in src/** reaches.
 * `walks` names the sections whose pages were counted.
 */
export function benchUnusedChunks(walks: readonly string[]): SectionResult {
  heading(`1b. Bundle: chunks no route loads (pages of ${walks.join(', ')})`);
  const assets = readAssets();
  const manifest = readManifest();
  const onDemand = onDemandChunks(manifest);
  const loaded = requestedPaths;
  const chunkFiles = [...filesOf(manifest, Object.keys(manifest))].filter((f) => f.endsWith('.js'));
  const unused = chunkFiles
    .filter((f) => !loaded.has(f) && !onDemand.files.has(f))
    .map((f) => assets.get(f) ?? { file: f, raw: 0, gzip: 0 })
    .sort((a, b) => a.file.localeCompare(b.file));
  const allowed = chunkFiles.filter((f) => !loaded.has(f) && onDemand.files.has(f)).sort();
  const unusedGzip = unused.reduce((n, a) => n + a.gzip, 0);
  const short = (file: string) => file.replace(/^\/assets\//, '');
  console.log(
    `${unused.length} of ${chunkFiles.length} JS chunks, ${kb(unusedGzip).toFixed(1)} KB gzip, neither requested by a page of this run nor reached by an import() in ${SOURCE_DIR}/${unused.length === 0 ? '.' : ':'}`,
  );
  if (unused.length > 0)
    console.log(
      wrapped(
        unused.map((a) => short(a.file)),
        '  ',
      ),
    );
  console.log(
    `Not requested but reached by an import() in ${SOURCE_DIR}/ (features loaded on demand, allowed): ${allowed.length === 0 ? 'none' : ''}`,
  );
  if (allowed.length > 0) console.log(wrapped(allowed.map(short), '  '));
  for (const line of onDemand.unresolved) console.log(`  import() that matches no chunk (inlined): ${line}`);
  const figures = [
    figure(
      'chunks no route loads',
      unused.length,
      'count',
      { op: '=', limit: 0 },
      { note: `${kb(unusedGzip).toFixed(1)} KB gzip; pages of ${walks.join(', ')}` },
    ),
  ];
  console.log('');
  printFigures(figures);
  return {
    figures,
    details: {
      walks,
      unusedChunks: unused,
      onDemandNotLoaded: allowed,
      unresolvedImports: onDemand.unresolved,
    },
  };
}
