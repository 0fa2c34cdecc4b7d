import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { LabError, ProtocolViolationError, TokenEndpointError } from './errors.ts';
import { buildTokenRequest, parseTokenResponse, readErrorBody } from './token.ts';

describe('token request', () => {
  test('RFC 6749 §4.1.3: a form POST with empty values left out and secrets listed', () => {
    const request = buildTokenRequest(
      'https://login.example/t/oauth2/v2.0/token',
      [
        ['grant_type', 'authorization_code'],
        ['client_id', 'abc'],
        ['code', 'c1'],
        ['scope', ''],
        ['code_verifier', 'v'],
      ],
      { method: 'none' },
    );
    expect(request.method).toBe('POST');
    expect(request.body).toBe('grant_type=authorization_code&client_id=abc&code=c1&code_verifier=v');
    expect(request.secretFields).toEqual(['code_verifier', 'code']);
  });

  test('asks for JSON with Accept (GitHub answers form-encoded otherwise)', () => {
    const request = buildTokenRequest('https://github.com/login/oauth/access_token', [], { method: 'none' });
    expect(request.headers).toContainEqual(['Accept', 'application/json']);
  });

  test('RFC 6749 §2.3.1: client_secret_post adds the secret to the body', () => {
    const request = buildTokenRequest('https://x/t/oauth2/v2.0/token', [['client_id', 'abc']], {
      method: 'client_secret_post',
      clientSecret: 's p',
    });
    expect(request.body).toBe('client_id=abc&client_secret=s+p');
    expect(request.secretFields).toContain('client_secret');
  });

  test('RFC 6749 §2.3.1: client_secret_basic form-encodes id and secret before base64', () => {
    const request = buildTokenRequest('https://x/t/oauth2/v2.0/token', [['client_id', 'a:b']], {
      method: 'client_secret_basic',
      clientSecret: 's/1',
    });
    expect(request.headers).toContainEqual(['Authorization', `Basic ${btoa('a%3Ab:s%2F1')}`]);
    expect(request.secretFields).toContain('Authorization');
  });

  test('RFC 7523 §2.2: private_key_jwt sends the assertion and its type, the assertion listed as secret', () => {
    const request = buildTokenRequest('https://x/t/oauth2/v2.0/token', [['client_id', 'abc']], {
      method: 'private_key_jwt',
      clientAssertion: 'h.p.s',
    });
    expect(request.body).toBe(
      'client_id=abc&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=h.p.s',
    );
    expect(request.secretFields).toEqual(['client_assertion']);
  });
});

describe('token response', () => {
  test('RFC 6749 §5.1: a success body is returned as is', () => {
    const body = JSON.stringify({
      access_token: 'at',
      token_type: 'Bearer',
      expires_in: 3599,
      ext_expires_in: 3599,
      scope: 'User.Read',
    });
    expect(parseTokenResponse({ status: 200, body })).toMatchObject({ access_token: 'at', expires_in: 3599 });
  });

  test('RFC 6749 §5.2: an Entra error body becomes TOKEN_ENDPOINT_ERROR with fields verbatim', () => {
    const body = JSON.stringify({
      error: 'invalid_grant',
      error_description: 'AADSTS54005: OAuth2 Authorization code was already redeemed.',
      error_codes: [54005],
      trace_id: 't',
      correlation_id: 'c',
    });
    try {
      parseTokenResponse({ status: 400, body });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(TokenEndpointError);
      const e = error as TokenEndpointError;
      expect(e.code).toBe('TOKEN_ENDPOINT_ERROR');
      expect(e.status).toBe(400);
      expect(e.fields.error_codes).toEqual([54005]);
      expect(e.cause).toBe(body);
    }
  });

  test.each([
    ['an HTML page', 200, '<html><body>Sign in</body></html>', /HTML page/],
    ['an empty body', 200, '', /empty body/],
    ['truncated JSON', 200, '{"access_token": "a', /not JSON/],
    ['a JSON array', 200, '[]', /not an object/],
    ['no access_token', 200, '{"token_type":"Bearer"}', /access_token/],
    ['a numeric access_token', 200, '{"access_token":5,"token_type":"Bearer"}', /access_token/],
    [
      'expires_in as words',
      200,
      '{"access_token":"a","token_type":"Bearer","expires_in":"soon"}',
      /expires_in/,
    ],
    ['a 500 without error field', 500, '{"message":"boom"}', /HTTP 500/],
  ])('RFC 6749 §5.1: %s is INVALID_RESPONSE', (_name, status, body, message) => {
    expect(() => parseTokenResponse({ status, body })).toThrow(
      expect.objectContaining({ code: 'INVALID_RESPONSE', message: expect.stringMatching(message) }),
    );
  });
});

