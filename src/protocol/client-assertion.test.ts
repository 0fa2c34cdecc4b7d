import { X509Certificate } from 'node:crypto';
import { decodeProtectedHeader, errors, jwtVerify } from 'jose';
import { beforeAll, describe, expect, test } from 'vitest';
import { generateCertificateCredential, type CertificateCredential } from './certificate.ts';
import {
  ASSERTION_LIFETIME_SECONDS,
  buildClientAssertionClaims,
  buildClientAssertionHeader,
  CLIENT_ASSERTION_TYPE,
  signClientAssertion,
} from './client-assertion.ts';
import { InvalidInputError } from './errors.ts';

const TOKEN_ENDPOINT = 'http://localhost:5174/5f1c9e7a-0b3d-4c2e-9a61-7d8e2f4b6c10/oauth2/v2.0/token';
const CLIENT_ID = '7c3a1e5d-2b9f-4d68-a05e-3f8b6c1d9e27';
const NOW = Date.UTC(2026, 4, 1, 12, 0, 0);

let credential: CertificateCredential;
beforeAll(async () => {
  credential = await generateCertificateCredential({
    subject: 'CN=assertion test',
    nowMs: NOW,
    validityDays: 1,
  });
});

describe('client assertion claims and header', () => {
  test('RFC 7523 §3: aud is the token endpoint, iss = sub = client id, nbf now, exp 10 minutes later', () => {
    const claims = buildClientAssertionClaims({
      clientId: CLIENT_ID,
      tokenEndpoint: TOKEN_ENDPOINT,
      nowMs: NOW + 999,
      jti: 'j-1',
    });
    expect(claims).toEqual({
      aud: TOKEN_ENDPOINT,
      iss: CLIENT_ID,
      sub: CLIENT_ID,
      jti: 'j-1',
      nbf: NOW / 1000,
      exp: NOW / 1000 + 600,
    });
    expect(ASSERTION_LIFETIME_SECONDS).toBe(600);
  });

  test('iat is added only when asked for', () => {
    const claims = buildClientAssertionClaims({
      clientId: 'c',
      tokenEndpoint: 't',
      nowMs: NOW,
      jti: 'j',
      includeIat: true,
    });
    expect(claims.iat).toBe(NOW / 1000);
  });

  test('RFC 7515 §4.1.8: the header names the certificate by x5t#S256', () => {
    expect(buildClientAssertionHeader('PS256', 'abc')).toEqual({
      alg: 'PS256',
      typ: 'JWT',
      'x5t#S256': 'abc',
    });
  });

  test('RFC 7523 §2.2: the assertion type URN', () => {
    expect(CLIENT_ASSERTION_TYPE).toBe('urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
  });
});

describe('signed client assertion', () => {
  for (const alg of ['PS256', 'RS256'] as const) {
    test(`${alg}: verifies with jose against the certificate’s public key, header and claims intact`, async () => {
      const header = buildClientAssertionHeader(alg, credential.thumbprints.sha256Base64Url);
      const claims = buildClientAssertionClaims({
        clientId: CLIENT_ID,
        tokenEndpoint: TOKEN_ENDPOINT,
        nowMs: Date.now(),
        jti: crypto.randomUUID(),
      });
      const jwt = await signClientAssertion(header, claims, credential.signingKeys[alg]);
      // Verify with the key read back from the PEM, independently of the generated CryptoKey.
      const publicKey = new X509Certificate(credential.pem).publicKey;
      const { payload, protectedHeader } = await jwtVerify(jwt, publicKey, {
        algorithms: [alg],
        audience: TOKEN_ENDPOINT,
        issuer: CLIENT_ID,
        subject: CLIENT_ID,
      });
      expect(protectedHeader).toEqual(header);
      expect(payload).toEqual(claims);
      const nodeThumbprint = Buffer.from(
        new X509Certificate(credential.pem).fingerprint256.replaceAll(':', ''),
        'hex',
      ).toString('base64url');
      expect(decodeProtectedHeader(jwt)['x5t#S256']).toBe(nodeThumbprint);
    });
  }

  test('a signature by another key does not verify', async () => {
    const other = await generateCertificateCredential({ subject: 'CN=other', nowMs: NOW, validityDays: 1 });
    const header = buildClientAssertionHeader('PS256', credential.thumbprints.sha256Base64Url);
    const claims = buildClientAssertionClaims({
      clientId: CLIENT_ID,
      tokenEndpoint: TOKEN_ENDPOINT,
      nowMs: Date.now(),
      jti: 'j',
    });
    const jwt = await signClientAssertion(header, claims, other.signingKeys.PS256);
    await expect(jwtVerify(jwt, new X509Certificate(credential.pem).publicKey)).rejects.toBeInstanceOf(
      errors.JWSSignatureVerificationFailed,
    );
  });

  test('a key of the wrong scheme for alg is INVALID_INPUT, not a crash', async () => {
    const header = buildClientAssertionHeader('PS256', 'x');
    const claims = buildClientAssertionClaims({
      clientId: CLIENT_ID,
      tokenEndpoint: TOKEN_ENDPOINT,
      nowMs: NOW,
      jti: 'j',
    });
    await expect(signClientAssertion(header, claims, credential.signingKeys.RS256)).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      field: 'alg',
    });
  });

  test('an empty aud, iss or thumbprint is INVALID_INPUT', async () => {
    const claims = buildClientAssertionClaims({
      clientId: '',
      tokenEndpoint: TOKEN_ENDPOINT,
      nowMs: NOW,
      jti: 'j',
    });
    await expect(
      signClientAssertion(buildClientAssertionHeader('PS256', 'x'), claims, credential.signingKeys.PS256),
    ).rejects.toBeInstanceOf(InvalidInputError);
    const ok = buildClientAssertionClaims({
      clientId: 'c',
      tokenEndpoint: TOKEN_ENDPOINT,
      nowMs: NOW,
      jti: 'j',
    });
    await expect(
      signClientAssertion(buildClientAssertionHeader('PS256', ''), ok, credential.signingKeys.PS256),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT', field: 'x5t#S256' });
  });
});
