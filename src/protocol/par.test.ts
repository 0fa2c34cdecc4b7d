import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { ProtocolViolationError, TokenEndpointError } from './errors.ts';
import {
  buildPushedAuthorizationRequest,
  buildPushedAuthorizationUrl,
  calculateRequestUriSecondsLeft,
  parsePushedAuthorizationResponse,
} from './par.ts';

const RFC_PARAMETERS = [
  ['response_type', 'code'],
  ['client_id', 's6BhdRkqt3'],
  ['state', 'af0ifjsldkj'],
  ['redirect_uri', 'https://client.example.org/cb'],
  ['code_challenge', 'K2-ltc83acc4h0c9w6ESC_rEMTJ3bww-uCHaoeK1t8U'],
  ['code_challenge_method', 'S256'],
  ['scope', 'account-information'],
] as const;

describe('pushed authorization request', () => {
  test('RFC 9126 §2.1: the example request, authenticated with client_secret_basic', () => {
    const request = buildPushedAuthorizationRequest('https://as.example.com/as/par', RFC_PARAMETERS, {
      method: 'client_secret_basic',
      clientSecret: '7Fjfp0ZBr1KtDRbnfVdmIw',
    });
    expect(request.method).toBe('POST');
    expect(request.url).toBe('https://as.example.com/as/par');
    expect(request.headers).toContainEqual(['Content-Type', 'application/x-www-form-urlencoded']);
    expect(request.headers).toContainEqual([
      'Authorization',
      'Basic czZCaGRSa3F0Mzo3RmpmcDBaQnIxS3REUmJuZlZkbUl3',
    ]);
    expect(request.body).toBe(
      'response_type=code&client_id=s6BhdRkqt3&state=af0ifjsldkj&redirect_uri=https%3A%2F%2Fclient.example.org%2Fcb&code_challenge=K2-ltc83acc4h0c9w6ESC_rEMTJ3bww-uCHaoeK1t8U&code_challenge_method=S256&scope=account-information',
    );
    expect(request.secretFields).toEqual(['Authorization']);
  });

  test('RFC 9126 §2.1: a public client sends client_id only, and request_uri is never pushed', () => {
    const request = buildPushedAuthorizationRequest(
      'https://as.example.com/as/par',
      [...RFC_PARAMETERS, ['request_uri', 'urn:x'], ['nonce', '']],
      { method: 'none' },
    );
    const body = new URLSearchParams(request.body);
    expect(body.get('client_id')).toBe('s6BhdRkqt3');
    expect(body.has('request_uri')).toBe(false);
    expect(body.has('nonce')).toBe(false);
    expect(body.has('client_secret')).toBe(false);
    expect(request.headers.some(([name]) => name === 'Authorization')).toBe(false);
  });

  test('client_secret_post puts the secret in the body, masked', () => {
    const request = buildPushedAuthorizationRequest('https://as.example.com/as/par', RFC_PARAMETERS, {
      method: 'client_secret_post',
      clientSecret: 's3cr3t:+/&%',
    });
    expect(new URLSearchParams(request.body).get('client_secret')).toBe('s3cr3t:+/&%');
    expect(request.secretFields).toContain('client_secret');
  });
});

describe('pushed authorization response', () => {
  test('RFC 9126 §2.2: the example response', () => {
    const read = parsePushedAuthorizationResponse({
      status: 201,
      body: '{"request_uri":"urn:ietf:params:oauth:request_uri:6esc_11ACC5bwc014ltc14eY22c","expires_in":60}',
    });
    expect(read).toEqual({
      request_uri: 'urn:ietf:params:oauth:request_uri:6esc_11ACC5bwc014ltc14eY22c',
      expires_in: 60,
    });
  });

  test('RFC 9126 §2.3: an error body is a TokenEndpointError with the wire fields', () => {
    const body =
      '{"error":"invalid_request","error_description":"The redirect_uri is not valid for the given client"}';
    try {
      parsePushedAuthorizationResponse({ status: 400, body });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(TokenEndpointError);
      expect((error as TokenEndpointError).code).toBe('TOKEN_ENDPOINT_ERROR');
      expect((error as TokenEndpointError).fields.error).toBe('invalid_request');
      expect((error as TokenEndpointError).status).toBe(400);
    }
  });

  test.each([
    ['no request_uri', '{"expires_in":60}', /request_uri/],
    ['an empty request_uri', '{"request_uri":"","expires_in":60}', /request_uri/],
    ['no expires_in', '{"request_uri":"urn:x"}', /expires_in.*missing/],
    ['expires_in as a string', '{"request_uri":"urn:x","expires_in":"60"}', /positive whole number/],
    ['expires_in zero', '{"request_uri":"urn:x","expires_in":0}', /positive whole number/],
    ['expires_in a fraction', '{"request_uri":"urn:x","expires_in":1.5}', /positive whole number/],
    ['HTML', '<html>gateway</html>', /without a JSON object/],
  ])('RFC 9126 §2.2: %s is refused as INVALID_RESPONSE', (_name, body, message) => {
    expect(() => parsePushedAuthorizationResponse({ status: 201, body })).toThrow(ProtocolViolationError);
    expect(() => parsePushedAuthorizationResponse({ status: 201, body })).toThrow(message);
  });

  test('a 500 without an error field is refused, not read as a success', () => {
    expect(() =>
      parsePushedAuthorizationResponse({ status: 500, body: '{"request_uri":"urn:x","expires_in":60}' }),
    ).toThrow(/HTTP 500/);
  });

  test('any body never crashes: it reads or throws a LabError', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), fc.integer({ min: 100, max: 599 }), (body, status) => {
        try {
          const read = parsePushedAuthorizationResponse({ status, body });
          expect(read.request_uri).not.toBe('');
          expect(read.expires_in).toBeGreaterThan(0);
        } catch (error) {
          expect(error).toHaveProperty('code');
        }
      }),
    );
  });
});

describe('the authorization URL after the push', () => {
  test('RFC 9126 §4: only client_id and request_uri', () => {
    expect(
      buildPushedAuthorizationUrl(
        'https://as.example.com/authorize',
        's6BhdRkqt3',
        'urn:ietf:params:oauth:request_uri:6esc_11ACC5bwc014ltc14eY22c',
      ).toString(),
    ).toBe(
      'https://as.example.com/authorize?client_id=s6BhdRkqt3&request_uri=urn%3Aietf%3Aparams%3Aoauth%3Arequest_uri%3A6esc_11ACC5bwc014ltc14eY22c',
    );
  });

  test('RFC 9126 §2.2: seconds left count down from expires_in and go negative once past', () => {
    expect(calculateRequestUriSecondsLeft(1_000_000, 60, 1_000_000)).toBe(60);
    expect(calculateRequestUriSecondsLeft(1_000_000, 60, 1_059_500)).toBe(0);
    expect(calculateRequestUriSecondsLeft(1_000_000, 60, 1_061_000)).toBe(-1);
  });
});
