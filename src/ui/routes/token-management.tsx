import { useCallback, useId, useMemo } from 'react';
import {
  accessTokenIsDpopBound,
  askUserinfo,
  buildIntrospectionPreview,
  buildRefreshPreview,
  buildRevocationPreview,
  buildUserinfoPreview,
  createTokenManagementContext,
  decideManagementRoute,
  decideUserinfoRoute,
  idTokenSubject,
  introspectToken,
  logoutInput,
  prepareLogout,
  readRefreshAttempt,
  reintrospectRevoked,
  revokeToken,
  TOKEN_MANAGEMENT_PARAMETERS,
  tokenManagementFlow as flow,
  tryRefresh,
  type TokenManagementContext,
} from '../../flows/token-management.ts';
import type { StepFailure } from '../../flows/runner.ts';
import {
  assessClientAuthMethods,
  sandboxJwksRegistrationUrl,
  type ClientAuthMethod,
  type ClientAuthMethodAssessment,
} from '../../protocol/client-auth.ts';
import {
  explainIntrospection,
  type IntrospectionReading,
  type TokenTypeHint,
} from '../../protocol/introspection.ts';
import type { HttpExchange } from '../../protocol/http.ts';
import { buildEndSessionUrl, validateLogoutRequest } from '../../protocol/logout.ts';
import { CLIENT_AUTH_METHODS, type ProviderFeature } from '../../protocol/provider-features.ts';
import { useFlowRuns } from '../../state/flow-runs.ts';
import { useLabConfig } from '../../state/lab-config.ts';
import { savePendingRedirect } from '../../state/pending-redirect.ts';
import { useProviderFeatures, type ProviderFeatures } from '../../state/provider-features.ts';
import { activeProfile, clientFor, currentEndpoints, useSettings } from '../../state/settings.ts';
import type { ObtainedTokens } from '../../state/token-history.ts';
import { ClientAuthChoice } from '../components/client-auth-choice.tsx';
import { FlowPage } from '../components/flow-page.tsx';
import { useFieldMask } from '../components/masked-value.tsx';
import { FailurePanel, useOnDemandParts } from '../components/on-demand.tsx';
import { SecretInput } from '../components/secret-input.tsx';
import { StepSection, stepSectionProps } from '../components/step-section.tsx';
import { TokenPicker } from '../components/token-picker.tsx';
import { TokenRequestPanel } from '../components/token-request-panel.tsx';
import { UrlPreview } from '../components/url-preview.tsx';
import { WarningsList } from '../components/warnings-list.tsx';
import { useFlowRunner } from '../use-flow-run.ts';
import './token-management.css';

const FLOW_ID = flow.id;
type StepId = (typeof flow.steps)[number]['id'];

/**
 * Moves to a step on a "Continue" press and takes focus with it (a bare goTo leaves focus on the button
 * of the step left behind): the step's enabled `data-next-action`, else its heading, as FlowPage does.
 */
function continueTo(goTo: (id: StepId) => void, id: StepId): void {
  goTo(id);
  window.requestAnimationFrame(() => {
    const section = document.getElementById(`step-${id}`);
    const action = [...(section?.querySelectorAll<HTMLElement>('[data-next-action]') ?? [])].find(
      (element) => !(element as HTMLButtonElement).disabled && element.offsetParent !== null,
    );
    const target = action ?? document.getElementById(`step-${id}-title`);
    target?.scrollIntoView({ block: 'center' });
    target?.focus({ preventScroll: true });
  });
}

/** Microsoft's pages for what Entra offers where it has no introspection or revocation endpoint. */
const ENTRA_REVOKE_DOCS = 'https://learn.microsoft.com/graph/api/user-revokesigninsessions';
const ENTRA_VALIDATE_DOCS =
  'https://learn.microsoft.com/entra/identity-platform/access-tokens#validate-tokens';

const KIND_LABEL: Record<TokenTypeHint, string> = {
  access_token: 'Access token',
  refresh_token: 'Refresh token',
};

