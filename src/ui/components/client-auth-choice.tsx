/**
 * Client authentication as a choice: a labelled radio group of the methods (each with one line on what
 * it sends; methods the provider does not list are disabled with the reason), the header or body fields
 * the choice produces, client_secret_basic's encoding step by step (and the classic bug), and for
 * private_key_jwt a key pair made in the browser, its public JWK, its registration on the standards
 * sandbox, and the signed assertion decoded. Controlled: the page's run holds the method, the key and
 * the assertion (memory only); this component renders them and makes the key.
 *
 * @example
 *   // verdicts: which methods the provider offers (its metadata; `entra` for Entra and its sandbox)
 *   <ClientAuthChoice
 *     verdicts={assessClientAuthMethods(metadata, { entra })}
 *     method={ctx.authMethod}
 *     onMethodChange={(authMethod) => patch({ authMethod })}
 *     clientId={ctx.clientId}
 *     clientSecret={ctx.clientSecret}            // the page keeps its own secret field
 *     clientKey={ctx.clientKey}
 *     onClientKeyChange={(clientKey) => patch({ clientKey })}
 *     keyRegistrationUrl={standards ? sandboxJwksRegistrationUrl(issuer, ctx.clientId) : undefined}
 *     assertion={ctx.clientAssertion}            // a JwtAssertion, once signed (signJwtAssertion)
 *     deps={deps}                                // from useFlowRunner: fetch and now
 *   />
 *   // When sending: signJwtAssertion(method, { clientId, clientSecret, key, audience: endpoint }) for the
 *   // JWT methods, then buildTokenRequest(endpoint, params, clientAuthenticationOf(method, secret, assertion)).
 */
import { AssertionFieldsTable, type AssertionField } from './assertion-fields-table.tsx';
import { useEffect, useId, useRef, useState } from 'react';
import {
  buildKeyRegistrationRequest,
  calculateBasicEncoding,
  CLIENT_AUTH_METHOD_INFO,
  clientAuthenticationOf,
  describeClientAuthentication,
  generateClientKey,
  privateKeyOf,
  readKeyRegistration,
  sandboxJwksRegistrationUrl,
  type ClientAuthMethod,
  type ClientAuthMethodAssessment,
  type ClientKey,
  type ClientKeyAlgorithm,
  type JwtAssertion,
} from '../../protocol/client-auth.ts';
import type { HttpExchange } from '../../protocol/http.ts';
import { clientAuthMethods } from '../../protocol/provider-features.ts';
import { featureMetadataFor } from '../../state/provider-features.ts';
import { useSettings } from '../../state/settings.ts';
import { sendRequest } from '../../flows/send-request.ts';
import { toStepFailure, type FlowDeps, type StepFailure } from '../../flows/runner.ts';
import { browserRoute } from '../../flows/token-request.ts';
import { HttpExchangeView } from './http-exchange-view.tsx';
import { MaskedValue } from './masked-value.tsx';
import { FailurePanel, TokenView } from './on-demand.tsx';
import './client-auth-choice.css';

/** The standards sandbox's issuer for a sandbox origin. */
function standardsIssuerOf(sandboxOrigin: string): string {
  return `${sandboxOrigin.replace(/\/+$/, '')}/standard`;
}

/** Whether the settings' authority is this sandbox's standards issuer. */
export function usesStandardsSandbox(sandboxOrigin: string): boolean {
  const settings = useSettings.getState();
  return settings.authority === 'issuer' && settings.issuer?.issuer === standardsIssuerOf(sandboxOrigin);
}

/** The standards sandbox's seeded clients, each registered for one method: a run starts with its own. */
const SEEDED_METHODS: Readonly<Record<string, ClientAuthMethod>> = {
  'standard-basic': 'client_secret_basic',
  'standard-post': 'client_secret_post',
  'standard-jwt': 'client_secret_jwt',
  'standard-private-key': 'private_key_jwt',
  'standard-spa': 'none',
};

/**
 * The standards sandbox's seeded client registered for `method`, or undefined (another authority, or
 * no such client): a page switching method switches to it, since each client is registered for one.
 */
export function standardsClientFor(sandboxOrigin: string, method: ClientAuthMethod): string | undefined {
  if (!usesStandardsSandbox(sandboxOrigin)) return undefined;
  return Object.entries(SEEDED_METHODS).find(([, seeded]) => seeded === method)?.[0];
}

