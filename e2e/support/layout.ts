import { expect, type Locator, type Page } from '@playwright/test';

/** The three sizes the walk-through is tried at: a laptop, a projector, a phone. */
export const VIEWPORTS = [
  { name: '1366×900', width: 1366, height: 900 },
  { name: '1280×720 (projector)', width: 1280, height: 720 },
  { name: '390×844 (phone)', width: 390, height: 844 },
] as const;

/** Just the size of a viewport entry, as `test.use({ viewport })` takes it. */
export function sizeOf(viewport: (typeof VIEWPORTS)[number]): { width: number; height: number } {
  return { width: viewport.width, height: viewport.height };
}

/**
 * Fails when the page scrolls sideways, naming the outermost elements that stick out on the right (the
 * drawn diagram's SVG excepted: its column scrolls by itself).
 */
export async function expectNoHorizontalScroll(page: Page, where = 'the page'): Promise<void> {
  const { scrollWidth, clientWidth, widest } = await page.evaluate(() => {
    const sticksOut = (el: Element | null) =>
      el !== null && el.getBoundingClientRect().right > document.documentElement.clientWidth + 1;
    const out = [...document.querySelectorAll<HTMLElement>('body *')].filter(
      (el) => sticksOut(el) && !sticksOut(el.parentElement) && el.closest('svg') === null,
    );
    return {
      scrollWidth: document.documentElement.scrollWidth,
      clientWidth: document.documentElement.clientWidth,
      widest: out
        .slice(0, 5)
        .map(
          (el) =>
            `${el.tagName.toLowerCase()}.${String(el.className)} (${Math.round(el.getBoundingClientRect().right)}px)`,
        ),
    };
  });
  expect(scrollWidth, `${where} scrolls sideways: ${widest.join(', ')}`).toBeLessThanOrEqual(clientWidth);
}

/** The step list's status badge of one step, by the step's title. */
export function stepBadge(page: Page, title: string): Locator {
  return page
    .getByRole('navigation', { name: 'Steps' })
    .getByRole('listitem')
    .filter({ hasText: title })
    .locator('.badge');
}
