/**
 * The authorization code grant, with PKCE on by default (SPA registration, the browser redeems the
 * code) or off (confidential web app with a client secret, redeemed through the local relay).
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1
 * @see https://www.rfc-editor.org/rfc/rfc7636
 */
import {
  buildAuthorizationUrl,
  validateAuthorizationRequest,
  type QueryParameter,
  type RequestWarning,
} from '../protocol/authorize.ts';
import {
  type AuthorizationResponse,
  type FormPostCallback,
  type ResponseMode,
} from '../protocol/callback.ts';
import { InvalidInputError, NetworkError, ProtocolViolationError } from '../protocol/errors.ts';
import type { HttpExchange, RecordedRequest } from '../protocol/http.ts';
import { loadFlowPart } from './flow-part.ts';
import {
  calculateCodeChallenge,
  generateCodeVerifier,
  generateRandomState,
  type CodeChallenge,
  type CodeChallengeMethod,
} from '../protocol/pkce.ts';
import {
  buildClientAuthentication,
  clientAuthenticationOf,
  type ClientAuthMethod,
  type ClientKey,
} from '../protocol/client-auth.ts';
import {
  buildRequestObjectAuthorizationUrl,
  buildRequestObjectClaims,
  signRequestObject,
  type RequestObjectAlgorithm,
  type RequestObjectKeyPair,
} from '../protocol/jar.ts';
import { isJarmResponseMode, jarmCarrier } from '../protocol/jarm.ts';
import {
  buildPushedAuthorizationRequest,
  buildPushedAuthorizationUrl,
  calculateRequestUriSecondsLeft,
  parsePushedAuthorizationResponse,
} from '../protocol/par.ts';
import { buildTokenRequest, type ClientAuthentication, type TokenResponse } from '../protocol/token.ts';
import type { Route } from '../protocol/transport.ts';
import { sendRequest } from './send-request.ts';
import { browserRoute, readTokenExchange, relayRoute, sendTokenRequest } from './token-request.ts';
import type { FlowDeps } from './runner.ts';
import { CALLBACK_PATH } from '../protocol/callback-path.ts';
import { diagramPath } from './live-diagram.ts';
import { catalogueEntry } from './registry.ts';
import type { FlowDefinition, ParameterDefinition, RecordedMessage } from './types.ts';

/** The authorization request parameters the step shows as fields, in URL order. */
export const AUTHORIZE_PARAMETERS: readonly ParameterDefinition[] = [
  {
    name: 'client_id',
    required: true,
    spec: 'RFC 6749 §2.2',
    explanation: 'The app registration’s id (Entra: Application (client) ID). Public, not a secret.',
  },
  {
    name: 'response_type',
    required: true,
    spec: 'RFC 6749 §3.1.1',
    options: ['code', 'code id_token'],
    explanation: '“code” asks for an authorization code, to be swapped for tokens in a second request.',
  },
  {
    name: 'redirect_uri',
    required: true,
    spec: 'RFC 6749 §3.1.2',
    explanation: 'Where the server sends the browser back. Must match a URI registered on the app exactly.',
  },
  {
    name: 'response_mode',
    spec: 'OAuth 2.0 Multiple Response Types §2.1',
    options: ['', 'query', 'fragment', 'form_post'],
    explanation:
      'How the answer comes back: in the query string, in the #fragment, or as a POSTed form (kept out of the URL; this app’s local server receives it).',
  },
  {
    name: 'scope',
    required: true,
    spec: 'RFC 6749 §3.3',
    explanation:
      'What you ask for, space-separated. openid → ID token, offline_access → refresh token, the rest names one API.',
  },
  {
    name: 'state',
    spec: 'RFC 6749 §10.12',
    explanation:
      'A random value the server echoes back. The app checks it to be sure the answer belongs to this browser (CSRF).',
  },
  {
    name: 'nonce',
    spec: 'OIDC Core §3.1.2.1',
    explanation: 'A random value the server copies into the ID token, so a replayed ID token is spotted.',
  },
  {
    name: 'prompt',
    spec: 'OIDC Core §3.1.2.1',
    options: ['', 'login', 'consent', 'select_account', 'none'],
    explanation:
      'Forces a fresh sign-in, the consent page or the account picker; “none” fails rather than show any page. Left empty beyond Entra with offline_access in the scope, consent is sent: OIDC Core §11 grants offline_access only with it.',
  },
  {
    name: 'login_hint',
    spec: 'OIDC Core §3.1.2.1',
    explanation: 'Pre-fills the user name on the sign-in page.',
  },
  {
    name: 'domain_hint',
    spec: 'Entra extension',
    explanation: 'Entra only: skips home-realm discovery by naming the user’s domain (e.g. contoso.com).',
  },
  {
    name: 'code_challenge',
    spec: 'RFC 7636 §4.3',
    explanation:
      'PKCE: the hash of a secret only this browser knows. The code is useless without that secret.',
  },
  {
    name: 'code_challenge_method',
    spec: 'RFC 7636 §4.3',
    options: ['S256', 'plain'],
    explanation:
      'How the challenge was made from the verifier. S256 = SHA-256; plain = the verifier itself (avoid).',
  },
];

