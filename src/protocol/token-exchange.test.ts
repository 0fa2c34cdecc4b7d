import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { TokenEndpointError, ProtocolViolationError } from './errors.ts';
import { decodeJwt } from './jwt.ts';
import {
  buildTokenExchangeRequest,
  checkTokenExchangeInput,
  describeTokenType,
  isUsableAsAccessToken,
  parseTokenExchangeResponse,
  readDelegation,
  splitTargets,
  TOKEN_EXCHANGE_GRANT,
  TOKEN_TYPE_LIST,
  TOKEN_TYPES,
  tokenExchangeParameters,
} from './token-exchange.ts';

// RFC 8693 Appendix A.1.1: the impersonation example's subject token (a JWT from another issuer).
const A1_SUBJECT =
  'eyJhbGciOiJFUzI1NiIsImtpZCI6IjE2In0.eyJhdWQiOiJodHRwczovL2FzLmV4YW1wbGUuY29tIiwiaXNzIjoiaHR0cHM6Ly9vcmlnaW5hbC1pc3N1ZXIuZXhhbXBsZS5uZXQiLCJleHAiOjE0NDE5MTA2MDAsIm5iZiI6MTQ0MTkwOTAwMCwic3ViIjoiYmRjQGV4YW1wbGUubmV0Iiwic2NvcGUiOiJvcmRlcnMgcHJvZmlsZSBoaXN0b3J5In0.PRBg-jXn4cJuj1gmYXFiGkZzRuzbXZ_sDxdE98ddW44ufsbWLKd3JJ1VZhF64pbTtfjy4VXFVBDaQpKjn5JzAw';
// RFC 8693 Appendix A.1.2: the token issued for it.
const A1_ISSUED =
  'eyJhbGciOiJFUzI1NiIsImtpZCI6IjcyIn0.eyJhdWQiOiJ1cm46ZXhhbXBsZTpjb29wZXJhdGlvbi1jb250ZXh0IiwiaXNzIjoiaHR0cHM6Ly9hcy5leGFtcGxlLmNvbSIsImV4cCI6MTQ0MTkxMzYxMCwic3ViIjoiYmRjQGV4YW1wbGUubmV0Iiwic2NvcGUiOiJvcmRlcnMgcHJvZmlsZSBoaXN0b3J5In0.rMdWpSGNACTvnFuOL74sYZ6MVuld2Z2WkGLmQeR9ztj6w2OXraQlkJmGjyiCq24kcB7AI2VqVxl3wSWnVKh85A';
// RFC 8693 Appendix A.2.1: the delegation example's subject token (with may_act) and actor token.
const A2_SUBJECT =
  'eyJhbGciOiJFUzI1NiIsImtpZCI6IjE2In0.eyJhdWQiOiJodHRwczovL2FzLmV4YW1wbGUuY29tIiwiaXNzIjoiaHR0cHM6Ly9vcmlnaW5hbC1pc3N1ZXIuZXhhbXBsZS5uZXQiLCJleHAiOjE0NDE5MTAwNjAsInNjb3BlIjoic3RhdHVzIGZlZWQiLCJzdWIiOiJ1c2VyQGV4YW1wbGUubmV0IiwibWF5X2FjdCI6eyJzdWIiOiJhZG1pbkBleGFtcGxlLm5ldCJ9fQ.4rPRSWihQbpMIgAmAoqaJojAxj-p2X8_fAtAGTXrvMxU-eEZHnXqY0_AOZgLdxw5DyLzua8H_I10MCcckF-Q_g';
const A2_ACTOR =
  'eyJhbGciOiJFUzI1NiIsImtpZCI6IjE2In0.eyJhdWQiOiJodHRwczovL2FzLmV4YW1wbGUuY29tIiwiaXNzIjoiaHR0cHM6Ly9vcmlnaW5hbC1pc3N1ZXIuZXhhbXBsZS5uZXQiLCJleHAiOjE0NDE5MTAwNjAsInN1YiI6ImFkbWluQGV4YW1wbGUubmV0In0.7YQ-3zPfhUvzje5oqw8COCvN5uP6NsKik9CVV6cAOf4QKgM-tKfiOwcgZoUuDL2tEs6tqPlcBlMjiSzEjm3yBg';
