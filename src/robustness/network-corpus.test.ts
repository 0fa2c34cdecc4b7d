/**
 * Network failures through the flows' own step functions with stub fetches: no answer (offline,
 * CORS, timeout), relay down or refusing, hostile bodies, answers cut off mid-body, device codes that
 * expire mid-poll. Every case must end as a typed failure (never 'BUG') with a specific explanation,
 * and leave the run's inputs as the user typed them.
 * Cases named in a "Regression" comment pin defects this corpus found and that are now fixed.
 */
import { describe, expect, test } from 'vitest';
import {
  createAuthCodeContext,
  readExchange,
  sendExchange,
  type AuthCodeContext,
} from '../flows/authorization-code.ts';
import {
  apiTargets,
  callApi,
  createCallApiContext,
  readApiResponse,
  requirementFor,
  type CallApiContext,
} from '../flows/call-api.ts';
import {
  createClientCredentialsContext,
  readClientCredentialsResponse,
  sendClientCredentialsRequest,
  type ClientCredentialsContext,
} from '../flows/client-credentials.ts';
import {
  beginPollStep,
  checkDeviceCodeExpiry,
  createDeviceCodeContext,
  mergePollAnswer,
  readDeviceCodeResponse,
  readPollOutcome,
  sendDeviceCodeRequest,
  sendPoll,
  type DeviceCodeContext,
} from '../flows/device-code.ts';
import {
  createImplicitContext,
  readHybridRedeem,
  sendHybridRedeem,
  type ImplicitContext,
} from '../flows/implicit.ts';
import {
  createPasswordContext,
  readPasswordResponse,
  sendPasswordRequest,
  type PasswordContext,
} from '../flows/password.ts';
import { runStep, type FlowDeps, type StepFailure } from '../flows/runner.ts';
import type { ErrorCode } from '../protocol/errors.ts';
import type { FetchLike } from '../protocol/transport.ts';
import { explainFailure, type StepKind } from '../ui/explain-error.ts';

const MAX_MESSAGE = 500;
const ORIGIN = 'http://localhost:5174';
const TENANT = '5f1c9e7a-0b3d-4c2e-9a61-7d8e2f4b6c10';
const T0 = 1_700_000_000_000;

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

function deps(fetchFn: FetchLike, patch: Partial<FlowDeps> = {}): FlowDeps & { clock: { now: number } } {
  const clock = { now: T0 };
  return {
    clock,
    fetch: fetchFn,
    now: () => clock.now,
    relayAvailable: true,
    relayToken: 'relay-token',
    appOrigin: 'http://localhost:5173',
    ...patch,
  };
}

const answer =
  (make: () => Response): FetchLike =>
  async () =>
    make();
const reject =
  (reason: unknown): FetchLike =>
  async () =>
    Promise.reject(reason);

/** A body that starts, then the connection drops: `response.text()` rejects. */
function cutOffBody(status: number, start: string): Response {
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(start));
      controller.error(new TypeError('network error: connection reset'));
    },
  });
  return new Response(stream, { status });
}

/** One flow's "send, then read" pair, as its page runs them. */
interface Sender {
  readonly route: 'browser' | 'relay';
  readonly context: StepKind;
  /** The run as the user left it before pressing the button; frozen. */
  readonly ctx: () => unknown;
  readonly send: (ctx: never, deps: FlowDeps) => Promise<unknown>;
  readonly read: (ctx: never, deps: FlowDeps) => unknown;
}

const authCodeCtx = (usePkce: boolean): AuthCodeContext => {
  const base = createAuthCodeContext({
    authorizationEndpoint: `${ORIGIN}/${TENANT}/oauth2/v2.0/authorize`,
    tokenEndpoint: `${ORIGIN}/${TENANT}/oauth2/v2.0/token`,
    clientId: 'client-1',
    redirectUri: 'http://localhost:5173/callback',
    clientSecret: usePkce ? '' : 'typed-secret',
    usePkce,
  });
  return {
    ...base,
    codeVerifier: 'v'.repeat(43),
    params: { ...base.params, scope: 'openid my-typed-scope' },
    authorizationResponse: { code: 'the-code', responseMode: 'query', params: { code: 'the-code' } },
  };
};

const DEVICE_AUTHORIZATION = {
  device_code: 'dc',
  user_code: 'ABCD-EFGH',
  verification_uri: `${ORIGIN}/devicelogin`,
  expires_in: 30,
  interval: 5,
};

