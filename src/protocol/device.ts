/**
 * The device authorization grant (RFC 8628), pure: building its two requests, reading the device
 * authorization response, and the polling schedule as a small state machine. Time is always passed
 * in (`now`, in milliseconds), so the schedule runs in tests without a clock; timers live in the UI.
 * @see https://www.rfc-editor.org/rfc/rfc8628
 */
import type { QueryParameter } from './authorize.ts';
import { LabError, ProtocolViolationError, TokenEndpointError, type OAuthErrorFields } from './errors.ts';
import type { RecordedRequest, RecordedResponse } from './http.ts';
import { quoteForMessage } from './quote.ts';
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
 * A device authorization response, wire names as RFC 8628 spells them, plus Entra's `message`. Values
 * a real server sent under another name or type are found, converted, and listed in `deviations`.
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
  /**
   * Where the server departed from RFC 8628 and how it was read anyway, in plain words (e.g. Google's
   * `verification_url`). Empty when the answer was exactly as the RFC spells it.
   */
  readonly deviations: readonly string[];
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

/** A whole number of seconds, from a JSON number or a numeric string ("1800", " 1800 "); undefined when it is neither. */
function readSeconds(value: unknown): number | undefined {
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^\s*\d+\s*$/.test(value)
        ? Number(value)
        : NaN;
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
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
 * The names servers use for each RFC 8628 field, the RFC's first. `verification_url` is Google's (and
 * draft-ietf-oauth-device-flow up to -06); `verification_url_complete` follows it.
 * @see https://developers.google.com/identity/protocols/oauth2/limited-input-device#step-2:-handle-the-authorization-server-response
 */
const FIELD_NAMES = {
  device_code: ['device_code'],
  user_code: ['user_code'],
  verification_uri: ['verification_uri', 'verification_url'],
  verification_uri_complete: ['verification_uri_complete', 'verification_url_complete'],
  expires_in: ['expires_in'],
  interval: ['interval'],
  message: ['message'],
} as const;

const WHO_USES: Readonly<Record<string, string>> = {
  verification_url: 'Google’s name, from early drafts of the RFC',
  verification_url_complete: 'the early drafts’ name',
};

/** The first of `names` present in `json`, with the name it was found under. */
function pick(
  json: Record<string, unknown>,
  names: readonly string[],
): { readonly name: string; readonly value: unknown } | undefined {
  for (const name of names)
    if (json[name] !== undefined && json[name] !== null) return { name, value: json[name] };
  return undefined;
}

/** Reads a JSON object, or (as GitHub answers unless asked for JSON) form-encoded pairs. */
function readBodyObject(
  body: string,
): { readonly json: Record<string, unknown>; readonly form: boolean } | { readonly problem: string } {
  // A UTF-8 byte order mark is not JSON, but some servers put one first.
  const text = body.replace(/^\uFEFF/, '');
  try {
    const json: unknown = JSON.parse(text);
    return isObject(json) ? { json, form: false } : { problem: 'JSON that is not an object' };
  } catch {
    // RFC 8628 §3.2 says JSON (RFC 6749 §5.1's format); GitHub sends form-encoding unless asked for JSON.
    const trimmed = text.trim();
    if (/^[A-Za-z0-9_.-]+=[^\s]*(&[A-Za-z0-9_.-]+=[^\s]*)*$/.test(trimmed)) {
      const json = Object.create(null) as Record<string, unknown>;
      for (const [name, value] of new URLSearchParams(trimmed)) if (!(name in json)) json[name] = value;
      return { json, form: true };
    }
    return {
      problem:
        trimmed === ''
          ? 'an empty body'
          : trimmed.startsWith('<')
            ? 'an HTML page, not JSON (often a login page, a proxy or a wrong URL)'
            : 'text that is not JSON',
    };
  }
}

/**
 * Reads the device authorization response: an error body becomes a `TokenEndpointError` with the
 * server's fields; a success must carry a device code, a user code, a verification URI and a lifetime,
 * under the RFC's names or the other names real servers use (said in `deviations`); `interval`
 * defaults to 5 seconds.
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.2
 */
export function parseDeviceAuthorizationResponse(
  response: Pick<RecordedResponse, 'status' | 'body'>,
): DeviceAuthorizationResponse {
  const read = readBodyObject(response.body);
  if ('problem' in read) {
    throw invalid(`The device code endpoint answered HTTP ${response.status} with ${read.problem}.`);
  }
  const { json } = read;
  const deviations: string[] = [];
  if (read.form) {
    deviations.push(
      'The server answered form-encoded (name=value&…) instead of JSON (RFC 8628 §3.2); GitHub does this unless asked for JSON. Read it anyway.',
    );
  }
  // RFC 8628 §3.2: errors use the token endpoint's error format (RFC 6749 §5.2).
  if (typeof json['error'] === 'string') {
    throw new TokenEndpointError(response.status, json as OAuthErrorFields, response.body);
  }
  if (response.status < 200 || response.status > 299) {
    throw invalid(`The device code endpoint answered HTTP ${response.status} without an OAuth error field.`);
  }
  const found = (field: keyof typeof FIELD_NAMES) => {
    const hit = pick(json, FIELD_NAMES[field]);
    if (hit !== undefined && hit.name !== field) {
      deviations.push(
        `The server sent ${hit.name} (${WHO_USES[hit.name] ?? 'not the RFC’s name'}) instead of RFC 8628’s ${field}; read it as ${field}.`,
      );
    }
    return hit;
  };
  /** A required code: a non-empty string. */
  const code = (field: 'device_code' | 'user_code'): string => {
    const hit = found(field);
    if (hit === undefined || hit.value === '') {
      throw invalid(
        `The device authorization response has no “${field}” (RFC 8628 §3.2 requires it), so there is ${field === 'user_code' ? 'no code to show the user' : 'nothing to poll with'}.`,
      );
    }
    if (typeof hit.value !== 'string') {
      throw invalid(`“${field}” should be a string, not ${quoteForMessage(hit.value)}.`);
    }
    return hit.value;
  };
  const deviceCode = code('device_code');
  const userCode = code('user_code');

  const url = (field: 'verification_uri' | 'verification_uri_complete'): string | undefined => {
    const hit = found(field);
    if (hit === undefined) return undefined;
    if (typeof hit.value !== 'string' || hit.value.trim() === '') {
      throw invalid(`“${hit.name}” should be an http(s) URL, not ${quoteForMessage(hit.value)}.`);
    }
    const value = hit.value.trim();
    if (isAbsoluteHttpUrl(value)) return value;
    // "example.com/device": a host and path without a scheme; a page the user opens is https.
    if (/^[a-z0-9-]+(\.[a-z0-9-]+)+(:\d+)?(\/\S*)?$/i.test(value) && isAbsoluteHttpUrl(`https://${value}`)) {
      deviations.push(
        `“${hit.name}” had no scheme (${quoteForMessage(value)}); read it as https://${value}.`,
      );
      return `https://${value}`;
    }
    // Only http(s) is ever shown as a link: a javascript: or data: URL would run in this page.
    throw invalid(`“${hit.name}” should be an http(s) URL, not ${quoteForMessage(value)}.`);
  };
  const complete = url('verification_uri_complete');
  let verificationUri = url('verification_uri');
  if (verificationUri === undefined) {
    if (complete === undefined) {
      throw invalid(
        'The device authorization response has no “verification_uri” (nor Google’s “verification_url”): RFC 8628 §3.2 requires the address where the user types the code.',
      );
    }
    deviations.push(
      'The server sent only verification_uri_complete, not the verification_uri RFC 8628 §3.2 requires; its address is used for both.',
    );
    verificationUri = complete;
  }

  const expires = found('expires_in');
  if (expires === undefined) {
    throw invalid(
      'The device authorization response has no “expires_in” (RFC 8628 §3.2 requires it), so there is no telling how long to poll.',
    );
  }
  const expiresIn = readSeconds(expires.value);
  if (expiresIn === undefined || expiresIn === 0) {
    throw invalid(
      `“expires_in” should be a positive number of seconds, not ${quoteForMessage(expires.value)}.`,
    );
  }
  if (typeof expires.value === 'string') {
    deviations.push(
      `“expires_in” came as the string ${quoteForMessage(expires.value)}, not a number; read it as ${expiresIn} s.`,
    );
  }
  // RFC 8628 §3.2: interval is OPTIONAL; "If no value is provided, clients MUST use 5 as the default."
  const intervalHit = found('interval');
  const interval = intervalHit === undefined ? DEFAULT_POLL_INTERVAL_SECONDS : readSeconds(intervalHit.value);
  if (interval === undefined) {
    throw invalid(`“interval” should be a number of seconds, not ${quoteForMessage(intervalHit?.value)}.`);
  }
  if (intervalHit !== undefined && typeof intervalHit.value === 'string') {
    deviations.push(
      `“interval” came as the string ${quoteForMessage(intervalHit.value)}, not a number; read it as ${interval} s.`,
    );
  }
  const messageHit = found('message');
  let message: string | undefined;
  if (messageHit !== undefined) {
    if (typeof messageHit.value !== 'string') {
      throw invalid(`“message” should be a string, not ${quoteForMessage(messageHit.value)}.`);
    }
    message = messageHit.value;
  }
  const { message: _dropped, ...rest } = json;
  return {
    ...rest,
    device_code: deviceCode,
    user_code: userCode,
    verification_uri: verificationUri,
    ...(complete === undefined ? {} : { verification_uri_complete: complete }),
    expires_in: expiresIn,
    // A server asking for 0 s would have the client hammer it; poll no faster than once a second.
    interval: Math.max(interval, 1),
    ...(message === undefined ? {} : { message }),
    deviations,
  };
}

/**
 * A poll answer in form-encoding (GitHub's default, even for `authorization_pending`) as the JSON text
 * RFC 6749 §5.1 / §5.2 specify, so the token response reader sees one format. JSON is left as it is.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.1
 */
export function normalizePollBody(body: string): string {
  const read = readBodyObject(body);
  return 'json' in read && read.form ? JSON.stringify(read.json) : body;
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
    return {
      kind: 'tokens',
      tokens: parseTokenResponse({ status: response.status, body: normalizePollBody(response.body) }),
    };
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
