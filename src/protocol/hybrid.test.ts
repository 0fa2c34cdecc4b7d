import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { encodeBase64Url } from './base64url.ts';
import { LabError } from './errors.ts';
import { calculateHalfHash, hashAlgorithmFor, validateHybridResponse } from './hybrid.ts';

// OIDC Core 1.0 Appendix A.3 / A.4 example values.
const SPEC_ACCESS_TOKEN = 'jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y';
const SPEC_AT_HASH = '77QmUPtjPfzWtF2AnpK9RQ';
const SPEC_CODE = 'Qcb0Orv1zh30vL1MPRsbm-diHiMwcLyZvn1arpZv-Jxf_11jnpEX3Tgfvk';
const SPEC_C_HASH = 'LDktKdoQak3Pk0cnXxCltA';

function jwt(payload: object, header: object = { alg: 'RS256', typ: 'JWT' }): string {
  const part = (o: object) => encodeBase64Url(new TextEncoder().encode(JSON.stringify(o)));
  return `${part(header)}.${part(payload)}.c2ln`;
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return error instanceof LabError ? error.code : 'not a LabError';
  }
  return 'no error';
}

describe('calculateHalfHash', () => {
  test('OIDC Core Appendix A.3: at_hash of the example access token', async () => {
    expect(await calculateHalfHash(SPEC_ACCESS_TOKEN)).toBe(SPEC_AT_HASH);
  });

  test('OIDC Core Appendix A.4: c_hash of the example code', async () => {
    expect(await calculateHalfHash(SPEC_CODE)).toBe(SPEC_C_HASH);
  });

  test('SHA-384 and SHA-512 halves agree with node:crypto', async () => {
    for (const [algorithm, node] of [
      ['SHA-384', 'sha384'],
      ['SHA-512', 'sha512'],
    ] as const) {
      const digest = createHash(node).update('some-code').digest();
      expect(await calculateHalfHash('some-code', algorithm)).toBe(
        digest.subarray(0, digest.length / 2).toString('base64url'),
      );
    }
  });

  test('refuses non-ASCII input with INVALID_INPUT', async () => {
    expect(await codeOf(calculateHalfHash('café'))).toBe('INVALID_INPUT');
  });

  test('hashAlgorithmFor reads the number in the alg name', () => {
    expect(hashAlgorithmFor('RS256')).toBe('SHA-256');
    expect(hashAlgorithmFor('PS384')).toBe('SHA-384');
    expect(hashAlgorithmFor('ES512')).toBe('SHA-512');
    expect(hashAlgorithmFor('none')).toBeUndefined();
    expect(hashAlgorithmFor(undefined)).toBeUndefined();
  });
});

describe('validateHybridResponse', () => {
  const expected = { responseType: 'id_token token', nonce: 'n-0S6_WzA2Mj', clientId: 's6BhdRkqt3' };

  test('id_token token: nonce and at_hash checked', async () => {
    const result = await validateHybridResponse(
      {
        access_token: SPEC_ACCESS_TOKEN,
        id_token: jwt({ aud: 's6BhdRkqt3', nonce: 'n-0S6_WzA2Mj', at_hash: SPEC_AT_HASH }),
      },
      expected,
    );
    expect(result.nonceChecked).toBe(true);
    expect(result.hashes).toEqual([{ claim: 'at_hash', calculated: SPEC_AT_HASH, inToken: SPEC_AT_HASH }]);
  });

  test('code id_token: c_hash checked', async () => {
    const result = await validateHybridResponse(
      { code: SPEC_CODE, id_token: jwt({ aud: ['s6BhdRkqt3'], nonce: 'n', c_hash: SPEC_C_HASH }) },
      { ...expected, responseType: 'code id_token', nonce: 'n' },
    );
    expect(result.hashes.map((h) => h.claim)).toEqual(['c_hash']);
  });

  test('token alone: nothing to check beyond its presence', async () => {
    const result = await validateHybridResponse(
      { access_token: 'at' },
      { ...expected, responseType: 'token', nonce: '' },
    );
    expect(result).toEqual({ nonceChecked: false, hashes: [] });
  });

  test('NONCE_MISMATCH: a different nonce, no nonce, or none sent', async () => {
    const params = (nonce?: string) => ({
      access_token: SPEC_ACCESS_TOKEN,
      id_token: jwt({ aud: 's6BhdRkqt3', at_hash: SPEC_AT_HASH, ...(nonce === undefined ? {} : { nonce }) }),
    });
    expect(await codeOf(validateHybridResponse(params('other'), expected))).toBe('NONCE_MISMATCH');
    expect(await codeOf(validateHybridResponse(params(), expected))).toBe('NONCE_MISMATCH');
    expect(await codeOf(validateHybridResponse(params('x'), { ...expected, nonce: '' }))).toBe(
      'NONCE_MISMATCH',
    );
  });

  test('HASH_MISMATCH: at_hash or c_hash of another value (a swapped token or code)', async () => {
    expect(
      await codeOf(
        validateHybridResponse(
          {
            access_token: 'swapped',
            id_token: jwt({ aud: 's6BhdRkqt3', nonce: 'n-0S6_WzA2Mj', at_hash: SPEC_AT_HASH }),
          },
          expected,
        ),
      ),
    ).toBe('HASH_MISMATCH');
    expect(
      await codeOf(
        validateHybridResponse(
          { code: 'swapped', id_token: jwt({ aud: 's6BhdRkqt3', nonce: 'n', c_hash: SPEC_C_HASH }) },
          { ...expected, responseType: 'code id_token', nonce: 'n' },
        ),
      ),
    ).toBe('HASH_MISMATCH');
  });

  test('MISSING_PARAMETER: a required hash claim or a requested part is absent', async () => {
    expect(
      await codeOf(
        validateHybridResponse(
          { access_token: SPEC_ACCESS_TOKEN, id_token: jwt({ aud: 's6BhdRkqt3', nonce: 'n-0S6_WzA2Mj' }) },
          expected,
        ),
      ),
    ).toBe('MISSING_PARAMETER');
    expect(await codeOf(validateHybridResponse({ id_token: jwt({}) }, expected))).toBe('MISSING_PARAMETER');
  });

  test('INVALID_RESPONSE: an ID token for another client; INVALID_JWT: not a JWT', async () => {
    const other = jwt({ aud: 'someone-else', nonce: 'n-0S6_WzA2Mj', at_hash: SPEC_AT_HASH });
    expect(
      await codeOf(validateHybridResponse({ access_token: SPEC_ACCESS_TOKEN, id_token: other }, expected)),
    ).toBe('INVALID_RESPONSE');
    expect(
      await codeOf(
        validateHybridResponse({ access_token: SPEC_ACCESS_TOKEN, id_token: 'garbage' }, expected),
      ),
    ).toBe('INVALID_JWT');
  });
});
