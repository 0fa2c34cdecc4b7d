import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  buildMetadataUrls,
  discoverAuthorizationServer,
  parseIssuerUrl,
  readMetadata,
  relayOriginsOf,
  validateMetadata,
  validateStoredEndpoints,
  validateTypedEndpoints,
  type FetchMetadata,
} from './discovery.ts';
import { requireEndpoint } from './endpoints.ts';
import { LabError, ProtocolViolationError } from './errors.ts';

const ISSUER = 'https://id.example.com/tenant-a';

function oidcDocument(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    issuer: ISSUER,
    authorization_endpoint: 'https://id.example.com/tenant-a/authorize',
    token_endpoint: 'https://api.id.example.com/token',
    jwks_uri: 'https://id.example.com/tenant-a/jwks',
    response_types_supported: ['code'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    ...overrides,
  };
}

/** A fake network: URL → answer; anything else is a 404. */
function serve(answers: Record<string, unknown>): FetchMetadata & { asked: string[] } {
  const asked: string[] = [];
  const fn = async (url: string) => {
    asked.push(url);
    return url in answers ? { status: 200, body: answers[url] } : { status: 404, body: undefined };
  };
  return Object.assign(fn, { asked });
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return error instanceof LabError ? error.code : `not a LabError: ${String(error)}`;
  }
  return 'no error';
}

describe('issuer URL', () => {
  test('RFC 8414 §2: https, or http on localhost only', () => {
    expect(parseIssuerUrl(' https://id.example.com ')).toBe('https://id.example.com');
    expect(parseIssuerUrl('http://localhost:5174/t/v2.0')).toBe('http://localhost:5174/t/v2.0');
    expect(() => parseIssuerUrl('http://id.example.com')).toThrow(/must use https/);
    expect(() => parseIssuerUrl('id.example.com')).toThrow(/not an absolute URL/);
    expect(() => parseIssuerUrl('https://id.example.com/?tenant=a')).toThrow(/no query/);
  });

  test('OIDC Discovery §4.1 appends, RFC 8414 §3.1 inserts the well-known path', () => {
    expect(buildMetadataUrls(ISSUER).map((u) => u.url)).toEqual([
      'https://id.example.com/tenant-a/.well-known/openid-configuration',
      'https://id.example.com/.well-known/oauth-authorization-server/tenant-a',
    ]);
  });
});

