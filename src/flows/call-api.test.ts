import { describe, expect, test } from 'vitest';
import { encodeBase64Url } from '../protocol/base64url.ts';
import {
  apiTargets,
  buildApiRequest,
  callApi,
  callApiFlow,
  callApiVariant,
  checkTokenForApi,
  createCallApiContext,
  readApiResponse,
  requirementFor,
  type CallApiContext,
} from './call-api.ts';
import { buildSequenceDiagram } from './diagram.ts';
import { liveDiagramSpec, plannedDiagram } from './live-diagram.ts';
import { runStep, type FlowDeps } from './runner.ts';

const SANDBOX = 'http://localhost:5174';
const NOW = Date.UTC(2026, 4, 1, 12, 0, 0);
const GRAPH = '00000003-0000-0000-c000-000000000000';
const targets = apiTargets(SANDBOX);
const ME = targets[0]!;
const USERS = targets[1]!;

function jwt(payload: object): string {
  const part = (o: object) => encodeBase64Url(new TextEncoder().encode(JSON.stringify(o)));
  return `${part({ alg: 'RS256', typ: 'JWT' })}.${part(payload)}.c2ln`;
}

const delegated = jwt({ aud: GRAPH, scp: 'openid profile User.Read', exp: NOW / 1000 + 3600 });
const appOnly = jwt({ aud: GRAPH, roles: ['User.Read.All'], exp: NOW / 1000 + 3600, idtyp: 'app' });

function stubDeps(
  response: Response | (() => Promise<Response>),
): FlowDeps & { calls: { url: string; init: RequestInit }[] } {
  const calls: { url: string; init: RequestInit }[] = [];
  return {
    calls,
    fetch: async (url, init) => {
      calls.push({ url, init });
      return typeof response === 'function' ? response() : response;
    },
    now: () => NOW,
    relayAvailable: true,
    appOrigin: 'http://localhost:5173',
  };
}

async function run(ctx: CallApiContext, response: Response) {
  const deps = stubDeps(response);
  const { exchange } = await callApi(ctx, deps);
  return { deps, exchange, outcome: readApiResponse(exchange!, requirementFor(ctx.url, targets), NOW) };
}

