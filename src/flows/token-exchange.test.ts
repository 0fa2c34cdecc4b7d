import { decodeProtectedHeader, jwtVerify } from 'jose';
import { describe, expect, test } from 'vitest';
import { encodeBase64Url } from '../protocol/base64url.ts';
import { TOKEN_TYPES } from '../protocol/token-exchange.ts';
import { buildSequenceDiagram } from './diagram.ts';
import { runStep, type FlowDeps } from './runner.ts';
import {
  buildExchangeRequest,
  checkExchange,
  compareExchangedTokens,
  createTokenExchangeContext,
  decideExchangeRoute,
  readExchange,
  sendExchange,
  tokenExchangeFlow,
  type TokenExchangeContext,
} from './token-exchange.ts';

const TOKEN_ENDPOINT = 'http://localhost:5174/standard/token';
const RESOURCE = 'http://localhost:5174/standard/api';

function jwt(payload: object): string {
  const part = (o: object) => encodeBase64Url(new TextEncoder().encode(JSON.stringify(o)));
  return `${part({ alg: 'ES256', typ: 'at+jwt' })}.${part(payload)}.c2ln`;
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
    now: () => 1_700_000_000_000,
    relayAvailable: true,
    appOrigin: 'http://localhost:5173',
  };
}

const json = (body: object, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

function context(patch: Partial<TokenExchangeContext> = {}): TokenExchangeContext {
  return {
    ...createTokenExchangeContext({
      tokenEndpoint: TOKEN_ENDPOINT,
      clientId: 'standard-post',
      clientSecret: 'post-secret',
      authMethod: 'client_secret_post',
      resource: RESOURCE,
      scope: 'api.read',
    }),
    ...patch,
  };
}

/** The form the relay was asked to send, whichever way the stub saw it. */
function sentForm(call: Call | undefined): URLSearchParams {
  const raw = String(call?.init.body ?? '');
  try {
    const wrapped = JSON.parse(raw) as { body?: string };
    if (typeof wrapped.body === 'string') return new URLSearchParams(wrapped.body);
  } catch {
    // A plain form body (browser route).
  }
  return new URLSearchParams(raw);
}

const userToken = jwt({
  iss: 'http://localhost:5174/standard',
  sub: 'user-1',
  aud: RESOURCE,
  scope: 'api.read',
});
const issued = jwt({
  iss: 'http://localhost:5174/standard',
  sub: 'user-1',
  aud: RESOURCE,
  client_id: 'standard-post',
  scope: 'api.read',
  act: { sub: 'standard-post' },
});

describe('token exchange flow', () => {
  test('impersonation end to end: subject token in, issued token read, claims compared', async () => {
    let ctx = context({
      subject: { token: userToken, tokenType: TOKEN_TYPES.access_token, source: 'pasted' },
    });
    expect(checkExchange(ctx)).toEqual([]);
    const deps = stubDeps(() =>
      json({
        access_token: issued,
        issued_token_type: TOKEN_TYPES.access_token,
        token_type: 'Bearer',
        expires_in: 300,
        scope: 'api.read',
      }),
    );
    const sent = await runStep(sendExchange, ctx, deps);
    expect(sent.ok).toBe(true);
    if (!sent.ok) return;
    ctx = { ...ctx, ...sent.patch };
    expect(deps.calls).toHaveLength(1);
    const form = sentForm(deps.calls[0]);
    expect(form.get('grant_type')).toBe('urn:ietf:params:oauth:grant-type:token-exchange');
    expect(form.get('subject_token')).toBe(userToken);
    expect(form.get('subject_token_type')).toBe(TOKEN_TYPES.access_token);
    expect(form.get('resource')).toBe(RESOURCE);
    expect(form.get('client_secret')).toBe('post-secret');
    expect(form.has('actor_token')).toBe(false);
    expect(ctx.exchange?.request.secretFields).toEqual(
      expect.arrayContaining(['client_secret', 'subject_token']),
    );

    ctx = { ...ctx, ...readExchange(ctx) };
    expect(ctx.tokens?.issued_token_type).toBe(TOKEN_TYPES.access_token);
    const rows = compareExchangedTokens(userToken, ctx.tokens?.access_token ?? '');
    expect(rows.find((r) => r.claim === 'sub')?.same).toBe(true);
    expect(rows.find((r) => r.claim === 'act')).toMatchObject({
      same: false,
      issued: { sub: 'standard-post' },
    });
  });

  test('delegation sends the actor token and its type', () => {
    const actor = jwt({ sub: 'service-a' });
    const form = new URLSearchParams(
      buildExchangeRequest(
        context({
          subject: { token: userToken, tokenType: TOKEN_TYPES.access_token },
          actor: { token: actor, tokenType: TOKEN_TYPES.jwt },
          audience: 'urn:a urn:b',
        }),
      ).body,
    );
    expect(form.get('actor_token')).toBe(actor);
    expect(form.get('actor_token_type')).toBe(TOKEN_TYPES.jwt);
    expect(form.getAll('audience')).toEqual(['urn:a', 'urn:b']);
  });

  test('client_secret_basic: the client in the header, not the body', () => {
    const request = buildExchangeRequest(
      context({
        authMethod: 'client_secret_basic',
        subject: { token: 't', tokenType: TOKEN_TYPES.access_token },
      }),
    );
    const form = new URLSearchParams(request.body);
    expect(form.has('client_id')).toBe(false);
    expect(form.has('client_secret')).toBe(false);
    const header = request.headers.find(([name]) => name === 'Authorization')?.[1] ?? '';
    expect(atob(header.replace('Basic ', ''))).toBe('standard-post:post-secret');
  });

  test('client_secret_jwt: a fresh HS256 assertion addressed to the token endpoint is signed at send time', async () => {
    const deps = stubDeps(() =>
      json({ access_token: 'opaque', issued_token_type: TOKEN_TYPES.access_token, token_type: 'Bearer' }),
    );
    const ctx = context({
      authMethod: 'client_secret_jwt',
      subject: { token: userToken, tokenType: TOKEN_TYPES.access_token },
    });
    const sent = await sendExchange(ctx, deps);
    const assertion = sentForm(deps.calls[0]).get('client_assertion') ?? '';
    expect(decodeProtectedHeader(assertion).alg).toBe('HS256');
    const { payload } = await jwtVerify(assertion, new TextEncoder().encode('post-secret'), {
      audience: TOKEN_ENDPOINT,
      currentDate: new Date(deps.now()),
    });
    expect(payload.iss).toBe('standard-post');
    expect(sent.assertion?.jwt).toBe(assertion);
  });

  test('RFC 8693 §2.2.2: invalid_target is a failed step with the server’s fields', async () => {
    const deps = stubDeps(() =>
      json({ error: 'invalid_target', error_description: 'unknown resource' }, 400),
    );
    let ctx = context({ subject: { token: userToken, tokenType: TOKEN_TYPES.access_token } });
    const sent = await runStep(sendExchange, ctx, deps);
    expect(sent.ok).toBe(true);
    if (!sent.ok) return;
    ctx = { ...ctx, ...sent.patch };
    const read = await runStep(readExchange, ctx, deps);
    expect(read.ok).toBe(false);
    if (read.ok) return;
    expect(read.failure.code).toBe('TOKEN_ENDPOINT_ERROR');
    expect(read.failure.fields?.error).toBe('invalid_target');
  });

  test('no subject token: nothing is sent, and the failure says where to get one', async () => {
    const deps = stubDeps(() => json({}));
    const result = await runStep(sendExchange, context(), deps);
    expect(deps.calls).toHaveLength(0);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.failure.code).toBe('MISSING_PARAMETER');
  });

  test('warnings: a public client and an empty secret', () => {
    expect(
      checkExchange(
        context({ authMethod: 'none', subject: { token: 't', tokenType: TOKEN_TYPES.access_token } }),
      ).map((w) => w.parameter),
    ).toEqual(['client_id']);
    expect(
      checkExchange(
        context({ clientSecret: '', subject: { token: 't', tokenType: TOKEN_TYPES.access_token } }),
      ).map((w) => w.parameter),
    ).toEqual(['client_secret']);
  });

  test('the request goes through the relay, which plays the service', () => {
    expect(decideExchangeRoute({ relayAvailable: true }).via).toBe('relay');
  });

  test('changing the subject token marks the exchange and the result stale', () => {
    const inputs = (id: string) => tokenExchangeFlow.steps.find((s) => s.id === id)?.inputs ?? [];
    expect(inputs('exchange')).toEqual(expect.arrayContaining(['subject', 'actor', 'audience', 'resource']));
    expect(inputs('result')).toEqual(['tokens']);
  });

  test('sequence diagram', () => {
    expect(buildSequenceDiagram(tokenExchangeFlow.diagram)).toMatchSnapshot();
  });
});
