import { useCallback, useEffect, useId, useState } from 'react';
import {
  bindingOf,
  buildDpopTokenRequest,
  callApiWithDpop,
  createDpopContext,
  decideDpopRoute,
  DPOP_TOKEN_PARAMETERS,
  dpopAdvertised,
  dpopFlow as flow,
  makeKeyPair,
  misuseToken,
  readApiVerdict,
  readDpopServer,
  readDpopTokenResponse,
  readRetriedToken,
  requireKeyPair,
  retryWithNonce,
  sendDpopTokenRequest,
  signTokenProof,
  standardSandboxTargets,
  validateDpopTokenRequest,
  type ApiAttempt,
  type DpopClientAuth,
  type DpopContext,
  type DpopGrant,
  type MisuseKind,
} from '../../flows/dpop.ts';
import {
  DPOP_ALGORITHMS,
  DPOP_PROOF_FIELDS,
  type DpopAlgorithm,
  type DpopProof,
} from '../../protocol/dpop.ts';
import { useFlowRuns, type StepStatus } from '../../state/flow-runs.ts';
import { useLabConfig } from '../../state/lab-config.ts';
import { useProviderFeatures } from '../../state/provider-features.ts';
import { activeProfile, useSettings } from '../../state/settings.ts';
import { useTokenHistory } from '../../state/token-history.ts';
import { FlowPage } from '../components/flow-page.tsx';
import { HttpExchangeView } from '../components/http-exchange-view.tsx';
import { FailurePanel, TokenView, useOnDemandParts } from '../components/on-demand.tsx';
import { ParameterField } from '../components/parameter-field.tsx';
import { SecretInput } from '../components/secret-input.tsx';
import { StepSection, stepSectionProps } from '../components/step-section.tsx';
import { TokenPicker } from '../components/token-picker.tsx';
import { TokenRequestPanel } from '../components/token-request-panel.tsx';
import { WarningsList } from '../components/warnings-list.tsx';
import { useFlowRunner } from '../use-flow-run.ts';
import './dpop.css';

const FLOW_ID = flow.id;
type StepId = (typeof flow.steps)[number]['id'];

/** The run's server: the issuer in Settings when it is a generic one, else the standards sandbox. */
function newContext(sandboxOrigin: string): DpopContext {
  const settings = useSettings.getState();
  const standard = standardSandboxTargets(sandboxOrigin);
  const issuer = settings.authority === 'issuer' ? settings.issuer : null;
  if (issuer === null || issuer.issuer === standard.issuer) {
    // Entra has no DPoP: the Entra-shaped authorities (and the preset) use the sandbox's standards issuer.
    return createDpopContext({
      issuer: standard.issuer,
      directoryUrl: standard.directoryUrl,
      resource: standard.resource,
      apiUrl: standard.apiUrl,
    });
  }
  const profile = activeProfile(settings);
  return createDpopContext({
    issuer: issuer.issuer,
    ...(issuer.endpoints.token === undefined ? {} : { tokenEndpoint: issuer.endpoints.token }),
    clientId: profile.clientId,
    clientSecret: profile.clientSecret,
    scope: profile.scopes,
  });
}

/** The current time, refreshed every 15 s, so the proof-age warning stays true. */
function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), 15_000);
    return () => window.clearInterval(timer);
  }, []);
  return now;
}

