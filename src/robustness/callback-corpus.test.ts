/**
 * Bad-input corpus for the redirect back from the authorization server: errors, missing, repeated
 * and injected parameters, percent-encoding garbage, very long values, state and nonce mismatches —
 * through the protocol parser, the code flow's steps and the implicit / hybrid validation.
 * Cases named in a "Regression" comment pin defects this corpus found and that are now fixed.
 */
import { describe, expect, test } from 'vitest';
import {
  checkIdTokenNonce,
  createAuthCodeContext,
  type AuthCodeContext,
} from '../flows/authorization-code.ts';
import { readCallback, readPastedResponse } from '../flows/authorization-code-callback.ts';
import { createImplicitContext, readImplicitRedirect, type ImplicitContext } from '../flows/implicit.ts';
import { runStep, toStepFailure, type FlowDeps, type StepFailure } from '../flows/runner.ts';
import { parseAuthorizationResponse } from '../protocol/callback.ts';
import { LabError, type ErrorCode } from '../protocol/errors.ts';
import { calculateHalfHash, validateHybridResponse } from '../protocol/hybrid.ts';
import type { TokenResponse } from '../protocol/token.ts';
import { explainFailure, type StepKind } from '../ui/explain-error.ts';

const MAX_MESSAGE = 500;
const STATE = 'st4te-Q1w2';
const NONCE = 'n0nce-Z9x8';
const CLIENT = '2d5f7b3e-8a41-4c6f-9e20-5b7c1d3a9f01';
const CB = 'http://localhost:5173/callback';
const LONG = 'L'.repeat(100_000);

const b64u = (text: string): string => Buffer.from(text).toString('base64url');
const enc = (value: unknown): string => b64u(JSON.stringify(value));
const idToken = (payload: unknown, header: unknown = { alg: 'RS256', typ: 'JWT' }): string =>
  `${enc(header)}.${enc(payload)}.c2ln`;

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

const DEPS: FlowDeps = {
  fetch: () => Promise.reject(new Error('no network in this test')),
  now: () => 1_700_000_000_000,
  relayAvailable: true,
  appOrigin: 'http://localhost:5173',
};

function codeContext(): AuthCodeContext {
  const base = createAuthCodeContext({
    authorizationEndpoint: 'http://localhost:5174/t/oauth2/v2.0/authorize',
    tokenEndpoint: 'http://localhost:5174/t/oauth2/v2.0/token',
    issuer: 'http://localhost:5174/t/v2.0',
    clientId: CLIENT,
    redirectUri: CB,
    clientSecret: '',
    usePkce: true,
  });
  // The user's own edits, which a failure must leave as they are.
  return deepFreeze({
    ...base,
    params: { ...base.params, state: STATE, nonce: NONCE, scope: 'openid User.Read my-typed-scope' },
  });
}

/** The failure is typed, specific, bounded and explained by something better than the BUG entry. */
function expectExplainedFailure(
  failure: StepFailure,
  code: ErrorCode | readonly string[],
  context?: StepKind,
): void {
  if (typeof code === 'string') expect(failure.code).toBe(code);
  else expect(code).toContain(failure.code);
  expect(failure.code).not.toBe('BUG');
  expect(failure.message.trim()).not.toBe('');
  // A server's own error_description is kept verbatim (shown as a field); our own messages are bounded.
  if (failure.fields === undefined) expect(failure.message.length).toBeLessThanOrEqual(MAX_MESSAGE);
  const explanation = explainFailure(failure, context);
  expect(explanation.title).not.toBe('Unexpected error');
  expect(explanation.what).not.toBe('');
}

type Expectation = ErrorCode | { readonly ok: (params: Readonly<Record<string, string>>) => void };

const q = (query: string): string => `${CB}?${query}`;
const f = (fragment: string): string => `${CB}#${fragment}`;
const okState = `state=${STATE}`;

