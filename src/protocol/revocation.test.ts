import { describe, expect, test } from 'vitest';
import { ProtocolViolationError, TokenEndpointError } from './errors.ts';
import { buildRevocationRequest, parseRevocationResponse } from './revocation.ts';

describe('revocation request', () => {
  test('RFC 7009 §2.1 example: a refresh token revoked with Basic authentication', () => {
    const request = buildRevocationRequest(
      'https://server.example.com/revoke',
      { token: '45ghiukldjahdnhzdauz', tokenTypeHint: 'refresh_token', clientId: 's6BhdRkqt3' },
      { method: 'client_secret_basic', clientSecret: 'gX1fBat3bV' },
    );
    expect(request.method).toBe('POST');
    expect(request.body).toBe('token=45ghiukldjahdnhzdauz&token_type_hint=refresh_token');
    expect(request.headers).toContainEqual(['Content-Type', 'application/x-www-form-urlencoded']);
    expect(request.headers).toContainEqual(['Authorization', 'Basic czZCaGRSa3F0MzpnWDFmQmF0M2JW']);
    expect(request.secretFields).toContain('token');
  });

  test('RFC 7009 §2.1: token_type_hint is optional', () => {
    const request = buildRevocationRequest(
      'https://as/revoke',
      { token: 'at', clientId: 'spa' },
      { method: 'none' },
    );
    expect(request.body).toBe('token=at&client_id=spa');
  });
});

describe('revocation response', () => {
  test('RFC 7009 §2.2: HTTP 200 is success, whatever the body says', () => {
    expect(parseRevocationResponse({ status: 200, body: '' })).toEqual({ status: 200, revoked: true });
    expect(parseRevocationResponse({ status: 200, body: '{"anything":1}' }).revoked).toBe(true);
  });

  test('RFC 7009 §2.2.1: unsupported_token_type keeps the server fields', () => {
    let thrown: unknown;
    try {
      parseRevocationResponse({
        status: 400,
        body: '{"error":"unsupported_token_type","error_description":"no"}',
      });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(TokenEndpointError);
    expect((thrown as TokenEndpointError).fields.error).toBe('unsupported_token_type');
    expect((thrown as TokenEndpointError).status).toBe(400);
  });

  test('RFC 7009 §2.2.1: 503 says the token may still be valid', () => {
    expect(() => parseRevocationResponse({ status: 503, body: '' })).toThrow(/may still be valid/);
  });

  test('an unexplained status is an INVALID_RESPONSE', () => {
    let thrown: unknown;
    try {
      parseRevocationResponse({ status: 404, body: '<html>not found</html>' });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ProtocolViolationError);
    expect((thrown as ProtocolViolationError).code).toBe('INVALID_RESPONSE');
  });
});
