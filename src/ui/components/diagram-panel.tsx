import { useCallback, useId, useLayoutEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { DiagramSpec } from '../../flows/types.ts';
import { useSessionPrefs } from '../../state/session-prefs.ts';
import {
  cloneDiagram,
  DiagramMessageList,
  scrollIntoContainer,
  SequenceDiagram,
} from './sequence-diagram.tsx';
import './diagram-panel.css';

export interface DiagramPanelProps {
  readonly spec: DiagramSpec;
  /** The step whose messages are highlighted, in the column and in the full-size view. */
  readonly currentStep: string | undefined;
  /** The flow's title, for the full-size view's heading. */
  readonly title?: string;
}

// Zoom levels of the full-size view; 1 is the diagram's natural size (14 px text).
const ZOOM_LEVELS = [0.25, 0.33, 0.5, 0.67, 0.75, 0.9, 1, 1.25, 1.5, 1.75, 2, 2.5, 3, 4] as const;
const MIN_ZOOM = 0.25;
const MAX_ZOOM = 4;
const PAN_STEP_PX = 60;

function clampZoom(zoom: number): number {
  return Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, zoom));
}

function nextZoom(zoom: number, direction: 1 | -1): number {
  const levels = direction === 1 ? ZOOM_LEVELS : [...ZOOM_LEVELS].reverse();
  // A level at least 1% away, so a fitted zoom between two levels moves to the next one.
  return levels.find((level) => (level - zoom) * direction > 0.01) ?? (direction === 1 ? MAX_ZOOM : MIN_ZOOM);
}

interface Size {
  readonly width: number;
  readonly height: number;
}

function naturalSize(svg: SVGSVGElement): Size {
  const box = svg.viewBox.baseVal;
  if (box !== null && box.width > 0) return { width: box.width, height: box.height };
  return {
    width: Number.parseFloat(svg.getAttribute('width') ?? '0'),
    height: Number.parseFloat(svg.getAttribute('height') ?? '0'),
  };
}

/**
 * The flow's sequence diagram in the side column, plus a full-size view: a modal dialog holding a copy
 * of the drawn SVG (mermaid does not draw it again) with zoom buttons, keyboard zoom and pan, and the
 * current step highlighted. On a narrow screen, where the column falls below the steps, a button fixed
 * at the bottom of the window opens the same view.
 */