/** The flow as data: steps and sequence diagram. */
export const authorizationCodeFlow = {
  ...catalogueEntry('authorization-code'),
  steps: [
    {
      id: 'pkce',
      title: 'Make the PKCE pair',
      spec: 'RFC 7636 §4.1–4.2',
      why: 'The browser invents a one-time secret (the code verifier) and sends only its hash. Whoever later redeems the code must show the secret, so a stolen code is worthless.',
      inputs: ['usePkce', 'codeVerifier'],
    },
    {
      id: 'authorize',
      title: 'Build the authorization URL',
      spec: 'RFC 6749 §4.1.1',
      why: 'The request travels in the URL the browser opens: who the app is, where to come back, what it wants, and the values that protect the answer.',
      inputs: ['authorizationEndpoint', 'usePkce', 'params', 'extraParams', 'jarAlg'],
    },
    {
      id: 'par',
      title: 'Push the request (PAR)',
      spec: 'RFC 9126 §2',
      why: 'With pushed authorization requests the client first POSTs the whole request to the server, authenticating as at the token endpoint, and gets a one-time request_uri back: the browser’s URL then carries only that reference, so nothing in it can be read or changed on the way.',
      inputs: ['parEndpoint', 'usePar', 'usePkce', 'params', 'extraParams', 'jarAlg'],
    },
    {
      id: 'sign-in',
      title: 'Sign in and come back',
      spec: 'RFC 6749 §4.1.2',
      why: 'The user signs in and consents on the authorization server’s own page, then the browser is sent back to the redirect URI with a code — or an error — and the state.',
      inputs: [
        'authorizationEndpoint',
        'issuer',
        'usePkce',
        'params',
        'extraParams',
        'codeVerifier',
        'usePar',
        'jarAlg',
      ],
    },
    {
      id: 'exchange',
      title: 'Exchange the code for tokens',
      spec: 'RFC 6749 §4.1.3',
      why: 'A direct POST to the token endpoint swaps the short-lived, single-use code (plus the verifier or the client secret) for tokens.',
      inputs: ['tokenEndpoint', 'clientSecret', 'clientAuthMethod', 'authorizationResponse'],
    },
    {
      id: 'tokens',
      title: 'Read the tokens',
      spec: 'RFC 6749 §5.1',
      why: 'The access token is for the API, the ID token tells the app who signed in, the refresh token gets new tokens later.',
      inputs: ['exchange'],
    },
  ],
  diagram: {
    actors: [
      { id: 'user', label: 'User' },
      { id: 'client', label: 'Browser app' },
      { id: 'as', label: 'Authorization server' },
      { id: 'api', label: 'API' },
    ],
    // Variant tags: see authCodeVariants.
    messages: [
      {
        from: 'client',
        to: 'client',
        text: 'new code_verifier and its code_challenge',
        step: 'pkce',
        variant: 'pkce',
      },
      // JAR (RFC 9101 §4): the parameters signed into one JWT before they leave.
      {
        from: 'client',
        to: 'client',
        text: 'sign the request object (JAR)',
        step: 'authorize',
        variant: 'jar',
      },
      // PAR (RFC 9126 §2): the request goes to the server first, the URL then names it.
      {
        from: 'client',
        to: 'as',
        text: 'POST /par the request, client authentication',
        step: 'par',
        variant: 'par',
        http: true,
      },
      {
        from: 'as',
        to: 'client',
        text: '201 request_uri, expires_in',
        step: 'par',
        variant: 'par',
        reply: true,
        http: true,
      },
      {
        from: 'client',
        to: 'as',
        text: 'GET /authorize response_type=code, state, nonce, code_challenge',
        step: 'authorize',
        variant: 'url-pkce',
        http: true,
      },
      {
        from: 'client',
        to: 'as',
        text: 'GET /authorize response_type=code, state, nonce',
        step: 'authorize',
        variant: 'url-no-pkce',
        http: true,
      },
      {
        from: 'client',
        to: 'as',
        text: 'GET /authorize client_id, request (the signed request object)',
        step: 'authorize',
        variant: 'url-jar',
        http: true,
      },
      {
        from: 'client',
        to: 'as',
        text: 'GET /authorize client_id, request_uri',
        step: 'authorize',
        variant: 'url-par',
        http: true,
      },
      { from: 'as', to: 'user', text: 'Sign-in, consent page', step: 'sign-in' },
      { from: 'user', to: 'as', text: 'Credentials, consent', step: 'sign-in' },
      {
        from: 'as',
        to: 'client',
        text: '302 redirect_uri?code&state',
        step: 'sign-in',
        reply: true,
        variant: 'query',
        http: true,
      },
      {
        from: 'as',
        to: 'client',
        text: '302 redirect_uri#code&state',
        step: 'sign-in',
        reply: true,
        variant: 'fragment',
        http: true,
      },
      // Form Post Response Mode §2: a page whose script POSTs the answer; no redirect carries it.
      {
        from: 'as',
        to: 'client',
        text: 'auto-submitted form: POST redirect_uri, code and state in the body',
        step: 'sign-in',
        variant: 'form_post',
        http: true,
      },
      // JARM §2.3: the answer is one JWT, `response`, signed by the server.
      {
        from: 'as',
        to: 'client',
        text: '302 redirect_uri?response=JWT',
        step: 'sign-in',
        reply: true,
        variant: 'jarm-query',
        http: true,
      },
      {
        from: 'as',
        to: 'client',
        text: '302 redirect_uri#response=JWT',
        step: 'sign-in',
        reply: true,
        variant: 'jarm-fragment',
        http: true,
      },
      {
        from: 'as',
        to: 'client',
        text: 'auto-submitted form: POST redirect_uri, response=JWT in the body',
        step: 'sign-in',
        variant: 'jarm-form_post',
        http: true,
      },
      {
        from: 'client',
        to: 'client',
        text: 'verify the response JWT (issuer keys, iss, aud, exp), read code and state',
        step: 'sign-in',
        variant: 'jarm',
      },
      {
        from: 'as',
        to: 'user',
        text: 'redirect to the other redirect_uri, code and state',
        step: 'sign-in',
        reply: true,
        variant: 'paste',
      },
      {
        from: 'user',
        to: 'client',
        text: 'pastes the address it ended on',
        step: 'sign-in',
        variant: 'paste',
      },
      {
        from: 'client',
        to: 'as',
        text: 'POST /token code + code_verifier',
        step: 'exchange',
        variant: 'pkce-public',
        http: true,
      },
      {
        from: 'client',
        to: 'as',
        text: 'POST /token code + code_verifier + client_secret',
        step: 'exchange',
        variant: 'pkce-secret',
        http: true,
      },
      {
        from: 'client',
        to: 'as',
        text: 'POST /token code + client_secret',
        step: 'exchange',
        variant: 'no-pkce-secret',
        http: true,
      },
      {
        from: 'client',
        to: 'as',
        text: 'POST /token code alone (no verifier, no secret)',
        step: 'exchange',
        variant: 'no-pkce-public',
        http: true,
      },
      {
        from: 'as',
        to: 'client',
        text: 'access, ID, refresh tokens',
        step: 'exchange',
        reply: true,
        http: true,
      },
      { from: 'client', to: 'api', text: 'Bearer access token', step: 'tokens' },
    ],
  },
} as const satisfies FlowDefinition;

