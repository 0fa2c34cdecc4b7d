/**
 * DPoP: the client makes a key pair, proves it holds the private key on every request with a signed
 * proof, gets an access token bound to the key's thumbprint, and calls a resource with the token and a
 * fresh proof. Shows the server's nonce challenge and what a resource does with a token sent without
 * the key.
 * @see https://www.rfc-editor.org/rfc/rfc9449
 */
import type { QueryParameter, RequestWarning } from '../protocol/authorize.ts';
import { discoverAuthorizationServer, type MetadataAnswer } from '../protocol/discovery.ts';
import {
  buildDpopAuthorization,
  buildDpopProof,
  describeDpopBinding,
  generateDpopKeyPair,
  isNonceChallenge,
  readDpopChallenge,
  validateDpopTokenResponse,
  type DpopAlgorithm,
  type DpopBinding,
  type DpopChallenge,
  type DpopKeyPair,
  type DpopProof,
} from '../protocol/dpop.ts';
import { InvalidInputError, NetworkError, ProtocolViolationError } from '../protocol/errors.ts';
import type { HttpExchange, RecordedRequest } from '../protocol/http.ts';
import { buildTokenRequest, type ClientAuthentication, type TokenResponse } from '../protocol/token.ts';
import type { Route } from '../protocol/transport.ts';
import { sendRequest } from './send-request.ts';
import { catalogueEntry } from './registry.ts';
import type { FlowDeps } from './runner.ts';
import { browserRoute, readTokenExchange, relayRoute, sendTokenRequest } from './token-request.ts';
import type { FlowDefinition, ParameterDefinition } from './types.ts';

/** The grant the DPoP-bound token is asked for with. */
export type DpopGrant = 'client_credentials' | 'refresh_token';

/** How the client authenticates at the token endpoint (`none` for a public client's refresh). */
export type DpopClientAuth = 'client_secret_post' | 'client_secret_basic' | 'none';

/** The token request parameters the page shows as fields. */
export const DPOP_TOKEN_PARAMETERS: readonly ParameterDefinition[] = [
  {
    name: 'grant_type',
    required: true,
    spec: 'RFC 6749 §4.4.2 · §6',
    options: ['client_credentials', 'refresh_token'],
    explanation:
      'DPoP works with any grant; here the client asks for itself (client_credentials) or redeems a refresh token.',
  },
  {
    name: 'client_id',
    required: true,
    spec: 'RFC 6749 §2.2',
    explanation: 'The client registered at this server.',
  },
  {
    name: 'scope',
    spec: 'RFC 6749 §3.3',
    explanation: 'What the token is for; the standards sandbox’s API takes api.read.',
  },
  {
    name: 'resource',
    spec: 'RFC 8707 §2',
    explanation:
      'The API the token is for (a resource indicator). The server then issues a JWT for that API, with the key binding in cnf.jkt.',
  },
];

