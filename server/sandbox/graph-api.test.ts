import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { API_APP_ID, SANDBOX_TENANT, SANDBOX_USERS } from './seed.ts';
import { signWithSandboxKey } from './test-fixtures.ts';
import {
  API,
  SPA,
  spaCode,
  startTestSandbox,
  TEST_ORIGIN,
  TEST_REDIRECT_URI,
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

const adele = SANDBOX_USERS[0]!;

async function spaAccessToken(scope: string): Promise<string> {
  const { code, verifier } = await spaCode(sandbox, scope);
  const res = await tokenRequest(
    sandbox,
    {
      client_id: SPA.clientId,
      grant_type: 'authorization_code',
      code,
      code_verifier: verifier,
      redirect_uri: TEST_REDIRECT_URI,
      scope,
    },
    { origin: TEST_ORIGIN },
  );
  return String(res.body['access_token']);
}

async function appToken(app: typeof WEB): Promise<string> {
  const res = await tokenRequest(sandbox, {
    client_id: app.clientId,
    client_secret: app.clientSecret ?? '',
    grant_type: 'client_credentials',
    scope: 'https://graph.microsoft.com/.default',
  });
  return String(res.body['access_token']);
}

function graph(path: string, token?: string): Promise<Response> {
  return fetch(`${sandbox.origin}${path}`, {
    headers: { origin: TEST_ORIGIN, ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
  });
}

async function expectGraphError(res: Response, status: number, code: string): Promise<string> {
  expect(res.status).toBe(status);
  const body = (await res.json()) as {
    error: { code: string; message: string; innerError: Record<string, string> };
  };
  expect(body.error.code).toBe(code);
  expect(Object.keys(body.error.innerError).sort()).toEqual(['client-request-id', 'date', 'request-id']);
  return body.error.message;
}

const challengePrefix = (): string =>
  `Bearer realm="", authorization_uri="${sandbox.origin}/${SANDBOX_TENANT.id}/oauth2/v2.0/authorize", client_id="00000003-0000-0000-c000-000000000000"`;

describe('Graph look-alike: GET /v1.0/me', () => {
  test('a delegated token with User.Read gets the user in Graph shape; CORS for any origin', async () => {
    const res = await graph('/v1.0/me', await spaAccessToken('User.Read'));
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-expose-headers')).toContain('WWW-Authenticate');
    expect(await res.json()).toEqual({
      '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#users/$entity',
      businessPhones: [],
      displayName: adele.displayName,
      givenName: adele.givenName,
      jobTitle: null,
      mail: adele.userPrincipalName,
      mobilePhone: null,
      officeLocation: null,
      preferredLanguage: 'en-US',
      surname: adele.surname,
      userPrincipalName: adele.userPrincipalName,
      id: adele.oid,
    });
  });

  test('preflight allows the Authorization header', async () => {
    const res = await fetch(`${sandbox.origin}/v1.0/me`, {
      method: 'OPTIONS',
      headers: {
        origin: TEST_ORIGIN,
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-headers')).toContain('Authorization');
  });

  test('RFC 6750 §3.1: no token → 401 with a challenge that has no error', async () => {
    const res = await graph('/v1.0/me');
    expect(res.headers.get('www-authenticate')).toBe(challengePrefix());
    await expectGraphError(res, 401, 'InvalidAuthenticationToken');
  });

  test('invalid token, wrong audience, expired → 401 invalid_token', async () => {
    const garbage = await graph('/v1.0/me', 'not.a.token');
    expect(garbage.headers.get('www-authenticate')).toMatch(
      new RegExp(
        `^${challengePrefix().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}, error="invalid_token", error_description="[^"]+"$`,
      ),
    );
    await expectGraphError(garbage, 401, 'InvalidAuthenticationToken');
    const apiToken = await spaAccessToken(`api://${API_APP_ID}/access_as_user`);
    expect(await expectGraphError(await graph('/v1.0/me', apiToken), 401, 'InvalidAuthenticationToken')).toBe(
      'Invalid audience.',
    );
    const now = Math.floor(Date.now() / 1000);
    const expired = await signWithSandboxKey(sandbox, {
      iss: `${sandbox.origin}/${SANDBOX_TENANT.id}/v2.0`,
      aud: '00000003-0000-0000-c000-000000000000',
      oid: adele.oid,
      scp: 'User.Read',
      iat: now - 7200,
      exp: now - 3600,
    });
    const message = await expectGraphError(
      await graph('/v1.0/me', expired),
      401,
      'InvalidAuthenticationToken',
    );
    expect(message).toContain('expired');
  });

  test('the App ID URI audience https://graph.microsoft.com is accepted too', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await signWithSandboxKey(sandbox, {
      iss: `${sandbox.origin}/${SANDBOX_TENANT.id}/v2.0`,
      aud: 'https://graph.microsoft.com',
      oid: adele.oid,
      scp: 'User.Read',
      iat: now,
      exp: now + 600,
    });
    expect((await graph('/v1.0/me', token)).status).toBe(200);
  });

  test('RFC 6750 §3.1: a token without User.Read → 403 insufficient_scope, Authorization_RequestDenied', async () => {
    const res = await graph('/v1.0/me', await spaAccessToken('Mail.Read'));
    expect(res.headers.get('www-authenticate')).toBe(
      `${challengePrefix()}, error="insufficient_scope", scope="User.Read"`,
    );
    expect(await expectGraphError(res, 403, 'Authorization_RequestDenied')).toBe(
      'Insufficient privileges to complete the operation.',
    );
  });

  test('an app-only token has no /me (400 BadRequest)', async () => {
    await expectGraphError(await graph('/v1.0/me', await appToken(WEB)), 400, 'BadRequest');
  });
});

describe('Graph look-alike: GET /v1.0/users (application permission User.Read.All)', () => {
  test('app-only token with the role lists every user', async () => {
    const res = await graph('/v1.0/users', await appToken(WEB));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { '@odata.context': string; value: { id: string }[] };
    expect(body['@odata.context']).toBe('https://graph.microsoft.com/v1.0/$metadata#users');
    expect(body.value.map((u) => u.id)).toEqual(SANDBOX_USERS.map((u) => u.oid));
  });

  test('without the role (an app with no permissions, or a user token) → 403 insufficient_scope', async () => {
    const noRole = await graph('/v1.0/users', await appToken(API));
    expect(noRole.headers.get('www-authenticate')).toContain(
      'error="insufficient_scope", scope="User.Read.All"',
    );
    await expectGraphError(noRole, 403, 'Authorization_RequestDenied');
    await expectGraphError(
      await graph('/v1.0/users', await spaAccessToken('User.Read')),
      403,
      'Authorization_RequestDenied',
    );
  });
});
