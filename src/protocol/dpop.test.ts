import fc from 'fast-check';
import { decodeProtectedHeader, EmbeddedJWK, errors, jwtVerify, SignJWT, generateKeyPair } from 'jose';
import { describe, expect, test } from 'vitest';
import {
  buildDpopAuthorization,
  buildDpopHtu,
  buildDpopProof,
  calculateAccessTokenHash,
  calculateJwkThumbprint,
  describeDpopBinding,
  generateDpopKeyPair,
  isNonceChallenge,
  readDpopChallenge,
  validateDpopTokenResponse,
  type DpopKeyPair,
} from './dpop.ts';
import { InvalidInputError, ProtocolViolationError } from './errors.ts';

const NOW = Date.UTC(2026, 4, 1, 12, 0, 0);

/** RFC 9449 §4.1's example public key (also used in its §6.1 jkt example). */
const RFC_9449_JWK = {
  kty: 'EC',
  x: 'l8tFrhx-34tV3hRICRDY9zCkDlpBhF42UQUfWVAWBFs',
  y: '9VE4jf_Ok_o64zbTTlcuNJajHmt6v9TDVrU0CdvGRDA',
  crv: 'P-256',
};

async function signedAccessToken(claims: Record<string, unknown>): Promise<string> {
  const { privateKey } = await generateKeyPair('ES256');
  return new SignJWT(claims).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt' }).sign(privateKey);
}

