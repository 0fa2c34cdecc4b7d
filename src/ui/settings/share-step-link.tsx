import { useId, useState } from 'react';
import { findFlow, type FlowId } from '../../flows/registry.ts';
import { useSettings } from '../../state/settings.ts';
import { CopyButton } from '../components/copy-button.tsx';

type SettingsTransfer = typeof import('../../state/settings-transfer.ts');

let transferModule: Promise<SettingsTransfer> | undefined;

/**
 * The link builder (settings-transfer.ts, with the checks of everything a link or file brings in), loaded
 * on intent to share: the flow pages open without it. A failed load is tried again next time.
 */
function loadTransfer(): Promise<SettingsTransfer> {
  transferModule ??= import('../../state/settings-transfer.ts').catch((error: unknown) => {
    transferModule = undefined;
    throw error;
  });
  return transferModule;
}

/** A link to this flow and step with the current authority and profile — never a secret. */
export function ShareStepLink({ flowId, step }: { flowId: string; step: string }) {
  const [open, setOpen] = useState(false);
  const [transfer, setTransfer] = useState<SettingsTransfer | undefined>();
  const [loadFailed, setLoadFailed] = useState(false);
  const settings = useSettings();
  const fieldId = useId();
  const flow = findFlow(flowId);
  if (flow === undefined) return null;
  const load = () => {
    if (transfer !== undefined) return;
    loadTransfer().then(
      (module) => {
        setTransfer(module);
        setLoadFailed(false);
      },
      () => setLoadFailed(true),
    );
  };
  const url = transfer?.buildShareUrl(window.location.origin, settings, flow.id as FlowId, step);
  return (
    <div className="share-step">
      <button
        type="button"
        aria-expanded={open}
        aria-controls={fieldId}
        onPointerEnter={load}
        onFocus={load}
        onClick={() => {
          load();
          // With the builder missing, a press while open tries again rather than closing.
          if (!(open && loadFailed)) setOpen(!open);
        }}
      >
        Share a link to this step
      </button>
      <div id={fieldId} hidden={!open} aria-busy={url === undefined && !loadFailed}>
        {url !== undefined ? (
          <>
            <label htmlFor={`${fieldId}-url`}>Link with your settings, without secrets</label>
            <textarea id={`${fieldId}-url`} readOnly rows={3} value={url} spellCheck={false} />
            <CopyButton text={url} targetId={`${fieldId}-url`} label="Copy the link" />
          </>
        ) : (
          loadFailed && (
            <p role="alert">
              The link could not be made: this page’s code for it did not load, most likely because the
              connection dropped. Press the button again to retry.
            </p>
          )
        )}
      </div>
    </div>
  );
}
