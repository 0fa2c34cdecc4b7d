/**
 * The device authorization grant: a device that cannot show a sign-in page (a CLI, a TV) gets a
 * short user code, the user signs in on another device, and the first device polls for the tokens.
 * @see https://www.rfc-editor.org/rfc/rfc8628
 */
import type { RequestWarning } from '../protocol/authorize.ts';
import {
  applyPollResult,
  beginPoll,
  buildDeviceAuthorizationRequest,
  buildDeviceTokenRequest,
  checkExpiry,
  DeviceCodeExpiredError,
  parseDeviceAuthorizationResponse,
  parsePollResponse,
  startPolling,
  type DeviceAuthorizationResponse,
  type PollingState,
} from '../protocol/device.ts';
import { requireEndpoint, resolveEndpoints, type Endpoints } from '../protocol/endpoints.ts';
import { ProtocolViolationError } from '../protocol/errors.ts';
import type { HttpExchange, RecordedRequest } from '../protocol/http.ts';
import type { TokenResponse } from '../protocol/token.ts';
import type { Route } from '../protocol/transport.ts';
import { catalogueEntry } from './registry.ts';
import type { FlowDeps } from './runner.ts';
import { relayRoute, sendTokenRequest } from './token-request.ts';
import type { FlowDefinition, ParameterDefinition } from './types.ts';

/**
 * The device authorization request's parameters the page shows as fields.
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.1
 */
export const DEVICE_CODE_PARAMETERS: readonly ParameterDefinition[] = [
  {
    name: 'tenant',
    required: true,
    spec: 'Entra: path of the endpoints',
    explanation:
      'The tenant id or domain, or organizations / common, in the endpoint’s path: whose users may sign in.',
  },
  {
    name: 'client_id',
    required: true,
    spec: 'RFC 8628 §3.1',
    explanation:
      'The app registration’s id. It must be a public client: in Entra, “Allow public client flows” on.',
  },
  {
    name: 'scope',
    required: true,
    spec: 'RFC 8628 §3.1',
    explanation:
      'What you ask for, space-separated: openid → ID token, offline_access → refresh token, the rest names one API.',
  },
];

/**
 * The flow as data: steps and sequence diagram.
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-1
 */
export const deviceCodeFlow = {
  ...catalogueEntry('device-code'),
  steps: [
    {
      id: 'request',
      title: 'Request a device code',
      spec: 'RFC 8628 §3.1–3.2',
      why: 'The device asks the authorization server for a pair of codes: a long device code it keeps to itself, and a short user code for the person.',
      inputs: ['clientId', 'scope', 'authorityOrigin', 'tenant', 'endpoints'],
    },
    {
      id: 'show-code',
      title: 'Show the code to the user',
      spec: 'RFC 8628 §3.3',
      why: 'The device cannot sign anyone in itself, so it tells the person where to go and what to type. They finish on a phone or laptop that has a browser.',
      inputs: ['authorization'],
    },
    {
      id: 'poll',
      title: 'Poll for the tokens',
      spec: 'RFC 8628 §3.4–3.5',
      why: 'Meanwhile the device asks the token endpoint, every interval seconds, whether the user has finished. “Not yet” is an answer, not a failure.',
      inputs: ['authorization'],
    },
    {
      id: 'tokens',
      title: 'Read the tokens',
      spec: 'RFC 8628 §3.5 · RFC 6749 §5.1',
      why: 'Once the user has signed in and agreed, the next poll returns the tokens, just like any other token response.',
      inputs: ['tokens'],
    },
  ],
  diagram: {
    actors: [
      { id: 'device', label: 'Device (this app)' },
      { id: 'as', label: 'Authorization server' },
      { id: 'user', label: 'User on a second device' },
    ],
    messages: [
      { from: 'device', to: 'as', text: 'POST /devicecode client_id, scope', step: 'request', http: true },
      {
        from: 'as',
        to: 'device',
        text: 'device_code, user_code, verification_uri, interval',
        step: 'request',
        reply: true,
        http: true,
      },
      { from: 'device', to: 'user', text: 'Show user_code and the verification URI', step: 'show-code' },
      { from: 'user', to: 'as', text: 'Open the URI, enter user_code', step: 'show-code' },
      { from: 'user', to: 'as', text: 'Sign in, consent', step: 'poll' },
      {
        from: 'device',
        to: 'as',
        text: 'POST /token device_code (every interval)',
        step: 'poll',
        http: true,
      },
      {
        from: 'as',
        to: 'device',
        text: 'authorization_pending or slow_down, at last the tokens',
        step: 'poll',
        reply: true,
        http: true,
      },
      // The tokens arrive as the answer to the last poll (drawn above); this step reads them.
      { from: 'device', to: 'device', text: 'Read access, ID and refresh tokens', step: 'tokens' },
    ],
  },
} as const satisfies FlowDefinition;

