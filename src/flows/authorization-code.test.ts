import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exportJWK, generateKeyPair, importJWK, jwtVerify, SignJWT } from 'jose';
import fc from 'fast-check';
import { beforeAll, describe, expect, test } from 'vitest';
import { NetworkError } from '../protocol/errors.ts';
import { generateClientKey } from '../protocol/client-auth.ts';
import { generateRequestObjectKeyPair } from '../protocol/jar.ts';
import { encodeBase64Url } from '../protocol/base64url.ts';
import { pickFlowSupportMetadata } from '../protocol/flow-support.ts';
import {
  type AuthCodeContext,
  authCodeVariants,
  authorizationCodeFlow,
  AUTHORIZE_PARAMETERS,
  buildAuthorizeStep,
  buildExchangeRequest,
  buildPushRequest,
  createAuthCodeContext,
  decideExchangeRoute,
  decidePushRoute,
  effectiveResponseMode,
  fetchFormPostResponse,
  formPostBlockedReason,
  formPostIdFrom,
  isOwnCallback,
  loadFlowPart,
  makePkcePair,
  makeRequestObject,
  metadataWarnings,
  navigationLabel,
  pendingBeforeSignIn,
  previewAuthorizeUrl,
  promptsConsentForOfflineAccess,
  readExchange,
  readPush,
  requestFingerprint,
  sendExchange,
  sendPush,
  signInBlockedReason,
  standardsWarnings,
} from './authorization-code.ts';
import {
  readCallback,
  readCallbackVerified,
  readPastedResponse,
  returnTripMessage,
} from './authorization-code-callback.ts';
import { buildSequenceDiagram } from './diagram.ts';
import { runStep, type FlowDeps } from './runner.ts';
import { plannedDiagram } from './live-diagram.ts';
import type { DiagramMessage } from './types.ts';

const endpoints = {
  authorizationEndpoint: 'http://localhost:5174/tenant/oauth2/v2.0/authorize',
  tokenEndpoint: 'http://localhost:5174/tenant/oauth2/v2.0/token',
};

function jwt(payload: object): string {
  const part = (o: object) => encodeBase64Url(new TextEncoder().encode(JSON.stringify(o)));
  return `${part({ alg: 'RS256', typ: 'JWT' })}.${part(payload)}.c2ln`;
}

interface Call {
  url: string;
  init: RequestInit;
}

function stubDeps(respond: (call: Call) => Response): FlowDeps & { calls: Call[] } {
  const calls: Call[] = [];
  return {
    calls,
    fetch: async (url, init) => {
      calls.push({ url, init });
      return respond({ url, init });
    },
    now: () => 1_000,
    relayAvailable: true,
    appOrigin: 'http://localhost:5173',
  };
}

function context(usePkce: boolean): AuthCodeContext {
  return createAuthCodeContext({
    ...endpoints,
    clientId: 'client-1',
    redirectUri: 'http://localhost:5173/callback',
    clientSecret: usePkce ? '' : 's3cret',
    usePkce,
  });
}