describe('discovery', () => {
  test('OIDC Discovery §4: endpoints are taken from the document', async () => {
    const fetch = serve({ [`${ISSUER}/.well-known/openid-configuration`]: oidcDocument() });
    const found = await discoverAuthorizationServer(ISSUER, fetch);
    expect(found.kind).toBe('openid-configuration');
    expect(found.endpoints).toEqual({
      authorization: 'https://id.example.com/tenant-a/authorize',
      token: 'https://api.id.example.com/token',
      jwks: 'https://id.example.com/tenant-a/jwks',
      discovery: `${ISSUER}/.well-known/openid-configuration`,
    });
    expect(() => requireEndpoint(found.endpoints, 'deviceAuthorization')).toThrow(
      /no device authorization endpoint/,
    );
    expect(relayOriginsOf(found.endpoints)).toEqual(['https://api.id.example.com', 'https://id.example.com']);
  });

  test('RFC 8414 §3: falls back to oauth-authorization-server when the OIDC document is missing', async () => {
    const url = 'https://id.example.com/.well-known/oauth-authorization-server/tenant-a';
    const {
      subject_types_supported: _s,
      id_token_signing_alg_values_supported: _a,
      ...oauthOnly
    } = oidcDocument({
      device_authorization_endpoint: 'https://id.example.com/tenant-a/device',
    });
    const fetch = serve({ [url]: oauthOnly });
    const found = await discoverAuthorizationServer(ISSUER, fetch);
    expect(fetch.asked).toEqual([`${ISSUER}/.well-known/openid-configuration`, url]);
    expect(found.kind).toBe('oauth-authorization-server');
    expect(found.attempts.map((a) => a.status)).toEqual([404, 200]);
    expect(requireEndpoint(found.endpoints, 'deviceAuthorization')).toBe(
      'https://id.example.com/tenant-a/device',
    );
  });

  test('OIDC Discovery §4.3: an issuer that is not identical is refused', async () => {
    const fetch = serve({
      [`${ISSUER}/.well-known/openid-configuration`]: oidcDocument({ issuer: `${ISSUER}/` }),
    });
    expect(await codeOf(discoverAuthorizationServer(ISSUER, fetch))).toBe('INVALID_RESPONSE');
    await expect(discoverAuthorizationServer(ISSUER, fetch)).rejects.toThrow(/must be identical/);
    await expect(discoverAuthorizationServer(ISSUER, fetch)).rejects.toThrow(
      `They differ only by a trailing slash: look up “${ISSUER}/” exactly.`,
    );
  });

  test('OIDC Discovery §4.3: Entra’s templated issuer is refused with a pointer to the Entra preset', () => {
    const issuer = 'https://login.microsoftonline.com/common/v2.0';
    expect(() =>
      validateMetadata(
        oidcDocument({ issuer: 'https://login.microsoftonline.com/{tenantid}/v2.0' }),
        issuer,
        'openid-configuration',
        'x',
      ),
    ).toThrow(/choose Microsoft Entra ID/);
  });

  test('OIDC Discovery §3: missing required fields are listed, each with its reason', async () => {
    const { authorization_endpoint: _a, subject_types_supported: _s, ...partial } = oidcDocument();
    const fetch = serve({ [`${ISSUER}/.well-known/openid-configuration`]: partial });
    expect(await codeOf(discoverAuthorizationServer(ISSUER, fetch))).toBe('MISSING_PARAMETER');
    await expect(discoverAuthorizationServer(ISSUER, fetch)).rejects.toThrow(
      /authorization_endpoint \(OIDC Discovery §3 requires it\); subject_types_supported \(OIDC Discovery §3/,
    );
  });

  test('OIDC Discovery §3: no token_endpoint (implicit only) is accepted, with a note', async () => {
    const { token_endpoint: _t, ...implicitOnly } = oidcDocument({ response_types_supported: ['id_token'] });
    const fetch = serve({ [`${ISSUER}/.well-known/openid-configuration`]: implicitOnly });
    const found = await discoverAuthorizationServer(ISSUER, fetch);
    expect(found.endpoints.token).toBeUndefined();
    expect(found.notes.join(' ')).toMatch(
      /no token_endpoint, as allowed when only the implicit flow is used/,
    );
    expect(() => requireEndpoint(found.endpoints, 'token')).toThrow(/publishes no token endpoint/);
    expect(relayOriginsOf(found.endpoints)).toEqual(['https://id.example.com']);
  });

  test('OIDC Discovery §3: no token_endpoint while code is listed still succeeds, and says the document breaks the rule', () => {
    const { token_endpoint: _t, ...doc } = oidcDocument();
    const reading = readMetadata(doc, ISSUER, 'openid-configuration', 'x');
    expect(reading.endpoints.token).toBeUndefined();
    expect(reading.notes.join(' ')).toMatch(/lists a code response: OIDC Discovery §3 requires one then/);
  });

  test('RFC 8414 §2: no jwks_uri is accepted, and the note says signatures cannot be checked', () => {
    const { jwks_uri: _j, ...doc } = oidcDocument();
    const reading = readMetadata(doc, ISSUER, 'oauth-authorization-server', 'x');
    expect(reading.endpoints.jwks).toBeUndefined();
    expect(reading.notes.join(' ')).toMatch(/no jwks_uri, so the lab cannot check the signatures/);
    expect(() => requireEndpoint(reading.endpoints, 'jwks')).toThrow(/signatures cannot be checked/);
  });

  test('RFC 8414 §2: an authorization server document needs no subject types or signing algorithms', () => {
    const { subject_types_supported: _s, id_token_signing_alg_values_supported: _a, ...doc } = oidcDocument();
    expect(readMetadata(doc, ISSUER, 'oauth-authorization-server', 'x').endpoints.authorization).toBe(
      'https://id.example.com/tenant-a/authorize',
    );
    expect(() => readMetadata(doc, ISSUER, 'openid-configuration', 'x')).toThrow(
      /subject_types_supported \(OIDC Discovery §3 requires it\); id_token_signing_alg_values_supported/,
    );
  });

  test('OIDC Discovery §3: a string where a JSON array is required is refused, naming the field', () => {
    expect(() =>
      readMetadata(oidcDocument({ response_types_supported: 'code' }), ISSUER, 'openid-configuration', 'x'),
    ).toThrow(
      /response_types_supported must be a JSON array of strings \(such as \["code"\]\), not the string “code”/,
    );
    expect(() =>
      readMetadata(oidcDocument({ subject_types_supported: [1] }), ISSUER, 'openid-configuration', 'x'),
    ).toThrow(expect.objectContaining({ code: 'INVALID_RESPONSE' }));
  });

  test('RFC 8414 §2: an optional list of the wrong type is ignored with a note, not an error', () => {
    const reading = readMetadata(
      oidcDocument({ grant_types_supported: 'authorization_code' }),
      ISSUER,
      'openid-configuration',
      'x',
    );
    expect(reading.notes.join(' ')).toMatch(/grant_types_supported must be a JSON array .* it is ignored/);
  });

  test('endpoints of the wrong type, or blank, are refused naming the field', () => {
    for (const [field, value, shown] of [
      ['token_endpoint', 42, 'a number'],
      ['jwks_uri', ['https://id.example.com/k'], 'an array'],
      ['authorization_endpoint', '  ', 'the string “  ”'],
      ['device_authorization_endpoint', { url: 'x' }, 'an object'],
    ] as const) {
      expect(() =>
        readMetadata(oidcDocument({ [field]: value }), ISSUER, 'openid-configuration', 'x'),
      ).toThrow(`${field} in the document at x must be a URL string, not ${shown}.`);
    }
  });

  test('endpoints on other hosts, trailing slashes, queries and unknown fields are taken as published', () => {
    const doc = oidcDocument({
      authorization_endpoint: 'https://facebook.example/dialog/oauth/',
      token_endpoint: 'https://api.other.example/oauth2/token?tenant=a',
      jwks_uri: 'https://keys.example/.well-known/oauth/openid/jwks/',
      x_vendor_extension: { nested: [1, 2] },
      userinfo_endpoint: 12,
      token_endpoint_auth_methods_supported: 'client_secret_post',
    });
    expect(readMetadata(doc, ISSUER, 'openid-configuration', 'x')).toEqual({
      endpoints: {
        authorization: 'https://facebook.example/dialog/oauth/',
        token: 'https://api.other.example/oauth2/token?tenant=a',
        jwks: 'https://keys.example/.well-known/oauth/openid/jwks/',
        discovery: 'x',
      },
      notes: [],
    });
  });

  test('RFC 6749 §3.1: an endpoint with a fragment is refused', () => {
    expect(() =>
      readMetadata(
        oidcDocument({ authorization_endpoint: 'https://id.example.com/authorize#x' }),
        ISSUER,
        'openid-configuration',
        'x',
      ),
    ).toThrow(/authorization_endpoint may not have a fragment/);
  });

  test('null stands for absent: optional fields may be null, required ones may not', () => {
    expect(
      readMetadata(
        oidcDocument({ jwks_uri: null, token_endpoint: null }),
        ISSUER,
        'openid-configuration',
        'x',
      ).endpoints,
    ).toEqual({ authorization: 'https://id.example.com/tenant-a/authorize', discovery: 'x' });
    expect(() => readMetadata(oidcDocument({ issuer: null }), ISSUER, 'openid-configuration', 'x')).toThrow(
      /lacks required fields: issuer/,
    );
  });

  test('an issuer that is not a string is refused by name', () => {
    expect(() => readMetadata(oidcDocument({ issuer: 7 }), ISSUER, 'openid-configuration', 'x')).toThrow(
      /issuer in the document at x must be a string \(a URL\), not a number/,
    );
  });

  test('OIDC Discovery §3: an http endpoint on a public host is refused', async () => {
    const fetch = serve({
      [`${ISSUER}/.well-known/openid-configuration`]: oidcDocument({
        token_endpoint: 'http://id.example.com/token',
      }),
    });
    expect(await codeOf(discoverAuthorizationServer(ISSUER, fetch))).toBe('INVALID_RESPONSE');
    await expect(discoverAuthorizationServer(ISSUER, fetch)).rejects.toThrow(/token_endpoint must use https/);
  });

  test('an http issuer is refused before anything is fetched', async () => {
    const fetch = serve({});
    expect(await codeOf(discoverAuthorizationServer('http://id.example.com', fetch))).toBe('INVALID_INPUT');
    expect(fetch.asked).toEqual([]);
  });

  test('neither document found: both URLs and statuses are named', async () => {
    await expect(discoverAuthorizationServer(ISSUER, serve({}))).rejects.toThrow(
      /openid-configuration \(HTTP 404\), then .*oauth-authorization-server\/tenant-a \(HTTP 404\)/,
    );
  });
});

describe('endpoints typed by hand', () => {
  const typed = {
    authorization: 'https://as.example/authorize',
    token: 'https://as.example/token',
    deviceAuthorization: '',
    jwks: 'https://as.example/keys',
  };

  test('device authorization is optional', () => {
    const endpoints = validateTypedEndpoints(typed);
    expect(endpoints.deviceAuthorization).toBeUndefined();
    expect(() => requireEndpoint(endpoints, 'deviceAuthorization')).toThrow(
      /device code flow is not available/,
    );
  });

  test('empty, http and fragment endpoints are refused, naming the field', () => {
    expect(() => validateTypedEndpoints({ ...typed, token: ' ' })).toThrow(/token endpoint is empty/);
    expect(() => validateTypedEndpoints({ ...typed, jwks: 'http://as.example/keys' })).toThrow(
      /must use https/,
    );
    expect(() => validateTypedEndpoints({ ...typed, authorization: 'https://as.example/a#x' })).toThrow(
      /fragment/,
    );
    expect(() => validateTypedEndpoints({ ...typed, deviceAuthorization: 'nope' })).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT', field: 'deviceAuthorization' }),
    );
  });
});

