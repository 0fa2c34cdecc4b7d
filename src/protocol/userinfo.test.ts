import { describe, expect, test } from 'vitest';
import { ProtocolViolationError, TokenEndpointError } from './errors.ts';
import { buildUserinfoRequest, isDpopBound, parseUserinfoResponse } from './userinfo.ts';

const b64 = (value: unknown) =>
  btoa(JSON.stringify(value)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
const jwt = (payload: unknown) => `${b64({ alg: 'RS256', typ: 'JWT' })}.${b64(payload)}.c2ln`;

describe('userinfo request', () => {
  test('OIDC Core §5.3.1 example: GET with the access token as a Bearer credential', () => {
    const request = buildUserinfoRequest('https://server.example.com/userinfo', 'SlAV32hkKG');
    expect(request.method).toBe('GET');
    expect(request.url).toBe('https://server.example.com/userinfo');
    expect(request.headers).toContainEqual(['Authorization', 'Bearer SlAV32hkKG']);
    expect(request.body).toBeUndefined();
    expect(request.secretFields).toEqual(['Authorization']);
  });

  test('RFC 9449 §7.1: a DPoP-bound token goes with the DPoP scheme and its proof', () => {
    const request = buildUserinfoRequest('https://as/userinfo', 'Bearer tok', 'proof.jwt.sig');
    expect(request.headers).toContainEqual(['Authorization', 'DPoP tok']);
    expect(request.headers).toContainEqual(['DPoP', 'proof.jwt.sig']);
  });

  test('RFC 9449 §6: a token is DPoP-bound by its token_type or its cnf.jkt', () => {
    expect(isDpopBound('opaque', 'DPoP')).toBe(true);
    expect(isDpopBound('opaque', 'Bearer')).toBe(false);
    expect(isDpopBound(jwt({ sub: 'a', cnf: { jkt: '0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I' } }))).toBe(
      true,
    );
    expect(isDpopBound(jwt({ sub: 'a', cnf: { 'x5t#S256': 'x' } }))).toBe(false);
    expect(isDpopBound('not.a.jwt')).toBe(false);
  });
});

describe('userinfo response', () => {
  const ok = (body: unknown, contentType = 'application/json') => ({
    status: 200,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: [['Content-Type', contentType]] as [string, string][],
  });

  test('OIDC Core §5.3.2 example: the claims, sub first', () => {
    const reading = parseUserinfoResponse(
      ok({
        sub: '248289761001',
        name: 'Jane Doe',
        given_name: 'Jane',
        family_name: 'Doe',
        preferred_username: 'j.doe',
        email: 'janedoe@example.com',
        picture: 'http://example.com/janedoe/me.jpg',
      }),
      '248289761001',
    );
    expect(reading.claims['name']).toBe('Jane Doe');
    expect(reading.signed).toBe(false);
    expect(reading.subMatches).toBe(true);
  });

  test('OIDC Core §5.3.2: a sub that differs from the ID token’s is flagged', () => {
    expect(parseUserinfoResponse(ok({ sub: 'other' }), 'mine').subMatches).toBe(false);
    expect(parseUserinfoResponse(ok({ sub: 'other' })).subMatches).toBeUndefined();
  });

  test('OIDC Core §5.3.2: a signed answer (application/jwt) is decoded', () => {
    const reading = parseUserinfoResponse(ok(jwt({ sub: 's1', email: 'a@b' }), 'application/jwt'));
    expect(reading.signed).toBe(true);
    expect(reading.claims['email']).toBe('a@b');
  });

  test('OIDC Core §5.3.2: no sub, no answer', () => {
    expect(() => parseUserinfoResponse(ok({ name: 'x' }))).toThrow(ProtocolViolationError);
  });

  test('OIDC Core §5.3.3 / RFC 6750 §3: a refusal names the challenge’s error', () => {
    let thrown: unknown;
    try {
      parseUserinfoResponse({
        status: 401,
        body: '',
        headers: [
          ['WWW-Authenticate', 'Bearer error="invalid_token", error_description="The Access Token expired"'],
        ],
      });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(TokenEndpointError);
    expect((thrown as TokenEndpointError).fields.error).toBe('invalid_token');
    expect((thrown as TokenEndpointError).fields.error_description).toBe('The Access Token expired');
  });

  test('RFC 9449 §7.1: a DPoP challenge is read too', () => {
    let thrown: unknown;
    try {
      parseUserinfoResponse({
        status: 401,
        body: '',
        headers: [['WWW-Authenticate', 'DPoP error="use_dpop_nonce", algs="ES256"']],
      });
    } catch (error) {
      thrown = error;
    }
    expect((thrown as TokenEndpointError).fields.error).toBe('use_dpop_nonce');
  });

  test('a 401 with nothing to read is an INVALID_RESPONSE', () => {
    expect(() => parseUserinfoResponse({ status: 401, body: '' })).toThrow(/without naming an error/);
  });
});
