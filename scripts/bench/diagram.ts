/**
 * Section 4, diagram: time from navigation start to the diagram's SVG in the DOM on a flow page, and the
 * time to move the highlight to another step — from the focus event on a control of that step's section
 * to the next animation frame after `.is-current` moved inside the SVG — checking the SVG is not redrawn.
 * Then the main thread's long tasks (PerformanceObserver 'longtask', installed before navigation): on
 * every flow route from navigation until the diagram is drawn, and on client credentials from the click
 * on "Request the token" until the diagram is drawn again with the request that was sent, both at full
 * speed and with the CPU slowed down 4× (CDP Emulation.setCPUThrottlingRate).
 */
import type { Browser, BrowserContext, Page } from '@playwright/test';
import { FLOWS } from '../../src/flows/registry.ts';
import { newBenchContext } from './chromium.ts';
import { addProbe, readProbe, waitForDiagram } from './page-probe.ts';
import { figureFor, heading, median, printFigures, type SectionResult } from './report.ts';
import { APP_ORIGIN } from './servers.ts';

const SECTION = 'Diagram';
const figure = figureFor(SECTION);
const ROUTE = '/flows/authorization-code';
const LOADS = 3;
const MOVES = 8;
const FRAME_TARGET_MS = 16;
const LONG_TASK_MS = 50;
const CPU_RATES = [1, 4] as const;
const LIVE_ROUTE = '/flows/client-credentials';
const LIVE_BUTTON = 'Request the token';

/** Long tasks from navigation (or a click) until the diagram was drawn. */
interface LongTasks {
  readonly route: string;
  readonly cpuRate: number;
  /** Navigation, or the click, → the diagram's SVG in the DOM (ms); undefined when it never came. */
  readonly drawnMs: number | undefined;
  /**
   * Every task over 50 ms in that span: start (from the same origin as `drawnMs`), duration, and whether
   * it was the diagram's — it put the SVG in, or ran mermaid's code (Long Animation Frames attribution).
   */
  readonly tasks: readonly { readonly startMs: number; readonly ms: number; readonly diagram: boolean }[];
}

declare global {
  interface Window {
    __benchLongTasks?: { startTime: number; duration: number }[];
    __benchMermaidScripts?: { start: number; end: number }[];
    __benchDrawnAt?: number;
  }
}

/** Init script: records every long task and when an SVG was (last) put into the diagram's canvas. */
function installLongTaskProbe(): void {
  const tasks: { startTime: number; duration: number }[] = [];
  window.__benchLongTasks = tasks;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries())
      tasks.push({ startTime: entry.startTime, duration: entry.duration });
  }).observe({ type: 'longtask', buffered: true });
  const mermaidScripts: { start: number; end: number }[] = [];
  window.__benchMermaidScripts = mermaidScripts;
  interface ScriptTiming {
    readonly startTime: number;
    readonly duration: number;
    readonly sourceURL: string;
  }
  new PerformanceObserver((list) => {
    for (const frame of list.getEntries() as (PerformanceEntry & { scripts?: ScriptTiming[] })[])
      for (const script of frame.scripts ?? [])
        if (/mermaid|sequenceDiagram/.test(script.sourceURL))
          mermaidScripts.push({ start: script.startTime, end: script.startTime + script.duration });
  }).observe({ type: 'long-animation-frame', buffered: true });
  new MutationObserver(() => {
    const svg = document.querySelector('.flow-diagram .sequence-diagram__canvas svg');
    if (svg !== null && !(svg as Element & { __benchSeen?: true }).__benchSeen) {
      (svg as Element & { __benchSeen?: true }).__benchSeen = true;
      window.__benchDrawnAt = performance.now();
    }
  }).observe(document, { childList: true, subtree: true });
}