/** The flow as data: steps and sequence diagram. */
export const dpopFlow = {
  ...catalogueEntry('dpop'),
  steps: [
    {
      id: 'server',
      title: 'Check the server supports DPoP',
      spec: 'RFC 9449 §5.1',
      why: 'A server that supports DPoP lists the proof algorithms it accepts in its metadata (dpop_signing_alg_values_supported). Its token endpoint comes from the same document.',
      inputs: ['issuer'],
    },
    {
      id: 'key',
      title: 'Make the key pair',
      spec: 'RFC 9449 §2 · RFC 7638',
      why: 'The client makes its own key pair. The private key never leaves this tab; the public key travels in every proof, and its thumbprint is what tokens get bound to.',
      inputs: ['algorithm'],
    },
    {
      id: 'proof',
      title: 'Sign a proof for the token request',
      spec: 'RFC 9449 §4.2',
      why: 'The proof is a small JWT signed with the private key, naming this one request (method and URL) and made just now. It goes in the DPoP header.',
      inputs: ['keyPair', 'tokenEndpoint'],
    },
    {
      id: 'token',
      title: 'Request the token',
      spec: 'RFC 9449 §5',
      why: 'An ordinary token request plus the DPoP header. A server that wants fresh proofs answers use_dpop_nonce the first time, with a nonce to put in the next one.',
      inputs: [
        'tokenProof',
        'grant',
        'clientId',
        'clientSecret',
        'clientAuth',
        'scope',
        'resource',
        'refreshToken',
      ],
    },
    {
      id: 'nonce',
      title: 'Retry with the server’s nonce',
      spec: 'RFC 9449 §8',
      why: 'The server’s nonce proves the proof was made after the server asked for it, so a proof signed in advance (by malware, say) is no use. The client signs a new proof carrying the nonce and sends the request again.',
      inputs: ['tokenChallenge'],
    },
    {
      id: 'bound',
      title: 'Read the DPoP-bound token',
      spec: 'RFC 9449 §6',
      why: 'token_type is DPoP, not Bearer, and the access token names the key’s thumbprint in cnf.jkt: only a request with a proof from that key can use it.',
      inputs: ['tokens'],
    },
    {
      id: 'resource',
      title: 'Call the API with a fresh proof',
      spec: 'RFC 9449 §7',
      why: 'Every call needs a new proof: for this method and URL, with ath, the hash of the access token. The token goes as “Authorization: DPoP …”. The API may ask for its own nonce first.',
      inputs: ['tokens', 'apiUrl', 'keyPair'],
    },
    {
      id: 'misuse',
      title: 'Try the token without the key',
      spec: 'RFC 9449 §7.2',
      why: 'This is what the binding buys: the same token sent as a Bearer token, or with a proof from another key, is refused.',
      inputs: ['tokens', 'apiUrl'],
    },
  ],
  diagram: {
    actors: [
      { id: 'client', label: 'Client (holds the key)' },
      { id: 'as', label: 'Authorization server' },
      { id: 'api', label: 'API (resource server)' },
    ],
    messages: [
      {
        from: 'client',
        to: 'as',
        text: 'GET metadata: dpop_signing_alg_values_supported',
        step: 'server',
        http: true,
      },
      {
        from: 'as',
        to: 'client',
        text: 'Algorithms, token endpoint',
        step: 'server',
        reply: true,
        http: true,
      },
      { from: 'client', to: 'client', text: 'Key pair; jkt = thumbprint of the public key', step: 'key' },
      { from: 'client', to: 'client', text: 'Sign proof: htm, htu, jti, iat; jwk', step: 'proof' },
      { from: 'client', to: 'as', text: 'POST /token + DPoP: proof', step: 'token', http: true },
      {
        from: 'as',
        to: 'client',
        text: '400 use_dpop_nonce + DPoP-Nonce',
        step: 'token',
        reply: true,
        http: true,
        failed: true,
      },
      { from: 'client', to: 'as', text: 'POST /token + DPoP: proof with nonce', step: 'nonce', http: true },
      {
        from: 'as',
        to: 'client',
        text: 'token_type DPoP, access token with cnf.jkt',
        step: 'nonce',
        reply: true,
        http: true,
      },
      { from: 'client', to: 'client', text: 'Check cnf.jkt = thumbprint', step: 'bound' },
      {
        from: 'client',
        to: 'api',
        text: 'GET + Authorization: DPoP token, DPoP: proof with ath',
        step: 'resource',
        http: true,
      },
      {
        from: 'api',
        to: 'client',
        text: '401 use_dpop_nonce + DPoP-Nonce',
        step: 'resource',
        reply: true,
        http: true,
        failed: true,
      },
      {
        from: 'client',
        to: 'api',
        text: 'Same call, new proof with the nonce',
        step: 'resource',
        http: true,
      },
      {
        from: 'api',
        to: 'client',
        text: '200: the token and the key match',
        step: 'resource',
        reply: true,
        http: true,
      },
      {
        from: 'client',
        to: 'api',
        text: 'Authorization: Bearer token (no proof)',
        step: 'misuse',
        http: true,
      },
      {
        from: 'api',
        to: 'client',
        text: '401 invalid_token',
        step: 'misuse',
        reply: true,
        http: true,
        failed: true,
      },
    ],
  },
} as const satisfies FlowDefinition;