describe('authorization code flow', () => {
  test('PKCE run end to end against a stub token endpoint', async () => {
    let ctx = context(true);
    ctx = { ...ctx, ...(await makePkcePair(ctx)) };
    const url = buildAuthorizeStep(ctx).url;
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('code_challenge')).toBe(ctx.challenge?.challenge);
    expect(url.searchParams.has('prompt')).toBe(false);

    ctx = {
      ...ctx,
      ...readCallback(ctx, `http://localhost:5173/callback?code=the-code&state=${ctx.params['state']}`),
    };
    const deps = stubDeps(
      () =>
        new Response(
          JSON.stringify({
            token_type: 'Bearer',
            access_token: 'at',
            expires_in: 3600,
            id_token: jwt({ nonce: ctx.params['nonce'] }),
            refresh_token: 'rt',
          }),
          { status: 200, headers: { 'content-type': 'application/json' } },
        ),
    );
    ctx = { ...ctx, ...(await sendExchange(ctx, deps)) };
    expect(deps.calls[0]?.url).toBe(endpoints.tokenEndpoint);
    const body = new URLSearchParams(String(deps.calls[0]?.init.body));
    expect(body.get('grant_type')).toBe('authorization_code');
    expect(body.get('code_verifier')).toBe(ctx.codeVerifier);
    expect(body.has('client_secret')).toBe(false);
    expect(ctx.exchange?.via).toBe('browser');
    ctx = { ...ctx, ...(await readExchange(ctx)) };
    expect(ctx.tokens?.refresh_token).toBe('rt');
  });

  test('the confidential variant goes through the relay with the secret in the body', async () => {
    let ctx = context(false);
    ctx = {
      ...ctx,
      ...readCallback(ctx, `http://localhost:5173/callback?code=c&state=${ctx.params['state']}`),
    };
    expect(buildAuthorizeStep(ctx).url.searchParams.has('code_challenge')).toBe(false);
    const deps = stubDeps(() => new Response('{"access_token":"a","token_type":"Bearer"}', { status: 200 }));
    await sendExchange(ctx, deps);
    const call = deps.calls[0];
    expect(call?.url).toBe('/relay/forward');
    const headers = new Headers(call?.init.headers);
    expect(headers.get('X-Relay-Target')).toBe(endpoints.tokenEndpoint);
    expect(headers.has('X-Relay-Origin')).toBe(false);
    expect(new URLSearchParams(String(call?.init.body)).get('client_secret')).toBe('s3cret');
    expect(buildExchangeRequest(ctx).secretFields).toContain('client_secret');
  });

  test('without a relay the confidential variant fails with RELAY_UNAVAILABLE', async () => {
    let ctx = context(false);
    ctx = {
      ...ctx,
      ...readCallback(ctx, `http://localhost:5173/callback?code=c&state=${ctx.params['state']}`),
    };
    const deps = { ...stubDeps(() => new Response('')), relayAvailable: false };
    expect(decideExchangeRoute(ctx, deps).via).toBe('relay');
    const result = await runStep(sendExchange, ctx, deps);
    expect(result).toMatchObject({ ok: false, failure: { code: 'RELAY_UNAVAILABLE' } });
  });

  test('RFC 6749 §5.2: an Entra error is a failed step with the AADSTS fields kept', async () => {
    let ctx = context(true);
    ctx = { ...ctx, ...(await makePkcePair(ctx)) };
    ctx = {
      ...ctx,
      ...readCallback(ctx, `http://localhost:5173/callback?code=c&state=${ctx.params['state']}`),
    };
    const error = {
      error: 'invalid_grant',
      error_description:
        'AADSTS501481: The Code_Verifier does not match the code_challenge supplied in the authorization request.',
      error_codes: [501481],
    };
    ctx = {
      ...ctx,
      ...(await sendExchange(
        ctx,
        stubDeps(() => new Response(JSON.stringify(error), { status: 400 })),
      )),
    };
    const result = await runStep(
      readExchange,
      ctx,
      stubDeps(() => new Response('')),
    );
    expect(result).toMatchObject({
      ok: false,
      failure: { code: 'TOKEN_ENDPOINT_ERROR', status: 400, fields: { error_codes: [501481] } },
    });
    expect(ctx.exchange?.response?.status).toBe(400);
  });

  test('OIDC Core §3.1.3.7: an ID token with another nonce is refused', async () => {
    let ctx = context(true);
    ctx = {
      ...ctx,
      ...readCallback(ctx, `http://localhost:5173/callback?code=c&state=${ctx.params['state']}`),
    };
    const body = JSON.stringify({
      access_token: 'a',
      token_type: 'Bearer',
      id_token: jwt({ nonce: 'someone-else' }),
    });
    ctx = {
      ...ctx,
      ...(await sendExchange(
        ctx,
        stubDeps(() => new Response(body, { status: 200 })),
      )),
    };
    expect(
      await runStep(
        readExchange,
        ctx,
        stubDeps(() => new Response('')),
      ),
    ).toMatchObject({ ok: false, failure: { code: 'NONCE_MISMATCH' } });
  });

  test('a network failure from the browser is CORS_ERROR, never a crash', async () => {
    let ctx = context(true);
    ctx = {
      ...ctx,
      ...readCallback(ctx, `http://localhost:5173/callback?code=c&state=${ctx.params['state']}`),
    };
    const deps = {
      ...stubDeps(() => new Response('')),
      fetch: async () => Promise.reject(new TypeError('Failed to fetch')),
    };
    expect(await runStep(sendExchange, ctx, deps)).toMatchObject({
      ok: false,
      failure: { code: 'CORS_ERROR' },
    });
  });

  test('sequence diagram text, PKCE (SPA) and client secret (web app)', () => {
    expect(buildSequenceDiagram(planned(context(true)))).toMatchSnapshot();
    expect(buildSequenceDiagram(planned(context(false)))).toMatchSnapshot();
  });
});

/** The diagram as the page draws it for a run: messages without a variant, or of the run's variants. */
function planned(ctx: AuthCodeContext, appOrigin = 'http://localhost:5173') {
  return plannedDiagram(authorizationCodeFlow.diagram, authCodeVariants(ctx, appOrigin));
}

describe('the diagram draws the variant the run uses', () => {
  const texts = (ctx: AuthCodeContext) => planned(ctx).messages.map((m) => m.text);

  test('RFC 7636: PKCE off draws no code_verifier and no code_challenge; PKCE on draws both', () => {
    expect(texts(context(false)).join('\n')).not.toMatch(/code_verifier|code_challenge/);
    expect(texts(context(true)).join('\n')).toMatch(/code_verifier/);
    expect(texts(context(true)).join('\n')).toMatch(/code_challenge/);
  });

  test('the client secret is drawn only when the run holds one', () => {
    expect(texts(context(true)).join('\n')).not.toContain('client_secret');
    expect(texts(context(false))).toContain('POST /token code + client_secret');
    // A web profile keeps its secret with PKCE too: both go with the code.
    expect(texts({ ...context(true), clientSecret: 's' })).toContain(
      'POST /token code + code_verifier + client_secret',
    );
  });

  test('exactly one token request and one return trip in every variant', () => {
    for (const usePkce of [true, false])
      for (const secret of ['', 's'])
        for (const mode of ['', 'query', 'fragment', 'form_post']) {
          const base = context(usePkce);
          const ctx = { ...base, clientSecret: secret, params: { ...base.params, response_mode: mode } };
          const messages = planned(ctx).messages;
          expect(messages.filter((m) => m.text.startsWith('POST /token'))).toHaveLength(1);
          expect(
            messages.filter((m) => m.step === 'sign-in' && m.from === 'as' && m.to === 'client'),
          ).toHaveLength(1);
          expect(messages.filter((m) => m.text.startsWith('GET /authorize'))).toHaveLength(1);
        }
  });

  test('Form Post Response Mode §2: form_post returns by an auto-submitted POST, not a 302', () => {
    const base = context(true);
    const formPost = texts({ ...base, params: { ...base.params, response_mode: 'form_post' } });
    expect(formPost.join('\n')).not.toMatch(/\b302\b/);
    expect(formPost).toContain('auto-submitted form: POST redirect_uri, code and state in the body');
    expect(texts({ ...base, params: { ...base.params, response_mode: 'fragment' } })).toContain(
      '302 redirect_uri#code&state',
    );
    expect(texts(base)).toContain('302 redirect_uri?code&state');
  });

  test('paste-the-redirect: the user brings the address back, no redirect to this page is drawn', () => {
    const base = context(false);
    const desktop = { ...base, params: { ...base.params, redirect_uri: 'http://localhost:1337/' } };
    expect(authCodeVariants(desktop, 'http://localhost:5173')).toContain('paste');
    expect(texts(desktop)).toContain('pastes the address it ended on');
    expect(texts(desktop).join('\n')).not.toContain('302 redirect_uri?code');
  });

  test('every tag is one word: the page passes them joined by spaces', () => {
    for (const usePkce of [true, false])
      for (const tag of authCodeVariants(context(usePkce), 'http://localhost:5173'))
        expect(tag).not.toMatch(/\s/);
    const messages: readonly DiagramMessage[] = authorizationCodeFlow.diagram.messages;
    for (const m of messages) expect(m.variant ?? '').not.toMatch(/\s/);
  });

  test('RFC 6749 §4.1: a response type with an ID token defaults to the fragment', () => {
    expect(effectiveResponseMode({ response_type: 'code' })).toBe('query');
    expect(effectiveResponseMode({ response_type: 'code id_token' })).toBe('fragment');
    expect(effectiveResponseMode({ response_type: 'code', response_mode: 'form_post' })).toBe('form_post');
  });

  test('the authorization request, the return trip and the token request are marked http, so what the run records replaces them', () => {
    const http = (step: string) =>
      authorizationCodeFlow.diagram.messages.filter((m) => m.step === step).map((m) => 'http' in m);
    // Signing the request object happens in the page; the four ways the browser leaves are recorded.
    expect(http('authorize')).toEqual([false, true, true, true, true]);
    expect(http('par')).toEqual([true, true]);
    // The sign-in pages are not recorded, nor the JWT's verification; the pasted address comes back by hand.
    expect(http('sign-in')).toEqual([false, false, true, true, true, true, true, true, false, false, false]);
    expect(new Set(http('exchange'))).toEqual(new Set([true]));
  });
});

