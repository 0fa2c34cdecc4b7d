import { describe, expect, test } from 'vitest';
import { buildSequenceDiagram } from './diagram.ts';
import {
  buildPasswordRequest,
  CLEARED_PASSWORD,
  createPasswordContext,
  DEFAULT_PASSWORD_SCOPE,
  decidePasswordRoute,
  passwordFlow,
  readPasswordResponse,
  redactPassword,
  sendPasswordRequest,
  validatePasswordRequest,
  type PasswordContext,
} from './password.ts';
import { runStep, type FlowDeps } from './runner.ts';

const TENANT = '5f1c9e7a-0b3d-4c2e-9a61-7d8e2f4b6c10';
const ORIGIN = 'http://localhost:5174';
const CLIENT_ID = '3b8d6f2a-9c4e-4a71-b5d0-1e7f3c9a2b64';
const PASSWORD = 'Sandbox-Adele-1';

interface Call {
  url: string;
  body: URLSearchParams;
  target: string | null;
}

function stubDeps(respond: () => Response, relayAvailable = true): FlowDeps & { calls: Call[] } {
  const calls: Call[] = [];
  return {
    calls,
    fetch: async (url, init) => {
      const headers = new Headers(init.headers);
      calls.push({
        url,
        body: new URLSearchParams(String(init.body)),
        target: headers.get('X-Relay-Target'),
      });
      return respond();
    },
    now: () => Date.now(),
    relayAvailable,
    relayToken: 'relay-token',
    appOrigin: 'http://localhost:5173',
  };
}

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status });
const entraError = (error: string, code: number, extra: object = {}) =>
  json({ error, error_description: `AADSTS${code}: text`, error_codes: [code], ...extra }, 400);
const TOKENS = { token_type: 'Bearer', access_token: 'at', refresh_token: 'rt', id_token: 'a.b.c' };

function context(patch: Partial<PasswordContext> = {}): PasswordContext {
  return {
    ...createPasswordContext({ authorityOrigin: ORIGIN, tenant: TENANT, clientId: CLIENT_ID }),
    username: 'adele@flowlab-sandbox.onmicrosoft.com',
    password: PASSWORD,
    ...patch,
  };
}

/** Sends and reads as the page does, merging patches like the run store. */
async function run(ctx: PasswordContext, deps: FlowDeps) {
  const sent = await runStep(sendPasswordRequest, ctx, deps);
  const afterSend = sent.ok ? { ...ctx, ...sent.patch } : ctx;
  const read = await runStep(readPasswordResponse, afterSend, deps);
  return { sent, afterSend, read };
}

