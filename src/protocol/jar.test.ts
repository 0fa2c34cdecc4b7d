import { calculateJwkThumbprint, decodeProtectedHeader, errors, importJWK, jwtVerify } from 'jose';
import { describe, expect, test } from 'vitest';
import { InvalidInputError } from './errors.ts';
import {
  buildRequestObjectAuthorizationUrl,
  buildRequestObjectClaims,
  generateRequestObjectKeyPair,
  REQUEST_OBJECT_TYP,
  signRequestObject,
} from './jar.ts';

const ISSUER = 'http://localhost:5174/standard';
const NOW = Date.UTC(2026, 4, 1, 12, 0, 0);
const PARAMETERS = [
  ['client_id', 's6BhdRkqt3'],
  ['response_type', 'code'],
  ['redirect_uri', 'https://client.example.org/cb'],
  ['scope', 'openid'],
  ['state', 'af0ifjsldkj'],
  ['nonce', 'n-0S6_WzA2Mj'],
  ['prompt', ''],
  ['request_uri', 'urn:never'],
  ['request', 'never'],
] as const;

describe('request object claims', () => {
  test('RFC 9101 §4: every non-empty parameter, iss = client_id, aud = issuer, no request or request_uri', () => {
    const claims = buildRequestObjectClaims({
      parameters: PARAMETERS,
      clientId: 's6BhdRkqt3',
      issuer: ISSUER,
      nowMs: NOW + 999,
      jti: 'j-1',
    });
    expect(claims).toEqual({
      client_id: 's6BhdRkqt3',
      response_type: 'code',
      redirect_uri: 'https://client.example.org/cb',
      scope: 'openid',
      state: 'af0ifjsldkj',
      nonce: 'n-0S6_WzA2Mj',
      iss: 's6BhdRkqt3',
      aud: ISSUER,
      iat: NOW / 1000,
      nbf: NOW / 1000,
      exp: NOW / 1000 + 300,
      jti: 'j-1',
    });
  });
});

describe('signing the request object', () => {
  const claims = buildRequestObjectClaims({
    parameters: PARAMETERS,
    clientId: 's6BhdRkqt3',
    issuer: ISSUER,
    nowMs: NOW,
    jti: 'j-2',
  });

  test('RFC 9101 §10.8: HS256 with the client secret, typ oauth-authz-req+jwt; verifies with the secret only', async () => {
    const jwt = await signRequestObject(claims, { alg: 'HS256', clientSecret: 's3cr3t:+/&%' });
    expect(decodeProtectedHeader(jwt)).toEqual({ alg: 'HS256', typ: REQUEST_OBJECT_TYP });
    const { payload } = await jwtVerify(jwt, new TextEncoder().encode('s3cr3t:+/&%'), {
      issuer: 's6BhdRkqt3',
      audience: ISSUER,
      currentDate: new Date(NOW),
    });
    expect(payload['state']).toBe('af0ifjsldkj');
    await expect(
      jwtVerify(jwt, new TextEncoder().encode('another secret'), { currentDate: new Date(NOW) }),
    ).rejects.toBeInstanceOf(errors.JWSSignatureVerificationFailed);
  });

  test('HS256 without a secret is INVALID_INPUT, saying what to do', async () => {
    const signing = signRequestObject(claims, { alg: 'HS256', clientSecret: '' });
    await expect(signing).rejects.toBeInstanceOf(InvalidInputError);
    await expect(signing).rejects.toThrow(/enter the client’s secret/);
  });

  test.each(['ES256', 'PS256', 'RS256'] as const)(
    'RFC 7638 §3: a %s key pair made in the browser, kid = thumbprint, verifies with the public JWK',
    async (alg) => {
      const pair = await generateRequestObjectKeyPair(alg);
      expect(pair.privateKey.extractable).toBe(false);
      expect(pair.publicJwk).toMatchObject({ alg, use: 'sig' });
      expect('d' in pair.publicJwk).toBe(false);
      const { kid: _kid, alg: _alg, use: _use, ...bare } = pair.publicJwk;
      expect(pair.publicJwk.kid).toBe(await calculateJwkThumbprint(bare, 'sha256'));
      const jwt = await signRequestObject(claims, {
        alg,
        privateKey: pair.privateKey,
        kid: pair.publicJwk.kid,
      });
      expect(decodeProtectedHeader(jwt)).toEqual({ alg, typ: REQUEST_OBJECT_TYP, kid: pair.publicJwk.kid });
      const { payload } = await jwtVerify(jwt, await importJWK(pair.publicJwk, alg), {
        currentDate: new Date(NOW),
      });
      expect(payload['client_id']).toBe('s6BhdRkqt3');
    },
  );

  test('a key that does not fit the algorithm is INVALID_INPUT', async () => {
    const pair = await generateRequestObjectKeyPair('ES256');
    await expect(
      signRequestObject(claims, { alg: 'RS256', privateKey: pair.privateKey, kid: 'k' }),
    ).rejects.toBeInstanceOf(InvalidInputError);
  });
});

describe('the authorization URL with a request object', () => {
  test('RFC 9101 §5: client_id and request only', () => {
    const url = buildRequestObjectAuthorizationUrl(`${ISSUER}/auth`, 's6BhdRkqt3', 'a.b.c');
    expect([...url.searchParams]).toEqual([
      ['client_id', 's6BhdRkqt3'],
      ['request', 'a.b.c'],
    ]);
  });
});
