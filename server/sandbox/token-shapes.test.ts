/**
 * Token shapes as Entra issues them (issue 10, items 1, 2, 3, 5), against a running sandbox:
 * Graph's v1.0 tokens with a header nonce, the API's `accessTokenAcceptedVersion`, the token response's
 * `scope`, `session_state`, `client_info` and ID tokens without `s_hash`.
 */
import fc from 'fast-check';
import {
  createRemoteJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  errors as joseErrors,
  jwtVerify,
  type JWTPayload,
} from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { graphSigningInput, hashGraphNonce } from './graph-token.ts';
import { sandboxV1Issuer, sandboxV2Issuer } from './issuers.ts';
import { entraScopeEcho, OIDC_SCOPES } from './scopes.ts';
import { API_APP_ID, GRAPH_RESOURCE, SANDBOX_TENANT, SANDBOX_USERS } from './seed.ts';
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
beforeAll(async () => {
  sandbox = await startTestSandbox();
});
afterAll(async () => {
  await sandbox.stop();
});

const adele = SANDBOX_USERS[0]!;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const API_SCOPE = `api://${API_APP_ID}/access_as_user`;

function jwks() {
  return createRemoteJWKSet(new URL(endpoint(sandbox, '/discovery/v2.0/keys')));
}

async function redeem(scope: string, extra: Record<string, string> = {}) {
  const { code, verifier } = await spaCode(sandbox, scope);
  return tokenRequest(
    sandbox,
    {
      client_id: SPA.clientId,
      grant_type: 'authorization_code',
      code,
      code_verifier: verifier,
      redirect_uri: TEST_REDIRECT_URI,
      scope,
      ...extra,
    },
    { origin: TEST_ORIGIN },
  );
}

function graphMe(token: string): Promise<Response> {
  return fetch(`${sandbox.origin}/v1.0/me`, { headers: { authorization: `Bearer ${token}` } });
}

async function setVersion(version: unknown): Promise<Response> {
  return fetch(`${sandbox.origin}/portal/apps/${API_APP_ID}`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json', origin: 'http://localhost:5173' },
    body: JSON.stringify({ accessTokenAcceptedVersion: version }),
  });
}

/**
 * The code flow for the SPA as Megan, whose sign-in asks for her verification code: the token response
 * of a sign-in with MFA (amr pwd and mfa).
 */
async function redeemWithMfa(scope: string) {
  const megan = SANDBOX_USERS.find((u) => u.mfaRequired && u.mfaCode !== undefined)!;
  const pkce = generatePkce();
  const browser = new Browser(sandbox);
  const query = new URLSearchParams({
    client_id: SPA.clientId,
    response_type: 'code',
    redirect_uri: TEST_REDIRECT_URI,
    scope,
    state: 's',
    code_challenge: pkce.challenge,
    code_challenge_method: 'S256',
  });
  let page = asPage(await browser.go(`${endpoint(sandbox, '/oauth2/v2.0/authorize')}?${query}`));
  page = asPage(
    await browser.go(formAction(page), { username: megan.userPrincipalName, password: megan.password }),
  );
  let next = await browser.go(formAction(page), { otc: megan.mfaCode ?? '' });
  if (!('redirectedTo' in next) && next.html.includes('name="action"')) {
    next = await browser.go(formAction(next), { action: 'accept' });
  }
  const code = asRedirect(next).searchParams.get('code') ?? '';
  return tokenRequest(
    sandbox,
    {
      client_id: SPA.clientId,
      grant_type: 'authorization_code',
      code,
      code_verifier: pkce.verifier,
      redirect_uri: TEST_REDIRECT_URI,
    },
    { origin: TEST_ORIGIN },
  );
}

