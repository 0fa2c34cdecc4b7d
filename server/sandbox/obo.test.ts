import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { API_APP_ID, GRAPH_RESOURCE, SANDBOX_TENANT, SANDBOX_USERS } from './seed.ts';
import {
  buildClientAssertion,
  expectEntraError,
  signWithSandboxKey,
  TEST_CERT_PEM,
} from './test-fixtures.ts';
import {
  API,
  endpoint,
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
let userToken: string;
beforeAll(async () => {
  sandbox = await startTestSandbox();
  const scope = `api://${API_APP_ID}/access_as_user`;
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
  userToken = String(res.body['access_token']);
});
afterAll(async () => {
  await sandbox.stop();
});

const adele = SANDBOX_USERS[0]!;
const OBO = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

function obo(assertion: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    client_id: API.clientId,
    client_secret: API.clientSecret ?? '',
    grant_type: OBO,
    requested_token_use: 'on_behalf_of',
    assertion,
    scope: 'https://graph.microsoft.com/.default',
    ...extra,
  };
}

describe('on-behalf-of (Entra jwt-bearer, requested_token_use=on_behalf_of)', () => {
  test('the API trades the user token for a Graph token of the same user; no refresh or ID token', async () => {
    expect(decodeJwt(userToken)['aud']).toBe(API_APP_ID);
    const res = await tokenRequest(sandbox, obo(userToken));
    expect(res.status).toBe(200);
    expect(res.body['refresh_token']).toBeUndefined();
    expect(res.body['id_token']).toBeUndefined();
    expect(res.body['scope']).toBe('https://graph.microsoft.com/User.Read');
    const jwks = createRemoteJWKSet(new URL(endpoint(sandbox, '/discovery/v2.0/keys')));
    const { payload } = await jwtVerify(String(res.body['access_token']), jwks, {
      issuer: `${sandbox.origin}/${SANDBOX_TENANT.id}/v2.0`,
      audience: GRAPH_RESOURCE.appId,
    });
    expect(payload).toMatchObject({
      oid: adele.oid,
      tid: SANDBOX_TENANT.id,
      azp: API_APP_ID,
      azpacr: '1',
      scp: 'User.Read',
    });
  });

  test('offline_access and openid add a refresh token and an ID token; User.Read works by name', async () => {
    const res = await tokenRequest(sandbox, obo(userToken, { scope: 'openid offline_access User.Read' }));
    expect(res.status).toBe(200);
    expect(res.body['refresh_token']).toEqual(expect.any(String));
    expect(decodeJwt(String(res.body['id_token']))['aud']).toBe(API_APP_ID);
  });

  test('AADSTS650057: a downstream permission the API does not have configured', async () => {
    const res = await tokenRequest(
      sandbox,
      obo(userToken, { scope: 'https://graph.microsoft.com/Mail.Read' }),
    );
    expectEntraError(res.body, 'invalid_client', 650057);
  });

  test('AADSTS50013: the assertion was issued for another audience (a Graph token)', async () => {
    const graph = await tokenRequest(sandbox, obo(userToken));
    const res = await tokenRequest(sandbox, obo(String(graph.body['access_token'])));
    expectEntraError(res.body, 'invalid_grant', 50013);
    expect(String(res.body['error_description'])).toContain(
      'Assertion audience does not match the Client app',
    );
  });

  test('AADSTS50013: an app-only token (client credentials) is not a user assertion', async () => {
    const appOnly = await tokenRequest(sandbox, {
      client_id: WEB.clientId,
      client_secret: WEB.clientSecret ?? '',
      grant_type: 'client_credentials',
      scope: `api://${API_APP_ID}/.default`,
    });
    expect(decodeJwt(String(appOnly.body['access_token']))['aud']).toBe(API_APP_ID);
    const res = await tokenRequest(sandbox, obo(String(appOnly.body['access_token'])));
    expectEntraError(res.body, 'invalid_grant', 50013);
    expect(String(res.body['error_description'])).toContain('app-only');
  });

  test('AADSTS50013: bad signature; AADSTS500133: expired assertion', async () => {
    const [h, p] = userToken.split('.');
    const forged = `${h}.${p}.${Buffer.alloc(256, 3).toString('base64url')}`;
    const bad = await tokenRequest(sandbox, obo(forged));
    expectEntraError(bad.body, 'invalid_grant', 50013);
    expect(String(bad.body['error_description'])).toContain('Assertion failed signature validation');

    const now = Math.floor(Date.now() / 1000);
    const expired = await signWithSandboxKey(sandbox, {
      ...decodeJwt(userToken),
      iat: now - 7200,
      nbf: now - 7200,
      exp: now - 3600,
    });
    expectEntraError((await tokenRequest(sandbox, obo(expired))).body, 'invalid_grant', 500133);
  });

  test('tenant rules: /common → AADSTS9001023, /organizations works; Origin → AADSTS9002326', async () => {
    expectEntraError(
      (await tokenRequest(sandbox, obo(userToken), { tenant: 'common' })).body,
      'invalid_request',
      9001023,
    );
    expect((await tokenRequest(sandbox, obo(userToken), { tenant: 'organizations' })).status).toBe(200);
    const browser = await tokenRequest(sandbox, obo(userToken), { origin: TEST_ORIGIN });
    expectEntraError(browser.body, 'invalid_request', 9002326);
  });

  test('the API may authenticate with a certificate (azpacr "2"); without a credential → AADSTS7000218', async () => {
    const upload = await fetch(`${sandbox.origin}/portal/apps/${API_APP_ID}/certificates`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ pem: TEST_CERT_PEM }),
    });
    expect(upload.status).toBe(201);
    const { client_secret: _secret, ...withoutSecret } = obo(userToken);
    const res = await tokenRequest(sandbox, {
      ...withoutSecret,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: await buildClientAssertion(sandbox, API_APP_ID),
    });
    expect(res.status).toBe(200);
    expect(decodeJwt(String(res.body['access_token']))['azpacr']).toBe('2');
    expectEntraError((await tokenRequest(sandbox, withoutSecret)).body, 'invalid_client', 7000218);
  });
});
