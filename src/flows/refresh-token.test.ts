import { describe, expect, test } from 'vitest';
import { buildSequenceDiagram } from './diagram.ts';
import {
  buildRefreshRequest,
  createRefreshContext,
  decideRefreshRoute,
  exchangeRotationSetting,
  qualifyScope,
  readRefresh,
  readReuse,
  refreshTokenFlow,
  sendRefresh,
  sendReuse,
  validateRefreshRequest,
  type RefreshContext,
} from './refresh-token.ts';
import { runStep, type FlowDeps } from './runner.ts';

const TOKEN_ENDPOINT = 'http://localhost:5174/t/oauth2/v2.0/token';

interface Call {
  url: string;
  init: RequestInit;
}

function stubDeps(respond: (call: Call, index: number) => Response): FlowDeps & { calls: Call[] } {
  const calls: Call[] = [];
  return {
    calls,
    fetch: async (url, init) => {
      calls.push({ url, init });
      return respond({ url, init }, calls.length - 1);
    },
    now: () => 1_000,
    relayAvailable: true,
    appOrigin: 'http://localhost:5173',
  };
}

const json = (body: object, status = 200) => new Response(JSON.stringify(body), { status });

function spaContext(): RefreshContext {
  return {
    ...createRefreshContext({ tokenEndpoint: TOKEN_ENDPOINT, clientId: 'spa', spa: true }),
    refreshToken: 'rt-1',
    grantedScope:
      'openid profile https://graph.microsoft.com/User.Read https://graph.microsoft.com/Mail.Read',
  };
}

