import { describe, expect, test } from 'vitest';
import {
  applyPollResult,
  beginPoll,
  buildDeviceAuthorizationRequest,
  buildDeviceTokenRequest,
  cancelPolling,
  checkExpiry,
  DEVICE_CODE_GRANT_TYPE,
  DeviceCodeExpiredError,
  isPollDue,
  nextPollDelay,
  parseDeviceAuthorizationResponse,
  parsePollResponse,
  startPolling,
  stopPolling,
  type PollResult,
} from './device.ts';
import { ProtocolViolationError, TokenEndpointError } from './errors.ts';

const T0 = 1_700_000_000_000;
const PENDING: PollResult = { kind: 'authorization_pending' };
const SLOW_DOWN: PollResult = { kind: 'slow_down' };

function ok(body: unknown, status = 200) {
  return { status, body: typeof body === 'string' ? body : JSON.stringify(body) };
}

const ENTRA_LIKE = {
  user_code: 'ABCD2EFGH',
  device_code: 'DAQABAAEAAAD',
  verification_uri: 'https://microsoft.com/devicelogin',
  expires_in: 900,
  interval: 5,
  message:
    'To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code ABCD2EFGH to authenticate.',
};

function invalidMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ProtocolViolationError);
    expect((error as ProtocolViolationError).code).toBe('INVALID_RESPONSE');
    return (error as Error).message;
  }
  throw new Error('expected a throw');
}

describe('requests', () => {
  test('RFC 8628 §3.1: device authorization request is a form POST of client_id and scope', () => {
    const request = buildDeviceAuthorizationRequest(
      'https://as/t/oauth2/v2.0/devicecode',
      'cid',
      'openid User.Read',
    );
    expect(request.method).toBe('POST');
    expect(request.body).toBe('client_id=cid&scope=openid+User.Read');
    expect(request.secretFields).toEqual([]);
  });

  test('RFC 8628 §3.4: the poll carries the device_code grant type, client_id and device_code (a secret)', () => {
    const request = buildDeviceTokenRequest('https://as/t/oauth2/v2.0/token', 'cid', 'dc-1');
    const body = new URLSearchParams(request.body);
    expect(body.get('grant_type')).toBe(DEVICE_CODE_GRANT_TYPE);
    expect(DEVICE_CODE_GRANT_TYPE).toBe('urn:ietf:params:oauth:grant-type:device_code');
    expect(body.get('client_id')).toBe('cid');
    expect(body.get('device_code')).toBe('dc-1');
    expect(request.secretFields).toContain('device_code');
  });
});

