import { describe, expect, test } from 'vitest';
import { buildAuthorizationUrl, validateAuthorizationRequest } from './authorize.ts';
import { buildEntraEndpoints, isSpecificTenant } from './endpoints.ts';

describe('authorization request', () => {
  test('RFC 6749 §4.1.1: parameters in order, empty ones left out, spaces encoded', () => {
    const url = buildAuthorizationUrl('https://login.microsoftonline.com/common/oauth2/v2.0/authorize', [
      ['response_type', 'code'],
      ['client_id', '1950a258-227b-4e31-a9cf-717495945fc2'],
      ['prompt', ''],
      ['scope', 'https://graph.microsoft.com/.default offline_access openid'],
    ]);
    expect(url.toString()).toBe(
      'https://login.microsoftonline.com/common/oauth2/v2.0/authorize?response_type=code&client_id=1950a258-227b-4e31-a9cf-717495945fc2&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default+offline_access+openid',
    );
  });

  test('RFC 6749 §3.1: a repeated parameter is sent once and warned about', () => {
    const params = [
      ['state', 'a'],
      ['state', 'b'],
    ] as const;
    expect(buildAuthorizationUrl('https://x/authorize', params).searchParams.getAll('state')).toEqual(['a']);
    expect(validateAuthorizationRequest(params)).toContainEqual(
      expect.objectContaining({ parameter: 'state', message: expect.stringMatching(/twice/) }),
    );
  });

  test('RFC 9700 §2.1.1 / RFC 7636 §4.2: missing state, nonce, PKCE and plain are flagged', () => {
    const warnings = validateAuthorizationRequest([
      ['client_id', 'c'],
      ['response_type', 'code'],
      ['redirect_uri', 'http://localhost/cb'],
      ['scope', 'openid'],
    ]).map((w) => w.parameter);
    expect(warnings).toEqual(['state', 'nonce', 'code_challenge']);
    const plain = validateAuthorizationRequest([['code_challenge_method', 'plain']]).map((w) => w.parameter);
    expect(plain).toContain('code_challenge_method');
  });
});

describe('Entra endpoints', () => {
  test('paths under /{tenant}/oauth2/v2.0 and the v2.0 discovery document', () => {
    expect(buildEntraEndpoints('https://login.microsoftonline.com/', 'contoso.onmicrosoft.com')).toEqual({
      authorization: 'https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/authorize',
      token: 'https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token',
      deviceAuthorization: 'https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/devicecode',
      jwks: 'https://login.microsoftonline.com/contoso.onmicrosoft.com/discovery/v2.0/keys',
      discovery:
        'https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration',
    });
  });

  test('common, organizations and consumers are aliases, not tenants', () => {
    expect(['common', 'Organizations', 'consumers'].map(isSpecificTenant)).toEqual([false, false, false]);
    expect(isSpecificTenant('5f1c9e7a-0b3d-4c2e-9a61-7d8e2f4b6c10')).toBe(true);
  });
});
