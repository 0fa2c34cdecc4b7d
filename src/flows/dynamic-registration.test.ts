import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { buildSequenceDiagram } from './diagram.ts';
import {
  buildClientMetadata,
  buildDynamicRegistrationRequest,
  createDynamicRegistrationContext,
  decideRegistrationRoute,
  dynamicRegistrationFlow,
  parseJwksInput,
  readDelete,
  readReadBack,
  readUpdate,
  readRegistration,
  sendDelete,
  sendReadBack,
  sendRegistration,
  sendUpdate,
  validateDynamicRegistration,
  type DynamicRegistrationContext,
} from './dynamic-registration.ts';
import { runStep, type FlowDeps } from './runner.ts';

const SANDBOX = 'http://localhost:5174';
const ENDPOINT = `${SANDBOX}/standard/reg`;
const SECRET = 'registered-secret-9f8e7d6c5b4a';
const RAT = 'registration-access-token-1a2b3c4d';

interface Call {
  readonly url: string;
  readonly method: string;
  readonly headers: Headers;
  readonly body: string;
}

/** A stub registration server: one client, RFC 7591 §3.2.1 and RFC 7592 §2 answers. */
function stubServer(options: { refuse?: boolean } = {}) {
  const calls: Call[] = [];
  let registered: Record<string, unknown> | undefined;
  const json = (status: number, body: unknown) =>
    new Response(body === undefined ? null : JSON.stringify(body), {
      status,
      headers: { 'Content-Type': 'application/json' },
    });
  const deps: FlowDeps = {
    fetch: async (url, init) => {
      const headers = new Headers(init.headers);
      calls.push({ url, method: String(init.method), headers, body: String(init.body ?? '') });
      if (url === ENDPOINT && init.method === 'POST') {
        if (options.refuse)
          return json(400, {
            error: 'invalid_redirect_uri',
            error_description: 'redirect_uris must not contain a fragment',
          });
        const metadata = JSON.parse(String(init.body)) as Record<string, unknown>;
        registered = {
          ...metadata,
          client_id: 'dyn-1',
          client_secret: SECRET,
          client_id_issued_at: 1_700_000_000,
          client_secret_expires_at: 0,
          // The server replaced a value it does not allow: the client must notice.
          scope: 'openid profile',
          registration_access_token: RAT,
          registration_client_uri: `${ENDPOINT}/dyn-1`,
        };
        return json(201, registered);
      }
      if (url === `${ENDPOINT}/dyn-1`) {
        if (headers.get('Authorization') !== `Bearer ${RAT}` || registered === undefined)
          return json(401, { error: 'invalid_token', error_description: 'invalid token provided' });
        if (init.method === 'PUT') {
          const update = JSON.parse(String(init.body)) as Record<string, unknown>;
          // RFC 7592 §2.2: same client_id, no server-owned fields.
          if (update['client_id'] !== 'dyn-1' || 'registration_access_token' in update)
            return json(400, { error: 'invalid_request' });
          registered = { ...registered, ...update };
          return json(200, registered);
        }
        if (init.method === 'DELETE') {
          registered = undefined;
          return new Response(null, { status: 204 });
        }
        const { registration_access_token: _kept, ...rest } = registered;
        return json(200, rest);
      }
      return json(404, { error: 'not_found' });
    },
    now: () => 1_700_000_000_000,
    relayAvailable: true,
    relayToken: 'relay-token',
    appOrigin: 'http://localhost:5173',
  };
  return { deps, calls };
}

function fresh(): DynamicRegistrationContext {
  return createDynamicRegistrationContext({
    sandboxOrigin: SANDBOX,
    registrationEndpoint: ENDPOINT,
    redirectUri: 'http://localhost:5173/callback',
    now: Date.UTC(2026, 10, 30, 21, 0, 0),
  });
}

