import { describe, expect, test } from 'vitest';
import { decodeBase64Url } from '../protocol/base64url.ts';
import type { AppProfile, Settings } from './settings.ts';
import {
  applySettingsFile,
  applyShareLink,
  buildSettingsFile,
  buildShareUrl,
  parseSettingsFile,
  parseShareParameter,
  SETTINGS_FILE_FORMAT,
} from './settings-transfer.ts';

const ENDPOINTS = {
  authorization: 'https://id.example.com/authorize',
  token: 'https://id.example.com/token',
  jwks: 'https://id.example.com/jwks',
  discovery: 'https://id.example.com/.well-known/openid-configuration',
};

function profile(patch: Partial<AppProfile> = {}): AppProfile {
  return {
    id: 'p-1',
    name: 'Contoso web',
    clientId: '11111111-2222-3333-4444-555555555555',
    redirectUri: 'http://localhost:5173/callback',
    platform: 'web',
    scopes: 'openid offline_access',
    clientSecret: '',
    rememberSecret: false,
    ...patch,
  };
}

function settings(patch: Partial<Settings> = {}): Settings {
  const p = profile();
  return {
    authority: 'issuer',
    entraOrigin: 'https://login.microsoftonline.com',
    tenant: 'contoso.onmicrosoft.com',
    issuer: { issuer: 'https://id.example.com', metadata: 'openid-configuration', endpoints: ENDPOINTS },
    manualEndpoints: null,
    profiles: [p],
    activeProfileId: p.id,
    clientId: p.clientId,
    redirectUri: p.redirectUri,
    clientSecret: p.clientSecret,
    ...patch,
  };
}

function file(patch: Record<string, unknown> = {}): Record<string, unknown> {
  return JSON.parse(JSON.stringify({ ...buildSettingsFile(settings()), ...patch })) as Record<
    string,
    unknown
  >;
}

function fieldOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return `${(error as { code?: string }).code ?? '?'} ${(error as { field?: string }).field ?? '?'}`;
  }
  return 'no error';
}

describe('import', () => {
  test('export → import round trip keeps authority and profiles', () => {
    const exported = JSON.stringify(buildSettingsFile(settings()));
    const parsed = parseSettingsFile(exported);
    expect(parsed.authority).toEqual({
      kind: 'issuer',
      issuer: 'https://id.example.com',
      metadata: 'openid-configuration',
      endpoints: ENDPOINTS,
    });
    const applied = applySettingsFile(settings({ authority: 'sandbox', issuer: null }), parsed);
    expect(applied.authority).toBe('issuer');
    expect(applied.profiles[0]).toMatchObject({
      name: 'Contoso web',
      clientSecret: '',
      rememberSecret: false,
    });
  });

  test('refused with an error naming the field', () => {
    expect(fieldOf(() => parseSettingsFile('{oops'))).toBe('INVALID_INPUT file');
    expect(fieldOf(() => parseSettingsFile(file({ format: 'other' })))).toBe('INVALID_INPUT format');
    expect(fieldOf(() => parseSettingsFile(file({ version: 2 })))).toBe('INVALID_INPUT version');
    expect(fieldOf(() => parseSettingsFile(file({ authority: { kind: 'ldap' } })))).toBe(
      'INVALID_INPUT authority.kind',
    );
    expect(
      fieldOf(() =>
        parseSettingsFile(file({ authority: { kind: 'entra', cloud: 'https://evil.example', tenant: 'x' } })),
      ),
    ).toBe('INVALID_INPUT authority.cloud');
    expect(
      fieldOf(() =>
        parseSettingsFile(
          file({ authority: { kind: 'issuer', issuer: 'http://id.example.com', endpoints: ENDPOINTS } }),
        ),
      ),
    ).toBe('INVALID_INPUT authority.issuer');
    expect(
      fieldOf(() =>
        parseSettingsFile(
          file({
            authority: { kind: 'manual', endpoints: { ...ENDPOINTS, token: 'http://id.example.com/t' } },
          }),
        ),
      ),
    ).toBe('INVALID_INPUT authority.endpoints.token');
    expect(fieldOf(() => parseSettingsFile(file({ profiles: [] })))).toBe('INVALID_INPUT profiles');
    expect(
      fieldOf(() => parseSettingsFile(file({ profiles: [{ ...profile(), platform: 'desktop' }] }))),
    ).toBe('INVALID_INPUT profiles[0].platform');
    expect(fieldOf(() => parseSettingsFile(file({ profiles: [profile(), profile()] })))).toBe(
      'INVALID_INPUT profiles[1].id',
    );
    expect(fieldOf(() => parseSettingsFile(file({ activeProfileId: 'nobody' })))).toBe(
      'INVALID_INPUT activeProfileId',
    );
    expect(parseSettingsFile(file()).format).toBe(SETTINGS_FILE_FORMAT);
  });

  test('a secret in an imported file is never read', () => {
    const parsed = parseSettingsFile(
      file({ profiles: [{ ...profile(), clientSecret: 'smuggled', rememberSecret: true }] }),
    );
    expect(JSON.stringify(parsed)).not.toContain('smuggled');
    expect(applySettingsFile(settings(), parsed).profiles[0]?.clientSecret).toBe('');
  });
});

