/**
 * The glue between a flow page and the flow-runs store: starts the run, patches its context, and
 * runs a step through the runner so a throw becomes a failed step with an announcement.
 */
import { useCallback, useLayoutEffect, useState } from 'react';
import { recordingFetch } from '../state/recording-fetch.ts';
import { runStep, type FlowDeps } from '../flows/runner.ts';
import { useFlowRun, useFlowRuns, type FlowRun } from '../state/flow-runs.ts';
import { useLabConfig } from '../state/lab-config.ts';
import { HOSTED_RELAY_UNAVAILABLE, isRelayOffHere } from './components/hosting-notices.tsx';
import { sandboxDirectorySettled, useSandboxDirectory } from '../state/sandbox-directory.ts';
import { useSettings } from '../state/settings.ts';

/**
 * The real outside world for steps: the browser's fetch and clock, and whether the relay runs. Given a
 * flow id, every request is also recorded into that flow's run (see `recordingFetch`).
 */
export function useFlowDeps(flowId?: string): FlowDeps {
  const relay = useLabConfig((s) => s.relay);
  const relayToken = useLabConfig((s) => s.relayToken);
  return {
    fetch: flowId === undefined ? (input, init) => fetch(input, init) : recordingFetch(flowId),
    now: () => Date.now(),
    relayAvailable: relay,
    relayToken,
    appOrigin: window.location.origin,
  };
}

export interface StepOptions {
  /** The step to move to when this one succeeds. */
  readonly next?: string;
  readonly success?: string;
  readonly failure?: string;
}

/** Starts (once the app's runtime config is known) and drives one flow's run. */
export function useFlowRunner<Ctx extends object>(flowId: string, create: () => Ctx, firstStep: string) {
  const run = useStartedRun<Ctx>(flowId, create, firstStep);
  const deps = useFlowDeps(flowId);
  const relayOff = useLabConfig(isRelayOffHere);
  const [announcement, setAnnouncement] = useState('');
  const store = useFlowRuns.getState();

  const patch = useCallback((p: Partial<Ctx>) => useFlowRuns.getState().patch<Ctx>(flowId, p), [flowId]);

  /** Runs a step on the latest context; returns the merged context on success. */
  const execute = async <Patch extends Partial<Ctx>>(
    stepId: string,
    step: (ctx: Ctx, deps: FlowDeps) => Promise<Patch> | Patch,
    options: StepOptions = {},
  ): Promise<Ctx | undefined> => {
    const current = useFlowRuns.getState().runs[flowId]?.ctx as Ctx | undefined;
    if (current === undefined) return undefined;
    store.setStep(flowId, stepId, 'running', { current: stepId });
    const result = await runStep(step, current, deps);
    if (result.ok) {
      store.patch<Ctx>(flowId, result.patch);
      store.setStep(flowId, stepId, 'done', options.next === undefined ? {} : { current: options.next });
      if (options.success !== undefined) setAnnouncement(options.success);
      return { ...current, ...result.patch };
    }
    store.setStep(flowId, stepId, 'failed', { failure: result.failure });
    // Hosting mode: a request only a server may send was not sent; its own reason names a relay that is off.
    const why =
      relayOff && result.failure.code === 'RELAY_UNAVAILABLE'
        ? HOSTED_RELAY_UNAVAILABLE.what
        : result.failure.message;
    setAnnouncement(`${options.failure ?? 'The step failed.'} ${why}`);
    return undefined;
  };

  const restart = (ctx: Ctx, stepId: string = firstStep, message?: string) => {
    store.start(flowId, ctx, stepId);
    if (message !== undefined) setAnnouncement(message);
  };

  const failureFor = (stepId: string) => (run?.failure?.stepId === stepId ? run.failure.failure : undefined);
  const statusOf = (stepId: string) => run?.status[stepId] ?? 'idle';
  const goTo = (stepId: string) => store.goTo(flowId, stepId);

  return {
    run,
    ctx: run?.ctx,
    deps,
    patch,
    execute,
    restart,
    failureFor,
    statusOf,
    goTo,
    announcement,
    announce: setAnnouncement,
  };
}

/**
 * The flow's run, started on the page's first render when none is stored (and the app's runtime config
 * is known): started before it is read, so that first render — and the page prerendered at build time —
 * draws the whole run at once rather than a "Preparing" line followed by a second, synchronous render.
 * A run removed later (a reset elsewhere), or prerequisites that arrive later, start it after commit.
 */
export function useStartedRun<Ctx>(
  flowId: string,
  create: () => Ctx,
  firstStep: string,
): FlowRun<Ctx> | undefined {
  const ready = useRunPrerequisites();
  const startIfMissing = () => {
    const store = useFlowRuns.getState();
    if (ready && store.runs[flowId] === undefined) store.start(flowId, create(), firstStep);
  };
  // Once per mount, during render: nothing that reads this run has read it yet.
  useState(startIfMissing);
  const run = useFlowRun<Ctx>(flowId);
  useLayoutEffect(() => {
    if (run === undefined && ready) useFlowRuns.getState().start(flowId, create(), firstStep);
  }, [run, ready, flowId, create, firstStep]);
  return run;
}

/**
 * True once a run may start: the app's runtime config is read and, when the sandbox is the authority,
 * the first read of its directory has an outcome (the client ids and tenant come from it). A failed read
 * counts: the page then starts with what is known, under the notice that says the sandbox is unreachable.
 */
export function useRunPrerequisites(): boolean {
  const loaded = useLabConfig((s) => s.loaded);
  const sandbox = useSettings((s) => s.authority === 'sandbox');
  const settled = useSandboxDirectory((s) => sandboxDirectorySettled(s.status));
  return loaded && (!sandbox || settled);
}