describe('password grant', () => {
  test('RFC 6749 §4.3.2: the request body, public client (no secret), through the relay', async () => {
    const deps = stubDeps(() => json(TOKENS));
    await run(context(), deps);
    expect(deps.calls).toHaveLength(1);
    expect(deps.calls[0]?.url).toBe('/relay/forward');
    expect(deps.calls[0]?.target).toBe(`${ORIGIN}/${TENANT}/oauth2/v2.0/token`);
    expect(Object.fromEntries(deps.calls[0]!.body)).toEqual({
      grant_type: 'password',
      client_id: CLIENT_ID,
      username: 'adele@flowlab-sandbox.onmicrosoft.com',
      password: PASSWORD,
      scope: DEFAULT_PASSWORD_SCOPE,
    });
  });

  test('the preview masks the password (a secret field)', () => {
    const request = buildPasswordRequest(context());
    expect(request.secretFields).toContain('password');
    expect(request.secretFields).not.toContain('client_secret');
  });

  test('happy path: tokens read, and the context kept after sending holds no password', async () => {
    const { afterSend, read } = await run(
      context(),
      stubDeps(() => json(TOKENS)),
    );
    expect(read).toEqual({ ok: true, patch: { tokens: TOKENS } });
    expect(afterSend.password).toBe('');
    expect(afterSend.username).toBe('adele@flowlab-sandbox.onmicrosoft.com');
    expect(JSON.stringify(afterSend)).not.toContain(PASSWORD);
    expect(new URLSearchParams(afterSend.exchange?.request.body).get('password')).toBe(CLEARED_PASSWORD);
  });

  test('a failure also leaves no password in the context', async () => {
    const { afterSend, read } = await run(
      context(),
      stubDeps(() => entraError('invalid_grant', 50126)),
    );
    expect(read.ok).toBe(false);
    expect(JSON.stringify(afterSend)).not.toContain(PASSWORD);
    if (!read.ok) expect(read.failure.raw ?? '').not.toContain(PASSWORD);
  });

  test('MFA user: invalid_grant AADSTS50076 with the claims challenge kept', async () => {
    const claims = '{"access_token":{"capolids":{"essential":true}}}';
    const { read } = await run(
      context({ username: 'megan@flowlab-sandbox.onmicrosoft.com', password: 'Sandbox-Megan-1' }),
      stubDeps(() => entraError('invalid_grant', 50076, { suberror: 'basic_action', claims })),
    );
    expect(read.ok).toBe(false);
    if (!read.ok) {
      expect(read.failure.code).toBe('TOKEN_ENDPOINT_ERROR');
      expect(read.failure.fields?.error).toBe('invalid_grant');
      expect(read.failure.fields?.error_codes).toEqual([50076]);
      expect(read.failure.fields?.claims).toBe(claims);
    }
  });

  test('wrong password: invalid_grant AADSTS50126', async () => {
    const { read } = await run(
      context({ password: 'nope' }),
      stubDeps(() => entraError('invalid_grant', 50126)),
    );
    expect(!read.ok && read.failure.fields?.error_codes).toEqual([50126]);
  });

  test('common: invalid_request AADSTS9001023 is kept verbatim', async () => {
    const { read } = await run(
      context({ tenant: 'common' }),
      stubDeps(() => entraError('invalid_request', 9001023)),
    );
    expect(!read.ok && read.failure.fields?.error_codes).toEqual([9001023]);
  });

  test('without a relay nothing is sent: RELAY_UNAVAILABLE', async () => {
    const deps = stubDeps(() => json(TOKENS), false);
    const { sent } = await run(context(), deps);
    expect(!sent.ok && sent.failure.code).toBe('RELAY_UNAVAILABLE');
    expect(deps.calls).toHaveLength(0);
  });

  test('reading before sending is MISSING_PARAMETER', async () => {
    const result = await runStep(
      readPasswordResponse,
      context(),
      stubDeps(() => json(TOKENS)),
    );
    expect(!result.ok && result.failure.code).toBe('MISSING_PARAMETER');
  });

  test('warnings: common and consumers before sending, empty fields', () => {
    expect(validatePasswordRequest(context())).toEqual([]);
    expect(validatePasswordRequest(context({ tenant: 'organizations' }))).toEqual([]);
    for (const tenant of ['common', 'Consumers']) {
      const [warning] = validatePasswordRequest(context({ tenant }));
      expect(warning?.parameter).toBe('tenant');
      expect(warning?.message).toContain('AADSTS9001023');
    }
    expect(validatePasswordRequest(context({ password: '', username: '' })).map((w) => w.parameter)).toEqual([
      'username',
      'password',
    ]);
  });

  test('redactPassword leaves other requests alone', () => {
    const exchange = {
      request: buildPasswordRequest(context({ password: '' })),
      via: 'relay' as const,
      viaReason: '',
      startedAt: 1,
    };
    expect(redactPassword(exchange)).toBe(exchange);
  });

  test('the route is the relay, naming AADSTS9002326', () => {
    expect(decidePasswordRoute({ relayAvailable: true }).via).toBe('relay');
    expect(decidePasswordRoute({ relayAvailable: true }).reason).toContain('AADSTS9002326');
  });

  test('catalogue: legacy, naming RFC 9700 and the alternatives', () => {
    expect(passwordFlow.legacy).toContain('RFC 9700 §2.4');
    expect(passwordFlow.legacy).toContain('MUST NOT');
    expect(passwordFlow.legacy).toMatch(/PKCE/);
    expect(passwordFlow.legacy).toMatch(/device code/);
  });

  test('sequence diagram', () => {
    expect(buildSequenceDiagram(passwordFlow.diagram)).toMatchSnapshot();
  });

  test('step inputs: the password is no input (it is emptied after every send), the user name is', () => {
    for (const step of passwordFlow.steps) expect(step.inputs).not.toContain('password');
    expect(passwordFlow.steps.find((s) => s.id === 'request')?.inputs).toEqual(
      expect.arrayContaining(['username', 'clientId', 'scope', 'tenant']),
    );
  });
});
