/**
 * One run per flow: its context, where it is, how each step went, and the messages it really sent.
 * Runs last for the tab's session: they are written to sessionStorage (see run-storage.ts for what is
 * left out — secrets always, tokens unless the user keeps them) and come back after the sign-in
 * redirect or a reload, with a note of what could not be kept.
 */
import { create } from 'zustand';
import { createJSONStorage, persist } from 'zustand/middleware';
import type { StepFailure } from '../flows/runner.ts';
import type { RecordedMessage, StepDefinition } from '../flows/types.ts';

export type { RecordedMessage } from '../flows/types.ts';
import { storableValue, type NotKeptItem } from './run-storage.ts';
import { useSessionPrefs } from './session-prefs.ts';

/**
 * `stale`: the step ran, but an input its result depended on changed since; its result is kept on screen
 * for reference and must not be read as current.
 */
export type StepStatus = 'idle' | 'running' | 'done' | 'failed' | 'skipped' | 'stale';

export interface FlowRun<Ctx> {
  readonly flowId: string;
  /** Unique within the tab's session. */
  readonly runId: string;
  readonly startedAt: number;
  readonly ctx: Ctx;
  /** The step the user is on; the diagram highlights it. */
  readonly current: string;
  readonly status: Readonly<Record<string, StepStatus>>;
  readonly failure?: { readonly stepId: string; readonly failure: StepFailure };
  /** Every message sent, in order. */
  readonly recorded: readonly RecordedMessage[];
  /** Set on a run restored from storage: what the reload could not bring back. */
  readonly notKept?: readonly NotKeptItem[];
  /** A step finished and the run moved on, or a step failed; the page focuses its action once, then clears it. */
  readonly focusPending?: boolean;
}

/** One line of the session's run history. */
export interface RunSummary {
  readonly runId: string;
  readonly flowId: string;
  readonly startedAt: number;
  readonly updatedAt: number;
  /** How the run stands: the last step that changed, and its status. */
  readonly lastStep?: string;
  /** That step's title, taken while its page was open (a reload forgets the flow's step list). */
  readonly lastStepTitle?: string;
  readonly lastStatus?: StepStatus;
  /** Every step that finished, failed or went stale. */
  readonly done: number;
  readonly failed: boolean;
}

const HISTORY_LIMIT = 40;

// The steps of each flow, in order, with the inputs they depend on; told by the flow's page.
const stepDefinitions = new Map<string, readonly StepDefinition[]>();

/** Tells the store a flow's steps (order and `inputs`), so edits can mark later steps stale. */
export function describeSteps(flowId: string, steps: readonly StepDefinition[]): void {
  stepDefinitions.set(flowId, steps);
}

/** A step's title, once its flow's page told the store its steps; else its id. */
export function stepTitle(flowId: string, stepId: string): string {
  return stepDefinitions.get(flowId)?.find((step) => step.id === stepId)?.title ?? stepId;
}

/**
 * The statuses after a patch: every step that ran (done, failed, skipped) and depends on a changed key
 * becomes stale, and so does every step after it that ran.
 */
export function staleAfterPatch(
  steps: readonly StepDefinition[],
  status: Readonly<Record<string, StepStatus>>,
  changedKeys: readonly string[],
): Readonly<Record<string, StepStatus>> {
  const ran = (s: StepStatus | undefined) =>
    s === 'done' || s === 'failed' || s === 'skipped' || s === 'stale';
  const first = steps.findIndex(
    (step) => ran(status[step.id]) && (step.inputs ?? []).some((key) => changedKeys.includes(key)),
  );
  if (first === -1) return status;
  const next = { ...status };
  let changed = false;
  for (const step of steps.slice(first)) {
    const current = next[step.id];
    if (current !== 'stale' && ran(current)) {
      next[step.id] = 'stale';
      changed = true;
    }
  }
  return changed ? next : status;
}

function summarise(run: FlowRun<unknown>, now: number): RunSummary {
  const entries = Object.entries(run.status);
  const last = entries.at(-1);
  return {
    runId: run.runId,
    flowId: run.flowId,
    startedAt: run.startedAt,
    updatedAt: now,
    ...(last === undefined ? {} : { lastStep: last[0], lastStatus: last[1] }),
    done: entries.filter(([, s]) => s === 'done').length,
    failed: entries.some(([, s]) => s === 'failed'),
  };
}

let runCounter = 0;
function newRunId(now: number): string {
  runCounter += 1;
  return `${now.toString(36)}-${runCounter}`;
}

