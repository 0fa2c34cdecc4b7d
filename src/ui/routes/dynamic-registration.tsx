import { useCallback, useId, useState } from 'react';
import { Link } from 'react-router';
import {
  AUTH_METHOD_CHOICES,
  buildDynamicRegistrationRequest,
  buildManagementRequest,
  CLIENT_INFORMATION_FIELDS,
  createDynamicRegistrationContext,
  decideRegistrationRoute,
  dynamicRegistrationFlow as flow,
  GRANT_TYPE_CHOICES,
  readDelete,
  readReadBack,
  readRegistration,
  readUpdate,
  REGISTRATION_PARAMETERS,
  sendDelete,
  sendReadBack,
  sendRegistration,
  sendUpdate,
  validateDynamicRegistration,
  type DynamicRegistrationContext,
} from '../../flows/dynamic-registration.ts';
import { flowPath } from '../../flows/registry.ts';
import { describeSecretExpiry, type ClientInformation } from '../../protocol/registration.ts';
import { useFlowRuns } from '../../state/flow-runs.ts';
import { useLabConfig } from '../../state/lab-config.ts';
import { useProviderFeatures, type ProviderFeatures } from '../../state/provider-features.ts';
import { defaultRedirectUri, useSettings } from '../../state/settings.ts';
import { FlowPage } from '../components/flow-page.tsx';
import { HttpExchangeView } from '../components/http-exchange-view.tsx';
import { MaskedValue } from '../components/masked-value.tsx';
import { FailurePanel, useOnDemandParts } from '../components/on-demand.tsx';
import { ParameterField } from '../components/parameter-field.tsx';
import { SecretInput } from '../components/secret-input.tsx';
import { StepSection, stepSectionProps } from '../components/step-section.tsx';
import { TokenRequestPanel } from '../components/token-request-panel.tsx';
import { WarningsList } from '../components/warnings-list.tsx';
import { useFlowRunner } from '../use-flow-run.ts';
import './dynamic-registration.css';

const FLOW_ID = flow.id;
type StepId = (typeof flow.steps)[number]['id'];
const PARAMETER = Object.fromEntries(REGISTRATION_PARAMETERS.map((p) => [p.name, p]));

// Where Entra documents its ways of registering an app (no RFC 7591 endpoint).
const ENTRA_REGISTER_DOCS = 'https://learn.microsoft.com/entra/identity-platform/quickstart-register-app';
const GRAPH_CREATE_APPLICATION_DOCS = 'https://learn.microsoft.com/graph/api/application-post-applications';

function newContext(sandboxOrigin: string, features: ProviderFeatures): DynamicRegistrationContext {
  return createDynamicRegistrationContext({
    sandboxOrigin,
    registrationEndpoint: features.verdict('registration').endpoint ?? '',
    redirectUri: defaultRedirectUri(),
    now: Date.now(),
  });
}

function listed(metadata: ProviderFeatures['metadata'], field: string): readonly string[] | undefined {
  const value = metadata?.[field];
  return Array.isArray(value) ? (value as readonly string[]) : undefined;
}