/** Everything one run of the flow knows. Secrets (client secret, tokens) live in memory only. */
export interface AuthCodeContext {
  readonly authorizationEndpoint: string;
  readonly tokenEndpoint: string;
  /** The issuer the callback's `iss` must match, when known (RFC 9207). */
  readonly issuer?: string;
  /** The discovery document's lists of accepted values (response types, modes, PKCE methods), if known. */
  readonly authorizationMetadata?: AuthorizationMetadata;
  readonly usePkce: boolean;
  readonly clientSecret: string;
  /** Values of `AUTHORIZE_PARAMETERS`, by wire name. */
  readonly params: Readonly<Record<string, string>>;
  readonly extraParams: readonly QueryParameter[];
  readonly codeVerifier: string;
  readonly challenge?: CodeChallenge;
  readonly authorizationResponse?: AuthorizationResponse;
  /** Paste-the-redirect mode: whether the pasted answer's state could be checked, and what was cleaned. */
  readonly pastedResponse?: { readonly stateChecked: boolean; readonly notes: readonly string[] };
  readonly exchange?: HttpExchange;
  readonly tokens?: TokenResponse;
  /** The provider's PAR endpoint, when its metadata names one (RFC 9126 §5). */
  readonly parEndpoint?: string;
  /** The provider requires PAR (require_pushed_authorization_requests): it cannot be switched off. */
  readonly parRequired?: boolean;
  /** Push the request before the browser leaves (RFC 9126). */
  readonly usePar?: boolean;
  /** Sign the request into a request object with this algorithm (RFC 9101); undefined: no JAR. */
  readonly jarAlg?: RequestObjectAlgorithm;
  /** The browser-made key pair for an asymmetric request object; its private key stays in memory. */
  readonly jarKey?: RequestObjectKeyPair;
  /**
   * A provider found by its issuer, not Entra-shaped: an empty prompt becomes prompt=consent while the
   * scope asks for offline_access (OIDC Core §11), and Entra's words (AADSTS…) are not used. Entra grants
   * offline_access without consent, so its runs stay unchanged.
   */
  readonly beyondEntra?: boolean;
  /** Whether `jarKey`'s public key was registered with the client (the standards sandbox's portal). */
  readonly jarKeyRegistration?: HttpExchange;
  /** The signed request object, what it was signed from, and when. */
  readonly requestObject?: SignedRequestObject;
  /** The push and its answer. */
  readonly pushed?: PushedRequest;
  /** The issuer's key set URL (jwks_uri), to verify a JARM response. */
  readonly jwksUri?: string;
  /** A JARM response, verified: its header and claims. */
  readonly jarmResponse?: {
    readonly header: Record<string, unknown>;
    readonly claims: Record<string, unknown>;
  };
  /**
   * How the client authenticates at the PAR and token endpoints; undefined: client_secret_post with a
   * secret, none without (the Entra behaviour).
   */
  readonly clientAuthMethod?: ClientAuthMethod;
  /** private_key_jwt's key pair made in the browser (memory only). */
  readonly clientKey?: ClientKey;
  /**
   * The token and PAR endpoints answer a browser with CORS (the standards sandbox), so a confidential
   * client's requests go from the page rather than through the relay.
   */
  readonly corsFromBrowser?: boolean;
}

/**
 * A request object as signed: the JWT, its decoded parts, and the request it was made from.
 * @see https://www.rfc-editor.org/rfc/rfc9101#section-4
 */
export interface SignedRequestObject {
  readonly jwt: string;
  readonly header: Record<string, unknown>;
  readonly claims: Record<string, unknown>;
  /** `requestFingerprint` of the run when it was signed: a change means it must be signed again. */
  readonly signedFrom: string;
}

/**
 * A pushed authorization request: the exchange, and once read the `request_uri` and its lifetime.
 * @see https://www.rfc-editor.org/rfc/rfc9126#section-2.2
 */
export interface PushedRequest {
  readonly exchange: HttpExchange;
  readonly pushedAt: number;
  /** `requestFingerprint` of the run when it was pushed. */
  readonly pushedFrom: string;
  readonly request_uri?: string;
  readonly expires_in?: number;
  /** The browser was sent to the authorization endpoint with it (it is single-use, RFC 9126 §4). */
  readonly used?: boolean;
}

/**
 * What a discovery document says the authorization endpoint accepts, as kept in the settings.
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-2
 */
export type AuthorizationMetadata = Readonly<Record<string, readonly string[]>>;

/**
 * Warnings for parameter values the provider's discovery document does not list: a response_type
 * (compared as a set of words), a response_mode, a PKCE method. The request is still built — the
 * server's own answer is worth seeing — but the person knows before signing in. A list the document
 * leaves out says nothing (Entra, for one, lists no PKCE methods yet supports S256).
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-2
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderMetadata
 */
export function metadataWarnings(
  params: Readonly<Record<string, string>>,
  metadata: AuthorizationMetadata | undefined,
  usePkce = true,
): RequestWarning[] {
  if (metadata === undefined) return [];
  const warnings: RequestWarning[] = [];
  const words = (value: string) => value.split(/\s+/).filter(Boolean).sort().join(' ');
  const check = (
    parameter: string,
    field: string,
    value: string,
    same: (a: string, b: string) => boolean,
  ) => {
    const listed = metadata[field];
    if (value === '' || listed === undefined || listed.some((v) => same(v, value))) return;
    warnings.push({
      parameter,
      message: `The provider’s discovery document lists ${field} as ${listed.length === 0 ? 'empty' : listed.join(', ')}, without “${value}”: expect it to refuse ${parameter}=${value}, or to answer some other way.`,
    });
  };
  check(
    'response_type',
    'response_types_supported',
    params['response_type'] ?? '',
    (a, b) => words(a) === words(b),
  );
  check('response_mode', 'response_modes_supported', params['response_mode'] ?? '', (a, b) => a === b);
  if (usePkce) {
    check(
      'code_challenge_method',
      'code_challenge_methods_supported',
      params['code_challenge_method'] ?? '',
      (a, b) => a === b,
    );
  }
  return warnings;
}

/** Default scope: an ID token, a refresh token and Graph's User.Read, as the guide's examples ask. */
export const DEFAULT_SCOPE = 'openid profile email offline_access User.Read';

/**
 * A new run's starting values: fresh state and nonce, PKCE on with S256.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-2.1.1
 */
