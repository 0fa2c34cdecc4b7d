/**
 * An init script that timestamps, from navigation start, what a flow page shows as it loads: the first
 * usable form control, the diagram's SVG, and every layout shift. Read back with `readProbe`.
 */
import type { Page } from '@playwright/test';

/** A layout shift as the page reported it (the Layout Instability API). */
export interface ShiftRecord {
  readonly value: number;
  readonly startTime: number;
  readonly hadRecentInput: boolean;
  readonly sources: readonly string[];
}

export interface ProbeResult {
  /** A control inside `.flow-main` is in the DOM and enabled. */
  readonly firstControlAt: number | undefined;
  /** The first task the main thread ran after that control appeared: it could handle input from then. */
  readonly interactiveAt: number | undefined;
  /** `.flow-diagram svg` is in the DOM. */
  readonly svgAt: number | undefined;
  readonly shifts: readonly ShiftRecord[];
  /** The latest largest-contentful-paint candidate so far: when, and which element. */
  readonly lcp: { readonly at: number; readonly element: string } | undefined;
  /** Resource timing of every script and style sheet, by path. */
  readonly resources: readonly { path: string; startTime: number; responseEnd: number }[];
}

interface MutableProbe {
  firstControlAt: number | undefined;
  interactiveAt: number | undefined;
  svgAt: number | undefined;
  shifts: ShiftRecord[];
  lcp: { at: number; element: string } | undefined;
}

declare global {
  interface Window {
    __benchProbe?: MutableProbe;
  }
}

/** Runs in the page before any of its scripts. */
function installProbe(): void {
  const probe: MutableProbe = {
    firstControlAt: undefined,
    interactiveAt: undefined,
    svgAt: undefined,
    shifts: [],
    lcp: undefined,
  };
  window.__benchProbe = probe;
  interface LayoutShiftEntry extends PerformanceEntry {
    readonly value: number;
    readonly hadRecentInput: boolean;
    readonly sources?: readonly { readonly node?: Node | null }[];
  }
  const describe = (node: Node | null | undefined): string => {
    if (node === null || node === undefined) return '(gone)';
    if (!(node instanceof Element))
      return node.parentElement === null ? node.nodeName : `${describe(node.parentElement)} ${node.nodeName}`;
    const classes = [...node.classList].map((c) => `.${c}`).join('');
    return `${node.localName}${node.id === '' ? '' : `#${node.id}`}${classes}`;
  };
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries() as LayoutShiftEntry[]) {
      probe.shifts.push({
        value: entry.value,
        startTime: entry.startTime,
        hadRecentInput: entry.hadRecentInput,
        sources: (entry.sources ?? []).map((s) => describe(s.node)),
      });
    }
  }).observe({ type: 'layout-shift', buffered: true });
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries() as (PerformanceEntry & { readonly element?: Element | null })[])
      probe.lcp = { at: entry.startTime, element: describe(entry.element) };
  }).observe({ type: 'largest-contentful-paint', buffered: true });

  const check = (): void => {
    if (probe.firstControlAt === undefined) {
      const control = document.querySelector(
        '.flow-main :is(input, select, textarea, button):not([disabled])',
      );
      if (control !== null) {
        probe.firstControlAt = performance.now();
        const channel = new MessageChannel();
        channel.port1.onmessage = () => {
          probe.interactiveAt = performance.now();
        };
        channel.port2.postMessage(null);
      }
    }
    if (probe.svgAt === undefined && document.querySelector('.flow-diagram svg') !== null)
      probe.svgAt = performance.now();
    if (probe.firstControlAt !== undefined && probe.svgAt !== undefined) observer.disconnect();
  };
  const observer = new MutationObserver(check);
  observer.observe(document, {
    childList: true,
    subtree: true,
    attributes: true,
    attributeFilter: ['disabled'],
  });
}

export async function addProbe(page: Page): Promise<void> {
  await page.addInitScript(installProbe);
}

/** Waits until the diagram is drawn and two more frames have been produced (its shift, if any, is reported). */
export async function waitForDiagram(page: Page, timeoutMs = 30_000): Promise<void> {
  await page.locator('.flow-diagram svg').waitFor({ state: 'attached', timeout: timeoutMs });
  await page.evaluate(
    () =>
      new Promise<void>((resolve) =>
        requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(resolve, 50))),
      ),
  );
}

export async function readProbe(page: Page): Promise<ProbeResult> {
  return page.evaluate(() => {
    const probe = window.__benchProbe;
    const resources = (performance.getEntriesByType('resource') as PerformanceResourceTiming[])
      .filter((e) => e.initiatorType === 'script' || e.initiatorType === 'link' || /\.(js|css)$/.test(e.name))
      .map((e) => ({ path: new URL(e.name).pathname, startTime: e.startTime, responseEnd: e.responseEnd }));
    return {
      firstControlAt: probe?.firstControlAt,
      interactiveAt: probe?.interactiveAt,
      svgAt: probe?.svgAt,
      shifts: probe?.shifts ?? [],
      lcp: probe?.lcp,
      resources,
    };
  });
}

/** Cumulative layout shift up to now, inputs excluded (one session window: the page loads in seconds). */
export function cumulativeShift(shifts: readonly ShiftRecord[]): number {
  return shifts.filter((s) => !s.hadRecentInput).reduce((sum, s) => sum + s.value, 0);
}
