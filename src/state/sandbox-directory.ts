/**
 * The sandbox's directory as last read from the sandbox itself: tenant, issuer and app registrations
 * (ids, redirect URIs, sandbox-only secrets). Read once the app knows where the sandbox is
 * (`/lab-config.json`), then again every few seconds while the tab is visible and whenever it regains
 * focus, so a change on the portal reaches the flows without a reload. Each poll sends the last ETag;
 * an unchanged directory costs a 304 with no body.
 */
import { create } from 'zustand';
import { LabError } from '../protocol/errors.ts';
import {
  parseSandboxDirectory,
  SANDBOX_DIRECTORY_PATH,
  type SandboxDirectory,
  type SandboxDirectoryApp,
} from '../protocol/sandbox-directory.ts';

/**
 * `idle` before the first read, `loading` during it; `ready` with a checked directory; `unreachable`
 * when the sandbox gave no answer; `invalid` when it answered with something this app cannot use.
 */
export type SandboxDirectoryStatus = 'idle' | 'loading' | 'ready' | 'unreachable' | 'invalid';

export interface SandboxDirectoryState {
  readonly status: SandboxDirectoryStatus;
  /** The last directory read from `origin` (kept while a later read fails). */
  readonly directory?: SandboxDirectory;
  /** The entity tag of `directory`, sent back as If-None-Match. */
  readonly etag?: string | undefined;
  /** The sandbox origin the directory came from. */
  readonly origin: string;
  /** What went wrong, why, and what to do (status `unreachable` or `invalid`). */
  readonly problem?: string | undefined;
}

export const useSandboxDirectory = create<SandboxDirectoryState>(() => ({ status: 'idle', origin: '' }));

/** How long one read may take before the sandbox counts as unreachable, in milliseconds. */
export const DIRECTORY_TIMEOUT_MS = 5000;
/** How often the directory is read again while the tab is visible, in milliseconds. */
export const DIRECTORY_POLL_MS = 3000;

let inFlight: Promise<void> | undefined;
/** Reads in a row that got no answer since the last one that did. */
let missedInARow = 0;

function unreachable(origin: string, cause: unknown): string {
  const why =
    cause instanceof DOMException && (cause.name === 'TimeoutError' || cause.name === 'AbortError')
      ? `it did not answer within ${DIRECTORY_TIMEOUT_MS / 1000} seconds`
      : 'nothing answered there (it is stopped, or this app is served without it)';
  return `The sandbox at ${origin} could not be reached: ${why}, so its tenant and app registrations are unknown. Start it with npm start, or choose another authority in Settings.`;
}

async function read(origin: string, fetchFn: typeof fetch): Promise<void> {
  const before = useSandboxDirectory.getState();
  const sameOrigin = before.origin === origin;
  const etag = sameOrigin ? before.etag : undefined;
  if (!sameOrigin) useSandboxDirectory.setState({ status: 'loading', origin }, true);
  else if (before.status === 'idle') useSandboxDirectory.setState({ status: 'loading' });
  let response: Response;
  try {
    response = await fetchFn(`${origin}${SANDBOX_DIRECTORY_PATH}`, {
      cache: 'no-store',
      ...(etag === undefined ? {} : { headers: { 'If-None-Match': etag } }),
      signal: AbortSignal.timeout(DIRECTORY_TIMEOUT_MS),
    });
  } catch (cause) {
    missedInARow += 1;
    // One poll without an answer while the directory was fine is a busy machine more often than a
    // stopped sandbox: the next poll decides. A first read, or a second miss, says unreachable.
    if (sameOrigin && before.status === 'ready' && missedInARow < 2) return;
    useSandboxDirectory.setState({ status: 'unreachable', problem: unreachable(origin, cause) });
    return;
  }
  missedInARow = 0;
  // RFC 9110 §15.4.5: 304 means the representation we hold is still the current one.
  if (response.status === 304 && useSandboxDirectory.getState().directory !== undefined) {
    if (useSandboxDirectory.getState().status !== 'ready')
      useSandboxDirectory.setState({ status: 'ready', problem: undefined });
    return;
  }
  if (!response.ok) {
    useSandboxDirectory.setState({
      status: 'invalid',
      problem: `The sandbox at ${origin} answered HTTP ${response.status} for its directory (${SANDBOX_DIRECTORY_PATH}), so its app registrations are unknown. Something else may hold that port, or the sandbox is an older version: start the app and sandbox together with npm start.`,
    });
    return;
  }
  let directory: SandboxDirectory;
  try {
    directory = parseSandboxDirectory(await response.json());
  } catch (error) {
    const detail =
      error instanceof LabError ? error.message : `Its directory is not JSON (${String(error)}).`;
    useSandboxDirectory.setState({ status: 'invalid', problem: detail });
    return;
  }
  useSandboxDirectory.setState({
    status: 'ready',
    directory,
    etag: response.headers.get('etag') ?? undefined,
    problem: undefined,
  });
}

