import { describe, expect, test } from 'vitest';
import { findBearerChallenge, parseWwwAuthenticate } from './bearer.ts';
import { ProtocolViolationError } from './errors.ts';

describe('WWW-Authenticate', () => {
  test('RFC 9110 §11.6.1 example: two challenges, quoted strings with escaped quotes', () => {
    const header = 'Newauth realm="apps", type=1, title="Login to \\"apps\\"", Basic realm="simple"';
    expect(parseWwwAuthenticate(header)).toEqual([
      { scheme: 'Newauth', params: { realm: 'apps', type: '1', title: 'Login to "apps"' } },
      { scheme: 'Basic', params: { realm: 'simple' } },
    ]);
  });

  test('RFC 6750 §3 example: Bearer with realm only (no token was sent)', () => {
    expect(parseWwwAuthenticate('Bearer realm="example"')).toEqual([
      { scheme: 'Bearer', params: { realm: 'example' } },
    ]);
  });

  test('RFC 6750 §3 example: invalid_token with a description', () => {
    const challenges = parseWwwAuthenticate(
      'Bearer realm="example", error="invalid_token", error_description="The access token expired"',
    );
    expect(findBearerChallenge(challenges)).toMatchObject({
      realm: 'example',
      error: 'invalid_token',
      error_description: 'The access token expired',
    });
  });

  test('RFC 6750 §3.1: insufficient_scope names the needed scope; param names are case-insensitive', () => {
    const bearer = findBearerChallenge(
      parseWwwAuthenticate('bearer ERROR="insufficient_scope", Scope="User.Read.All"'),
    );
    expect(bearer).toMatchObject({ error: 'insufficient_scope', scope: 'User.Read.All' });
  });

  test('RFC 9110 §5.6.2: BWS around "=", empty list elements, and bare scheme', () => {
    expect(parseWwwAuthenticate(' ,Bearer  realm = "a" ,, error=invalid_token , Negotiate')).toEqual([
      { scheme: 'Bearer', params: { realm: 'a', error: 'invalid_token' } },
      { scheme: 'Negotiate', params: {} },
    ]);
  });

  test('RFC 9110 §11.2: token68 with padding, then another challenge', () => {
    expect(parseWwwAuthenticate('Negotiate YII+/a==, Bearer realm=""')).toEqual([
      { scheme: 'Negotiate', params: {}, token68: 'YII+/a==' },
      { scheme: 'Bearer', params: { realm: '' } },
    ]);
  });

  test('Graph-style challenge: empty realm and Entra extras are kept', () => {
    const header =
      'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"';
    const bearer = findBearerChallenge(parseWwwAuthenticate(header));
    expect(bearer?.realm).toBe('');
    expect(bearer?.error).toBeUndefined();
    expect(bearer?.params['client_id']).toBe('00000003-0000-0000-c000-000000000000');
  });

  test('a quoted string may hold commas and "=" without splitting', () => {
    const bearer = findBearerChallenge(
      parseWwwAuthenticate('Bearer error_description="a, b=c", error="invalid_token"'),
    );
    expect(bearer).toMatchObject({ error_description: 'a, b=c', error: 'invalid_token' });
  });

  test('no Bearer challenge: undefined', () => {
    expect(findBearerChallenge(parseWwwAuthenticate('Basic realm="x"'))).toBeUndefined();
  });

  for (const [name, header] of [
    ['an unclosed quoted string', 'Bearer error="invalid_token'],
    ['a repeated parameter (RFC 9110 §11.2)', 'Bearer error="a", error="b"'],
    ['garbage between parameters', 'Bearer error="a" scope="b"'],
    ['no scheme', '="x"'],
  ] as const) {
    test(`${name} is INVALID_RESPONSE`, () => {
      try {
        parseWwwAuthenticate(header);
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(ProtocolViolationError);
        expect((error as ProtocolViolationError).code).toBe('INVALID_RESPONSE');
      }
    });
  }
});