interface FlowRunsStore {
  readonly runs: Readonly<Record<string, FlowRun<unknown>>>;
  /** This session's runs, newest first, including runs that were started again since. */
  readonly history: readonly RunSummary[];
  /** A step to land on when the flow's next run starts (from a share link); used once. */
  readonly landingSteps: Readonly<Record<string, string>>;
  /** Starts a fresh run: everything the flow's previous run held (statuses, recordings, failures) is gone. */
  start<Ctx>(flowId: string, ctx: Ctx, current: string): void;
  /** Forgets the flow's run and makes its next run start on `stepId`. */
  landOn(flowId: string, stepId: string): void;
  /** Merges a patch into a run's context; steps whose inputs changed go stale. */
  patch<Ctx>(flowId: string, patch: Partial<Ctx>): void;
  /**
   * Puts back into a restored run a value the reload dropped and that can be had again unchanged (a
   * sandbox-only secret from the sandbox's directory): no step goes stale, and `resolved` leaves the note.
   */
  restore<Ctx>(flowId: string, patch: Partial<Ctx>, resolved: readonly NotKeptItem[]): void;
  setStep(
    flowId: string,
    stepId: string,
    status: StepStatus,
    options?: { current?: string; failure?: StepFailure },
  ): void;
  goTo(flowId: string, stepId: string): void;
  /** Adds a message the run sent or received to its recording (the live diagram draws it). */
  record(flowId: string, message: Omit<RecordedMessage, 'at'> & { at?: number }): void;
  /** The page moved focus to the next action; don't do it again. */
  focusHandled(flowId: string): void;
  remove(flowId: string): void;
  clearHistory(): void;
}

/** sessionStorage key of the persisted runs. */
export const FLOW_RUNS_KEY = 'oauth-flow-lab:runs';

type Persisted = Pick<FlowRunsStore, 'runs' | 'history'>;

/** The runs as they are written: secrets out, tokens out unless kept, nothing running, nothing to focus. */
export function persistableRuns(state: Persisted, keepTokens: boolean): Persisted {
  const runs: Record<string, FlowRun<unknown>> = {};
  for (const [flowId, run] of Object.entries(state.runs)) {
    const { value, dropped } = storableValue(run.ctx, keepTokens);
    const failure = run.failure === undefined ? undefined : storableValue(run.failure, keepTokens);
    const { focusPending: _focus, failure: _failure, ...rest } = run;
    const notKept = [...new Set([...(run.notKept ?? []), ...dropped, ...(failure?.dropped ?? [])])];
    runs[flowId] = {
      ...rest,
      ctx: value,
      ...(failure === undefined ? {} : { failure: failure.value as FlowRun<unknown>['failure'] & object }),
      ...(notKept.length === 0 ? {} : { notKept }),
    };
  }
  return { runs, history: state.history };
}

/**
 * A run read back from storage: a step that was running when the page unloaded did not finish; the
 * notes of what was not kept only stay where a value is really missing now.
 */
function restoredRun(run: FlowRun<unknown>): FlowRun<unknown> {
  const status = Object.fromEntries(
    Object.entries(run.status).map(([id, s]) => [id, s === 'running' ? 'idle' : s] as const),
  );
  return { ...run, status, recorded: Array.isArray(run.recorded) ? run.recorded : [] };
}

