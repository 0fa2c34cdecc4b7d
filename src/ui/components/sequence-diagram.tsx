import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { buildSequenceDiagram, messageIndexesForStep } from '../../flows/diagram.ts';
import type { DiagramSpec } from '../../flows/types.ts';
import './components.css';

export interface SequenceDiagramProps {
  readonly spec: DiagramSpec;
  /** The step whose messages are highlighted; undefined highlights nothing. */
  readonly currentStep: string | undefined;
  readonly caption?: string;
}

type MermaidApi = (typeof import('mermaid'))['default'];

// Measured on mermaid 11 output (neutral theme, one-line labels): the actor boxes at top and bottom
// plus margins take 171 px, each message 46 px. Reserving this avoids a layout shift when it lands.
const BASE_HEIGHT_PX = 171;
const MESSAGE_HEIGHT_PX = 46;

let mermaidPromise: Promise<MermaidApi> | undefined;

/** Loads mermaid on first use only (it is large) and configures it once. */
function loadMermaid(): Promise<MermaidApi> {
  mermaidPromise ??= import('mermaid').then(({ default: mermaid }) => {
    mermaid.initialize({
      startOnLoad: false,
      securityLevel: 'strict',
      theme: 'neutral',
      // Narrower actors and larger text keep the diagram legible in the side column.
      sequence: { actorMargin: 24, width: 110, messageFontSize: 15, actorFontSize: 15, messageMargin: 30 },
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

interface RenderState {
  readonly text: string;
  readonly status: 'ready' | 'failed';
}

/**
 * The flow's sequence diagram, drawn by mermaid once per spec. Changing `currentStep` only moves a
 * CSS class between the existing SVG elements. The ordered list of messages is the text alternative.
 */
export function SequenceDiagram({
  spec,
  currentStep,
  caption = 'Sequence of messages in this flow',
}: SequenceDiagramProps) {
  const text = useMemo(() => buildSequenceDiagram(spec), [spec]);
  const baseId = `seq-${useId().replace(/[^A-Za-z0-9_-]/g, '')}`;
  const canvasRef = useRef<HTMLDivElement>(null);
  const [rendered, setRendered] = useState<RenderState | undefined>(undefined);
  const status = rendered?.text === text ? rendered.status : 'loading';

  useEffect(() => {
    let cancelled = false;
    renderCount += 1;
    const id = `${baseId}-${renderCount}`;
    whenIdle()
      .then(loadMermaid)
      .then((mermaid) => mermaid.render(id, text))
      .then(({ svg }) => {
        const canvas = canvasRef.current;
        if (cancelled || canvas === null) return;
        // mermaid output under securityLevel 'strict' is sanitised (DOMPurify) before it is returned.
        canvas.innerHTML = svg;
        setRendered({ text, status: 'ready' });
      })
      .catch(() => {
        // mermaid can leave its temporary render container behind when it fails.
        document.getElementById(`d${id}`)?.remove();
        if (cancelled) return;
        canvasRef.current?.replaceChildren();
        setRendered({ text, status: 'failed' });
      });
    return () => {
      cancelled = true;
    };
  }, [text, baseId]);

  useEffect(() => {
    const svg = canvasRef.current?.querySelector('svg');
    if (status !== 'ready' || svg === null || svg === undefined) return;
    const current = new Set(currentStep === undefined ? [] : messageIndexesForStep(spec, currentStep));
    // In mermaid 11 each message is one `text.messageText` and one `.messageLine0` (request) or
    // `.messageLine1` (reply) element, in message order; a self-message's arrow is a <path>, not a <line>.
    const mark = (elements: NodeListOf<Element>): void =>
      elements.forEach((element, index) => element.classList.toggle('is-current', current.has(index)));
    mark(svg.querySelectorAll('.messageText'));
    mark(svg.querySelectorAll('.messageLine0, .messageLine1'));
  }, [status, currentStep, spec]);

  const labels = new Map(spec.actors.map((actor) => [actor.id, actor.label] as const));
  const current = new Set(currentStep === undefined ? [] : messageIndexesForStep(spec, currentStep));
  const minHeight = BASE_HEIGHT_PX + MESSAGE_HEIGHT_PX * spec.messages.length;

  return (
    <figure className="sequence-diagram">
      <figcaption className="sequence-diagram__caption">{caption}</figcaption>
      <div className="sequence-diagram__stage" style={{ minHeight: `${minHeight}px` }}>
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
        <ol className={status === 'ready' ? 'lab-sr-only' : 'sequence-diagram__list'}>
          {spec.messages.map((message, index) => (
            <li
              key={index}
              aria-current={current.has(index) ? 'step' : undefined}
              className={current.has(index) ? 'is-current' : undefined}
            >
              {labels.get(message.from) ?? message.from} → {labels.get(message.to) ?? message.to}
              {message.reply === true ? ' (reply)' : ''}: {message.text}
            </li>
          ))}
        </ol>
      </div>
    </figure>
  );
}
