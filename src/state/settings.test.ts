import { beforeEach, describe, expect, test, vi } from 'vitest';

// The store reads window.location and localStorage when it is created: give it both before importing.
const storage = new Map<string, string>();
const localStorage = {
  getItem: (key: string) => storage.get(key) ?? null,
  setItem: (key: string, value: string) => void storage.set(key, value),
  removeItem: (key: string) => void storage.delete(key),
};
vi.stubGlobal('localStorage', localStorage);
vi.stubGlobal('window', { location: { origin: 'http://localhost:5173' }, localStorage });
const {
  useSettings,
  SETTINGS_STORAGE_KEY,
  clientFor,
  currentEndpoints,
  authorityForRun,
  expectedIssuer,
  restoreSettings,
  defaultSettings,
  secretForRun,
  tenantFor,
  clientIdFor,
} = await import('./settings.ts');
const { flowSupportFor } = await import('./provider-features.ts');
const { useSandboxDirectory } = await import('./sandbox-directory.ts');

const SANDBOX = 'http://localhost:5174';
const TENANT_ID = '0e9a4c1d-7b2f-4e63-9d58-1a2b3c4d5e6f';
const SPA_ID = 'aaaaaaaa-1111-4111-8111-aaaaaaaaaaaa';
const WEB_ID = 'bbbbbbbb-2222-4222-8222-bbbbbbbbbbbb';
const app = {
  redirectUris: ['http://localhost:5173/callback'],
  allowPublicClientFlows: false,
  implicitIdTokens: false,
  implicitAccessTokens: false,
  exposedScopes: [],
};
const DIRECTORY = {
  schemaVersion: 1,
  tenant: { id: TENANT_ID, domain: 'class.onmicrosoft.com', displayName: 'Class sandbox' },
  issuer: `${SANDBOX}/${TENANT_ID}/v2.0`,
  portal: `${SANDBOX}/`,
  apps: [
    { ...app, clientId: SPA_ID, displayName: 'Flow Lab SPA', platform: 'spa', confidential: false },
    {
      ...app,
      clientId: WEB_ID,
      displayName: 'Flow Lab Web App',
      platform: 'web',
      confidential: true,
      sandboxOnlySecret: 'rotated~one',
    },
  ],
} as const;

const SECRET = 'profile-secret-Zq8~value';
const ISSUER_ENDPOINTS = {
  authorization: 'https://id.example.com/authorize',
  token: 'https://id.example.com/token',
  jwks: 'https://id.example.com/jwks',
  discovery: 'https://id.example.com/.well-known/openid-configuration',
};

function stored(): string {
  return storage.get(SETTINGS_STORAGE_KEY) ?? '';
}

beforeEach(() => {
  useSettings.getState().reset();
  useSandboxDirectory.setState({ status: 'idle', origin: '' }, true);
});

describe('the sandbox’s ids come from its directory, read at run time', () => {
  test('before the directory is read: no tenant, no client id, no issuer to expect, no secret', () => {
    const settings = useSettings.getState();
    expect(settings.authority).toBe('sandbox');
    expect(tenantFor(settings)).toBe('');
    expect(clientIdFor(settings)).toBe('');
    expect(expectedIssuer(settings, SANDBOX)).toBeUndefined();
    expect(secretForRun(WEB_ID)).toBe('');
  });

  test('with the directory: its tenant, its SPA, its issuer; a typed tenant or client id wins', () => {
    useSandboxDirectory.setState({ status: 'ready', origin: SANDBOX, directory: DIRECTORY });
    const settings = useSettings.getState();
    expect(tenantFor(settings)).toBe(TENANT_ID);
    expect(clientIdFor(settings)).toBe(SPA_ID);
    expect(currentEndpoints(SANDBOX).token).toBe(`${SANDBOX}/${TENANT_ID}/oauth2/v2.0/token`);
    expect(authorityForRun(SANDBOX)).toEqual({ authorityOrigin: SANDBOX, tenant: TENANT_ID });
    expect(expectedIssuer(settings, SANDBOX)).toBe(DIRECTORY.issuer);
    // A directory read from another sandbox names no issuer for this one.
    expect(expectedIssuer(settings, 'http://localhost:6000')).toBeUndefined();
    useSettings.getState().update({ tenant: 'common', clientId: 'typed-client' });
    expect(tenantFor(useSettings.getState())).toBe('common');
    expect(clientIdFor(useSettings.getState())).toBe('typed-client');
    // Outside the sandbox an empty tenant stays empty: the directory is the sandbox's only.
    useSettings.getState().update({ authority: 'entra', tenant: '' });
    expect(tenantFor(useSettings.getState())).toBe('');
    expect(secretForRun(WEB_ID)).toBe('');
    // The default profile is the sandbox's SPA wherever its endpoints are reached from; a blank new one is not.
    useSettings.getState().update({ clientId: '' });
    expect(clientIdFor(useSettings.getState())).toBe(SPA_ID);
    useSettings.getState().addProfile({ ...useSettings.getState().profiles[0]!, name: 'Blank' });
    expect(clientIdFor(useSettings.getState())).toBe('');
  });
});

