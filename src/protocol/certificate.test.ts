import { X509Certificate } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import {
  calculateCertificateThumbprints,
  encodeCertificatePem,
  generateCertificateCredential,
  parseCertificatePem,
} from './certificate.ts';
import { InvalidInputError } from './errors.ts';

/** A fixed self-signed certificate made with `openssl req -x509 -newkey rsa:2048` for these tests. */
const FIXED_CERTIFICATE_PEM = `-----BEGIN CERTIFICATE-----
MIIDGzCCAgOgAwIBAgIUbRtmO5H9O3UHPA59QYywTWPJmeUwDQYJKoZIhvcNAQEL
BQAwHTEbMBkGA1UEAwwSRmxvdyBMYWIgdW5pdCB0ZXN0MB4XDTI2MTEyMzE5NDU0
NVoXDTM2MTEyMDE5NDU0NVowHTEbMBkGA1UEAwwSRmxvdyBMYWIgdW5pdCB0ZXN0
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAuHrm0pkS7VwlkH0duNYa
GoMtB4RVn9oLoYGek6k+3hjFp6nRBPP2JVaTJ59g1tKIpCZs8bGTkxKvuXzPvy5F
ywxBwQ4UTK9r5taByPyBd4JFV3JdvCvruMUcgkK11ORhS8vwPPZSYyz8f+zhVTKY
zHdPLjCIDtk9kFQQ0iZ7bLClih7rJqEgpQDquf2n/DvTF65MO1IZXZxhbNU7jtOK
Q02Uwsw6m9R/CZer5cswilMFOzcEQGnUQ9ztBz+igBRWh+rUwSyN5uLHmVvtcISS
ZrcUWlXrz4rfvfaxQrIK+moWpCpzVuEAlHQvJFVAI1yVogDW8pOOQRvk1fUWx2N1
XQIDAQABo1MwUTAdBgNVHQ4EFgQU94i0z5m1TA39NQSTUgeg4ruyaOYwHwYDVR0j
BBgwFoAU94i0z5m1TA39NQSTUgeg4ruyaOYwDwYDVR0TAQH/BAUwAwEB/zANBgkq
hkiG9w0BAQsFAAOCAQEAU88x8t9UoCnx91m/7xpXtZKgrCfj4Rt6B12zrqYUZF5j
BI7kR24so3WjrToTgLvntR5HdR+elOnS7MxedtFxs2umx0PhgeEPnbGM0cBQdeqw
hKD7c3JHgeOkstwRfuq1mOP+F98VhCIzo42istBJFlYFwhixNHWqPeIXBkzj5phk
DjGt6s0FPyGQMydDtjyfAA18tLfRoekPH+uBQXLbd5A8g04gj1H1j+la0RjnseJy
Mmrup2ho03+QqWW/CaPlVWcwpguJr+zPcKaYeT6IRjSeeb4G/WKXa54rEO+0bwJL
5VJo6QtuxHAPPc27DFSRkuU5AWEHyxCj2zyM8reXOw==
-----END CERTIFICATE-----
`;

/** node's colon-separated hex fingerprint as base64url, computed independently of our code. */
function fingerprintToBase64Url(fingerprint: string): string {
  return Buffer.from(fingerprint.replaceAll(':', ''), 'hex').toString('base64url');
}

describe('certificate thumbprints', () => {
  test('RFC 7515 §4.1.8: x5t#S256 of a fixed certificate equals node’s SHA-256 fingerprint as base64url', async () => {
    const der = parseCertificatePem(FIXED_CERTIFICATE_PEM);
    const node = new X509Certificate(FIXED_CERTIFICATE_PEM);
    expect(Buffer.from(der).equals(node.raw)).toBe(true);
    const thumbprints = await calculateCertificateThumbprints(der);
    expect(thumbprints.sha256Base64Url).toBe(fingerprintToBase64Url(node.fingerprint256));
    expect(thumbprints.sha256Base64Url).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  test('the SHA-1 thumbprint is the upper-case hex the Entra portal shows (openssl: 58:1A:…:92)', async () => {
    const thumbprints = await calculateCertificateThumbprints(parseCertificatePem(FIXED_CERTIFICATE_PEM));
    expect(thumbprints.sha1Hex).toBe('581AA457F61C6F0126B0D9E7300052D8763B7092');
    expect(thumbprints.sha1Hex).toBe(
      new X509Certificate(FIXED_CERTIFICATE_PEM).fingerprint.replaceAll(':', ''),
    );
  });

  test('RFC 7468 §5.1: PEM round trip with 64-character lines', () => {
    const der = parseCertificatePem(FIXED_CERTIFICATE_PEM);
    const pem = encodeCertificatePem(der);
    expect(pem).toBe(FIXED_CERTIFICATE_PEM);
    expect(pem.split('\n').every((line) => line.length <= 64)).toBe(true);
  });

  test('text without a certificate block is INVALID_INPUT', () => {
    expect(() => parseCertificatePem('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----')).toThrow(
      InvalidInputError,
    );
    try {
      parseCertificatePem('hello');
    } catch (error) {
      expect((error as InvalidInputError).code).toBe('INVALID_INPUT');
    }
  });
});

describe('generated certificate credential', () => {
  test('RFC 5280: a self-signed RSA certificate node can read, thumbprints matching, keys not extractable', async () => {
    const now = Date.UTC(2026, 0, 1);
    const credential = await generateCertificateCredential({
      subject: 'CN=Flow Lab test',
      nowMs: now,
      validityDays: 30,
    });
    const node = new X509Certificate(credential.pem);
    expect(node.publicKey.asymmetricKeyType).toBe('rsa');
    expect(node.subject).toBe('CN=Flow Lab test');
    expect(node.issuer).toBe(node.subject);
    expect(node.verify(node.publicKey)).toBe(true);
    expect(new Date(node.validFrom).getTime()).toBe(now);
    expect(new Date(node.validTo).getTime()).toBe(now + 30 * 86_400_000);
    expect(credential.thumbprints.sha256Base64Url).toBe(fingerprintToBase64Url(node.fingerprint256));
    expect(credential.signingKeys.PS256.extractable).toBe(false);
    expect(credential.signingKeys.RS256.extractable).toBe(false);
    expect(credential.signingKeys.PS256.algorithm.name).toBe('RSA-PSS');
    expect(credential.signingKeys.RS256.algorithm.name).toBe('RSASSA-PKCS1-v1_5');
  });
});
