import { calculateJwkThumbprint, EmbeddedJWK, generateKeyPair, jwtVerify, SignJWT, type JWK } from 'jose';
import { describe, expect, test } from 'vitest';
import { calculateAccessTokenHash } from '../protocol/dpop.ts';
import { buildSequenceDiagram } from './diagram.ts';
import {
  decideDpopRoute,
  buildDpopApiRequest,
  buildDpopTokenRequest,
  callApiWithDpop,
  createDpopContext,
  dpopFlow,
  makeKeyPair,
  misuseToken,
  readApiVerdict,
  readDirectoryClients,
  readDpopServer,
  readDpopTokenResponse,
  readRetriedToken,
  retryWithNonce,
  sendDpopTokenRequest,
  signTokenProof,
  standardSandboxTargets,
  validateDpopTokenRequest,
  type DpopContext,
} from './dpop.ts';
import { plannedDiagram } from './live-diagram.ts';
import { runStep, type FlowDeps } from './runner.ts';

const SANDBOX = 'http://localhost:5174';
const TARGETS = standardSandboxTargets(SANDBOX);
const TOKEN_ENDPOINT = `${TARGETS.issuer}/token`;

interface Call {
  url: string;
  init: RequestInit;
}

function header(init: RequestInit, name: string): string | undefined {
  return new Headers(init.headers).get(name) ?? undefined;
}

/**
 * A stub standards server: metadata, directory, a token endpoint and an API that both demand a nonce
 * and check proofs with jose as a real server would.
 */
async function stubServer(options: { tokenNonce?: boolean; dpopAlgs?: string[] } = {}) {
  const { privateKey } = await generateKeyPair('ES256');
  const calls: Call[] = [];
  const seen = new Set<string>();
  const verifyProof = async (init: RequestInit, htm: string, htu: string, nonce: string) => {
    const proof = header(init, 'dpop');
    if (proof === undefined) return { error: 'invalid_dpop_proof' as const };
    const { payload, protectedHeader } = await jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt' });
    if (payload['htm'] !== htm || payload['htu'] !== htu || seen.has(String(payload['jti'])))
      return { error: 'invalid_dpop_proof' as const };
    if ((payload['nonce'] ?? '') !== nonce) return { error: 'use_dpop_nonce' as const };
    seen.add(String(payload['jti']));
    return { jkt: await calculateJwkThumbprint(protectedHeader.jwk as JWK), payload };
  };
  const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
    new Response(JSON.stringify(body), {
      status,
      headers: { 'content-type': 'application/json', ...headers },
    });
  const fetch = async (url: string, init: RequestInit): Promise<Response> => {
    calls.push({ url, init });
    if (url === `${TARGETS.issuer}/.well-known/openid-configuration`) {
      return json(200, {
        issuer: TARGETS.issuer,
        authorization_endpoint: `${TARGETS.issuer}/auth`,
        token_endpoint: TOKEN_ENDPOINT,
        jwks_uri: `${TARGETS.issuer}/jwks`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        ...(options.dpopAlgs === undefined ? {} : { dpop_signing_alg_values_supported: options.dpopAlgs }),
      });
    }
    if (url === TARGETS.directoryUrl) {
      return json(200, {
        clients: [
          {
            client_id: 'standard-basic',
            client_secret: 's3cr3t:+/&%',
            token_endpoint_auth_method: 'client_secret_basic',
          },
          {
            client_id: 'standard-post',
            client_secret: 'post-secret',
            token_endpoint_auth_method: 'client_secret_post',
          },
        ],
      });
    }
    if (url === TOKEN_ENDPOINT) {
      const checked = await verifyProof(
        init,
        'POST',
        TOKEN_ENDPOINT,
        options.tokenNonce === false ? '' : 'as-nonce',
      );
      if ('error' in checked) {
        return json(
          400,
          { error: checked.error },
          checked.error === 'use_dpop_nonce' ? { 'DPoP-Nonce': 'as-nonce' } : {},
        );
      }
      const access_token = await new SignJWT({ sub: 'standard-post', cnf: { jkt: checked.jkt } })
        .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt' })
        .sign(privateKey);
      return json(200, { access_token, token_type: 'DPoP', expires_in: 600, scope: 'api.read' });
    }
    if (url === TARGETS.apiUrl) {
      const authorization = header(init, 'authorization') ?? '';
      const [scheme, token = ''] = authorization.split(' ');
      if (scheme !== 'DPoP') {
        return new Response('', {
          status: 401,
          headers: {
            'WWW-Authenticate':
              'DPoP algs="ES256", error="invalid_token", error_description="DPoP-bound token sent as Bearer"',
          },
        });
      }
      const checked = await verifyProof(init, 'GET', TARGETS.apiUrl, 'rs-nonce');
      if ('error' in checked) {
        return new Response('', {
          status: 401,
          headers: {
            'WWW-Authenticate': `DPoP error="${checked.error}"`,
            ...(checked.error === 'use_dpop_nonce' ? { 'DPoP-Nonce': 'rs-nonce' } : {}),
          },
        });
      }
      const cnf = JSON.parse(atob(token.split('.')[1] ?? '')) as { cnf: { jkt: string } };
      if (checked.payload['ath'] !== (await calculateAccessTokenHash(token)) || cnf.cnf.jkt !== checked.jkt) {
        return new Response('', {
          status: 401,
          headers: { 'WWW-Authenticate': 'DPoP error="invalid_token"' },
        });
      }
      return json(200, { client_id: 'standard-post', token_type_used: 'DPoP', cnf: cnf.cnf });
    }
    return new Response('not found', { status: 404 });
  };
  const deps: FlowDeps = {
    fetch,
    now: () => Date.now(),
    relayAvailable: false,
    appOrigin: 'http://localhost:5173',
  };
  return { deps, calls };
}

