/**
 * The device authorization grant (RFC 8628), pure: building its two requests, reading the device
 * authorization response, and the polling schedule as a small state machine. Time is always passed
 * in (`now`, in milliseconds), so the schedule runs in tests without a clock; timers live in the UI.
 * @see https://www.rfc-editor.org/rfc/rfc8628
 */
import type { QueryParameter } from './authorize.ts';
import { LabError, ProtocolViolationError, TokenEndpointError, type OAuthErrorFields } from './errors.ts';
import type { RecordedRequest, RecordedResponse } from './http.ts';
import { buildTokenRequest, parseTokenResponse, type TokenResponse } from './token.ts';

/**
 * The grant type a device polls the token endpoint with.
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.4
 */
export const DEVICE_CODE_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:device_code';

/**
 * Seconds between polls when the server names no `interval`.
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.2
 */
export const DEFAULT_POLL_INTERVAL_SECONDS = 5;

/**
 * Seconds added to the interval on each `slow_down`.
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.5
 */
export const SLOW_DOWN_INCREMENT_SECONDS = 5;

/**
 * A device authorization response, wire names as RFC 8628 spells them, plus Entra's `message`.
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.2
 */
export interface DeviceAuthorizationResponse {
  readonly device_code: string;
  readonly user_code: string;
  readonly verification_uri: string;
  readonly verification_uri_complete?: string;
  readonly expires_in: number;
  /** Always set after parsing: the server's value, or 5 when it sent none. */
  readonly interval: number;
  /** Entra's sentence for the user, naming the page and the code. */
  readonly message?: string;
  readonly [param: string]: unknown;
}

/**
 * The device authorization request: a form POST of `client_id` and `scope`, no client secret
 * (device code clients are public clients).
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.1
 */
export function buildDeviceAuthorizationRequest(
  endpoint: string,
  clientId: string,
  scope: string,
): RecordedRequest {
  return buildTokenRequest(
    endpoint,
    [
      ['client_id', clientId],
      ['scope', scope],
    ],
    { method: 'none' },
  );
}

/**
 * The poll: the device code redeemed at the token endpoint.
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.4
 */
