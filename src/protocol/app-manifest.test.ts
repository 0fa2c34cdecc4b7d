import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { detectManifestFormat, parseAppManifest, type AppRegistration } from './app-manifest.ts';

const DIR = new URL('../../test-fixtures/manifests/', import.meta.url);
const read = (file: string) => readFileSync(new URL(file, DIR), 'utf8');

function registration(text: string): AppRegistration {
  const reading = parseAppManifest(text);
  if (!reading.ok) throw new Error(reading.problem.message);
  return reading.registration;
}

describe('Microsoft Graph format (reference-microsoft-graph-app-manifest)', () => {
  test('platforms, implicit switches, fallback public client, API and credentials', () => {
    const app = registration(read('graph-spa-implicit-left-on.json'));
    expect(app.format).toBe('microsoft-graph');
    expect(app.redirectUris).toEqual([{ uri: 'https://app.contoso.com/callback', platform: 'spa' }]);
    expect(app.implicitIdToken).toBe(true);
    expect(app.implicitAccessToken).toBe(true);
    expect(app.publicClientFlows).toBeUndefined();
    expect(app.signInAudience).toBe('AzureADMyOrg');
    expect(app.requiredResourceAccess[0]?.access).toEqual([
      { id: 'e1fe6dd8-ba31-4d61-89e7-88639da4683d', type: 'Scope' },
    ]);
  });

  test('exposed API, token version, secrets and certificates with their end dates', () => {
    const api = registration(read('graph-spa-personal-v1-api.json'));
    expect(api.exposedScopes).toEqual(['Notes.Read']);
    expect(api.identifierUris).toEqual(['api://contoso-notes']);
    expect(api.accessTokenVersion).toBe(1);
    const daemon = registration(read('graph-daemon-cert-good.json'));
    expect(daemon.certificates).toHaveLength(1);
    expect(daemon.certificates[0]?.endsAt?.toISOString()).toBe('2028-01-01T00:00:00.000Z');
    expect(daemon.certificates[0]?.type).toBe('AsymmetricX509Cert');
    expect(
      registration(read('graph-web-secret-expired.json')).secrets.map((s) => s.endsAt?.getUTCFullYear()),
    ).toEqual([2025, 2026]);
  });

  test('Graph’s list answer with one app is read as that app', () => {
    const app = JSON.parse(read('graph-web-good.json')) as object;
    expect(registration(JSON.stringify({ '@odata.context': 'x', value: [app] })).displayName).toBe(
      'Contoso Web',
    );
  });
});

describe('Azure AD Graph format (reference-app-manifest)', () => {
  test('replyUrlsWithType by type, oauth2Allow* switches, allowPublicClient, endDate', () => {
    const app = registration(read('aad-implicit-good.json'));
    expect(app.format).toBe('azure-ad-graph');
    expect(app.redirectUris).toEqual([
      { uri: 'https://legacy.contoso.com/', platform: 'web' },
      { uri: 'https://legacy.contoso.com/spa', platform: 'spa' },
    ]);
    expect(app.implicitIdToken && app.implicitAccessToken).toBe(true);
    const desktop = registration(read('aad-desktop-installed-client.json'));
    expect(desktop.redirectUris.every((r) => r.platform === 'public-client')).toBe(true);
    const api = registration(read('aad-api-v2-obo.json'));
    expect(api.accessTokenVersion).toBe(2);
    expect(api.exposedScopes).toEqual(['access_as_user']);
    expect(api.secrets[0]?.endsAt?.getUTCFullYear()).toBe(2028);
    expect(registration(read('aad-daemon-cert-expired.json')).certificates[0]?.endsAt?.toISOString()).toBe(
      '2025-09-30T00:00:00.000Z',
    );
  });

  test('availableToOtherTenants stands for signInAudience in older manifests', () => {
    expect(registration(read('aad-multitenant-consumers.json')).signInAudience).toBe('AzureADMultipleOrgs');
    expect(registration(read('aad-device-good.json')).signInAudience).toBe('AzureADMyOrg');
    expect(registration(read('aad-device-good.json')).publicClientFlows).toBe(true);
  });
});