async function oboWith(assertion: string): Promise<Record<string, unknown>> {
  const res = await tokenRequest(sandbox, {
    client_id: API.clientId,
    client_secret: API.clientSecret ?? '',
    grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
    requested_token_use: 'on_behalf_of',
    assertion,
    scope: 'https://graph.microsoft.com/.default',
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

describe('item 1: Graph access tokens are v1.0 with a header nonce only Graph can check', () => {
  const graphScopes = (SPA.delegatedPermissions['https://graph.microsoft.com'] ?? []) as readonly string[];

  test('generated delegated scope sets: v1.0 claims, header nonce, a signature that fails unless hashed; Graph accepts', async () => {
    const cases = fc.record({
      permissions: fc.subarray([...graphScopes], { minLength: 1 }),
      oidc: fc.subarray([...OIDC_SCOPES]),
      prefixed: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(cases, async ({ permissions, oidc, prefixed }) => {
        const asked = permissions.map((p) => (prefixed ? `${GRAPH_RESOURCE.identifier}/${p}` : p));
        const res = await redeem([...oidc, ...asked].join(' '));
        expect(res.status).toBe(200);
        const token = String(res.body['access_token']);
        const header = decodeProtectedHeader(token);
        expect(header['nonce']).toEqual(expect.any(String));
        expect(header.x5t).toBe(header.kid);
        // Anyone but Graph: the signature does not match the header as sent.
        await expect(jwtVerify(token, jwks())).rejects.toBeInstanceOf(
          joseErrors.JWSSignatureVerificationFailed,
        );
        const { payload } = await jwtVerify(graphSigningInput(token), jwks(), {
          issuer: sandboxV1Issuer(sandbox.origin, SANDBOX_TENANT.id),
          audience: GRAPH_RESOURCE.identifier,
        });
        expect(payload).toMatchObject({
          ver: '1.0',
          appid: SPA.clientId,
          appidacr: '0',
          upn: adele.userPrincipalName,
          unique_name: adele.userPrincipalName,
          oid: adele.oid,
          tid: SANDBOX_TENANT.id,
        });
        // Entra lists the OpenID scopes granted with a Graph token in its scp ("email openid profile
        // User.Read"); offline_access never.
        const granted = oidc.filter((s) => s !== 'offline_access');
        expect(String(payload['scp']).split(' ').sort()).toEqual([...permissions, ...granted].sort());
        for (const claim of ['azp', 'azpacr', 'preferred_username'])
          expect(payload).not.toHaveProperty(claim);
        // Graph's /me needs User.Read (or a wider user permission); without it, 403 insufficient_scope.
        expect((await graphMe(token)).status).toBe(permissions.includes('User.Read') ? 200 : 403);
      }),
      { numRuns: 12 },
    );
  });

  test('v1.0 amr says how the user signed in: pwd for Adele, pwd and mfa for Megan (verification code)', async () => {
    const res = await redeemWithMfa('openid User.Read');
    expect(res.status).toBe(200);
    expect(decodeJwt(String(res.body['access_token']))['amr']).toEqual(['pwd', 'mfa']);
    const adeles = decodeJwt(String((await redeem('openid User.Read')).body['access_token']));
    expect(adeles['amr']).toEqual(['pwd']);
  });

  test('the nonce is signed as its SHA-256: a token whose header nonce is changed fails at Graph', async () => {
    const token = String((await redeem('openid User.Read')).body['access_token']);
    const [head, payload, signature] = token.split('.');
    const header = JSON.parse(Buffer.from(head ?? '', 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >;
    // Sending the signed (hashed) form instead of the raw nonce is refused: Graph hashes what it receives.
    const signedForm = `${Buffer.from(JSON.stringify({ ...header, nonce: hashGraphNonce(String(header['nonce'])) })).toString('base64url')}.${payload}.${signature}`;
    await expect(jwtVerify(signedForm, jwks())).resolves.toBeDefined();
    const atGraph = await graphMe(signedForm);
    expect(atGraph.status).toBe(401);
    expect(atGraph.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect((await graphMe(token)).status).toBe(200);
  });

  test('client credentials for Graph: v1.0, header nonce, roles and no scp; Graph lists users with it', async () => {
    const res = await tokenRequest(sandbox, {
      client_id: WEB.clientId,
      client_secret: WEB.clientSecret ?? '',
      grant_type: 'client_credentials',
      scope: 'https://graph.microsoft.com/.default',
    });
    const token = String(res.body['access_token']);
    expect(decodeProtectedHeader(token)['nonce']).toEqual(expect.any(String));
    const payload = decodeJwt(token);
    expect(payload).toMatchObject({
      iss: sandboxV1Issuer(sandbox.origin, SANDBOX_TENANT.id),
      aud: GRAPH_RESOURCE.identifier,
      ver: '1.0',
      idtyp: 'app',
      appid: WEB.clientId,
      appidacr: '1',
      roles: ['User.Read.All'],
    });
    expect(payload).not.toHaveProperty('scp');
    const users = await fetch(`${sandbox.origin}/v1.0/users`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(users.status).toBe(200);
  });
});

describe("item 2: the API's accessTokenAcceptedVersion decides its tokens' version", () => {
  afterEach(async () => {
    expect((await setVersion(null)).status).toBe(200);
  });

  const expectV1 = async (token: string): Promise<JWTPayload> => {
    const { payload } = await jwtVerify(token, jwks(), {
      issuer: sandboxV1Issuer(sandbox.origin, SANDBOX_TENANT.id),
      audience: `api://${API_APP_ID}`,
    });
    expect(payload).toMatchObject({ ver: '1.0', appid: SPA.clientId, appidacr: '0', scp: 'access_as_user' });
    expect(payload).not.toHaveProperty('azp');
    expect(decodeProtectedHeader(token)).not.toHaveProperty('nonce');
    return payload;
  };
  const expectV2 = async (token: string): Promise<JWTPayload> => {
    const { payload } = await jwtVerify(token, jwks(), {
      issuer: sandboxV2Issuer(sandbox.origin, SANDBOX_TENANT.id),
      audience: API_APP_ID,
    });
    expect(payload).toMatchObject({ ver: '2.0', azp: SPA.clientId, azpacr: '0', scp: 'access_as_user' });
    expect(payload).not.toHaveProperty('appid');
    return payload;
  };

  test('v2.0 tokens carry no amr, yet on-behalf-of under an MFA policy still knows the sign-in behind one', async () => {
    const setMfaApis = (apis: string[]) =>
      fetch(`${sandbox.origin}/portal/settings`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: TEST_ORIGIN },
        body: JSON.stringify({ mfaRequiredApis: apis }),
      });
    expect((await setVersion(2)).status).toBe(200);
    expect((await setMfaApis([GRAPH_RESOURCE.identifier])).status).toBe(200);
    try {
      const res = await redeemWithMfa(API_SCOPE);
      const withMfa = String(res.body['access_token']);
      expect(await expectV2(withMfa)).not.toHaveProperty('amr');
      await oboWith(withMfa);

      // Adele's v2.0 token: a password-only sign-in, so the policy answers with its challenge.
      const passwordOnly = String((await redeem(API_SCOPE)).body['access_token']);
      const refused = await tokenRequest(sandbox, {
        client_id: API.clientId,
        client_secret: API.clientSecret ?? '',
        grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
        requested_token_use: 'on_behalf_of',
        assertion: passwordOnly,
        scope: 'https://graph.microsoft.com/.default',
      });
      expect(refused.status).toBe(400);
      expect(refused.body['error']).toBe('interaction_required');
    } finally {
      expect((await setMfaApis([])).status).toBe(200);
    }
  });

  test('not set (Entra default) and 1 → v1.0; 2 → v2.0; the API trades either for Graph (OBO)', async () => {
    const portal = (await (await fetch(`${sandbox.origin}/portal/apps/${API_APP_ID}`)).json()) as Record<
      string,
      unknown
    >;
    expect(portal['accessTokenAcceptedVersion']).toBeNull();
    for (const version of [null, 1, 2] as const) {
      expect((await setVersion(version)).status).toBe(200);
      const token = String((await redeem(API_SCOPE)).body['access_token']);
      const payload = version === 2 ? await expectV2(token) : await expectV1(token);
      expect(payload['oid']).toBe(adele.oid);
      const graph = await oboWith(token);
      expect(decodeJwt(String(graph['access_token']))['ver']).toBe('1.0');
    }
  });

  test('the portal shows and edits it: the form posts null / 1 / 2; other values are refused with a reason', async () => {
    const page = await (await fetch(`${sandbox.origin}/`)).text();
    expect(page).toContain('Access token version (accessTokenAcceptedVersion)');
    const form = await fetch(`${sandbox.origin}/portal/apps/${API_APP_ID}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ platform: 'web', accessTokenAcceptedVersion: '2' }),
    });
    expect(form.status).toBe(303);
    await expectV2(String((await redeem(API_SCOPE)).body['access_token']));

    const refused = fc.oneof(
      fc.integer().filter((n) => n !== 1 && n !== 2),
      fc.string(),
      fc.boolean(),
      fc.array(fc.integer(), { maxLength: 2 }),
      fc.double().filter((n) => n !== 1 && n !== 2),
    );
    await fc.assert(
      fc.asyncProperty(refused, async (value) => {
        const res = await setVersion(value);
        expect(res.status).toBe(400);
        expect(await res.text()).toContain('accessTokenAcceptedVersion must be null, 1 or 2');
      }),
      { numRuns: 25 },
    );
  });
});

describe('item 3: the token response scope as Entra writes it', () => {
  test('generated scope sets: Graph bare, other APIs prefixed, .default expanded, offline_access not echoed', async () => {
    const graphScopes = (SPA.delegatedPermissions['https://graph.microsoft.com'] ?? []) as readonly string[];
    const cases = fc.record({
      resource: fc.constantFrom('graph-list', 'graph-default', 'api'),
      permissions: fc.subarray([...graphScopes], { minLength: 1 }),
      oidc: fc.subarray([...OIDC_SCOPES]),
    });
    await fc.assert(
      fc.asyncProperty(cases, async ({ resource, permissions, oidc }) => {
        const asked =
          resource === 'api'
            ? [API_SCOPE]
            : resource === 'graph-default'
              ? [`${GRAPH_RESOURCE.identifier}/.default`]
              : permissions;
        const res = await redeem([...oidc, ...asked].join(' '));
        expect(res.status).toBe(200);
        const echoed = String(res.body['scope']).split(' ');
        const expectedPermissions =
          resource === 'api' ? [API_SCOPE] : resource === 'graph-default' ? graphScopes : permissions;
        expect(echoed.filter((s) => !(OIDC_SCOPES as readonly string[]).includes(s)).sort()).toEqual(
          [...expectedPermissions].sort(),
        );
        expect(echoed.filter((s) => (OIDC_SCOPES as readonly string[]).includes(s)).sort()).toEqual(
          oidc.filter((s) => s !== 'offline_access').sort(),
        );
        expect(echoed).not.toContain('offline_access');
        expect(echoed.some((s) => s.startsWith(`${GRAPH_RESOURCE.identifier}/`))).toBe(false);
        expect(res.body['refresh_token'] !== undefined).toBe(oidc.includes('offline_access'));
      }),
      { numRuns: 15 },
    );
  });

  test('entraScopeEcho: each permission once, Graph prefix dropped, OIDC scopes but offline_access kept', () => {
    const permission = fc.oneof(
      fc.constantFrom('User.Read', 'Mail.Read').map((v) => `${GRAPH_RESOURCE.identifier}/${v}`),
      fc.constantFrom('User.Read', 'Mail.Read'),
      fc.constant(API_SCOPE),
    );
    fc.assert(
      fc.property(
        fc.array(permission, { maxLength: 6 }),
        fc.array(fc.constantFrom(...OIDC_SCOPES, 'OpenID', 'other'), { maxLength: 6 }),
        (permissions, oidc) => {
          const echoed = entraScopeEcho(permissions, oidc).split(' ').filter(Boolean);
          expect(new Set(echoed).size).toBe(echoed.length);
          expect(echoed).not.toContain('offline_access');
          expect(echoed).not.toContain('other');
          for (const p of permissions)
            expect(echoed).toContain(p.replace(`${GRAPH_RESOURCE.identifier}/`, ''));
          for (const s of oidc.map((o) => o.toLowerCase()))
            if ((OIDC_SCOPES as readonly string[]).includes(s) && s !== 'offline_access')
              expect(echoed).toContain(s);
        },
      ),
    );
  });
});

describe('item 5: session_state, client_info, no s_hash', () => {
  test('the code response carries a session_state GUID, the same for the whole sign-in session', async () => {
    const browser = new Browser(sandbox);
    const first = await signIn(sandbox, browser, { scope: 'openid User.Read', pkce: generatePkce() });
    const second = await signIn(sandbox, browser, { scope: 'openid User.Read', pkce: generatePkce() });
    const state = first.searchParams.get('session_state');
    expect(state).toMatch(GUID);
    expect(second.searchParams.get('session_state')).toBe(state);
    const other = await signIn(sandbox, new Browser(sandbox), {
      scope: 'openid User.Read',
      pkce: generatePkce(),
    });
    expect(other.searchParams.get('session_state')).not.toBe(state);
    // A refusal carries none.
    const denied = await signIn(sandbox, new Browser(sandbox), {
      scope: 'openid User.Read',
      pkce: generatePkce(),
      extra: { prompt: 'consent' },
      consent: 'cancel',
    });
    expect(denied.searchParams.get('error')).toEqual(expect.any(String));
    expect(denied.searchParams.has('session_state')).toBe(false);
  });

  test('client_info=1 on the token request → base64url {uid, utid}; absent without it; never for app-only tokens', async () => {
    for (const asked of [true, false]) {
      const res = await redeem('openid profile User.Read', asked ? { client_info: '1' } : {});
      expect(res.status).toBe(200);
      if (!asked) {
        expect(res.body).not.toHaveProperty('client_info');
        continue;
      }
      const raw = String(res.body['client_info']);
      expect(raw).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'))).toEqual({
        uid: adele.oid,
        utid: SANDBOX_TENANT.id,
      });
    }
    const appOnly = await tokenRequest(sandbox, {
      client_id: WEB.clientId,
      client_secret: WEB.clientSecret ?? '',
      grant_type: 'client_credentials',
      scope: 'https://graph.microsoft.com/.default',
      client_info: '1',
    });
    expect(appOnly.status).toBe(200);
    expect(appOnly.body).not.toHaveProperty('client_info');
  });

  test('ID tokens from the token endpoint carry no s_hash either', async () => {
    const res = await redeem('openid profile User.Read');
    const id = decodeJwt(String(res.body['id_token']));
    expect(id).not.toHaveProperty('s_hash');
    expect(id['iss']).toBe(sandboxV2Issuer(sandbox.origin, SANDBOX_TENANT.id));
  });
});
