import { useId, useState } from 'react';
import { findFlow, type FlowId } from '../../flows/registry.ts';
import { useSettings } from '../../state/settings.ts';
import { buildShareUrl } from '../../state/settings-transfer.ts';
import { CopyButton } from '../components/copy-button.tsx';

/** A link to this flow and step with the current authority and profile — never a secret. */
export function ShareStepLink({ flowId, step }: { flowId: string; step: string }) {
  const [open, setOpen] = useState(false);
  const settings = useSettings();
  const fieldId = useId();
  const flow = findFlow(flowId);
  if (flow === undefined) return null;
  const url = buildShareUrl(window.location.origin, settings, flow.id as FlowId, step);
  return (
    <div className="share-step">
      <button type="button" aria-expanded={open} aria-controls={fieldId} onClick={() => setOpen(!open)}>
        Share a link to this step
      </button>
      <div id={fieldId} hidden={!open}>
        <label htmlFor={`${fieldId}-url`}>Link with your settings, without secrets</label>
        <textarea id={`${fieldId}-url`} readOnly rows={3} value={url} spellCheck={false} />
        <CopyButton text={url} targetId={`${fieldId}-url`} label="Copy the link" />
      </div>
    </div>
  );
}
