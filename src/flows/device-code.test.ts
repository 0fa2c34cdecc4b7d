import { describe, expect, test } from 'vitest';
import { isPollDue, nextPollDelay } from '../protocol/device.ts';
import {
  beginPollStep,
  buildDeviceCodeRequest,
  buildPollRequest,
  checkDeviceCodeExpiry,
  createDeviceCodeContext,
  DEFAULT_DEVICE_SCOPE,
  decideDeviceRoute,
  deviceCodeFlow,
  readDeviceCodeResponse,
  readPollOutcome,
  secondsUntil,
  sendDeviceCodeRequest,
  sendPoll,
  validateDeviceAuthorizationRequest,
  type DeviceCodeContext,
} from './device-code.ts';
import { buildSequenceDiagram } from './diagram.ts';
import { liveDiagramSpec } from './live-diagram.ts';
import { runStep, type FlowDeps } from './runner.ts';

const TENANT = '5f1c9e7a-0b3d-4c2e-9a61-7d8e2f4b6c10';
const ORIGIN = 'http://localhost:5174';
const CLIENT_ID = '3b8d6f2a-9c4e-4a71-b5d0-1e7f3c9a2b64';
const T0 = 1_700_000_000_000;

interface Call {
  url: string;
  body: URLSearchParams;
  target: string | null;
}

/** A stub relay: answers from a script, one response per call, and a controllable clock. */
function stubDeps(script: (call: Call, index: number) => Response, relayAvailable = true) {
  const calls: Call[] = [];
  const clock = { now: T0 };
  const deps: FlowDeps = {
    fetch: async (url, init) => {
      const headers = new Headers(init.headers);
      const call = {
        url,
        body: new URLSearchParams(String(init.body)),
        target: headers.get('X-Relay-Target'),
      };
      calls.push(call);
      return script(call, calls.length - 1);
    },
    now: () => clock.now,
    relayAvailable,
    relayToken: 'relay-token',
    appOrigin: 'http://localhost:5173',
  };
  return { deps, calls, clock };
}

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status });
const entraError = (error: string, code: number) =>
  json({ error, error_description: `AADSTS${code}: ${error}`, error_codes: [code] }, 400);

const DEVICE_AUTHORIZATION = {
  user_code: 'BCDFGHJKL',
  device_code: 'device-code-secret',
  verification_uri: `${ORIGIN}/devicelogin`,
  expires_in: 900,
  interval: 5,
  message: `To sign in, use a web browser to open the page ${ORIGIN}/devicelogin and enter the code BCDFGHJKL to authenticate.`,
};
const TOKENS = {
  token_type: 'Bearer',
  access_token: 'at',
  refresh_token: 'rt',
  scope: 'User.Read',
  expires_in: 3600,
};

function context(patch: Partial<DeviceCodeContext> = {}): DeviceCodeContext {
  return {
    ...createDeviceCodeContext({ authorityOrigin: ORIGIN, tenant: TENANT, clientId: CLIENT_ID }),
    ...patch,
  };
}

/** Requests a code, then polls whenever due (advancing the clock like the UI's timers) until polling ends. */
async function runFlow(pollAnswers: readonly (() => Response)[]) {
  const { deps, calls, clock } = stubDeps((_call, index) =>
    index === 0
      ? json(DEVICE_AUTHORIZATION)
      : (pollAnswers[index - 1] ?? pollAnswers[pollAnswers.length - 1]!)(),
  );
  let ctx = context();
  ctx = { ...ctx, ...(await sendDeviceCodeRequest(ctx, deps)) };
  ctx = { ...ctx, ...readDeviceCodeResponse(ctx, deps) };
  const delays: number[] = [];
  for (let guard = 0; guard < 500 && ctx.polling?.status === 'polling'; guard++) {
    const delay = nextPollDelay(ctx.polling, clock.now)!;
    delays.push(delay);
    clock.now += delay;
    if (!isPollDue(ctx.polling, clock.now)) {
      ctx = { ...ctx, ...checkDeviceCodeExpiry(ctx, deps) };
      break;
    }
    ctx = { ...ctx, ...beginPollStep(ctx) };
    clock.now += 120; // the poll's round trip
    ctx = { ...ctx, ...(await sendPoll(ctx, deps)) };
  }
  const outcome = await runStep(readPollOutcome, ctx, deps);
  return { ctx, calls, delays, outcome };
}