/** Callback URLs read by the code flow's step "sign-in", and what each must lead to. */
const CALLBACKS: Record<string, { url: string; expect: Expectation }> = {
  // Nothing at all is not a forged response: it is named as missing, not as a state mismatch.
  'no parameters at all': { url: CB, expect: 'MISSING_PARAMETER' },
  'only a question mark': { url: `${CB}?`, expect: 'MISSING_PARAMETER' },
  'only a hash': { url: `${CB}#`, expect: 'MISSING_PARAMETER' },
  'code without state': { url: q('code=abc'), expect: 'STATE_MISMATCH' },
  'state from another tab': { url: q('code=abc&state=other'), expect: 'STATE_MISMATCH' },
  'state differing only in case': {
    url: q(`code=abc&state=${STATE.toUpperCase()}`),
    expect: 'STATE_MISMATCH',
  },
  'state with a trailing space': { url: q(`code=abc&state=${STATE}%20`), expect: 'STATE_MISMATCH' },
  'state with a zero-width space appended': {
    url: q(`code=abc&state=${STATE}%E2%80%8B`),
    expect: 'STATE_MISMATCH',
  },
  'state with an RTL override': { url: q(`code=abc&state=%E2%80%AE${STATE}`), expect: 'STATE_MISMATCH' },
  'empty state': { url: q('code=abc&state='), expect: 'STATE_MISMATCH' },
  'state 100 000 characters long': { url: q(`code=abc&state=${LONG}`), expect: 'STATE_MISMATCH' },
  'state injected as HTML': {
    url: q('code=abc&state=%3Cscript%3Ealert(1)%3C%2Fscript%3E'),
    expect: 'STATE_MISMATCH',
  },
  'state repeated, the second one right': {
    url: q(`code=abc&state=evil&${okState}`),
    expect: 'DUPLICATE_PARAMETER',
  },
  'state repeated with the same value': {
    url: q(`code=abc&${okState}&${okState}`),
    expect: 'DUPLICATE_PARAMETER',
  },
  'code repeated (code injection)': {
    url: q(`code=abc&code=attacker&${okState}`),
    expect: 'DUPLICATE_PARAMETER',
  },
  'error repeated': { url: q(`error=a&error=b&${okState}`), expect: 'DUPLICATE_PARAMETER' },
  'repeated in the fragment': { url: f(`code=a&code=b&${okState}`), expect: 'DUPLICATE_PARAMETER' },
  'error without state (forged error page)': { url: q('error=access_denied'), expect: 'STATE_MISMATCH' },
  'error with the right state': {
    url: q(`error=access_denied&error_description=AADSTS65004%3A+declined&${okState}`),
    expect: 'AUTHORIZATION_RESPONSE_ERROR',
  },
  'error and a code together': {
    url: q(`code=abc&error=server_error&${okState}`),
    expect: 'AUTHORIZATION_RESPONSE_ERROR',
  },
  'error with an HTML description': {
    url: q(`error=invalid_request&error_description=%3Cimg+src%3Dx+onerror%3Dalert(1)%3E&${okState}`),
    expect: 'AUTHORIZATION_RESPONSE_ERROR',
  },
  'error named __proto__': { url: q(`error=__proto__&${okState}`), expect: 'AUTHORIZATION_RESPONSE_ERROR' },
  'error named constructor': {
    url: q(`error=constructor&error_description=x&${okState}`),
    expect: 'AUTHORIZATION_RESPONSE_ERROR',
  },
  'error with a 100 000-character description': {
    url: q(`error=server_error&error_description=${LONG}&${okState}`),
    expect: 'AUTHORIZATION_RESPONSE_ERROR',
  },
  'error with an unknown AADSTS code': {
    url: q(`error=invalid_request&error_description=AADSTS99999999%3A+x&${okState}`),
    expect: 'AUTHORIZATION_RESPONSE_ERROR',
  },
  'error with a 13-digit AADSTS-like number': {
    url: q(`error=x&error_description=AADSTS1234567890123&${okState}`),
    expect: 'AUTHORIZATION_RESPONSE_ERROR',
  },
  'error with odd fields (error_codes as text)': {
    url: q(`error=invalid_grant&error_codes=%5B70000%5D&trace_id=%00&${okState}`),
    expect: 'AUTHORIZATION_RESPONSE_ERROR',
  },
  'error in the fragment': {
    url: f(`error=login_required&${okState}`),
    expect: 'AUTHORIZATION_RESPONSE_ERROR',
  },
  'right state, no code, no error': { url: q(okState), expect: 'MISSING_PARAMETER' },
  'right state, empty code': { url: q(`code=&${okState}`), expect: 'MISSING_PARAMETER' },
  'right state, "code" misspelt': { url: q(`cod=abc&${okState}`), expect: 'MISSING_PARAMETER' },
  'right state, code in upper-case name': { url: q(`CODE=abc&${okState}`), expect: 'MISSING_PARAMETER' },
  'issuer of another server (mix-up)': {
    url: q(`code=abc&${okState}&iss=https%3A%2F%2Fevil.example`),
    expect: 'INVALID_RESPONSE',
  },
  'code in the query, state in the fragment (the fragment wins)': {
    url: `${q('code=abc')}#${okState}`,
    expect: 'MISSING_PARAMETER',
  },
  'code in the fragment, forged state in the query': {
    url: `${q('state=evil')}#code=abc`,
    expect: 'STATE_MISMATCH',
  },
  'right state with a code full of HTML (kept verbatim, rendered as text)': {
    url: q(`code=%3Cscript%3Ealert(1)%3C%2Fscript%3E&${okState}`),
    expect: { ok: (p) => expect(p['code']).toBe('<script>alert(1)</script>') },
  },
  'percent-encoding garbage in the code': {
    url: q(`code=%E0%A4%A%ZZ%&${okState}`),
    expect: { ok: (p) => expect(p['code']).toMatch(/%ZZ%$/) },
  },
  'lone percent signs everywhere': {
    url: q(`code=%&${okState}&%=%`),
    expect: { ok: (p) => expect(p['code']).toBe('%') },
  },
  'plus signs meaning spaces': {
    url: q(`code=a+b&${okState}`),
    expect: { ok: (p) => expect(p['code']).toBe('a b') },
  },
  'NUL and control characters in the code': {
    url: q(`code=a%00b%07c&${okState}`),
    expect: { ok: (p) => expect(p['code']).toBe('a\u0000b\u0007c') },
  },
  'a 100 000-character code': {
    url: q(`code=${LONG}&${okState}`),
    expect: { ok: (p) => expect(p['code']).toHaveLength(100_000) },
  },
  'unknown extra parameters': {
    url: q(`code=abc&${okState}&session_state=x&client_info=%7B%7D`),
    expect: { ok: (p) => expect(p['session_state']).toBe('x') },
  },
  'a parameter named constructor': {
    url: q(`code=abc&${okState}&constructor=x`),
    expect: { ok: (p) => expect(p['constructor']).toBe('x') },
  },
  'a parameter with an empty name': {
    url: q(`code=abc&${okState}&=x&&`),
    expect: { ok: (p) => expect(p['']).toBe('x') },
  },
  'two parameters with empty names': { url: q(`code=abc&${okState}&=x&=`), expect: 'DUPLICATE_PARAMETER' },
  'javascript: in a parameter': {
    url: q(`code=abc&${okState}&redirect=javascript%3Aalert(1)`),
    expect: { ok: (p) => expect(p['redirect']).toBe('javascript:alert(1)') },
  },
  'fragment response with the right state': {
    url: f(`code=abc&${okState}`),
    expect: { ok: (p) => expect(p['code']).toBe('abc') },
  },
};