export function DiagramPanel({ spec, currentStep, title }: DiagramPanelProps) {
  const presenter = useSessionPrefs((s) => s.presenter === true);
  const dialogRef = useRef<HTMLDialogElement>(null);
  const stageRef = useRef<HTMLDivElement>(null);
  const hostRef = useRef<HTMLDivElement>(null);
  const drawnRef = useRef<SVGSVGElement | undefined>(undefined);
  const copyRef = useRef<SVGSVGElement | undefined>(undefined);
  const openerRef = useRef<HTMLElement | null>(null);
  const centerRef = useRef<{ x: number; y: number } | undefined>(undefined);
  const [open, setOpen] = useState(false);
  const [drawn, setDrawn] = useState(0);
  const [zoom, setZoom] = useState(1);
  const [hasCopy, setHasCopy] = useState(false);
  const titleId = useId();
  const hintId = useId();

  const onDrawn = useCallback((svg: SVGSVGElement | undefined) => {
    drawnRef.current = svg;
    setDrawn((n) => n + 1);
  }, []);

  // A fresh copy whenever the column's drawing changes while open: a new message, or the highlight
  // moved (the column marks the current step before it reports the drawing).
  useLayoutEffect(() => {
    const host = hostRef.current;
    if (!open || host === null) return;
    const svg = drawnRef.current;
    const copy = svg === undefined ? undefined : cloneDiagram(svg, 'full');
    if (copy === undefined) host.replaceChildren();
    else host.replaceChildren(copy);
    copyRef.current = copy;
    setHasCopy(copy !== undefined);
  }, [open, drawn]);

  // The copy's size follows the zoom; the point at the centre of the stage stays there.
  useLayoutEffect(() => {
    const copy = copyRef.current;
    const stage = stageRef.current;
    if (!open || !hasCopy || copy === undefined || stage === null) return;
    const natural = naturalSize(copy);
    copy.setAttribute('width', String(Math.round(natural.width * zoom)));
    copy.setAttribute('height', String(Math.round(natural.height * zoom)));
    const center = centerRef.current;
    centerRef.current = undefined;
    if (center !== undefined) {
      stage.scrollLeft = center.x * stage.scrollWidth - stage.clientWidth / 2;
      stage.scrollTop = center.y * stage.scrollHeight - stage.clientHeight / 2;
    }
  }, [open, hasCopy, drawn, zoom]);

  const changeZoom = useCallback((next: number) => {
    const stage = stageRef.current;
    if (stage !== null && stage.scrollWidth > 0 && stage.scrollHeight > 0) {
      centerRef.current = {
        x: (stage.scrollLeft + stage.clientWidth / 2) / stage.scrollWidth,
        y: (stage.scrollTop + stage.clientHeight / 2) / stage.scrollHeight,
      };
    }
    setZoom(clampZoom(next));
  }, []);

  const fit = useCallback(() => {
    const stage = stageRef.current;
    const copy = copyRef.current;
    if (stage === null || copy === undefined) return;
    const natural = naturalSize(copy);
    const style = getComputedStyle(stage);
    const width =
      stage.clientWidth - Number.parseFloat(style.paddingLeft) - Number.parseFloat(style.paddingRight);
    const height =
      stage.clientHeight - Number.parseFloat(style.paddingTop) - Number.parseFloat(style.paddingBottom);
    if (natural.width <= 0 || natural.height <= 0) return;
    // Two decimals, floored, so the fitted diagram never needs a scroll bar.
    changeZoom(Math.floor(Math.min(width / natural.width, height / natural.height) * 100) / 100);
  }, [changeZoom]);

  const openDialog = (opener: HTMLElement) => {
    if (dialogRef.current?.open === true) return;
    openerRef.current = opener;
    setZoom(1);
    setOpen(true);
  };

  // Shown once its content is in; focus goes to the stage, whose keys then work at once.
  useLayoutEffect(() => {
    const dialog = dialogRef.current;
    if (!open || dialog === null || dialog.open) return;
    dialog.showModal();
    stageRef.current?.focus();
  }, [open]);
  // The current message in view, on opening and as the run moves on.
  useLayoutEffect(() => {
    const stage = stageRef.current;
    const target = copyRef.current?.querySelector('.messageText.is-current');
    if (!open || !hasCopy || stage === null || target === null || target === undefined) return;
    scrollIntoContainer(stage, target);
  }, [open, hasCopy, drawn]);

  const close = () => dialogRef.current?.close();

  const onDialogClose = () => {
    setOpen(false);
    copyRef.current = undefined;
    setHasCopy(false);
    hostRef.current?.replaceChildren();
    openerRef.current?.focus();
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDialogElement>) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const stage = stageRef.current;
    const onStage = event.target === stage;
    switch (event.key) {
      case '+':
      case '=':
        changeZoom(nextZoom(zoom, 1));
        break;
      case '-':
      case '_':
        changeZoom(nextZoom(zoom, -1));
        break;
      case '0':
        fit();
        break;
      case 'ArrowLeft':
      case 'ArrowRight':
      case 'ArrowUp':
      case 'ArrowDown': {
        if (!onStage || stage === null) return;
        const step = event.shiftKey ? PAN_STEP_PX * 4 : PAN_STEP_PX;
        const dx = event.key === 'ArrowLeft' ? -step : event.key === 'ArrowRight' ? step : 0;
        const dy = event.key === 'ArrowUp' ? -step : event.key === 'ArrowDown' ? step : 0;
        stage.scrollBy({ left: dx, top: dy, behavior: 'instant' });
        break;
      }
      default:
        return;
    }
    event.preventDefault();
  };

  const percent = `${Math.round(zoom * 100)}%`;
  const heading = title === undefined ? 'Sequence diagram' : `Sequence diagram: ${title}`;

  return (
    <div className={presenter ? 'diagram-panel diagram-panel--presenter' : 'diagram-panel'}>
      <SequenceDiagram
        spec={spec}
        currentStep={currentStep}
        onDrawn={onDrawn}
        // Out of view (below the steps on a phone), mermaid waits; the full-size view needs it now.
        drawNow={open}
        actions={
          <button
            type="button"
            className="diagram-panel__open"
            aria-haspopup="dialog"
            onClick={(event) => openDialog(event.currentTarget)}
          >
            Open the diagram full size
          </button>
        }
      />
      <button
        type="button"
        className="diagram-panel__float"
        aria-haspopup="dialog"
        aria-label="Diagram: open it full size"
        onClick={(event) => openDialog(event.currentTarget)}
      >
        Diagram
      </button>
      <dialog
        ref={dialogRef}
        className="diagram-dialog"
        aria-labelledby={titleId}
        aria-describedby={hintId}
        onClose={onDialogClose}
        onKeyDown={onKeyDown}
      >
        {open ? (
          <div className="diagram-dialog__frame">
            <div className="diagram-dialog__bar">
              <h2 id={titleId} className="diagram-dialog__title">
                {heading}
              </h2>
              <div className="diagram-dialog__zoom" role="group" aria-label="Zoom">
                <button
                  type="button"
                  aria-label="Zoom out"
                  aria-keyshortcuts="-"
                  disabled={zoom <= MIN_ZOOM}
                  onClick={() => changeZoom(nextZoom(zoom, -1))}
                >
                  −
                </button>
                <output className="diagram-dialog__level" aria-label="Zoom level">
                  <span className="diagram-dialog__level-word">Zoom </span>
                  {percent}
                </output>
                <button
                  type="button"
                  aria-label="Zoom in"
                  aria-keyshortcuts="+"
                  disabled={zoom >= MAX_ZOOM}
                  onClick={() => changeZoom(nextZoom(zoom, 1))}
                >
                  +
                </button>
                <button type="button" aria-keyshortcuts="0" onClick={fit}>
                  Fit
                </button>
                <button type="button" aria-label="Actual size (100%)" onClick={() => changeZoom(1)}>
                  100%
                </button>
              </div>
              <button type="button" className="diagram-dialog__close" onClick={close}>
                Close
              </button>
            </div>
            <p id={hintId} className="diagram-dialog__hint">
              Keys: + and − zoom, 0 fits the window, arrow keys move around, Esc closes.
            </p>
            <div
              ref={stageRef}
              className="diagram-dialog__stage"
              tabIndex={0}
              role="region"
              aria-label={`Diagram at ${percent}: + and − zoom, 0 fits, arrow keys move around`}
            >
              {hasCopy ? null : (
                <p className="sequence-diagram__status">
                  The diagram is being drawn; its messages are listed below.
                </p>
              )}
              <div
                ref={hostRef}
                className="sequence-diagram__canvas diagram-dialog__canvas"
                aria-hidden="true"
              />
              <DiagramMessageList
                spec={spec}
                currentStep={currentStep}
                className={hasCopy ? 'lab-sr-only' : 'sequence-diagram__list'}
              />
            </div>
          </div>
        ) : null}
      </dialog>
    </div>
  );
}