describe('thumbprints and hashes', () => {
  test('RFC 7638 §3.1: the example RSA key’s thumbprint', async () => {
    const thumbprint = await calculateJwkThumbprint({
      kty: 'RSA',
      e: 'AQAB',
      n: '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
    });
    expect(thumbprint).toBe('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
  });

  test('RFC 9449 §6.1: jkt of the example EC key', async () => {
    expect(await calculateJwkThumbprint(RFC_9449_JWK)).toBe('0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I');
  });

  test('RFC 9449 §7.1: ath of the example access token', async () => {
    expect(await calculateAccessTokenHash('Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU')).toBe(
      'fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo',
    );
  });
});

describe('key pairs', () => {
  test.each(['ES256', 'PS256', 'RS256'] as const)(
    '%s: public JWK, RFC 7638 thumbprint, private key kept in',
    async (alg) => {
      const pair = await generateDpopKeyPair(alg);
      expect(pair.alg).toBe(alg);
      expect(pair.privateKey.extractable).toBe(false);
      expect(pair.privateKey.type).toBe('private');
      expect(pair.publicJwk).not.toHaveProperty('d');
      expect(pair.publicJwk.kty).toBe(alg === 'ES256' ? 'EC' : 'RSA');
      expect(pair.thumbprint).toBe(await calculateJwkThumbprint(pair.publicJwk));
      expect(pair.thumbprint).toMatch(/^[A-Za-z0-9_-]{43}$/);
    },
  );

  test('ES256 is the default', async () => {
    expect((await generateDpopKeyPair()).alg).toBe('ES256');
  });

  test('an unknown algorithm is refused as INVALID_INPUT', async () => {
    await expect(generateDpopKeyPair('HS256' as 'ES256')).rejects.toBeInstanceOf(InvalidInputError);
  });
});

describe('proofs', () => {
  let key: DpopKeyPair;
  const getKey = async () => (key ??= await generateDpopKeyPair('ES256'));

  test('RFC 9449 §4.2: header typ dpop+jwt, alg, jwk; claims jti, htm, htu, iat — verifiable with the embedded key', async () => {
    const pair = await getKey();
    const proof = await buildDpopProof(pair, {
      htm: 'post',
      htu: 'https://server.example.com/token',
      nowMs: NOW,
    });
    expect(proof.header).toEqual({ typ: 'dpop+jwt', alg: 'ES256', jwk: pair.publicJwk });
    expect(Object.keys(proof.claims).sort()).toEqual(['htm', 'htu', 'iat', 'jti']);
    expect(proof.claims).toMatchObject({
      htm: 'POST',
      htu: 'https://server.example.com/token',
      iat: NOW / 1000,
    });
    expect(decodeProtectedHeader(proof.jwt)).toEqual(proof.header);
    const verified = await jwtVerify(proof.jwt, EmbeddedJWK, {
      typ: 'dpop+jwt',
      algorithms: ['ES256'],
      currentDate: new Date(NOW),
    });
    expect(verified.payload).toEqual(proof.claims);
  });

  test('RFC 9449 §4.2: htu has no query and no fragment', () => {
    expect(buildDpopHtu('https://resource.example.org/protectedresource?x=1#frag')).toBe(
      'https://resource.example.org/protectedresource',
    );
    expect(() => buildDpopHtu('/relative')).toThrow(InvalidInputError);
  });

  test('RFC 9449 §4.2: a proof with an access token carries ath; the nonce is echoed', async () => {
    const proof = await buildDpopProof(await getKey(), {
      htm: 'GET',
      htu: 'https://resource.example.org/protectedresource',
      accessToken: 'Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU',
      nonce: 'eyJ7S_zG.eyJH0-Z.HX4w-7v',
      nowMs: NOW,
    });
    expect(proof.claims.ath).toBe('fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo');
    expect(proof.claims.nonce).toBe('eyJ7S_zG.eyJH0-Z.HX4w-7v');
  });

  test('every proof has a new jti', async () => {
    const pair = await getKey();
    const a = await buildDpopProof(pair, { htm: 'POST', htu: 'https://as.example/token' });
    const b = await buildDpopProof(pair, { htm: 'POST', htu: 'https://as.example/token' });
    expect(a.claims.jti).not.toBe(b.claims.jti);
    expect(a.claims.jti.length).toBeGreaterThanOrEqual(16);
  });

  test('a proof signed by another key fails verification against this jwk', async () => {
    const pair = await getKey();
    const other = await generateDpopKeyPair('ES256');
    const proof = await buildDpopProof(
      { ...other, publicJwk: pair.publicJwk },
      { htm: 'POST', htu: 'https://as.example/token' },
    );
    await expect(jwtVerify(proof.jwt, EmbeddedJWK, { typ: 'dpop+jwt' })).rejects.toBeInstanceOf(
      errors.JWSSignatureVerificationFailed,
    );
  });

  test('a method that is not a token is refused', async () => {
    await expect(
      buildDpopProof(await getKey(), { htm: 'GET /', htu: 'https://as.example/token' }),
    ).rejects.toBeInstanceOf(InvalidInputError);
  });

  test('property: htu never keeps a query or fragment, and keeps scheme, host and path', () => {
    fc.assert(
      fc.property(fc.webUrl({ withQueryParameters: true, withFragments: true }), (url) => {
        const htu = buildDpopHtu(url);
        const parsed = new URL(url);
        const out = new URL(htu);
        expect(out.search).toBe('');
        expect(out.hash).toBe('');
        expect(out.origin).toBe(parsed.origin);
        expect(out.pathname).toBe(parsed.pathname);
      }),
    );
  });

  test('property: any method, URL, nonce and token round-trip through a verified proof', async () => {
    const pair = await getKey();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'PUT', 'delete'),
        fc.webUrl({ withQueryParameters: true, withFragments: true }),
        fc.option(fc.string({ minLength: 1, maxLength: 40 }), { nil: undefined }),
        fc.option(fc.string({ minLength: 1, maxLength: 80 }), { nil: undefined }),
        async (htm, url, nonce, accessToken) => {
          const proof = await buildDpopProof(pair, { htm, htu: url, nonce, accessToken, nowMs: NOW });
          const { payload } = await jwtVerify(proof.jwt, EmbeddedJWK, {
            typ: 'dpop+jwt',
            currentDate: new Date(NOW),
          });
          expect(payload).toEqual(proof.claims);
          expect(payload['htm']).toBe(htm.toUpperCase());
          expect(payload['htu']).toBe(buildDpopHtu(url));
          expect(payload['nonce']).toBe(nonce);
          expect(payload['ath']).toBe(
            accessToken === undefined ? undefined : await calculateAccessTokenHash(accessToken),
          );
        },
      ),
      { numRuns: 40 },
    );
  });

  test('property: ath is 43 base64url characters for any token', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1, maxLength: 200 }), async (token) => {
        expect(await calculateAccessTokenHash(token)).toMatch(/^[A-Za-z0-9_-]{43}$/);
      }),
      { numRuns: 50 },
    );
  });

  test('Authorization uses the DPoP scheme', () => {
    expect(buildDpopAuthorization('abc')).toBe('DPoP abc');
  });
});

