import { useCallback, useEffect, useState } from 'react';
import {
  apiTargets,
  buildApiRequest,
  callApi,
  callApiFlow as flow,
  callApiVariant,
  checkTokenForApi,
  createCallApiContext,
  decideApiRoute,
  readApiResponse,
  requirementFor,
  type CallApiContext,
} from '../../flows/call-api.ts';
import { explainV1AccessTokenIssuer } from '../../protocol/issuer-version.ts';
import { classifyToken, decodeJwt, normalizeToken } from '../../protocol/jwt.ts';
import { useFlowRuns } from '../../state/flow-runs.ts';
import { useLabConfig } from '../../state/lab-config.ts';
import { FlowPage } from '../components/flow-page.tsx';
import { TokenView, useOnDemandParts } from '../components/on-demand.tsx';
import { StepSection, stepSectionProps } from '../components/step-section.tsx';
import { TokenPicker } from '../components/token-picker.tsx';
import { TokenRequestPanel } from '../components/token-request-panel.tsx';
import { useFlowRunner } from '../use-flow-run.ts';
import './call-api.css';

const FLOW_ID = flow.id;
type StepId = (typeof flow.steps)[number]['id'];
const CUSTOM = 'custom';

/** The current time, refreshed every 15 s, so expiry warnings stay true without an impure render. */
function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), 15_000);
    return () => window.clearInterval(timer);
  }, []);
  return now;
}

/** The v1.0-issuer lesson for the token about to be sent, when it is a v1.0 API access token. */
function issuerNoteFor(token: string): string | undefined {
  const clean = normalizeToken(token);
  if (classifyToken(clean) !== 'jwt') return undefined;
  try {
    return explainV1AccessTokenIssuer(decodeJwt(clean).payload);
  } catch {
    return undefined;
  }
}

function verdict(ok: boolean | undefined): string {
  if (ok === undefined) return 'cannot tell';
  return ok ? 'passes' : 'fails';
}