describe('app profiles', () => {
  test('a secret is not persisted unless “Remember on this device” is ticked', () => {
    const id = useSettings.getState().addProfile({
      name: 'Contoso web',
      clientId: '11111111-2222-3333-4444-555555555555',
      redirectUri: 'https://contoso.example/cb',
      platform: 'web',
      scopes: '',
      clientSecret: SECRET,
      rememberSecret: false,
    });
    expect(useSettings.getState().clientSecret).toBe(SECRET);
    expect(stored()).toContain('Contoso web');
    expect(stored()).not.toContain(SECRET);

    useSettings.getState().updateProfile(id, { rememberSecret: true });
    expect(stored()).toContain(SECRET);

    useSettings.getState().updateProfile(id, { rememberSecret: false });
    expect(stored()).not.toContain(SECRET);
  });

  test('a remembered secret comes back on restore; a forgotten one does not', () => {
    const base = defaultSettings();
    const profile = { ...base.profiles[0]!, clientSecret: SECRET };
    expect(restoreSettings({ profiles: [{ ...profile, rememberSecret: true }] }, base).clientSecret).toBe(
      SECRET,
    );
    // Even if storage holds a secret for a profile not marked "remember", it is not read.
    expect(restoreSettings({ profiles: [{ ...profile, rememberSecret: false }] }, base).clientSecret).toBe(
      '',
    );
  });

  test('update() of the client fields writes to the active profile, which is mirrored', () => {
    const store = useSettings.getState();
    const id = store.addProfile({ ...store.profiles[0]!, name: 'Second' });
    useSettings.getState().update({ clientId: 'abc', clientSecret: 'memory-only' });
    const state = useSettings.getState();
    expect(state.profiles.find((p) => p.id === id)?.clientId).toBe('abc');
    expect(state.profiles[0]?.clientId).not.toBe('abc');
    expect(stored()).not.toContain('memory-only');
    useSettings.getState().selectProfile(state.profiles[0]!.id);
    expect(useSettings.getState().clientId).toBe(state.profiles[0]!.clientId);
    useSettings.getState().removeProfile(useSettings.getState().profiles[0]!.id);
    useSettings.getState().removeProfile(id);
    expect(useSettings.getState().profiles).toHaveLength(1);
  });

  test('clientFor: the sandbox’s app as its directory lists it now, the active profile elsewhere', () => {
    useSandboxDirectory.setState({ status: 'ready', origin: SANDBOX, directory: DIRECTORY });
    expect(clientFor('Flow Lab Web App')).toEqual({ clientId: WEB_ID, clientSecret: 'rotated~one' });
    // The portal rotated the secret: the next run reads the new value, no reload.
    useSandboxDirectory.setState({
      directory: {
        ...DIRECTORY,
        apps: DIRECTORY.apps.map((a) => ({ ...a, sandboxOnlySecret: 'rotated~two' })),
      },
    });
    expect(clientFor('Flow Lab Web App').clientSecret).toBe('rotated~two');
    expect(secretForRun(WEB_ID)).toBe('rotated~two');
    // An app the directory does not list: the profile's client id, no secret.
    expect(clientFor('Flow Lab Console')).toEqual({ clientId: SPA_ID, clientSecret: '' });
    useSettings.getState().setManualEndpoints(ISSUER_ENDPOINTS);
    useSettings.getState().update({ clientId: 'my-client', clientSecret: SECRET });
    useSettings
      .getState()
      .updateProfile(useSettings.getState().activeProfileId, { scopes: 'api://x/.default' });
    expect(clientFor('Flow Lab Web App')).toEqual({
      clientId: 'my-client',
      clientSecret: SECRET,
      scope: 'api://x/.default',
    });
  });
});

