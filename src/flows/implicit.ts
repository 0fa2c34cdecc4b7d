/**
 * The implicit grant and the OIDC hybrid flow: tokens (or a code and an ID token) come straight back
 * from the authorization endpoint in the URL fragment. Kept to show why it is legacy and how a client
 * must check what arrives (state, nonce, at_hash, c_hash).
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.2
 * @see https://openid.net/specs/openid-connect-core-1_0.html#ImplicitFlowAuth
 * @see https://openid.net/specs/openid-connect-core-1_0.html#HybridFlowAuth
 */
import {
  buildAuthorizationUrl,
  validateAuthorizationRequest,
  type QueryParameter,
  type RequestWarning,
} from '../protocol/authorize.ts';
import type { CallbackInput, ResponseMode } from '../protocol/callback.ts';
import {
  AuthorizationResponseError,
  ProtocolViolationError,
  type OAuthErrorFields,
} from '../protocol/errors.ts';
import type { RedirectOutcome } from './types.ts';
import type { HttpExchange, RecordedRequest } from '../protocol/http.ts';
import type { HashCheck } from '../protocol/hybrid.ts';
import { generateRandomState } from '../protocol/pkce.ts';
import type { TokenResponse } from '../protocol/token.ts';
import type { Route } from '../protocol/transport.ts';
import {
  buildExchangeRequest,
  createAuthCodeContext,
  decideExchangeRoute,
  formPostBlockedReason,
  loadFlowPart,
  readExchange,
  metadataWarnings,
  sendExchange,
  type AuthCodeContext,
  type AuthorizationMetadata,
  type FormPostEnvironment,
} from './authorization-code.ts';
import { catalogueEntry } from './registry.ts';
import { toStepFailure, type FlowDeps } from './runner.ts';
import type { FlowDefinition, ParameterDefinition } from './types.ts';

/** The response types this page offers, implicit first, then hybrid. */
export const IMPLICIT_RESPONSE_TYPES = ['id_token token', 'id_token', 'token', 'code id_token'] as const;

/** The authorization request parameters the step shows as fields, in URL order. */
export const IMPLICIT_PARAMETERS: readonly ParameterDefinition[] = [
  {
    name: 'client_id',
    required: true,
    spec: 'RFC 6749 §2.2',
    explanation:
      'The app registration’s id. It must have ID and/or access tokens enabled for implicit flows.',
  },
  {
    name: 'response_type',
    required: true,
    spec: 'OIDC Core §3.2.2.1, §3.3.2.1',
    options: IMPLICIT_RESPONSE_TYPES,
    explanation:
      '“token”: an access token; “id_token”: an ID token; both together; or “code id_token” (hybrid): an ID token now and a code to redeem.',
  },
  {
    name: 'redirect_uri',
    required: true,
    spec: 'RFC 6749 §3.1.2',
    explanation: 'Where the browser is sent back, with the tokens after the #. Must be registered exactly.',
  },
  {
    name: 'response_mode',
    spec: 'OAuth 2.0 Form Post Response Mode',
    options: ['fragment', 'form_post'],
    explanation:
      'fragment: after the # (never sent to a server). form_post: POSTed as a form to the redirect URI — this app’s local server receives it and hands it to the page once.',
  },
  {
    name: 'scope',
    required: true,
    spec: 'RFC 6749 §3.3',
    explanation: 'openid for an ID token, plus the API scopes of one resource for the access token.',
  },
  {
    name: 'state',
    spec: 'RFC 6749 §4.2.1',
    explanation: 'Random value echoed back; checked before anything in the response is used (CSRF).',
  },
  {
    name: 'nonce',
    required: true,
    spec: 'OIDC Core §3.2.2.1',
    explanation:
      'Required whenever an ID token comes from /authorize: the server copies it into the token, so a replayed token is caught.',
  },
  {
    name: 'prompt',
    spec: 'OIDC Core §3.1.2.1',
    options: ['', 'login', 'consent', 'select_account', 'none'],
    explanation:
      '“none” is how old apps renewed tokens silently in a hidden iframe — which needs third-party cookies.',
  },
  {
    name: 'login_hint',
    spec: 'OIDC Core §3.1.2.1',
    explanation: 'Pre-fills the user name on the sign-in page.',
  },
];