/**
 * Everything one run knows. The device code and the tokens are secrets: memory only.
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-5.2
 */
export interface DeviceCodeContext {
  /** The authority's origin: the sandbox or Entra's sign-in host. */
  readonly authorityOrigin: string;
  readonly tenant: string;
  /** Endpoints fixed by the settings (generic issuer or typed by hand): the tenant then plays no part. */
  readonly endpoints?: Endpoints | undefined;
  readonly clientId: string;
  readonly scope: string;
  readonly requestExchange?: HttpExchange | undefined;
  readonly authorization?: DeviceAuthorizationResponse | undefined;
  readonly polling?: PollingState | undefined;
  /** The latest poll's exchange (earlier ones only differ in their time). */
  readonly lastPoll?: HttpExchange | undefined;
  readonly tokens?: TokenResponse | undefined;
}

/**
 * Default scope: an ID token, a refresh token and Graph's User.Read.
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.1
 */
export const DEFAULT_DEVICE_SCOPE = 'openid profile offline_access User.Read';

/**
 * A new run's starting values.
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.1
 */
export function createDeviceCodeContext(input: {
  authorityOrigin: string;
  tenant: string;
  clientId: string;
  endpoints?: Endpoints;
}): DeviceCodeContext {
  return {
    authorityOrigin: input.authorityOrigin,
    tenant: input.tenant,
    ...(input.endpoints === undefined ? {} : { endpoints: input.endpoints }),
    clientId: input.clientId,
    scope: DEFAULT_DEVICE_SCOPE,
  };
}

/**
 * The device authorization endpoint and the token endpoint of the run's authority and tenant.
 * Throws an `InvalidInputError` when the authority has no device authorization endpoint.
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-4
 */
export function deviceEndpointsOf(ctx: Pick<DeviceCodeContext, 'authorityOrigin' | 'tenant' | 'endpoints'>): {
  deviceAuthorization: string;
  token: string;
} {
  const endpoints = resolveEndpoints(ctx);
  return {
    deviceAuthorization: requireEndpoint(endpoints, 'deviceAuthorization'),
    // Empty when the authority has none: sendTokenRequest then refuses before anything is sent.
    token: endpoints.token ?? '',
  };
}

/**
 * Whether the run's authority offers the device authorization grant at all.
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-4
 */
export function offersDeviceCode(
  ctx: Pick<DeviceCodeContext, 'authorityOrigin' | 'tenant' | 'endpoints'>,
): boolean {
  return resolveEndpoints(ctx).deviceAuthorization !== undefined;
}

/**
 * Both requests go through the relay: Entra's device code endpoint sends no CORS headers, and its
 * token endpoint refuses a browser for any client that is not an SPA (AADSTS9002326).
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.4
 */
export function decideDeviceRoute(
  kind: 'devicecode' | 'token',
  deps: Pick<FlowDeps, 'relayAvailable' | 'relayToken'>,
): Route {
  return relayRoute(
    kind === 'devicecode'
      ? 'Entra’s device code endpoint is not CORS-enabled: a browser page cannot read its answer.'
      : 'Polling redeems the device code for a public client that is not an SPA: Entra refuses that from a browser (AADSTS9002326).',
    deps,
  );
}

/**
 * What a careful client would say before requesting a code.
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.1
 */
export function validateDeviceAuthorizationRequest(ctx: DeviceCodeContext): RequestWarning[] {
  const warnings: RequestWarning[] = [];
  if (ctx.endpoints === undefined && ctx.tenant.trim() === '')
    warnings.push({ parameter: 'tenant', message: 'The tenant is empty.' });
  if (ctx.clientId.trim() === '')
    warnings.push({ parameter: 'client_id', message: 'The client id is empty.' });
  if (ctx.scope.trim() === '') {
    warnings.push({ parameter: 'scope', message: 'The scope is empty; Entra requires one (AADSTS900144).' });
  } else if (!/(^|\s)offline_access(\s|$)/.test(ctx.scope)) {
    warnings.push({
      parameter: 'scope',
      message:
        'No offline_access: you will get no refresh token, so the user must sign in on the other device again.',
    });
  }
  return warnings;
}

/**
 * Step "request": the device authorization request, before it is sent.
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.1
 */
export function buildDeviceCodeRequest(ctx: DeviceCodeContext): RecordedRequest {
  return buildDeviceAuthorizationRequest(deviceEndpointsOf(ctx).deviceAuthorization, ctx.clientId, ctx.scope);
}

/**
 * Step "request", first half: sends the request through the relay; any earlier code is forgotten.
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.1
 */
