import { createRemoteJWKSet, decodeProtectedHeader, errors as joseErrors, jwtVerify } from 'jose';
import { graphSigningInput } from './graph-token.ts';
import { sandboxV1Issuer } from './issuers.ts';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { API_APP_ID, GRAPH_RESOURCE, SANDBOX_TENANT, SANDBOX_USERS } from './seed.ts';
import {
  asPage,
  Browser,
  CONSOLE,
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
beforeAll(async () => {
  sandbox = await startTestSandbox();
});
afterAll(async () => {
  await sandbox.stop();
});

const adele = SANDBOX_USERS[0]!;
const megan = SANDBOX_USERS[1]!;

function jwks() {
  return createRemoteJWKSet(new URL(endpoint(sandbox, '/discovery/v2.0/keys')));
}

describe('authorization code + PKCE (RFC 7636) for the SPA, as Entra', () => {
  test('code → tokens: a v1.0 Graph access token, v2.0 ID token with nonce, refresh token, CORS', async () => {
    const { code, verifier } = await spaCode(sandbox);
    const res = await tokenRequest(
      sandbox,
      {
        client_id: SPA.clientId,
        grant_type: 'authorization_code',
        code,
        code_verifier: verifier,
        redirect_uri: TEST_REDIRECT_URI,
        scope: 'openid profile email offline_access User.Read',
      },
      { origin: TEST_ORIGIN },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(TEST_ORIGIN);
    expect(res.headers.get('cache-control')).toBe('no-store, no-cache');
    expect(res.headers.get('pragma')).toBe('no-cache');
    const body = res.body;
    expect(body['token_type']).toBe('Bearer');
    // Entra echoes Graph permissions bare and does not echo offline_access (it answers with a refresh token).
    expect(String(body['scope']).split(' ').sort()).toEqual(
      ['User.Read', 'openid', 'profile', 'email'].sort(),
    );
    expect(body['expires_in']).toBeGreaterThanOrEqual(3600);
    expect(body['ext_expires_in']).toBe(body['expires_in']);
    expect(typeof body['refresh_token']).toBe('string');

    const accessToken = String(body['access_token']);
    const header = decodeProtectedHeader(accessToken);
    expect(header).toMatchObject({ typ: 'JWT', alg: 'RS256', nonce: expect.any(String) });
    expect(typeof header.kid).toBe('string');
    expect(header.x5t).toBe(header.kid);
    const issuer = `${sandbox.origin}/${SANDBOX_TENANT.id}/v2.0`;
    // A Graph token: only a validator that hashes the header nonce (Graph) finds the signature good.
    await expect(jwtVerify(accessToken, jwks())).rejects.toBeInstanceOf(
      joseErrors.JWSSignatureVerificationFailed,
    );
    const { payload } = await jwtVerify(graphSigningInput(accessToken), jwks(), {
      issuer: sandboxV1Issuer(sandbox.origin, SANDBOX_TENANT.id),
      audience: GRAPH_RESOURCE.identifier,
    });
    expect(payload).toMatchObject({
      tid: SANDBOX_TENANT.id,
      oid: adele.oid,
      appid: SPA.clientId,
      appidacr: '0',
      scp: 'openid profile email User.Read',
      name: adele.displayName,
      upn: adele.userPrincipalName,
      unique_name: adele.userPrincipalName,
      ver: '1.0',
    });
    expect(payload).not.toHaveProperty('azp');
    expect(payload).not.toHaveProperty('azpacr');
    expect(payload.nbf).toBe(payload.iat);
    expect(typeof payload['uti']).toBe('string');
    expect(typeof payload.sub).toBe('string');
    expect(payload.sub).not.toBe(adele.oid);

    const { payload: id } = await jwtVerify(String(body['id_token']), jwks(), {
      issuer,
      audience: SPA.clientId,
    });
    expect(id).toMatchObject({
      nonce: 'nonce-456',
      name: adele.displayName,
      preferred_username: adele.userPrincipalName,
      email: adele.userPrincipalName,
      oid: adele.oid,
      tid: SANDBOX_TENANT.id,
      ver: '2.0',
    });
  });

  test('refresh: a new pair, and the old refresh token stays valid (Entra does not rotate)', async () => {
    const { code, verifier } = await spaCode(sandbox);
    const first = await tokenRequest(
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
    const refreshToken = String(first.body['refresh_token']);
    const refresh = (): ReturnType<typeof tokenRequest> =>
      tokenRequest(
        sandbox,
        {
          client_id: SPA.clientId,
          grant_type: 'refresh_token',
          refresh_token: refreshToken,
          scope: 'https://graph.microsoft.com/User.Read offline_access',
        },
        { origin: TEST_ORIGIN },
      );
    const second = await refresh();
    expect(second.status).toBe(200);
    expect(second.body['refresh_token']).toEqual(expect.any(String));
    expect(second.body['refresh_token']).not.toBe(refreshToken);
    expect(second.body['access_token']).not.toBe(first.body['access_token']);
    const third = await refresh();
    expect(third.status).toBe(200);
    expect(third.body['access_token']).toEqual(expect.any(String));
  });

  test('no offline_access → no refresh token; no prompt=consent needed when it is asked', async () => {
    const { code, verifier } = await spaCode(sandbox, 'openid User.Read');
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
    expect(res.status).toBe(200);
    expect(res.body['refresh_token']).toBeUndefined();
    expect(res.body['id_token']).toEqual(expect.any(String));
    expect(res.body['scope']).toBe('User.Read openid');
  });

  test("api://<API_APP_ID>/access_as_user gives a v1.0 token (Entra's default) whose aud is the App ID URI", async () => {
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
    expect(res.status).toBe(200);
    expect(res.body['id_token']).toBeUndefined();
    const { payload } = await jwtVerify(String(res.body['access_token']), jwks(), {
      audience: `api://${API_APP_ID}`,
      issuer: sandboxV1Issuer(sandbox.origin, SANDBOX_TENANT.id),
    });
    expect(payload['scp']).toBe('access_as_user');
    expect(payload['ver']).toBe('1.0');
    expect(res.body['scope']).toBe(scope);
  });

  test('RFC 7636 §4.2 plain method: verifier equal to the challenge is accepted', async () => {
    const { verifier } = generatePkce();
    const url = await signIn(sandbox, new Browser(sandbox), {
      scope: 'User.Read',
      pkce: { challenge: verifier, method: 'plain' },
    });
    const res = await tokenRequest(
      sandbox,
      {
        client_id: SPA.clientId,
        grant_type: 'authorization_code',
        code: url.searchParams.get('code') ?? '',
        code_verifier: verifier,
        redirect_uri: TEST_REDIRECT_URI,
      },
      { origin: TEST_ORIGIN },
    );
    expect(res.status).toBe(200);
  });
});

describe('sign-in pages', () => {
  test('login_hint prefills the username; state comes back', async () => {
    const browser = new Browser(sandbox);
    const query = new URLSearchParams({
      client_id: SPA.clientId,
      response_type: 'code',
      redirect_uri: TEST_REDIRECT_URI,
      scope: 'openid',
      state: 's1',
      login_hint: adele.userPrincipalName,
      code_challenge: generatePkce().challenge,
      code_challenge_method: 'S256',
    });
    const page = asPage(await browser.go(`${endpoint(sandbox, '/oauth2/v2.0/authorize')}?${query}`));
    expect(page.html).toContain('<html lang="en">');
    expect(page.html).toContain('Sandbox tenant');
    expect(page.html).toContain('<label for="username">Username</label>');
    expect(page.html).toContain('<label for="password">Password</label>');
    expect(page.html).toContain('>Sign in</button>');
    expect(page.html).toContain(`value="${adele.userPrincipalName}"`);
  });

  test('MFA user: a second page asks for the verification code', async () => {
    const browser = new Browser(sandbox);
    const query = new URLSearchParams({
      client_id: SPA.clientId,
      response_type: 'code',
      redirect_uri: TEST_REDIRECT_URI,
      scope: 'openid User.Read',
      state: 's2',
      code_challenge: generatePkce().challenge,
      code_challenge_method: 'S256',
    });
    const login = asPage(await browser.go(`${endpoint(sandbox, '/oauth2/v2.0/authorize')}?${query}`));
    const mfa = asPage(
      await browser.go(formAction(login), { username: megan.userPrincipalName, password: megan.password }),
    );
    expect(mfa.html).toContain('<label for="otc">Verification code</label>');
    expect(mfa.html).toContain('>Verify</button>');
    expect(mfa.html).toContain(megan.mfaCode);
    const wrong = asPage(await browser.go(formAction(mfa), { otc: '000000' }));
    expect(wrong.html).toContain('role="alert"');
    const consent = asPage(await browser.go(formAction(wrong), { otc: megan.mfaCode ?? '' }));
    expect(consent.html).toContain('>Accept</button>');
    expect(consent.html).toContain('>Cancel</button>');
    expect(consent.html).toContain('User.Read');
    const back = await browser.go(formAction(consent), { action: 'accept' });
    expect('redirectedTo' in back && new URL(back.redirectedTo).searchParams.get('code')).toBeTruthy();
  });
});

describe('confidential and public clients', () => {
  test('web app redeems its code with client_secret_basic; appidacr is "1" (a v1.0 Graph token)', async () => {
    const url = await signIn(sandbox, new Browser(sandbox), {
      clientId: WEB.clientId,
      scope: 'openid https://graph.microsoft.com/.default',
    });
    const basic = Buffer.from(`${WEB.clientId}:${encodeURIComponent(WEB.clientSecret ?? '')}`).toString(
      'base64',
    );
    const res = await tokenRequest(
      sandbox,
      {
        grant_type: 'authorization_code',
        code: url.searchParams.get('code') ?? '',
        redirect_uri: TEST_REDIRECT_URI,
        scope: 'https://graph.microsoft.com/.default',
      },
      { headers: { authorization: `Basic ${basic}` } },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    const { payload } = await jwtVerify(graphSigningInput(String(res.body['access_token'])), jwks(), {
      audience: GRAPH_RESOURCE.identifier,
    });
    expect(payload).toMatchObject({
      appid: WEB.clientId,
      appidacr: '1',
      scp: 'openid User.Read Mail.Read Calendars.Read',
    });
  });

  test('console (public client) redeems without a credential or Origin', async () => {
    const url = await signIn(sandbox, new Browser(sandbox), {
      clientId: CONSOLE.clientId,
      scope: 'User.Read offline_access',
    });
    const res = await tokenRequest(sandbox, {
      client_id: CONSOLE.clientId,
      grant_type: 'authorization_code',
      code: url.searchParams.get('code') ?? '',
      redirect_uri: TEST_REDIRECT_URI,
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ token_type: 'Bearer' });
    expect(res.body['refresh_token']).toEqual(expect.any(String));
  });

  test('client credentials: roles from application permissions', async () => {
    const res = await tokenRequest(sandbox, {
      client_id: WEB.clientId,
      client_secret: WEB.clientSecret ?? '',
      grant_type: 'client_credentials',
      scope: 'https://graph.microsoft.com/.default',
    });
    expect(res.status).toBe(200);
    expect(res.body['refresh_token']).toBeUndefined();
    const { payload } = await jwtVerify(graphSigningInput(String(res.body['access_token'])), jwks(), {
      audience: GRAPH_RESOURCE.identifier,
    });
    expect(payload).toMatchObject({ roles: ['User.Read.All'], idtyp: 'app', appidacr: '1', ver: '1.0' });
    expect(payload).not.toHaveProperty('scp');
  });
});
