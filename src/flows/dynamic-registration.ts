/**
 * Dynamic client registration: the client finds the registration endpoint in the provider's metadata,
 * sends its metadata as JSON, reads back its client id and credentials, uses them, and manages the
 * registration (read, delete) with the registration access token it was given.
 * @see https://www.rfc-editor.org/rfc/rfc7591
 * @see https://www.rfc-editor.org/rfc/rfc7592
 */
import { InvalidInputError, NetworkError, ProtocolViolationError } from '../protocol/errors.ts';
import type { HttpExchange, RecordedRequest } from '../protocol/http.ts';
import {
  buildClientConfigurationRequest,
  buildClientUpdateRequest,
  buildRegistrationRequest,
  compareRegisteredMetadata,
  parseDeleteResponse,
  parseRegistrationResponse,
  splitList,
  validateClientMetadata,
  type ClientInformation,
  type ClientMetadata,
} from '../protocol/registration.ts';
import type { RequestWarning } from '../protocol/authorize.ts';
import type { Route } from '../protocol/transport.ts';
import { sendRequest } from './send-request.ts';
import { catalogueEntry } from './registry.ts';
import type { FlowDeps } from './runner.ts';
import { browserRoute, relayRoute } from './token-request.ts';
import type { FlowDefinition, ParameterDefinition } from './types.ts';

/**
 * The client metadata fields the page lets the user set, each explained.
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-2
 */
export const REGISTRATION_PARAMETERS: readonly ParameterDefinition[] = [
  {
    name: 'client_name',
    spec: 'RFC 7591 §2',
    explanation:
      'A name people see, on the consent page for instance. Not an identifier: the server picks the client_id.',
  },
  {
    name: 'redirect_uris',
    spec: 'RFC 7591 §2',
    explanation:
      'Where the sign-in may send the browser back, as absolute URIs (one per line). Needed for authorization_code; the server compares each later redirect_uri against this list.',
  },
  {
    name: 'grant_types',
    spec: 'RFC 7591 §2',
    explanation:
      'The grants this client will use at the token endpoint. Omitted, it defaults to authorization_code. The server may refuse grants its policy does not allow.',
  },
  {
    name: 'response_types',
    spec: 'RFC 7591 §2',
    explanation:
      'What the client asks for at the authorization endpoint: code goes with authorization_code; a client without a user (client credentials only) needs none.',
  },
  {
    name: 'token_endpoint_auth_method',
    spec: 'RFC 7591 §2',
    explanation:
      'How the client will prove who it is at the token endpoint. Omitted, it defaults to client_secret_basic; none makes a public client (no secret, PKCE).',
  },
  {
    name: 'scope',
    spec: 'RFC 7591 §2',
    explanation: 'The scopes the client may ask for later, space-separated. The server may grant fewer.',
  },
  {
    name: 'jwks',
    spec: 'RFC 7591 §2',
    explanation:
      'The client’s public keys as a JWK Set, for private_key_jwt (and signed request objects). Public members only: never a private key.',
  },
];

/**
 * The fields of the client information the answer step explains, in reading order.
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-3.2.1
 */
export const CLIENT_INFORMATION_FIELDS: readonly {
  readonly name: string;
  readonly spec: string;
  readonly meaning: string;
  /** A credential: shown masked, kept in memory only. */
  readonly secret?: boolean;
}[] = [
  {
    name: 'client_id',
    spec: 'RFC 7591 §3.2.1',
    meaning: 'The identifier the server chose. Not a secret: it goes in every request the client makes.',
  },
  {
    name: 'client_secret',
    spec: 'RFC 7591 §3.2.1',
    meaning: 'The secret of a confidential client; none for a public one (token_endpoint_auth_method none).',
    secret: true,
  },
  {
    name: 'client_id_issued_at',
    spec: 'RFC 7591 §3.2.1',
    meaning: 'When the client id was issued, in seconds since 1970.',
  },
  {
    name: 'client_secret_expires_at',
    spec: 'RFC 7591 §3.2.1',
    meaning: 'When the secret stops working; 0 means never. Required whenever a secret is issued.',
  },
  {
    name: 'registration_access_token',
    spec: 'RFC 7592 §3',
    meaning:
      'A bearer token that lets the client read, change or delete this registration. Keep it like a secret.',
    secret: true,
  },
  {
    name: 'registration_client_uri',
    spec: 'RFC 7592 §3',
    meaning: 'The URI of this registration, where that token is sent.',
  },
];

