import { Link } from 'react-router';
import { useCallback, useEffect, useEffectEvent, useId, useState } from 'react';
import {
  beginPollStep,
  buildDeviceCodeRequest,
  buildPollRequest,
  checkDeviceCodeExpiry,
  createDeviceCodeContext,
  decideDeviceRoute,
  DEVICE_CODE_PARAMETERS,
  deviceCodeFlow as flow,
  deviceEndpointsOf,
  offersDeviceCode,
  mergePollAnswer,
  readDeviceCodeResponse,
  readPollOutcome,
  secondsUntil,
  sendDeviceCodeRequest,
  sendPoll,
  validateDeviceAuthorizationRequest,
  type DeviceCodeContext,
} from '../../flows/device-code.ts';
import { runStep } from '../../flows/runner.ts';
import { cancelPolling, isPollDue, nextPollDelay, stopPolling } from '../../protocol/device.ts';
import { describeUnreachable } from '../../protocol/errors.ts';
import { useFlowRuns, type StepStatus } from '../../state/flow-runs.ts';
import { useLabConfig } from '../../state/lab-config.ts';
import { authorityForRun, clientFor, useSettings } from '../../state/settings.ts';
import { useTokenHistory } from '../../state/token-history.ts';
import { CopyButton } from '../components/copy-button.tsx';
import { FailurePanel } from '../components/failure-panel.tsx';
import { FlowPage } from '../components/flow-page.tsx';
import { HttpExchangeView } from '../components/http-exchange-view.tsx';
import { ParameterField } from '../components/parameter-field.tsx';
import { StepSection, stepSectionProps } from '../components/step-section.tsx';
import { TokenRequestPanel } from '../components/token-request-panel.tsx';
import { TokensPanel } from '../components/tokens-panel.tsx';
import { explainFailure } from '../explain-error.ts';
import { useFlowRunner } from '../use-flow-run.ts';
import './device-code.css';
import { WarningsList } from '../components/warnings-list.tsx';

const FLOW_ID = flow.id;
type StepId = (typeof flow.steps)[number]['id'];

function newContext(sandboxOrigin: string): DeviceCodeContext {
  const client = clientFor('Flow Lab Console');
  const fresh = createDeviceCodeContext({ ...authorityForRun(sandboxOrigin), clientId: client.clientId });
  return client.scope === undefined ? fresh : { ...fresh, scope: client.scope };
}

function latestContext(): DeviceCodeContext | undefined {
  return useFlowRuns.getState().runs[FLOW_ID]?.ctx as DeviceCodeContext | undefined;
}

/** The current time, ticking every second while `active`, for countdowns. */
function useTicking(active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return undefined;
    const timer = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(timer);
  }, [active]);
  return now;
}

function formatDuration(seconds: number): string {
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  return m > 0 ? `${m} min ${String(s).padStart(2, '0')} s` : `${s} s`;
}

/** What the last poll's answer means, in words. */
function describeLastResult(lastResult: string | undefined): string {
  switch (lastResult) {
    case undefined:
      return 'No poll yet: the first one waits one interval.';
    case 'authorization_pending':
      return 'authorization_pending — the user has not finished yet. That is expected: keep polling.';
    case 'slow_down':
      return 'slow_down — the server asked for slower polling, so the interval grew by 5 seconds.';
    case 'tokens':
      return 'Tokens — the user signed in and agreed.';
    default:
      return lastResult;
  }
}