// RFC 8693 Appendix A.2.2: the delegated token, with act.
const A2_ISSUED =
  'eyJhbGciOiJFUzI1NiIsImtpZCI6IjcyIn0.eyJhdWQiOiJ1cm46ZXhhbXBsZTpjb29wZXJhdGlvbi1jb250ZXh0IiwiaXNzIjoiaHR0cHM6Ly9hcy5leGFtcGxlLmNvbSIsImV4cCI6MTQ0MTkxMzYxMCwic2NvcGUiOiJzdGF0dXMgZmVlZCIsInN1YiI6InVzZXJAZXhhbXBsZS5uZXQiLCJhY3QiOnsic3ViIjoiYWRtaW5AZXhhbXBsZS5uZXQifX0.3paKl9UySKYB5ng6_cUtQ2qlO8Rc_y7Mea7IwEXTcYbNdwG9-G1EKCFe5fW3H0hwX-MSZ49Wpcb1SiAZaOQBtw';

const json = (body: object, status = 200) => ({ status, body: JSON.stringify(body) });

describe('token type identifiers', () => {
  test('RFC 8693 §3: the six registered URIs', () => {
    expect(TOKEN_TYPE_LIST.map((t) => t.uri)).toEqual([
      'urn:ietf:params:oauth:token-type:access_token',
      'urn:ietf:params:oauth:token-type:refresh_token',
      'urn:ietf:params:oauth:token-type:id_token',
      'urn:ietf:params:oauth:token-type:saml1',
      'urn:ietf:params:oauth:token-type:saml2',
      'urn:ietf:params:oauth:token-type:jwt',
    ]);
    expect(describeTokenType(' urn:ietf:params:oauth:token-type:id_token ')?.name).toBe('id_token');
    expect(describeTokenType('urn:ietf:params:oauth:token-type:txn_token')).toBeUndefined();
  });
});

