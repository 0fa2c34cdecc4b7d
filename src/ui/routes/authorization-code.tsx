import { use, useCallback, useEffect, useState } from 'react';
import {
  AUTHORIZE_PARAMETERS,
  authCodeVariants,
  authMethodOf,
  authorizationCodeFlow as flow,
  buildAuthorizeStep,
  buildExchangeRequest,
  buildPushRequest,
  createAuthCodeContext,
  decideExchangeRoute,
  decidePushRoute,
  isOwnCallback,
  makePkcePair,
  makeRequestObject,
  navigationRecord,
  previewAuthorizeUrl,
  pendingBeforeSignIn,
  readExchange,
  readPush,
  sendExchange,
  sendPush,
  signInBlockedReason,
  type AuthCodeContext,
} from '../../flows/authorization-code.ts';
import { assessClientAuthMethods, sandboxJwksRegistrationUrl } from '../../protocol/client-auth.ts';
import { assessFeature } from '../../protocol/provider-features.ts';
import { featureMetadataFor, useProviderFeatures } from '../../state/provider-features.ts';
import type { ClientAuthChoice } from '../components/client-auth-choice.tsx';
import type * as StandardsModule from './authorization-code-standards.tsx';
import './authorization-code.css';
import { runStep } from '../../flows/runner.ts';
import { useFlowDeps, useStartedRun } from '../use-flow-run.ts';
import type { QueryParameter } from '../../protocol/authorize.ts';
import { validateCodeVerifier } from '../../protocol/pkce.ts';
import { useFlowRuns, type FlowRun, type StepStatus } from '../../state/flow-runs.ts';
import { useLabConfig } from '../../state/lab-config.ts';
import { useTokenHistory } from '../../state/token-history.ts';
import { clearPendingRedirect, savePendingRedirect } from '../../state/pending-redirect.ts';
import {
  activeProfile,
  clientFor,
  clientIdFor,
  endpointsFor,
  expectedIssuer,
  secretForRun,
  useSettings,
  type Settings,
} from '../../state/settings.ts';
import { findSandboxApp } from '../../protocol/sandbox-directory.ts';
import { currentSandboxDirectory } from '../../state/sandbox-directory.ts';
import { SandboxRegistrationCheck } from '../components/sandbox-registration-check.tsx';
import { PastePanel } from '../components/paste-problem-panel.tsx';
import type { PasteProblem } from '../../protocol/callback.ts';
import { NetworkError } from '../../protocol/errors.ts';
import { FlowPage } from '../components/flow-page.tsx';
import { FailurePanel, TokensPanel, useOnDemandParts } from '../components/on-demand.tsx';
import { MaskedValue, useFieldMask } from '../components/masked-value.tsx';
import { ParameterField } from '../components/parameter-field.tsx';
import { RedirectTokenNotice } from '../components/redirect-token-notice.tsx';
import { SecretInput } from '../components/secret-input.tsx';
import { StepSection, stepSectionProps } from '../components/step-section.tsx';
import { TokenRequestPanel } from '../components/token-request-panel.tsx';
import { UrlPreview } from '../components/url-preview.tsx';
import { WarningsList } from '../components/warnings-list.tsx';
import { RelayOffNotice, WhereRelayRuns } from '../components/hosting-notices.tsx';

const FLOW_ID = flow.id;

/** The page's parts for PAR, JAR, JARM and client authentication beyond Entra. */
type StandardsParts = typeof StandardsModule & { readonly ClientAuthChoice: typeof ClientAuthChoice };

let standardsParts: Promise<StandardsParts> | undefined;

/**
 * The code of the standards parts, loaded once, when a run shows them (a generic issuer, or a run that
 * pushed a request or got a JARM response): the page under Entra or the sandbox tenant opens without it.
 * A failed load (a dropped connection) is tried again next time.
 */
function loadStandardsParts(): Promise<StandardsParts> {
  if (standardsParts !== undefined) return standardsParts;
  const loading = Promise.all([
    import('./authorization-code-standards.tsx'),
    import('../components/client-auth-choice.tsx'),
  ]).then(([standards, choice]) => ({ ...standards, ClientAuthChoice: choice.ClientAuthChoice }));
  // Settled promises say so, as React's `use` expects: once loaded, a render reads them without suspending.
  const tracked = loading as Promise<StandardsParts> & {
    status?: string;
    value?: StandardsParts;
    reason?: unknown;
  };
  tracked.status = 'pending';
  loading.then(
    (value) => {
      tracked.status = 'fulfilled';
      tracked.value = value;
    },
    (reason: unknown) => {
      tracked.status = 'rejected';
      tracked.reason = reason;
      standardsParts = undefined;
    },
  );
  standardsParts = loading;
  return loading;
}

/**
 * The paste reader (the callback parser and its problem type), loaded when a paste is applied rather than
 * with the page (issue 12: a flow route loads at most 1.5× the landing page's JavaScript). A failed load
 * is a `NetworkError` that says to try again.
 */
async function loadPasteReader(): Promise<{
  readonly readPastedResponse: (typeof import('../../flows/authorization-code-callback.ts'))['readPastedResponse'];
  readonly PastedResponseError: (typeof import('../../protocol/callback.ts'))['PastedResponseError'];
}> {
  try {
    const [{ readPastedResponse }, { PastedResponseError }] = await Promise.all([
      import('../../flows/authorization-code-callback.ts'),
      import('../../protocol/callback.ts'),
    ]);
    return { readPastedResponse, PastedResponseError };
  } catch (cause) {
    throw new NetworkError(
      'NETWORK_ERROR',
      'The code that reads a pasted response could not be loaded (the app’s server did not answer, or the app was updated since this page opened). Press the button again, or reload the page.',
      { cause },
    );
  }
}

