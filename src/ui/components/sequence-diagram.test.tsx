import { describe, expect, test } from 'vitest';
import { buildSequenceDiagram } from '../../flows/diagram.ts';
import type { DiagramSpec } from '../../flows/types.ts';
import { diagramKey, withDiagramId } from './sequence-diagram-config.ts';
import { countWrappedLines, drawableText, estimateDiagramHeight } from './sequence-diagram.tsx';

/** Every character 8 px wide: enough to follow the wrapping rules without a canvas. */
const monospace = (s: string): number => s.length * 8;

const actors = [
  { id: 'a', label: 'A' },
  { id: 'b', label: 'Authorization server' },
  { id: 'c', label: 'User on a second device' },
];

describe('countWrappedLines (mermaid wrapLabel rules)', () => {
  test('a label narrower than the line is one line', () => {
    expect(countWrappedLines('POST /token', 200, monospace)).toBe(1);
  });

  test('a line closes when the next word with its space would reach the width', () => {
    // "POST" (32) + "/token " (56) = 88 >= 88: the second word starts a line.
    expect(countWrappedLines('POST /token', 88, monospace)).toBe(2);
    expect(countWrappedLines('POST /token', 89, monospace)).toBe(1);
  });

  test('a word wider than the line is broken into pieces', () => {
    // 30 characters at 8 px in lines of 80 px: pieces of 10 characters.
    expect(countWrappedLines('x'.repeat(30), 80, monospace)).toBe(3);
    expect(countWrappedLines(`go ${'x'.repeat(25)} end`, 80, monospace)).toBe(4);
  });

  test('an empty label is still one line', () => {
    expect(countWrappedLines('', 80, monospace)).toBe(1);
  });
});

describe('estimateDiagramHeight (heights measured on mermaid 11.17 with the lab configuration)', () => {
  const one = (messages: DiagramSpec['messages']): number =>
    estimateDiagramHeight({ actors, messages }, monospace);

  test('one-line messages: 123 px for one, 42 px more for each', () => {
    expect(one([{ from: 'a', to: 'b', text: 'hi', step: 's' }])).toBe(123);
    expect(
      one([
        { from: 'a', to: 'b', text: 'hi', step: 's' },
        { from: 'b', to: 'a', text: 'ok', step: 's', reply: true },
      ]),
    ).toBe(165);
  });

  test('a self-message adds its loop, a loop box its frame (55 px each)', () => {
    expect(one([{ from: 'a', to: 'a', text: 'hi', step: 's' }])).toBe(153);
    expect(
      one([
        { from: 'a', to: 'b', text: 'hi', step: 's', loop: '3 polls' },
        { from: 'b', to: 'a', text: 'ok', step: 's', reply: true, loop: '3 polls' },
      ]),
    ).toBe(220);
    expect(
      one([
        { from: 'a', to: 'b', text: 'hi', step: 's', loop: '3 polls' },
        { from: 'b', to: 'a', text: 'ok', step: 's', reply: true, loop: '4 polls' },
      ]),
    ).toBe(275);
  });

  test('each extra wrapped line adds 16 px', () => {
    // At 8 px a character, 134 px holds "a label long" and "enough to need" but not one more word.
    const long = 'a label long enough to need five lines between two neighbours';
    expect(countWrappedLines(long, 134, monospace)).toBe(5);
    expect(one([{ from: 'a', to: 'b', text: long, step: 's' }])).toBe(123 + 4 * 16);
  });
});

describe('drawableText', () => {
  const text = (label: string): string =>
    drawableText(
      buildSequenceDiagram({
        actors: actors.slice(0, 2),
        messages: [{ from: 'a', to: 'b', text: label, step: 's' }],
      }),
    );
  const messageLine = (label: string): string => text(label).split('\n')[3] ?? '';

  test('a colon and a percent sign inside a label are written plainly', () => {
    expect(messageLine('GET /v1.0/me Authorization: Bearer x')).toBe(
      '  a->>b: GET /v1.0/me Authorization: Bearer x',
    );
    expect(messageLine('redirect_uri=http%3A%2F%2Flocalhost')).toBe(
      '  a->>b: redirect_uri=http%3A%2F%2Flocalhost',
    );
  });

  test('what the grammar reads stays escaped: a leading colon or wrap:, a double percent, # and ;', () => {
    expect(messageLine(': x')).toBe('  a->>b: #58; x');
    expect(messageLine('wrap: x')).toBe('  a->>b: wrap#58; x');
    expect(messageLine('nowrap: x')).toBe('  a->>b: nowrap#58; x');
    expect(messageLine('%%{init: {}}%%')).toContain('#37;#37;');
    expect(messageLine('x5t#S256; exp')).toBe('  a->>b: x5t#35;S256#59; exp');
  });

  test('participant lines are left as the builder wrote them', () => {
    const spec: DiagramSpec = {
      actors: [{ id: 'a', label: 'App: web' }, actors[1] as DiagramSpec['actors'][number]],
      messages: [],
    };
    expect(drawableText(buildSequenceDiagram(spec))).toBe(buildSequenceDiagram(spec));
  });
});

describe('stored drawings: key and id', () => {
  test('the key is 28 hex digits, the same for the same text, another for another text', () => {
    const text = 'sequenceDiagram\n  a->>b: hi\n';
    expect(diagramKey(text)).toMatch(/^[0-9a-f]{28}$/);
    expect(diagramKey(text)).toBe(diagramKey(`${text}`));
    expect(diagramKey(text)).not.toBe(diagramKey(text.replace('hi', 'ho')));
  });

  test('withDiagramId renames the SVG, its scoped styles and its marker references', () => {
    const svg =
      '<svg id="lab-stored-diagram"><style>#lab-stored-diagram .x{}</style>' +
      '<marker id="lab-stored-diagram-arrowhead"/><line marker-end="url(#lab-stored-diagram-arrowhead)"/></svg>';
    const renamed = withDiagramId(svg, 'lab-stored-diagram', 'seq-r1-3');
    expect(renamed).not.toContain('lab-stored-diagram');
    expect(renamed).toContain('<svg id="seq-r1-3">');
    expect(renamed).toContain('#seq-r1-3 .x{}');
    expect(renamed).toContain('url(#seq-r1-3-arrowhead)');
  });
});
