/**
 * The authorization code page's parts beyond RFC 6749: the PAR / JAR / JARM options (each offered only
 * when the provider's metadata allows it, else disabled with the reason), the request object decoded,
 * the key pair that signs it and its registration, the pushed request's answer, and a verified JARM
 * response. Rendering only: the page's run holds the values and the flow decides the protocol.
 */
import { useEffect, useId, useRef, useState } from 'react';
import {
  makeRequestObject,
  type AuthCodeContext,
  type PushedRequest,
  type SignedRequestObject,
} from '../../flows/authorization-code.ts';
import { runStep, toStepFailure, type FlowDeps, type StepFailure } from '../../flows/runner.ts';
import { browserRoute } from '../../flows/token-request.ts';
import type { HttpExchange } from '../../protocol/http.ts';
import {
  ASYMMETRIC_REQUEST_OBJECT_ALGORITHMS,
  generateRequestObjectKeyPair,
  type RequestObjectAlgorithm,
} from '../../protocol/jar.ts';
import { JARM_RESPONSE_MODES } from '../../protocol/jarm.ts';
import { calculateRequestUriSecondsLeft } from '../../protocol/par.ts';
import { sendRequest } from '../../flows/send-request.ts';
import type { ProviderFeatures } from '../../state/provider-features.ts';
import { HttpExchangeView } from '../components/http-exchange-view.tsx';
import { FailurePanel } from '../components/on-demand.tsx';

/** The JARM response modes the provider lists (JARM §4.3), for the response_mode field. */
export function offeredJarmModes(features: ProviderFeatures): string[] {
  if (features.verdict('jarm').status !== 'offered') return [];
  const listed = features.metadata?.['response_modes_supported'];
  return Array.isArray(listed)
    ? JARM_RESPONSE_MODES.filter((mode) => (listed as readonly string[]).includes(mode))
    : [];
}

/** The request object algorithms this page can sign with that the provider lists (all, when it lists none). */
function offeredJarAlgorithms(features: ProviderFeatures, hasSecret: boolean): RequestObjectAlgorithm[] {
  const listed = features.verdict('jar').algorithms;
  // HS256 signs with the client secret (RFC 9101 §10.2 via RFC 7518 §3.2): a public client has none.
  const ours: RequestObjectAlgorithm[] = [
    ...(hasSecret ? (['HS256'] as const) : []),
    ...ASYMMETRIC_REQUEST_OBJECT_ALGORITHMS,
  ];
  return listed === undefined ? ours : ours.filter((alg) => listed.includes(alg));
}

/** A decoded JWT's header and claims, with the code shortened as everywhere on the page. */
function DecodedJwt(props: {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  caption: string;
}) {
  const shown = Object.fromEntries(
    Object.entries(props.claims).map(([name, value]) =>
      name === 'code' && typeof value === 'string'
        ? [name, `${value.slice(0, 12)}… (${value.length} characters)`]
        : [name, value],
    ),
  );
  return (
    <figure className="decoded-jwt">
      <figcaption>{props.caption}</figcaption>
      <pre tabIndex={0} aria-label={`${props.caption}: header`}>
        {JSON.stringify(props.header, null, 2)}
      </pre>
      <pre tabIndex={0} aria-label={`${props.caption}: claims`}>
        {JSON.stringify(shown, null, 2)}
      </pre>
    </figure>
  );
}

/** What a request object's claims mean, in one line each. */
function RequestObjectView(props: { requestObject: SignedRequestObject; headingId: string }) {
  return (
    <div className="request-object">
      <p id={props.headingId} className="request-object-title" tabIndex={-1}>
        Request object signed
      </p>
      <DecodedJwt
        header={props.requestObject.header}
        claims={props.requestObject.claims}
        caption="The signed request object, decoded"
      />
      <p className="help">
        <code>iss</code> is the client id and <code>aud</code> the issuer (RFC 9101 §4): the server knows who
        wrote the request and that it was meant for it. <code>exp</code> and <code>jti</code> keep it from
        being replayed later. <code>typ</code> oauth-authz-req+jwt says what kind of JWT it is (§10.8).
      </p>
    </div>
  );
}

/**
 * The PAR / JAR / JARM choices of a run, each offered only where the provider's metadata allows it.
 * @see https://www.rfc-editor.org/rfc/rfc9126#section-5
 */
