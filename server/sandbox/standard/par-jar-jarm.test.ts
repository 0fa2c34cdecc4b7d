import { randomBytes } from 'node:crypto';
import { createRemoteJWKSet, decodeJwt, jwtVerify, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  APP_ORIGIN,
  Browser,
  clientAssertion,
  generateClientKey,
  discover,
  generatePkce,
  postForm,
  REDIRECT_URI,
  secretOf,
  signInAt,
  startStandardSandbox,
  type TestSandbox,
} from './test-support.ts';

let sandbox: TestSandbox;
let doc: Record<string, unknown>;
const PAR_LIFETIME = 2;
beforeAll(async () => {
  sandbox = await startStandardSandbox({ parRequestUriLifetimeSeconds: PAR_LIFETIME });
  doc = await discover(sandbox);
});
afterAll(() => sandbox.stop());

const issuer = (): string => `${sandbox.origin}/standard`;
const postCredentials = { client_id: 'standard-post', client_secret: secretOf('standard-post') };

function authorizationParams(clientId: string, extra: Record<string, string> = {}): Record<string, string> {
  const pkce = generatePkce();
  return {
    client_id: clientId,
    response_type: 'code',
    redirect_uri: REDIRECT_URI,
    scope: 'openid profile',
    state: `st-${randomBytes(4).toString('hex')}`,
    nonce: 'n-1',
    code_challenge: pkce.challenge,
    code_challenge_method: 'S256',
    ...extra,
  };
}

async function push(
  params: Record<string, string>,
): Promise<{ status: number; body: Record<string, unknown> }> {
  return postForm(String(doc['pushed_authorization_request_endpoint']), params, { origin: APP_ORIGIN });
}

function authorizeWith(params: Record<string, string>): string {
  return `${String(doc['authorization_endpoint'])}?${new URLSearchParams(params)}`;
}

describe('RFC 9126 pushed authorization requests', () => {
  test('§2.2: the pushed request gives a request_uri the authorization endpoint accepts once', async () => {
    const pushed = await push({ ...authorizationParams('standard-post'), ...postCredentials });
    expect(pushed.status).toBe(201);
    expect(String(pushed.body['request_uri'])).toMatch(/^urn:ietf:params:oauth:request_uri:/);
    expect(pushed.body['expires_in']).toBe(PAR_LIFETIME);
    const url = authorizeWith({
      client_id: 'standard-post',
      request_uri: String(pushed.body['request_uri']),
    });
    const back = await signInAt(new Browser(sandbox), url);
    expect(back.searchParams.get('code')).toBeTruthy();
    // §4: the request_uri is single-use.
    const again = await new Browser(sandbox).go(url);
    const target = 'redirectedTo' in again ? new URL(again.redirectedTo) : undefined;
    const error = target?.searchParams.get('error') ?? ('html' in again ? again.html : '');
    expect(error).toMatch(/invalid_request_uri/);
  });

  test('§2.2: an expired request_uri is refused', async () => {
    const pushed = await push({ ...authorizationParams('standard-post'), ...postCredentials });
    expect(pushed.status).toBe(201);
    await new Promise((r) => setTimeout(r, (PAR_LIFETIME + 1) * 1000));
    const result = await new Browser(sandbox).go(
      authorizeWith({ client_id: 'standard-post', request_uri: String(pushed.body['request_uri']) }),
    );
    const text = 'redirectedTo' in result ? result.redirectedTo : result.html;
    expect(text).toMatch(/invalid_request_uri/);
  });

  test('§2.1: the client authenticates at the PAR endpoint (a wrong secret is invalid_client)', async () => {
    const pushed = await push({
      ...authorizationParams('standard-post'),
      client_id: 'standard-post',
      client_secret: 'x',
    });
    expect(pushed.status).toBe(401);
    expect(pushed.body['error']).toBe('invalid_client');
  });
});

