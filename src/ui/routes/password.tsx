import { useCallback, useEffect } from 'react';
import { Link } from 'react-router';
import {
  buildPasswordRequest,
  createPasswordContext,
  decidePasswordRoute,
  PASSWORD_PARAMETERS,
  passwordFlow as flow,
  passwordTokenEndpointOf,
  readPasswordResponse,
  sendPasswordRequest,
  validatePasswordRequest,
  type PasswordContext,
} from '../../flows/password.ts';
import { flowPath } from '../../flows/registry.ts';
import { useFlowRuns, type StepStatus } from '../../state/flow-runs.ts';
import { useLabConfig } from '../../state/lab-config.ts';
import { authorityForRun, clientFor, useSettings } from '../../state/settings.ts';
import { useTokenHistory } from '../../state/token-history.ts';
import { FlowPage } from '../components/flow-page.tsx';
import { TokensPanel, useOnDemandParts, WhenAadsts } from '../components/on-demand.tsx';
import { MaskedValue } from '../components/masked-value.tsx';
import { HttpExchangeView } from '../components/http-exchange-view.tsx';
import { ParameterField } from '../components/parameter-field.tsx';
import { SecretInput } from '../components/secret-input.tsx';
import { StepSection, stepSectionProps } from '../components/step-section.tsx';
import { TokenRequestPanel } from '../components/token-request-panel.tsx';
import { useFlowRunner } from '../use-flow-run.ts';
import './password.css';
import { WarningsList } from '../components/warnings-list.tsx';
import { RelayOffNotice, WhereRelayRuns } from '../components/hosting-notices.tsx';

const FLOW_ID = flow.id;
type StepId = (typeof flow.steps)[number]['id'];
const REQUEST_FIELDS = PASSWORD_PARAMETERS.filter((p) => p.name !== 'username');
const USERNAME_FIELD = PASSWORD_PARAMETERS.find((p) => p.name === 'username')!;

function newContext(sandboxOrigin: string): PasswordContext {
  const client = clientFor('Flow Lab Console');
  const fresh = createPasswordContext({ ...authorityForRun(sandboxOrigin), clientId: client.clientId });
  return client.scope === undefined ? fresh : { ...fresh, scope: client.scope };
}

