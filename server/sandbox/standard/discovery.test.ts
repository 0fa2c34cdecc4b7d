import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { discover, startStandardSandbox, type TestSandbox } from './test-support.ts';

let sandbox: TestSandbox;
beforeAll(async () => {
  sandbox = await startStandardSandbox();
});
afterAll(() => sandbox.stop());

describe('standards issuer discovery', () => {
  test('OIDC Discovery §4: the issuer and every endpoint lie under /standard', async () => {
    const doc = await discover(sandbox);
    const issuer = `${sandbox.origin}/standard`;
    expect(doc['issuer']).toBe(issuer);
    for (const name of [
      'authorization_endpoint',
      'token_endpoint',
      'pushed_authorization_request_endpoint',
      'userinfo_endpoint',
      'introspection_endpoint',
      'revocation_endpoint',
      'end_session_endpoint',
      'registration_endpoint',
      'jwks_uri',
      'device_authorization_endpoint',
    ]) {
      expect(String(doc[name]), name).toMatch(new RegExp(`^${issuer}/`));
    }
  });

  test('RFC 8414 §3.1: the well-known path with the issuer path appended answers the same issuer', async () => {
    const res = await fetch(`${sandbox.origin}/.well-known/oauth-authorization-server/standard`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as Record<string, unknown>;
    expect(doc['issuer']).toBe(`${sandbox.origin}/standard`);
    expect(doc['token_endpoint']).toBe((await discover(sandbox))['token_endpoint']);
  });

  test('advertises JAR, JARM, DPoP, PKCE S256, the five client auth methods and the grants', async () => {
    const doc = await discover(sandbox);
    expect(doc['request_parameter_supported']).toBe(true);
    expect(doc['request_object_signing_alg_values_supported']).toEqual(
      expect.arrayContaining(['HS256', 'RS256', 'PS256', 'ES256']),
    );
    expect(doc['response_modes_supported']).toEqual(
      expect.arrayContaining([
        'query',
        'fragment',
        'form_post',
        'jwt',
        'query.jwt',
        'fragment.jwt',
        'form_post.jwt',
      ]),
    );
    expect(doc['authorization_signing_alg_values_supported']).toEqual(
      expect.arrayContaining(['RS256', 'ES256']),
    );
    expect(doc['dpop_signing_alg_values_supported']).toEqual(expect.arrayContaining(['ES256']));
    const methods = [
      'none',
      'client_secret_basic',
      'client_secret_post',
      'client_secret_jwt',
      'private_key_jwt',
    ];
    expect([...(doc['token_endpoint_auth_methods_supported'] as string[])].sort()).toEqual(
      [...methods].sort(),
    );
    expect(doc['introspection_endpoint_auth_methods_supported']).toEqual(expect.arrayContaining(methods));
    expect(doc['revocation_endpoint_auth_methods_supported']).toEqual(expect.arrayContaining(methods));
    expect(doc['grant_types_supported']).toEqual(
      expect.arrayContaining([
        'authorization_code',
        'refresh_token',
        'client_credentials',
        'urn:ietf:params:oauth:grant-type:device_code',
      ]),
    );
    expect(doc['code_challenge_methods_supported']).toEqual(['S256']);
    expect(doc['backchannel_logout_supported']).toBe(true);
    expect(doc['authorization_response_iss_parameter_supported']).toBe(true);
  });

  test('discovery and the JWKS answer any origin (CORS)', async () => {
    const doc = await discover(sandbox);
    const res = await fetch(String(doc['jwks_uri']), { headers: { origin: 'http://localhost:47173' } });
    expect(res.headers.get('access-control-allow-origin')).toBe('http://localhost:47173');
    const jwks = (await res.json()) as { keys: Record<string, unknown>[] };
    expect(jwks.keys.map((k) => k['kty']).sort()).toEqual(['EC', 'RSA']);
    for (const key of jwks.keys) expect(key).not.toHaveProperty('d');
  });

  test('directory.json lists the seeded clients and the directory users', async () => {
    const res = await fetch(`${sandbox.origin}/standard/directory.json`);
    expect(res.status).toBe(200);
    const dir = (await res.json()) as {
      issuer: string;
      portal: string;
      users: { username: string; password: string; displayName: string }[];
      clients: {
        client_id: string;
        token_endpoint_auth_method: string;
        client_secret?: string;
        redirect_uris: string[];
      }[];
    };
    expect(dir.issuer).toBe(`${sandbox.origin}/standard`);
    expect(dir.portal).toBe(`${sandbox.origin}/standard/portal`);
    expect(dir.users).toContainEqual({
      username: 'adele@flowlab-sandbox.onmicrosoft.com',
      password: 'Sandbox-Adele-1',
      displayName: 'Adele Vance',
    });
    expect(dir.clients.map((c) => [c.client_id, c.token_endpoint_auth_method])).toEqual([
      ['standard-basic', 'client_secret_basic'],
      ['standard-post', 'client_secret_post'],
      ['standard-jwt', 'client_secret_jwt'],
      ['standard-private-key', 'private_key_jwt'],
      ['standard-spa', 'none'],
    ]);
    const basic = dir.clients[0]!;
    // RFC 6749 §2.3.1: a secret that changes under form-encoding.
    expect(new URLSearchParams({ s: basic.client_secret ?? '' }).toString()).not.toBe(
      `s=${basic.client_secret}`,
    );
    expect(dir.clients.find((c) => c.client_id === 'standard-spa')).not.toHaveProperty('client_secret');
    expect(basic.redirect_uris).toEqual(['http://localhost:5173/callback']);
  });
});
