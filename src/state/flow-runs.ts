/**
 * One run per flow: its context, where it is, and how each step went. Held in memory; only what
 * must survive the authorization redirect goes to sessionStorage (see pending-redirect.ts).
 */
import { create } from 'zustand';
import type { StepFailure } from '../flows/runner.ts';

export type StepStatus = 'idle' | 'running' | 'done' | 'failed' | 'skipped';

export interface FlowRun<Ctx> {
  readonly flowId: string;
  readonly ctx: Ctx;
  /** The step the user is on; the diagram highlights it. */
  readonly current: string;
  readonly status: Readonly<Record<string, StepStatus>>;
  readonly failure?: { readonly stepId: string; readonly failure: StepFailure };
}

interface FlowRunsStore {
  readonly runs: Readonly<Record<string, FlowRun<unknown>>>;
  /** A step to land on when the flow's next run starts (from a share link); used once. */
  readonly landingSteps: Readonly<Record<string, string>>;
  start<Ctx>(flowId: string, ctx: Ctx, current: string): void;
  /** Forgets the flow's run and makes its next run start on `stepId`. */
  landOn(flowId: string, stepId: string): void;
  /** Merges a patch into a run's context (inputs the user edits, results of steps). */
  patch<Ctx>(flowId: string, patch: Partial<Ctx>): void;
  setStep(
    flowId: string,
    stepId: string,
    status: StepStatus,
    options?: { current?: string; failure?: StepFailure },
  ): void;
  goTo(flowId: string, stepId: string): void;
  remove(flowId: string): void;
}

export const useFlowRuns = create<FlowRunsStore>()((set) => ({
  runs: {},
  landingSteps: {},
  start: (flowId, ctx, current) =>
    set((s) => {
      const { [flowId]: landing, ...otherLandings } = s.landingSteps;
      return {
        runs: { ...s.runs, [flowId]: { flowId, ctx, current: landing ?? current, status: {} } },
        landingSteps: otherLandings,
      };
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
      return { runs: { ...s.runs, [flowId]: { ...run, ctx: { ...(run.ctx as object), ...patch } } } };
    }),
  setStep: (flowId, stepId, status, options = {}) =>
    set((s) => {
      const run = s.runs[flowId];
      if (run === undefined) return s;
      const { failure: _previous, ...rest } = run;
      const next: FlowRun<unknown> = {
        ...rest,
        status: { ...run.status, [stepId]: status },
        current: options.current ?? run.current,
        ...(options.failure === undefined ? {} : { failure: { stepId, failure: options.failure } }),
      };
      return { runs: { ...s.runs, [flowId]: next } };
    }),
  goTo: (flowId, stepId) =>
    set((s) => {
      const run = s.runs[flowId];
      return run === undefined ? s : { runs: { ...s.runs, [flowId]: { ...run, current: stepId } } };
    }),
  remove: (flowId) =>
    set((s) => {
      const { [flowId]: _removed, ...rest } = s.runs;
      return { runs: rest };
    }),
}));

/** Typed access to one flow's run. */
export function useFlowRun<Ctx>(flowId: string): FlowRun<Ctx> | undefined {
  return useFlowRuns((s) => s.runs[flowId]) as FlowRun<Ctx> | undefined;
}
