import { useEffect, useMemo, useRef, useState, type RefObject } from 'react';
import { Link, useParams } from 'react-router';
import { runAttack, stepsForMode } from '../../flows/attacks/runner.ts';
import { ATTACKS_PATH, findAttack } from '../../flows/attacks/registry.ts';
import { ATTACK_LAB_SWITCHES, type AttackLabSwitch } from '../../flows/attacks/switches.ts';
import { citationToAdd, refusalParts } from '../../flows/attacks/text.ts';
import {
  ATTACK_MODES,
  ATTACKER,
  type AttackCatalogueEntry,
  type AttackDefinition,
  type AttackDeps,
  type AttackMode,
  type AttackRunRecord,
  type AttackStepRecord,
} from '../../flows/attacks/types.ts';
import { plannedDiagram } from '../../flows/live-diagram.ts';
import { CALLBACK_PATH } from '../../protocol/callback-path.ts';
import { useLabConfig } from '../../state/lab-config.ts';
import { DiagramPanel } from '../components/diagram-panel.tsx';
import { FailurePanel } from '../components/failure-panel.tsx';
import { HttpExchangeView } from '../components/http-exchange-view.tsx';
import { MaskedValue } from '../components/masked-value.tsx';
import './attack.css';
import { AttackLabOffNotice } from '../components/hosting-notices.tsx';

const MODE_HEADING: Readonly<Record<AttackMode, string>> = {
  vulnerable: 'Defence off',
  defended: 'Defence on',
};

/** The switches a run turns on, as the page names them. */
function switchLabels(attack: AttackDefinition, mode: AttackMode): string[] {
  const switches = attack.runs[mode].switches ?? {};
  return Object.entries(switches)
    .filter(([, on]) => on === true)
    .map(([name]) => ATTACK_LAB_SWITCHES[name as AttackLabSwitch].label);
}

/** Where a step stands when it has no record: the run has not reached it, or ended before it. */
type StepPlace = 'not-run' | 'running' | 'not-reached';

const PLACE_TEXT: Readonly<Record<StepPlace, string>> = {
  'not-run': 'not run yet',
  running: 'running…',
  'not-reached': 'not reached: the run ended before this step',
};

function StepResult({
  attack,
  step,
  record,
  place,
}: {
  attack: AttackDefinition;
  step: AttackDefinition['steps'][number];
  record: AttackStepRecord | undefined;
  place: StepPlace;
}) {
  const actor = attack.actors.find((a) => a.id === step.actor)?.label ?? step.actor;
  const isAttacker = step.actor === ATTACKER;
  const classes = [
    'attack-step',
    isAttacker ? 'attack-step--attacker' : '',
    record ? '' : 'attack-step--idle',
  ];
  return (
    <li className={classes.filter((c) => c !== '').join(' ')}>
      <h3>
        <span className="attack-actor">
          {isAttacker && !/attacker/i.test(actor) ? `Attacker — ${actor}:` : `${actor}:`}
        </span>
        {step.title}
        {record === undefined && <span className="attack-step-place"> ({PLACE_TEXT[place]})</span>}
      </h3>
      {record === undefined ? null : <StepDetails step={step} record={record} />}
    </li>
  );
}

function StepDetails({
  step,
  record,
}: {
  step: AttackDefinition['steps'][number];
  record: AttackStepRecord;
}) {
  const why = step.why.replace(/\s+/g, ' ').trim();
  const citation = citationToAdd(why, step.spec);
  return (
    <>
      <p>
        <em>Why:</em> {why}
        {citation === undefined ? null : <span className="spec-ref"> ({citation})</span>}
      </p>
      {record.said !== undefined && <p>{record.said}</p>}
      {record.facts !== undefined && record.facts.length > 0 && (
        <dl className="attack-facts">
          {record.facts.map((fact) => (
            <div key={fact.label}>
              <dt>{fact.label}</dt>
              <dd>
                {fact.secret === true ? (
                  <MaskedValue value={fact.value} label={fact.label} />
                ) : (
                  <code>{fact.value}</code>
                )}
              </dd>
            </div>
          ))}
        </dl>
      )}
      {record.exchanges?.map((exchange, index) => (
        <details key={`${exchange.startedAt}-${index}`}>
          <summary>
            Raw HTTP: {exchange.request.method} {exchange.request.url.split('?')[0]}
            {exchange.response === undefined ? '' : ` → ${exchange.response.status}`}
          </summary>
          <HttpExchangeView exchange={exchange} headingLevel={4} />
        </details>
      ))}
      {record.failure !== undefined && <FailurePanel failure={record.failure} />}
    </>
  );
}