/** A device-code run whose code was issued at T0 (polling started). */
function pollingDeviceCtx(): DeviceCodeContext {
  const ctx = {
    ...createDeviceCodeContext({ authorityOrigin: ORIGIN, tenant: TENANT, clientId: 'dev-client' }),
    scope: 'openid typed',
  };
  const requestExchange = {
    request: { method: 'POST' as const, url: '', headers: [], secretFields: [] },
    response: { status: 200, statusText: 'OK', headers: [], body: JSON.stringify(DEVICE_AUTHORIZATION) },
    via: 'relay' as const,
    viaReason: '',
    startedAt: T0,
  };
  const withCode = { ...ctx, requestExchange };
  return { ...withCode, ...readDeviceCodeResponse(withCode, { now: () => T0 }) };
}

const SENDERS: Record<string, Sender> = {
  'authorization code + PKCE (browser)': {
    route: 'browser',
    context: 'token',
    ctx: () => authCodeCtx(true),
    send: sendExchange as Sender['send'],
    read: readExchange as Sender['read'],
  },
  'authorization code, client secret (relay)': {
    route: 'relay',
    context: 'token',
    ctx: () => authCodeCtx(false),
    send: sendExchange as Sender['send'],
    read: readExchange as Sender['read'],
  },
  'device code request (relay)': {
    route: 'relay',
    context: 'token',
    ctx: () => ({
      ...createDeviceCodeContext({ authorityOrigin: ORIGIN, tenant: TENANT, clientId: 'c' }),
      scope: 'openid typed',
    }),
    send: sendDeviceCodeRequest as Sender['send'],
    read: readDeviceCodeResponse as Sender['read'],
  },
  'device code poll (relay)': {
    route: 'relay',
    context: 'device-poll',
    ctx: pollingDeviceCtx,
    send: sendPoll as Sender['send'],
    read: readPollOutcome as Sender['read'],
  },
  'password grant (relay)': {
    route: 'relay',
    context: 'token',
    ctx: (): PasswordContext => ({
      ...createPasswordContext({ authorityOrigin: ORIGIN, tenant: TENANT, clientId: 'c' }),
      username: 'adele@flowlab-sandbox.onmicrosoft.com',
      password: 'typed-password',
      scope: 'openid typed',
    }),
    send: sendPasswordRequest as Sender['send'],
    read: readPasswordResponse as Sender['read'],
  },
  'client credentials (relay)': {
    route: 'relay',
    context: 'token',
    ctx: (): ClientCredentialsContext => ({
      ...createClientCredentialsContext({
        authorityOrigin: ORIGIN,
        tenant: TENANT,
        clientId: 'c',
        clientSecret: 'typed',
      }),
      scope: 'api://typed/.default',
    }),
    send: sendClientCredentialsRequest as Sender['send'],
    read: readClientCredentialsResponse as Sender['read'],
  },
  'hybrid code redemption (relay)': {
    route: 'relay',
    context: 'token',
    ctx: (): ImplicitContext => {
      const base = createImplicitContext({
        authorizationEndpoint: `${ORIGIN}/${TENANT}/oauth2/v2.0/authorize`,
        tokenEndpoint: `${ORIGIN}/${TENANT}/oauth2/v2.0/token`,
        clientId: 'legacy',
        redirectUri: 'http://localhost:5173/callback',
      });
      return {
        ...base,
        params: { ...base.params, response_type: 'code id_token', scope: 'openid typed' },
        received: { mode: 'fragment', names: ['code'], code: 'hybrid-code', nonceChecked: true, hashes: [] },
      };
    },
    send: sendHybridRedeem as Sender['send'],
    read: readHybridRedeem as Sender['read'],
  },
};

/** How the network (or what stands in the way) behaves, and the code each route must end with. */
interface Failure {
  readonly fetch: FetchLike;
  readonly patch?: Partial<FlowDeps>;
  readonly browser?: ErrorCode;
  readonly relay: ErrorCode;
  /** The explanation must say this (when the failure is ours, not the server's). */
  readonly explains?: RegExp;
}

const HTML_502 = '<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>';

