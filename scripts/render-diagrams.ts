/**
 * `npm run render-diagrams`: draws every planned sequence diagram (each flow × each variant its page can
 * show before a step ran) with mermaid and the app's own configuration, in Chromium, and stores the SVGs
 * in public/diagrams/<key>.svg with their sizes in src/ui/components/sequence-diagram-store.json. The
 * flow pages then show a stored drawing instead of loading and running mermaid; a unit test fails when
 * a planned diagram has no stored drawing. Run it after changing a flow's diagram, the diagram builder,
 * mermaid's configuration or mermaid itself. Drawings no planned diagram uses any more are deleted.
 */
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from './bench/chromium.ts';
import {
  MERMAID_CONFIG,
  STORED_DIAGRAM_ID,
  type DiagramStoreIndex,
} from '../src/ui/components/sequence-diagram-config.ts';
import { plannedDiagrams } from '../src/ui/components/sequence-diagram-planned.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SVG_DIR = join(ROOT, 'public', 'diagrams');
const INDEX_FILE = join(ROOT, 'src', 'ui', 'components', 'sequence-diagram-store.json');

/** The style sheets a flow page has loaded when it draws its diagram. */
const APP_STYLE_SHEETS = [
  'src/ui/app.css',
  'src/ui/components/components.css',
  'src/ui/components/diagram-panel.css',
];

const require = createRequire(import.meta.url);
const MERMAID_DIR = dirname(require.resolve('mermaid/package.json'));

interface Drawn {
  readonly svg: string;
  readonly width: number;
  readonly height: number;
}

async function main(): Promise<void> {
  const planned = plannedDiagrams();
  const mermaidVersion = (
    JSON.parse(await readFile(join(MERMAID_DIR, 'package.json'), 'utf8')) as {
      version: string;
    }
  ).version;
  const browser = await launchChromium();
  const drawn = new Map<string, Drawn>();
  try {
    for (const diagram of planned) {
      // A fresh page for each: mermaid numbers its elements across drawings, and each stored drawing
      // must be what a page drawing it first would get.
      const page = await browser.newPage();
      // A page with the app's own style sheets: mermaid measures its labels with the fonts the page
      // inherits (the app's root font and line height), so a drawing made without them wraps differently.
      await page.setContent(
        '<!doctype html><html lang="en"><head><meta charset="utf-8"></head><body></body></html>',
      );
      for (const sheet of APP_STYLE_SHEETS) await page.addStyleTag({ path: join(ROOT, sheet) });
      // mermaid's own browser build, the same version as the app's.
      await page.addScriptTag({ path: join(MERMAID_DIR, 'dist', 'mermaid.min.js') });
      await page.evaluate((config) => {
        (globalThis as unknown as { mermaid: { initialize: (c: unknown) => void } }).mermaid.initialize(
          config,
        );
      }, MERMAID_CONFIG);
      const svg = await page.evaluate(
        async ({ id, text }) =>
          (
            await (
              globalThis as unknown as {
                mermaid: { render: (id: string, text: string) => Promise<{ svg: string }> };
              }
            ).mermaid.render(id, text)
          ).svg,
        { id: STORED_DIAGRAM_ID, text: diagram.text },
      );
      // The drawing's natural size, as the page reads it (the viewBox mermaid sets from its layout).
      const viewBox = /viewBox="[-\d.]+ [-\d.]+ ([\d.]+) ([\d.]+)"/.exec(svg);
      const result = { svg, width: Number(viewBox?.[1]), height: Number(viewBox?.[2]) };
      if (!(result.width > 0 && result.height > 0))
        throw new Error(`mermaid drew ${diagram.flowId} [${diagram.variants.join(' ')}] without a size`);
      await page.close();
      drawn.set(diagram.key, result);
      console.log(
        `  ${diagram.flowId} [${diagram.variants.join(' ')}]: ${diagram.key}.svg, ${Math.round(result.width)}×${Math.round(result.height)}, ${(result.svg.length / 1024).toFixed(1)} KB`,
      );
    }
  } finally {
    await browser.close();
  }

  await mkdir(SVG_DIR, { recursive: true });
  for (const file of await readdir(SVG_DIR))
    if (file.endsWith('.svg') && !drawn.has(file.slice(0, -'.svg'.length))) await rm(join(SVG_DIR, file));
  const index: DiagramStoreIndex = { mermaid: mermaidVersion, diagrams: {} };
  const sizes: Record<string, { width: number; height: number }> = {};
  for (const [key, { svg, width, height }] of [...drawn].sort(([a], [b]) => a.localeCompare(b))) {
    await writeFile(join(SVG_DIR, `${key}.svg`), `${svg}\n`);
    sizes[key] = { width, height };
  }
  await writeFile(INDEX_FILE, `${JSON.stringify({ ...index, diagrams: sizes }, null, 2)}\n`);
  console.log(
    `${drawn.size} drawings in public/diagrams/, index in src/ui/components/sequence-diagram-store.json`,
  );
}

await main();
