/**
 * Issue 15: two sandbox instances on one in-memory shared store (what `options.store` allows in one
 * process). Everything the sandbox keeps outside oidc-provider is shared; oidc-provider's artifacts stay
 * per instance in memory, so each flow here stays on one instance while its state is read on the other.
 * cross-instance-state.redis.test.ts runs the same scenarios on a real Redis, flows hopping instances.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox } from './index.ts';
import { createMemoryStore } from './store/memory-store.ts';
import { crossInstanceScenarios, type InstancePair } from './cross-instance-state.scenarios.ts';

async function startMemoryPair(): Promise<InstancePair> {
  const store = createMemoryStore();
  const dataDir = await mkdtemp(join(tmpdir(), 'sandbox-pair-'));
  // One data directory: one signing key, as instances of one tenant have.
  const a = await startSandbox({ port: 0, dataDir, quiet: true, store });
  const b = await startSandbox({ port: 0, dataDir, quiet: true, store });
  return {
    a,
    b,
    direct: { a: a.origin, b: b.origin },
    use: () => undefined,
    sharesArtifacts: false,
    close: async () => {
      await Promise.all([a.close(), b.close()]);
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

crossInstanceScenarios('one in-memory store', startMemoryPair, { oneIssuer: false });