export async function sendDeviceCodeRequest(
  ctx: DeviceCodeContext,
  deps: FlowDeps,
): Promise<Partial<DeviceCodeContext>> {
  const exchange = await sendTokenRequest(
    buildDeviceCodeRequest(ctx),
    decideDeviceRoute('devicecode', deps),
    deps,
  );
  return {
    requestExchange: exchange,
    authorization: undefined,
    polling: undefined,
    lastPoll: undefined,
    tokens: undefined,
  };
}

/**
 * Step "request", second half: reads the codes and starts the polling schedule.
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.2
 */
export function readDeviceCodeResponse(
  ctx: DeviceCodeContext,
  deps: Pick<FlowDeps, 'now'>,
): Pick<DeviceCodeContext, 'authorization' | 'polling'> {
  const response = ctx.requestExchange?.response;
  if (response === undefined) {
    throw new ProtocolViolationError(
      'INVALID_RESPONSE',
      'No answer from the device code endpoint was recorded.',
    );
  }
  const authorization = parseDeviceAuthorizationResponse(response);
  return { authorization, polling: startPolling(authorization, deps.now()) };
}

/**
 * The poll request, before it is sent (also shown as a preview).
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.4
 */
export function buildPollRequest(ctx: DeviceCodeContext): RecordedRequest {
  return buildDeviceTokenRequest(
    resolveEndpoints(ctx).token ?? '',
    ctx.clientId,
    ctx.authorization?.device_code ?? '',
  );
}

/**
 * Marks a poll as on the wire, so the caller can store it before awaiting: no second poll starts.
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.5
 */
export function beginPollStep(ctx: DeviceCodeContext): Pick<DeviceCodeContext, 'polling'> {
  return { polling: ctx.polling === undefined ? undefined : beginPoll(ctx.polling) };
}

/**
 * Step "poll": one poll of the token endpoint and the schedule it leads to. OAuth errors are not
 * thrown here: pending and slow_down keep the schedule going, the others stop it (see `readPollOutcome`).
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.4
 */
export async function sendPoll(
  ctx: DeviceCodeContext,
  deps: FlowDeps,
): Promise<Pick<DeviceCodeContext, 'lastPoll' | 'polling' | 'tokens'>> {
  if (ctx.authorization === undefined || ctx.polling === undefined) {
    throw new ProtocolViolationError('MISSING_PARAMETER', 'There is no device code yet: request one first.');
  }
  const exchange = await sendTokenRequest(buildPollRequest(ctx), decideDeviceRoute('token', deps), deps);
  if (exchange.response === undefined) {
    throw new ProtocolViolationError('INVALID_RESPONSE', 'No answer to the poll was recorded.');
  }
  const result = parsePollResponse(exchange.response);
  return {
    lastPoll: exchange,
    polling: applyPollResult(ctx.polling, result, deps.now()),
    tokens: result.kind === 'tokens' ? result.tokens : undefined,
  };
}

/**
 * What a poll's answer changes in the run as it is now: nothing when a new code was requested
 * meanwhile; only the in-flight mark when polling was cancelled meanwhile; otherwise the answer.
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.5
 */
export function mergePollAnswer(
  latest: DeviceCodeContext,
  sentDeviceCode: string,
  answer: Partial<DeviceCodeContext>,
): Partial<DeviceCodeContext> {
  if (latest.polling === undefined || latest.authorization?.device_code !== sentDeviceCode) return {};
  if (latest.polling.status !== 'polling') return { polling: { ...latest.polling, inFlight: false } };
  return answer;
}

/**
 * Whether the code has run out (RFC 8628 §3.5); the UI calls it when the expiry timer fires.
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.5
 */
export function checkDeviceCodeExpiry(
  ctx: DeviceCodeContext,
  deps: Pick<FlowDeps, 'now'>,
): Pick<DeviceCodeContext, 'polling'> {
  return { polling: ctx.polling === undefined ? undefined : checkExpiry(ctx.polling, deps.now()) };
}

/**
 * After a poll: the tokens once they came, nothing while polling goes on, and the reason as a typed
 * error once polling stopped — the server's error verbatim, or the client's own expiry check.
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.5
 */
export function readPollOutcome(ctx: DeviceCodeContext): Pick<DeviceCodeContext, 'tokens'> {
  const polling = ctx.polling;
  if (polling === undefined) return {};
  if (polling.status === 'succeeded' && ctx.tokens !== undefined) return { tokens: ctx.tokens };
  if (polling.status === 'expired') throw new DeviceCodeExpiredError(ctx.authorization?.expires_in ?? 0);
  if (polling.status === 'stopped' && ctx.lastPoll?.response !== undefined) {
    const result = parsePollResponse(ctx.lastPoll.response);
    if (result.kind === 'stop') throw result.error;
  }
  return {};
}

/**
 * Seconds, rounded up, for countdowns to the next poll and to expiry.
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.5
 */
export function secondsUntil(at: number, now: number): number {
  return Math.max(0, Math.ceil((at - now) / 1000));
}
