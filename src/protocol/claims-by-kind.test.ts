import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { explainClaim, explainHeader, type IssuerFamily } from './claims.ts';
import { decideTokenKind, describeAccessTokenVersion, TOKEN_KINDS, type TokenKind } from './token-kind.ts';

// Generated payloads of every kind the app decodes, each with the claims its spec gives it.
const guid = fc.uuid();
const host = fc.constantFrom('as.example', 'login.example.org', 'id.example.net', 'localhost:5174');
const clientId = fc.oneof(guid, fc.stringMatching(/^[a-z][a-z0-9-]{2,20}$/));
const time = fc.integer({ min: 1_600_000_000, max: 2_000_000_000 });
const word = fc.stringMatching(/^[A-Za-z][A-Za-z0-9._-]{0,15}$/);
const scopes = fc.array(word, { minLength: 1, maxLength: 20 }).map((list) => list.join(' '));

interface Generated {
  readonly header: Record<string, unknown>;
  readonly payload: Record<string, unknown>;
}

const entraV1Access: fc.Arbitrary<Generated> = fc
  .record({ tid: guid, oid: guid, sub: fc.base64String({ minLength: 8 }), appid: guid, scp: scopes, time })
  .map(({ tid, oid, sub, appid, scp, time: iat }) => ({
    header: { alg: 'RS256', typ: 'JWT', x5t: 'abc', kid: 'abc' },
    payload: {
      aud: 'api://flow-lab-api',
      iss: `https://sts.windows.net/${tid}/`,
      iat,
      nbf: iat,
      exp: iat + 3600,
      appid,
      appidacr: '1',
      oid,
      scp,
      sub,
      tid,
      unique_name: 'adele@contoso.example',
      upn: 'adele@contoso.example',
      ver: '1.0',
    },
  }));

const entraV2Access: fc.Arbitrary<Generated> = fc
  .record({ tid: guid, oid: guid, azp: guid, roles: fc.array(word, { minLength: 1 }), time })
  .map(({ tid, oid, azp, roles, time: iat }) => ({
    header: { alg: 'RS256', typ: 'JWT', kid: 'k' },
    payload: {
      aud: azp,
      iss: `https://login.microsoftonline.com/${tid}/v2.0`,
      iat,
      exp: iat + 3600,
      azp,
      azpacr: '2',
      oid,
      roles,
      sub: oid,
      tid,
      ver: '2.0',
    },
  }));

const rfc9068Access: fc.Arbitrary<Generated> = fc
  .record({ host, client: clientId, sub: word, scope: scopes, time })
  .map(({ host: h, client, sub, scope, time: iat }) => ({
    header: { alg: 'ES256', typ: 'at+jwt' },
    payload: {
      iss: `https://${h}/`,
      aud: `https://api.${h}/`,
      sub,
      client_id: client,
      scope,
      iat,
      exp: iat + 600,
      jti: sub,
    },
  }));

const idToken: fc.Arbitrary<Generated> = fc
  .record({ host, client: clientId, sub: word, nonce: word, time })
  .map(({ host: h, client, sub, nonce, time: iat }) => ({
    header: { alg: 'RS256', kid: 'k' },
    payload: {
      iss: `https://${h}`,
      aud: client,
      sub,
      nonce,
      iat,
      exp: iat + 3600,
      auth_time: iat - 5,
      name: 'Adele',
    },
  }));

const clientAssertion: fc.Arbitrary<Generated> = fc
  .record({ tenant: guid, client: clientId, jti: guid, time, host })
  .map(({ tenant, client, jti, time: iat, host: h }) => ({
    header: { alg: 'PS256', typ: 'JWT', 'x5t#S256': 'q7Nw1f2V6Hc4bQ' },
    payload: {
      aud: `https://${h}/${tenant}/oauth2/v2.0/token`,
      iss: client,
      sub: client,
      jti,
      nbf: iat,
      iat,
      exp: iat + 600,
    },
  }));

const logoutToken: fc.Arbitrary<Generated> = fc
  .record({ host, client: clientId, sub: word, sid: guid, jti: guid, time, typed: fc.boolean() })
  .map(({ host: h, client, sub, sid, jti, time: iat, typed }) => ({
    header: typed ? { alg: 'RS256', typ: 'logout+jwt' } : { alg: 'RS256' },
    payload: {
      iss: `https://${h}`,
      aud: client,
      sub,
      sid,
      jti,
      iat,
      events: { 'http://schemas.openid.net/event/backchannel-logout': {} },
    },
  }));

