import { describe, expect, test } from 'vitest';
import { encodeBase64Url } from '../protocol/base64url.ts';
import { buildSequenceDiagram } from './diagram.ts';
import { runStep, type FlowDeps } from './runner.ts';
import {
  accessTokenIsDpopBound,
  askUserinfo,
  buildIntrospectionPreview,
  buildRevocationPreview,
  createTokenManagementContext,
  decideManagementRoute,
  introspectToken,
  prepareLogout,
  readLogoutReturn,
  readRefreshAttempt,
  reintrospectRevoked,
  revokeToken,
  tokenManagementFlow,
  tryRefresh,
  type TokenManagementContext,
} from './token-management.ts';

const SANDBOX = 'http://localhost:5174';
const ISSUER = `${SANDBOX}/standard`;
const APP = 'http://localhost:5173';
const NOW = Date.UTC(2026, 4, 1, 12, 0, 0);

function jwt(payload: object): string {
  const part = (o: object) => encodeBase64Url(new TextEncoder().encode(JSON.stringify(o)));
  return `${part({ alg: 'ES256', typ: 'JWT' })}.${part(payload)}.c2ln`;
}

const ID_TOKEN = jwt({ iss: ISSUER, sub: 'user-1', aud: 'standard-spa', nonce: 'n' });

function base(): TokenManagementContext {
  return {
    ...createTokenManagementContext({
      sandboxOrigin: SANDBOX,
      appOrigin: APP,
      endpoints: {
        token: `${ISSUER}/token`,
        userinfo: `${ISSUER}/me`,
        introspection: `${ISSUER}/token/introspection`,
        revocation: `${ISSUER}/token/revocation`,
        endSession: `${ISSUER}/session/end`,
      },
      clientId: 'standard-basic',
      clientSecret: 's3cr3t:+/&%',
      authMethod: 'client_secret_basic',
    }),
    accessToken: 'opaque-access-token',
    refreshToken: 'opaque-refresh-token',
    idToken: ID_TOKEN,
  };
}

function stubDeps(...responses: Response[]): FlowDeps & { calls: { url: string; init: RequestInit }[] } {
  const calls: { url: string; init: RequestInit }[] = [];
  return {
    calls,
    fetch: async (url, init) => {
      calls.push({ url, init });
      const next = responses.shift();
      if (next === undefined) throw new Error('no more stub responses');
      return next;
    },
    now: () => NOW,
    relayAvailable: false,
    appOrigin: APP,
  };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  });

function form(init: RequestInit): URLSearchParams {
  return new URLSearchParams(String(init.body));
}