/** What each response type brings back on the front channel, as the diagram names it. */
const FRONT_CHANNEL: Readonly<Record<(typeof IMPLICIT_RESPONSE_TYPES)[number], string>> = {
  'id_token token': 'access_token&id_token&state',
  id_token: 'id_token&state',
  token: 'access_token&state',
  'code id_token': 'code&id_token&state',
};

/** What the client checks before it uses the answer, per response type (OIDC Core §3.2.2.8–11, §3.3.2.8–12). */
const CHECKS: Readonly<Record<(typeof IMPLICIT_RESPONSE_TYPES)[number], string>> = {
  'id_token token': 'check state, nonce, at_hash',
  id_token: 'check state, nonce',
  token: 'check state (nothing ties the token to a sign-in)',
  'code id_token': 'check state, nonce, c_hash',
};

/** A response type as a variant tag: one word (`id_token+token`), as in the URL. */
function variantTag(responseType: string): string {
  return responseType.replaceAll(' ', '+');
}

/** The flow as data: steps and sequence diagram. */
export const implicitFlow = {
  ...catalogueEntry('implicit'),
  steps: [
    {
      id: 'authorize',
      title: 'Build the authorization URL',
      spec: 'OIDC Core §3.2.2.1',
      why: 'Same endpoint as the code flow, but response_type asks for tokens themselves. A nonce is mandatory because the ID token travels through the browser.',
      inputs: ['authorizationEndpoint', 'params'],
    },
    {
      id: 'sign-in',
      title: 'Sign in; tokens come back in the fragment',
      spec: 'RFC 6749 §4.2.2',
      why: 'After sign-in the server redirects to redirect_uri#access_token=…&id_token=…. The app reads the fragment and clears it from the address bar and this tab’s history entry at once, but the browser has already saved the whole address, tokens included, in its history database.',
      inputs: ['authorizationEndpoint', 'issuer', 'params'],
    },
    {
      id: 'validate',
      title: 'Check state, nonce and hashes',
      spec: 'OIDC Core §3.2.2.8–3.2.2.11',
      why: 'Nothing in the fragment is trusted until the state matches, the ID token carries our nonce, and at_hash / c_hash prove the access token and code belong to that ID token.',
      inputs: ['issuer', 'params'],
    },
    {
      id: 'redeem',
      title: 'Redeem the code (hybrid only)',
      spec: 'OIDC Core §3.3.3',
      why: 'In the hybrid flow the front channel gave an ID token and a code; the code is swapped for tokens at the token endpoint, as in the code flow.',
      inputs: ['tokenEndpoint', 'clientSecret', 'received'],
    },
    {
      id: 'tokens',
      title: 'Read the tokens',
      spec: 'OIDC Core §3.2.2.5',
      why: 'An access token and/or an ID token — and never a refresh token: to renew, the app must go back to /authorize.',
      inputs: ['received', 'exchange'],
    },
  ],
  diagram: {
    actors: [
      { id: 'user', label: 'User' },
      { id: 'client', label: 'Browser app' },
      { id: 'as', label: 'Authorization server' },
      { id: 'api', label: 'API' },
    ],
    // Variant tags: see implicitVariants. One message per response type, and per response mode for the return.
    messages: [
      ...IMPLICIT_RESPONSE_TYPES.map((type) => ({
        from: 'client',
        to: 'as',
        text: `GET /authorize response_type=${type}, state, nonce`,
        step: 'authorize',
        variant: variantTag(type),
        http: true,
      })),
      { from: 'as', to: 'user', text: 'Sign-in, consent page', step: 'sign-in' },
      { from: 'user', to: 'as', text: 'Credentials, consent', step: 'sign-in' },
      ...IMPLICIT_RESPONSE_TYPES.flatMap((type) => [
        {
          from: 'as',
          to: 'client',
          text: `302 redirect_uri#${FRONT_CHANNEL[type]}`,
          step: 'sign-in',
          reply: true,
          variant: `${variantTag(type)}/fragment`,
          http: true,
        },
        // Form Post Response Mode §2: a page whose script POSTs the answer; no redirect carries it.
        {
          from: 'as',
          to: 'client',
          text: `auto-submitted form: POST redirect_uri, ${FRONT_CHANNEL[type].replaceAll('&', ', ')} in the body`,
          step: 'sign-in',
          variant: `${variantTag(type)}/form_post`,
          http: true,
        },
      ]),
      {
        from: 'client',
        to: 'client',
        text: 'wipe the fragment from the address bar and history entry',
        step: 'validate',
        variant: 'fragment',
      },
      ...IMPLICIT_RESPONSE_TYPES.map((type) => ({
        from: 'client',
        to: 'client',
        text: CHECKS[type],
        step: 'validate',
        variant: variantTag(type),
      })),
      {
        from: 'client',
        to: 'as',
        text: 'POST /token code',
        step: 'redeem',
        variant: 'hybrid',
        http: true,
      },
      {
        from: 'as',
        to: 'client',
        text: 'access, ID tokens',
        step: 'redeem',
        reply: true,
        variant: 'hybrid',
        http: true,
      },
      { from: 'client', to: 'api', text: 'Bearer access token', step: 'tokens', variant: 'access-token' },
    ],
  },
} as const satisfies FlowDefinition;

