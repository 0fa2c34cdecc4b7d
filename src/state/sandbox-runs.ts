/**
 * Runs begun while the sandbox's directory could not be read hold no client id or tenant. When the
 * sandbox answers again, such runs — nothing in them done yet, at most a failed step — are dropped, so
 * each flow page starts afresh with the registrations the sandbox lists. A run with any step done is
 * the user's work and stays.
 */
import { useFlowRuns } from './flow-runs.ts';
import { useSandboxDirectory, type SandboxDirectoryStatus } from './sandbox-directory.ts';

const FAILED: readonly SandboxDirectoryStatus[] = ['unreachable', 'invalid'];

/** Starts watching; returns a function that stops it. */
export function restartRunsWhenSandboxReturns(): () => void {
  return useSandboxDirectory.subscribe((state, previous) => {
    if (state.status !== 'ready' || !FAILED.includes(previous.status)) return;
    const store = useFlowRuns.getState();
    for (const [flowId, run] of Object.entries(store.runs)) {
      const untouched = Object.values(run.status).every((s) => s === 'idle' || s === 'failed');
      if (untouched) store.remove(flowId);
    }
  });
}