describe('token management flow', () => {
  test('OIDC Core §5.3: UserInfo with the Bearer token, sub compared with the ID token', async () => {
    const deps = stubDeps(json(200, { sub: 'user-1', name: 'Adele Vance' }));
    const patch = await askUserinfo(base(), deps);
    expect(deps.calls[0]?.url).toBe(`${ISSUER}/me`);
    expect(deps.calls[0]?.init.method).toBe('GET');
    expect(new Headers(deps.calls[0]?.init.headers).get('Authorization')).toBe('Bearer opaque-access-token');
    expect(patch.userinfo).toMatchObject({ claims: { name: 'Adele Vance' }, subMatches: true });
    expect(patch.userinfoExchange?.via).toBe('browser');
  });

  test('OIDC Core §5.3.3: an invalid token is a failed step with the challenge’s error', async () => {
    const deps = stubDeps(
      new Response('', {
        status: 401,
        headers: { 'WWW-Authenticate': 'Bearer realm="x", error="invalid_token", error_description="gone"' },
      }),
    );
    const result = await runStep(askUserinfo, base(), deps);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.failure.fields?.error).toBe('invalid_token');
  });

  test('a step without an endpoint says the provider lists none, before sending', async () => {
    const deps = stubDeps();
    const result = await runStep(introspectToken, { ...base(), introspectionEndpoint: '' }, deps);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.failure.code).toBe('INVALID_INPUT');
      expect(result.failure.message).toMatch(/introspection_endpoint/);
    }
    expect(deps.calls).toEqual([]);
  });

  test('end to end: introspect → revoke the refresh token → inactive → invalid_grant → logout', async () => {
    let ctx: TokenManagementContext = { ...base(), introspectKind: 'refresh_token' };
    const deps = stubDeps(
      json(200, { active: true, client_id: 'standard-basic', sub: 'user-1', scope: 'openid offline_access' }),
      new Response('', { status: 200 }),
      json(200, { active: false }),
      json(400, { error: 'invalid_grant', error_description: 'grant request is invalid' }),
    );

    ctx = { ...ctx, ...(await introspectToken(ctx, deps)) };
    const introspection = deps.calls[0]!;
    expect(introspection.url).toBe(`${ISSUER}/token/introspection`);
    // RFC 7662 §2.1 with RFC 6749 §2.3.1 Basic: the secret is form-encoded before base64.
    expect(new Headers(introspection.init.headers).get('Authorization')).toBe(
      `Basic ${btoa('standard-basic:s3cr3t%3A%2B%2F%26%25')}`,
    );
    expect(Object.fromEntries(form(introspection.init))).toEqual({
      token: 'opaque-refresh-token',
      token_type_hint: 'refresh_token',
    });
    expect(ctx.introspection?.response.active).toBe(true);

    ctx = { ...ctx, ...(await revokeToken(ctx, deps)) };
    expect(deps.calls[1]?.url).toBe(`${ISSUER}/token/revocation`);
    expect(form(deps.calls[1]!.init).get('token_type_hint')).toBe('refresh_token');
    expect(ctx.revoked).toEqual({ kind: 'refresh_token', token: 'opaque-refresh-token' });
    expect(ctx.revocation).toEqual({ status: 200, revoked: true });

    ctx = { ...ctx, ...(await reintrospectRevoked(ctx, deps)) };
    expect(form(deps.calls[2]!.init).get('token')).toBe('opaque-refresh-token');
    expect(ctx.reintrospection?.response).toEqual({ active: false });

    ctx = { ...ctx, ...(await tryRefresh(ctx, deps)) };
    expect(form(deps.calls[3]!.init).get('grant_type')).toBe('refresh_token');
    const read = await runStep(readRefreshAttempt, ctx, deps);
    expect(read.ok).toBe(false);
    if (!read.ok) expect(read.failure.fields?.error).toBe('invalid_grant');

    const { patch, url } = prepareLogout(ctx);
    expect(url.origin + url.pathname).toBe(`${ISSUER}/session/end`);
    expect(url.searchParams.get('id_token_hint')).toBe(ID_TOKEN);
    expect(url.searchParams.get('post_logout_redirect_uri')).toBe(`${APP}/callback`);
    expect(url.searchParams.get('client_id')).toBe('standard-basic');
    expect(url.searchParams.get('state')).toBe(patch.logoutState);
    ctx = { ...ctx, ...patch };

    const back = await readLogoutReturn(ctx, `${APP}/callback?state=${patch.logoutState}`);
    expect(back.status).toEqual({ logout: 'done' });
    expect(back.ctx.loggedOut).toBe(true);
    const forged = await readLogoutReturn(ctx, `${APP}/callback?state=other`);
    expect(forged.failure?.failure.code).toBe('STATE_MISMATCH');
  });

  test('an endpoint that is not an absolute URL is refused before sending', async () => {
    const deps = stubDeps();
    const result = await runStep(revokeToken, { ...base(), revocationEndpoint: 'token/revocation' }, deps);
    expect(!result.ok && result.failure.code).toBe('INVALID_INPUT');
    expect(!result.ok && result.failure.message).toMatch(/absolute http\(s\) URL/);
    expect(deps.calls).toEqual([]);
  });

  test('RFC 7009 §2.2: revoking needs a token first; reintrospect needs a revocation', async () => {
    const deps = stubDeps();
    const revoke = await runStep(revokeToken, { ...base(), refreshToken: '' }, deps);
    expect(!revoke.ok && revoke.failure.code).toBe('INVALID_INPUT');
    const again = await runStep(reintrospectRevoked, base(), deps);
    expect(!again.ok && again.failure.code).toBe('MISSING_PARAMETER');
  });

  test('client_secret_jwt: a fresh HS256 assertion addressed to the endpoint', async () => {
    const ctx: TokenManagementContext = { ...base(), authMethod: 'client_secret_jwt' };
    const deps = stubDeps(json(200, { active: false }));
    await introspectToken(ctx, deps);
    const body = form(deps.calls[0]!.init);
    expect(body.get('client_assertion_type')).toBe('urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
    const [, payload] = (body.get('client_assertion') ?? '').split('.');
    const claims = JSON.parse(atob((payload ?? '').replace(/-/g, '+').replace(/_/g, '/'))) as Record<
      string,
      unknown
    >;
    expect(claims).toMatchObject({
      iss: 'standard-basic',
      sub: 'standard-basic',
      aud: `${ISSUER}/token/introspection`,
    });
    expect(body.get('client_secret')).toBeNull();
  });

  test('previews name the token as a secret; JWT methods leave the assertion to sending', () => {
    expect(buildIntrospectionPreview(base(), 'access_token').secretFields).toContain('token');
    const preview = buildRevocationPreview({ ...base(), authMethod: 'none' });
    expect(form({ body: preview.body ?? null }).get('client_id')).toBe('standard-basic');
  });

  test('the local sandbox answers the browser; another provider goes through the relay', () => {
    const deps = { relayAvailable: true };
    expect(decideManagementRoute(`${ISSUER}/token/revocation`, base(), deps).via).toBe('browser');
    expect(decideManagementRoute('https://op.example/revoke', base(), deps).via).toBe('relay');
  });

  test('RFC 9449 §6: a DPoP-bound access token is recognised', () => {
    expect(accessTokenIsDpopBound({ ...base(), accessTokenType: 'DPoP' })).toBe(true);
    expect(accessTokenIsDpopBound(base())).toBe(false);
  });

  test('sequence diagram', () => {
    expect(buildSequenceDiagram(tokenManagementFlow.diagram)).toMatchSnapshot();
  });
});
