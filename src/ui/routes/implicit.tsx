import { useCallback, useEffect, useState } from 'react';
import {
  blockedReason,
  buildHybridRedeemRequest,
  buildImplicitAuthorizeStep,
  createImplicitContext,
  decideHybridRoute,
  IMPLICIT_PARAMETERS,
  implicitFlow as flow,
  implicitVariants,
  isHybrid,
  readHybridRedeem,
  redirectSafeImplicitContext,
  sendHybridRedeem,
  type FrontChannelResult,
  type ImplicitContext,
} from '../../flows/implicit.ts';
import { navigationRecord } from '../../flows/authorization-code.ts';
import type { TokenResponse } from '../../protocol/token.ts';
import { useFlowRuns, type FlowRun } from '../../state/flow-runs.ts';
import { useLabConfig } from '../../state/lab-config.ts';
import { clearPendingRedirect, savePendingRedirect } from '../../state/pending-redirect.ts';
import {
  clientFor,
  defaultRedirectUri,
  endpointsFor,
  expectedIssuer,
  useSettings,
  type SandboxAppName,
} from '../../state/settings.ts';
import { useTokenHistory } from '../../state/token-history.ts';
import { FlowPage } from '../components/flow-page.tsx';
import { FailurePanel, TokensPanel, TokenView, useOnDemandParts } from '../components/on-demand.tsx';
import { ParameterField } from '../components/parameter-field.tsx';
import { RedirectTokenNotice } from '../components/redirect-token-notice.tsx';
import { SecretInput } from '../components/secret-input.tsx';
import { StepSection, stepSectionProps } from '../components/step-section.tsx';
import { TokenRequestPanel } from '../components/token-request-panel.tsx';
import { UrlPreview } from '../components/url-preview.tsx';
import { useFlowRunner } from '../use-flow-run.ts';
import './implicit.css';
import { WarningsList } from '../components/warnings-list.tsx';
import { RelayOffNotice, WhereRelayRuns } from '../components/hosting-notices.tsx';

const FLOW_ID = flow.id;
type StepId = (typeof flow.steps)[number]['id'];

/** The sandbox registrations worth trying here: implicit on, and implicit off (to see the refusal). */
const APPS: readonly { name: SandboxAppName; label: string }[] = [
  { name: 'Flow Lab Legacy SPA', label: 'Flow Lab Legacy SPA (implicit ID and access tokens on)' },
  { name: 'Flow Lab SPA', label: 'Flow Lab SPA (implicit off: Entra refuses)' },
];

function newContext(sandboxOrigin: string, appName: SandboxAppName = 'Flow Lab Legacy SPA'): ImplicitContext {
  const settings = useSettings.getState();
  const endpoints = endpointsFor(settings, sandboxOrigin);
  const issuer = expectedIssuer(settings, sandboxOrigin);
  const client = clientFor(appName);
  const metadata = settings.authority === 'issuer' ? settings.issuer?.supportMetadata : undefined;
  return createImplicitContext({
    authorizationEndpoint: endpoints.authorization,
    tokenEndpoint: endpoints.token ?? '',
    ...(issuer === undefined ? {} : { issuer }),
    ...(metadata === undefined ? {} : { authorizationMetadata: metadata }),
    clientId: client.clientId,
    redirectUri: settings.authority === 'sandbox' ? defaultRedirectUri() : settings.redirectUri,
    clientSecret: client.clientSecret,
  });
}

function addTokensToHistory(ctx: ImplicitContext, tokens: TokenResponse): void {
  useTokenHistory.getState().add({
    flowId: FLOW_ID,
    flowTitle: flow.title,
    clientId: ctx.params['client_id'] ?? '',
    tokenEndpoint: ctx.tokenEndpoint,
    spa: false,
    tokens,
  });
}

/** The fragment's access token (and ID token) as a token response, when there is an access token. */
function frontChannelTokens(received: FrontChannelResult): TokenResponse | undefined {
  // Empty: a reload did not bring it back (tokens are kept only when the user chose so).
  if (received.accessToken === undefined || received.accessToken === '') return undefined;
  return {
    access_token: received.accessToken,
    token_type: received.tokenType ?? 'Bearer',
    ...(received.scope === undefined ? {} : { scope: received.scope }),
    ...(received.expiresIn === undefined ? {} : { expires_in: Number(received.expiresIn) }),
    ...(received.idToken === undefined || received.idToken === '' ? {} : { id_token: received.idToken }),
  };
}