async function step<P>(
  fn: (ctx: DpopContext, deps: FlowDeps) => Promise<P> | P,
  ctx: DpopContext,
  deps: FlowDeps,
) {
  const result = await runStep(fn, ctx, deps);
  if (!result.ok) throw new Error(`${result.failure.code}: ${result.failure.message}`);
  return { ...ctx, ...result.patch } as DpopContext;
}

function freshContext(): DpopContext {
  return createDpopContext({
    issuer: TARGETS.issuer,
    directoryUrl: TARGETS.directoryUrl,
    resource: TARGETS.resource,
    apiUrl: TARGETS.apiUrl,
  });
}

describe('the DPoP flow against a stub standards server', () => {
  test('RFC 9449 end to end: metadata, key, proof, use_dpop_nonce, retry, cnf.jkt, API nonce, refusals', async () => {
    const { deps, calls } = await stubServer({ dpopAlgs: ['ES256', 'PS256'] });
    let ctx = await step(readDpopServer, freshContext(), deps);
    expect(ctx).toMatchObject({
      tokenEndpoint: TOKEN_ENDPOINT,
      dpopAlgorithms: ['ES256', 'PS256'],
      clientId: 'standard-post',
      clientSecret: 'post-secret',
      clientAuth: 'client_secret_post',
    });
    ctx = await step(makeKeyPair, ctx, deps);
    ctx = await step(signTokenProof, ctx, deps);
    expect(ctx.tokenProof?.claims).toMatchObject({ htm: 'POST', htu: TOKEN_ENDPOINT });
    expect(ctx.tokenProof?.claims.nonce).toBeUndefined();
    expect(validateDpopTokenRequest(ctx, Date.now())).toEqual([]);

    ctx = await step(sendDpopTokenRequest, ctx, deps);
    ctx = await step(readDpopTokenResponse, ctx, deps);
    expect(ctx.tokenChallenge).toMatchObject({ error: 'use_dpop_nonce', nonce: 'as-nonce' });
    expect(ctx.tokens).toBeUndefined();
    const sent = calls.find((c) => c.url === TOKEN_ENDPOINT)!;
    const body = new URLSearchParams(String(sent.init.body));
    expect(body.get('grant_type')).toBe('client_credentials');
    expect(body.get('resource')).toBe(TARGETS.resource);
    expect(header(sent.init, 'dpop')).toBe(ctx.tokenProof?.jwt);

    ctx = await step(retryWithNonce, ctx, deps);
    ctx = await step(readRetriedToken, ctx, deps);
    expect(ctx.retryProof?.claims.nonce).toBe('as-nonce');
    expect(ctx.binding).toEqual({
      tokenType: 'DPoP',
      isDpop: true,
      decoded: true,
      jkt: ctx.keyPair?.thumbprint,
      matches: true,
    });

    ctx = await step(callApiWithDpop, ctx, deps);
    expect(ctx.apiAttempts).toHaveLength(2);
    expect(ctx.apiAttempts?.[0]?.challenge).toMatchObject({ error: 'use_dpop_nonce', nonce: 'rs-nonce' });
    expect(ctx.apiAttempts?.[1]?.proof?.claims).toMatchObject({
      htm: 'GET',
      htu: TARGETS.apiUrl,
      nonce: 'rs-nonce',
      ath: await calculateAccessTokenHash(ctx.tokens!.access_token),
    });
    expect(readApiVerdict(ctx.apiAttempts?.[1])).toMatchObject({ accepted: true, status: 200 });
    expect(ctx.apiNonce).toBe('rs-nonce');

    // A second call reuses the API's nonce: one call, no challenge.
    ctx = await step(callApiWithDpop, ctx, deps);
    expect(ctx.apiAttempts).toHaveLength(1);
    expect(readApiVerdict(ctx.apiAttempts?.[0]).accepted).toBe(true);

    ctx = await step((c, d) => misuseToken('bearer', c, d), ctx, deps);
    expect(readApiVerdict(ctx.misuse?.bearer)).toMatchObject({
      accepted: false,
      status: 401,
      error: 'invalid_token',
    });
    ctx = await step((c, d) => misuseToken('other-key', c, d), ctx, deps);
    expect(readApiVerdict(ctx.misuse?.['other-key'])).toMatchObject({
      accepted: false,
      error: 'invalid_token',
    });
    expect(ctx.misuse?.['other-key']?.proof?.header.jwk).not.toEqual(ctx.keyPair?.publicJwk);
  });

  test('a server that needs no nonce issues the token on the first request', async () => {
    const { deps } = await stubServer({ tokenNonce: false, dpopAlgs: ['ES256'] });
    let ctx = await step(readDpopServer, freshContext(), deps);
    ctx = await step(makeKeyPair, ctx, deps);
    ctx = await step(signTokenProof, ctx, deps);
    ctx = await step(sendDpopTokenRequest, ctx, deps);
    ctx = await step(readDpopTokenResponse, ctx, deps);
    expect(ctx.tokenChallenge).toBeUndefined();
    expect(ctx.binding?.matches).toBe(true);
  });

  test('RFC 9449 §5.1: no dpop_signing_alg_values_supported reads as not advertised', async () => {
    const { deps } = await stubServer();
    const ctx = await step(readDpopServer, freshContext(), deps);
    expect(ctx.dpopAlgorithms).toEqual([]);
  });

  test('a proof without a key pair fails with INVALID_INPUT, never a crash', async () => {
    const { deps } = await stubServer();
    const result = await runStep(signTokenProof, { ...freshContext(), tokenEndpoint: TOKEN_ENDPOINT }, deps);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.failure.code).toBe('INVALID_INPUT');
    // A key that went through storage is a bare object: treated as gone.
    const restored = {
      ...freshContext(),
      tokenEndpoint: TOKEN_ENDPOINT,
      keyPair: JSON.parse('{"alg":"ES256","privateKey":{}}'),
    };
    const again = await runStep(signTokenProof, restored, deps);
    expect(again.ok).toBe(false);
  });

  test('a Bearer answer to a DPoP request is refused as INVALID_RESPONSE', async () => {
    const deps: FlowDeps = {
      fetch: async () =>
        new Response('{"access_token":"abc","token_type":"Bearer"}', {
          status: 200,
          headers: { 'content-type': 'application/json' },
        }),
      now: () => Date.now(),
      relayAvailable: false,
      appOrigin: 'http://localhost:5173',
    };
    let ctx: DpopContext = {
      ...freshContext(),
      tokenEndpoint: TOKEN_ENDPOINT,
      clientId: 'c',
      clientSecret: 's',
    };
    ctx = await step(makeKeyPair, ctx, deps);
    ctx = await step(signTokenProof, ctx, deps);
    ctx = await step(sendDpopTokenRequest, ctx, deps);
    const result = await runStep(readDpopTokenResponse, ctx, deps);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.failure).toMatchObject({ code: 'INVALID_RESPONSE' });
  });

  test('warnings: an algorithm the server does not list, an empty client, a refresh without a token', () => {
    const ctx: DpopContext = {
      ...freshContext(),
      dpopAlgorithms: ['ES256'],
      algorithm: 'PS256',
      grant: 'refresh_token',
      clientAuth: 'client_secret_basic',
    };
    expect(
      validateDpopTokenRequest(ctx, Date.now())
        .map((w) => w.parameter)
        .sort(),
    ).toEqual(['DPoP', 'client_id', 'client_secret', 'refresh_token']);
  });

  test('requests: Basic auth form-encodes the secret, the refresh grant sends the refresh token, Bearer has no proof', () => {
    const request = buildDpopTokenRequest(
      {
        ...freshContext(),
        tokenEndpoint: TOKEN_ENDPOINT,
        grant: 'refresh_token',
        clientId: 'standard-basic',
        clientSecret: 's3cr3t:+/&%',
        clientAuth: 'client_secret_basic',
        refreshToken: 'rt',
      },
      undefined,
    );
    expect(new URLSearchParams(request.body).get('refresh_token')).toBe('rt');
    const basic = request.headers.find(([n]) => n === 'Authorization')?.[1] ?? '';
    expect(atob(basic.replace('Basic ', ''))).toBe('standard-basic:s3cr3t%3A%2B%2F%26%25');
    const bearer = buildDpopApiRequest(TARGETS.apiUrl, 'tok', 'Bearer', undefined);
    expect(bearer.headers).toEqual([
      ['Accept', 'application/json'],
      ['Authorization', 'Bearer tok'],
    ]);
  });

  test('directory clients: unreadable entries are skipped', () => {
    expect(readDirectoryClients({ clients: [{ client_id: 'a' }, 3, null] })).toEqual([
      { client_id: 'a', token_endpoint_auth_method: '' },
    ]);
    expect(readDirectoryClients('nope')).toEqual([]);
  });

  test('sequence diagram', () => {
    expect(buildSequenceDiagram(plannedDiagram(dpopFlow.diagram, []))).toMatchSnapshot();
  });
});

describe('where the DPoP token request goes', () => {
  test('the standards sandbox from the browser; any other provider through the relay, proof and all', () => {
    const deps = { relayAvailable: true, relayToken: 't' };
    expect(decideDpopRoute({ directoryUrl: 'http://localhost:5174/standard/directory.json' }, deps).via).toBe(
      'browser',
    );
    const relayed = decideDpopRoute({}, deps);
    expect(relayed).toMatchObject({ via: 'relay', relayToken: 't' });
    expect(relayed.reason).toMatch(/DPoP header/);
    expect(decideDpopRoute({}, { relayAvailable: false }).reason).toMatch(/No local relay/);
  });
});