/** Grant types the page offers as choices (those the provider lists are marked). */
export const GRANT_TYPE_CHOICES = [
  'authorization_code',
  'refresh_token',
  'client_credentials',
  'urn:ietf:params:oauth:grant-type:device_code',
  'urn:ietf:params:oauth:grant-type:token-exchange',
] as const;

/** Authentication methods the page offers as choices. */
export const AUTH_METHOD_CHOICES = [
  'client_secret_basic',
  'client_secret_post',
  'client_secret_jwt',
  'private_key_jwt',
  'none',
] as const;

/**
 * The flow as data: steps and sequence diagram.
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-3
 */
export const dynamicRegistrationFlow = {
  ...catalogueEntry('dynamic-registration'),
  steps: [
    {
      id: 'check',
      title: 'Find the registration endpoint',
      spec: 'RFC 8414 §2',
      why: 'A provider that accepts registrations over HTTP lists a registration_endpoint in its metadata. Without one, clients are registered some other way (an admin portal, an API of its own).',
      inputs: ['registrationEndpoint'],
    },
    {
      id: 'compose',
      title: 'Describe the client',
      spec: 'RFC 7591 §2',
      why: 'The client describes itself in JSON: where to send users back, which grants it uses, how it authenticates. The server decides what to accept and may change values.',
      inputs: ['clientName', 'redirectUris', 'grantTypes', 'responseTypes', 'authMethod', 'scope', 'jwks'],
    },
    {
      id: 'register',
      title: 'Send the registration request',
      spec: 'RFC 7591 §3.1',
      why: 'One POST of that JSON to the registration endpoint. An open server takes anyone’s; others want an initial access token, handed out beforehand, as a bearer token.',
      inputs: [
        'registrationEndpoint',
        'clientName',
        'redirectUris',
        'grantTypes',
        'responseTypes',
        'authMethod',
        'scope',
        'jwks',
      ],
    },
    {
      id: 'answer',
      title: 'Read the client information',
      spec: 'RFC 7591 §3.2.1',
      why: 'The answer is the client as registered: its client_id, a client_secret for a confidential client, and a registration access token with the URI to manage it. The client uses the values that came back, not the ones it sent.',
      inputs: ['exchange'],
    },
    {
      id: 'use',
      title: 'Use the new client',
      spec: 'RFC 6749 §2.3',
      why: 'The client id and secret work like those of any registered app: keep them as an app profile and run a flow with them.',
      inputs: ['client'],
    },
    {
      id: 'manage',
      title: 'Read it back, change it, delete it',
      spec: 'RFC 7592 §2',
      why: 'With the registration access token, the client can read its registration (GET), replace its metadata (PUT) and remove it (DELETE) at its registration_client_uri. After a delete, the client id no longer works.',
      inputs: ['client'],
    },
  ],
  diagram: {
    actors: [
      { id: 'client', label: 'App' },
      { id: 'as', label: 'Authorization server' },
    ],
    messages: [
      { from: 'client', to: 'as', text: 'Metadata: registration_endpoint?', step: 'check' },
      { from: 'client', to: 'client', text: 'Client metadata as JSON', step: 'compose' },
      {
        from: 'client',
        to: 'as',
        text: 'POST registration_endpoint {client metadata}',
        step: 'register',
        http: true,
      },
      {
        from: 'as',
        to: 'client',
        text: '201 client_id, client_secret, registration_access_token',
        step: 'register',
        reply: true,
        http: true,
      },
      { from: 'client', to: 'client', text: 'Check what was registered', step: 'answer' },
      { from: 'client', to: 'as', text: 'Token request as the new client', step: 'use' },
      {
        from: 'client',
        to: 'as',
        text: 'GET registration_client_uri (Bearer registration access token)',
        step: 'manage',
        http: true,
      },
      { from: 'as', to: 'client', text: '200 client information', step: 'manage', reply: true, http: true },
      {
        from: 'client',
        to: 'as',
        text: 'PUT registration_client_uri {metadata, client_name changed}',
        step: 'manage',
        http: true,
      },
      { from: 'as', to: 'client', text: '200 client information', step: 'manage', reply: true, http: true },
      { from: 'client', to: 'as', text: 'DELETE registration_client_uri', step: 'manage', http: true },
      { from: 'as', to: 'client', text: '204 No Content', step: 'manage', reply: true, http: true },
    ],
  },
} as const satisfies FlowDefinition;

