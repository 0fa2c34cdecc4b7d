import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { encodeBase64Url } from '../protocol/base64url.ts';
import { buildSequenceDiagram } from './diagram.ts';
import {
  blockedReason,
  buildHybridRedeemRequest,
  buildImplicitAuthorizeStep,
  createImplicitContext,
  decideHybridRoute,
  IMPLICIT_RESPONSE_TYPES,
  implicitFlow,
  implicitVariants,
  readHybridRedeem,
  readImplicitRedirect,
  redirectSafeImplicitContext,
  sendHybridRedeem,
  type ImplicitContext,
} from './implicit.ts';
import type { FlowDeps } from './runner.ts';
import { plannedDiagram } from './live-diagram.ts';

const CLIENT_ID = 'legacy-spa';
const CALLBACK = 'http://localhost:5173/callback';

function jwt(payload: object): string {
  const part = (o: object) => encodeBase64Url(new TextEncoder().encode(JSON.stringify(o)));
  return `${part({ alg: 'RS256', typ: 'JWT' })}.${part(payload)}.c2ln`;
}

function halfHash(value: string): string {
  const digest = createHash('sha256').update(value).digest();
  return digest.subarray(0, 16).toString('base64url');
}

function context(responseType = 'id_token token'): ImplicitContext {
  const ctx = createImplicitContext({
    authorizationEndpoint: 'http://localhost:5174/t/oauth2/v2.0/authorize',
    tokenEndpoint: 'http://localhost:5174/t/oauth2/v2.0/token',
    clientId: CLIENT_ID,
    redirectUri: CALLBACK,
  });
  return { ...ctx, params: { ...ctx.params, response_type: responseType } };
}

function fragment(params: Record<string, string>): string {
  return `${CALLBACK}#${new URLSearchParams(params).toString()}`;
}

function stubDeps(body: object, status = 200): FlowDeps & { calls: { url: string; init: RequestInit }[] } {
  const calls: { url: string; init: RequestInit }[] = [];
  return {
    calls,
    fetch: async (url, init) => {
      calls.push({ url, init });
      return new Response(JSON.stringify(body), { status });
    },
    now: () => 1_000,
    relayAvailable: true,
    appOrigin: 'http://localhost:5173',
  };
}

