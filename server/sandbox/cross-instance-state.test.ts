/**
 * Issue 15: two sandbox instances on one in-memory shared store (what `options.store` allows in one
 * process). Everything the sandbox keeps outside oidc-provider is shared; oidc-provider's artifacts stay
 * per instance in memory, so each flow here stays on one instance while its state is read on the other.
 * cross-instance-state.redis.test.ts runs the same scenarios on a real Redis, flows hopping instances.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { CertificateStore } from './certificates.ts';
import { startSandbox } from './index.ts';
import { AppRegistry } from './registrations.ts';
import { DEFAULT_SETTINGS, SharedSettings } from './settings.ts';
import { TenantState } from './tenant-state.ts';
import { SPA, WEB } from './test-support.ts';
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

describe('tenant state parts on two instances (registrations, settings)', () => {
  test('an app not edited keeps its snapshot through other changes (oidc-provider keeps its client); a reset reads the same everywhere', async () => {
    const store = createMemoryStore();
    const instance = async () => {
      const tenant = new TenantState(store);
      const settings = new SharedSettings({ ...DEFAULT_SETTINGS, mfaRequiredApis: [] }, tenant);
      const registry = new AppRegistry(new CertificateStore(tenant), tenant);
      await tenant.refreshIfChanged();
      return { tenant, settings, registry };
    };
    const a = await instance();
    const b = await instance();
    const web = b.registry.find(WEB.clientId);
    const spa = b.registry.find(SPA.clientId);
    await a.settings.change({ lockoutThreshold: 3 });
    await b.tenant.refreshIfChanged();
    expect(b.settings.live.lockoutThreshold).toBe(3);
    expect(b.registry.find(WEB.clientId)).toBe(web);
    const added = await a.registry.addRedirectUri(WEB.clientId, 'http://localhost:47001/added');
    expect(added.ok).toBe(true);
    await b.tenant.refreshIfChanged();
    expect(b.registry.find(WEB.clientId)).not.toBe(web);
    expect(b.registry.find(WEB.clientId)?.redirectUris).toContain('http://localhost:47001/added');
    expect(b.registry.find(SPA.clientId)).toBe(spa);
    await b.registry.reset();
    await a.tenant.refreshIfChanged();
    expect(a.registry.list()).toEqual(b.registry.list());
    await store.close();
  });
});