export function createAuthCodeContext(input: {
  authorizationEndpoint: string;
  tokenEndpoint: string;
  issuer?: string;
  authorizationMetadata?: AuthorizationMetadata;
  clientId: string;
  redirectUri: string;
  clientSecret: string;
  usePkce: boolean;
  /** Standards features the provider offers (PAR endpoint, key set for JARM); absent for Entra. */
  standards?: {
    readonly parEndpoint?: string;
    readonly parRequired?: boolean;
    readonly jwksUri?: string;
    readonly corsFromBrowser?: boolean;
  };
}): AuthCodeContext {
  const standards = input.standards;
  return {
    ...(standards?.parEndpoint === undefined
      ? {}
      : {
          parEndpoint: standards.parEndpoint,
          // RFC 9126 §5: when the server requires PAR, every request must be pushed.
          ...(standards.parRequired === true ? { parRequired: true, usePar: true } : {}),
        }),
    ...(standards?.jwksUri === undefined ? {} : { jwksUri: standards.jwksUri }),
    ...(standards?.corsFromBrowser === true ? { corsFromBrowser: true } : {}),
    ...(standards === undefined ? {} : { beyondEntra: true }),
    authorizationEndpoint: input.authorizationEndpoint,
    tokenEndpoint: input.tokenEndpoint,
    ...(input.issuer === undefined ? {} : { issuer: input.issuer }),
    ...(input.authorizationMetadata === undefined
      ? {}
      : { authorizationMetadata: input.authorizationMetadata }),
    usePkce: input.usePkce,
    clientSecret: input.clientSecret,
    params: {
      client_id: input.clientId,
      response_type: 'code',
      redirect_uri: input.redirectUri,
      response_mode: 'query',
      scope: DEFAULT_SCOPE,
      state: generateRandomState(),
      nonce: generateRandomState(),
      prompt: '',
      login_hint: '',
      domain_hint: '',
      code_challenge: '',
      code_challenge_method: input.usePkce ? 'S256' : '',
    },
    extraParams: [],
    codeVerifier: '',
  };
}

/**
 * Step "pkce": a verifier (kept if the user typed one) and its challenge, written into the request.
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.2
 */
export async function makePkcePair(
  ctx: AuthCodeContext,
): Promise<Pick<AuthCodeContext, 'codeVerifier' | 'challenge' | 'params'>> {
  const verifier = ctx.codeVerifier === '' ? generateCodeVerifier() : ctx.codeVerifier;
  const method: CodeChallengeMethod = ctx.params['code_challenge_method'] === 'plain' ? 'plain' : 'S256';
  const challenge = await calculateCodeChallenge(verifier, method);
  return {
    codeVerifier: verifier,
    challenge,
    params: { ...ctx.params, code_challenge: challenge.challenge, code_challenge_method: method },
  };
}

/**
 * Whether prompt=consent is sent for the user: a non-Entra provider, offline_access asked for, prompt empty.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#OfflineAccess
 */
export function promptsConsentForOfflineAccess(ctx: AuthCodeContext): boolean {
  return (
    ctx.beyondEntra === true &&
    (ctx.params['prompt'] ?? '') === '' &&
    (ctx.params['scope'] ?? '').split(/\s+/).includes('offline_access')
  );
}

/** The authorization request parameters in URL order, extra parameters last. */
export function authorizationParameters(ctx: AuthCodeContext): QueryParameter[] {
  // OIDC Core §11: offline_access is granted only with prompt=consent (oidc-provider ignores it otherwise).
  const consent = promptsConsentForOfflineAccess(ctx);
  const known = AUTHORIZE_PARAMETERS.map((p): QueryParameter => [
    p.name,
    p.name === 'prompt' && consent ? 'consent' : (ctx.params[p.name] ?? ''),
  ]);
  const withoutPkce = ctx.usePkce ? known : known.filter(([name]) => !name.startsWith('code_challenge'));
  return [...withoutPkce, ...ctx.extraParams];
}

/**
 * Step "authorize": the URL the browser opens, and the warnings a careful client would raise.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.1
 */
export function buildAuthorizeStep(
  ctx: AuthCodeContext,
  nowMs: number = Date.now(),
): { url: URL; warnings: RequestWarning[] } {
  const parameters = authorizationParameters(ctx);
  const warnings = [
    ...validateAuthorizationRequest(parameters),
    ...metadataWarnings(ctx.params, ctx.authorizationMetadata, ctx.usePkce),
  ];
  if ((ctx.params['response_type'] ?? '').split(/\s+/).includes('id_token')) {
    // OIDC Core §3.3.2.12: a hybrid ID token must be validated (nonce, c_hash) before use; this page
    // does not use it — it redeems the code and checks the token endpoint's ID token instead.
    warnings.push({
      parameter: 'response_type',
      message:
        'With “code id_token” an ID token also comes back on the redirect. This page only redeems the code and does not check that first ID token; the Implicit and hybrid page shows it validated (nonce, c_hash).',
    });
  }
  if (promptsConsentForOfflineAccess(ctx)) {
    warnings.push({
      parameter: 'prompt',
      message:
        'prompt is empty and the scope asks for offline_access, so prompt=consent is sent: an OpenID provider grants offline_access (a refresh token) only after the consent page (OIDC Core §11). Choose another prompt to send that instead, and expect no refresh token.',
    });
  }
  warnings.push(...standardsWarnings(ctx, nowMs));
  return { url: signInUrl(ctx) ?? buildAuthorizationUrl(ctx.authorizationEndpoint, parameters), warnings };
}

/** Stands in the preview for the request_uri the push will return. */
export const REQUEST_URI_PLACEHOLDER = 'REQUEST_URI_FROM_THE_PUSH';

/**
 * The URL the preview shows: what the browser will carry. With PAR on and nothing pushed yet, only
 * client_id and a stand-in for the request_uri (RFC 9126 §4), never the pushed parameters.
 * @see https://www.rfc-editor.org/rfc/rfc9126#section-4
 */
export function previewAuthorizeUrl(ctx: AuthCodeContext, built: URL): URL {
  if (ctx.usePar !== true || ctx.pushed?.request_uri !== undefined) return built;
  return buildPushedAuthorizationUrl(
    ctx.authorizationEndpoint,
    ctx.params['client_id'] ?? '',
    REQUEST_URI_PLACEHOLDER,
  );
}

/**
 * What the request object and the push are made from: the parameters, the algorithm, the client's
 * authentication. When it changes after signing or pushing, both must be made again.
 * @see https://www.rfc-editor.org/rfc/rfc9126#section-2.1
 */
export function requestFingerprint(ctx: AuthCodeContext): string {
  return JSON.stringify([
    authorizationParameters(ctx),
    ctx.jarAlg ?? '',
    ctx.clientAuthMethod ?? '',
    ctx.requestObject?.jwt ?? '',
  ]);
}

/** The request object still matches the run's parameters. */
function requestObjectFits(ctx: AuthCodeContext): boolean {
  return (
    ctx.requestObject !== undefined &&
    ctx.requestObject.jwt !== '' &&
    ctx.requestObject.signedFrom === JSON.stringify([authorizationParameters(ctx), ctx.jarAlg ?? ''])
  );
}