/** How a run ended: the verdict and why, or why it did not finish; and anything left to put back. */
export function Outcome({
  attack,
  record,
  outcomeRef,
}: {
  attack: AttackDefinition;
  record: AttackRunRecord;
  outcomeRef: RefObject<HTMLHeadingElement | null>;
}) {
  const { verdict } = record;
  const expected = attack.runs[record.mode].expected;
  const resetNote =
    [
      record.switchesReset
        ? ''
        : 'The sandbox did not confirm that its switches are off again; they go off by themselves within two minutes.',
      record.cleanupFailed === undefined
        ? ''
        : `What the run changed on the sandbox could not be put back: ${record.cleanupFailed} Reset the sandbox on its portal.`,
    ]
      .filter((note) => note !== '')
      .join(' ') || null;
  if (verdict === undefined) {
    return (
      <div className="attack-outcome">
        <h3 ref={outcomeRef} tabIndex={-1}>
          The run did not finish
        </h3>
        {record.failure?.stepId === 'switches' ? (
          <>
            <p>
              The sandbox’s vulnerable-mode switches could not be turned on, so the run did not start. Is the
              sandbox running, and is it the one this app was started with?
            </p>
            <FailurePanel failure={record.failure} />
          </>
        ) : (
          <>
            <p>
              A step failed before the attack could succeed or be stopped, so this run shows neither. The
              failed step above says what happened and what to do.
            </p>
            {record.failure !== undefined &&
              !record.steps.some((step) => step.id === record.failure?.stepId) && (
                <FailurePanel failure={record.failure} />
              )}
          </>
        )}
        {resetNote !== null && <p>{resetNote}</p>}
      </div>
    );
  }
  const surprising = verdict.attackWorked !== (expected === 'attack-works');
  // The code once: a message that begins with it (or names it) is not prefixed with it again.
  const refusal = verdict.refusal === undefined ? undefined : refusalParts(verdict.refusal);
  return (
    <div
      className={
        verdict.attackWorked
          ? 'attack-outcome attack-outcome--worked'
          : 'attack-outcome attack-outcome--stopped'
      }
    >
      <h3 ref={outcomeRef} tabIndex={-1}>
        {verdict.attackWorked ? 'The attack worked' : 'The defence stopped it'}
      </h3>
      <p>{verdict.why}</p>
      {/* An expected refusal is the defence working: said so, so the server's wording reads as no fault to fix. */}
      {refusal !== undefined && !surprising && (
        <p>This refusal is the defence at work, not an error to fix:</p>
      )}
      {refusal !== undefined &&
        (refusal.code === '' ? (
          <p>Refused: {refusal.message}</p>
        ) : (
          <p>
            Refused with <code>{refusal.code}</code>
            {refusal.message === '' ? '.' : `: ${refusal.message}`}
          </p>
        ))}
      {surprising && (
        <p className="warning">
          Not what this run should show (
          {expected === 'attack-works' ? 'the attack working' : 'the defence stopping it'}): check the
          sandbox’s settings on its portal, which may differ from the defaults.
        </p>
      )}
      {resetNote !== null && <p>{resetNote}</p>}
    </div>
  );
}