describe('device code flow, end to end against a stub relay', () => {
  test('happy path: pending twice, then tokens; every request through the relay', async () => {
    const { ctx, calls, delays, outcome } = await runFlow([
      () => entraError('authorization_pending', 70016),
      () => entraError('authorization_pending', 70016),
      () => json(TOKENS),
    ]);
    expect(calls).toHaveLength(4);
    expect(calls.every((c) => c.url === '/relay/forward')).toBe(true);
    expect(calls[0]?.target).toBe(`${ORIGIN}/${TENANT}/oauth2/v2.0/devicecode`);
    expect(Object.fromEntries(calls[0]!.body)).toEqual({ client_id: CLIENT_ID, scope: DEFAULT_DEVICE_SCOPE });
    expect(calls[1]?.target).toBe(`${ORIGIN}/${TENANT}/oauth2/v2.0/token`);
    expect(Object.fromEntries(calls[1]!.body)).toEqual({
      grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
      client_id: CLIENT_ID,
      device_code: 'device-code-secret',
    });
    expect(delays).toEqual([5000, 5000, 5000]);
    expect(ctx.polling).toMatchObject({ status: 'succeeded', polls: 3, inFlight: false });
    expect(outcome).toEqual({ ok: true, patch: { tokens: TOKENS } });
  });

  test('RFC 8628 §3.5: slow_down adds 5 s to every later wait', async () => {
    const { delays, ctx, outcome } = await runFlow([
      () => entraError('slow_down', 50196),
      () => entraError('slow_down', 50196),
      () => entraError('authorization_pending', 70016),
      () => json(TOKENS),
    ]);
    expect(delays).toEqual([5000, 10_000, 15_000, 15_000]);
    expect(ctx.polling).toMatchObject({ intervalSeconds: 15, slowDowns: 2, status: 'succeeded' });
    expect(outcome.ok).toBe(true);
  });

  test.each([
    ['expired_token', 70019],
    ['authorization_declined', 65004],
    ['access_denied', 65004],
    ['bad_verification_code', 70018],
    ['invalid_client', 7000218],
  ])('%s stops polling with the server’s error verbatim', async (error, code) => {
    const { ctx, calls, outcome } = await runFlow([
      () => entraError('authorization_pending', 70016),
      () => entraError(error, code),
      () => json(TOKENS),
    ]);
    expect(calls).toHaveLength(3);
    expect(ctx.polling).toMatchObject({ status: 'stopped', lastResult: error, polls: 2 });
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) {
      expect(outcome.failure.code).toBe('TOKEN_ENDPOINT_ERROR');
      expect(outcome.failure.fields?.error).toBe(error);
      expect(outcome.failure.fields?.error_codes).toEqual([code]);
      expect(outcome.failure.status).toBe(400);
    }
  });

  test('RFC 8628 §3.5: the client stops by itself once expires_in has passed', async () => {
    const { deps, clock } = stubDeps(() => json({ ...DEVICE_AUTHORIZATION, expires_in: 12 }));
    let ctx = context();
    ctx = { ...ctx, ...(await sendDeviceCodeRequest(ctx, deps)) };
    ctx = { ...ctx, ...readDeviceCodeResponse(ctx, deps) };
    clock.now = T0 + 12_000;
    expect(isPollDue(ctx.polling!, clock.now)).toBe(false);
    ctx = { ...ctx, ...checkDeviceCodeExpiry(ctx, deps) };
    expect(ctx.polling?.status).toBe('expired');
    const outcome = await runStep(readPollOutcome, ctx, deps);
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) {
      expect(outcome.failure.fields?.error).toBe('expired_token');
      expect(outcome.failure.message).toContain('without asking the server');
      expect(outcome.failure.status).toBeUndefined();
    }
  });

  test('the run stops when polling keeps answering pending past expiry', async () => {
    const { ctx, outcome, calls } = await runFlow([() => entraError('authorization_pending', 70016)]);
    // 900 s at 5 s: the last poll is sent before expiry, its answer ends the schedule.
    expect(calls.length).toBeGreaterThan(10);
    expect(ctx.polling?.status).toBe('expired');
    expect(!outcome.ok && outcome.failure.fields?.error).toBe('expired_token');
  }, 20_000);

  test('a malformed device authorization response is INVALID_RESPONSE; the inputs are kept', async () => {
    const { deps } = stubDeps(() => json({ ...DEVICE_AUTHORIZATION, interval: 'five' }));
    let ctx = context({ scope: 'openid' });
    ctx = { ...ctx, ...(await sendDeviceCodeRequest(ctx, deps)) };
    const result = await runStep(readDeviceCodeResponse, ctx, deps);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.failure.code).toBe('INVALID_RESPONSE');
    expect(ctx.scope).toBe('openid');
  });

  test('an error from the device code endpoint keeps the server’s fields', async () => {
    const { deps } = stubDeps(() => entraError('invalid_client', 7000218));
    let ctx = context();
    ctx = { ...ctx, ...(await sendDeviceCodeRequest(ctx, deps)) };
    const result = await runStep(readDeviceCodeResponse, ctx, deps);
    expect(!result.ok && result.failure.fields?.error_codes).toEqual([7000218]);
  });

  test('without a relay nothing is sent: RELAY_UNAVAILABLE', async () => {
    const { deps, calls } = stubDeps(() => json(DEVICE_AUTHORIZATION), false);
    const result = await runStep(sendDeviceCodeRequest, context(), deps);
    expect(!result.ok && result.failure.code).toBe('RELAY_UNAVAILABLE');
    expect(calls).toHaveLength(0);
  });

  test('polling before a code exists is MISSING_PARAMETER', async () => {
    const { deps } = stubDeps(() => json(TOKENS));
    const result = await runStep(sendPoll, context(), deps);
    expect(!result.ok && result.failure.code).toBe('MISSING_PARAMETER');
  });
});