/** What a new sign-in makes obsolete: the previous answer, redemption and tokens go, their steps are idle. */
function clearAfterSignIn(ctx: ImplicitContext): void {
  const store = useFlowRuns.getState();
  const results = ['received', 'exchange', 'tokens'] as const;
  if (results.every((key) => ctx[key] === undefined)) return;
  store.patch(FLOW_ID, Object.fromEntries(results.map((key) => [key, undefined])));
  for (const step of ['validate', 'redeem', 'tokens']) store.setStep(FLOW_ID, step, 'idle');
}

export default function ImplicitPage() {
  const sandboxOrigin = useLabConfig((s) => s.sandboxOrigin);
  const formPostReceiver = useLabConfig((s) => s.formPost);
  const create = useCallback(() => newContext(sandboxOrigin), [sandboxOrigin]);
  const { run, ctx, deps, patch, execute, restart, failureFor, statusOf, goTo, announcement, announce } =
    useFlowRunner<ImplicitContext>(FLOW_ID, create, 'authorize');
  useOnDemandParts({
    failure: run?.failure !== undefined,
    tokens: ctx?.tokens !== undefined || ctx?.received !== undefined,
  });
  const [focusedParam, setFocusedParam] = useState<string | undefined>();
  const authority = useSettings((s) => s.authority);
  const received = run?.ctx.received;

  // Arriving from the callback: say where the run is, as focus moves to its next action.
  useEffect(() => {
    const arrived = useFlowRuns.getState().runs[FLOW_ID] as FlowRun<ImplicitContext> | undefined;
    if (arrived === undefined) return;
    const failed = arrived.failure?.stepId;
    let text = '';
    if (arrived.focusPending === true && arrived.status['validate'] === 'done') {
      text = isHybrid(arrived.ctx)
        ? 'Back from the authorization server: state, nonce and c_hash check out. Next: redeem the code.'
        : 'Back from the authorization server: the response checks out, and its tokens are decoded below.';
    } else if (failed === 'sign-in' || failed === 'validate') {
      text = `The response from the authorization server was not used. ${arrived.failure?.failure.message ?? ''}`;
    }
    if (text === '') return;
    const frame = window.requestAnimationFrame(() => announce(text));
    return () => window.cancelAnimationFrame(frame);
  }, [announce]);

  // Validated tokens from the fragment join the history once, so other flows can use them.
  useEffect(() => {
    if (ctx === undefined || received === undefined) return;
    const tokens = frontChannelTokens(received);
    if (tokens === undefined) return;
    if (useTokenHistory.getState().entries.some((e) => e.tokens.access_token === tokens.access_token)) return;
    addTokensToHistory(ctx, tokens);
  }, [ctx, received]);

  if (run === undefined || ctx === undefined) return <p role="status">Preparing the flow…</p>;

  const hybrid = isHybrid(ctx);
  const status = (id: StepId) => (id === 'redeem' && !hybrid ? 'skipped' : statusOf(id));
  const shownStatus = Object.fromEntries(flow.steps.map((s) => [s.id, status(s.id)]));
  const stepProps = (id: StepId) => stepSectionProps(flow.steps, id, status(id), run.current, goTo);

  const setParam = (name: string, value: string) => patch({ params: { ...ctx.params, [name]: value } });
  const appName = APPS.find((app) => clientFor(app.name).clientId === ctx.params['client_id'])?.name;

  const startAgain = (message = 'Started again with fresh state and nonce; your parameters are kept.') => {
    clearPendingRedirect();
    setFocusedParam(undefined);
    const fresh = newContext(sandboxOrigin);
    restart(
      {
        ...fresh,
        clientSecret: ctx.clientSecret,
        params: { ...ctx.params, state: fresh.params['state'] ?? '', nonce: fresh.params['nonce'] ?? '' },
      },
      'authorize',
      message,
    );
  };

  const chooseApp = (name: SandboxAppName) => {
    const client = clientFor(name);
    patch({ clientSecret: client.clientSecret, params: { ...ctx.params, client_id: client.clientId } });
  };

  const authorize = buildImplicitAuthorizeStep(ctx);
  const blocked = blockedReason(ctx, {
    formPostReceiver: formPostReceiver,
    appOrigin: window.location.origin,
  });

  const signIn = () => {
    const store = useFlowRuns.getState();
    clearAfterSignIn(ctx);
    store.setStep(FLOW_ID, 'authorize', 'done');
    store.setStep(FLOW_ID, 'sign-in', 'running', { current: 'sign-in' });
    const url = authorize.url;
    store.record(FLOW_ID, navigationRecord(url, 'authorize'));
    // The run waits in the store; the marker names it for the callback, with endpoints and parameters only.
    savePendingRedirect(FLOW_ID, redirectSafeImplicitContext(ctx));
    window.location.assign(url.toString());
  };

  const addToHistory = (tokens: TokenResponse) => addTokensToHistory(ctx, tokens);

  const redeem = async () => {
    const sent = await execute('redeem', sendHybridRedeem, { failure: 'The token request failed.' });
    if (sent === undefined) return;
    const read = await execute('redeem', readHybridRedeem, {
      next: 'tokens',
      success: 'The code was redeemed; tokens received and decoded.',
      failure: 'The token endpoint refused the code.',
    });
    if (read?.tokens === undefined) return;
    addToHistory(read.tokens);
    useFlowRuns.getState().setStep(FLOW_ID, 'tokens', 'done');
  };

  return (
    <FlowPage
      flow={flow}
      current={run.current}
      status={shownStatus}
      onGoTo={goTo}
      announcement={announcement}
      variants={implicitVariants(ctx)}
      options={
        <>
          {authority === 'sandbox' && (
            <div className="field">
              <label htmlFor="implicit-app">App registration</label>
              <select
                id="implicit-app"
                value={appName ?? ''}
                onChange={(e) => chooseApp(e.target.value as SandboxAppName)}
              >
                {appName === undefined && <option value="">(client id typed below)</option>}
                {APPS.map((app) => (
                  <option key={app.name} value={app.name}>
                    {app.label}
                  </option>
                ))}
              </select>
            </div>
          )}
          <button type="button" onClick={() => startAgain()}>
            Start again
          </button>
        </>
      }
    >
      <StepSection {...stepProps('authorize')}>
        <form
          className="params"
          onSubmit={(e) => e.preventDefault()}
          aria-label="Authorization request parameters"
        >
          {IMPLICIT_PARAMETERS.map((definition) => (
            <ParameterField
              key={definition.name}
              definition={definition}
              value={ctx.params[definition.name] ?? ''}
              onChange={(value) => setParam(definition.name, value)}
              onFocus={() => setFocusedParam(definition.name)}
            />
          ))}
        </form>
        <UrlPreview url={authorize.url} focused={focusedParam} />
        <WarningsList warnings={authorize.warnings} />
      </StepSection>

      <StepSection {...stepProps('sign-in')}>
        {blocked !== undefined ? (
          <p className="note implicit-blocked" role="note">
            {blocked} Switch response_mode back to fragment to run the flow here.
          </p>
        ) : ctx.params['response_mode'] === 'form_post' ? (
          <p>
            The browser leaves for the authorization server, whose page then POSTs the result as a form to{' '}
            <code>{ctx.params['redirect_uri']}</code>. This app’s local server keeps it in memory for at most
            a minute and hands it to the page once, so the tokens never appear in any address or history
            entry.
          </p>
        ) : (
          <>
            <p>
              The browser leaves for the authorization server and comes back to{' '}
              <code>{ctx.params['redirect_uri']}</code> with the result after the <code>#</code>. The app
              reads it, then removes it from the address bar and from this tab’s history entry before doing
              anything else.
            </p>
            <p className="note implicit-history" role="note">
              That clean-up comes too late for one copy: the browser records every address it visits in its
              own history database as the page arrives, before any script runs. The tokens stay there,
              readable by anyone with the browser profile, until that history is cleared. No page can prevent
              this — one more reason the grant is legacy. With <code>response_mode=form_post</code> the tokens
              travel in a POST body and never enter the history.
            </p>
          </>
        )}
        <RedirectTokenNotice />
        <button
          type="button"
          className="primary"
          data-next-action=""
          onClick={signIn}
          disabled={blocked !== undefined}
        >
          Sign in at the authorization server
        </button>
        {failureFor('sign-in') !== undefined && (
          <FailurePanel
            failure={failureFor('sign-in')!}
            context="authorize"
            endpoint={ctx.authorizationEndpoint}
            onRetry={() => startAgain()}
            retryLabel="Start again"
          />
        )}
      </StepSection>

      <StepSection {...stepProps('validate')}>
        {received === undefined ? (
          <p>Nothing received yet.</p>
        ) : (
          <>
            <p className="ok">
              {received.mode === 'form_post'
                ? 'The response came as a form POST, read once from this app’s local server: it was never in the address bar or history.'
                : 'The fragment was read and removed from the address bar and this tab’s history entry (the browser’s history database keeps its own copy).'}{' '}
              The state matches what this tab sent.
            </p>
            <p>
              Parameters received ({received.mode}):{' '}
              {received.names.map((n) => (
                <code key={n}>{n} </code>
              ))}
            </p>
            <ul className="implicit-checks" aria-label="Checks on the response">
              {received.nonceChecked && (
                <li className="ok">
                  nonce verified: the ID token carries <code>{ctx.params['nonce']}</code>, the value this run
                  sent.
                </li>
              )}
              {received.hashes.map((h) => (
                <li key={h.claim} className="ok">
                  {h.claim} verified: SHA-256 of the {h.claim === 'at_hash' ? 'access token' : 'code'}, left
                  half, base64url = <code>{h.calculated}</code>, as in the ID token.
                </li>
              ))}
              {received.idToken === undefined && (
                <li>
                  No ID token came back, so there was no nonce or hash to check: nothing ties this token to
                  the sign-in.
                </li>
              )}
            </ul>
            <p className="help">
              The ID token’s signature is not checked on this page; paste it into the Token inspector to
              verify it against the issuer’s keys.
            </p>
          </>
        )}
        {failureFor('validate') !== undefined && (
          <FailurePanel
            failure={failureFor('validate')!}
            onRetry={() => startAgain()}
            retryLabel="Start again"
          />
        )}
      </StepSection>

      <StepSection {...stepProps('redeem')}>
        {!hybrid ? (
          <p>Only the hybrid flow (response_type “code id_token”) returns a code to redeem.</p>
        ) : received?.code === undefined ? (
          <p>Sign in first: this step needs the code from the fragment.</p>
        ) : (
          <>
            <p className="note">
              The Legacy SPA is registered on the Web platform, so Entra will not redeem its code from a
              browser (AADSTS9002326)<WhereRelayRuns>: the relay sends it</WhereRelayRuns>. A real Web app
              would add its client secret; the sandbox’s Legacy SPA has none, so the code goes alone.
            </p>
            <RelayOffNotice />
            <div className="field">
              <label htmlFor="implicit-secret">Client secret (optional, kept in memory only)</label>
              <SecretInput
                id="implicit-secret"
                value={ctx.clientSecret}
                onChange={(value) => patch({ clientSecret: value })}
              />
            </div>
            <TokenRequestPanel
              request={buildHybridRedeemRequest(ctx)}
              route={decideHybridRoute(ctx, deps)}
              exchange={ctx.exchange}
              failure={failureFor('redeem')}
              sending={statusOf('redeem') === 'running'}
              sendLabel="Redeem the code"
              onSend={() => void redeem()}
              onRetry={() => startAgain()}
              retryLabel="Start again"
            />
          </>
        )}
      </StepSection>

      <StepSection {...stepProps('tokens')}>
        {received === undefined && ctx.tokens === undefined && <p>No tokens yet.</p>}
        {received !== undefined && (
          <div className="implicit-front">
            <h3>From the fragment</h3>
            {received.accessToken !== undefined && received.accessToken !== '' && (
              <TokenView label="Access token" token={received.accessToken} kind="access" headingLevel={4} />
            )}
            {received.idToken !== undefined && received.idToken !== '' && (
              <TokenView label="ID token" token={received.idToken} kind="id" headingLevel={4} />
            )}
            {(received.accessToken === '' || received.idToken === '') && (
              <p className="note">
                The tokens of this run were not kept across the reload (tokens stay in memory unless this tab
                keeps them), so they are not shown. Sign in again to get new ones.
              </p>
            )}
            {received.code !== undefined && (
              <p>A code ({received.code.length} characters), bound to the ID token by c_hash.</p>
            )}
            <p className="absent">
              No refresh token: the implicit flow never returns one. To renew, the app must go back to
              /authorize — silently, in a hidden iframe, which needs third-party cookies.
            </p>
          </div>
        )}
        {ctx.tokens !== undefined && (
          <div className="implicit-back">
            <h3>From the token endpoint (hybrid)</h3>
            <TokensPanel tokens={ctx.tokens} />
          </div>
        )}
      </StepSection>
    </FlowPage>
  );
}