describe('RFC 7591 §2 client metadata', () => {
  test('defaults: grant_types authorization_code, response_types code, client_secret_basic', () => {
    const client = registration(read('metadata-code-only.json'));
    expect(client.format).toBe('client-metadata');
    expect(client.grantTypes).toEqual(['authorization_code']);
    expect(client.responseTypes).toEqual(['code']);
    expect(client.tokenEndpointAuthMethod).toBe('client_secret_basic');
    expect(client.registeredScopes).toEqual(['openid', 'profile']);
    expect(client.redirectUris).toEqual([{ uri: 'https://rp.example.org/cb', platform: 'any' }]);
  });

  test('RFC 7591 §3.2.1: client_secret_expires_at 0 means no expiry', () => {
    expect(registration(read('metadata-cc-no-grant.json')).secrets).toEqual([
      { name: 'client_secret', endsAt: undefined },
    ]);
    expect(registration(read('metadata-cc-secret-expired.json')).secrets[0]?.endsAt?.toISOString()).toBe(
      '2026-01-01T00:00:00.000Z',
    );
  });
});

describe('unreadable input', () => {
  test.each([
    ['', 'empty'],
    ['   \n', 'empty'],
    ['{ "appId": ', 'not-json'],
    ['null', 'not-an-object'],
    ['"a string"', 'not-an-object'],
    ['42', 'not-an-object'],
    ['{}', 'unknown-shape'],
  ])('%j → %s', (text, code) => {
    const reading = parseAppManifest(text);
    expect(reading.ok ? undefined : reading.problem.code).toBe(code);
  });

  test('a wrong shape names the field and what it should be', () => {
    const reading = parseAppManifest(read('unreadable/wrong-shape.json'));
    expect(reading.ok).toBe(false);
    if (reading.ok) return;
    expect(reading.problem.message).toContain('spa.redirectUris should be a list of strings');
    expect(reading.problem.message).toContain('isFallbackPublicClient should be true, false or null');
    expect(reading.problem.message).toContain('passwordCredentials[0].endDateTime should be a date');
  });

  test('a byte order mark before the JSON is ignored', () => {
    expect(parseAppManifest(`\uFEFF${read('graph-web-good.json')}`).ok).toBe(true);
  });

  test('detection: Azure AD Graph fields win over the fields both formats share', () => {
    expect(detectManifestFormat({ appId: 'x', requiredResourceAccess: [], replyUrlsWithType: [] })).toBe(
      'azure-ad-graph',
    );
    expect(detectManifestFormat({ appId: 'x', spa: {}, oauth2AllowImplicitFlow: false })).toBe(
      'microsoft-graph',
    );
    expect(detectManifestFormat({ redirect_uris: [] })).toBe('client-metadata');
    expect(detectManifestFormat({ hello: 1 })).toBeUndefined();
  });

  test('property: every known field holding any JSON value is read or refused, never thrown', () => {
    const keys = [
      'appId',
      'signInAudience',
      'web',
      'spa',
      'publicClient',
      'api',
      'isFallbackPublicClient',
      'requiredResourceAccess',
      'passwordCredentials',
      'keyCredentials',
      'identifierUris',
      'appRoles',
      'replyUrlsWithType',
      'replyUrls',
      'oauth2AllowImplicitFlow',
      'oauth2AllowIdTokenImplicitFlow',
      'allowPublicClient',
      'accessTokenAcceptedVersion',
      'availableToOtherTenants',
      'oauth2Permissions',
      'redirect_uris',
      'grant_types',
      'response_types',
      'token_endpoint_auth_method',
      'client_id',
      'jwks',
      'jwks_uri',
      'scope',
      'client_secret_expires_at',
    ];
    const nested = fc.oneof(
      fc.jsonValue(),
      fc.dictionary(
        fc.constantFrom(
          'redirectUris',
          'implicitGrantSettings',
          'requestedAccessTokenVersion',
          'oauth2PermissionScopes',
          'enableIdTokenIssuance',
        ),
        fc.jsonValue(),
      ),
      fc.array(
        fc.dictionary(
          fc.constantFrom(
            'url',
            'type',
            'value',
            'endDateTime',
            'endDate',
            'resourceAppId',
            'resourceAccess',
            'id',
          ),
          fc.jsonValue(),
        ),
      ),
    );
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...keys), nested), (json) => {
        const reading = parseAppManifest(JSON.stringify(json));
        if (!reading.ok) expect(reading.problem.message.length).toBeGreaterThan(0);
      }),
      { numRuns: 1000 },
    );
  });

  test('property: any JSON value, and any text, is read without throwing', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const reading = parseAppManifest(JSON.stringify(value));
        expect(typeof reading.ok).toBe('boolean');
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.string(), (text) => {
        expect(typeof parseAppManifest(text).ok).toBe('boolean');
      }),
      { numRuns: 300 },
    );
  });
});
