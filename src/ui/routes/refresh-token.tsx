import { useCallback, useEffect, useState } from 'react';
import {
  buildRefreshRequest,
  createRefreshContext,
  decideRefreshRoute,
  exchangeRotationSetting,
  readRefresh,
  readReuse,
  REFRESH_PARAMETERS,
  refreshTokenFlow as flow,
  sendRefresh,
  sendReuse,
  validateRefreshRequest,
  type RefreshContext,
} from '../../flows/refresh-token.ts';
import { toStepFailure, type StepFailure } from '../../flows/runner.ts';
import type { TokenResponse } from '../../protocol/token.ts';
import {
  assessClientAuthMethods,
  CONFIDENTIAL_AUTH_METHODS,
  type ClientAuthMethod,
} from '../../protocol/client-auth.ts';
import { useProviderFeatures } from '../../state/provider-features.ts';
import {
  ClientAuthChoice,
  initialClientAuthMethod,
  standardsKeyRegistrationUrl,
} from '../components/client-auth-choice.tsx';
import { useFlowRuns } from '../../state/flow-runs.ts';
import { useLabConfig } from '../../state/lab-config.ts';
import { useRelayOffHere } from '../components/hosting-notices.tsx';
import { clientFor, currentEndpoints, secretForRun, useSettings } from '../../state/settings.ts';
import { useTokenHistory, type ObtainedTokens } from '../../state/token-history.ts';
import { FlowPage } from '../components/flow-page.tsx';
import { FailurePanel, TokensPanel, useOnDemandParts } from '../components/on-demand.tsx';
import { HttpExchangeView } from '../components/http-exchange-view.tsx';
import { ParameterField } from '../components/parameter-field.tsx';
import { SecretInput } from '../components/secret-input.tsx';
import { StepSection, stepSectionProps } from '../components/step-section.tsx';
import { TokenPicker } from '../components/token-picker.tsx';
import { TokenRequestPanel } from '../components/token-request-panel.tsx';
import { useFlowDeps, useFlowRunner } from '../use-flow-run.ts';
import './refresh-token.css';
import { WarningsList } from '../components/warnings-list.tsx';

const FLOW_ID = flow.id;
type StepId = (typeof flow.steps)[number]['id'];

/** Entra and its sandbox keep "a secret means client_secret_post"; other authorities any method. */
function isEntraShaped(): boolean {
  const authority = useSettings.getState().authority;
  return authority === 'sandbox' || authority === 'entra';
}

/** The methods a refresh may use: a public client's `none` first, then the confidential ones. */
const REFRESH_AUTH_METHODS: readonly ClientAuthMethod[] = ['none', ...CONFIDENTIAL_AUTH_METHODS];

function newContext(sandboxOrigin: string): RefreshContext {
  const clientId = clientFor('Flow Lab SPA').clientId;
  return createRefreshContext({
    tokenEndpoint: currentEndpoints(sandboxOrigin).token ?? '',
    clientId,
    spa: true,
    ...(isEntraShaped()
      ? {}
      : { authMethod: initialClientAuthMethod(sandboxOrigin, clientId, { publicClient: true }) }),
  });
}

function InvalidGrantNote({ failure, reuse }: { failure: StepFailure | undefined; reuse: boolean }) {
  if (failure?.fields?.error !== 'invalid_grant') return null;
  return (
    <p className="note refresh-invalid-grant">
      {reuse
        ? 'This refresh token was already redeemed once, and this server rotates refresh tokens: each one works a single time, so a stolen copy used after the real client (or the other way round) is caught. Entra does not do this by default — there, the client itself must throw the old token away.'
        : 'invalid_grant means this refresh token cannot be used: it was mistyped or cut short, revoked (password reset, sign-out everywhere, an admin), expired (90 days unused; 24 hours for an SPA), issued to another client id, or already redeemed on a server that rotates refresh tokens. Sign the user in again for a new one.'}
    </p>
  );
}