export default function DeviceCodePage() {
  const sandboxOrigin = useLabConfig((s) => s.sandboxOrigin);
  const create = useCallback(() => newContext(sandboxOrigin), [sandboxOrigin]);
  const { run, ctx, deps, patch, execute, restart, failureFor, statusOf, goTo, announcement, announce } =
    useFlowRunner<DeviceCodeContext>(FLOW_ID, create, 'request');
  const codeId = useId();
  const [focusedParam, setFocusedParam] = useState<string | undefined>();
  const polling = ctx?.polling;
  const now = useTicking(polling?.status === 'polling');

  /** Polling has ended: tokens into history, or the reason as an explained failure. */
  const finish = async (done: DeviceCodeContext) => {
    const store = useFlowRuns.getState();
    const status = done.polling?.status;
    if (status === 'cancelled') {
      store.setStep(FLOW_ID, 'poll', 'idle');
      announce(`Polling cancelled after ${done.polling?.polls ?? 0} polls.`);
      return;
    }
    const outcome = await runStep(readPollOutcome, done, deps);
    if (!outcome.ok) {
      store.setStep(FLOW_ID, 'poll', 'failed', { failure: outcome.failure, current: 'poll' });
      announce(`Polling stopped: ${explainFailure(outcome.failure, 'device-poll').title}.`);
      return;
    }
    if (outcome.patch.tokens === undefined) return;
    useTokenHistory.getState().add({
      flowId: FLOW_ID,
      flowTitle: flow.title,
      clientId: done.clientId,
      tokenEndpoint: deviceEndpointsOf(done).token,
      spa: false,
      tokens: outcome.patch.tokens,
    });
    store.setStep(FLOW_ID, 'poll', 'done');
    store.setStep(FLOW_ID, 'tokens', 'done', { current: 'tokens' });
    announce(`Poll ${done.polling?.polls ?? 0}: the user finished. Tokens received and decoded.`);
  };

  /** One tick of the schedule: a poll when one is due, or the client-side stop at expiry. */
  const onTimer = useEffectEvent(async () => {
    const current = latestContext();
    if (current?.polling === undefined || current.authorization === undefined) return;
    if (!isPollDue(current.polling, Date.now())) {
      const checked = { ...current, ...checkDeviceCodeExpiry(current, deps) };
      if (checked.polling?.status === 'expired') {
        patch({ polling: checked.polling });
        await finish(checked);
      }
      return;
    }
    const deviceCode = current.authorization.device_code;
    const sending = { ...current, ...beginPollStep(current) };
    patch({ polling: sending.polling });
    const store = useFlowRuns.getState();
    store.setStep(FLOW_ID, 'poll', 'running');
    const result = await runStep(sendPoll, sending, deps);
    const latest = latestContext();
    if (latest === undefined) return;
    if (!result.ok) {
      if (latest.polling !== undefined && latest.authorization?.device_code === deviceCode) {
        patch({ polling: stopPolling(latest.polling, result.failure.code) });
        store.setStep(FLOW_ID, 'poll', 'failed', { failure: result.failure });
        announce(`Polling stopped: ${explainFailure(result.failure, 'device-poll').title}.`);
      }
      return;
    }
    const change = mergePollAnswer(latest, deviceCode, result.patch);
    patch(change);
    if (change.polling === undefined || change.lastPoll === undefined) return;
    const after = { ...latest, ...change };
    const state = after.polling!;
    if (state.status === 'polling') {
      store.goTo(FLOW_ID, 'poll');
      announce(
        `Poll ${state.polls}: ${state.lastResult === 'slow_down' ? `slow_down, the interval is now ${state.intervalSeconds} seconds` : 'still waiting for the user'}. Next poll in ${state.intervalSeconds} seconds.`,
      );
      return;
    }
    await finish(after);
  });

  // The only timer that sends polls. Re-armed on every schedule change; cleared when the page is
  // left, so polling stops with it (and resumes on return, until the code expires).
  useEffect(() => {
    if (polling === undefined) return undefined;
    const delay = nextPollDelay(polling, Date.now());
    if (delay === undefined) return undefined;
    const timer = window.setTimeout(() => void onTimer(), delay);
    return () => window.clearTimeout(timer);
  }, [polling]);

  if (run === undefined || ctx === undefined) return <p role="status">Preparing the flow…</p>;

  const status = (id: StepId): StepStatus => statusOf(id);
  const shownStatus = Object.fromEntries(flow.steps.map((s) => [s.id, status(s.id)]));
  const stepProps = (id: StepId) => stepSectionProps(flow.steps, id, status(id), run.current, goTo);

  const requestCode = async () => {
    const sent = await execute('request', sendDeviceCodeRequest, {
      failure: 'The device code request failed.',
    });
    if (sent === undefined) return;
    const read = await execute('request', readDeviceCodeResponse, {
      next: 'show-code',
      failure: 'The device code endpoint refused the request.',
    });
    if (read?.authorization === undefined) return;
    useFlowRuns.getState().setStep(FLOW_ID, 'show-code', 'done');
    useFlowRuns.getState().setStep(FLOW_ID, 'poll', 'running', { current: 'show-code' });
    announce(
      `Device code received. User code ${read.authorization.user_code.split('').join(' ')}. Polling every ${read.authorization.interval} seconds.`,
    );
  };

  /** Starts over with the same inputs: a fresh code, fresh step statuses. */
  const requestNewCode = () => {
    const fresh = newContext(sandboxOrigin);
    restart({ ...fresh, tenant: ctx.tenant, clientId: ctx.clientId, scope: ctx.scope }, 'request');
    void requestCode();
  };

  const cancel = () => {
    if (ctx.polling === undefined) return;
    const cancelled = { ...ctx, polling: cancelPolling(ctx.polling) };
    patch({ polling: cancelled.polling });
    void finish(cancelled);
  };

  const values: Record<string, string> = { tenant: ctx.tenant, client_id: ctx.clientId, scope: ctx.scope };
  const setValue = (name: string, value: string) => {
    if (name === 'tenant') patch({ tenant: value });
    if (name === 'client_id') patch({ clientId: value });
    if (name === 'scope') patch({ scope: value });
  };
  const warnings = validateDeviceAuthorizationRequest(ctx);
  const authorization = ctx.authorization;
  const pollFailure = failureFor('poll');
  const isPolling = polling?.status === 'polling';
  const remaining = polling === undefined ? 0 : secondsUntil(polling.expiresAt, now);
  const nextIn = polling === undefined ? 0 : secondsUntil(polling.nextPollAt, now);
  const sandbox = useSettings.getState().authority === 'sandbox';

  return (
    <FlowPage
      flow={flow}
      current={run.current}
      status={shownStatus}
      onGoTo={goTo}
      announcement={announcement}
    >
      <p className="note">
        The browser tab plays the device. Entra’s device code endpoint is not CORS-enabled, and it refuses
        token requests from a browser for this kind of app (AADSTS9002326), so both the code request and the
        polls go through the local relay.
      </p>

      <StepSection {...stepProps('request')}>
        <form className="params" onSubmit={(e) => e.preventDefault()} aria-label="Device code request">
          {DEVICE_CODE_PARAMETERS.filter((d) => ctx.endpoints === undefined || d.name !== 'tenant').map(
            (definition) => (
              <ParameterField
                key={definition.name}
                definition={definition}
                value={values[definition.name] ?? ''}
                onChange={(value) => setValue(definition.name, value)}
                onFocus={() => setFocusedParam(definition.name)}
              />
            ),
          )}
        </form>
        {focusedParam === 'scope' && (
          <p className="help">
            The default asks for an ID token (<code>openid profile</code>), a refresh token (
            <code>offline_access</code>) and Microsoft Graph’s <code>User.Read</code>. For your own API use{' '}
            <code>api://&lt;app id&gt;/&lt;scope&gt;</code> — one API per request.
          </p>
        )}
        <WarningsList warnings={warnings} />
        {offersDeviceCode(ctx) ? (
          <TokenRequestPanel
            request={buildDeviceCodeRequest(ctx)}
            route={decideDeviceRoute('devicecode', deps)}
            exchange={ctx.requestExchange}
            failure={failureFor('request')}
            sending={statusOf('request') === 'running'}
            sendLabel={authorization === undefined ? 'Request a device code' : 'Request a new code'}
            onSend={authorization === undefined ? () => void requestCode() : requestNewCode}
          />
        ) : (
          <p className="warning" role="note">
            This authority offers no device authorization endpoint (its metadata has no{' '}
            <code>device_authorization_endpoint</code>), so this flow cannot run against it.{' '}
            <Link to="/settings">Change the authority in Settings</Link>.
          </p>
        )}
      </StepSection>

      <StepSection {...stepProps('show-code')}>
        {authorization === undefined ? (
          <p>No code yet: request one in step 1.</p>
        ) : (
          <div className="dc-show">
            <p className="dc-code-label" id={`${codeId}-label`}>
              User code — type it on the verification page:
            </p>
            <p className="dc-user-code">
              <code id={codeId} aria-labelledby={`${codeId}-label`} data-testid="user-code">
                {authorization.user_code}
              </code>{' '}
              <CopyButton text={authorization.user_code} targetId={codeId} label="Copy the code" />
            </p>
            <p>
              On any device with a browser, open{' '}
              <a href={authorization.verification_uri} target="_blank" rel="noopener noreferrer">
                {authorization.verification_uri}
              </a>{' '}
              (opens in a new tab), enter the code, then sign in and accept.
              {sandbox && (
                <>
                  {' '}
                  In the sandbox, sign in as <code>adele@flowlab-sandbox.onmicrosoft.com</code> with the
                  password <code>Sandbox-Adele-1</code>.
                </>
              )}
            </p>
            {authorization.verification_uri_complete !== undefined && (
              <p>
                Or open{' '}
                <a href={authorization.verification_uri_complete} target="_blank" rel="noopener noreferrer">
                  the page with the code already filled in
                </a>{' '}
                (<code>verification_uri_complete</code>, RFC 8628 §3.3.1). Entra does not send one.
              </p>
            )}
            {authorization.deviations.length > 0 && (
              <div className="note" role="note" aria-label="How this answer departs from RFC 8628">
                <p>The server’s answer departs from RFC 8628; it was read anyway:</p>
                <ul>
                  {authorization.deviations.map((text) => (
                    <li key={text}>{text}</li>
                  ))}
                </ul>
              </div>
            )}
            {authorization.message !== undefined && (
              <figure className="dc-message">
                <figcaption>The server’s own message for the user:</figcaption>
                <blockquote>{authorization.message}</blockquote>
              </figure>
            )}
            <p className="help">
              No QR code here: drawing one needs a QR encoder library, and the address is short enough to type
              (on Entra it is microsoft.com/devicelogin).
            </p>
            <p className="help">
              The code expires {formatDuration(authorization.expires_in)} after it was issued. Anyone who
              enters it signs in <em>this</em> device, so only type codes you asked for yourself — attackers
              send device codes in phishing mails.
            </p>
          </div>
        )}
      </StepSection>

      <StepSection {...stepProps('poll')}>
        {polling === undefined ? (
          <p>Polling starts as soon as there is a device code.</p>
        ) : (
          <>
            <dl className="dc-poll-facts">
              <dt>State</dt>
              <dd data-testid="poll-state">
                {isPolling
                  ? polling.inFlight
                    ? 'Polling now…'
                    : `Waiting for the user — next poll in ${nextIn} s`
                  : polling.status === 'succeeded'
                    ? 'Done: tokens received'
                    : polling.status === 'cancelled'
                      ? 'Cancelled: no more polls will be sent'
                      : polling.status === 'expired'
                        ? 'Stopped: the code expired'
                        : 'Stopped'}
              </dd>
              <dt>Polls sent</dt>
              <dd data-testid="poll-count">{polling.polls}</dd>
              <dt>Interval</dt>
              <dd>
                {polling.intervalSeconds} s
                {polling.slowDowns > 0 &&
                  ` (grew by 5 s after each of ${polling.slowDowns} slow_down answer${polling.slowDowns === 1 ? '' : 's'})`}
              </dd>
              <dt>Last answer</dt>
              <dd>{describeLastResult(polling.lastResult)}</dd>
            </dl>
            {isPolling && (
              <div className="dc-expiry">
                <label htmlFor={`${codeId}-left`}>Time left before the code expires</label>
                <progress
                  id={`${codeId}-left`}
                  max={authorization?.expires_in ?? 1}
                  value={remaining}
                  aria-valuetext={formatDuration(remaining)}
                />{' '}
                <span>{formatDuration(remaining)}</span>
              </div>
            )}
            {isPolling && (
              <button type="button" onClick={cancel}>
                Cancel polling
              </button>
            )}
            {polling.status === 'cancelled' && (
              <p>
                You cancelled after {polling.polls} poll{polling.polls === 1 ? '' : 's'}. The code stays valid
                on the server until it expires, but this device no longer asks for it.{' '}
                <button type="button" onClick={requestNewCode}>
                  Request a new code
                </button>
              </p>
            )}
            <p className="help">
              Each poll is the request below, sent every interval seconds. The answer{' '}
              <code>authorization_pending</code> means “not yet” and <code>slow_down</code> means “poll less
              often”; any other error ends the polling.
            </p>
            <HttpExchangeView
              exchange={
                (pollFailure?.unreachable === undefined ? ctx.lastPoll : undefined) ?? {
                  request: buildPollRequest(ctx),
                  via: 'relay',
                  viaReason: decideDeviceRoute('token', deps).reason,
                  startedAt: 0,
                }
              }
              {...(pollFailure?.unreachable === undefined
                ? {}
                : { noAnswer: `${describeUnreachable(pollFailure.unreachable)}.` })}
            />
          </>
        )}
        {pollFailure !== undefined && (
          <FailurePanel
            failure={pollFailure}
            context="device-poll"
            endpoint={buildPollRequest(ctx).url}
            onRetry={requestNewCode}
            retryLabel="Request a new code"
          />
        )}
      </StepSection>

      <StepSection {...stepProps('tokens')}>
        {ctx.tokens === undefined ? (
          <p>No tokens yet.</p>
        ) : (
          <>
            <TokensPanel tokens={ctx.tokens} />
            <p>
              The tokens are in this tab’s history: the “Call an API” page can use the access token, and a
              refresh token gets new tokens without another device sign-in.
            </p>
          </>
        )}
      </StepSection>
    </FlowPage>
  );
}
