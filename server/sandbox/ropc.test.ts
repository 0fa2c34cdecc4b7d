import fc from 'fast-check';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { GRAPH_RESOURCE, SANDBOX_TENANT, SANDBOX_USERS } from './seed.ts';
import { graphSigningInput } from './graph-token.ts';
import { sandboxV1Issuer } from './issuers.ts';
import { expectEntraError } from './test-fixtures.ts';
import {
  CONSOLE,
  endpoint,
  SPA,
  startTestSandbox,
  TEST_ORIGIN,
  tokenRequest,
  WEB,
  type TestSandbox,
} from './test-support.ts';

let sandbox: TestSandbox;

/** The portal's consent API: grant (POST) or revoke (DELETE) a user's consent to an app. */
async function consent(method: 'POST' | 'DELETE', clientId: string, user: string): Promise<number> {
  const path = method === 'POST' ? 'consents' : `consents/${encodeURIComponent(user)}`;
  const res = await fetch(`${sandbox.origin}/portal/apps/${clientId}/${path}`, {
    method,
    headers: { 'content-type': 'application/json', origin: 'http://localhost:5173' },
    ...(method === 'POST' ? { body: JSON.stringify({ user }) } : {}),
  });
  return res.status;
}

beforeAll(async () => {
  sandbox = await startTestSandbox();
  // The password grant cannot show a consent page: these tests start from consent granted on the portal.
  for (const app of [CONSOLE, WEB])
    expect(await consent('POST', app.clientId, SANDBOX_USERS[0]!.oid)).toBe(200);
});
afterAll(async () => {
  await sandbox.stop();
});

const adele = SANDBOX_USERS[0]!;
const megan = SANDBOX_USERS[1]!;

function password(extra: Record<string, string> = {}): Record<string, string> {
  return {
    client_id: CONSOLE.clientId,
    grant_type: 'password',
    username: adele.userPrincipalName,
    password: adele.password,
    scope: 'openid profile offline_access User.Read',
    ...extra,
  };
}