describe('implicit flow', () => {
  test('id_token token end to end: URL, fragment read, nonce and at_hash checked', async () => {
    const ctx = context();
    const { url, warnings } = buildImplicitAuthorizeStep(ctx);
    expect(url.searchParams.get('response_type')).toBe('id_token token');
    expect(url.searchParams.get('response_mode')).toBe('fragment');
    expect(url.searchParams.get('nonce')).toBe(ctx.params['nonce']);
    expect(warnings).toEqual([]);

    const accessToken = 'access.token.value';
    const outcome = await readImplicitRedirect(
      redirectSafeImplicitContext(ctx),
      fragment({
        access_token: accessToken,
        token_type: 'Bearer',
        expires_in: '3600',
        scope: 'openid profile https://graph.microsoft.com/User.Read',
        id_token: jwt({ aud: CLIENT_ID, nonce: ctx.params['nonce'], at_hash: halfHash(accessToken) }),
        state: ctx.params['state'] ?? '',
      }),
    );
    expect(outcome.failure).toBeUndefined();
    expect(outcome.current).toBe('tokens');
    expect(outcome.status).toMatchObject({ validate: 'done', redeem: 'skipped', tokens: 'done' });
    expect(outcome.ctx.received).toMatchObject({
      mode: 'fragment',
      accessToken,
      tokenType: 'Bearer',
      nonceChecked: true,
      hashes: [{ claim: 'at_hash', calculated: halfHash(accessToken), inToken: halfHash(accessToken) }],
    });
  });

  test('code id_token (hybrid): c_hash checked, then the code redeemed through the relay without PKCE', async () => {
    let ctx = context('code id_token');
    const outcome = await readImplicitRedirect(
      ctx,
      fragment({
        code: 'the-code',
        id_token: jwt({ aud: CLIENT_ID, nonce: ctx.params['nonce'], c_hash: halfHash('the-code') }),
        state: ctx.params['state'] ?? '',
      }),
    );
    expect(outcome.current).toBe('redeem');
    expect(outcome.ctx.received?.hashes.map((h) => h.claim)).toEqual(['c_hash']);
    ctx = outcome.ctx;
    expect(decideHybridRoute(ctx, { relayAvailable: true, appOrigin: 'http://localhost:5173' }).via).toBe(
      'relay',
    );
    const request = buildHybridRedeemRequest(ctx);
    const body = new URLSearchParams(request.body);
    expect(body.get('grant_type')).toBe('authorization_code');
    expect(body.get('code')).toBe('the-code');
    expect(body.has('code_verifier')).toBe(false);
    expect(body.has('client_secret')).toBe(false);

    const deps = stubDeps({
      token_type: 'Bearer',
      access_token: 'at',
      id_token: jwt({ aud: CLIENT_ID, nonce: ctx.params['nonce'] }),
    });
    ctx = { ...ctx, ...(await sendHybridRedeem(ctx, deps)) };
    expect(deps.calls[0]?.url).toBe('/relay/forward');
    expect((await readHybridRedeem(ctx)).tokens?.access_token).toBe('at');
  });

  test('NONCE_MISMATCH: a forged ID token fails the validate step', async () => {
    const ctx = context();
    const outcome = await readImplicitRedirect(
      ctx,
      fragment({
        access_token: 'x',
        id_token: jwt({ aud: CLIENT_ID, nonce: 'attacker', at_hash: halfHash('x') }),
        state: ctx.params['state'] ?? '',
      }),
    );
    expect(outcome.failure).toMatchObject({ stepId: 'validate', failure: { code: 'NONCE_MISMATCH' } });
    expect(outcome.status).toEqual({ authorize: 'done', 'sign-in': 'done' });
    expect(outcome.ctx.received).toBeUndefined();
  });

  test('HASH_MISMATCH: at_hash of another access token', async () => {
    const ctx = context();
    const outcome = await readImplicitRedirect(
      ctx,
      fragment({
        access_token: 'swapped',
        id_token: jwt({ aud: CLIENT_ID, nonce: ctx.params['nonce'], at_hash: halfHash('original') }),
        state: ctx.params['state'] ?? '',
      }),
    );
    expect(outcome.failure?.failure.code).toBe('HASH_MISMATCH');
  });

  test('STATE_MISMATCH before anything else; errors on the redirect keep the server fields', async () => {
    const ctx = context();
    const forged = await readImplicitRedirect(ctx, fragment({ access_token: 'x', state: 'forged' }));
    expect(forged.failure).toMatchObject({ stepId: 'sign-in', failure: { code: 'STATE_MISMATCH' } });

    const refused = await readImplicitRedirect(
      ctx,
      fragment({
        error: 'unsupported_response_type',
        error_description: 'AADSTS700054: response_type id_token is not enabled for the application.',
        state: ctx.params['state'] ?? '',
      }),
    );
    expect(refused.failure).toMatchObject({
      stepId: 'sign-in',
      failure: { code: 'AUTHORIZATION_RESPONSE_ERROR', fields: { error: 'unsupported_response_type' } },
    });
  });

  test('an unreadable saved run throws INVALID_RESPONSE', async () => {
    await expect(readImplicitRedirect({ nope: true }, fragment({}))).rejects.toMatchObject({
      code: 'INVALID_RESPONSE',
    });
  });

  test('warnings: empty nonce, missing openid; form_post is blocked with a reason', () => {
    const ctx = context();
    const emptied = { ...ctx, params: { ...ctx.params, nonce: '', scope: 'User.Read' } };
    expect(
      buildImplicitAuthorizeStep(emptied)
        .warnings.map((w) => w.parameter)
        .sort(),
    ).toEqual(['nonce', 'scope']);
    expect(blockedReason(ctx)).toBeUndefined();
    expect(blockedReason({ params: { ...ctx.params, response_mode: 'form_post' } })).toMatch(/server/);
  });

  test('nothing secret waits across the redirect', () => {
    const ctx: ImplicitContext = {
      ...context(),
      clientSecret: 's3cret',
      tokens: { access_token: 'a', token_type: 'Bearer' },
      received: { mode: 'fragment', names: [], accessToken: 'a', nonceChecked: true, hashes: [] },
    };
    const safe = JSON.stringify(redirectSafeImplicitContext(ctx));
    expect(safe).not.toContain('s3cret');
    expect(safe).not.toContain('"a"');
  });

  test('sequence diagram, id_token token in the fragment and code id_token by form_post', () => {
    expect(buildSequenceDiagram(planned(context()))).toMatchSnapshot();
    const hybrid = context('code id_token');
    expect(
      buildSequenceDiagram(planned({ ...hybrid, params: { ...hybrid.params, response_mode: 'form_post' } })),
    ).toMatchSnapshot();
  });
});