async function step<P>(
  ctx: DynamicRegistrationContext,
  fn: (ctx: DynamicRegistrationContext, deps: FlowDeps) => Promise<P> | P,
  deps: FlowDeps,
): Promise<DynamicRegistrationContext> {
  const result = await runStep(fn, ctx, deps);
  if (!result.ok) throw new Error(`${result.failure.code}: ${result.failure.message}`);
  return { ...ctx, ...result.patch };
}

describe('dynamic client registration, end to end against a stub server', () => {
  test('register, read the answer, read it back, delete it', async () => {
    const { deps, calls } = stubServer();
    let ctx = fresh();
    expect(validateDynamicRegistration(ctx)).toEqual([]);

    ctx = await step(ctx, (c, d) => sendRegistration(c, d), deps);
    const post = calls[0]!;
    // RFC 7591 §3.1: JSON POST, straight from the browser to the local sandbox.
    expect(post.url).toBe(ENDPOINT);
    expect(post.headers.get('Content-Type')).toBe('application/json');
    expect(JSON.parse(post.body)).toEqual({
      client_name: 'Flow Lab client 2026-11-30 21:00:00',
      redirect_uris: ['http://localhost:5173/callback'],
      grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_post',
      scope: 'openid profile email offline_access',
    });

    ctx = await step(ctx, readRegistration, deps);
    expect(ctx.client?.client_id).toBe('dyn-1');
    expect(ctx.client?.client_secret).toBe(SECRET);
    expect(ctx.notes).toEqual([]);
    expect(ctx.differences).toEqual([
      {
        field: 'scope',
        requested: 'openid profile email offline_access',
        registered: 'openid profile',
      },
    ]);

    ctx = await step(ctx, sendReadBack, deps);
    expect(calls[1]).toMatchObject({ url: `${ENDPOINT}/dyn-1`, method: 'GET' });
    expect(calls[1]!.headers.get('Authorization')).toBe(`Bearer ${RAT}`);
    // The kept exchange no longer carries the token (it was sent, as the stub saw).
    expect(JSON.stringify(ctx.readExchange)).not.toContain(RAT);
    ctx = await step(ctx, readReadBack, deps);
    expect(ctx.readBack?.client_id).toBe('dyn-1');

    // RFC 7592 §2.2: an update replaces the metadata; the answer is the client as now registered.
    ctx = await step({ ...ctx, newClientName: 'Renamed client' }, sendUpdate, deps);
    expect(calls[2]).toMatchObject({ method: 'PUT' });
    expect(JSON.stringify(ctx.updateExchange?.request)).not.toContain(RAT);
    ctx = await step(ctx, readUpdate, deps);
    expect(ctx.client?.client_name).toBe('Renamed client');
    // The token the client holds is still there for the next request.
    expect(ctx.client?.registration_access_token).toBe(RAT);

    ctx = await step(ctx, sendDelete, deps);
    expect(calls[3]).toMatchObject({ method: 'DELETE' });
    expect(JSON.stringify(ctx.deleteExchange)).not.toContain(RAT);
    ctx = await step(ctx, readDelete, deps);
    expect(ctx.deleted).toBe(true);

    // RFC 7592 §2.3: after the delete the registration is gone; reading it is refused.
    ctx = await step(ctx, sendReadBack, deps);
    const refused = await runStep(readReadBack, ctx, deps);
    expect(refused).toMatchObject({
      ok: false,
      failure: { code: 'REGISTRATION_ERROR', status: 401, fields: { error: 'invalid_token' } },
    });
  });

  test('RFC 7591 §3.2.2: a refusal keeps the server’s error fields', async () => {
    const { deps } = stubServer({ refuse: true });
    const ctx = await step(fresh(), (c, d) => sendRegistration(c, d), deps);
    const result = await runStep(readRegistration, ctx, deps);
    expect(result).toMatchObject({
      ok: false,
      failure: {
        code: 'REGISTRATION_ERROR',
        status: 400,
        fields: { error: 'invalid_redirect_uri' },
      },
    });
  });

  test('RFC 7591 §3: an initial access token goes as a bearer token', async () => {
    const { deps, calls } = stubServer();
    await step(fresh(), (c, d) => sendRegistration(c, d, 'initial-token'), deps);
    expect(calls[0]!.headers.get('Authorization')).toBe('Bearer initial-token');
  });

  test('without a management URI, reading back says why instead of sending anything', async () => {
    const { deps, calls } = stubServer();
    const result = await runStep(sendReadBack, { ...fresh(), client: { client_id: 'x' } }, deps);
    expect(result).toMatchObject({ ok: false, failure: { code: 'MISSING_PARAMETER' } });
    expect(calls).toEqual([]);
  });
});