describe('refresh token flow', () => {
  test('SPA refresh end to end from the browser; the old token works again (Entra)', async () => {
    let ctx = { ...spaContext(), scope: 'openid User.Read' };
    const deps = stubDeps((_call, index) =>
      json({
        token_type: 'Bearer',
        access_token: `at-${index}`,
        refresh_token: `rt-${index + 2}`,
        scope: 'User.Read',
      }),
    );
    ctx = { ...ctx, ...(await sendRefresh(ctx, deps)) };
    expect(deps.calls[0]?.url).toBe(TOKEN_ENDPOINT);
    const body = new URLSearchParams(String(deps.calls[0]?.init.body));
    expect(Object.fromEntries(body)).toEqual({
      grant_type: 'refresh_token',
      client_id: 'spa',
      refresh_token: 'rt-1',
      scope: 'openid User.Read',
    });
    expect(ctx.exchange?.via).toBe('browser');
    ctx = { ...ctx, ...readRefresh(ctx) };
    expect(ctx.tokens?.refresh_token).toBe('rt-2');
    expect(ctx.redeemedToken).toBe('rt-1');

    // The user moves on to the new token; the replay still sends the old one.
    ctx = { ...ctx, refreshToken: 'rt-2' };
    ctx = { ...ctx, ...(await sendReuse(ctx, deps)) };
    expect(new URLSearchParams(String(deps.calls[1]?.init.body)).get('refresh_token')).toBe('rt-1');
    expect(readReuse(ctx).reuseTokens?.access_token).toBe('at-1');
  });

  test('rotation on: reuse fails with invalid_grant (AADSTS50173, the grant revoked)', async () => {
    let ctx = spaContext();
    const deps = stubDeps((_call, index) =>
      index === 0
        ? json({ token_type: 'Bearer', access_token: 'at', refresh_token: 'rt-2' })
        : json(
            {
              error: 'invalid_grant',
              error_description: 'AADSTS50173: The provided grant has expired due to it being revoked.',
              error_codes: [50173],
            },
            400,
          ),
    );
    ctx = { ...ctx, ...(await sendRefresh(ctx, deps)) };
    ctx = { ...ctx, ...readRefresh(ctx) };
    ctx = { ...ctx, ...(await sendReuse(ctx, deps)) };
    const result = await runStep(readReuse, ctx, deps);
    expect(result).toMatchObject({
      ok: false,
      failure: {
        code: 'TOKEN_ENDPOINT_ERROR',
        status: 400,
        fields: { error: 'invalid_grant', error_codes: [50173] },
      },
    });
  });

  test('a garbage refresh token: invalid_grant kept verbatim', async () => {
    const ctx = { ...spaContext(), refreshToken: 'not-a-refresh-token' };
    const deps = stubDeps(() =>
      json(
        {
          error: 'invalid_grant',
          error_description: 'AADSTS9002313: Invalid request.',
          error_codes: [9002313],
        },
        400,
      ),
    );
    const sent = await sendRefresh(ctx, deps);
    const result = await runStep(readRefresh, { ...ctx, ...sent }, deps);
    expect(result).toMatchObject({
      ok: false,
      failure: { fields: { error: 'invalid_grant', error_codes: [9002313] } },
    });
  });

  test('a confidential client refreshes through the relay with its secret', async () => {
    const ctx: RefreshContext = {
      ...createRefreshContext({
        tokenEndpoint: TOKEN_ENDPOINT,
        clientId: 'web',
        clientSecret: 's3cret',
        spa: false,
      }),
      refreshToken: 'rt',
    };
    const deps = stubDeps(() => json({ token_type: 'Bearer', access_token: 'at' }));
    await sendRefresh(ctx, deps);
    expect(deps.calls[0]?.url).toBe('/relay/forward');
    expect(new Headers(deps.calls[0]?.init.headers).get('X-Relay-Target')).toBe(TOKEN_ENDPOINT);
    expect(new URLSearchParams(String(deps.calls[0]?.init.body)).get('client_secret')).toBe('s3cret');
    expect(buildRefreshRequest(ctx).secretFields).toEqual(['client_secret', 'refresh_token']);
    expect(decideRefreshRoute({ spa: false }, { relayAvailable: false }).reason).toMatch(/No local relay/);
  });

  test('INVALID_INPUT without a token; MISSING_PARAMETER when reusing before redeeming', async () => {
    const deps = stubDeps(() => json({}));
    const empty = createRefreshContext({ tokenEndpoint: TOKEN_ENDPOINT, clientId: 'spa', spa: true });
    expect(await runStep(sendRefresh, empty, deps)).toMatchObject({
      ok: false,
      failure: { code: 'INVALID_INPUT' },
    });
    expect(await runStep(sendReuse, spaContext(), deps)).toMatchObject({
      ok: false,
      failure: { code: 'MISSING_PARAMETER' },
    });
    expect(deps.calls).toEqual([]);
  });

  test('warnings: scope outside the grant, two resources, a secret on an SPA', () => {
    expect(validateRefreshRequest({ ...spaContext(), scope: 'openid User.Read' })).toEqual([]);
    const wider = validateRefreshRequest({ ...spaContext(), scope: 'Calendars.Read' });
    expect(wider.map((w) => w.message).join()).toMatch(/AADSTS65001/);
    const two = validateRefreshRequest({ ...spaContext(), scope: 'User.Read api://x/access_as_user' });
    expect(two.map((w) => w.message).join()).toMatch(/AADSTS700022/);
    const secret = validateRefreshRequest({ ...spaContext(), clientSecret: 'x' });
    expect(secret.map((w) => w.parameter)).toEqual(['client_secret']);
    expect(qualifyScope('User.Read')).toBe('https://graph.microsoft.com/User.Read');
    expect(qualifyScope('offline_access')).toBe('offline_access');
  });

  test('rotation setting: GET reads it, POST changes it; an odd answer is INVALID_RESPONSE', async () => {
    const deps = stubDeps((call) =>
      call.init.method === 'POST'
        ? json({ rotateRefreshTokens: true, deviceCodeLifetimeSeconds: 900 })
        : json({ rotateRefreshTokens: false, deviceCodeLifetimeSeconds: 900 }),
    );
    expect(await exchangeRotationSetting('http://localhost:5174', deps)).toEqual({
      rotateRefreshTokens: false,
    });
    expect(await exchangeRotationSetting('http://localhost:5174/', deps, true)).toEqual({
      rotateRefreshTokens: true,
    });
    expect(deps.calls[1]).toMatchObject({
      url: 'http://localhost:5174/portal/settings',
      init: { method: 'POST', body: '{"rotateRefreshTokens":true}' },
    });
    const odd = stubDeps(() => new Response('<html>', { status: 404 }));
    await expect(exchangeRotationSetting('http://localhost:5174', odd)).rejects.toMatchObject({
      code: 'INVALID_RESPONSE',
    });
  });

  test('sequence diagram', () => {
    expect(buildSequenceDiagram(refreshTokenFlow.diagram)).toMatchSnapshot();
  });

  test('the redemption depends on the refresh token and the client: a change marks it and what follows stale', () => {
    const inputs = (id: string) => {
      const step = refreshTokenFlow.steps.find((s) => s.id === id);
      return step !== undefined && 'inputs' in step ? step.inputs : [];
    };
    expect(inputs('request')).toEqual(
      expect.arrayContaining(['refreshToken', 'clientId', 'clientSecret', 'scope', 'tokenEndpoint', 'spa']),
    );
    expect(inputs('reuse')).toEqual(['redeemedToken']);
    // The redeemed token is the request's own result: the reuse step depends on it, not on the typed one.
    expect(inputs('reuse')).not.toContain('refreshToken');
  });

  test('a granted scope separated by commas (GitHub, Facebook) is read as a list, not one scope', () => {
    const ctx = {
      ...spaContext(),
      grantedScope: 'openid,User.Read, Mail.Read',
      scope: 'User.Read Mail.Read',
    };
    expect(validateRefreshRequest(ctx).map((w) => w.parameter)).not.toContain('scope');
    expect(validateRefreshRequest({ ...ctx, scope: 'Files.Read' }).map((w) => w.parameter)).toContain(
      'scope',
    );
  });
});

