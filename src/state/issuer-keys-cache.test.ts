import { beforeEach, describe, expect, it } from 'vitest';
import type { MetadataAnswer } from '../protocol/discovery.ts';
import { parseTokenIssuer } from '../protocol/issuer-keys.ts';
import { cachedIssuerKeys, forgetIssuerKeys, ISSUER_KEYS_MAX_AGE_MS } from './issuer-keys-cache.ts';

const ISS = 'https://login.example.test/tenant/v2.0';
const DISCOVERY = `${ISS}/.well-known/openid-configuration`;
const JWKS = 'https://login.example.test/tenant/keys';

/** A metadata fetch that answers with the key ids in `kids` (changeable), counting each URL it is asked. */
function issuerServer(kids: { current: string[] }) {
  const asked: string[] = [];
  const fetchMetadata = (url: string): Promise<MetadataAnswer> => {
    asked.push(url);
    if (url === DISCOVERY) return Promise.resolve({ status: 200, body: { issuer: ISS, jwks_uri: JWKS } });
    if (url === JWKS) {
      const keys = kids.current.map((kid) => ({ kty: 'RSA', kid, n: 'AQAB', e: 'AQAB' }));
      return Promise.resolve({ status: 200, body: { keys } });
    }
    return Promise.resolve({ status: 404, body: undefined });
  };
  return { asked, fetchMetadata };
}

const issuer = (() => {
  const parsed = parseTokenIssuer(ISS);
  if (parsed.kind !== 'url') throw new Error('test issuer must parse as a URL');
  return parsed;
})();

describe('cachedIssuerKeys', () => {
  beforeEach(() => forgetIssuerKeys());

  it('reads discovery and the key set once for tokens of the same issuer', async () => {
    const server = issuerServer({ current: ['k1'] });
    const first = await cachedIssuerKeys(issuer, undefined, server.fetchMetadata, 'k1');
    const second = await cachedIssuerKeys(issuer, undefined, server.fetchMetadata, 'k1');
    expect(second).toBe(first);
    expect(server.asked).toEqual([DISCOVERY, JWKS]);
  });

  it('shares one read between callers that ask at the same time', async () => {
    const server = issuerServer({ current: ['k1'] });
    await Promise.all([
      cachedIssuerKeys(issuer, undefined, server.fetchMetadata, 'k1'),
      cachedIssuerKeys(issuer, undefined, server.fetchMetadata, 'k1'),
    ]);
    expect(server.asked).toEqual([DISCOVERY, JWKS]);
  });

  it('reads the keys again, once, for a kid the kept set does not hold (a rotated key)', async () => {
    const kids = { current: ['k1'] };
    const server = issuerServer(kids);
    await cachedIssuerKeys(issuer, undefined, server.fetchMetadata, 'k1');
    kids.current = ['k1', 'k2'];
    const rotated = await cachedIssuerKeys(issuer, undefined, server.fetchMetadata, 'k2');
    expect(rotated.jwks.keys.map((k) => k.kid)).toEqual(['k1', 'k2']);
    expect(server.asked).toEqual([DISCOVERY, JWKS, DISCOVERY, JWKS]);
    // The new set is kept: the next token with k2 costs nothing.
    await cachedIssuerKeys(issuer, undefined, server.fetchMetadata, 'k2');
    expect(server.asked).toHaveLength(4);
  });

  it('reads again when the kid is unknown to the issuer too, rather than loop', async () => {
    const server = issuerServer({ current: ['k1'] });
    await cachedIssuerKeys(issuer, undefined, server.fetchMetadata, 'k1');
    const keys = await cachedIssuerKeys(issuer, undefined, server.fetchMetadata, 'nope');
    expect(keys.jwks.keys.map((k) => k.kid)).toEqual(['k1']);
    expect(server.asked).toHaveLength(4);
  });

  it('reads a kept set again once it is older than the maximum age', async () => {
    const server = issuerServer({ current: ['k1'] });
    let clock = 0;
    await cachedIssuerKeys(issuer, undefined, server.fetchMetadata, 'k1', () => clock);
    clock = ISSUER_KEYS_MAX_AGE_MS + 1;
    await cachedIssuerKeys(issuer, undefined, server.fetchMetadata, 'k1', () => clock);
    expect(server.asked).toHaveLength(4);
  });

  it('keeps no failed read: the next call tries again', async () => {
    let up = false;
    const server = issuerServer({ current: ['k1'] });
    const flaky = (url: string) => (up ? server.fetchMetadata(url) : Promise.reject(new Error('offline')));
    await expect(cachedIssuerKeys(issuer, undefined, flaky, 'k1')).rejects.toThrow();
    up = true;
    const keys = await cachedIssuerKeys(issuer, undefined, flaky, 'k1');
    expect(keys.jwks.keys).toHaveLength(1);
  });

  it('keeps the keys of each tenant apart', async () => {
    const server = issuerServer({ current: ['k1'] });
    await cachedIssuerKeys(issuer, 'tenant-a', server.fetchMetadata, 'k1');
    await cachedIssuerKeys(issuer, 'tenant-b', server.fetchMetadata, 'k1');
    expect(server.asked).toHaveLength(4);
  });
});
