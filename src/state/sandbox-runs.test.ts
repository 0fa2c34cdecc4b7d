import { expect, test, vi } from 'vitest';

// The settings store (for remembered secrets) reads window and both storages when it is created.
const memory = () => {
  const map = new Map<string, string>();
  return {
    getItem: (key: string) => map.get(key) ?? null,
    setItem: (key: string, value: string) => void map.set(key, value),
    removeItem: (key: string) => void map.delete(key),
  };
};
vi.stubGlobal('localStorage', memory());
vi.stubGlobal('sessionStorage', memory());
vi.stubGlobal('window', { location: { origin: 'http://localhost:5173' } });
const { useFlowRuns } = await import('./flow-runs.ts');
const { useSandboxDirectory } = await import('./sandbox-directory.ts');
const {
  followRotatedSandboxSecrets,
  refillRestoredSecrets,
  restartRunsWhenSandboxReturns,
  useSecretChangeNotice,
} = await import('./sandbox-runs.ts');

test('the sandbox back after a failed read: runs with nothing done start afresh; one with progress stays', () => {
  let sandbox = true;
  const stop = restartRunsWhenSandboxReturns(() => sandbox);
  const runs = useFlowRuns.getState();
  runs.start('client-credentials', { clientId: '' }, 'request');
  runs.setStep('client-credentials', 'request', 'failed');
  runs.start('device-code', { clientId: '' }, 'request');
  runs.start('password', { clientId: 'typed' }, 'request');
  runs.setStep('password', 'request', 'done');

  useSandboxDirectory.setState({ status: 'unreachable', origin: 'http://localhost:5174' });
  expect(Object.keys(useFlowRuns.getState().runs).sort()).toEqual([
    'client-credentials',
    'device-code',
    'password',
  ]);
  useSandboxDirectory.setState({ status: 'ready' });
  expect(Object.keys(useFlowRuns.getState().runs)).toEqual(['password']);

  // A poll that finds it ready again (no failure in between) touches nothing.
  runs.start('device-code', { clientId: 'x' }, 'request');
  useSandboxDirectory.setState({ status: 'ready', etag: '"b"' });
  expect(Object.keys(useFlowRuns.getState().runs).sort()).toEqual(['device-code', 'password']);
  // Under another authority a failed run is the user's work, even when the sandbox comes back.
  sandbox = false;
  runs.start('client-credentials', { clientId: 'typed' }, 'request');
  runs.setStep('client-credentials', 'request', 'failed');
  useSandboxDirectory.setState({ status: 'unreachable' });
  useSandboxDirectory.setState({ status: 'ready' });
  expect(Object.keys(useFlowRuns.getState().runs)).toContain('client-credentials');
  stop();
  useSandboxDirectory.setState({ status: 'invalid' });
  useSandboxDirectory.setState({ status: 'ready' });
  expect(Object.keys(useFlowRuns.getState().runs).sort()).toEqual([
    'client-credentials',
    'device-code',
    'password',
  ]);
});

test('a secret rotated or removed on the portal reaches the open runs that held the old value; a typed one stays', () => {
  const app = (clientId: string, displayName: string, secret?: string) => ({
    clientId,
    displayName,
    platform: 'web' as const,
    redirectUris: [],
    allowPublicClientFlows: false,
    implicitIdTokens: false,
    implicitAccessTokens: false,
    confidential: secret !== undefined,
    exposedScopes: [],
    ...(secret === undefined ? {} : { sandboxOnlySecret: secret }),
  });
  const directory = (apps: ReturnType<typeof app>[]) =>
    ({ ...(useSandboxDirectory.getState().directory ?? {}), apps }) as never;
  useFlowRuns.setState({ runs: {} });
  useSecretChangeNotice.setState({ notice: undefined });
  useSandboxDirectory.setState({
    status: 'ready',
    origin: 'http://localhost:5174',
    directory: directory([app('web', 'Web App', 'old-web'), app('api', 'API A', 'old-api')]),
  });
  const stop = followRotatedSandboxSecrets();
  const runs = useFlowRuns.getState();
  runs.start('client-credentials', { clientSecret: 'old-web' }, 'request');
  runs.start('authorization-code', { clientSecret: 'typed-by-me' }, 'authorize');
  runs.start('on-behalf-of', { clientSecret: 'old-api' }, 'sign-in');

  // A poll with the same content (a new object) changes nothing.
  useSandboxDirectory.setState({
    directory: directory([app('web', 'Web App', 'old-web'), app('api', 'API A', 'old-api')]),
  });
  expect(useSecretChangeNotice.getState().notice).toBeUndefined();

  useSandboxDirectory.setState({
    directory: directory([app('web', 'Web App', 'new-web'), app('api', 'API A')]),
  });
  const ctx = (flowId: string) =>
    (useFlowRuns.getState().runs[flowId]?.ctx as { clientSecret: string }).clientSecret;
  expect(ctx('client-credentials')).toBe('new-web');
  expect(ctx('authorization-code')).toBe('typed-by-me');
  expect(ctx('on-behalf-of')).toBe('');
  expect(useSecretChangeNotice.getState().notice).toEqual({
    apps: ['Web App', 'API A'],
    flows: ['client-credentials', 'on-behalf-of'],
  });
  stop();
});

test('a run restored without its sandbox-only secret gets it back from the directory, no step going stale', () => {
  const webApp = {
    clientId: 'web',
    displayName: 'Web App',
    platform: 'web' as const,
    redirectUris: [],
    allowPublicClientFlows: false,
    implicitIdTokens: false,
    implicitAccessTokens: false,
    confidential: true,
    exposedScopes: [],
    sandboxOnlySecret: 'sandbox-web',
  };
  useSandboxDirectory.setState({ status: 'loading', directory: undefined } as never);
  const restored = {
    flowId: 'client-credentials',
    runId: 'r1',
    startedAt: 1,
    ctx: { clientId: 'web', clientSecret: '' },
    current: 'token',
    status: { request: 'done' as const },
    recorded: [],
    notKept: ['secrets' as const, 'tokens' as const],
  };
  const typed = { ...restored, flowId: 'refresh-token', ctx: { clientId: 'elsewhere', clientSecret: '' } };
  useFlowRuns.setState({ runs: { 'client-credentials': restored, 'refresh-token': typed } });
  const stop = refillRestoredSecrets();
  // Not known yet: nothing to put back.
  expect(useFlowRuns.getState().runs['client-credentials']?.ctx).toEqual({
    clientId: 'web',
    clientSecret: '',
  });
  useSandboxDirectory.setState({
    status: 'ready',
    origin: 'http://localhost:5174',
    directory: { ...(useSandboxDirectory.getState().directory ?? {}), apps: [webApp] } as never,
  });
  const run = useFlowRuns.getState().runs['client-credentials'];
  expect(run?.ctx).toEqual({ clientId: 'web', clientSecret: 'sandbox-web' });
  expect(run?.status).toEqual({ request: 'done' });
  expect(run?.notKept).toEqual(['tokens']);
  // A client the sandbox does not know keeps its note: the user must give the secret again.
  expect(useFlowRuns.getState().runs['refresh-token']?.notKept).toEqual(['secrets', 'tokens']);
  stop();
});
