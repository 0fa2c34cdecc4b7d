/**
 * Issue 15 on a real Redis: two sandbox instances behind a proxy (store/test-redis.ts), one tenant. The
 * scenarios of cross-instance-state.scenarios.ts, with flows hopping between instances: a device code
 * approved on B and redeemed on A, a verification code asked for by A and answered on B.
 */
import { startTwoInstances } from './store/test-redis.ts';
import { crossInstanceScenarios, type InstancePair } from './cross-instance-state.scenarios.ts';

async function startRedisPair(): Promise<InstancePair> {
  const two = await startTwoInstances();
  return {
    a: two.a,
    b: two.b,
    direct: two.direct,
    use: (choice) => two.use(choice),
    sharesArtifacts: true,
    close: () => two.close(),
  };
}

crossInstanceScenarios('two instances on one Redis', startRedisPair, { oneIssuer: true });
