/**
 * Turns a flow's diagram spec into Mermaid `sequenceDiagram` text. Pure and deterministic, so the
 * text can be snapshot-tested and the UI can map the spec's messages onto the rendered SVG by index.
 */

import type { DiagramSpec } from './types.ts';

// Words the sequence grammar treats as keywords; an actor id equal to one of them cannot be a participant id.
const RESERVED = new Set([
  'participant',
  'actor',
  'as',
  'end',
  'loop',
  'alt',
  'else',
  'opt',
  'par',
  'par_over',
  'and',
  'rect',
  'critical',
  'option',
  'break',
  'note',
  'over',
  'left',
  'right',
  'of',
  'activate',
  'deactivate',
  'autonumber',
  'off',
  'title',
  'create',
  'destroy',
  'box',
  'link',
  'links',
  'properties',
  'details',
  'sequencediagram',
  'accdescr',
  'acctitle',
]);

const SAFE_ID = /^[A-Za-z][A-Za-z0-9_]*$/;

/**
 * The fill of an attacker's box: a pale red under mermaid's black title text (about 17:1), so the
 * title and the participant inside stay readable.
 * @see https://mermaid.js.org/syntax/sequenceDiagram.html#grouping-box
 */
export const ATTACKER_BOX_FILL = 'rgb(253, 226, 226)';

/**
 * Makes free text safe for a Mermaid label: one line, with the characters the sequence grammar
 * reacts to written as Mermaid entity codes, which it draws as the plain character. `;` ends a
 * statement, `#` starts an entity, `:` splits a message (and `wrap:` would be read as a directive),
 * `<` `>` could form a `<br>` (an extra text line), `%` could open a `%%{init}%%` directive;
 * participant aliases also stop at `,` and `@`.
 * @see https://mermaid.js.org/syntax/sequenceDiagram.html#entity-codes-to-escape-characters
 */
export function escapeMermaidText(text: string, context: 'message' | 'alias' = 'message'): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  const pattern = context === 'alias' ? /[#;:<>%,@]/g : /[#;:<>%]/g;
  // One pass, so the `#` of an added entity is never escaped again.
  const escaped = oneLine.replace(pattern, (c) => `#${c.charCodeAt(0)};`);
  // An empty label would leave the statement incomplete; a no-break space keeps the arrow drawable.
  return escaped === '' ? '#160;' : escaped;
}

/** Maps each actor id (declared or only used in a message) to a participant id Mermaid accepts. */
function participantIds(spec: DiagramSpec): Map<string, string> {
  const ids = new Map<string, string>();
  const taken = new Set<string>();
  const add = (actorId: string): void => {
    if (ids.has(actorId)) return;
    const base = SAFE_ID.test(actorId) && !RESERVED.has(actorId.toLowerCase()) ? actorId : `p${ids.size + 1}`;
    let id = base;
    for (let n = 2; taken.has(id.toLowerCase()); n += 1) id = `${base}_${n}`;
    taken.add(id.toLowerCase());
    ids.set(actorId, id);
  };
  for (const actor of spec.actors) add(actor.id);
  for (const message of spec.messages) {
    add(message.from);
    add(message.to);
  }
  return ids;
}

/**
 * Builds Mermaid `sequenceDiagram` text: one participant per actor (id plus display alias), then
 * one arrow per message in order, `->>` for requests and `-->>` for replies, `-x` / `--x` for a request
 * or reply that failed. Consecutive messages with the same `loop` label go inside one `loop … end` box.
 * @see https://mermaid.js.org/syntax/sequenceDiagram.html
 */
export function buildSequenceDiagram(spec: DiagramSpec): string {
  const ids = participantIds(spec);
  const labels = new Map(spec.actors.map((actor) => [actor.id, actor.label] as const));
  const lines = ['sequenceDiagram'];
  const attackers = new Set(spec.actors.filter((actor) => actor.attacker === true).map((actor) => actor.id));
  for (const [actorId, id] of ids) {
    const participant = `participant ${id} as ${escapeMermaidText(labels.get(actorId) ?? actorId, 'alias')}`;
    // An attacker sits in a box of its own, tinted and titled, so it never reads as one more honest party.
    if (attackers.has(actorId))
      lines.push(`  box ${ATTACKER_BOX_FILL} Attacker`, `  ${participant}`, '  end');
    else lines.push(`  ${participant}`);
  }
  let openLoop: string | undefined;
  for (const message of spec.messages) {
    if (message.loop !== openLoop) {
      if (openLoop !== undefined) lines.push('  end');
      if (message.loop !== undefined) lines.push(`  loop ${escapeMermaidText(message.loop)}`);
      openLoop = message.loop;
    }
    const indent = openLoop === undefined ? '  ' : '    ';
    const arrow = `${message.reply === true ? '--' : '-'}${message.failed === true ? 'x' : '>>'}`;
    lines.push(
      `${indent}${ids.get(message.from) ?? ''}${arrow}${ids.get(message.to) ?? ''}: ${escapeMermaidText(message.text)}`,
    );
  }
  if (openLoop !== undefined) lines.push('  end');
  return `${lines.join('\n')}\n`;
}

/**
 * The positions (in `spec.messages`, hence in the rendered diagram) of the messages a step sends.
 * @see https://mermaid.js.org/syntax/sequenceDiagram.html#messages
 */
export function messageIndexesForStep(spec: DiagramSpec, stepId: string): number[] {
  const indexes: number[] = [];
  spec.messages.forEach((message, index) => {
    if (message.step === stepId) indexes.push(index);
  });
  return indexes;
}