/** The sandbox's rotation setting: read on arrival, changed by the check box. */
function RotationToggle({
  sandboxOrigin,
  onChanged,
}: {
  sandboxOrigin: string;
  onChanged: (text: string) => void;
}) {
  const deps = useFlowDeps();
  const [value, setValue] = useState<boolean | undefined>();
  const [failure, setFailure] = useState<StepFailure | undefined>();
  useEffect(() => {
    let live = true;
    exchangeRotationSetting(sandboxOrigin, {
      fetch: (i, init) => fetch(i, init),
      now: () => Date.now(),
    }).then(
      (setting) => live && setValue(setting.rotateRefreshTokens),
      (error: unknown) => live && setFailure(toStepFailure(error)),
    );
    return () => {
      live = false;
    };
  }, [sandboxOrigin]);
  const change = async (rotate: boolean) => {
    try {
      const setting = await exchangeRotationSetting(sandboxOrigin, deps, rotate);
      setValue(setting.rotateRefreshTokens);
      setFailure(undefined);
      onChanged(
        setting.rotateRefreshTokens
          ? 'Rotation on: a redeemed refresh token now stops working.'
          : 'Rotation off: redeemed refresh tokens stay valid, as in Entra.',
      );
    } catch (error) {
      setFailure(toStepFailure(error));
    }
  };
  return (
    <div className="refresh-rotation">
      <label className="choice">
        <input
          type="checkbox"
          checked={value === true}
          disabled={value === undefined}
          aria-describedby="rotation-help"
          onChange={(e) => void change(e.target.checked)}
        />
        Rotate refresh tokens (sandbox setting)
      </label>
      <p id="rotation-help" className="help">
        Currently <strong>{value === undefined ? 'unknown' : value ? 'on' : 'off'}</strong>. Off is Entra’s
        behaviour: a redeemed refresh token stays valid. On: each refresh token works once (RFC 9700 §4.14.2).
      </p>
      {failure !== undefined && <FailurePanel failure={failure} />}
    </div>
  );
}