/** The pushed request still matches the run's parameters and has a request_uri. */
function pushFits(ctx: AuthCodeContext): boolean {
  return ctx.pushed?.request_uri !== undefined && ctx.pushed.pushedFrom === requestFingerprint(ctx);
}

/**
 * Whether sign-in must sign or push first: JAR on without a request object that fits, PAR on without
 * a push that fits. A used or expired request_uri is not pushed again here: that is the person's call.
 * @see https://www.rfc-editor.org/rfc/rfc9126#section-4
 */
export function pendingBeforeSignIn(ctx: AuthCodeContext): { sign: boolean; push: boolean } {
  const sign = ctx.jarAlg !== undefined && !requestObjectFits(ctx);
  return { sign, push: ctx.usePar === true && (sign || !pushFits(ctx)) };
}

/**
 * The URL the browser opens when PAR or JAR is on and its part is ready: client_id + request_uri
 * (RFC 9126 §4) or client_id + request (RFC 9101 §5); undefined for a plain request.
 * @see https://www.rfc-editor.org/rfc/rfc9126#section-4
 * @see https://www.rfc-editor.org/rfc/rfc9101#section-5
 */
export function signInUrl(ctx: AuthCodeContext): URL | undefined {
  const clientId = ctx.params['client_id'] ?? '';
  if (ctx.usePar === true) {
    const uri = ctx.pushed?.request_uri;
    return uri === undefined
      ? undefined
      : buildPushedAuthorizationUrl(ctx.authorizationEndpoint, clientId, uri);
  }
  // An object whose JWT was let go when the page was left is signed again at the next sign-in.
  if (ctx.jarAlg !== undefined && ctx.requestObject !== undefined && ctx.requestObject.jwt !== '') {
    return buildRequestObjectAuthorizationUrl(ctx.authorizationEndpoint, clientId, ctx.requestObject.jwt);
  }
  return undefined;
}

/**
 * Warnings about PAR and JAR before the browser leaves: a request_uri already used or past its
 * lifetime, a push or a request object made from other parameters, a JARM mode without a key set.
 * @see https://www.rfc-editor.org/rfc/rfc9126#section-2.2
 */
export function standardsWarnings(ctx: AuthCodeContext, nowMs: number = Date.now()): RequestWarning[] {
  const warnings: RequestWarning[] = [];
  const pushed = ctx.pushed;
  if (ctx.usePar === true && pushed?.request_uri !== undefined) {
    if (pushed.used === true) {
      warnings.push({
        parameter: 'request_uri',
        message:
          'This request_uri was already used for a sign-in. RFC 9126 §4 makes it one-time: expect invalid_request_uri. Push again for a fresh one.',
      });
    } else if (
      pushed.expires_in !== undefined &&
      calculateRequestUriSecondsLeft(pushed.pushedAt, pushed.expires_in, nowMs) < 0
    ) {
      warnings.push({
        parameter: 'request_uri',
        message: `This request_uri expired ${pushed.expires_in} seconds after the push (expires_in). Expect invalid_request_uri; push again for a fresh one.`,
      });
    }
    if (pushed.used !== true && !pushFits(ctx)) {
      warnings.push({
        parameter: 'request_uri',
        message:
          'The parameters changed after the push: the server holds the old request. Signing in pushes the current one again.',
      });
    }
  }
  if (
    ctx.jarAlg !== undefined &&
    ctx.requestObject !== undefined &&
    ctx.requestObject.jwt !== '' &&
    !requestObjectFits(ctx)
  ) {
    warnings.push({
      parameter: 'request',
      message: 'The parameters changed after the request object was signed. Signing in signs it again.',
    });
  }
  // OIDC Core §3.1.2.1: nonce belongs to an OpenID request; oidc-provider refuses it without openid.
  const scopes = (ctx.params['scope'] ?? '').split(/\s+/);
  if ((ctx.params['nonce'] ?? '') !== '' && !scopes.includes('openid')) {
    warnings.push({
      parameter: 'nonce',
      message:
        'A nonce is sent but the scope has no openid: nonce protects an ID token, and some servers refuse it without openid (“openid scope must be requested when using the nonce parameter”). Add openid to the scope, or empty the nonce.',
    });
  }
  if (isJarmResponseMode(ctx.params['response_mode'] ?? '') && ctx.jwksUri === undefined) {
    warnings.push({
      parameter: 'response_mode',
      message:
        'A JARM response is a JWT signed by the server, and this provider publishes no key set (jwks_uri) to check it with: the response would be refused.',
    });
  }
  return warnings;
}

/**
 * Step "authorize", JAR: signs the run's parameters into a request object (iss = client_id,
 * aud = issuer), with the client secret (HS256) or the browser-made key pair.
 * @see https://www.rfc-editor.org/rfc/rfc9101#section-4
 */
export async function makeRequestObject(
  ctx: AuthCodeContext,
  deps: Pick<FlowDeps, 'now'>,
): Promise<Pick<AuthCodeContext, 'requestObject'>> {
  const alg = ctx.jarAlg;
  if (alg === undefined)
    throw new InvalidInputError('jarAlg', 'Choose how to sign the request object first.');
  if (ctx.issuer === undefined || ctx.issuer === '') {
    throw new InvalidInputError(
      'issuer',
      'A request object is addressed to the issuer (its aud), and this authority’s issuer is not known: find the provider by its issuer URL in Settings.',
    );
  }
  const clientId = ctx.params['client_id'] ?? '';
  let key: Parameters<typeof signRequestObject>[1];
  if (alg === 'HS256') {
    key = { alg, clientSecret: ctx.clientSecret };
  } else {
    const pair = ctx.jarKey;
    if (pair === undefined || pair.alg !== alg || typeof pair.privateKey !== 'object') {
      throw new InvalidInputError(
        'jarKey',
        pair === undefined || pair.alg !== alg
          ? `Signing with ${alg} needs a key pair: make one (and register its public key) first.`
          : 'The private key is gone: it lived only in this tab’s memory and the page was reloaded. Make a new key pair and register it.',
      );
    }
    key = { alg, privateKey: pair.privateKey, kid: pair.publicJwk.kid };
  }
  const parameters = authorizationParameters(ctx);
  const claims = buildRequestObjectClaims({
    parameters,
    clientId,
    issuer: ctx.issuer,
    nowMs: deps.now(),
    // RFC 9101 §10.2 (and RFC 7519 §4.1.7): a unique jti lets the server refuse a replayed object.
    jti: crypto.randomUUID(),
  });
  const jwt = await signRequestObject(claims, key);
  const decoded = (await loadJwtDecoder('reads the signed request object')).decodeJwt(jwt);
  return {
    requestObject: {
      jwt,
      header: decoded.header,
      claims: decoded.payload,
      signedFrom: JSON.stringify([parameters, alg]),
    },
  };
}

