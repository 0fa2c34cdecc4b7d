import { describe, expect, test } from 'vitest';
import {
  buildMetadataUrls,
  discoverAuthorizationServer,
  parseIssuerUrl,
  relayOriginsOf,
  validateMetadata,
  validateTypedEndpoints,
  type FetchMetadata,
} from './discovery.ts';
import { requireEndpoint } from './endpoints.ts';
import { LabError } from './errors.ts';

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

  test('OIDC Discovery §3: missing required fields are listed', async () => {
    const { jwks_uri: _j, subject_types_supported: _s, ...partial } = oidcDocument();
    const fetch = serve({ [`${ISSUER}/.well-known/openid-configuration`]: partial });
    expect(await codeOf(discoverAuthorizationServer(ISSUER, fetch))).toBe('MISSING_PARAMETER');
    await expect(discoverAuthorizationServer(ISSUER, fetch)).rejects.toThrow(
      /jwks_uri, subject_types_supported/,
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
