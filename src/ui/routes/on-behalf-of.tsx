import { useCallback, useEffect, useRef } from 'react';
import {
  buildExchangeRequest,
  decideExchangeRoute,
  navigationRecord,
} from '../../flows/authorization-code.ts';
import {
  buildClaimsChallengeHeader,
  buildOboRequest,
  callDownstreamApi,
  checkAssertion,
  compareTokens,
  createOboContext,
  decideOboRoute,
  OBO_PARAMETERS,
  onBehalfOfFlow as flow,
  oboVariant,
  prepareUserSignIn,
  readClaimsChallenge,
  readOnBehalfOf,
  readUserTokenRedeem,
  redirectSafeOboContext,
  sendOnBehalfOf,
  sendUserTokenRedeem,
  withClaimsChallenge,
  type ClaimsChallenge,
  type OboContext,
} from '../../flows/on-behalf-of.ts';
import { runStep } from '../../flows/runner.ts';
import { useFlowRuns } from '../../state/flow-runs.ts';
import { useLabConfig } from '../../state/lab-config.ts';
import { clearPendingRedirect, savePendingRedirect } from '../../state/pending-redirect.ts';
import { useSandboxDirectory } from '../../state/sandbox-directory.ts';
import {
  clientFor,
  defaultRedirectUri,
  endpointsFor,
  expectedIssuer,
  useSettings,
} from '../../state/settings.ts';
import { useTokenHistory } from '../../state/token-history.ts';
import { FlowPage } from '../components/flow-page.tsx';
import { FailurePanel, TokensPanel, useOnDemandParts } from '../components/on-demand.tsx';
import { HttpExchangeView } from '../components/http-exchange-view.tsx';
import { ParameterField } from '../components/parameter-field.tsx';
import { SecretInput } from '../components/secret-input.tsx';
import { StepSection, stepSectionProps } from '../components/step-section.tsx';
import { TokenPicker } from '../components/token-picker.tsx';
import { TokenRequestPanel } from '../components/token-request-panel.tsx';
import { useFlowRunner } from '../use-flow-run.ts';
import './on-behalf-of.css';
import { RelayOffNotice, WhereRelayRuns } from '../components/hosting-notices.tsx';

const FLOW_ID = flow.id;
type StepId = (typeof flow.steps)[number]['id'];

function newContext(sandboxOrigin: string): OboContext {
  const settings = useSettings.getState();
  const sandbox = settings.authority === 'sandbox';
  const endpoints = endpointsFor(settings, sandboxOrigin);
  const issuer = expectedIssuer(settings, sandboxOrigin);
  const api = clientFor('Flow Lab API');
  return createOboContext({
    authorizationEndpoint: endpoints.authorization,
    tokenEndpoint: endpoints.token ?? '',
    ...(issuer === undefined ? {} : { issuer }),
    spaClientId: clientFor('Flow Lab SPA').clientId,
    redirectUri: sandbox ? defaultRedirectUri() : settings.redirectUri,
    apiClientId: api.clientId,
    apiClientSecret: api.clientSecret,
    apiUrl: sandbox ? `${sandboxOrigin.replace(/\/+$/, '')}/v1.0/me` : 'https://graph.microsoft.com/v1.0/me',
  });
}

/** Moves focus to step 1's next action (sign in, redeem, or the picker), scrolled into view. */
function focusUserTokenStep() {
  const section = document.getElementById('step-user-token');
  const target =
    [...(section?.querySelectorAll<HTMLElement>('[data-next-action]') ?? [])].find(
      (element) => !(element as HTMLButtonElement).disabled,
    ) ?? document.getElementById('step-user-token-title');
  target?.scrollIntoView({ block: 'center' });
  target?.focus({ preventScroll: true });
}

/**
 * Which sandbox user to sign in as, for each case the page teaches. The app's view of the sandbox lists
 * apps, not users, so the names are said here and the passwords left to the portal.
 */
