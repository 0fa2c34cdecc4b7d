import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import {
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  SignJWT,
  type JSONWebKeySet,
  type JWK,
} from 'jose';
import { beforeAll, describe, expect, test } from 'vitest';
import { encodeBase64Url } from './base64url.ts';
import { buildShapedKeySet, generateTestCertificate } from './test-support/shaped-key-set.ts';
import {
  precheckSignature,
  reviewKeySet,
  SHARED_SECRET_ALGORITHMS,
  VERIFIABLE_ALGORITHMS,
  verifyJwtSignature,
  type SignatureVerdict,
} from './verify.ts';

const part = (o: object) => encodeBase64Url(new TextEncoder().encode(JSON.stringify(o)));
const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

/** The JWS algorithms of the pool, and the key each needs (Ed25519 signs with the EdDSA pair). */
const SIGNING_ALGS = ['RS256', 'RS384', 'PS256', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'] as const;
type SigningAlg = (typeof SIGNING_ALGS)[number];
const pairAlg = (alg: SigningAlg) => (alg === 'Ed25519' ? 'EdDSA' : alg);

interface PoolKey {
  readonly pair: CryptoKeyPair;
  readonly jwk: JWK;
  readonly certificate: string;
  readonly thumbprint: string;
}
/** Two key pairs per algorithm (a signer and a look-alike), each with a certificate for x5c. */
const pool = new Map<string, [PoolKey, PoolKey]>();

async function poolKey(alg: string): Promise<PoolKey> {
  const pair = (await generateKeyPair(alg, { extractable: true })) as CryptoKeyPair;
  const jwk = await exportJWK(pair.publicKey);
  return {
    pair,
    jwk,
    certificate: base64(await generateTestCertificate(pair, alg)),
    thumbprint: await calculateJwkThumbprint(jwk, 'sha256'),
  };
}

beforeAll(async () => {
  for (const alg of new Set(SIGNING_ALGS.map(pairAlg))) {
    pool.set(alg, [await poolKey(alg), await poolKey(alg)]);
  }
}, 60_000);

const keysOf = (alg: SigningAlg): [PoolKey, PoolKey] => {
  const keys = pool.get(pairAlg(alg));
  if (keys === undefined) throw new Error(`no pool key for ${alg}`);
  return keys;
};

const sign = (alg: string, key: CryptoKey, kid?: string, payload: Record<string, unknown> = { sub: 's' }) =>
  new SignJWT(payload)
    .setProtectedHeader({ alg, ...(kid === undefined ? {} : { kid }), typ: 'JWT' })
    .sign(key);

/** Publishes a pool key in a given shape. */
function publish(
  key: PoolKey,
  shape: {
    readonly alg?: string;
    readonly kid?: string;
    readonly use?: string;
    readonly keyOps?: readonly string[];
    readonly material: 'jwk' | 'x5c' | 'both';
    readonly privateParts?: Record<string, unknown>;
  },
): Record<string, unknown> {
  const { kty, crv, ...members } = key.jwk;
  return {
    kty,
    ...(crv === undefined ? {} : { crv }),
    ...(shape.material === 'x5c' ? {} : members),
    ...(shape.material === 'jwk' ? {} : { x5c: [key.certificate] }),
    ...(shape.alg === undefined ? {} : { alg: shape.alg }),
    ...(shape.kid === undefined ? {} : { kid: shape.kid }),
    ...(shape.use === undefined ? {} : { use: shape.use }),
    ...(shape.keyOps === undefined ? {} : { key_ops: shape.keyOps }),
    ...shape.privateParts,
  };
}

const set = (keys: readonly Record<string, unknown>[]) => ({ keys }) as unknown as JSONWebKeySet;

describe('RFC 7517 key set shapes: the key that signed is found and named', () => {
  const shapeArb = fc.record({
    alg: fc.constantFrom(...SIGNING_ALGS),
    keyHasAlg: fc.boolean(),
    use: fc.constantFrom(undefined, 'sig'),
    keyOps: fc.constantFrom(undefined, ['verify'], ['sign', 'verify']),
    kid: fc.constantFrom('none', 'unique', 'duplicate'),
    tokenHasKid: fc.boolean(),
    material: fc.constantFrom('jwk', 'x5c', 'both') as fc.Arbitrary<'jwk' | 'x5c' | 'both'>,
    privateParts: fc.boolean(),
    decoys: fc.array(
      fc.record({
        alg: fc.constantFrom(...SIGNING_ALGS),
        role: fc.constantFrom('look-alike', 'enc', 'no-verify-op', 'oct'),
        hasKid: fc.boolean(),
      }),
      { maxLength: 4 },
    ),
    order: fc.array(fc.nat(), { minLength: 6, maxLength: 6 }),
  });

  test('every combination verifies with the signer, says which key and how many were tried', async () => {
    await fc.assert(
      fc.asyncProperty(shapeArb, async (s) => {
        const [signer] = keysOf(s.alg);
        const kid = s.kid === 'none' ? undefined : 'signer';
        const ours = publish(signer, {
          ...(s.keyHasAlg ? { alg: s.alg } : {}),
          ...(kid === undefined ? {} : { kid }),
          ...(s.use === undefined ? {} : { use: s.use }),
          ...(s.keyOps === undefined ? {} : { keyOps: s.keyOps }),
          material: s.material,
          ...(s.privateParts ? { privateParts: { d: 'c2VjcmV0' } } : {}),
        });
        const others = s.decoys.map((d, i) => {
          const [, lookAlike] = keysOf(d.alg);
          const decoyKid = s.kid === 'duplicate' && i === 0 ? 'signer' : d.hasKid ? `decoy-${i}` : undefined;
          if (d.role === 'oct') return { kty: 'oct', k: 'c2hhcmVk', ...(decoyKid ? { kid: decoyKid } : {}) };
          return publish(lookAlike, {
            ...(decoyKid === undefined ? {} : { kid: decoyKid }),
            ...(d.role === 'enc' ? { use: 'enc' } : {}),
            ...(d.role === 'no-verify-op' ? { keyOps: ['encrypt'] } : {}),
            material: 'jwk',
          });
        });
        const keys = [ours, ...others]
          .map((key, i) => ({ key, rank: s.order[i] ?? i }))
          .sort((a, b) => a.rank - b.rank)
          .map((entry) => entry.key);
        const jwks = set(keys);
        const token = await sign(
          s.alg,
          signer.pair.privateKey,
          s.tokenHasKid ? (kid ?? 'unpublished') : undefined,
        );
        const verdict = await verifyJwtSignature(token, jwks);
        expect(verdict.kind).toBe('valid');
        if (verdict.kind !== 'valid') return;
        expect(verdict.keyIndex).toBe(keys.indexOf(ours));
        expect(verdict.thumbprint).toBe(signer.thumbprint);
        expect(verdict.fromCertificate).toBe(s.material !== 'jwk');
        expect(verdict.tried).toBeGreaterThanOrEqual(1);
        expect(verdict.tried).toBeLessThanOrEqual(verdict.candidates);
        const notes = verdict.notes ?? [];
        if (s.privateParts) expect(notes.some((n) => n.includes('private-key members (d)'))).toBe(true);
        for (const d of s.decoys) {
          if (d.role === 'enc') expect(notes.some((n) => n.includes('for encryption'))).toBe(true);
          if (d.role === 'oct') expect(notes.some((n) => n.includes('symmetric (oct)'))).toBe(true);
          if (d.role === 'no-verify-op') expect(notes.some((n) => n.includes('key_ops'))).toBe(true);
        }
      }),
      { numRuns: 80 },
    );
  }, 120_000);

  test('the same shapes without the signer: "invalid" only after every candidate was tried', async () => {
    await fc.assert(
      fc.asyncProperty(shapeArb, async (s) => {
        const [signer, lookAlike] = keysOf(s.alg);
        const kid = s.kid === 'none' ? undefined : 'signer';
        const published = publish(lookAlike, {
          ...(s.keyHasAlg ? { alg: s.alg } : {}),
          ...(kid === undefined ? {} : { kid }),
          material: s.material,
        });
        const token = await sign(s.alg, signer.pair.privateKey, s.tokenHasKid ? (kid ?? 'x') : undefined);
        const verdict = await verifyJwtSignature(token, set([published]));
        expect(verdict).toMatchObject({ kind: 'invalid', reason: expect.stringMatching(/does not match/) });
      }),
      { numRuns: 30 },
    );
  }, 60_000);
});

describe('RFC 7515 §4.1.4: kid, duplicates and keys without kid', () => {
  test('no kid in the token, two RSA keys: both are candidates and the second verifies', async () => {
    const [a, b] = keysOf('RS256');
    const token = await sign('RS256', b.pair.privateKey);
    const verdict = await verifyJwtSignature(
      token,
      set([publish(a, { kid: 'a', material: 'jwk' }), publish(b, { kid: 'b', material: 'jwk' })]),
    );
    expect(verdict).toMatchObject({ kind: 'valid', kid: 'b', keyIndex: 1, tried: 2, candidates: 2 });
  });

  test('RFC 6750 §2.1: a token pasted with its "Bearer " prefix verifies the same', async () => {
    const [a] = keysOf('PS256');
    const token = await sign('PS256', a.pair.privateKey, 'k');
    const verdict = await verifyJwtSignature(
      `Bearer ${token}`,
      set([publish(a, { kid: 'k', material: 'both' })]),
    );
    expect(verdict).toMatchObject({ kind: 'valid', kid: 'k', fromCertificate: true });
  });

  test('one key published twice (same kid): verifies, never "multiple matching keys"', async () => {
    const [a] = keysOf('RS256');
    const key = publish(a, { kid: 'k', alg: 'RS256', use: 'sig', material: 'jwk' });
    const verdict = await verifyJwtSignature(await sign('RS256', a.pair.privateKey, 'k'), set([key, key]));
    expect(verdict).toMatchObject({ kind: 'valid', keyIndex: 0, tried: 1, candidates: 2 });
  });

  test('a kid the set does not have, but a kid-less key that signed: verified, and said so', async () => {
    const [a] = keysOf('ES256');
    const verdict = await verifyJwtSignature(
      await sign('ES256', a.pair.privateKey, 'elsewhere'),
      set([publish(a, { material: 'jwk' })]),
    );
    expect(verdict).toMatchObject({ kind: 'valid', keyLabel: '#1' });
    expect(verdict.kind === 'valid' && verdict.notes?.[0]).toMatch(/No key has kid “elsewhere”/);
  });

  test('an unknown kid where every key has one is no-key (keys rolled over)', async () => {
    const [a] = keysOf('RS256');
    const verdict = await verifyJwtSignature(
      await sign('RS256', a.pair.privateKey, 'k9'),
      set([publish(a, { kid: 'k1', material: 'jwk' })]),
    );
    expect(verdict).toMatchObject({ kind: 'no-key', reason: expect.stringMatching(/“k9”.*rolled over/) });
  });

  test('a kid naming a key of the wrong type is no-key, and says what the key is', async () => {
    const [ec] = keysOf('ES256');
    const [rsa] = keysOf('RS256');
    const verdict = await verifyJwtSignature(
      await sign('RS256', rsa.pair.privateKey, 'k'),
      set([publish(ec, { kid: 'k', material: 'jwk' })]),
    );
    expect(verdict).toMatchObject({
      kind: 'no-key',
      reason: expect.stringMatching(/EC P-256 key; RS256 needs an RSA key/),
    });
  });

  test('RFC 7517 §4.4: a key published for another alg is not a candidate', async () => {
    const [a] = keysOf('RS256');
    const verdict = await verifyJwtSignature(
      await sign('RS256', a.pair.privateKey, 'k'),
      set([publish(a, { kid: 'k', alg: 'PS256', material: 'jwk' })]),
    );
    expect(verdict).toMatchObject({ kind: 'no-key', reason: expect.stringMatching(/published for "PS256"/) });
  });

  test('RFC 9864: a key published as EdDSA verifies a token that says Ed25519, and back', async () => {
    const [a] = keysOf('EdDSA');
    for (const [tokenAlg, keyAlg] of [
      ['Ed25519', 'EdDSA'],
      ['EdDSA', 'Ed25519'],
    ] as const) {
      const verdict = await verifyJwtSignature(
        await sign(tokenAlg, a.pair.privateKey, 'k'),
        set([publish(a, { kid: 'k', alg: keyAlg, material: 'jwk' })]),
      );
      expect(verdict).toMatchObject({ kind: 'valid', alg: tokenAlg });
    }
  });
});

describe('keys that cannot be used are never reported as a bad signature', () => {
  const unusable = async (key: Record<string, unknown>, alg: SigningAlg = 'RS256') => {
    const [signer] = keysOf(alg);
    return verifyJwtSignature(await sign(alg, signer.pair.privateKey, 'k'), set([{ ...key, kid: 'k' }]));
  };

  test('a broken modulus, a broken certificate, a certificate that contradicts n/e', async () => {
    const [a, b] = keysOf('RS256');
    const cases: Record<string, unknown>[] = [
      { kty: 'RSA', n: 'AQAB', e: 'AQAB' },
      { kty: 'RSA', x5c: ['bm90IGEgY2VydGlmaWNhdGU='] },
      { kty: 'RSA', x5c: 'MIIB' },
      { ...publish(a, { material: 'jwk' }), x5c: [b.certificate] },
    ];
    for (const key of cases) {
      const verdict = await unusable(key);
      expect(verdict.kind, JSON.stringify(key).slice(0, 60)).toBe('unusable-key');
    }
    expect(await unusable(cases[3] ?? {})).toMatchObject({
      reason: expect.stringMatching(/describe different keys/),
    });
  });

  test('RFC 7518 §6.3.1: Battle.net publishes n in standard base64 with padding: unusable, naming the key and "n"', async () => {
    const { jwks } = JSON.parse(readFileSync('test-fixtures/providers/battle-net.json', 'utf8')) as {
      jwks: { keys: Record<string, unknown>[] };
    };
    const first = jwks.keys[0] ?? {};
    const [signer] = keysOf('RS256');
    const token = await sign('RS256', signer.pair.privateKey, String(first['kid']));
    const verdict = await verifyJwtSignature(token, jwks as unknown as JSONWebKeySet);
    expect(verdict).toMatchObject({
      kind: 'unusable-key',
      reason: expect.stringContaining('"n" is not base64url'),
    });
    expect(verdict.kind !== 'valid' && verdict.reason).toContain(`“${String(first['kid'])}”`);
  });

  test('RFC 8725 §3.10: a key the token brings in its header (jwk) is never used, and that is said', async () => {
    const [a, b] = keysOf('ES256');
    const token = await new SignJWT({ sub: 's' })
      .setProtectedHeader({ alg: 'ES256', jwk: b.jwk })
      .sign(b.pair.privateKey);
    const verdict = await verifyJwtSignature(token, set([publish(a, { material: 'jwk' })]));
    expect(verdict).toMatchObject({
      kind: 'invalid',
      notes: [expect.stringMatching(/own key reference \(jwk\)/)],
    });
  });

  test('a kid past 60 characters is cut in messages, and the cut is marked', async () => {
    const [a] = keysOf('RS256');
    const kid = `${'k'.repeat(70)}-tail`;
    const verdict = await verifyJwtSignature(
      await sign('RS256', a.pair.privateKey, kid),
      set([publish(a, { kid, material: 'jwk' })]),
    );
    expect(verdict).toMatchObject({ kind: 'valid', kid, keyLabel: `“${'k'.repeat(59)}…”` });
  });

  test('fast-check: any junk in the key members gives unusable-key or no-key, never invalid or valid', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<SigningAlg>('RS256', 'ES256', 'EdDSA'),
        fc.dictionary(
          fc.constantFrom('n', 'e', 'x', 'y', 'crv', 'x5c'),
          fc.oneof(fc.string(), fc.integer(), fc.array(fc.string())),
        ),
        async (alg, junk) => {
          const kty = alg === 'RS256' ? 'RSA' : alg === 'ES256' ? 'EC' : 'OKP';
          const verdict = await unusable({ kty, ...junk }, alg);
          expect(['unusable-key', 'no-key']).toContain(verdict.kind);
        },
      ),
      { numRuns: 60 },
    );
  });

  test('an ML-DSA key this runtime cannot import is unusable-key, with the reason', async () => {
    const token = `${part({ alg: 'ML-DSA-44', kid: 'k' })}.${part({ sub: 's' })}.${encodeBase64Url(new Uint8Array(64))}`;
    const verdict = await verifyJwtSignature(
      token,
      set([{ kty: 'AKP', alg: 'ML-DSA-44', pub: 'AAAA', kid: 'k' }]),
    );
    expect(verdict.kind).toBe('unusable-key');
  });

  test('RFC 7517 §4.7: x5c beside an n published with a leading zero byte is the same key', async () => {
    const [a] = keysOf('RS256');
    const n = encodeBase64Url(new Uint8Array([0, ...Buffer.from(String(a.jwk.n), 'base64url')]));
    const verdict = await verifyJwtSignature(
      await sign('RS256', a.pair.privateKey, 'k'),
      set([{ ...publish(a, { kid: 'k', material: 'both' }), n }]),
    );
    expect(verdict).toMatchObject({ kind: 'valid', fromCertificate: true });
  });

  test('RFC 7517 §4.7: an x5c-only EC key without crv: the certificate decides, right curve or wrong', async () => {
    const [p256] = keysOf('ES256');
    const [p384] = keysOf('ES384');
    const token = await sign('ES256', p256.pair.privateKey);
    const right = await verifyJwtSignature(token, set([{ kty: 'EC', x5c: [p256.certificate] }]));
    expect(right).toMatchObject({ kind: 'valid', fromCertificate: true, thumbprint: p256.thumbprint });
    const wrong = await verifyJwtSignature(token, set([{ kty: 'EC', x5c: [p384.certificate] }]));
    expect(wrong.kind).toBe('unusable-key');
  });

  test('RFC 8037 §3.1: an Ed448 key for an EdDSA token is unusable (jose lacks Ed448), not "no key"', async () => {
    const token = `${part({ alg: 'EdDSA' })}.${part({ sub: 's' })}.${encodeBase64Url(new Uint8Array(114))}`;
    const verdict = await verifyJwtSignature(token, set([{ kty: 'OKP', crv: 'Ed448', x: 'AAAA' }]));
    expect(verdict).toMatchObject({ kind: 'unusable-key', reason: expect.stringMatching(/Ed448/) });
  });

  test('one unusable candidate and one that does not match: not judged "invalid"', async () => {
    const [a, b] = keysOf('RS256');
    const verdict = await verifyJwtSignature(
      await sign('RS256', a.pair.privateKey),
      set([publish(b, { material: 'jwk' }), { kty: 'RSA', n: 'AQAB', e: 'AQAB' }]),
    );
    expect(verdict).toMatchObject({
      kind: 'unusable-key',
      reason: expect.stringMatching(/1 other candidate did not match/),
    });
  });

  test('only keys for encryption, or only symmetric keys: no-key, naming why each was skipped', async () => {
    const [a] = keysOf('RS256');
    const token = await sign('RS256', a.pair.privateKey);
    const enc = await verifyJwtSignature(token, set([publish(a, { use: 'enc', material: 'jwk' })]));
    expect(enc).toMatchObject({ kind: 'no-key', reason: expect.stringMatching(/for encryption/) });
    const oct = await verifyJwtSignature(token, set([{ kty: 'oct', k: 'c2VjcmV0' }]));
    expect(oct).toMatchObject({ kind: 'no-key', reason: expect.stringMatching(/symmetric \(oct\)/) });
  });

  test('RSA keys under 2048 bits: unusable-key (jose refuses them), not invalid', async () => {
    const params = {
      name: 'RSASSA-PKCS1-v1_5',
      hash: 'SHA-256',
      modulusLength: 1024,
      publicExponent: new Uint8Array([1, 0, 1]),
    };
    const pair = (await crypto.subtle.generateKey(params, true, ['sign', 'verify'])) as CryptoKeyPair;
    const jwk = await exportJWK(pair.publicKey);
    const input = `${part({ alg: 'RS256' })}.${part({ sub: 's' })}`;
    const signature = await crypto.subtle.sign(params, pair.privateKey, new TextEncoder().encode(input));
    const token = `${input}.${encodeBase64Url(new Uint8Array(signature))}`;
    const verdict = await verifyJwtSignature(token, set([jwk as Record<string, unknown>]));
    expect(verdict).toMatchObject({ kind: 'unusable-key', reason: expect.stringMatching(/2048/) });
  });
  test('fast-check: any JSON as a key set member (kty "toString" included) never crashes, never verifies', async () => {
    const [a] = keysOf('RS256');
    const token = await sign('RS256', a.pair.privateKey, 'k');
    const member = fc.oneof(
      fc.jsonValue(),
      fc.record({
        kty: fc.constantFrom('RSA', 'EC', 'OKP', 'oct', 'AKP', 'toString', '__proto__', 'constructor'),
        kid: fc.constantFrom('k', undefined),
        use: fc.constantFrom('sig', 'enc', undefined, 7),
        key_ops: fc.oneof(fc.constant(undefined), fc.array(fc.string())),
        n: fc.string(),
        crv: fc.constantFrom('P-256', 'Ed25519', 'valueOf'),
      }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(member, { maxLength: 4 }), async (keys) => {
        const verdict = await verifyJwtSignature(token, { keys } as unknown as JSONWebKeySet);
        expect(['no-key', 'unusable-key', 'invalid']).toContain(verdict.kind);
      }),
      { numRuns: 100 },
    );
  });
});