describe('parseDeviceAuthorizationResponse (RFC 8628 §3.2)', () => {
  test('reads an Entra-shaped answer, keeping message', () => {
    const parsed = parseDeviceAuthorizationResponse(ok(ENTRA_LIKE));
    expect(parsed).toMatchObject(ENTRA_LIKE);
    expect(parsed.verification_uri_complete).toBeUndefined();
  });

  test('interval defaults to 5 seconds when absent', () => {
    const { interval: _dropped, ...rest } = ENTRA_LIKE;
    expect(parseDeviceAuthorizationResponse(ok(rest)).interval).toBe(5);
  });

  test('numeric strings are accepted for expires_in and interval', () => {
    const parsed = parseDeviceAuthorizationResponse(ok({ ...ENTRA_LIKE, expires_in: '900', interval: '10' }));
    expect(parsed.expires_in).toBe(900);
    expect(parsed.interval).toBe(10);
  });

  test('keeps verification_uri_complete when given', () => {
    const complete = 'https://example.com/device?user_code=ABCD2EFGH';
    expect(
      parseDeviceAuthorizationResponse(ok({ ...ENTRA_LIKE, verification_uri_complete: complete }))
        .verification_uri_complete,
    ).toBe(complete);
  });

  test.each(['device_code', 'user_code', 'verification_uri', 'expires_in'] as const)(
    'a missing %s is INVALID_RESPONSE naming the field',
    (field) => {
      const { [field]: _dropped, ...rest } = ENTRA_LIKE;
      expect(invalidMessage(() => parseDeviceAuthorizationResponse(ok(rest)))).toContain(field);
    },
  );

  test('a non-numeric interval is INVALID_RESPONSE', () => {
    expect(
      invalidMessage(() => parseDeviceAuthorizationResponse(ok({ ...ENTRA_LIKE, interval: 'soon' }))),
    ).toContain('interval');
    expect(
      invalidMessage(() => parseDeviceAuthorizationResponse(ok({ ...ENTRA_LIKE, interval: -5 }))),
    ).toContain('interval');
  });

  test('a zero or non-numeric expires_in is INVALID_RESPONSE', () => {
    expect(
      invalidMessage(() => parseDeviceAuthorizationResponse(ok({ ...ENTRA_LIKE, expires_in: 0 }))),
    ).toContain('expires_in');
    expect(
      invalidMessage(() => parseDeviceAuthorizationResponse(ok({ ...ENTRA_LIKE, expires_in: '15 min' }))),
    ).toContain('expires_in');
  });

  test('a verification_uri that is not an http(s) URL is INVALID_RESPONSE', () => {
    expect(
      invalidMessage(() =>
        parseDeviceAuthorizationResponse(ok({ ...ENTRA_LIKE, verification_uri: 'javascript:alert(1)' })),
      ),
    ).toContain('verification_uri');
    expect(
      invalidMessage(() =>
        parseDeviceAuthorizationResponse(ok({ ...ENTRA_LIKE, verification_uri_complete: 'not a url' })),
      ),
    ).toContain('verification_uri_complete');
  });

  test('non-JSON, non-object and non-2xx bodies are INVALID_RESPONSE', () => {
    expect(invalidMessage(() => parseDeviceAuthorizationResponse(ok('<html>')))).toContain('not JSON');
    expect(invalidMessage(() => parseDeviceAuthorizationResponse(ok('[]')))).toContain('not an object');
    expect(invalidMessage(() => parseDeviceAuthorizationResponse(ok({}, 500)))).toContain('HTTP 500');
  });

  test('an error body becomes TokenEndpointError with the fields verbatim', () => {
    const body = { error: 'invalid_client', error_description: 'AADSTS7000218: …', error_codes: [7000218] };
    expect(() => parseDeviceAuthorizationResponse(ok(body, 401))).toThrow(TokenEndpointError);
    try {
      parseDeviceAuthorizationResponse(ok(body, 401));
    } catch (error) {
      expect((error as TokenEndpointError).fields).toEqual(body);
      expect((error as TokenEndpointError).status).toBe(401);
    }
  });
});

describe('parsePollResponse (RFC 8628 §3.5)', () => {
  const error = (name: string, code: number) =>
    ok({ error: name, error_description: `AADSTS${code}: x`, error_codes: [code] }, 400);

  test('authorization_pending and slow_down keep polling', () => {
    expect(parsePollResponse(error('authorization_pending', 70016))).toEqual(PENDING);
    expect(parsePollResponse(error('slow_down', 50196))).toEqual(SLOW_DOWN);
  });

  test.each([
    ['expired_token', 70019],
    ['authorization_declined', 65004],
    ['access_denied', 65004],
    ['bad_verification_code', 70018],
    ['invalid_grant', 70000],
  ])('%s stops', (name, code) => {
    const result = parsePollResponse(error(name, code));
    expect(result.kind).toBe('stop');
    if (result.kind === 'stop') expect((result.error as TokenEndpointError).fields.error).toBe(name);
  });

  test('a token response is tokens; a broken one stops with INVALID_RESPONSE', () => {
    const tokens = parsePollResponse(ok({ access_token: 'at', token_type: 'Bearer' }));
    expect(tokens.kind).toBe('tokens');
    const broken = parsePollResponse(ok({ token_type: 'Bearer' }));
    expect(broken.kind === 'stop' && broken.error.code).toBe('INVALID_RESPONSE');
  });
});

