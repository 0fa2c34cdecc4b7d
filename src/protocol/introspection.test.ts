import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { ProtocolViolationError, TokenEndpointError } from './errors.ts';
import {
  buildIntrospectionRequest,
  explainIntrospection,
  parseIntrospectionResponse,
} from './introspection.ts';

const json = (status: number, body: unknown) => ({
  status,
  body: typeof body === 'string' ? body : JSON.stringify(body),
  headers: [['Content-Type', 'application/json']] as [string, string][],
});

describe('introspection request', () => {
  test('RFC 7662 §2.1 example: Basic authentication, token and token_type_hint in the body', () => {
    const request = buildIntrospectionRequest(
      'https://server.example.com/introspect',
      { token: 'mF_9.B5f-4.1JqM', tokenTypeHint: 'access_token', clientId: 's6BhdRkqt3' },
      { method: 'client_secret_basic', clientSecret: 'gX1fBat3bV' },
    );
    expect(request.method).toBe('POST');
    expect(request.url).toBe('https://server.example.com/introspect');
    expect(request.body).toBe('token=mF_9.B5f-4.1JqM&token_type_hint=access_token');
    expect(request.headers).toContainEqual(['Authorization', 'Basic czZCaGRSa3F0MzpnWDFmQmF0M2JW']);
    expect(request.headers).toContainEqual(['Content-Type', 'application/x-www-form-urlencoded']);
    expect(request.headers).toContainEqual(['Accept', 'application/json']);
    expect(request.secretFields).toEqual(expect.arrayContaining(['token', 'Authorization']));
  });

  test('RFC 6749 §2.3.1: client_secret_post puts the id and secret in the body; no hint is left out', () => {
    const request = buildIntrospectionRequest(
      'https://as/introspect',
      { token: 't', tokenTypeHint: '', clientId: 'app' },
      { method: 'client_secret_post', clientSecret: 's&+' },
    );
    expect(request.body).toBe('token=t&client_id=app&client_secret=s%26%2B');
    expect(request.headers.some(([name]) => name === 'Authorization')).toBe(false);
    expect(request.secretFields).toEqual(expect.arrayContaining(['token', 'client_secret']));
  });

  test('a public client names itself with client_id', () => {
    const request = buildIntrospectionRequest(
      'https://as/introspect',
      { token: 'rt', tokenTypeHint: 'refresh_token', clientId: 'spa' },
      { method: 'none' },
    );
    expect(request.body).toBe('token=rt&token_type_hint=refresh_token&client_id=spa');
  });

  test('any token survives the form encoding', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), (token) => {
        const request = buildIntrospectionRequest(
          'https://as/introspect',
          { token, clientId: 'c' },
          { method: 'none' },
        );
        const sent = new URLSearchParams(request.body).get('token');
        expect(sent).toBe(token.trim() === '' ? null : token.trim());
      }),
    );
  });
});

describe('introspection response', () => {
  test('RFC 7662 §2.2 example: an active token with its members', () => {
    const { response, leakedMembers } = parseIntrospectionResponse(
      json(200, {
        active: true,
        client_id: 'l238j323ds-23ij4',
        username: 'jdoe',
        scope: 'read write dolphin',
        sub: 'Z5O3upPC88QrAjx00dis',
        aud: 'https://protected.example.net/resource',
        iss: 'https://server.example.com/',
        exp: 1419356238,
        iat: 1419350238,
        extension_field: 'twenty-seven',
      }),
    );
    expect(response.active).toBe(true);
    expect(response.scope).toBe('read write dolphin');
    expect(leakedMembers).toEqual([]);
    const members = explainIntrospection(response, 1419353238_000);
    expect(members.map((m) => m.name)).toEqual([
      'active',
      'scope',
      'client_id',
      'username',
      'exp',
      'iat',
      'sub',
      'aud',
      'iss',
      'extension_field',
    ]);
    expect(members.find((m) => m.name === 'exp')?.value).toContain('2014-12-23T17:37:18.000Z');
    expect(members.find((m) => m.name === 'exp')?.value).toContain('in 3000 s');
    expect(members.find((m) => m.name === 'extension_field')?.meaning).toMatch(/extension/i);
  });

  test('RFC 7662 §2.2 example: an inactive token says nothing else', () => {
    const { response } = parseIntrospectionResponse(json(200, { active: false }));
    expect(response).toEqual({ active: false });
    expect(explainIntrospection(response, 0).map((m) => m.name)).toEqual(['active']);
  });

  test('RFC 7662 §2.2: what an inactive answer adds is dropped and named', () => {
    const { response, leakedMembers } = parseIntrospectionResponse(
      json(200, { active: false, sub: 'someone', scope: 'x' }),
    );
    expect(response).toEqual({ active: false });
    expect(leakedMembers).toEqual(['sub', 'scope']);
  });

  test('RFC 7662 §2.3: a client that fails authentication gets invalid_client', () => {
    expect(() =>
      parseIntrospectionResponse(json(401, { error: 'invalid_client', error_description: 'no' })),
    ).toThrow(TokenEndpointError);
    try {
      parseIntrospectionResponse(json(401, { error: 'invalid_client' }));
    } catch (error) {
      expect((error as TokenEndpointError).fields.error).toBe('invalid_client');
      expect((error as TokenEndpointError).status).toBe(401);
    }
  });

  test.each([
    ['no active member', json(200, { scope: 'x' }), /no “active”/],
    ['a string "true"', json(200, { active: 'true' }), /true or false/],
    ['exp as a string', json(200, { active: true, exp: '1419356238' }), /“exp” should be a number/],
    ['sub as a number', json(200, { active: true, sub: 7 }), /“sub” should be a string/],
    ['an HTML page', { status: 200, body: '<html></html>' }, /without a JSON object/],
    ['an array', json(200, [true]), /without a JSON object/],
  ])('refuses %s with INVALID_RESPONSE', (_name, response, message) => {
    let thrown: unknown;
    try {
      parseIntrospectionResponse(response);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ProtocolViolationError);
    expect((thrown as ProtocolViolationError).code).toBe('INVALID_RESPONSE');
    expect((thrown as Error).message).toMatch(message);
  });

  test('never crashes on any JSON body', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.integer({ min: 100, max: 599 }), (value, status) => {
        try {
          const { response } = parseIntrospectionResponse({ status, body: JSON.stringify(value) });
          expect(typeof response.active).toBe('boolean');
          explainIntrospection(response, Date.now());
        } catch (error) {
          expect(error instanceof ProtocolViolationError || error instanceof TokenEndpointError).toBe(true);
        }
      }),
    );
  });
});