/**
 * The sequence diagram's variant tags for this run, each one word: the response type as in the URL
 * (`id_token+token`, `code+id_token`…), `implicit` or `hybrid`, the response mode (`fragment` /
 * `form_post`) and both together (`code+id_token/form_post`), and `access-token` when one will come back
 * to call an API with.
 */
export function implicitVariants(ctx: Pick<ImplicitContext, 'params'>): string[] {
  const typed = (ctx.params['response_type'] ?? '').split(/\s+/).filter(Boolean);
  // Compared as a set of words: "token id_token" is "id_token token".
  const type =
    IMPLICIT_RESPONSE_TYPES.find((t) => t.split(' ').sort().join(' ') === [...typed].sort().join(' ')) ??
    'id_token token';
  const mode = ctx.params['response_mode'] === 'form_post' ? 'form_post' : 'fragment';
  const hybrid = typed.includes('code');
  return [
    variantTag(type),
    hybrid ? 'hybrid' : 'implicit',
    mode,
    `${variantTag(type)}/${mode}`,
    ...(typed.includes('token') || hybrid ? ['access-token'] : []),
  ];
}

/** What came back on the front channel, once checked. Tokens live in memory only. */
export interface FrontChannelResult {
  readonly mode: ResponseMode;
  /** Names of the parameters that arrived, in order (values are tokens, shown decoded elsewhere). */
  readonly names: readonly string[];
  readonly accessToken?: string;
  readonly tokenType?: string;
  readonly expiresIn?: string;
  readonly scope?: string;
  readonly idToken?: string;
  readonly code?: string;
  readonly nonceChecked: boolean;
  readonly hashes: readonly HashCheck[];
}

/** Everything one run of the flow knows. */
export interface ImplicitContext {
  readonly authorizationEndpoint: string;
  readonly tokenEndpoint: string;
  readonly issuer?: string;
  /** The discovery document's lists of accepted values (response types, modes), if known. */
  readonly authorizationMetadata?: AuthorizationMetadata;
  /** Values of `IMPLICIT_PARAMETERS`, by wire name. */
  readonly params: Readonly<Record<string, string>>;
  /** Hybrid redemption only; the sandbox's Legacy SPA has none. Memory only. */
  readonly clientSecret: string;
  readonly received?: FrontChannelResult;
  readonly exchange?: HttpExchange;
  /** Tokens from the token endpoint (hybrid). */
  readonly tokens?: TokenResponse;
}

