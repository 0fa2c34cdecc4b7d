import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import {
  fetchFormPostResponse,
  formPostIdFrom,
  type AuthCodeContext,
} from '../../flows/authorization-code.ts';
import { readCallbackVerified, returnTripMessage } from '../../flows/authorization-code-callback.ts';
import { runStep, toStepFailure, type StepFailure } from '../../flows/runner.ts';
import { CALLBACK_PATH } from '../../protocol/callback-path.ts';
import { flowPath, findFlow, type FlowId } from '../../flows/registry.ts';
import { readCallbackParameters, type CallbackInput } from '../../protocol/callback.ts';
import { useFlowRuns } from '../../state/flow-runs.ts';
import {
  clearPendingRedirect,
  peekPendingRedirect,
  runAwaitingRedirect,
} from '../../state/pending-redirect.ts';
import { whenSandboxDirectorySettled } from '../../state/sandbox-directory.ts';
import { secretForRun, useSettings } from '../../state/settings.ts';
import type { RedirectOutcome } from '../../flows/types.ts';
import { preloadRoute } from '../router.tsx';

/** Flows that read their own redirect (tokens in the fragment, a first hop); all others are the code flow's. */
const CALLBACK_HANDLERS: Partial<
  Record<
    FlowId,
    () => Promise<(pending: unknown, callback: CallbackInput) => Promise<RedirectOutcome<unknown>>>
  >
> = {
  implicit: async () => (await import('../../flows/implicit.ts')).readImplicitRedirect,
  'on-behalf-of': async () => {
    const read = (await import('../../flows/on-behalf-of.ts')).readUserTokenRedirect;
    // Its page offers no form_post; a form body is read as the query it would otherwise have been.
    return (pending, callback) =>
      read(
        pending,
        typeof callback === 'object' && 'formPost' in callback
          ? `${window.location.origin}/callback?${callback.formPost}`
          : String(callback),
      );
  },
  // RP-initiated logout comes back to this callback with only its state (OIDC RP-Initiated Logout §3).
  'token-management': async () => (await import('../../flows/token-management.ts')).readLogoutReturn,
};

/**
 * Hands a flow's redirect outcome to its run: to the run that left, when it is still there (only what
 * the answer changed is patched, so nothing it did not touch goes stale), else to a new run.
 */
function applyOutcome(flowId: string, outcome: RedirectOutcome<unknown>, waitingCtx: unknown): void {
  const runs = useFlowRuns.getState();
  if (waitingCtx !== undefined) {
    const before = waitingCtx as Record<string, unknown>;
    const changed = Object.fromEntries(
      Object.entries(outcome.ctx as Record<string, unknown>).filter(
        ([key, value]) => JSON.stringify(value) !== JSON.stringify(before[key]),
      ),
    );
    runs.patch(flowId, changed);
  } else {
    runs.start(flowId, outcome.ctx, outcome.current);
  }
  const entries = Object.entries(outcome.status);
  entries.forEach(([stepId, status], index) => {
    const last = index === entries.length - 1 && outcome.failure === undefined;
    runs.setStep(flowId, stepId, status, last ? { current: outcome.current } : {});
  });
  if (outcome.failure !== undefined) {
    runs.setStep(flowId, outcome.failure.stepId, 'failed', {
      failure: outcome.failure.failure,
      current: outcome.current,
    });
  } else if (entries.length === 0) {
    runs.goTo(flowId, outcome.current);
  }
}

/** Records the trip back from the authorization server into the run, for the live diagram. */
function recordReturn(
  flowId: string,
  input: CallbackInput | undefined,
  failure: StepFailure | undefined,
): void {
  const error =
    failure === undefined
      ? undefined
      : [failure.fields?.error ?? failure.code, aadstsOf(failure)].filter(Boolean).join(' ');
  const trip = returnTripMessage(input, error);
  useFlowRuns.getState().record(flowId, {
    // On-behalf-of signs in during its hop 1, token management signs out; the others have a sign-in step.
    step: flowId === 'on-behalf-of' ? 'user-token' : flowId === 'token-management' ? 'logout' : 'sign-in',
    method: trip.method,
    url: `${window.location.origin}${CALLBACK_PATH}`,
    via: 'navigation',
    from: 'as',
    to: 'client',
    label: trip.label,
    ...(trip.reply ? { reply: true } : {}),
    ...(trip.error === undefined ? {} : { error: trip.error }),
  });
}

/** Entra's AADSTS number of a failure, when its description names one. */
function aadstsOf(failure: StepFailure): string | undefined {
  return /AADSTS\d+/.exec(String(failure.fields?.['error_description'] ?? ''))?.[0];
}

/** The parameters of a response nobody in this tab asked for, without its code. */
function orphanParameters(href: string): Record<string, string> {
  try {
    const { code: _code, ...params } = readCallbackParameters(href).params;
    return params;
  } catch {
    return {};
  }
}

/**
 * The redirect URI. Reads code / state / error from the query or fragment — or, for
 * response_mode=form_post, from the form the local server received and hands over once — checks them
 * against what the waiting run sent, hands the result to that same run (restored from this tab's
 * sessionStorage with its steps, statuses and recordings) and moves on to the flow page on the next
 * action, replacing this history entry so the code does not linger in the back button.
 */