describe('client metadata', () => {
  test('a client without a user: no response types is sent as an empty list', () => {
    const ctx = { ...fresh(), grantTypes: ['client_credentials'], responseTypes: [], redirectUris: '' };
    expect(JSON.parse(buildDynamicRegistrationRequest(ctx).body ?? '')).toMatchObject({ response_types: [] });
    expect(validateDynamicRegistration(ctx)).toEqual([]);
  });

  test('jwks: a public JWK Set is sent; private members are refused before sending', async () => {
    const publicKey = { kty: 'EC', crv: 'P-256', x: 'x', y: 'y' };
    expect(parseJwksInput(JSON.stringify({ keys: [publicKey] }))).toEqual({ keys: [publicKey] });
    expect(() => parseJwksInput(JSON.stringify({ keys: [{ ...publicKey, d: 'secret' }] }))).toThrow(
      /private/,
    );
    expect(() => parseJwksInput('{not json')).toThrow(/not valid JSON/);
    expect(() => parseJwksInput('{"keys": 1}')).toThrow(/JWK Set/);
    const ctx = {
      ...fresh(),
      authMethod: 'private_key_jwt',
      jwks: '{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}',
    };
    expect(validateDynamicRegistration(ctx).map((w) => w.parameter)).toContain('jwks');
    expect(() => buildClientMetadata(ctx)).toThrow(/symmetric/);
    const { deps, calls } = stubServer();
    const result = await runStep((c, d) => sendRegistration(c, d), ctx, deps);
    expect(result).toMatchObject({ ok: false, failure: { code: 'INVALID_INPUT' } });
    expect(calls).toEqual([]);
  });

  test('property: a key with any private or symmetric member is never registered', () => {
    const member = fc.constantFrom('d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k');
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.string()), member, fc.string(), (rest, name, value) => {
        const key = { kty: 'RSA', n: 'n', e: 'AQAB', ...rest, [name]: value };
        expect(() => parseJwksInput(JSON.stringify({ keys: [{ kty: 'EC' }, key] }))).toThrow(
          /private or symmetric/,
        );
      }),
    );
  });

  test('an endpoint that is not an http(s) URL is refused before anything is sent', async () => {
    const { deps, calls } = stubServer();
    for (const registrationEndpoint of ['not a url', 'javascript:alert(1)', '']) {
      const ctx = { ...fresh(), registrationEndpoint };
      expect(validateDynamicRegistration(ctx).map((w) => w.parameter)).toContain('registration_endpoint');
      const result = await runStep((c, d) => sendRegistration(c, d), ctx, deps);
      expect(result).toMatchObject({ ok: false, failure: { code: 'INVALID_INPUT' } });
    }
    expect(calls).toEqual([]);
  });

  test('route: the local sandbox from the browser, any other provider through the relay', () => {
    const deps = { relayAvailable: true, relayToken: 't' };
    expect(decideRegistrationRoute(ENDPOINT, fresh(), deps).via).toBe('browser');
    expect(decideRegistrationRoute('https://id.example.com/reg', fresh(), deps).via).toBe('relay');
  });
});

test('sequence diagram', () => {
  expect(buildSequenceDiagram(dynamicRegistrationFlow.diagram)).toMatchSnapshot();
});