/**
 * The client authentication method of the run: the chosen one, else the secret in the body, else none.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1
 */
export function authMethodOf(ctx: AuthCodeContext): ClientAuthMethod {
  return ctx.clientAuthMethod ?? (ctx.clientSecret === '' ? 'none' : 'client_secret_post');
}

/** The client authentication as previewed: a JWT method shows an empty assertion until it is sent. */
function clientAuthentication(ctx: AuthCodeContext): ClientAuthentication {
  return clientAuthenticationOf(authMethodOf(ctx), ctx.clientSecret, undefined);
}

/**
 * The client authentication as sent: a JWT method signs a fresh assertion addressed to `audience`.
 * @see https://www.rfc-editor.org/rfc/rfc7523#section-3
 */
async function signedClientAuthentication(
  ctx: AuthCodeContext,
  audience: string,
  deps: Pick<FlowDeps, 'now'>,
): Promise<ClientAuthentication> {
  return buildClientAuthentication(authMethodOf(ctx), {
    clientId: ctx.params['client_id'] ?? '',
    clientSecret: ctx.clientSecret,
    key: ctx.clientKey,
    audience,
    nowMs: deps.now(),
  });
}

/**
 * The pushed request of step "par": the parameters (or only client_id + the request object, which
 * carries them), authenticated as at the token endpoint.
 * @see https://www.rfc-editor.org/rfc/rfc9126#section-2.1
 */
export function buildPushRequest(
  ctx: AuthCodeContext,
  auth: ClientAuthentication = clientAuthentication(ctx),
): RecordedRequest {
  const clientId = ctx.params['client_id'] ?? '';
  // RFC 9126 §3: a request object is pushed as "request", with client_id beside it (RFC 9101 §5).
  const parameters: QueryParameter[] =
    ctx.jarAlg !== undefined && ctx.requestObject !== undefined && ctx.requestObject.jwt !== ''
      ? [
          ['client_id', clientId],
          ['request', ctx.requestObject.jwt],
        ]
      : authorizationParameters(ctx);
  return buildPushedAuthorizationRequest(ctx.parEndpoint ?? '', parameters, auth);
}

/**
 * Where the push goes from: the browser for a public client or a provider that answers with CORS,
 * else the relay — a client secret belongs on a server.
 * @see https://www.rfc-editor.org/rfc/rfc9126#section-2
 */
export function decidePushRoute(
  ctx: AuthCodeContext,
  deps: Pick<FlowDeps, 'relayAvailable' | 'relayToken'>,
): Route {
  if (ctx.clientSecret === '') {
    return browserRoute('A public client pushes its request from the browser: it has no secret to keep.');
  }
  if (ctx.corsFromBrowser === true) {
    return browserRoute(
      'The standards sandbox answers its PAR endpoint with CORS, so this page sends the push itself. A real confidential client pushes from its server, where the secret lives.',
    );
  }
  return relayRoute('A confidential client authenticates with its secret, which belongs on a server.', deps);
}

/**
 * Step "par", first half: sends the push and records the exchange; only a missing answer throws.
 * @see https://www.rfc-editor.org/rfc/rfc9126#section-2.1
 */
export async function sendPush(
  ctx: AuthCodeContext,
  deps: FlowDeps,
): Promise<Pick<AuthCodeContext, 'pushed'>> {
  if (ctx.parEndpoint === undefined || ctx.parEndpoint === '') {
    throw new InvalidInputError(
      'parEndpoint',
      'This provider names no pushed_authorization_request_endpoint, so there is nowhere to push the request (RFC 9126 §5). Switch PAR off.',
    );
  }
  const pushedAt = deps.now();
  const route = decidePushRoute(ctx, deps);
  if (route.via === 'relay' && !deps.relayAvailable)
    throw new NetworkError('RELAY_UNAVAILABLE', route.reason);
  // RFC 9126 §2: an assertion sent to the PAR endpoint may name the issuer as its audience.
  const auth = await signedClientAuthentication(ctx, ctx.issuer ?? ctx.parEndpoint, deps);
  const exchange = await sendRequest(buildPushRequest(ctx, auth), route, deps.fetch, deps.now);
  return { pushed: { exchange, pushedAt, pushedFrom: requestFingerprint(ctx) } };
}

/**
 * Step "par", second half: reads `request_uri` and `expires_in` from the answer (RFC 9126 §2.2); an
 * error keeps the server's fields.
 * @see https://www.rfc-editor.org/rfc/rfc9126#section-2.2
 */
export function readPush(ctx: AuthCodeContext): { pushed: PushedRequest } {
  const response = ctx.pushed?.exchange.response;
  if (ctx.pushed === undefined || response === undefined) {
    throw new ProtocolViolationError('INVALID_RESPONSE', 'No answer from the PAR endpoint was recorded.');
  }
  const read = parsePushedAuthorizationResponse(response);
  return { pushed: { ...ctx.pushed, request_uri: read.request_uri, expires_in: read.expires_in } };
}

/** A part of a flow loaded on demand, a failed load a `NetworkError` saying to reload (`flow-part.ts`). */
export { loadFlowPart } from './flow-part.ts';

/** The parameters the diagram names on a recorded authorization request: what protects the answer. */
const NAMED_ON_NAVIGATION = ['state', 'nonce', 'code_challenge', 'response_mode', 'prompt'];

/**
 * The text of the browser's navigation to the authorization endpoint, as the live diagram draws it: the
 * path (tenant ids shortened), the response type and the names of the values that protect the answer —
 * never their values.
 */
