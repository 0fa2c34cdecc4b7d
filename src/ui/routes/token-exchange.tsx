import { useCallback, useEffect, useId, useMemo, useRef, useState } from 'react';
import { Link } from 'react-router';
import {
  assessClientAuthMethods,
  CLIENT_AUTH_METHODS,
  sandboxJwksRegistrationUrl,
  type ClientAuthMethod,
  type ClientAuthMethodAssessment,
} from '../../protocol/client-auth.ts';
import {
  describeTokenType,
  isUsableAsAccessToken,
  readDelegation,
  TOKEN_TYPE_LIST,
  TOKEN_TYPES,
} from '../../protocol/token-exchange.ts';
import {
  buildExchangeRequest,
  checkExchange,
  compareExchangedTokens,
  createTokenExchangeContext,
  decideExchangeRoute,
  readExchange,
  sendExchange,
  TOKEN_EXCHANGE_PARAMETERS,
  tokenExchangeFlow as flow,
  type ExchangeToken,
  type TokenExchangeContext,
} from '../../flows/token-exchange.ts';
import { decodeJwt } from '../../protocol/jwt.ts';
import { useFlowRuns } from '../../state/flow-runs.ts';
import { useLabConfig } from '../../state/lab-config.ts';
import { useProviderFeatures, type ProviderFeatures } from '../../state/provider-features.ts';
import { activeProfile, currentEndpoints, useSettings, type AppProfile } from '../../state/settings.ts';
import { useTokenHistory } from '../../state/token-history.ts';
import { ClientAuthChoice } from '../components/client-auth-choice.tsx';
import { FlowPage } from '../components/flow-page.tsx';
import { TokenView, useOnDemandParts } from '../components/on-demand.tsx';
import { SecretInput } from '../components/secret-input.tsx';
import { StepSection, stepSectionProps } from '../components/step-section.tsx';
import { TokenPicker } from '../components/token-picker.tsx';
import { TokenRequestPanel } from '../components/token-request-panel.tsx';
import { parseStandardDirectory } from '../settings/standard-directory.ts';
import { useFlowRunner } from '../use-flow-run.ts';
import './token-exchange.css';

const FLOW_ID = flow.id;
type StepId = (typeof flow.steps)[number]['id'];

/** Microsoft's page on its on-behalf-of flow, the nearest thing Entra has. */
const OBO_DOCS = 'https://learn.microsoft.com/entra/identity-platform/v2-oauth2-on-behalf-of-flow';

/** The standards sandbox's seeded clients and the one method each is registered with. */
const STANDARD_CLIENT_METHODS: Readonly<Record<string, ClientAuthMethod>> = {
  'standard-basic': 'client_secret_basic',
  'standard-post': 'client_secret_post',
  'standard-jwt': 'client_secret_jwt',
  'standard-private-key': 'private_key_jwt',
};

function standardIssuerOf(sandboxOrigin: string): string {
  return `${sandboxOrigin.replace(/\/+$/, '')}/standard`;
}

/**
 * Profiles that can act as a confidential client here: one with a secret, or — against the standards
 * sandbox — one of its seeded confidential clients (its secret is filled in from the directory).
 */
function confidentialProfiles(profiles: readonly AppProfile[], standard: boolean): AppProfile[] {
  return profiles.filter(
    (p) =>
      p.clientId !== '' &&
      (p.clientSecret !== '' || (standard && STANDARD_CLIENT_METHODS[p.clientId] !== undefined)),
  );
}

/** The method a client starts with: the one it is registered with when known, else the first offered. */
function methodFor(clientId: string, offered: readonly ClientAuthMethod[]): ClientAuthMethod {
  return STANDARD_CLIENT_METHODS[clientId] ?? offered.find((m) => m !== 'none') ?? 'client_secret_basic';
}

