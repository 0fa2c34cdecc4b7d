import type { ReactNode } from 'react';
import type { StepDefinition } from '../../flows/types.ts';
import type { StepStatus } from '../../state/flow-runs.ts';
import { preloadOnControlIntent } from './on-demand.tsx';

const STATUS_TEXT: Record<StepStatus, string> = {
  idle: 'not run yet',
  running: 'running',
  done: 'done',
  failed: 'failed',
  skipped: 'skipped',
  stale: 'stale — an input changed since it ran',
};

/** One step of a flow: number, title, why it exists, its status, and its body. */
export function StepSection(props: {
  step: StepDefinition;
  index: number;
  status: StepStatus;
  current: boolean;
  onFocusStep: () => void;
  children: ReactNode;
}) {
  const { step, index, status, current } = props;
  const headingId = `step-${step.id}-title`;
  return (
    <section
      id={`step-${step.id}`}
      className={`step step-${status}${current ? ' is-current' : ''}`}
      aria-labelledby={headingId}
      {...(current ? { 'aria-current': 'step' as const } : {})}
      onFocusCapture={(event) => {
        preloadOnControlIntent(event);
        props.onFocusStep();
      }}
      onPointerOverCapture={preloadOnControlIntent}
      onClickCapture={preloadOnControlIntent}
    >
      {/* Focusable by script only: the page moves focus here when the run reaches this step. */}
      <h2 id={headingId} tabIndex={-1}>
        <span className="step-number" aria-hidden="true">
          {index + 1}
        </span>
        {step.title} <span className="step-status">({STATUS_TEXT[status]})</span>
      </h2>
      <p className="why">
        {step.why} <span className="spec">{step.spec}</span>
      </p>
      {props.children}
    </section>
  );
}

/** The props of one step's section: its definition and number, its status, and whether it is current. */
export function stepSectionProps(
  steps: readonly StepDefinition[],
  id: string,
  status: StepStatus,
  current: string,
  goTo: (id: string) => void,
) {
  const index = steps.findIndex((s) => s.id === id);
  return {
    step: steps[index] ?? (steps[0] as StepDefinition),
    index,
    status,
    current: current === id,
    onFocusStep: () => {
      if (current !== id) goTo(id);
    },
  };
}