export default function CallbackPage() {
  const navigate = useNavigate();
  const handled = useRef(false);
  // Read once, on arrival: the pending run this tab saved, or what the orphan response says.
  const [pending] = useState(() => peekPendingRedirect<AuthCodeContext>());
  const [orphan] = useState(() =>
    pending === undefined || findFlow(pending.flowId) === undefined
      ? orphanParameters(window.location.href)
      : undefined,
  );
  // Keep no code in the address bar or history of a response nobody asked for. A layout effect runs
  // after the commit and before the first paint (a render may be thrown away; a commit is not), so no
  // frame ever shows the explanation beside an address that still holds the code.
  useLayoutEffect(() => {
    if (orphan !== undefined) window.history.replaceState(null, '', '/callback');
  }, [orphan]);

  useEffect(() => {
    if (handled.current) return;
    handled.current = true;
    const href = window.location.href;
    const flow = pending === undefined ? undefined : findFlow(pending.flowId);
    // Form Post Response Mode §2: the server POSTed the answer; the local server answered 303 to here.
    const formPostId = formPostIdFrom(href);
    const readInput = (): Promise<CallbackInput> =>
      formPostId === undefined ? Promise.resolve(href) : fetchFormPostResponse(formPostId, fetch);
    if (pending === undefined || flow === undefined) return; // the address was cleaned on arrival
    const flowId = flow.id as FlowId;
    clearPendingRedirect();
    // The flow page's code loads while the answer is read, so the page it moves on to draws at once
    // instead of suspending (and waiting out React's fallback throttle) after the answer is handled.
    const pageLoaded = preloadRoute(flowPath(flowId));
    const moveOn = () => void pageLoaded.then(() => navigate(flowPath(flowId), { replace: true }));
    // The run that left for the authorization server, restored by the store; the answer goes to it.
    const waiting = runAwaitingRedirect(pending);
    const loadHandler = CALLBACK_HANDLERS[flowId];
    if (loadHandler !== undefined) {
      // Tokens may be in the fragment: out of the address bar and this history entry before anything else.
      window.history.replaceState(null, '', '/callback');
      const sent = waiting?.ctx ?? pending.ctx;
      let input: CallbackInput | undefined;
      void readInput()
        .then(
          async (read) => {
            input = read;
            return (await loadHandler())(sent, read);
          },
          (error: unknown): RedirectOutcome<unknown> => ({
            ctx: sent,
            current: 'sign-in',
            status: { authorize: 'done' },
            failure: { stepId: 'sign-in', failure: toStepFailure(error) },
          }),
        )
        .then((outcome) => {
          applyOutcome(flowId, outcome, waiting?.ctx);
          recordReturn(flowId, input, outcome.failure?.failure);
        })
        .catch(() => useFlowRuns.getState().remove(flowId))
        .finally(moveOn);
      return;
    }
    const deps = { fetch, now: Date.now, relayAvailable: false, appOrigin: window.location.origin };
    // A sandbox app's secret comes from the sandbox's directory, which this fresh page may still be
    // reading: wait for it only when the run lacks one (started again, or its secret was not kept). An
    // SPA run with PKCE has none to wait for.
    const needsDirectory =
      useSettings.getState().authority === 'sandbox' &&
      (waiting === undefined || waiting.notKept?.includes('secrets') === true);
    void (needsDirectory ? whenSandboxDirectorySettled() : Promise.resolve()).then(async () => {
      const runs = useFlowRuns.getState();
      let ctx: AuthCodeContext;
      if (waiting !== undefined) {
        ctx = waiting.ctx as AuthCodeContext;
      } else {
        // The run is not in the store any more: it starts again from what it sent, secret re-derived.
        const sentCtx = pending.ctx as AuthCodeContext;
        ctx = { ...sentCtx, clientSecret: secretForRun(sentCtx.params['client_id'] ?? '') };
        runs.start(flowId, ctx, 'sign-in');
      }
      if (formPostId !== undefined) window.history.replaceState(null, '', '/callback');
      let input: CallbackInput | undefined;
      const result = await runStep(
        async (c: AuthCodeContext) => {
          input = await readInput();
          // A JARM answer is verified with the issuer's keys before its code and state are read.
          return readCallbackVerified(c, input, deps);
        },
        ctx,
        deps,
      );
      const store = useFlowRuns.getState();
      if (result.ok) {
        store.patch<AuthCodeContext>(flowId, result.patch);
        if (store.runs[flowId]?.status['pkce'] !== 'done')
          store.setStep(flowId, 'pkce', ctx.usePkce ? 'done' : 'skipped');
        store.setStep(flowId, 'authorize', 'done');
        recordReturn(flowId, input, undefined);
        // Moving on to the exchange: the flow page brings "Redeem the code" into view and focuses it.
        store.setStep(flowId, 'sign-in', 'done', { current: 'exchange' });
      } else {
        recordReturn(flowId, input, result.failure);
        store.setStep(flowId, 'sign-in', 'failed', { failure: result.failure, current: 'sign-in' });
      }
      moveOn();
    });
  }, [navigate, pending]);

  if (orphan === undefined) return <p role="status">Reading the authorization response…</p>;
  return (
    <section aria-labelledby="cb-title">
      <h1 id="cb-title">No sign-in in progress in this tab</h1>
      <p>
        The browser arrived at the redirect URI, but this tab did not start a sign-in (or its record was
        cleared), so the response cannot be checked against a state and is not used.
      </p>
      {orphan['error'] !== undefined && (
        <p>
          The server said: <code>{orphan['error']}</code> {orphan['error_description']}
        </p>
      )}
      <p>
        <Link to="/">Start a flow</Link>
      </p>
    </section>
  );
}