export default function CallApiPage() {
  const sandboxOrigin = useLabConfig((s) => s.sandboxOrigin);
  const create = useCallback(() => createCallApiContext(sandboxOrigin), [sandboxOrigin]);
  const { run, ctx, patch, execute, restart, failureFor, statusOf, goTo, announcement, announce } =
    useFlowRunner<CallApiContext>(FLOW_ID, create, 'token');
  useOnDemandParts({ failure: run?.failure !== undefined, tokens: ctx !== undefined && ctx.token !== '' });
  const now = useNow();

  if (run === undefined || ctx === undefined) return <p role="status">Preparing the flow…</p>;

  const targets = apiTargets(sandboxOrigin);
  const requirement = requirementFor(ctx.url, targets);
  const checks = checkTokenForApi(ctx.token, requirement, now);
  const problems = checks.filter((c) => c.ok === false);
  const issuerNote = issuerNoteFor(ctx.token);
  // The answer is read as of when it arrived, so an expiry verdict does not change afterwards.
  const answeredAt = (exchange: NonNullable<CallApiContext['exchange']>) =>
    exchange.startedAt + (exchange.durationMs ?? 0);
  const outcome =
    ctx.exchange?.response === undefined
      ? undefined
      : readApiResponse(ctx.exchange, requirement, answeredAt(ctx.exchange));

  const stepProps = (id: StepId) => stepSectionProps(flow.steps, id, statusOf(id), run.current, goTo);

  const chooseTarget = (id: string) => {
    const target = targets.find((t) => t.id === id);
    patch({ targetId: id, ...(target === undefined ? {} : { url: target.url }) });
  };

  const send = async () => {
    // The token and the API the page shows are the ones sent: those two steps are done with them.
    const store = useFlowRuns.getState();
    store.setStep(FLOW_ID, 'token', 'done');
    store.setStep(FLOW_ID, 'request', 'done');
    const done = await execute('call', callApi, { failure: 'The request got no answer.' });
    if (done?.exchange?.response === undefined) return;
    const result = readApiResponse(
      done.exchange,
      requirementFor(done.url, targets),
      answeredAt(done.exchange),
    );
    useFlowRuns
      .getState()
      .setStep(FLOW_ID, 'response', result.ok ? 'done' : 'failed', { current: 'response' });
    announce(
      result.ok
        ? `The API answered HTTP ${result.status}.`
        : `The API refused: ${result.title ?? `HTTP ${result.status}`}.`,
    );
  };

  // Everything the run held goes: the token, where it came from, the API and the answer. What Send
  // sends is then only what the page shows again.
  const startAgain = () =>
    restart(
      createCallApiContext(sandboxOrigin),
      'token',
      'Started again: no token chosen, the first API selected.',
    );

  const displayName =
    outcome?.ok === true && typeof outcome.json === 'object' && outcome.json !== null
      ? (outcome.json as Record<string, unknown>)['displayName']
      : undefined;
  const userCount =
    outcome?.ok === true &&
    typeof outcome.json === 'object' &&
    outcome.json !== null &&
    Array.isArray((outcome.json as Record<string, unknown>)['value'])
      ? ((outcome.json as Record<string, unknown>)['value'] as unknown[]).length
      : undefined;

  return (
    <FlowPage
      flow={flow}
      current={run.current}
      status={run.status}
      onGoTo={goTo}
      announcement={announcement}
      variants={[callApiVariant(ctx.url)]}
      options={
        <button type="button" onClick={startAgain}>
          Start again
        </button>
      }
    >
      <StepSection {...stepProps('token')}>
        <TokenPicker
          kind="access_token"
          label="Access token to send"
          value={ctx.token}
          onChange={(value, entry) => {
            patch({
              token: value,
              tokenSource: entry === undefined ? undefined : entry.flowTitle,
              exchange: undefined,
            });
            if (value !== '') goTo('request');
          }}
        />
        {ctx.tokenSource !== undefined && ctx.token !== '' && (
          <p className="help">From an earlier run: {ctx.tokenSource}.</p>
        )}
        {ctx.token !== '' && <TokenView label="Token to send" token={ctx.token} kind="access" />}
      </StepSection>

      <StepSection {...stepProps('request')}>
        <div className="field">
          <label htmlFor="api-target">API</label>
          <select
            id="api-target"
            value={ctx.targetId}
            onChange={(e) => chooseTarget(e.target.value)}
            data-next-action
          >
            {targets.map((t) => (
              <option key={t.id} value={t.id}>
                {t.label}
              </option>
            ))}
            <option value={CUSTOM}>Another URL</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="api-url">URL</label>
          <input
            id="api-url"
            value={ctx.url}
            spellCheck={false}
            autoComplete="off"
            aria-describedby="api-url-help"
            onChange={(e) => {
              const url = e.target.value;
              patch({ url, targetId: targets.find((t) => t.url === url.trim())?.id ?? CUSTOM });
            }}
          />
          <p id="api-url-help" className="help">
            Method: GET. The sandbox’s API mirrors two Microsoft Graph endpoints; real Graph needs a token
            from Entra. <span className="spec">RFC 6750 §2.1</span>
          </p>
        </div>
        <div className="lab-table-scroll">
          <table className="lab-table api-checks">
            <caption>What the API will check, compared with the token (decoded, not verified)</caption>
            <thead>
              <tr>
                <th scope="col">Claim</th>
                <th scope="col">API expects</th>
                <th scope="col">Token has</th>
                <th scope="col">Result</th>
              </tr>
            </thead>
            <tbody>
              {checks.map((check) => (
                <tr key={check.claim} className={check.ok === false ? 'is-failing' : undefined}>
                  <th scope="row">
                    <code>{check.claim}</code>
                  </th>
                  <td>{check.expected}</td>
                  <td className="wrap">{check.actual}</td>
                  <td>
                    <strong>{verdict(check.ok)}</strong> — {check.message}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {requirement === undefined && (
          <p className="help">
            This URL is not one the page knows, so only the expiry can be checked in advance.
          </p>
        )}
        {issuerNote !== undefined && (
          <p className="note" role="note">
            {issuerNote}
          </p>
        )}
        {problems.length > 0 && (
          <ul className="warnings" aria-label="Warnings about this request">
            {problems.map((p) => (
              <li key={p.claim}>
                <code>{p.claim}</code>: {p.message}
              </li>
            ))}
          </ul>
        )}
        <p className="help">
          The request is sent anyway if you wish: seeing the API’s refusal is part of the lesson.
        </p>
      </StepSection>

      <StepSection {...stepProps('call')}>
        <TokenRequestPanel
          request={buildApiRequest(ctx)}
          route={decideApiRoute()}
          exchange={ctx.exchange}
          failure={failureFor('call')}
          sending={statusOf('call') === 'running'}
          sendLabel="Send the request"
          onSend={() => void send()}
          context="api"
        />
      </StepSection>

      <StepSection {...stepProps('response')}>
        {outcome === undefined ? (
          <p>No answer yet.</p>
        ) : outcome.ok ? (
          <p className="ok" role="status">
            HTTP {outcome.status}: the API accepted the token.
            {typeof displayName === 'string' && (
              <>
                {' '}
                Signed-in user: <strong>{displayName}</strong>.
              </>
            )}
            {userCount !== undefined && <> It returned {userCount} users.</>}
          </p>
        ) : (
          <div className="failure" role="alert">
            <h3>{outcome.title}</h3>
            <p>
              <strong>What happened:</strong> {outcome.what}
            </p>
            <p>
              <strong>What to do:</strong> {outcome.fix}
            </p>
            <dl className="server-fields">
              <dt>HTTP status</dt>
              <dd>{outcome.status}</dd>
              {outcome.challenge === undefined ? (
                <>
                  <dt>WWW-Authenticate</dt>
                  <dd>{outcome.challengeProblem ?? 'no Bearer challenge in the answer'}</dd>
                </>
              ) : (
                Object.entries(outcome.challenge.params).map(([name, value]) => (
                  <div key={name}>
                    <dt>
                      WWW-Authenticate <code>{name}</code>
                    </dt>
                    <dd>{value === '' ? '(empty)' : value}</dd>
                  </div>
                ))
              )}
              {outcome.graphError !== undefined && (
                <>
                  <dt>Graph error code</dt>
                  <dd>{outcome.graphError.code}</dd>
                  <dt>Graph error message</dt>
                  <dd>{outcome.graphError.message}</dd>
                </>
              )}
            </dl>
            <p className="help">
              RFC 6750 §3.1: <code>invalid_token</code> means the token itself is bad (expired, wrong
              signature, another audience) — 401; <code>insufficient_scope</code> means it is good but lacks a
              permission — 403; no error code means no token was sent.
            </p>
          </div>
        )}
      </StepSection>
    </FlowPage>
  );
}
