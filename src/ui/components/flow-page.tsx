import { useEffect, useMemo, useRef, type ReactNode } from 'react';
import { Link, useNavigationType } from 'react-router';
import { liveDiagramSpec } from '../../flows/live-diagram.ts';
import type { FlowDefinition } from '../../flows/types.ts';
import { describeSteps, useFlowRun, useFlowRuns, type StepStatus } from '../../state/flow-runs.ts';
import { useSessionPrefs } from '../../state/session-prefs.ts';
import { useLabConfig } from '../../state/lab-config.ts';
import { flowSupportFor } from '../../state/provider-features.ts';
import { useSettings } from '../../state/settings.ts';
import { ShareStepLink } from '../settings/share-step-link.tsx';
import { ExportRun } from './export-run.tsx';
import { RunHistory } from './run-history.tsx';
import { DiagramPanel } from './diagram-panel.tsx';

const NO_VARIANTS: readonly string[] = [];

/**
 * Moves focus to what the user does next once a step finished and the run moved on: the element marked
 * `data-next-action` in the current step (an enabled one), else the step's heading; scrolled into view.
 */
function focusNextAction(stepId: string): boolean {
  const section = document.getElementById(`step-${stepId}`);
  if (section === null) return false;
  const action = [...section.querySelectorAll<HTMLElement>('[data-next-action]')].find(
    (element) => !(element as HTMLButtonElement).disabled && element.offsetParent !== null,
  );
  const target = action ?? document.getElementById(`step-${stepId}-title`);
  if (target === null) return false;
  target.scrollIntoView({ block: 'center' });
  target.focus({ preventScroll: true });
  return true;
}

/** What a reload could not bring back, in words. */
function notKeptText(items: readonly string[]): string {
  const names = items.map((item) =>
    item === 'tokens'
      ? 'its tokens'
      : item === 'secrets'
        ? 'client secrets'
        : 'private keys made in the browser',
  );
  return names.join(', ').replace(/, ([^,]*)$/, ' and $1');
}

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
  /** The variant the run uses (e.g. `pkce`, `secret`, `certificate`): the diagram draws only its messages. */
  variants?: readonly string[];
  options?: ReactNode;
  children: ReactNode;
}) {
  const { flow, current, status } = props;
  const variants = props.variants ?? NO_VARIANTS;
  describeSteps(flow.id, flow.steps);
  const run = useFlowRun<unknown>(flow.id);
  const recorded = run?.recorded;
  const variantKey = variants.join(' ');
  // Only a new recording or another variant draws again; moving between steps only moves the highlight.
  const spec = useMemo(
    () => liveDiagramSpec(flow.diagram, recorded ?? [], variantKey === '' ? [] : variantKey.split(' ')),
    [flow.diagram, recorded, variantKey],
  );
  const keepTokens = useSessionPrefs((s) => s.keepTokens);
  const setKeepTokens = useSessionPrefs((s) => s.setKeepTokens);
  const focusPending = run?.focusPending === true;
  const runCurrent = run?.current;

  // "Start again" (or a retry that starts a new run) can remove the very button that was pressed, such
  // as the one inside a failure's explanation: focus then goes to the first step's action, not to <body>.
  const runId = run?.runId;
  const firstRunId = useRef(runId);
  useEffect(() => {
    if (runId === undefined || runId === firstRunId.current || runCurrent === undefined) return;
    firstRunId.current = runId;
    const frame = window.requestAnimationFrame(() => {
      const active = document.activeElement;
      if (active === null || active === document.body || !active.isConnected) focusNextAction(runCurrent);
    });
    return () => window.cancelAnimationFrame(frame);
    // Only a new run matters here; where it starts is read when it starts.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [runId]);

  // Arriving from another page whose control went away with it (the chooser's Open, a link in a page's
  // content): focus goes to this page's heading, not to <body>. A full load or history move (POP) and a
  // replace (the callback, whose run focuses its next action) are left as they are.
  const navigationType = useNavigationType();
  const headingRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (navigationType !== 'PUSH') return;
    const frame = window.requestAnimationFrame(() => {
      const active = document.activeElement;
      if (active === null || active === document.body || !active.isConnected) headingRef.current?.focus();
    });
    return () => window.cancelAnimationFrame(frame);
    // Once per arrival: the page's own steps move focus afterwards.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const failure = run?.failure;
  // The failure the page opened with (a restored run) is not news: only a new one is brought into view.
  const seenFailure = useRef(failure);
  useEffect(() => {
    if (failure === undefined || failure === seenFailure.current) return;
    seenFailure.current = failure;
    // A step failed: focus stays on the button that sent it (trying again is the next action), and the
    // explanation, announced by its alert role, is brought into view beside it.
    const frame = window.requestAnimationFrame(() => {
      document
        .querySelector(`#step-${CSS.escape(failure.stepId)} .failure`)
        ?.scrollIntoView({ block: 'nearest' });
    });
    return () => window.cancelAnimationFrame(frame);
  }, [failure]);

  useEffect(() => {
    if (!focusPending || runCurrent === undefined) return;
    // After the commit that shows the new step's controls.
    const frame = window.requestAnimationFrame(() => {
      if (focusNextAction(runCurrent)) useFlowRuns.getState().focusHandled(flow.id);
    });
    return () => window.cancelAnimationFrame(frame);
  }, [focusPending, runCurrent, flow.id]);
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
        <h1 ref={headingRef} tabIndex={-1}>
          {flow.title}
        </h1>
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
        {run?.notKept !== undefined && run.notKept.length > 0 && (
          <div className="lab-message lab-message--warning" role="status">
            <p>
              <strong>This run came back from a reload without {notKeptText(run.notKept)}.</strong> Its steps,
              requests and answers are here;{' '}
              {run.notKept.includes('tokens') && !keepTokens
                ? 'tokens stay in memory unless you keep them in this tab, so run the step that got them again.'
                : 'secrets and keys are never stored: enter or make them again to send a new request.'}
            </p>
            {run.notKept.includes('tokens') && !keepTokens && (
              <button type="button" onClick={() => setKeepTokens(true)}>
                Keep tokens in this tab from now on
              </button>
            )}
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
        <RunHistory currentRunId={run?.runId} />
        {unavailable ? (
          // A disabled fieldset disables every control inside it: nothing can send the first request.
          <fieldset disabled className="flow-support-disabled" aria-label="Flow controls (disabled)">
            {props.children}
          </fieldset>
        ) : (
          props.children
        )}
        <ShareStepLink flowId={flow.id} step={current} />
        <ExportRun flow={flow} run={run} variants={variants} />
      </div>
      <aside className="flow-diagram" aria-label="Sequence diagram">
        <DiagramPanel spec={spec} currentStep={current} title={flow.title} />
      </aside>
    </div>
  );
}