describe('device code pieces', () => {
  test('the preview requests: device code endpoint and poll', () => {
    expect(buildDeviceCodeRequest(context()).url).toBe(`${ORIGIN}/${TENANT}/oauth2/v2.0/devicecode`);
    expect(buildPollRequest(context()).url).toBe(`${ORIGIN}/${TENANT}/oauth2/v2.0/token`);
  });

  test('RFC 8628 §4: fixed endpoints from a generic issuer replace the tenant path', async () => {
    const endpoints = {
      authorization: 'https://as.example/authorize',
      token: 'https://as.example/token',
      jwks: 'https://as.example/jwks',
      deviceAuthorization: 'https://as.example/device',
    };
    const fixed = context({ endpoints, tenant: '' });
    expect(buildDeviceCodeRequest(fixed).url).toBe('https://as.example/device');
    expect(buildPollRequest(fixed).url).toBe('https://as.example/token');
    expect(validateDeviceAuthorizationRequest(fixed).map((w) => w.parameter)).toEqual([]);

    const { deviceAuthorization: _none, ...withoutDevice } = endpoints;
    const { deps, calls } = stubDeps(() => json(DEVICE_AUTHORIZATION));
    const result = await runStep(sendDeviceCodeRequest, context({ endpoints: withoutDevice }), deps);
    expect(!result.ok && result.failure.code).toBe('INVALID_INPUT');
    expect(!result.ok && result.failure.message).toContain('no device authorization endpoint');
    expect(calls).toEqual([]);
  });

  test('both routes are the relay, saying why', () => {
    const deps = { relayAvailable: true, relayToken: 't' };
    expect(decideDeviceRoute('devicecode', deps)).toMatchObject({ via: 'relay' });
    expect(decideDeviceRoute('devicecode', deps).reason).toContain('not CORS-enabled');
    expect(decideDeviceRoute('token', deps).reason).toContain('AADSTS9002326');
  });

  test('warnings: empty scope, missing offline_access', () => {
    expect(validateDeviceAuthorizationRequest(context())).toEqual([]);
    expect(validateDeviceAuthorizationRequest(context({ scope: ' ' }))[0]?.parameter).toBe('scope');
    expect(validateDeviceAuthorizationRequest(context({ scope: 'openid User.Read' }))[0]?.message).toContain(
      'offline_access',
    );
  });

  test('secondsUntil rounds up and never goes below zero', () => {
    expect(secondsUntil(T0 + 4001, T0)).toBe(5);
    expect(secondsUntil(T0 - 10, T0)).toBe(0);
  });

  test('sequence diagram', () => {
    expect(buildSequenceDiagram(deviceCodeFlow.diagram)).toMatchSnapshot();
  });

  test('RFC 8628 §3.5: recorded polls are drawn as one loop with their count, the tokens after it', () => {
    const poll = (status: number, error?: string) => ({
      step: 'poll',
      method: 'POST',
      url: 'http://localhost:5174/t/oauth2/v2.0/token',
      via: 'relay' as const,
      status,
      ...(error === undefined ? {} : { error }),
      at: 1,
    });
    const recorded = [
      {
        step: 'request',
        method: 'POST',
        url: 'http://localhost:5174/t/oauth2/v2.0/devicecode',
        via: 'relay' as const,
        status: 200,
        at: 0,
      },
      poll(400, 'authorization_pending'),
      poll(400, 'authorization_pending'),
      poll(400, 'authorization_pending'),
      poll(200),
    ];
    const text = buildSequenceDiagram(liveDiagramSpec(deviceCodeFlow.diagram, recorded, []));
    expect(text.match(/^\s*loop /gm)).toHaveLength(1);
    expect(text).toContain('loop 3 times');
    // The loop's label has the count; the reply names the one answer every pass got.
    expect(text).toMatch(/--x\w+: 400 authorization_pending\n/);
    expect(text).not.toContain('×3');
    expect(text).not.toContain('POST /token device_code (every interval)');
    expect(text).toContain('Read access, ID and refresh tokens');
  });

  test('step inputs: a new request makes the shown code, the polls and the tokens stale', () => {
    const inputsOf = (id: string) => deviceCodeFlow.steps.find((s) => s.id === id)?.inputs ?? [];
    expect(inputsOf('request')).toEqual(expect.arrayContaining(['clientId', 'scope', 'tenant']));
    expect(inputsOf('show-code')).toContain('authorization');
    expect(inputsOf('poll')).toContain('authorization');
  });
});