/** The diagram as the page draws it for a run: messages without a variant, or of the run's variants. */
function planned(ctx: ImplicitContext) {
  return plannedDiagram(implicitFlow.diagram, implicitVariants(ctx));
}

describe('the diagram draws the variant the run uses', () => {
  const texts = (ctx: ImplicitContext) => planned(ctx).messages.map((m) => m.text);
  const withMode = (ctx: ImplicitContext, mode: string) => ({
    ...ctx,
    params: { ...ctx.params, response_mode: mode },
  });

  test('Form Post Response Mode §2: form_post comes back as an auto-submitted POST, never a 302', () => {
    for (const type of IMPLICIT_RESPONSE_TYPES) {
      const formPost = texts(withMode(context(type), 'form_post'));
      expect(formPost.join('\n'), type).not.toMatch(/\b302\b/);
      expect(formPost.join('\n'), type).not.toContain('wipe the fragment');
      expect(
        formPost.some((t) => t.startsWith('auto-submitted form: POST redirect_uri')),
        type,
      ).toBe(true);
      const inFragment = texts(withMode(context(type), 'fragment'));
      expect(
        inFragment.filter((t) => t.startsWith('302 redirect_uri#')),
        type,
      ).toHaveLength(1);
    }
  });

  test('one authorization request, one return trip and one check in every variant', () => {
    for (const type of IMPLICIT_RESPONSE_TYPES)
      for (const mode of ['fragment', 'form_post']) {
        const messages = planned(withMode(context(type), mode)).messages;
        expect(messages.filter((m) => m.text.startsWith('GET /authorize'))).toHaveLength(1);
        expect(
          messages.filter((m) => m.step === 'sign-in' && m.from === 'as' && m.to === 'client'),
        ).toHaveLength(1);
        expect(messages.filter((m) => m.text.startsWith('check state'))).toHaveLength(1);
      }
  });

  test('OIDC Core §3.3: only the hybrid flow draws the token request; only an access token draws the API call', () => {
    expect(texts(context('code id_token'))).toContain('POST /token code');
    expect(texts(context('id_token token'))).not.toContain('POST /token code');
    expect(texts(context('id_token token'))).toContain(
      'GET /authorize response_type=id_token token, state, nonce',
    );
    expect(texts(context('id_token'))).not.toContain('Bearer access token');
    expect(texts(context('token'))).toContain('302 redirect_uri#access_token&state');
    expect(texts(context('code id_token'))).toContain('check state, nonce, c_hash');
  });

  test('the response type is compared as a set of words', () => {
    expect(implicitVariants(context('token id_token'))).toContain('id_token+token');
  });

  test('every tag is one word: the page passes them joined by spaces', () => {
    for (const type of IMPLICIT_RESPONSE_TYPES)
      for (const tag of implicitVariants(context(type))) expect(tag).not.toMatch(/\s/);
    for (const m of implicitFlow.diagram.messages) expect(m.variant ?? '').not.toMatch(/\s/);
  });

  test('the authorization request, the return trip and the hybrid token request are marked http', () => {
    for (const m of implicitFlow.diagram.messages) {
      const httpStep =
        m.step === 'authorize' ||
        m.step === 'redeem' ||
        (m.step === 'sign-in' && m.from === 'as' && m.to === 'client');
      expect('http' in m, m.text).toBe(httpStep);
    }
  });
});

describe('step inputs', () => {
  test('every step names the run-context keys its result depends on, and only real keys', () => {
    const keys = new Set([
      ...Object.keys(context()),
      'issuer',
      'authorizationMetadata',
      'received',
      'exchange',
      'tokens',
    ]);
    for (const step of implicitFlow.steps) {
      expect(step.inputs.length, step.id).toBeGreaterThan(0);
      for (const key of step.inputs) expect(keys, `${step.id}: ${key}`).toContain(key);
    }
    // A parameter edited after the sign-in (scope, nonce…) makes the sign-in and all after it stale.
    expect(implicitFlow.steps.find((s) => s.id === 'sign-in')?.inputs).toContain('params');
  });
});