describe('endpoints read back from storage or a file', () => {
  test('from a discovery document, token and keys may be absent; typed by hand, they may not', () => {
    const stored = {
      authorization: 'https://facebook.com/dialog/oauth/',
      token: '',
      jwks: '',
      deviceAuthorization: '',
      discovery: 'https://www.facebook.com/.well-known/openid-configuration',
    };
    expect(validateStoredEndpoints(stored)).toEqual({
      authorization: 'https://facebook.com/dialog/oauth/',
      discovery: 'https://www.facebook.com/.well-known/openid-configuration',
    });
    expect(() => validateStoredEndpoints({ ...stored, discovery: '' })).toThrow(/token endpoint is empty/);
    expect(() => validateStoredEndpoints({ ...stored, discovery: 'http://evil.example/x' })).toThrow(
      /must use https/,
    );
  });
});

/** The 13 real providers' documents, read as the tests find them on disk. */
const PROVIDERS_DIR = new URL('../../test-fixtures/providers/', import.meta.url);
const providers = readdirSync(PROVIDERS_DIR)
  .filter((name) => name.endsWith('.json'))
  .sort()
  .map((name) => {
    const fixture = JSON.parse(readFileSync(new URL(name, PROVIDERS_DIR), 'utf8')) as {
      metadata: Record<string, unknown>;
    };
    return { name: name.replace(/\.json$/, ''), metadata: fixture.metadata };
  });