const FAILURES: Record<string, Failure> = {
  'offline: fetch rejects with TypeError "Failed to fetch"': {
    fetch: reject(new TypeError('Failed to fetch')),
    browser: 'CORS_ERROR',
    relay: 'RELAY_UNAVAILABLE',
    explains: /CORS|relay/,
  },
  'CORS refusal as Firefox words it': {
    fetch: reject(new TypeError('NetworkError when attempting to fetch resource.')),
    browser: 'CORS_ERROR',
    relay: 'RELAY_UNAVAILABLE',
  },
  'timeout: fetch rejects with a TimeoutError DOMException': {
    fetch: reject(new DOMException('The operation timed out.', 'TimeoutError')),
    browser: 'NETWORK_ERROR',
    relay: 'NETWORK_ERROR',
  },
  'aborted: fetch rejects with an AbortError': {
    fetch: reject(new DOMException('The user aborted a request.', 'AbortError')),
    browser: 'CORS_ERROR',
    relay: 'RELAY_UNAVAILABLE',
  },
  'fetch rejects with a bare string': {
    fetch: reject('boom'),
    browser: 'CORS_ERROR',
    relay: 'RELAY_UNAVAILABLE',
  },
  'fetch rejects with undefined': {
    fetch: reject(undefined),
    browser: 'CORS_ERROR',
    relay: 'RELAY_UNAVAILABLE',
  },
  'fetch throws synchronously': {
    fetch: () => {
      throw new TypeError('Failed to execute fetch: invalid URL');
    },
    browser: 'CORS_ERROR',
    relay: 'RELAY_UNAVAILABLE',
  },
  'no relay running (static hosting)': {
    fetch: answer(() => new Response('{}')),
    patch: { relayAvailable: false },
    relay: 'RELAY_UNAVAILABLE',
    explains: /relay/,
  },
  'relay refuses: 403 with X-Relay-Refused: 1': {
    fetch: answer(
      () =>
        new Response('Target host is not on the allow list', {
          status: 403,
          headers: { 'X-Relay-Refused': '1' },
        }),
    ),
    relay: 'RELAY_UNAVAILABLE',
    explains: /relay/,
  },
  'relay refuses with an HTML body': {
    fetch: answer(
      () => new Response('<h1>Forbidden</h1>', { status: 403, headers: { 'X-Relay-Refused': '1' } }),
    ),
    relay: 'RELAY_UNAVAILABLE',
  },
  'a gateway answers 502 with HTML': {
    fetch: answer(() => new Response(HTML_502, { status: 502, headers: { 'content-type': 'text/html' } })),
    browser: 'INVALID_RESPONSE',
    relay: 'INVALID_RESPONSE',
    explains: /not a valid OAuth response/,
  },
  'an empty 200': {
    fetch: answer(() => new Response('', { status: 200 })),
    browser: 'INVALID_RESPONSE',
    relay: 'INVALID_RESPONSE',
  },
  'an empty 500': {
    fetch: answer(() => new Response(null, { status: 500 })),
    browser: 'INVALID_RESPONSE',
    relay: 'INVALID_RESPONSE',
  },
  'truncated JSON': {
    fetch: answer(() => new Response('{"access_token":"eyJ0eXAi', { status: 200 })),
    browser: 'INVALID_RESPONSE',
    relay: 'INVALID_RESPONSE',
  },
  'JSON of the wrong types': {
    fetch: answer(
      () =>
        new Response(JSON.stringify({ access_token: 1, token_type: [], device_code: null }), { status: 200 }),
    ),
    browser: 'INVALID_RESPONSE',
    relay: 'INVALID_RESPONSE',
  },
  'a JSON array': {
    fetch: answer(() => new Response('[]', { status: 200 })),
    browser: 'INVALID_RESPONSE',
    relay: 'INVALID_RESPONSE',
  },
  'JSON null': {
    fetch: answer(() => new Response('null', { status: 200 })),
    browser: 'INVALID_RESPONSE',
    relay: 'INVALID_RESPONSE',
  },
  'a 1 MB HTML page': {
    fetch: answer(() => new Response(`<html>${'x'.repeat(1024 * 1024)}</html>`, { status: 500 })),
    browser: 'INVALID_RESPONSE',
    relay: 'INVALID_RESPONSE',
  },
  'an OAuth error with odd fields': {
    fetch: answer(
      () =>
        new Response(JSON.stringify({ error: 'invalid_grant', error_codes: 'x', error_description: 7 }), {
          status: 400,
        }),
    ),
    browser: 'TOKEN_ENDPOINT_ERROR',
    relay: 'TOKEN_ENDPOINT_ERROR',
  },
  'a 429 with Retry-After and HTML': {
    fetch: answer(
      () => new Response('<html>Too Many Requests</html>', { status: 429, headers: { 'Retry-After': '30' } }),
    ),
    browser: 'INVALID_RESPONSE',
    relay: 'INVALID_RESPONSE',
  },
};