function newContext(sandboxOrigin: string, features: ProviderFeatures): TokenExchangeContext {
  const settings = useSettings.getState();
  const active = activeProfile(settings);
  // The service that exchanges is a confidential client: the active profile if it is one, else the
  // first profile with a credential (the standards sandbox preset adds standard-post and friends).
  const standard = features.metadata?.['issuer'] === standardIssuerOf(sandboxOrigin);
  const candidates = confidentialProfiles(settings.profiles, standard);
  const profile =
    active.clientSecret !== ''
      ? active
      : (candidates.find((p) => p.clientId === 'standard-post') ?? candidates[0] ?? active);
  return createTokenExchangeContext({
    tokenEndpoint: currentEndpoints(sandboxOrigin).token ?? '',
    ...(typeof features.metadata?.['issuer'] === 'string' ? { issuer: features.metadata['issuer'] } : {}),
    clientId: profile.clientId,
    clientSecret: profile.clientSecret,
    authMethod: methodFor(profile.clientId, features.authMethods()),
    // No scope by default: the server then issues the subject token's own scopes for the resource. A
    // default scope fails for every subject token that lacks it (a code-flow token asked only openid).
    ...(standard ? { resource: `${standardIssuerOf(sandboxOrigin)}/api` } : {}),
  });
}

/**
 * The sandbox-only secret the standards sandbox's directory publishes for one of its seeded clients
 * (secrets live in memory, so a sign-in's full-page trip forgets them).
 */
async function sandboxSecretOf(standardIssuer: string, clientId: string): Promise<string> {
  const response = await fetch(`${standardIssuer}/directory.json`, {
    cache: 'no-store',
    credentials: 'omit',
  });
  if (!response.ok) throw new Error(`the directory answered HTTP ${response.status}`);
  const directory = parseStandardDirectory(await response.json().catch(() => undefined));
  const secret = directory.clients.find((client) => client.clientId === clientId)?.secret;
  if (secret === undefined) throw new Error(`the directory lists no secret for ${clientId}`);
  return secret;
}

function authVerdicts(features: ProviderFeatures): ClientAuthMethodAssessment[] {
  return assessClientAuthMethods(features.metadata, {
    entra: features.entraShaped,
    methods: CLIENT_AUTH_METHODS,
  });
}

function show(value: unknown): string {
  if (value === undefined) return '(absent)';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Says whether the provider offers token exchange, and for Entra what it has instead. */
function FeatureNote({ features }: { features: ProviderFeatures }) {
  const verdict = features.verdict('token-exchange');
  if (verdict.status === 'offered') {
    return (
      <p className="help token-exchange__feature">
        <strong>Offered:</strong> {verdict.reason}
      </p>
    );
  }
  return (
    <div className="note token-exchange__feature" role="note" aria-label="Token exchange not offered">
      <p>
        <strong>This provider does not advertise token exchange.</strong> {features.explain('token-exchange')}{' '}
        {verdict.status === 'not-advertised' && 'You can still send the request and see what it answers.'}
      </p>
      {features.entraShaped && (
        <p>
          For Entra, use the <Link to="/flows/on-behalf-of">on-behalf-of flow</Link>: a middle-tier API trades
          the user’s token for one to call another API (see the comparison at the end of this page).
        </p>
      )}
    </div>
  );
}

/** A select of the token types RFC 8693 §3 registers. */
function TokenTypeSelect(props: {
  label: string;
  value: string;
  onChange: (uri: string) => void;
  allowNone?: string;
}) {
  const id = useId();
  const help = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      <select
        id={id}
        value={props.value}
        aria-describedby={help}
        onChange={(e) => props.onChange(e.target.value)}
      >
        {props.allowNone !== undefined && <option value="">{props.allowNone}</option>}
        {TOKEN_TYPE_LIST.map((type) => (
          <option key={type.uri} value={type.uri}>
            {type.label} — {type.uri}
          </option>
        ))}
      </select>
      <p id={help} className="help">
        {describeTokenType(props.value)?.explanation ?? 'Left out: the server chooses.'}{' '}
        <span className="spec">RFC 8693 §3</span>
      </p>
    </div>
  );
}

/** Earlier runs’ ID tokens, for a subject (or actor) that is a sign-in rather than an access token. */
function IdTokenPicker({ onPick }: { onPick: (token: string) => void }) {
  const entries = useTokenHistory((s) => s.entries).filter((e) => typeof e.tokens.id_token === 'string');
  const id = useId();
  if (entries.length === 0) return null;
  return (
    <div className="field">
      <label htmlFor={id}>Or use the ID token of an earlier run</label>
      <select
        id={id}
        value=""
        onChange={(e) => {
          const entry = entries.find((x) => x.id === e.target.value);
          if (entry?.tokens.id_token !== undefined) onPick(entry.tokens.id_token);
        }}
      >
        <option value="">(choose a run)</option>
        {entries.map((entry) => (
          <option key={entry.id} value={entry.id}>
            {entry.flowTitle} ({entry.clientId})
          </option>
        ))}
      </select>
    </div>
  );
}

