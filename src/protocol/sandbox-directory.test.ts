import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { InvalidInputError } from './errors.ts';
import {
  checkAgainstRegistration,
  findSandboxApp,
  isRedirectUriRegistered,
  parseSandboxDirectory,
  SANDBOX_DIRECTORY_SCHEMA_VERSION,
} from './sandbox-directory.ts';

const TENANT = '0e9a4c1d-7b2f-4e63-9d58-1a2b3c4d5e6f';
const SPA_ID = 'AAAAAAAA-1111-4111-8111-AAAAAAAAAAAA';

/** A document of the shape the sandbox serves (made-up ids; the app never knows the real ones in advance). */
function validDocument(): Record<string, unknown> {
  return {
    schemaVersion: 1,
    notice: 'Sandbox-only.',
    tenant: { id: TENANT, domain: 'class.onmicrosoft.com', displayName: 'Class sandbox' },
    issuer: `http://localhost:5174/${TENANT}/v2.0`,
    portal: 'http://localhost:5174/',
    apps: [
      {
        clientId: SPA_ID,
        displayName: 'Flow Lab SPA',
        platform: 'spa',
        redirectUris: ['http://localhost:5173/callback'],
        allowPublicClientFlows: false,
        implicitIdTokens: false,
        implicitAccessTokens: false,
        confidential: false,
        exposedScopes: [],
      },
      {
        clientId: 'bbbbbbbb-2222-4222-8222-bbbbbbbbbbbb',
        displayName: 'Flow Lab API',
        platform: 'web',
        redirectUris: [],
        allowPublicClientFlows: false,
        implicitIdTokens: false,
        implicitAccessTokens: false,
        confidential: true,
        identifierUri: 'api://bbbbbbbb-2222-4222-8222-bbbbbbbbbbbb',
        exposedScopes: ['access_as_user'],
        sandboxOnlySecret: 'made-up~value',
      },
    ],
  };
}

function fieldOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return (error as InvalidInputError).field;
  }
  throw new Error('expected a refusal');
}

describe('parseSandboxDirectory', () => {
  test('a well-formed document is read as it is, unknown fields left out', () => {
    const parsed = parseSandboxDirectory(validDocument());
    expect(parsed.schemaVersion).toBe(SANDBOX_DIRECTORY_SCHEMA_VERSION);
    expect(parsed.tenant.id).toBe(TENANT);
    expect(parsed.apps[1]).toMatchObject({
      sandboxOnlySecret: 'made-up~value',
      exposedScopes: ['access_as_user'],
    });
    expect(parsed).not.toHaveProperty('notice');
  });

  test('each odd field is named: version, tenant, issuer, an app’s platform, a duplicate client id', () => {
    const doc = validDocument;
    expect(fieldOf(() => parseSandboxDirectory(null))).toBe('directory.(root)');
    expect(fieldOf(() => parseSandboxDirectory({ ...doc(), schemaVersion: 2 }))).toBe(
      'directory.schemaVersion',
    );
    expect(fieldOf(() => parseSandboxDirectory({ ...doc(), tenant: 'x' }))).toBe('directory.tenant');
    expect(fieldOf(() => parseSandboxDirectory({ ...doc(), tenant: { id: TENANT } }))).toBe(
      'directory.tenant.domain',
    );
    expect(fieldOf(() => parseSandboxDirectory({ ...doc(), issuer: 'not a url' }))).toBe('directory.issuer');
    const apps = doc()['apps'] as Record<string, unknown>[];
    expect(
      fieldOf(() => parseSandboxDirectory({ ...doc(), apps: [{ ...apps[0], platform: 'desktop' }] })),
    ).toBe('directory.apps[0].platform');
    expect(
      fieldOf(() => parseSandboxDirectory({ ...doc(), apps: [apps[0], { ...apps[1], redirectUris: [1] }] })),
    ).toBe('directory.apps[1].redirectUris');
    expect(
      fieldOf(() =>
        parseSandboxDirectory({ ...doc(), apps: [apps[0], { ...apps[0], clientId: SPA_ID.toLowerCase() }] }),
      ),
    ).toBe('directory.apps');
    expect(() => parseSandboxDirectory({ ...doc(), schemaVersion: '1' })).toThrow(
      /schema version "1"; this app reads version 1\. .*npm start/,
    );
  });

  test('property: any JSON value is either a directory or an InvalidInputError, never another throw', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        try {
          parseSandboxDirectory(value);
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidInputError);
        }
      }),
    );
  });

  test('property: a valid document with one field replaced by any JSON value is read or refused by name', () => {
    const paths: readonly (readonly (string | number)[])[] = [
      ['schemaVersion'],
      ['tenant'],
      ['tenant', 'id'],
      ['issuer'],
      ['portal'],
      ['apps'],
      ['apps', 0],
      ['apps', 0, 'clientId'],
      ['apps', 0, 'platform'],
      ['apps', 1, 'redirectUris'],
      ['apps', 1, 'confidential'],
      ['apps', 1, 'identifierUri'],
      ['apps', 1, 'sandboxOnlySecret'],
      ['apps', 1, 'exposedScopes'],
    ];
    fc.assert(
      fc.property(fc.constantFrom(...paths), fc.option(fc.jsonValue(), { nil: undefined }), (path, value) => {
        const doc = validDocument();
        let target: Record<string | number, unknown> = doc;
        for (const key of path.slice(0, -1)) target = target[key] as Record<string | number, unknown>;
        const last = path[path.length - 1]!;
        if (value === undefined) delete target[last];
        else target[last] = value;
        try {
          const parsed = parseSandboxDirectory(doc);
          expect(parsed.apps.length).toBeGreaterThanOrEqual(0);
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidInputError);
          expect((error as InvalidInputError).field).toMatch(/^directory\./);
          expect((error as InvalidInputError).message).toMatch(/npm start/);
        }
      }),
    );
  });

  test('findSandboxApp compares client ids without case, as Entra compares GUIDs', () => {
    const parsed = parseSandboxDirectory(validDocument());
    expect(findSandboxApp(parsed, SPA_ID.toLowerCase())?.displayName).toBe('Flow Lab SPA');
    expect(findSandboxApp(parsed, '')).toBeUndefined();
    expect(findSandboxApp(undefined, SPA_ID)).toBeUndefined();
  });
});

