import { beforeEach, describe, expect, test, vi } from 'vitest';

// The stores read sessionStorage when they are created: give them one before importing.
const storage = new Map<string, string>();
vi.stubGlobal('sessionStorage', {
  getItem: (key: string) => storage.get(key) ?? null,
  setItem: (key: string, value: string) => void storage.set(key, value),
  removeItem: (key: string) => void storage.delete(key),
});
const { describeSteps, FLOW_RUNS_KEY, staleAfterPatch, useFlowRuns } = await import('./flow-runs.ts');
const { useSessionPrefs } = await import('./session-prefs.ts');
const { TOKEN_HISTORY_KEY, useTokenHistory } = await import('./token-history.ts');

const steps = [
  { id: 'credential', title: 'Credential', why: '', spec: '', inputs: ['kind'] },
  { id: 'request', title: 'Request', why: '', spec: '', inputs: ['kind', 'scope', 'secret'] },
  { id: 'token', title: 'Token', why: '', spec: '', inputs: ['tokens'] },
];

beforeEach(() => {
  useSessionPrefs.getState().setKeepTokens(false);
  useFlowRuns.setState({ runs: {}, history: [], landingSteps: {} });
  useTokenHistory.getState().clear();
});

test('a share link’s step: the flow’s run is dropped and its next run starts there, once', () => {
  const runs = useFlowRuns.getState();
  runs.start('device-code', { n: 1 }, 'request');
  runs.landOn('device-code', 'poll');
  expect(useFlowRuns.getState().runs['device-code']).toBeUndefined();
  useFlowRuns.getState().start('device-code', { n: 2 }, 'request');
  expect(useFlowRuns.getState().runs['device-code']?.current).toBe('poll');
  useFlowRuns.getState().start('device-code', { n: 3 }, 'request');
  expect(useFlowRuns.getState().runs['device-code']?.current).toBe('request');
});

describe('steps go stale when an input they depended on changes', () => {
  test('the first step that ran on a changed key, and every later step that ran', () => {
    const status = { credential: 'done', request: 'done', token: 'done' } as const;
    expect(staleAfterPatch(steps, status, ['scope'])).toEqual({
      credential: 'done',
      request: 'stale',
      token: 'stale',
    });
    expect(staleAfterPatch(steps, status, ['kind'])).toEqual({
      credential: 'stale',
      request: 'stale',
      token: 'stale',
    });
    // A key no step depends on changes nothing; a step that never ran stays as it was.
    expect(staleAfterPatch(steps, status, ['note'])).toBe(status);
    expect(staleAfterPatch(steps, { credential: 'done', request: 'failed' }, ['secret'])).toEqual({
      credential: 'done',
      request: 'stale',
    });
  });

  test('through the store: an edit after the run marks later steps stale; re-running makes them done', () => {
    describeSteps('client-credentials', steps);
    const store = useFlowRuns.getState();
    store.start('client-credentials', { kind: 'secret', scope: 'a/.default', secret: 's' }, 'credential');
    store.setStep('client-credentials', 'credential', 'done', { current: 'request' });
    store.setStep('client-credentials', 'request', 'running');
    // A step's own result, patched while it runs, does not make it stale.
    store.patch('client-credentials', { tokens: { access_token: 'x' } });
    store.setStep('client-credentials', 'request', 'done', { current: 'token' });
    store.setStep('client-credentials', 'token', 'done');
    store.patch('client-credentials', { kind: 'certificate' });
    expect(useFlowRuns.getState().runs['client-credentials']?.status).toEqual({
      credential: 'stale',
      request: 'stale',
      token: 'stale',
    });
    store.setStep('client-credentials', 'credential', 'done');
    expect(useFlowRuns.getState().runs['client-credentials']?.status['credential']).toBe('done');
  });
});

describe('runs and tokens last for the tab’s session', () => {
  test('written to sessionStorage without secrets, and without tokens unless kept', async () => {
    const store = useFlowRuns.getState();
    store.start(
      'authorization-code',
      { clientSecret: 'S3cret-value', tokens: { access_token: 'eyJa.eyJb.c' } },
      'exchange',
    );
    store.setStep('authorization-code', 'exchange', 'done', { current: 'tokens' });
    const written = storage.get(FLOW_RUNS_KEY) ?? '';
    expect(written).not.toContain('S3cret-value');
    expect(written).not.toContain('eyJa.eyJb.c');
    expect(JSON.parse(written).state.runs['authorization-code'].notKept.sort()).toEqual([
      'secrets',
      'tokens',
    ]);

    // Keeping tokens rewrites the stored copy at once; the secret still never goes.
    useSessionPrefs.getState().setKeepTokens(true);
    const kept = storage.get(FLOW_RUNS_KEY) ?? '';
    expect(kept).toContain('eyJa.eyJb.c');
    expect(kept).not.toContain('S3cret-value');

    // A reload: the run comes back as it was, a running step no longer running.
    store.setStep('authorization-code', 'tokens', 'running');
    useFlowRuns.setState({ runs: {}, history: [] }, false);
    storage.set(FLOW_RUNS_KEY, kept.replace('"exchange":"done"', '"exchange":"done","tokens":"running"'));
    await useFlowRuns.persist.rehydrate();
    const back = useFlowRuns.getState().runs['authorization-code'];
    expect(back?.current).toBe('tokens');
    expect(back?.status).toEqual({ exchange: 'done', tokens: 'idle' });
    expect(back?.ctx).toEqual({ clientSecret: '', tokens: { access_token: 'eyJa.eyJb.c' } });
    expect(useFlowRuns.getState().history[0]?.flowId).toBe('authorization-code');
  });

  test('token history: kept entries come back; otherwise only a note of which runs’ tokens are gone', async () => {
    const entry = {
      flowId: 'client-credentials',
      flowTitle: 'Client credentials',
      clientId: 'app',
      tokenEndpoint: 'http://localhost:5174/t/oauth2/v2.0/token',
      spa: false,
      tokens: { access_token: 'eyJx.eyJy.z', token_type: 'Bearer' },
    };
    useTokenHistory.getState().add(entry);
    const written = storage.get(TOKEN_HISTORY_KEY) ?? '';
    expect(written).not.toContain('eyJx.eyJy.z');
    // A reload: memory is gone, storage is what was written.
    useTokenHistory.setState({ entries: [], lost: [] });
    storage.set(TOKEN_HISTORY_KEY, written);
    await useTokenHistory.persist.rehydrate();
    expect(useTokenHistory.getState().entries).toEqual([]);
    expect(useTokenHistory.getState().lost.map((l) => l.flowTitle)).toEqual(['Client credentials']);

    useTokenHistory.getState().clear();
    useSessionPrefs.getState().setKeepTokens(true);
    useTokenHistory.getState().add(entry);
    const kept = storage.get(TOKEN_HISTORY_KEY) ?? '';
    useTokenHistory.setState({ entries: [] }, false);
    storage.set(TOKEN_HISTORY_KEY, kept);
    await useTokenHistory.persist.rehydrate();
    expect(useTokenHistory.getState().entries[0]?.tokens.access_token).toBe('eyJx.eyJy.z');
  });
});