export function StandardsOptions(props: {
  ctx: AuthCodeContext;
  features: ProviderFeatures;
  /** Patches the run; an `undefined` value removes the field. */
  patch: (p: { [K in keyof AuthCodeContext]?: AuthCodeContext[K] | undefined }) => void;
  deps: FlowDeps;
  /** Where the public key of a request object key pair can be registered from here, if anywhere. */
  keyRegistrationUrl: string | undefined;
  announce: (text: string) => void;
}) {
  const { ctx, features, patch, deps } = props;
  const ids = {
    par: useId(),
    jar: useId(),
    jarm: useId(),
    key: useId(),
    makeKey: useId(),
    register: useId(),
    sign: useId(),
    signed: useId(),
  };
  const [failure, setFailure] = useState<StepFailure | undefined>();
  const [registration, setRegistration] = useState<{ exchange?: HttpExchange; ok: boolean } | undefined>();
  const [busy, setBusy] = useState(false);
  // A pressed button is disabled while it works, which drops its focus to <body>: once the work is done,
  // focus moves to the next sensible control (or back to the button, on failure).
  const focusTarget = useRef<string | undefined>(undefined);
  const setFocusTarget = (id: string) => {
    focusTarget.current = id;
  };
  useEffect(() => {
    const target = focusTarget.current;
    if (target === undefined || busy) return;
    focusTarget.current = undefined;
    const frame = window.requestAnimationFrame(() => {
      const active = document.activeElement;
      if (active === null || active === document.body || !active.isConnected) {
        document.getElementById(target)?.focus();
      }
    });
    return () => window.cancelAnimationFrame(frame);
  }, [busy]);
  const par = features.verdict('par');
  const jar = features.verdict('jar');
  const parOffered = par.status === 'offered' && ctx.parEndpoint !== undefined;
  const jarOffered = jar.status === 'offered';
  const jarmModes = offeredJarmModes(features);
  // A secret-based client authentication or a secret typed in: the client has a secret to sign with.
  const hasSecret =
    ctx.clientSecret !== '' ||
    (ctx.clientAuthMethod !== undefined &&
      ctx.clientAuthMethod !== 'none' &&
      ctx.clientAuthMethod !== 'private_key_jwt');
  const offered = offeredJarAlgorithms(features, hasSecret);
  // A choice made before stays listed, so the field never shows a value it lacks.
  const algorithms =
    ctx.jarAlg !== undefined && !offered.includes(ctx.jarAlg) ? [ctx.jarAlg, ...offered] : offered;
  const alg = ctx.jarAlg;
  const asymmetric = alg !== undefined && alg !== 'HS256';
  const keyFits = asymmetric && ctx.jarKey?.alg === alg;

  const setJarAlg = (value: string) => {
    setFailure(undefined);
    // An object signed another way no longer fits: it goes.
    patch({ jarAlg: value === '' ? undefined : (value as RequestObjectAlgorithm), requestObject: undefined });
  };

  const makeKey = async () => {
    if (!asymmetric) return;
    setBusy(true);
    setFailure(undefined);
    setRegistration(undefined);
    try {
      const pair = await generateRequestObjectKeyPair(alg);
      patch({ jarKey: pair, requestObject: undefined });
      setFocusTarget(props.keyRegistrationUrl !== undefined ? ids.register : ids.key);
      props.announce(
        `A ${alg} key pair was made in this tab; its public key (kid ${pair.publicJwk.kid}) is shown.`,
      );
    } catch (error) {
      setFailure(toStepFailure(error));
      setFocusTarget(ids.makeKey);
    } finally {
      setBusy(false);
    }
  };

  // The standards sandbox's portal replaces a client's key set: the keys already there are kept beside ours.
  const registerKey = async () => {
    const url = props.keyRegistrationUrl;
    const pair = ctx.jarKey;
    if (url === undefined || pair === undefined) return;
    setBusy(true);
    setFailure(undefined);
    try {
      const fetchFn = deps.fetch;
      const current = await fetchFn(url, { method: 'GET', headers: { Accept: 'application/json' } });
      const existing = current.ok
        ? (((await current.json()) as { keys?: { kid?: string }[] }).keys ?? [])
        : [];
      const keys = [...existing.filter((key) => key.kid !== pair.publicJwk.kid), pair.publicJwk];
      const exchange = await sendRequest(
        {
          method: 'POST',
          url,
          headers: [['Content-Type', 'application/json']],
          body: JSON.stringify({ keys }),
          secretFields: [],
        },
        browserRoute('The sandbox’s portal API answers this page directly.'),
        deps.fetch,
        deps.now,
      );
      const ok = exchange.response !== undefined && exchange.response.status < 300;
      setRegistration({ exchange, ok });
      setFocusTarget(ok ? ids.sign : ids.register);
      props.announce(
        ok
          ? 'The public key is registered with the client: the server can now check request objects signed with it.'
          : 'The sandbox refused the key registration; its answer is shown.',
      );
    } catch (error) {
      setFailure(toStepFailure(error));
      setFocusTarget(ids.register);
    } finally {
      setBusy(false);
    }
  };

  const sign = async () => {
    setBusy(true);
    const result = await runStep(makeRequestObject, ctx, deps);
    setBusy(false);
    if (result.ok) {
      setFailure(undefined);
      patch(result.patch);
      setFocusTarget(ids.signed);
      props.announce(`Request object signed with ${alg ?? ''}; its header and claims are shown decoded.`);
    } else {
      setFailure(result.failure);
      setFocusTarget(ids.sign);
    }
  };

  return (
    <fieldset className="standards-options">
      <legend>Beyond RFC 6749: PAR, JAR, JARM</legend>
      <div className="field">
        <label className="choice">
          <input
            type="checkbox"
            checked={ctx.usePar === true}
            disabled={!parOffered || ctx.parRequired === true}
            aria-describedby={ids.par}
            onChange={(e) => patch({ usePar: e.target.checked })}
          />
          Push the request first (PAR, RFC 9126)
        </label>
        <p id={ids.par} className="help">
          {!parOffered
            ? features.explain('par')
            : ctx.parRequired === true
              ? `${par.reason} So PAR is on and cannot be switched off.`
              : 'The parameters go to the server in a POST first; the browser’s URL then carries only client_id and the request_uri the server returns.'}
        </p>
      </div>

      <div className="field">
        <label htmlFor={ids.jar}>Request object (JAR, RFC 9101)</label>
        <select
          id={ids.jar}
          value={alg ?? ''}
          disabled={!jarOffered}
          aria-describedby={`${ids.jar}-help`}
          onChange={(e) => setJarAlg(e.target.value)}
        >
          <option value="">Off: parameters as they are</option>
          {algorithms.map((value) => (
            <option key={value} value={value}>
              {value === 'HS256'
                ? 'HS256, signed with the client secret'
                : `${value}, signed with a key pair made here`}
            </option>
          ))}
        </select>
        <p id={`${ids.jar}-help`} className="help">
          {!jarOffered
            ? features.explain('jar')
            : 'The parameters are signed into one JWT, sent as request (or pushed, with PAR): nobody on the way can change them, and the server knows this client wrote them. client_id is repeated outside (RFC 9101 §5).'}
        </p>
        {alg === 'HS256' && ctx.clientSecret === '' && (
          <p className="warning">
            HS256 uses the client secret as its key, and this run has none: enter the secret (step “Exchange
            the code”), or choose a key pair.
          </p>
        )}
      </div>

      {asymmetric && (
        <div className="field jar-key">
          <button id={ids.makeKey} type="button" disabled={busy} onClick={() => void makeKey()}>
            {keyFits ? `Make a new key pair (${alg})` : `Make a key pair (${alg})`}
          </button>
          {keyFits && ctx.jarKey !== undefined && (
            <>
              <label htmlFor={ids.key}>Public key (JWK) to register with the client</label>
              <textarea
                id={ids.key}
                readOnly
                rows={6}
                value={JSON.stringify(ctx.jarKey.publicJwk, null, 2)}
              />
              <p className="help">
                The private key stays in this tab’s memory and cannot be exported; a reload loses it.
              </p>
              {props.keyRegistrationUrl !== undefined ? (
                <>
                  <button id={ids.register} type="button" disabled={busy} onClick={() => void registerKey()}>
                    Register the public key with the sandbox client
                  </button>
                  {registration?.ok !== true && (
                    <p className="warning">
                      Not registered yet: until it is, the server cannot check a request object signed with
                      this key and refuses the sign-in (invalid_request_object). Register it before “Sign in”.
                    </p>
                  )}
                </>
              ) : (
                <p className="note">
                  Register this public key on the client at your provider (its jwks or jwks_uri) before
                  signing in: the server checks the request object with it.
                </p>
              )}
              {registration?.exchange !== undefined && (
                <div role="status">
                  <p className={registration.ok ? 'ok' : 'warning'}>
                    {registration.ok
                      ? 'Registered: the client’s key set now holds this key.'
                      : 'The sandbox did not register the key.'}
                  </p>
                  <HttpExchangeView exchange={registration.exchange} headingLevel={4} />
                </div>
              )}
            </>
          )}
        </div>
      )}

      {alg !== undefined && (
        <div className="field">
          <button id={ids.sign} type="button" disabled={busy} onClick={() => void sign()}>
            Sign the request object
          </button>
          <p className="help">Signing in signs it again whenever the parameters changed since.</p>
          {ctx.requestObject !== undefined && (
            <RequestObjectView requestObject={ctx.requestObject} headingId={ids.signed} />
          )}
        </div>
      )}

      <p id={ids.jarm} className="help">
        {jarmModes.length > 0
          ? `JARM: choose ${jarmModes.join(', ')} as response_mode above and the answer comes back as one JWT signed by the server, checked here with its published keys before the code is used.`
          : features.explain('jarm')}
      </p>
      {failure !== undefined && <FailurePanel failure={failure} context="authorize" />}
    </fieldset>
  );
}

