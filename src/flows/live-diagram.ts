/**
 * The sequence diagram of a run as it happened. Before a step sends anything the diagram shows the
 * flow's planned messages for the variant the run uses; once a step has sent requests, those requests
 * are drawn instead of its planned HTTP messages — method, path, status, the error an answer carried,
 * the local relay as a participant when a request went through it, and repeated requests (device-code
 * polls) folded into one loop with their count.
 */
import type { DiagramMessage, DiagramSpec, RecordedMessage } from './types.ts';

/** The participant drawn when a request went through the local relay. */
export const RELAY_ACTOR = { id: 'relay', label: 'Local relay (this app’s server)' } as const;

/** The planned messages of the variants the run uses (a message with no `variant` is always drawn). */
export function plannedDiagram(spec: DiagramSpec, variants: readonly string[]): DiagramSpec {
  return {
    actors: spec.actors,
    messages: spec.messages.filter((m) => m.variant === undefined || variants.includes(m.variant)),
  };
}

/**
 * A URL as the diagram labels it: its last path segment (`…/token`, `…/authorize`), or the whole path when
 * it is one or two segments (`/v1.0/me`). Labels wrap between lifelines at about 20 characters, and a
 * tenant id or `oauth2/v2.0` would break mid-word; the raw request beside the step has the full URL.
 */