describe('an issuer preset (the standards sandbox)', () => {
  const issuer = {
    issuer: 'https://id.example.com',
    metadata: 'openid-configuration' as const,
    endpoints: ISSUER_ENDPOINTS,
    featureMetadata: { registration_endpoint: 'https://id.example.com/reg' },
  };
  const presetProfiles = [
    {
      name: 'Preset: spa',
      clientId: 'spa',
      redirectUri: 'http://localhost:5173/callback',
      platform: 'spa' as const,
      scopes: 'openid',
      clientSecret: '',
      rememberSecret: false,
      preset: 'p:spa',
    },
    {
      name: 'Preset: web',
      clientId: 'web',
      redirectUri: 'http://localhost:5173/callback',
      platform: 'web' as const,
      scopes: 'api.read',
      clientSecret: SECRET,
      rememberSecret: false,
      preset: 'p:web',
    },
  ];

  test('makes the issuer the authority, adds the profiles and selects the named one', () => {
    useSettings.getState().applyIssuerPreset(issuer, presetProfiles, 'p:spa');
    const state = useSettings.getState();
    expect(state.authority).toBe('issuer');
    expect(state.issuer?.issuer).toBe('https://id.example.com');
    expect(state.profiles.map((p) => p.clientId)).toEqual(['', 'spa', 'web']);
    expect(state.clientId).toBe('spa');
  });

  test('applied again, it updates its profiles in place: no duplicates, same ids, secrets back', () => {
    useSettings.getState().applyIssuerPreset(issuer, presetProfiles, 'p:spa');
    const first = useSettings.getState().profiles;
    const web = first.find((p) => p.preset === 'p:web')!;
    useSettings.getState().updateProfile(web.id, { clientSecret: '', rememberSecret: true });
    useSettings.getState().applyIssuerPreset(issuer, presetProfiles, 'p:web');
    const again = useSettings.getState().profiles;
    expect(again.map((p) => p.id)).toEqual(first.map((p) => p.id));
    const webAgain = again.find((p) => p.preset === 'p:web')!;
    expect(webAgain.clientSecret).toBe(SECRET);
    // The user's choice to remember the secret is theirs, not the preset's.
    expect(webAgain.rememberSecret).toBe(true);
    expect(useSettings.getState().activeProfileId).toBe(web.id);
  });

  test('storage keeps the issuer, its features and the profiles, not the secrets', () => {
    useSettings.getState().applyIssuerPreset(issuer, presetProfiles, 'p:spa');
    expect(stored()).toContain('https://id.example.com/reg');
    expect(stored()).toContain('p:web');
    expect(stored()).not.toContain(SECRET);
    const restored = restoreSettings(JSON.parse(stored()).state, defaultSettings());
    expect(restored.authority).toBe('issuer');
    expect(restored.issuer?.featureMetadata).toEqual(issuer.featureMetadata);
    expect(restored.profiles.find((p) => p.preset === 'p:web')?.clientSecret).toBe('');
  });
});

describe('endpoints for every authority kind', () => {
  test('issuer and manual: fixed endpoints, no tenant; the issuer is the expected iss', () => {
    useSettings.getState().setIssuer({
      issuer: 'https://id.example.com',
      metadata: 'openid-configuration',
      endpoints: ISSUER_ENDPOINTS,
    });
    expect(currentEndpoints('http://localhost:5174')).toEqual(ISSUER_ENDPOINTS);
    expect(authorityForRun('http://localhost:5174')).toEqual({
      authorityOrigin: 'https://id.example.com',
      tenant: '',
      endpoints: ISSUER_ENDPOINTS,
    });
    expect(expectedIssuer(useSettings.getState(), 'http://localhost:5174')).toBe('https://id.example.com');
  });

  test('an implicit-only issuer (no token endpoint) survives a reload with its flow verdicts', () => {
    const { token: _t, ...implicitOnly } = ISSUER_ENDPOINTS;
    const stored = {
      authority: 'issuer',
      issuer: {
        issuer: 'https://id.example.com',
        metadata: 'openid-configuration',
        endpoints: implicitOnly,
        // Only arrays of strings are kept; anything else in storage is dropped.
        supportMetadata: {
          response_types_supported: ['id_token'],
          grant_types_supported: 'implicit',
          x: [1],
        },
      },
    };
    const restored = restoreSettings(stored, defaultSettings());
    expect(restored.authority).toBe('issuer');
    expect(restored.issuer?.endpoints).toEqual(implicitOnly);
    expect(restored.issuer?.supportMetadata).toEqual({ response_types_supported: ['id_token'] });
    const support = flowSupportFor(restored, 'http://localhost:5174');
    expect(support.find((s) => s.flow === 'authorization-code')?.status).toBe('unavailable');
    expect(support.find((s) => s.flow === 'implicit')?.status).toBe('offered');
  });

  test('Entra: the cloud’s host with the tenant path', () => {
    useSettings
      .getState()
      .update({ authority: 'entra', entraOrigin: 'https://login.microsoftonline.us', tenant: 'contoso.us' });
    expect(currentEndpoints('http://localhost:5174').token).toBe(
      'https://login.microsoftonline.us/contoso.us/oauth2/v2.0/token',
    );
  });

  test('stored endpoints are checked again on restore: an edited http token endpoint is dropped', () => {
    const restored = restoreSettings(
      { authority: 'manual', manualEndpoints: { ...ISSUER_ENDPOINTS, token: 'http://evil.example/token' } },
      defaultSettings(),
    );
    expect(restored.manualEndpoints).toBeNull();
    expect(restored.authority).toBe('sandbox');
    expect(
      restoreSettings({ authority: 'manual', manualEndpoints: ISSUER_ENDPOINTS }, defaultSettings())
        .manualEndpoints,
    ).toEqual(ISSUER_ENDPOINTS);
  });

  test('an issuer authority without a saved issuer falls back to the sandbox', () => {
    useSettings.getState().update({ authority: 'issuer', issuer: null });
    expect(useSettings.getState().authority).toBe('sandbox');
  });
});
