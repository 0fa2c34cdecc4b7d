import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { redirectUriMatches } from './issuer.ts';
import { loadOrCreateStandardKeys, publicJwks } from './keys.ts';
import { parsePublicJwks } from './portal.ts';

const REGISTERED = ['http://localhost:5173/callback'];

describe('redirectUriMatches (RFC 6749 §3.1.2.3, RFC 8252 §7.3)', () => {
  test('a loopback redirect URI matches on any port', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 65535 }), (port) =>
        redirectUriMatches(REGISTERED, `http://localhost:${port}/callback`),
      ),
    );
  });

  test('another path, query, host, scheme or a fragment does not match', () => {
    for (const uri of [
      'http://localhost:5173/callback/',
      'http://localhost:5173/other',
      'http://localhost:5173/callback?x=1',
      'http://localhost:5173/callback#f',
      'http://127.0.0.1:5173/callback',
      'https://localhost:5173/callback',
      'http://example.com:5173/callback',
      'not a url',
    ]) {
      expect(redirectUriMatches(REGISTERED, uri), uri).toBe(false);
    }
  });

  test('a non-loopback URI must match exactly', () => {
    expect(redirectUriMatches(['https://app.example/cb'], 'https://app.example/cb')).toBe(true);
    expect(redirectUriMatches(['https://app.example/cb'], 'https://app.example:8443/cb')).toBe(false);
  });
});

describe('parsePublicJwks (RFC 7517)', () => {
  test('accepts public keys and refuses private or symmetric members', () => {
    expect(parsePublicJwks({ keys: [{ kty: 'EC', crv: 'P-256', x: 'a', y: 'b' }] })).toEqual({
      keys: [{ kty: 'EC', crv: 'P-256', x: 'a', y: 'b' }],
    });
    for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']) {
      const result = parsePublicJwks({ keys: [{ kty: 'RSA', n: 'n', e: 'AQAB', [member]: 'x' }] });
      expect(result, member).toHaveProperty('error', expect.stringContaining(member));
    }
    expect(parsePublicJwks({ keys: [] })).toHaveProperty('error');
    expect(parsePublicJwks(null)).toHaveProperty('error');
    expect(parsePublicJwks({ keys: ['x'] })).toHaveProperty('error');
  });
});

describe('standard-keys.json', () => {
  test('keys are made once and kept; the published set has no private members', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'standard-keys-'));
    try {
      const first = await loadOrCreateStandardKeys(dir);
      const second = await loadOrCreateStandardKeys(dir);
      expect(second.signingKeys.map((k) => k.kid)).toEqual(first.signingKeys.map((k) => k.kid));
      expect(first.signingKeys.map((k) => k.kty)).toEqual(['RSA', 'EC']);
      for (const key of publicJwks(first).keys) {
        for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(key).not.toHaveProperty(member);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('a file that is not a key file is refused with what to do', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'standard-keys-'));
    try {
      await writeFile(join(dir, 'standard-keys.json'), '{"signingKeys":[]}');
      await expect(loadOrCreateStandardKeys(dir)).rejects.toThrow(/delete it to generate new keys/);
      await writeFile(join(dir, 'standard-keys.json'), 'not json');
      await expect(loadOrCreateStandardKeys(dir)).rejects.toThrow(/not JSON/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