/** Sends, then (if an answer came) reads, as the page does; returns the first failure. */
async function runSendAndRead(
  sender: Sender,
  failure: Failure,
  ctx: unknown = deepFreeze(sender.ctx()),
): Promise<{ failure?: StepFailure; ctx: unknown }> {
  const d = deps(failure.fetch, failure.patch);
  const sent = await runStep(sender.send, ctx as never, d);
  if (!sent.ok) return { failure: sent.failure, ctx };
  const next = { ...(ctx as object), ...(sent.patch as object) };
  const read = await runStep(sender.read as (c: never, deps: FlowDeps) => unknown, next as never, d);
  return { ...(read.ok ? {} : { failure: read.failure }), ctx };
}

const MATRIX = Object.entries(SENDERS).flatMap(([flow, sender]) =>
  Object.entries(FAILURES)
    .filter(([, failure]) => (sender.route === 'browser' ? failure.browser !== undefined : true))
    .map(([what, failure]) => [`${flow} — ${what}`, sender, failure] as const),
);

describe('every flow turns every network failure into a typed, explained failure', () => {
  test.each(MATRIX)('%s', async (_name, sender, failure) => {
    const ctx = deepFreeze(sender.ctx());
    const before = structuredClone(ctx);
    const { failure: result } = await runSendAndRead(sender, failure, ctx);
    const expected = sender.route === 'browser' ? failure.browser : failure.relay;
    expect(result).toBeDefined();
    if (result === undefined) return;
    expect(result.code).not.toBe('BUG');
    expect(result.code).toBe(expected);
    expect(result.message.trim()).not.toBe('');
    const explanation = explainFailure(result, sender.context);
    expect(explanation.title).not.toBe('Unexpected error');
    if (failure.explains !== undefined)
      expect(`${explanation.title} ${explanation.what} ${explanation.fix}`).toMatch(failure.explains);
    // What the user typed (scope, secret, user name, verifier) is exactly as it was.
    expect(ctx).toEqual(before);
  });
});

describe('answers cut off mid-body', () => {
  // Regression (src/protocol/transport.ts, sendRequest): `await response.text()` sits outside the
  // try/catch, so a connection that drops while the body is read rejects with a raw TypeError and
  // runStep files it as 'BUG' ("Unexpected error") instead of a network failure.
  test.each(Object.entries(SENDERS))(
    '%s — a body cut off mid-read is a network failure',
    async (_name, sender) => {
      const failure: Failure = {
        fetch: answer(() => cutOffBody(200, '{"access_token":"eyJ')),
        browser: 'NETWORK_ERROR',
        relay: 'RELAY_UNAVAILABLE',
      };
      const { failure: result } = await runSendAndRead(sender, failure);
      expect(result?.code).not.toBe('BUG');
    },
  );

  test.each(Object.entries(SENDERS))(
    '%s — a body cut off mid-read fails the step without an uncaught exception',
    async (_name, sender) => {
      const { failure: result } = await runSendAndRead(sender, {
        fetch: answer(() => cutOffBody(200, '{"access_token":"eyJ')),
        relay: 'RELAY_UNAVAILABLE',
      });
      expect(result).toBeDefined();
    },
  );
});

describe('a token endpoint that never answers', () => {
  // Regression (src/protocol/transport.ts, sendRequest): no AbortSignal is passed to fetch, so a
  // server that accepts the connection and never answers leaves the step "sending" forever; no
  // timeout can end it.
  test('the request carries an abort signal, so a timeout can end it', async () => {
    let signal: unknown;
    const d = deps(async (_url, init) => {
      signal = init.signal;
      return new Response('{"error":"x"}', { status: 400 });
    });
    await runStep(sendExchange, authCodeCtx(true), d);
    expect(signal).toBeInstanceOf(AbortSignal);
  });
});