/**
 * Everything one run knows. The client's secret and registration access token live in `client`, in
 * memory only: run storage leaves them out (src/state/run-storage.ts).
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-3.2.1
 */
export interface DynamicRegistrationContext {
  /** The sandbox origin: calls to it go from the browser (it answers with CORS). */
  readonly sandboxOrigin: string;
  /** From the provider's metadata; empty when it lists none. */
  readonly registrationEndpoint: string;
  readonly clientName: string;
  /** One URI per line, as typed. */
  readonly redirectUris: string;
  readonly grantTypes: readonly string[];
  readonly responseTypes: readonly string[];
  /** Empty: not sent (the server's default, client_secret_basic). */
  readonly authMethod: string;
  readonly scope: string;
  /** A JWK Set as typed (JSON); empty: not sent. */
  readonly jwks: string;
  /** The metadata as sent, kept to compare with what was registered. */
  readonly sent?: ClientMetadata | undefined;
  readonly exchange?: HttpExchange | undefined;
  readonly client?: ClientInformation | undefined;
  readonly notes?: readonly string[] | undefined;
  readonly differences?:
    | readonly { readonly field: string; readonly requested: unknown; readonly registered: unknown }[]
    | undefined;
  readonly readExchange?: HttpExchange | undefined;
  readonly readBack?: ClientInformation | undefined;
  readonly deleteExchange?: HttpExchange | undefined;
  readonly deleted?: boolean | undefined;
  /** The client_name an update (PUT) sends. */
  readonly newClientName?: string | undefined;
  readonly updateExchange?: HttpExchange | undefined;
}

/**
 * A new run's starting values: a confidential client on this app's callback that can sign users in and
 * act as itself, authenticating with its secret in the body.
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-2
 */
export function createDynamicRegistrationContext(input: {
  sandboxOrigin: string;
  registrationEndpoint: string;
  redirectUri: string;
  now: number;
}): DynamicRegistrationContext {
  return {
    sandboxOrigin: input.sandboxOrigin,
    registrationEndpoint: input.registrationEndpoint,
    clientName: `Flow Lab client ${new Date(input.now).toISOString().slice(0, 19).replace('T', ' ')}`,
    redirectUris: input.redirectUri,
    grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'],
    responseTypes: ['code'],
    // The lab's client credentials page sends its secret in the body; RFC 7591's default is Basic.
    authMethod: 'client_secret_post',
    // The server's own scopes: a resource's scope (api.read) is asked for at the token endpoint, and
    // oidc-provider refuses it in client metadata (invalid_client_metadata).
    scope: 'openid profile email offline_access',
    jwks: '',
  };
}

const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

/**
 * Reads the JWK Set typed for `jwks`: JSON with a `keys` array of public keys. A private member (`d`…)
 * or a symmetric key (`k`) is refused: registering it would hand the server the client's secret key.
 * @see https://www.rfc-editor.org/rfc/rfc7517#section-5
 */
export function parseJwksInput(text: string): ClientMetadata['jwks'] | undefined {
  if (text.trim() === '') return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new InvalidInputError('jwks', 'jwks is not valid JSON: paste a JWK Set such as {"keys":[{…}]}.');
  }
  const keys =
    typeof json === 'object' && json !== null ? (json as Record<string, unknown>)['keys'] : undefined;
  if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'object' && k !== null && !Array.isArray(k)))
    throw new InvalidInputError(
      'jwks',
      'jwks must be a JWK Set: an object with a "keys" array of keys (RFC 7517 §5).',
    );
  for (const key of keys as Record<string, unknown>[]) {
    const found = PRIVATE_JWK_MEMBERS.filter((member) => member in key);
    if (found.length > 0)
      throw new InvalidInputError(
        'jwks',
        `A key in jwks has private or symmetric members (${found.join(', ')}): register only the public key, and keep the private one.`,
      );
  }
  return { keys: keys as Record<string, unknown>[] };
}