describe('discovery over the 13 real providers in test-fixtures/providers', () => {
  test('all 13 are there', () => {
    expect(providers.map((p) => p.name)).toEqual([
      'apple',
      'battle-net',
      'discord',
      'dropbox',
      'entra-common',
      'entra-organizations',
      'facebook',
      'gitlab',
      'google',
      'klarna',
      'slack',
      'spotify',
      'verimi',
    ]);
  });

  test.each(providers.filter((p) => !p.name.startsWith('entra-')))(
    'OIDC Discovery §4: $name is accepted and its endpoints are taken verbatim',
    async ({ metadata }) => {
      const issuer = metadata['issuer'] as string;
      const url = `${issuer}/.well-known/openid-configuration`;
      const found = await discoverAuthorizationServer(issuer, serve({ [url]: metadata }));
      const field = (name: string) => (typeof metadata[name] === 'string' ? metadata[name] : undefined);
      const expected = Object.fromEntries(
        Object.entries({
          authorization: field('authorization_endpoint'),
          token: field('token_endpoint'),
          jwks: field('jwks_uri'),
          deviceAuthorization: field('device_authorization_endpoint'),
          discovery: url,
        }).filter(([, value]) => value !== undefined),
      );
      expect(found.endpoints).toEqual(expected);
      expect(found.document).toBe(metadata);
      // Only Facebook lacks a field the lab would use: its token endpoint (implicit only).
      expect(found.notes.length > 0).toBe(metadata['token_endpoint'] === undefined);
    },
  );

  test.each(providers.filter((p) => p.name.startsWith('entra-')))(
    'OIDC Discovery §4.3: $name publishes a {tenantid} template and is refused with the Entra pointer',
    ({ name, metadata }) => {
      const issuer = `https://login.microsoftonline.com/${name.replace('entra-', '')}/v2.0`;
      expect(() =>
        readMetadata(metadata, issuer, 'openid-configuration', `${issuer}/.well-known/openid-configuration`),
      ).toThrow(
        /names the issuer “https:\/\/login\.microsoftonline\.com\/\{tenantid\}\/v2\.0”.*choose Microsoft Entra ID/,
      );
    },
  );
});