export default function RefreshTokenPage() {
  const sandboxOrigin = useLabConfig((s) => s.sandboxOrigin);
  const relayOff = useRelayOffHere();
  const authority = useSettings((s) => s.authority);
  const create = useCallback(() => newContext(sandboxOrigin), [sandboxOrigin]);
  const { run, ctx, deps, patch, execute, restart, failureFor, statusOf, goTo, announcement, announce } =
    useFlowRunner<RefreshContext>(FLOW_ID, create, 'token');
  useOnDemandParts({ failure: run?.failure !== undefined, tokens: ctx?.tokens !== undefined });
  const features = useProviderFeatures();
  const issuer = useSettings((s) => (s.authority === 'issuer' ? s.issuer?.issuer : undefined));

  if (run === undefined || ctx === undefined) return <p role="status">Preparing the flow…</p>;

  const stepProps = (id: StepId) => stepSectionProps(flow.steps, id, statusOf(id), run.current, goTo);

  const pick = (value: string, entry: ObtainedTokens | undefined) => {
    if (entry === undefined) {
      patch({ refreshToken: value });
      return;
    }
    const { grantedScope: _previous, ...rest } = ctx;
    restart(
      {
        ...rest,
        refreshToken: value,
        clientId: entry.clientId,
        tokenEndpoint: entry.tokenEndpoint,
        spa: entry.spa,
        clientSecret: entry.spa ? '' : secretForRun(entry.clientId),
        ...(ctx.authMethod === undefined
          ? {}
          : {
              // A client with no secret in the settings is taken for a public one, as before the choice.
              authMethod: initialClientAuthMethod(sandboxOrigin, entry.clientId, {
                publicClient: entry.spa || secretForRun(entry.clientId) === '',
              }),
              jwtAssertion: undefined,
            }),
        ...(entry.tokens.scope === undefined ? {} : { grantedScope: entry.tokens.scope }),
        scope: ctx.scope,
      },
      'request',
      `Refresh token from “${entry.flowTitle}” chosen; it was issued to ${entry.spa ? 'an SPA: it goes from the browser' : relayOff ? 'a non-SPA client: it needs a server, which this shared lab does not lend' : 'a non-SPA client: it goes through the relay'}.`,
    );
  };

  const addToHistory = (tokens: TokenResponse) =>
    useTokenHistory.getState().add({
      flowId: FLOW_ID,
      flowTitle: flow.title,
      clientId: ctx.clientId,
      tokenEndpoint: ctx.tokenEndpoint,
      spa: ctx.spa,
      tokens,
    });

  const redeem = async () => {
    const sent = await execute('request', sendRefresh, { failure: 'The refresh request failed.' });
    if (sent === undefined) return;
    const read = await execute('request', readRefresh, {
      next: 'tokens',
      success: 'New access and refresh tokens received.',
      failure: 'The token endpoint refused the refresh token.',
    });
    if (read?.tokens === undefined) return;
    addToHistory(read.tokens);
    useFlowRuns.getState().setStep(FLOW_ID, 'tokens', 'done');
  };

  const reuse = async () => {
    const sent = await execute('reuse', sendReuse, { failure: 'The second request failed.' });
    if (sent === undefined) return;
    const read = await execute('reuse', readReuse, {
      success: 'The old refresh token still worked: the client must discard it itself.',
      failure: 'The old refresh token was refused.',
    });
    if (read?.reuseTokens !== undefined) addToHistory(read.reuseTokens);
  };

  const useNewToken = () => {
    const next = ctx.tokens?.refresh_token;
    if (next === undefined) return;
    const { grantedScope, ...rest } = ctx;
    restart(
      { ...rest, refreshToken: next, ...(grantedScope === undefined ? {} : { grantedScope }) },
      'request',
      'The new refresh token is now the one to redeem.',
    );
  };

  const warnings = validateRefreshRequest(ctx);
  const route = decideRefreshRoute(ctx, deps);
  const values: Record<string, string> = {
    grant_type: 'refresh_token',
    client_id: ctx.clientId,
    scope: ctx.scope,
  };
  const parameter = (name: string) => REFRESH_PARAMETERS.find((p) => p.name === name);

  return (
    <FlowPage
      flow={flow}
      current={run.current}
      status={run.status}
      onGoTo={goTo}
      announcement={announcement}
      options={
        <>
          {authority === 'sandbox' && <RotationToggle sandboxOrigin={sandboxOrigin} onChanged={announce} />}
          <button type="button" onClick={() => restart(newContext(sandboxOrigin), 'token', 'Started again.')}>
            Start again
          </button>
        </>
      }
    >
      {(ctx.authMethod === undefined) !== features.entraShaped && (
        <p className="warning" role="note" aria-label="Run from another authority">
          This run was started for {ctx.authMethod === undefined ? 'Entra' : 'another issuer'}, and the
          settings now point at {features.entraShaped ? 'Entra or its sandbox' : 'another issuer'}: press
          Start again to use the current authority (and its client authentication methods).
        </p>
      )}
      <StepSection {...stepProps('token')}>
        {run.notKept?.includes('tokens') === true && ctx.refreshToken === '' && (
          <p className="note" role="note" aria-label="Refresh token not kept">
            The refresh token this run held before the reload was not kept: tokens survive a reload only when
            you keep them in this tab (the run history above). Choose it again from a run of this tab, or sign
            in again for a new one.
          </p>
        )}
        <TokenPicker
          kind="refresh_token"
          label="Refresh token to redeem"
          value={ctx.refreshToken}
          onChange={pick}
        />
        <div className="field">
          <label htmlFor="refresh-endpoint">Token endpoint</label>
          <input
            id="refresh-endpoint"
            value={ctx.tokenEndpoint}
            spellCheck={false}
            autoComplete="off"
            onChange={(e) => patch({ tokenEndpoint: e.target.value })}
          />
        </div>
        <label className="choice">
          <input type="checkbox" checked={ctx.spa} onChange={(e) => patch({ spa: e.target.checked })} />
          Issued to an SPA redirect URI (redeem from the browser)
        </label>
        {ctx.grantedScope !== undefined && (
          <p className="help">
            Granted with this refresh token: <code>{ctx.grantedScope}</code>
          </p>
        )}
      </StepSection>

      <StepSection {...stepProps('request')}>
        <form className="params" onSubmit={(e) => e.preventDefault()} aria-label="Refresh request parameters">
          {(['grant_type', 'client_id', 'scope'] as const).map((name) => {
            const definition = parameter(name);
            return definition === undefined ? null : (
              <ParameterField
                key={name}
                definition={definition}
                value={values[name] ?? ''}
                disabled={name === 'grant_type'}
                onChange={(value) => patch(name === 'client_id' ? { clientId: value } : { scope: value })}
              />
            );
          })}
          {(ctx.authMethod === undefined
            ? !ctx.spa
            : ctx.authMethod !== 'none' && ctx.authMethod !== 'private_key_jwt') && (
            <div className="field">
              <label htmlFor="refresh-secret">
                Client secret (confidential clients; kept in memory only)
              </label>
              <SecretInput
                id="refresh-secret"
                value={ctx.clientSecret}
                onChange={(value) => patch({ clientSecret: value })}
              />
            </div>
          )}
        </form>
        {ctx.authMethod !== undefined && (
          <ClientAuthChoice
            verdicts={assessClientAuthMethods(features.metadata, { methods: REFRESH_AUTH_METHODS })}
            method={ctx.authMethod}
            onMethodChange={(authMethod) => {
              patch({ authMethod });
              announce(`Client authentication: ${authMethod}.`);
            }}
            clientId={ctx.clientId}
            clientSecret={ctx.clientSecret}
            clientKey={ctx.clientKey}
            onClientKeyChange={(clientKey) => patch({ clientKey })}
            keyRegistrationUrl={standardsKeyRegistrationUrl(sandboxOrigin, issuer, ctx.clientId)}
            assertion={ctx.jwtAssertion}
            deps={deps}
          />
        )}
        <p className="help">
          Narrowing: ask for fewer scopes than were granted (for example <code>openid User.Read</code>) and
          the new access token carries only those. You cannot widen the grant here, and Entra issues one
          resource per request.
        </p>
        <WarningsList warnings={warnings} />
        <TokenRequestPanel
          request={buildRefreshRequest(ctx)}
          route={route}
          exchange={ctx.exchange}
          failure={failureFor('request')}
          sending={statusOf('request') === 'running'}
          sendLabel="Redeem the refresh token"
          onSend={() => void redeem()}
        />
        <InvalidGrantNote failure={failureFor('request')} reuse={false} />
      </StepSection>

      <StepSection {...stepProps('tokens')}>
        {ctx.tokens === undefined ? (
          <p>No new tokens yet.</p>
        ) : (
          <>
            <TokensPanel tokens={ctx.tokens} />
            {ctx.tokens.refresh_token !== undefined && (
              <button type="button" onClick={useNewToken}>
                Use the new refresh token
              </button>
            )}
          </>
        )}
      </StepSection>

      <StepSection {...stepProps('reuse')}>
        <p>
          A careful client throws the redeemed refresh token away. Send it once more to see whether the server
          still accepts it.
        </p>
        <button
          type="button"
          data-next-action
          onClick={() => void reuse()}
          disabled={ctx.redeemedToken === undefined || statusOf('reuse') === 'running'}
        >
          Redeem the old refresh token again
        </button>
        {ctx.reuseTokens !== undefined && (
          <p className="warning refresh-still-valid">
            The old refresh token still works: the server did not revoke it when it issued the new one. That
            is Entra’s behaviour, so a leaked refresh token stays useful to an attacker until it expires — the
            client must discard the old one as soon as it has the new one.
          </p>
        )}
        {ctx.reuseExchange !== undefined && <HttpExchangeView exchange={ctx.reuseExchange} />}
        {failureFor('reuse') !== undefined && <FailurePanel failure={failureFor('reuse')!} context="token" />}
        <InvalidGrantNote failure={failureFor('reuse')} reuse />
      </StepSection>
    </FlowPage>
  );
}
