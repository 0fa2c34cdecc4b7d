import { exportJWK, generateKeyPair, SignJWT, type JSONWebKeySet } from 'jose';
import { beforeAll, describe, expect, test } from 'vitest';
import { encodeBase64Url } from './base64url.ts';
import { discoveryUrlForIssuer, expectedIssuerFromDiscovery, verifyJwtSignature } from './verify.ts';

let jwks: JSONWebKeySet;
let privateKey: CryptoKey;
let otherKey: CryptoKey;

beforeAll(async () => {
  const pair = await generateKeyPair('RS256', { extractable: true });
  privateKey = pair.privateKey;
  otherKey = (await generateKeyPair('RS256')).privateKey;
  jwks = { keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }] };
});

const sign = (key: CryptoKey, payload: Record<string, unknown> = { aud: 'api' }, kid = 'k1') =>
  new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' }).sign(key);

const part = (o: object) => encodeBase64Url(new TextEncoder().encode(JSON.stringify(o)));

describe('signature verification', () => {
  test('RFC 7515 §5.2: a token signed by the published key is valid', async () => {
    expect(await verifyJwtSignature(await sign(privateKey), jwks)).toEqual({
      kind: 'valid',
      alg: 'RS256',
      kid: 'k1',
    });
  });

  test('a token signed by another key is invalid', async () => {
    expect((await verifyJwtSignature(await sign(otherKey), jwks)).kind).toBe('invalid');
  });

  test('a changed payload breaks the signature', async () => {
    const [h, , s] = (await sign(privateKey)).split('.');
    expect((await verifyJwtSignature(`${h}.${part({ aud: 'api', admin: true })}.${s}`, jwks)).kind).toBe(
      'invalid',
    );
  });

  test('an unknown kid is no-key (keys rolled over, or another issuer)', async () => {
    expect((await verifyJwtSignature(await sign(privateKey, {}, 'k9'), jwks)).kind).toBe('no-key');
  });

  test('RFC 8725 §3.1: alg none is refused as unsigned', async () => {
    expect((await verifyJwtSignature(`${part({ alg: 'none' })}.${part({ sub: 'x' })}.`, jwks)).kind).toBe(
      'unsigned',
    );
  });

  test('RFC 8725 §3.1: HS256 cannot be checked with public keys', async () => {
    expect(
      await verifyJwtSignature(`${part({ alg: 'HS256' })}.${part({ sub: 'x' })}.c2ln`, jwks),
    ).toMatchObject({ kind: 'invalid', reason: expect.stringMatching(/HMAC/) });
  });

  test('a Graph token with a header nonce is explained, not failed', async () => {
    const token = `${part({ alg: 'RS256', nonce: 'abc', kid: 'k1' })}.${part({ aud: '00000003-0000-0000-c000-000000000000' })}.c2ln`;
    expect((await verifyJwtSignature(token, jwks)).kind).toBe('not-verifiable');
  });
});

describe('issuer metadata', () => {
  test('OIDC Discovery §4: issuer + /.well-known/openid-configuration', () => {
    expect(discoveryUrlForIssuer('https://login.microsoftonline.com/t/v2.0')).toBe(
      'https://login.microsoftonline.com/t/v2.0/.well-known/openid-configuration',
    );
    expect(discoveryUrlForIssuer('https://accounts.example/')).toBe(
      'https://accounts.example/.well-known/openid-configuration',
    );
  });

  test('Entra v1 issuers (sts.windows.net) are discovered on login.microsoftonline.com', () => {
    expect(discoveryUrlForIssuer('https://sts.windows.net/abc/')).toBe(
      'https://login.microsoftonline.com/abc/.well-known/openid-configuration',
    );
  });

  test("Entra's {tenantid} template is filled from the token's tid", () => {
    expect(expectedIssuerFromDiscovery('https://login.microsoftonline.com/{tenantid}/v2.0', 'abc')).toBe(
      'https://login.microsoftonline.com/abc/v2.0',
    );
  });
});
