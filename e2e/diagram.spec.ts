import { expect, test, type Locator, type Page } from '@playwright/test';
import { FLOWS } from '../src/flows/registry.ts';
import { expectNoAxeViolations } from './support/axe.ts';
import { VIEWPORTS, expectNoHorizontalScroll, sizeOf } from './support/layout.ts';

const FLOWS_TESTED = ['authorization-code', 'device-code'] as const;

/** The rendered size of the diagram's first message label: its font size times the SVG's scale. */
async function labelSize(svg: Locator): Promise<{ fontPx: number; boxPx: number; scale: number }> {
  return svg.evaluate((element) => {
    const root = element as SVGSVGElement;
    const label = root.querySelector('.messageText');
    if (label === null) throw new Error('no .messageText in the diagram');
    const scale = root.getBoundingClientRect().width / root.viewBox.baseVal.width;
    return {
      fontPx: Number.parseFloat(getComputedStyle(label).fontSize) * scale,
      boxPx: label.getBoundingClientRect().height,
      scale,
    };
  });
}

/** The control that opens the full-size view at this width: in the column, or fixed on a phone. */
function opener(page: Page, phone: boolean): Locator {
  return phone
    ? page.getByRole('button', { name: 'Diagram: open it full size' })
    : page.getByRole('button', { name: 'Open the diagram full size' });
}

