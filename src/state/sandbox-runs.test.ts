import { expect, test } from 'vitest';
import { useFlowRuns } from './flow-runs.ts';
import { useSandboxDirectory } from './sandbox-directory.ts';
import {
  followRotatedSandboxSecrets,
  restartRunsWhenSandboxReturns,
  useSecretChangeNotice,
} from './sandbox-runs.ts';

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
