import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { decideTokenKind, TOKEN_KINDS } from './token-kind.ts';
import type { TokenKind } from './token-kind.ts';
import { PROVIDER_TOKENS } from './test-support/token-shapes.ts';

const KINDS: readonly TokenKind[] = TOKEN_KINDS;

describe('decideTokenKind on real providers’ token shapes', () => {
  test.each(PROVIDER_TOKENS.map((t) => [t.name, t] as const))('%s', (_name, token) => {
    const decision = decideTokenKind(token.header, token.payload);
    expect(decision.kind).toBe(token.kind);
    expect(decision.signal).toMatch(token.signal);
    expect(decision.confidence).not.toBe('none');
  });
});

describe('decideTokenKind: each signal, strongest first', () => {
  test('RFC 9068 §2.1: typ at+jwt, in any case and with application/, wins over ID-token claims', () => {
    for (const typ of ['at+jwt', 'AT+JWT', 'application/at+jwt', ' Application/At+JWT ']) {
      const decision = decideTokenKind(
        { alg: 'RS256', typ },
        { nonce: 'n', at_hash: 'h', aud: 'c', azp: 'c' },
      );
      expect(decision).toMatchObject({ kind: 'access', confidence: 'high' });
      expect(decision.signal).toContain('RFC 9068 §2.1');
    }
  });

  test('RFC 7515 §4.1.9: typ JWT alone says nothing', () => {
    expect(decideTokenKind({ typ: 'JWT' }, {}).confidence).toBe('none');
    expect(decideTokenKind({ typ: 'JWT' }, { nonce: 'n' }).kind).toBe('id');
  });

  test('OIDC Back-Channel Logout §2.4: typ logout+jwt, or the logout event alone', () => {
    expect(decideTokenKind({ typ: 'logout+jwt' }, {}).kind).toBe('logout');
    const byEvent = decideTokenKind(
      {},
      { sid: 's', events: { 'http://schemas.openid.net/event/backchannel-logout': {} } },
    );
    expect(byEvent).toMatchObject({ kind: 'logout', confidence: 'high' });
    expect(decideTokenKind({}, { events: { 'https://other.example/event': {} } }).kind).not.toBe('logout');
  });

  test('Keycloak typ claim: Bearer, ID, Refresh, Offline, Logout', () => {
    const expected: Record<string, TokenKind> = {
      Bearer: 'access',
      ID: 'id',
      Refresh: 'refresh',
      Offline: 'refresh',
      Logout: 'logout',
    };
    for (const [typ, kind] of Object.entries(expected)) {
      // Keycloak access tokens also carry nonce: the typ claim must still decide.
      const decision = decideTokenKind({ typ: 'JWT' }, { typ, nonce: 'n', scope: 'openid' });
      expect(decision.kind).toBe(kind);
      expect(decision.signal).toContain(`"${typ}"`);
    }
    // Only Keycloak's exact values count.
    expect(decideTokenKind({}, { typ: 'bearer' }).confidence).toBe('none');
  });

  test('Cognito token_use access / id', () => {
    expect(decideTokenKind({}, { token_use: 'access', aud: 'x', azp: 'x' }).kind).toBe('access');
    expect(decideTokenKind({}, { token_use: 'id', scope: 'openid' }).kind).toBe('id');
  });

  test('ForgeRock tokenName and Oracle tok_type', () => {
    expect(decideTokenKind({}, { tokenName: 'id_token', scope: ['openid'] }).kind).toBe('id');
    expect(decideTokenKind({}, { tokenName: 'access_token', nonce: 'n' }).kind).toBe('access');
    expect(decideTokenKind({}, { tok_type: 'AT', nonce: 'n' })).toMatchObject({
      kind: 'access',
      signal: 'tok_type is "AT" (Oracle)',
    });
  });

  test('Entra idtyp app/user marks access tokens', () => {
    expect(decideTokenKind({}, { idtyp: 'app', roles: ['x'] }).signal).toMatch(/app-only/);
    expect(decideTokenKind({}, { idtyp: 'user' }).kind).toBe('access');
  });

  test('Entra: an ID token with roles is an ID token; an app-only token is an access token', () => {
    const iss = 'https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0';
    const idWithRoles = { iss, aud: 'client', roles: ['Approver'], oid: 'o', sub: 's', ver: '2.0' };
    expect(decideTokenKind({}, idWithRoles)).toMatchObject({ kind: 'id', confidence: 'medium' });
    const appOnly = { iss, aud: 'api', roles: ['Data.Read'], azp: 'c', azpacr: '1', oid: 'o', sub: 'o' };
    expect(decideTokenKind({}, appOnly).kind).toBe('access');
    expect(decideTokenKind({}, { ...idWithRoles, nonce: 'n' }).kind).toBe('id');
  });

  test('OIDC Core §2: nonce, at_hash and c_hash mark an ID token; scope, scp, client_id and cid an access token', () => {
    for (const name of ['nonce', 'at_hash', 'c_hash']) {
      const decision = decideTokenKind({}, { [name]: 'x' });
      expect(decision.kind).toBe('id');
      expect(decision.signal).toContain(name);
    }
    for (const name of ['scope', 'scp', 'client_id', 'cid']) {
      const decision = decideTokenKind({}, { [name]: 'x' });
      expect(decision.kind).toBe('access');
      expect(decision.signal).toContain(name);
    }
  });

  test('weak signals: azp equal to the single aud, auth_time alone', () => {
    expect(decideTokenKind({}, { azp: 'c', aud: ['c'] })).toMatchObject({ kind: 'id', confidence: 'low' });
    expect(decideTokenKind({}, { azp: 'c', aud: ['c', 'd'] }).confidence).toBe('none');
    expect(decideTokenKind({}, { auth_time: 1 })).toMatchObject({ kind: 'id', confidence: 'low' });
    // Okta access tokens carry auth_time too, but cid decides first.
    expect(decideTokenKind({}, { auth_time: 1, cid: 'c' }).kind).toBe('access');
  });

  test('RFC 7523 §3: a client assertion has iss equal to sub and a token endpoint as aud', () => {
    const decision = decideTokenKind(
      { alg: 'PS256', typ: 'JWT' },
      { iss: 'client', sub: 'client', aud: 'https://login.example/t/oauth2/v2.0/token', jti: 'j', exp: 1 },
    );
    expect(decision).toMatchObject({ kind: 'client-assertion', confidence: 'high' });
    expect(decideTokenKind({}, { iss: 'c', sub: 'c', aud: 'https://as.example' }).kind).toBe(
      'client-assertion',
    );
    // A token about the issuer itself that carries scopes is not an assertion.
    expect(decideTokenKind({}, { iss: 'c', sub: 'c', aud: 'api', scope: 'x' }).kind).toBe('access');
  });

  test('no signal: says so, and it is a JWT of unknown kind, never assumed an access token', () => {
    const decision = decideTokenKind({ alg: 'RS256' }, { iss: 'https://as.example', sub: 'u', aud: 'x' });
    expect(decision).toEqual({
      kind: 'jwt',
      confidence: 'none',
      signal:
        'no header or claim says what kind of token this is, so its claims get the general meanings of RFC 7519',
    });
  });

  test('a hint from the flow wins over every signal and says where it came from', () => {
    const decision = decideTokenKind(
      { typ: 'at+jwt' },
      { nonce: 'n' },
      { kind: 'id', source: 'it came back as the ID token' },
    );
    expect(decision).toEqual({ kind: 'id', confidence: 'hint', signal: 'it came back as the ID token' });
  });
});