export function navigationLabel(url: URL): string {
  // RFC 9126 §4 / RFC 9101 §5: the request itself is elsewhere; only its reference or JWT is in the URL.
  if (url.searchParams.has('request_uri')) return `GET ${diagramPath(url.toString())} client_id, request_uri`;
  if (url.searchParams.has('request'))
    return `GET ${diagramPath(url.toString())} client_id, request (signed request object)`;
  const type = url.searchParams.get('response_type') ?? '';
  // OAuth 2.0 Multiple Response Type Encoding Practices §5: query is the default for `code`, fragment
  // for any type with a token in it; only a mode other than the default is worth naming.
  const defaultMode = type === 'code' || type === 'none' ? 'query' : 'fragment';
  const named = NAMED_ON_NAVIGATION.filter((name) => {
    const value = url.searchParams.get(name) ?? '';
    return value !== '' && !(name === 'response_mode' && value === defaultMode);
  }).map((name) =>
    name === 'response_mode' || name === 'prompt' ? `${name}=${url.searchParams.get(name)}` : name,
  );
  return [`GET ${diagramPath(url.toString())} response_type=${type}`, ...named].join(', ');
}

/**
 * The browser's navigation to the authorization endpoint as a run records it for the live diagram: from
 * the client to the authorization server, labelled by {@link navigationLabel} (never a value).
 */
export function navigationRecord(url: URL, step: string): Omit<RecordedMessage, 'at'> {
  return {
    step,
    method: 'GET',
    url: `${url.origin}${url.pathname}`,
    via: 'navigation',
    from: 'client',
    to: 'as',
    label: navigationLabel(url),
  };
}

/** Where the callback page fetches a form_post response the local server received (server/form-post.ts). */
export const FORM_POST_READ_PATH = '/callback/form-post/';

