import { expect, test } from 'vitest';
import { useFlowRuns } from './flow-runs.ts';

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