/** The error a parse throws, for assertions on its fields. */
function thrownBy(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

type Headers = readonly (readonly [string, string])[];

describe('error bodies from real servers: read, kept verbatim, and their shape named', () => {
  test.each<[string, number, string, Headers, string, Record<string, unknown>]>([
    [
      // https://developer.okta.com/docs/reference/error-codes/
      'Okta’s errorCode/errorSummary',
      400,
      '{"errorCode":"E0000011","errorSummary":"Invalid token provided","errorLink":"E0000011","errorId":"oaeX","errorCauses":[]}',
      [['content-type', 'application/json']],
      'okta',
      { error: 'E0000011', error_description: 'Invalid token provided', errorId: 'oaeX', errorCauses: [] },
    ],
    [
      // GitHub without Accept: application/json answers 200 with a form-encoded error.
      'GitHub’s form-encoded error in a 200, “+” for spaces',
      200,
      'error=bad_verification_code&error_description=The+code+passed+is+incorrect+or+expired.&error_uri=https%3A%2F%2Fdocs.github.com%2Fapps',
      [['content-type', 'application/x-www-form-urlencoded; charset=utf-8']],
      'form',
      {
        error: 'bad_verification_code',
        error_description: 'The code passed is incorrect or expired.',
        error_uri: 'https://docs.github.com/apps',
      },
    ],
    [
      'GitHub’s form-encoded error without a Content-Type',
      200,
      'error=incorrect_client_credentials&error_description=The+client_id+and%2For+client_secret+passed+are+incorrect.',
      [],
      'form',
      { error: 'incorrect_client_credentials' },
    ],
    [
      'GitHub’s JSON error in a 200 (Accept: application/json)',
      200,
      '{"error":"bad_verification_code","error_description":"The code passed is incorrect or expired.","error_uri":"https://docs.github.com"}',
      [['content-type', 'application/json; charset=utf-8']],
      'oauth',
      { error: 'bad_verification_code' },
    ],
    [
      'RFC 9457 problem details',
      400,
      '{"type":"https://example.com/probs/scope","title":"Invalid scope","status":400,"detail":"scope x is unknown"}',
      [['content-type', 'application/problem+json']],
      'problem',
      { error: 'Invalid scope', error_description: 'scope x is unknown', status: 400 },
    ],
    [
      'Microsoft Graph’s nested error',
      401,
      '{"error":{"code":"InvalidAuthenticationToken","message":"Access token has expired."}}',
      [['content-type', 'application/json']],
      'nested',
      { error: 'InvalidAuthenticationToken', error_description: 'Access token has expired.' },
    ],
    [
      'a Google API’s nested error with a numeric code',
      401,
      '{"error":{"code":401,"message":"Request had invalid authentication credentials.","status":"UNAUTHENTICATED"}}',
      [],
      'nested',
      { error: '401', status: 'UNAUTHENTICATED' },
    ],
    [
      'RFC 6749 §5.2: an empty 401 with only a WWW-Authenticate challenge',
      401,
      '',
      [['www-authenticate', 'Basic realm="token", error="invalid_client"']],
      'challenge',
      { error: 'invalid_client' },
    ],
    [
      'JSON with a BOM in front',
      400,
      '\ufeff{"error":"invalid_grant"}',
      [],
      'oauth',
      { error: 'invalid_grant' },
    ],
  ])('%s', (_name, status, body, headers, format, fields) => {
    expect(readErrorBody({ status, body, headers })).toMatchObject({ format, fields });
    const error = thrownBy(() => parseTokenResponse({ status, body, headers }));
    expect(error).toBeInstanceOf(TokenEndpointError);
    expect(error).toMatchObject({ status, format, fields, cause: body });
  });

  test.each<[string, number, string, Headers, string, RegExp]>([
    [
      'a gateway’s HTML 502',
      502,
      '<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>',
      [['content-type', 'text/html']],
      'html',
      /HTTP 502 with an HTML page/,
    ],
    [
      'a load balancer’s text/plain 503',
      503,
      'upstream connect error',
      [['content-type', 'text/plain']],
      'text',
      /not JSON/,
    ],
    [
      'an empty 401 with a challenge that names no error',
      401,
      '',
      [['www-authenticate', 'Basic realm="x"']],
      'challenge',
      /only a WWW-Authenticate header/,
    ],
    ['an empty 400', 400, '', [], 'empty', /empty body/],
    [
      'a form-encoded success (GitHub, not asked for JSON)',
      200,
      'access_token=a&token_type=bearer',
      [],
      'form',
      /form-encoded/,
    ],
    [
      'JSON whose error is a number',
      400,
      '{"error":400,"message":"bad"}',
      [],
      'json',
      /“error” is 400, not a string/,
    ],
  ])(
    '%s is INVALID_RESPONSE with its shape and the raw body',
    (_name, status, body, headers, format, says) => {
      const error = thrownBy(() => parseTokenResponse({ status, body, headers }));
      expect(error).toBeInstanceOf(ProtocolViolationError);
      expect(error).toMatchObject({ code: 'INVALID_RESPONSE', format, cause: body });
      expect((error as Error).message).toMatch(says);
    },
  );

  test('generated bodies: any content type, any JSON shape, never anything but a LabError', () => {
    const errorValue = fc.oneof(
      fc.string(),
      fc.integer(),
      fc.constant(null),
      fc.boolean(),
      fc.array(fc.string(), { maxLength: 3 }),
      fc.dictionary(fc.constantFrom('code', 'message', 'status', 'x'), fc.oneof(fc.string(), fc.integer())),
    );
    const jsonBody = fc
      .record(
        {
          error: errorValue,
          error_description: fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
          error_codes: fc.oneof(fc.array(fc.integer()), fc.array(fc.string()), fc.string()),
          errorCode: fc.string(),
          errorSummary: fc.string(),
          title: fc.string(),
          detail: fc.string(),
          access_token: fc.string(),
          token_type: fc.string(),
        },
        { requiredKeys: [] },
      )
      .map((value) => JSON.stringify(value));
    const body = fc.oneof(
      jsonBody,
      jsonBody.map((text) => `\ufeff${text}`),
      fc.string(),
      fc.string().map((text) => `<html>${text}</html>`),
      fc.dictionary(fc.string({ minLength: 1 }), fc.string()).map((d) => new URLSearchParams(d).toString()),
    );
    const contentType = fc.constantFrom(
      'application/json',
      'application/problem+json',
      'application/x-www-form-urlencoded',
      'text/html; charset=iso-8859-1',
      'text/plain',
      '',
    );
    fc.assert(
      fc.property(fc.integer({ min: 100, max: 599 }), body, contentType, (status, text, type) => {
        const headers: Headers = type === '' ? [] : [['content-type', type]];
        expect(() => readErrorBody({ status, body: text, headers })).not.toThrow();
        try {
          parseTokenResponse({ status, body: text, headers });
        } catch (error) {
          expect(error).toBeInstanceOf(LabError);
          expect((error as Error).message.trim()).not.toBe('');
        }
      }),
      { numRuns: 400 },
    );
  });
});