describe('isRedirectUriRegistered: Entra’s match (exact; a localhost port may differ)', () => {
  test('vectors', () => {
    const registered = ['http://localhost:5173/callback', 'https://app.example.com/cb'];
    expect(isRedirectUriRegistered(registered, 'http://localhost:5173/callback')).toBe(true);
    expect(isRedirectUriRegistered(registered, 'http://localhost:47321/callback')).toBe(true);
    expect(isRedirectUriRegistered(registered, 'http://localhost:5173/callback/')).toBe(false);
    expect(isRedirectUriRegistered(registered, 'https://app.example.com:8443/cb')).toBe(false);
    expect(isRedirectUriRegistered(registered, 'https://APP.example.com/cb')).toBe(true);
    expect(isRedirectUriRegistered([], 'http://localhost:5173/callback')).toBe(false);
    expect(isRedirectUriRegistered(['not a url'], 'not a url')).toBe(false);
  });

  test('property: on http loopback any port matches; on https the port must match', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 65535 }),
        fc.integer({ min: 1, max: 65535 }),
        fc.constantFrom('localhost', '127.0.0.1', '[::1]'),
        fc.stringMatching(/^\/[a-z]{0,8}$/),
        (a, b, host, path) => {
          expect(isRedirectUriRegistered([`http://${host}:${a}${path}`], `http://${host}:${b}${path}`)).toBe(
            true,
          );
          expect(
            isRedirectUriRegistered(
              [`https://app.example.com:${a}${path}`],
              `https://app.example.com:${b}${path}`,
            ),
          ).toBe(a === b || (a === 443 && b === 443));
        },
      ),
    );
  });
});

describe('checkAgainstRegistration: what the sandbox will refuse, from its registration as listed now', () => {
  const directory = parseSandboxDirectory(validDocument());
  const callback = 'http://localhost:47321/callback';
  const codes = (request: Parameters<typeof checkAgainstRegistration>[1]) =>
    checkAgainstRegistration(directory, request).map((f) => f.aadsts);

  test('a registered SPA redeeming from the browser: nothing to say', () => {
    expect(codes({ clientId: SPA_ID, redirectUri: callback, sendsOrigin: true })).toEqual([]);
  });

  test('AADSTS700016 for a client id the tenant does not have; nothing before the directory is read', () => {
    expect(
      codes({ clientId: ' 00000000-0000-0000-0000-000000000000 ', redirectUri: callback, sendsOrigin: true }),
    ).toEqual([700016]);
    expect(
      checkAgainstRegistration(undefined, { clientId: SPA_ID, redirectUri: 'x', sendsOrigin: true }),
    ).toEqual([]);
  });

  test('AADSTS50011 names the registration with its URIs as they are now; AADSTS9002326 for a non-SPA from a browser', () => {
    const findings = checkAgainstRegistration(directory, {
      clientId: 'bbbbbbbb-2222-4222-8222-bbbbbbbbbbbb',
      redirectUri: callback,
      sendsOrigin: true,
    });
    expect(findings.map((f) => f.aadsts)).toEqual([50011, 9002326]);
    expect(findings[0]).toMatchObject({
      app: { displayName: 'Flow Lab API', redirectUris: [] },
      redirectUri: callback,
    });
    // Redeemed by a server (no Origin): no 9002326.
    expect(
      codes({ clientId: 'bbbbbbbb-2222-4222-8222-bbbbbbbbbbbb', redirectUri: callback, sendsOrigin: false }),
    ).toEqual([50011]);
  });

  test('property: 50011 exactly when the redirect URI is not registered, for any URI', () => {
    fc.assert(
      fc.property(fc.webUrl({ withQueryParameters: true }), fc.boolean(), (uri, sendsOrigin) => {
        const found = codes({ clientId: SPA_ID, redirectUri: uri, sendsOrigin });
        expect(found.includes(50011)).toBe(!isRedirectUriRegistered(['http://localhost:5173/callback'], uri));
        expect(found.includes(9002326)).toBe(false);
      }),
    );
  });
});
