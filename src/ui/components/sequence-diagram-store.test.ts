import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { FLOWS } from '../../flows/registry.ts';
import { STORED_DIAGRAM_ID, type DiagramStoreIndex } from './sequence-diagram-config.ts';
import { attackDiagramId, plannedDiagrams } from './sequence-diagram-planned.ts';
import { ATTACKS } from '../../flows/attacks/registry.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const SVG_DIR = join(ROOT, 'public', 'diagrams');
const index = JSON.parse(
  readFileSync(join(ROOT, 'src', 'ui', 'components', 'sequence-diagram-store.json'), 'utf8'),
) as DiagramStoreIndex;
const FIX = 'run `npm run render-diagrams` and commit public/diagrams and sequence-diagram-store.json';

describe('stored drawings of the planned diagrams (public/diagrams)', () => {
  const planned = plannedDiagrams();

  test('every registered flow and every attack has its planned diagrams listed', () => {
    expect(new Set(planned.map((p) => p.flowId))).toEqual(
      new Set([...FLOWS.map((f) => f.id), ...ATTACKS.map((a) => attackDiagramId(a.id))]),
    );
  });

  test(`every planned diagram has a stored drawing (else ${FIX})`, () => {
    const missing = planned
      .filter((p) => index.diagrams[p.key] === undefined || !existsSync(join(SVG_DIR, `${p.key}.svg`)))
      .map((p) => `${p.flowId} [${p.variants.join(' ')}]`);
    expect(missing, FIX).toEqual([]);
  });

  test(`the drawings were made by the installed mermaid (else ${FIX})`, () => {
    const require = createRequire(import.meta.url);
    const installed = (require('mermaid/package.json') as { version: string }).version;
    expect(index.mermaid, FIX).toBe(installed);
  });

  test('each stored drawing is an SVG under the placeholder id, of the size the index gives', () => {
    for (const { key } of planned) {
      const size = index.diagrams[key];
      if (size === undefined) continue;
      const svg = readFileSync(join(SVG_DIR, `${key}.svg`), 'utf8');
      expect(svg.startsWith(`<svg id="${STORED_DIAGRAM_ID}"`), key).toBe(true);
      const viewBox = /viewBox="[-\d.]+ [-\d.]+ ([\d.]+) ([\d.]+)"/.exec(svg);
      expect([Number(viewBox?.[1]), Number(viewBox?.[2])], key).toEqual([size.width, size.height]);
    }
  });

  test(`nothing stored that no planned diagram uses (else ${FIX})`, () => {
    const keys = new Set(planned.map((p) => p.key));
    const stale = readdirSync(SVG_DIR).filter((file) => !keys.has(file.replace(/\.svg$/, '')));
    expect(stale, FIX).toEqual([]);
    expect(
      Object.keys(index.diagrams).filter((key) => !keys.has(key)),
      FIX,
    ).toEqual([]);
  });
});
