import { useEffect, useId, useLayoutEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { buildSequenceDiagram, messageIndexesForStep } from '../../flows/diagram.ts';
import type { DiagramSpec } from '../../flows/types.ts';
import {
  ACTOR_MARGIN_PX,
  ACTOR_WIDTH_PX,
  diagramKey,
  drawableText,
  FONT_SIZE_PX,
  MERMAID_CONFIG,
  STORED_DIAGRAM_ID,
  STORED_DIAGRAM_PATH,
  withDiagramId,
  WRAP_PADDING_PX,
  type DiagramStoreIndex,
} from './sequence-diagram-config.ts';
import storeIndex from './sequence-diagram-store.json';
import './components.css';

export { drawableText };

export interface SequenceDiagramProps {
  readonly spec: DiagramSpec;
  /** The step whose messages are highlighted; undefined highlights nothing. */
  readonly currentStep: string | undefined;
  readonly caption?: string;
  /** Controls shown beside the caption (the panel's "full size" button). */
  readonly actions?: ReactNode;
  /** Called with the drawn SVG each time a drawing is shown (undefined when drawing failed). */
  readonly onDrawn?: (svg: SVGSVGElement | undefined) => void;
  /**
   * Draw with mermaid even while the diagram is out of view (the full-size view is open). Stored
   * drawings are shown at once either way.
   */
  readonly drawNow?: boolean;
}

const STORE = storeIndex as DiagramStoreIndex;
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
// How near the viewport the diagram must come before mermaid draws it.
const IN_VIEW_MARGIN = '300px 0px';

/** SVG markup as drawn, and the id it was drawn under (renamed on insertion: see `withDiagramId`). */
interface Drawing {
  readonly svg: string;
  readonly id: string;
}

/** Drawings by key (`diagramKey`), in flight or done: one text is fetched or drawn once per page load. */
const drawings = new Map<string, Promise<Drawing>>();
/** Keys whose stored drawing could not be fetched: mermaid draws them instead. */
const unavailable = new Set<string>();
/** Drawings shown, for each copy on the page an id of its own. */
let shownCount = 0;

/** The stored drawing of `key`, as `npm run render-diagrams` wrote it to public/diagrams. */
async function fetchStored(key: string): Promise<Drawing> {
  const response = await fetch(`${STORED_DIAGRAM_PATH}/${key}.svg`);
  const svg = await response.text();
  if (!response.ok || !svg.trimStart().startsWith('<svg')) throw new Error(`No stored diagram ${key}`);
  return { svg, id: STORED_DIAGRAM_ID };
}

/**
 * Draws `text` with mermaid (`sequence-diagram-draw.ts`, loaded with the first text that has no stored
 * drawing, never with the page). A failed load fails the drawing: the message list stays.
 */
async function drawWithMermaid(text: string): Promise<Drawing> {
  const { drawWithMermaid: draw } = await import('./sequence-diagram-draw.ts');
  return draw(text, MERMAID_CONFIG);
}

/**
 * The drawing of `text` (key `key`): from memory, else the stored one when there is one, else mermaid's
 * — but only when `mayDraw` (the diagram is in view or wanted); undefined until then.
 */
function drawingFor(key: string, text: string, mayDraw: boolean): Promise<Drawing> | undefined {
  const known = drawings.get(key);
  if (known !== undefined) return known;
  const stored = STORE.diagrams[key] !== undefined && !unavailable.has(key);
  if (!stored && !mayDraw) return undefined;
  const task = stored ? fetchStored(key) : drawWithMermaid(text);
  drawings.set(key, task);
  task.catch(() => {
    drawings.delete(key);
    if (stored) unavailable.add(key);
  });
  return task;
}

/** The natural size of the stored drawing of `key`, if there is one. */
export function storedDiagramSize(key: string): { width: number; height: number } | undefined {
  return STORE.diagrams[key];
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

interface RenderState {
  readonly key: string;
  readonly spec: DiagramSpec;
  readonly status: 'ready' | 'failed';
}

/**
 * The flow's sequence diagram at its natural size; the stage scrolls when it is larger. A planned
 * diagram (no step has sent anything yet) is a drawing stored at build time (`npm run render-diagrams`),
 * fetched at once; any other text is drawn by mermaid once it is near the viewport (or `drawNow`) and
 * the browser is idle, once per text. Changing `currentStep` only moves a CSS class between the existing
 * SVG elements (and scrolls the stage to them). A new spec keeps the old drawing on screen until the new
 * one is ready. The ordered list of messages is the text alternative.
 */
export function SequenceDiagram({
  spec,
  currentStep,
  caption = 'Sequence of messages in this flow',
  actions,
  onDrawn,
  drawNow = false,
}: SequenceDiagramProps) {
  const text = useMemo(() => drawableText(buildSequenceDiagram(spec)), [spec]);
  const key = useMemo(() => diagramKey(text), [text]);
  const baseId = `seq-${useId().replace(/[^A-Za-z0-9_-]/g, '')}`;
  const stageRef = useRef<HTMLDivElement>(null);
  const canvasRef = useRef<HTMLDivElement>(null);
  const onDrawnRef = useRef(onDrawn);
  // The key of the drawing in the canvas: coming into view or opening the full-size view does not put
  // the same drawing in again (a new SVG element would lose the highlight and anything holding the old).
  const shownKeyRef = useRef<string | undefined>(undefined);
  const [rendered, setRendered] = useState<RenderState | undefined>(undefined);
  const [inView, setInView] = useState(false);
  // Until the first drawing lands, the list stands in for it; later drawings replace it in place.
  const status = rendered?.status ?? 'loading';
  const drawnSpec = rendered?.spec ?? spec;
  // A stored drawing's size is known exactly; otherwise it is estimated from the labels.
  const reservedHeight = useMemo(
    () => storedDiagramSize(key)?.height ?? estimateDiagramHeight(spec, measureLabel),
    [key, spec],
  );
  const mayDraw = inView || drawNow;

  const specRef = useRef(spec);
  useLayoutEffect(() => {
    onDrawnRef.current = onDrawn;
    specRef.current = spec;
  });

  useEffect(() => {
    const stage = stageRef.current;
    if (stage === null || typeof IntersectionObserver !== 'function') {
      setInView(true);
      return undefined;
    }
    const observer = new IntersectionObserver(
      (entries) => {
        const last = entries.at(-1);
        if (last !== undefined) setInView(last.isIntersecting);
      },
      { rootMargin: IN_VIEW_MARGIN },
    );
    observer.observe(stage);
    return () => observer.disconnect();
  }, []);

  useEffect(() => {
    if (shownKeyRef.current === key) return undefined;
    let cancelled = false;
    // The spec this text was built from (the effect runs again only when the text changes).
    const drawn = specRef.current;
    const show = (drawing: Drawing) => {
      const canvas = canvasRef.current;
      if (cancelled || canvas === null) return;
      shownCount += 1;
      // Markup drawn by mermaid under securityLevel 'strict' (sanitised with DOMPurify), now or at build
      // time; each copy on the page gets its own id, which scopes its styles and markers.
      canvas.innerHTML = withDiagramId(drawing.svg, drawing.id, `${baseId}-${shownCount}`);
      shownKeyRef.current = key;
      setRendered({ key, spec: drawn, status: 'ready' });
    };
    const fail = () => {
      if (cancelled) return;
      canvasRef.current?.replaceChildren();
      shownKeyRef.current = undefined;
      setRendered({ key, spec: drawn, status: 'failed' });
    };
    const task = drawingFor(key, text, mayDraw);
    if (task === undefined) return undefined;
    task
      .catch(() => {
        // A stored drawing that could not be fetched: mermaid's, when allowed (else this effect runs
        // again once the diagram comes into view).
        if (!unavailable.has(key)) throw new Error('drawing failed');
        return drawingFor(key, text, mayDraw) ?? new Promise<never>(() => undefined);
      })
      .then(show, fail);
    return () => {
      cancelled = true;
    };
  }, [key, text, baseId, mayDraw]);

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
            // The run as it is now, even while an earlier drawing is still on screen.
            spec={spec}
            currentStep={currentStep}
            className={status === 'ready' ? 'lab-sr-only' : 'sequence-diagram__list'}
          />
        </div>
      </div>
    </figure>
  );
}
