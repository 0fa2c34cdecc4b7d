import { Suspense, use, useCallback, useEffect, useId, useRef, useState, type ReactNode } from 'react';
import {
  buildCertificateRegistrationRequest,
  buildClientCredentialsRequest,
  CLIENT_CREDENTIALS_PARAMETERS,
  clientCredentialsFlow as flow,
  clientCredentialsVariant,
  createClientCredentialsContext,
  decideTokenRoute,
  generateCertificate,
  portalAppUrl,
  readCertificateRegistration,
  readClientCredentialsResponse,
  sendCertificateRegistration,
  sendClientCredentialsRequest,
  isJwtMethod,
  mendRestoredEndpoints,
  signAssertion,
  signingKeyOf,
  signStandardAssertion,
  tokenEndpointOf,
  validateClientCredentialsRequest,
  type AppOnlyTokenFacts,
  type ClientCredentialsContext,
  type CredentialKind,
} from '../../flows/client-credentials.ts';
import type { AssertionAlgorithm } from '../../protocol/certificate.ts';
import type { TokenResponse } from '../../protocol/token.ts';
import { loadFlowPart } from '../../flows/flow-part.ts';
import {
  assessClientAuthMethods,
  CONFIDENTIAL_AUTH_METHODS,
  type ClientAuthMethod,
} from '../../protocol/client-auth.ts';
import type { ParameterDefinition } from '../../flows/types.ts';
import { useProviderFeatures } from '../../state/provider-features.ts';
import type { StepStatus } from '../../state/flow-runs.ts';
import { useFlowRuns } from '../../state/flow-runs.ts';
import { useLabConfig } from '../../state/lab-config.ts';
import { authorityForRun, clientFor, useSettings, type AppProfile } from '../../state/settings.ts';
import { useTokenHistory } from '../../state/token-history.ts';
import { FlowPage } from '../components/flow-page.tsx';
import { HttpExchangeView } from '../components/http-exchange-view.tsx';
import { ParameterField } from '../components/parameter-field.tsx';
import { SecretInput } from '../components/secret-input.tsx';
import { StepSection, stepSectionProps } from '../components/step-section.tsx';
import { TokenRequestPanel } from '../components/token-request-panel.tsx';
import {
  ClientAssertionTable,
  FailurePanel,
  preloadAssertion,
  TokensPanel,
  TokenView,
  useOnDemandParts,
} from '../components/on-demand.tsx';
import { useFlowRunner } from '../use-flow-run.ts';
import './client-credentials.css';
import { WarningsList } from '../components/warnings-list.tsx';
import {
  ClientAuthChoice,
  initialClientAuthMethod,
  JwtAssertionView,
  standardsClientFor,
  standardsKeyRegistrationUrl,
  usesStandardsSandbox,
} from '../components/client-auth-choice.tsx';
import { RelayOffNotice, WhereRelayRuns } from '../components/hosting-notices.tsx';

/** The token's reading and its JWT decoder, or why they could not be loaded. */
type TokenReading =
  { readonly module: typeof import('../../flows/client-credentials-token.ts') } | { readonly error: Error };

let tokenReading: (Promise<TokenReading> & { status?: string; value?: TokenReading }) | undefined;

/**
 * The token's reading, loaded with the request that brings a token (issue 12), at most once; after a
 * failed load, only a new request (`retry`) tries again, so a render never starts a load loop. The
 * promise carries its outcome as React's `use` expects, so a loaded reading renders without suspending.
 */
function loadTokenReading(retry = false): Promise<TokenReading> {
  if (retry && tokenReading?.value !== undefined && 'error' in tokenReading.value) tokenReading = undefined;
  if (tokenReading !== undefined) return tokenReading;
  const started: Promise<TokenReading> & { status?: string; value?: TokenReading } = loadFlowPart(
    () => import('../../flows/client-credentials-token.ts'),
    'reads this token',
  ).then(
    (module) => ({ module }),
    (error: unknown) => ({ error: error instanceof Error ? error : new Error(String(error)) }),
  );
  started.status = 'pending';
  void started.then((value) => {
    started.status = 'fulfilled';
    started.value = value;
  });
  tokenReading = started;
  return started;
}

/** What the app-only token says about itself, once its reading is loaded; a failed load says so. */
function AppOnlyTokenReading({
  tokens,
  children,
}: {
  readonly tokens: TokenResponse;
  readonly children: (facts: AppOnlyTokenFacts) => ReactNode;
}) {
  const reading = use(loadTokenReading());
  if ('error' in reading) return <p className="lab-message lab-message--warning">{reading.error.message}</p>;
  return children(reading.module.describeAppOnlyToken(tokens));
}