/**
 * The method a run starts with for the current (non-Entra) authority: a public client's `none`; a seeded
 * standards sandbox client's own; else client_secret_post when listed (what the pages sent before the
 * choice existed), else the first the provider lists.
 */
export function initialClientAuthMethod(
  sandboxOrigin: string,
  clientId: string,
  options: { readonly publicClient?: boolean } = {},
): ClientAuthMethod {
  const settings = useSettings.getState();
  if (usesStandardsSandbox(sandboxOrigin)) {
    const seeded = SEEDED_METHODS[clientId];
    if (seeded !== undefined) return seeded;
  }
  if (options.publicClient === true) return 'none';
  const offered = clientAuthMethods(featureMetadataFor(settings, sandboxOrigin)).filter((m) => m !== 'none');
  return offered.includes('client_secret_post')
    ? 'client_secret_post'
    : (offered[0] ?? 'client_secret_basic');
}

/** Where the public key can be registered from the app: the standards sandbox's portal API, else nowhere. */
export function standardsKeyRegistrationUrl(
  sandboxOrigin: string,
  issuer: string | undefined,
  clientId: string,
): string | undefined {
  return issuer !== undefined && issuer === standardsIssuerOf(sandboxOrigin)
    ? sandboxJwksRegistrationUrl(issuer, clientId)
    : undefined;
}

export interface ClientAuthChoiceProps {
  readonly verdicts: readonly ClientAuthMethodAssessment[];
  readonly method: ClientAuthMethod;
  readonly onMethodChange: (method: ClientAuthMethod) => void;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly clientKey?: ClientKey | undefined;
  readonly onClientKeyChange?: (key: ClientKey | undefined) => void;
  /** Where the public key can be registered from here (the standards sandbox's portal API). */
  readonly keyRegistrationUrl?: string | undefined;
  readonly assertion?: JwtAssertion | undefined;
  readonly deps: Pick<FlowDeps, 'fetch' | 'now'>;
  readonly legend?: string;
  readonly disabled?: boolean;
}

/** What each header field and claim of a JWT client assertion means. */
const ASSERTION_FIELDS: readonly AssertionField[] = [
  {
    name: 'alg',
    spec: 'RFC 7515 §4.1.1',
    meaning:
      'How it is signed: HS256 (HMAC with the client secret) for client_secret_jwt, the key pair’s algorithm for private_key_jwt.',
  },
  { name: 'typ', spec: 'RFC 7519 §5.1', meaning: 'Says the payload is a JWT.' },
  {
    name: 'kid',
    spec: 'RFC 7515 §4.1.4',
    meaning: 'Which registered public key checks the signature (here its RFC 7638 thumbprint).',
  },
  {
    name: 'aud',
    spec: 'RFC 7523 §3',
    meaning: 'The endpoint it is sent to: the assertion is good only at this server.',
  },
  { name: 'iss', spec: 'RFC 7523 §3', meaning: 'Who made it: the client, so its client id.' },
  { name: 'sub', spec: 'RFC 7523 §3', meaning: 'Who is authenticating: the client id again.' },
  { name: 'jti', spec: 'RFC 7523 §3', meaning: 'A unique id: the server refuses the same assertion twice.' },
  { name: 'nbf', spec: 'RFC 7519 §4.1.5', meaning: 'Not valid before this moment (now).' },
  { name: 'exp', spec: 'RFC 7523 §3', meaning: 'Not valid after this moment: 10 minutes from now.' },
  { name: 'iat', spec: 'RFC 7519 §4.1.6', meaning: 'When it was made.' },
];

/** A signed JWT client assertion: its fields explained, then the token decoded. */
export function JwtAssertionView({ assertion }: { readonly assertion: JwtAssertion }) {
  return (
    <>
      <AssertionTable assertion={assertion} />
      <TokenView
        label="Client assertion"
        token={assertion.jwt}
        kind="client-assertion"
        kindSource="this page signed it as the client assertion"
      />
    </>
  );
}

function AssertionTable({ assertion }: { readonly assertion: JwtAssertion }) {
  return (
    <AssertionFieldsTable
      header={assertion.header}
      claims={assertion.claims}
      fields={ASSERTION_FIELDS}
      caption={`What the ${assertion.method} assertion says, and why`}
    />
  );
}

