import type { ReactNode } from 'react';
import type { FlowDefinition } from '../../flows/types.ts';
import type { StepStatus } from '../../state/flow-runs.ts';
import { ShareStepLink } from '../settings/share-step-link.tsx';
import { SequenceDiagram } from './sequence-diagram.tsx';

/**
 * The frame every flow page shares: title, when to use it, a legacy warning where one applies, the
 * step list, a live region for step results, and the sequence diagram following the current step.
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
        {props.children}
        <ShareStepLink flowId={flow.id} step={current} />
      </div>
      <aside className="flow-diagram" aria-label="Sequence diagram">
        <SequenceDiagram spec={flow.diagram} currentStep={current} />
      </aside>
    </div>
  );
}