/** The long tasks that started before `until`, from `since`, once the browser has reported them. */
async function longTasksBetween(page: Page, since: number, until: number): Promise<LongTasks['tasks']> {
  // Long task entries arrive after their task ends; give the observer a moment.
  await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 300)));
  return page.evaluate(
    ({ since, until }) => {
      const drawnAt = window.__benchDrawnAt ?? -1;
      const scripts = window.__benchMermaidScripts ?? [];
      return (window.__benchLongTasks ?? [])
        .filter((t) => t.startTime + t.duration > since && t.startTime < until)
        .map((t) => {
          const end = t.startTime + t.duration;
          const inserted = drawnAt >= t.startTime && drawnAt <= end;
          const ranMermaid = scripts.some((s) => s.start < end && s.end > t.startTime);
          return { startMs: t.startTime - since, ms: t.duration, diagram: inserted || ranMermaid };
        });
    },
    { since, until },
  );
}

async function throttledContext(
  browser: Browser,
  cpuRate: number,
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await newBenchContext(browser);
  await context.addInitScript(installLongTaskProbe);
  const page = await context.newPage();
  if (cpuRate !== 1) {
    const cdp = await context.newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: cpuRate });
  }
  return { context, page };
}

/** Navigation → the diagram drawn on `route`, and the long tasks in between. */
async function loadTasks(browser: Browser, route: string, cpuRate: number): Promise<LongTasks> {
  const { context, page } = await throttledContext(browser, cpuRate);
  try {
    await page.goto(`${APP_ORIGIN}${route}`);
    await waitForDiagram(page, 60_000);
    const drawnMs = await page.evaluate(() => window.__benchDrawnAt);
    return { route, cpuRate, drawnMs, tasks: await longTasksBetween(page, 0, drawnMs ?? Infinity) };
  } finally {
    await context.close();
  }
}

/**
 * On client credentials, once the planned diagram is drawn: the click on "Request the token" → the
 * diagram redrawn with the request the step sent, and the long tasks in between.
 */
async function liveRedrawTasks(browser: Browser, cpuRate: number): Promise<LongTasks> {
  const { context, page } = await throttledContext(browser, cpuRate);
  try {
    await page.goto(`${APP_ORIGIN}${LIVE_ROUTE}`);
    await waitForDiagram(page, 60_000);
    // Settled: the planned diagram drawn and the page idle.
    await page.evaluate(() => new Promise((resolve) => requestIdleCallback(resolve, { timeout: 2000 })));
    const clicked = page.evaluate(
      () =>
        new Promise<number>((resolve) =>
          document.addEventListener('click', (event) => resolve(event.timeStamp), {
            once: true,
            capture: true,
          }),
        ),
    );
    await page.getByRole('button', { name: LIVE_BUTTON, exact: true }).click();
    const since = await clicked;
    await page.waitForFunction((t) => (window.__benchDrawnAt ?? 0) > t, since, { timeout: 60_000 });
    const drawnAt = (await page.evaluate(() => window.__benchDrawnAt)) ?? since;
    return {
      route: `${LIVE_ROUTE} after "${LIVE_BUTTON}"`,
      cpuRate,
      drawnMs: drawnAt - since,
      tasks: await longTasksBetween(page, since, drawnAt),
    };
  } finally {
    await context.close();
  }
}

function describeTasks(result: LongTasks): string {
  const longest = Math.max(0, ...result.tasks.map((t) => t.ms));
  const list = result.tasks
    .map((t) => `${Math.round(t.ms)} ms at ${Math.round(t.startMs)}${t.diagram ? ' (diagram)' : ''}`)
    .join(', ');
  return `${result.route} (CPU ${result.cpuRate}×): drawn at ${result.drawnMs === undefined ? 'n/a' : `${Math.round(result.drawnMs)} ms`}; longest task ${Math.round(longest)} ms, ${result.tasks.filter((t) => t.ms > LONG_TASK_MS).length} over ${LONG_TASK_MS} ms${list === '' ? '' : ` (${list})`}`;
}

