import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  SPA,
  spaCode,
  startTestSandbox,
  TEST_ORIGIN,
  TEST_REDIRECT_URI,
  tokenRequest,
  type TestSandbox,
} from './test-support.ts';

let sandbox: TestSandbox;
beforeAll(async () => {
  sandbox = await startTestSandbox();
});
afterAll(async () => {
  await sandbox.stop();
});

async function postSettings(body: unknown, origin?: string): Promise<Response> {
  return fetch(`${sandbox.origin}/portal/settings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(origin ? { origin } : {}) },
    body: JSON.stringify(body),
  });
}

async function firstRefreshToken(): Promise<string> {
  const { code, verifier } = await spaCode(sandbox);
  const res = await tokenRequest(
    sandbox,
    {
      client_id: SPA.clientId,
      grant_type: 'authorization_code',
      code,
      code_verifier: verifier,
      redirect_uri: TEST_REDIRECT_URI,
    },
    { origin: TEST_ORIGIN },
  );
  return String(res.body['refresh_token']);
}

function refresh(refreshToken: string): ReturnType<typeof tokenRequest> {
  return tokenRequest(
    sandbox,
    { client_id: SPA.clientId, grant_type: 'refresh_token', refresh_token: refreshToken },
    { origin: TEST_ORIGIN },
  );
}

describe('runtime settings: /portal/settings', () => {
  test('GET: Entra defaults (no rotation, 900 s device codes), CORS for a localhost origin', async () => {
    const res = await fetch(`${sandbox.origin}/portal/settings`, {
      headers: { origin: 'http://localhost:5173' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(await res.json()).toEqual({
      rotateRefreshTokens: false,
      deviceCodeLifetimeSeconds: 900,
      rememberConsent: false,
      lockoutThreshold: 10,
      lockoutDurationSeconds: 60,
      spaRefreshTokenLifetimeSeconds: 86_400,
      mfaRequiredApis: [],
      userConsentAllowed: true,
    });
    expect(sandbox.settings.deviceCodeLifetimeSeconds).toBe(900);
  });

  test('preflight allows POST with a JSON body from http://127.0.0.1:<port>, not from other sites', async () => {
    const preflight = (origin: string): Promise<Response> =>
      fetch(`${sandbox.origin}/portal/settings`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type',
        },
      });
    const ok = await preflight('http://127.0.0.1:4000');
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:4000');
    expect(ok.headers.get('access-control-allow-methods')).toContain('POST');
    expect(ok.headers.get('access-control-allow-headers')).toContain('content-type');
    const other = await preflight('https://example.org');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const forged = await postSettings({ rotateRefreshTokens: true }, 'https://example.org');
    expect(forged.status).toBe(403);
  });

  test('POST validates: unknown field and out-of-range lifetime → 400', async () => {
    const unknown = await postSettings({ rotateRefreshToken: true });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ error: 'invalid_request' });
    expect((await postSettings({ deviceCodeLifetimeSeconds: 0 })).status).toBe(400);
    expect((await postSettings({ deviceCodeLifetimeSeconds: 'x' })).status).toBe(400);
  });

  test('rotateRefreshTokens applies without restart: off keeps the old token valid, on makes its reuse revoke the grant (AADSTS50173)', async () => {
    const kept = await firstRefreshToken();
    expect((await refresh(kept)).status).toBe(200);
    expect((await refresh(kept)).status).toBe(200);

    const on = await postSettings({ rotateRefreshTokens: true }, 'http://localhost:5173');
    expect(on.status).toBe(200);
    expect(on.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(await on.json()).toEqual({
      rotateRefreshTokens: true,
      deviceCodeLifetimeSeconds: 900,
      rememberConsent: false,
      lockoutThreshold: 10,
      lockoutDurationSeconds: 60,
      spaRefreshTokenLifetimeSeconds: 86_400,
      mfaRequiredApis: [],
      userConsentAllowed: true,
    });
    const rotated = await firstRefreshToken();
    expect((await refresh(rotated)).status).toBe(200);
    const reused = await refresh(rotated);
    expect(reused.status).toBe(400);
    expect(reused.body['error']).toBe('invalid_grant');
    expect(reused.body['error_codes']).toEqual([50173]);

    expect((await postSettings({ rotateRefreshTokens: false })).status).toBe(200);
  });

  test('the HTML form on the portal page posts the same settings and redirects back', async () => {
    const page = await (await fetch(`${sandbox.origin}/`)).text();
    expect(page).toContain('<form method="post" action="/portal/settings">');
    expect(page).toContain('<label for="deviceCodeLifetimeSeconds">Device code lifetime (seconds)</label>');
    expect(page).toContain('>Save settings</button>');
    const res = await fetch(`${sandbox.origin}/portal/settings`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      // The page's "Users can consent to apps" box is checked by default, so the browser sends it.
      body: new URLSearchParams({ deviceCodeLifetimeSeconds: '120', userConsentAllowed: 'on' }),
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/#settings');
    const now = (await (await fetch(`${sandbox.origin}/portal/settings`)).json()) as Record<string, unknown>;
    expect(now).toEqual({
      rotateRefreshTokens: false,
      deviceCodeLifetimeSeconds: 120,
      rememberConsent: false,
      lockoutThreshold: 10,
      lockoutDurationSeconds: 60,
      spaRefreshTokenLifetimeSeconds: 86_400,
      mfaRequiredApis: [],
      userConsentAllowed: true,
    });
    const directory = (await (await fetch(`${sandbox.origin}/directory.json`)).json()) as Record<
      string,
      unknown
    >;
    expect(directory['settings']).toEqual(now);
    expect((await postSettings({ deviceCodeLifetimeSeconds: 900 })).status).toBe(200);
  });

  test('startSandbox options set the initial values', async () => {
    const other = await startTestSandbox({ rotateRefreshTokens: true, deviceCodeLifetimeSeconds: 60 });
    try {
      const res = await fetch(`${other.origin}/portal/settings`);
      expect(await res.json()).toEqual({
        rotateRefreshTokens: true,
        deviceCodeLifetimeSeconds: 60,
        rememberConsent: false,
        lockoutThreshold: 10,
        lockoutDurationSeconds: 60,
        spaRefreshTokenLifetimeSeconds: 86_400,
        mfaRequiredApis: [],
        userConsentAllowed: true,
      });
    } finally {
      await other.stop();
    }
  });
});
