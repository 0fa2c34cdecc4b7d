import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  APP_ORIGIN,
  BASIC_CLIENT_SECRET,
  basicHeader,
  clientAssertion,
  codeFor,
  endpointOf,
  generateClientKey,
  postForm,
  REDIRECT_URI,
  secretOf,
  startStandardSandbox,
  type TestSandbox,
} from './test-support.ts';

let sandbox: TestSandbox;
let tokenEndpoint: string;
const resource = (): string => `${sandbox.origin}/standard/api`;
beforeAll(async () => {
  sandbox = await startStandardSandbox();
  tokenEndpoint = await endpointOf(sandbox, 'token_endpoint');
});
afterAll(() => sandbox.stop());

const clientCredentials = (extra: Record<string, string> = {}): Record<string, string> => ({
  grant_type: 'client_credentials',
  scope: 'api.read',
  resource: resource(),
  ...extra,
});

describe('client authentication at the standards token endpoint', () => {
  test('RFC 6749 §2.3.1: client_secret_basic with form-encoded id and secret is accepted', async () => {
    const res = await postForm(tokenEndpoint, clientCredentials(), {
      authorization: basicHeader('standard-basic', BASIC_CLIENT_SECRET),
      origin: APP_ORIGIN,
    });
    expect(res.status).toBe(200);
    expect(res.body['token_type']).toBe('Bearer');
    expect(res.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
  });

  test('RFC 6749 §2.3.1: client_secret_basic without form-encoding is refused (invalid_client)', async () => {
    const res = await postForm(tokenEndpoint, clientCredentials(), {
      authorization: basicHeader('standard-basic', BASIC_CLIENT_SECRET, false),
    });
    expect(res.status).toBe(401);
    expect(res.body['error']).toBe('invalid_client');
  });

  test('client_secret_post: id and secret in the body', async () => {
    const ok = await postForm(
      tokenEndpoint,
      clientCredentials({ client_id: 'standard-post', client_secret: secretOf('standard-post') }),
    );
    expect(ok.status).toBe(200);
    const wrong = await postForm(
      tokenEndpoint,
      clientCredentials({ client_id: 'standard-post', client_secret: 'not-the-secret' }),
    );
    expect(wrong.status).toBe(401);
    expect(wrong.body['error']).toBe('invalid_client');
  });

  test('RFC 7523 §2.2: client_secret_jwt, an HS256 assertion with the secret', async () => {
    const assertion = await clientAssertion('standard-jwt', tokenEndpoint, {
      secret: secretOf('standard-jwt'),
    });
    const ok = await postForm(
      tokenEndpoint,
      clientCredentials({
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: assertion,
      }),
    );
    expect(ok.status).toBe(200);
    // RFC 7523 §3: a wrong key fails.
    const forged = await clientAssertion('standard-jwt', tokenEndpoint, { secret: 'x'.repeat(40) });
    const bad = await postForm(
      tokenEndpoint,
      clientCredentials({
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: forged,
      }),
    );
    expect(bad.status).toBe(401);
    expect(bad.body['error']).toBe('invalid_client');
    // The secret itself in the body is the wrong method for this client.
    const post = await postForm(
      tokenEndpoint,
      clientCredentials({ client_id: 'standard-jwt', client_secret: secretOf('standard-jwt') }),
    );
    expect(post.status).toBe(401);
  });

  test('RFC 7523 §2.2: private_key_jwt works once the public key is registered on the portal API', async () => {
    const { privateKey, publicJwk } = await generateClientKey();
    const assertion = await clientAssertion('standard-private-key', tokenEndpoint, {
      privateKey,
      alg: 'ES256',
    });
    const params = clientCredentials({
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion,
    });
    const before = await postForm(tokenEndpoint, params);
    expect(before.status).toBe(401);

    const refused = await fetch(`${sandbox.origin}/standard/portal/api/clients/standard-private-key/jwks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ keys: [{ ...publicJwk, d: 'private' }] }),
    });
    expect(refused.status).toBe(400);
    const saved = await fetch(`${sandbox.origin}/standard/portal/api/clients/standard-private-key/jwks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ keys: [publicJwk] }),
    });
    expect(saved.status).toBe(200);
    const again = await clientAssertion('standard-private-key', tokenEndpoint, { privateKey, alg: 'ES256' });
    const after = await postForm(tokenEndpoint, { ...params, client_assertion: again });
    expect(after.status).toBe(200);
    expect(after.body['token_type']).toBe('Bearer');
  });

  test('none: the public client redeems a code with only its client_id (and PKCE)', async () => {
    const { code, verifier } = await codeFor(sandbox, 'standard-spa');
    const res = await postForm(tokenEndpoint, {
      grant_type: 'authorization_code',
      client_id: 'standard-spa',
      code,
      redirect_uri: REDIRECT_URI,
      code_verifier: verifier,
    });
    expect(res.status).toBe(200);
  });

  test('a confidential client redeems its code with client_secret_basic over HTTP', async () => {
    const { code, verifier } = await codeFor(sandbox, 'standard-basic');
    const res = await postForm(
      tokenEndpoint,
      { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier },
      { authorization: basicHeader('standard-basic', BASIC_CLIENT_SECRET) },
    );
    expect(res.status).toBe(200);
    expect(typeof res.body['id_token']).toBe('string');
  });

  test('CORS preflight on the token endpoint exposes DPoP-Nonce and WWW-Authenticate', async () => {
    const res = await fetch(tokenEndpoint, {
      method: 'OPTIONS',
      headers: {
        origin: APP_ORIGIN,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'dpop, content-type',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    const post = await postForm(
      tokenEndpoint,
      clientCredentials({ client_id: 'standard-post', client_secret: 'x' }),
      {
        origin: APP_ORIGIN,
      },
    );
    const exposed = (post.headers.get('access-control-expose-headers') ?? '').toLowerCase();
    expect(exposed).toContain('www-authenticate');
    expect(exposed).toContain('dpop-nonce');
  });
});