/** RFC 8693 compared with Entra's on-behalf-of, in a table. */
function OboComparison() {
  return (
    <section className="token-exchange__obo" aria-labelledby="te-obo-title">
      <h2 id="te-obo-title">How this differs from Entra’s on-behalf-of</h2>
      <p>
        Entra ID does not implement RFC 8693. Its{' '}
        <a href={OBO_DOCS} target="_blank" rel="noreferrer">
          on-behalf-of flow
        </a>{' '}
        solves one case of it — a middle-tier API calling another API as the same user — with the JWT bearer
        grant (RFC 7523) and an Entra parameter.
      </p>
      <div className="token-exchange__table-scroll">
        <table className="lab-table">
          <caption>Token exchange (RFC 8693) and on-behalf-of (Entra)</caption>
          <thead>
            <tr>
              <th scope="col">What</th>
              <th scope="col">Token exchange</th>
              <th scope="col">On-behalf-of</th>
            </tr>
          </thead>
          <tbody>
            <tr>
              <th scope="row">Grant</th>
              <td>
                <code>urn:ietf:params:oauth:grant-type:token-exchange</code>
              </td>
              <td>
                <code>urn:ietf:params:oauth:grant-type:jwt-bearer</code> with{' '}
                <code>requested_token_use=on_behalf_of</code>
              </td>
            </tr>
            <tr>
              <th scope="row">Token in</th>
              <td>
                <code>subject_token</code> of a declared type: access, refresh or ID token, SAML, any JWT
              </td>
              <td>
                <code>assertion</code>: only a user’s access token issued to the calling API (its audience)
              </td>
            </tr>
            <tr>
              <th scope="row">Who acts</th>
              <td>
                Optional <code>actor_token</code>; the new token records the actor in <code>act</code>
              </td>
              <td>No actor token; the calling API appears as the token’s client (azp / appid), no act</td>
            </tr>
            <tr>
              <th scope="row">Target</th>
              <td>
                <code>audience</code> and/or <code>resource</code>, plus <code>scope</code>
              </td>
              <td>
                <code>scope</code> only, e.g. <code>https://graph.microsoft.com/.default</code>
              </td>
            </tr>
            <tr>
              <th scope="row">App-only tokens</th>
              <td>The server decides</td>
              <td>Refused: on-behalf-of works for users only</td>
            </tr>
            <tr>
              <th scope="row">Answer</th>
              <td>
                Says what it issued in <code>issued_token_type</code>
              </td>
              <td>A usual token response (an access token, a refresh token with offline_access)</td>
            </tr>
          </tbody>
        </table>
      </div>
    </section>
  );
}

