import {
  useCallback,
  useId,
  useLayoutEffect,
  useRef,
  useState,
  type KeyboardEvent,
  type ReactNode,
  type RefObject,
} from 'react';

/** What the full-size view shows: the column's drawing and the run's messages. */
export interface DiagramDialogProps {
  /** The flow's title, for the heading. */
  readonly title?: string | undefined;
  /** The SVG drawn in the column (undefined until drawn, or when drawing failed). */
  readonly drawnRef: RefObject<SVGSVGElement | undefined>;
  /** Counts the column's reports of its drawing: each one is copied again (a new message, a highlight). */
  readonly drawn: number;
  /** The messages as a list with this class: the text alternative (`DiagramMessageList`). */
  readonly messages: (className: string) => ReactNode;
  /** Scrolls the stage to an element (`scrollIntoContainer`), passed in so this chunk shares no module with the page. */
  readonly scrollIntoContainer: (container: HTMLElement, target: Element) => void;
  /** Called once the dialog has closed (Esc, the Close button): the panel unmounts it and focus goes back. */
  readonly onClosed: () => void;
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

/**
 * The diagram's full-size view, loaded on first opening (issue 12): a modal dialog holding a copy of the
 * column's SVG (mermaid does not draw it again) with zoom buttons, keyboard zoom and pan, and the current
 * step highlighted. Shown with `showModal` as it mounts, focus on the stage; it starts at 100%.
 */
export function DiagramDialog({
  title,
  drawnRef,
  drawn,
  messages,
  scrollIntoContainer,
  onClosed,
}: DiagramDialogProps) {
  const dialogRef = useRef<HTMLDialogElement>(null);
  const stageRef = useRef<HTMLDivElement>(null);
  const hostRef = useRef<HTMLDivElement>(null);
  const copyRef = useRef<SVGSVGElement | undefined>(undefined);
  const centerRef = useRef<{ x: number; y: number } | undefined>(undefined);
  const [zoom, setZoom] = useState(1);
  const [hasCopy, setHasCopy] = useState(false);
  const titleId = useId();
  const hintId = useId();

  // A fresh copy whenever the column's drawing changes while open: a new message, or the highlight
  // moved (the column marks the current step before it reports the drawing).
  useLayoutEffect(() => {
    const host = hostRef.current;
    if (host === null) return;
    const svg = drawnRef.current;
    const copy = svg === undefined ? undefined : cloneDiagram(svg, 'full');
    if (copy === undefined) host.replaceChildren();
    else host.replaceChildren(copy);
    copyRef.current = copy;
    setHasCopy(copy !== undefined);
  }, [drawnRef, drawn]);

  // The copy's size follows the zoom; the point at the centre of the stage stays there.
  useLayoutEffect(() => {
    const copy = copyRef.current;
    const stage = stageRef.current;
    if (!hasCopy || copy === undefined || stage === null) return;
    const natural = naturalSize(copy);
    copy.setAttribute('width', String(Math.round(natural.width * zoom)));
    copy.setAttribute('height', String(Math.round(natural.height * zoom)));
    const center = centerRef.current;
    centerRef.current = undefined;
    if (center !== undefined) {
      stage.scrollLeft = center.x * stage.scrollWidth - stage.clientWidth / 2;
      stage.scrollTop = center.y * stage.scrollHeight - stage.clientHeight / 2;
    }
  }, [hasCopy, drawn, zoom]);

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

  // Shown once its content is in; focus goes to the stage, whose keys then work at once.
  useLayoutEffect(() => {
    const dialog = dialogRef.current;
    if (dialog === null || dialog.open) return;
    dialog.showModal();
    stageRef.current?.focus();
  }, []);
  // The current message in view, on opening and as the run moves on.
  useLayoutEffect(() => {
    const stage = stageRef.current;
    const target = copyRef.current?.querySelector('.messageText.is-current');
    if (!hasCopy || stage === null || target === null || target === undefined) return;
    scrollIntoContainer(stage, target);
  }, [hasCopy, drawn, scrollIntoContainer]);

  const close = () => dialogRef.current?.close();

  const onDialogClose = () => {
    copyRef.current = undefined;
    hostRef.current?.replaceChildren();
    onClosed();
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
    <dialog
      ref={dialogRef}
      className="diagram-dialog"
      aria-labelledby={titleId}
      aria-describedby={hintId}
      onClose={onDialogClose}
      onKeyDown={onKeyDown}
    >
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
          <div ref={hostRef} className="sequence-diagram__canvas diagram-dialog__canvas" aria-hidden="true" />
          {messages(hasCopy ? 'lab-sr-only' : 'sequence-diagram__list')}
        </div>
      </div>
    </dialog>
  );
}