function SandboxUsersNote({ portal }: { portal: string | undefined }) {
  return (
    <details className="obo-users">
      <summary>Which sandbox user to sign in as</summary>
      <ul>
        <li>
          <strong>Adele</strong> (<code>adele@flowlab-sandbox.onmicrosoft.com</code>): the plain exchange, no
          policy in the way.
        </li>
        <li>
          <strong>Alex</strong> (<code>alex@flowlab-sandbox.onmicrosoft.com</code>): the claims challenge.
          With Graph behind the sandbox’s MFA policy (portal settings), his sign-in asks no second factor, so
          the exchange is refused with AADSTS50076 until he signs in again with the challenge.
        </li>
        <li>
          <strong>Megan</strong> (<code>megan@flowlab-sandbox.onmicrosoft.com</code>): always signs in with
          MFA, so her token passes that policy at once.
        </li>
        <li>
          <strong>Isaiah</strong> (<code>isaiah@flowlab-sandbox.onmicrosoft.com</code>), the administrator:
          consent on behalf of the tenant when the users may not consent.
        </li>
      </ul>
      <p className="help">
        Their passwords and second-factor codes are on the{' '}
        {portal === undefined ? 'sandbox portal' : <a href={portal}>sandbox portal</a>} (sandbox-only values).
      </p>
    </details>
  );
}