export default function TokenExchangePage() {
  const sandboxOrigin = useLabConfig((s) => s.sandboxOrigin);
  const features = useProviderFeatures();
  const create = useCallback(() => newContext(sandboxOrigin, features), [sandboxOrigin, features]);
  const { run, ctx, deps, patch, execute, restart, failureFor, statusOf, goTo, announcement, announce } =
    useFlowRunner<TokenExchangeContext>(FLOW_ID, create, 'subject');
  useOnDemandParts({ failure: run?.failure !== undefined, tokens: ctx?.tokens !== undefined });
  const verdicts = useMemo(() => authVerdicts(features), [features]);
  const profiles = useSettings((s) => s.profiles);
  const [actorWanted, setActorWanted] = useState(false);
  const standard = features.metadata?.['issuer'] === standardIssuerOf(sandboxOrigin);

  const fillSandboxSecret = useCallback(
    async (clientId: string) => {
      try {
        const clientSecret = await sandboxSecretOf(standardIssuerOf(sandboxOrigin), clientId);
        // Only if the client is still the one asked about and nothing was typed meanwhile.
        const current = useFlowRuns.getState().runs[FLOW_ID]?.ctx as TokenExchangeContext | undefined;
        if (current?.clientId !== clientId || current.clientSecret !== '') return;
        patch({ clientSecret });
        announce(
          `The sandbox-only secret of ${clientId} is filled in from the sandbox’s directory (memory only).`,
        );
      } catch (error) {
        announce(
          `The standards sandbox’s directory could not be read (${error instanceof Error ? error.message : String(error)}): type the secret.`,
        );
      }
    },
    [sandboxOrigin, patch, announce],
  );

  // Secrets live in memory: after a sign-in's round trip a seeded client's is gone. The standards
  // sandbox publishes its sandbox-only secrets, so it is filled in again from its directory.
  const secretRestored = useRef(false);
  useEffect(() => {
    if (ctx === undefined || secretRestored.current) return;
    secretRestored.current = true;
    if (standard && ctx.clientSecret === '' && STANDARD_CLIENT_METHODS[ctx.clientId] !== undefined) {
      void fillSandboxSecret(ctx.clientId);
    }
  }, [ctx, standard, fillSandboxSecret]);

  if (run === undefined || ctx === undefined) return <p role="status">Preparing the flow…</p>;

  const stepProps = (id: StepId) => stepSectionProps(flow.steps, id, statusOf(id), run.current, goTo);
  const standardIssuer = standardIssuerOf(sandboxOrigin);
  const keyRegistrationUrl =
    features.metadata?.['issuer'] === standardIssuer
      ? sandboxJwksRegistrationUrl(standardIssuer, ctx.clientId)
      : undefined;
  const needsSecret =
    ctx.authMethod === 'client_secret_basic' ||
    ctx.authMethod === 'client_secret_post' ||
    ctx.authMethod === 'client_secret_jwt';
  const delegating = ctx.actor.token.trim() !== '';
  const subjectDelegation = ctx.subject.token === '' ? undefined : readDelegation(ctx.subject.token);
  const warnings = checkExchange(ctx);
  const candidates = confidentialProfiles(profiles, standard);

  const setSubject = (subject: ExchangeToken) => patch({ subject });
  const setActor = (actor: ExchangeToken) => patch({ actor });

  const startAgain = () =>
    restart(
      {
        ...newContext(sandboxOrigin, features),
        clientId: ctx.clientId,
        clientSecret: ctx.clientSecret,
        authMethod: ctx.authMethod,
      },
      'subject',
      'Started again; the client is kept.',
    );

  const chooseProfile = (profileId: string) => {
    const profile = profiles.find((p) => p.id === profileId);
    if (profile === undefined) return;
    patch({
      clientId: profile.clientId,
      clientSecret: profile.clientSecret,
      authMethod: methodFor(profile.clientId, features.authMethods()),
      assertion: undefined,
    });
    announce(`Client ${profile.clientId} chosen.`);
    if (standard && profile.clientSecret === '' && STANDARD_CLIENT_METHODS[profile.clientId] !== undefined)
      void fillSandboxSecret(profile.clientId);
  };

  const exchangeToken = async () => {
    const sent = await execute('exchange', sendExchange, { failure: 'The token exchange request failed.' });
    if (sent === undefined) return;
    const read = await execute('exchange', readExchange, {
      next: 'result',
      success: 'The server issued a new token; see it in step 4.',
      failure: 'The server refused the exchange.',
    });
    if (read?.tokens === undefined) return;
    useFlowRuns.getState().setStep(FLOW_ID, 'result', 'done');
    useTokenHistory.getState().add({
      flowId: FLOW_ID,
      flowTitle: flow.title,
      clientId: ctx.clientId,
      tokenEndpoint: ctx.tokenEndpoint,
      spa: false,
      tokens: read.tokens,
    });
  };

  const values: Record<string, string> = {
    requested_token_type: ctx.requestedTokenType,
    audience: ctx.audience,
    resource: ctx.resource,
    scope: ctx.scope,
  };
  const tokens = ctx.tokens;
  const issued = tokens === undefined ? undefined : readDelegation(tokens.access_token);
  const comparison =
    tokens === undefined ? [] : compareExchangedTokens(ctx.subject.token, tokens.access_token);

  return (
    <FlowPage
      flow={flow}
      current={run.current}
      status={run.status}
      onGoTo={goTo}
      announcement={announcement}
      options={
        <button type="button" onClick={startAgain}>
          Start again
        </button>
      }
    >
      <StepSection {...stepProps('subject')}>
        <FeatureNote features={features} />
        <p>
          The subject token names who the new token will be about. A service that received a user’s token
          trades it here for one fit for the next hop: another audience, fewer scopes.
        </p>
        <fieldset className="token-exchange__token">
          <legend>The subject token</legend>
          <TokenPicker
            kind="access_token"
            label="Subject token (subject_token)"
            value={ctx.subject.token}
            onChange={(value, entry) => {
              setSubject({
                token: value,
                tokenType: entry === undefined ? ctx.subject.tokenType : TOKEN_TYPES.access_token,
                source: entry === undefined ? 'pasted' : 'earlier-run',
              });
              if (value !== '') {
                useFlowRuns.getState().setStep(FLOW_ID, 'subject', 'done');
                announce('Subject token set. Next: decide whether someone acts for the subject (step 2).');
              }
            }}
          />
          <IdTokenPicker
            onPick={(token) => {
              setSubject({ token, tokenType: TOKEN_TYPES.id_token, source: 'earlier-run' });
              useFlowRuns.getState().setStep(FLOW_ID, 'subject', 'done');
              announce('An ID token is the subject token now; its type is set to id_token.');
            }}
          />
          <TokenTypeSelect
            label="Its type (subject_token_type)"
            value={ctx.subject.tokenType}
            onChange={(tokenType) => setSubject({ ...ctx.subject, tokenType })}
          />
        </fieldset>
        {ctx.subject.token !== '' && (
          <TokenView
            label="Subject token"
            token={ctx.subject.token}
            {...(ctx.subject.tokenType === TOKEN_TYPES.id_token
              ? { kind: 'id' as const }
              : ctx.subject.tokenType === TOKEN_TYPES.access_token
                ? { kind: 'access' as const }
                : {})}
          />
        )}
      </StepSection>

      <StepSection {...stepProps('actor')}>
        <p>
          <strong>Impersonation</strong>: no actor token. The new token is simply about the subject; whoever
          uses it is indistinguishable from the subject. <strong>Delegation</strong>: an actor token says who
          acts for the subject, and the new token keeps both — the subject in <code>sub</code>, the actor in{' '}
          <code>act</code> (RFC 8693 §1.1, §4.1).
        </p>
        {subjectDelegation?.mayAct !== undefined && (
          <p className="note" role="note" aria-label="may_act in the subject token">
            The subject token says who may act for it: <code>may_act</code> ={' '}
            {JSON.stringify(subjectDelegation.mayAct)} (RFC 8693 §4.4). A server honouring it refuses any
            other actor.
          </p>
        )}
        <fieldset className="token-exchange__mode">
          <legend>Who uses the new token?</legend>
          <label>
            <input
              type="radio"
              name="te-mode"
              checked={!delegating && !actorWanted}
              onChange={() => {
                setActorWanted(false);
                setActor({ ...ctx.actor, token: '' });
                useFlowRuns.getState().setStep(FLOW_ID, 'actor', 'done');
                announce('Impersonation: no actor token will be sent.');
              }}
            />{' '}
            The subject itself (impersonation: no actor token)
          </label>
          <label>
            <input
              type="radio"
              name="te-mode"
              checked={delegating || actorWanted}
              onChange={() => setActorWanted(true)}
            />{' '}
            Someone acting for the subject (delegation: an actor token)
          </label>
        </fieldset>
        {(delegating || actorWanted) && (
          <fieldset className="token-exchange__token">
            <legend>The actor token</legend>
            <TokenPicker
              kind="access_token"
              label="Actor token (actor_token)"
              value={ctx.actor.token}
              onChange={(value, entry) => {
                setActor({
                  token: value,
                  tokenType: entry === undefined ? ctx.actor.tokenType : TOKEN_TYPES.access_token,
                  source: entry === undefined ? 'pasted' : 'earlier-run',
                });
                if (value !== '') {
                  useFlowRuns.getState().setStep(FLOW_ID, 'actor', 'done');
                  announce('Actor token set: this is delegation; the new token will carry act.');
                }
              }}
            />
            <TokenTypeSelect
              label="Its type (actor_token_type)"
              value={ctx.actor.tokenType}
              onChange={(tokenType) => setActor({ ...ctx.actor, tokenType })}
            />
          </fieldset>
        )}
        <p className="help">
          {delegating
            ? 'Delegation: actor_token and actor_token_type are sent.'
            : 'Impersonation: no actor_token and no actor_token_type are sent (RFC 8693 §2.1 allows the type only with a token).'}
        </p>
      </StepSection>

      <StepSection {...stepProps('exchange')}>
        <form
          className="params"
          onSubmit={(e) => e.preventDefault()}
          aria-label="Token exchange request parameters"
        >
          <TokenTypeSelect
            label="requested_token_type"
            value={ctx.requestedTokenType}
            allowNone="(not sent: the server chooses)"
            onChange={(requestedTokenType) => patch({ requestedTokenType })}
          />
          {TOKEN_EXCHANGE_PARAMETERS.filter((p) => ['audience', 'resource', 'scope'].includes(p.name)).map(
            (definition) => {
              const fieldId = `te-${definition.name}`;
              return (
                <div className="field param" key={definition.name}>
                  <label htmlFor={fieldId}>
                    <code>{definition.name}</code>
                  </label>
                  <input
                    id={fieldId}
                    value={values[definition.name] ?? ''}
                    spellCheck={false}
                    autoComplete="off"
                    aria-describedby={`${fieldId}-help`}
                    onChange={(e) =>
                      patch({ [definition.name]: e.target.value } as Partial<TokenExchangeContext>)
                    }
                  />
                  <p id={`${fieldId}-help`} className="help">
                    {definition.explanation}
                    {definition.name !== 'scope' && ' Several values: separate them with spaces.'}{' '}
                    <span className="spec">{definition.spec}</span>
                  </p>
                </div>
              );
            },
          )}
        </form>
        <h3>The client that asks</h3>
        <p className="help">
          The service making the exchange proves who it is, as at any token request. A public client (no
          credential) should not be trusted with another party’s token.
        </p>
        {candidates.length > 0 && (
          <div className="field">
            <label htmlFor="te-profile">Act as an app profile</label>
            <select
              id="te-profile"
              value={candidates.find((p) => p.clientId === ctx.clientId)?.id ?? ''}
              onChange={(e) => chooseProfile(e.target.value)}
            >
              <option value="">(typed below)</option>
              {candidates.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name} ({p.clientId})
                </option>
              ))}
            </select>
          </div>
        )}
        <div className="field">
          <label htmlFor="te-client-id">Client id</label>
          <input
            id="te-client-id"
            value={ctx.clientId}
            spellCheck={false}
            autoComplete="off"
            onChange={(e) => patch({ clientId: e.target.value.trim() })}
          />
        </div>
        <ClientAuthChoice
          legend="Client authentication at the token endpoint"
          verdicts={verdicts}
          method={ctx.authMethod}
          onMethodChange={(authMethod) => patch({ authMethod, assertion: undefined })}
          clientId={ctx.clientId}
          clientSecret={ctx.clientSecret}
          clientKey={ctx.clientKey}
          onClientKeyChange={(clientKey) => patch({ clientKey })}
          keyRegistrationUrl={keyRegistrationUrl}
          assertion={ctx.assertion}
          deps={deps}
        />
        {needsSecret && (
          <div className="field">
            <label htmlFor="te-secret">Client secret (kept in memory only)</label>
            <SecretInput
              id="te-secret"
              value={ctx.clientSecret}
              onChange={(clientSecret) => patch({ clientSecret })}
            />
            {standard && ctx.clientSecret === '' && STANDARD_CLIENT_METHODS[ctx.clientId] !== undefined && (
              <button type="button" onClick={() => void fillSandboxSecret(ctx.clientId)}>
                Fill in {ctx.clientId}’s sandbox-only secret
              </button>
            )}
          </div>
        )}
        {warnings.length > 0 && (
          <ul className="warnings" aria-label="Before sending">
            {warnings.map((w) => (
              <li key={`${w.parameter}:${w.message}`}>
                <code>{w.parameter}</code>: {w.message}
              </li>
            ))}
          </ul>
        )}
        <TokenRequestPanel
          request={buildExchangeRequest(ctx)}
          route={decideExchangeRoute(deps)}
          exchange={ctx.exchange}
          failure={failureFor('exchange')}
          sending={statusOf('exchange') === 'running'}
          sendLabel="Exchange the token"
          onSend={() => void exchangeToken()}
        />
        {failureFor('exchange')?.fields?.error === 'invalid_scope' && (
          <InvalidScopeNote subjectToken={ctx.subject.token} asked={ctx.scope} />
        )}
      </StepSection>

      <StepSection {...stepProps('result')}>
        {tokens === undefined ? (
          <p>
            {failureFor('exchange') === undefined
              ? 'No token issued yet.'
              : 'No token: the server refused the last request (its answer and what it means are in step 3).'}
          </p>
        ) : (
          <>
            <dl className="token-meta">
              <dt>issued_token_type</dt>
              <dd>
                <code>{tokens.issued_token_type}</code> —{' '}
                {describeTokenType(tokens.issued_token_type)?.label ?? 'a type RFC 8693 does not register'}
              </dd>
              <dt>token_type</dt>
              <dd>
                {tokens.token_type}
                {!isUsableAsAccessToken(tokens)
                  ? ' (N_A: not an access token; RFC 8693 §2.2.1)'
                  : tokens.token_type.toLowerCase() === 'dpop'
                    ? ' (bound to the subject token’s key: send it with a DPoP proof signed by that key, RFC 9449 §7)'
                    : ' (send it as an access token)'}
              </dd>
              <dt>scope</dt>
              <dd>{tokens.scope ?? '(not returned: the same as asked for)'}</dd>
              <dt>expires_in</dt>
              <dd>
                {tokens.expires_in === undefined ? '(not returned)' : `${String(tokens.expires_in)} seconds`}
              </dd>
            </dl>
            {issued !== undefined && issued.actors.length > 0 ? (
              <p className="ok" role="note" aria-label="Delegation">
                Delegation: <code>{show(issued.sub)}</code> is the subject, and{' '}
                <code>{issued.actors[0]?.sub ?? show(issued.actors[0]?.claims)}</code> acts for it (
                <code>act</code>).
                {issued.actors.length > 1 &&
                  ` Earlier actors, nested in act as history: ${issued.actors
                    .slice(1)
                    .map((a) => a.sub ?? '?')
                    .join(', ')}.`}
              </p>
            ) : (
              <p className="help">
                No <code>act</code> claim: the new token speaks for the subject alone (impersonation).
              </p>
            )}
            {comparison.length > 0 && (
              <div className="token-exchange__table-scroll">
                <table className="lab-table">
                  <caption>The subject token and the issued token, side by side</caption>
                  <thead>
                    <tr>
                      <th scope="col">Claim</th>
                      <th scope="col">Subject token</th>
                      <th scope="col">Issued token</th>
                      <th scope="col">Same?</th>
                    </tr>
                  </thead>
                  <tbody>
                    {comparison.map((row) => (
                      <tr key={row.claim}>
                        <th scope="row">
                          <code>{row.claim}</code>
                        </th>
                        <td className="wrap">{show(row.subject)}</td>
                        <td className="wrap">{show(row.issued)}</td>
                        <td>{row.same ? 'same' : 'different'}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
            <TokenView label="Issued token" token={tokens.access_token} kind="access" />
          </>
        )}
      </StepSection>
      <OboComparison />
    </FlowPage>
  );
}

/** The subject token's `scope` claim, when it is a JWT that carries one. */
function subjectScopes(token: string): string[] | undefined {
  try {
    const scope = decodeJwt(token).payload['scope'];
    return typeof scope === 'string' ? scope.split(' ').filter(Boolean) : undefined;
  } catch {
    return undefined;
  }
}

/** After invalid_scope: why (a token exchange only narrows), with the subject token's own scopes. */
function InvalidScopeNote({ subjectToken, asked }: { subjectToken: string; asked: string }) {
  const scopes = subjectScopes(subjectToken);
  return (
    <p className="note" role="note" aria-label="Why the scope was refused">
      A token exchange can narrow the scope, never widen it: the issued token gets the scopes of the subject
      token, or fewer (RFC 8693 §2.1, <code>scope</code>; §5).{' '}
      {scopes === undefined ? (
        'The subject token’s scopes cannot be read here (it is not a JWT with a scope claim).'
      ) : scopes.length === 0 ? (
        'The subject token carries no scope.'
      ) : (
        <>
          The subject token carries <code>{scopes.join(' ')}</code>.
        </>
      )}{' '}
      {asked.trim() === '' ? (
        'No scope was asked for, so the server took the subject token’s own: none of them is a scope of the resource.'
      ) : (
        <>
          Asked for: <code>{asked.trim()}</code>.
        </>
      )}{' '}
      To get an <code>api.read</code> token, the subject token must have it: run the authorization code flow
      (or client credentials) asking for <code>api.read</code> first, then trade that token.
    </p>
  );
}
