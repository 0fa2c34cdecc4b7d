import { expect, test } from 'vitest';
import { useFlowRuns } from './flow-runs.ts';
import { useSandboxDirectory } from './sandbox-directory.ts';
import { restartRunsWhenSandboxReturns } from './sandbox-runs.ts';

test('the sandbox back after a failed read: runs with nothing done start afresh; one with progress stays', () => {
  const stop = restartRunsWhenSandboxReturns();
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
  stop();
  useSandboxDirectory.setState({ status: 'invalid' });
  useSandboxDirectory.setState({ status: 'ready' });
  expect(Object.keys(useFlowRuns.getState().runs).sort()).toEqual(['device-code', 'password']);
});
