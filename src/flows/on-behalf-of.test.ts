import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { encodeBase64Url } from '../protocol/base64url.ts';
import { buildSequenceDiagram } from './diagram.ts';
import { plannedDiagram } from './live-diagram.ts';
import {
  buildClaimsChallengeHeader,
  buildOboRequest,
  callDownstreamApi,
  checkAssertion,
  compareTokens,
  createOboContext,
  decideOboRoute,
  onBehalfOfFlow,
  oboVariant,
  prepareUserSignIn,
  readClaimsChallenge,
  readOnBehalfOf,
  readUserTokenRedeem,
  readUserTokenRedirect,
  redirectSafeOboContext,
  sendOnBehalfOf,
  sendUserTokenRedeem,
  withClaimsChallenge,
  type OboContext,
} from './on-behalf-of.ts';
import { runStep, type FlowDeps } from './runner.ts';

const API = 'api-app-id';
const TOKEN_ENDPOINT = 'http://localhost:5174/t/oauth2/v2.0/token';
const USER = { oid: 'user-oid', tid: 'tenant' };

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

const json = (body: object, status = 200) => new Response(JSON.stringify(body), { status });

function context(): OboContext {
  return createOboContext({
    authorizationEndpoint: 'http://localhost:5174/t/oauth2/v2.0/authorize',
    tokenEndpoint: TOKEN_ENDPOINT,
    spaClientId: 'spa',
    redirectUri: 'http://localhost:5173/callback',
    apiClientId: API,
    apiClientSecret: 'api-secret',
    apiUrl: 'http://localhost:5174/v1.0/me',
  });
}

const tokenA = jwt({ ...USER, aud: API, azp: 'spa', scp: 'access_as_user' });
const tokenB = jwt({ ...USER, aud: '00000003-0000-0000-c000-000000000000', azp: API, scp: 'User.Read' });