describe('call an API', () => {
  test('RFC 6750 §2.1: GET with Authorization: Bearer, from the browser, 200 read as JSON', async () => {
    const ctx = { ...createCallApiContext(SANDBOX), token: `Bearer ${delegated}` };
    expect(ctx.url).toBe(`${SANDBOX}/v1.0/me`);
    const { deps, exchange, outcome } = await run(
      ctx,
      new Response(JSON.stringify({ displayName: 'Adele Vance' }), { status: 200 }),
    );
    expect(deps.calls[0]?.url).toBe(`${SANDBOX}/v1.0/me`);
    expect(new Headers(deps.calls[0]?.init.headers).get('Authorization')).toBe(`Bearer ${delegated}`);
    expect(exchange?.via).toBe('browser');
    expect(exchange?.request.secretFields).toEqual(['Authorization']);
    expect(outcome).toMatchObject({ ok: true, status: 200, json: { displayName: 'Adele Vance' } });
  });

  test('RFC 6750 §3.1: 401 without a token — no error code, explained as no token sent', async () => {
    const ctx = { ...createCallApiContext(SANDBOX), token: '' };
    expect(buildApiRequest(ctx).headers.some(([n]) => n === 'Authorization')).toBe(false);
    const { outcome } = await run(
      ctx,
      new Response('{"error":{"code":"InvalidAuthenticationToken","message":"Access token is empty."}}', {
        status: 401,
        headers: { 'WWW-Authenticate': 'Bearer realm="sandbox"' },
      }),
    );
    expect(outcome).toMatchObject({
      ok: false,
      reason: 'no-token',
      challenge: { realm: 'sandbox' },
      graphError: { code: 'InvalidAuthenticationToken' },
    });
    expect(outcome.challenge?.error).toBeUndefined();
  });

  test('RFC 6750 §3.1: 403 insufficient_scope names the missing role (User.Read.All)', async () => {
    const ctx = { ...createCallApiContext(SANDBOX), url: USERS.url, token: delegated };
    const checks = checkTokenForApi(delegated, USERS.requirement, NOW);
    expect(checks.find((c) => c.claim === 'roles')).toMatchObject({ ok: false });
    const { outcome } = await run(
      ctx,
      new Response(
        '{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges to complete the operation."}}',
        {
          status: 403,
          headers: {
            'WWW-Authenticate': 'Bearer realm="sandbox", error="insufficient_scope", scope="User.Read.All"',
          },
        },
      ),
    );
    expect(outcome).toMatchObject({
      reason: 'insufficient-scope',
      missing: 'User.Read.All',
      graphError: { code: 'Authorization_RequestDenied' },
    });
    expect(outcome.title).toContain('User.Read.All');
  });

  test('a 403 without a scope in the challenge still names the permission the endpoint needs', () => {
    const exchange = {
      request: buildApiRequest({ token: delegated, url: USERS.url }),
      via: 'browser' as const,
      viaReason: '',
      startedAt: 1,
      response: {
        status: 403,
        statusText: '',
        headers: [['www-authenticate', 'Bearer error="insufficient_scope"']] as [string, string][],
        body: '',
      },
    };
    expect(readApiResponse(exchange, USERS.requirement, NOW)).toMatchObject({ missing: 'User.Read.All' });
  });

  test('RFC 6750 §3.1: invalid_token for an expired token is explained as expired', async () => {
    const expired = jwt({ aud: GRAPH, scp: 'User.Read', exp: NOW / 1000 - 60 });
    expect(checkTokenForApi(expired, ME.requirement, NOW).find((c) => c.claim === 'exp')).toMatchObject({
      ok: false,
    });
    const { outcome } = await run(
      { ...createCallApiContext(SANDBOX), token: expired },
      new Response('', {
        status: 401,
        headers: {
          'WWW-Authenticate': 'Bearer error="invalid_token", error_description="The token is expired"',
        },
      }),
    );
    expect(outcome).toMatchObject({
      reason: 'expired',
      challenge: { error: 'invalid_token', error_description: 'The token is expired' },
    });
  });

  test('invalid_token for an ID token (aud = client id) is explained as the wrong audience', async () => {
    const idToken = jwt({ aud: 'client-1', nonce: 'n', exp: NOW / 1000 + 60, preferred_username: 'adele' });
    const aud = checkTokenForApi(idToken, ME.requirement, NOW).find((c) => c.claim === 'aud');
    expect(aud).toMatchObject({ ok: false });
    expect(aud?.message).toContain('ID token');
    const { outcome } = await run(
      { ...createCallApiContext(SANDBOX), token: idToken },
      new Response('', { status: 401, headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' } }),
    );
    expect(outcome.reason).toBe('wrong-audience');
  });

  test('invalid_token for a garbage token: the decode problem is the explanation', async () => {
    expect(checkTokenForApi('garbage', ME.requirement, NOW)[0]).toMatchObject({
      claim: 'token',
      ok: undefined,
    });
    const { outcome } = await run(
      { ...createCallApiContext(SANDBOX), token: 'eyJhbGciOiJSUzI1NiJ9.bad!.x' },
      new Response('', { status: 401, headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' } }),
    );
    expect(outcome.reason).toBe('invalid-token');
    expect(outcome.what).toContain('could not read the token');
  });

  test('a Graph-style 401 with no error code, for a sent token, is an invalid token, not "no token"', async () => {
    const header =
      'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"';
    const { outcome } = await run(
      { ...createCallApiContext(SANDBOX), url: 'https://graph.microsoft.com/v1.0/me', token: delegated },
      new Response(
        '{"error":{"code":"InvalidAuthenticationToken","message":"Access token validation failure."}}',
        { status: 401, headers: { 'WWW-Authenticate': header } },
      ),
    );
    expect(outcome).toMatchObject({
      reason: 'invalid-token',
      graphError: { code: 'InvalidAuthenticationToken' },
    });
  });

  test('an unreadable WWW-Authenticate is reported, not thrown', async () => {
    const { outcome } = await run(
      { ...createCallApiContext(SANDBOX), token: delegated },
      new Response('', { status: 401, headers: { 'WWW-Authenticate': 'Bearer error="unclosed' } }),
    );
    expect(outcome.challengeProblem).toContain('never closed');
    expect(outcome.reason).toBe('invalid-token');
  });

  test('checks before sending: an app-only token for /me lacks the delegated scope; a delegated one passes', () => {
    expect(checkTokenForApi(appOnly, ME.requirement, NOW).find((c) => c.claim === 'scp')?.message).toContain(
      'app-only',
    );
    expect(checkTokenForApi(delegated, ME.requirement, NOW).every((c) => c.ok === true)).toBe(true);
    expect(checkTokenForApi(appOnly, USERS.requirement, NOW).every((c) => c.ok === true)).toBe(true);
    expect(checkTokenForApi('', ME.requirement, NOW)[0]).toMatchObject({ claim: 'token', ok: false });
  });

  test('a custom URL on the sandbox or Graph still checks the audience', () => {
    expect(requirementFor(`${SANDBOX}/v1.0/users/abc`, targets)?.audiences).toContain(GRAPH);
    expect(requirementFor('https://example.com/api', targets)).toBeUndefined();
    expect(requirementFor('not a url', targets)).toBeUndefined();
  });

  test('a network failure is CORS_ERROR, never a crash', async () => {
    const deps = stubDeps(() => Promise.reject(new TypeError('Failed to fetch')));
    expect(
      await runStep(callApi, { ...createCallApiContext(SANDBOX), token: delegated }, deps),
    ).toMatchObject({ ok: false, failure: { code: 'CORS_ERROR' } });
  });

  test('sequence diagram text', () => {
    expect(buildSequenceDiagram(callApiFlow.diagram)).toMatchSnapshot();
  });

  test('the diagram draws the API the run calls: /me checks scp, /users checks roles, another URL only exp', () => {
    expect(callApiVariant(ME.url)).toBe('api-me');
    expect(callApiVariant('https://graph.microsoft.com/v1.0/me/')).toBe('api-me');
    expect(callApiVariant(USERS.url)).toBe('api-users');
    expect(callApiVariant('https://example.com/api')).toBe('api-other');
    expect(callApiVariant('not a url')).toBe('api-other');
    for (const variant of ['api-me', 'api-users', 'api-other'] as const) {
      const text = buildSequenceDiagram(plannedDiagram(callApiFlow.diagram, [variant]));
      expect(text.match(/Authorization#58; Bearer token/g)).toHaveLength(1);
      expect(text).toMatchSnapshot(variant);
    }
  });

  test('the request really sent replaces the planned one in the diagram, with its status', () => {
    const spec = liveDiagramSpec(
      callApiFlow.diagram,
      [
        {
          step: 'call',
          method: 'GET',
          url: USERS.url,
          via: 'browser',
          status: 403,
          error: 'insufficient_scope',
          at: NOW,
        },
      ],
      ['api-users'],
    );
    const text = buildSequenceDiagram(spec);
    expect(text).toContain('GET /v1.0/users');
    expect(text).not.toContain('Bearer token');
    expect(text).toContain('403');
  });

  test('every step that uses the token or the URL names them as inputs, so a change marks it stale', () => {
    const inputs = Object.fromEntries(callApiFlow.steps.map((s) => [s.id, 'inputs' in s ? s.inputs : []]));
    expect(inputs['call']).toEqual(expect.arrayContaining(['token', 'url']));
    expect(inputs['response']).toEqual(expect.arrayContaining(['token', 'url']));
    const keys = Object.keys(createCallApiContext(SANDBOX));
    for (const step of callApiFlow.steps)
      for (const key of 'inputs' in step ? step.inputs : []) expect(keys).toContain(key);
  });
});

test('a token the page cannot read is named for its shape: not a JWT, encrypted, or opaque — never guessed', () => {
  const check = (token: string) => checkTokenForApi(token, ME.requirement, NOW)[0];
  expect(check('hello.world')).toMatchObject({ actual: 'not a JWT', ok: undefined });
  expect(check('hello.world')?.message).toMatch(/^Not a JWT: it has 2 dot-separated parts/);
  expect(check('eyJhbGciOiJSU0EtT0FFUCJ9.a.b.c.d')).toMatchObject({ actual: 'encrypted (JWE)' });
  expect(check('Zm9vYmFy0123456789abcdefghijkLMNOP_-xyz12')).toMatchObject({ actual: 'opaque' });
  expect(check('Zm9vYmFy0123456789abcdefghijkLMNOP_-xyz12')?.message).toMatch(/RFC 7662/);
});