/** The one-time id the local server put on /callback?form_post=<id>, if this is such a redirect. */
export function formPostIdFrom(href: string): string | undefined {
  try {
    const id = new URL(href).searchParams.get('form_post');
    return id !== null && /^[A-Za-z0-9_-]{22,64}$/.test(id) ? id : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Fetches, once, the form the authorization server POSTed to this app's callback (response_mode=
 * form_post). The local server hands it over a single time within 60 s, so a reload or a second tab
 * finds nothing, and says so.
 * @see https://openid.net/specs/oauth-v2-form-post-response-mode-1_0.html#FormPostResponseMode
 */
export async function fetchFormPostResponse(id: string, fetchFn: typeof fetch): Promise<FormPostCallback> {
  let response: Response;
  try {
    response = await fetchFn(`${FORM_POST_READ_PATH}${encodeURIComponent(id)}`, {
      cache: 'no-store',
      credentials: 'same-origin',
    });
  } catch (cause) {
    throw new NetworkError(
      'NETWORK_ERROR',
      'The authorization server POSTed its answer (form_post) to this app’s local server, but the page could not reach that server to read it. Is npm start still running? Start the sign-in again.',
      { cause },
    );
  }
  if (response.status === 404) {
    throw new ProtocolViolationError(
      'MISSING_PARAMETER',
      'The form_post answer is no longer on this app’s local server: it is handed over only once and only for 60 seconds (so a reload, the back button or a slow return loses it). Start the sign-in again.',
    );
  }
  if (!response.ok) {
    throw new ProtocolViolationError(
      'INVALID_RESPONSE',
      `This app’s local server answered HTTP ${response.status} when the page asked for the form_post answer. Start the sign-in again.`,
    );
  }
  return { formPost: await response.text() };
}

/** Whether the redirect URI is this app's own callback; if not, the user pastes the redirect back. */
export function isOwnCallback(redirectUri: string, appOrigin: string): boolean {
  try {
    const url = new URL(redirectUri);
    return url.origin === appOrigin && url.pathname === CALLBACK_PATH;
  } catch {
    return false;
  }
}

/** What the page knows about where it runs, for the form_post decision. */
export interface FormPostEnvironment {
  /** The app's own server receives form_post at /callback (lab-config.json says `formPost: true`). */
  readonly formPostReceiver: boolean;
  readonly appOrigin: string;
}

/**
 * The form_post check shared by the code flow and the implicit / hybrid flow: undefined when the
 * POSTed response will reach this page, else the reason it would not.
 * @see https://openid.net/specs/oauth-v2-form-post-response-mode-1_0.html#FormPostResponseMode
 */
export function formPostBlockedReason(
  params: Readonly<Record<string, string>>,
  env: FormPostEnvironment,
): string | undefined {
  if (params['response_mode'] !== 'form_post' && params['response_mode'] !== 'form_post.jwt')
    return undefined;
  if (!env.formPostReceiver) {
    return 'With form_post the authorization server answers with a page that POSTs the response to the redirect URI. A page in the browser cannot read a POST: it takes a server at the redirect URI. This copy of the app runs without its local server (npm start or npm run dev provides one), so the response would be lost. Choose fragment, or run the app locally.';
  }
  if (!isOwnCallback(params['redirect_uri'] ?? '', env.appOrigin)) {
    return `With form_post the response is POSTed to the redirect URI ${params['redirect_uri'] ?? ''}, which is not this app’s callback, so this app would never receive it. Use this app’s callback as the redirect URI, or choose another response mode.`;
  }
  return undefined;
}

/**
 * Why the code flow's sign-in cannot start from here with these parameters, if it cannot: a response
 * mode this page could never read. In paste mode a form_post answer can still be copied from the
 * browser's network panel, so it is explained there rather than refused.
 * @see https://openid.net/specs/oauth-v2-multiple-response-types-1_0.html#ResponseModes
 */
export function signInBlockedReason(ctx: AuthCodeContext, env: FormPostEnvironment): string | undefined {
  const types = (ctx.params['response_type'] ?? '').split(/\s+/);
  // OAuth Multiple Response Types §5 and RFC 9700 §2.1.2: an ID token must not travel in the query.
  if (types.includes('id_token') && ctx.params['response_mode'] === 'query') {
    return '“code id_token” returns an ID token on the redirect, and tokens must never travel in the query string (Entra refuses it with AADSTS900142). Choose fragment, form_post, or leave response_mode empty.';
  }
  if (!isOwnCallback(ctx.params['redirect_uri'] ?? '', env.appOrigin)) return undefined;
  return formPostBlockedReason(ctx.params, env);
}

/**
 * The response mode the server will use: the one asked for, else the response type's default — query
 * for `code`, fragment once a token or an ID token comes back on the redirect.
 * @see https://openid.net/specs/oauth-v2-multiple-response-types-1_0.html#ResponseModes
 */
export function effectiveResponseMode(params: Readonly<Record<string, string>>): ResponseMode {
  const asked = params['response_mode'] ?? '';
  if (asked === 'query' || asked === 'fragment' || asked === 'form_post') return asked;
  const types = (params['response_type'] ?? '').split(/\s+/);
  return types.includes('token') || types.includes('id_token') ? 'fragment' : 'query';
}

/**
 * The sequence diagram's variant tags for this run: PKCE or not (`pkce` / `no-pkce`), a client secret or
 * none (`secret` / `public`), both at once for the token request (`pkce-public`, `no-pkce-secret`…), and
 * how the answer comes back (`query`, `fragment`, `form_post`, or `paste` when the redirect URI is not
 * this app's callback).
 */
export function authCodeVariants(
  ctx: Pick<AuthCodeContext, 'usePkce' | 'clientSecret' | 'params' | 'usePar' | 'jarAlg'>,
  appOrigin: string,
): string[] {
  const pkce = ctx.usePkce ? 'pkce' : 'no-pkce';
  const secret = ctx.clientSecret === '' ? 'public' : 'secret';
  const mode = ctx.params['response_mode'] ?? '';
  const own = isOwnCallback(ctx.params['redirect_uri'] ?? '', appOrigin);
  // JARM §2.3: the JWT travels in the query, the fragment or a form post, as the mode says.
  const back = !own
    ? ['paste']
    : isJarmResponseMode(mode)
      ? [`jarm-${jarmCarrier(mode, ctx.params['response_type'] ?? '')}`, 'jarm']
      : [effectiveResponseMode(ctx.params)];
  const front =
    ctx.usePar === true ? ['par', 'url-par'] : ctx.jarAlg !== undefined ? ['url-jar'] : [`url-${pkce}`];
  return [pkce, secret, `${pkce}-${secret}`, ...(ctx.jarAlg === undefined ? [] : ['jar']), ...front, ...back];
}

/**
 * How the code is redeemed: from the browser for an SPA client with PKCE (Entra allows CORS only
 * there), otherwise through the relay because Entra refuses the browser (AADSTS9002326).
 */
export function decideExchangeRoute(
  ctx: AuthCodeContext,
  deps: Pick<FlowDeps, 'relayAvailable' | 'relayToken' | 'appOrigin'>,
): Route {
  if (!isOwnCallback(ctx.params['redirect_uri'] ?? '', deps.appOrigin)) {
    return relayRoute(
      ctx.beyondEntra === true
        ? 'The code was issued to a redirect URI that is not this app’s callback, so it is redeemed through the local relay, as the app at that address would from its own side.'
        : 'The code was issued to a redirect URI that is not this app’s SPA callback, so Entra refuses to redeem it from a browser (AADSTS9002326).',
      deps,
    );
  }
  if (ctx.usePkce && ctx.clientSecret === '') {
    return browserRoute(
      ctx.corsFromBrowser === true
        ? 'A public client with PKCE redeems its code from the browser: the standards sandbox answers this request with CORS headers.'
        : 'An SPA client with PKCE may redeem its code from the browser: Entra answers this request with CORS headers.',
    );
  }
  if (ctx.corsFromBrowser === true) {
    return browserRoute(
      'The standards sandbox answers its token endpoint with CORS, so this page redeems the code itself. A real confidential client does this on its server, where the secret lives.',
    );
  }
  return relayRoute(
    ctx.beyondEntra === true
      ? 'A confidential client’s code is redeemed by a server, where its secret lives: here the local relay.'
      : 'A confidential client’s code must be redeemed by a server: Entra refuses it from a browser (AADSTS9002326).',
    deps,
  );
}

/**
 * The token request of step "exchange", before it is sent (shown as a preview).
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.3
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.5
 */
export function buildExchangeRequest(
  ctx: AuthCodeContext,
  auth: ClientAuthentication = clientAuthentication(ctx),
): RecordedRequest {
  const code = ctx.authorizationResponse?.code ?? '';
  const parameters: QueryParameter[] = [
    ['grant_type', 'authorization_code'],
    ['client_id', ctx.params['client_id'] ?? ''],
    ['code', code],
    ['redirect_uri', ctx.params['redirect_uri'] ?? ''],
    ['scope', ctx.params['scope'] ?? ''],
  ];
  if (ctx.usePkce) parameters.push(['code_verifier', ctx.codeVerifier]);
  return buildTokenRequest(ctx.tokenEndpoint, parameters, auth);
}

/**
 * Step "exchange", first half: sends the token request and records the exchange. Only a failure to
 * get any answer throws here, so the raw response is always kept for the user to read.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.3
 */
export async function sendExchange(
  ctx: AuthCodeContext,
  deps: FlowDeps,
): Promise<Pick<AuthCodeContext, 'exchange'>> {
  if (ctx.authorizationResponse === undefined) {
    throw new ProtocolViolationError(
      'MISSING_PARAMETER',
      'There is no authorization code yet: sign in first.',
    );
  }
  const auth = await signedClientAuthentication(ctx, ctx.tokenEndpoint, deps);
  return {
    exchange: await sendTokenRequest(buildExchangeRequest(ctx, auth), decideExchangeRoute(ctx, deps), deps),
  };
}

/**
 * Step "exchange", second half: reads the token response and checks the ID token's nonce.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.1
 * @see https://openid.net/specs/openid-connect-core-1_0.html#IDTokenValidation
 */
export async function readExchange(ctx: AuthCodeContext): Promise<{ tokens: TokenResponse }> {
  const tokens = readTokenExchange(ctx.exchange);
  await checkIdTokenNonce(tokens, ctx.params['nonce'] ?? '');
  return { tokens };
}

/**
 * The JWT decoder, loaded with the response that brings a token (issue 12: no flow page loads it with
 * its first paint). A failed load is a `NetworkError` (`NETWORK_ERROR`) saying what did not load.
 */
function loadJwtDecoder(what: string): Promise<typeof import('../protocol/jwt.ts')> {
  return loadFlowPart(() => import('../protocol/jwt.ts'), what);
}

/**
 * The ID token must carry the nonce this run sent.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#NonceNotes
 */
export async function checkIdTokenNonce(tokens: TokenResponse, sentNonce: string): Promise<void> {
  if (tokens.id_token === undefined || sentNonce === '') return;
  const claims = (await loadJwtDecoder('reads the ID token')).decodeJwt(tokens.id_token).payload;
  // OIDC Core §3.1.3.7: if a nonce was sent, the ID token's nonce MUST equal it.
  if (claims['nonce'] !== sentNonce) {
    throw new ProtocolViolationError(
      'NONCE_MISMATCH',
      claims['nonce'] === undefined
        ? 'The ID token has no nonce, but this run sent one.'
        : 'The ID token’s nonce is not the one this run sent.',
    );
  }
}
