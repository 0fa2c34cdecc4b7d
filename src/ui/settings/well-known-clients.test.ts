import { describe, expect, test } from 'vitest';
import type { SandboxDirectoryApp } from '../../protocol/sandbox-directory.ts';
import {
  describeProfileFill,
  profileFromSandboxApp,
  profileFromWellKnown,
  WELL_KNOWN_CLIENTS,
} from './well-known-clients.ts';

const CALLBACK = 'http://localhost:5173/callback';

function app(overrides: Partial<SandboxDirectoryApp>): SandboxDirectoryApp {
  return {
    clientId: '11111111-2222-3333-4444-555555555555',
    displayName: 'Flow Lab Web App',
    platform: 'web',
    redirectUris: ['http://localhost:5173/other', CALLBACK],
    allowPublicClientFlows: false,
    implicitIdTokens: false,
    implicitAccessTokens: false,
    confidential: true,
    exposedScopes: [],
    sandboxOnlySecret: 'sandbox-only~x',
    ...overrides,
  };
}

describe('choosing a well-known client fills everything it implies', () => {
  test.each(WELL_KNOWN_CLIENTS.map((c) => [c.name, c] as const))(
    '%s: name, client id, redirect URI, platform and preset, not only the client id',
    (_name, client) => {
      const fill = profileFromWellKnown(client);
      expect(fill).toMatchObject({
        name: client.name,
        clientId: client.clientId,
        redirectUri: client.redirectUri,
        platform: client.platform,
        preset: client.id,
      });
      expect(fill.redirectUri).not.toBe('');
      expect(fill.scopes).toBe(client.scopes ?? '');
      // A Microsoft client has no secret this app could know.
      expect(fill.clientSecret).toBeUndefined();
    },
  );

  test('Azure CLI: its loopback redirect and the public client platform; scopes left to the flows', () => {
    const cli = WELL_KNOWN_CLIENTS.find((c) => c.id === 'azure-cli')!;
    expect(profileFromWellKnown(cli)).toEqual({
      name: 'Azure CLI',
      clientId: '04b07795-8ddb-461a-bbee-02f9e1bf7b46',
      redirectUri: 'http://localhost',
      platform: 'public',
      scopes: '',
      preset: 'azure-cli',
    });
  });

  test('the sentence names every field filled', () => {
    const text = describeProfileFill(profileFromWellKnown(WELL_KNOWN_CLIENTS[0]!));
    expect(text).toContain('name “Azure CLI”');
    expect(text).toContain('client id 04b07795-8ddb-461a-bbee-02f9e1bf7b46');
    expect(text).toContain('redirect URI http://localhost');
    expect(text).toContain('platform public client');
    expect(text).toContain('scopes left to each flow’s default');
  });
});

describe('choosing a sandbox registration fills everything its portal entry implies', () => {
  test('a web app: its name, client id, platform, secret, and this app’s callback when registered', () => {
    expect(profileFromSandboxApp(app({}), CALLBACK)).toEqual({
      name: 'Flow Lab Web App',
      clientId: '11111111-2222-3333-4444-555555555555',
      redirectUri: CALLBACK,
      platform: 'web',
      scopes: '',
      clientSecret: 'sandbox-only~x',
    });
  });

  test('a public client: the platform is “public”, the first redirect URI when this app’s is not listed', () => {
    const { sandboxOnlySecret: _none, ...console } = app({
      displayName: 'Flow Lab Console',
      platform: 'publicClient',
      redirectUris: ['http://localhost'],
      confidential: false,
    });
    const fill = profileFromSandboxApp(console, CALLBACK);
    expect(fill.platform).toBe('public');
    expect(fill.redirectUri).toBe('http://localhost');
    expect(fill.clientSecret).toBe('');
    expect(describeProfileFill(fill)).toContain('no secret');
  });

  test('no redirect URI listed: this app’s callback', () => {
    expect(profileFromSandboxApp(app({ redirectUris: [], platform: 'spa' }), CALLBACK).redirectUri).toBe(
      CALLBACK,
    );
  });
});