/** client_secret_basic's header in three steps, beside what skipping the form-encoding sends. */
function BasicSteps({
  clientId,
  clientSecret,
}: {
  readonly clientId: string;
  readonly clientSecret: string;
}) {
  const [revealed, setRevealed] = useState(false);
  const steps = calculateBasicEncoding(clientId, clientSecret);
  const secret = (value: string, label: string) => (
    <MaskedValue value={value} label={label} revealed={revealed} />
  );
  const read = steps.naiveRead;
  return (
    <div className="client-auth-basic">
      <div className="lab-table-scroll">
        <table className="lab-table">
          <caption>client_secret_basic, step by step (RFC 6749 §2.3.1)</caption>
          <thead>
            <tr>
              <th scope="col">Step</th>
              <th scope="col">Client id</th>
              <th scope="col">Secret</th>
            </tr>
          </thead>
          <tbody>
            <tr>
              <th scope="row">As registered</th>
              <td className="wrap">
                <code>{clientId}</code>
              </td>
              <td className="wrap">{secret(clientSecret, 'the secret')}</td>
            </tr>
            <tr>
              <th scope="row">1. Form-urlencoded (application/x-www-form-urlencoded)</th>
              <td className="wrap">
                <code>{steps.encodedId}</code>
              </td>
              <td className="wrap">{secret(steps.encodedSecret, 'the encoded secret')}</td>
            </tr>
            <tr>
              <th scope="row">2. Joined with a colon</th>
              <td className="wrap" colSpan={2}>
                {secret(steps.joined, 'the joined id and secret')}
              </td>
            </tr>
            <tr>
              <th scope="row">3. Base64, sent as Authorization: Basic …</th>
              <td className="wrap" colSpan={2}>
                {secret(steps.base64, 'the base64 credentials')}
              </td>
            </tr>
          </tbody>
        </table>
      </div>
      <button type="button" aria-pressed={revealed} onClick={() => setRevealed((on) => !on)}>
        {revealed ? 'Hide the secret in these steps' : 'Reveal the secret in these steps'}
      </button>
      <div className="client-auth-basic__bug" role="note" aria-label="The Basic encoding bug">
        <p>
          <strong>The classic bug:</strong> many clients (and some servers) skip step 1 and base64 the raw{' '}
          <code>id:secret</code>. Form-encoding matters for <code>+ / = % &amp; :</code>, spaces and non-ASCII
          characters: a server that decodes as RFC 6749 says reads <code>+</code> as a space, fails on a stray{' '}
          <code>%</code>, and splits at the first raw colon.
        </p>
        {steps.changed.length === 0 ? (
          <p>
            This id and secret contain no such character, so both forms are the same here. A secret with{' '}
            <code>+</code>, <code>%</code> or <code>:</code> shows the difference.
          </p>
        ) : (
          <p>
            Here form-encoding changes{' '}
            {steps.changed.map((c, i) => (
              <span key={c}>
                {i > 0 && ' '}
                <code>{c === ' ' ? 'space' : c}</code>
              </span>
            ))}
            . Without it a server following RFC 6749 would{' '}
            {'error' in read ? (
              <>refuse the header: “{read.error}”</>
            ) : read.clientId === clientId && read.clientSecret === clientSecret ? (
              <>still read the same id and secret (by luck).</>
            ) : (
              <>
                read {read.clientId === clientId ? 'the right client id but ' : 'another client id and '}
                another secret ({secret(read.clientSecret, 'the misread secret')}), and answer{' '}
                <code>invalid_client</code>.
              </>
            )}
          </p>
        )}
      </div>
    </div>
  );
}

const KEY_ALGORITHMS: readonly { value: ClientKeyAlgorithm; label: string }[] = [
  { value: 'ES256', label: 'ES256 (ECDSA P-256, small and fast)' },
  { value: 'PS256', label: 'PS256 (RSA-PSS 2048)' },
  { value: 'RS256', label: 'RS256 (RSA PKCS#1 v1.5 2048)' },
];