/**
 * Takes a directory the app server embedded in the page (read from `origin` as the page was served),
 * so the first render has it without a request; the regular reads take over from there. Returns false,
 * and changes nothing, when `json` is not a directory this app can use.
 */
export function acceptEmbeddedDirectory(origin: string, json: unknown, etag: string | undefined): boolean {
  try {
    const directory = parseSandboxDirectory(json);
    useSandboxDirectory.setState({ status: 'ready', origin, directory, etag, problem: undefined }, true);
    return true;
  } catch {
    return false;
  }
}

/**
 * Reads the sandbox's directory at `origin` now; one read at a time (a call during a read joins it).
 * Never throws: the outcome is the store's `status` and `problem`.
 */
export function refreshSandboxDirectory(origin: string, fetchFn: typeof fetch = fetch): Promise<void> {
  if (inFlight === undefined) {
    inFlight = read(origin, fetchFn).finally(() => {
      inFlight = undefined;
    });
  }
  return inFlight;
}

/**
 * Keeps the directory current: reads it now, every {@link DIRECTORY_POLL_MS} while the page is visible,
 * and when the window regains focus or the tab becomes visible. Returns a function that stops it.
 */
export function watchSandboxDirectory(
  getOrigin: () => string,
  fetchFn: typeof fetch = (input, init) => fetch(input, init),
): () => void {
  const refresh = () => void refreshSandboxDirectory(getOrigin(), fetchFn);
  const whenVisible = () => {
    if (document.visibilityState === 'visible') refresh();
  };
  refresh();
  const timer = setInterval(whenVisible, DIRECTORY_POLL_MS);
  window.addEventListener('focus', refresh);
  document.addEventListener('visibilitychange', whenVisible);
  return () => {
    clearInterval(timer);
    window.removeEventListener('focus', refresh);
    document.removeEventListener('visibilitychange', whenVisible);
  };
}

/** The current directory, when one has been read. */
export function currentSandboxDirectory(): SandboxDirectory | undefined {
  return useSandboxDirectory.getState().directory;
}

/** The sandbox app registration with this display name (names are not editable on the portal). */
export function sandboxAppNamed(name: string): SandboxDirectoryApp | undefined {
  return currentSandboxDirectory()?.apps.find((app) => app.displayName === name);
}

/** True once the first read has an outcome (ready, unreachable or invalid): flows may start. */
export function sandboxDirectorySettled(status: SandboxDirectoryStatus): boolean {
  return status !== 'idle' && status !== 'loading';
}

/**
 * Resolves once the first read of the directory has an outcome (at once if it has), or after
 * `timeoutMs` at the latest. For code that runs on arrival, before the first read is back: the
 * callback page, which needs a sandbox app's current secret.
 */
export function whenSandboxDirectorySettled(timeoutMs: number = DIRECTORY_TIMEOUT_MS * 2): Promise<void> {
  if (sandboxDirectorySettled(useSandboxDirectory.getState().status)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      unsubscribe();
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    const unsubscribe = useSandboxDirectory.subscribe((s) => {
      if (sandboxDirectorySettled(s.status)) done();
    });
  });
}