const FLOW_ID = flow.id;
type StepId = (typeof flow.steps)[number]['id'];
const CERTIFICATE_ONLY: readonly StepId[] = ['register', 'assertion'];

function newContext(sandboxOrigin: string): ClientCredentialsContext {
  const authority = useSettings.getState().authority;
  const sandbox = authority === 'sandbox';
  // Entra and its sandbox keep their own credential choice (secret or certificate); others any method.
  const entraShaped = sandbox || authority === 'entra';
  const client = clientFor('Flow Lab Web App');
  const fresh = createClientCredentialsContext({
    ...authorityForRun(sandboxOrigin),
    clientId: client.clientId,
    clientSecret: client.clientSecret,
    ...(sandbox ? { portalOrigin: sandboxOrigin } : {}),
    ...(entraShaped ? {} : { authMethod: initialClientAuthMethod(sandboxOrigin, client.clientId) }),
    // Graph's /.default means nothing to the standards sandbox: its default scope unless the profile names
    // one. Other issuers keep Graph's, as before (an Entra tenant found by its issuer URL needs it).
    ...(usesStandardsSandbox(sandboxOrigin) ? { scope: '' } : {}),
  });
  return client.scope === undefined ? fresh : { ...fresh, scope: client.scope };
}

/** The saved app profile with this client id, if any: its secret and kind go with it. */
function profileWithClientId(clientId: string): AppProfile | undefined {
  const typed = clientId.trim();
  return typed === '' ? undefined : useSettings.getState().profiles.find((p) => p.clientId === typed);
}

/** The scope field's words for a non-Entra authority, where /.default means nothing. */
function standardDefinition(definition: ParameterDefinition): ParameterDefinition {
  if (definition.name !== 'scope') return definition;
  return {
    ...definition,
    required: false,
    explanation:
      'The scopes the app asks for itself, as the server defines them (the standards sandbox: api.read, for its API). Optional: without it the server picks its default.',
  };
}

/** The current time, refreshed every 15 s, so expiry warnings stay true without an impure render. */
function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), 15_000);
    return () => window.clearInterval(timer);
  }, []);
  return now;
}

function CopyPem({ pem, targetId }: { pem: string; targetId: string }) {
  const [status, setStatus] = useState('');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(pem);
      setStatus('Copied.');
    } catch {
      const field = document.getElementById(targetId);
      if (field instanceof HTMLTextAreaElement) {
        field.focus();
        field.select();
      }
      setStatus('Could not copy automatically; the text is selected, press Ctrl+C (⌘C on a Mac).');
    }
  };
  return (
    <>
      <button type="button" onClick={() => void copy()}>
        Copy the certificate
      </button>{' '}
      <span role="status">{status}</span>
    </>
  );
}

