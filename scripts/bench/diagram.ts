/**
 * Section 4, diagram: time from navigation start to mermaid's SVG in the DOM on a flow page, and the
 * time to move the highlight to another step — from the focus event on a control of that step's section
 * to the next animation frame after `.is-current` moved inside the SVG — checking the SVG is not redrawn.
 */
import type { Browser, Page } from '@playwright/test';
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
  ];
  console.log('');
  printFigures(figures);
  return { figures, details: { route: ROUTE, firstRenderMs: firstRender, moves } };
}