export function buildDeviceTokenRequest(
  tokenEndpoint: string,
  clientId: string,
  deviceCode: string,
): RecordedRequest {
  const parameters: QueryParameter[] = [
    ['grant_type', DEVICE_CODE_GRANT_TYPE],
    ['client_id', clientId],
    ['device_code', deviceCode],
  ];
  return buildTokenRequest(tokenEndpoint, parameters, { method: 'none' });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(message: string, cause?: unknown): ProtocolViolationError {
  return new ProtocolViolationError('INVALID_RESPONSE', message, cause === undefined ? undefined : { cause });
}

/** A whole number of seconds, from a JSON number or a numeric string; undefined when it is neither. */
function readSeconds(value: unknown): number | undefined {
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^\d+$/.test(value)
        ? Number(value)
        : NaN;
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

function isAbsoluteHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

/**
 * Reads the device authorization response: an error body becomes a `TokenEndpointError` with the
 * server's fields; a success must carry `device_code`, `user_code`, `verification_uri` and
 * `expires_in`; `interval` defaults to 5 seconds.
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.2
 */
export function parseDeviceAuthorizationResponse(
  response: Pick<RecordedResponse, 'status' | 'body'>,
): DeviceAuthorizationResponse {
  let json: unknown;
  try {
    json = JSON.parse(response.body);
  } catch (cause) {
    throw invalid(
      `The device code endpoint answered HTTP ${response.status} with ${response.body.trim() === '' ? 'an empty body' : 'text that is not JSON'}.`,
      cause,
    );
  }
  if (!isObject(json)) {
    throw invalid(
      `The device code endpoint answered HTTP ${response.status} with JSON that is not an object.`,
    );
  }
  // RFC 8628 §3.2: errors use the token endpoint's error format (RFC 6749 §5.2).
  if (typeof json['error'] === 'string') {
    throw new TokenEndpointError(response.status, json as OAuthErrorFields, response.body);
  }
  if (response.status < 200 || response.status > 299) {
    throw invalid(`The device code endpoint answered HTTP ${response.status} without an OAuth error field.`);
  }
  // RFC 8628 §3.2: device_code, user_code, verification_uri and expires_in are REQUIRED.
  for (const field of ['device_code', 'user_code', 'verification_uri'] as const) {
    if (typeof json[field] !== 'string' || json[field] === '') {
      throw invalid(
        `The device authorization response has no “${field}” string (RFC 8628 §3.2 requires it).`,
      );
    }
  }
  const verificationUri = json['verification_uri'] as string;
  if (!isAbsoluteHttpUrl(verificationUri)) {
    throw invalid(`“verification_uri” should be an http(s) URL, not ${JSON.stringify(verificationUri)}.`);
  }
  if (json['expires_in'] === undefined) {
    throw invalid('The device authorization response has no “expires_in” (RFC 8628 §3.2 requires it).');
  }
  const expiresIn = readSeconds(json['expires_in']);
  if (expiresIn === undefined || expiresIn === 0) {
    throw invalid(
      `“expires_in” should be a positive number of seconds, not ${JSON.stringify(json['expires_in'])}.`,
    );
  }
  // RFC 8628 §3.2: interval is OPTIONAL; when absent the client MUST use 5 seconds.
  const interval =
    json['interval'] === undefined ? DEFAULT_POLL_INTERVAL_SECONDS : readSeconds(json['interval']);
  if (interval === undefined) {
    throw invalid(`“interval” should be a number of seconds, not ${JSON.stringify(json['interval'])}.`);
  }
  const complete = json['verification_uri_complete'];
  if (complete !== undefined && (typeof complete !== 'string' || !isAbsoluteHttpUrl(complete))) {
    throw invalid(`“verification_uri_complete” should be an http(s) URL, not ${JSON.stringify(complete)}.`);
  }
  const message = json['message'];
  if (message !== undefined && typeof message !== 'string') {
    throw invalid(`“message” should be a string, not ${JSON.stringify(message)}.`);
  }
  return {
    ...json,
    device_code: json['device_code'] as string,
    user_code: json['user_code'] as string,
    verification_uri: verificationUri,
    expires_in: expiresIn,
    // A server asking for 0 s would have the client hammer it; poll no faster than once a second.
    interval: Math.max(interval, 1),
  };
}

/**
 * What one poll of the token endpoint says, in RFC 8628's vocabulary.
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.5
 */
export type PollResult =
  | { readonly kind: 'tokens'; readonly tokens: TokenResponse }
  | { readonly kind: 'authorization_pending' }
  | { readonly kind: 'slow_down' }
  /** Any other answer ends the polling: declined, expired, unknown code, or anything unforeseen. */
  | { readonly kind: 'stop'; readonly error: LabError };

/**
 * Classifies a poll's response: tokens, one of the two "keep polling" errors, or a stop.
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.5
 */
export function parsePollResponse(response: Pick<RecordedResponse, 'status' | 'body'>): PollResult {
  try {
    return { kind: 'tokens', tokens: parseTokenResponse(response) };
  } catch (error) {
    if (error instanceof TokenEndpointError) {
      // RFC 8628 §3.5: authorization_pending and slow_down mean "not yet"; every other error is final.
      if (error.fields.error === 'authorization_pending') return { kind: 'authorization_pending' };
      if (error.fields.error === 'slow_down') return { kind: 'slow_down' };
      return { kind: 'stop', error };
    }
    if (error instanceof ProtocolViolationError) return { kind: 'stop', error };
    throw error;
  }
}

/**
 * Where the polling stands.
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.5
 */
export type PollingStatus = 'polling' | 'succeeded' | 'stopped' | 'expired' | 'cancelled';

/**
 * The polling schedule of one device code. Times are epoch milliseconds.
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.5
 */
export interface PollingState {
  readonly status: PollingStatus;
  /** The current interval in seconds: the server's, grown by 5 s on each `slow_down`. */
  readonly intervalSeconds: number;
  readonly issuedAt: number;
  /** When the device code expires (`issuedAt` + `expires_in`); no poll is sent at or after it. */
  readonly expiresAt: number;
  /** When the next poll is due. */
  readonly nextPollAt: number;
  /** Polls answered so far. */
  readonly polls: number;
  readonly slowDowns: number;
  /** A poll is on the wire: no second one may start until it is answered. */
  readonly inFlight: boolean;
  /** The last answer's kind (`authorization_pending`, `slow_down`, `tokens`, an error), for display. */
  readonly lastResult?: string;
}

/**
 * The schedule right after the device code is issued: the first poll waits one interval, as the
 * user cannot have finished sooner.
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.4
 */
export function startPolling(
  authorization: Pick<DeviceAuthorizationResponse, 'expires_in' | 'interval'>,
  now: number,
): PollingState {
  return {
    status: 'polling',
    intervalSeconds: authorization.interval,
    issuedAt: now,
    expiresAt: now + authorization.expires_in * 1000,
    nextPollAt: now + authorization.interval * 1000,
    polls: 0,
    slowDowns: 0,
    inFlight: false,
  };
}

/**
 * Whether the device code has expired; an expired schedule stops, since the server would only answer
 * `expired_token`.
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.5
 */
export function checkExpiry(state: PollingState, now: number): PollingState {
  if (state.status !== 'polling' || now < state.expiresAt) return state;
  return { ...state, status: 'expired', inFlight: false };
}

/**
 * Milliseconds until the UI should act (send a poll, or stop at expiry); undefined once polling ended.
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.5
 */
export function nextPollDelay(state: PollingState, now: number): number | undefined {
  if (state.status !== 'polling' || state.inFlight) return undefined;
  return Math.max(0, Math.min(state.nextPollAt, state.expiresAt) - now);
}

/**
 * Whether a poll may be sent now: polling, none on the wire, the interval waited, not expired.
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.5
 */
export function isPollDue(state: PollingState, now: number): boolean {
  return state.status === 'polling' && !state.inFlight && now >= state.nextPollAt && now < state.expiresAt;
}

/**
 * Marks a poll as sent, so no second one starts before it is answered.
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.5
 */
export function beginPoll(state: PollingState): PollingState {
  return { ...state, inFlight: true };
}

/**
 * The schedule after a poll's answer, timed from when the answer arrived.
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.5
 */
export function applyPollResult(state: PollingState, result: PollResult, now: number): PollingState {
  if (state.status !== 'polling') return { ...state, inFlight: false };
  const polls = state.polls + 1;
  switch (result.kind) {
    case 'tokens':
      return { ...state, polls, inFlight: false, status: 'succeeded', lastResult: 'tokens' };
    case 'authorization_pending':
      // RFC 8628 §3.5: the client SHOULD keep polling, waiting the interval between requests.
      return checkExpiry(
        {
          ...state,
          polls,
          inFlight: false,
          nextPollAt: now + state.intervalSeconds * 1000,
          lastResult: 'authorization_pending',
        },
        now,
      );
    case 'slow_down': {
      // RFC 8628 §3.5: on slow_down the interval MUST grow by 5 seconds for this and all later requests.
      const intervalSeconds = state.intervalSeconds + SLOW_DOWN_INCREMENT_SECONDS;
      return checkExpiry(
        {
          ...state,
          polls,
          inFlight: false,
          intervalSeconds,
          slowDowns: state.slowDowns + 1,
          nextPollAt: now + intervalSeconds * 1000,
          lastResult: 'slow_down',
        },
        now,
      );
    }
    case 'stop':
      return {
        ...state,
        polls,
        inFlight: false,
        status: 'stopped',
        lastResult:
          result.error instanceof TokenEndpointError ? result.error.fields.error : result.error.code,
      };
  }
}

/**
 * Stops the schedule at the user's request. A poll already on the wire stays counted as in flight
 * until its answer arrives, and that answer changes nothing.
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.5
 */
export function cancelPolling(state: PollingState): PollingState {
  return state.status === 'polling' ? { ...state, status: 'cancelled' } : state;
}

/**
 * The device code ran out before the user finished, noticed by the client itself: it stops without
 * asking the server, which could only answer `expired_token`. Carries the fields that answer would
 * have, so it is explained the same way, and says it was the client's own check.
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.5
 */
export class DeviceCodeExpiredError extends LabError {
  readonly fields: OAuthErrorFields;

  constructor(expiresInSeconds: number) {
    const description = `Stopped by this app without asking the server: the device code's expires_in (${expiresInSeconds} s) has passed, so the server could only answer expired_token (RFC 8628 §3.5).`;
    super('DEVICE_CODE_EXPIRED', description);
    this.fields = { error: 'expired_token', error_description: description };
  }
}

/**
 * Ends the schedule after a failure that is not an OAuth answer (no answer at all, relay down):
 * polling on blindly would only repeat it.
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.5
 */
export function stopPolling(state: PollingState, reason: string): PollingState {
  return state.status === 'polling'
    ? { ...state, status: 'stopped', inFlight: false, lastResult: reason }
    : { ...state, inFlight: false };
}
