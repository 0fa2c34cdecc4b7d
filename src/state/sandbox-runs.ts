/**
 * Runs begun while the sandbox's directory could not be read hold no client id or tenant. When the
 * sandbox answers again, such runs — nothing in them done yet, at most a failed step — are dropped, so
 * each flow page starts afresh with the registrations the sandbox lists. A run with any step done is
 * the user's work and stays.
 */
import { create } from 'zustand';
import { useFlowRuns } from './flow-runs.ts';
import { useSandboxDirectory, type SandboxDirectoryStatus } from './sandbox-directory.ts';
import { secretForRun } from './settings.ts';

const FAILED: readonly SandboxDirectoryStatus[] = ['unreachable', 'invalid'];

/**
 * Starts watching; returns a function that stops it. `sandboxIsAuthority` says whether the runs
 * talk to the sandbox now; only then do they take their ids from its directory.
 */
export function restartRunsWhenSandboxReturns(sandboxIsAuthority: () => boolean): () => void {
  return useSandboxDirectory.subscribe((state, previous) => {
    if (state.status !== 'ready' || !FAILED.includes(previous.status)) return;
    // Only runs against the sandbox take their ids from it; a run against another authority (even one
    // that failed) is the user's work and stays.
    if (!sandboxIsAuthority()) return;
    const store = useFlowRuns.getState();
    for (const [flowId, run] of Object.entries(store.runs)) {
      const untouched = Object.values(run.status).every((s) => s === 'idle' || s === 'failed');
      if (untouched) store.remove(flowId);
    }
  });
}

/** What {@link followRotatedSandboxSecrets} last changed, for the notice beside the flows. */
export interface SecretChangeNotice {
  /** Display names of the apps whose sandbox secret changed on the portal. */
  readonly apps: readonly string[];
  /** Flow ids whose open run now holds the new secret (or none, when the app has none left). */
  readonly flows: readonly string[];
}

export const useSecretChangeNotice = create<{ notice?: SecretChangeNotice | undefined }>(() => ({}));

/**
 * Open runs copy a sandbox app's secret when they start. When the portal rotates or removes that
 * secret, a run still holding the old value would fail with AADSTS7000215 and a misleading lesson.
 * Any run whose `clientSecret` is exactly an old sandbox value takes the new one (or an empty field
 * when the app has no secret left); a value the user typed is never touched. Starts watching;
 * returns a function that stops it.
 */
export function followRotatedSandboxSecrets(): () => void {
  return useSandboxDirectory.subscribe((state, previous) => {
    const before = previous.directory;
    const after = state.directory;
    if (before === undefined || after === undefined || before === after) return;
    if (previous.origin !== state.origin) return;
    const replaced = new Map<string, { readonly next: string; readonly app: string }>();
    for (const old of before.apps) {
      if (old.sandboxOnlySecret === undefined || old.sandboxOnlySecret === '') continue;
      const now = after.apps.find((app) => app.clientId === old.clientId);
      const next = now?.sandboxOnlySecret ?? '';
      if (next !== old.sandboxOnlySecret) replaced.set(old.sandboxOnlySecret, { next, app: old.displayName });
    }
    if (replaced.size === 0) return;
    const store = useFlowRuns.getState();
    const flows: string[] = [];
    const apps = new Set<string>();
    for (const [flowId, run] of Object.entries(store.runs)) {
      const held = (run.ctx as { clientSecret?: unknown } | undefined)?.clientSecret;
      const change = typeof held === 'string' ? replaced.get(held) : undefined;
      if (change === undefined) continue;
      store.patch<{ clientSecret: string }>(flowId, { clientSecret: change.next });
      flows.push(flowId);
      apps.add(change.app);
    }
    if (flows.length > 0) useSecretChangeNotice.setState({ notice: { apps: [...apps], flows } });
  });
}

/** The client id a run's context holds: `clientId`, or `params.client_id` for the redirect flows. */
function clientIdOf(ctx: unknown): string | undefined {
  if (typeof ctx !== 'object' || ctx === null) return undefined;
  const { clientId, params } = ctx as { clientId?: unknown; params?: { client_id?: unknown } };
  if (typeof clientId === 'string') return clientId;
  return typeof params?.client_id === 'string' ? params.client_id : undefined;
}

/**
 * A run restored after a reload lost its client secret (secrets are never stored). Where the secret can
 * be had again unchanged — a sandbox app's sandbox-only secret from the directory, or a profile secret the
 * user chose to remember — it is put back, without marking any step stale; otherwise the run's notice
 * asks for it. Runs once now and again whenever the sandbox's directory is read. Returns a stop function.
 */
export function refillRestoredSecrets(): () => void {
  const refill = (): void => {
    const store = useFlowRuns.getState();
    for (const [flowId, run] of Object.entries(store.runs)) {
      if (run.notKept?.includes('secrets') !== true) continue;
      const held = (run.ctx as { clientSecret?: unknown } | undefined)?.clientSecret;
      const clientId = clientIdOf(run.ctx);
      if (held !== '' || clientId === undefined) continue;
      const secret = secretForRun(clientId);
      if (secret !== '')
        store.restore<{ clientSecret: string }>(flowId, { clientSecret: secret }, ['secrets']);
    }
  };
  refill();
  return useSandboxDirectory.subscribe((state, previous) => {
    if (state.directory !== undefined && state.directory !== previous.directory) refill();
  });
}
