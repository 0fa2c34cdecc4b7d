import { beforeEach, describe, expect, test, vi } from 'vitest';

// The stores read sessionStorage when they are created: give them one before importing.
const storage = new Map<string, string>();
vi.stubGlobal('sessionStorage', {
  getItem: (key: string) => storage.get(key) ?? null,
  setItem: (key: string, value: string) => void storage.set(key, value),
  removeItem: (key: string) => void storage.delete(key),
});
const { describeSteps, staleAfterPatch, useFlowRuns } = await import('./flow-runs.ts');
const { clearPendingRedirect, peekPendingRedirect, runAwaitingRedirect, savePendingRedirect } =
  await import('./pending-redirect.ts');
const { authorizationCodeFlow, createAuthCodeContext } = await import('../flows/authorization-code.ts');
const { implicitFlow } = await import('../flows/implicit.ts');

const ID_TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln';

function codeFlowContext() {
  return {
    ...createAuthCodeContext({
      authorizationEndpoint: 'http://localhost:5174/t/oauth2/v2.0/authorize',
      tokenEndpoint: 'http://localhost:5174/t/oauth2/v2.0/token',
      clientId: 'web-app',
      redirectUri: 'http://localhost:5173/callback',
      clientSecret: 'sandbox-only~WebApp.Secret',
      usePkce: true,
    }),
    codeVerifier: 'v'.repeat(43),
    tokens: { access_token: ID_TOKEN, token_type: 'Bearer', id_token: ID_TOKEN, refresh_token: 'rt-123' },
  };
}

beforeEach(() => {
  storage.clear();
  useFlowRuns.setState({ runs: {}, history: [] });
});

describe('pending redirect', () => {
  test('keeps what the answer is checked against (state, nonce, code_verifier), never a secret or a token', () => {
    const ctx = codeFlowContext();
    useFlowRuns.getState().start('authorization-code', ctx, 'sign-in');
    savePendingRedirect('authorization-code', ctx);
    const raw = [...storage.entries()].find(([key]) => key.endsWith('pending-redirect'))?.[1] ?? '';
    expect(raw).not.toContain('sandbox-only~WebApp.Secret');
    expect(raw).not.toContain(ID_TOKEN);
    expect(raw).not.toContain('rt-123');
    const pending = peekPendingRedirect<ReturnType<typeof codeFlowContext>>();
    expect(pending?.ctx.params['state']).toBe(ctx.params['state']);
    expect(pending?.ctx.params['nonce']).toBe(ctx.params['nonce']);
    expect(pending?.ctx.codeVerifier).toBe(ctx.codeVerifier);
  });

  test('names the run that left; the answer goes to it only while it is still the flow’s run', () => {
    const ctx = codeFlowContext();
    useFlowRuns.getState().start('authorization-code', ctx, 'sign-in');
    savePendingRedirect('authorization-code', ctx);
    const pending = peekPendingRedirect();
    expect(pending).toBeDefined();
    expect(runAwaitingRedirect(pending!)?.runId).toBe(
      useFlowRuns.getState().runs['authorization-code']?.runId,
    );
    // Started again since: a new run, which must not be handed the old run's answer.
    useFlowRuns.getState().start('authorization-code', ctx, 'pkce');
    expect(runAwaitingRedirect(pending!)).toBeUndefined();
    clearPendingRedirect();
    expect(peekPendingRedirect()).toBeUndefined();
  });

  test('an unreadable marker is no marker', () => {
    storage.set('oauth-flow-lab:pending-redirect', '{not json');
    expect(peekPendingRedirect()).toBeUndefined();
  });
});

describe('the redirect flows go stale as their inputs say', () => {
  const allDone = (steps: readonly { id: string }[]) =>
    Object.fromEntries(steps.map((s) => [s.id, 'done' as const]));

  test('code flow: scope (in params) edited after the tokens makes the URL, sign-in, exchange and tokens stale, not the PKCE pair', () => {
    const status = staleAfterPatch(authorizationCodeFlow.steps, allDone(authorizationCodeFlow.steps), [
      'params',
    ]);
    expect(status).toEqual({
      pkce: 'done',
      authorize: 'stale',
      par: 'stale',
      'sign-in': 'stale',
      exchange: 'stale',
      tokens: 'stale',
    });
  });

  test('code flow: a new code_verifier makes everything from the PKCE pair on stale', () => {
    const status = staleAfterPatch(authorizationCodeFlow.steps, allDone(authorizationCodeFlow.steps), [
      'codeVerifier',
    ]);
    expect(Object.values(status)).toEqual(['stale', 'stale', 'stale', 'stale', 'stale', 'stale']);
  });

  test('code flow: another client secret after the exchange makes the exchange and tokens stale only', () => {
    const status = staleAfterPatch(authorizationCodeFlow.steps, allDone(authorizationCodeFlow.steps), [
      'clientSecret',
    ]);
    expect(status).toMatchObject({ 'sign-in': 'done', exchange: 'stale', tokens: 'stale' });
  });

  test('implicit: a parameter edited after the tokens makes every step stale; a skipped redeem too', () => {
    const status = staleAfterPatch(
      implicitFlow.steps,
      { ...allDone(implicitFlow.steps), redeem: 'skipped' },
      ['params'],
    );
    expect(Object.values(status)).toEqual(['stale', 'stale', 'stale', 'stale', 'stale']);
  });

  test('the store applies them: a patch of scope after sign-in marks the later steps stale', () => {
    describeSteps(authorizationCodeFlow.id, authorizationCodeFlow.steps);
    const store = useFlowRuns.getState();
    const ctx = codeFlowContext();
    store.start('authorization-code', ctx, 'pkce');
    for (const step of ['pkce', 'authorize', 'sign-in']) store.setStep('authorization-code', step, 'done');
    store.patch('authorization-code', { params: { ...ctx.params, scope: 'openid' } });
    expect(useFlowRuns.getState().runs['authorization-code']?.status).toEqual({
      pkce: 'done',
      authorize: 'stale',
      'sign-in': 'stale',
    });
  });
});
