import { createHash } from 'node:crypto';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { graphSigningInput } from './graph-token.ts';
import { sandboxV1Issuer } from './issuers.ts';
import { GRAPH_RESOURCE, SANDBOX_TENANT, SANDBOX_USERS } from './seed.ts';
import {
  asPage,
  Browser,
  endpoint,
  formAction,
  LEGACY,
  signIn,
  SPA,
  startTestSandbox,
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
/** Entra's session_state is a GUID. */
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function jwks() {
  return createRemoteJWKSet(new URL(endpoint(sandbox, '/discovery/v2.0/keys')));
}

/** OIDC Core §3.3.2.11: left half of the SHA-256 of the ASCII value, base64url. */
function halfHash(value: string): string {
  const digest = createHash('sha256').update(value).digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}

async function implicit(
  responseType: string,
  options: { clientId?: string; scope?: string; extra?: Record<string, string> } = {},
): Promise<URLSearchParams> {
  const url = await signIn(sandbox, new Browser(sandbox), {
    clientId: options.clientId ?? LEGACY.clientId,
    scope: options.scope ?? 'openid profile User.Read',
    extra: { response_type: responseType, ...options.extra },
  });
  expect(url.search).toBe('');
  return new URLSearchParams(url.hash.slice(1));
}

describe('implicit and hybrid flows (OIDC Core §3.2, §3.3), Entra settings', () => {
  test('id_token token: fragment with the access token fields and session_state, an ID token with nonce and at_hash (no s_hash), no iss', async () => {
    const fragment = await implicit('id_token token');
    for (const field of ['access_token', 'token_type', 'expires_in', 'scope', 'id_token', 'state']) {
      expect(fragment.get(field), field).toBeTruthy();
    }
    expect(fragment.get('iss')).toBeNull();
    expect(fragment.get('token_type')).toBe('Bearer');
    expect(fragment.get('state')).toBe('state-123');
    expect(fragment.get('scope')?.split(' ').sort()).toEqual(['User.Read', 'openid', 'profile'].sort());
    expect(fragment.get('session_state')).toMatch(GUID);
    const accessToken = fragment.get('access_token') ?? '';
    const issuer = `${sandbox.origin}/${SANDBOX_TENANT.id}/v2.0`;
    // A Graph token: v1.0, checked as Graph checks it (over the hashed header nonce).
    expect(decodeProtectedHeader(accessToken)['nonce']).toEqual(expect.any(String));
    const { payload } = await jwtVerify(graphSigningInput(accessToken), jwks(), {
      issuer: sandboxV1Issuer(sandbox.origin, SANDBOX_TENANT.id),
      audience: GRAPH_RESOURCE.identifier,
    });
    expect(payload).toMatchObject({
      oid: adele.oid,
      scp: 'openid profile User.Read',
      appid: LEGACY.clientId,
      appidacr: '0',
      ver: '1.0',
    });
    const { payload: id } = await jwtVerify(fragment.get('id_token') ?? '', jwks(), {
      issuer,
      audience: LEGACY.clientId,
    });
    expect(id).toMatchObject({ nonce: 'nonce-456', at_hash: halfHash(accessToken), oid: adele.oid });
    expect(id).not.toHaveProperty('s_hash');
  });

  test('token alone (Entra allows it): access token fields and state, no ID token, openid not reported', async () => {
    const fragment = await implicit('token', { scope: 'User.Read', extra: { nonce: '' } });
    expect([...fragment.keys()].sort()).toEqual([
      'access_token',
      'expires_in',
      'scope',
      'session_state',
      'state',
      'token_type',
    ]);
    expect(fragment.get('scope')).toBe('User.Read');
    const { payload } = await jwtVerify(graphSigningInput(fragment.get('access_token') ?? ''), jwks(), {
      audience: GRAPH_RESOURCE.identifier,
    });
    expect(payload['scp']).toBe('openid User.Read');
  });

  test('id_token alone: only the ID token and state', async () => {
    const fragment = await implicit('id_token', { scope: 'openid profile' });
    expect([...fragment.keys()].sort()).toEqual(['id_token', 'session_state', 'state']);
    const { payload: id } = await jwtVerify(fragment.get('id_token') ?? '', jwks(), {
      audience: LEGACY.clientId,
    });
    // Entra's ID tokens carry no s_hash, though state came with the ID token (oidc-provider would add it).
    expect(id).not.toHaveProperty('s_hash');
  });

  test('code id_token (hybrid): code in the fragment, ID token with c_hash; the code is redeemable', async () => {
    const fragment = await implicit('code id_token');
    const code = fragment.get('code') ?? '';
    const { payload: id } = await jwtVerify(fragment.get('id_token') ?? '', jwks(), {
      audience: LEGACY.clientId,
    });
    expect(id['c_hash']).toBe(halfHash(code));
    expect(id).not.toHaveProperty('s_hash');
    expect(fragment.get('session_state')).toMatch(GUID);
    const res = await tokenRequest(sandbox, {
      client_id: LEGACY.clientId,
      grant_type: 'authorization_code',
      code,
      redirect_uri: TEST_REDIRECT_URI,
    });
    expect(res.status).toBe(200);
  });

  test('form_post: an auto-submitting form to the redirect URI with the tokens, without iss', async () => {
    const browser = new Browser(sandbox);
    const query = new URLSearchParams({
      client_id: LEGACY.clientId,
      response_type: 'id_token token',
      response_mode: 'form_post',
      redirect_uri: TEST_REDIRECT_URI,
      scope: 'openid User.Read',
      state: 's-fp',
      nonce: 'n-fp',
    });
    const login = asPage(await browser.go(`${endpoint(sandbox, '/oauth2/v2.0/authorize')}?${query}`));
    const consent = asPage(
      await browser.go(formAction(login), { username: adele.userPrincipalName, password: adele.password }),
    );
    const post = asPage(await browser.go(formAction(consent), { action: 'accept' }));
    expect(post.html).toContain(`action="${TEST_REDIRECT_URI}"`);
    for (const field of ['access_token', 'token_type', 'expires_in', 'scope', 'id_token', 'state']) {
      expect(post.html).toContain(`name="${field}"`);
    }
    expect(post.html).not.toContain('name="iss"');
  });

  test('AADSTS900142: response_mode=query with a token is refused (returned in the fragment)', async () => {
    const fragment = await implicit('id_token token', { extra: { response_mode: 'query' } });
    expect(fragment.get('error')).toBe('invalid_request');
    expect(fragment.get('error_description')).toMatch(/^AADSTS900142: /);
  });

  test('AADSTS90014: an ID token needs a nonce', async () => {
    const fragment = await implicit('id_token', { extra: { nonce: '' } });
    expect(fragment.get('error')).toBe('invalid_request');
    expect(fragment.get('error_description')).toMatch(/^AADSTS90014: /);
  });

  test('AADSTS700054 / AADSTS700051: the app registration has ID / access tokens for implicit off', async () => {
    const spaIdToken = await implicit('id_token', { clientId: SPA.clientId });
    expect(spaIdToken.get('error')).toBe('unsupported_response_type');
    expect(spaIdToken.get('error_description')).toMatch(/^AADSTS700054: /);
    const spaToken = await implicit('token', { clientId: SPA.clientId });
    expect(spaToken.get('error_description')).toMatch(/^AADSTS700051: /);
    // The web app has ID tokens on and access tokens off.
    const webToken = await implicit('id_token token', { clientId: WEB.clientId });
    expect(webToken.get('error')).toBe('unsupported_response_type');
    expect(webToken.get('error_description')).toMatch(/^AADSTS700051: /);
    const webIdToken = await implicit('id_token', { clientId: WEB.clientId, scope: 'openid' });
    expect(webIdToken.get('id_token')).toBeTruthy();
  });
});