function show(value: unknown): string {
  if (value === undefined) return '(absent)';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export default function OnBehalfOfPage() {
  const sandboxOrigin = useLabConfig((s) => s.sandboxOrigin);
  const create = useCallback(() => newContext(sandboxOrigin), [sandboxOrigin]);
  const { run, ctx, deps, patch, execute, restart, failureFor, statusOf, goTo, announcement, announce } =
    useFlowRunner<OboContext>(FLOW_ID, create, 'user-token');
  useOnDemandParts({ failure: run?.failure !== undefined, tokens: ctx?.tokens !== undefined });
  const secretRestored = useRef(false);
  const sandbox = useSettings((s) => s.authority === 'sandbox');
  const portal = useSandboxDirectory((s) => s.directory?.portal);

  // Back from hop 1's redirect, API A's secret (never stored) is filled in again from the sandbox seed.
  useEffect(() => {
    if (ctx === undefined || secretRestored.current) return;
    secretRestored.current = true;
    if (ctx.clientSecret === '' && useSettings.getState().authority === 'sandbox') {
      patch({ clientSecret: clientFor('Flow Lab API').clientSecret });
    }
  }, [ctx, patch]);

  // Back from hop 1's sign-in (or reloaded before redeeming): the code is waiting, so focus goes to
  // "Redeem", in view, and the page says where the run is.
  const arrivalHandled = useRef(false);
  const waitingCode =
    ctx !== undefined &&
    ctx.signIn.authorizationResponse?.code !== undefined &&
    ctx.assertionSource === undefined &&
    ctx.signIn.exchange === undefined;
  useEffect(() => {
    if (arrivalHandled.current || ctx === undefined) return;
    if (!waitingCode) {
      arrivalHandled.current = true;
      return;
    }
    const frame = window.requestAnimationFrame(() => {
      arrivalHandled.current = true;
      focusUserTokenStep();
      announce(
        'Back from the authorization server with a code; the state matches. Next: redeem it for the user token.',
      );
    });
    return () => window.cancelAnimationFrame(frame);
  }, [ctx, waitingCode, announce]);

  if (run === undefined || ctx === undefined) return <p role="status">Preparing the flow…</p>;

  const stepProps = (id: StepId) => stepSectionProps(flow.steps, id, statusOf(id), run.current, goTo);

  const startAgain = () => {
    clearPendingRedirect();
    const fresh = newContext(sandboxOrigin);
    restart(
      {
        ...fresh,
        clientId: ctx.clientId,
        clientSecret: ctx.clientSecret,
        scope: ctx.scope,
        apiUrl: ctx.apiUrl,
      },
      'user-token',
      'Started again; API A’s settings are kept.',
    );
  };

  const getUserToken = async (from: OboContext = ctx) => {
    const store = useFlowRuns.getState();
    store.setStep(FLOW_ID, 'user-token', 'running', { current: 'user-token' });
    const prepared = await runStep(prepareUserSignIn, from, deps);
    if (!prepared.ok) {
      store.setStep(FLOW_ID, 'user-token', 'failed', { failure: prepared.failure });
      return;
    }
    const next = { ...from, signIn: prepared.patch.signIn };
    // The run that leaves holds the new verifier (the callback hands the answer to it); the Token A and
    // the hop 2 results of an earlier sign-in go, so nothing shown belongs to another sign-in.
    store.patch<OboContext>(FLOW_ID, {
      signIn: next.signIn,
      assertion: '',
      assertionSource: undefined,
      exchange: undefined,
      tokens: undefined,
      apiCall: undefined,
    });
    const url = prepared.patch.url;
    store.record(FLOW_ID, navigationRecord(url, 'user-token'));
    // The marker names the run; only hop 1's request and verifier go with it, no secret, no token.
    savePendingRedirect(FLOW_ID, redirectSafeOboContext(next));
    window.location.assign(url.toString());
  };

  const redeemUserCode = async () => {
    const sent = await execute('user-token', sendUserTokenRedeem, { failure: 'The code failed.' });
    if (sent === undefined) return;
    const read = await execute('user-token', readUserTokenRedeem, {
      next: 'exchange',
      success: 'User token for API A received; it is now the incoming token.',
      failure: 'The token endpoint refused the code.',
    });
    const tokens = read?.signIn.tokens;
    if (tokens === undefined) return;
    // API A's checks are read from the token as soon as it is here: the exchange is what comes next.
    useFlowRuns.getState().setStep(FLOW_ID, 'check', 'done');
    useTokenHistory.getState().add({
      flowId: FLOW_ID,
      flowTitle: `${flow.title} (hop 1)`,
      clientId: read?.signIn.params['client_id'] ?? '',
      tokenEndpoint: ctx.tokenEndpoint,
      spa: true,
      tokens,
    });
  };

  const exchangeToken = async () => {
    if (ctx.assertion.trim() === '') {
      // Nothing to exchange yet: say so and take the user to where Token A comes from.
      goTo('user-token');
      announce('The exchange needs the user’s token first: sign in in step 1, or choose a token there.');
      focusUserTokenStep();
      return;
    }
    const sent = await execute('exchange', sendOnBehalfOf, { failure: 'The exchange failed.' });
    if (sent === undefined) return;
    const read = await execute('exchange', readOnBehalfOf, {
      next: 'tokens',
      success: 'Token for API B received, for the same user.',
      failure: 'Entra refused the exchange.',
    });
    if (read?.tokens === undefined) return;
    useFlowRuns.getState().setStep(FLOW_ID, 'check', 'done');
    useFlowRuns.getState().setStep(FLOW_ID, 'tokens', 'done');
    useTokenHistory.getState().add({
      flowId: FLOW_ID,
      flowTitle: flow.title,
      clientId: ctx.clientId,
      tokenEndpoint: ctx.tokenEndpoint,
      spa: false,
      tokens: read.tokens,
    });
  };

  const callApi = () =>
    void execute('call', callDownstreamApi, {
      success: 'API B answered; see the response below.',
      failure: 'The call to API B got no answer.',
    });

  // The client's answer to a claims challenge: hop 1 again, with the challenge in the sign-in request.
  const answerChallenge = (challenge: ClaimsChallenge) => {
    const next = withClaimsChallenge(ctx, challenge);
    patch(next);
    void getUserToken(next);
  };

  const signIn = ctx.signIn;
  const code = signIn.authorizationResponse?.code;
  const challenge = readClaimsChallenge(failureFor('exchange')?.fields);
  const sentClaims = signIn.extraParams.find(([name]) => name === 'claims')?.[1];
  const check = checkAssertion(ctx.assertion, ctx.clientId);
  const comparison = ctx.tokens === undefined ? [] : compareTokens(ctx.assertion, ctx.tokens.access_token);
  const values: Record<string, string> = {
    grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
    client_id: ctx.clientId,
    requested_token_use: 'on_behalf_of',
    scope: ctx.scope,
  };

  return (
    <FlowPage
      flow={flow}
      current={run.current}
      status={run.status}
      onGoTo={goTo}
      announcement={announcement}
      variants={[oboVariant(ctx)]}
      options={
        <button type="button" onClick={startAgain}>
          Start again
        </button>
      }
    >
      <StepSection {...stepProps('user-token')}>
        <p>
          The client (here the SPA registration) signs the user in with code + PKCE and asks for{' '}
          <code>{signIn.params['scope']}</code>, so the access token is issued for API A.
        </p>
        {sandbox && <SandboxUsersNote portal={portal} />}
        <button
          type="button"
          className="primary"
          onClick={() => void getUserToken()}
          {...(code === undefined || ctx.assertionSource !== undefined ? { 'data-next-action': true } : {})}
        >
          Get a user token for the API
        </button>
        {code !== undefined && ctx.assertionSource === undefined && (
          <>
            <p className="ok">Came back with a code; the state matches what this tab sent.</p>
            <TokenRequestPanel
              request={buildExchangeRequest(signIn)}
              route={decideExchangeRoute(signIn, deps)}
              exchange={signIn.exchange}
              failure={failureFor('user-token')}
              sending={statusOf('user-token') === 'running'}
              sendLabel="Redeem the code for the user token"
              onSend={() => void redeemUserCode()}
            />
          </>
        )}
        {code === undefined && failureFor('user-token') !== undefined && (
          <FailurePanel
            failure={failureFor('user-token')!}
            context="authorize"
            onRetry={startAgain}
            retryLabel="Start again"
          />
        )}
        {sentClaims !== undefined && (
          <p className="note" role="note" aria-label="Claims challenge in this sign-in">
            This sign-in carries the claims challenge (<code>claims={sentClaims}</code>): Entra asks for the
            second factor the policy wants before it issues the code.
          </p>
        )}
        <p>Or use an access token from an earlier run, or paste one:</p>
        <TokenPicker
          kind="access_token"
          label="Incoming user token (the assertion)"
          value={ctx.assertion}
          onChange={(value, entry) => {
            patch({ assertion: value, assertionSource: entry === undefined ? 'pasted' : 'earlier-run' });
            if (value === '') return;
            // API A's checks are read from the token at once; the step is done, the exchange comes next.
            useFlowRuns.getState().setStep(FLOW_ID, 'check', 'done');
            announce('Incoming token set; see API A’s checks below, then exchange it in step 3.');
          }}
        />
      </StepSection>

      <StepSection {...stepProps('check')}>
        {ctx.assertion === '' ? (
          <p>No incoming token yet.</p>
        ) : (
          <>
            <div className="obo-table-scroll">
              <table className="lab-table obo-check">
                <caption>What API A checks before it exchanges the token</caption>
                <thead>
                  <tr>
                    <th scope="col">Claim</th>
                    <th scope="col">In the token</th>
                    <th scope="col">Expected</th>
                    <th scope="col">Verdict</th>
                  </tr>
                </thead>
                <tbody>
                  <tr>
                    <th scope="row">
                      <code>aud</code>
                    </th>
                    <td className="wrap">{show(check.aud)}</td>
                    <td className="wrap">
                      {ctx.clientId} or api://{ctx.clientId}
                    </td>
                    <td>{check.audienceOk ? 'passes' : 'fails'}</td>
                  </tr>
                  <tr>
                    <th scope="row">
                      <code>scp</code> (a user token)
                    </th>
                    <td className="wrap">{show(check.scp)}</td>
                    <td>delegated scopes, not app roles</td>
                    <td>{check.userToken ? 'passes' : 'fails'}</td>
                  </tr>
                  <tr>
                    <th scope="row">
                      <code>oid</code>
                    </th>
                    <td className="wrap">{show(check.oid)}</td>
                    <td>the user to act for</td>
                    <td>{check.oid === undefined ? 'fails' : 'passes'}</td>
                  </tr>
                </tbody>
              </table>
            </div>
            {check.problems.length > 0 ? (
              <ul className="warnings" aria-label="Problems with the incoming token">
                {check.problems.map((p) => (
                  <li key={p.message}>{p.message}</li>
                ))}
              </ul>
            ) : (
              <p className="ok">The token was issued to API A for a user: API A may exchange it.</p>
            )}
          </>
        )}
      </StepSection>

      <StepSection {...stepProps('exchange')}>
        <p className="note">
          In real life API A’s server sends this request with its own secret; the browser never sees that
          secret.<WhereRelayRuns> Here the local relay plays API A’s server.</WhereRelayRuns>
        </p>
        <RelayOffNotice />
        <form
          className="params"
          onSubmit={(e) => e.preventDefault()}
          aria-label="On-behalf-of request parameters"
        >
          {OBO_PARAMETERS.filter((p) => p.name !== 'assertion').map((definition) => (
            <ParameterField
              key={definition.name}
              definition={definition}
              value={values[definition.name] ?? ''}
              disabled={definition.name === 'grant_type' || definition.name === 'requested_token_use'}
              onChange={(value) =>
                patch(definition.name === 'client_id' ? { clientId: value } : { scope: value })
              }
            />
          ))}
          <div className="field">
            <label htmlFor="obo-secret">API A’s client secret (kept in memory only)</label>
            <SecretInput
              id="obo-secret"
              value={ctx.clientSecret}
              onChange={(value) => patch({ clientSecret: value })}
            />
          </div>
        </form>
        {ctx.assertion === '' && (
          <div className="obo-needs-token" role="note" aria-label="What the exchange needs">
            <p>
              <strong>The exchange needs the user’s token (Token A) first.</strong> Get it in step 1: sign in
              there, or choose an access token from an earlier run, or paste one.
            </p>
            <button
              type="button"
              className="primary"
              data-next-action
              onClick={() => {
                goTo('user-token');
                focusUserTokenStep();
              }}
            >
              Get the user’s token (step 1)
            </button>
          </div>
        )}
        {check.problems.length > 0 && ctx.assertion !== '' && (
          <p className="warning">
            The incoming token fails API A’s checks (see above): expect Entra to refuse it.
          </p>
        )}
        <TokenRequestPanel
          request={buildOboRequest(ctx)}
          route={decideOboRoute(deps)}
          exchange={ctx.exchange}
          failure={failureFor('exchange')}
          sending={statusOf('exchange') === 'running'}
          sendLabel="Exchange the token (on-behalf-of)"
          onSend={() => void exchangeToken()}
        />
        {challenge !== undefined && (
          <section className="obo-challenge" aria-labelledby="obo-challenge-title">
            <h3 id="obo-challenge-title">Claims challenge: the user must sign in again</h3>
            <p>
              A Conditional Access policy on API B wants more than the user’s sign-in gave
              {challenge.code === 50079
                ? ' — a second factor the account has not registered yet'
                : ' — multi-factor authentication'}
              . API A has no browser and cannot show the prompt, so Entra answered with a <code>claims</code>{' '}
              value instead of Token B.
            </p>
            <ol>
              <li>
                API A answers its client <code>401</code> and passes the challenge on, unchanged:
                <pre style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
                  WWW-Authenticate:{' '}
                  {buildClaimsChallengeHeader(
                    challenge,
                    ctx.signIn.authorizationEndpoint,
                    ctx.signIn.params['client_id'] ?? '',
                  )}
                </pre>
              </li>
              <li>
                The client signs the user in again, adding <code>claims={challenge.claims}</code> to the
                authorization request.
              </li>
              <li>Entra asks for the second factor; the new Token A records it.</li>
              <li>API A exchanges the new Token A, and this time gets Token B.</li>
            </ol>
            {challenge.policyIds.length > 0 && (
              <p className="help">Policy named in the challenge: {challenge.policyIds.join(', ')}.</p>
            )}
            <button type="button" className="primary" onClick={() => answerChallenge(challenge)}>
              Sign in again with the claims challenge
            </button>
          </section>
        )}
      </StepSection>

      <StepSection {...stepProps('tokens')}>
        {ctx.tokens === undefined ? (
          <p>No token for API B yet.</p>
        ) : (
          <>
            <div className="obo-table-scroll">
              <table className="lab-table obo-compare">
                <caption>Token A (incoming) and Token B (from the exchange), side by side</caption>
                <thead>
                  <tr>
                    <th scope="col">Claim</th>
                    <th scope="col">Token A</th>
                    <th scope="col">Token B</th>
                    <th scope="col">Same?</th>
                  </tr>
                </thead>
                <tbody>
                  {comparison.map((row) => (
                    <tr key={row.claim}>
                      <th scope="row">
                        <code>{row.claim}</code>
                      </th>
                      <td className="wrap">{show(row.incoming)}</td>
                      <td className="wrap">{show(row.outgoing)}</td>
                      <td>{row.same ? 'same' : 'different'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <p>
              Same user (<code>oid</code>, <code>tid</code>), new audience (API B) and a new authorized party
              (API A instead of the client). API A uses Token B for API B only and never passes it on.
            </p>
            <TokensPanel
              tokens={ctx.tokens}
              noIdToken="No ID token: API A asked for an API’s token, not a sign-in (add openid to the scope to get one)."
              noRefreshToken="No refresh token: add offline_access to the scope if API A must call API B later without the user."
            />
          </>
        )}
      </StepSection>

      <StepSection {...stepProps('call')}>
        <div className="field">
          <label htmlFor="obo-api-url">API B’s URL</label>
          <input
            id="obo-api-url"
            value={ctx.apiUrl}
            spellCheck={false}
            autoComplete="off"
            onChange={(e) => patch({ apiUrl: e.target.value })}
          />
        </div>
        <p className="help">
          Sent from the browser here because Graph and the sandbox API accept cross-origin calls; in real life
          API A’s server makes it.
        </p>
        <button type="button" onClick={callApi} disabled={ctx.tokens === undefined} data-next-action>
          Call API B with the new token
        </button>
        {ctx.apiCall !== undefined && <HttpExchangeView exchange={ctx.apiCall} />}
        {failureFor('call') !== undefined && <FailurePanel failure={failureFor('call')!} context="api" />}
      </StepSection>
    </FlowPage>
  );
}
