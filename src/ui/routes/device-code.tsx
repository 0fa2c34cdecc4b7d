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
import { runStep, type StepFailure } from '../../flows/runner.ts';
import { cancelPolling, isPollDue, nextPollDelay, stopPolling } from '../../protocol/device.ts';
import { describeUnreachable } from '../../protocol/errors.ts';
import { useFlowRuns, type StepStatus } from '../../state/flow-runs.ts';
import { useLabConfig } from '../../state/lab-config.ts';
import { authorityForRun, clientFor, useSettings } from '../../state/settings.ts';
import { useTokenHistory } from '../../state/token-history.ts';
import { CopyButton } from '../components/copy-button.tsx';
import { FlowPage } from '../components/flow-page.tsx';
import { FailurePanel, loadExplainError, TokensPanel, useOnDemandParts } from '../components/on-demand.tsx';
import { MaskedValue } from '../components/masked-value.tsx';
import { HttpExchangeView } from '../components/http-exchange-view.tsx';
import { ParameterField } from '../components/parameter-field.tsx';
import { StepSection, stepSectionProps } from '../components/step-section.tsx';
import { TokenRequestPanel } from '../components/token-request-panel.tsx';
import { useFlowRunner } from '../use-flow-run.ts';
import './device-code.css';
import { WarningsList } from '../components/warnings-list.tsx';
import { RelayOffNotice, WhereRelayRuns } from '../components/hosting-notices.tsx';

const FLOW_ID = flow.id;
type StepId = (typeof flow.steps)[number]['id'];

function newContext(sandboxOrigin: string): DeviceCodeContext {
  const client = clientFor('Flow Lab Console');
  const fresh = createDeviceCodeContext({ ...authorityForRun(sandboxOrigin), clientId: client.clientId });
  return client.scope === undefined ? fresh : { ...fresh, scope: client.scope };
}

/**
 * Device codes this page load polls for. A run restored from sessionStorage after a reload holds a
 * pending code that is not in here: its polling waits for the user to resume it, rather than starting
 * on its own after a reload the user may have meant as "stop".
 */
const liveCodes = new Set<string>();

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

/** The dark modules of a QR code as one SVG path, one unit per module, inside a 4-module quiet zone. */
function qrPath(modules: { size: number; get(row: number, col: number): boolean | number }): string {
  const parts: string[] = [];
  for (let row = 0; row < modules.size; row += 1) {
    for (let col = 0; col < modules.size; col += 1) {
      if (modules.get(row, col)) parts.push(`M${col + 4} ${row + 4}h1v1h-1z`);
    }
  }
  return parts.join('');
}

/**
 * A QR code of `text`, drawn as SVG. The encoder is loaded only when a code is shown, so no other
 * page pays for it; until it arrives (or if it cannot load) the address beside it is enough.
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.3.1
 */
function QrCode({ text, label }: { readonly text: string; readonly label: string }) {
  const [drawn, setDrawn] = useState<{ text: string; path: string; size: number } | undefined>();
  useEffect(() => {
    let cancelled = false;
    import('qrcode')
      .then(({ default: qr }) => {
        const { modules } = qr.create(text, { errorCorrectionLevel: 'M' });
        if (!cancelled) setDrawn({ text, path: qrPath(modules), size: modules.size + 8 });
      })
      .catch(() => undefined);
    return () => {
      cancelled = true;
    };
  }, [text]);
  if (drawn?.text !== text) return <div className="dc-qr dc-qr-pending" aria-hidden="true" />;
  return (
    <svg
      className="dc-qr"
      role="img"
      aria-label={label}
      viewBox={`0 0 ${drawn.size} ${drawn.size}`}
      shapeRendering="crispEdges"
    >
      <rect width={drawn.size} height={drawn.size} fill="#fff" />
      <path d={drawn.path} fill="#000" />
    </svg>
  );
}

