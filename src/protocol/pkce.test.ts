import { describe, expect, test } from 'vitest';
import {
  calculateCodeChallenge,
  generateCodeVerifier,
  generateRandomState,
  validateCodeVerifier,
} from './pkce.ts';

describe('PKCE', () => {
  test('RFC 7636 Appendix B: S256 challenge', async () => {
    const result = await calculateCodeChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk', 'S256');
    expect(result.challenge).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
    expect(result.sha256Hex).toBe('13d31e961a1ad8ec2f16b10c4c982e0876a878ad6df144566ee1894acb70f9c3');
  });

  test("the guide's secret123 example: hex digest differs from the base64url wire value", async () => {
    const result = await calculateCodeChallenge('secret123', 'S256');
    expect(result.sha256Hex).toBe('fcf730b6d95236ecd3c9fc2d92d7b6b2bb061514961aec041d6c7a7192f592e4');
    expect(result.challenge).toBe('_PcwttlSNuzTyfwtkte2srsGFRSWGuwEHWx6cZL1kuQ');
  });

  test('RFC 7636 §4.2: plain sends the verifier unchanged', async () => {
    expect(await calculateCodeChallenge('abc', 'plain')).toEqual({ method: 'plain', challenge: 'abc' });
  });

  test('RFC 7636 §4.1: a generated verifier is 43 unreserved characters and never repeats', () => {
    const a = generateCodeVerifier();
    const b = generateCodeVerifier();
    expect(a).toMatch(/^[A-Za-z0-9\-_]{43}$/);
    expect(a).not.toBe(b);
    expect(validateCodeVerifier(a)).toBeUndefined();
  });

  test('RFC 7636 §4.1: verifiers of the wrong length or alphabet are explained', () => {
    expect(validateCodeVerifier('short')).toMatch(/at least 43/);
    expect(validateCodeVerifier('a'.repeat(129))).toMatch(/at most 128/);
    expect(validateCodeVerifier('a'.repeat(42) + '!')).toMatch(/letters, digits/);
  });

  test('an empty verifier is refused with INVALID_INPUT', async () => {
    await expect(calculateCodeChallenge('')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  test('state values are 22 base64url characters', () => {
    expect(generateRandomState()).toMatch(/^[A-Za-z0-9\-_]{22}$/);
  });
});