describe('on-behalf-of flow', () => {
  test('hop 1 through the code flow, hop 2 through the relay, then API B', async () => {
    let ctx = context();
    const { signIn, url } = await prepareUserSignIn(ctx);
    expect(url.searchParams.get('scope')).toBe(`openid profile api://${API}/access_as_user`);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    ctx = { ...ctx, signIn };

    const saved = redirectSafeOboContext({ ...ctx, clientSecret: 'api-secret', assertion: 'old' });
    expect(JSON.stringify(saved)).not.toContain('api-secret');
    expect(saved.signIn.codeVerifier).toBe(signIn.codeVerifier);

    const back = await readUserTokenRedirect(
      JSON.parse(JSON.stringify(saved)),
      `http://localhost:5173/callback?code=c1&state=${signIn.params['state']}`,
    );
    expect(back.failure).toBeUndefined();
    expect(back.current).toBe('user-token');
    ctx = { ...back.ctx, clientSecret: 'api-secret' };
    expect(ctx.signIn.authorizationResponse?.code).toBe('c1');

    const deps = stubDeps((call) => {
      if (call.url.endsWith('/v1.0/me')) return json({ id: USER.oid });
      const body = new URLSearchParams(String(call.init.body));
      return body.get('grant_type') === 'authorization_code'
        ? json({
            token_type: 'Bearer',
            access_token: tokenA,
            id_token: jwt({ nonce: signIn.params['nonce'] }),
          })
        : json({
            token_type: 'Bearer',
            access_token: tokenB,
            scope: 'https://graph.microsoft.com/User.Read',
          });
    });
    ctx = { ...ctx, ...(await sendUserTokenRedeem(ctx, deps)) };
    expect(deps.calls[0]?.url).toBe(TOKEN_ENDPOINT);
    expect(new URLSearchParams(String(deps.calls[0]?.init.body)).get('code_verifier')).toBe(
      signIn.codeVerifier,
    );
    ctx = { ...ctx, ...(await readUserTokenRedeem(ctx)) };
    expect(ctx.assertion).toBe(tokenA);
    expect(ctx.assertionSource).toBe('sign-in');
    expect(checkAssertion(ctx.assertion, API)).toMatchObject({
      audienceOk: true,
      userToken: true,
      problems: [],
    });

    ctx = { ...ctx, ...(await sendOnBehalfOf(ctx, deps)) };
    const call = deps.calls[1];
    expect(call?.url).toBe('/relay/forward');
    expect(new Headers(call?.init.headers).get('X-Relay-Target')).toBe(TOKEN_ENDPOINT);
    expect(Object.fromEntries(new URLSearchParams(String(call?.init.body)))).toEqual({
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      client_id: API,
      assertion: tokenA,
      requested_token_use: 'on_behalf_of',
      scope: 'https://graph.microsoft.com/.default',
      client_secret: 'api-secret',
    });
    ctx = { ...ctx, ...readOnBehalfOf(ctx) };
    const rows = compareTokens(ctx.assertion, ctx.tokens?.access_token ?? '');
    expect(rows.find((r) => r.claim === 'oid')).toMatchObject({ same: true, incoming: USER.oid });
    expect(rows.find((r) => r.claim === 'aud')?.same).toBe(false);
    // Claims neither token has are left out.
    for (const row of rows) expect(row.incoming !== undefined || row.outgoing !== undefined).toBe(true);

    ctx = { ...ctx, ...(await callDownstreamApi(ctx, deps)) };
    expect(deps.calls[2]?.url).toBe('http://localhost:5174/v1.0/me');
    expect(new Headers(deps.calls[2]?.init.headers).get('Authorization')).toBe(`Bearer ${tokenB}`);
    expect(ctx.apiCall?.response?.status).toBe(200);
  });

  test('compareTokens: a v2.0 token beside a v1.0 one shows the user and client under both spellings', () => {
    const v2 = jwt({
      ver: '2.0',
      oid: 'o',
      tid: 't',
      preferred_username: 'a@b',
      azp: 'spa',
      aud: API,
      scp: 'x',
    });
    const v1 = jwt({
      ver: '1.0',
      oid: 'o',
      tid: 't',
      upn: 'a@b',
      appid: API,
      aud: 'https://graph.microsoft.com',
    });
    const rows = Object.fromEntries(compareTokens(v2, v1).map((r) => [r.claim, r]));
    expect(rows['oid']?.same).toBe(true);
    expect(rows['ver']).toMatchObject({ incoming: '2.0', outgoing: '1.0', same: false });
    expect(rows['preferred_username']).toMatchObject({ incoming: 'a@b', outgoing: undefined });
    expect(rows['upn']).toMatchObject({ incoming: undefined, outgoing: 'a@b' });
    expect(rows['appid']).toMatchObject({ outgoing: API });
    expect(rows['iss']).toBeUndefined();
  });

  test('checkAssertion: a Graph token and an app-only token are flagged before sending', () => {
    const graph = checkAssertion(tokenB, API);
    expect(graph.audienceOk).toBe(false);
    expect(graph.problems[0]?.message).toMatch(/AADSTS50013/);
    const appOnly = checkAssertion(jwt({ aud: API, idtyp: 'app', roles: ['Tasks.Read.All'] }), API);
    expect(appOnly).toMatchObject({ audienceOk: true, userToken: false });
    expect(appOnly.problems[0]?.message).toMatch(/app-only/);
    expect(checkAssertion(jwt({ aud: `api://${API}`, scp: 'x' }), API).audienceOk).toBe(true);
    expect(checkAssertion('garbage', API).unreadable).toMatch(/3 parts/);
    expect(checkAssertion('', API).problems).toHaveLength(1);
  });

  test('AADSTS50013 from the server keeps its fields verbatim', async () => {
    const ctx = { ...context(), assertion: tokenB };
    const deps = stubDeps(() =>
      json(
        {
          error: 'invalid_grant',
          error_description:
            'AADSTS50013: Assertion audience does not match the Client app presenting the assertion.',
          error_codes: [50013],
        },
        400,
      ),
    );
    const sent = await sendOnBehalfOf(ctx, deps);
    expect(await runStep(readOnBehalfOf, { ...ctx, ...sent }, deps)).toMatchObject({
      ok: false,
      failure: { code: 'TOKEN_ENDPOINT_ERROR', fields: { error: 'invalid_grant', error_codes: [50013] } },
    });
  });

  test('missing pieces fail with typed errors; no relay → RELAY_UNAVAILABLE', async () => {
    const deps = stubDeps(() => json({}));
    expect(await runStep(sendOnBehalfOf, context(), deps)).toMatchObject({
      ok: false,
      failure: { code: 'MISSING_PARAMETER' },
    });
    expect(await runStep(callDownstreamApi, context(), deps)).toMatchObject({
      ok: false,
      failure: { code: 'MISSING_PARAMETER' },
    });
    const noRelay = { ...stubDeps(() => json({})), relayAvailable: false };
    expect(await runStep(sendOnBehalfOf, { ...context(), assertion: tokenA }, noRelay)).toMatchObject({
      ok: false,
      failure: { code: 'RELAY_UNAVAILABLE' },
    });
    expect(decideOboRoute({ relayAvailable: true }).via).toBe('relay');
    expect(buildOboRequest({ ...context(), assertion: tokenA }).secretFields).toEqual([
      'client_secret',
      'assertion',
    ]);
  });

  test('hop 1 redirect: a forged state fails the step; an unreadable saved run throws', async () => {
    const ctx = context();
    const outcome = await readUserTokenRedirect(ctx, 'http://localhost:5173/callback?code=x&state=forged');
    expect(outcome.failure).toMatchObject({ stepId: 'user-token', failure: { code: 'STATE_MISMATCH' } });
    await expect(readUserTokenRedirect('nope', 'http://localhost:5173/callback')).rejects.toMatchObject({
      code: 'INVALID_RESPONSE',
    });
  });

  test('sequence diagram', () => {
    expect(buildSequenceDiagram(onBehalfOfFlow.diagram)).toMatchSnapshot();
  });

  test('the diagram draws where Token A came from: hop 1’s sign-in, or an earlier run / a paste', () => {
    expect(oboVariant({})).toBe('sign-in');
    expect(oboVariant({ assertionSource: 'sign-in' })).toBe('sign-in');
    expect(oboVariant({ assertionSource: 'earlier-run' })).toBe('earlier-token');
    expect(oboVariant({ assertionSource: 'pasted' })).toBe('earlier-token');
    const signIn = buildSequenceDiagram(plannedDiagram(onBehalfOfFlow.diagram, ['sign-in']));
    expect(signIn).toContain('code + code_verifier');
    expect(signIn).not.toContain('from an earlier run');
    const earlier = buildSequenceDiagram(plannedDiagram(onBehalfOfFlow.diagram, ['earlier-token']));
    expect(earlier).toContain('from an earlier run');
    expect(earlier).not.toContain('code_verifier');
  });

  test('the exchange and what follows depend on Token A and API A’s credential: a change marks them stale', () => {
    const inputs = (id: string) => {
      const step = onBehalfOfFlow.steps.find((s) => s.id === id);
      return step !== undefined && 'inputs' in step ? step.inputs : [];
    };
    expect(inputs('exchange')).toEqual(
      expect.arrayContaining(['assertion', 'clientId', 'clientSecret', 'scope']),
    );
    expect(inputs('call')).toEqual(expect.arrayContaining(['tokens', 'apiUrl']));
    const keys = [...Object.keys(context()), 'tokens'];
    for (const step of onBehalfOfFlow.steps)
      for (const key of 'inputs' in step ? step.inputs : []) expect(keys).toContain(key);
  });
});

