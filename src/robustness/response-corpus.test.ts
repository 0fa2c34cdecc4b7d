/**
 * Bad-input corpus for what servers send back: token endpoint bodies, device authorization and poll
 * bodies, and WWW-Authenticate challenges. Every body is either read or refused with a typed error
 * that keeps the raw answer; nothing escapes as a raw exception.
 * Cases named in a "Regression" comment pin defects this corpus found and that are now fixed.
 */
import { describe, expect, test } from 'vitest';
import { toStepFailure } from '../flows/runner.ts';
import { findBearerChallenge, parseWwwAuthenticate } from '../protocol/bearer.ts';
import { parseDeviceAuthorizationResponse, parsePollResponse } from '../protocol/device.ts';
import { LabError, ProtocolViolationError, TokenEndpointError, type ErrorCode } from '../protocol/errors.ts';
import { parseTokenResponse } from '../protocol/token.ts';
import { explainFailure, type StepKind } from '../ui/explain-error.ts';

const MAX_MESSAGE = 500;
const MB = 1024 * 1024;
const OK = { access_token: 'at', token_type: 'Bearer' };
const json = (value: unknown): string => JSON.stringify(value);

/** Catches what `run` throws and checks it is a typed, explained, bounded failure. */
function expectTypedRefusal(run: () => unknown, code: ErrorCode, says: RegExp, context: StepKind): LabError {
  let thrown: unknown;
  try {
    run();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(LabError);
  const error = thrown as LabError;
  expect(error.code).toBe(code);
  expect(error.message).toMatch(says);
  const failure = toStepFailure(error);
  if (failure.fields === undefined) {
    expect(failure.message.trim()).not.toBe('');
    expect(failure.message.length).toBeLessThanOrEqual(MAX_MESSAGE);
  }
  const explanation = explainFailure(failure, context);
  expect(explanation.title).not.toBe('Unexpected error');
  return error;
}

interface BodyCase {
  readonly status: number;
  readonly body: string;
  readonly code: ErrorCode;
  readonly says: RegExp;
}

/** Token endpoint answers that are not a usable token response. */
const TOKEN_BODIES: Record<string, BodyCase> = {
  'an empty 200': { status: 200, body: '', code: 'INVALID_RESPONSE', says: /HTTP 200 with an empty body/ },
  'whitespace only': { status: 200, body: ' \r\n ', code: 'INVALID_RESPONSE', says: /empty body/ },
  'an HTML login page (proxy)': {
    status: 200,
    body: '<!DOCTYPE html><html><body>Sign in</body></html>',
    code: 'INVALID_RESPONSE',
    says: /HTML page/,
  },
  'an HTML 502 from a gateway': {
    status: 502,
    body: '<html><head><title>502 Bad Gateway</title></head></html>',
    code: 'INVALID_RESPONSE',
    says: /HTTP 502 with an HTML page/,
  },
  'HTML with leading whitespace': {
    status: 500,
    body: '\n\n  <h1>Error</h1>',
    code: 'INVALID_RESPONSE',
    says: /HTML page/,
  },
  'an empty 500': { status: 500, body: '', code: 'INVALID_RESPONSE', says: /HTTP 500 with an empty body/ },
  'an empty 204': { status: 204, body: '', code: 'INVALID_RESPONSE', says: /HTTP 204/ },
  'plain text': {
    status: 503,
    body: 'Service Unavailable',
    code: 'INVALID_RESPONSE',
    says: /text that is not JSON/,
  },
  'truncated JSON': {
    status: 200,
    body: '{"access_token":"eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1',
    code: 'INVALID_RESPONSE',
    says: /not JSON/,
  },
  'truncated after the first brace': { status: 200, body: '{', code: 'INVALID_RESPONSE', says: /not JSON/ },
  JSONP: { status: 200, body: `callback(${json(OK)})`, code: 'INVALID_RESPONSE', says: /not JSON/ },
  'form-encoded instead of JSON (GitHub style)': {
    status: 200,
    body: 'access_token=at&token_type=bearer',
    code: 'INVALID_RESPONSE',
    says: /not JSON/,
  },
  'two JSON objects back to back': {
    status: 200,
    body: `${json(OK)}${json(OK)}`,
    code: 'INVALID_RESPONSE',
    says: /not JSON/,
  },
  null: { status: 200, body: 'null', code: 'INVALID_RESPONSE', says: /not an object/ },
  'an array': { status: 200, body: '[]', code: 'INVALID_RESPONSE', says: /not an object/ },
  'an array holding a token response': {
    status: 200,
    body: json([OK]),
    code: 'INVALID_RESPONSE',
    says: /not an object/,
  },
  'a JSON string': { status: 200, body: '"at"', code: 'INVALID_RESPONSE', says: /not an object/ },
  'a JSON number': { status: 200, body: '42', code: 'INVALID_RESPONSE', says: /not an object/ },
  true: { status: 200, body: 'true', code: 'INVALID_RESPONSE', says: /not an object/ },
  'an empty object': { status: 200, body: '{}', code: 'INVALID_RESPONSE', says: /access_token/ },
  'access_token a number': {
    status: 200,
    body: json({ ...OK, access_token: 123 }),
    code: 'INVALID_RESPONSE',
    says: /access_token/,
  },
  'access_token null': {
    status: 200,
    body: json({ ...OK, access_token: null }),
    code: 'INVALID_RESPONSE',
    says: /access_token/,
  },
  'access_token an array': {
    status: 200,
    body: json({ ...OK, access_token: ['at'] }),
    code: 'INVALID_RESPONSE',
    says: /access_token/,
  },
  'access_token an object': {
    status: 200,
    body: json({ ...OK, access_token: { value: 'at' } }),
    code: 'INVALID_RESPONSE',
    says: /access_token/,
  },
  'access_token empty': {
    status: 200,
    body: json({ ...OK, access_token: '' }),
    code: 'INVALID_RESPONSE',
    says: /access_token/,
  },
  'token_type missing': {
    status: 200,
    body: json({ access_token: 'at' }),
    code: 'INVALID_RESPONSE',
    says: /token_type/,
  },
  'token_type a boolean': {
    status: 200,
    body: json({ ...OK, token_type: true }),
    code: 'INVALID_RESPONSE',
    says: /token_type/,
  },
  'access_token only under __proto__': {
    status: 200,
    body: `{"__proto__":${json(OK)}}`,
    code: 'INVALID_RESPONSE',
    says: /access_token/,
  },
  'expires_in a word': {
    status: 200,
    body: json({ ...OK, expires_in: 'one hour' }),
    code: 'INVALID_RESPONSE',
    says: /expires_in.*one hour/,
  },
  'expires_in an object': {
    status: 200,
    body: json({ ...OK, expires_in: { s: 1 } }),
    code: 'INVALID_RESPONSE',
    says: /expires_in/,
  },
  'expires_in a float string': {
    status: 200,
    body: json({ ...OK, expires_in: '3600.5' }),
    code: 'INVALID_RESPONSE',
    says: /expires_in/,
  },
  'ext_expires_in a boolean': {
    status: 200,
    body: json({ ...OK, ext_expires_in: false }),
    code: 'INVALID_RESPONSE',
    says: /ext_expires_in/,
  },
  'refresh_token a number': {
    status: 200,
    body: json({ ...OK, refresh_token: 1 }),
    code: 'INVALID_RESPONSE',
    says: /refresh_token/,
  },
  'id_token an object': {
    status: 200,
    body: json({ ...OK, id_token: { header: {} } }),
    code: 'INVALID_RESPONSE',
    says: /id_token/,
  },
  'scope an array': {
    status: 200,
    body: json({ ...OK, scope: ['openid', 'User.Read'] }),
    code: 'INVALID_RESPONSE',
    says: /scope/,
  },
  'scope null': { status: 200, body: json({ ...OK, scope: null }), code: 'INVALID_RESPONSE', says: /scope/ },
  'a 1 MB HTML page': {
    status: 500,
    body: `<html>${'<p>x</p>'.repeat(MB / 8)}</html>`,
    code: 'INVALID_RESPONSE',
    says: /HTML page/,
  },
  '1 MB of text': { status: 200, body: 'z'.repeat(MB), code: 'INVALID_RESPONSE', says: /not JSON/ },
  'a 1 MB JSON array': {
    status: 200,
    body: json(Array.from({ length: MB / 8 }, () => 1)),
    code: 'INVALID_RESPONSE',
    says: /not an object/,
  },
  'JSON nested 100 000 levels deep': {
    status: 200,
    body: `${'['.repeat(100_000)}${']'.repeat(100_000)}`,
    code: 'INVALID_RESPONSE',
    says: /not an object|not JSON/,
  },
  'a 400 without an error field': {
    status: 400,
    body: json({ message: 'bad' }),
    code: 'INVALID_RESPONSE',
    says: /HTTP 400 without an OAuth error field/,
  },
  'a 500 with an empty object': {
    status: 500,
    body: '{}',
    code: 'INVALID_RESPONSE',
    says: /HTTP 500 without an OAuth error field/,
  },
  'error as a number': {
    status: 400,
    body: json({ error: 400 }),
    code: 'INVALID_RESPONSE',
    says: /without an OAuth error field/,
  },
  'error as null': {
    status: 400,
    body: json({ error: null }),
    code: 'INVALID_RESPONSE',
    says: /without an OAuth error field/,
  },
};

/** Error bodies with odd fields: each is a TOKEN_ENDPOINT_ERROR that keeps its fields and raw body. */
const ERROR_BODIES: Record<string, { status: number; body: Record<string, unknown> }> = {
  'a plain invalid_grant': { status: 400, body: { error: 'invalid_grant' } },
  'error_description as a number': { status: 400, body: { error: 'invalid_grant', error_description: 5 } },
  'error_description as an object': {
    status: 400,
    body: { error: 'invalid_client', error_description: { text: 'x' } },
  },
  'error_codes as a string': { status: 400, body: { error: 'invalid_grant', error_codes: '70000' } },
  'error_codes of strings': { status: 400, body: { error: 'invalid_grant', error_codes: ['70000'] } },
  'error_codes empty': { status: 400, body: { error: 'invalid_grant', error_codes: [] } },
  'error_codes with NaN-like junk': {
    status: 400,
    body: { error: 'invalid_grant', error_codes: [null, -1, 1e300] },
  },
  'error_codes with a generic code first': {
    status: 400,
    body: { error: 'invalid_grant', error_codes: [70002, 54005] },
  },
  'an unknown AADSTS code': {
    status: 400,
    body: { error: 'invalid_request', error_description: 'AADSTS424242: new', error_codes: [424242] },
  },
  'error named __proto__': { status: 400, body: { error: '__proto__' } },
  'error named constructor': {
    status: 400,
    body: { error: 'constructor', error_description: 'AADSTSnot-a-number' },
  },
  'error named toString': { status: 400, body: { error: 'toString' } },
  'an error 10 000 characters long': { status: 400, body: { error: 'e'.repeat(10_000) } },
  'an HTML error_description': {
    status: 400,
    body: { error: 'invalid_request', error_description: '<script>alert(1)</script>' },
  },
  'an error_uri of javascript:': {
    status: 400,
    body: { error: 'invalid_request', error_uri: 'javascript:alert(1)' },
  },
  'an error with a 200 status': {
    status: 200,
    body: { error: 'server_error', access_token: 'at', token_type: 'Bearer' },
  },
  'an error with a 302 status': { status: 302, body: { error: 'temporarily_unavailable' } },
  'error plus claims challenge': {
    status: 400,
    body: {
      error: 'interaction_required',
      claims: '{"access_token":{"acrs":{"essential":true}}}',
      suberror: 'x',
    },
  },
  'a control character in error': { status: 400, body: { error: 'invalid_grant\u0000\u202e' } },
  'device code expired (expired_token)': {
    status: 400,
    body: { error: 'expired_token', error_codes: [70020] },
  },
};

describe('RFC 6749 §5.1: token endpoint bodies that are not a token response are refused, typed', () => {
  test.each(Object.entries(TOKEN_BODIES))('%s', (_name, { status, body, code, says }) => {
    const error = expectTypedRefusal(() => parseTokenResponse({ status, body }), code, says, 'token');
    expect(error).toBeInstanceOf(ProtocolViolationError);
  });
});

describe('RFC 6749 §5.2: error bodies with odd fields are kept verbatim and explained', () => {
  test.each(Object.entries(ERROR_BODIES))('%s', (_name, { status, body }) => {
    const rawBody = json(body);
    let thrown: unknown;
    try {
      parseTokenResponse({ status, body: rawBody });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(TokenEndpointError);
    const failure = toStepFailure(thrown);
    expect(failure).toMatchObject({ code: 'TOKEN_ENDPOINT_ERROR', status, raw: rawBody, fields: body });
    const explanation = explainFailure(failure, 'token');
    expect(explanation.title).not.toBe('Unexpected error');
    expect(explanation.title.length).toBeLessThanOrEqual(100);
    expect(explanation.what.length).toBeLessThanOrEqual(MAX_MESSAGE);
  });

  // Regression (src/protocol/errors.ts, TokenEndpointError / AuthorizationResponseError): the message
  // is `error_description ?? error`, so `{"error":""}` gives an empty message and a numeric
  // description a message of "5".
  test.each([
    ['an empty error', { error: '' }],
    ['an empty description and error', { error: '', error_description: '' }],
  ])('%s still gives a message', (_name, body) => {
    try {
      parseTokenResponse({ status: 400, body: json(body) });
    } catch (error) {
      expect((error as Error).message.trim()).not.toBe('');
    }
  });
});

describe('hostile but readable token responses are accepted as they are', () => {
  test.each([
    ['expires_in as a numeric string', { ...OK, expires_in: '3600' }],
    ['a 1 MB access token', { ...OK, access_token: 'a'.repeat(MB) }],
    ['unknown extra fields', { ...OK, foo: { bar: [1] }, constructor: 'x' }],
    ['an HTML-looking access token', { ...OK, access_token: '<img src=x>' }],
  ])('%s', (_name, body) => {
    expect(parseTokenResponse({ status: 200, body: json(body) }).access_token).toBe(body.access_token);
  });

  // RFC 8259 §8.1 lets a parser ignore a byte order mark; real servers send one. Graph-style
  // `{"error":{"code","message"}}` bodies are read as errors: see src/protocol/token.test.ts.
  test('JSON with a BOM in front', () => {
    expect(parseTokenResponse({ status: 200, body: `\ufeff${json(OK)}` }).access_token).toBe('at');
  });

  // Regression (src/protocol/token.ts): expires_in is only checked to be "a number", so -5, 1.5 and
  // 1e999 (Infinity) are accepted; device.ts's readSeconds already refuses them.
  test.each([
    ['negative', '-5'],
    ['fractional', '1.5'],
    ['infinite', '1e999'],
  ])('a %s expires_in is refused', (_name, value) => {
    expect(() =>
      parseTokenResponse({
        status: 200,
        body: `{"access_token":"a","token_type":"Bearer","expires_in":${value}}`,
      }),
    ).toThrow(LabError);
  });

  // Regression (src/protocol/token.ts): a wrongly typed field is quoted whole with JSON.stringify, so a
  // 100 kB scope array gives a 100 kB message.
  test('a 100 kB wrongly typed field gives a bounded message', () => {
    expect(() =>
      parseTokenResponse({ status: 200, body: json({ ...OK, scope: ['x'.repeat(100_000)] }) }),
    ).toThrow(expect.objectContaining({ message: expect.stringMatching(/^.{1,500}$/s) }));
  });
});

const DEVICE_OK = {
  device_code: 'dc',
  user_code: 'ABCD',
  verification_uri: 'https://microsoft.com/devicelogin',
  expires_in: 900,
};

/** Device authorization answers (RFC 8628 §3.2) that must be refused. */
const DEVICE_BODIES: Record<string, BodyCase> = {
  'an empty body': { status: 200, body: '', code: 'INVALID_RESPONSE', says: /empty body/ },
  'an HTML page': { status: 200, body: '<html></html>', code: 'INVALID_RESPONSE', says: /not JSON/ },
  'truncated JSON': {
    status: 200,
    body: json(DEVICE_OK).slice(0, 20),
    code: 'INVALID_RESPONSE',
    says: /not JSON/,
  },
  null: { status: 200, body: 'null', code: 'INVALID_RESPONSE', says: /not an object/ },
  'an array': { status: 200, body: json([DEVICE_OK]), code: 'INVALID_RESPONSE', says: /not an object/ },
  'a 500 without error': {
    status: 500,
    body: '{}',
    code: 'INVALID_RESPONSE',
    says: /HTTP 500 without an OAuth error/,
  },
  'an error body': {
    status: 400,
    body: json({ error: 'invalid_client', error_codes: [7000218] }),
    code: 'TOKEN_ENDPOINT_ERROR',
    says: /invalid_client/,
  },
  'no device_code': {
    status: 200,
    body: json({ ...DEVICE_OK, device_code: undefined }),
    code: 'INVALID_RESPONSE',
    says: /device_code/,
  },
  'user_code a number': {
    status: 200,
    body: json({ ...DEVICE_OK, user_code: 1234 }),
    code: 'INVALID_RESPONSE',
    says: /user_code/,
  },
  'verification_uri javascript:': {
    status: 200,
    body: json({ ...DEVICE_OK, verification_uri: 'javascript:alert(1)' }),
    code: 'INVALID_RESPONSE',
    says: /http\(s\) URL/,
  },
  'verification_uri data:': {
    status: 200,
    body: json({ ...DEVICE_OK, verification_uri: 'data:text/html,<script>alert(1)</script>' }),
    code: 'INVALID_RESPONSE',
    says: /http\(s\) URL/,
  },
  'verification_uri relative': {
    status: 200,
    body: json({ ...DEVICE_OK, verification_uri: '/devicelogin' }),
    code: 'INVALID_RESPONSE',
    says: /http\(s\) URL/,
  },
  'verification_uri_complete javascript:': {
    status: 200,
    body: json({ ...DEVICE_OK, verification_uri_complete: 'javascript:x' }),
    code: 'INVALID_RESPONSE',
    says: /verification_uri_complete/,
  },
  'verification_uri_complete a number': {
    status: 200,
    body: json({ ...DEVICE_OK, verification_uri_complete: 5 }),
    code: 'INVALID_RESPONSE',
    says: /verification_uri_complete/,
  },
  'no expires_in': {
    status: 200,
    body: json({ ...DEVICE_OK, expires_in: undefined }),
    code: 'INVALID_RESPONSE',
    says: /expires_in/,
  },
  'expires_in zero': {
    status: 200,
    body: json({ ...DEVICE_OK, expires_in: 0 }),
    code: 'INVALID_RESPONSE',
    says: /positive/,
  },
  'expires_in negative': {
    status: 200,
    body: json({ ...DEVICE_OK, expires_in: -900 }),
    code: 'INVALID_RESPONSE',
    says: /positive/,
  },
  'expires_in with a unit': {
    status: 200,
    body: json({ ...DEVICE_OK, expires_in: '900s' }),
    code: 'INVALID_RESPONSE',
    says: /positive/,
  },
  'interval a word': {
    status: 200,
    body: json({ ...DEVICE_OK, interval: 'fast' }),
    code: 'INVALID_RESPONSE',
    says: /interval/,
  },
  'interval negative': {
    status: 200,
    body: json({ ...DEVICE_OK, interval: -1 }),
    code: 'INVALID_RESPONSE',
    says: /interval/,
  },
  'message an object': {
    status: 200,
    body: json({ ...DEVICE_OK, message: { text: 'x' } }),
    code: 'INVALID_RESPONSE',
    says: /message/,
  },
};

describe('RFC 8628 §3.2: hostile device authorization answers are refused, typed', () => {
  test.each(Object.entries(DEVICE_BODIES))('%s', (_name, { status, body, code, says }) => {
    expectTypedRefusal(() => parseDeviceAuthorizationResponse({ status, body }), code, says, 'token');
  });

  test('interval 0 is raised to one second, not a busy loop', () => {
    expect(
      parseDeviceAuthorizationResponse({ status: 200, body: json({ ...DEVICE_OK, interval: 0 }) }).interval,
    ).toBe(1);
  });
});

describe('RFC 8628 §3.5: every poll answer is classified, never thrown', () => {
  const POLLS: Record<string, { status: number; body: string; kind: string; code?: ErrorCode }> = {
    authorization_pending: {
      status: 400,
      body: json({ error: 'authorization_pending' }),
      kind: 'authorization_pending',
    },
    slow_down: { status: 400, body: json({ error: 'slow_down' }), kind: 'slow_down' },
    'authorization_pending with a 200': {
      status: 200,
      body: json({ error: 'authorization_pending' }),
      kind: 'authorization_pending',
    },
    expired_token: {
      status: 400,
      body: json({ error: 'expired_token' }),
      kind: 'stop',
      code: 'TOKEN_ENDPOINT_ERROR',
    },
    authorization_declined: {
      status: 400,
      body: json({ error: 'authorization_declined' }),
      kind: 'stop',
      code: 'TOKEN_ENDPOINT_ERROR',
    },
    'pending as an array': {
      status: 400,
      body: json({ error: ['authorization_pending'] }),
      kind: 'stop',
      code: 'INVALID_RESPONSE',
    },
    'pending in upper case': {
      status: 400,
      body: json({ error: 'AUTHORIZATION_PENDING' }),
      kind: 'stop',
      code: 'TOKEN_ENDPOINT_ERROR',
    },
    'an HTML 502': { status: 502, body: '<html>Bad gateway</html>', kind: 'stop', code: 'INVALID_RESPONSE' },
    'an empty 504': { status: 504, body: '', kind: 'stop', code: 'INVALID_RESPONSE' },
    null: { status: 200, body: 'null', kind: 'stop', code: 'INVALID_RESPONSE' },
    'tokens with a wrong type': {
      status: 200,
      body: json({ access_token: 1, token_type: 'Bearer' }),
      kind: 'stop',
      code: 'INVALID_RESPONSE',
    },
    tokens: { status: 200, body: json(OK), kind: 'tokens' },
  };
  test.each(Object.entries(POLLS))('%s', (_name, { status, body, kind, code }) => {
    const result = parsePollResponse({ status, body });
    expect(result.kind).toBe(kind);
    if (result.kind === 'stop') {
      expect(result.error.code).toBe(code);
      expect(explainFailure(toStepFailure(result.error), 'device-poll').title).not.toBe('Unexpected error');
    }
  });
});

/** WWW-Authenticate values: readable ones give challenges, junk gives INVALID_RESPONSE. */
const CHALLENGES: Record<string, { header: string; bearerError?: string; refused?: RegExp }> = {
  'an empty header': { header: '' },
  'commas only': { header: ' , ,, ' },
  'Bearer alone': { header: 'Bearer' },
  'bearer in lower case': { header: 'bearer error="invalid_token"', bearerError: 'invalid_token' },
  'Entra style with several params': {
    header:
      'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000", error="insufficient_claims", claims="eyJ9"',
    bearerError: 'insufficient_claims',
  },
  'two challenges, Bearer second': {
    header: 'Negotiate abc==, Bearer error="invalid_token"',
    bearerError: 'invalid_token',
  },
  'Basic only': { header: 'Basic realm="x"' },
  'an escaped quote in a value': { header: 'Bearer error_description="say \\"hi\\""' },
  'HTML in error_description': {
    header: 'Bearer error="invalid_token", error_description="<script>alert(1)</script>"',
    bearerError: 'invalid_token',
  },
  'unicode in a quoted value': {
    header: 'Bearer error="invalid_token", error_description="ünïcödé \u202e"',
    bearerError: 'invalid_token',
  },
  'a parameter named constructor': {
    header: 'Bearer constructor="x", error="invalid_token"',
    bearerError: 'invalid_token',
  },
  'tabs as separators': { header: 'Bearer\terror="invalid_token"', bearerError: 'invalid_token' },
  'an unterminated quoted string': { header: 'Bearer error="invalid_token', refused: /never closed/ },
  'a trailing backslash in a quoted string': { header: 'Bearer error="x\\', refused: /never closed/ },
  'the same parameter twice': { header: 'Bearer error="a", error="b"', refused: /appears twice/ },
  'the same parameter twice in other cases': {
    header: 'Bearer Error="a", ERROR="b"',
    refused: /appears twice/,
  },
  'a missing comma between parameters': {
    header: 'Bearer error="a" scope="b"',
    refused: /comma was expected/,
  },
  'starts with "="': { header: '=Bearer', refused: /scheme name was expected/ },
  'starts with a quote': { header: '"Bearer"', refused: /scheme name was expected/ },
  'a CRLF header injection': { header: 'Bearer error="x"\r\nSet-Cookie: a=b', refused: /cannot be read/ },
  'a NUL byte': { header: 'Bearer \u0000', refused: /cannot be read/ },
  'HTML instead of a challenge': { header: '<html>', refused: /scheme name was expected/ },
  'a JSON object': { header: '{"error":"invalid_token"}', refused: /scheme name was expected/ },
  'no space after the scheme': { header: 'Bearer,error="x"' },
  'a token68 then a parameter': { header: 'Bearer abc==, error="x"', refused: /scheme|cannot be read/ },
};

describe('RFC 9110 §11.6.1: WWW-Authenticate junk is read or refused with a typed error', () => {
  test.each(Object.entries(CHALLENGES))('%s', (_name, { header, bearerError, refused }) => {
    if (refused !== undefined) {
      expectTypedRefusal(() => parseWwwAuthenticate(header), 'INVALID_RESPONSE', refused, 'api');
      return;
    }
    const challenges = parseWwwAuthenticate(header);
    const bearer = findBearerChallenge(challenges);
    if (bearerError !== undefined) expect(bearer?.error).toBe(bearerError);
  });

  // Regression (src/protocol/bearer.ts, fail): the message ends with the whole header, so a 100 kB
  // header gives a 100 kB message. Fix: quote at most ~120 characters around the position.
  test('a 100 kB unreadable header gives a bounded message', () => {
    expect(() => parseWwwAuthenticate(`Bearer error="${'x'.repeat(100_000)}`)).toThrow(
      expect.objectContaining({ message: expect.stringMatching(/^.{1,500}$/s) }),
    );
  });

  // Regression (src/protocol/bearer.ts): params is a plain object, so a parameter named __proto__
  // is dropped silently by the prototype setter (and never detected as a duplicate).
  test('a __proto__ auth-param is kept as sent', () => {
    const [challenge] = parseWwwAuthenticate('Bearer __proto__="x"');
    expect(challenge !== undefined && Object.hasOwn(challenge.params, '__proto__')).toBe(true);
  });
});
