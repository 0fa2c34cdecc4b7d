import { createHash, randomBytes } from 'node:crypto';
import { calculateJwkThumbprint, decodeJwt, exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { STANDARD_API_PATH } from './resource-api.ts';
import {
  APP_ORIGIN,
  codeFor,
  endpointOf,
  postForm,
  REDIRECT_URI,
  secretOf,
  startStandardSandbox,
  type TestSandbox,
} from './test-support.ts';

let sandbox: TestSandbox;
let tokenEndpoint: string;
let apiUrl: string;
beforeAll(async () => {
  sandbox = await startStandardSandbox();
  tokenEndpoint = await endpointOf(sandbox, 'token_endpoint');
  apiUrl = `${sandbox.origin}${STANDARD_API_PATH}`;
});
afterAll(() => sandbox.stop());

interface Key {
  readonly privateKey: CryptoKey;
  readonly jwk: JWK;
  readonly jkt: string;
}

async function newKey(): Promise<Key> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwk = await exportJWK(publicKey);
  return { privateKey, jwk, jkt: await calculateJwkThumbprint(jwk) };
}

/** RFC 9449 §4.2 proof; `claims` overrides any field (undefined removes it). */
async function proof(
  key: Key,
  htm: string,
  htu: string,
  claims: Record<string, unknown> = {},
  signWith: CryptoKey = key.privateKey,
): Promise<string> {
  const payload: Record<string, unknown> = {
    jti: randomBytes(12).toString('base64url'),
    htm,
    htu,
    iat: Math.floor(Date.now() / 1000),
    ...claims,
  };
  for (const name of Object.keys(payload)) if (payload[name] === undefined) delete payload[name];
  return new SignJWT(payload)
    .setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk: key.jwk })
    .sign(signWith);
}

function ath(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

const CLIENT = 'standard-post';
function tokenForm(): Record<string, string> {
  return {
    grant_type: 'client_credentials',
    client_id: CLIENT,
    client_secret: secretOf(CLIENT),
    scope: 'api.read',
    resource: `${sandbox.origin}/standard/api`,
  };
}

/** The token endpoint's nonce dance: first proof without nonce, then with the one handed out. */
async function dpopToken(key: Key): Promise<{ access_token: string; token_type: string }> {
  const first = await postForm(tokenEndpoint, tokenForm(), { DPoP: await proof(key, 'POST', tokenEndpoint) });
  const nonce = first.headers.get('dpop-nonce') ?? undefined;
  const second =
    first.status === 200
      ? first
      : await postForm(tokenEndpoint, tokenForm(), {
          DPoP: await proof(key, 'POST', tokenEndpoint, { nonce }),
        });
  expect(second.status).toBe(200);
  return second.body as { access_token: string; token_type: string };
}

async function callApi(
  headers: Record<string, string>,
): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const res = await fetch(apiUrl, { headers: { Origin: 'http://localhost:47173', ...headers } });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
  };
}

/** The API's nonce dance with a fresh proof each time. */
async function callWithProof(key: Key, token: string, claims: Record<string, unknown> = {}) {
  const first = await callApi({
    Authorization: `DPoP ${token}`,
    DPoP: await proof(key, 'GET', apiUrl, { ath: ath(token), ...claims }),
  });
  if (first.status !== 401 || !/use_dpop_nonce/.test(first.headers.get('www-authenticate') ?? ''))
    return first;
  const nonce = first.headers.get('dpop-nonce') ?? '';
  return callApi({
    Authorization: `DPoP ${token}`,
    DPoP: await proof(key, 'GET', apiUrl, { ath: ath(token), nonce, ...claims }),
  });
}

function challenge(res: { headers: Headers }): string {
  return res.headers.get('www-authenticate') ?? '';
}