export function diagramPath(url: string): string {
  let path: string;
  try {
    path = new URL(url, 'http://relative.invalid').pathname;
  } catch {
    path = url.split(/[?#]/, 1)[0] ?? '';
  }
  const segments = path.split('/').filter((segment) => segment !== '');
  return segments.length <= 2 ? path : `…/${segments.at(-1) ?? ''}`;
}

function answerText(message: RecordedMessage): string {
  if (message.status === undefined) return message.error ?? 'no answer';
  return message.error === undefined ? String(message.status) : `${message.status} ${message.error}`;
}

function failed(message: RecordedMessage): boolean {
  return message.status === undefined || message.status >= 400 || message.error !== undefined;
}

const sameRequest = (a: RecordedMessage, b: RecordedMessage): boolean =>
  a.from === undefined && b.from === undefined && a.method === b.method && a.url === b.url && a.via === b.via;

/** One request and its answer as arrows, through the relay when it went that way. */
function exchangeArrows(
  message: RecordedMessage,
  ends: { from: string; to: string },
  options: { loop?: string; replyText?: string; replyFailed?: boolean } = {},
): DiagramMessage[] {
  const request = `${message.method} ${diagramPath(message.url)}`;
  const reply = options.replyText ?? answerText(message);
  const replyFailed = options.replyFailed ?? failed(message);
  const common = { step: message.step, ...(options.loop === undefined ? {} : { loop: options.loop }) };
  // No answer at all: the request itself is what failed.
  const noAnswer = message.status === undefined && options.replyText === undefined;
  if (message.via === 'relay') {
    return [
      { ...common, from: ends.from, to: RELAY_ACTOR.id, text: request },
      { ...common, from: RELAY_ACTOR.id, to: ends.to, text: request, ...(noAnswer ? { failed: true } : {}) },
      ...(noAnswer
        ? [{ ...common, from: RELAY_ACTOR.id, to: ends.from, text: reply, reply: true, failed: true }]
        : [
            { ...common, from: ends.to, to: RELAY_ACTOR.id, text: reply, reply: true, failed: replyFailed },
            { ...common, from: RELAY_ACTOR.id, to: ends.from, text: reply, reply: true, failed: replyFailed },
          ]),
    ];
  }
  if (noAnswer)
    return [{ ...common, from: ends.from, to: ends.to, text: `${request} — ${reply}`, failed: true }];
  return [
    { ...common, from: ends.from, to: ends.to, text: request },
    { ...common, from: ends.to, to: ends.from, text: reply, reply: true, failed: replyFailed },
  ];
}

/**
 * A folded loop's reply: the one answer when every pass got the same (the loop's label has the count), else
 * each answer with its count: `400 authorization_pending ×5, 400 slow_down ×1`.
 */
function outcomeSummary(messages: readonly RecordedMessage[]): string {
  const counts = new Map<string, number>();
  for (const m of messages) counts.set(answerText(m), (counts.get(answerText(m)) ?? 0) + 1);
  if (counts.size === 1) return [...counts.keys()][0] ?? '';
  return [...counts].map(([text, n]) => `${text} ×${n}`).join(', ');
}

/** The arrows for everything one step recorded, in order, with repeats folded into a loop. */
function stepArrows(
  recorded: readonly RecordedMessage[],
  ends: { from: string; to: string },
): DiagramMessage[] {
  const out: DiagramMessage[] = [];
  for (let i = 0; i < recorded.length;) {
    const message = recorded[i] as RecordedMessage;
    if (message.from !== undefined && message.to !== undefined) {
      out.push({
        from: message.from,
        to: message.to,
        text: `${message.label ?? `${message.method} ${diagramPath(message.url)}`}${
          message.error === undefined || (message.label ?? '').includes(message.error)
            ? ''
            : ` — ${message.error}`
        }`,
        step: message.step,
        ...(message.reply === true ? { reply: true } : {}),
        ...(message.error !== undefined ? { failed: true } : {}),
      });
      i += 1;
      continue;
    }
    let end = i + 1;
    while (end < recorded.length && sameRequest(message, recorded[end] as RecordedMessage)) end += 1;
    const group = recorded.slice(i, end);
    if (group.length === 1) {
      out.push(...exchangeArrows(message, ends));
    } else {
      // The last answer, when it differs (the tokens at last, or expired), is drawn after the loop.
      const last = group.at(-1) as RecordedMessage;
      const lastDiffers = answerText(last) !== answerText(group.at(-2) as RecordedMessage);
      const folded = lastDiffers ? group.slice(0, -1) : group;
      // One request before a different last answer (a failure, then success) is no loop: two exchanges.
      if (folded.length === 1) out.push(...exchangeArrows(folded[0] as RecordedMessage, ends));
      else
        out.push(
          ...exchangeArrows(folded[0] as RecordedMessage, ends, {
            loop: `${folded.length} times`,
            replyText: outcomeSummary(folded),
            replyFailed: folded.some(failed),
          }),
        );
      if (lastDiffers) out.push(...exchangeArrows(last, ends));
    }
    i = end;
  }
  return out;
}

/**
 * The diagram of a run: `spec`'s planned messages for `variants`, with each step's planned HTTP messages
 * replaced by what the step really sent (`recorded`, in order). A step that recorded messages but planned
 * none draws them after its planned messages, or at the end.
 */
export function liveDiagramSpec(
  spec: DiagramSpec,
  recorded: readonly RecordedMessage[],
  variants: readonly string[],
): DiagramSpec {
  const planned = plannedDiagram(spec, variants).messages;
  const byStep = new Map<string, RecordedMessage[]>();
  for (const message of recorded) byStep.set(message.step, [...(byStep.get(message.step) ?? []), message]);
  const emitted = new Set<string>();
  const messages: DiagramMessage[] = [];
  const fallbackEnds = { from: spec.actors[0]?.id ?? 'client', to: spec.actors[1]?.id ?? 'server' };
  const endsOf = (step: string) => {
    const request = planned.find((m) => m.step === step && m.http === true && m.reply !== true);
    return request === undefined ? fallbackEnds : { from: request.from, to: request.to };
  };
  const emit = (step: string) => {
    if (emitted.has(step)) return;
    emitted.add(step);
    messages.push(...stepArrows(byStep.get(step) ?? [], endsOf(step)));
  };
  planned.forEach((message, index) => {
    const live = byStep.has(message.step);
    if (live && message.http === true) emit(message.step);
    else messages.push(message);
    const lastOfStep = planned[index + 1]?.step !== message.step;
    if (live && lastOfStep) emit(message.step);
  });
  for (const step of byStep.keys()) emit(step);
  const usesRelay = messages.some((m) => m.from === RELAY_ACTOR.id || m.to === RELAY_ACTOR.id);
  if (!usesRelay) return { actors: spec.actors, messages };
  // The relay sits beside the participant that sent through it.
  const sender = messages.find((m) => m.to === RELAY_ACTOR.id)?.from;
  const at = spec.actors.findIndex((a) => a.id === sender);
  const actors = [...spec.actors];
  actors.splice(at === -1 ? actors.length : at + 1, 0, RELAY_ACTOR);
  return { actors, messages };
}
