/**
 * Which run left for the authorization server, so the callback page hands the answer to that same run.
 * The run itself — steps, statuses, parameters, state, nonce, code_verifier — waits in the flow-runs
 * store, which keeps it in this tab's sessionStorage across the redirect; this marker adds what the store
 * does not say: which flow and which run is waiting, and a copy of what that run sent, so an answer is
 * checked against the state it was sent with even if the run were gone. Never holds a client secret or a
 * token (run-storage.ts decides what is one).
 */
import { useFlowRuns } from './flow-runs.ts';
import { storableValue } from './run-storage.ts';

const KEY = 'oauth-flow-lab:pending-redirect';

export interface PendingRedirect<Ctx> {
  readonly flowId: string;
  /** The run that left; the callback updates it only if the flow's run is still that one. */
  readonly runId?: string;
  /** What the run sent, without secrets or tokens. */
  readonly ctx: Ctx;
  readonly savedAt: number;
}

/** Marks the flow's current run as waiting for the authorization server's answer. */
export function savePendingRedirect<Ctx extends object>(
  flowId: string,
  ctx: Ctx,
  now: number = Date.now(),
): void {
  const runId = useFlowRuns.getState().runs[flowId]?.runId;
  // Secrets never, tokens never: whatever the user chose to keep, this copy keeps neither.
  const { value } = storableValue(ctx, false);
  sessionStorage.setItem(
    KEY,
    JSON.stringify({ flowId, ...(runId === undefined ? {} : { runId }), ctx: value, savedAt: now }),
  );
}

/** Reads the pending redirect without removing it; undefined when there is none or it is unreadable. */
export function peekPendingRedirect<Ctx>(): PendingRedirect<Ctx> | undefined {
  const raw = sessionStorage.getItem(KEY);
  if (raw === null) return undefined;
  try {
    const value = JSON.parse(raw) as PendingRedirect<Ctx>;
    return typeof value.flowId === 'string' && typeof value.ctx === 'object' && value.ctx !== null
      ? value
      : undefined;
  } catch {
    return undefined;
  }
}

export function clearPendingRedirect(): void {
  sessionStorage.removeItem(KEY);
}

/**
 * The flow's run in the store when it is the one that left for the authorization server (same run id),
 * else undefined: the run was started again or removed since, and the answer must not be given to it.
 */
export function runAwaitingRedirect(pending: PendingRedirect<unknown>) {
  const run = useFlowRuns.getState().runs[pending.flowId];
  return run !== undefined && pending.runId !== undefined && run.runId === pending.runId ? run : undefined;
}