describe('refresh against a standards issuer (any client authentication method)', () => {
  const STANDARD_TOKEN = 'http://localhost:5174/standard/token';
  const standard = (patch: Partial<RefreshContext>): RefreshContext => ({
    ...createRefreshContext({
      tokenEndpoint: STANDARD_TOKEN,
      clientId: 'standard-basic',
      clientSecret: 'a+b',
      spa: false,
      authMethod: 'client_secret_basic',
    }),
    refreshToken: 'rt-1',
    ...patch,
  });
  const ok = () => json({ token_type: 'Bearer', access_token: 'at', refresh_token: 'rt-2' });

  test('RFC 6749 §6 with client_secret_basic: the form-encoded secret in the header, not the body', async () => {
    const deps = stubDeps(ok);
    await sendRefresh(standard({}), deps);
    const headers = new Headers(deps.calls[0]?.init.headers);
    expect(headers.get('X-Relay-Target')).toBe(STANDARD_TOKEN);
    expect(headers.get('Authorization')).toBe(`Basic ${btoa('standard-basic:a%2Bb')}`);
    expect(String(deps.calls[0]?.init.body)).not.toContain('client_secret');
  });

  test('a public client (none) sends only its client id, even with a secret typed', () => {
    const request = buildRefreshRequest(standard({ authMethod: 'none', spa: true }));
    expect(request.body).toBe('grant_type=refresh_token&client_id=standard-basic&refresh_token=rt-1');
    expect(validateRefreshRequest(standard({ authMethod: 'none', spa: true }))).toEqual([]);
  });

  test('OIDC Core §9: client_secret_jwt signs a fresh assertion for the refresh and again for the reuse', async () => {
    const deps = stubDeps(ok);
    let ctx = standard({ authMethod: 'client_secret_jwt', clientId: 'standard-jwt' });
    ctx = { ...ctx, ...(await sendRefresh(ctx, deps)) };
    const first = ctx.jwtAssertion;
    expect(first?.claims).toMatchObject({ iss: 'standard-jwt', sub: 'standard-jwt', aud: STANDARD_TOKEN });
    ctx = { ...ctx, ...(await sendReuse(ctx, deps)) };
    expect(ctx.jwtAssertion?.claims.jti).not.toBe(first?.claims.jti);
    for (const call of deps.calls) {
      const body = new URLSearchParams(String(call.init.body));
      expect(body.get('client_assertion_type')).toBe(
        'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      );
      expect(body.has('client_secret')).toBe(false);
    }
  });

  test('private_key_jwt without a key: a warning, and the send refused with the reason', async () => {
    const ctx = standard({ authMethod: 'private_key_jwt', clientSecret: '' });
    expect(validateRefreshRequest(ctx).map((w) => w.parameter)).toEqual(['client_assertion']);
    const result = await runStep(sendRefresh, ctx, stubDeps(ok));
    expect(result).toMatchObject({ ok: false, failure: { code: 'INVALID_INPUT' } });
  });

  test('client_secret_post with no secret is warned about', () => {
    const warnings = validateRefreshRequest(standard({ authMethod: 'client_secret_post', clientSecret: '' }));
    expect(warnings.map((w) => w.parameter)).toEqual(['client_secret']);
  });
});