export default function ClientCredentialsPage() {
  const sandboxOrigin = useLabConfig((s) => s.sandboxOrigin);
  const create = useCallback(() => newContext(sandboxOrigin), [sandboxOrigin]);
  const { run, ctx, deps, patch, execute, restart, failureFor, statusOf, goTo, announcement, announce } =
    useFlowRunner<ClientCredentialsContext>(FLOW_ID, create, 'credential');
  const pemId = useId();
  const now = useNow();
  const features = useProviderFeatures();
  const issuer = useSettings((s) => (s.authority === 'issuer' ? s.issuer?.issuer : undefined));
  const [focusedParam, setFocusedParam] = useState<string | undefined>();
  useOnDemandParts({
    failure: run?.failure !== undefined,
    tokens: ctx?.tokens !== undefined || ctx?.assertion !== undefined,
    assertion: ctx?.assertion !== undefined,
  });
  // A restored run shows its token at once: the page waits for the token's reading like its other parts.
  const [tokenAtFirstRender] = useState(ctx?.tokens !== undefined);
  if (tokenAtFirstRender) use(loadTokenReading());
  // A run restored after a reload (the code flow's redirect) lost its token endpoint: take it back.
  // After switching to a confidential client, focus goes to its credential (the pressed button is gone).
  const focusCredential = useRef(false);
  const runClientId = ctx?.clientId;
  useEffect(() => {
    if (!focusCredential.current) return;
    focusCredential.current = false;
    const target =
      document.getElementById('cc-secret') ??
      document.querySelector<HTMLElement>('.client-auth-choice input[type="radio"]:checked');
    target?.focus();
  }, [runClientId]);
  const storedEndpoints = ctx?.endpoints;
  useEffect(() => {
    const mended = mendRestoredEndpoints(storedEndpoints, authorityForRun(sandboxOrigin).endpoints);
    if (mended !== undefined) patch({ endpoints: mended });
  }, [storedEndpoints, sandboxOrigin, patch]);

  if (run === undefined || ctx === undefined) return <p role="status">Preparing the flow…</p>;

  const standardMethod = ctx.authMethod;
  const standard = standardMethod !== undefined;
  const isCertificate = !standard && ctx.credentialKind === 'certificate';
  const status = (id: StepId): StepStatus => {
    if (standard) {
      // The key is made and registered in step 1; the assertion is signed again with each request.
      if (id === 'register') return 'skipped';
      if (id === 'assertion' && !isJwtMethod(standardMethod)) return 'skipped';
      if (id === 'credential') return statusOf('request') === 'idle' ? 'idle' : 'done';
    }
    if (!isCertificate && CERTIFICATE_ONLY.includes(id)) return 'skipped';
    // With a secret, step 1 is the secret itself: its work is done once a request has used it.
    if (!isCertificate && id === 'credential') return statusOf('request') === 'idle' ? 'idle' : 'done';
    return statusOf(id);
  };
  const shownStatus = Object.fromEntries(flow.steps.map((s) => [s.id, status(s.id)]));
  const stepProps = (id: StepId) => stepSectionProps(flow.steps, id, status(id), run.current, goTo);

  const setKind = (kind: CredentialKind) => {
    // The assertion's code is needed a few steps on; it arrives while the certificate is made.
    if (kind === 'certificate') preloadAssertion();
    patch({ credentialKind: kind });
    goTo('credential');
    announce(
      kind === 'certificate'
        ? 'Certificate credential: generate a key pair, register the certificate, then sign a client assertion.'
        : 'Client secret: the secret goes in the token request body.',
    );
  };

  const startAgain = () => {
    const fresh = newContext(sandboxOrigin);
    // Keep what the user typed; every result goes (certificate, upload, assertion, token), and the run's
    // statuses, recordings and failures with it (a new run). The page's own state goes with the remount.
    setFocusedParam(undefined);
    restart(
      {
        ...fresh,
        tenant: ctx.tenant,
        ...(ctx.endpoints === undefined ? {} : { endpoints: ctx.endpoints }),
        clientId: ctx.clientId,
        scope: ctx.scope,
        clientSecret: ctx.clientSecret,
        credentialKind: ctx.credentialKind,
        ...(ctx.authMethod === undefined ? {} : { authMethod: ctx.authMethod }),
        ...(ctx.clientKey === undefined ? {} : { clientKey: ctx.clientKey }),
        algorithm: ctx.algorithm,
        includeIat: ctx.includeIat,
      },
      'credential',
      'Started again: your inputs are kept; the certificate, the assertion and the token are cleared.',
    );
  };

  const generate = () =>
    void execute('credential', generateCertificate, {
      next: 'register',
      success: 'Key pair and self-signed certificate generated; the private key stays in this tab.',
      failure: 'The certificate could not be generated.',
    });

  const register = async () => {
    const sent = await execute('register', sendCertificateRegistration, {
      failure: 'The upload did not reach the sandbox.',
    });
    if (sent === undefined) return;
    await execute('register', readCertificateRegistration, {
      next: 'assertion',
      success: 'The sandbox registered the certificate on the app.',
      failure: 'The sandbox refused the certificate.',
    });
  };

  // Switching client: its secret comes from its profile (memory only), the focus to its credential.
  const switchClient = (clientId: string, authMethod: ClientAuthMethod, focus: boolean) => {
    const profile = profileWithClientId(clientId);
    patch({ clientId, authMethod, clientSecret: profile?.clientSecret ?? '' });
    goTo('credential');
    if (focus) focusCredential.current = true;
    announce(`Client ${clientId}, client authentication: ${authMethod}.`);
  };

  const setMethod = (authMethod: ClientAuthMethod) => {
    // Each standards sandbox client is registered for one method: the chosen method brings its client,
    // when the run uses one of them (a client id typed by hand stays).
    const seeded = standardsClientFor(sandboxOrigin, authMethod);
    const onSeeded = standardsClientFor(sandboxOrigin, ctx.authMethod ?? 'none') === ctx.clientId;
    if (
      seeded !== undefined &&
      onSeeded &&
      seeded !== ctx.clientId &&
      profileWithClientId(seeded) !== undefined
    ) {
      switchClient(seeded, authMethod, false);
      return;
    }
    patch({ authMethod });
    goTo('credential');
    announce(`Client authentication: ${authMethod}.`);
  };

  const signStandard = () =>
    void execute('assertion', signStandardAssertion, {
      next: 'request',
      success: 'Client assertion signed; each request signs a fresh one like it.',
      failure: 'The client assertion could not be signed.',
    });

  const sign = () => {
    preloadAssertion();
    void execute('assertion', signAssertion, {
      next: 'request',
      success: 'Client assertion signed; it is now the credential in the token request.',
      failure: 'The client assertion could not be signed.',
    });
  };

  const requestToken = async () => {
    void loadTokenReading(true);
    const sent = await execute('request', sendClientCredentialsRequest, {
      failure: 'The token request failed.',
    });
    if (sent === undefined) return;
    const read = await execute('request', readClientCredentialsResponse, {
      next: 'token',
      success: 'App-only access token received and decoded.',
      failure: 'The token endpoint refused the request.',
    });
    if (read?.tokens === undefined) return;
    useTokenHistory.getState().add({
      flowId: FLOW_ID,
      flowTitle: flow.title,
      clientId: read.clientId,
      tokenEndpoint: tokenEndpointOf(read),
      spa: false,
      tokens: read.tokens,
    });
    useFlowRuns.getState().setStep(FLOW_ID, 'token', 'done', { current: 'token' });
  };

  const values: Record<string, string> = {
    tenant: ctx.tenant,
    grant_type: 'client_credentials',
    client_id: ctx.clientId,
    scope: ctx.scope,
  };
  const setValue = (name: string, value: string) => {
    if (name === 'tenant') patch({ tenant: value });
    if (name === 'client_id') {
      // A typed client id that names a profile takes its secret (and a seeded client its method).
      const profile = profileWithClientId(value);
      const seeded = CONFIDENTIAL_AUTH_METHODS.find(
        (m) => standardsClientFor(sandboxOrigin, m) === value.trim(),
      );
      patch({
        clientId: value,
        ...(profile === undefined ? {} : { clientSecret: profile.clientSecret }),
        ...(standard && seeded !== undefined ? { authMethod: seeded } : {}),
      });
    }
    if (name === 'scope') patch({ scope: value });
  };
  const warnings = validateClientCredentialsRequest(ctx, now);
  const route = decideTokenRoute(deps);
  const certificate = ctx.certificate;
  // A run restored after a reload keeps the certificate's public parts, never its private key.
  const keyGone = certificate !== undefined && signingKeyOf(certificate, ctx.algorithm) === undefined;
  const requestStale = statusOf('request') === 'stale';
  const tokenEndpoint = tokenEndpointOf(ctx);
  // RFC 6749 §4.4: only a confidential client may use this grant; a public one is offered the others.
  const publicClient =
    standard && (standardMethod === 'none' || profileWithClientId(ctx.clientId)?.platform === 'spa');
  const confidentialClients = CONFIDENTIAL_AUTH_METHODS.flatMap((method) => {
    const clientId = standardsClientFor(sandboxOrigin, method);
    return clientId !== undefined && profileWithClientId(clientId) !== undefined
      ? [{ clientId, method }]
      : [];
  });

  const standardTokenFacts = (tokens: NonNullable<ClientCredentialsContext['tokens']>) => (
    <>
      <ul className="cc-token-facts" aria-label="What this token is">
        <li>
          {tokens.scope === undefined ? (
            <>
              No <code>scope</code> in the answer: it is the one asked for (RFC 6749 §5.1).
            </>
          ) : (
            <>
              Granted scope: <code>{tokens.scope}</code>.
            </>
          )}
        </li>
        <li>
          It was issued to <code>{ctx.clientId}</code> after it proved itself with{' '}
          <code>{standardMethod}</code>; no user took part.
        </li>
        <li>No refresh token: the app can ask again with its credential whenever it likes.</li>
        <li>No ID token: an ID token describes a signed-in user, and no user signed in.</li>
      </ul>
      <TokensPanel
        tokens={tokens}
        noIdToken="No ID token: the client credentials grant has no user to describe."
        noRefreshToken="No refresh token: the app just repeats this request with its own credential."
      />
    </>
  );

  const entraTokenFacts = (
    tokens: NonNullable<ClientCredentialsContext['tokens']>,
    facts: AppOnlyTokenFacts,
  ) => (
    <>
      <ul className="cc-token-facts" aria-label="What this token is">
        <li>
          {facts.roles.length > 0 ? (
            <>
              Permissions arrive as <code>roles</code> (application permissions):{' '}
              <strong>{facts.roles.join(', ')}</strong>.
            </>
          ) : facts.decoded ? (
            <>
              No <code>roles</code> claim: no application permission on this resource has been granted to the
              app (admin consent is needed).
            </>
          ) : (
            <>The access token is not a readable JWT, so its roles cannot be shown.</>
          )}
        </li>
        <li>
          {facts.scp === undefined ? (
            <>
              No <code>scp</code>: scopes are delegated permissions, which need a user, and there is none.
            </>
          ) : (
            <>
              Unexpected <code>scp</code> ({facts.scp}) in an app-only token.
            </>
          )}
        </li>
        {facts.azpacr !== undefined && (
          <li>
            <code>{facts.credentialClaim ?? 'azpacr'}</code> {facts.azpacr}:{' '}
            {facts.azpacr === '2'
              ? 'the app proved itself with a certificate.'
              : facts.azpacr === '1'
                ? 'the app proved itself with a client secret.'
                : 'see the claim table.'}
          </li>
        )}
        <li>
          No refresh token: the app can ask again with its credential whenever it likes, so there is nothing
          to refresh.
        </li>
        <li>No ID token: an ID token describes a signed-in user, and no user signed in.</li>
      </ul>
      <TokensPanel
        tokens={tokens}
        noIdToken="No ID token: the client credentials grant has no user to describe."
        noRefreshToken="No refresh token: the app just repeats this request with its own credential."
      />
      <p>
        The token is in this tab’s history: the “Call an API” page can send it to <code>/v1.0/users</code>.
      </p>
    </>
  );

  const tokenFacts = (tokens: NonNullable<ClientCredentialsContext['tokens']>) =>
    standard ? (
      standardTokenFacts(tokens)
    ) : (
      // Loaded with the request (and waited for on a restored run), so this fallback is rarely seen.
      <Suspense fallback={<div className="cc-token-facts" aria-busy="true" />}>
        <AppOnlyTokenReading tokens={tokens}>{(facts) => entraTokenFacts(tokens, facts)}</AppOnlyTokenReading>
      </Suspense>
    );

  return (
    <FlowPage
      key={run.runId}
      flow={flow}
      variants={[clientCredentialsVariant(ctx)]}
      current={run.current}
      status={shownStatus}
      onGoTo={goTo}
      announcement={announcement}
      options={
        <>
          {!standard && (
            <fieldset className="cc-kind">
              <legend>Credential</legend>
              <label className="choice">
                <input
                  type="radio"
                  name="cc-kind"
                  value="secret"
                  checked={!isCertificate}
                  onChange={() => setKind('secret')}
                />
                Client secret
              </label>
              <label className="choice">
                <input
                  type="radio"
                  name="cc-kind"
                  value="certificate"
                  checked={isCertificate}
                  onChange={() => setKind('certificate')}
                />
                Certificate (signed client assertion)
              </label>
            </fieldset>
          )}
          <button type="button" onClick={startAgain}>
            Start again
          </button>
        </>
      }
    >
      {standard ? (
        <p className="note">
          No user takes part: the app asks for a token for itself, proving who it is with the method chosen in
          step 1 — among those the provider’s metadata lists. A confidential client sends this from a server
          <WhereRelayRuns>, so this page sends it through the local relay</WhereRelayRuns>.
        </p>
      ) : (
        <p className="note">
          No user takes part: the app asks for a token for itself. That request must come from a server —
          Entra refuses it from a browser (AADSTS9002326)
          <WhereRelayRuns> — so this page sends it through the local relay</WhereRelayRuns>.
        </p>
      )}
      <RelayOffNotice />
      {standard === features.entraShaped && (
        <p className="warning" role="note" aria-label="Run from another authority">
          This run was started for {standard ? 'another issuer' : 'Entra'}, and the settings now point at{' '}
          {features.entraShaped ? 'Entra or its sandbox' : 'another issuer'}: press Start again to use the
          current authority (and its client authentication methods).
        </p>
      )}

      <StepSection {...stepProps('credential')}>
        {standard ? (
          <>
            {publicClient && (
              <div className="warning" role="note" aria-label="Public client">
                <p>
                  <code>{ctx.clientId}</code> is a public client: it has no secret or key, so it cannot
                  authenticate, and the client credentials grant is for confidential clients only (RFC 6749
                  §4.4). Switch to a confidential client:
                </p>
                {confidentialClients.length === 0 ? (
                  <p>Add a confidential client’s profile in Settings, or type its client id below.</p>
                ) : (
                  <ul className="cc-confidential-clients">
                    {confidentialClients.map((c) => (
                      <li key={c.clientId}>
                        <button type="button" onClick={() => switchClient(c.clientId, c.method, true)}>
                          Use {c.clientId} ({c.method})
                        </button>
                      </li>
                    ))}
                  </ul>
                )}
              </div>
            )}
            {standardMethod !== 'private_key_jwt' && standardMethod !== 'none' && (
              <div className="field">
                <label htmlFor="cc-secret">Client secret (kept in memory only)</label>
                <SecretInput
                  id="cc-secret"
                  value={ctx.clientSecret}
                  onChange={(value) => patch({ clientSecret: value })}
                  describedBy="cc-secret-help"
                />
                <p id="cc-secret-help" className="help">
                  {standardMethod === 'client_secret_jwt'
                    ? 'The secret is the key of the HS256 signature; it never travels itself.'
                    : 'The secret the server issued with the client.'}
                </p>
              </div>
            )}
            <ClientAuthChoice
              verdicts={assessClientAuthMethods(features.metadata, { methods: CONFIDENTIAL_AUTH_METHODS })}
              method={standardMethod}
              onMethodChange={setMethod}
              clientId={ctx.clientId}
              clientSecret={ctx.clientSecret}
              clientKey={ctx.clientKey}
              onClientKeyChange={(clientKey) => patch({ clientKey })}
              keyRegistrationUrl={standardsKeyRegistrationUrl(sandboxOrigin, issuer, ctx.clientId)}
              deps={deps}
            />
            <p className="help">
              A client is registered for one method (its <code>token_endpoint_auth_method</code>). Servers
              differ on the others: oidc-provider, behind the standards sandbox, takes Basic and post alike
              for a secret, and either JWT method for an assertion, but refuses a secret from a client
              registered for an assertion (and the reverse). The standards sandbox has one client per method,
              named after it.
            </p>
          </>
        ) : !isCertificate ? (
          <div className="field">
            <label htmlFor="cc-secret">Client secret (kept in memory only)</label>
            <SecretInput
              id="cc-secret"
              value={ctx.clientSecret}
              onChange={(value) => patch({ clientSecret: value })}
              describedBy="cc-secret-help"
            />
            <p id="cc-secret-help" className="help">
              The secret’s value (not its id) from the app registration. A shared secret can leak from config
              files and logs; a certificate cannot leak this way, because its private key never travels.
            </p>
            {ctx.clientSecret === '' && run.notKept?.includes('secrets') === true && (
              <p className="help" role="note" aria-label="Secret not kept">
                The secret was not kept across the reload (secrets never are): type it again to send a new
                request.
              </p>
            )}
          </div>
        ) : (
          <>
            <p>
              The browser makes an RSA key pair with WebCrypto and wraps the public key in a self-signed X.509
              certificate. The private key is held as a non-extractable key in this tab only: it is never
              shown, stored or sent, and it is gone when you reload.
            </p>
            {keyGone && (
              <p className="warning" role="note" aria-label="Private key gone">
                <strong>The private key is gone.</strong> It was a non-extractable key in this tab’s memory,
                and the page has been reloaded since: the certificate below is only its public part, so it can
                no longer sign. Generate a new key pair and certificate (then register it and sign again).
              </p>
            )}
            <button
              type="button"
              className={certificate === undefined || keyGone ? 'primary' : undefined}
              data-next-action=""
              onClick={generate}
              disabled={statusOf('credential') === 'running'}
            >
              {certificate === undefined
                ? 'Generate a key pair and certificate'
                : 'Generate a new key pair and certificate'}
            </button>
            {certificate !== undefined && (
              <div className="cc-certificate">
                <dl className="cc-facts">
                  <dt>Subject</dt>
                  <dd>{certificate.subject}</dd>
                  <dt>Valid</dt>
                  <dd>
                    {new Date(certificate.notBefore).toISOString()} to{' '}
                    {new Date(certificate.notAfter).toISOString()}
                  </dd>
                  <dt>
                    <code>x5t#S256</code> — SHA-256 thumbprint, base64url (what the assertion header names)
                  </dt>
                  <dd>
                    <code data-testid="thumbprint-sha256">{certificate.thumbprints.sha256Base64Url}</code>
                  </dd>
                  <dt>Thumbprint — SHA-1, hex (what the Entra portal lists)</dt>
                  <dd>
                    <code data-testid="thumbprint-sha1">{certificate.thumbprints.sha1Hex}</code>
                  </dd>
                </dl>
                <div className="field">
                  <label htmlFor={pemId}>Certificate (PEM) — public, safe to share</label>
                  <textarea id={pemId} readOnly value={certificate.pem} rows={8} spellCheck={false} />
                  <CopyPem pem={certificate.pem} targetId={pemId} />
                </div>
              </div>
            )}
          </>
        )}
        {!standard && (
          <p className="help">
            Entra takes a secret (in the body, or in a Basic header) or a certificate-signed assertion
            (private_key_jwt naming the certificate by <code>x5t#S256</code>); it does not support
            client_secret_jwt. Against another issuer, such as the standards sandbox, this page offers every
            method that issuer lists.
          </p>
        )}
        {failureFor('credential') !== undefined && <FailurePanel failure={failureFor('credential')!} />}
      </StepSection>

      <StepSection {...stepProps('register')}>
        {standard ? (
          <p>
            {standardMethod === 'private_key_jwt'
              ? 'Done beside the key pair in step 1: the server needs the public key (a JWK) before it can check a signature.'
              : 'Not needed: no key pair with this method.'}
          </p>
        ) : !isCertificate ? (
          <p>Not needed with a client secret: the secret was created on the app registration itself.</p>
        ) : (
          <>
            <p>
              <strong>In Entra:</strong> open the app in App registrations, go to Certificates &amp; secrets,
              choose the Certificates tab and upload the certificate (save the PEM above as a .cer, .pem or
              .crt file). Entra keeps only the public part and lists it by its SHA-1 thumbprint.
            </p>
            {ctx.portalOrigin === undefined ? (
              <p className="help">Settings do not point at the sandbox, so its upload is not offered here.</p>
            ) : (
              <>
                <p>
                  <strong>In the sandbox:</strong> this button posts the PEM to the sandbox portal’s API for{' '}
                  <code>{ctx.clientId}</code>, straight from the browser (the portal allows it for localhost).{' '}
                  <a href={portalAppUrl(ctx.portalOrigin, ctx.clientId)} target="_blank" rel="noreferrer">
                    Open this app in the sandbox portal
                  </a>
                  .
                </p>
                <button
                  type="button"
                  className="primary"
                  data-next-action=""
                  onClick={() => void register()}
                  disabled={certificate === undefined || statusOf('register') === 'running'}
                >
                  Register on the sandbox
                </button>
                {certificate === undefined && <p className="help">Generate a certificate first (step 1).</p>}
                {certificate !== undefined && ctx.registration === undefined && (
                  <HttpExchangeView
                    exchange={{
                      request: buildCertificateRegistrationRequest(ctx),
                      via: 'browser',
                      viaReason: 'the sandbox portal accepts uploads from localhost pages (CORS).',
                      startedAt: 0,
                    }}
                  />
                )}
                {ctx.registration !== undefined && <HttpExchangeView exchange={ctx.registration} />}
                {ctx.registered !== undefined && (
                  <p className="ok" role="status">
                    Registered: the sandbox now trusts the certificate with x5t#S256{' '}
                    <code>{ctx.registered.thumbprintSha256}</code> for this app.
                  </p>
                )}
              </>
            )}
          </>
        )}
        {failureFor('register') !== undefined && <FailurePanel failure={failureFor('register')!} />}
      </StepSection>

      <StepSection {...stepProps('assertion')}>
        {standard ? (
          isJwtMethod(standardMethod) ? (
            <>
              <p>
                The assertion will say: for <code>{tokenEndpoint}</code> (aud), from and about{' '}
                <code>{ctx.clientId}</code> (iss and sub), valid for 10 minutes, with a fresh random jti —
                signed{' '}
                {standardMethod === 'client_secret_jwt'
                  ? 'with HMAC SHA-256 keyed by the client secret'
                  : 'with the private key made in step 1'}
                . Each request signs a new one: a server may refuse a jti it has already seen.
              </p>
              <button
                type="button"
                data-next-action=""
                onClick={signStandard}
                disabled={statusOf('assertion') === 'running'}
              >
                {ctx.jwtAssertion === undefined ? 'Sign a client assertion to see it' : 'Sign a fresh one'}
              </button>
              {ctx.jwtAssertion !== undefined && ctx.jwtAssertion.method === standardMethod && (
                <JwtAssertionView assertion={ctx.jwtAssertion} />
              )}
            </>
          ) : (
            <p>Not needed with {standardMethod}.</p>
          )
        ) : !isCertificate ? (
          <p>Not needed with a client secret.</p>
        ) : (
          <>
            <div className="field">
              <label htmlFor="cc-alg">
                <code>alg</code> (signature algorithm)
              </label>
              <select
                id="cc-alg"
                value={ctx.algorithm}
                aria-describedby="cc-alg-help"
                onChange={(e) => patch({ algorithm: e.target.value as AssertionAlgorithm })}
              >
                <option value="PS256">PS256 (RSA-PSS with SHA-256, recommended)</option>
                <option value="RS256">RS256 (RSA PKCS#1 v1.5 with SHA-256)</option>
              </select>
              <p id="cc-alg-help" className="help">
                Both use the same key pair; PS256 is the newer padding scheme.{' '}
                <span className="spec">RFC 7518 §3.1</span>
              </p>
            </div>
            <label className="choice">
              <input
                type="checkbox"
                checked={ctx.includeIat}
                onChange={(e) => patch({ includeIat: e.target.checked })}
              />
              Include <code>iat</code> (issued at)
            </label>
            <p>
              The assertion will say: for <code>{tokenEndpoint}</code> (aud), from and about{' '}
              <code>{ctx.clientId}</code> (iss and sub), valid for 10 minutes from now, with a fresh random
              jti.
            </p>
            <button
              type="button"
              className="primary"
              data-next-action=""
              onClick={sign}
              disabled={certificate === undefined || keyGone}
            >
              {ctx.assertion === undefined ? 'Sign the client assertion' : 'Sign a fresh client assertion'}
            </button>
            {certificate === undefined && <p className="help">Generate a certificate first (step 1).</p>}
            {keyGone && (
              <p className="help">
                The certificate’s private key did not survive the reload: generate a new one in step 1 to
                sign.
              </p>
            )}
            {ctx.assertion !== undefined && (
              <>
                <ClientAssertionTable assertion={ctx.assertion} />
                <TokenView
                  label="Client assertion"
                  token={ctx.assertion.jwt}
                  kind="client-assertion"
                  kindSource="this page signed it as the client assertion"
                />
              </>
            )}
          </>
        )}
        {failureFor('assertion') !== undefined && <FailurePanel failure={failureFor('assertion')!} />}
      </StepSection>

      <StepSection {...stepProps('request')}>
        <form className="params" onSubmit={(e) => e.preventDefault()} aria-label="Token request parameters">
          {CLIENT_CREDENTIALS_PARAMETERS.filter((d) => ctx.endpoints === undefined || d.name !== 'tenant')
            .map((d) => (standard ? standardDefinition(d) : d))
            .map((definition) => (
              <ParameterField
                key={definition.name}
                definition={definition}
                value={values[definition.name] ?? ''}
                onChange={(value) => setValue(definition.name, value)}
                onFocus={() => setFocusedParam(definition.name)}
                disabled={definition.name === 'grant_type'}
              />
            ))}
        </form>
        {focusedParam === 'scope' && !standard && (
          <p className="help">
            Examples: <code>https://graph.microsoft.com/.default</code> for Microsoft Graph,{' '}
            <code>api://&lt;app id&gt;/.default</code> for your own API.
          </p>
        )}
        <WarningsList warnings={warnings} />
        <TokenRequestPanel
          request={buildClientCredentialsRequest(ctx)}
          route={route}
          exchange={requestStale ? undefined : ctx.exchange}
          failure={requestStale ? undefined : failureFor('request')}
          sending={statusOf('request') === 'running'}
          sendLabel="Request the token"
          onSend={() => void requestToken()}
        />
        {requestStale && ctx.exchange !== undefined && (
          <details className="stale-result">
            <summary>Stale: the earlier request and its answer, sent before the inputs changed</summary>
            <HttpExchangeView exchange={ctx.exchange} />
          </details>
        )}
      </StepSection>

      <StepSection {...stepProps('token')}>
        {ctx.tokens === undefined ? (
          <p>No token yet.</p>
        ) : status('token') === 'stale' ? (
          <details className="stale-result">
            <summary>Stale: the token from the earlier request, before the inputs changed</summary>
            {tokenFacts(ctx.tokens)}
          </details>
        ) : (
          tokenFacts(ctx.tokens)
        )}
      </StepSection>
    </FlowPage>
  );
}