describe('token exchange request', () => {
  test('RFC 8693 §2.3: the example request, byte for byte, with Basic client authentication', () => {
    const request = buildTokenExchangeRequest(
      'https://as.example.com/as/token.oauth2',
      {
        clientId: 'rs08',
        resource: ['https://backend.example.com/api'],
        subjectToken: 'accVkjcJyb4BWCxGsndESCJQbdFMogUC5PbRDqceLTC',
        subjectTokenType: TOKEN_TYPES.access_token,
      },
      { method: 'client_secret_basic', clientSecret: 'long-secure-random-secret' },
    );
    expect(request.method).toBe('POST');
    expect(request.headers).toContainEqual([
      'Authorization',
      'Basic cnMwODpsb25nLXNlY3VyZS1yYW5kb20tc2VjcmV0',
    ]);
    expect(request.body).toBe(
      'grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange' +
        '&resource=https%3A%2F%2Fbackend.example.com%2Fapi' +
        '&subject_token=accVkjcJyb4BWCxGsndESCJQbdFMogUC5PbRDqceLTC' +
        '&subject_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Aaccess_token',
    );
    expect(request.secretFields).toEqual(expect.arrayContaining(['Authorization', 'subject_token']));
  });

  test('RFC 8693 Appendix A.1.1: impersonation, audience and a JWT subject token', () => {
    const body = new URLSearchParams(
      buildTokenExchangeRequest(
        'https://as.example.com/token',
        {
          audience: ['urn:example:cooperation-context'],
          subjectToken: A1_SUBJECT,
          subjectTokenType: TOKEN_TYPES.jwt,
        },
        { method: 'none' },
      ).body,
    );
    expect([...body.keys()]).toEqual(['grant_type', 'audience', 'subject_token', 'subject_token_type']);
    expect(body.get('audience')).toBe('urn:example:cooperation-context');
    expect(decodeJwt(A1_SUBJECT).payload).toEqual({
      aud: 'https://as.example.com',
      iss: 'https://original-issuer.example.net',
      exp: 1441910600,
      nbf: 1441909000,
      sub: 'bdc@example.net',
      scope: 'orders profile history',
    });
  });

  test('RFC 8693 Appendix A.2.1: delegation sends the actor token with its type; both are secrets', () => {
    const request = buildTokenExchangeRequest(
      'https://as.example.com/token',
      {
        audience: ['urn:example:cooperation-context'],
        subjectToken: A2_SUBJECT,
        subjectTokenType: TOKEN_TYPES.jwt,
        actorToken: A2_ACTOR,
        actorTokenType: TOKEN_TYPES.jwt,
      },
      { method: 'none' },
    );
    const body = new URLSearchParams(request.body);
    expect([...body.keys()]).toEqual([
      'grant_type',
      'audience',
      'subject_token',
      'subject_token_type',
      'actor_token',
      'actor_token_type',
    ]);
    expect(body.get('actor_token')).toBe(A2_ACTOR);
    expect(request.secretFields).toEqual(expect.arrayContaining(['subject_token', 'actor_token']));
  });

  test('RFC 8693 §2.1: actor_token_type is not sent without an actor token', () => {
    const parameters = tokenExchangeParameters({
      subjectToken: 's',
      subjectTokenType: TOKEN_TYPES.access_token,
      actorToken: '  ',
      actorTokenType: TOKEN_TYPES.jwt,
    });
    const body = new URLSearchParams(
      buildTokenExchangeRequest(
        'https://as/token',
        { subjectToken: 's', subjectTokenType: TOKEN_TYPES.access_token, actorTokenType: TOKEN_TYPES.jwt },
        { method: 'none' },
      ).body,
    );
    expect(parameters.find(([n]) => n === 'actor_token_type')?.[1]).toBe('');
    expect(body.has('actor_token_type')).toBe(false);
  });

  test('client_secret_post keeps client_id and adds the secret to the body', () => {
    const body = new URLSearchParams(
      buildTokenExchangeRequest(
        'https://as/token',
        { clientId: 'c', subjectToken: 's', subjectTokenType: TOKEN_TYPES.access_token, scope: ' api.read ' },
        { method: 'client_secret_post', clientSecret: 'p' },
      ).body,
    );
    expect(body.get('grant_type')).toBe(TOKEN_EXCHANGE_GRANT);
    expect(body.get('client_id')).toBe('c');
    expect(body.get('client_secret')).toBe('p');
    expect(body.get('scope')).toBe('api.read');
  });

  test('audience and resource repeat once per value, in order (property)', () => {
    const value = fc.stringMatching(/^[a-z][a-z0-9:/._-]{0,20}$/);
    fc.assert(
      fc.property(
        fc.array(value, { maxLength: 4 }),
        fc.array(value, { maxLength: 4 }),
        (audience, resource) => {
          const body = new URLSearchParams(
            buildTokenExchangeRequest(
              'https://as/token',
              { subjectToken: 's', subjectTokenType: TOKEN_TYPES.access_token, audience, resource },
              { method: 'none' },
            ).body,
          );
          expect(body.getAll('audience')).toEqual(audience);
          expect(body.getAll('resource')).toEqual(resource);
        },
      ),
    );
  });

  test('splitTargets reads one value per line or space', () => {
    expect(splitTargets(' https://a/api \n urn:b  urn:c\n')).toEqual(['https://a/api', 'urn:b', 'urn:c']);
    expect(splitTargets('   ')).toEqual([]);
  });
});