export default function PasswordPage() {
  const sandboxOrigin = useLabConfig((s) => s.sandboxOrigin);
  const create = useCallback(() => newContext(sandboxOrigin), [sandboxOrigin]);
  const { run, ctx, deps, patch, execute, failureFor, statusOf, goTo, announcement, announce } =
    useFlowRunner<PasswordContext>(FLOW_ID, create, 'credentials');
  useOnDemandParts({ failure: run?.failure !== undefined, tokens: ctx?.tokens !== undefined });

  // Leaving the page forgets the password: it must not outlive the form that asked for it.
  useEffect(() => () => useFlowRuns.getState().patch<PasswordContext>(FLOW_ID, { password: '' }), []);

  if (run === undefined || ctx === undefined) return <p role="status">Preparing the flow…</p>;

  const status = (id: StepId): StepStatus => statusOf(id);
  const shownStatus = Object.fromEntries(flow.steps.map((s) => [s.id, status(s.id)]));
  const stepProps = (id: StepId) => stepSectionProps(flow.steps, id, status(id), run.current, goTo);

  const send = async () => {
    useFlowRuns.getState().setStep(FLOW_ID, 'credentials', 'done');
    const sent = await execute('request', sendPasswordRequest, {
      failure: 'The request failed.',
    });
    // Whatever happened, the password is gone from memory now (the step's patch already empties it).
    patch({ password: '' });
    if (sent === undefined) return;
    const read = await execute('request', readPasswordResponse, {
      next: 'tokens',
      success: 'Tokens received and decoded. The password has been cleared.',
      failure: 'The token endpoint refused the password grant. The password has been cleared.',
    });
    if (read?.tokens === undefined) return;
    useTokenHistory.getState().add({
      flowId: FLOW_ID,
      flowTitle: flow.title,
      clientId: read.clientId,
      tokenEndpoint: passwordTokenEndpointOf(read),
      spa: false,
      tokens: read.tokens,
    });
    useFlowRuns.getState().setStep(FLOW_ID, 'tokens', 'done', { current: 'tokens' });
  };

  const values: Record<string, string> = {
    tenant: ctx.tenant,
    grant_type: 'password',
    client_id: ctx.clientId,
    username: ctx.username,
    scope: ctx.scope,
  };
  const setValue = (name: string, value: string) => {
    if (name === 'tenant') patch({ tenant: value });
    if (name === 'client_id') patch({ clientId: value });
    if (name === 'username') patch({ username: value });
    if (name === 'scope') patch({ scope: value });
  };
  const warnings = validatePasswordRequest(ctx);
  const requestStale = statusOf('request') === 'stale';
  const failure = requestStale ? undefined : failureFor('request');
  const sandbox = useSettings.getState().authority === 'sandbox';

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
        Instead, use <Link to={flowPath('authorization-code')}>authorization code with PKCE</Link> for apps
        with a browser, or <Link to={flowPath('device-code')}>device code</Link> for devices without one.{' '}
        <WhereRelayRuns>This page sends the request through the local relay: </WhereRelayRuns>Entra refuses
        the password grant from a browser (AADSTS9002326).
      </p>
      <RelayOffNotice />

      <StepSection {...stepProps('credentials')}>
        <form className="params" aria-label="User credentials" onSubmit={(e) => e.preventDefault()}>
          <ParameterField
            definition={USERNAME_FIELD}
            value={ctx.username}
            onChange={(value) => setValue('username', value)}
          />
          <div className="field">
            <label htmlFor="ropc-password">
              <code>password</code> <span className="required">(required)</span>
            </label>
            <SecretInput
              id="ropc-password"
              value={ctx.password}
              onChange={(value) => {
                patch({ password: value });
                announce('');
              }}
              describedBy="ropc-password-help"
            />
            <p id="ropc-password-help" className="help">
              The user’s own password, typed into this app. Held in memory only, never stored, and cleared
              after sending or when you leave the page. <span className="spec">RFC 6749 §4.3.2</span>
            </p>
          </div>
          {sandbox && (
            <p className="help">
              Sandbox users: <code>adele@flowlab-sandbox.onmicrosoft.com</code> /{' '}
              <MaskedValue value="Sandbox-Adele-1" label="Adele’s password" when="presenter" /> works;{' '}
              <code>megan@flowlab-sandbox.onmicrosoft.com</code> /{' '}
              <MaskedValue value="Sandbox-Megan-1" label="Megan’s password" when="presenter" /> needs MFA,
              which this grant cannot do.
            </p>
          )}
        </form>
      </StepSection>

      <StepSection {...stepProps('request')}>
        <form className="params" onSubmit={(e) => e.preventDefault()} aria-label="Token request parameters">
          {REQUEST_FIELDS.filter((d) => ctx.endpoints === undefined || d.name !== 'tenant').map(
            (definition) => (
              <ParameterField
                key={definition.name}
                definition={definition}
                value={values[definition.name] ?? ''}
                onChange={(value) => setValue(definition.name, value)}
                disabled={definition.name === 'grant_type'}
              />
            ),
          )}
        </form>
        <WarningsList warnings={warnings} />
        <TokenRequestPanel
          request={buildPasswordRequest(ctx)}
          route={decidePasswordRoute(deps)}
          exchange={requestStale ? undefined : ctx.exchange}
          failure={failure}
          sending={statusOf('request') === 'running'}
          sendLabel="Send the password"
          onSend={() => void send()}
        />
        {requestStale && ctx.exchange !== undefined && (
          <details className="stale-result">
            <summary>Stale: the earlier request and its answer, sent before the inputs changed</summary>
            <HttpExchangeView exchange={ctx.exchange} />
          </details>
        )}
        {!requestStale && ctx.exchange !== undefined && (
          <p className="help">
            The recorded request shows “(cleared after sending)” where the password was: it is no longer in
            memory. Type it again to send another request.
          </p>
        )}
        {failure !== undefined && (
          <WhenAadsts failure={failure} code={50076}>
            <p className="ropc-mfa" role="note">
              MFA required — ROPC cannot do MFA; use an interactive flow:{' '}
              <Link to={flowPath('authorization-code')}>authorization code with PKCE</Link> or{' '}
              <Link to={flowPath('device-code')}>device code</Link>. The <code>claims</code> value above is
              the challenge such a sign-in would have to satisfy.
            </p>
          </WhenAadsts>
        )}
      </StepSection>

      <StepSection {...stepProps('tokens')}>
        {ctx.tokens === undefined ? (
          <p>No tokens yet.</p>
        ) : status('tokens') === 'stale' ? (
          <details className="stale-result">
            <summary>Stale: the tokens from the earlier request, before the inputs changed</summary>
            <TokensPanel tokens={ctx.tokens} />
          </details>
        ) : (
          <>
            <TokensPanel tokens={ctx.tokens} />
            <p>
              Note the access token’s <code>amr</code> (when present): only <code>pwd</code> — a password and
              nothing else proved who the user is.
            </p>
          </>
        )}
      </StepSection>
    </FlowPage>
  );
}
