/**
 * RFC 8693 token exchange at the standards issuer, over HTTP: the grant in the metadata, impersonation
 * and delegation (act), the §2.2.2 errors, narrowing scope only, and the client checks.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  calculateJwkThumbprint,
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  decodeJwt,
  decodeProtectedHeader,
  importJWK,
  jwtVerify,
  SignJWT,
  type JWK,
} from 'jose';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestSandbox, type TestSandbox } from '../test-support.ts';
import { SANDBOX_USERS } from '../seed.ts';
import { SEEDED_CLIENTS } from './clients.ts';
import { codeFor, REDIRECT_URI } from './test-support.ts';
import { TOKEN_EXCHANGE_GRANT, TOKEN_TYPE } from './token-exchange.ts';

let sandbox: TestSandbox;
let issuer: string;
let tokenEndpoint: string;
let revocationEndpoint: string;
let registrationEndpoint: string;
let jwksUri: string;
let resource: string;

const post = SEEDED_CLIENTS.find((c) => c.client_id === 'standard-post')!;
const basic = SEEDED_CLIENTS.find((c) => c.client_id === 'standard-basic')!;

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

async function form(
  url: string,
  params: Record<string, string | string[]>,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const body = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    for (const v of Array.isArray(value) ? value : [value]) body.append(name, v);
  }
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body,
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

/** A token request authenticated as standard-post (client_secret_post). */
function asPost(params: Record<string, string | string[]>): Promise<Answer> {
  return form(tokenEndpoint, {
    client_id: post.client_id,
    client_secret: post.client_secret ?? '',
    ...params,
  });
}

/** A client credentials token of standard-post: a JWT for the resource with api.read, or opaque without scope. */
async function clientToken(scope?: string): Promise<string> {
  const res = await asPost({ grant_type: 'client_credentials', ...(scope === undefined ? {} : { scope }) });
  expect(res.status).toBe(200);
  return String(res.body['access_token']);
}

function exchange(subject: string, extra: Record<string, string | string[]> = {}): Promise<Answer> {
  return asPost({
    grant_type: TOKEN_EXCHANGE_GRANT,
    subject_token: subject,
    subject_token_type: TOKEN_TYPE.accessToken,
    ...extra,
  });
}

/** An ID token of this issuer, signed with its own key (read from the sandbox's data directory). */
async function idTokenFor(sub: string, expiresIn = 300): Promise<string> {
  const file = JSON.parse(await readFile(join(sandbox.dataDir, 'standard-keys.json'), 'utf8')) as {
    signingKeys: JWK[];
  };
  const jwk = file.signingKeys[0]!;
  const key = await importJWK(jwk, 'RS256');
  return new SignJWT({ sub })
    .setProtectedHeader({ alg: 'RS256', kid: jwk.kid!, typ: 'JWT' })
    .setIssuer(issuer)
    .setAudience('standard-spa')
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + expiresIn)
    .sign(key);
}

beforeAll(async () => {
  sandbox = await startTestSandbox();
  issuer = sandbox.standard.issuer;
  resource = sandbox.standard.resource;
  const metadata = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as Record<
    string,
    unknown
  >;
  tokenEndpoint = String(metadata['token_endpoint']);
  revocationEndpoint = String(metadata['revocation_endpoint']);
  registrationEndpoint = String(metadata['registration_endpoint']);
  jwksUri = String(metadata['jwks_uri']);
  expect(metadata['grant_types_supported']).toContain(TOKEN_EXCHANGE_GRANT);
});
afterAll(async () => {
  await sandbox.stop();
});

async function verified(token: string): Promise<Record<string, unknown>> {
  const jwks = (await (await fetch(jwksUri)).json()) as { keys: JWK[] };
  const { payload } = await jwtVerify(token, createLocalJWKSet(jwks), { issuer, audience: resource });
  return payload;
}