describe('challenges', () => {
  test('RFC 9449 §8: token endpoint use_dpop_nonce in the JSON body, nonce in DPoP-Nonce', () => {
    const challenge = readDpopChallenge({
      status: 400,
      headers: [
        ['content-type', 'application/json'],
        ['dpop-nonce', 'eyJ7S_zG.eyJH0-Z.HX4w-7v'],
      ],
      body: '{"error":"use_dpop_nonce","error_description":"Authorization server requires nonce in DPoP proof"}',
    });
    expect(challenge).toEqual({
      where: 'token-endpoint',
      error: 'use_dpop_nonce',
      error_description: 'Authorization server requires nonce in DPoP proof',
      nonce: 'eyJ7S_zG.eyJH0-Z.HX4w-7v',
    });
    expect(isNonceChallenge(challenge)).toBe(true);
  });

  test('RFC 9449 §9: resource WWW-Authenticate DPoP error="use_dpop_nonce"', () => {
    const challenge = readDpopChallenge({
      status: 401,
      headers: [
        [
          'WWW-Authenticate',
          'DPoP error="use_dpop_nonce", error_description="Resource server requires nonce in DPoP proof"',
        ],
        ['DPoP-Nonce', 'eyJ7S_zG.eyJbYu3.xQmBj-1'],
      ],
      body: '',
    });
    expect(challenge).toMatchObject({
      where: 'resource',
      error: 'use_dpop_nonce',
      nonce: 'eyJ7S_zG.eyJbYu3.xQmBj-1',
    });
    expect(isNonceChallenge(challenge)).toBe(true);
  });

  test('RFC 9449 §7.1: invalid_token with algs, and a Bearer challenge beside it', () => {
    const challenge = readDpopChallenge({
      status: 401,
      headers: [['www-authenticate', 'Bearer realm="x", DPoP algs="ES256 PS256", error="invalid_token"']],
      body: '',
    });
    expect(challenge).toMatchObject({ where: 'resource', error: 'invalid_token', algs: 'ES256 PS256' });
    expect(isNonceChallenge(challenge)).toBe(false);
  });

  test('a plain OAuth error or a success without a nonce says nothing about DPoP', () => {
    expect(readDpopChallenge({ status: 400, body: '{"error":"invalid_grant"}' })).toBeUndefined();
    expect(readDpopChallenge({ status: 200, body: '{"access_token":"a"}' })).toBeUndefined();
    expect(readDpopChallenge({ status: 502, body: '<html>' })).toBeUndefined();
  });

  test('use_dpop_nonce without a DPoP-Nonce header is no nonce challenge to retry', () => {
    const challenge = readDpopChallenge({ status: 400, body: '{"error":"use_dpop_nonce"}' });
    expect(challenge?.error).toBe('use_dpop_nonce');
    expect(isNonceChallenge(challenge)).toBe(false);
  });

  test('property: never throws on any header or body', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.integer({ min: 100, max: 599 }), (header, body, status) => {
        readDpopChallenge({ status, headers: [['www-authenticate', header]], body });
      }),
    );
  });
});

describe('binding', () => {
  test('RFC 9449 §6.1: token_type DPoP and cnf.jkt equal to the thumbprint', async () => {
    const jkt = '0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I';
    const access_token = await signedAccessToken({ sub: 'x', cnf: { jkt } });
    expect(validateDpopTokenResponse({ access_token, token_type: 'DPoP' }, jkt)).toEqual({
      tokenType: 'DPoP',
      isDpop: true,
      decoded: true,
      jkt,
      matches: true,
    });
  });

  test('a Bearer token_type is refused as INVALID_RESPONSE', () => {
    expect(() => validateDpopTokenResponse({ access_token: 'opaque', token_type: 'Bearer' }, 'x')).toThrow(
      ProtocolViolationError,
    );
  });

  test('a jkt for another key is refused', async () => {
    const access_token = await signedAccessToken({ cnf: { jkt: 'other' } });
    expect(describeDpopBinding({ access_token, token_type: 'dpop' }, 'mine')).toMatchObject({
      isDpop: true,
      matches: false,
    });
    expect(() => validateDpopTokenResponse({ access_token, token_type: 'DPoP' }, 'mine')).toThrow(
      /bound to another key/,
    );
  });

  test('an opaque DPoP token is accepted: its binding is not readable here', () => {
    expect(validateDpopTokenResponse({ access_token: 'abc123opaque', token_type: 'DPoP' }, 'mine')).toEqual({
      tokenType: 'DPoP',
      isDpop: true,
      decoded: false,
    });
  });
});