interface Move {
  readonly from: string;
  readonly to: string;
  /** The highlight changed within the time allowed (some steps have no message of their own). */
  readonly moved: boolean;
  /** Focus event → next animation frame after the class moved. */
  readonly ms?: number;
  /** Focus event → the class change itself. */
  readonly classChangedMs?: number;
  /** `.flow-diagram svg` is still the very element it was before the move. */
  readonly sameSvg: boolean;
}

/** In the page: focuses a control of section `#toId` and times the highlight's move. */
function moveHighlight(toId: string): Promise<Omit<Move, 'from' | 'to'>> {
  const svg = document.querySelector('.flow-diagram svg');
  const control = document.querySelector<HTMLElement>(
    `#${toId} :is(input, select, textarea, button, a[href]):not([disabled])`,
  );
  if (svg === null || control === null) return Promise.resolve({ moved: false, sameSvg: svg !== null });
  const marked = () => [...svg.querySelectorAll('.is-current')];
  const before = marked();
  const unchanged = (after: Element[]) =>
    after.length === before.length && after.every((el, i) => el === before[i]);
  return new Promise((resolve) => {
    let focusedAt = 0;
    const sameSvg = () => svg.isConnected && document.querySelector('.flow-diagram svg') === svg;
    const observer = new MutationObserver(() => {
      if (unchanged(marked())) return;
      observer.disconnect();
      clearTimeout(timer);
      const changedAt = performance.now();
      requestAnimationFrame(() =>
        resolve({
          moved: true,
          ms: performance.now() - focusedAt,
          classChangedMs: changedAt - focusedAt,
          sameSvg: sameSvg(),
        }),
      );
    });
    const timer = setTimeout(() => {
      observer.disconnect();
      resolve({ moved: false, sameSvg: sameSvg() });
    }, 1_000);
    observer.observe(svg, { attributes: true, attributeFilter: ['class'], subtree: true });
    document.addEventListener(
      'focusin',
      (event) => {
        focusedAt = event.timeStamp;
      },
      { once: true, capture: true },
    );
    control.focus();
  });
}

/** Ids of step sections with something focusable, in page order, and the current one. */
function focusableSteps(page: Page): Promise<{ ids: string[]; current: string | undefined }> {
  return page.evaluate(() => {
    const sections = [...document.querySelectorAll<HTMLElement>('section.step')];
    return {
      ids: sections
        .filter(
          (s) => s.querySelector(':is(input, select, textarea, button, a[href]):not([disabled])') !== null,
        )
        .map((s) => s.id),
      current: sections.find((s) => s.classList.contains('is-current'))?.id,
    };
  });
}

