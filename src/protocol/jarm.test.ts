import { exportJWK, generateKeyPair, SignJWT, UnsecuredJWT, type JSONWebKeySet } from 'jose';
import { beforeAll, describe, expect, test } from 'vitest';
import { ProtocolViolationError } from './errors.ts';
import { isJarmResponseMode, jarmCarrier, verifyJarmResponse } from './jarm.ts';

const ISSUER = 'https://accounts.example.com';
const CLIENT_ID = 's6BhdRkqt3';
const NOW = Date.UTC(2026, 4, 1, 12, 0, 0);

let privateKey: CryptoKey;
let jwks: JSONWebKeySet;
let otherKey: CryptoKey;

beforeAll(async () => {
  const pair = await generateKeyPair('RS256');
  privateKey = pair.privateKey;
  jwks = { keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }] };
  otherKey = (await generateKeyPair('RS256')).privateKey;
});

/** JARM §4.1.1's example claims, signed with the test key. */
function sign(claims: Record<string, unknown>, key: CryptoKey = privateKey, kid = 'k1'): Promise<string> {
  return new SignJWT({
    iss: ISSUER,
    aud: CLIENT_ID,
    exp: NOW / 1000 + 600,
    code: 'PyyFaux2o7Q0YfXBU32jhw.5FXSQpvr8akv9CeRDSd0QA',
    state: 'S8NJ7uqk5fY4EjNvP_G_FtyJu6pUsvH9jsYni9dMAJw',
    ...claims,
  })
    .setProtectedHeader({ alg: 'RS256', kid })
    .sign(key);
}

const expected = () => ({ issuer: ISSUER, clientId: CLIENT_ID, jwks, nowMs: NOW });

describe('JARM response modes', () => {
  test('JARM §2.3: the four modes, and jwt follows the response type', () => {
    expect(['jwt', 'query.jwt', 'fragment.jwt', 'form_post.jwt'].every(isJarmResponseMode)).toBe(true);
    expect(isJarmResponseMode('query')).toBe(false);
    expect(jarmCarrier('jwt', 'code')).toBe('query');
    expect(jarmCarrier('jwt', 'code id_token')).toBe('fragment');
    expect(jarmCarrier('form_post.jwt', 'code')).toBe('form_post');
    expect(jarmCarrier('fragment.jwt', 'code')).toBe('fragment');
  });
});

describe('verifying a JARM response', () => {
  test('JARM §4.1.1: the example code response verifies and yields code, state and iss', async () => {
    const verified = await verifyJarmResponse(await sign({}), expected());
    expect(verified.params).toEqual({
      iss: ISSUER,
      code: 'PyyFaux2o7Q0YfXBU32jhw.5FXSQpvr8akv9CeRDSd0QA',
      state: 'S8NJ7uqk5fY4EjNvP_G_FtyJu6pUsvH9jsYni9dMAJw',
    });
    expect(verified.header).toMatchObject({ alg: 'RS256', kid: 'k1' });
    expect(verified.claims['aud']).toBe(CLIENT_ID);
  });

  test('JARM §4.1.2: an error response verifies and yields the error fields', async () => {
    const { code: _code, ...params } = (
      await verifyJarmResponse(
        await sign({ code: undefined, error: 'access_denied', error_description: 'the user said no' }),
        expected(),
      )
    ).params as Record<string, string>;
    expect(params).toMatchObject({ error: 'access_denied', error_description: 'the user said no' });
  });

  test.each([
    ['another issuer', { iss: 'https://evil.example.com' }, /issued by someone other than/],
    ['another audience', { aud: 'someone-else' }, /addressed to another client/],
    ['an expired response', { exp: NOW / 1000 - 120 }, /has expired/],
    ['no exp', { exp: undefined }, /no expiry/],
  ])('JARM §4.4: %s is refused', async (_name, claims, message) => {
    const verifying = verifyJarmResponse(await sign(claims), expected());
    await expect(verifying).rejects.toBeInstanceOf(ProtocolViolationError);
    await expect(verifying).rejects.toThrow(message);
  });

  test('JARM §4.4: a signature by another key is refused', async () => {
    await expect(verifyJarmResponse(await sign({}, otherKey), expected())).rejects.toThrow(
      /signature does not verify/,
    );
    await expect(verifyJarmResponse(await sign({}, otherKey, 'k2'), expected())).rejects.toThrow(
      /None of the issuer’s published keys/,
    );
  });

  test('RFC 8725 §3.1: an unsigned response is refused', async () => {
    const unsigned = new UnsecuredJWT({
      iss: ISSUER,
      aud: CLIENT_ID,
      exp: NOW / 1000 + 60,
      code: 'c',
    }).encode();
    await expect(verifyJarmResponse(unsigned, expected())).rejects.toThrow(/not signed/);
  });

  test('garbage and JWE are refused with what they are', async () => {
    await expect(verifyJarmResponse('not-a-jwt', expected())).rejects.toThrow(/not a readable JWT/);
    await expect(verifyJarmResponse('a.b.c.d.e', expected())).rejects.toThrow(/encrypted/);
  });
});