describe('what the live diagram records of the redirect', () => {
  test('the navigation names the response type and what protects the answer, never a value', () => {
    const ctx = context(true);
    const url = buildAuthorizeStep({
      ...ctx,
      params: { ...ctx.params, code_challenge: 'CHALLENGE', prompt: 'consent' },
    }).url;
    const label = navigationLabel(url);
    expect(label).toBe('GET …/authorize response_type=code, state, nonce, code_challenge, prompt=consent');
    expect(label).not.toContain(ctx.params['state']);
    expect(label).not.toContain('CHALLENGE');
    // A mode other than the response type's default is named.
    const formPost = buildAuthorizeStep({
      ...ctx,
      params: { ...ctx.params, response_mode: 'form_post' },
    }).url;
    expect(navigationLabel(formPost)).toContain('response_mode=form_post');
  });

  test('RFC 6749 §4.1.2: the redirect back lists its parameter names, never the code', () => {
    const trip = returnTripMessage(
      'http://localhost:5173/callback?code=SECRET-CODE&state=s1&session_state=x',
      undefined,
    );
    expect(trip).toEqual({
      method: 'GET',
      label: 'redirect to /callback, code, state, session_state in the query',
      reply: true,
    });
    expect(returnTripMessage('http://localhost:5173/callback#code=c&state=s', undefined).label).toBe(
      'redirect to /callback, code, state in the fragment',
    );
  });

  test('RFC 6749 §4.1.2.1: a refusal carries its error', () => {
    expect(
      returnTripMessage(
        'http://localhost:5173/callback?error=access_denied&state=s',
        'access_denied AADSTS65004',
      ),
    ).toEqual({
      method: 'GET',
      label: 'redirect to /callback, error, state in the query',
      reply: true,
      error: 'access_denied AADSTS65004',
    });
  });

  test('Form Post Response Mode §2: an auto-submitted POST, not a redirect; an answer that never came says so', () => {
    expect(returnTripMessage({ formPost: 'code=SECRET&state=s' }, undefined)).toEqual({
      method: 'POST',
      label: 'auto-submitted form: POST /callback, code, state in the body',
      reply: false,
    });
    expect(returnTripMessage(undefined, 'MISSING_PARAMETER')).toMatchObject({
      label: 'redirect to /callback',
      error: 'MISSING_PARAMETER',
    });
  });
});

describe('step inputs', () => {
  const ctxKeys = new Set<string>([
    ...Object.keys(context(true)),
    'issuer',
    'authorizationMetadata',
    'challenge',
    'authorizationResponse',
    'exchange',
    'tokens',
    'parEndpoint',
    'usePar',
    'jarAlg',
    'clientAuthMethod',
  ]);

  test('every step names the run-context keys its result depends on, and only real keys', () => {
    for (const step of authorizationCodeFlow.steps) {
      expect(step.inputs.length, step.id).toBeGreaterThan(0);
      for (const key of step.inputs) expect(ctxKeys, `${step.id}: ${key}`).toContain(key);
    }
  });

  test('a parameter edited after sign-in (scope, in params) makes sign-in stale; a new verifier makes PKCE stale', () => {
    const inputsOf = (id: string) => authorizationCodeFlow.steps.find((s) => s.id === id)?.inputs ?? [];
    expect(inputsOf('sign-in')).toContain('params');
    expect(inputsOf('pkce')).toContain('codeVerifier');
    expect(inputsOf('exchange')).toEqual(expect.arrayContaining(['clientSecret', 'authorizationResponse']));
  });
});