/** Every key at any depth of a JSON value. */
function keysOf(value: unknown): string[] {
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([k, v]) => [k, ...keysOf(v)]);
}

describe('share link', () => {
  const SECRETS = {
    clientSecret: 'SECRET-client-secret-8Q~x',
    password: 'SECRET-password-Adele-1',
    privateKey: '-----BEGIN PRIVATE KEY-----SECRET-key',
    accessToken: 'eyJSECRET-access-token',
    refreshToken: 'SECRET-refresh-token',
    idToken: 'eyJSECRET-id-token',
    code: 'SECRET-authorization-code',
    codeVerifier: 'SECRET-code-verifier',
  };

  test('never contains a secret, password, private key or token, wherever the state holds them', () => {
    // Secrets everywhere: in every profile (remembered or not), at the top level, and inside objects.
    const laden = {
      ...settings({
        profiles: [
          { ...profile({ clientSecret: SECRETS.clientSecret, rememberSecret: true }), ...SECRETS },
          { ...profile({ id: 'p-2', clientSecret: SECRETS.clientSecret }), ...SECRETS },
        ],
        clientSecret: SECRETS.clientSecret,
      }),
      ...SECRETS,
    } as Settings;
    const withIssuer = {
      ...laden,
      issuer: { ...laden.issuer!, ...SECRETS, endpoints: { ...ENDPOINTS, ...SECRETS } },
    } as Settings;
    const withManual = {
      ...laden,
      authority: 'manual',
      manualEndpoints: { ...ENDPOINTS, ...SECRETS },
    } as Settings;

    for (const state of [laden, withIssuer, withManual]) {
      for (const activeProfileId of ['p-1', 'p-2']) {
        const url = buildShareUrl(
          'http://localhost:5173',
          { ...state, activeProfileId },
          'device-code',
          'request',
        );
        const shared = url.split('share=')[1] ?? '';
        const decoded = new TextDecoder().decode(decodeBase64Url(shared));
        for (const secret of Object.values(SECRETS)) {
          expect(url).not.toContain(secret);
          expect(decoded).not.toContain(secret);
        }
        expect(
          keysOf(JSON.parse(decoded)).filter(
            (k) => /secret|password|private|verifier/i.test(k) || /_token$|Token$|^code$/.test(k),
          ),
        ).toEqual([]);
        expect(buildSettingsFile(state)).not.toHaveProperty('clientSecret');
        for (const secret of Object.values(SECRETS))
          expect(JSON.stringify(buildSettingsFile(state))).not.toContain(secret);
      }
    }
  });

  test('opening a link applies its authority and profile, and says where to go', () => {
    const url = buildShareUrl('http://localhost:5173', settings(), 'device-code', 'request');
    expect(url).toMatch(/^http:\/\/localhost:5173\/flows\/device-code\?share=[A-Za-z0-9_-]+$/);
    const link = parseShareParameter(new URL(url).searchParams.get('share') ?? '');
    expect(link).toMatchObject({ flow: 'device-code', step: 'request', authority: { kind: 'issuer' } });
    const mine = {
      ...settings({ authority: 'sandbox', issuer: null }),
      profiles: [profile({ clientSecret: 'typed-here' })],
    };
    const applied = applyShareLink(mine, link);
    expect(applied.authority).toBe('issuer');
    // Same profile id and client id: the secret typed in this browser stays.
    expect(applied.profiles[0]?.clientSecret).toBe('typed-here');
  });

  test('a damaged or foreign link is refused', () => {
    expect(fieldOf(() => parseShareParameter('%%%'))).toBe('INVALID_INPUT share');
    const bad = (payload: unknown) =>
      btoa(JSON.stringify(payload)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    const good = JSON.parse(
      new TextDecoder().decode(
        decodeBase64Url(buildShareUrl('http://x', settings(), 'password').split('share=')[1]!),
      ),
    ) as Record<string, unknown>;
    expect(fieldOf(() => parseShareParameter(bad({ ...good, v: 9 })))).toBe('INVALID_INPUT share');
    expect(fieldOf(() => parseShareParameter(bad({ ...good, flow: 'nope' })))).toBe('INVALID_INPUT flow');
    expect(fieldOf(() => parseShareParameter(bad({ ...good, step: '<script>' })))).toBe('INVALID_INPUT step');
  });
});