describe('claims challenge (Conditional Access on API B)', () => {
  // https://learn.microsoft.com/entra/identity-platform/v2-oauth2-on-behalf-of-flow#error-response-example
  const CLAIMS =
    '{"access_token":{"polids":{"essential":true,"values":["9ab03e19-ed42-4168-b6b7-7001fb3e933a"]}}}';

  test('Microsoft OBO page: interaction_required with claims is read as a challenge naming the policy', () => {
    const challenge = readClaimsChallenge({
      error: 'interaction_required',
      error_codes: [50079],
      claims: CLAIMS,
    });
    expect(challenge).toEqual({
      claims: CLAIMS,
      code: 50079,
      policyIds: ['9ab03e19-ed42-4168-b6b7-7001fb3e933a'],
      authContexts: [],
    });
  });

  test('acrs (authentication context) and capolids are read too; no claims, or not JSON → no challenge', () => {
    const acrs = readClaimsChallenge({
      error: 'interaction_required',
      claims: '{"access_token":{"acrs":{"essential":true,"value":"c1"}}}',
    });
    expect(acrs?.authContexts).toEqual(['c1']);
    const capolids = readClaimsChallenge({
      error: 'invalid_grant',
      claims: '{"access_token":{"capolids":{"essential":true,"values":["p"]}}}',
    });
    expect(capolids?.policyIds).toEqual(['p']);
    expect(readClaimsChallenge({ error: 'interaction_required' })).toBeUndefined();
    expect(readClaimsChallenge({ error: 'interaction_required', claims: '{oops' })).toBeUndefined();
    expect(readClaimsChallenge({ error: 'interaction_required', claims: '[1]' })).toBeUndefined();
    expect(readClaimsChallenge(undefined)).toBeUndefined();
  });

  test('generated: any claims value never throws, and a JSON object always yields a challenge carrying it verbatim', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), fc.option(fc.integer()), (claims, code) => {
        const challenge = readClaimsChallenge({
          error: 'interaction_required',
          claims,
          ...(code === null ? {} : { error_codes: [code] }),
        });
        let parsed: unknown;
        try {
          parsed = JSON.parse(claims);
        } catch {
          parsed = undefined;
        }
        const isObject = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed);
        expect(challenge !== undefined).toBe(isObject && claims.trim() !== '');
        if (challenge) expect(challenge.claims).toBe(claims);
      }),
    );
  });

  test('claims-challenge page: API A answers 401 with WWW-Authenticate carrying the claims base64-encoded', () => {
    const challenge = readClaimsChallenge({ error: 'interaction_required', claims: CLAIMS })!;
    const header = buildClaimsChallengeHeader(challenge, 'https://login.example/authorize', 'spa');
    expect(header).toMatch(
      /^Bearer realm="", authorization_uri="https:\/\/login\.example\/authorize", client_id="spa", error="insufficient_claims", claims="/,
    );
    const encoded = /claims="([^"]+)"/.exec(header)?.[1] ?? '';
    expect(atob(encoded)).toBe(CLAIMS);
  });

  test('the client answers with hop 1 again: claims= in the authorization URL, the old tokens dropped', async () => {
    const challenge = readClaimsChallenge({ error: 'interaction_required', claims: CLAIMS })!;
    const before: OboContext = {
      ...context(),
      assertion: jwt({ aud: API, scp: 'access_as_user', ...USER }),
      assertionSource: 'sign-in',
      tokens: { access_token: 'b', token_type: 'Bearer' },
    };
    const next = withClaimsChallenge(withClaimsChallenge(before, challenge), challenge);
    expect(next.assertion).toBe('');
    expect(next.tokens).toBeUndefined();
    expect(next.assertionSource).toBeUndefined();
    expect(next.signIn.extraParams.filter(([name]) => name === 'claims')).toEqual([['claims', CLAIMS]]);
    const prepared = await runStep(
      prepareUserSignIn,
      next,
      stubDeps(() => json({})),
    );
    expect(prepared.ok).toBe(true);
    if (prepared.ok) expect(prepared.patch.url.searchParams.get('claims')).toBe(CLAIMS);
    // The claims value survives the redirect (it is no secret); tokens do not.
    expect(redirectSafeOboContext(next).signIn.extraParams).toEqual([['claims', CLAIMS]]);
  });
});
