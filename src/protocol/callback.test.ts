import { describe, expect, test } from 'vitest';
import { parseAuthorizationResponse, readCallbackParameters } from './callback.ts';
import { AuthorizationResponseError } from './errors.ts';

const base = 'http://localhost:5173/callback';

describe('authorization response', () => {
  test('RFC 6749 §4.1.2: code and state from the query', () => {
    const result = parseAuthorizationResponse(`${base}?code=abc&state=xyz`, { state: 'xyz' });
    expect(result).toMatchObject({ code: 'abc', state: 'xyz', responseMode: 'query' });
  });

  test('OAuth Multiple Response Types §2: code and state from the fragment', () => {
    const result = parseAuthorizationResponse(`${base}#code=abc&state=xyz`, { state: 'xyz' });
    expect(result.responseMode).toBe('fragment');
  });

  test('RFC 6749 §10.12: a forged state is refused with STATE_MISMATCH', () => {
    expect(() => parseAuthorizationResponse(`${base}?code=abc&state=forged`, { state: 'xyz' })).toThrow(
      expect.objectContaining({ code: 'STATE_MISMATCH' }),
    );
  });

  test('RFC 6749 §10.12: a missing state is refused when one was sent', () => {
    expect(() => parseAuthorizationResponse(`${base}?code=abc`, { state: 'xyz' })).toThrow(
      expect.objectContaining({ code: 'STATE_MISMATCH', message: expect.stringMatching(/no state/) }),
    );
  });

  test('RFC 6749 §4.1.2.1: an error keeps its fields verbatim', () => {
    const url = `${base}?error=access_denied&error_description=AADSTS65004%3A+User+declined&state=xyz`;
    try {
      parseAuthorizationResponse(url, { state: 'xyz' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(AuthorizationResponseError);
      expect((error as AuthorizationResponseError).fields).toMatchObject({
        error: 'access_denied',
        error_description: 'AADSTS65004: User declined',
      });
      expect((error as AuthorizationResponseError).code).toBe('AUTHORIZATION_RESPONSE_ERROR');
    }
  });

  test('state is checked before an error is believed', () => {
    expect(() =>
      parseAuthorizationResponse(`${base}?error=access_denied&state=forged`, { state: 'xyz' }),
    ).toThrow(expect.objectContaining({ code: 'STATE_MISMATCH' }));
  });

  test('RFC 6749 §3.1: a repeated parameter is refused', () => {
    expect(() => readCallbackParameters(`${base}?code=a&code=b&state=x`)).toThrow(
      expect.objectContaining({ code: 'DUPLICATE_PARAMETER' }),
    );
  });

  test('a callback with neither code nor error is MISSING_PARAMETER', () => {
    expect(() => parseAuthorizationResponse(`${base}?state=xyz`, { state: 'xyz' })).toThrow(
      expect.objectContaining({ code: 'MISSING_PARAMETER' }),
    );
  });

  test('RFC 9207 §2.4: a response from another issuer is refused', () => {
    expect(() =>
      parseAuthorizationResponse(`${base}?code=a&state=x&iss=https%3A%2F%2Fevil.example`, {
        state: 'x',
        issuer: 'http://localhost:5174/t/v2.0',
      }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_RESPONSE' }));
  });

  test('injected HTML in a parameter is kept as inert text', () => {
    const result = parseAuthorizationResponse(`${base}?code=%3Cscript%3E&state=x`, { state: 'x' });
    expect(result.code).toBe('<script>');
  });
});
