/**
 * Two sandbox instances on one Redis behave as one tenant (issue 15): oidc-provider's artifacts and the
 * signing keys live in the shared store, so a code or refresh token issued by one instance is honoured,
 * consumed or revoked at the other. Real Redis (redis-global-setup.ts), two instances behind a proxy the
 * test steers (store/test-redis.ts).
 */
import { readdir } from 'node:fs/promises';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { RunningSandbox } from './index.ts';
import { SANDBOX_TENANT } from './seed.ts';
import { startTwoInstances, type TwoInstances } from './store/test-redis.ts';
import {
  authorizeUrl,
  Browser as StandardBrowser,
  postForm,
  REDIRECT_URI as STANDARD_REDIRECT_URI,
  secretOf,
  signInAt,
  type TestSandbox,
} from './standard/test-support.ts';
import { spaCode, SPA, TEST_ORIGIN, TEST_REDIRECT_URI, tokenRequest } from './test-support.ts';

const SCOPE = 'openid profile email offline_access User.Read';

/** The standards test helpers want a TestSandbox; only the origin is read. */
function asTestSandbox(sandbox: RunningSandbox): TestSandbox {
  return { ...sandbox, dataDir: '', stop: () => Promise.resolve() };
}

async function redeem(pair: TwoInstances, code: string, verifier: string) {
  return tokenRequest(
    pair.a,
    {
      client_id: SPA.clientId,
      grant_type: 'authorization_code',
      code,
      code_verifier: verifier,
      redirect_uri: TEST_REDIRECT_URI,
      scope: SCOPE,
    },
    { origin: TEST_ORIGIN },
  );
}

async function refresh(pair: TwoInstances, refreshToken: string) {
  return tokenRequest(
    pair.a,
    { client_id: SPA.clientId, grant_type: 'refresh_token', refresh_token: refreshToken, scope: SCOPE },
    { origin: TEST_ORIGIN },
  );
}