describe('RFC 9101 JWT-secured authorization requests (JAR)', () => {
  async function requestObject(secret: string, claims: Record<string, string>): Promise<string> {
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', typ: 'oauth-authz-req+jwt' })
      .setIssuer('standard-jwt')
      .setAudience(issuer())
      .setIssuedAt()
      .setExpirationTime('2m')
      .sign(new TextEncoder().encode(secret));
  }

  test('§6.1: an HS256 request object signed with the client secret is accepted', async () => {
    const request = await requestObject(secretOf('standard-jwt'), authorizationParams('standard-jwt'));
    const back = await signInAt(new Browser(sandbox), authorizeWith({ client_id: 'standard-jwt', request }));
    expect(back.searchParams.get('code')).toBeTruthy();
  });

  test('§6.2: a tampered request object (payload changed after signing) is refused', async () => {
    const request = await requestObject(secretOf('standard-jwt'), authorizationParams('standard-jwt'));
    const [header, payload, signature] = request.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
    claims['scope'] = 'openid profile email';
    const tampered = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
    const result = await new Browser(sandbox).go(
      authorizeWith({ client_id: 'standard-jwt', request: tampered }),
    );
    const text = 'redirectedTo' in result ? decodeURIComponent(result.redirectedTo) : result.html;
    expect(text).toMatch(/invalid_request_object/);
  });
});

describe('JAR with a registered key, and JAR pushed (RFC 9101 + RFC 9126 §3)', () => {
  test('an ES256 request object from standard-private-key verifies against its registered key', async () => {
    const { privateKey, publicJwk } = await generateClientKey();
    const saved = await fetch(`${sandbox.origin}/standard/portal/api/clients/standard-private-key/jwks`, {
      method: 'POST',
      body: JSON.stringify({ keys: [publicJwk] }),
    });
    expect(saved.status).toBe(200);
    const sign = (claims: Record<string, string>): Promise<string> =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'ES256', typ: 'oauth-authz-req+jwt' })
        .setIssuer('standard-private-key')
        .setAudience(issuer())
        .setIssuedAt()
        .setExpirationTime('2m')
        .sign(privateKey);
    const request = await sign(authorizationParams('standard-private-key'));
    const back = await signInAt(
      new Browser(sandbox),
      authorizeWith({ client_id: 'standard-private-key', request }),
    );
    expect(back.searchParams.get('code')).toBeTruthy();

    // Pushed: the signed request object goes to the PAR endpoint with a client assertion.
    const assertion = await clientAssertion('standard-private-key', issuer(), { privateKey, alg: 'ES256' });
    const pushed = await push({
      client_id: 'standard-private-key',
      request: await sign(authorizationParams('standard-private-key')),
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion,
    });
    expect(pushed.status).toBe(201);
    const viaPar = await signInAt(
      new Browser(sandbox),
      authorizeWith({ client_id: 'standard-private-key', request_uri: String(pushed.body['request_uri']) }),
    );
    expect(viaPar.searchParams.get('code')).toBeTruthy();
  });
});

describe('JARM (JWT Secured Authorization Response Mode)', () => {
  test('§2.1: response_mode=jwt returns a signed response JWT with iss, aud, exp and the code', async () => {
    const params = authorizationParams('standard-post', { response_mode: 'jwt' });
    const back = await signInAt(new Browser(sandbox), authorizeWith(params));
    expect(back.searchParams.get('code')).toBeNull();
    const response = back.searchParams.get('response');
    expect(response).toBeTruthy();
    const jwks = createRemoteJWKSet(new URL(String(doc['jwks_uri'])));
    const { payload, protectedHeader } = await jwtVerify(String(response), jwks, {
      issuer: issuer(),
      audience: 'standard-post',
    });
    expect(protectedHeader.alg).toBe('RS256');
    expect(typeof payload.exp).toBe('number');
    expect(payload['code']).toEqual(expect.any(String));
    expect(payload['state']).toBe(params['state']);
  });

  test('§2.3.4: response_mode=fragment.jwt puts the JWT in the fragment', async () => {
    const back = await signInAt(
      new Browser(sandbox),
      authorizeWith(authorizationParams('standard-post', { response_mode: 'fragment.jwt' })),
    );
    const fragment = new URLSearchParams(back.hash.slice(1));
    expect(decodeJwt(String(fragment.get('response')))['iss']).toBe(issuer());
  });
});