for (const viewport of VIEWPORTS) {
  const phone = viewport.width <= 700;
  test.describe(`sequence diagram at ${viewport.name}`, () => {
    test.use({ viewport: sizeOf(viewport) });

    for (const flowId of FLOWS_TESTED) {
      test(`${flowId}: labels are at least 14 px in place, no sideways page scroll`, async ({ page }) => {
        await page.goto(`/flows/${flowId}`);
        const svg = page.locator('.flow-diagram .sequence-diagram svg');
        await expect(svg).toBeVisible();
        const size = await labelSize(svg);
        expect(size.scale, 'the SVG is never shrunk').toBeGreaterThanOrEqual(1);
        expect(size.fontPx).toBeGreaterThanOrEqual(14);
        expect(size.boxPx).toBeGreaterThanOrEqual(14);
        await expectNoHorizontalScroll(page);
        if (!phone) {
          // Beside the steps, the whole diagram's width fits its column: nothing to scroll sideways.
          const stage = page.locator('.flow-diagram .sequence-diagram__stage');
          const fits = await stage.evaluate((el) => el.scrollWidth <= el.clientWidth);
          expect(fits, 'the diagram fits the column').toBe(true);
        }
      });

      test(`${flowId}: full-size view by keyboard — zoom, fit, pan, close, focus back`, async ({ page }) => {
        await page.goto(`/flows/${flowId}`);
        await expect(page.locator('.flow-diagram .sequence-diagram svg')).toBeVisible();
        const open = opener(page, phone);
        await open.focus();
        await page.keyboard.press('Enter');

        const dialog = page.getByRole('dialog', { name: /Sequence diagram/ });
        await expect(dialog).toBeVisible();
        const stage = dialog.getByRole('region', { name: /^Diagram at \d+%/ });
        await expect(stage).toBeFocused();
        await expect(stage).toHaveAccessibleName(/^Diagram at 100%/);
        // A visible focus ring on the stage.
        const ring = await stage.evaluate((el) => ({
          visible: el.matches(':focus-visible'),
          style: getComputedStyle(el).outlineStyle,
          width: Number.parseFloat(getComputedStyle(el).outlineWidth),
        }));
        expect(ring.visible).toBe(true);
        expect(ring.style).not.toBe('none');
        expect(ring.width).toBeGreaterThanOrEqual(2);

        // The same drawing, copied (not drawn again), with the current step's highlight.
        const copy = dialog.locator('svg');
        await expect(copy).toBeVisible();
        const inPlace = await page.locator('.flow-diagram .sequence-diagram svg').evaluate((el) => ({
          labels: [...el.querySelectorAll('.messageText')].map((t) => t.textContent),
          current: el.querySelectorAll('.is-current').length,
        }));
        const inDialog = await copy.evaluate((el) => ({
          labels: [...el.querySelectorAll('.messageText')].map((t) => t.textContent),
          current: el.querySelectorAll('.is-current').length,
        }));
        expect(inDialog).toEqual(inPlace);

        const at100 = await labelSize(copy);
        expect(at100.fontPx).toBeGreaterThanOrEqual(14);
        expect(at100.boxPx).toBeGreaterThanOrEqual(14);

        await page.keyboard.press('+');
        await expect(dialog.getByRole('status', { name: 'Zoom level' })).toHaveText(/125%/);
        expect((await labelSize(copy)).scale).toBeCloseTo(1.25, 1);
        await page.keyboard.press('-');
        await page.keyboard.press('-');
        await expect(dialog.getByRole('status', { name: 'Zoom level' })).toHaveText(/90%/);
        expect((await labelSize(copy)).scale).toBeCloseTo(0.9, 1);

        // 0 fits the whole diagram in the stage.
        await page.keyboard.press('0');
        const fitted = await stage.evaluate((el) => ({
          x: el.scrollWidth <= el.clientWidth,
          y: el.scrollHeight <= el.clientHeight,
        }));
        expect(fitted).toEqual({ x: true, y: true });

        // Zoomed in, the arrow keys move around the drawing.
        for (let i = 0; i < 4; i += 1) await page.keyboard.press('+');
        const before = await stage.evaluate((el) => ({ left: el.scrollLeft, top: el.scrollTop }));
        await page.keyboard.press('ArrowRight');
        await page.keyboard.press('ArrowDown');
        const after = await stage.evaluate((el) => ({
          left: el.scrollLeft,
          top: el.scrollTop,
          wide: el.scrollWidth > el.clientWidth + 1,
          tall: el.scrollHeight > el.clientHeight + 1,
        }));
        expect(after.wide || after.tall, 'zoomed in, the drawing is larger than the stage').toBe(true);
        if (after.wide) expect(after.left).toBeGreaterThan(before.left);
        if (after.tall) expect(after.top).toBeGreaterThan(before.top);

        await page.keyboard.press('Escape');
        await expect(dialog).toBeHidden();
        await expect(open).toBeFocused();
      });
    }

    test('the zoom buttons change the scale; axe finds nothing with the view open', async ({ page }) => {
      await page.goto('/flows/authorization-code');
      await expect(page.locator('.flow-diagram .sequence-diagram svg')).toBeVisible();
      await opener(page, phone).click();
      const dialog = page.getByRole('dialog', { name: /Sequence diagram/ });
      const copy = dialog.locator('svg');
      await expect(copy).toBeVisible();
      const start = (await labelSize(copy)).scale;
      await dialog.getByRole('button', { name: 'Zoom in' }).click();
      expect((await labelSize(copy)).scale).toBeGreaterThan(start);
      await dialog.getByRole('button', { name: 'Zoom out' }).click();
      await dialog.getByRole('button', { name: 'Zoom out' }).click();
      expect((await labelSize(copy)).scale).toBeLessThan(start);
      await dialog.getByRole('button', { name: 'Actual size (100%)' }).click();
      expect((await labelSize(copy)).scale).toBeCloseTo(1, 2);
      await expectNoAxeViolations(page, `diagram dialog at ${viewport.name}`);
      await dialog.getByRole('button', { name: 'Close' }).click();
      await expect(dialog).toBeHidden();
    });
  });
}

