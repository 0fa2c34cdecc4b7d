import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import {
  fetchFormPostResponse,
  formPostIdFrom,
  readCallback,
  type AuthCodeContext,
} from '../../flows/authorization-code.ts';
import { runStep, toStepFailure } from '../../flows/runner.ts';
import { flowPath, findFlow, type FlowId } from '../../flows/registry.ts';
import { readCallbackParameters, type CallbackInput } from '../../protocol/callback.ts';
import { useFlowRuns } from '../../state/flow-runs.ts';
import {
  clearPendingRedirect,
  peekPendingRedirect,
  savePendingRedirect,
} from '../../state/pending-redirect.ts';
import { whenSandboxDirectorySettled } from '../../state/sandbox-directory.ts';
import { secretForRun, useSettings } from '../../state/settings.ts';
import type { RedirectOutcome } from '../../flows/types.ts';

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
};

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
 * against the run saved before the redirect, puts the result into the flow run and moves on to the flow
 * page, replacing this history entry so the code does not linger in the back button.
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
    const runs = useFlowRuns.getState();
    const loadHandler = CALLBACK_HANDLERS[flow.id as FlowId];
    if (loadHandler !== undefined) {
      // Tokens may be in the fragment: out of the address bar and this history entry before anything else.
      window.history.replaceState(null, '', '/callback');
      clearPendingRedirect();
      void readInput()
        .then(
          async (input) => (await loadHandler())(pending.ctx, input),
          (error: unknown): RedirectOutcome<unknown> => ({
            ctx: pending.ctx,
            current: 'sign-in',
            status: { authorize: 'done' },
            failure: { stepId: 'sign-in', failure: toStepFailure(error) },
          }),
        )
        .then((outcome) => {
          runs.start(flow.id, outcome.ctx, outcome.current);
          for (const [stepId, status] of Object.entries(outcome.status))
            runs.setStep(flow.id, stepId, status);
          if (outcome.failure !== undefined)
            runs.setStep(flow.id, outcome.failure.stepId, 'failed', { failure: outcome.failure.failure });
        })
        .catch(() => runs.remove(flow.id))
        .finally(() => void navigate(flowPath(flow.id as FlowId), { replace: true }));
      return;
    }
    const deps = { fetch, now: Date.now, relayAvailable: false, appOrigin: window.location.origin };
    // A sandbox app's secret comes from the sandbox's directory, which this fresh page may still be reading.
    const sandbox = useSettings.getState().authority === 'sandbox';
    void (sandbox ? whenSandboxDirectorySettled() : Promise.resolve())
      .then(() => {
        const ctx: AuthCodeContext = {
          ...pending.ctx,
          clientSecret: secretForRun(pending.ctx.params['client_id'] ?? ''),
        };
        runs.start(flow.id, ctx, 'sign-in');
        if (formPostId !== undefined) window.history.replaceState(null, '', '/callback');
        return runStep(async (c: AuthCodeContext) => readCallback(c, await readInput()), ctx, deps).then(
          (result) => ({ result, ctx }),
        );
      })
      .then(({ result, ctx }) => {
        if (result.ok) {
          runs.patch<AuthCodeContext>(flow.id, result.patch);
          runs.setStep(flow.id, 'pkce', ctx.usePkce ? 'done' : 'skipped');
          runs.setStep(flow.id, 'authorize', 'done');
          runs.setStep(flow.id, 'sign-in', 'done', { current: 'exchange' });
          savePendingRedirect(flow.id, { ...ctx, ...result.patch });
        } else {
          runs.setStep(flow.id, 'sign-in', 'failed', { failure: result.failure });
        }
        void navigate(flowPath(flow.id as FlowId), { replace: true });
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