describe('checks before sending', () => {
  test('a complete request has no warning', () => {
    expect(
      checkTokenExchangeInput({
        subjectToken: 't',
        subjectTokenType: TOKEN_TYPES.access_token,
        resource: ['http://localhost:5174/standard/api'],
      }),
    ).toEqual([]);
  });

  test('names each problem by its parameter', () => {
    const warnings = checkTokenExchangeInput({
      subjectToken: '',
      subjectTokenType: 'urn:x:unknown',
      actorToken: 'a',
      actorTokenType: '',
      requestedTokenType: 'access_token',
      resource: ['backend', 'https://a/api#frag'],
    });
    expect(warnings.map((w) => w.parameter)).toEqual([
      'subject_token',
      'subject_token_type',
      'actor_token_type',
      'requested_token_type',
      'resource',
      'resource',
    ]);
  });
});

describe('token exchange response', () => {
  test('RFC 8693 Appendix A.1.2: an access token, issued_token_type access_token', () => {
    const tokens = parseTokenExchangeResponse(
      json({
        access_token: A1_ISSUED,
        issued_token_type: TOKEN_TYPES.access_token,
        token_type: 'Bearer',
        expires_in: 3600,
      }),
    );
    expect(tokens.issued_token_type).toBe(TOKEN_TYPES.access_token);
    expect(isUsableAsAccessToken(tokens)).toBe(true);
    expect(decodeJwt(tokens.access_token).payload['aud']).toBe('urn:example:cooperation-context');
    expect(readDelegation(tokens.access_token).actors).toEqual([]);
  });

  test('RFC 8693 Appendix A.2.2: a JWT that is not an access token (token_type N_A), with act', () => {
    const tokens = parseTokenExchangeResponse(
      json({
        access_token: A2_ISSUED,
        issued_token_type: TOKEN_TYPES.jwt,
        token_type: 'N_A',
        expires_in: 3600,
      }),
    );
    expect(isUsableAsAccessToken(tokens)).toBe(false);
    const delegation = readDelegation(tokens.access_token);
    expect(delegation.sub).toBe('user@example.net');
    expect(delegation.actors).toEqual([{ sub: 'admin@example.net', claims: { sub: 'admin@example.net' } }]);
  });

  test('RFC 8693 §4.4: may_act in the A.2.1 subject token', () => {
    expect(readDelegation(A2_SUBJECT).mayAct).toEqual({ sub: 'admin@example.net' });
  });

  test('RFC 8693 §4.1: a nested act chain, current actor first', () => {
    const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const token = `${part({ alg: 'ES256' })}.${part({
      aud: 'https://service26.example.com',
      iss: 'https://issuer.example.com',
      sub: 'user@example.com',
      act: { sub: 'https://service16.example.com', act: { sub: 'https://service77.example.com' } },
    })}.c2ln`;
    expect(readDelegation(token).actors.map((a) => a.sub)).toEqual([
      'https://service16.example.com',
      'https://service77.example.com',
    ]);
  });

  test('an opaque token has no delegation to read, and says why', () => {
    const reading = readDelegation('2YotnFZFEjr1zCsicMWpAA');
    expect(reading.actors).toEqual([]);
    expect(reading.unreadable).toBeTypeOf('string');
  });

  test('RFC 8693 §2.2.1: issued_token_type is required', () => {
    expect(() => parseTokenExchangeResponse(json({ access_token: 'x', token_type: 'Bearer' }))).toThrow(
      ProtocolViolationError,
    );
    expect(() =>
      parseTokenExchangeResponse(json({ access_token: 'x', token_type: 'Bearer', issued_token_type: 7 })),
    ).toThrow(/issued_token_type/);
  });

  test('RFC 8693 §2.2.2: invalid_target keeps the server fields', () => {
    let caught: unknown;
    try {
      parseTokenExchangeResponse(
        json({ error: 'invalid_target', error_description: 'unknown audience' }, 400),
      );
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(TokenEndpointError);
    expect((caught as TokenEndpointError).fields.error).toBe('invalid_target');
    expect((caught as TokenEndpointError).status).toBe(400);
  });

  test('RFC 8693 §2.2.2: invalid_request for an unacceptable subject token', () => {
    expect(() =>
      parseTokenExchangeResponse(
        json({ error: 'invalid_request', error_description: 'subject_token is invalid' }, 400),
      ),
    ).toThrow(TokenEndpointError);
  });
});
