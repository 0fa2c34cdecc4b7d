import { describe, expect, test } from 'vitest';
import { TokenEndpointError } from './errors.ts';
import { buildTokenRequest, parseTokenResponse } from './token.ts';

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