// Values real servers send that the specs did not foresee, anywhere in the header or payload.
const anyValue = fc.oneof(
  fc.jsonValue(),
  fc.constantFrom(null, 'true', 'false', '1.0', 1, 2.5, 1.7e12, -0, [], {}, 'Bearer', 'ID', 'at+jwt'),
  fc.array(fc.string(), { maxLength: 300 }),
  fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 5 }),
);
const claimName = fc.oneof(
  fc.constantFrom(
    'iss',
    'sub',
    'aud',
    'azp',
    'typ',
    'token_use',
    'idtyp',
    'scp',
    'scope',
    'roles',
    'nonce',
    'at_hash',
    'events',
    'client_id',
    'cid',
    'auth_time',
    'tid',
    'ver',
    'oid',
    '__proto__',
    'constructor',
    'toString',
  ),
  fc.string(),
);
const claimSet = fc.dictionary(claimName, anyValue, { maxKeys: 12 });

describe('decideTokenKind on generated claim sets', () => {
  test('fast-check: never throws, always a known kind and a non-empty signal', () => {
    fc.assert(
      fc.property(claimSet, claimSet, (header, payload) => {
        const decision = decideTokenKind(header, payload);
        expect(KINDS).toContain(decision.kind);
        expect(decision.signal.length).toBeGreaterThan(0);
        expect(['high', 'medium', 'low', 'none']).toContain(decision.confidence);
      }),
      { numRuns: 500 },
    );
  });

  test('fast-check: adding typ at+jwt always makes it an access token, unless a hint says otherwise', () => {
    fc.assert(
      fc.property(
        claimSet,
        claimSet,
        fc.constantFrom('at+jwt', 'application/at+jwt', 'AT+JWT'),
        fc.option(fc.constantFrom(...KINDS), { nil: undefined }),
        (header, payload, typ, hinted) => {
          const hint = hinted === undefined ? undefined : { kind: hinted, source: 'the flow said so' };
          const decision = decideTokenKind({ ...header, typ }, payload, hint);
          expect(decision.kind).toBe(hinted ?? 'access');
        },
      ),
      { numRuns: 300 },
    );
  });

  test('fast-check: a hint always wins', () => {
    fc.assert(
      fc.property(claimSet, claimSet, fc.constantFrom(...KINDS), (header, payload, kind) => {
        expect(decideTokenKind(header, payload, { kind, source: 's' })).toEqual({
          kind,
          signal: 's',
          confidence: 'hint',
        });
      }),
      { numRuns: 100 },
    );
  });
});