describe('RFC 8628 §3.5: the device code expires mid-poll', () => {
  const pending = () =>
    new Response(JSON.stringify({ error: 'authorization_pending', error_codes: [70016] }), { status: 400 });

  test('the answer to a poll arrives after expires_in: DEVICE_CODE_EXPIRED, explained', async () => {
    const d = deps(answer(pending));
    let ctx = pollingDeviceCtx();
    d.clock.now = T0 + 29_000;
    ctx = { ...ctx, ...beginPollStep(ctx) };
    d.clock.now = T0 + 31_000; // the answer comes back after the 30 s lifetime
    ctx = { ...ctx, ...(await sendPoll(ctx, d)) };
    expect(ctx.polling?.status).toBe('expired');
    const outcome = await runStep(readPollOutcome, ctx, d);
    expect(outcome).toMatchObject({
      ok: false,
      failure: { code: 'DEVICE_CODE_EXPIRED', fields: { error: 'expired_token' } },
    });
    if (!outcome.ok) expect(explainFailure(outcome.failure, 'device-poll').title).toBe('Device code expired');
    expect(ctx.scope).toBe('openid typed');
  });

  test('the expiry timer fires while a poll is on the wire; the late tokens are discarded', async () => {
    const d = deps(
      answer(
        () => new Response(JSON.stringify({ access_token: 'late', token_type: 'Bearer' }), { status: 200 }),
      ),
    );
    let ctx = pollingDeviceCtx();
    d.clock.now = T0 + 25_000;
    ctx = { ...ctx, ...beginPollStep(ctx) };
    const sentFor = ctx;
    d.clock.now = T0 + 30_000;
    ctx = { ...ctx, ...checkDeviceCodeExpiry(ctx, d) };
    const late = await sendPoll(sentFor, d);
    ctx = { ...ctx, ...mergePollAnswer(ctx, 'dc', late) };
    expect(ctx.tokens).toBeUndefined();
    expect(ctx.polling).toMatchObject({ status: 'expired', inFlight: false });
    expect(await runStep(readPollOutcome, ctx, d)).toMatchObject({
      ok: false,
      failure: { code: 'DEVICE_CODE_EXPIRED' },
    });
  });

  test.each([
    ['expired_token', { error: 'expired_token' }, 'Device code expired'],
    [
      'AADSTS70020 under invalid_grant',
      { error: 'invalid_grant', error_codes: [70020], error_description: 'AADSTS70020: expired' },
      'Device code expired',
    ],
    ['AADSTS70019', { error: 'expired_token', error_codes: [70019] }, 'Device code expired'],
    ['access_denied (user declined)', { error: 'access_denied' }, 'Access denied'],
    ['bad_verification_code', { error: 'bad_verification_code' }, 'Unknown device code'],
  ])('the server answers %s mid-poll: stop, explained', async (_name, body, title) => {
    const d = deps(answer(() => new Response(JSON.stringify(body), { status: 400 })));
    let ctx = pollingDeviceCtx();
    d.clock.now = T0 + 5_000;
    ctx = { ...ctx, ...beginPollStep(ctx) };
    ctx = { ...ctx, ...(await sendPoll(ctx, d)) };
    expect(ctx.polling?.status).toBe('stopped');
    const outcome = await runStep(readPollOutcome, ctx, d);
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) {
      expect(outcome.failure.code).toBe('TOKEN_ENDPOINT_ERROR');
      expect(explainFailure(outcome.failure, 'device-poll').title).toBe(title);
    }
  });

  test('the relay goes down mid-poll: RELAY_UNAVAILABLE, the code and schedule kept', async () => {
    const d = deps(reject(new TypeError('Failed to fetch')));
    let ctx = pollingDeviceCtx();
    d.clock.now = T0 + 5_000;
    ctx = { ...ctx, ...beginPollStep(ctx) };
    const result = await runStep(sendPoll, ctx, d);
    expect(result).toMatchObject({ ok: false, failure: { code: 'RELAY_UNAVAILABLE' } });
    expect(ctx.authorization?.device_code).toBe('dc');
  });

  test('polling without a device code is MISSING_PARAMETER', async () => {
    const ctx = createDeviceCodeContext({ authorityOrigin: ORIGIN, tenant: TENANT, clientId: 'c' });
    expect(await runStep(sendPoll, ctx, deps(reject(new Error('unused'))))).toMatchObject({
      ok: false,
      failure: { code: 'MISSING_PARAMETER' },
    });
  });
});