/**
 * Whether the active profile is a confidential client, which keeps its secret with PKCE too (RFC 9700
 * §2.1.1: PKCE for confidential clients as well). Beyond the sandbox a Web profile is one; in the sandbox
 * a Web profile with a client id (such as the Flow Lab Web App registration the chooser opens) is — a
 * profile with none stands for the sandbox's SPA.
 */
function isConfidentialProfile(settings: Settings): boolean {
  const profile = activeProfile(settings);
  return profile.platform === 'web' && (settings.authority !== 'sandbox' || profile.clientId !== '');
}

/**
 * The PKCE check box's label and what is announced when it changes, for the profile's kind of client
 * (RFC 9700 §2.1.1: PKCE for confidential clients too): a SPA redeems the code from the browser with the
 * verifier; a web app's server redeems it with its secret and the verifier.
 */
export function pkceWording(confidential: boolean): {
  readonly label: string;
  readonly on: string;
  readonly off: string;
} {
  return confidential
    ? {
        label: 'Use PKCE (Web app: its server redeems the code with its secret and the verifier)',
        on: 'PKCE on: the web app’s server redeems the code with its secret and the code_verifier.',
        off: 'PKCE off: the web app’s server redeems the code with its secret alone.',
      }
    : {
        label: 'Use PKCE (SPA registration; the browser redeems the code)',
        on: 'PKCE on: the SPA registration redeems the code from the browser.',
        off: 'PKCE off: the confidential web app redeems the code with its secret, through the relay.',
      };
}

function newContext(
  settings: Settings,
  sandboxOrigin: string,
  usePkce: boolean,
  keep?: AuthCodeContext,
): AuthCodeContext {
  const endpoints = endpointsFor(settings, sandboxOrigin);
  const issuer = expectedIssuer(settings, sandboxOrigin);
  const profile = activeProfile(settings);
  const confidential = isConfidentialProfile(settings);
  const metadata = settings.authority === 'issuer' ? settings.issuer?.supportMetadata : undefined;
  const standards = standardsOf(settings, sandboxOrigin, endpoints.jwks);
  const fresh = createAuthCodeContext({
    authorizationEndpoint: endpoints.authorization,
    tokenEndpoint: endpoints.token ?? '',
    ...(issuer === undefined ? {} : { issuer }),
    ...(metadata === undefined ? {} : { authorizationMetadata: metadata }),
    clientId: clientIdFor(settings),
    redirectUri: settings.redirectUri,
    // A web (confidential) profile keeps its secret with PKCE too: the code is then redeemed by the relay.
    clientSecret: usePkce && !confidential ? '' : secretForRun(clientIdFor(settings)),
    usePkce,
    ...(standards === undefined ? {} : { standards }),
  });
  // Beyond Entra, a confidential client chooses how it authenticates (helper C's ClientAuthChoice).
  const authMethod =
    standards !== undefined && confidential
      ? {
          clientAuthMethod:
            fresh.clientSecret === '' ? ('private_key_jwt' as const) : ('client_secret_post' as const),
        }
      : {};
  const scope = settings.authority === 'sandbox' ? '' : profile.scopes.trim();
  if (keep === undefined) {
    const base = { ...fresh, ...authMethod };
    return scope === '' ? base : { ...base, params: { ...base.params, scope } };
  }
  // Starting again keeps what the user typed, with fresh one-time values.
  return {
    ...fresh,
    usePkce: keep.usePkce,
    clientSecret: keep.clientSecret,
    params: {
      ...keep.params,
      state: fresh.params['state'] ?? '',
      nonce: fresh.params['nonce'] ?? '',
      code_challenge: '',
    },
    extraParams: keep.extraParams,
    // The standards options chosen stay; what was signed or pushed for the old run does not.
    ...(keep.usePar === undefined || fresh.parEndpoint === undefined
      ? {}
      : { usePar: fresh.parRequired === true || keep.usePar }),
    ...(keep.jarAlg === undefined ? {} : { jarAlg: keep.jarAlg }),
    ...(keep.jarKey === undefined ? {} : { jarKey: keep.jarKey }),
    ...(keep.clientAuthMethod === undefined ? {} : { clientAuthMethod: keep.clientAuthMethod }),
    ...(keep.clientKey === undefined ? {} : { clientKey: keep.clientKey }),
  };
}

/**
 * What a generic issuer offers beyond RFC 6749 for this flow: its PAR endpoint (and whether it
 * requires PAR), its key set for JARM, and whether it is the standards sandbox (whose token and PAR
 * endpoints answer a browser with CORS). Undefined for Entra and the Entra-shaped sandbox: their runs
 * stay as they were.
 */
function standardsOf(
  settings: Settings,
  sandboxOrigin: string,
  jwksUri: string | undefined,
): Parameters<typeof createAuthCodeContext>[0]['standards'] {
  if (settings.authority !== 'issuer' || settings.issuer == null) return undefined;
  const par = assessFeature('par', featureMetadataFor(settings, sandboxOrigin));
  return {
    ...(par.status === 'offered' && par.endpoint !== undefined
      ? { parEndpoint: par.endpoint, parRequired: par.required === true }
      : {}),
    ...(jwksUri === undefined ? {} : { jwksUri }),
    ...(isStandardsSandbox(settings.issuer.issuer, sandboxOrigin) ? { corsFromBrowser: true } : {}),
  };
}

