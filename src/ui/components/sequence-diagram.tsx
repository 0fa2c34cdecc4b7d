import { useEffect, useId, useLayoutEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { buildSequenceDiagram, messageIndexesForStep } from '../../flows/diagram.ts';
import type { DiagramSpec } from '../../flows/types.ts';
import './components.css';

export interface SequenceDiagramProps {
  readonly spec: DiagramSpec;
  /** The step whose messages are highlighted; undefined highlights nothing. */
  readonly currentStep: string | undefined;
  readonly caption?: string;
  /** Controls shown beside the caption (the panel's "full size" button). */
  readonly actions?: ReactNode;
  /** Called with the drawn SVG each time mermaid draws one (undefined when drawing failed). */
  readonly onDrawn?: (svg: SVGSVGElement | undefined) => void;
}

type MermaidApi = (typeof import('mermaid'))['default'];

/*
 * Layout, measured on mermaid 11 (neutral theme). Message text is drawn at 14 px and the SVG is never
 * scaled down, so the text stays 14 px wherever it is shown. Labels wrap inside the space between two
 * lifelines (`wrap`), so participants sit 126 px apart and a four-participant diagram is about 515 px
 * wide: it fits the side column at 1280 px and wider, where unwrapped labels needed 800–1,500 px.
 */
const FONT_SIZE_PX = 14;
const ACTOR_WIDTH_PX = 110;
const ACTOR_MARGIN_PX = 16;
const WRAP_PADDING_PX = 10;
const MESSAGE_FONT = `${FONT_SIZE_PX}px "trebuchet ms", verdana, arial, sans-serif`;
// Heights measured for that configuration: the top actor row and margins, each message, each extra
// wrapped line, the loop drawn around a self-message, and each loop box.
const BASE_HEIGHT_PX = 81;
const MESSAGE_HEIGHT_PX = 42;
const LINE_HEIGHT_PX = 16;
const SELF_MESSAGE_EXTRA_PX = 30;
const LOOP_HEIGHT_PX = 55;
// The widths at which labels wrap, fitted to mermaid's output for every flow's messages (measured with
// a canvas, as here): a self-message, a message to the next participant; farther ones by the gap.
const SELF_WRAP_PX = 98;
const NEXT_WRAP_PX = 134;

let mermaidPromise: Promise<MermaidApi> | undefined;

/** Loads mermaid on first use only (it is large) and configures it once. */
function loadMermaid(): Promise<MermaidApi> {
  mermaidPromise ??= import('mermaid').then(({ default: mermaid }) => {
    mermaid.initialize({
      startOnLoad: false,
      securityLevel: 'strict',
      theme: 'neutral',
      // mermaid sets every sequence font size from this one.
      fontSize: FONT_SIZE_PX,
      sequence: {
        // Drawn at its natural size (width and height attributes), not scaled to the column.
        useMaxWidth: false,
        wrap: true,
        width: ACTOR_WIDTH_PX,
        actorMargin: ACTOR_MARGIN_PX,
        wrapPadding: WRAP_PADDING_PX,
        diagramMarginX: 8,
        diagramMarginY: 8,
        // The actor row at the bottom would repeat the top one; the column is short enough already.
        mirrorActors: false,
      },
      suppressErrorRendering: true,
    });
    return mermaid;
  });
  // A failed import (offline, chunk missing) may succeed on a later attempt.
  mermaidPromise.catch(() => {
    mermaidPromise = undefined;
  });
  return mermaidPromise;
}

let renderCount = 0;

/**
 * Waits until the browser is idle (at most 1.5 s): the page's form paints and becomes usable first,
 * and mermaid's download and parse don't compete with it.
 */
function whenIdle(): Promise<void> {
  return new Promise((resolve) => {
    if (typeof window.requestIdleCallback === 'function')
      window.requestIdleCallback(() => resolve(), { timeout: 1500 });
    else window.setTimeout(resolve, 200);
  });
}

/**
 * How many lines mermaid's `wrapLabel` makes of `text` at `maxWidth`: words measured with their
 * trailing space, a line closed when the next word would reach the width, a word wider than the
 * line broken into pieces (each piece closed once it reaches the width).
 */
export function countWrappedLines(text: string, maxWidth: number, measure: (s: string) => number): number {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ').filter((w) => w !== '')) {
    if (measure(`${word} `) > maxWidth) {
      lines.push(line);
      let piece = '';
      for (const character of word) {
        piece += character;
        if (measure(piece) >= maxWidth) {
          lines.push(piece);
          piece = '';
        }
      }
      line = piece;
    } else if (measure(line) + measure(`${word} `) >= maxWidth) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  lines.push(line);
  return Math.max(1, lines.filter((l) => l !== '').length);
}

// A message statement of the builder's output: `  from->>to: label` (also `-->>`, `-x`, `--x`).
const MESSAGE_STATEMENT = /^(\s*[^\s:]+?(?:-->>|->>|--x|-x)[^\s:]+?: )(.*)$/;

/**
 * The builder's text with `:` and `%` written plainly inside message labels. The builder writes them
 * as entity codes (`#58;`), which mermaid draws as the character, but with labels wrapped mermaid may
 * break a long word in the middle of its code and draw garbage. Inside a label both are plain text to
 * the grammar, except a label starting with `:` or `wrap:`, and `%%`, which stay escaped.
 */
export function drawableText(text: string): string {
  return text
    .split('\n')
    .map((statement) => {
      const match = MESSAGE_STATEMENT.exec(statement);
      if (match === null) return statement;
      const [, head = '', label = ''] = match;
      let plain = label.replaceAll('#58;', ':');
      // `: x` or `wrap: x` at the start of a label would be read as (part of) a directive.
      plain = plain.replace(/^(\s*(?:(?:no)?wrap)?):/i, '$1#58;');
      const withPercent = plain.replaceAll('#37;', '%');
      if (!withPercent.includes('%%')) plain = withPercent;
      return head + plain;
    })
    .join('\n');
}

/**
 * The height mermaid will give this diagram, from the measured layout above, so the space is reserved
 * before mermaid has loaded and nothing moves when the SVG lands. `measure` is the width of a label in
 * the message font.
 */
export function estimateDiagramHeight(spec: DiagramSpec, measure: (s: string) => number): number {
  const order = new Map<string, number>();
  for (const actor of spec.actors) if (!order.has(actor.id)) order.set(actor.id, order.size);
  for (const message of spec.messages) {
    if (!order.has(message.from)) order.set(message.from, order.size);
    if (!order.has(message.to)) order.set(message.to, order.size);
  }
  const gap = ACTOR_WIDTH_PX + ACTOR_MARGIN_PX;
  let height = BASE_HEIGHT_PX;
  let loop: string | undefined;
  for (const message of spec.messages) {
    if (message.loop !== loop && message.loop !== undefined) height += LOOP_HEIGHT_PX;
    loop = message.loop;
    const span = Math.abs((order.get(message.from) ?? 0) - (order.get(message.to) ?? 0));
    const wrapWidth =
      span === 0 ? SELF_WRAP_PX : span === 1 ? NEXT_WRAP_PX : span * gap - 2 * WRAP_PADDING_PX;
    const lines = countWrappedLines(message.text, wrapWidth, measure);
    height += MESSAGE_HEIGHT_PX + (lines - 1) * LINE_HEIGHT_PX + (span === 0 ? SELF_MESSAGE_EXTRA_PX : 0);
  }
  return Math.round(height);
}

let measureContext: CanvasRenderingContext2D | null | undefined;

/** The width of a label in mermaid's message font, or an average-width guess without a canvas. */
function measureLabel(text: string): number {
  if (measureContext === undefined && typeof document !== 'undefined') {
    measureContext = document.createElement('canvas').getContext('2d');
    if (measureContext !== null) measureContext.font = MESSAGE_FONT;
  }
  return measureContext?.measureText(text).width ?? text.length * FONT_SIZE_PX * 0.55;
}

/**
 * The drawn elements of each message, in message order: its text lines (a wrapped label is several
 * `text.messageText`) and its arrow (`.messageLine0` request, `.messageLine1` reply; a `<path>` for a
 * self-message). mermaid draws a message's text before its arrow, and loop labels carry other classes.
 */
function messageElements(svg: SVGSVGElement): Element[][] {
  const groups: Element[][] = [];
  let pending: Element[] = [];
  for (const element of svg.querySelectorAll('.messageText, .messageLine0, .messageLine1')) {
    pending.push(element);
    if (!element.classList.contains('messageText')) {
      groups.push(pending);
      pending = [];
    }
  }
  return groups;
}

/** Marks the messages at `indexes` as current (a class toggle: the SVG is not drawn again). */
export function markCurrentMessages(svg: SVGSVGElement, indexes: ReadonlySet<number>): void {
  messageElements(svg).forEach((elements, index) => {
    for (const element of elements) element.classList.toggle('is-current', indexes.has(index));
  });
}

/**
 * A copy of a drawn diagram under a new id. mermaid scopes its styles and arrowhead markers by the
 * SVG's id, so the copy renames them: two SVGs with one id would share (or lose) their markers.
 */
export function cloneDiagram(svg: SVGSVGElement, suffix: string): SVGSVGElement {
  const copy = svg.cloneNode(true) as SVGSVGElement;
  const oldId = svg.id;
  if (oldId === '') return copy;
  const newId = `${oldId}-${suffix}`;
  for (const element of [copy, ...copy.querySelectorAll('*')]) {
    for (const attribute of [...element.attributes]) {
      if (attribute.value.includes(oldId))
        element.setAttribute(attribute.name, attribute.value.split(oldId).join(newId));
    }
    if (element.localName === 'style' && element.textContent !== null)
      element.textContent = element.textContent.split(oldId).join(newId);
  }
  return copy;
}

/** Scrolls `container` (and only it, never the page) so that `target` is inside its visible box. */
export function scrollIntoContainer(container: HTMLElement, target: Element): void {
  if (container.scrollHeight <= container.clientHeight && container.scrollWidth <= container.clientWidth)
    return;
  const box = container.getBoundingClientRect();
  const rect = target.getBoundingClientRect();
  const margin = 24;
  if (rect.top < box.top + margin || rect.bottom > box.bottom - margin)
    container.scrollTop += rect.top - box.top - box.height / 3;
  if (rect.left < box.left || rect.right > box.right)
    container.scrollLeft += rect.left - box.left - Math.max(0, (box.width - rect.width) / 2);
}

interface RenderState {
  readonly text: string;
  readonly spec: DiagramSpec;
  readonly status: 'ready' | 'failed';
}

/**
 * The flow's sequence diagram, drawn by mermaid once per spec text at its natural size; the stage
 * scrolls when it is larger. Changing `currentStep` only moves a CSS class between the existing SVG
 * elements (and scrolls the stage to them). A new spec keeps the old drawing on screen until the new
 * one is ready. The ordered list of messages is the text alternative.
 */
/**
 * The diagram's messages as an ordered list, in reading order: the text alternative to the drawing (read
 * by screen readers while the drawing is shown, and shown itself when mermaid could not draw).
 */
export function DiagramMessageList({
  spec,
  currentStep,
  className,
}: {
  readonly spec: DiagramSpec;
  readonly currentStep: string | undefined;
  readonly className: string;
}) {
  const labels = new Map(spec.actors.map((actor) => [actor.id, actor.label] as const));
  const current = new Set(currentStep === undefined ? [] : messageIndexesForStep(spec, currentStep));
  return (
    <ol className={className}>
      {spec.messages.map((message, index) => (
        <li
          key={index}
          aria-current={current.has(index) ? 'step' : undefined}
          className={current.has(index) ? 'is-current' : undefined}
        >
          {labels.get(message.from) ?? message.from} → {labels.get(message.to) ?? message.to}
          {message.reply === true ? ' (reply)' : ''}
          {message.loop === undefined ? '' : ` (in a loop, ${message.loop})`}: {message.text}
        </li>
      ))}
    </ol>
  );
}

export function SequenceDiagram({
  spec,
  currentStep,
  caption = 'Sequence of messages in this flow',
  actions,
  onDrawn,
}: SequenceDiagramProps) {
  const text = useMemo(() => drawableText(buildSequenceDiagram(spec)), [spec]);
  const baseId = `seq-${useId().replace(/[^A-Za-z0-9_-]/g, '')}`;
  const stageRef = useRef<HTMLDivElement>(null);
  const canvasRef = useRef<HTMLDivElement>(null);
  const onDrawnRef = useRef(onDrawn);
  const [rendered, setRendered] = useState<RenderState | undefined>(undefined);
  // Until the first drawing lands, the list stands in for it; later drawings replace it in place.
  const status = rendered?.status ?? 'loading';
  const drawnSpec = rendered?.spec ?? spec;
  const reservedHeight = useMemo(() => estimateDiagramHeight(spec, measureLabel), [spec]);

  const specRef = useRef(spec);
  useLayoutEffect(() => {
    onDrawnRef.current = onDrawn;
    specRef.current = spec;
  });

  useEffect(() => {
    let cancelled = false;
    renderCount += 1;
    const id = `${baseId}-${renderCount}`;
    // The spec this text was built from (the effect runs again only when the text changes).
    const drawn = specRef.current;
    whenIdle()
      .then(loadMermaid)
      .then((mermaid) => mermaid.render(id, text))
      .then(({ svg }) => {
        const canvas = canvasRef.current;
        if (cancelled || canvas === null) return;
        // mermaid output under securityLevel 'strict' is sanitised (DOMPurify) before it is returned.
        canvas.innerHTML = svg;
        setRendered({ text, spec: drawn, status: 'ready' });
      })
      .catch(() => {
        // mermaid can leave its temporary render container behind when it fails.
        document.getElementById(`d${id}`)?.remove();
        if (cancelled) return;
        canvasRef.current?.replaceChildren();
        setRendered({ text, spec: drawn, status: 'failed' });
      });
    return () => {
      cancelled = true;
    };
  }, [text, baseId]);

  useEffect(() => {
    const svg = canvasRef.current?.querySelector('svg') ?? undefined;
    if (status === 'loading') return;
    const current = new Set(currentStep === undefined ? [] : messageIndexesForStep(drawnSpec, currentStep));
    if (svg !== undefined) {
      markCurrentMessages(svg, current);
      const first = svg.querySelector('.messageText.is-current');
      if (stageRef.current !== null && first !== null) scrollIntoContainer(stageRef.current, first);
    }
    onDrawnRef.current?.(status === 'ready' ? svg : undefined);
  }, [status, rendered, currentStep, drawnSpec]);

  return (
    <figure className="sequence-diagram">
      <div className="sequence-diagram__header">
        <figcaption className="sequence-diagram__caption">{caption}</figcaption>
        {actions}
      </div>
      <div
        ref={stageRef}
        className="sequence-diagram__stage"
        // Scrolls when the diagram is larger than the column, so it must be reachable by keyboard.
        tabIndex={0}
        role="region"
        aria-label="Sequence diagram (scrolls when larger than its column)"
      >
        <div className="sequence-diagram__body" style={{ minHeight: `${reservedHeight}px` }}>
          {status === 'loading' ? <p className="sequence-diagram__status">Drawing the diagram…</p> : null}
          {status === 'failed' ? (
            <p className="lab-message lab-message--warning sequence-diagram__status">
              The diagram could not be drawn, so its messages are listed instead.
            </p>
          ) : null}
          <div
            ref={canvasRef}
            className="sequence-diagram__canvas"
            hidden={status !== 'ready'}
            // The list below carries the same content in reading order; the SVG would be read out of order.
            aria-hidden="true"
          />
          <DiagramMessageList
            spec={drawnSpec}
            currentStep={currentStep}
            className={status === 'ready' ? 'lab-sr-only' : 'sequence-diagram__list'}
          />
        </div>
      </div>
    </figure>
  );
}
