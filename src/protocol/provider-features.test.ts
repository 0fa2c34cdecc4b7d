import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  assessFeature,
  clientAuthMethods,
  entraFeatureMetadata,
  ENTRA_LACKS,
  pickFeatureMetadata,
  PROVIDER_FEATURES,
  type ProviderFeature,
} from './provider-features.ts';

const PROVIDERS_DIR = new URL('../../test-fixtures/providers/', import.meta.url);
const NAMES = readdirSync(PROVIDERS_DIR)
  .filter((name) => name.endsWith('.json'))
  .map((name) => name.replace(/\.json$/, ''));
function provider(name: string): Record<string, unknown> {
  return (
    JSON.parse(readFileSync(new URL(`${name}.json`, PROVIDERS_DIR), 'utf8')) as {
      metadata: Record<string, unknown>;
    }
  ).metadata;
}

/** Read from each published document by hand (Klarna and Verimi say request_parameter_supported: true). */
const OFFERED: Record<string, readonly ProviderFeature[]> = {
  apple: ['revocation'],
  'battle-net': ['token-exchange', 'userinfo', 'introspection', 'revocation', 'logout'],
  discord: [],
  dropbox: [],
  'entra-common': ['userinfo', 'logout'],
  'entra-organizations': ['userinfo', 'logout'],
  facebook: [],
  gitlab: ['userinfo', 'introspection', 'revocation'],
  google: ['userinfo', 'revocation'],
  klarna: ['jar', 'userinfo', 'revocation', 'logout'],
  slack: ['userinfo'],
  spotify: ['userinfo', 'revocation'],
  verimi: ['jar', 'userinfo', 'revocation', 'logout'],
};

describe('provider features from real discovery documents', () => {
  test('the table covers every fixture', () => {
    expect(Object.keys(OFFERED).sort()).toEqual([...NAMES].sort());
  });

  test.each(NAMES)('%s: offered features match the document, and picking keeps every verdict', (name) => {
    const document = provider(name);
    const picked = pickFeatureMetadata(document);
    const offered = PROVIDER_FEATURES.filter((f) => assessFeature(f, picked).status === 'offered');
    expect(offered.sort()).toEqual([...(OFFERED[name] ?? [])].sort());
    // Stored and read back (JSON) the verdicts do not change.
    const restored = pickFeatureMetadata(JSON.parse(JSON.stringify(picked)) as Record<string, unknown>);
    for (const feature of PROVIDER_FEATURES)
      expect(assessFeature(feature, restored)).toEqual(assessFeature(feature, picked));
  });

  test('an endpoint verdict names the endpoint and the field', () => {
    const gitlab = pickFeatureMetadata(provider('gitlab'));
    const introspection = assessFeature('introspection', gitlab);
    expect(introspection.endpoint).toBe(provider('gitlab')['introspection_endpoint']);
    expect(assessFeature('logout', gitlab).reason).toMatch(/end_session_endpoint/);
  });

  test('RFC 8414 §2: client_secret_basic when token_endpoint_auth_methods_supported is absent', () => {
    expect(clientAuthMethods({})).toEqual(['client_secret_basic']);
    expect(clientAuthMethods(undefined)).toEqual(['client_secret_basic']);
    expect(clientAuthMethods(pickFeatureMetadata(provider('entra-common')))).toEqual([
      'client_secret_basic',
      'client_secret_post',
      'private_key_jwt',
    ]);
  });

  test('introspection and revocation use their own list, else the token endpoint’s', () => {
    const metadata = pickFeatureMetadata({
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'private_key_jwt'],
      revocation_endpoint_auth_methods_supported: ['client_secret_post'],
    });
    expect(clientAuthMethods(metadata, 'revocation')).toEqual(['client_secret_post']);
    expect(clientAuthMethods(metadata, 'introspection')).toEqual(['client_secret_basic', 'private_key_jwt']);
  });

  test('PAR: required when the document says so; JARM: any jwt response mode', () => {
    const metadata = pickFeatureMetadata({
      pushed_authorization_request_endpoint: 'https://as.example/par',
      require_pushed_authorization_requests: true,
      response_modes_supported: ['query', 'query.jwt'],
      authorization_signing_alg_values_supported: ['ES256'],
    });
    expect(assessFeature('par', metadata)).toMatchObject({ status: 'offered', required: true });
    expect(assessFeature('jarm', metadata)).toMatchObject({ status: 'offered', algorithms: ['ES256'] });
    expect(assessFeature('jar', metadata).status).toBe('not-advertised');
  });

  test('Entra: userinfo and logout offered; for the rest the app says what Entra has instead', () => {
    const entra = entraFeatureMetadata({
      userinfo: 'https://graph.microsoft.com/oidc/userinfo',
      endSession: 'https://login.microsoftonline.com/t/oauth2/v2.0/logout',
    });
    const offered = PROVIDER_FEATURES.filter((f) => assessFeature(f, entra).status === 'offered');
    expect(offered).toEqual(['userinfo', 'logout']);
    for (const feature of PROVIDER_FEATURES.filter((f) => !offered.includes(f)))
      expect(ENTRA_LACKS[feature], feature).toMatch(/Entra ID/);
  });

  test('generated documents: wrong types are dropped, and every verdict has a reason', () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.constantFrom(
            'pushed_authorization_request_endpoint',
            'introspection_endpoint',
            'dpop_signing_alg_values_supported',
            'request_parameter_supported',
            'grant_types_supported',
            'response_modes_supported',
            'token_endpoint_auth_methods_supported',
          ),
          fc.oneof(
            fc.string(),
            fc.boolean(),
            fc.array(fc.string()),
            fc.integer(),
            fc.constant(null),
            fc.webUrl(),
          ),
        ),
        (document) => {
          const picked = pickFeatureMetadata(document);
          for (const [field, value] of Object.entries(picked)) {
            if (field.endsWith('_endpoint')) expect(() => new URL(value as string)).not.toThrow();
            if (field.endsWith('_supported') && !field.startsWith('request_parameter'))
              expect(Array.isArray(value)).toBe(true);
          }
          for (const feature of PROVIDER_FEATURES) {
            const verdict = assessFeature(feature, picked);
            expect(verdict.reason.length).toBeGreaterThan(20);
            if (verdict.status === 'offered' && verdict.endpoint !== undefined)
              expect(Object.values(picked)).toContain(verdict.endpoint);
          }
        },
      ),
    );
  });
});
