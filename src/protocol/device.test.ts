import fc from 'fast-check';
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
import { LabError, ProtocolViolationError, TokenEndpointError } from './errors.ts';
import { isBearerTokenType, splitScope } from './token.ts';

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

describe('what real servers send (issue 8: spec-adjacent names and types)', () => {
  test('Google: verification_url, and the step says so and carries on', () => {
    // https://developers.google.com/identity/protocols/oauth2/limited-input-device (step 2's example)
    const google = {
      device_code: '4/4-GMMhmHCXhWEzkobqIHGG_EnNYYsAkukHspeYUk9E8',
      user_code: 'GQVQ-JKEC',
      verification_url: 'https://www.google.com/device',
      expires_in: 1800,
      interval: 5,
    };
    const parsed = parseDeviceAuthorizationResponse(ok(google));
    expect(parsed).toMatchObject({
      user_code: 'GQVQ-JKEC',
      verification_uri: 'https://www.google.com/device',
      expires_in: 1800,
    });
    expect(parsed.deviations.join(' ')).toMatch(
      /server sent verification_url \(Google’s name.*\) instead of RFC 8628’s verification_uri/,
    );
  });

  test('an exactly-RFC answer has no deviations', () => {
    expect(parseDeviceAuthorizationResponse(ok(ENTRA_LIKE)).deviations).toEqual([]);
  });

  test('GitHub: a form-encoded answer, and form-encoded poll answers (pending at HTTP 200, then tokens)', () => {
    const parsed = parseDeviceAuthorizationResponse(
      ok(
        'device_code=3584d83530557fdd1f46af8289938c8ef79f9dc5&expires_in=900&interval=5&user_code=WDJB-MJHT&verification_uri=https%3A%2F%2Fgithub.com%2Flogin%2Fdevice',
      ),
    );
    expect(parsed).toMatchObject({
      user_code: 'WDJB-MJHT',
      verification_uri: 'https://github.com/login/device',
      expires_in: 900,
      interval: 5,
    });
    expect(parsed.deviations.join(' ')).toMatch(/form-encoded/);
    expect(
      parsePollResponse(
        ok('error=authorization_pending&error_description=The+authorization+request+is+still+pending.'),
      ),
    ).toEqual({ kind: 'authorization_pending' });
    const tokens = parsePollResponse(
      ok('access_token=gho_16C7e42F292c6912E7710c838347Ae178B4a&token_type=bearer&scope=repo%2Cgist'),
    );
    expect(tokens).toMatchObject({ kind: 'tokens', tokens: { token_type: 'bearer', scope: 'repo,gist' } });
    if (tokens.kind === 'tokens') expect(splitScope(tokens.tokens.scope ?? '')).toEqual(['repo', 'gist']);
  });

  test('only verification_uri_complete: its address is used, and the deviation named', () => {
    const { verification_uri: _dropped, ...rest } = ENTRA_LIKE;
    const parsed = parseDeviceAuthorizationResponse(
      ok({ ...rest, verification_uri_complete: 'https://example.com/device?code=ABCD2EFGH' }),
    );
    expect(parsed.verification_uri).toBe('https://example.com/device?code=ABCD2EFGH');
    expect(parsed.deviations.join(' ')).toMatch(/only verification_uri_complete/);
  });

  test('a scheme-less verification address is read as https; a null interval is absent (5 s)', () => {
    const parsed = parseDeviceAuthorizationResponse(
      ok({ ...ENTRA_LIKE, verification_uri: 'example.com/device', interval: null }),
    );
    expect(parsed).toMatchObject({ verification_uri: 'https://example.com/device', interval: 5 });
    expect(parsed.deviations).toHaveLength(1);
  });

  test('user codes with spaces and dashes are kept exactly as sent (RFC 8628 §6.1)', () => {
    for (const userCode of ['WDJB-MJHT', 'ABCD EFGH', ' 1234-5678 '])
      expect(parseDeviceAuthorizationResponse(ok({ ...ENTRA_LIKE, user_code: userCode })).user_code).toBe(
        userCode,
      );
  });

  test('the missing verification address is named, with Google’s name too', () => {
    const { verification_uri: _dropped, ...rest } = ENTRA_LIKE;
    expect(invalidMessage(() => parseDeviceAuthorizationResponse(ok(rest)))).toMatch(
      /no “verification_uri” \(nor Google’s “verification_url”\)/,
    );
  });

  test('a BOM before the JSON is ignored', () => {
    expect(parseDeviceAuthorizationResponse(ok(`\uFEFF${JSON.stringify(ENTRA_LIKE)}`)).user_code).toBe(
      'ABCD2EFGH',
    );
  });

  // Property: any mixture of the RFC's names and the alternate ones, numbers or numeric strings, extra
  // fields, gives the code and the URL whenever they are present under any known name.
  const seconds = fc.integer({ min: 1, max: 86_400 });
  const asWire = (n: number) => fc.constantFrom<unknown>(n, String(n), ` ${n} `);
  const extraField = fc.tuple(
    fc
      .string({ minLength: 1, maxLength: 12 })
      .filter(
        (k) =>
          !/^(device_code|user_code|verification_ur[il](_complete)?|expires_in|interval|message|error|__proto__)$/.test(
            k,
          ),
      ),
    fc.jsonValue({ maxDepth: 2 }),
  );
  const answer = fc.record({
    deviceCode: fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }),
    userCode: fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }),
    uriName: fc.constantFrom('verification_uri', 'verification_url'),
    completeName: fc.option(fc.constantFrom('verification_uri_complete', 'verification_url_complete'), {
      nil: undefined,
    }),
    path: fc.webPath(),
    expires: seconds.chain(asWire),
    interval: fc.option(fc.integer({ min: 0, max: 60 }).chain(asWire), { nil: undefined }),
    message: fc.option(fc.string({ maxLength: 40 }), { nil: undefined }),
    extras: fc.array(extraField, { maxLength: 4 }),
  });

  test('any mixture of standard and alternate names and number-vs-string values is read (property)', () => {
    fc.assert(
      fc.property(answer, (a) => {
        const uri = `https://login.example.com/device${a.path}`;
        const body: Record<string, unknown> = Object.fromEntries(a.extras);
        Object.assign(body, {
          device_code: a.deviceCode,
          user_code: a.userCode,
          [a.uriName]: uri,
          expires_in: a.expires,
          ...(a.completeName === undefined ? {} : { [a.completeName]: `${uri}?c=1` }),
          ...(a.interval === undefined ? {} : { interval: a.interval }),
          ...(a.message === undefined ? {} : { message: a.message }),
        });
        const parsed = parseDeviceAuthorizationResponse(ok(body));
        expect(parsed.device_code).toBe(a.deviceCode);
        expect(parsed.user_code).toBe(a.userCode);
        expect(new URL(parsed.verification_uri).href).toBe(new URL(uri).href);
        if (a.completeName !== undefined) expect(parsed.verification_uri_complete).toBe(`${uri}?c=1`);
        expect(parsed.expires_in).toBe(Number(String(a.expires).trim()));
        expect(parsed.interval).toBe(
          a.interval === undefined ? 5 : Math.max(1, Number(String(a.interval).trim())),
        );
        // Every alternate name used is said.
        if (a.uriName === 'verification_url')
          expect(parsed.deviations.join(' ')).toContain('verification_url');
      }),
    );
  });

  test('any JSON at all gives a result or a typed error, never anything else (property)', () => {
    const near = fc.record(
      {
        device_code: fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.jsonValue({ maxDepth: 1 })),
        user_code: fc.oneof(fc.string(), fc.integer(), fc.double(), fc.constant(null)),
        verification_uri: fc.oneof(
          fc.webUrl(),
          fc.string(),
          fc.constant('javascript:alert(1)'),
          fc.integer(),
        ),
        verification_url: fc.oneof(fc.webUrl(), fc.string()),
        expires_in: fc.oneof(fc.integer(), fc.double(), fc.string(), fc.constant(null)),
        interval: fc.oneof(fc.integer(), fc.double(), fc.string(), fc.constant(null)),
        message: fc.jsonValue({ maxDepth: 1 }),
        error: fc.oneof(fc.string(), fc.integer()),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(
        fc.oneof(
          near.map((b) => JSON.stringify(b)),
          fc.jsonValue().map((v) => JSON.stringify(v)),
          fc.string(),
        ),
        fc.constantFrom(200, 400, 428, 500),
        (body, status) => {
          try {
            const parsed = parseDeviceAuthorizationResponse({ status, body });
            // A success always has a usable link: never a javascript: or data: URL.
            expect(new URL(parsed.verification_uri).protocol).toMatch(/^https?:$/);
          } catch (error) {
            expect(error).toBeInstanceOf(LabError);
          }
          try {
            parsePollResponse({ status, body });
          } catch (error) {
            expect(error).toBeInstanceOf(LabError);
          }
        },
      ),
    );
  });

  test('poll answers: expires_in as a string, token_type in any case, scope with commas', () => {
    for (const tokenType of ['bearer', 'Bearer', 'BEARER']) {
      const result = parsePollResponse(
        ok({ access_token: 'at', token_type: tokenType, expires_in: '3599', scope: 'openid profile' }),
      );
      expect(result).toMatchObject({ kind: 'tokens', tokens: { expires_in: 3599, token_type: tokenType } });
      if (result.kind === 'tokens') {
        expect(isBearerTokenType(result.tokens.token_type)).toBe(true);
      }
    }
    const noExpiry = parsePollResponse(ok({ access_token: 'at', token_type: 'Bearer' }));
    expect(noExpiry.kind === 'tokens' && noExpiry.tokens.expires_in).toBeUndefined();
    expect(splitScope('user:email, read:org  repo')).toEqual(['user:email', 'read:org', 'repo']);
    expect(isBearerTokenType('DPoP')).toBe(false);
  });

  test('a missing access_token or token_type is named precisely', () => {
    const r = parsePollResponse(ok({ token_type: 'Bearer' }));
    expect(r).toMatchObject({ kind: 'stop', error: { code: 'INVALID_RESPONSE' } });
    if (r.kind === 'stop') expect(r.error.message).toContain('access_token');
  });
});