describe('reviewKeySet', () => {
  test('RFC 7517 §4.2/4.3: use and key_ops decide which keys may verify', () => {
    const reviews = reviewKeySet(
      set([
        { kty: 'RSA', use: 'sig', kid: 'a' },
        { kty: 'RSA', use: 'enc' },
        { kty: 'EC', key_ops: ['verify'] },
        { kty: 'EC', key_ops: ['deriveKey'] },
        { kty: 'oct', k: 'x' },
        { use: 'sig' },
        { kty: 'RSA', d: 'x', p: 'y' },
      ]),
    );
    expect(reviews.map((r) => r.skipped === undefined)).toEqual([
      true,
      false,
      true,
      false,
      false,
      false,
      true,
    ]);
    expect(reviews[0]?.label).toBe('“a”');
    expect(reviews[6]?.privateMembers).toEqual(['d', 'p']);
    expect(reviews[4]?.skipped).toMatch(/symmetric \(oct\).*never be published/);
  });
});

describe('algorithms', () => {
  test('the verifiable list is exactly jose 6’s JWS table without the HMAC algorithms', () => {
    const source = readFileSync('node_modules/jose/dist/webapi/lib/jws_algorithms.js', 'utf8');
    const table = /const JWS = table\(\{([\s\S]*?)\}\);/.exec(source)?.[1] ?? '';
    const names = [...table.matchAll(/^\s*"?([A-Za-z0-9-]+)"?:/gm)].map((m) => m[1]);
    expect(names.length).toBeGreaterThan(10);
    expect(names.filter((n) => !n?.startsWith('HS')).sort()).toEqual([...VERIFIABLE_ALGORITHMS].sort());
    expect(names.filter((n) => n?.startsWith('HS')).sort()).toEqual([...SHARED_SECRET_ALGORITHMS].sort());
  });

  test('RFC 9864: Ed25519 is accepted, never explained as HMAC', async () => {
    expect(precheckSignature({ alg: 'Ed25519' }, {})).toBeUndefined();
    const [a] = keysOf('Ed25519');
    const verdict = await verifyJwtSignature(
      await sign('Ed25519', a.pair.privateKey),
      set([publish(a, { material: 'jwk' })]),
    );
    expect(verdict.kind).toBe('valid');
  });

  test.each(VERIFIABLE_ALGORITHMS)('%s passes the precheck', (alg) => {
    expect(precheckSignature({ alg }, {})).toBeUndefined();
  });

  test.each(SHARED_SECRET_ALGORITHMS)('RFC 7518 §3.2: %s needs the shared secret', (alg) => {
    expect(precheckSignature({ alg }, {})).toMatchObject({
      kind: 'needs-secret',
      reason: expect.stringMatching(/HMAC.*secret/),
    });
  });

  test.each([
    ['ES256K', /registered.*RFC 8812/],
    ['Ed448', /registered.*RFC 9864/],
    ['RSA-OAEP', /encryption algorithm/],
    ['rs256', /unknown.*case-sensitive.*RS256/],
  ])('%s is named as unsupported, with why', (alg, says) => {
    expect(precheckSignature({ alg }, {})).toMatchObject({
      kind: 'unsupported-alg',
      reason: expect.stringMatching(says),
    });
  });

  test('fast-check: any other alg is called unknown by name, never HMAC', () => {
    const known = new Set([...VERIFIABLE_ALGORITHMS, ...SHARED_SECRET_ALGORITHMS, 'ES256K', 'Ed448', 'RS1']);
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 30 }).filter((a) => !known.has(a) && a.toLowerCase() !== 'none'),
        (alg) => {
          const verdict = precheckSignature({ alg }, {}) as SignatureVerdict;
          expect(verdict.kind).toBe('unsupported-alg');
          if (verdict.kind === 'valid') return;
          expect(verdict.reason).not.toMatch(/HMAC|shared secret/);
          expect(verdict.reason).toContain(JSON.stringify(alg).slice(1, 20));
        },
      ),
    );
  });

  test('RFC 8725 §3.1: alg none is refused as unsigned', async () => {
    expect((await verifyJwtSignature(`${part({ alg: 'none' })}.${part({ sub: 'x' })}.`, set([]))).kind).toBe(
      'unsigned',
    );
  });

  test('a Graph token with a header nonce is explained, not failed', async () => {
    const token = `${part({ alg: 'RS256', nonce: 'abc', kid: 'k1' })}.${part({ aud: '00000003-0000-0000-c000-000000000000' })}.c2ln`;
    expect((await verifyJwtSignature(token, set([]))).kind).toBe('not-verifiable');
  });

  test('a changed payload breaks the signature', async () => {
    const [a] = keysOf('RS256');
    const [h, , sig] = (await sign('RS256', a.pair.privateKey, 'k')).split('.');
    const verdict = await verifyJwtSignature(
      `${h}.${part({ admin: true })}.${sig}`,
      set([publish(a, { kid: 'k', material: 'jwk' })]),
    );
    expect(verdict).toMatchObject({
      kind: 'invalid',
      reason: expect.stringMatching(/does not match key “k”/),
    });
  });
});