/** Default scope: an ID token and Graph's User.Read. No offline_access: no refresh token comes this way. */
export const DEFAULT_IMPLICIT_SCOPE = 'openid profile User.Read';

/**
 * A new run's starting values: `id_token token` in the fragment, fresh state and nonce.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#ImplicitAuthRequest
 */
export function createImplicitContext(input: {
  authorizationEndpoint: string;
  tokenEndpoint: string;
  issuer?: string;
  authorizationMetadata?: AuthorizationMetadata;
  clientId: string;
  redirectUri: string;
  clientSecret?: string;
}): ImplicitContext {
  return {
    authorizationEndpoint: input.authorizationEndpoint,
    tokenEndpoint: input.tokenEndpoint,
    ...(input.issuer === undefined ? {} : { issuer: input.issuer }),
    ...(input.authorizationMetadata === undefined
      ? {}
      : { authorizationMetadata: input.authorizationMetadata }),
    clientSecret: input.clientSecret ?? '',
    params: {
      client_id: input.clientId,
      response_type: 'id_token token',
      redirect_uri: input.redirectUri,
      response_mode: 'fragment',
      scope: DEFAULT_IMPLICIT_SCOPE,
      state: generateRandomState(),
      nonce: generateRandomState(),
      prompt: '',
      login_hint: '',
    },
  };
}

/** Whether the run asks for a code too (the hybrid flow). */
export function isHybrid(ctx: Pick<ImplicitContext, 'params'>): boolean {
  return (ctx.params['response_type'] ?? '').split(/\s+/).includes('code');
}

/**
 * Why the request cannot be sent from here, if it cannot. form_post makes the authorization server
 * answer with a page that POSTs the response to the redirect URI; a single-page app cannot read a POST,
 * so it works only when this app's local server receives it at this app's own callback.
 * @see https://openid.net/specs/oauth-v2-form-post-response-mode-1_0.html#FormPostResponseMode
 */
export function blockedReason(
  ctx: Pick<ImplicitContext, 'params'>,
  env: FormPostEnvironment = { formPostReceiver: false, appOrigin: '' },
): string | undefined {
  return formPostBlockedReason(ctx.params, env);
}

/**
 * Step "authorize": the URL the browser opens, and the warnings a careful client would raise.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#ImplicitAuthRequest
 */
export function buildImplicitAuthorizeStep(ctx: ImplicitContext): { url: URL; warnings: RequestWarning[] } {
  const parameters = IMPLICIT_PARAMETERS.map((p): QueryParameter => [p.name, ctx.params[p.name] ?? '']);
  const warnings = validateAuthorizationRequest(parameters).filter(
    // The generic checks ask for PKCE with any code; the hybrid code is covered by c_hash instead.
    (w) => w.parameter !== 'code_challenge' && w.parameter !== 'nonce',
  );
  const types = (ctx.params['response_type'] ?? '').split(/\s+/);
  // OIDC Core §3.2.2.1: nonce is REQUIRED in the implicit flow.
  if ((ctx.params['nonce'] ?? '') === '' && types.includes('id_token')) {
    warnings.push({
      parameter: 'nonce',
      message:
        'The nonce is empty: an ID token from /authorize needs one (Entra refuses with AADSTS90014), and without it a replayed ID token cannot be spotted.',
    });
  }
  if (types.includes('id_token') && !(ctx.params['scope'] ?? '').split(/\s+/).includes('openid')) {
    warnings.push({ parameter: 'scope', message: 'An ID token needs the openid scope.' });
  }
  if (ctx.params['response_mode'] === 'query') {
    warnings.push({ parameter: 'response_mode', message: 'Tokens must never travel in the query string.' });
  }
  warnings.push(...metadataWarnings(ctx.params, ctx.authorizationMetadata, false));
  return { url: buildAuthorizationUrl(ctx.authorizationEndpoint, parameters), warnings };
}