export async function benchDiagram(browser: Browser): Promise<SectionResult> {
  heading(`4. Diagram on ${ROUTE}`);
  const firstRender: number[] = [];
  const moves: Move[] = [];
  for (let load = 0; load < LOADS; load += 1) {
    const context = await newBenchContext(browser);
    try {
      const page = await context.newPage();
      await addProbe(page);
      await page.goto(`${APP_ORIGIN}${ROUTE}`);
      await waitForDiagram(page);
      const probe = await readProbe(page);
      if (probe.svgAt !== undefined) firstRender.push(probe.svgAt);
      console.log(
        `  load ${load + 1}: SVG in the DOM at ${probe.svgAt === undefined ? 'n/a' : Math.round(probe.svgAt)} ms`,
      );
      if (load !== LOADS - 1) continue;

      const { ids, current } = await focusableSteps(page);
      let from = current ?? ids[0] ?? '';
      for (let i = 0; i < MOVES && ids.length > 1; i += 1) {
        const to = ids[(ids.indexOf(from) + 1) % ids.length] ?? '';
        const result = await page.evaluate(moveHighlight, to);
        moves.push({ from, to, ...result });
        console.log(
          `  move ${from} → ${to}: ${result.moved ? `${result.ms?.toFixed(1)} ms to the next frame (class moved after ${result.classChangedMs?.toFixed(1)} ms)` : 'no highlight change'}, same SVG: ${result.sameSvg ? 'yes' : 'NO'}`,
        );
        from = to;
        await page.evaluate(
          () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 50))),
        );
      }
    } finally {
      await context.close();
    }
  }

  console.log('');
  console.log(`  Long tasks (> ${LONG_TASK_MS} ms) on the main thread until the diagram is drawn:`);
  const loads: LongTasks[] = [];
  const live: LongTasks[] = [];
  for (const cpuRate of CPU_RATES) {
    for (const flow of FLOWS) {
      const result = await loadTasks(browser, `/flows/${flow.id}`, cpuRate);
      loads.push(result);
      console.log(`  ${describeTasks(result)}`);
    }
    const result = await liveRedrawTasks(browser, cpuRate);
    live.push(result);
    console.log(`  ${describeTasks(result)}`);
  }
  const longest = (results: readonly LongTasks[], own = false) =>
    results.length === 0
      ? undefined
      : Math.max(0, ...results.flatMap((r) => r.tasks.filter((t) => !own || t.diagram).map((t) => t.ms)));
  const most = (results: readonly LongTasks[], own = false) =>
    results.length === 0
      ? undefined
      : Math.max(
          ...results.map((r) => r.tasks.filter((t) => t.ms > LONG_TASK_MS && (!own || t.diagram)).length),
        );
  const max = { op: '<=', limit: LONG_TASK_MS } as const;
  const none = { op: '=', limit: 0 } as const;
  const taskFigures = CPU_RATES.flatMap((cpuRate) => {
    const rate = cpuRate === 1 ? 'full speed' : `CPU ${cpuRate}× slower`;
    const onLoad = loads.filter((r) => r.cpuRate === cpuRate);
    const onRedraw = live.filter((r) => r.cpuRate === cpuRate);
    const load = 'every flow route, navigation → diagram';
    const redraw = `live redraw after "${LIVE_BUTTON}"`;
    const over = `tasks > ${LONG_TASK_MS} ms`;
    return [
      figure(`${load}: longest task (${rate}, worst)`, longest(onLoad), 'ms', max),
      figure(`${load}: ${over} (${rate}, most on a route)`, most(onLoad), 'count', none),
      figure(`${load}: longest task of the diagram's own (${rate})`, longest(onLoad, true), 'ms', max),
      figure(`${load}: ${over} of the diagram's own (${rate})`, most(onLoad, true), 'count', none),
      figure(`${redraw}: longest task (${rate})`, longest(onRedraw), 'ms', max),
      figure(`${redraw}: ${over} (${rate})`, most(onRedraw), 'count', none),
      figure(`${redraw}: longest task of the diagram's own (${rate})`, longest(onRedraw, true), 'ms', max),
      figure(`${redraw}: ${over} of the diagram's own (${rate})`, most(onRedraw, true), 'count', none),
    ];
  });

  const timed = moves.flatMap((m) => (m.moved && m.ms !== undefined ? [m.ms] : []));
  const redrawn = moves.filter((m) => !m.sameSvg).length;
  const figures = [
    figure('first render of the SVG (from navigation, median)', median(firstRender), 'ms'),
    figure(
      'highlight move to the next frame (median)',
      median(timed),
      'ms',
      { op: '<=', limit: FRAME_TARGET_MS },
      {
        note: `${timed.length} moves`,
      },
    ),
    figure(
      'highlight move to the next frame (worst)',
      timed.length === 0 ? undefined : Math.max(...timed),
      'ms',
      {
        op: '<=',
        limit: FRAME_TARGET_MS,
      },
    ),
    figure('SVG redrawn by a highlight move', moves.length === 0 ? undefined : redrawn, 'count', {
      op: '=',
      limit: 0,
    }),
    ...taskFigures,
  ];
  console.log('');
  printFigures(figures);
  return {
    figures,
    details: { route: ROUTE, firstRenderMs: firstRender, moves, longTasks: { loads, live } },
  };
}