describe('paste-the-redirect mode', () => {
  const desktop = () =>
    createAuthCodeContext({
      ...endpoints,
      clientId: 'desktop',
      redirectUri: 'http://localhost:1337/',
      clientSecret: '',
      usePkce: true,
    });

  test('RFC 8252 §7.3: a loopback redirect URI that is not this app’s callback means pasting, and the relay', () => {
    const ctx = desktop();
    expect(isOwnCallback('http://localhost:5173/callback', 'http://localhost:5173')).toBe(true);
    expect(isOwnCallback('http://localhost:1337/', 'http://localhost:5173')).toBe(false);
    expect(isOwnCallback('not a url', 'http://localhost:5173')).toBe(false);
    const route = decideExchangeRoute(ctx, { relayAvailable: true, appOrigin: 'http://localhost:5173' });
    expect(route.via).toBe('relay');
    expect(route.forwardOrigin).toBeUndefined();
  });

  test('the whole redirected URL is checked against the state', () => {
    const ctx = desktop();
    const result = readPastedResponse(
      ctx,
      `  http://localhost:1337/?code=abc&state=${ctx.params['state']}&session_state=x \n`,
    );
    expect(result).toMatchObject({ stateChecked: true, authorizationResponse: { code: 'abc' } });
    expect(() => readPastedResponse(ctx, 'http://localhost:1337/?code=abc&state=other')).toThrow(
      expect.objectContaining({ code: 'STATE_MISMATCH' }),
    );
    // An error pasted without its state is the server's error, explained as such: it carries no code to
    // misuse, and calling it a state mismatch would hide what the server said.
    expect(() =>
      readPastedResponse(ctx, 'http://localhost:1337/?error=access_denied&error_description=AADSTS65004'),
    ).toThrow(expect.objectContaining({ code: 'AUTHORIZATION_RESPONSE_ERROR' }));
    // A code without its state is still refused.
    expect(() => readPastedResponse(ctx, 'http://localhost:1337/?code=abc')).toThrow(
      expect.objectContaining({
        code: 'MISSING_PARAMETER',
        problem: expect.objectContaining({ kind: 'state-missing' }),
      }),
    );
  });

  test('a bare code is accepted but flagged as unchecked; junk is refused with INVALID_INPUT', () => {
    const ctx = desktop();
    expect(readPastedResponse(ctx, '0.AQIAQlcOnozlzaRJ-abc_123')).toMatchObject({
      stateChecked: false,
      authorizationResponse: { code: '0.AQIAQlcOnozlzaRJ-abc_123' },
    });
    expect(() => readPastedResponse(ctx, '')).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    expect(() => readPastedResponse(ctx, 'the code is abc')).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
    // Only the name=value pairs (a query without its address, or a form_post body): state is checked.
    expect(readPastedResponse(ctx, `code=abc&state=${ctx.params['state']}`)).toMatchObject({
      stateChecked: true,
      authorizationResponse: { code: 'abc' },
    });
    expect(() => readPastedResponse(ctx, 'code=abc&state=x')).toThrow(
      expect.objectContaining({ code: 'STATE_MISMATCH' }),
    );
  });
});

describe('every response_mode and response_type the page offers works or is refused before sign-in', () => {
  const APP = 'http://localhost:5173';
  const ctx = (params: Record<string, string>) => {
    const base = createAuthCodeContext({
      authorizationEndpoint: 'https://login.example.com/authorize',
      tokenEndpoint: 'https://login.example.com/token',
      clientId: 'spa',
      redirectUri: `${APP}/callback`,
      clientSecret: '',
      usePkce: true,
    });
    return { ...base, params: { ...base.params, ...params } };
  };
  const served = { formPostReceiver: true, appOrigin: APP };
  const staticHost = { formPostReceiver: false, appOrigin: APP };

  test.each(['', 'query', 'fragment', 'form_post'])(
    'response_mode=%s with a local server: allowed',
    (mode) => {
      expect(signInBlockedReason(ctx({ response_mode: mode }), served)).toBeUndefined();
    },
  );

  test('form_post without the local server: refused, naming why', () => {
    expect(signInBlockedReason(ctx({ response_mode: 'form_post' }), staticHost)).toMatch(
      /cannot read a POST.*without its local server/s,
    );
    expect(signInBlockedReason(ctx({ response_mode: 'fragment' }), staticHost)).toBeUndefined();
  });

  test('form_post to a redirect URI that is not this app: not blocked here (paste mode explains the network panel)', () => {
    expect(
      signInBlockedReason(
        ctx({ response_mode: 'form_post', redirect_uri: 'http://localhost:1337/' }),
        staticHost,
      ),
    ).toBeUndefined();
    expect(
      formPostBlockedReason({ response_mode: 'form_post', redirect_uri: 'http://localhost:1337/' }, served),
    ).toMatch(/not this app’s callback/);
  });

  test('OAuth Multiple Response Types §5: code id_token in the query is refused; fragment and form_post warn', () => {
    expect(
      signInBlockedReason(ctx({ response_type: 'code id_token', response_mode: 'query' }), served),
    ).toMatch(/query string/);
    for (const mode of ['', 'fragment', 'form_post']) {
      const c = ctx({ response_type: 'code id_token', response_mode: mode });
      expect(signInBlockedReason(c, served)).toBeUndefined();
      expect(buildAuthorizeStep(c).warnings.map((w) => w.parameter)).toContain('response_type');
    }
  });

  test('a form_post answer is read like the query, and says it came as a form POST', () => {
    const c = ctx({ state: 'st' });
    const { authorizationResponse } = readCallback(c, { formPost: 'code=abc&state=st' });
    expect(authorizationResponse).toMatchObject({ code: 'abc', responseMode: 'form_post' });
  });

  test('fetchFormPostResponse: 404 says the answer is gone (once, 60 s); no answer is a network error', async () => {
    const gone = (() => Promise.resolve(new Response('{}', { status: 404 }))) as typeof fetch;
    await expect(fetchFormPostResponse('A'.repeat(32), gone)).rejects.toMatchObject({
      code: 'MISSING_PARAMETER',
      message: expect.stringMatching(/only once and only for 60 seconds/),
    });
    const down = (() => Promise.reject(new TypeError('Failed to fetch'))) as typeof fetch;
    await expect(fetchFormPostResponse('A'.repeat(32), down)).rejects.toMatchObject({
      code: 'NETWORK_ERROR',
    });
    const ok = ((url: string) => {
      expect(url).toBe(`/callback/form-post/${'A'.repeat(32)}`);
      return Promise.resolve(new Response('code=x&state=y'));
    }) as typeof fetch;
    await expect(fetchFormPostResponse('A'.repeat(32), ok)).resolves.toEqual({ formPost: 'code=x&state=y' });
    expect(formPostIdFrom(`${APP}/callback?form_post=${'A'.repeat(32)}`)).toBe('A'.repeat(32));
    expect(formPostIdFrom(`${APP}/callback?form_post=../x`)).toBeUndefined();
  });
});