/** One of the two runs: what it switches off (marked vulnerable), its button, its steps, its outcome. */
export function RunPanel(props: {
  attack: AttackDefinition;
  mode: AttackMode;
  record: AttackRunRecord | undefined;
  progress: readonly AttackStepRecord[] | undefined;
  running: boolean;
  disabled: boolean;
  onRun: () => void;
}) {
  const { attack, mode, record } = props;
  const run = attack.runs[mode];
  const headingId = `run-${mode}-title`;
  const outcomeRef = useRef<HTMLHeadingElement>(null);
  const shown = record?.steps ?? props.progress ?? [];
  const switches = switchLabels(attack, mode);
  // A finished run: its outcome is where the reader goes next.
  useEffect(() => {
    if (record !== undefined) outcomeRef.current?.focus();
  }, [record]);
  return (
    <section className={`attack-run attack-run--${mode}`} aria-labelledby={headingId}>
      <h2 id={headingId}>
        {MODE_HEADING[mode]}: {run.title}
        <span className={`attack-mode-badge attack-mode-badge--${mode}`}>
          {mode === 'vulnerable' ? 'vulnerable' : 'defended'}
        </span>
      </h2>
      <p>{run.explanation}</p>
      {mode === 'vulnerable' && (switches.length > 0 || run.appDefenceOff !== undefined) && (
        <div className="attack-vulnerable-note" role="note" aria-label="Vulnerable mode">
          <strong>Vulnerable mode, for this run only.</strong>
          <ul>
            {switches.map((label) => (
              <li key={label}>Sandbox switch on: {label}.</li>
            ))}
            {run.appDefenceOff !== undefined && (
              <li>This app skips a check, in this run’s code only: {run.appDefenceOff}</li>
            )}
          </ul>
          {switches.length > 0 && (
            <p>The switches exist only on the sandbox and go off again as soon as the run ends.</p>
          )}
        </div>
      )}
      {/* The running run's button stays focusable (aria-disabled): disabling it would drop focus to the page. */}
      <button
        type="button"
        onClick={props.running ? undefined : props.onRun}
        disabled={props.disabled && !props.running}
        {...(props.running ? { 'aria-disabled': true } : {})}
      >
        {props.running
          ? 'Running…'
          : `${record === undefined ? 'Run' : 'Run again'}: the attack with the defence ${mode === 'vulnerable' ? 'off' : 'on'}`}
      </button>
      <ol
        className="attack-steps"
        aria-label={`Steps of the run with the defence ${mode === 'vulnerable' ? 'off' : 'on'}`}
      >
        {stepsForMode(attack, mode).map((step, index) => (
          <StepResult
            key={step.id}
            attack={attack}
            step={step}
            record={shown.find((r) => r.id === step.id)}
            place={
              record !== undefined
                ? 'not-reached'
                : props.running && index === shown.length
                  ? 'running'
                  : 'not-run'
            }
          />
        ))}
      </ol>
      {record !== undefined && <Outcome attack={attack} record={record} outcomeRef={outcomeRef} />}
    </section>
  );
}