/**
 * The client metadata as it will be sent. A JWK Set that cannot be read throws `InvalidInputError`.
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-2
 */
export function buildClientMetadata(ctx: DynamicRegistrationContext): ClientMetadata {
  const jwks = parseJwksInput(ctx.jwks);
  return {
    client_name: ctx.clientName.trim(),
    redirect_uris: splitList(ctx.redirectUris),
    grant_types: [...ctx.grantTypes],
    // RFC 7591 §2: an empty list says "no response types" (no authorization endpoint), unlike an omitted one.
    response_types: [...ctx.responseTypes],
    token_endpoint_auth_method: ctx.authMethod,
    scope: ctx.scope.trim(),
    ...(jwks === undefined ? {} : { jwks }),
  };
}

/**
 * The metadata for the preview: as `buildClientMetadata`, with a JWK Set that does not parse left out.
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-2
 */
export function previewClientMetadata(ctx: DynamicRegistrationContext): ClientMetadata {
  try {
    return buildClientMetadata(ctx);
  } catch {
    return buildClientMetadata({ ...ctx, jwks: '' });
  }
}

/**
 * The registration request, before it is sent. An empty response_types list is sent as `[]` on
 * purpose, so it is kept here rather than compacted away.
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-3.1
 */
export function buildDynamicRegistrationRequest(
  ctx: DynamicRegistrationContext,
  initialAccessToken = '',
): RecordedRequest {
  const metadata = previewClientMetadata(ctx);
  const request = buildRegistrationRequest(ctx.registrationEndpoint, metadata, initialAccessToken);
  if (ctx.responseTypes.length > 0) return request;
  const body = JSON.parse(request.body ?? '{}') as Record<string, unknown>;
  return { ...request, body: JSON.stringify({ ...body, response_types: [] }, null, 2) };
}

/**
 * What a careful client would say before sending: missing endpoint, contradictory metadata, bad keys.
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-2
 */
export function validateDynamicRegistration(ctx: DynamicRegistrationContext): RequestWarning[] {
  const warnings: RequestWarning[] = [];
  const endpointProblem = endpointProblemOf(ctx.registrationEndpoint);
  if (endpointProblem !== undefined)
    warnings.push({ parameter: 'registration_endpoint', message: endpointProblem });
  try {
    parseJwksInput(ctx.jwks);
  } catch (error) {
    warnings.push({ parameter: 'jwks', message: error instanceof Error ? error.message : String(error) });
  }
  return [...warnings, ...validateClientMetadata(previewClientMetadata(ctx))];
}

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

/**
 * Registration and management calls go from the browser to the local sandbox (it answers with CORS);
 * to any other provider through the relay, as most do not answer them from a browser.
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-3
 */
export function decideRegistrationRoute(
  endpoint: string,
  ctx: Pick<DynamicRegistrationContext, 'sandboxOrigin'>,
  deps: Pick<FlowDeps, 'relayAvailable' | 'relayToken'>,
): Route {
  if (originOf(endpoint) !== undefined && originOf(endpoint) === originOf(ctx.sandboxOrigin))
    return browserRoute('The local sandbox answers registration calls from the browser (CORS).');
  return relayRoute(
    'A registration endpoint is usually called by a back end or a developer tool; most providers do not answer it from a browser (no CORS).',
    deps,
  );
}

/** Why a typed endpoint cannot be sent to, or undefined when it can. */
function endpointProblemOf(url: string): string | undefined {
  if (url.trim() === '') return 'There is no registration endpoint to send to.';
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return `“${url.trim().slice(0, 80)}” is not an absolute URL.`;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    return `The endpoint must be an http(s) URL, not ${parsed.protocol}.`;
  return undefined;
}

async function send(request: RecordedRequest, route: Route, deps: FlowDeps): Promise<HttpExchange> {
  const problem = endpointProblemOf(request.url);
  if (problem !== undefined) throw new InvalidInputError('registration_endpoint', problem);
  if (route.via === 'relay' && !deps.relayAvailable)
    throw new NetworkError('RELAY_UNAVAILABLE', route.reason);
  return sendRequest(request, route, deps.fetch, deps.now);
}