const requestObject: fc.Arbitrary<Generated> = fc
  .record({ host, client: clientId, state: word, typed: fc.boolean(), time })
  .map(({ host: h, client, state, typed, time: iat }) => ({
    header: typed ? { alg: 'RS256', typ: 'oauth-authz-req+jwt' } : { alg: 'RS256' },
    payload: {
      iss: client,
      aud: `https://${h}`,
      response_type: 'code',
      client_id: client,
      redirect_uri: `https://app.${h}/cb`,
      scope: 'openid profile',
      state,
      nonce: state,
      iat,
      exp: iat + 300,
    },
  }));

const dpopProof: fc.Arbitrary<Generated> = fc
  .record({ host, jti: guid, time, typed: fc.boolean(), extra: fc.boolean() })
  .map(({ host: h, jti, time: iat, typed, extra }) => ({
    header: {
      ...(typed ? { typ: 'dpop+jwt' } : {}),
      alg: 'ES256',
      jwk: {
        kty: 'EC',
        crv: 'P-256',
        x: 'l8tFrhx-34tV3hRICRDY9zCkDlpBhF42UQUfWVAWBFs',
        y: '9VE4jf_Ok_o64zbTTlcuNJajHmt6v9TDVrU0CdvGRDA',
      },
    },
    // iss, sub and aud are not proof claims; a careless client may still add them.
    payload: {
      jti,
      htm: 'POST',
      htu: `https://${h}/token`,
      iat,
      ...(extra ? { iss: 'client-1', sub: 'client-1', aud: `https://${h}/token` } : {}),
    },
  }));

const unknownJwt: fc.Arbitrary<Generated> = fc
  .record({
    iss: fc.oneof(
      word,
      host.map((h) => `https://${h}/`),
    ),
    sub: word,
    aud: fc.oneof(word, fc.array(word, { minLength: 2, maxLength: 3 })),
  })
  .filter(({ iss, sub }) => iss !== sub)
  .map((payload) => ({ header: { alg: 'RS256' }, payload }));

const BY_KIND: ReadonlyArray<readonly [TokenKind, fc.Arbitrary<Generated>]> = [
  ['access', fc.oneof(entraV1Access, entraV2Access, rfc9068Access)],
  ['id', idToken],
  ['client-assertion', clientAssertion],
  ['logout', logoutToken],
  ['request-object', requestObject],
  ['dpop-proof', dpopProof],
  ['jwt', unknownJwt],
];

const FAMILIES: readonly (IssuerFamily | undefined)[] = [
  undefined,
  'generic',
  'entra',
  'google',
  'okta',
  'auth0',
];

function text(
  name: string,
  value: unknown,
  kind: TokenKind,
  payload: Record<string, unknown>,
  family?: IssuerFamily,
) {
  const claim = explainClaim(
    name,
    value,
    family === undefined ? { kind, payload } : { kind, family, payload },
  );
  return { meaning: claim.meaning, note: claim.note ?? '' };
}