describe('generated documents (fast-check)', () => {
  const KINDS = ['openid-configuration', 'oauth-authorization-server'] as const;
  const REQUIRED_OIDC = [
    'issuer',
    'authorization_endpoint',
    'response_types_supported',
    'subject_types_supported',
    'id_token_signing_alg_values_supported',
  ];
  const urlOn = (host: string) =>
    fc
      .tuple(fc.constantFrom('', '/oauth2', '/a/b/'), fc.constantFrom('', '/', '.json', '?x=1'))
      .map(([path, tail]) => `https://${host}${path}${tail}`);
  const documentArb = fc.record({
    issuer: fc.constant(ISSUER),
    authorization_endpoint: urlOn('id.example.com'),
    token_endpoint: urlOn('api.example.net'),
    jwks_uri: urlOn('keys.example.org'),
    device_authorization_endpoint: urlOn('id.example.com'),
    response_types_supported: fc.subarray(['code', 'id_token', 'token id_token', 'code id_token', 'none'], {
      minLength: 1,
    }),
    subject_types_supported: fc.subarray(['public', 'pairwise'], { minLength: 1 }),
    id_token_signing_alg_values_supported: fc.constant(['RS256']),
    grant_types_supported: fc.subarray(['authorization_code', 'implicit', 'refresh_token', 'password']),
    userinfo_endpoint: urlOn('id.example.com'),
    scopes_supported: fc.constant(['openid']),
    x_unknown: fc.jsonValue(),
  });
  const fields = [
    ...REQUIRED_OIDC,
    'token_endpoint',
    'jwks_uri',
    'device_authorization_endpoint',
    'grant_types_supported',
    'userinfo_endpoint',
    'scopes_supported',
    'x_unknown',
  ];

  // RFC 8414 §2 requires fewer fields than OIDC Discovery §3.
  const REQUIRED_BY_KIND = {
    'openid-configuration': REQUIRED_OIDC,
    'oauth-authorization-server': ['issuer', 'authorization_endpoint', 'response_types_supported'],
  } as const;

  test('removing any fields: it succeeds, or throws a ProtocolViolationError naming each missing required one', () => {
    fc.assert(
      fc.property(documentArb, fc.subarray(fields), fc.constantFrom(...KINDS), (doc, removed, kind) => {
        const partial = Object.fromEntries(Object.entries(doc).filter(([key]) => !removed.includes(key)));
        const missingRequired = REQUIRED_BY_KIND[kind].filter((f) => removed.includes(f));
        try {
          const reading = readMetadata(partial, ISSUER, kind, 'u');
          expect(missingRequired).toEqual([]);
          expect(reading.endpoints.token).toBe(partial['token_endpoint']);
          expect(reading.endpoints.jwks).toBe(partial['jwks_uri']);
          expect(reading.endpoints.deviceAuthorization).toBe(partial['device_authorization_endpoint']);
        } catch (error) {
          expect(error).toBeInstanceOf(ProtocolViolationError);
          expect(missingRequired.length).toBeGreaterThan(0);
          for (const field of missingRequired) expect((error as Error).message).toContain(field);
        }
      }),
    );
  });

  test('a field of the wrong type: it succeeds, or throws a ProtocolViolationError naming that field', () => {
    fc.assert(
      fc.property(
        documentArb,
        fc.constantFrom(...fields.filter((f) => f !== 'issuer')),
        fc.oneof(fc.integer(), fc.boolean(), fc.string(), fc.array(fc.integer()), fc.object()),
        (doc, field, value) => {
          try {
            readMetadata({ ...doc, [field]: value }, ISSUER, 'openid-configuration', 'u');
          } catch (error) {
            expect(error).toBeInstanceOf(ProtocolViolationError);
            expect((error as Error).message).toContain(field);
          }
        },
      ),
    );
  });
});