describe('offered values against the 13 real providers’ discovery documents (RFC 8414 §2)', () => {
  const dir = fileURLToPath(new URL('../../test-fixtures/providers/', import.meta.url));
  const providers = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => {
      const { metadata } = JSON.parse(readFileSync(join(dir, f), 'utf8')) as {
        metadata: Record<string, unknown>;
      };
      return [f.replace(/\.json$/, ''), metadata] as const;
    });
  const offered = (name: string) => AUTHORIZE_PARAMETERS.find((p) => p.name === name)?.options ?? [];

  test('there are 13 providers', () => expect(providers).toHaveLength(13));

  test.each(providers)(
    '%s: a warning exactly for each offered value its document leaves out',
    (_name, metadata) => {
      const kept = pickFlowSupportMetadata(metadata);
      const listed = (field: string) => metadata[field] as string[] | undefined;
      for (const [parameter, field] of [
        ['response_mode', 'response_modes_supported'],
        ['code_challenge_method', 'code_challenge_methods_supported'],
        ['response_type', 'response_types_supported'],
      ] as const) {
        for (const value of offered(parameter)) {
          const warned = metadataWarnings({ [parameter]: value }, kept).some(
            (w) => w.parameter === parameter,
          );
          const list = listed(field);
          const words = (v: string) => v.split(' ').sort().join(' ');
          const expected = value !== '' && list !== undefined && !list.some((v) => words(v) === words(value));
          expect(warned, `${parameter}=${value}`).toBe(expected);
        }
      }
    },
  );

  test('Spotify (query only, S256 only): form_post, fragment and plain are warned before sign-in', () => {
    const spotify = providers.find(([name]) => name === 'spotify')?.[1] ?? {};
    const base = createAuthCodeContext({
      authorizationEndpoint: 'https://accounts.spotify.com/authorize',
      tokenEndpoint: 'https://accounts.spotify.com/api/token',
      authorizationMetadata: pickFlowSupportMetadata(spotify),
      clientId: 'x',
      redirectUri: 'http://localhost:5173/callback',
      clientSecret: '',
      usePkce: true,
    });
    const warned = (params: Record<string, string>) =>
      buildAuthorizeStep({ ...base, params: { ...base.params, ...params } }).warnings.map((w) => w.parameter);
    expect(warned({ response_mode: 'form_post' })).toContain('response_mode');
    expect(warned({ response_mode: 'fragment' })).toContain('response_mode');
    expect(warned({ response_mode: 'query' })).not.toContain('response_mode');
    expect(warned({ code_challenge_method: 'plain' })).toContain('code_challenge_method');
    expect(warned({ code_challenge_method: 'S256' })).not.toContain('code_challenge_method');
  });
});