/** True for an address only this computer can open (a phone scanning it would reach itself). */
function isLoopback(uri: string): boolean {
  try {
    const host = new URL(uri).hostname;
    return host === 'localhost' || host === '[::1]' || host.startsWith('127.');
  } catch {
    return false;
  }
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
  useOnDemandParts({ failure: run?.failure !== undefined, tokens: ctx?.tokens !== undefined });
  const codeId = useId();
  const [focusedParam, setFocusedParam] = useState<string | undefined>();
  const polling = ctx?.polling;
  const pendingCode = ctx?.authorization?.device_code;
  const [, setResumed] = useState(0);
  // Still pending when the page was reloaded: polling waits to be resumed.
  const paused = polling?.status === 'polling' && pendingCode !== undefined && !liveCodes.has(pendingCode);
  const now = useTicking(polling?.status === 'polling');
  /** Says why polling stopped, in the explainer's words (its code loads with the failure's panel). */
  const announceStop = (failure: StepFailure) => {
    void loadExplainError().then(({ explainFailure }) =>
      announce(`Polling stopped: ${explainFailure(failure, 'device-poll').title}.`),
    );
  };

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
      announceStop(outcome.failure);
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
        announceStop(result.failure);
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

  /** A code restored after a reload that ran out meanwhile: stopped and explained as expired. */
  const expireRestored = useEffectEvent(() => {
    const current = latestContext();
    if (current?.polling === undefined) return;
    const checked = { ...current, ...checkDeviceCodeExpiry(current, deps) };
    if (checked.polling?.status !== 'expired') return;
    patch({ polling: checked.polling });
    void finish(checked);
  });

  // The only timer that sends polls. Re-armed on every schedule change; cleared when the page is
  // left, so polling stops with it (and resumes on return, until the code expires). After a reload it
  // is not armed until the user resumes; a code that expired meanwhile is stopped at once.
  useEffect(() => {
    if (polling === undefined) return undefined;
    if (paused) {
      if (Date.now() >= polling.expiresAt) expireRestored();
      return undefined;
    }
    const delay = nextPollDelay(polling, Date.now());
    if (delay === undefined) return undefined;
    const timer = window.setTimeout(() => void onTimer(), delay);
    return () => window.clearTimeout(timer);
  }, [polling, paused]);

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
    liveCodes.add(read.authorization.device_code);
    useFlowRuns.getState().setStep(FLOW_ID, 'show-code', 'done');
    useFlowRuns.getState().setStep(FLOW_ID, 'poll', 'running', { current: 'show-code' });
    announce(
      `Device code received. User code ${read.authorization.user_code.split('').join(' ')}. Polling every ${read.authorization.interval} seconds.`,
    );
  };

  /** Starts over with the same inputs: a fresh code, fresh step statuses. */
  const requestNewCode = () => {
    const fresh = newContext(sandboxOrigin);
    setFocusedParam(undefined);
    restart({ ...fresh, tenant: ctx.tenant, clientId: ctx.clientId, scope: ctx.scope }, 'request');
    void requestCode();
  };

  const cancel = () => {
    if (ctx.polling === undefined) return;
    const cancelled = { ...ctx, polling: cancelPolling(ctx.polling) };
    patch({ polling: cancelled.polling });
    void finish(cancelled);
  };

  /** Polling resumes after a reload: at once, since the interval has long passed. */
  const resume = () => {
    if (ctx.polling === undefined || pendingCode === undefined) return;
    liveCodes.add(pendingCode);
    patch({ polling: { ...ctx.polling, inFlight: false, nextPollAt: Date.now() } });
    useFlowRuns.getState().setStep(FLOW_ID, 'poll', 'running', { current: 'poll' });
    setResumed((n) => n + 1);
    announce(`Polling resumed after ${ctx.polling.polls} polls.`);
  };

  const values: Record<string, string> = { tenant: ctx.tenant, client_id: ctx.clientId, scope: ctx.scope };
  const setValue = (name: string, value: string) => {
    // The code being polled for was asked with the old values: stop polling for it, and the steps
    // that followed from it go stale (a new code is one press away).
    if (ctx.polling?.status === 'polling') {
      patch({ polling: cancelPolling(ctx.polling) });
      useFlowRuns.getState().setStep(FLOW_ID, 'poll', 'stale');
      announce('The request changed, so polling for the earlier code stopped. Request a new code.');
    }
    if (name === 'tenant') patch({ tenant: value });
    if (name === 'client_id') patch({ clientId: value });
    if (name === 'scope') patch({ scope: value });
  };
  const requestStale = statusOf('request') === 'stale';
  const warnings = validateDeviceAuthorizationRequest(ctx);
  const authorization = ctx.authorization;
  const pollFailure = failureFor('poll');
  const isPolling = polling?.status === 'polling';
  const remaining = polling === undefined ? 0 : secondsUntil(polling.expiresAt, now);
  const nextIn = polling === undefined ? 0 : secondsUntil(polling.nextPollAt, now);
  const sandbox = useSettings.getState().authority === 'sandbox';

  const showCode = (authorization: NonNullable<DeviceCodeContext['authorization']>) => (
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
      <div className="dc-where">
        <figure className="dc-qr-figure">
          <QrCode
            text={authorization.verification_uri_complete ?? authorization.verification_uri}
            label={`QR code of ${authorization.verification_uri_complete ?? authorization.verification_uri}`}
          />
          <figcaption>
            {authorization.verification_uri_complete === undefined
              ? 'Scan with a phone camera to open the verification page.'
              : 'Scan with a phone camera: the page opens with the code filled in.'}
          </figcaption>
        </figure>
        <div>
          <p>
            On any device with a browser, open{' '}
            <a
              id={`${codeId}-uri`}
              className="dc-uri"
              // What the user does next: open the page (focused when the code arrives).
              data-next-action=""
              href={authorization.verification_uri}
              target="_blank"
              rel="noopener noreferrer"
            >
              {authorization.verification_uri}
            </a>{' '}
            (opens in a new tab), enter the code, then sign in and accept.
            {sandbox && (
              <>
                {' '}
                In the sandbox, sign in as <code>adele@flowlab-sandbox.onmicrosoft.com</code> with the
                password <MaskedValue value="Sandbox-Adele-1" label="Adele’s password" when="presenter" />.
              </>
            )}
          </p>
          <p>
            <CopyButton
              text={authorization.verification_uri}
              targetId={`${codeId}-uri`}
              label="Copy the address"
            />
          </p>
          {isLoopback(authorization.verification_uri) && (
            <p className="help">
              This address is on this computer (<code>localhost</code>), so a phone that scans it reaches
              itself, not the sandbox: open it here. Against Entra the code leads to
              microsoft.com/devicelogin, which any phone can open.
            </p>
          )}
        </div>
      </div>
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
        The code expires {formatDuration(authorization.expires_in)} after it was issued. Anyone who enters it
        signs in <em>this</em> device, so only type codes you asked for yourself — attackers send device codes
        in phishing mails.
      </p>
    </div>
  );

  return (
    <FlowPage
      key={run.runId}
      flow={flow}
      current={run.current}
      status={shownStatus}
      onGoTo={goTo}
      announcement={announcement}
    >
      <p className="note">
        The browser tab plays the device. Entra’s device code endpoint is not CORS-enabled, and it refuses
        token requests from a browser for this kind of app (AADSTS9002326)
        <WhereRelayRuns>, so both the code request and the polls go through the local relay</WhereRelayRuns>.
      </p>
      <RelayOffNotice />

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
            exchange={requestStale ? undefined : ctx.requestExchange}
            failure={requestStale ? undefined : failureFor('request')}
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
        {requestStale && ctx.requestExchange !== undefined && (
          <details className="stale-result">
            <summary>Stale: the earlier request and its answer, sent before the inputs changed</summary>
            <HttpExchangeView exchange={ctx.requestExchange} />
          </details>
        )}
      </StepSection>

      <StepSection {...stepProps('show-code')}>
        {authorization === undefined ? (
          <p>No code yet: request one in step 1.</p>
        ) : status('show-code') === 'stale' ? (
          <details className="stale-result">
            <summary>Stale: the code from the earlier request (polling for it stopped)</summary>
            {showCode(authorization)}
          </details>
        ) : (
          showCode(authorization)
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
                {paused
                  ? 'Paused by the reload: the code is still pending'
                  : isPolling
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
            {paused && (
              <div className="lab-message lab-message--warning" role="note" aria-label="Polling paused">
                <p>
                  <strong>The page was reloaded while this device was polling.</strong> It had sent{' '}
                  {polling.polls} poll{polling.polls === 1 ? '' : 's'}; the code is still valid for{' '}
                  {formatDuration(remaining)}, and the user may have finished meanwhile. Resume to ask again.
                </p>
                <button type="button" className="primary" data-next-action="" onClick={resume}>
                  Resume polling
                </button>
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
        ) : status('tokens') === 'stale' ? (
          <details className="stale-result">
            <summary>Stale: the tokens from the earlier code, before the request changed</summary>
            <TokensPanel tokens={ctx.tokens} />
          </details>
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