describe('token exchange (RFC 8693) at the standards issuer', () => {
  test('§2.2.1 impersonation: a JWT access token for the resource, same subject, issued_token_type', async () => {
    const subject = await clientToken('api.read');
    const res = await exchange(subject, { resource });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      issued_token_type: TOKEN_TYPE.accessToken,
      token_type: 'Bearer',
      scope: 'api.read',
    });
    expect(res.body['expires_in']).toBeTypeOf('number');
    const token = String(res.body['access_token']);
    expect(decodeProtectedHeader(token).typ).toBe('at+jwt');
    const claims = await verified(token);
    expect(claims['sub']).toBe(decodeJwt(subject)['sub']);
    expect(claims['client_id']).toBe(post.client_id);
    expect(claims['act']).toBeUndefined();
  });

  test('a user’s tokens from the code flow: her access token (opaque, then for the API) and her ID token', async () => {
    const adele = SANDBOX_USERS[0]!;
    const signIn = async (scope: string, resourceParam: Record<string, string>) => {
      const { code, verifier } = await codeFor(sandbox, 'standard-spa', { scope, ...resourceParam });
      const res = await form(tokenEndpoint, {
        client_id: 'standard-spa',
        grant_type: 'authorization_code',
        code,
        code_verifier: verifier,
        redirect_uri: REDIRECT_URI,
        ...resourceParam,
      });
      expect(res.status).toBe(200);
      return res.body;
    };
    // Signed in for userinfo only: an opaque token without the API's scope cannot be traded up to it.
    const plain = await signIn('openid profile', {});
    const opaque = await exchange(String(plain['access_token']));
    expect(opaque.body['error']).toBe('invalid_scope');
    // Her ID token names her; exchanged, the new token is hers, for the API.
    const byId = await exchange(String(plain['id_token']), { subject_token_type: TOKEN_TYPE.idToken });
    expect(byId.status).toBe(200);
    expect((await verified(String(byId.body['access_token'])))['sub']).toBe(adele.oid);
    // Signed in for the API: the JWT access token is exchanged by the middle tier, still hers.
    const forApi = await signIn('openid api.read', { resource });
    const res = await exchange(String(forApi['access_token']));
    expect(res.status).toBe(200);
    const claims = await verified(String(res.body['access_token']));
    expect(claims['sub']).toBe(adele.oid);
    expect(claims['client_id']).toBe(post.client_id);
  });

  test('§4.1 delegation: the actor token’s subject is the act claim', async () => {
    const subjectToken = await idTokenFor('user-oid-1');
    const actor = await clientToken('api.read');
    const res = await exchange(subjectToken, {
      subject_token_type: TOKEN_TYPE.idToken,
      actor_token: actor,
      actor_token_type: TOKEN_TYPE.accessToken,
      audience: resource,
    });
    expect(res.status).toBe(200);
    const claims = await verified(String(res.body['access_token']));
    expect(claims['sub']).toBe('user-oid-1');
    expect(claims['act']).toEqual({ sub: post.client_id });
  });

  test('§4.1 a delegated token exchanged again keeps the earlier actor nested', async () => {
    const first = await exchange(await idTokenFor('user-oid-2'), {
      subject_token_type: TOKEN_TYPE.idToken,
      actor_token: await clientToken('api.read'),
      actor_token_type: TOKEN_TYPE.accessToken,
    });
    const actorOfSecond = await idTokenFor('service-77');
    const second = await exchange(String(first.body['access_token']), {
      actor_token: actorOfSecond,
      actor_token_type: TOKEN_TYPE.idToken,
    });
    expect(second.status).toBe(200);
    const claims = await verified(String(second.body['access_token']));
    expect(claims['act']).toEqual({ sub: 'service-77', act: { sub: post.client_id } });
  });

  test('RFC 9449 §6: a DPoP-bound subject token gives a token bound to the same key (cnf.jkt, token_type DPoP)', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const jwk = await exportJWK(publicKey);
    const proof = (nonce?: string) =>
      new SignJWT({
        jti: crypto.randomUUID(),
        htm: 'POST',
        htu: tokenEndpoint,
        iat: Math.floor(Date.now() / 1000),
        ...(nonce === undefined ? {} : { nonce }),
      })
        .setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk })
        .sign(privateKey);
    const params = {
      client_id: post.client_id,
      client_secret: post.client_secret ?? '',
      grant_type: 'client_credentials',
      scope: 'api.read',
    };
    const first = await fetch(tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', DPoP: await proof() },
      body: new URLSearchParams(params),
    });
    const nonce = first.headers.get('dpop-nonce') ?? undefined;
    const bound = first.ok
      ? first
      : await fetch(tokenEndpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', DPoP: await proof(nonce) },
          body: new URLSearchParams(params),
        });
    expect(bound.status).toBe(200);
    const subject = String(((await bound.json()) as Record<string, unknown>)['access_token']);
    const jkt = await calculateJwkThumbprint(jwk);
    expect(decodeJwt(subject)['cnf']).toEqual({ jkt });

    const res = await exchange(subject);
    expect(res.status).toBe(200);
    expect(res.body['token_type']).toBe('DPoP');
    expect((await verified(String(res.body['access_token'])))['cnf']).toEqual({ jkt });
  });

  test('client_secret_basic authenticates the exchange too (the secret form-encoded, RFC 6749 §2.3.1)', async () => {
    const subject = await clientToken('api.read');
    const enc = (v: string) => new URLSearchParams([['', v]]).toString().slice(1);
    const res = await form(
      tokenEndpoint,
      {
        grant_type: TOKEN_EXCHANGE_GRANT,
        subject_token: subject,
        subject_token_type: TOKEN_TYPE.accessToken,
      },
      { authorization: `Basic ${btoa(`${enc(basic.client_id)}:${enc(basic.client_secret ?? '')}`)}` },
    );
    expect(res.status).toBe(200);
    expect(decodeJwt(String(res.body['access_token']))['client_id']).toBe(basic.client_id);
  });

  test('§2.2.2 invalid_request: missing subject_token_type, unsupported type, actor type without actor', async () => {
    const subject = await clientToken('api.read');
    const missing = await asPost({ grant_type: TOKEN_EXCHANGE_GRANT, subject_token: subject });
    expect(missing.status).toBe(400);
    expect(missing.body['error']).toBe('invalid_request');
    expect(String(missing.body['error_description'])).toContain('subject_token_type');

    const saml = await exchange(subject, { subject_token_type: 'urn:ietf:params:oauth:token-type:saml2' });
    expect(saml.body).toMatchObject({ error: 'invalid_request' });
    expect(String(saml.body['error_description'])).toContain('not supported');

    const lonely = await exchange(subject, { actor_token_type: TOKEN_TYPE.jwt });
    expect(lonely.body).toMatchObject({ error: 'invalid_request' });

    const other = await exchange(subject, { requested_token_type: TOKEN_TYPE.refreshToken });
    expect(other.body).toMatchObject({ error: 'invalid_request' });
  });

  test('§2.2.2 invalid_request: a subject token that is not this issuer’s, is expired, or was revoked', async () => {
    const forged = await exchange(`${(await clientToken('api.read')).slice(0, -4)}AAAA`);
    expect(forged.body).toMatchObject({ error: 'invalid_request' });
    expect(String(forged.body['error_description'])).toContain('signature');

    const expired = await exchange(await idTokenFor('user-oid-3', -60), {
      subject_token_type: TOKEN_TYPE.idToken,
    });
    expect(expired.body).toMatchObject({ error: 'invalid_request' });
    expect(String(expired.body['error_description'])).toContain('expired');

    const unknown = await exchange('opaque-token-this-issuer-never-issued');
    expect(unknown.body).toMatchObject({ error: 'invalid_request' });

    const opaque = await clientToken();
    const revoked = await form(revocationEndpoint, {
      client_id: post.client_id,
      client_secret: post.client_secret ?? '',
      token: opaque,
    });
    expect(revoked.status).toBe(200);
    const afterRevocation = await exchange(opaque);
    expect(afterRevocation.body).toMatchObject({ error: 'invalid_request' });
    expect(String(afterRevocation.body['error_description'])).toMatch(/unknown|revoked/);
  });

  test('an ID token is not accepted as an access token (typ tells them apart)', async () => {
    const res = await exchange(await idTokenFor('user-oid-4'));
    expect(res.body).toMatchObject({ error: 'invalid_request' });
    expect(String(res.body['error_description'])).toContain('at+jwt');
  });

  test('§2.2.2 invalid_target: an unknown resource or audience, or two at once', async () => {
    const subject = await clientToken('api.read');
    const unknown = await exchange(subject, { resource: 'https://elsewhere.example/api' });
    expect(unknown.status).toBe(400);
    expect(unknown.body['error']).toBe('invalid_target');
    const audience = await exchange(subject, { audience: 'urn:example:cooperation-context' });
    expect(audience.body['error']).toBe('invalid_target');
    const two = await exchange(subject, { resource: [resource, 'https://elsewhere.example/api'] });
    expect(two.body['error']).toBe('invalid_target');
  });

  test('scope may narrow, never widen: an opaque token without api.read cannot be traded up', async () => {
    const subject = await clientToken('api.read');
    const wider = await exchange(subject, { scope: 'api.read api.write' });
    expect(wider.body['error']).toBe('invalid_scope');
    const none = await exchange(await clientToken());
    expect(none.body['error']).toBe('invalid_scope');
  });

  test('unauthorized or unauthenticated clients are refused', async () => {
    const subject = await clientToken('api.read');
    const wrongSecret = await form(tokenEndpoint, {
      client_id: post.client_id,
      client_secret: 'wrong',
      grant_type: TOKEN_EXCHANGE_GRANT,
      subject_token: subject,
      subject_token_type: TOKEN_TYPE.accessToken,
    });
    expect(wrongSecret.status).toBe(401);
    expect(wrongSecret.body['error']).toBe('invalid_client');
    // The seeded public client is not registered for the grant: oidc-provider refuses it first.
    const spa = await form(tokenEndpoint, {
      client_id: 'standard-spa',
      grant_type: TOKEN_EXCHANGE_GRANT,
      subject_token: subject,
      subject_token_type: TOKEN_TYPE.accessToken,
    });
    expect(spa.status).toBe(400);
    expect(spa.body['error']).toBe('invalid_request');
    expect(String(spa.body['error_description'])).toContain('grant type is not allowed');
    // A public client registered with the grant (RFC 7591) is refused by the grant itself.
    const registration = await fetch(registrationEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        client_name: 'public exchanger',
        redirect_uris: [REDIRECT_URI],
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', TOKEN_EXCHANGE_GRANT],
        response_types: ['code'],
      }),
    });
    expect(registration.status).toBe(201);
    const registered = (await registration.json()) as { client_id: string };
    const publicExchange = await form(tokenEndpoint, {
      client_id: registered.client_id,
      grant_type: TOKEN_EXCHANGE_GRANT,
      subject_token: subject,
      subject_token_type: TOKEN_TYPE.accessToken,
    });
    expect(publicExchange.status).toBe(400);
    expect(publicExchange.body['error']).toBe('unauthorized_client');
  });
});
