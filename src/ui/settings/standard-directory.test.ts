import { describe, expect, test } from 'vitest';
import {
  parseStandardDirectory,
  profileFromStandardClient,
  STANDARD_PRESET_PREFIX,
  standardIssuerOf,
} from './standard-directory.ts';

// The shape the sandbox serves at /standard/directory.json (server/sandbox/standard/issuer.ts).
const DIRECTORY = {
  issuer: 'http://localhost:5174/standard',
  portal: 'http://localhost:5174/standard/portal',
  notice: 'Sandbox-only test data.',
  users: [{ username: 'adele@x', password: 'p', displayName: 'Adele' }],
  clients: [
    {
      client_id: 'standard-basic',
      client_name: 'Standard client (client_secret_basic)',
      client_secret: 'sandbox-only:Basic+Secret/&=%25-7Qm2',
      token_endpoint_auth_method: 'client_secret_basic',
      redirect_uris: ['http://localhost:5173/callback'],
      grant_types: ['authorization_code', 'client_credentials'],
      scope: 'openid profile email offline_access api.read',
      note: 'Basic.',
    },
    {
      client_id: 'standard-spa',
      client_name: 'Standard single-page app',
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code'],
      scope: 'openid profile email offline_access api.read',
      note: 'Public.',
    },
    { client_name: 'no id: skipped' },
  ],
};

describe('the standards sandbox’s directory', () => {
  test('reads the clients, keeping secrets only where given', () => {
    const directory = parseStandardDirectory(DIRECTORY);
    expect(directory.issuer).toBe('http://localhost:5174/standard');
    expect(directory.clients.map((c) => c.clientId)).toEqual(['standard-basic', 'standard-spa']);
    expect(directory.clients[0]?.secret).toBe('sandbox-only:Basic+Secret/&=%25-7Qm2');
    expect(directory.clients[1]?.secret).toBeUndefined();
  });

  test('anything else is refused with a sentence', () => {
    expect(() => parseStandardDirectory('<html>')).toThrow(/not the JSON object/);
    expect(() => parseStandardDirectory({ issuer: 'x', clients: [] })).toThrow(/no clients/);
  });

  test('profiles: the public client is an SPA with sign-in scopes, the others web apps with the API scope', () => {
    const [basic, spa] = parseStandardDirectory(DIRECTORY).clients;
    const callback = 'http://localhost:5173/callback';
    expect(profileFromStandardClient(spa!, callback)).toEqual({
      name: 'Standards sandbox: standard-spa',
      clientId: 'standard-spa',
      redirectUri: callback,
      platform: 'spa',
      scopes: 'openid profile email offline_access',
      clientSecret: '',
      rememberSecret: false,
      preset: `${STANDARD_PRESET_PREFIX}standard-spa`,
    });
    expect(profileFromStandardClient(basic!, callback)).toMatchObject({
      platform: 'web',
      scopes: 'api.read',
      clientSecret: 'sandbox-only:Basic+Secret/&=%25-7Qm2',
    });
  });

  test('the issuer is /standard on the sandbox origin', () => {
    expect(standardIssuerOf('http://localhost:47174/')).toBe('http://localhost:47174/standard');
  });
});