describe('claims explained for the kind of token they are in', () => {
  test.each(BY_KIND)(
    'fast-check: a generated %s is decided as that kind from its own claims',
    (kind, tokens) => {
      fc.assert(
        fc.property(tokens, ({ header, payload }) => {
          expect(decideTokenKind(header, payload).kind).toBe(kind);
        }),
        { numRuns: 200 },
      );
    },
  );

  test.each(BY_KIND)(
    'fast-check: iss, aud and sub of a %s never get another kind’s text, for any issuer family',
    (kind, tokens) => {
      fc.assert(
        fc.property(tokens, fc.constantFrom(...FAMILIES), ({ payload }, family) => {
          for (const name of ['iss', 'aud', 'sub'] as const) {
            if (!(name in payload)) continue;
            const own = text(name, payload[name], kind, payload, family);
            for (const other of TOKEN_KINDS) {
              if (other === kind) continue;
              const theirs = text(name, payload[name], other, payload, family);
              expect(own.meaning, `${name} of a ${kind} explained as a ${other}`).not.toBe(theirs.meaning);
            }
            // The access-token lessons never reach another kind.
            if (kind !== 'access') {
              expect(own.meaning).not.toMatch(/\bthe API\b|access token/);
            }
            if (kind !== 'access' && kind !== 'id') expect(own.note).not.toMatch(/[Pp]airwise/);
          }
        }),
        { numRuns: 150 },
      );
    },
  );

  test('RFC 7523 §3: a client assertion’s iss and sub are the client, aud the token endpoint, jti one-time, exp short', () => {
    const payload = {
      iss: 'c1',
      sub: 'c1',
      aud: 'https://login.microsoftonline.com/t/oauth2/v2.0/token',
      jti: 'j',
      exp: 2,
    };
    const kind = 'client-assertion';
    expect(explainClaim('iss', 'c1', { kind, payload }).meaning).toMatch(/the client itself/);
    expect(explainClaim('sub', 'c1', { kind, payload }).meaning).toMatch(/client id again/);
    expect(explainClaim('aud', payload.aud, { kind, payload }).meaning).toMatch(/token endpoint/);
    expect(explainClaim('jti', 'j', { kind, payload }).meaning).toMatch(/usable once/);
    expect(explainClaim('exp', 2, { kind, payload }).meaning).toMatch(/short/);
    expect(explainHeader('x5t#S256', 'x', 'generic', kind).meaning).toMatch(
      /certificate the client registered/,
    );
    // An Entra-shaped claim in an assertion never gets Entra's access-token notes.
    const entra = explainClaim('sub', 'c1', { kind, family: 'entra', payload: { ...payload, oid: 'x' } });
    expect(entra.note).toBeUndefined();
  });

  test('OIDC Back-Channel Logout §2.4: events and sid explained, a nonce is a reason to reject', () => {
    const payload = { events: { 'http://schemas.openid.net/event/backchannel-logout': {} }, sid: 's' };
    expect(explainClaim('events', payload.events, { kind: 'logout', payload }).meaning).toMatch(
      /makes it a logout token/,
    );
    expect(explainClaim('sid', 's', { kind: 'logout', payload }).meaning).toMatch(/end every local session/);
    expect(explainClaim('nonce', 'n', { kind: 'logout', payload }).meaning).toMatch(
      /Must not be here.*Reject/,
    );
  });

  test('RFC 9449 §4.2 and RFC 9101 §4: DPoP proof and request object claims', () => {
    expect(explainClaim('htm', 'POST', 'dpop-proof').meaning).toMatch(/HTTP method/);
    expect(explainClaim('htu', 'https://as/token', 'dpop-proof').meaning).toMatch(/without query/);
    expect(explainClaim('ath', 'x', 'dpop-proof').meaning).toMatch(/SHA-256 of the access token/);
    expect(explainHeader('jwk', {}, 'generic', 'dpop-proof').meaning).toMatch(/bound to its thumbprint/);
    expect(explainHeader('typ', 'dpop+jwt').note).toMatch(/DPoP proof/);
    expect(explainClaim('response_type', 'code', 'request-object').meaning).toMatch(
      /^Authorization request parameter/,
    );
    expect(explainClaim('scope', 'openid', 'request-object').meaning).toMatch(
      /^Authorization request parameter/,
    );
    // The same names outside a request object keep their own meanings.
    expect(explainClaim('scope', 'openid', 'access').meaning).toMatch(/Scopes granted/);
    expect(explainHeader('typ', 'oauth-authz-req+jwt').note).toMatch(/RFC 9101/);
  });

  test('RFC 7519 §4.1: a JWT of unknown kind gets the general meanings', () => {
    expect(explainClaim('iss', 'x', 'jwt').meaning).toMatch(/RFC 7519 §4\.1\.1/);
    expect(explainClaim('aud', 'x', 'jwt').meaning).toMatch(/RFC 7519 §4\.1\.3/);
    expect(explainClaim('sub', 'x', 'jwt').meaning).toMatch(/RFC 7519 §4\.1\.2/);
    expect(explainHeader('kid', 'k').meaning).toMatch(/Key ID/);
  });
});

describe('describeAccessTokenVersion', () => {
  test('Entra access token claims reference: v1.0 has appid, appidacr, upn; v2.0 azp and azpacr', () => {
    fc.assert(
      fc.property(entraV1Access, ({ payload }) => {
        expect(describeAccessTokenVersion(payload)).toMatchObject({
          version: '1.0',
          signal: expect.stringMatching(/appid/),
        });
      }),
      { numRuns: 50 },
    );
    fc.assert(
      fc.property(entraV2Access, ({ payload }) => {
        expect(describeAccessTokenVersion(payload)).toMatchObject({
          version: '2.0',
          signal: expect.stringMatching(/azp/),
        });
      }),
      { numRuns: 50 },
    );
    expect(describeAccessTokenVersion({ appid: 'a', upn: 'u' })?.version).toBe('1.0');
    expect(describeAccessTokenVersion({ scope: 'x' })).toBeUndefined();
  });
});