/** private_key_jwt's key pair: made here, its public JWK shown and registered. */
function KeyPairPanel(props: ClientAuthChoiceProps & { readonly idBase: string }) {
  const { clientKey, onClientKeyChange, keyRegistrationUrl, deps, idBase } = props;
  const [alg, setAlg] = useState<ClientKeyAlgorithm>(clientKey?.alg ?? 'ES256');
  const [busy, setBusy] = useState<'generate' | 'register' | undefined>();
  const [failure, setFailure] = useState<StepFailure | undefined>();
  const [registration, setRegistration] = useState<
    { kid: string; exchange: HttpExchange; registered: boolean } | undefined
  >();
  const keyGone = clientKey !== undefined && privateKeyOf(clientKey) === undefined;
  // The pressed button is disabled while busy, which drops focus to <body>: once done, focus goes on to
  // the next control (after a new key, its registration or the public key; after registering, back).
  const generateRef = useRef<HTMLButtonElement>(null);
  const registerRef = useRef<HTMLButtonElement>(null);
  const jwkRef = useRef<HTMLTextAreaElement>(null);
  const focusNext = useRef<'generate' | 'register' | 'jwk' | undefined>(undefined);
  useEffect(() => {
    if (focusNext.current === undefined || busy !== undefined) return;
    const target = { generate: generateRef, register: registerRef, jwk: jwkRef }[focusNext.current].current;
    if (target === null) return;
    focusNext.current = undefined;
    target.focus();
  }, [busy, clientKey, registration]);

  const generate = async () => {
    setBusy('generate');
    setFailure(undefined);
    try {
      onClientKeyChange?.(await generateClientKey(alg));
      setRegistration(undefined);
      focusNext.current = keyRegistrationUrl === undefined ? 'jwk' : 'register';
    } catch (error) {
      setFailure(toStepFailure(error));
      focusNext.current = 'generate';
    } finally {
      setBusy(undefined);
    }
  };

  const register = async () => {
    if (clientKey === undefined || keyRegistrationUrl === undefined) return;
    setBusy('register');
    setFailure(undefined);
    try {
      const exchange = await sendRequest(
        buildKeyRegistrationRequest(keyRegistrationUrl, clientKey),
        browserRoute('The standards sandbox’s portal accepts this from the browser (CORS for localhost).'),
        deps.fetch,
        deps.now,
      );
      setRegistration({ kid: clientKey.kid, exchange, registered: false });
      readKeyRegistration(exchange, clientKey);
      setRegistration({ kid: clientKey.kid, exchange, registered: true });
    } catch (error) {
      setFailure(toStepFailure(error));
    } finally {
      focusNext.current = 'register';
      setBusy(undefined);
    }
  };

  const shownRegistration = registration?.kid === clientKey?.kid ? registration : undefined;
  return (
    <div className="client-auth-key">
      <p>
        The browser makes the key pair with WebCrypto. The private key is non-extractable and stays in this
        tab’s memory: it is never shown, stored or sent, and it is gone when you reload. Only the public key
        is registered with the server.
      </p>
      {keyGone && (
        <p className="warning" role="note" aria-label="Private key gone">
          <strong>The private key is gone:</strong> the page was reloaded, and the key lived only in memory.
          Generate a new key pair and register it.
        </p>
      )}
      <div className="field">
        <label htmlFor={`${idBase}-alg`}>Key algorithm</label>
        <select
          id={`${idBase}-alg`}
          value={alg}
          onChange={(e) => setAlg(e.target.value as ClientKeyAlgorithm)}
          disabled={props.disabled}
        >
          {KEY_ALGORITHMS.map((a) => (
            <option key={a.value} value={a.value}>
              {a.label}
            </option>
          ))}
        </select>
      </div>
      <button
        type="button"
        className={clientKey === undefined || keyGone ? 'primary' : undefined}
        ref={generateRef}
        onClick={() => void generate()}
        disabled={busy !== undefined || props.disabled === true}
      >
        {clientKey === undefined ? 'Generate a key pair' : 'Generate a new key pair'}
      </button>
      {clientKey !== undefined && (
        <>
          <p>
            Key id (<code>kid</code>, its RFC 7638 thumbprint):{' '}
            <code data-testid="client-key-kid">{clientKey.kid}</code>
          </p>
          <div className="field">
            <label htmlFor={`${idBase}-jwk`}>
              Public key (JWK) — register this with the server; safe to share
            </label>
            <textarea
              id={`${idBase}-jwk`}
              ref={jwkRef}
              readOnly
              rows={6}
              spellCheck={false}
              value={JSON.stringify(clientKey.publicJwk, null, 2)}
            />
          </div>
          {keyRegistrationUrl === undefined ? (
            <p className="help">
              Register this public key on the client at your provider (its console, or dynamic client
              registration’s <code>jwks</code>), then sign the assertion.
            </p>
          ) : (
            <>
              <p>
                <strong>In the standards sandbox:</strong> this button posts the public key set to its portal
                API for <code>{props.clientId}</code>, from the browser. (A sandbox convenience: a real
                provider takes keys in its console or through RFC 7592 client management.)
              </p>
              <button
                type="button"
                className={shownRegistration?.registered === true ? undefined : 'primary'}
                ref={registerRef}
                onClick={() => void register()}
                disabled={busy !== undefined || keyGone || props.disabled === true}
              >
                Register the public key on the sandbox
              </button>
              {shownRegistration !== undefined && <HttpExchangeView exchange={shownRegistration.exchange} />}
              {shownRegistration?.registered === true && (
                <p className="ok" role="status">
                  Registered: the sandbox now checks this client’s assertions with key{' '}
                  <code>{shownRegistration.kid}</code>.
                </p>
              )}
            </>
          )}
        </>
      )}
      {failure !== undefined && <FailurePanel failure={failure} />}
    </div>
  );
}