/** Only what may wait in sessionStorage across the redirect: endpoints and parameters, no secret or token. */
export function redirectSafeImplicitContext(ctx: ImplicitContext): ImplicitContext {
  return {
    authorizationEndpoint: ctx.authorizationEndpoint,
    tokenEndpoint: ctx.tokenEndpoint,
    ...(ctx.issuer === undefined ? {} : { issuer: ctx.issuer }),
    ...(ctx.authorizationMetadata === undefined ? {} : { authorizationMetadata: ctx.authorizationMetadata }),
    params: ctx.params,
    clientSecret: '',
  };
}

/**
 * Step "sign-in" + "validate": reads the redirect (state first, then an error, then the tokens) and
 * checks the ID token's nonce and the at_hash / c_hash bindings.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#ImplicitCallback
 */
export async function readImplicitResponse(
  ctx: ImplicitContext,
  callback: CallbackInput,
): Promise<FrontChannelResult> {
  // The callback parser loads with the redirect back, not with the page (issue 12).
  const { checkIsAuthorizationResponse, checkResponseIssuer, readCallbackParameters } = await loadFlowPart(
    () => import('../protocol/callback.ts'),
    'reads the redirect back',
  );
  const read = readCallbackParameters(callback);
  const { mode, params } = read;
  // An empty redirect is not a forged one: say what is missing rather than call it a state mismatch.
  checkIsAuthorizationResponse(read);
  const sentState = ctx.params['state'] ?? '';
  // RFC 6749 §10.12: the client MUST check state before it uses anything in the response.
  if (sentState !== '' && params['state'] !== sentState) {
    throw new ProtocolViolationError(
      'STATE_MISMATCH',
      params['state'] === undefined
        ? 'The response has no state, but this browser sent one: it may not answer our request.'
        : 'The state in the response is not the one this browser sent.',
    );
  }
  // RFC 9207 §2.4: a response naming another issuer may be a mix-up; checked before anything is used.
  checkResponseIssuer(params, ctx.issuer);
  if (params['error'] !== undefined) {
    const fields: OAuthErrorFields = { ...params, error: params['error'] };
    throw new AuthorizationResponseError(fields);
  }
  // The ID token's checks (and the JWT decoder) load with the answer that brings it (issue 12).
  const { validateHybridResponse } = await loadFlowPart(
    () => import('../protocol/hybrid.ts'),
    'checks the ID token in the answer',
  );
  const validation = await validateHybridResponse(params, {
    responseType: ctx.params['response_type'] ?? '',
    nonce: ctx.params['nonce'] ?? '',
    clientId: ctx.params['client_id'] ?? '',
  });
  const optional = (name: string, key: keyof FrontChannelResult) =>
    params[name] === undefined ? {} : { [key]: params[name] };
  return {
    mode,
    names: Object.keys(params),
    ...optional('access_token', 'accessToken'),
    ...optional('token_type', 'tokenType'),
    ...optional('expires_in', 'expiresIn'),
    ...optional('scope', 'scope'),
    ...optional('id_token', 'idToken'),
    ...optional('code', 'code'),
    nonceChecked: validation.nonceChecked,
    hashes: validation.hashes,
  };
}

/** A step status the redirect handler reports, as the flow-runs store spells it. */
function isImplicitContext(value: unknown): value is ImplicitContext {
  if (typeof value !== 'object' || value === null) return false;
  const ctx = value as Partial<ImplicitContext>;
  return (
    typeof ctx.authorizationEndpoint === 'string' && typeof ctx.params === 'object' && ctx.params !== null
  );
}

/**
 * The callback of this flow: turns the redirect into the run's state. The callback page has already
 * removed the fragment from the address bar and history.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#FragmentNotes
 */