describe('the code flow reads hostile callbacks into typed failures, keeping the run as it was', () => {
  test.each(Object.entries(CALLBACKS))('%s', async (_name, { url, expect: expected }) => {
    const ctx = codeContext();
    const before = structuredClone(ctx);
    const result = await runStep((c: AuthCodeContext) => readCallback(c, url), ctx, DEPS);
    if (typeof expected === 'string') {
      expect(result.ok).toBe(false);
      if (!result.ok) expectExplainedFailure(result.failure, expected, 'authorize');
    } else {
      expect(result.ok).toBe(true);
      if (result.ok) {
        expect(result.patch.authorizationResponse?.state).toBe(STATE);
        expected.ok(result.patch.authorizationResponse?.params ?? {});
      }
    }
    // The user's inputs (scope they typed, state, nonce, verifier) are untouched.
    expect(ctx).toEqual(before);
  });

  test('the authorization server’s error fields are kept verbatim for the failure panel', async () => {
    const url = q(`error=invalid_request&error_description=%3Cb%3Ebold%3C%2Fb%3E&error_codes=x&${okState}`);
    const result = await runStep((c: AuthCodeContext) => readCallback(c, url), codeContext(), DEPS);
    expect(result).toMatchObject({
      ok: false,
      failure: { fields: { error: 'invalid_request', error_description: '<b>bold</b>', error_codes: 'x' } },
    });
  });
});