/** The client authentication choice and what it sends (see the module's example). */
export function ClientAuthChoice(props: ClientAuthChoiceProps) {
  const idBase = useId();
  const { verdicts, method, clientId, clientSecret, assertion } = props;
  const needsSecret =
    method === 'client_secret_basic' || method === 'client_secret_post' || method === 'client_secret_jwt';
  const fields = describeClientAuthentication(
    clientAuthenticationOf(method, clientSecret, assertion),
    clientId,
  );
  const shownAssertion = assertion?.method === method ? assertion : undefined;
  return (
    <div className="client-auth-choice">
      <fieldset disabled={props.disabled}>
        <legend>{props.legend ?? 'Client authentication'}</legend>
        {verdicts.map((verdict) => {
          const info = CLIENT_AUTH_METHOD_INFO[verdict.method];
          const helpId = `${idBase}-${verdict.method}-help`;
          return (
            <div key={verdict.method} className="client-auth-choice__option">
              <label className="choice">
                <input
                  type="radio"
                  name={`${idBase}-method`}
                  value={verdict.method}
                  checked={method === verdict.method}
                  disabled={!verdict.offered}
                  aria-describedby={helpId}
                  onChange={() => props.onMethodChange(verdict.method)}
                />
                <code>{info.label}</code>
              </label>
              <p id={helpId} className="help">
                {info.sends} <span className="spec">{info.spec}</span>
                {verdict.reason !== undefined && (
                  <>
                    {' '}
                    <span className={verdict.offered ? undefined : 'client-auth-choice__unavailable'}>
                      {verdict.offered ? '' : 'Not offered: '}
                      {verdict.reason}
                    </span>
                  </>
                )}
              </p>
            </div>
          );
        })}
      </fieldset>
      {needsSecret && clientSecret === '' && (
        <p className="warning" role="note">
          {method} needs the client secret, and it is empty: type it in the secret field.
        </p>
      )}
      <div className="lab-table-scroll">
        <table className="lab-table">
          <caption>What {method} adds to the request</caption>
          <thead>
            <tr>
              <th scope="col">Where</th>
              <th scope="col">Name</th>
              <th scope="col">Value</th>
            </tr>
          </thead>
          <tbody>
            {fields.map((field) => (
              <tr key={field.name}>
                <td>{field.where === 'header' ? 'Header' : 'Body'}</td>
                <th scope="row">
                  <code>{field.name}</code>
                </th>
                <td className="wrap">
                  {field.value === '' ? (
                    <span className="help">(signed when the request is sent)</span>
                  ) : field.secret ? (
                    <MaskedValue value={field.value} label={field.name} />
                  ) : (
                    <code>{field.value}</code>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {method === 'client_secret_basic' && <BasicSteps clientId={clientId} clientSecret={clientSecret} />}
      {method === 'private_key_jwt' && <KeyPairPanel {...props} idBase={idBase} />}
      {shownAssertion !== undefined && <JwtAssertionView assertion={shownAssertion} />}
    </div>
  );
}