/** The sandbox's standards-only issuer (`/standard`) of this sandbox origin. */
function isStandardsSandbox(issuer: string, sandboxOrigin: string): boolean {
  return issuer.replace(/\/+$/, '') === `${sandboxOrigin.replace(/\/+$/, '')}/standard`;
}

/** What a new sign-in makes obsolete: the previous answer, exchange and tokens go, their steps are idle again. */
function clearAfterSignIn(ctx: AuthCodeContext): void {
  const store = useFlowRuns.getState();
  const results = ['authorizationResponse', 'pastedResponse', 'jarmResponse', 'exchange', 'tokens'] as const;
  if (results.every((key) => ctx[key] === undefined)) return;
  // Removed, not kept beside a new code they do not belong to.
  store.patch(FLOW_ID, Object.fromEntries(results.map((key) => [key, undefined])));
  for (const step of ['exchange', 'tokens']) store.setStep(FLOW_ID, step, 'idle');
}

export default function AuthorizationCodePage() {
  const lab = useLabConfig();
  const flowDeps = useFlowDeps(FLOW_ID);
  const [focusedParam, setFocusedParam] = useState<string | undefined>();
  const [pasted, setPasted] = useState('');
  // Why the last paste could not be used, in its own words (no answer, no state, another state…).
  const [pasteProblem, setPasteProblem] = useState<PasteProblem | undefined>();
  const [announcement, setAnnouncement] = useState('');
  const store = useFlowRuns.getState();
  const authority = useSettings((s) => s.authority);
  const features = useProviderFeatures();
  const savedIssuer = useSettings((s) => s.issuer?.issuer);
  const confidentialProfile = useSettings(isConfidentialProfile);

  const create = useCallback(
    () => newContext(useSettings.getState(), lab.sandboxOrigin, true),
    [lab.sandboxOrigin],
  );
  const run = useStartedRun<AuthCodeContext>(FLOW_ID, create, 'pkce');
  useOnDemandParts({ failure: run?.failure !== undefined, tokens: run?.ctx.tokens !== undefined });

  // Arriving from the callback: say where the run is, as focus moves to its next action.
  useEffect(() => {
    const arrived = useFlowRuns.getState().runs[FLOW_ID] as FlowRun<AuthCodeContext> | undefined;
    if (arrived?.focusPending !== true && arrived?.failure?.stepId !== 'sign-in') return;
    const text =
      arrived.status['sign-in'] === 'done'
        ? 'Back from the authorization server with a code; the state matches. Next: redeem the code.'
        : arrived.status['sign-in'] === 'failed'
          ? `The sign-in did not return a code. ${arrived.failure?.failure.message ?? ''}`
          : '';
    if (text === '') return;
    const frame = window.requestAnimationFrame(() => setAnnouncement(text));
    return () => window.cancelAnimationFrame(frame);
  }, []);

  // The token request masks the verifier; so does this step, where it is typed and shown.
  const verifierMask = useFieldMask('code_verifier', 'code-verifier', 'always');
  // Presenter mode: a pasted redirect carries the code; drawn as discs until its own reveal.
  const pastedMask = useFieldMask('the pasted address', 'pasted-response');
  if (run === undefined) return <p role="status">Preparing the flow…</p>;
  const ctx = run.ctx;
  const status = (id: string): StepStatus => run.status[id] ?? 'idle';
  const failureFor = (id: string) => (run.failure?.stepId === id ? run.failure.failure : undefined);
  // An undefined value removes the field (the store's patch drops it).
  const patch = (p: { [K in keyof AuthCodeContext]?: AuthCodeContext[K] | undefined }) =>
    store.patch<AuthCodeContext>(FLOW_ID, p as Partial<AuthCodeContext>);
  const setParam = (name: string, value: string) => patch({ params: { ...ctx.params, [name]: value } });
  const announce = (text: string) => setAnnouncement(text);

  /** Forgets what the page itself holds beside the run: typed paste, focused field, notes. */
  const clearLocal = () => {
    setPasted('');
    setFocusedParam(undefined);
    setPasteProblem(undefined);
  };

  const startAgain = () => {
    clearPendingRedirect();
    clearLocal();
    store.start(
      FLOW_ID,
      newContext(useSettings.getState(), lab.sandboxOrigin, ctx.usePkce, ctx),
      ctx.usePkce ? 'pkce' : 'authorize',
    );
    announce('Started again with fresh state and nonce; your parameters are kept.');
  };

  const setPkce = (on: boolean) => {
    const settings = useSettings.getState();
    let clientId = ctx.params['client_id'] ?? '';
    let secret = ctx.clientSecret;
    if (settings.authority === 'sandbox' && findSandboxApp(currentSandboxDirectory(), clientId)) {
      // In the sandbox, each variant has its own registration: the SPA for PKCE, the web app with a secret
      // (its newest one, as the sandbox's directory lists it now). A Web App profile stays the web app
      // either way: with PKCE it redeems with its secret and the verifier (RFC 9700 §2.1.1).
      const spa = on && !isConfidentialProfile(settings);
      const app = clientFor(spa ? 'Flow Lab SPA' : 'Flow Lab Web App');
      clientId = app.clientId;
      secret = spa ? '' : app.clientSecret;
    }
    const { challenge: _dropped, ...base } = ctx;
    const next: AuthCodeContext = {
      ...base,
      usePkce: on,
      clientSecret: secret,
      codeVerifier: '',
      params: {
        ...ctx.params,
        client_id: clientId,
        code_challenge: '',
        code_challenge_method: on ? 'S256' : '',
      },
    };
    clearPendingRedirect();
    clearLocal();
    store.start(FLOW_ID, next, on ? 'pkce' : 'authorize');
    const wording = pkceWording(isConfidentialProfile(settings));
    announce(on ? wording.on : wording.off);
  };

  const doPkce = async () => {
    store.setStep(FLOW_ID, 'pkce', 'running');
    const result = await runStep(makePkcePair, ctx, flowDeps);
    if (result.ok) {
      patch(result.patch);
      store.setStep(FLOW_ID, 'pkce', 'done', { current: 'authorize' });
      announce(
        `Code verifier and ${result.patch.challenge?.method ?? 'S256'} challenge are ready; the challenge is now in the authorization URL.`,
      );
    } else {
      store.setStep(FLOW_ID, 'pkce', 'failed', { failure: result.failure });
    }
  };

  const authorize = buildAuthorizeStep(ctx);
  const verifierProblem = ctx.codeVerifier === '' ? undefined : validateCodeVerifier(ctx.codeVerifier);

  /** The run with its PKCE pair made, if PKCE is on and none was made yet; undefined if that failed. */
  const withPkcePair = async (): Promise<AuthCodeContext | undefined> => {
    if (!ctx.usePkce || ctx.params['code_challenge'] !== '') return ctx;
    const result = await runStep(makePkcePair, ctx, flowDeps);
    if (!result.ok) {
      store.setStep(FLOW_ID, 'pkce', 'failed', { failure: result.failure });
      return undefined;
    }
    patch(result.patch);
    store.setStep(FLOW_ID, 'pkce', 'done');
    return { ...ctx, ...result.patch };
  };

  /** Records the browser's trip to the authorization endpoint, for the live diagram. */
  const recordNavigation = (url: URL) => store.record(FLOW_ID, navigationRecord(url, 'authorize'));

  /** JAR: signs the request object; undefined (the authorize step failed) if it could not be. */
  const signRequest = async (from: AuthCodeContext): Promise<AuthCodeContext | undefined> => {
    const result = await runStep(makeRequestObject, from, flowDeps);
    if (!result.ok) {
      store.setStep(FLOW_ID, 'authorize', 'failed', { failure: result.failure, current: 'authorize' });
      announce('The request object could not be signed.');
      return undefined;
    }
    patch(result.patch);
    return { ...from, ...result.patch };
  };

  /** PAR: pushes the request and reads the request_uri; undefined (the step failed) if it did not work. */
  const pushRequest = async (from: AuthCodeContext): Promise<AuthCodeContext | undefined> => {
    store.setStep(FLOW_ID, 'par', 'running', { current: 'par' });
    announce('Pushing the authorization request…');
    const sent = await runStep(sendPush, from, flowDeps);
    if (!sent.ok) {
      store.setStep(FLOW_ID, 'par', 'failed', { failure: sent.failure });
      announce('The push failed.');
      return undefined;
    }
    patch(sent.patch);
    const read = await runStep(readPush, { ...from, ...sent.patch }, flowDeps);
    if (!read.ok) {
      store.setStep(FLOW_ID, 'par', 'failed', { failure: read.failure });
      announce('The PAR endpoint refused the request.');
      return undefined;
    }
    patch(read.patch);
    store.setStep(FLOW_ID, 'par', 'done');
    announce(
      `Pushed: the server answered with a request_uri valid for ${read.patch.pushed.expires_in ?? '?'} seconds.`,
    );
    return { ...from, ...read.patch };
  };

  /** What sign-in needs first: the PKCE pair, the request object (JAR), the push (PAR). */
  const readyToLeave = async (): Promise<AuthCodeContext | undefined> => {
    let current = await withPkcePair();
    if (current === undefined) return undefined;
    const pending = pendingBeforeSignIn(current);
    if (pending.sign) current = await signRequest(current);
    if (current === undefined) return undefined;
    if (pending.push) current = await pushRequest(current);
    return current;
  };

  const push = async () => {
    let current = await withPkcePair();
    if (current !== undefined && pendingBeforeSignIn(current).sign) current = await signRequest(current);
    if (current === undefined) return;
    const pushed = await pushRequest(current);
    if (pushed !== undefined) store.setStep(FLOW_ID, 'par', 'done', { current: 'sign-in' });
  };

  /** RFC 9126 §4: a request_uri is single-use; the run remembers it left with it. */
  const markPushUsed = (current: AuthCodeContext): AuthCodeContext => {
    // Without PAR the push is not part of this sign-in.
    if (current.usePar !== true) store.setStep(FLOW_ID, 'par', 'skipped');
    if (current.usePar !== true || current.pushed === undefined) return current;
    const used = { ...current, pushed: { ...current.pushed, used: true } };
    patch({ pushed: used.pushed });
    return used;
  };

  /**
   * Before the page is left: the request object's JWT is dropped (it is not needed again — a later
   * sign-in signs a fresh one), so the run kept across the redirect holds no JWT it would have to
   * leave out and report as a token not kept; its decoded header and claims stay to be shown.
   */
  const withoutRequestObjectJwt = (current: AuthCodeContext): AuthCodeContext => {
    if (current.requestObject === undefined) return current;
    const requestObject = { ...current.requestObject, jwt: '', signedFrom: '' };
    patch({ requestObject });
    return { ...current, requestObject };
  };

  const signIn = async () => {
    const ready = await readyToLeave();
    if (ready === undefined) return;
    const url = buildAuthorizeStep(ready).url;
    const current = withoutRequestObjectJwt(markPushUsed(ready));
    clearAfterSignIn(current);
    store.setStep(FLOW_ID, 'authorize', 'done');
    store.setStep(FLOW_ID, 'sign-in', 'running', { current: 'sign-in' });
    recordNavigation(url);
    // The run waits in the store (this tab's sessionStorage); the marker names it for the callback.
    savePendingRedirect(FLOW_ID, current);
    window.location.assign(url.toString());
  };

  const pasteMode = !isOwnCallback(ctx.params['redirect_uri'] ?? '', flowDeps.appOrigin);
  const signInBlocked = signInBlockedReason(ctx, {
    formPostReceiver: lab.formPost,
    appOrigin: flowDeps.appOrigin,
  });
  const formPost = ctx.params['response_mode'] === 'form_post';
  const openSignInTab = async () => {
    const ready = await readyToLeave();
    if (ready === undefined) return;
    const url = buildAuthorizeStep(ready).url;
    const current = markPushUsed(ready);
    clearAfterSignIn(current);
    store.setStep(FLOW_ID, 'authorize', 'done', { current: 'sign-in' });
    recordNavigation(url);
    window.open(url.toString(), '_blank', 'noopener,noreferrer');
    announce('The sign-in page opened in a new tab. Paste the address it ends on here.');
  };

  const applyPasted = async () => {
    let problem: PasteProblem | undefined;
    const result = await runStep(
      async (c: AuthCodeContext) => {
        const { readPastedResponse, PastedResponseError } = await loadPasteReader();
        try {
          return readPastedResponse(c, pasted);
        } catch (error) {
          if (error instanceof PastedResponseError) problem = error.problem;
          throw error;
        }
      },
      ctx,
      flowDeps,
    );
    setPasteProblem(problem);
    if (!result.ok) {
      store.setStep(FLOW_ID, 'sign-in', 'failed', { failure: result.failure });
      announce('The pasted response could not be used.');
      return;
    }
    const { stateChecked, notes, ...rest } = result.patch;
    patch({ ...rest, pastedResponse: { stateChecked, notes } });
    store.setStep(FLOW_ID, 'authorize', 'done');
    store.setStep(FLOW_ID, 'sign-in', 'done', { current: 'exchange' });
    announce('Code read from the pasted response; next, redeem it.');
  };

  const route = decideExchangeRoute(ctx, flowDeps);
  const redeem = async () => {
    store.setStep(FLOW_ID, 'exchange', 'running', { current: 'exchange' });
    announce('Sending the token request…');
    const sent = await runStep(sendExchange, ctx, flowDeps);
    if (!sent.ok) {
      store.setStep(FLOW_ID, 'exchange', 'failed', { failure: sent.failure });
      announce('The token request failed.');
      return;
    }
    patch(sent.patch);
    const read = await runStep(readExchange, { ...ctx, ...sent.patch }, flowDeps);
    if (!read.ok) {
      store.setStep(FLOW_ID, 'exchange', 'failed', { failure: read.failure });
      announce('The token endpoint refused the request.');
      return;
    }
    patch(read.patch);
    useTokenHistory.getState().add({
      flowId: FLOW_ID,
      flowTitle: flow.title,
      clientId: ctx.params['client_id'] ?? '',
      tokenEndpoint: ctx.tokenEndpoint,
      spa: ctx.usePkce && ctx.clientSecret === '',
      tokens: read.patch.tokens,
    });
    store.setStep(FLOW_ID, 'exchange', 'done');
    store.setStep(FLOW_ID, 'tokens', 'done', { current: 'tokens' });
    announce('Tokens received and decoded.');
  };

  const pasteNotes = ctx.pastedResponse?.notes ?? [];
  const setExtra = (index: number, value: QueryParameter) =>
    patch({ extraParams: ctx.extraParams.map((p, i) => (i === index ? value : p)) });

  const stepProps = (id: (typeof flow.steps)[number]['id']) =>
    stepSectionProps(flow.steps, id, status(id), run.current, (step) => store.goTo(FLOW_ID, step));

  // Beyond Entra: JARM modes join response_mode's choices, and a confidential client picks its method.
  const standardsRun = authority === 'issuer';
  // Read on the first render that needs them (the page waits as a whole, so nothing pops in later).
  const parts =
    standardsRun || ctx.pushed !== undefined || ctx.jarmResponse !== undefined
      ? use(loadStandardsParts())
      : undefined;
  // Entra and the sandbox tenant list no JWT response mode (JARM §2.3), so only the standards parts add any.
  const jarmModes = parts?.offeredJarmModes(features) ?? [];
  // domain_hint is an Entra extension: elsewhere it shows only when a value was given.
  const parameterDefinitions = AUTHORIZE_PARAMETERS.filter(
    (p) =>
      (ctx.usePkce || !p.name.startsWith('code_challenge')) &&
      (p.name !== 'domain_hint' || features.entraShaped || (ctx.params['domain_hint'] ?? '') !== ''),
  ).map((definition) =>
    definition.name === 'response_mode' && jarmModes.length > 0
      ? {
          ...definition,
          options: [...(definition.options ?? []), ...jarmModes],
          explanation: `${definition.explanation} The .jwt modes (JARM) return one JWT signed by the server instead.`,
          spec: `${definition.spec}, JARM §2.3`,
        }
      : definition,
  );
  const confidentialStandards = standardsRun && ctx.clientAuthMethod !== undefined;
  const keyRegistrationUrl =
    ctx.corsFromBrowser === true && savedIssuer !== undefined
      ? sandboxJwksRegistrationUrl(savedIssuer, ctx.params['client_id'] ?? '')
      : undefined;
  const showSecretField =
    !ctx.usePkce ||
    // A confidential profile with PKCE redeems with its secret too (not beyond Entra's auth method choice).
    (ctx.clientAuthMethod === undefined && confidentialProfile) ||
    (confidentialStandards && authMethodOf(ctx) !== 'none' && authMethodOf(ctx) !== 'private_key_jwt');
  const pushRoute = decidePushRoute(ctx, flowDeps);

  return (
    <FlowPage
      flow={flow}
      current={run.current}
      status={run.status}
      onGoTo={(id) => store.goTo(FLOW_ID, id)}
      announcement={announcement}
      variants={authCodeVariants(ctx, flowDeps.appOrigin)}
      options={
        <>
          <label className="choice">
            <input type="checkbox" checked={ctx.usePkce} onChange={(e) => setPkce(e.target.checked)} />
            {pkceWording(confidentialProfile).label}
          </label>
          <button type="button" onClick={startAgain}>
            Start again
          </button>
        </>
      }
    >
      {!ctx.usePkce && (
        <p className="note">
          Without PKCE this is the confidential-client variant: the code is redeemed with a client secret.
          {features.entraShaped ? (
            <>
              {' '}
              Entra refuses that request from a browser (AADSTS9002326)
              <WhereRelayRuns>, so it goes through the local relay</WhereRelayRuns>.
            </>
          ) : ctx.corsFromBrowser === true ? (
            ' The standards sandbox answers its token endpoint with CORS, so this page sends it; a real client does so from its server.'
          ) : (
            <>
              {' '}
              A confidential client redeems it from its server
              <WhereRelayRuns>, so it goes through the local relay</WhereRelayRuns>.
            </>
          )}
        </p>
      )}
      {!ctx.usePkce && ctx.corsFromBrowser !== true && <RelayOffNotice />}

      {ctx.usePkce && (
        <StepSection {...stepProps('pkce')}>
          <div className="field">
            <label htmlFor="code-verifier">
              <code>code_verifier</code> (kept in this tab, sent only to the token endpoint)
            </label>
            <input
              id="code-verifier"
              className={verifierMask.className}
              value={ctx.codeVerifier}
              spellCheck={false}
              autoComplete="off"
              aria-describedby="code-verifier-help"
              onChange={(e) =>
                patch({ codeVerifier: e.target.value, params: { ...ctx.params, code_challenge: '' } })
              }
            />
            {verifierMask.toggle}
            <p id="code-verifier-help" className="help">
              43–128 characters from letters, digits and - . _ ~. Leave empty to draw 32 random bytes from
              WebCrypto.
              {verifierProblem !== undefined && <span className="warning"> {verifierProblem}</span>}
            </p>
          </div>
          <div className="field">
            <label htmlFor="challenge-method">
              <code>code_challenge_method</code>
            </label>
            <select
              id="challenge-method"
              value={ctx.params['code_challenge_method'] === 'plain' ? 'plain' : 'S256'}
              onChange={(e) => {
                // The challenge made with the other method no longer matches: make it again.
                patch({
                  params: { ...ctx.params, code_challenge_method: e.target.value, code_challenge: '' },
                });
                if (status('pkce') === 'done') store.setStep(FLOW_ID, 'pkce', 'stale');
              }}
            >
              <option value="S256">S256 (SHA-256, recommended)</option>
              <option value="plain">plain (the verifier itself)</option>
            </select>
            {ctx.params['code_challenge_method'] === 'plain' && (
              <p className="warning">
                plain puts the verifier itself in the URL: anyone who sees the request can redeem the code.
                Use it only for a client that cannot compute SHA-256.
              </p>
            )}
          </div>
          <button type="button" data-next-action="" onClick={() => void doPkce()}>
            Generate verifier and challenge
          </button>
          {ctx.challenge !== undefined && ctx.params['code_challenge'] !== '' && (
            <dl className="pkce-result">
              <dt>code_verifier</dt>
              <dd>
                <MaskedValue value={ctx.codeVerifier} label="code_verifier" />
              </dd>
              {ctx.challenge.sha256Hex !== undefined && (
                <>
                  <dt>SHA-256 of the verifier, as hex (what sha256sum prints — not sent)</dt>
                  <dd>
                    <code>{ctx.challenge.sha256Hex}</code>
                  </dd>
                </>
              )}
              <dt>
                <code>code_challenge</code> — the same bytes as base64url: this goes on the wire
              </dt>
              <dd>
                <code data-testid="code-challenge">{ctx.challenge.challenge}</code>
              </dd>
            </dl>
          )}
          {failureFor('pkce') !== undefined && <FailurePanel failure={failureFor('pkce')!} />}
        </StepSection>
      )}

      <StepSection {...stepProps('authorize')}>
        <form
          className="params"
          onSubmit={(e) => e.preventDefault()}
          aria-label="Authorization request parameters"
        >
          {parameterDefinitions.map((definition) => (
            <ParameterField
              key={definition.name}
              definition={definition}
              value={ctx.params[definition.name] ?? ''}
              onChange={(value) => setParam(definition.name, value)}
              onFocus={() => setFocusedParam(definition.name)}
            />
          ))}
          <fieldset className="extra-params">
            <legend>Extra parameters</legend>
            {ctx.extraParams.map(([name, value], i) => (
              <div className="extra-row" key={i}>
                <label>
                  Name
                  <input
                    value={name}
                    onChange={(e) => setExtra(i, [e.target.value, value])}
                    onFocus={() => setFocusedParam(name)}
                  />
                </label>
                <label>
                  Value
                  <input
                    value={value}
                    onChange={(e) => setExtra(i, [name, e.target.value])}
                    onFocus={() => setFocusedParam(name)}
                  />
                </label>
                <button
                  type="button"
                  onClick={() => patch({ extraParams: ctx.extraParams.filter((_, j) => j !== i) })}
                >
                  Remove {name === '' ? 'parameter' : name}
                </button>
              </div>
            ))}
            <button type="button" onClick={() => patch({ extraParams: [...ctx.extraParams, ['', '']] })}>
              Add a parameter
            </button>
          </fieldset>
        </form>
        {standardsRun && parts !== undefined ? (
          <parts.StandardsOptions
            ctx={ctx}
            features={features}
            patch={patch}
            deps={flowDeps}
            keyRegistrationUrl={keyRegistrationUrl}
            announce={announce}
          />
        ) : (
          <p className="note standards-note">
            PAR, JAR and JARM: {features.explain('par')} {features.explain('jar')} {features.explain('jarm')}
          </p>
        )}
        {confidentialStandards && parts !== undefined && (
          <parts.ClientAuthChoice
            verdicts={assessClientAuthMethods(features.metadata, { entra: features.entraShaped })}
            method={authMethodOf(ctx)}
            onMethodChange={(clientAuthMethod) => patch({ clientAuthMethod })}
            clientId={ctx.params['client_id'] ?? ''}
            clientSecret={ctx.clientSecret}
            clientKey={ctx.clientKey}
            onClientKeyChange={(clientKey) => patch({ clientKey })}
            keyRegistrationUrl={keyRegistrationUrl}
            deps={flowDeps}
            legend="Client authentication (at the PAR and token endpoints)"
          />
        )}
        {(ctx.usePar === true || ctx.jarAlg !== undefined) && (
          <p className="note">
            {ctx.usePar === true
              ? 'With PAR the browser’s URL below carries only client_id and the request_uri, once the request is pushed (step “Push the request”, or signing in pushes it).'
              : 'With JAR the browser’s URL below carries only client_id and the signed request object, once it is signed (signing in signs it).'}
          </p>
        )}
        <UrlPreview url={previewAuthorizeUrl(ctx, authorize.url)} focused={focusedParam} />
        <WarningsList warnings={authorize.warnings} />
        {failureFor('authorize') !== undefined && (
          <FailurePanel failure={failureFor('authorize')!} context="authorize" />
        )}
        {authority === 'sandbox' && (
          <SandboxRegistrationCheck
            clientId={ctx.params['client_id'] ?? ''}
            redirectUri={ctx.params['redirect_uri'] ?? ''}
            sendsOrigin={route.via === 'browser' || route.forwardOrigin !== undefined}
          />
        )}
      </StepSection>

      <StepSection {...stepProps('par')}>
        {ctx.usePar !== true ? (
          <p>
            {ctx.parEndpoint === undefined
              ? features.explain('par')
              : 'PAR is off for this run: the parameters travel in the URL. Tick “Push the request first” in the authorization step to push them.'}
          </p>
        ) : (
          <>
            <TokenRequestPanel
              request={buildPushRequest(ctx)}
              route={pushRoute}
              exchange={ctx.pushed?.exchange}
              failure={failureFor('par')}
              sending={status('par') === 'running'}
              sendLabel={ctx.pushed === undefined ? 'Push the request' : 'Push the request again'}
              onSend={() => void push()}
              // RFC 9126 §2.3: the PAR endpoint answers with the authorization request's errors.
              context="authorize"
              onRetry={startAgain}
              retryLabel="Start again"
            />
            {ctx.pushed !== undefined && parts !== undefined && (
              <parts.PushedRequestResult pushed={ctx.pushed} />
            )}
          </>
        )}
      </StepSection>

      <StepSection {...stepProps('sign-in')}>
        {pasteMode ? (
          <div className="paste-mode">
            <p>
              The redirect URI <code>{ctx.params['redirect_uri']}</code> is not this app’s callback, so the
              browser will not come back here by itself (as with a desktop app’s loopback address). Open the
              sign-in in a new tab, sign in, then copy the address the browser lands on — the page there may
              fail to load; the code is in its address bar — and paste it below.
            </p>
            {formPost && (
              <p className="note">
                With form_post the answer is not in any address: the server’s page POSTs it as a form to{' '}
                <code>{ctx.params['redirect_uri']}</code>. Open the browser’s developer tools on the new tab
                (Network, with “Preserve log”) before signing in, select that POST request and paste its form
                data (<code>code=…&amp;state=…</code>) below.
              </p>
            )}
            <button type="button" onClick={() => void openSignInTab()}>
              Open the sign-in page in a new tab
            </button>
            <div className="field">
              <label htmlFor="pasted-response">Redirected URL (or just the code)</label>
              <textarea
                id="pasted-response"
                className={pastedMask.className}
                data-next-action=""
                rows={3}
                value={pasted}
                spellCheck={false}
                autoComplete="off"
                aria-describedby="pasted-response-help"
                onChange={(e) => setPasted(e.target.value)}
              />
              {pastedMask.toggle}
              <p id="pasted-response-help" className="help">
                The whole address, or only the part from “?” or “#” on, or only{' '}
                <code>code=…&amp;state=…</code>. Quotes, angle brackets, line breaks and “&amp;amp;” from a
                chat or a document are cleaned up.
              </p>
            </div>
            <button type="button" className="primary" onClick={() => void applyPasted()}>
              Use this response
            </button>
            {pasteNotes.length > 0 && ctx.authorizationResponse !== undefined && (
              <p className="note" role="status">
                Read from your paste: {pasteNotes.join(' ')}
              </p>
            )}
            {ctx.pastedResponse?.stateChecked === false && (
              <p className="warning">
                Only a code was pasted, so its state could not be compared with this run’s. Paste the whole
                URL to keep the CSRF check.
              </p>
            )}
          </div>
        ) : (
          <>
            <p>
              The browser leaves this page for the authorization server. State, nonce and the code verifier
              wait in this tab’s sessionStorage until it comes back to{' '}
              <code>{ctx.params['redirect_uri']}</code>.
            </p>
            {formPost && signInBlocked === undefined && (
              <p className="note">
                form_post: the server’s page will POST the answer to this app’s local server, which keeps it
                in memory for at most a minute and hands it to the callback page once. The code never appears
                in the address bar, the history or a server log’s URL.
              </p>
            )}
            {signInBlocked !== undefined && (
              <p className="warning" role="alert">
                {signInBlocked}
              </p>
            )}
            <RedirectTokenNotice />
            <button
              type="button"
              className="primary"
              data-next-action=""
              onClick={() => void signIn()}
              disabled={signInBlocked !== undefined}
            >
              Sign in at the authorization server
            </button>
          </>
        )}
        {ctx.authorizationResponse !== undefined && (
          <div className="callback-result">
            <p className="ok">
              {ctx.pastedResponse?.stateChecked === false
                ? 'Got a code (its state could not be checked)'
                : 'Came back with a code; the state matches what this tab sent'}
              {ctx.authorizationResponse.issuerChecked === true &&
                ', and the issuer (iss) is the expected one'}
              .
            </p>
            {ctx.jarmResponse !== undefined && parts !== undefined && (
              <parts.JarmResult jarm={ctx.jarmResponse} />
            )}
            {ctx.authorizationResponse.responseMode === 'form_post' && (
              <p className="note">
                The answer came as a form POST (response_mode=form_post), not in the URL: the code never sat
                in the address bar or the history, and cannot leak through a Referer header or a proxy log of
                URLs.
              </p>
            )}
            <table>
              <caption>Parameters on the redirect ({ctx.authorizationResponse.responseMode})</caption>
              <thead>
                <tr>
                  <th scope="col">Parameter</th>
                  <th scope="col">Value</th>
                </tr>
              </thead>
              <tbody>
                {/* JARM §2.1: the redirect carried only `response`; code, state and iss were inside it. */}
                {ctx.jarmResponse !== undefined && (
                  <tr>
                    <th scope="row">
                      <code>response</code>
                    </th>
                    <td className="wrap">
                      A JWT signed by the server, decoded above: code, state and iss travelled inside it.
                    </td>
                  </tr>
                )}
                {Object.entries(ctx.jarmResponse === undefined ? ctx.authorizationResponse.params : {}).map(
                  ([name, value]) => (
                    <tr key={name}>
                      <th scope="row">
                        <code>{name}</code>
                      </th>
                      <td className="wrap">
                        {name === 'code' ? `${value.slice(0, 12)}… (${value.length} characters)` : value}
                      </td>
                    </tr>
                  ),
                )}
              </tbody>
            </table>
          </div>
        )}
        {failureFor('sign-in') !== undefined && pasteMode && pasteProblem !== undefined && (
          <PastePanel
            problem={pasteProblem}
            onStartAgain={startAgain}
            onPasteAgain={() => document.getElementById('pasted-response')?.focus()}
          />
        )}
        {failureFor('sign-in') !== undefined && !(pasteMode && pasteProblem !== undefined) && (
          <FailurePanel
            failure={failureFor('sign-in')!}
            context="authorize"
            endpoint={ctx.authorizationEndpoint}
            onRetry={startAgain}
            retryLabel="Start again"
          />
        )}
      </StepSection>

      <StepSection {...stepProps('exchange')}>
        {showSecretField && (
          <div className="field">
            <label htmlFor="exchange-secret">Client secret (kept in memory only)</label>
            <SecretInput
              id="exchange-secret"
              value={ctx.clientSecret}
              onChange={(value) => patch({ clientSecret: value })}
            />
            {run.notKept?.includes('secrets') === true && (
              <p className="help">
                A client secret is never stored, so the reload dropped it, and neither the settings nor the
                sandbox’s directory hold it to fill it in again: enter it to redeem the code.
              </p>
            )}
          </div>
        )}
        {ctx.authorizationResponse === undefined ? (
          <p>
            Sign in first: this step needs the code from the redirect.{' '}
            {route.via === 'browser' ? (
              <>It will be sent from the browser. {route.reason}</>
            ) : (
              <WhereRelayRuns>It will be sent through the local relay. {route.reason}</WhereRelayRuns>
            )}
          </p>
        ) : (
          <TokenRequestPanel
            request={buildExchangeRequest(ctx)}
            route={route}
            exchange={ctx.exchange}
            failure={failureFor('exchange')}
            sending={status('exchange') === 'running'}
            sendLabel="Redeem the code"
            onSend={() => void redeem()}
            onRetry={startAgain}
            retryLabel="Start again"
          />
        )}
      </StepSection>

      <StepSection {...stepProps('tokens')}>
        {ctx.tokens !== undefined ? (
          <TokensPanel
            tokens={ctx.tokens}
            {...(/(^|\s)offline_access(\s|$)/.test(ctx.params['scope'] ?? '')
              ? {
                  noRefreshToken:
                    'No refresh token, though offline_access was asked for: the server did not grant it. An OpenID provider grants offline_access only with prompt=consent, after its consent page (OIDC Core §11).',
                }
              : {})}
          />
        ) : status('tokens') === 'idle' ? (
          <p>No tokens yet.</p>
        ) : (
          <p className="note">
            The tokens of this run were not kept across the reload (tokens stay in memory unless this tab
            keeps them), so they are not shown. Sign in again to get new ones.
          </p>
        )}
      </StepSection>
    </FlowPage>
  );
}