describe('token endpoint with DPoP (RFC 9449 §5, §8)', () => {
  test('§8: a proof without nonce is answered use_dpop_nonce with DPoP-Nonce; the retry gets a DPoP token with cnf.jkt', async () => {
    const key = await newKey();
    const first = await postForm(tokenEndpoint, tokenForm(), {
      DPoP: await proof(key, 'POST', tokenEndpoint),
    });
    expect(first.status).toBe(400);
    expect(first.body['error']).toBe('use_dpop_nonce');
    const nonce = first.headers.get('dpop-nonce');
    expect(nonce).toBeTruthy();
    const second = await postForm(tokenEndpoint, tokenForm(), {
      DPoP: await proof(key, 'POST', tokenEndpoint, { nonce }),
    });
    expect(second.status).toBe(200);
    expect(second.body['token_type']).toBe('DPoP');
    const claims = decodeJwt(String(second.body['access_token']));
    expect(claims['cnf']).toEqual({ jkt: key.jkt });
  });

  test('§4.3: a proof for another URL (htu) is refused as invalid_dpop_proof', async () => {
    const key = await newKey();
    const res = await postForm(tokenEndpoint, tokenForm(), {
      DPoP: await proof(key, 'POST', `${sandbox.origin}/standard/elsewhere`),
    });
    expect(res.status).toBe(400);
    expect(res.body['error']).toBe('invalid_dpop_proof');
  });

  test('§4.3: a proof for another method (htm) is refused as invalid_dpop_proof', async () => {
    const key = await newKey();
    const res = await postForm(tokenEndpoint, tokenForm(), { DPoP: await proof(key, 'GET', tokenEndpoint) });
    expect(res.status).toBe(400);
    expect(res.body['error']).toBe('invalid_dpop_proof');
  });

  test('§4.3: a proof signed by a key other than its jwk is refused', async () => {
    const key = await newKey();
    const other = await newKey();
    const res = await postForm(tokenEndpoint, tokenForm(), {
      DPoP: await proof(key, 'POST', tokenEndpoint, {}, other.privateKey),
    });
    expect(res.status).toBe(400);
    expect(res.body['error']).toBe('invalid_dpop_proof');
  });

  test('§11.1: a replayed proof (same jti) is refused the second time', async () => {
    const key = await newKey();
    const first = await postForm(tokenEndpoint, tokenForm(), {
      DPoP: await proof(key, 'POST', tokenEndpoint),
    });
    const nonce = first.headers.get('dpop-nonce') ?? '';
    const replayed = await proof(key, 'POST', tokenEndpoint, { nonce });
    const once = await postForm(tokenEndpoint, tokenForm(), { DPoP: replayed });
    expect(once.status).toBe(200);
    const twice = await postForm(tokenEndpoint, tokenForm(), { DPoP: replayed });
    expect(twice.status).toBe(400);
    // oidc-provider 8 answers a replayed proof at the token endpoint with invalid_grant ("DPoP proof JWT
    // Replay detected" stays in its logs; the body says only "grant request is invalid").
    expect(twice.body['error']).toBe('invalid_grant');
  });
});