/** One call to the API: the proof it carried, the exchange, and what the API said about DPoP. */
export interface ApiAttempt {
  readonly proof?: DpopProof | undefined;
  readonly exchange: HttpExchange;
  readonly challenge?: DpopChallenge | undefined;
}

/** The two ways the page shows the token being misused. */
export type MisuseKind = 'bearer' | 'other-key';

/** Everything one run knows. The private key, the client secret and the tokens stay in memory. */
export interface DpopContext {
  /** The authorization server's issuer, whose metadata is read in the first step. */
  readonly issuer: string;
  /** The sandbox's directory of the standards issuer, when the issuer is that one (for its clients). */
  readonly directoryUrl?: string | undefined;
  readonly tokenEndpoint: string;
  /** dpop_signing_alg_values_supported as read; undefined until the metadata is read. */
  readonly dpopAlgorithms?: readonly string[] | undefined;
  readonly grant: DpopGrant;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly clientAuth: DpopClientAuth;
  readonly scope: string;
  readonly resource: string;
  readonly refreshToken: string;
  /** The API to call with the token. */
  readonly apiUrl: string;
  readonly algorithm: DpopAlgorithm;
  /** Memory only: its private key is a non-extractable CryptoKey. */
  readonly keyPair?: DpopKeyPair | undefined;
  readonly metadataExchange?: HttpExchange | undefined;
  readonly tokenProof?: DpopProof | undefined;
  readonly tokenExchange?: HttpExchange | undefined;
  readonly tokenChallenge?: DpopChallenge | undefined;
  readonly retryProof?: DpopProof | undefined;
  readonly retryExchange?: HttpExchange | undefined;
  readonly tokens?: TokenResponse | undefined;
  readonly binding?: DpopBinding | undefined;
  /** The API calls of the last "call" (one, or two when the API asked for a nonce). */
  readonly apiAttempts?: readonly ApiAttempt[] | undefined;
  /** The latest nonce the API handed out, reused by the next proof for it (RFC 9449 §9). */
  readonly apiNonce?: string | undefined;
  readonly misuse?: Readonly<Partial<Record<MisuseKind, ApiAttempt>>> | undefined;
}

/** The path of the standards sandbox's issuer under the sandbox origin. */
export const STANDARD_ISSUER_PATH = '/standard';

/**
 * The standards sandbox's issuer, protected API and directory for a sandbox origin.
 * @see https://www.rfc-editor.org/rfc/rfc8707#section-2
 */
export function standardSandboxTargets(sandboxOrigin: string): {
  readonly issuer: string;
  readonly resource: string;
  readonly apiUrl: string;
  readonly directoryUrl: string;
} {
  const issuer = `${sandboxOrigin.replace(/\/+$/, '')}${STANDARD_ISSUER_PATH}`;
  return {
    issuer,
    resource: `${issuer}/api`,
    apiUrl: `${issuer}/api/me`,
    directoryUrl: `${issuer}/directory.json`,
  };
}

/** A new run's starting values. */
export function createDpopContext(input: {
  readonly issuer: string;
  readonly tokenEndpoint?: string;
  readonly directoryUrl?: string;
  readonly resource?: string;
  readonly apiUrl?: string;
  readonly clientId?: string;
  readonly clientSecret?: string;
  readonly scope?: string;
}): DpopContext {
  return {
    issuer: input.issuer,
    ...(input.directoryUrl === undefined ? {} : { directoryUrl: input.directoryUrl }),
    tokenEndpoint: input.tokenEndpoint ?? '',
    grant: 'client_credentials',
    clientId: input.clientId ?? '',
    clientSecret: input.clientSecret ?? '',
    clientAuth: 'client_secret_post',
    scope: input.scope ?? 'api.read',
    resource: input.resource ?? '',
    refreshToken: '',
    apiUrl: input.apiUrl ?? '',
    algorithm: 'ES256',
  };
}

