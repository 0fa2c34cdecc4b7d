import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { servicePrincipalId } from './directory.ts';
import { LEGACY, startTestSandbox, WEB, type TestSandbox } from './test-support.ts';

let sandbox: TestSandbox;
beforeAll(async () => {
  sandbox = await startTestSandbox();
});
afterAll(async () => {
  await sandbox.stop();
});

interface Directory {
  sandboxEndpoints: Record<string, string>;
  settings: Record<string, unknown>;
  apps: {
    clientId: string;
    displayName: string;
    implicitIdTokens: boolean;
    implicitAccessTokens: boolean;
    servicePrincipalId: string;
    certificates: unknown[];
  }[];
}

describe('portal and directory.json: the new parts', () => {
  test('directory.json: Legacy SPA with implicit settings, device login, Graph endpoints, settings', async () => {
    const d = (await (await fetch(`${sandbox.origin}/directory.json`)).json()) as Directory;
    expect(d.sandboxEndpoints).toEqual({
      deviceLogin: `${sandbox.origin}/devicelogin`,
      graphMe: `${sandbox.origin}/v1.0/me`,
      graphUsers: `${sandbox.origin}/v1.0/users`,
      portalSettings: `${sandbox.origin}/portal/settings`,
      portalLockouts: `${sandbox.origin}/portal/lockouts`,
      portalMemory: `${sandbox.origin}/portal/memory`,
      portalCertificates: `${sandbox.origin}/portal/apps/{clientId}/certificates`,
    });
    expect(d.settings).toEqual({
      rotateRefreshTokens: false,
      deviceCodeLifetimeSeconds: 900,
      rememberConsent: false,
      lockoutThreshold: 10,
      lockoutDurationSeconds: 60,
      spaRefreshTokenLifetimeSeconds: 86_400,
      mfaRequiredApis: [],
      userConsentAllowed: true,
    });
    const legacy = d.apps.find((a) => a.clientId === '4e8d1c7a-6f2b-4a93-b5d0-8c1e7f3a2b96');
    expect(legacy).toMatchObject({
      displayName: 'Flow Lab Legacy SPA',
      implicitIdTokens: true,
      implicitAccessTokens: true,
      certificates: [],
    });
    expect(d.apps.find((a) => a.clientId === WEB.clientId)?.servicePrincipalId).toBe(servicePrincipalId(WEB));
  });

  test('the portal page lists the new app, the device login URL, the Graph API and the settings form', async () => {
    const html = await (await fetch(`${sandbox.origin}/`)).text();
    expect(html).toContain(LEGACY.displayName);
    expect(html).toContain(`${sandbox.origin}/devicelogin`);
    expect(html).toContain(`${sandbox.origin}/v1.0/me`);
    expect(html).toContain(
      '<label for="rotateRefreshTokens" style="display:inline">Rotate refresh tokens</label>',
    );
    expect(html).toContain('id="settings"');
  });
});