describe('the 13 real providers: a key set of exactly their shape verifies a token we sign', () => {
  const files = readdirSync('test-fixtures/providers').filter((f) => f.endsWith('.json'));
  test('there are 13 providers', () => expect(files).toHaveLength(13));

  test.each(files)(
    '%s',
    async (file) => {
      const { jwks: published } = JSON.parse(readFileSync(`test-fixtures/providers/${file}`, 'utf8')) as {
        jwks: JSONWebKeySet;
      };
      for (const position of new Set([0, published.keys.length - 1])) {
        const shaped = await buildShapedKeySet(published, { position });
        const ours = shaped.jwks.keys[position] as Record<string, unknown>;
        const model = published.keys[position] as Record<string, unknown>;
        // Same shape: the same key count, and the same members in the same order.
        expect(shaped.jwks.keys).toHaveLength(published.keys.length);
        expect(Object.keys(ours)).toEqual(Object.keys(model));
        const token = await sign(shaped.alg, shaped.privateKey, shaped.kid, { iss: 'x' });
        const verdict = await verifyJwtSignature(token, shaped.jwks);
        expect(verdict).toMatchObject({
          kind: 'valid',
          alg: shaped.alg,
          keyIndex: position,
          thumbprint: await calculateJwkThumbprint(shaped.publicJwk, 'sha256'),
          fromCertificate: 'x5c' in model,
        });
        // The published keys are real public keys: our token must not verify against them.
        const untouched = await verifyJwtSignature(token, published);
        expect(untouched.kind).not.toBe('valid');
      }
    },
    30_000,
  );
});
