import type { ReactNode } from 'react';
import { Link } from 'react-router';
import type { FlowDefinition } from '../../flows/types.ts';
import type { StepStatus } from '../../state/flow-runs.ts';
import { useLabConfig } from '../../state/lab-config.ts';
import { flowSupportFor, useSettings } from '../../state/settings.ts';
import { ShareStepLink } from '../settings/share-step-link.tsx';
import { SequenceDiagram } from './sequence-diagram.tsx';

/**
 * The frame every flow page shares: title, when to use it, a legacy warning where one applies, the
 * step list, a live region for step results, and the sequence diagram following the current step.
 * When the authority in the settings cannot do this flow, a notice says why and the flow's controls
 * are disabled, so no request is sent; when its document only does not list the flow, a note says so.
 */
export function FlowPage(props: {
  flow: FlowDefinition;
  current: string;
  status: Readonly<Record<string, StepStatus>>;
  onGoTo: (stepId: string) => void;
  announcement: string;
  options?: ReactNode;
  children: ReactNode;
}) {
  const { flow, current, status } = props;
  const settings = useSettings();
  const sandboxOrigin = useLabConfig((s) => s.sandboxOrigin);
  const support = flowSupportFor(settings, sandboxOrigin).find((s) => s.flow === flow.id);
  // A verdict that rests on the run's own tenant warns only: the run can change the tenant, or send
  // the request anyway to see the error Entra gives.
  const unavailable = support?.status === 'unavailable' && support.fixableInRun !== true;
  const tenantLimit = support?.status === 'unavailable' && support.fixableInRun === true;
  return (
    <div className="flow-page">
      <div className="flow-main">
        <h1>{flow.title}</h1>
        <p className="lede">{flow.whenToUse}</p>
        {flow.legacy !== undefined && (
          <div className="legacy" role="note" aria-label="Legacy flow">
            <strong>Legacy — avoid in new apps.</strong> {flow.legacy}
          </div>
        )}
        {unavailable && (
          <div className="flow-support-notice flow-support-unavailable" role="status">
            <strong>Not available with this authority.</strong> {support.reason}{' '}
            <Link to="/settings">Choose another authority in Settings</Link>.
          </div>
        )}
        {tenantLimit && (
          <div className="flow-support-notice" role="status">
            <strong>Not available on this tenant.</strong> {support.reason} Change the tenant in{' '}
            <Link to="/settings">Settings</Link> or in the run below.
          </div>
        )}
        {support?.status === 'not-advertised' && (
          <p className="flow-support-notice" role="note" aria-label="Not advertised">
            <strong>Not advertised by this authority:</strong> {support.reason}{' '}
            <Link to="/settings">Settings</Link> shows what it lists.
          </p>
        )}
        {props.options !== undefined && <div className="flow-options">{props.options}</div>}
        <p className="visually-hidden" role="status" aria-live="polite">
          {props.announcement}
        </p>
        <nav aria-label="Steps" className="step-nav">
          <ol>
            {flow.steps.map((step) => (
              <li key={step.id} {...(current === step.id ? { 'aria-current': 'step' as const } : {})}>
                <a href={`#step-${step.id}`} onClick={() => props.onGoTo(step.id)}>
                  {step.title}
                </a>{' '}
                <span className={`badge badge-${status[step.id] ?? 'idle'}`}>
                  {status[step.id] ?? 'idle'}
                </span>
              </li>
            ))}
          </ol>
        </nav>
        {unavailable ? (
          // A disabled fieldset disables every control inside it: nothing can send the first request.
          <fieldset disabled className="flow-support-disabled" aria-label="Flow controls (disabled)">
            {props.children}
          </fieldset>
        ) : (
          props.children
        )}
        <ShareStepLink flowId={flow.id} step={current} />
      </div>
      <aside className="flow-diagram" aria-label="Sequence diagram">
        <SequenceDiagram spec={flow.diagram} currentStep={current} />
      </aside>
    </div>
  );
}
