import { useCallback, useRef, useState } from 'react';
import type { DiagramSpec } from '../../flows/types.ts';
import { useSessionPrefs } from '../../state/session-prefs.ts';
import { DiagramMessageList, scrollIntoContainer, SequenceDiagram } from './sequence-diagram.tsx';
import type { DiagramDialog as DiagramDialogType } from './diagram-dialog.tsx';
import './diagram-panel.css';

export interface DiagramPanelProps {
  readonly spec: DiagramSpec;
  /** The step whose messages are highlighted, in the column and in the full-size view. */
  readonly currentStep: string | undefined;
  /** The flow's title, for the full-size view's heading. */
  readonly title?: string;
}

let dialogModule: Promise<{ DiagramDialog: typeof DiagramDialogType }> | undefined;

/**
 * The full-size view's code, loaded at most once (again after a failure): on intent (an opener pointed
 * at or focused) and on opening, never with the page (issue 12).
 */
function loadDialog(): Promise<{ DiagramDialog: typeof DiagramDialogType }> {
  if (dialogModule !== undefined) return dialogModule;
  const started = import('./diagram-dialog.tsx');
  dialogModule = started;
  started.catch(() => {
    if (dialogModule === started) dialogModule = undefined;
  });
  return started;
}

function preloadDialog(): void {
  void loadDialog().catch(() => undefined);
}

const LOAD_FAILED =
  'The full-size view could not be loaded (the app’s server did not answer, or the app was updated since this page opened). Reload the page and try again; the diagram’s messages are listed in the column.';

/**
 * The flow's sequence diagram in the side column, plus a full-size view (`diagram-dialog.tsx`, loaded
 * when first opened): a modal dialog holding a copy of the drawn SVG with zoom and pan. On a narrow
 * screen, where the column falls below the steps, a button fixed at the bottom of the window opens the
 * same view.
 */
export function DiagramPanel({ spec, currentStep, title }: DiagramPanelProps) {
  const presenter = useSessionPrefs((s) => s.presenter === true);
  const drawnRef = useRef<SVGSVGElement | undefined>(undefined);
  const openerRef = useRef<HTMLElement | null>(null);
  // The view's component once loaded and opened; undefined while closed.
  const [dialog, setDialog] = useState<typeof DiagramDialogType | undefined>(undefined);
  // Asked to open: mermaid draws now even out of view, and the view shows once its code is in.
  const [opening, setOpening] = useState(false);
  const [failed, setFailed] = useState(false);
  const [drawn, setDrawn] = useState(0);

  const onDrawn = useCallback((svg: SVGSVGElement | undefined) => {
    drawnRef.current = svg;
    setDrawn((n) => n + 1);
  }, []);

  const openDialog = (opener: HTMLElement) => {
    if (opening || dialog !== undefined) return;
    openerRef.current = opener;
    setFailed(false);
    setOpening(true);
    loadDialog().then(
      ({ DiagramDialog }) => setDialog(() => DiagramDialog),
      () => {
        setOpening(false);
        setFailed(true);
      },
    );
  };

  const onClosed = useCallback(() => {
    setDialog(undefined);
    setOpening(false);
    openerRef.current?.focus();
  }, []);

  const Dialog = dialog;
  return (
    <div className={presenter ? 'diagram-panel diagram-panel--presenter' : 'diagram-panel'}>
      <SequenceDiagram
        spec={spec}
        currentStep={currentStep}
        onDrawn={onDrawn}
        // Out of view (below the steps on a phone), mermaid waits; the full-size view needs it now.
        drawNow={opening}
        actions={
          <button
            type="button"
            className="diagram-panel__open"
            aria-haspopup="dialog"
            onPointerEnter={preloadDialog}
            onFocus={preloadDialog}
            onClick={(event) => openDialog(event.currentTarget)}
          >
            Open the diagram full size
          </button>
        }
      />
      {failed ? (
        <p className="lab-message lab-message--warning" role="alert">
          {LOAD_FAILED}
        </p>
      ) : null}
      <button
        type="button"
        className="diagram-panel__float"
        aria-haspopup="dialog"
        aria-label="Diagram: open it full size"
        onPointerEnter={preloadDialog}
        onFocus={preloadDialog}
        onClick={(event) => openDialog(event.currentTarget)}
      >
        Diagram
      </button>
      {Dialog === undefined ? null : (
        <Dialog
          title={title}
          messages={(className) => (
            <DiagramMessageList spec={spec} currentStep={currentStep} className={className} />
          )}
          scrollIntoContainer={scrollIntoContainer}
          drawnRef={drawnRef}
          drawn={drawn}
          onClosed={onClosed}
        />
      )}
    </div>
  );
}