/**
 * Step "register": sends the metadata; the answer is read by the next step.
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-3.1
 */
export async function sendRegistration(
  ctx: DynamicRegistrationContext,
  deps: FlowDeps,
  initialAccessToken = '',
): Promise<Pick<DynamicRegistrationContext, 'sent' | 'exchange' | 'client' | 'notes' | 'differences'>> {
  // A JWK Set that does not parse stops here, with its reason, rather than being dropped silently.
  const sent = buildClientMetadata(ctx);
  const request = buildDynamicRegistrationRequest(ctx, initialAccessToken);
  const exchange = await send(request, decideRegistrationRoute(request.url, ctx, deps), deps);
  return { sent, exchange, client: undefined, notes: undefined, differences: undefined };
}

/**
 * Step "answer": reads the client information; a refusal (RFC 7591 §3.2.2) throws with the server's fields.
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-3.2
 */
export function readRegistration(
  ctx: DynamicRegistrationContext,
): Pick<
  DynamicRegistrationContext,
  | 'client'
  | 'notes'
  | 'differences'
  | 'readExchange'
  | 'readBack'
  | 'deleteExchange'
  | 'deleted'
  | 'updateExchange'
  | 'newClientName'
> {
  const response = ctx.exchange?.response;
  if (response === undefined)
    throw new ProtocolViolationError('MISSING_PARAMETER', 'The registration request has not been sent yet.');
  const { client, notes } = parseRegistrationResponse(response, 'register');
  return {
    client,
    notes,
    differences: ctx.sent === undefined ? [] : compareRegisteredMetadata(ctx.sent, client),
    readExchange: undefined,
    readBack: undefined,
    deleteExchange: undefined,
    deleted: undefined,
    updateExchange: undefined,
    newClientName: undefined,
  };
}

function managed(ctx: DynamicRegistrationContext): { uri: string; token: string } {
  const uri = ctx.client?.registration_client_uri;
  const token = ctx.client?.registration_access_token;
  if (typeof uri !== 'string' || typeof token !== 'string' || uri === '' || token === '')
    throw new ProtocolViolationError(
      'MISSING_PARAMETER',
      'This registration came without a registration_client_uri and registration_access_token (or they were not kept across a reload): it cannot be managed from here (RFC 7592 §3).',
    );
  return { uri, token };
}

/**
 * A request of step "manage": GET or DELETE at the registration_client_uri (empty before registering).
 * @see https://www.rfc-editor.org/rfc/rfc7592#section-2
 */
export function buildManagementRequest(
  ctx: DynamicRegistrationContext,
  method: 'GET' | 'DELETE',
): RecordedRequest {
  return buildClientConfigurationRequest(
    ctx.client?.registration_client_uri ?? '',
    ctx.client?.registration_access_token ?? '',
    method,
  );
}

/**
 * What a recorded management request shows in place of the registration access token once sent.
 * @see https://www.rfc-editor.org/rfc/rfc7592#section-3
 */
export const SENT_TOKEN_MARK = '(the registration access token: see the client information)';

/**
 * The exchange as kept: the Authorization header no longer carries the registration access token, so
 * no copy of it outlives the client information that holds it (as the password flow clears its password).
 * @see https://www.rfc-editor.org/rfc/rfc7592#section-3
 */
export function withoutRegistrationToken(exchange: HttpExchange): HttpExchange {
  const headers = exchange.request.headers.map(([name, value]): readonly [string, string] =>
    name.toLowerCase() === 'authorization' ? [name, `Bearer ${SENT_TOKEN_MARK}`] : [name, value],
  );
  return { ...exchange, request: { ...exchange.request, headers } };
}

/**
 * Step "manage", read: sends GET with the registration access token; the answer is read next.
 * @see https://www.rfc-editor.org/rfc/rfc7592#section-2.1
 */