/** One attack, both runs, and the diagram with the attacker in it. */
export function AttackView({ attack }: { attack: AttackDefinition }) {
  const sandboxOrigin = useLabConfig((s) => s.sandboxOrigin);
  const relay = useLabConfig((s) => s.relay);
  const relayToken = useLabConfig((s) => s.relayToken);
  // Hosting mode: the sandbox refuses the attack lab (server/sandbox/hosted-access.ts); the page says so.
  const hosting = useLabConfig((s) => s.hosting);
  const [records, setRecords] = useState<Partial<Record<AttackMode, AttackRunRecord>>>({});
  const [progress, setProgress] = useState<Partial<Record<AttackMode, AttackStepRecord[]>>>({});
  const [running, setRunning] = useState<AttackMode | undefined>(undefined);
  const [diagramMode, setDiagramMode] = useState<AttackMode>('vulnerable');
  const [announcement, setAnnouncement] = useState('');
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);
  const relayMissing = attack.needsRelay === true && !relay;

  const start = (mode: AttackMode) => {
    if (running !== undefined) return;
    const appOrigin = window.location.origin;
    const deps: AttackDeps = {
      fetch: (input, init) => fetch(input, init),
      now: Date.now,
      relayAvailable: relay,
      ...(relayToken === '' ? {} : { relayToken }),
      appOrigin,
      sandboxOrigin,
      redirectUri: `${appOrigin}${CALLBACK_PATH}`,
    };
    setRunning(mode);
    setDiagramMode(mode);
    setRecords((r) => ({ ...r, [mode]: undefined }));
    setProgress((p) => ({ ...p, [mode]: [] }));
    setAnnouncement(`Running the attack with the defence ${mode === 'vulnerable' ? 'off' : 'on'}…`);
    void runAttack(attack, mode, deps, (step) => {
      if (mounted.current) setProgress((p) => ({ ...p, [mode]: [...(p[mode] ?? []), step] }));
    })
      // The runner turns every failure into a record; a throw here is a bug in the attack's definition.
      .catch((error: unknown): AttackRunRecord => ({
        mode,
        steps: [],
        switchesReset: true,
        failure: {
          code: 'BUG',
          message: error instanceof Error ? error.message : String(error),
          stepId: 'run',
        },
      }))
      .then((record) => {
        if (!mounted.current) return;
        setRecords((r) => ({ ...r, [mode]: record }));
        setRunning(undefined);
        setAnnouncement(
          record.verdict === undefined
            ? 'The run did not finish.'
            : record.verdict.attackWorked
              ? 'The attack worked.'
              : 'The defence stopped it.',
        );
      });
  };

  const spec = useMemo(() => plannedDiagram(attack.diagram, [diagramMode]), [attack.diagram, diagramMode]);
  const shownSteps = records[diagramMode]?.steps ?? progress[diagramMode] ?? [];
  const currentStep = shownSteps.at(-1)?.id ?? stepsForMode(attack, diagramMode)[0]?.id;

  return (
    <div className="flow-page attack-page">
      <div className="flow-main">
        <p>
          <Link to={ATTACKS_PATH}>Attack lab</Link>
        </p>
        <h1>{attack.title}</h1>
        <p className="lede">
          <strong>Defence: {attack.defence}.</strong> {attack.summary}
        </p>
        <ul className="attack-specs" aria-label="Specifications">
          {attack.specs.map((spec) => (
            <li key={spec.label}>
              <a
                href={spec.href}
                target="_blank"
                rel="noopener noreferrer"
                aria-label={`${spec.label} (opens in a new tab)`}
              >
                {spec.label}
                <span aria-hidden="true"> ↗</span>
              </a>
            </li>
          ))}
        </ul>
        {attack.onEntra !== undefined && (
          <p className="attack-on-entra">
            <strong>On Entra ID:</strong> {attack.onEntra.text}{' '}
            <a
              href={attack.onEntra.source.href}
              target="_blank"
              rel="noopener noreferrer"
              aria-label={`Source: ${attack.onEntra.source.label} (opens in a new tab)`}
            >
              {attack.onEntra.source.label}
              <span aria-hidden="true"> ↗</span>
            </a>
          </p>
        )}
        <p>
          Both runs are real: every request goes to the sandbox tenant ({sandboxOrigin}) or to this app, never
          anywhere else. This page plays the attacker too, in the panels marked “Attacker”.
        </p>
        <AttackLabOffNotice />
        {relayMissing && !hosting && (
          <div className="lab-message lab-message--warning" role="status">
            <p>
              <strong>This attack needs the local relay.</strong> Its app is a web app whose server redeems
              the code, and the relay plays that server. Start the app with <code>npm start</code> to run it.
            </p>
          </div>
        )}
        <p className="visually-hidden" role="status" aria-live="polite">
          {announcement}
        </p>
        <div className="attack-runs">
          {ATTACK_MODES.map((mode) => (
            <RunPanel
              key={mode}
              attack={attack}
              mode={mode}
              record={records[mode]}
              progress={progress[mode]}
              running={running === mode}
              disabled={running !== undefined || relayMissing || hosting}
              onRun={() => start(mode)}
            />
          ))}
        </div>
      </div>
      <aside className="flow-diagram" aria-label="Sequence diagram">
        <fieldset className="attack-diagram-choice">
          <legend>Diagram of the run</legend>
          {ATTACK_MODES.map((mode) => (
            <label key={mode}>
              <input
                type="radio"
                name="attack-diagram-mode"
                value={mode}
                checked={diagramMode === mode}
                onChange={() => setDiagramMode(mode)}
              />{' '}
              {MODE_HEADING[mode]}
            </label>
          ))}
        </fieldset>
        <DiagramPanel
          spec={spec}
          currentStep={currentStep}
          title={`${attack.title} (${MODE_HEADING[diagramMode].toLowerCase()})`}
        />
      </aside>
    </div>
  );
}

function AttackLoader({
  entry,
  load,
}: {
  entry: AttackCatalogueEntry;
  load: () => Promise<AttackDefinition>;
}) {
  const [attack, setAttack] = useState<AttackDefinition | undefined>(undefined);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let live = true;
    load().then(
      (definition) => live && setAttack(definition),
      () => live && setFailed(true),
    );
    return () => {
      live = false;
    };
  }, [load]);
  if (attack !== undefined) return <AttackView attack={attack} />;
  return (
    <section aria-labelledby="attack-title">
      <p>
        <Link to={ATTACKS_PATH}>Attack lab</Link>
      </p>
      <h1 id="attack-title">{entry.title}</h1>
      <p className="lede">
        <strong>Defence: {entry.defence}.</strong> {entry.summary}
      </p>
      <p role="status">
        {failed
          ? 'This attack’s code could not be loaded. Reload the page to try again.'
          : 'Loading the attack…'}
      </p>
    </section>
  );
}

/** The page of one attack, `/attacks/<attack-id>`. */
export default function AttackPage() {
  const { attackId = '' } = useParams();
  const found = findAttack(attackId);
  if (found === undefined) {
    return (
      <section aria-labelledby="attack-title">
        <h1 id="attack-title">No such attack</h1>
        <p>
          The attack lab has no attack called “{attackId.slice(0, 60)}”.{' '}
          <Link to={ATTACKS_PATH}>See every attack</Link>.
        </p>
      </section>
    );
  }
  return <AttackLoader key={found.entry.id} entry={found.entry} load={found.load} />;
}