describe('standards options: PAR, JAR, JARM, client authentication', () => {
  const ISSUER = 'http://localhost:5174/standard';
  const STANDARD = {
    authorizationEndpoint: `${ISSUER}/auth`,
    tokenEndpoint: `${ISSUER}/token`,
  };
  let serverKey: CryptoKey;
  let serverJwks: { keys: object[] };
  beforeAll(async () => {
    const pair = await generateKeyPair('RS256');
    serverKey = pair.privateKey;
    serverJwks = { keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'as-1', alg: 'RS256' }] };
  });

  function standardContext(secret = 'sec:ret+/&%'): AuthCodeContext {
    return createAuthCodeContext({
      ...STANDARD,
      issuer: ISSUER,
      clientId: 'standard-post',
      redirectUri: 'http://localhost:5173/callback',
      clientSecret: secret,
      usePkce: true,
      standards: {
        parEndpoint: `${ISSUER}/request`,
        jwksUri: `${ISSUER}/jwks`,
        corsFromBrowser: true,
      },
    });
  }

  function jarmJwt(claims: Record<string, unknown>): Promise<string> {
    return new SignJWT({
      iss: ISSUER,
      aud: 'standard-post',
      exp: Math.floor(Date.now() / 1000) + 300,
      ...claims,
    })
      .setProtectedHeader({ alg: 'RS256', kid: 'as-1' })
      .sign(serverKey);
  }

  test('RFC 9126 §5: a required PAR is on from the start; without an endpoint it is off', () => {
    const required = createAuthCodeContext({
      ...STANDARD,
      clientId: 'c',
      redirectUri: 'http://localhost:5173/callback',
      clientSecret: '',
      usePkce: true,
      standards: { parEndpoint: `${ISSUER}/request`, parRequired: true },
    });
    expect(required).toMatchObject({ usePar: true, parRequired: true });
    expect(context(true).usePar).toBeUndefined();
    expect(context(true).parEndpoint).toBeUndefined();
  });

  test('JAR + PAR + JARM + client_secret_basic, end to end against stubs', async () => {
    let ctx: AuthCodeContext = {
      ...standardContext(),
      usePar: true,
      jarAlg: 'HS256',
      clientAuthMethod: 'client_secret_basic',
      params: { ...standardContext().params, response_mode: 'jwt', scope: 'openid' },
    };
    ctx = { ...ctx, ...(await makePkcePair(ctx)) };
    expect(pendingBeforeSignIn(ctx)).toEqual({ sign: true, push: true });

    // RFC 9101 §4: the request object carries the parameters, iss = client_id, aud = issuer.
    ctx = { ...ctx, ...(await makeRequestObject(ctx, { now: () => Date.now() })) };
    expect(ctx.requestObject?.header).toEqual({ alg: 'HS256', typ: 'oauth-authz-req+jwt' });
    expect(ctx.requestObject?.claims).toMatchObject({
      iss: 'standard-post',
      aud: ISSUER,
      client_id: 'standard-post',
      response_mode: 'jwt',
      state: ctx.params['state'],
      code_challenge: ctx.challenge?.challenge,
    });
    await jwtVerify(ctx.requestObject?.jwt ?? '', new TextEncoder().encode('sec:ret+/&%'));
    expect(pendingBeforeSignIn(ctx)).toEqual({ sign: false, push: true });

    // RFC 9126 §2.1 / §3: the push carries client_id + request, Basic with the form-encoded secret.
    const pushDeps = stubDeps(
      () =>
        new Response(
          JSON.stringify({ request_uri: 'urn:ietf:params:oauth:request_uri:abc', expires_in: 60 }),
          {
            status: 201,
            headers: { 'content-type': 'application/json' },
          },
        ),
    );
    expect(decidePushRoute(ctx, pushDeps).via).toBe('browser');
    ctx = { ...ctx, ...(await sendPush(ctx, pushDeps)) };
    ctx = { ...ctx, ...readPush(ctx) };
    const pushed = new URLSearchParams(String(pushDeps.calls[0]?.init.body));
    expect([...pushed.keys()]).toEqual(['client_id', 'request']);
    expect(new Headers(pushDeps.calls[0]?.init.headers).get('authorization')).toBe(
      `Basic ${btoa('standard-post:sec%3Aret%2B%2F%26%25')}`,
    );
    expect(ctx.pushed).toMatchObject({
      request_uri: 'urn:ietf:params:oauth:request_uri:abc',
      expires_in: 60,
    });
    expect(pendingBeforeSignIn(ctx)).toEqual({ sign: false, push: false });

    // RFC 9126 §4: the browser's URL carries only client_id and request_uri.
    const url = buildAuthorizeStep(ctx).url;
    expect([...url.searchParams.keys()]).toEqual(['client_id', 'request_uri']);
    expect(navigationLabel(url)).toBe('GET /standard/auth client_id, request_uri');
    expect(buildAuthorizeStep(ctx, 1_000).warnings).toEqual([]);

    // JARM: the answer is verified with the issuer's keys, then read as code + state.
    const response = await jarmJwt({ code: 'the-code', state: ctx.params['state'] });
    const keysDeps = stubDeps(
      () =>
        new Response(JSON.stringify(serverJwks), {
          status: 200,
          headers: { 'content-type': 'application/json' },
        }),
    );
    const back = await readCallbackVerified(ctx, `http://localhost:5173/callback?response=${response}`, {
      ...keysDeps,
      now: Date.now,
    });
    expect(keysDeps.calls[0]?.url).toBe(`${ISSUER}/jwks`);
    expect(back.authorizationResponse).toMatchObject({ code: 'the-code', issuerChecked: true });
    expect(back.jarmResponse?.header).toMatchObject({ alg: 'RS256', kid: 'as-1' });
    ctx = { ...ctx, ...back };

    // The code is redeemed from the browser with the same client authentication.
    expect(
      decideExchangeRoute(
        ctx,
        stubDeps(() => new Response('')),
      ).via,
    ).toBe('browser');
    const request = buildExchangeRequest(ctx);
    expect(request.headers).toContainEqual([
      'Authorization',
      `Basic ${btoa('standard-post:sec%3Aret%2B%2F%26%25')}`,
    ]);
    expect(new URLSearchParams(request.body).has('client_secret')).toBe(false);
    expect(new URLSearchParams(request.body).get('code_verifier')).toBe(ctx.codeVerifier);
  });

  test('JAR by value: the URL carries client_id + request; changed parameters ask for a new signature', async () => {
    let ctx: AuthCodeContext = { ...standardContext(), jarAlg: 'HS256' };
    ctx = { ...ctx, ...(await makePkcePair(ctx)) };
    ctx = { ...ctx, ...(await makeRequestObject(ctx, { now: () => Date.now() })) };
    expect([...buildAuthorizeStep(ctx).url.searchParams.keys()]).toEqual(['client_id', 'request']);
    const changed = { ...ctx, params: { ...ctx.params, prompt: 'login' } };
    expect(pendingBeforeSignIn(changed)).toEqual({ sign: true, push: false });
    expect(buildAuthorizeStep(changed).warnings.map((w) => w.parameter)).toContain('request');
  });

  test('a request object whose JWT was let go before the redirect is signed again, without a stale warning', async () => {
    let ctx: AuthCodeContext = { ...standardContext(), jarAlg: 'HS256', usePar: true };
    ctx = { ...ctx, ...(await makeRequestObject(ctx, { now: () => Date.now() })) };
    const pushed = {
      exchange: { request: buildPushRequest(ctx), via: 'browser' as const, viaReason: '', startedAt: 0 },
      pushedAt: 1_000,
      pushedFrom: requestFingerprint(ctx),
      request_uri: 'urn:x',
      expires_in: 60,
      used: true,
    };
    const back: AuthCodeContext = {
      ...ctx,
      pushed,
      requestObject: {
        ...(ctx.requestObject as NonNullable<AuthCodeContext['requestObject']>),
        jwt: '',
        signedFrom: '',
      },
    };
    expect(pendingBeforeSignIn(back)).toEqual({ sign: true, push: true });
    expect(standardsWarnings(back, 2_000).map((w) => w.message)).toEqual([
      expect.stringContaining('already used'),
    ]);
    expect(new URLSearchParams(buildPushRequest(back).body).has('request')).toBe(false);
  });

  test('JAR: HS256 without a secret, or an asymmetric algorithm without a key, is INVALID_INPUT', async () => {
    const noSecret = { ...standardContext(''), jarAlg: 'HS256' as const };
    expect(
      await runStep(
        makeRequestObject,
        noSecret,
        stubDeps(() => new Response('')),
      ),
    ).toMatchObject({
      ok: false,
      failure: { code: 'INVALID_INPUT' },
    });
    const noKey = { ...standardContext(), jarAlg: 'ES256' as const };
    expect(
      await runStep(
        makeRequestObject,
        noKey,
        stubDeps(() => new Response('')),
      ),
    ).toMatchObject({
      ok: false,
      failure: { code: 'INVALID_INPUT', message: expect.stringContaining('needs a key pair') },
    });
  });

  test('JAR with a browser-made ES256 key: kid in the header, verifies with the public JWK', async () => {
    const pair = await generateRequestObjectKeyPair('ES256');
    let ctx: AuthCodeContext = { ...standardContext(), jarAlg: 'ES256', jarKey: pair };
    ctx = { ...ctx, ...(await makeRequestObject(ctx, { now: () => Date.now() })) };
    expect(ctx.requestObject?.header).toEqual({
      alg: 'ES256',
      typ: 'oauth-authz-req+jwt',
      kid: pair.publicJwk.kid,
    });
    await jwtVerify(ctx.requestObject?.jwt ?? '', await importJWK(pair.publicJwk, 'ES256'));
  });

  test('RFC 9126 §2.3: a refused push keeps the exchange and the server’s error', async () => {
    const ctx: AuthCodeContext = { ...standardContext(), usePar: true };
    const deps = stubDeps(
      () =>
        new Response('{"error":"invalid_client","error_description":"client authentication failed"}', {
          status: 401,
          headers: { 'content-type': 'application/json' },
        }),
    );
    const sent = await sendPush(ctx, deps);
    expect(sent.pushed?.exchange.response?.status).toBe(401);
    expect(await runStep(readPush, { ...ctx, ...sent }, deps)).toMatchObject({
      ok: false,
      failure: { code: 'TOKEN_ENDPOINT_ERROR', fields: { error: 'invalid_client' }, status: 401 },
    });
  });

  test('OIDC Core §3.1.2.1: a nonce without openid in the scope is warned about', () => {
    const ctx = standardContext();
    const warned = (scope: string) =>
      standardsWarnings({ ...ctx, params: { ...ctx.params, scope } }).map((w) => w.parameter);
    expect(warned('api.read')).toContain('nonce');
    expect(warned('openid api.read')).not.toContain('nonce');
    expect(
      standardsWarnings({ ...ctx, params: { ...ctx.params, scope: 'api.read', nonce: '' } }).map(
        (w) => w.parameter,
      ),
    ).not.toContain('nonce');
  });

  test('RFC 9126 §2.2 / §4: a used or expired request_uri is warned about before sign-in', () => {
    const base: AuthCodeContext = {
      ...standardContext(),
      usePar: true,
    };
    const pushed = {
      exchange: { request: buildPushRequest(base), via: 'browser' as const, viaReason: '', startedAt: 0 },
      pushedAt: 1_000_000,
      pushedFrom: requestFingerprint(base),
      request_uri: 'urn:x',
      expires_in: 60,
    };
    expect(standardsWarnings({ ...base, pushed }, 1_030_000)).toEqual([]);
    expect(standardsWarnings({ ...base, pushed }, 1_061_000)[0]?.message).toMatch(/expired 60 seconds after/);
    expect(standardsWarnings({ ...base, pushed: { ...pushed, used: true } }, 1_030_000)[0]?.message).toMatch(
      /already used/,
    );
  });

  test('JARM §4.4: a response from another issuer, or an error inside the JWT, is refused with its reason', async () => {
    const ctx: AuthCodeContext = {
      ...standardContext(),
      params: { ...standardContext().params, response_mode: 'jwt' },
    };
    const deps = {
      ...stubDeps(() => new Response(JSON.stringify(serverJwks), { status: 200 })),
      now: Date.now,
    };
    const read = (jwtText: string) =>
      runStep(
        (c: AuthCodeContext) =>
          readCallbackVerified(c, `http://localhost:5173/callback?response=${jwtText}`, deps),
        ctx,
        deps,
      );
    expect(
      await read(await jarmJwt({ iss: 'http://evil.example', code: 'c', state: ctx.params['state'] })),
    ).toMatchObject({
      ok: false,
      failure: { code: 'INVALID_RESPONSE', message: expect.stringContaining('mix-up') },
    });
    expect(
      await read(
        await jarmJwt({ error: 'access_denied', error_description: 'no', state: ctx.params['state'] }),
      ),
    ).toMatchObject({
      ok: false,
      failure: { code: 'AUTHORIZATION_RESPONSE_ERROR', fields: { error: 'access_denied' } },
    });
    expect(await read(await jarmJwt({ code: 'c', state: 'another' }))).toMatchObject({
      ok: false,
      failure: { code: 'STATE_MISMATCH' },
    });
    // Asked for JARM, answered without it: not used.
    expect(
      await runStep(
        (c: AuthCodeContext) =>
          readCallbackVerified(c, `http://localhost:5173/callback?code=c&state=${c.params['state']}`, deps),
        ctx,
        deps,
      ),
    ).toMatchObject({
      ok: false,
      failure: { code: 'INVALID_RESPONSE', message: expect.stringContaining('ignored JARM') },
    });
  });

  test('RFC 9126 §4: invalid_request_uri without state is shown as the server’s error', async () => {
    const ctx: AuthCodeContext = { ...standardContext(), usePar: true };
    const deps = { ...stubDeps(() => new Response('')), now: Date.now };
    expect(
      await runStep(
        (c: AuthCodeContext) =>
          readCallbackVerified(
            c,
            'http://localhost:5173/callback?error=invalid_request_uri&error_description=gone',
            deps,
          ),
        ctx,
        deps,
      ),
    ).toMatchObject({
      ok: false,
      failure: { code: 'AUTHORIZATION_RESPONSE_ERROR', fields: { error: 'invalid_request_uri' } },
    });
  });

  test('RFC 7523 §3 / RFC 9126 §2: JWT client authentication signs a fresh assertion per endpoint', async () => {
    const key = await generateClientKey('ES256');
    const ctx: AuthCodeContext = {
      ...standardContext(''),
      usePar: true,
      clientAuthMethod: 'private_key_jwt',
      clientKey: key,
    };
    const deps = stubDeps(
      () =>
        new Response(JSON.stringify({ request_uri: 'urn:x', expires_in: 60 }), {
          status: 201,
          headers: { 'content-type': 'application/json' },
        }),
    );
    await sendPush(ctx, deps);
    const pushBody = new URLSearchParams(String(deps.calls[0]?.init.body));
    expect(pushBody.get('client_assertion_type')).toBe(
      'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    );
    const pushed = await jwtVerify(
      pushBody.get('client_assertion') ?? '',
      await importJWK(key.publicJwk, 'ES256'),
      // The stub clock reads 1 s after the epoch.
      { currentDate: new Date(1_000) },
    );
    expect(pushed.payload).toMatchObject({ iss: 'standard-post', sub: 'standard-post', aud: ISSUER });
    // The preview shows where the assertion goes before one is signed.
    expect(new URLSearchParams(buildExchangeRequest(ctx).body).has('client_assertion_type')).toBe(true);
  });

  test('diagram variants: PAR replaces the URL message, JARM the redirect', () => {
    const ctx: AuthCodeContext = {
      ...standardContext(),
      usePar: true,
      jarAlg: 'HS256',
      params: { ...standardContext().params, response_mode: 'form_post.jwt' },
    };
    expect(buildSequenceDiagram(planned(ctx))).toMatchSnapshot();
    expect(authCodeVariants(context(true), 'http://localhost:5173')).toEqual([
      'pkce',
      'public',
      'pkce-public',
      'url-pkce',
      'query',
    ]);
  });
});