/**
 * Whether the server advertises DPoP: from dpop_signing_alg_values_supported, once read.
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-5.1
 */
export function dpopAdvertised(ctx: Pick<DpopContext, 'dpopAlgorithms'>): boolean | undefined {
  return ctx.dpopAlgorithms === undefined ? undefined : ctx.dpopAlgorithms.length > 0;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** A confidential client of the standards sandbox the page can use for client credentials. */
export interface DirectoryClient {
  readonly client_id: string;
  readonly client_secret?: string;
  readonly token_endpoint_auth_method: string;
}

/**
 * Reads the standards sandbox's directory: its clients whose secret can go in a form or Basic header.
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-3.2.1
 */
export function readDirectoryClients(json: unknown): DirectoryClient[] {
  if (!isObject(json) || !Array.isArray(json['clients'])) return [];
  return json['clients'].flatMap((c): DirectoryClient[] => {
    if (!isObject(c) || typeof c['client_id'] !== 'string') return [];
    const method = typeof c['token_endpoint_auth_method'] === 'string' ? c['token_endpoint_auth_method'] : '';
    return [
      {
        client_id: c['client_id'],
        token_endpoint_auth_method: method,
        ...(typeof c['client_secret'] === 'string' ? { client_secret: c['client_secret'] } : {}),
      },
    ];
  });
}

/**
 * Step "server": reads the issuer's metadata (OIDC discovery, then RFC 8414) for the token endpoint and
 * dpop_signing_alg_values_supported; for the standards sandbox, also a client from its directory.
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-5.1
 */
export async function readDpopServer(ctx: DpopContext, deps: FlowDeps): Promise<Partial<DpopContext>> {
  const fetchMetadata = async (url: string): Promise<MetadataAnswer> => {
    let response: Response;
    try {
      response = await deps.fetch(url, { method: 'GET', credentials: 'omit', cache: 'no-store' });
    } catch (cause) {
      throw new NetworkError(
        'CORS_ERROR',
        `The browser got no readable answer from ${url}: the server is unreachable, or it does not allow this page to read its metadata (CORS).`,
        { cause },
      );
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      body = undefined;
    }
    return { status: response.status, body };
  };
  const discovery = await discoverAuthorizationServer(ctx.issuer, fetchMetadata);
  const token = discovery.endpoints.token;
  if (token === undefined) {
    throw new InvalidInputError(
      'issuer',
      'This server publishes no token endpoint, so it cannot issue a DPoP-bound token.',
    );
  }
  const patch: Partial<DpopContext> = {
    tokenEndpoint: token,
    dpopAlgorithms: stringList(discovery.document['dpop_signing_alg_values_supported']),
  };
  if (ctx.directoryUrl === undefined || ctx.clientId !== '') return patch;
  // The standards sandbox publishes its seeded clients (sandbox-only secrets): pick one that posts its secret.
  const answer = await fetchMetadata(ctx.directoryUrl);
  const clients = readDirectoryClients(answer.body);
  const client =
    clients.find(
      (c) => c.token_endpoint_auth_method === 'client_secret_post' && c.client_secret !== undefined,
    ) ??
    clients.find(
      (c) => c.token_endpoint_auth_method === 'client_secret_basic' && c.client_secret !== undefined,
    );
  if (client === undefined) return patch;
  return {
    ...patch,
    clientId: client.client_id,
    clientSecret: client.client_secret ?? '',
    clientAuth:
      client.token_endpoint_auth_method === 'client_secret_basic'
        ? 'client_secret_basic'
        : 'client_secret_post',
  };
}

/**
 * The key pair of the run, or an `InvalidInputError` when there is none (never made, or dropped by a
 * reload: the private key cannot be stored).
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-2
 */
export function requireKeyPair(ctx: Pick<DpopContext, 'keyPair'>): DpopKeyPair {
  const key = ctx.keyPair;
  const privateKey: unknown = key?.privateKey;
  // Duck-typed: a key that went through storage is a bare object without its CryptoKey.
  if (
    key === undefined ||
    typeof privateKey !== 'object' ||
    privateKey === null ||
    (privateKey as { type?: unknown }).type !== 'private'
  ) {
    throw new InvalidInputError(
      'keyPair',
      'There is no DPoP key pair in this tab (it is made in memory and never stored): make one in step 2.',
    );
  }
  return key;
}

/**
 * Step "key": a new key pair. Everything made with the old key goes: proofs, tokens bound to it, calls.
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-2
 */
export async function makeKeyPair(ctx: DpopContext): Promise<Partial<DpopContext>> {
  return {
    keyPair: await generateDpopKeyPair(ctx.algorithm),
    tokenProof: undefined,
    tokenExchange: undefined,
    tokenChallenge: undefined,
    retryProof: undefined,
    retryExchange: undefined,
    tokens: undefined,
    binding: undefined,
    apiAttempts: undefined,
    apiNonce: undefined,
    misuse: undefined,
  };
}

/**
 * Step "proof": a proof for POST to the token endpoint, without a nonce (the server has not asked yet).
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-4.2
 */
export async function signTokenProof(
  ctx: DpopContext,
  deps: FlowDeps,
): Promise<Pick<DpopContext, 'tokenProof'>> {
  if (ctx.tokenEndpoint.trim() === '') {
    throw new InvalidInputError(
      'tokenEndpoint',
      'There is no token endpoint yet: read the server’s metadata in step 1.',
    );
  }
  return {
    tokenProof: await buildDpopProof(requireKeyPair(ctx), {
      htm: 'POST',
      htu: ctx.tokenEndpoint,
      nowMs: deps.now(),
    }),
  };
}

/**
 * The token request with its DPoP header, before it is sent.
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-5
 */
export function buildDpopTokenRequest(ctx: DpopContext, proof: DpopProof | undefined): RecordedRequest {
  const parameters: QueryParameter[] =
    ctx.grant === 'client_credentials'
      ? [
          ['grant_type', 'client_credentials'],
          ['client_id', ctx.clientId],
          ['scope', ctx.scope],
          ['resource', ctx.resource],
        ]
      : [
          ['grant_type', 'refresh_token'],
          ['client_id', ctx.clientId],
          ['refresh_token', ctx.refreshToken],
          ['scope', ctx.scope],
          ['resource', ctx.resource],
        ];
  const auth: ClientAuthentication =
    ctx.clientAuth === 'none'
      ? { method: 'none' }
      : { method: ctx.clientAuth, clientSecret: ctx.clientSecret };
  const request = buildTokenRequest(ctx.tokenEndpoint, parameters, auth);
  // RFC 9449 §4.1: the proof travels in a header named DPoP; it is not secret (it names one request).
  return { ...request, headers: [...request.headers, ['DPoP', proof?.jwt ?? '(the signed proof)']] };
}

/**
 * Browser or relay for the token request. The proof is signed in this tab either way (the relay passes
 * the DPoP header on and returns DPoP-Nonce); the standards sandbox answers the browser (CORS), most
 * providers do not, since a token request is a call a back end makes.
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-4.1
 */
export function decideDpopRoute(
  ctx: Pick<DpopContext, 'directoryUrl'>,
  deps: Pick<FlowDeps, 'relayAvailable' | 'relayToken'>,
): Route {
  if (ctx.directoryUrl !== undefined)
    return browserRoute('The standards sandbox answers token requests from the browser (CORS).');
  return relayRoute(
    'Most providers do not answer a token request from a browser (no CORS); the proof signed here goes along in the DPoP header.',
    deps,
  );
}

/**
 * What a careful client would say before sending the token request.
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-5
 */
export function validateDpopTokenRequest(ctx: DpopContext, nowMs: number): RequestWarning[] {
  const warnings: RequestWarning[] = [];
  if (ctx.clientId.trim() === '')
    warnings.push({ parameter: 'client_id', message: 'The client id is empty.' });
  if (ctx.clientAuth !== 'none' && ctx.clientSecret === '')
    warnings.push({
      parameter: 'client_secret',
      message: 'No client secret: the server will refuse the client.',
    });
  if (ctx.grant === 'refresh_token' && ctx.refreshToken.trim() === '')
    warnings.push({ parameter: 'refresh_token', message: 'Pick or paste a refresh token first.' });
  if (
    ctx.dpopAlgorithms !== undefined &&
    ctx.dpopAlgorithms.length > 0 &&
    !ctx.dpopAlgorithms.includes(ctx.algorithm)
  ) {
    warnings.push({
      parameter: 'DPoP',
      message: `The server lists ${ctx.dpopAlgorithms.join(', ')} for DPoP proofs, not ${ctx.algorithm}: it will refuse the proof (invalid_dpop_proof). Make an ${ctx.dpopAlgorithms[0] ?? ''} key.`,
    });
  }
  const proof = ctx.tokenProof;
  if (proof !== undefined) {
    if (proof.claims.htu !== ctx.tokenEndpoint.split(/[?#]/)[0])
      warnings.push({
        parameter: 'DPoP',
        message: 'The proof names another URL than this token endpoint: sign it again.',
      });
    // RFC 9449 §11.1: servers accept a proof only for a short window after iat.
    if (nowMs / 1000 - proof.claims.iat > 60)
      warnings.push({
        parameter: 'DPoP',
        message: 'The proof is more than a minute old; the server may find it stale: sign a fresh one.',
      });
  }
  return warnings;
}

/**
 * Step "token", first half: sends the token request with the proof and records the answer, whatever it
 * is (read by `readDpopTokenResponse`).
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-5
 */
export async function sendDpopTokenRequest(ctx: DpopContext, deps: FlowDeps): Promise<Partial<DpopContext>> {
  if (ctx.tokenProof === undefined) {
    throw new ProtocolViolationError('MISSING_PARAMETER', 'There is no DPoP proof yet: sign one in step 3.');
  }
  const exchange = await sendTokenRequest(
    buildDpopTokenRequest(ctx, ctx.tokenProof),
    decideDpopRoute(ctx, deps),
    deps,
  );
  return {
    tokenExchange: exchange,
    tokenChallenge: exchange.response === undefined ? undefined : readDpopChallenge(exchange.response),
    tokens: undefined,
    binding: undefined,
    retryProof: undefined,
    retryExchange: undefined,
    apiAttempts: undefined,
    apiNonce: undefined,
    misuse: undefined,
  };
}

/**
 * Step "token", second half: a `use_dpop_nonce` answer is not a failure but the next step's reason;
 * any other answer is read as a token response bound to this key.
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-8
 */
export function readDpopTokenResponse(ctx: DpopContext): Pick<DpopContext, 'tokens' | 'binding'> {
  if (isNonceChallenge(ctx.tokenChallenge)) return { tokens: undefined, binding: undefined };
  if (ctx.tokenExchange === undefined) {
    throw new ProtocolViolationError('INVALID_RESPONSE', 'No token response was recorded.');
  }
  return readBoundToken(ctx.tokenExchange, ctx);
}

/** Reads a token response and checks its binding to the run's key. */
function readBoundToken(
  exchange: HttpExchange,
  ctx: Pick<DpopContext, 'keyPair'>,
): Pick<DpopContext, 'tokens' | 'binding'> {
  const tokens = readTokenExchange(exchange);
  const key = requireKeyPair(ctx);
  return { tokens, binding: validateDpopTokenResponse(tokens, key.thumbprint) };
}

/**
 * Step "nonce": a fresh proof carrying the server's nonce, and the same token request again.
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-8
 */
export async function retryWithNonce(ctx: DpopContext, deps: FlowDeps): Promise<Partial<DpopContext>> {
  const nonce = ctx.tokenChallenge?.nonce;
  if (nonce === undefined) {
    throw new ProtocolViolationError('MISSING_PARAMETER', 'The server sent no DPoP-Nonce to retry with.');
  }
  const retryProof = await buildDpopProof(requireKeyPair(ctx), {
    htm: 'POST',
    htu: ctx.tokenEndpoint,
    nonce,
    nowMs: deps.now(),
  });
  const retryExchange = await sendTokenRequest(
    buildDpopTokenRequest(ctx, retryProof),
    decideDpopRoute(ctx, deps),
    deps,
  );
  return { retryProof, retryExchange, tokens: undefined, binding: undefined };
}

/**
 * Step "nonce", second half: reads the retried answer and checks the binding.
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-6.1
 */
export function readRetriedToken(ctx: DpopContext): Pick<DpopContext, 'tokens' | 'binding'> {
  if (ctx.retryExchange === undefined) {
    throw new ProtocolViolationError('INVALID_RESPONSE', 'No retried token response was recorded.');
  }
  return readBoundToken(ctx.retryExchange, ctx);
}

/**
 * The binding as the page describes it, never throwing (for a token read after a reload).
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-6.1
 */
export function bindingOf(ctx: Pick<DpopContext, 'tokens' | 'keyPair' | 'binding'>): DpopBinding | undefined {
  if (ctx.binding !== undefined) return ctx.binding;
  return ctx.tokens === undefined
    ? undefined
    : describeDpopBinding(ctx.tokens, ctx.keyPair?.thumbprint ?? '');
}

/**
 * A GET to the API with the token; `scheme` DPoP adds the proof header.
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-7.1
 */
export function buildDpopApiRequest(
  url: string,
  accessToken: string,
  scheme: 'DPoP' | 'Bearer',
  proof: DpopProof | undefined,
): RecordedRequest {
  const headers: [string, string][] = [
    ['Accept', 'application/json'],
    ['Authorization', scheme === 'DPoP' ? buildDpopAuthorization(accessToken) : `Bearer ${accessToken}`],
  ];
  if (proof !== undefined) headers.push(['DPoP', proof.jwt]);
  return { method: 'GET', url: url.trim(), headers, secretFields: ['Authorization'] };
}

function requireApiCall(ctx: DpopContext): { url: string; token: string } {
  const token = ctx.tokens?.access_token;
  if (token === undefined) {
    throw new ProtocolViolationError('MISSING_PARAMETER', 'There is no access token yet: request one first.');
  }
  const url = ctx.apiUrl.trim();
  try {
    new URL(url);
  } catch {
    throw new InvalidInputError('apiUrl', `“${url}” is not an absolute URL: type the API’s full address.`);
  }
  return { url, token };
}

const apiRoute = (): Route =>
  browserRoute(
    'The proof is signed in this tab, so the call goes from the browser; the API must allow it (CORS).',
  );

/** One call: a fresh proof (ath, the nonce if any) and the exchange. */
async function callOnce(
  ctx: DpopContext,
  deps: FlowDeps,
  key: Pick<DpopKeyPair, 'alg' | 'privateKey' | 'publicJwk'>,
  nonce: string | undefined,
): Promise<ApiAttempt> {
  const { url, token } = requireApiCall(ctx);
  // RFC 9449 §7.1: a proof for a resource carries ath, the hash of the access token it goes with.
  const proof = await buildDpopProof(key, {
    htm: 'GET',
    htu: url,
    accessToken: token,
    nonce,
    nowMs: deps.now(),
  });
  const exchange = await sendRequest(
    buildDpopApiRequest(url, token, 'DPoP', proof),
    apiRoute(),
    deps.fetch,
    deps.now,
  );
  const challenge = exchange.response === undefined ? undefined : readDpopChallenge(exchange.response);
  return { proof, exchange, challenge };
}

/**
 * Step "resource": calls the API with a fresh proof; when it answers use_dpop_nonce, signs one more
 * proof with its nonce and calls again (both calls are kept).
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-9
 */
export async function callApiWithDpop(ctx: DpopContext, deps: FlowDeps): Promise<Partial<DpopContext>> {
  const key = requireKeyPair(ctx);
  const first = await callOnce(ctx, deps, key, ctx.apiNonce);
  const attempts = [first];
  let nonce = first.challenge?.nonce ?? ctx.apiNonce;
  if (isNonceChallenge(first.challenge)) {
    const second = await callOnce(ctx, deps, key, first.challenge.nonce);
    attempts.push(second);
    nonce = second.challenge?.nonce ?? first.challenge.nonce;
  }
  return { apiAttempts: attempts, apiNonce: nonce };
}

/**
 * What the API's last answer means: accepted (2xx), or refused with the DPoP or Bearer error it gave.
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-7.1
 */
export interface ApiVerdict {
  readonly accepted: boolean;
  readonly status?: number;
  readonly error?: string;
  readonly errorDescription?: string;
}

/**
 * Reads an API answer: status, and the error from WWW-Authenticate (DPoP or Bearer) or the JSON body.
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3
 */
export function readApiVerdict(attempt: ApiAttempt | undefined): ApiVerdict {
  const response = attempt?.exchange.response;
  if (response === undefined) return { accepted: false };
  const accepted = response.status >= 200 && response.status < 300;
  const challenge = attempt?.challenge;
  let error = challenge?.error;
  let errorDescription = challenge?.error_description;
  if (error === undefined) {
    const header = response.headers.find(([n]) => n.toLowerCase() === 'www-authenticate')?.[1] ?? '';
    error = /error="([^"]*)"/.exec(header)?.[1];
    errorDescription = /error_description="([^"]*)"/.exec(header)?.[1];
  }
  if (error === undefined && !accepted) {
    try {
      const json: unknown = JSON.parse(response.body);
      if (isObject(json) && typeof json['error'] === 'string') {
        error = json['error'];
        if (typeof json['error_description'] === 'string') errorDescription = json['error_description'];
      }
    } catch {
      // Not JSON: the status says enough.
    }
  }
  return {
    accepted,
    status: response.status,
    ...(error === undefined ? {} : { error }),
    ...(errorDescription === undefined ? {} : { errorDescription }),
  };
}

/**
 * Step "misuse": the same token sent as a Bearer token (no proof), or with a proof signed by a new key
 * the token is not bound to. Both should be refused.
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-7.2
 */
export async function misuseToken(
  kind: MisuseKind,
  ctx: DpopContext,
  deps: FlowDeps,
): Promise<Pick<DpopContext, 'misuse'>> {
  const { url, token } = requireApiCall(ctx);
  let attempt: ApiAttempt;
  if (kind === 'bearer') {
    const exchange = await sendRequest(
      buildDpopApiRequest(url, token, 'Bearer', undefined),
      apiRoute(),
      deps.fetch,
      deps.now,
    );
    attempt = {
      exchange,
      challenge: exchange.response === undefined ? undefined : readDpopChallenge(exchange.response),
    };
  } else {
    // A stranger's key: a valid proof, signed correctly, but not by the key the token names.
    const stranger = await generateDpopKeyPair(requireKeyPair(ctx).alg);
    attempt = await callOnce(ctx, deps, stranger, ctx.apiNonce);
    if (isNonceChallenge(attempt.challenge))
      attempt = await callOnce(ctx, deps, stranger, attempt.challenge.nonce);
  }
  return { misuse: { ...ctx.misuse, [kind]: attempt } };
}