test.describe('sequence diagram on a phone (390×844)', () => {
  test.use({ viewport: { width: 390, height: 844 } });

  for (const flow of FLOWS) {
    test(`${flow.id}: the Diagram button is in the first screen, and the diagram stays inside the width`, async ({
      page,
    }) => {
      await page.goto(`/flows/${flow.id}`);
      await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
      const button = opener(page, true);
      await expect(button).toBeInViewport({ ratio: 1 });
      const box = await button.boundingBox();
      expect(box).not.toBeNull();
      expect((box?.y ?? 0) + (box?.height ?? 0)).toBeLessThanOrEqual(844);
      await expect(page.locator('.flow-diagram .sequence-diagram svg')).toBeVisible();
      // The diagram never widens the page: it scrolls inside its own box. (The whole page's width is
      // checked above on the two flows; other parts of some pages are not this test's subject.)
      const overflow = await page.locator('.flow-diagram').evaluate((aside) =>
        [aside, ...aside.querySelectorAll('*')]
          .filter(
            (el) =>
              el.closest('.sequence-diagram__stage') === null ||
              el.classList.contains('sequence-diagram__stage'),
          )
          .filter((el) => el.getBoundingClientRect().right > document.documentElement.clientWidth)
          .map((el) => el.className),
      );
      expect(overflow).toEqual([]);
    });
  }
});

test.describe('sequence diagram beside the steps (1280×720)', () => {
  test.use({ viewport: { width: 1280, height: 720 } });

  test('moving between steps moves the highlight without drawing again', async ({ page }) => {
    await page.goto('/flows/device-code');
    const svg = page.locator('.flow-diagram .sequence-diagram svg');
    await expect(svg).toBeVisible();
    await svg.evaluate((el) => el.setAttribute('data-probe', 'first drawing'));
    const currentLabels = () =>
      svg.evaluate((el) =>
        [...el.querySelectorAll('.messageText.is-current')].map((t) => t.textContent).join(' '),
      );
    const first = await currentLabels();
    expect(first).not.toBe('');
    await page
      .getByRole('navigation', { name: 'Steps' })
      .getByRole('link', { name: 'Poll for the tokens' })
      .click();
    await expect.poll(currentLabels).not.toBe(first);
    await expect(svg).toHaveAttribute('data-probe', 'first drawing');
  });

  test('nothing in the column moves when the drawing lands', async ({ page }) => {
    await page.addInitScript(() => {
      const shifts: string[] = [];
      (window as unknown as { diagramShifts: string[] }).diagramShifts = shifts;
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries() as unknown as {
          sources?: { node?: Node | null; previousRect: DOMRectReadOnly; currentRect: DOMRectReadOnly }[];
        }[]) {
          for (const source of entry.sources ?? []) {
            const node = source.node;
            const element = node instanceof Element ? node : node?.parentElement;
            if (element?.closest('.flow-diagram') !== null && element?.closest('.flow-diagram') !== undefined)
              shifts.push(`${element.className}: ${source.previousRect.y} → ${source.currentRect.y}`);
          }
        }
      }).observe({ type: 'layout-shift', buffered: true });
    });
    await page.goto('/flows/authorization-code');
    await expect(page.locator('.flow-diagram .sequence-diagram svg')).toBeVisible();
    await page.waitForTimeout(500);
    const shifts = await page.evaluate(
      () => (window as unknown as { diagramShifts: string[] }).diagramShifts,
    );
    expect(shifts).toEqual([]);
  });

  test('presenter mode: a larger diagram that stays beside the current step', async ({ page }) => {
    await page.goto('/flows/authorization-code?present=1');
    const svg = page.locator('.flow-diagram .sequence-diagram svg');
    await expect(svg).toBeVisible();
    const size = await labelSize(svg);
    expect(size.fontPx).toBeGreaterThanOrEqual(16);
    await page.evaluate(() => window.scrollTo(0, 1500));
    await expect.poll(() => page.evaluate(() => window.scrollY)).toBeGreaterThan(1000);
    const top = await page.locator('.flow-diagram').evaluate((el) => el.getBoundingClientRect().top);
    expect(top).toBeGreaterThanOrEqual(0);
    expect(top).toBeLessThan(60);
  });
});