describe('offline_access beyond Entra (OIDC Core §11)', () => {
  const run = (standards: boolean) =>
    createAuthCodeContext({
      ...endpoints,
      clientId: 'standard-spa',
      redirectUri: 'http://localhost:5173/callback',
      clientSecret: '',
      usePkce: true,
      ...(standards ? { standards: {} } : {}),
    });

  test('an empty prompt becomes prompt=consent with offline_access, and a warning says why', () => {
    const ctx = run(true);
    expect(promptsConsentForOfflineAccess(ctx)).toBe(true);
    const step = buildAuthorizeStep(ctx);
    expect(step.url.searchParams.get('prompt')).toBe('consent');
    expect(step.warnings.some((w) => w.parameter === 'prompt' && w.message.includes('§11'))).toBe(true);
  });

  test('a chosen prompt, a scope without offline_access, and Entra runs are left alone', () => {
    const login = { ...run(true), params: { ...run(true).params, prompt: 'login' } };
    expect(buildAuthorizeStep(login).url.searchParams.get('prompt')).toBe('login');
    const noOffline = { ...run(true), params: { ...run(true).params, scope: 'openid profile' } };
    expect(buildAuthorizeStep(noOffline).url.searchParams.has('prompt')).toBe(false);
    expect(buildAuthorizeStep(run(false)).url.searchParams.has('prompt')).toBe(false);
  });
});