describe('resource owner password credentials (RFC 6749 §4.3), Entra rules', () => {
  test('console (public client flows): access, refresh and ID token for the user', async () => {
    const res = await tokenRequest(sandbox, password());
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(res.body).toMatchObject({ token_type: 'Bearer', ext_expires_in: res.body['expires_in'] });
    // Entra's scope echo: Graph permissions bare, offline_access not echoed (the refresh token answers it).
    expect(String(res.body['scope']).split(' ').sort()).toEqual(['User.Read', 'openid', 'profile'].sort());
    const jwks = createRemoteJWKSet(new URL(endpoint(sandbox, '/discovery/v2.0/keys')));
    const issuer = `${sandbox.origin}/${SANDBOX_TENANT.id}/v2.0`;
    // A v1.0 Graph token, checked as Graph checks it (graph-token.ts).
    const { payload } = await jwtVerify(graphSigningInput(String(res.body['access_token'])), jwks, {
      issuer: sandboxV1Issuer(sandbox.origin, SANDBOX_TENANT.id),
      audience: GRAPH_RESOURCE.identifier,
    });
    expect(payload).toMatchObject({
      oid: adele.oid,
      scp: 'openid profile User.Read',
      appid: CONSOLE.clientId,
      appidacr: '0',
    });
    const { payload: id } = await jwtVerify(String(res.body['id_token']), jwks, {
      issuer,
      audience: CONSOLE.clientId,
    });
    expect(id).toMatchObject({ oid: adele.oid, name: adele.displayName, tid: SANDBOX_TENANT.id });

    const refreshed = await tokenRequest(sandbox, {
      client_id: CONSOLE.clientId,
      grant_type: 'refresh_token',
      refresh_token: String(res.body['refresh_token']),
    });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body['access_token']).toEqual(expect.any(String));
  });

  test('no offline_access / no openid → no refresh token / no ID token', async () => {
    const res = await tokenRequest(sandbox, password({ scope: 'User.Read' }));
    expect(res.status).toBe(200);
    expect(res.body['refresh_token']).toBeUndefined();
    expect(res.body['id_token']).toBeUndefined();
    expect(res.body['scope']).toBe('User.Read');
  });

  test('/organizations and the domain work; a confidential client uses its secret (azpacr "1")', async () => {
    expect((await tokenRequest(sandbox, password(), { tenant: 'organizations' })).status).toBe(200);
    expect((await tokenRequest(sandbox, password(), { tenant: SANDBOX_TENANT.domain })).status).toBe(200);
    const web = await tokenRequest(
      sandbox,
      password({ client_id: WEB.clientId, client_secret: WEB.clientSecret ?? '' }),
    );
    expect(web.status).toBe(200);
  });

  test.each(['common', 'consumers'])('AADSTS9001023: not over /%s', async (tenant) => {
    const res = await tokenRequest(sandbox, password(), { tenant });
    expect(res.status).toBe(400);
    expectEntraError(res.body, 'invalid_request', 9001023);
  });

  test('AADSTS50126: wrong password', async () => {
    const res = await tokenRequest(sandbox, password({ password: 'wrong' }));
    expect(res.status).toBe(400);
    expectEntraError(res.body, 'invalid_grant', 50126);
    expect(String(res.body['error_description'])).toContain(
      'AADSTS50126: Error validating credentials due to invalid username or password.',
    );
  });

  test('AADSTS50034: unknown user', async () => {
    const res = await tokenRequest(sandbox, password({ username: 'nobody@flowlab-sandbox.onmicrosoft.com' }));
    expectEntraError(res.body, 'invalid_grant', 50034);
  });

  test('AADSTS50076: the MFA user gets invalid_grant with suberror basic_action and a claims challenge', async () => {
    const res = await tokenRequest(
      sandbox,
      password({ username: megan.userPrincipalName, password: megan.password }),
    );
    expect(res.status).toBe(400);
    expectEntraError(res.body, 'invalid_grant', 50076);
    expect(String(res.body['error_description'])).toContain(
      "AADSTS50076: Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '00000003-0000-0000-c000-000000000000'.",
    );
    expect(res.body['suberror']).toBe('basic_action');
    const claims = JSON.parse(String(res.body['claims'])) as {
      access_token: { capolids: { essential: boolean } };
    };
    expect(claims.access_token.capolids.essential).toBe(true);
  });

  test('AADSTS7000218: an app without public client flows and without a credential (the SPA)', async () => {
    const res = await tokenRequest(sandbox, password({ client_id: SPA.clientId }));
    expectEntraError(res.body, 'invalid_client', 7000218);
  });

  test('AADSTS9002326: ROPC with an Origin header', async () => {
    const res = await tokenRequest(sandbox, password(), { origin: TEST_ORIGIN });
    expectEntraError(res.body, 'invalid_request', 9002326);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  test('AADSTS65001 consent_required: no consent recorded for the user and app; the portal grant lifts it, a revoke brings it back', async () => {
    // Generated cases: every seeded user, the apps that may use the password grant, any scope they list.
    const cases = fc.record({
      user: fc.constantFrom(...SANDBOX_USERS.filter((u) => !u.mfaRequired)),
      app: fc.constantFrom(CONSOLE, WEB),
      withOidc: fc.subarray(['openid', 'profile', 'offline_access']),
    });
    await fc.assert(
      fc.asyncProperty(cases, async ({ user, app, withOidc }) => {
        const graph = app.delegatedPermissions['https://graph.microsoft.com'] ?? [];
        const request = password({
          client_id: app.clientId,
          ...(app.clientSecret ? { client_secret: app.clientSecret } : {}),
          username: user.userPrincipalName,
          password: user.password,
          scope: [...withOidc, graph[0] ?? 'User.Read'].join(' '),
        });
        expect(await consent('DELETE', app.clientId, user.oid)).toBe(200);
        const refused = await tokenRequest(sandbox, request);
        expect(refused.status).toBe(400);
        expectEntraError(refused.body, 'invalid_grant', 65001);
        expect(refused.body['suberror']).toBe('consent_required');
        expect(String(refused.body['error_description'])).toContain(`'${app.clientId}'`);
        expect(await consent('POST', app.clientId, user.oid)).toBe(200);
        expect((await tokenRequest(sandbox, request)).status).toBe(200);
      }),
      { numRuns: 8 },
    );
  });

  test('AADSTS65001: a user who never consented (fresh sandbox state) is refused until an admin consents for everyone', async () => {
    // The portal's reset forgets every consent decision: back to the seeded state, where none exists.
    expect((await fetch(`${sandbox.origin}/portal/reset`, { method: 'POST' })).status).toBe(200);
    const user = SANDBOX_USERS.find((u) => !u.mfaRequired && u.oid !== adele.oid) ?? adele;
    const request = password({ username: user.userPrincipalName, password: user.password });
    try {
      expectEntraError((await tokenRequest(sandbox, request)).body, 'invalid_grant', 65001);
      const admin = await fetch(`${sandbox.origin}/portal/apps/${CONSOLE.clientId}/consents`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: 'http://localhost:5173' },
        body: JSON.stringify({ admin: true }),
      });
      expect(admin.status).toBe(200);
      expect((await tokenRequest(sandbox, request)).status).toBe(200);
    } finally {
      await fetch(`${sandbox.origin}/portal/apps/${CONSOLE.clientId}/consents/admin`, {
        method: 'DELETE',
        headers: { origin: 'http://localhost:5173' },
      });
      for (const app of [CONSOLE, WEB]) expect(await consent('POST', app.clientId, adele.oid)).toBe(200);
    }
  });

  test('AADSTS650057: a permission the app does not have configured', async () => {
    const res = await tokenRequest(sandbox, password({ scope: 'Mail.Read' }));
    expectEntraError(res.body, 'invalid_client', 650057);
  });
});
