/**
 * The attack pages' diagrams as mermaid really drew them (the stored drawings `npm run render-diagrams`
 * made in Chromium): every label is drawn in whole words. mermaid breaks a word wider than the space
 * between two lifelines with a hyphen ("sta-" / "te=A"), which reads as a different word; labels are
 * kept short enough that it never has to.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { buildSequenceDiagram } from '../../flows/diagram.ts';
import { plannedDiagram } from '../../flows/live-diagram.ts';
import { diagramKey, drawableText } from './sequence-diagram-config.ts';
import { ATTACK_DEFINITIONS } from '../../flows/attacks/definitions.ts';
import { ATTACK_MODES } from '../../flows/attacks/types.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const FIX = 'run `npm run render-diagrams` and commit public/diagrams and sequence-diagram-store.json';

const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(text: string): string {
  return text.replace(/&(#\d+|#x[\da-f]+|\w+);/gi, (all, name: string) => {
    if (name.startsWith('#x') || name.startsWith('#X'))
      return String.fromCodePoint(Number.parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(Number(name.slice(1)));
    return ENTITIES[name.toLowerCase()] ?? all;
  });
}

/** The lines of message text in a drawing, in the order mermaid drew them (message order). */
function drawnMessageLines(svg: string): string[] {
  return [...svg.matchAll(/<text\b[^>]*\bclass="messageText"[^>]*>([\s\S]*?)<\/text>/g)].map((m) =>
    decode((m[1] ?? '').replace(/<[^>]+>/g, '')),
  );
}

const words = (text: string): string[] => text.split(/\s+/).filter((w) => w !== '');

describe.each(ATTACK_DEFINITIONS.flatMap((a) => ATTACK_MODES.map((mode) => [a.id, mode, a] as const)))(
  'the stored drawing of %s (defence %s)',
  (_id, mode, attack) => {
    const spec = plannedDiagram(attack.diagram, [mode]);
    const key = diagramKey(drawableText(buildSequenceDiagram(spec)));
    const file = join(ROOT, 'public', 'diagrams', `${key}.svg`);

    test('exists', () => {
      expect(existsSync(file), FIX).toBe(true);
    });

    test('draws every message label in whole words, none broken across lines', () => {
      if (!existsSync(file)) return;
      const drawn = drawnMessageLines(readFileSync(file, 'utf8'));
      expect(drawn.flatMap(words)).toEqual(spec.messages.flatMap((m) => words(m.text)));
    });

    test('draws the attacker inside its box, titled Attacker', () => {
      if (!existsSync(file)) return;
      const svg = readFileSync(file, 'utf8');
      expect(svg).toMatch(/fill="rgb\(253, 226, 226\)"/);
      expect(decode(svg)).toMatch(/>Attacker</);
    });
  },
);