describe('bounded messages and edge cases of the parser itself', () => {
  // Regression (src/protocol/callback.ts): the RFC 9207 message quotes `iss` whole, so a long iss
  // gives a 100 kB message. Fix: quote at most ~80 characters (explain-error.ts's `quoted` does so).
  test('a 100 000-character iss is still refused as INVALID_RESPONSE', () => {
    const url = q(`code=abc&${okState}&iss=${LONG}`);
    expect(() => parseAuthorizationResponse(url, { state: STATE, issuer: 'https://i' })).toThrow(
      expect.objectContaining({ code: 'INVALID_RESPONSE' }),
    );
  });

  test('a 100 000-character iss gives a bounded message', () => {
    const url = q(`code=abc&${okState}&iss=${LONG}`);
    expect(() => parseAuthorizationResponse(url, { state: STATE, issuer: 'https://i' })).toThrow(
      expect.objectContaining({ message: expect.stringMatching(/^.{1,500}$/s) }),
    );
  });

  // Regression (src/errors.ts, AuthorizationResponseError): `error=` (empty) with no description
  // becomes an error whose message is the empty string.
  test('an empty error value still gives a message', () => {
    let message = 'not thrown';
    try {
      parseAuthorizationResponse(q(`error=&${okState}`), { state: STATE });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message.trim()).not.toBe('');
  });

  test('an empty error value is still an error, not a success', () => {
    expect(() => parseAuthorizationResponse(q(`error=&code=abc&${okState}`), { state: STATE })).toThrow(
      expect.objectContaining({ code: 'AUTHORIZATION_RESPONSE_ERROR' }),
    );
  });

  // Regression (src/protocol/callback.ts, readCallbackParameters): `params` is a plain object, so
  // `params['__proto__'] = v` hits the prototype setter: the parameter silently disappears, and a
  // repeated __proto__ is never detected as a duplicate.
  test('a parameter named __proto__ is kept verbatim', () => {
    const { params } = parseAuthorizationResponse(q(`code=abc&${okState}&__proto__=x`), { state: STATE });
    expect(Object.hasOwn(params, '__proto__')).toBe(true);
  });

  test('a parameter named __proto__ never pollutes Object.prototype', () => {
    parseAuthorizationResponse(q(`code=abc&${okState}&__proto__[polluted]=1&__proto__=%7B%7D`), {
      state: STATE,
    });
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});

/** What the user pastes in paste-the-redirect mode. */
const PASTED: Record<string, { text: string; expect: Expectation | 'INVALID_INPUT' }> = {
  nothing: { text: '', expect: 'INVALID_INPUT' },
  'only whitespace': { text: ' \n\t ', expect: 'INVALID_INPUT' },
  'a sentence': { text: 'the code is abc', expect: 'INVALID_INPUT' },
  // What people paste: the query or fragment alone, or the pairs alone, are read and state-checked.
  'a query string without the address': {
    text: `?code=abc&${okState}`,
    expect: { ok: (p) => expect(p['code']).toBe('abc') },
  },
  'a fragment without the address': {
    text: `#code=abc&${okState}`,
    expect: { ok: (p) => expect(p['code']).toBe('abc') },
  },
  'key=value pairs': { text: `code=abc&${okState}`, expect: { ok: (p) => expect(p['code']).toBe('abc') } },
  'key=value pairs with a forged state': { text: 'code=abc&state=evil', expect: 'STATE_MISMATCH' },
  'a code with a line break in it': { text: 'abc\ndef', expect: 'INVALID_INPUT' },
  'the full URL with a forged state': {
    text: `http://localhost:1337/?code=abc&state=evil`,
    expect: 'STATE_MISMATCH',
  },
  'the full URL with two codes': {
    text: `http://localhost:1337/?code=a&code=b&${okState}`,
    expect: 'DUPLICATE_PARAMETER',
  },
  'the full URL carrying an error': {
    text: `http://localhost:1337/?error=access_denied&${okState}`,
    expect: 'AUTHORIZATION_RESPONSE_ERROR',
  },
  'the full URL without a code': { text: `http://localhost:1337/?${okState}`, expect: 'MISSING_PARAMETER' },
  'an upper-case scheme': {
    text: `HTTP://LOCALHOST:1337/?code=abc&${okState}`,
    expect: { ok: (p) => expect(p['code']).toBe('abc') },
  },
  'a custom scheme (mobile app)': {
    text: `msauth.com.contoso://auth/?code=abc&${okState}`,
    expect: { ok: (p) => expect(p['code']).toBe('abc') },
  },
  'a bare code with base64 padding': {
    text: 'abc==',
    expect: { ok: (p) => expect(p['code']).toBe('abc==') },
  },
  'a bare code of 100 000 characters': {
    text: LONG,
    expect: { ok: (p) => expect(p['code']).toHaveLength(100_000) },
  },
  'a bare code that looks like HTML (kept as text)': {
    text: '<b>x</b>',
    expect: { ok: (p) => expect(p['code']).toBe('<b>x</b>') },
  },
};

/** Pasted text that is not a parseable URL at all: must be INVALID_INPUT, not a raw TypeError. */
const PASTED_BAD_URLS: Record<string, string> = {
  'only a scheme': 'http://',
  'an unclosed IPv6 host': 'http://[::1/?code=abc',
  'a space in the host': 'http://local host:1337/?code=abc',
  'an out-of-range port': 'http://localhost:99999/?code=abc',
  'a scheme and a percent-garbage host': 'https://%zz/?code=abc',
};

describe('paste-the-redirect mode: every paste gets a typed answer', () => {
  test.each(Object.entries(PASTED))('%s', async (_name, { text, expect: expected }) => {
    const ctx = codeContext();
    const before = structuredClone(ctx);
    const result = await runStep((c: AuthCodeContext) => readPastedResponse(c, text), ctx, DEPS);
    if (typeof expected === 'string') {
      expect(result.ok).toBe(false);
      if (!result.ok) expectExplainedFailure(result.failure, expected, 'authorize');
    } else {
      expect(result.ok).toBe(true);
      if (result.ok) expected.ok(result.patch.authorizationResponse?.params ?? {});
    }
    expect(ctx).toEqual(before);
  });

  // Regression (src/protocol/callback.ts, readCallbackParameters): `new URL(url)` is not guarded, so a
  // paste that starts like a URL but does not parse throws a raw TypeError — runStep files it as 'BUG'.
  test.each(Object.entries(PASTED_BAD_URLS))('%s is INVALID_INPUT, not BUG', async (_name, text) => {
    const result = await runStep((c: AuthCodeContext) => readPastedResponse(c, text), codeContext(), DEPS);
    expect(result).toMatchObject({ ok: false, failure: { code: 'INVALID_INPUT' } });
  });

  test.each(Object.entries(PASTED_BAD_URLS))(
    '%s fails the step without an uncaught exception',
    async (_name, text) => {
      const result = await runStep((c: AuthCodeContext) => readPastedResponse(c, text), codeContext(), DEPS);
      expect(result.ok).toBe(false);
    },
  );
});

/** ID tokens checked against the nonce this run sent. */
const NONCES: Record<string, { tokens: TokenResponse; expect: ErrorCode | 'ok' }> = {
  'no id_token: nothing to check': { tokens: { access_token: 'a', token_type: 'Bearer' }, expect: 'ok' },
  'the right nonce': {
    tokens: { access_token: 'a', token_type: 'Bearer', id_token: idToken({ nonce: NONCE }) },
    expect: 'ok',
  },
  'no nonce in the ID token': {
    tokens: { access_token: 'a', token_type: 'Bearer', id_token: idToken({ sub: 's' }) },
    expect: 'NONCE_MISMATCH',
  },
  'another nonce': {
    tokens: { access_token: 'a', token_type: 'Bearer', id_token: idToken({ nonce: 'replayed' }) },
    expect: 'NONCE_MISMATCH',
  },
  'the nonce plus a zero-width space': {
    tokens: { access_token: 'a', token_type: 'Bearer', id_token: idToken({ nonce: `${NONCE}\u200b` }) },
    expect: 'NONCE_MISMATCH',
  },
  'the nonce in another Unicode form': {
    tokens: {
      access_token: 'a',
      token_type: 'Bearer',
      id_token: idToken({ nonce: NONCE.replace('0', '０') }),
    },
    expect: 'NONCE_MISMATCH',
  },
  'the nonce as an array': {
    tokens: { access_token: 'a', token_type: 'Bearer', id_token: idToken({ nonce: [NONCE] }) },
    expect: 'NONCE_MISMATCH',
  },
  'the nonce as an object with toString': {
    tokens: { access_token: 'a', token_type: 'Bearer', id_token: idToken({ nonce: { toString: NONCE } }) },
    expect: 'NONCE_MISMATCH',
  },
  'the nonce null': {
    tokens: { access_token: 'a', token_type: 'Bearer', id_token: idToken({ nonce: null }) },
    expect: 'NONCE_MISMATCH',
  },
  'the nonce only in the header': {
    tokens: {
      access_token: 'a',
      token_type: 'Bearer',
      id_token: idToken({ sub: 's' }, { alg: 'RS256', nonce: NONCE }),
    },
    expect: 'NONCE_MISMATCH',
  },
  'a malformed ID token': {
    tokens: { access_token: 'a', token_type: 'Bearer', id_token: 'not.a.jwt!' },
    expect: 'INVALID_JWT',
  },
  'an encrypted (JWE) ID token': {
    tokens: { access_token: 'a', token_type: 'Bearer', id_token: 'a.b.c.d.e' },
    expect: 'INVALID_JWT',
  },
  'an ID token whose payload is an array': {
    tokens: {
      access_token: 'a',
      token_type: 'Bearer',
      id_token: `${enc({ alg: 'RS256' })}.${enc([NONCE])}.c2ln`,
    },
    expect: 'INVALID_JWT',
  },
  'an empty ID token': {
    tokens: { access_token: 'a', token_type: 'Bearer', id_token: '' },
    expect: 'INVALID_JWT',
  },
  'an ID token with __proto__.nonce': {
    tokens: {
      access_token: 'a',
      token_type: 'Bearer',
      id_token: `${enc({ alg: 'RS256' })}.${b64u(`{"__proto__":{"nonce":"${NONCE}"}}`)}.c2ln`,
    },
    expect: 'NONCE_MISMATCH',
  },
};

describe('OIDC Core §3.1.3.7: checkIdTokenNonce refuses every ID token but the right one', () => {
  test.each(Object.entries(NONCES))('%s', async (_name, { tokens, expect: expected }) => {
    let failure: StepFailure | undefined;
    try {
      await checkIdTokenNonce(tokens, NONCE);
    } catch (error) {
      expect(error).toBeInstanceOf(LabError);
      failure = toStepFailure(error);
    }
    if (expected === 'ok') expect(failure).toBeUndefined();
    else {
      expect(failure).toBeDefined();
      if (failure !== undefined) expectExplainedFailure(failure, expected, 'token');
    }
  });
});

function implicitContext(responseType = 'id_token token'): ImplicitContext {
  const base = createImplicitContext({
    authorizationEndpoint: 'http://localhost:5174/t/oauth2/v2.0/authorize',
    tokenEndpoint: 'http://localhost:5174/t/oauth2/v2.0/token',
    clientId: CLIENT,
    redirectUri: CB,
  });
  return deepFreeze({
    ...base,
    params: {
      ...base.params,
      response_type: responseType,
      state: STATE,
      nonce: NONCE,
      scope: 'openid typed-by-user',
    },
  });
}

const AT = 'access-token-value';
const fragment = (params: Record<string, string>): string =>
  f(new URLSearchParams({ state: STATE, ...params }).toString());

describe('implicit and hybrid responses: hostile fragments are typed failures', () => {
  // A swapped token or code: INVALID_RESPONSE, or HASH_MISMATCH where errors.ts has that code.
  const SWAPPED = ['INVALID_RESPONSE', 'HASH_MISMATCH'] as const;
  const cases: Record<
    string,
    { url: () => Promise<string>; responseType?: string; expect: ErrorCode | 'ok' | readonly string[] }
  > = {
    'the right answer (control)': {
      url: async () =>
        fragment({
          access_token: AT,
          token_type: 'Bearer',
          id_token: idToken({ aud: CLIENT, nonce: NONCE, at_hash: await calculateHalfHash(AT) }),
        }),
      expect: 'ok',
    },
    'forged state': { url: async () => f(`state=evil&access_token=${AT}`), expect: 'STATE_MISMATCH' },
    'error in the fragment': {
      url: async () => fragment({ error: 'unsupported_response_type', error_description: 'AADSTS700051: x' }),
      expect: 'AUTHORIZATION_RESPONSE_ERROR',
    },
    'duplicate access_token': {
      url: async () => `${fragment({ id_token: 'x' })}&access_token=a&access_token=b`,
      expect: 'DUPLICATE_PARAMETER',
    },
    'no access_token for "token"': {
      url: async () => fragment({ id_token: idToken({ aud: CLIENT, nonce: NONCE }) }),
      expect: 'MISSING_PARAMETER',
    },
    'no id_token for "id_token"': {
      url: async () => fragment({ access_token: AT }),
      expect: 'MISSING_PARAMETER',
    },
    'malformed id_token': {
      url: async () => fragment({ access_token: AT, id_token: 'eyJ.%%%.x' }),
      expect: 'INVALID_JWT',
    },
    'JWE id_token': {
      url: async () => fragment({ access_token: AT, id_token: 'a.b.c.d.e' }),
      expect: 'INVALID_JWT',
    },
    'id_token for another client': {
      url: async () => fragment({ access_token: AT, id_token: idToken({ aud: 'other', nonce: NONCE }) }),
      expect: 'INVALID_RESPONSE',
    },
    'id_token aud as a hostile object': {
      url: async () =>
        fragment({ access_token: AT, id_token: idToken({ aud: { includes: true }, nonce: NONCE }) }),
      expect: 'INVALID_RESPONSE',
    },
    'id_token with another nonce': {
      url: async () => fragment({ access_token: AT, id_token: idToken({ aud: CLIENT, nonce: 'replay' }) }),
      expect: 'NONCE_MISMATCH',
    },
    'id_token with no nonce': {
      url: async () => fragment({ access_token: AT, id_token: idToken({ aud: [CLIENT], at_hash: 'x' }) }),
      expect: 'NONCE_MISMATCH',
    },
    'id_token with alg none and no hash': {
      url: async () =>
        fragment({
          access_token: AT,
          id_token: idToken({ aud: CLIENT, nonce: NONCE, at_hash: 'x' }, { alg: 'none' }),
        }),
      expect: 'INVALID_RESPONSE',
    },
    'at_hash of another access token (swapped token)': {
      url: async () =>
        fragment({
          access_token: AT,
          id_token: idToken({ aud: CLIENT, nonce: NONCE, at_hash: await calculateHalfHash('other') }),
        }),
      expect: SWAPPED,
    },
    'missing at_hash': {
      url: async () => fragment({ access_token: AT, id_token: idToken({ aud: CLIENT, nonce: NONCE }) }),
      expect: 'MISSING_PARAMETER',
    },
    'at_hash as a number': {
      url: async () =>
        fragment({ access_token: AT, id_token: idToken({ aud: CLIENT, nonce: NONCE, at_hash: 42 }) }),
      expect: 'MISSING_PARAMETER',
    },
    'non-ASCII access token': {
      url: async () =>
        fragment({
          access_token: 'tök\u200b',
          id_token: idToken({ aud: CLIENT, nonce: NONCE, at_hash: 'x' }),
        }),
      expect: 'INVALID_INPUT',
    },
    'hybrid: c_hash of another code (code swap)': {
      responseType: 'code id_token',
      url: async () =>
        fragment({
          code: 'the-code',
          id_token: idToken({ aud: CLIENT, nonce: NONCE, c_hash: await calculateHalfHash('evil') }),
        }),
      expect: SWAPPED,
    },
    'hybrid: no code': {
      responseType: 'code id_token',
      url: async () => fragment({ id_token: idToken({ aud: CLIENT, nonce: NONCE }) }),
      expect: 'MISSING_PARAMETER',
    },
    'hybrid: a 100 000-character code': {
      responseType: 'code id_token',
      url: async () =>
        fragment({
          code: LONG,
          id_token: idToken({ aud: CLIENT, nonce: NONCE, c_hash: await calculateHalfHash(LONG) }),
        }),
      expect: 'ok',
    },
  };

  test.each(Object.entries(cases))('%s', async (_name, { url, responseType, expect: expected }) => {
    const ctx = implicitContext(responseType);
    const before = structuredClone(ctx);
    const href = await url();
    const outcome = await readImplicitRedirect(ctx, href);
    if (expected === 'ok') expect(outcome.failure).toBeUndefined();
    else {
      expect(outcome.failure).toBeDefined();
      if (outcome.failure !== undefined)
        expectExplainedFailure(outcome.failure.failure, expected, 'authorize');
    }
    expect(ctx).toEqual(before);
  });

  test.each([
    ['null', null],
    ['a string', 'ctx'],
    ['an array', []],
    ['an object without params', { authorizationEndpoint: 'x' }],
    ['params as a string', { authorizationEndpoint: 'x', params: 'p' }],
  ])('a saved run that is %s is refused as INVALID_RESPONSE', async (_name, pending) => {
    await expect(readImplicitRedirect(pending, fragment({}))).rejects.toMatchObject({
      code: 'INVALID_RESPONSE',
    });
  });

  // Regression (src/protocol/hybrid.ts): the nonce message quotes the ID token's nonce whole, so a
  // 100 kB nonce gives a 100 kB message (and an RTL override in it reverses the sentence).
  test('a 100 000-character nonce gives a bounded message', async () => {
    const params = { id_token: idToken({ aud: CLIENT, nonce: LONG }) };
    await expect(
      validateHybridResponse(params, { responseType: 'id_token', nonce: NONCE, clientId: CLIENT }),
    ).rejects.toThrow(expect.objectContaining({ message: expect.stringMatching(/^.{1,500}$/s) }));
  });
});