describe('the URL preview with PAR on (RFC 9126 §4)', () => {
  test('before the push it shows only client_id and a stand-in request_uri; after, the real one', () => {
    const base = createAuthCodeContext({
      ...endpoints,
      clientId: 'standard-spa',
      redirectUri: 'http://localhost:5173/callback',
      clientSecret: '',
      usePkce: true,
      standards: { parEndpoint: 'https://as.example/par' },
    });
    const ctx = { ...base, usePar: true };
    const before = previewAuthorizeUrl(ctx, buildAuthorizeStep(ctx).url);
    expect([...before.searchParams.keys()]).toEqual(['client_id', 'request_uri']);
    const plain = buildAuthorizeStep(base).url;
    expect(previewAuthorizeUrl(base, plain)).toBe(plain);
  });
});

describe('a part loaded on demand (issue 12)', () => {
  test('a load that succeeds gives its module, whatever it holds', async () => {
    await fc.assert(
      fc.asyncProperty(fc.anything(), async (module) => {
        expect(await loadFlowPart(() => Promise.resolve(module), 'reads the redirect back')).toBe(module);
      }),
    );
  });

  test('any failed load (rejected or thrown) is a NETWORK_ERROR saying what could not load and to reload, with the cause kept', async () => {
    await fc.assert(
      fc.asyncProperty(fc.anything(), fc.boolean(), async (reason, throwsAtOnce) => {
        const load = throwsAtOnce
          ? () => {
              throw reason;
            }
          : () => Promise.reject(reason as Error);
        const error: unknown = await loadFlowPart(load, 'reads the redirect back').catch((e: unknown) => e);
        expect(error).toBeInstanceOf(NetworkError);
        expect((error as NetworkError).code).toBe('NETWORK_ERROR');
        expect((error as NetworkError).message).toMatch(
          /^The code that reads the redirect back could not be loaded .*Reload the page/,
        );
        expect((error as NetworkError).cause).toBe(reason);
      }),
    );
  });
});