export const useFlowRuns = create<FlowRunsStore>()(
  persist(
    (set) => ({
      runs: {},
      history: [],
      landingSteps: {},
      start: (flowId, ctx, current) =>
        set((s) => {
          const { [flowId]: landing, ...otherLandings } = s.landingSteps;
          const now = Date.now();
          const run: FlowRun<unknown> = {
            flowId,
            runId: newRunId(now),
            startedAt: now,
            ctx,
            current: landing ?? current,
            status: {},
            recorded: [],
          };
          // The history lists a run once one of its steps ran: opening a page is not a run.
          return { runs: { ...s.runs, [flowId]: run }, landingSteps: otherLandings };
        }),
      landOn: (flowId, stepId) =>
        set((s) => {
          const { [flowId]: _removed, ...rest } = s.runs;
          return { runs: rest, landingSteps: { ...s.landingSteps, [flowId]: stepId } };
        }),
      patch: (flowId, patch) =>
        set((s) => {
          const run = s.runs[flowId];
          if (run === undefined) return s;
          const before = run.ctx as Record<string, unknown>;
          const changed = Object.keys(patch as object).filter(
            (key) => (patch as Record<string, unknown>)[key] !== before[key],
          );
          const steps = stepDefinitions.get(flowId) ?? [];
          const status = staleAfterPatch(steps, run.status, changed);
          // What stale steps sent no longer describes this run: the diagram goes back to their plan.
          const recorded =
            status === run.status
              ? run.recorded
              : run.recorded.filter((m) => status[m.step] !== 'stale' || run.status[m.step] === 'stale');
          const next: FlowRun<unknown> = { ...run, ctx: { ...before, ...patch }, status, recorded };
          return { runs: { ...s.runs, [flowId]: next } };
        }),
      restore: (flowId, patch, resolved) =>
        set((s) => {
          const run = s.runs[flowId];
          if (run === undefined) return s;
          const { notKept, ...rest } = run;
          const left = (notKept ?? []).filter((item) => !resolved.includes(item));
          const next: FlowRun<unknown> = {
            ...rest,
            ctx: { ...(run.ctx as object), ...patch },
            ...(left.length === 0 ? {} : { notKept: left }),
          };
          return { runs: { ...s.runs, [flowId]: next } };
        }),
      setStep: (flowId, stepId, status, options = {}) =>
        set((s) => {
          const run = s.runs[flowId];
          if (run === undefined) return s;
          const { failure: _previous, ...rest } = run;
          // Focus follows a step that moved the run on, and a failure (also one the callback page records
          // before the flow's page opens): the failed step's action — trying again — comes into view.
          const advancing =
            (options.current !== undefined &&
              options.current !== run.current &&
              (status === 'done' || status === 'skipped')) ||
            status === 'failed';
          const next: FlowRun<unknown> = {
            ...rest,
            status: { ...run.status, [stepId]: status },
            current: options.current ?? run.current,
            ...(options.failure === undefined ? {} : { failure: { stepId, failure: options.failure } }),
            ...(advancing ? { focusPending: true } : {}),
          };
          const now = Date.now();
          const summary = {
            ...summarise(next, now),
            lastStep: stepId,
            lastStepTitle: stepTitle(flowId, stepId),
            lastStatus: status,
          };
          const history = s.history.some((h) => h.runId === run.runId)
            ? s.history.map((h) => (h.runId === run.runId ? summary : h))
            : [summary, ...s.history].slice(0, HISTORY_LIMIT);
          return { runs: { ...s.runs, [flowId]: next }, history };
        }),
      goTo: (flowId, stepId) =>
        set((s) => {
          const run = s.runs[flowId];
          return run === undefined ? s : { runs: { ...s.runs, [flowId]: { ...run, current: stepId } } };
        }),
      record: (flowId, message) =>
        set((s) => {
          const run = s.runs[flowId];
          if (run === undefined) return s;
          const entry: RecordedMessage = { ...message, at: message.at ?? Date.now() };
          return { runs: { ...s.runs, [flowId]: { ...run, recorded: [...run.recorded, entry] } } };
        }),
      focusHandled: (flowId) =>
        set((s) => {
          const run = s.runs[flowId];
          if (run?.focusPending !== true) return s;
          const { focusPending: _handled, ...rest } = run;
          return { runs: { ...s.runs, [flowId]: rest } };
        }),
      remove: (flowId) =>
        set((s) => {
          const { [flowId]: _removed, ...rest } = s.runs;
          return { runs: rest };
        }),
      clearHistory: () => set({ history: [] }),
    }),
    {
      name: FLOW_RUNS_KEY,
      version: 1,
      storage: createJSONStorage(() => sessionStorage),
      partialize: (state) => persistableRuns(state, useSessionPrefs.getState().keepTokens),
      merge: (persisted, current) => {
        const stored = (persisted ?? {}) as Partial<Persisted>;
        const runs: Record<string, FlowRun<unknown>> = {};
        for (const [flowId, run] of Object.entries(stored.runs ?? {})) {
          if (typeof run === 'object' && typeof run.flowId === 'string') runs[flowId] = restoredRun(run);
        }
        return {
          ...current,
          runs,
          history: Array.isArray(stored.history) ? stored.history : [],
        };
      },
    },
  ),
);

// A change of mind about keeping tokens rewrites what is stored straight away.
useSessionPrefs.subscribe((prefs, previous) => {
  if (prefs.keepTokens !== previous.keepTokens) useFlowRuns.setState({});
});

/** Typed access to one flow's run. */
export function useFlowRun<Ctx>(flowId: string): FlowRun<Ctx> | undefined {
  return useFlowRuns((s) => s.runs[flowId]) as FlowRun<Ctx> | undefined;
}
