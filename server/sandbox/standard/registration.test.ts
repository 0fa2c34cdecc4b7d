import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  APP_ORIGIN,
  authorizeUrl,
  Browser,
  discover,
  postForm,
  REDIRECT_URI,
  signInAt,
  startStandardSandbox,
  type TestSandbox,
} from './test-support.ts';

let sandbox: TestSandbox;
let doc: Record<string, unknown>;
beforeAll(async () => {
  sandbox = await startStandardSandbox();
  doc = await discover(sandbox);
});
afterAll(() => sandbox.stop());

async function register(
  metadata: Record<string, unknown>,
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const res = await fetch(String(doc['registration_endpoint']), {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: APP_ORIGIN },
    body: JSON.stringify(metadata),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

describe('RFC 7591 dynamic client registration and RFC 7592 management', () => {
  test('§3.2.1: an open registration returns a client that can sign a user in and redeem its code', async () => {
    const created = await register({
      client_name: 'Registered in a test',
      redirect_uris: ['http://localhost:5173/callback'],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_post',
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('access-control-allow-origin')).toBe('*');
    const clientId = String(created.body['client_id']);
    const clientSecret = String(created.body['client_secret']);
    expect(created.body['registration_access_token']).toEqual(expect.any(String));
    expect(String(created.body['registration_client_uri'])).toContain(clientId);

    const { url, verifier } = await authorizeUrl(sandbox, clientId);
    const back = await signInAt(new Browser(sandbox), url);
    const token = await postForm(String(doc['token_endpoint']), {
      grant_type: 'authorization_code',
      code: back.searchParams.get('code') ?? '',
      redirect_uri: REDIRECT_URI,
      code_verifier: verifier,
      client_id: clientId,
      client_secret: clientSecret,
    });
    expect(token.status).toBe(200);
    expect(typeof token.body['id_token']).toBe('string');
  });

  test('RFC 7592 §2.1/§2.3: read with the registration access token, then delete; the client is gone', async () => {
    const created = await register({
      redirect_uris: ['http://localhost:5173/callback'],
      token_endpoint_auth_method: 'none',
    });
    const uri = String(created.body['registration_client_uri']);
    const auth = { authorization: `Bearer ${String(created.body['registration_access_token'])}` };
    const read = await fetch(uri, { headers: auth });
    expect(read.status).toBe(200);
    expect(((await read.json()) as Record<string, unknown>)['client_id']).toBe(created.body['client_id']);
    const wrong = await fetch(uri, { headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    const deleted = await fetch(uri, { method: 'DELETE', headers: auth });
    expect(deleted.status).toBe(204);
    const { url } = await authorizeUrl(sandbox, String(created.body['client_id']));
    const result = await new Browser(sandbox).go(url);
    expect('html' in result && result.html.includes('invalid_client')).toBe(true);
  });

  test('§3.2.2: invalid metadata is invalid_redirect_uri / invalid_client_metadata', async () => {
    const bad = await register({ redirect_uris: ['not a url'] });
    expect(bad.status).toBe(400);
    expect(String(bad.body['error'])).toMatch(/invalid_redirect_uri|invalid_client_metadata/);
  });

  test('URLs the sandbox would call itself must be on this machine', async () => {
    for (const member of ['jwks_uri', 'backchannel_logout_uri', 'sector_identifier_uri']) {
      const res = await register({
        redirect_uris: ['http://localhost:5173/callback'],
        [member]: 'https://example.com/somewhere',
      });
      expect(res.status, member).toBe(400);
      expect(res.body['error'], member).toBe('invalid_client_metadata');
      expect(String(res.body['error_description']), member).toContain(
        `${member} must be an http(s) URL on localhost`,
      );
    }
  });

  test('the registration endpoint answers a CORS preflight', async () => {
    const res = await fetch(String(doc['registration_endpoint']), {
      method: 'OPTIONS',
      headers: {
        origin: APP_ORIGIN,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-methods')).toContain('POST');
  });
});
