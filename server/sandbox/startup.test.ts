import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { startSandbox } from './index.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
  vi.restoreAllMocks();
});

describe('start-up', () => {
  test('quiet start prints nothing: no console output, no stderr, no process warnings', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'sandbox-startup-'));
    const spies = (['warn', 'error', 'info', 'log', 'debug'] as const).map((m) => vi.spyOn(console, m));
    const stderr = vi.spyOn(process.stderr, 'write');
    const warnings: unknown[] = [];
    const onWarning = (w: unknown): void => void warnings.push(w);
    process.on('warning', onWarning);
    const sandbox = await startSandbox({ port: 0, dataDir, quiet: true });
    cleanups.push(async () => {
      process.off('warning', onWarning);
      await sandbox.close();
      await rm(dataDir, { recursive: true, force: true });
    });
    // A first request exercises the lazily-called defaults that oidc-provider warns about.
    await fetch(`${sandbox.origin}/common/v2.0/.well-known/openid-configuration`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    for (const spy of spies) expect(spy).not.toHaveBeenCalled();
    expect(stderr).not.toHaveBeenCalled();
    expect(warnings).toEqual([]);
  });

  test('the signing key is generated once and reused from dataDir', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'sandbox-keys-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const first = await startSandbox({ port: 0, dataDir, quiet: true });
    const kid = async (origin: string): Promise<unknown> =>
      ((await (await fetch(`${origin}/common/discovery/v2.0/keys`)).json()) as { keys: { kid: string }[] })
        .keys[0]?.kid;
    const kid1 = await kid(first.origin);
    await first.close();
    const second = await startSandbox({ port: 0, dataDir, quiet: true });
    expect(await kid(second.origin)).toBe(kid1);
    await second.close();
    const file = JSON.parse(await readFile(join(dataDir, 'keys.json'), 'utf8')) as {
      signingKey: { d?: string };
    };
    expect(file.signingKey.d).toEqual(expect.any(String));
  });
});