describe('the protected resource /standard/api/me (RFC 9449 §7, §9)', () => {
  test('§9: a fresh proof without nonce gets use_dpop_nonce; with it, 200 and the token described', async () => {
    const key = await newKey();
    const { access_token } = await dpopToken(key);
    const first = await callApi({
      Authorization: `DPoP ${access_token}`,
      DPoP: await proof(key, 'GET', apiUrl, { ath: ath(access_token) }),
    });
    expect(first.status).toBe(401);
    expect(challenge(first)).toMatch(/^DPoP error="use_dpop_nonce"/);
    const nonce = first.headers.get('dpop-nonce');
    expect(nonce).toBeTruthy();
    const ok = await callApi({
      Authorization: `DPoP ${access_token}`,
      DPoP: await proof(key, 'GET', apiUrl, { ath: ath(access_token), nonce }),
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({
      client_id: CLIENT,
      scope: 'api.read',
      cnf: { jkt: key.jkt },
      token_type_used: 'DPoP',
    });
    expect(ok.headers.get('access-control-allow-origin')).toBe('*');
    expect(ok.headers.get('access-control-expose-headers')).toMatch(/DPoP-Nonce/);
  });

  test('§7.1: a proof without ath is refused as invalid_dpop_proof', async () => {
    const key = await newKey();
    const { access_token } = await dpopToken(key);
    const res = await callWithProof(key, access_token, { ath: undefined });
    expect(res.status).toBe(401);
    expect(challenge(res)).toMatch(/DPoP error="invalid_dpop_proof"/);
    expect(String(res.body['error_description'])).toMatch(/ath/);
  });

  test('§7.1: a proof with the ath of another token is refused', async () => {
    const key = await newKey();
    const { access_token } = await dpopToken(key);
    const res = await callWithProof(key, access_token, { ath: ath('another token') });
    expect(res.status).toBe(401);
    expect(challenge(res)).toMatch(/invalid_dpop_proof/);
  });

  test('§7.2: the DPoP-bound token sent as Bearer is refused as invalid_token', async () => {
    const key = await newKey();
    const { access_token } = await dpopToken(key);
    const res = await callApi({ Authorization: `Bearer ${access_token}` });
    expect(res.status).toBe(401);
    expect(challenge(res)).toMatch(/error="invalid_token"/);
    expect(String(res.body['error_description'])).toMatch(/DPoP-bound/);
  });

  test('§7.1: a valid proof from another key than cnf.jkt is refused as invalid_token', async () => {
    const key = await newKey();
    const { access_token } = await dpopToken(key);
    const res = await callWithProof(await newKey(), access_token);
    expect(res.status).toBe(401);
    expect(challenge(res)).toMatch(/DPoP error="invalid_token"/);
    expect(String(res.body['error_description'])).toMatch(/another key/);
  });

  test('§4.3: wrong htu and wrong htm are refused', async () => {
    const key = await newKey();
    const { access_token } = await dpopToken(key);
    const wrongUrl = await callApi({
      Authorization: `DPoP ${access_token}`,
      DPoP: await proof(key, 'GET', `${apiUrl}/other`, { ath: ath(access_token) }),
    });
    expect(challenge(wrongUrl)).toMatch(/invalid_dpop_proof/);
    expect(String(wrongUrl.body['error_description'])).toMatch(/htu/);
    const wrongMethod = await callApi({
      Authorization: `DPoP ${access_token}`,
      DPoP: await proof(key, 'POST', apiUrl, { ath: ath(access_token) }),
    });
    expect(String(wrongMethod.body['error_description'])).toMatch(/htm/);
  });

  test('§11.1: a replayed proof is refused; §4.3: an old iat is refused', async () => {
    const key = await newKey();
    const { access_token } = await dpopToken(key);
    const first = await callApi({
      Authorization: `DPoP ${access_token}`,
      DPoP: await proof(key, 'GET', apiUrl, { ath: ath(access_token) }),
    });
    const nonce = first.headers.get('dpop-nonce') ?? '';
    const once = await proof(key, 'GET', apiUrl, { ath: ath(access_token), nonce });
    expect((await callApi({ Authorization: `DPoP ${access_token}`, DPoP: once })).status).toBe(200);
    const replay = await callApi({ Authorization: `DPoP ${access_token}`, DPoP: once });
    expect(replay.status).toBe(401);
    expect(String(replay.body['error_description'])).toMatch(/jti/);
    const stale = await callWithProof(key, access_token, { iat: Math.floor(Date.now() / 1000) - 600 });
    expect(String(stale.body['error_description'])).toMatch(/iat/);
  });

  test('RFC 6750 §3.1: no token gets a challenge without an error code; a bad token is invalid_token', async () => {
    const none = await callApi({});
    expect(none.status).toBe(401);
    expect(challenge(none)).toMatch(/^Bearer realm="standard", DPoP algs="/);
    expect(challenge(none)).not.toMatch(/error=/);
    const bad = await callApi({ Authorization: 'Bearer not-a-jwt' });
    expect(bad.status).toBe(401);
    expect(challenge(bad)).toMatch(/^Bearer realm="standard", error="invalid_token"/);
  });

  test('a CORS preflight allows the Authorization and DPoP headers', async () => {
    const res = await fetch(apiUrl, {
      method: 'OPTIONS',
      headers: {
        Origin: 'http://localhost:47173',
        'Access-Control-Request-Method': 'GET',
        'Access-Control-Request-Headers': 'authorization,dpop',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-headers')).toMatch(/dpop/);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
  });
});

describe('a public client’s refresh token is bound to its DPoP key (RFC 9449 §5)', () => {
  /** Sends a token request with the nonce dance, from the app's origin (a browser client). */
  async function withNonce(key: Key, form: Record<string, string>) {
    const headers = { origin: APP_ORIGIN };
    const first = await postForm(tokenEndpoint, form, {
      ...headers,
      DPoP: await proof(key, 'POST', tokenEndpoint),
    });
    if (first.body['error'] !== 'use_dpop_nonce') return first;
    const nonce = first.headers.get('dpop-nonce') ?? undefined;
    return postForm(tokenEndpoint, form, {
      ...headers,
      DPoP: await proof(key, 'POST', tokenEndpoint, { nonce }),
    });
  }

  test('the code redeemed with a proof gives a DPoP token; a refresh needs a proof from the same key', async () => {
    const key = await newKey();
    // OIDC Core §11: offline_access gives a refresh token only with prompt=consent.
    const { code, verifier } = await codeFor(sandbox, 'standard-spa', { prompt: 'consent' });
    const redeemed = await withNonce(key, {
      grant_type: 'authorization_code',
      client_id: 'standard-spa',
      code,
      redirect_uri: REDIRECT_URI,
      code_verifier: verifier,
    });
    expect(redeemed.status).toBe(200);
    expect(redeemed.body['token_type']).toBe('DPoP');
    expect(typeof redeemed.body['refresh_token']).toBe('string');
    const refreshToken = String(redeemed.body['refresh_token']);
    const refresh = { grant_type: 'refresh_token', client_id: 'standard-spa', refresh_token: refreshToken };

    // Another key: the refresh token is bound to the first one.
    const stolen = await withNonce(await newKey(), refresh);
    expect(stolen.status).toBe(400);
    expect(stolen.body['error']).toBe('invalid_grant');

    // No proof at all: also refused.
    const bare = await postForm(tokenEndpoint, refresh, { origin: APP_ORIGIN });
    expect(bare.status).toBe(400);

    const renewed = await withNonce(key, refresh);
    expect(renewed.status).toBe(200);
    expect(renewed.body['token_type']).toBe('DPoP');
  });
});