describe('two instances, one tenant: authorization code and keys', () => {
  let pair: TwoInstances;
  beforeAll(async () => {
    pair = await startTwoInstances();
  });
  afterAll(() => pair?.close());

  test('both name the public origin: issuer and endpoints in discovery, whichever instance answers', async () => {
    for (const instance of ['a', 'b'] as const) {
      pair.use(instance);
      const res = await fetch(`${pair.origin}/${SANDBOX_TENANT.id}/v2.0/.well-known/openid-configuration`);
      const doc = (await res.json()) as Record<string, string>;
      expect(doc['issuer']).toBe(`${pair.origin}/${SANDBOX_TENANT.id}/v2.0`);
      expect(doc['token_endpoint']).toBe(`${pair.origin}/${SANDBOX_TENANT.id}/oauth2/v2.0/token`);
      const standard = (await (
        await fetch(`${pair.origin}/standard/.well-known/openid-configuration`)
      ).json()) as Record<string, string>;
      expect(standard['issuer']).toBe(`${pair.origin}/standard`);
      expect(standard['token_endpoint']).toBe(`${pair.origin}/standard/token`);
    }
    // Asked directly (not through the proxy), an instance still names the proxy.
    const direct = await fetch(`${pair.direct.b}/${SANDBOX_TENANT.id}/v2.0/.well-known/openid-configuration`);
    expect(((await direct.json()) as Record<string, string>)['authorization_endpoint']).toBe(
      `${pair.origin}/${SANDBOX_TENANT.id}/oauth2/v2.0/authorize`,
    );
  });

  test('started at the same moment, both sign with one key, generated once (one data dir holds it)', async () => {
    const keysOf = async (base: string, path: string) =>
      ((await (await fetch(`${base}${path}`)).json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);
    const tenantKeys = `/${SANDBOX_TENANT.id}/discovery/v2.0/keys`;
    expect(await keysOf(pair.direct.a, tenantKeys)).toEqual(await keysOf(pair.direct.b, tenantKeys));
    expect(await keysOf(pair.direct.a, '/standard/jwks')).toEqual(
      await keysOf(pair.direct.b, '/standard/jwks'),
    );
    const files = [...(await readdir(pair.dataDirs.a)), ...(await readdir(pair.dataDirs.b))];
    expect(files.filter((f) => f === 'keys.json')).toHaveLength(1);
    expect(files.filter((f) => f === 'standard-keys.json')).toHaveLength(1);
  });

  test("a code issued through A is redeemed at B; B's tokens verify with A's published keys", async () => {
    pair.use('a');
    const before = { ...pair.forwarded };
    const { code, verifier } = await spaCode(pair.a);
    expect(pair.forwarded.a).toBeGreaterThan(before.a);
    pair.use('b');
    const res = await redeem(pair, code, verifier);
    expect(res.status).toBe(200);
    expect(pair.forwarded.b).toBe(before.b + 1);
    const idToken = String(res.body['id_token']);
    const { payload } = await jwtVerify(
      idToken,
      createRemoteJWKSet(new URL(`${pair.direct.a}/${SANDBOX_TENANT.id}/discovery/v2.0/keys`)),
      { issuer: `${pair.origin}/${SANDBOX_TENANT.id}/v2.0`, audience: SPA.clientId },
    );
    expect(payload['nonce']).toBe('nonce-456');
  });

  test('a code redeemed at A is refused at B (consumed in the shared store): AADSTS54005', async () => {
    pair.use('a');
    const { code, verifier } = await spaCode(pair.a);
    expect((await redeem(pair, code, verifier)).status).toBe(200);
    pair.use('b');
    const again = await redeem(pair, code, verifier);
    expect(again.status).toBe(400);
    expect(again.body['error']).toBe('invalid_grant');
    expect(again.body['error_codes']).toEqual([54005]);
  });

  test('one code sent to A and B at the same moment: exactly one redemption gets tokens', async () => {
    for (let round = 0; round < 5; round += 1) {
      pair.use('a');
      const { code, verifier } = await spaCode(pair.a);
      pair.use('alternate');
      const answers = await Promise.all([redeem(pair, code, verifier), redeem(pair, code, verifier)]);
      expect(answers.map((r) => r.status).sort()).toEqual([200, 400]);
      expect(answers.find((r) => r.status === 400)?.body['error']).toBe('invalid_grant');
    }
  });

  test('requests alternating between the instances complete a whole sign-in and redemption', async () => {
    pair.use('alternate');
    const before = { ...pair.forwarded };
    const { code, verifier } = await spaCode(pair.a);
    const res = await redeem(pair, code, verifier);
    expect(res.status).toBe(200);
    expect(pair.forwarded.a - before.a).toBeGreaterThan(1);
    expect(pair.forwarded.b - before.b).toBeGreaterThan(1);
  });
});

describe.each([
  { rotateRefreshTokens: false, name: 'rotation off (Entra)' },
  { rotateRefreshTokens: true, name: 'rotation on' },
])('refresh across instances, $name', ({ rotateRefreshTokens }) => {
  let pair: TwoInstances;
  beforeAll(async () => {
    pair = await startTwoInstances({ rotateRefreshTokens });
  });
  afterAll(() => pair?.close());

  test('a refresh token issued at A is redeemed at B; the old one then works at A only without rotation', async () => {
    pair.use('a');
    const { code, verifier } = await spaCode(pair.a);
    const issued = await redeem(pair, code, verifier);
    expect(issued.status).toBe(200);
    const first = String(issued.body['refresh_token']);

    pair.use('b');
    const refreshed = await refresh(pair, first);
    expect(refreshed.status).toBe(200);
    const second = String(refreshed.body['refresh_token']);
    expect(second).not.toBe(first);
    expect(decodeJwt(String(refreshed.body['id_token'])).aud).toBe(SPA.clientId);

    pair.use('a');
    const reused = await refresh(pair, first);
    pair.use('b');
    const newest = await refresh(pair, second);
    if (rotateRefreshTokens) {
      // RFC 9700 §4.14.2: a rotated refresh token is used up on every instance, and its reuse revokes
      // the whole grant (oidc-provider's reuse detection), so the newest one at B went with it.
      expect(reused.status).toBe(400);
      expect(reused.body['error']).toBe('invalid_grant');
      expect(newest.status).toBe(400);
      expect(newest.body['error']).toBe('invalid_grant');
    } else {
      expect(reused.status).toBe(200);
      expect(newest.status).toBe(200);
    }
  });
});

describe('revocation and expiry across instances (standards issuer)', () => {
  let pair: TwoInstances;
  beforeAll(async () => {
    pair = await startTwoInstances({ standard: { parRequestUriLifetimeSeconds: 1 } });
  });
  afterAll(() => pair?.close());

  const credentials = { client_id: 'standard-post', client_secret: secretOf('standard-post') };

  test("RFC 7009 §2.1: revoking the refresh token at B revokes the grant's tokens at A too", async () => {
    pair.use('a');
    const sandbox = asTestSandbox(pair.a);
    const { url, verifier } = await authorizeUrl(sandbox, 'standard-post', { prompt: 'consent' });
    const back = await signInAt(new StandardBrowser(sandbox), url);
    const tokens = await postForm(`${pair.origin}/standard/token`, {
      grant_type: 'authorization_code',
      code: back.searchParams.get('code') ?? '',
      redirect_uri: STANDARD_REDIRECT_URI,
      code_verifier: verifier,
      ...credentials,
    });
    expect(tokens.status).toBe(200);
    const access = String(tokens.body['access_token']);
    const refreshToken = String(tokens.body['refresh_token']);
    const introspect = (token: string) =>
      postForm(`${pair.origin}/standard/token/introspection`, { token, ...credentials });
    expect((await introspect(access)).body['active']).toBe(true);

    pair.use('b');
    const revoked = await postForm(`${pair.origin}/standard/token/revocation`, {
      token: refreshToken,
      token_type_hint: 'refresh_token',
      ...credentials,
    });
    expect(revoked.status).toBe(200);

    pair.use('a');
    // oidc-provider revokes the whole grant with its refresh token: the access token went too.
    expect((await introspect(access)).body).toEqual({ active: false });
    const again = await postForm(`${pair.origin}/standard/token`, {
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      ...credentials,
    });
    expect(again.body['error']).toBe('invalid_grant');
  });

  test('an expired pushed request is gone from Redis, and from both instances', async () => {
    pair.use('a');
    const pushed = await postForm(`${pair.origin}/standard/request`, {
      response_type: 'code',
      redirect_uri: STANDARD_REDIRECT_URI,
      scope: 'openid',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
      ...credentials,
    });
    expect(pushed.status).toBe(201);
    const held = async () => (await pair.stores.b.keys('standard:oidc:PushedAuthorizationRequest:')).length;
    expect(await held()).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(await held()).toBe(0);
    pair.use('b');
    const late = await fetch(
      `${pair.origin}/standard/auth?${new URLSearchParams({
        client_id: 'standard-post',
        request_uri: String(pushed.body['request_uri']),
      })}`,
      { redirect: 'manual' },
    );
    expect(late.status).toBeGreaterThanOrEqual(300);
    expect(late.headers.get('location') ?? (await late.text())).toMatch(/invalid_request_uri|expired/);
  });
});