/** A proof's header and claims, each with what it means. */
function ProofTable({ proof, caption }: { proof: DpopProof; caption: string }) {
  const values: Record<string, unknown> = { ...proof.header, ...proof.claims };
  const rows = DPOP_PROOF_FIELDS.filter((field) => values[field.name] !== undefined);
  return (
    <table className="dpop-proof">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Field</th>
          <th scope="col">Value</th>
          <th scope="col">What it is for</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((field) => {
          const value = values[field.name];
          return (
            <tr key={field.name}>
              <th scope="row">
                <code>{field.name}</code>
                {field.name in proof.header ? ' (header)' : ''}
              </th>
              <td>
                <code className="dpop-value">
                  {typeof value === 'string' || typeof value === 'number'
                    ? String(value)
                    : JSON.stringify(value)}
                </code>
              </td>
              <td>
                {field.meaning} <span className="spec">{field.spec}</span>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** One API call: its proof's key claims, the raw exchange, and what the answer means. */
function ApiAttemptView({ attempt, index, total }: { attempt: ApiAttempt; index: number; total: number }) {
  const verdict = readApiVerdict(attempt);
  const label = total > 1 ? `Call ${index + 1} of ${total}` : 'The call';
  return (
    <div className="dpop-attempt">
      <h3>{label}</h3>
      {attempt.proof !== undefined && (
        <p>
          Proof: <code>htm</code> {attempt.proof.claims.htm}, <code>htu</code> {attempt.proof.claims.htu},{' '}
          <code>ath</code> {attempt.proof.claims.ath ?? '(none)'}, <code>nonce</code>{' '}
          {attempt.proof.claims.nonce ?? '(none yet)'}, <code>jti</code> {attempt.proof.claims.jti}.
        </p>
      )}
      <HttpExchangeView exchange={attempt.exchange} headingLevel={4} />
      <p className={verdict.accepted ? 'ok' : 'dpop-refused'} role="status">
        {verdict.accepted
          ? `Accepted (HTTP ${verdict.status ?? ''}).`
          : verdict.status === undefined
            ? 'No answer.'
            : `Refused: HTTP ${verdict.status}${verdict.error === undefined ? '' : `, ${verdict.error}`}${
                verdict.errorDescription === undefined ? '' : ` — ${verdict.errorDescription}`
              }`}
        {verdict.error === 'use_dpop_nonce' &&
          ' The API wants its own nonce in the proof; the page signs a new proof with it and calls again.'}
      </p>
    </div>
  );
}

export default function DpopPage() {
  const sandboxOrigin = useLabConfig((s) => s.sandboxOrigin);
  const create = useCallback(() => newContext(sandboxOrigin), [sandboxOrigin]);
  const { run, ctx, deps, patch, execute, restart, failureFor, statusOf, goTo, announcement, announce } =
    useFlowRunner<DpopContext>(FLOW_ID, create, 'server');
  const features = useProviderFeatures();
  const now = useNow();
  const ids = { issuer: useId(), alg: useId(), auth: useId(), secret: useId(), api: useId(), jwk: useId() };
  useOnDemandParts({ failure: run?.failure !== undefined, tokens: ctx?.tokens !== undefined });

  if (run === undefined || ctx === undefined) return <p role="status">Preparing the flow…</p>;

  const standard = standardSandboxTargets(sandboxOrigin);
  const onStandard = ctx.issuer === standard.issuer;
  const advertised = dpopAdvertised(ctx);
  const nonceAsked = ctx.tokenChallenge?.error === 'use_dpop_nonce';
  const tokenFirstTry = ctx.tokens !== undefined && !nonceAsked;
  const status = (id: StepId): StepStatus => {
    if (id === 'nonce' && tokenFirstTry) return 'skipped';
    return statusOf(id);
  };
  const shownStatus = Object.fromEntries(flow.steps.map((s) => [s.id, status(s.id)]));
  const stepProps = (id: StepId) => stepSectionProps(flow.steps, id, status(id), run.current, goTo);
  let keyReady = true;
  try {
    requireKeyPair(ctx);
  } catch {
    keyReady = false;
  }
  const binding = bindingOf(ctx);

  const startAgain = (fresh: DpopContext, message: string) => restart(fresh, 'server', message);

  const useStandardSandbox = () =>
    startAgain(
      createDpopContext({
        issuer: standard.issuer,
        directoryUrl: standard.directoryUrl,
        resource: standard.resource,
        apiUrl: standard.apiUrl,
      }),
      'Started again against the sandbox’s standards issuer. Read its metadata in step 1.',
    );

  const readServer = () =>
    void execute('server', readDpopServer, {
      next: 'key',
      success: 'Metadata read: token endpoint and DPoP algorithms found.',
      failure: 'The metadata could not be read.',
    });

  const makeKey = () =>
    void execute('key', makeKeyPair, {
      next: 'proof',
      success: 'Key pair made; the private key stays in this tab.',
      failure: 'The key pair could not be made.',
    });

  const signProof = () =>
    void execute('proof', signTokenProof, {
      next: 'token',
      success: 'Proof signed for the token request.',
      failure: 'The proof could not be signed.',
    });

  const recordTokens = (done: DpopContext) => {
    if (done.tokens === undefined) return;
    useTokenHistory.getState().add({
      flowId: FLOW_ID,
      flowTitle: flow.title,
      clientId: done.clientId,
      tokenEndpoint: done.tokenEndpoint,
      spa: false,
      tokens: done.tokens,
    });
  };

  const requestToken = async () => {
    // A proof is good for one request (its jti) at one URL: a second send, or a new endpoint, signs a fresh one.
    const stale = ctx.tokenProof?.claims.htu !== ctx.tokenEndpoint.split(/[?#]/)[0];
    if (ctx.tokenExchange !== undefined || ctx.tokenProof === undefined || stale) {
      const signed = await execute('proof', signTokenProof, { failure: 'The proof could not be signed.' });
      if (signed === undefined) return;
    }
    const sent = await execute('token', sendDpopTokenRequest, { failure: 'The token request failed.' });
    if (sent === undefined) return;
    const read = await execute('token', readDpopTokenResponse, {
      failure: 'The token endpoint refused the request.',
    });
    if (read === undefined) return;
    // The next step is known only from the answer: moving on as a finished step (not a bare goTo) lets the
    // page move focus to that step's action, as the button pressed was disabled while it ran.
    const advanceTo = (next: StepId) =>
      useFlowRuns.getState().setStep(FLOW_ID, 'token', 'done', { current: next });
    if (read.tokens === undefined) {
      advanceTo('nonce');
      announce('The server answered use_dpop_nonce and sent a nonce: retry with it in step 5.');
      return;
    }
    recordTokens(read);
    advanceTo('bound');
    announce('DPoP-bound token received on the first request (the server asked for no nonce).');
  };

  const retry = async () => {
    const sent = await execute('nonce', retryWithNonce, { failure: 'The retry failed.' });
    if (sent === undefined) return;
    const read = await execute('nonce', readRetriedToken, {
      next: 'bound',
      success: 'DPoP-bound token received: token_type DPoP, and cnf.jkt is this key’s thumbprint.',
      failure: 'The token endpoint refused the retry.',
    });
    if (read !== undefined) recordTokens(read);
  };

  const callApi = () =>
    void execute('resource', callApiWithDpop, {
      next: 'misuse',
      success: 'The API was called with a fresh proof; see its answer.',
      failure: 'The API call failed.',
    });

  const misuse = async (kind: MisuseKind) => {
    const done = await execute('misuse', (c, d) => misuseToken(kind, c, d), {
      success:
        kind === 'bearer'
          ? 'The token was sent as a Bearer token; see what the API said.'
          : 'The token was sent with a proof from another key; see what the API said.',
      failure: 'The call failed.',
    });
    if (done === undefined) return;
    // The button was disabled while the call ran, which dropped focus to <body>: it goes to the outcome's
    // heading (a failure keeps it near its explanation, as the page does for every step).
    window.requestAnimationFrame(() => {
      const active = document.activeElement;
      if (active !== null && active !== document.body && active.isConnected) return;
      const heading = document.getElementById(`dpop-misuse-${kind}`);
      heading?.scrollIntoView({ block: 'center' });
      heading?.focus({ preventScroll: true });
    });
  };

  const values: Record<string, string> = {
    grant_type: ctx.grant,
    client_id: ctx.clientId,
    scope: ctx.scope,
    resource: ctx.resource,
  };
  const setValue = (name: string, value: string) => {
    if (name === 'grant_type') {
      const grant = value as DpopGrant;
      // A refresh token carries its own grant: scope and resource narrow it only when typed on purpose.
      patch(grant === 'refresh_token' ? { grant, scope: '', resource: '' } : { grant });
      if (grant === 'refresh_token')
        announce(
          'Refresh token grant: pick a refresh token; scope and resource were cleared (optional here).',
        );
    }
    if (name === 'client_id') patch({ clientId: value });
    if (name === 'scope') patch({ scope: value });
    if (name === 'resource') patch({ resource: value });
  };
  const warnings = validateDpopTokenRequest(ctx, now);
  const proofForPreview = ctx.tokenExchange === undefined ? ctx.tokenProof : undefined;

  return (
    <FlowPage
      key={run.runId}
      flow={flow}
      current={run.current}
      status={shownStatus}
      onGoTo={goTo}
      announcement={announcement}
      options={
        <>
          <button type="button" onClick={useStandardSandbox}>
            Use the standards sandbox
          </button>
          <button type="button" onClick={() => startAgain(newContext(sandboxOrigin), 'Started again.')}>
            Start again
          </button>
        </>
      }
    >
      {features.entraShaped && (
        <p className="note" role="note" aria-label="Entra and DPoP">
          {/* Entra's own line already says its tokens are bearer tokens; the generic "will most likely issue a
              bearer token" reason would say it a second time, so only the metadata fact is added. */}
          {features.verdict('dpop').status === 'offered' ? (
            features.explain('dpop')
          ) : (
            <>
              Entra ID does not bind tokens with DPoP for apps: its tokens are bearer tokens, and its metadata
              lists no <code>dpop_signing_alg_values_supported</code> (RFC 9449 §5.1).
            </>
          )}{' '}
          This page therefore runs against the sandbox’s standards issuer, <code>{standard.issuer}</code>,
          which supports DPoP.
        </p>
      )}

      <StepSection {...stepProps('server')}>
        <div className="field">
          <label htmlFor={ids.issuer}>Authorization server (issuer)</label>
          <input
            id={ids.issuer}
            value={ctx.issuer}
            spellCheck={false}
            autoComplete="off"
            onChange={(e) =>
              patch({
                issuer: e.target.value,
                dpopAlgorithms: undefined,
                // Only the standards sandbox publishes a directory of clients to start with.
                directoryUrl: e.target.value.trim() === standard.issuer ? standard.directoryUrl : undefined,
              })
            }
          />
        </div>
        <button
          type="button"
          className="primary"
          data-next-action=""
          onClick={readServer}
          disabled={statusOf('server') === 'running' || ctx.issuer.trim() === ''}
        >
          Read the server’s metadata
        </button>
        {advertised !== undefined && (
          <dl className="dpop-facts">
            <dt>Token endpoint</dt>
            <dd>
              <code>{ctx.tokenEndpoint}</code>
            </dd>
            <dt>
              <code>dpop_signing_alg_values_supported</code>
            </dt>
            <dd>{advertised ? (ctx.dpopAlgorithms ?? []).join(', ') : '(not listed)'}</dd>
          </dl>
        )}
        {advertised === true && (
          <p className="ok" role="status">
            This server supports DPoP: it lists the proof algorithms it accepts.
          </p>
        )}
        {advertised === false && (
          <p className="warning" role="note" aria-label="DPoP not advertised">
            <strong>This server does not advertise DPoP.</strong> Its metadata lists no
            dpop_signing_alg_values_supported. You can still try: a server that ignores the proof answers
            token_type Bearer, and the page will say so.
          </p>
        )}
        {failureFor('server') !== undefined && <FailurePanel failure={failureFor('server')!} />}
      </StepSection>

      <StepSection {...stepProps('key')}>
        <div className="field">
          <label htmlFor={ids.alg}>
            Key type (<code>alg</code> of the proofs)
          </label>
          <select
            id={ids.alg}
            value={ctx.algorithm}
            onChange={(e) => patch({ algorithm: e.target.value as DpopAlgorithm })}
          >
            {DPOP_ALGORITHMS.map((alg) => (
              <option key={alg} value={alg}>
                {alg === 'ES256' ? 'ES256 (P-256 elliptic curve, small and fast)' : `${alg} (RSA 2048)`}
              </option>
            ))}
          </select>
        </div>
        <button
          type="button"
          className={keyReady ? undefined : 'primary'}
          data-next-action=""
          onClick={makeKey}
          disabled={statusOf('key') === 'running'}
        >
          {keyReady ? 'Make a new key pair' : 'Make the key pair'}
        </button>
        {ctx.keyPair !== undefined && (
          <>
            <p>
              The private key was made by WebCrypto as non-extractable: this page can sign with it, but cannot
              read, store or send it. It is gone when you reload.
            </p>
            <div className="field">
              <label htmlFor={ids.jwk}>Public key (JWK) — travels in every proof</label>
              <textarea
                id={ids.jwk}
                readOnly
                rows={6}
                spellCheck={false}
                value={JSON.stringify(ctx.keyPair.publicJwk, null, 2)}
              />
            </div>
            <p>
              Thumbprint (RFC 7638, SHA-256) — the <code>jkt</code> tokens will be bound to:{' '}
              <code data-testid="dpop-thumbprint">{ctx.keyPair.thumbprint}</code>
            </p>
          </>
        )}
        {!keyReady && ctx.tokens !== undefined && (
          <p className="warning" role="note" aria-label="Key gone">
            The key pair is gone (it lived only in this tab’s memory), so the token below can no longer be
            used: make a new key pair and request a new token.
          </p>
        )}
        {failureFor('key') !== undefined && <FailurePanel failure={failureFor('key')!} />}
      </StepSection>

      <StepSection {...stepProps('proof')}>
        <p>
          The proof names this request: <code>POST</code> to{' '}
          <code>{ctx.tokenEndpoint || '(no endpoint yet)'}</code>. It has no nonce yet: the server has not
          asked for one.
        </p>
        <button
          type="button"
          className="primary"
          data-next-action=""
          onClick={signProof}
          disabled={!keyReady || statusOf('proof') === 'running'}
        >
          {ctx.tokenProof === undefined ? 'Sign the proof' : 'Sign a fresh proof'}
        </button>
        {!keyReady && <p className="help">Make the key pair first (step 2).</p>}
        {ctx.tokenProof !== undefined && (
          <>
            <ProofTable proof={ctx.tokenProof} caption="The proof for the token request, decoded" />
            <p className="help">
              The proof as sent, in the DPoP header (signed, not secret: it is good for this one request
              only):
            </p>
            <pre className="dpop-jwt">{ctx.tokenProof.jwt}</pre>
          </>
        )}
        {failureFor('proof') !== undefined && <FailurePanel failure={failureFor('proof')!} />}
      </StepSection>

      <StepSection {...stepProps('token')}>
        <form className="params" onSubmit={(e) => e.preventDefault()} aria-label="Token request parameters">
          {DPOP_TOKEN_PARAMETERS.map((definition) => (
            <ParameterField
              key={definition.name}
              definition={definition}
              value={values[definition.name] ?? ''}
              onChange={(value) => setValue(definition.name, value)}
            />
          ))}
          <div className="field">
            <label htmlFor={ids.auth}>Client authentication</label>
            <select
              id={ids.auth}
              value={ctx.clientAuth}
              onChange={(e) => patch({ clientAuth: e.target.value as DpopClientAuth })}
            >
              <option value="client_secret_post">client_secret_post (secret in the form body)</option>
              <option value="client_secret_basic">client_secret_basic (Authorization: Basic)</option>
              <option value="none">none (a public client; refresh only)</option>
            </select>
          </div>
          {ctx.clientAuth !== 'none' && (
            <div className="field">
              <label htmlFor={ids.secret}>Client secret (kept in memory only)</label>
              <SecretInput
                id={ids.secret}
                value={ctx.clientSecret}
                onChange={(v) => patch({ clientSecret: v })}
              />
              {onStandard && (
                <p className="help">A sandbox-only secret, read from the standards sandbox’s directory.</p>
              )}
            </div>
          )}
        </form>
        {ctx.grant === 'refresh_token' && (
          <>
            <TokenPicker
              kind="refresh_token"
              label="Refresh token to redeem"
              value={ctx.refreshToken}
              onChange={(value, entry) =>
                patch(
                  entry === undefined
                    ? { refreshToken: value }
                    : {
                        refreshToken: value,
                        clientId: entry.clientId,
                        // Issued to a browser app: a public client, which sends no secret.
                        ...(entry.spa ? { clientAuth: 'none' as const } : {}),
                        ...(entry.tokenEndpoint === '' ? {} : { tokenEndpoint: entry.tokenEndpoint }),
                      },
                )
              }
            />
            <p className="help">
              For a public client the server binds the refresh token to the key too (RFC 9449 §5): every later
              refresh needs a proof from this same key.
            </p>
          </>
        )}
        <WarningsList warnings={warnings} />
        <TokenRequestPanel
          request={buildDpopTokenRequest(ctx, proofForPreview)}
          route={decideDpopRoute(ctx, deps)}
          exchange={ctx.tokenExchange}
          failure={failureFor('token')}
          sending={statusOf('token') === 'running'}
          sendLabel={
            ctx.tokenExchange === undefined ? 'Request the token' : 'Sign a fresh proof and request again'
          }
          onSend={() => void requestToken()}
          disabled={!keyReady || ctx.tokenEndpoint === ''}
        />
        {nonceAsked && (
          <p className="note" role="status">
            The server refused this first request with <code>use_dpop_nonce</code> and sent a nonce in its{' '}
            <code>DPoP-Nonce</code> header. That is expected: continue with step 5.
          </p>
        )}
      </StepSection>

      <StepSection {...stepProps('nonce')}>
        {tokenFirstTry ? (
          <p>The server issued the token on the first request: it asked for no nonce.</p>
        ) : !nonceAsked ? (
          <p>No nonce requested yet: send the token request first (step 4).</p>
        ) : (
          <>
            <dl className="dpop-facts">
              <dt>
                <code>error</code>
              </dt>
              <dd>
                <code>{ctx.tokenChallenge?.error}</code>
                {ctx.tokenChallenge?.error_description === undefined
                  ? ''
                  : ` — ${ctx.tokenChallenge.error_description}`}
              </dd>
              <dt>
                <code>DPoP-Nonce</code> header
              </dt>
              <dd>
                <code data-testid="dpop-token-nonce">{ctx.tokenChallenge?.nonce}</code>
              </dd>
            </dl>
            <p>
              The nonce is opaque: the client only copies it into the <code>nonce</code> claim of its next
              proof. The new proof also gets a new <code>jti</code> and <code>iat</code>.
            </p>
            <button
              type="button"
              className="primary"
              data-next-action=""
              onClick={() => void retry()}
              disabled={!keyReady || statusOf('nonce') === 'running'}
            >
              Retry with the nonce
            </button>
            {ctx.retryProof !== undefined && (
              <ProofTable proof={ctx.retryProof} caption="The new proof, with the server’s nonce" />
            )}
            {ctx.retryExchange !== undefined && <HttpExchangeView exchange={ctx.retryExchange} />}
            {failureFor('nonce') !== undefined && (
              <FailurePanel failure={failureFor('nonce')!} context="token" endpoint={ctx.tokenEndpoint} />
            )}
          </>
        )}
      </StepSection>

      <StepSection {...stepProps('bound')}>
        {ctx.tokens === undefined || binding === undefined ? (
          <p>No token yet.</p>
        ) : (
          <>
            <ul className="dpop-binding" aria-label="How the token is bound">
              <li>
                <code>token_type</code> is <strong>{binding.tokenType}</strong>
                {binding.isDpop
                  ? ': the server bound the token to the key, so it must be sent as “Authorization: DPoP”.'
                  : ': not DPoP — the server ignored the proof, and anyone holding this token can use it.'}
              </li>
              <li>
                {!binding.decoded ? (
                  <>
                    The access token is opaque, so its binding cannot be read here; the server keeps it (token
                    introspection shows <code>cnf.jkt</code>).
                  </>
                ) : binding.jkt === undefined ? (
                  <>
                    The access token has no <code>cnf.jkt</code>: it is not bound to a key.
                  </>
                ) : (
                  <>
                    <code>cnf.jkt</code> is <code data-testid="dpop-cnf-jkt">{binding.jkt}</code>
                    {binding.matches === true
                      ? ' — the same as this key’s thumbprint.'
                      : ' — NOT this key’s thumbprint.'}
                  </>
                )}
              </li>
            </ul>
            <TokenView
              label="Access token"
              token={ctx.tokens.access_token}
              kind="access"
              kindSource="the token endpoint sent it as access_token"
            />
          </>
        )}
      </StepSection>

      <StepSection {...stepProps('resource')}>
        <div className="field">
          <label htmlFor={ids.api}>API URL</label>
          <input
            id={ids.api}
            value={ctx.apiUrl}
            spellCheck={false}
            autoComplete="off"
            aria-describedby={`${ids.api}-help`}
            onChange={(e) => patch({ apiUrl: e.target.value, apiNonce: undefined })}
          />
          <p id={`${ids.api}-help`} className="help">
            {onStandard
              ? 'The standards sandbox’s protected API: it checks the token, the proof and its own nonce.'
              : 'Any API that takes this server’s DPoP tokens and allows calls from this page (CORS).'}
          </p>
        </div>
        <p>
          Each call signs a new proof: <code>GET</code> and this URL, <code>ath</code> = SHA-256 of the access
          token, and the API’s nonce once it has given one.
        </p>
        <button
          type="button"
          className="primary"
          data-next-action=""
          onClick={callApi}
          disabled={ctx.tokens === undefined || !keyReady || statusOf('resource') === 'running'}
        >
          Call the API with a fresh proof
        </button>
        {(ctx.apiAttempts ?? []).map((attempt, index, all) => (
          <ApiAttemptView key={index} attempt={attempt} index={index} total={all.length} />
        ))}
        {failureFor('resource') !== undefined && (
          <FailurePanel failure={failureFor('resource')!} context="api" endpoint={ctx.apiUrl} />
        )}
      </StepSection>

      <StepSection {...stepProps('misuse')}>
        <p>
          Someone who stole the access token but not the private key can try two things. A resource that
          enforces DPoP refuses both.
        </p>
        <div className="dpop-misuse-actions">
          <button
            type="button"
            data-next-action=""
            onClick={() => void misuse('bearer')}
            disabled={ctx.tokens === undefined || statusOf('misuse') === 'running'}
          >
            Send the token as Bearer
          </button>
          <button
            type="button"
            onClick={() => void misuse('other-key')}
            disabled={ctx.tokens === undefined || !keyReady || statusOf('misuse') === 'running'}
          >
            Send it with a proof from another key
          </button>
        </div>
        {ctx.misuse?.bearer !== undefined && (
          <section aria-label="Sent as Bearer">
            <h3 id="dpop-misuse-bearer" tabIndex={-1}>
              As a Bearer token, without a proof
            </h3>
            <MisuseOutcome attempt={ctx.misuse.bearer} />
          </section>
        )}
        {ctx.misuse?.['other-key'] !== undefined && (
          <section aria-label="Sent with another key">
            <h3 id="dpop-misuse-other-key" tabIndex={-1}>
              With a valid proof from a new key
            </h3>
            <MisuseOutcome attempt={ctx.misuse['other-key']} />
          </section>
        )}
        {failureFor('misuse') !== undefined && (
          <FailurePanel failure={failureFor('misuse')!} context="api" endpoint={ctx.apiUrl} />
        )}
      </StepSection>
    </FlowPage>
  );
}

function MisuseOutcome({ attempt }: { attempt: ApiAttempt }) {
  const verdict = readApiVerdict(attempt);
  return (
    <>
      <HttpExchangeView exchange={attempt.exchange} headingLevel={4} />
      <p className={verdict.accepted ? 'warning' : 'ok'} role="status">
        {verdict.accepted
          ? 'Accepted: this API does not enforce the DPoP binding, so a stolen token works here.'
          : `Refused, as it should be: HTTP ${verdict.status ?? ''}${verdict.error === undefined ? '' : ` ${verdict.error}`}${
              verdict.errorDescription === undefined ? '' : ` — ${verdict.errorDescription}`
            }`}
      </p>
    </>
  );
}