function show(value: unknown): string {
  if (value === undefined) return '(not in the answer)';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** What the provider's metadata says about registration, and what Entra offers instead. */
function EndpointCheck({ features }: { features: ProviderFeatures }) {
  const verdict = features.verdict('registration');
  if (verdict.status === 'offered')
    return (
      <p className="help">
        <strong>Offered:</strong> {verdict.reason} <code>{verdict.endpoint}</code>
      </p>
    );
  return (
    <div className="note" role="note" aria-label="Registration not offered">
      <p>
        <strong>This provider does not offer dynamic registration.</strong> {features.explain('registration')}
      </p>
      {features.entraShaped ? (
        <p>
          In Entra ID an app is registered by a person in the Microsoft Entra admin center (
          <a href={ENTRA_REGISTER_DOCS} target="_blank" rel="noreferrer">
            App registrations → New registration
          </a>
          ), or by a script or service with Microsoft Graph:{' '}
          <a href={GRAPH_CREATE_APPLICATION_DOCS} target="_blank" rel="noreferrer">
            POST /applications
          </a>{' '}
          with a JSON body such as <code>{'{"displayName": "My app"}'}</code>, which needs the
          Application.ReadWrite permission — not an open endpoint any client can call.
        </p>
      ) : (
        <p>Register the client the way this provider documents (usually its admin console).</p>
      )}
      <p>
        To try registration here, choose the standards sandbox in <Link to="/settings">Settings</Link>.
      </p>
    </div>
  );
}

/** The client information as the server answered it, field by field, credentials masked. */
function ClientInformationTable({ client }: { client: ClientInformation }) {
  return (
    <div className="lab-table-scroll dcr-info">
      <table className="lab-table">
        <caption>What the server registered</caption>
        <thead>
          <tr>
            <th scope="col">Field</th>
            <th scope="col">Value</th>
            <th scope="col">Meaning</th>
          </tr>
        </thead>
        <tbody>
          {CLIENT_INFORMATION_FIELDS.map((field) => {
            const value = client[field.name];
            const shown =
              field.name === 'client_secret_expires_at'
                ? describeSecretExpiry(value)
                : field.name === 'client_id_issued_at' && typeof value === 'number'
                  ? `${new Date(value * 1000).toISOString()} (${value})`
                  : show(value);
            return (
              <tr key={field.name}>
                <th scope="row">
                  <code>{field.name}</code>
                </th>
                <td className="wrap">
                  {field.secret === true && typeof value === 'string' ? (
                    <MaskedValue value={value} label={field.name} />
                  ) : (
                    <code>{shown}</code>
                  )}
                </td>
                <td>
                  {field.meaning} <span className="spec">{field.spec}</span>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

export default function DynamicRegistrationPage() {
  const sandboxOrigin = useLabConfig((s) => s.sandboxOrigin);
  const features = useProviderFeatures();
  const create = useCallback(() => newContext(sandboxOrigin, features), [sandboxOrigin, features]);
  const { run, ctx, deps, patch, execute, restart, failureFor, statusOf, goTo, announcement, announce } =
    useFlowRunner<DynamicRegistrationContext>(FLOW_ID, create, 'check');
  useOnDemandParts({ failure: run?.failure !== undefined, tokens: false });
  // Memory only, never in the run: an initial access token is a credential handed out by the provider.
  const [initialAccessToken, setInitialAccessToken] = useState('');
  const [managing, setManaging] = useState<'read' | 'update' | 'delete'>('read');
  const [profileNote, setProfileNote] = useState('');
  const profiles = useSettings((s) => s.profiles);
  const ids = { redirects: useId(), jwks: useId(), iat: useId(), grants: useId(), responses: useId() };

  if (run === undefined || ctx === undefined) return <p role="status">Preparing the flow…</p>;

  const stepProps = (id: StepId) => stepSectionProps(flow.steps, id, statusOf(id), run.current, goTo);
  const store = useFlowRuns.getState();
  const grantsListed = listed(features.metadata, 'grant_types_supported');
  const methodsListed = features.metadata === undefined ? undefined : features.authMethods('token');
  const warnings = validateDynamicRegistration(ctx);
  const request = buildDynamicRegistrationRequest(ctx, initialAccessToken);
  const client = ctx.client;
  const registerFailure = failureFor('register');
  const manageFailure = failureFor('manage');

  const continueTo = (from: StepId, to: StepId, message: string) => {
    store.setStep(FLOW_ID, from, 'done', { current: to });
    announce(message);
  };

  const register = async () => {
    store.setStep(FLOW_ID, 'compose', 'done');
    const sent = await execute('register', (c, d) => sendRegistration(c, d, initialAccessToken), {
      failure: 'The registration request failed.',
    });
    if (sent === undefined) return;
    const read = await execute('register', readRegistration, {
      next: 'answer',
      success: 'Registered. The client information is below.',
      failure: 'The registration endpoint refused the client.',
    });
    if (read !== undefined) store.setStep(FLOW_ID, 'answer', 'done', { current: 'answer' });
  };

  const readBack = async () => {
    setManaging('read');
    const sent = await execute('manage', sendReadBack, { failure: 'The read request failed.' });
    if (sent === undefined) return;
    await execute('manage', readReadBack, {
      success: 'Read back: the registration as the server holds it now.',
      failure: 'The server refused to show the registration.',
    });
  };

  const update = async () => {
    setManaging('update');
    const sent = await execute('manage', sendUpdate, { failure: 'The update request failed.' });
    if (sent === undefined) return;
    await execute('manage', readUpdate, {
      success: 'Updated: the client as now registered is in the answer.',
      failure: 'The server refused the update.',
    });
  };

  const remove = async () => {
    setManaging('delete');
    const sent = await execute('manage', sendDelete, { failure: 'The delete request failed.' });
    if (sent === undefined) return;
    await execute('manage', readDelete, {
      success: 'Deleted. The client id no longer works.',
      failure: 'The server refused to delete the registration.',
    });
  };

  const keepClient = (registered: ClientInformation) => {
    const settings = useSettings.getState();
    const secret = typeof registered.client_secret === 'string' ? registered.client_secret : '';
    const fill = {
      name:
        typeof registered.client_name === 'string' && registered.client_name !== ''
          ? registered.client_name
          : registered.client_id,
      clientId: registered.client_id,
      redirectUri:
        Array.isArray(registered.redirect_uris) && typeof registered.redirect_uris[0] === 'string'
          ? registered.redirect_uris[0]
          : defaultRedirectUri(),
      platform: registered.token_endpoint_auth_method === 'none' ? ('spa' as const) : ('web' as const),
      scopes: typeof registered.scope === 'string' ? registered.scope : '',
      clientSecret: secret,
      preset: `registered:${registered.client_id}`,
    };
    const existing = settings.profiles.find((p) => p.preset === fill.preset);
    if (existing === undefined) settings.addProfile({ ...fill, rememberSecret: false });
    else {
      settings.updateProfile(existing.id, fill);
      settings.selectProfile(existing.id);
    }
    const text = `${existing === undefined ? 'Added' : 'Updated'} the app profile “${fill.name}” and made it active${secret === '' ? '' : '; its secret is in memory only, gone on reload'}.`;
    setProfileNote(text);
    // The visible status beside the button says what was done; the step's own live region stays quiet.
    continueTo('use', 'manage', '');
  };

  const profileOf = (registered: ClientInformation) =>
    profiles.find((p) => p.preset === `registered:${registered.client_id}`);
  const removeProfile = (registered: ClientInformation) => {
    const profile = profileOf(registered);
    if (profile === undefined) return;
    useSettings.getState().removeProfile(profile.id);
    announce(`Removed the app profile “${profile.name}”.`);
  };

  const grants = new Set(ctx.grantTypes);
  const toggleGrant = (grant: string, on: boolean) =>
    patch({ grantTypes: GRANT_TYPE_CHOICES.filter((g) => (g === grant ? on : grants.has(g))) });

  return (
    <FlowPage
      key={run.runId}
      flow={flow}
      current={run.current}
      status={Object.fromEntries(flow.steps.map((s) => [s.id, statusOf(s.id)]))}
      onGoTo={goTo}
      announcement={announcement}
    >
      <StepSection {...stepProps('check')}>
        <EndpointCheck features={features} />
        <div className="field">
          <label htmlFor="dcr-endpoint">
            <code>registration_endpoint</code>
          </label>
          <input
            id="dcr-endpoint"
            value={ctx.registrationEndpoint}
            onChange={(e) => patch({ registrationEndpoint: e.target.value })}
            spellCheck={false}
            autoComplete="off"
            aria-describedby="dcr-endpoint-help"
          />
          <p id="dcr-endpoint-help" className="help">
            Taken from the provider’s metadata. Change it only to see what another URL answers.{' '}
            <span className="spec">RFC 8414 §2</span>
          </p>
        </div>
        <button
          type="button"
          className="primary"
          data-next-action=""
          disabled={ctx.registrationEndpoint.trim() === ''}
          onClick={() =>
            continueTo('check', 'compose', 'Registration endpoint found. Describe the client next.')
          }
        >
          Continue: describe the client
        </button>
      </StepSection>

      <StepSection {...stepProps('compose')}>
        <form className="params" aria-label="Client metadata" onSubmit={(e) => e.preventDefault()}>
          <ParameterField
            definition={PARAMETER['client_name']!}
            value={ctx.clientName}
            onChange={(value) => patch({ clientName: value })}
          />
          <div className="field param">
            <label htmlFor={ids.redirects}>
              <code>redirect_uris</code>
            </label>
            <textarea
              id={ids.redirects}
              rows={2}
              className="dcr-textarea"
              value={ctx.redirectUris}
              spellCheck={false}
              onChange={(e) => patch({ redirectUris: e.target.value })}
              aria-describedby={`${ids.redirects}-help`}
            />
            <p id={`${ids.redirects}-help`} className="help">
              {PARAMETER['redirect_uris']!.explanation} This app’s own callback is{' '}
              <code>{defaultRedirectUri()}</code>. <span className="spec">RFC 7591 §2</span>
            </p>
          </div>
          <fieldset className="dcr-choices" aria-describedby={`${ids.grants}-help`}>
            <legend>
              <code>grant_types</code>
            </legend>
            {GRANT_TYPE_CHOICES.map((grant) => (
              <label key={grant} className="choice">
                <input
                  type="checkbox"
                  checked={grants.has(grant)}
                  onChange={(e) => toggleGrant(grant, e.target.checked)}
                />
                <code>{grant}</code>
                {grantsListed !== undefined &&
                  !grantsListed.includes(grant) &&
                  ' (not listed by this provider)'}
              </label>
            ))}
            <p id={`${ids.grants}-help`} className="help">
              {PARAMETER['grant_types']!.explanation} <span className="spec">RFC 7591 §2</span>
            </p>
          </fieldset>
          <fieldset className="dcr-choices" aria-describedby={`${ids.responses}-help`}>
            <legend>
              <code>response_types</code>
            </legend>
            <label className="choice">
              <input
                type="checkbox"
                checked={ctx.responseTypes.includes('code')}
                onChange={(e) => patch({ responseTypes: e.target.checked ? ['code'] : [] })}
              />
              <code>code</code>
            </label>
            <p id={`${ids.responses}-help`} className="help">
              {PARAMETER['response_types']!.explanation} <span className="spec">RFC 7591 §2.1</span>
            </p>
          </fieldset>
          <ParameterField
            definition={{
              ...PARAMETER['token_endpoint_auth_method']!,
              options: AUTH_METHOD_CHOICES,
              explanation: `${PARAMETER['token_endpoint_auth_method']!.explanation}${methodsListed === undefined ? '' : ` This provider lists: ${methodsListed.join(', ')}.`}`,
            }}
            value={ctx.authMethod}
            onChange={(value) => patch({ authMethod: value })}
          />
          <ParameterField
            definition={PARAMETER['scope']!}
            value={ctx.scope}
            onChange={(value) => patch({ scope: value })}
          />
          <div className="field param">
            <label htmlFor={ids.jwks}>
              <code>jwks</code> <span className="help">(optional)</span>
            </label>
            <textarea
              id={ids.jwks}
              rows={3}
              className="dcr-textarea"
              value={ctx.jwks}
              spellCheck={false}
              placeholder='{"keys": [{"kty": "EC", "crv": "P-256", "x": "…", "y": "…"}]}'
              onChange={(e) => patch({ jwks: e.target.value })}
              aria-describedby={`${ids.jwks}-help`}
            />
            <p id={`${ids.jwks}-help`} className="help">
              {PARAMETER['jwks']!.explanation} The client credentials page makes a key pair in the browser and
              shows its public JWK. <span className="spec">RFC 7591 §2</span>
            </p>
          </div>
        </form>
        <WarningsList warnings={warnings} />
        <button
          type="button"
          className="primary"
          data-next-action=""
          onClick={() => continueTo('compose', 'register', 'Metadata ready. Review the request and send it.')}
        >
          Continue: review the request
        </button>
      </StepSection>

      <StepSection {...stepProps('register')}>
        <div className="field">
          <label htmlFor={ids.iat}>Initial access token (optional)</label>
          <SecretInput
            id={ids.iat}
            value={initialAccessToken}
            onChange={setInitialAccessToken}
            describedBy={`${ids.iat}-help`}
          />
          <p id={`${ids.iat}-help`} className="help">
            Only for a provider that does not take open registrations: it hands out this token beforehand, and
            it goes as <code>Authorization: Bearer</code>. The standards sandbox is open: leave it empty. Kept
            in memory only. <span className="spec">RFC 7591 §3</span>
          </p>
        </div>
        <TokenRequestPanel
          request={request}
          route={decideRegistrationRoute(request.url, ctx, deps)}
          exchange={ctx.exchange}
          failure={registerFailure}
          sending={statusOf('register') === 'running'}
          sendLabel="Register the client"
          onSend={() => void register()}
          context="registration"
          disabled={ctx.registrationEndpoint.trim() === ''}
        />
      </StepSection>

      <StepSection {...stepProps('answer')}>
        {client === undefined ? (
          <p>No client registered yet.</p>
        ) : (
          <>
            <ClientInformationTable client={client} />
            {(ctx.notes ?? []).length > 0 && (
              <ul className="warnings" aria-label="Notes on the answer">
                {(ctx.notes ?? []).map((note) => (
                  <li key={note}>{note}</li>
                ))}
              </ul>
            )}
            {(ctx.differences ?? []).length === 0 ? (
              <p className="help">Every field sent was registered as sent.</p>
            ) : (
              <div className="lab-table-scroll dcr-info">
                <table className="lab-table">
                  <caption>
                    Registered differently from the request (the client must use these values)
                  </caption>
                  <thead>
                    <tr>
                      <th scope="col">Field</th>
                      <th scope="col">Sent</th>
                      <th scope="col">Registered</th>
                    </tr>
                  </thead>
                  <tbody>
                    {(ctx.differences ?? []).map((d) => (
                      <tr key={d.field}>
                        <th scope="row">
                          <code>{d.field}</code>
                        </th>
                        <td className="wrap">
                          <code>{show(d.requested)}</code>
                        </td>
                        <td className="wrap">
                          <code>{show(d.registered)}</code>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
            <button
              type="button"
              className="primary"
              data-next-action=""
              onClick={() => continueTo('answer', 'use', 'Next: use the new client.')}
            >
              Continue: use the client
            </button>
          </>
        )}
      </StepSection>

      <StepSection {...stepProps('use')}>
        {client === undefined ? (
          <p>Register a client first.</p>
        ) : (
          <>
            <p>
              Keep <code>{client.client_id}</code> as an app profile: the flows start with the active
              profile’s client id, secret and scopes.
            </p>
            <p className="help">
              It was registered with <code>token_endpoint_auth_method</code>{' '}
              <code>{show(client.token_endpoint_auth_method ?? 'client_secret_basic')}</code>: the server
              accepts only that method for this client, so pick the same one on the flow page.{' '}
              <span className="spec">RFC 7591 §2</span>
            </p>
            {client.token_endpoint_auth_method !== 'none' && client.client_secret === '' && (
              <p className="note" role="note">
                The client secret was not kept across the reload (secrets stay in memory only): the profile
                gets no secret. Register a new client to get one.
              </p>
            )}
            <button type="button" className="primary" data-next-action="" onClick={() => keepClient(client)}>
              Use this client: add it as an app profile
            </button>
            <p role="status" className="help">
              {profileNote}
            </p>
            <ul>
              {grants.has('client_credentials') && (
                <li>
                  <Link to={flowPath('client-credentials')}>Client credentials</Link>: a token for the client
                  itself, with its secret.
                </li>
              )}
              {grants.has('authorization_code') && (
                <li>
                  <Link to={flowPath('authorization-code')}>Authorization code</Link>: a user signs in through
                  the new client.
                </li>
              )}
            </ul>
          </>
        )}
      </StepSection>

      <StepSection {...stepProps('manage')}>
        {client === undefined ? (
          <p>Register a client first.</p>
        ) : typeof client.registration_client_uri !== 'string' || client.registration_client_uri === '' ? (
          <p className="note" role="note">
            The server sent no <code>registration_client_uri</code> with this client: it does not offer
            management of registrations (RFC 7592), so this client can only be changed the way the provider
            documents. <span className="spec">RFC 7592 §3</span>
          </p>
        ) : (
          <>
            <p>
              These requests go to <code>{show(client.registration_client_uri)}</code> with the registration
              access token as a bearer token. <span className="spec">RFC 7592 §2.1–§2.3</span>
            </p>
            <div className="quick-picks">
              <button
                type="button"
                onClick={() => void readBack()}
                disabled={statusOf('manage') === 'running'}
              >
                Read the registration (GET)
              </button>
              <button type="button" onClick={() => void remove()} disabled={statusOf('manage') === 'running'}>
                Delete the registration (DELETE)
              </button>
            </div>
            {managing === 'read' && ctx.readExchange === undefined && ctx.deleteExchange === undefined && (
              <HttpExchangeView
                exchange={{
                  request: buildManagementRequest(ctx, 'GET'),
                  via: decideRegistrationRoute(show(client.registration_client_uri), ctx, deps).via,
                  viaReason: decideRegistrationRoute(show(client.registration_client_uri), ctx, deps).reason,
                  startedAt: 0,
                }}
              />
            )}
            {ctx.readExchange !== undefined && (
              <section aria-label="Read back">
                <h3>Read back (the latest read)</h3>
                <HttpExchangeView exchange={ctx.readExchange} headingLevel={4} />
              </section>
            )}
            <div className="field dcr-update">
              <label htmlFor="dcr-new-name">
                New <code>client_name</code>
              </label>
              <input
                id="dcr-new-name"
                value={ctx.newClientName ?? ''}
                onChange={(e) => patch({ newClientName: e.target.value })}
                autoComplete="off"
                aria-describedby="dcr-new-name-help"
              />
              <p id="dcr-new-name-help" className="help">
                An update sends the client’s whole metadata again, as last read, with this name and its
                client_id; a field left out would be removed. <span className="spec">RFC 7592 §2.2</span>
              </p>
              <button
                type="button"
                onClick={() => void update()}
                disabled={statusOf('manage') === 'running' || (ctx.newClientName ?? '').trim() === ''}
              >
                Change the name (PUT)
              </button>
            </div>
            {ctx.updateExchange !== undefined && (
              <section aria-label="Update">
                <h3>Update</h3>
                <HttpExchangeView exchange={ctx.updateExchange} headingLevel={4} />
              </section>
            )}
            {ctx.deleteExchange !== undefined && (
              <section aria-label="Delete">
                <h3>Delete</h3>
                <HttpExchangeView exchange={ctx.deleteExchange} headingLevel={4} />
              </section>
            )}
            {ctx.deleted === true && (
              <div className="note" role="note" aria-label="Registration deleted">
                <p>
                  The registration is gone: <code>{client.client_id}</code> and its secret no longer work, and
                  a read now answers <code>invalid_token</code>.
                </p>
                {profileOf(client) !== undefined && (
                  <button type="button" onClick={() => removeProfile(client)}>
                    Remove the app profile made from it
                  </button>
                )}
              </div>
            )}
            {manageFailure !== undefined && (
              <FailurePanel
                failure={manageFailure}
                endpoint={show(client.registration_client_uri)}
                onRetry={() =>
                  void (managing === 'read' ? readBack() : managing === 'update' ? update() : remove())
                }
                retryLabel={
                  managing === 'read'
                    ? 'Read it again'
                    : managing === 'update'
                      ? 'Update it again'
                      : 'Delete it again'
                }
              />
            )}
          </>
        )}
      </StepSection>

      <p>
        <button
          type="button"
          onClick={() => restart(newContext(sandboxOrigin, features), 'check', 'Started again.')}
        >
          Start again
        </button>
      </p>
    </FlowPage>
  );
}
