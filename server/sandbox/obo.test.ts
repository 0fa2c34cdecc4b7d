import fc from 'fast-check';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { graphSigningInput } from './graph-token.ts';
import { sandboxV1Issuer } from './issuers.ts';
import { MFA_POLICY_ID } from './obo-grant.ts';
import { API_APP_ID, GRAPH_RESOURCE, SANDBOX_TENANT, SANDBOX_USERS } from './seed.ts';
import {
  buildClientAssertion,
  expectEntraError,
  signWithSandboxKey,
  TEST_CERT_PEM,
} from './test-fixtures.ts';
import {
  API,
  asPage,
  asRedirect,
  Browser,
  endpoint,
  formAction,
  generatePkce,
  signIn,
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
    // The Flow Lab API accepts v1.0 tokens (Entra's default): aud is its App ID URI.
    expect(decodeJwt(userToken)['aud']).toBe(`api://${API_APP_ID}`);
    const res = await tokenRequest(sandbox, obo(userToken));
    expect(res.status).toBe(200);
    expect(res.body['refresh_token']).toBeUndefined();
    expect(res.body['id_token']).toBeUndefined();
    expect(res.body['scope']).toBe('User.Read');
    const jwks = createRemoteJWKSet(new URL(endpoint(sandbox, '/discovery/v2.0/keys')));
    const { payload } = await jwtVerify(graphSigningInput(String(res.body['access_token'])), jwks, {
      issuer: sandboxV1Issuer(sandbox.origin, SANDBOX_TENANT.id),
      audience: GRAPH_RESOURCE.identifier,
    });
    expect(payload).toMatchObject({
      oid: adele.oid,
      tid: SANDBOX_TENANT.id,
      appid: API_APP_ID,
      appidacr: '1',
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

  test('AADSTS50013: a Graph token as the assertion fails signature validation (its header nonce)', async () => {
    const graph = await tokenRequest(sandbox, obo(userToken));
    const res = await tokenRequest(sandbox, obo(String(graph.body['access_token'])));
    expectEntraError(res.body, 'invalid_grant', 50013);
    expect(String(res.body['error_description'])).toContain('Assertion failed signature validation');
  });

  test('AADSTS50013: the assertion was issued for another audience', async () => {
    const otherAudience = await signWithSandboxKey(sandbox, {
      ...decodeJwt(userToken),
      aud: GRAPH_RESOURCE.appId,
    });
    const res = await tokenRequest(sandbox, obo(otherAudience));
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
    expect(decodeJwt(String(appOnly.body['access_token']))['aud']).toBe(`api://${API_APP_ID}`);
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

  test('the API may authenticate with a certificate (appidacr "2"); without a credential → AADSTS7000218', async () => {
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
    expect(decodeJwt(String(res.body['access_token']))['appidacr']).toBe('2');
    expectEntraError((await tokenRequest(sandbox, withoutSecret)).body, 'invalid_client', 7000218);
  });
});

describe('Conditional Access on the downstream API: MFA (portal setting mfaRequiredApis)', () => {
  const alex = SANDBOX_USERS.find((u) => u.userPrincipalName.startsWith('alex@'))!;

  async function setMfaApis(apis: readonly string[]): Promise<void> {
    const res = await fetch(`${sandbox.origin}/portal/settings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'http://localhost:5173' },
      body: JSON.stringify({ mfaRequiredApis: apis }),
    });
    expect(res.status).toBe(200);
  }

  /** Token A for the Flow Lab API from an interactive sign-in (password only) of `user`. */
  async function tokenFor(user: { userPrincipalName: string; password: string }): Promise<string> {
    const pkce = generatePkce();
    const url = await signIn(sandbox, new Browser(sandbox), {
      scope: `api://${API_APP_ID}/access_as_user`,
      pkce,
      username: user.userPrincipalName,
      password: user.password,
    });
    const res = await tokenRequest(
      sandbox,
      {
        client_id: SPA.clientId,
        grant_type: 'authorization_code',
        code: url.searchParams.get('code') ?? '',
        code_verifier: pkce.verifier,
        redirect_uri: TEST_REDIRECT_URI,
      },
      { origin: TEST_ORIGIN },
    );
    expect(res.status).toBe(200);
    return String(res.body['access_token']);
  }

  function expectChallenge(body: Record<string, unknown>, code: number): void {
    expectEntraError(body, 'interaction_required', code);
    // Microsoft's OBO page: the claims value names the policy under access_token.polids.
    const claims = JSON.parse(String(body['claims'])) as {
      access_token: { polids: { essential: boolean; values: string[] } };
    };
    expect(claims.access_token.polids).toEqual({ essential: true, values: [MFA_POLICY_ID] });
    expect(String(body['error_description'])).toContain(`'${GRAPH_RESOURCE.appId}'`);
  }

  test('AADSTS50076 + claims for a user with an MFA method whose sign-in had none; AADSTS50079 for a user with none', async () => {
    const alexToken = await tokenFor(alex);
    await setMfaApis([GRAPH_RESOURCE.identifier]);
    try {
      const challenged = await tokenRequest(sandbox, obo(alexToken));
      expect(challenged.status).toBe(400);
      expectChallenge(challenged.body, 50076);
      expect(String(challenged.body['error_description'])).toContain(
        'you must use multi-factor authentication',
      );
      const enroll = await tokenRequest(sandbox, obo(userToken));
      expectChallenge(enroll.body, 50079);
      expect(String(enroll.body['error_description'])).toContain(
        'you must enroll in multi-factor authentication',
      );
    } finally {
      await setMfaApis([]);
    }
    expect((await tokenRequest(sandbox, obo(alexToken))).status).toBe(200);
  });

  test('an assertion from a sign-in with MFA (amr holds mfa) satisfies the policy', async () => {
    const withMfa = await signWithSandboxKey(sandbox, { ...decodeJwt(userToken), amr: ['pwd', 'mfa'] });
    const withoutMfa = await signWithSandboxKey(sandbox, { ...decodeJwt(userToken), amr: ['pwd'] });
    await setMfaApis([GRAPH_RESOURCE.identifier]);
    try {
      expect((await tokenRequest(sandbox, obo(withMfa))).status).toBe(200);
      expectChallenge((await tokenRequest(sandbox, obo(withoutMfa))).body, 50079);
    } finally {
      await setMfaApis([]);
    }
  });

  test('generated: the challenge comes exactly when the downstream API is among those requiring MFA', async () => {
    const identifiers = [GRAPH_RESOURCE.identifier, `api://${API_APP_ID}`, 'https://unknown.example'];
    try {
      await fc.assert(
        fc.asyncProperty(fc.subarray(identifiers), async (apis) => {
          await setMfaApis(apis);
          const res = await tokenRequest(sandbox, obo(userToken));
          if (apis.includes(GRAPH_RESOURCE.identifier)) expectChallenge(res.body, 50079);
          else expect(res.status).toBe(200);
        }),
        { numRuns: 8 },
      );
    } finally {
      await setMfaApis([]);
    }
  });

  test('a claims challenge at /authorize makes a user with an MFA method do MFA (without it: none asked)', async () => {
    const query = (extra: Record<string, string>) =>
      `${endpoint(sandbox, '/oauth2/v2.0/authorize')}?${new URLSearchParams({
        client_id: SPA.clientId,
        response_type: 'code',
        redirect_uri: TEST_REDIRECT_URI,
        scope: `openid api://${API_APP_ID}/access_as_user`,
        code_challenge: generatePkce().challenge,
        code_challenge_method: 'S256',
        ...extra,
      })}`;
    const credentials = { username: alex.userPrincipalName, password: alex.password };
    const plain = new Browser(sandbox);
    const plainLogin = asPage(await plain.go(query({})));
    const afterPassword = await plain.go(formAction(plainLogin), credentials);
    expect('html' in afterPassword ? afterPassword.html : '').not.toContain('name="otc"');

    const claims = JSON.stringify({ access_token: { polids: { essential: true, values: [MFA_POLICY_ID] } } });
    const stepUp = new Browser(sandbox);
    const login = asPage(await stepUp.go(query({ claims })));
    const mfa = asPage(await stepUp.go(formAction(login), credentials));
    expect(mfa.html).toContain('name="otc"');
    const done = await stepUp.go(formAction(mfa), { otc: alex.mfaCode ?? '' });
    const next = 'redirectedTo' in done ? new URL(done.redirectedTo) : undefined;
    if (next === undefined) {
      // The consent page may come first; accept it.
      const redirected = asRedirect(await stepUp.go(formAction(asPage(done)), { action: 'accept' }));
      expect(redirected.searchParams.get('code')).toBeTruthy();
    } else {
      expect(next.searchParams.get('code')).toBeTruthy();
    }
  });

  test('a step-up claims challenge without openid is refused with the reason (a sandbox limit)', async () => {
    const claims = JSON.stringify({ access_token: { polids: { essential: true, values: [MFA_POLICY_ID] } } });
    const res = await fetch(
      `${endpoint(sandbox, '/oauth2/v2.0/authorize')}?${new URLSearchParams({
        client_id: SPA.clientId,
        response_type: 'code',
        redirect_uri: TEST_REDIRECT_URI,
        scope: `api://${API_APP_ID}/access_as_user`,
        code_challenge: generatePkce().challenge,
        code_challenge_method: 'S256',
        claims,
      })}`,
      { redirect: 'manual' },
    );
    const location = new URL(res.headers.get('location') ?? '');
    expect(location.searchParams.get('error')).toBe('invalid_request');
    expect(location.searchParams.get('error_description')).toContain('add openid to the scope');
  });

  test('a claims parameter that is not a JSON object is refused on the redirect', async () => {
    const res = await fetch(
      `${endpoint(sandbox, '/oauth2/v2.0/authorize')}?${new URLSearchParams({
        client_id: SPA.clientId,
        response_type: 'code',
        redirect_uri: TEST_REDIRECT_URI,
        scope: 'openid',
        code_challenge: generatePkce().challenge,
        code_challenge_method: 'S256',
        claims: '{not json',
      })}`,
      { redirect: 'manual' },
    );
    const location = new URL(res.headers.get('location') ?? '');
    expect(location.searchParams.get('error')).toBe('invalid_request');
    expect(location.searchParams.get('error_description')).toContain("'claims' parameter is not valid JSON");
  });
});
