import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { servicePrincipalId } from './directory.ts';
import { graphSigningInput } from './graph-token.ts';
import { sandboxV1Issuer } from './issuers.ts';
import { GRAPH_RESOURCE, SANDBOX_TENANT } from './seed.ts';
import { expectEntraError } from './test-fixtures.ts';
import {
  API,
  CONSOLE,
  endpoint,
  startTestSandbox,
  TEST_ORIGIN,
  tokenRequest,
  WEB,
  type TestSandbox,
} from './test-support.ts';

let sandbox: TestSandbox;
beforeAll(async () => {
  sandbox = await startTestSandbox();
});
afterAll(async () => {
  await sandbox.stop();
});

function credentials(app: typeof WEB, scope: string): Record<string, string> {
  return {
    client_id: app.clientId,
    client_secret: app.clientSecret ?? '',
    grant_type: 'client_credentials',
    scope,
  };
}

/** Verifies an app-only Graph token as Graph does: v1.0 issuer, signature over the hashed header nonce. */
async function verify(token: unknown) {
  const jwks = createRemoteJWKSet(new URL(endpoint(sandbox, '/discovery/v2.0/keys')));
  return (
    await jwtVerify(graphSigningInput(String(token)), jwks, {
      issuer: sandboxV1Issuer(sandbox.origin, SANDBOX_TENANT.id),
      audience: GRAPH_RESOURCE.identifier,
    })
  ).payload;
}

describe('client credentials (RFC 6749 §4.4) as Entra issues them', () => {
  test('app-only token: roles, idtyp app, oid = sub = service principal id; no scp, name, refresh or id token', async () => {
    const res = await tokenRequest(sandbox, credentials(WEB, 'https://graph.microsoft.com/.default'));
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual([
      'access_token',
      'expires_in',
      'ext_expires_in',
      'token_type',
    ]);
    const payload = await verify(res.body['access_token']);
    const principal = servicePrincipalId(WEB);
    expect(principal).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(principal).not.toBe(WEB.clientId);
    expect(payload).toMatchObject({
      roles: ['User.Read.All'],
      idtyp: 'app',
      oid: principal,
      sub: principal,
      appid: WEB.clientId,
      appidacr: '1',
      tid: SANDBOX_TENANT.id,
      ver: '1.0',
    });
    for (const claim of ['scp', 'name', 'preferred_username', 'azp', 'azpacr'])
      expect(payload).not.toHaveProperty(claim);
  });

  test('an app with no application permissions gets a token without roles (as Entra)', async () => {
    const res = await tokenRequest(sandbox, credentials(API, 'https://graph.microsoft.com/.default'));
    expect(res.status).toBe(200);
    const payload = await verify(res.body['access_token']);
    expect(payload).not.toHaveProperty('roles');
    expect(payload['oid']).toBe(servicePrincipalId(API));
  });

  test('the GUID form of the resource works too (00000003-…/.default)', async () => {
    const res = await tokenRequest(sandbox, credentials(WEB, `${GRAPH_RESOURCE.appId}/.default`));
    expect(res.status).toBe(200);
  });

  test.each([
    ['a delegated scope', 'https://graph.microsoft.com/User.Read'],
    [
      'two .default scopes',
      'https://graph.microsoft.com/.default api://9e4d2a71-3c58-4b0f-8d16-2a7f5e9c3b40/.default',
    ],
    ['a bare permission', 'User.Read.All'],
  ])('AADSTS1002012: %s is not {resource}/.default', async (_label, scope) => {
    const res = await tokenRequest(sandbox, credentials(WEB, scope));
    expect(res.status).toBe(400);
    expectEntraError(res.body, 'invalid_scope', 1002012);
    expect(String(res.body['error_description'])).toContain(
      'must have a scope value with /.default suffixed to the resource identifier',
    );
  });

  test.each(['common', 'organizations', 'consumers'])(
    'AADSTS50059: client credentials on /%s',
    async (tenant) => {
      const res = await tokenRequest(sandbox, credentials(WEB, 'https://graph.microsoft.com/.default'), {
        tenant,
      });
      expect(res.status).toBe(400);
      expectEntraError(res.body, 'invalid_request', 50059);
    },
  );

  test('AADSTS7000218: a public client cannot use client credentials', async () => {
    const res = await tokenRequest(sandbox, {
      client_id: CONSOLE.clientId,
      grant_type: 'client_credentials',
      scope: 'https://graph.microsoft.com/.default',
    });
    expect(res.status).toBe(401);
    expectEntraError(res.body, 'invalid_client', 7000218);
  });

  test('AADSTS9002326: client credentials from a browser (Origin header) → 400 without CORS headers', async () => {
    const res = await tokenRequest(sandbox, credentials(WEB, 'https://graph.microsoft.com/.default'), {
      origin: TEST_ORIGIN,
    });
    expect(res.status).toBe(400);
    expectEntraError(res.body, 'invalid_request', 9002326);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});