describe('polling schedule (RFC 8628 §3.5)', () => {
  const authorization = { expires_in: 60, interval: 5 };

  test('the first poll waits one interval', () => {
    const state = startPolling(authorization, T0);
    expect(nextPollDelay(state, T0)).toBe(5000);
    expect(isPollDue(state, T0 + 4999)).toBe(false);
    expect(isPollDue(state, T0 + 5000)).toBe(true);
  });

  test('authorization_pending: wait the same interval again, counting polls', () => {
    let state = beginPoll(startPolling(authorization, T0));
    state = applyPollResult(state, PENDING, T0 + 5200);
    expect(state).toMatchObject({ status: 'polling', polls: 1, intervalSeconds: 5, inFlight: false });
    expect(state.nextPollAt).toBe(T0 + 10_200);
    expect(state.lastResult).toBe('authorization_pending');
  });

  test('slow_down adds 5 seconds every time, and keeps the larger interval for later polls', () => {
    let state = startPolling(authorization, T0);
    state = applyPollResult(beginPoll(state), SLOW_DOWN, T0 + 5000);
    expect(state.intervalSeconds).toBe(10);
    expect(state.nextPollAt).toBe(T0 + 15_000);
    state = applyPollResult(beginPoll(state), SLOW_DOWN, T0 + 15_000);
    expect(state.intervalSeconds).toBe(15);
    expect(state.nextPollAt).toBe(T0 + 30_000);
    state = applyPollResult(beginPoll(state), PENDING, T0 + 30_000);
    expect(state.intervalSeconds).toBe(15);
    expect(state.nextPollAt).toBe(T0 + 45_000);
    expect(state).toMatchObject({ polls: 3, slowDowns: 2, status: 'polling' });
  });

  test('never two polls at once: a poll in flight is not due and has no delay', () => {
    const state = beginPoll(startPolling(authorization, T0));
    expect(isPollDue(state, T0 + 6000)).toBe(false);
    expect(nextPollDelay(state, T0 + 6000)).toBeUndefined();
  });

  test('expiry: no poll is due at or after expires_in, and the schedule stops as expired', () => {
    const state = startPolling(authorization, T0);
    expect(nextPollDelay({ ...state, nextPollAt: T0 + 70_000 }, T0)).toBe(60_000);
    expect(isPollDue(state, T0 + 60_000)).toBe(false);
    expect(checkExpiry(state, T0 + 59_999).status).toBe('polling');
    const expired = checkExpiry(state, T0 + 60_000);
    expect(expired.status).toBe('expired');
    expect(nextPollDelay(expired, T0 + 60_000)).toBeUndefined();
  });

  test('expiry: a pending answer arriving after expires_in ends the schedule', () => {
    const state = applyPollResult(beginPoll(startPolling(authorization, T0)), PENDING, T0 + 61_000);
    expect(state.status).toBe('expired');
  });

  test('tokens succeed; an error stops with its name', () => {
    const start = beginPoll(startPolling(authorization, T0));
    expect(
      applyPollResult(
        start,
        { kind: 'tokens', tokens: { access_token: 'a', token_type: 'Bearer' } },
        T0 + 5000,
      ),
    ).toMatchObject({ status: 'succeeded', polls: 1, inFlight: false });
    const declined = new TokenEndpointError(400, { error: 'authorization_declined' }, '{}');
    expect(applyPollResult(start, { kind: 'stop', error: declined }, T0 + 5000)).toMatchObject({
      status: 'stopped',
      lastResult: 'authorization_declined',
    });
  });

  test('cancel: no further polls; an answer arriving afterwards changes nothing but the in-flight mark', () => {
    const cancelled = cancelPolling(beginPoll(startPolling(authorization, T0)));
    expect(cancelled.status).toBe('cancelled');
    expect(nextPollDelay(cancelled, T0)).toBeUndefined();
    const answered = applyPollResult(
      cancelled,
      { kind: 'tokens', tokens: { access_token: 'a', token_type: 'B' } },
      T0,
    );
    expect(answered).toMatchObject({ status: 'cancelled', inFlight: false, polls: 0 });
    expect(stopPolling(cancelled, 'RELAY_UNAVAILABLE').status).toBe('cancelled');
    expect(stopPolling(startPolling(authorization, T0), 'RELAY_UNAVAILABLE').status).toBe('stopped');
  });

  test('DeviceCodeExpiredError carries expired_token and says the client stopped', () => {
    const error = new DeviceCodeExpiredError(900);
    expect(error.fields.error).toBe('expired_token');
    expect(error.message).toContain('900 s');
    expect(error.message).toContain('without asking the server');
  });
});