/** The secret of the app profile registered for a client id, if one is (memory only). */
function profileFor(clientId: string) {
  return useSettings.getState().profiles.find((p) => p.clientId !== '' && p.clientId === clientId);
}

/** The method a client starts with: none for a public client, else the first confidential method offered. */
function defaultMethod(publicClient: boolean, offered: readonly ClientAuthMethod[]): ClientAuthMethod {
  if (publicClient) return 'none';
  return offered.find((m) => m !== 'none') ?? 'client_secret_basic';
}

function newContext(sandboxOrigin: string, features: ProviderFeatures): TokenManagementContext {
  const settings = useSettings.getState();
  const profile = activeProfile(settings);
  const client =
    settings.authority === 'sandbox'
      ? clientFor('Flow Lab SPA')
      : { clientId: profile.clientId, clientSecret: profile.clientSecret };
  const publicClient = settings.authority === 'sandbox' || profile.platform !== 'web';
  const endpoint = (feature: ProviderFeature) => features.verdict(feature).endpoint ?? '';
  return createTokenManagementContext({
    sandboxOrigin,
    appOrigin: window.location.origin,
    endpoints: {
      token: currentEndpoints(sandboxOrigin).token ?? '',
      userinfo: endpoint('userinfo'),
      introspection: endpoint('introspection'),
      revocation: endpoint('revocation'),
      endSession: endpoint('logout'),
    },
    clientId: client.clientId,
    clientSecret: publicClient ? '' : client.clientSecret,
    authMethod: defaultMethod(publicClient, features.authMethods('introspection')),
  });
}

/** Each method judged for introspection and revocation, from the provider's metadata. */
function authVerdicts(features: ProviderFeatures): ClientAuthMethodAssessment[] {
  return assessClientAuthMethods(features.metadata, {
    entra: features.entraShaped,
    methods: CLIENT_AUTH_METHODS,
    endpoint: 'introspection',
  });
}

/** What the provider's metadata says about a feature, before the step offers to try it. */
function FeatureNote({ feature, features }: { feature: ProviderFeature; features: ProviderFeatures }) {
  const verdict = features.verdict(feature);
  if (verdict.status === 'offered')
    return (
      <p className="help token-management__feature">
        <strong>Offered:</strong> {verdict.reason}
      </p>
    );
  return (
    <div className="note token-management__feature" role="note" aria-label={`${feature} not offered`}>
      <p>
        <strong>This provider does not offer it.</strong> {features.explain(feature)}
      </p>
      {features.entraShaped && feature === 'revocation' && (
        <p>
          What Entra offers instead: an admin (or the user) revokes every refresh token and browser session of
          a user at once with Microsoft Graph,{' '}
          <a href={ENTRA_REVOKE_DOCS} target="_blank" rel="noreferrer">
            POST /users/&#123;id&#125;/revokeSignInSessions
          </a>
          ; access tokens already issued stay valid until they expire (about an hour).
        </p>
      )}
      {features.entraShaped && feature === 'introspection' && (
        <p>
          What Entra offers instead: an API checks Entra’s JWT access tokens itself — signature with the
          issuer’s keys, issuer, audience, expiry (
          <a href={ENTRA_VALIDATE_DOCS} target="_blank" rel="noreferrer">
            validating tokens
          </a>
          ). Tokens for Microsoft Graph are not for your app to validate at all.
        </p>
      )}
      <p className="help">
        You can still type an endpoint below and send the request, to see what the server says.
      </p>
    </div>
  );
}

/** The ID token, drawn as discs in presenter mode until revealed, as the token pickers are. */
function IdTokenField(props: { value: string; onChange: (value: string) => void }) {
  const mask = useFieldMask('ID token', 'tm-id-token');
  return (
    <>
      <textarea
        id="tm-id-token"
        className={mask.className}
        rows={3}
        spellCheck={false}
        autoComplete="off"
        value={props.value}
        onChange={(e) => props.onChange(e.target.value.trim())}
      />
      {mask.toggle}
    </>
  );
}