describe('calling an API with hostile answers and hostile tokens', () => {
  const targets = apiTargets(ORIGIN);
  const apiCtx = (token: string): CallApiContext => deepFreeze({ ...createCallApiContext(ORIGIN), token });
  const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzIn0.c2ln';

  const ANSWERS: Record<string, () => Response> = {
    '401 with a junk WWW-Authenticate': () =>
      new Response('', { status: 401, headers: { 'WWW-Authenticate': 'Bearer error="x' } }),
    '401 with a duplicated parameter': () =>
      new Response('', { status: 401, headers: { 'WWW-Authenticate': 'Bearer error="a", error="b"' } }),
    '403 with an HTML body': () => new Response('<html>Forbidden</html>', { status: 403 }),
    '403 insufficient_scope with a scope list': () =>
      new Response('{}', {
        status: 403,
        headers: { 'WWW-Authenticate': 'Bearer error="insufficient_scope", scope="Mail.Read"' },
      }),
    '500 with a Graph error of the wrong shape': () =>
      new Response(JSON.stringify({ error: { code: 5, message: [] } }), { status: 500 }),
    '200 with HTML': () => new Response('<html></html>', { status: 200 }),
    '200 with 1 MB of JSON': () =>
      new Response(JSON.stringify({ value: 'v'.repeat(1024 * 1024) }), { status: 200 }),
    '404 empty': () => new Response(null, { status: 404 }),
  };
  test.each(Object.entries(ANSWERS))('%s is read without a throw', async (_name, make) => {
    const ctx = apiCtx(TOKEN);
    const sent = await runStep(callApi, ctx, deps(answer(make)));
    expect(sent.ok).toBe(true);
    if (!sent.ok || sent.patch.exchange === undefined) return;
    const outcome = readApiResponse(sent.patch.exchange, requirementFor(ctx.url, targets), T0);
    if (!outcome.ok) expect(outcome.title ?? outcome.challengeProblem ?? outcome.reason).toBeTruthy();
  });

  test.each([
    ['CORS refusal', new TypeError('Failed to fetch'), 'CORS_ERROR'],
    ['timeout', new DOMException('timed out', 'TimeoutError'), 'NETWORK_ERROR'],
  ])('%s calling the API is explained for an API, not a token endpoint', async (_name, error, code) => {
    const result = await runStep(callApi, apiCtx(TOKEN), deps(reject(error)));
    expect(result).toMatchObject({ ok: false, failure: { code } });
    if (!result.ok) expect(explainFailure(result.failure, 'api').what).toMatch(/API/);
  });

  // Regression (src/protocol/transport.ts, sendRequest): `new Headers(...)` runs outside the
  // try/catch, so a pasted token with a line break or a non-Latin-1 character (a zero-width space
  // from chat, an emoji) throws a raw TypeError ("invalid header value" / "ByteString") and the step
  // fails as 'BUG' instead of INVALID_INPUT naming the character.
  test.each([
    ['a line break in the middle', `${TOKEN.slice(0, 10)}\n${TOKEN.slice(10)}`],
    ['a zero-width space', `${TOKEN.slice(0, 10)}\u200b${TOKEN.slice(10)}`],
    ['an emoji', `${TOKEN}🙂`],
    ['a NUL byte', `${TOKEN}\u0000`],
  ])('a token with %s is INVALID_INPUT, not BUG', async (_name, token) => {
    const result = await runStep(callApi, apiCtx(token), deps(answer(() => new Response('{}'))));
    expect(result).toMatchObject({ ok: false, failure: { code: 'INVALID_INPUT' } });
  });

  test.each([
    ['a line break in the middle', `${TOKEN.slice(0, 10)}\n${TOKEN.slice(10)}`],
    ['a zero-width space', `${TOKEN.slice(0, 10)}\u200b${TOKEN.slice(10)}`],
  ])('a token with %s fails the step without an uncaught exception', async (_name, token) => {
    const result = await runStep(callApi, apiCtx(token), deps(answer(() => new Response('{}'))));
    expect(result.ok).toBe(false);
  });
});

describe('messages we write ourselves stay bounded', () => {
  // Regression (src/protocol/transport.ts): the relay's refusal body is pasted whole into the message.
  test('a 1 MB relay refusal body gives a bounded message', async () => {
    const d = deps(
      answer(
        () => new Response('r'.repeat(1024 * 1024), { status: 403, headers: { 'X-Relay-Refused': '1' } }),
      ),
    );
    const result = await runStep(sendExchange, authCodeCtx(false), d);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.failure.message.length).toBeLessThanOrEqual(MAX_MESSAGE);
  });
});