export async function sendReadBack(
  ctx: DynamicRegistrationContext,
  deps: FlowDeps,
): Promise<Pick<DynamicRegistrationContext, 'readExchange' | 'readBack'>> {
  const { uri, token } = managed(ctx);
  const request = buildClientConfigurationRequest(uri, token, 'GET');
  const exchange = await send(request, decideRegistrationRoute(uri, ctx, deps), deps);
  return { readExchange: withoutRegistrationToken(exchange), readBack: undefined };
}

/**
 * Step "manage", read answer: 200 with the client information as the server holds it now.
 * @see https://www.rfc-editor.org/rfc/rfc7592#section-2.1
 */
export function readReadBack(ctx: DynamicRegistrationContext): Pick<DynamicRegistrationContext, 'readBack'> {
  const response = ctx.readExchange?.response;
  if (response === undefined)
    throw new ProtocolViolationError('MISSING_PARAMETER', 'The read request has not been sent yet.');
  return { readBack: parseRegistrationResponse(response, 'read').client };
}

/**
 * The update request of step "manage": the registered metadata with the new client_name (empty URL
 * before registering).
 * @see https://www.rfc-editor.org/rfc/rfc7592#section-2.2
 */
export function buildUpdateRequest(ctx: DynamicRegistrationContext): RecordedRequest {
  const current = ctx.readBack ?? ctx.client ?? { client_id: '' };
  return buildClientUpdateRequest(
    ctx.client?.registration_client_uri ?? '',
    ctx.client?.registration_access_token ?? '',
    current,
    { client_name: (ctx.newClientName ?? '').trim() },
  );
}

/**
 * Step "manage", update: sends PUT with the metadata as last read (or registered) and the new name.
 * @see https://www.rfc-editor.org/rfc/rfc7592#section-2.2
 */
export async function sendUpdate(
  ctx: DynamicRegistrationContext,
  deps: FlowDeps,
): Promise<Pick<DynamicRegistrationContext, 'updateExchange'>> {
  const { uri } = managed(ctx);
  if ((ctx.newClientName ?? '').trim() === '')
    throw new InvalidInputError('client_name', 'Type the new client_name to send.');
  const exchange = await send(buildUpdateRequest(ctx), decideRegistrationRoute(uri, ctx, deps), deps);
  return { updateExchange: withoutRegistrationToken(exchange) };
}

/**
 * Step "manage", update answer: 200 with the client as now registered; its values replace the old
 * ones (a rotated registration access token included, RFC 7592 §2.2).
 * @see https://www.rfc-editor.org/rfc/rfc7592#section-2.2
 */
export function readUpdate(
  ctx: DynamicRegistrationContext,
): Pick<DynamicRegistrationContext, 'client' | 'readBack'> {
  const response = ctx.updateExchange?.response;
  if (response === undefined)
    throw new ProtocolViolationError('MISSING_PARAMETER', 'The update request has not been sent yet.');
  const updated = parseRegistrationResponse(response, 'read').client;
  const client = { ...(ctx.client ?? updated), ...updated };
  return { client, readBack: updated };
}

/**
 * Step "manage", delete: sends DELETE with the registration access token; the answer is read next.
 * @see https://www.rfc-editor.org/rfc/rfc7592#section-2.3
 */
export async function sendDelete(
  ctx: DynamicRegistrationContext,
  deps: FlowDeps,
): Promise<Pick<DynamicRegistrationContext, 'deleteExchange' | 'deleted'>> {
  const { uri, token } = managed(ctx);
  const request = buildClientConfigurationRequest(uri, token, 'DELETE');
  const exchange = await send(request, decideRegistrationRoute(uri, ctx, deps), deps);
  return { deleteExchange: withoutRegistrationToken(exchange), deleted: undefined };
}

/**
 * Step "manage", delete answer: 204 No Content; from then on the client id no longer works.
 * @see https://www.rfc-editor.org/rfc/rfc7592#section-2.3
 */
export function readDelete(
  ctx: DynamicRegistrationContext,
): Pick<DynamicRegistrationContext, 'deleted' | 'notes'> {
  const response = ctx.deleteExchange?.response;
  if (response === undefined)
    throw new ProtocolViolationError('MISSING_PARAMETER', 'The delete request has not been sent yet.');
  const { notes } = parseDeleteResponse(response);
  return { deleted: true, notes: [...(ctx.notes ?? []), ...notes] };
}