/** A small radio group choosing which token a step sends. */
function KindChoice(props: {
  legend: string;
  value: TokenTypeHint;
  onChange: (kind: TokenTypeHint) => void;
  ctx: TokenManagementContext;
}) {
  const name = useId();
  return (
    <fieldset className="token-management__kind">
      <legend>{props.legend}</legend>
      {(['access_token', 'refresh_token'] as const).map((kind) => {
        const token = kind === 'access_token' ? props.ctx.accessToken : props.ctx.refreshToken;
        return (
          <label key={kind} className="choice">
            <input
              type="radio"
              name={name}
              value={kind}
              checked={props.value === kind}
              onChange={() => props.onChange(kind)}
            />
            {KIND_LABEL[kind]}{' '}
            <span className="help">({token === '' ? 'none chosen' : 'token_type_hint=' + kind})</span>
          </label>
        );
      })}
    </fieldset>
  );
}

/** An introspection answer, member by member. */
function IntrospectionTable(props: {
  reading: IntrospectionReading;
  caption: string;
  exchange: HttpExchange | undefined;
}) {
  const { reading, caption, exchange } = props;
  // Times are read as of when the answer arrived, so "in 3600 s" does not change on a later render.
  const answeredAt = exchange === undefined ? 0 : exchange.startedAt + (exchange.durationMs ?? 0);
  const members = explainIntrospection(reading.response, answeredAt);
  return (
    <>
      <p className={reading.response.active ? 'ok' : 'warning'} role="status">
        {reading.response.active
          ? 'active: true — the server says this token may be used now.'
          : 'active: false — the token is not usable: revoked, expired, unknown to this server, or issued to a client that may not see it. The server does not say which.'}
      </p>
      <table className="token-management__members">
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Member</th>
            <th scope="col">Value</th>
            <th scope="col">What it means</th>
          </tr>
        </thead>
        <tbody>
          {members.map((m) => (
            <tr key={m.name}>
              <th scope="row">
                <code>{m.name}</code>
              </th>
              <td className="wrap">
                <code>{m.value}</code>
              </td>
              <td>{m.meaning}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {reading.leakedMembers.length > 0 && (
        <p className="warning" role="note">
          The server also sent {reading.leakedMembers.join(', ')} with an inactive answer. RFC 7662 §2.2 says
          it should not: nothing about an inactive token can be trusted, so those were left out.
        </p>
      )}
    </>
  );
}

function InvalidGrantNote({
  failure,
  expected,
}: {
  failure: StepFailure | undefined;
  /** The refresh token was revoked in step 4: this refusal is the result the revocation should have. */
  expected: boolean;
}) {
  if (failure?.fields?.error !== 'invalid_grant') return null;
  const description = failure.fields.error_description;
  if (expected)
    return (
      <p className="ok token-management__invalid-grant" role="note" aria-label="Refresh refused">
        <strong>Refused, as expected.</strong> You revoked this refresh token in step 4, so the token endpoint
        answers <code>invalid_grant</code>
        {typeof description === 'string' && description !== '' ? <> (“{description}”)</> : null}: this refusal
        is the revocation working (RFC 7009 §2.1, RFC 6749 §5.2), nothing to fix. A real client meeting it
        drops its tokens and signs the user in again.
      </p>
    );
  return (
    <p className="note token-management__invalid-grant" role="note" aria-label="Refresh refused">
      This is revocation as the client meets it: the refresh token (or its whole grant) is dead, so the token
      endpoint answers <code>invalid_grant</code>. The client drops its tokens and signs the user in again.
    </p>
  );
}

/** After invalid_client: a client is registered with one authentication method, and only that one works. */
function InvalidClientNote({ failure }: { failure: StepFailure | undefined }) {
  if (failure?.fields?.error !== 'invalid_client') return null;
  return (
    <p className="note" role="note" aria-label="Client authentication refused">
      Each client is registered with one authentication method (its token_endpoint_auth_method), and the
      server refuses the others, as it refuses a wrong secret or an unregistered key. Choose the method this
      client was registered with in step 1; a public client sends only its client_id and may introspect or
      revoke its own tokens only.
    </p>
  );
}

export default function TokenManagementPage() {
  const sandboxOrigin = useLabConfig((s) => s.sandboxOrigin);
  const features = useProviderFeatures();
  const create = useCallback(() => newContext(sandboxOrigin, features), [sandboxOrigin, features]);
  const { run, ctx, deps, patch, execute, restart, failureFor, statusOf, goTo, announcement } =
    useFlowRunner<TokenManagementContext>(FLOW_ID, create, 'tokens');
  useOnDemandParts({ failure: run?.failure !== undefined, tokens: false });
  const verdicts = useMemo(() => authVerdicts(features), [features]);

  if (run === undefined || ctx === undefined) return <p role="status">Preparing the flow…</p>;

  const stepProps = (id: StepId) => stepSectionProps(flow.steps, id, statusOf(id), run.current, goTo);
  const standardIssuer = `${sandboxOrigin.replace(/\/+$/, '')}/standard`;
  const keyRegistrationUrl =
    features.metadata?.['issuer'] === standardIssuer
      ? sandboxJwksRegistrationUrl(standardIssuer, ctx.clientId)
      : undefined;

  const pick = (kind: TokenTypeHint) => (value: string, entry: ObtainedTokens | undefined) => {
    if (entry === undefined) {
      patch(kind === 'access_token' ? { accessToken: value } : { refreshToken: value });
      return;
    }
    const profile = profileFor(entry.clientId);
    const publicClient = entry.spa || (profile !== undefined && profile.platform !== 'web');
    const { tokens } = entry;
    restart(
      {
        ...newContext(sandboxOrigin, features),
        accessToken: tokens.access_token,
        accessTokenType: tokens.token_type,
        refreshToken: tokens.refresh_token ?? '',
        idToken: tokens.id_token ?? '',
        tokenSource: `${entry.flowTitle} (${entry.clientId})`,
        clientId: entry.clientId,
        tokenEndpoint: entry.tokenEndpoint,
        clientSecret: publicClient ? '' : (profile?.clientSecret ?? ''),
        authMethod: defaultMethod(publicClient, features.authMethods('introspection')),
      },
      'userinfo',
      `Tokens from “${entry.flowTitle}” chosen, issued to ${entry.clientId}.`,
    );
  };

  const needsSecret =
    ctx.authMethod === 'client_secret_basic' ||
    ctx.authMethod === 'client_secret_post' ||
    ctx.authMethod === 'client_secret_jwt';

  const refresh = async () => {
    const sent = await execute('refresh', tryRefresh, { failure: 'The refresh request failed.' });
    if (sent === undefined) return;
    await execute('refresh', readRefreshAttempt, {
      next: 'logout',
      success: 'The refresh token still worked: it was not revoked.',
      failure: 'The token endpoint refused the refresh token, as a revoked one should be.',
    });
  };

  const logoutPreview = (() => {
    try {
      // The ID token is shortened in the preview (it is long, and a presenter's screen is shared).
      const hint = ctx.idToken === '' ? '' : `${ctx.idToken.slice(0, 16)}...`;
      return buildEndSessionUrl(ctx.endSessionEndpoint, {
        ...logoutInput(ctx, '(made when you sign out)'),
        idTokenHint: hint,
      });
    } catch {
      return undefined;
    }
  })();

  const signOut = () => {
    const store = useFlowRuns.getState();
    let prepared: ReturnType<typeof prepareLogout>;
    try {
      prepared = prepareLogout(ctx);
    } catch {
      void execute('logout', () => prepareLogout(ctx).patch);
      return;
    }
    store.patch<TokenManagementContext>(FLOW_ID, prepared.patch);
    store.setStep(FLOW_ID, 'logout', 'running', { current: 'logout' });
    store.record(FLOW_ID, {
      step: 'logout',
      method: 'GET',
      url: `${prepared.url.origin}${prepared.url.pathname}`,
      via: 'navigation',
      from: 'browser',
      to: 'as',
      label: 'GET end_session: id_token_hint, client_id, post_logout_redirect_uri, state',
    });
    // The run waits in the store (this tab's sessionStorage); the marker names it for the callback page.
    savePendingRedirect(FLOW_ID, { ...ctx, ...prepared.patch });
    window.location.assign(prepared.url.toString());
  };

  const subject = idTokenSubject(ctx.idToken);
  const dpopBound = accessTokenIsDpopBound(ctx);
  const revokedKind = ctx.revoked?.kind;
  const expectedRefusal =
    revokedKind === 'refresh_token' && failureFor('refresh')?.fields?.error === 'invalid_grant';

  return (
    <FlowPage
      flow={flow}
      current={run.current}
      status={run.status}
      onGoTo={goTo}
      announcement={announcement}
      options={
        <button type="button" onClick={() => restart(create(), 'tokens', 'Started again.')}>
          Start again
        </button>
      }
    >
      <StepSection {...stepProps('tokens')}>
        {run.notKept?.includes('tokens') === true && ctx.accessToken === '' && (
          <p className="note" role="note" aria-label="Tokens not kept">
            The tokens this run held before the page was reloaded (or left for the sign-out) were not kept:
            tokens survive only when you keep them in this tab. Choose them again from a run of this tab.
          </p>
        )}
        <p>
          Pick the run whose tokens to manage: its access, refresh and ID tokens and its client are taken
          together. Sign in first (for example with the authorization code flow, asking for{' '}
          <code>openid offline_access</code>) if no run has tokens yet.
        </p>
        {ctx.tokenSource !== undefined && (
          <p className="help">
            Tokens from <strong>{ctx.tokenSource}</strong>
            {ctx.accessTokenType === undefined ? '' : `; token_type ${ctx.accessTokenType}`}.
          </p>
        )}
        <TokenPicker
          kind="access_token"
          label="Access token"
          value={ctx.accessToken}
          onChange={pick('access_token')}
        />
        <TokenPicker
          kind="refresh_token"
          label="Refresh token"
          value={ctx.refreshToken}
          onChange={pick('refresh_token')}
        />
        <div className="field">
          <label htmlFor="tm-id-token">ID token (the logout hint, and the sub UserInfo must match)</label>
          <IdTokenField value={ctx.idToken} onChange={(idToken) => patch({ idToken })} />
        </div>
        <div className="field">
          <label htmlFor="tm-client-id">Client id (the client the tokens were issued to)</label>
          <input
            id="tm-client-id"
            value={ctx.clientId}
            spellCheck={false}
            autoComplete="off"
            onChange={(e) => patch({ clientId: e.target.value.trim() })}
          />
        </div>
        <ClientAuthChoice
          legend="Client authentication at introspection and revocation"
          verdicts={verdicts}
          method={ctx.authMethod}
          onMethodChange={(authMethod) => patch({ authMethod })}
          clientId={ctx.clientId}
          clientSecret={ctx.clientSecret}
          clientKey={ctx.clientKey}
          onClientKeyChange={(clientKey) => patch({ clientKey })}
          keyRegistrationUrl={keyRegistrationUrl}
          deps={deps}
        />
        {needsSecret && (
          <div className="field">
            <label htmlFor="tm-secret">Client secret (kept in memory only)</label>
            <SecretInput
              id="tm-secret"
              value={ctx.clientSecret}
              onChange={(clientSecret) => patch({ clientSecret })}
            />
          </div>
        )}
        <details className="token-management__endpoints">
          <summary>Endpoints (from the provider’s metadata)</summary>
          {(
            [
              ['tm-userinfo', 'userinfo_endpoint', 'userinfoEndpoint'],
              ['tm-introspection', 'introspection_endpoint', 'introspectionEndpoint'],
              ['tm-revocation', 'revocation_endpoint', 'revocationEndpoint'],
              ['tm-token', 'token_endpoint', 'tokenEndpoint'],
              ['tm-end-session', 'end_session_endpoint', 'endSessionEndpoint'],
            ] as const
          ).map(([id, label, key]) => (
            <div className="field" key={id}>
              <label htmlFor={id}>{label}</label>
              <input
                id={id}
                value={ctx[key]}
                spellCheck={false}
                autoComplete="off"
                onChange={(e) => patch({ [key]: e.target.value.trim() })}
              />
            </div>
          ))}
        </details>
        <button type="button" data-next-action onClick={() => continueTo(goTo, 'userinfo')}>
          Continue to UserInfo
        </button>
      </StepSection>

      <StepSection {...stepProps('userinfo')}>
        <FeatureNote feature="userinfo" features={features} />
        {dpopBound && (
          <p className="warning" role="note" aria-label="DPoP-bound token">
            This access token is bound to a DPoP key (token_type DPoP or a cnf.jkt claim). Sent as a Bearer
            token it is refused: every call must carry a fresh DPoP proof made with the key that got it — see
            the DPoP flow, which holds that key.
          </p>
        )}
        <TokenRequestPanel
          request={buildUserinfoPreview(ctx)}
          route={decideUserinfoRoute()}
          exchange={ctx.userinfoExchange}
          failure={failureFor('userinfo')}
          sending={statusOf('userinfo') === 'running'}
          sendLabel="Ask UserInfo"
          context="api"
          onSend={() =>
            void execute('userinfo', askUserinfo, {
              next: 'introspect',
              success: 'UserInfo answered with the user’s claims.',
              failure: 'UserInfo refused the request.',
            })
          }
        />
        {ctx.userinfo !== undefined && (
          <>
            {ctx.userinfo.subMatches === false ? (
              <p className="warning" role="status">
                The sub UserInfo returned is not the ID token’s ({subject}). OIDC Core §5.3.2: the answer must
                not be used — it is about another user, or the tokens come from different sign-ins.
              </p>
            ) : (
              <p className="ok" role="status">
                {ctx.userinfo.subMatches === true
                  ? 'The sub matches the ID token’s: this is the user who signed in.'
                  : 'No ID token to compare the sub with: pick a run that signed in with openid to check it.'}
                {ctx.userinfo.signed ? ' The answer was a signed JWT (application/jwt).' : ''}
              </p>
            )}
            <table className="token-management__members">
              <caption>Claims about the user</caption>
              <thead>
                <tr>
                  <th scope="col">Claim</th>
                  <th scope="col">Value</th>
                </tr>
              </thead>
              <tbody>
                {Object.entries(ctx.userinfo.claims).map(([name, value]) => (
                  <tr key={name}>
                    <th scope="row">
                      <code>{name}</code>
                    </th>
                    <td className="wrap">
                      <code>{typeof value === 'string' ? value : JSON.stringify(value)}</code>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <p className="help">
              Which claims come back depends on the scopes granted: <code>profile</code> for names,{' '}
              <code>email</code> for the address. UserInfo is for the client; an API does not call it to check
              a token.
            </p>
          </>
        )}
      </StepSection>

      <StepSection {...stepProps('introspect')}>
        <FeatureNote feature="introspection" features={features} />
        <KindChoice
          legend="Token to introspect"
          value={ctx.introspectKind}
          onChange={(introspectKind) => patch({ introspectKind })}
          ctx={ctx}
        />
        <dl className="token-management__params">
          {TOKEN_MANAGEMENT_PARAMETERS.filter((p) => p.name === 'token' || p.name === 'token_type_hint').map(
            (p) => (
              <div key={p.name}>
                <dt>
                  <code>{p.name}</code>
                </dt>
                <dd>
                  {p.explanation} <span className="spec">{p.spec}</span>
                </dd>
              </div>
            ),
          )}
        </dl>
        <TokenRequestPanel
          request={buildIntrospectionPreview(ctx, ctx.introspectKind)}
          route={decideManagementRoute(ctx.introspectionEndpoint, ctx, deps)}
          exchange={ctx.introspectExchange}
          failure={failureFor('introspect')}
          sending={statusOf('introspect') === 'running'}
          sendLabel="Introspect the token"
          onSend={() =>
            void execute('introspect', introspectToken, {
              next: 'revoke',
              success: 'The introspection endpoint answered.',
              failure: 'The introspection request failed.',
            })
          }
        />
        <InvalidClientNote failure={failureFor('introspect')} />
        {ctx.introspection !== undefined && (
          <IntrospectionTable
            reading={ctx.introspection}
            exchange={ctx.introspectExchange}
            caption="The introspection answer (RFC 7662 §2.2)"
          />
        )}
      </StepSection>

      <StepSection {...stepProps('revoke')}>
        <FeatureNote feature="revocation" features={features} />
        <KindChoice
          legend="Token to revoke"
          value={ctx.revokeKind}
          onChange={(revokeKind) => patch({ revokeKind })}
          ctx={ctx}
        />
        <p className="help">
          Revoking a refresh token should also end the access tokens of the same grant (RFC 7009 §2.1:
          SHOULD); revoking an access token may or may not take its refresh token along. A JWT access token is
          checked by the API itself (signature, issuer, audience, expiry), so revoking it changes nothing for
          an API that does not ask the server — and some servers, this sandbox among them, do not keep JWT
          access tokens at all: their introspection answers inactive for them.
        </p>
        <TokenRequestPanel
          request={buildRevocationPreview(ctx)}
          route={decideManagementRoute(ctx.revocationEndpoint, ctx, deps)}
          exchange={ctx.revokeExchange}
          failure={failureFor('revoke')}
          sending={statusOf('revoke') === 'running'}
          sendLabel={`Revoke the ${ctx.revokeKind === 'access_token' ? 'access' : 'refresh'} token`}
          onSend={() =>
            void execute('revoke', revokeToken, {
              next: 'reintrospect',
              success: 'The revocation endpoint answered 200.',
              failure: 'The revocation request failed.',
            })
          }
        />
        <InvalidClientNote failure={failureFor('revoke')} />
        {ctx.revocation !== undefined && (
          <p className="ok" role="status">
            HTTP 200: revoked. The server answers the same for a token it does not know or already revoked
            (RFC 7009 §2.2), so this alone proves little and tells an attacker nothing — the next steps check.
          </p>
        )}
        {failureFor('revoke')?.fields?.error === 'unsupported_token_type' && (
          <p className="note" role="note">
            This server does not revoke this kind of token. Many servers revoke refresh tokens only: an access
            token then lives until it expires, which is why access tokens are short-lived.
          </p>
        )}
      </StepSection>

      <StepSection {...stepProps('reintrospect')}>
        <p>
          {revokedKind === undefined
            ? 'Revoke a token first; this step then introspects that same token.'
            : `Introspect the revoked ${revokedKind === 'access_token' ? 'access' : 'refresh'} token again.`}
        </p>
        {ctx.revoked !== undefined && (
          <TokenRequestPanel
            request={buildIntrospectionPreview(ctx, ctx.revoked.kind, ctx.revoked.token)}
            route={decideManagementRoute(ctx.introspectionEndpoint, ctx, deps)}
            exchange={ctx.reintrospectExchange}
            failure={failureFor('reintrospect')}
            sending={statusOf('reintrospect') === 'running'}
            sendLabel="Introspect the revoked token"
            onSend={() =>
              void execute('reintrospect', reintrospectRevoked, {
                next: 'refresh',
                success: 'The introspection endpoint answered.',
                failure: 'The introspection request failed.',
              })
            }
          />
        )}
        {ctx.reintrospection !== undefined && (
          <>
            <IntrospectionTable
              reading={ctx.reintrospection}
              exchange={ctx.reintrospectExchange}
              caption="The revoked token, introspected"
            />
            {ctx.reintrospection.response.active && (
              <p className="warning" role="note">
                Still active: this server did not revoke the token (or revokes it later). A client cannot rely
                on revocation taking effect at once everywhere.
              </p>
            )}
          </>
        )}
      </StepSection>

      <StepSection {...stepProps('refresh')}>
        <p>
          {ctx.refreshToken === ''
            ? 'The chosen run has no refresh token, so there is nothing to redeem: either it did not ask for offline_access, or the server did not grant it (an OpenID provider grants it only with prompt=consent, after its consent page, OIDC Core §11).'
            : revokedKind === 'refresh_token'
              ? 'Redeem the revoked refresh token: the server must refuse it.'
              : 'Redeem the refresh token. You revoked the access token, not this one: whether it still works depends on the server.'}
        </p>
        <TokenRequestPanel
          request={buildRefreshPreview(ctx)}
          route={decideManagementRoute(ctx.tokenEndpoint, ctx, deps)}
          exchange={ctx.refreshExchange}
          // The refusal of a revoked refresh token is the expected result, not a failure to fix: the note
          // below says so instead of the generic invalid_grant advice (start again for a fresh code).
          failure={expectedRefusal ? undefined : failureFor('refresh')}
          sending={statusOf('refresh') === 'running'}
          sendLabel="Redeem the refresh token"
          disabled={ctx.refreshToken === ''}
          onSend={() => void refresh()}
        />
        <InvalidGrantNote failure={failureFor('refresh')} expected={expectedRefusal} />
        {ctx.refreshTokens !== undefined && (
          <p className="warning" role="status">
            The server issued new tokens: this refresh token was still alive. Revoke the refresh token itself
            (step 4) to cut the grant.
          </p>
        )}
        {statusOf('refresh') === 'failed' && (
          <button type="button" onClick={() => continueTo(goTo, 'logout')}>
            Continue to sign-out
          </button>
        )}
      </StepSection>

      <StepSection {...stepProps('logout')}>
        <FeatureNote feature="logout" features={features} />
        {ctx.loggedOut === true ? (
          <p className="ok" role="status" aria-label="Signed out">
            Back from the provider with the state this request sent: it handled the logout. If you confirmed,
            your session there has ended and the next sign-in asks for the password again; if you chose to
            stay signed in, the provider may have signed out only this client. Tokens are a separate matter:
            an access token lives until it expires unless revoked, and a refresh token granted with
            offline_access is meant to outlive the session (OIDC Core §11) — that is what revocation is for.
          </p>
        ) : (
          <>
            <div className="field">
              <label htmlFor="tm-post-logout">post_logout_redirect_uri (registered for the client)</label>
              <input
                id="tm-post-logout"
                value={ctx.postLogoutRedirectUri}
                spellCheck={false}
                autoComplete="off"
                onChange={(e) => patch({ postLogoutRedirectUri: e.target.value.trim() })}
              />
            </div>
            <dl className="token-management__params">
              {TOKEN_MANAGEMENT_PARAMETERS.filter(
                (p) => p.name !== 'token' && p.name !== 'token_type_hint',
              ).map((p) => (
                <div key={p.name}>
                  <dt>
                    <code>{p.name}</code>
                  </dt>
                  <dd>
                    {p.explanation} <span className="spec">{p.spec}</span>
                  </dd>
                </div>
              ))}
            </dl>
            <WarningsList warnings={validateLogoutRequest(logoutInput(ctx, 'state'))} />
            {logoutPreview !== undefined && <UrlPreview url={logoutPreview} />}
            <p className="help">
              The preview shortens id_token_hint; the whole ID token is sent. It travels in the URL, so it
              lands in the browser’s history and the provider’s logs: it names the user but grants nothing.
            </p>
            <p className="help">
              A full-page trip: the browser leaves this app for the provider, which may ask you to confirm,
              then comes back to this app’s callback, which brings you here.
            </p>
            <button
              type="button"
              className="primary"
              data-next-action
              disabled={statusOf('logout') === 'running'}
              onClick={signOut}
            >
              Sign out at the provider
            </button>
          </>
        )}
        {failureFor('logout') !== undefined && (
          <FailurePanel failure={failureFor('logout')!} context="authorize" />
        )}
      </StepSection>
    </FlowPage>
  );
}