export async function readImplicitRedirect(
  pending: unknown,
  callback: CallbackInput,
): Promise<RedirectOutcome<ImplicitContext>> {
  if (!isImplicitContext(pending)) {
    throw new ProtocolViolationError(
      'INVALID_RESPONSE',
      'The saved run is unreadable; start the flow again.',
    );
  }
  const ctx: ImplicitContext = { ...pending, clientSecret: '' };
  let received: FrontChannelResult;
  try {
    received = await readImplicitResponse(ctx, callback);
  } catch (error) {
    const failure = toStepFailure(error);
    // Errors on the redirect itself belong to sign-in; a response that fails its checks, to validate.
    const atSignIn = [
      'STATE_MISMATCH',
      'AUTHORIZATION_RESPONSE_ERROR',
      'DUPLICATE_PARAMETER',
      'MISSING_PARAMETER',
    ].includes(failure.code);
    const stepId = atSignIn ? 'sign-in' : 'validate';
    return {
      ctx,
      current: stepId,
      status: { authorize: 'done', ...(atSignIn ? {} : { 'sign-in': 'done' }) },
      failure: { stepId, failure },
    };
  }
  const hybrid = isHybrid(ctx);
  return {
    ctx: { ...ctx, received },
    current: hybrid ? 'redeem' : 'tokens',
    status: {
      authorize: 'done',
      'sign-in': 'done',
      validate: 'done',
      ...(hybrid ? {} : { redeem: 'skipped', tokens: 'done' }),
    },
  };
}

/** The code flow's view of a hybrid run, so its token-request steps can be reused as they are. */
export function toAuthCodeContext(ctx: ImplicitContext): AuthCodeContext {
  const base = createAuthCodeContext({
    authorizationEndpoint: ctx.authorizationEndpoint,
    tokenEndpoint: ctx.tokenEndpoint,
    clientId: ctx.params['client_id'] ?? '',
    redirectUri: ctx.params['redirect_uri'] ?? '',
    clientSecret: ctx.clientSecret,
    // OIDC Core §3.3.2: the hybrid code was requested without PKCE here; c_hash bound it to the ID token.
    usePkce: false,
  });
  const code = ctx.received?.code;
  return {
    ...base,
    params: {
      ...base.params,
      scope: ctx.params['scope'] ?? '',
      nonce: ctx.params['nonce'] ?? '',
      state: ctx.params['state'] ?? '',
    },
    ...(code === undefined
      ? {}
      : {
          authorizationResponse: {
            code,
            responseMode: ctx.received?.mode ?? 'fragment',
            params: { code },
          },
        }),
    ...(ctx.exchange === undefined ? {} : { exchange: ctx.exchange }),
  };
}

/**
 * The hybrid code's token request, before it is sent.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#HybridTokenEndpoint
 */
export function buildHybridRedeemRequest(ctx: ImplicitContext): RecordedRequest {
  return buildExchangeRequest(toAuthCodeContext(ctx));
}

/**
 * How the hybrid code is redeemed: the Legacy SPA is registered on the Web platform, so Entra refuses
 * its codes from a browser (AADSTS9002326) and the relay sends the request.
 */
export function decideHybridRoute(
  ctx: ImplicitContext,
  deps: Pick<FlowDeps, 'relayAvailable' | 'relayToken' | 'appOrigin'>,
): Route {
  return decideExchangeRoute(toAuthCodeContext(ctx), deps);
}

/**
 * Step "redeem", first half: sends the code to the token endpoint (the code flow's own step).
 * @see https://openid.net/specs/openid-connect-core-1_0.html#HybridTokenEndpoint
 */
export async function sendHybridRedeem(
  ctx: ImplicitContext,
  deps: FlowDeps,
): Promise<Pick<ImplicitContext, 'exchange'>> {
  if (ctx.received?.code === undefined) {
    throw new ProtocolViolationError(
      'MISSING_PARAMETER',
      'There is no code to redeem: this run did not use “code id_token”.',
    );
  }
  return sendExchange(toAuthCodeContext(ctx), deps);
}

/**
 * Step "redeem", second half: reads the token response and checks the new ID token's nonce.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#HybridTokenEndpoint
 */
export function readHybridRedeem(ctx: ImplicitContext): Promise<Pick<ImplicitContext, 'tokens'>> {
  return readExchange(toAuthCodeContext(ctx));
}