/**
 * The pushed request's answer: the request_uri, its lifetime and whether it was used.
 * @see https://www.rfc-editor.org/rfc/rfc9126#section-2.2
 */
export function PushedRequestResult(props: { pushed: PushedRequest }) {
  const { pushed } = props;
  // The clock is read every few seconds, so "expired" shows up without any other change.
  const [nowMs, setNowMs] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNowMs(Date.now()), 5_000);
    return () => window.clearInterval(timer);
  }, []);
  if (pushed.request_uri === undefined || pushed.expires_in === undefined) return null;
  const left = calculateRequestUriSecondsLeft(pushed.pushedAt, pushed.expires_in, nowMs);
  const until = new Date(pushed.pushedAt + pushed.expires_in * 1000).toLocaleTimeString();
  return (
    <div className="pushed-result">
      <dl>
        <dt>
          <code>request_uri</code> — a one-time reference to the pushed request
        </dt>
        <dd>
          <code className="wrap">{pushed.request_uri}</code>
        </dd>
        <dt>
          <code>expires_in</code>
        </dt>
        <dd>
          {pushed.expires_in} seconds (until {until})
        </dd>
      </dl>
      {pushed.used === true ? (
        <p className="warning">
          Already used for a sign-in: it is single-use (RFC 9126 §4). Push again for another sign-in.
        </p>
      ) : left < 0 ? (
        <p className="warning">Expired: push again before signing in.</p>
      ) : (
        <p className="note">
          Valid for about {left} more seconds, once. The authorization URL now carries only client_id and this
          request_uri.
        </p>
      )}
      <p className="help">
        If the server cannot use a request_uri (used, expired, or never pushed), it cannot send the browser
        back either — it does not know the redirect URI of a request it cannot find — so its own error page
        shows invalid_request_uri. Come back here and push again.
      </p>
    </div>
  );
}

/**
 * A JARM response once verified: what was checked, and the JWT decoded.
 * @see https://openid.net/specs/oauth-v2-jarm.html#section-4.4
 */
export function JarmResult(props: {
  jarm: { header: Record<string, unknown>; claims: Record<string, unknown> };
}) {
  const kid = props.jarm.header['kid'];
  return (
    <div className="jarm-result">
      <p className="ok">
        The answer came as one signed JWT (JARM). Its signature was checked with the issuer’s published key
        {typeof kid === 'string' ? ` ${kid}` : ''}, and its iss (the issuer), aud (this client) and exp (not
        past) before the code and state inside were read.
      </p>
      <DecodedJwt
        header={props.jarm.header}
        claims={props.jarm.claims}
        caption="The JARM response, decoded"
      />
    </div>
  );
}
