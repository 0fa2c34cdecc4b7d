import fc from 'fast-check';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { startSandbox } from './index.ts';
import { capLifetimes } from './provider-config.ts';
import { tokenRequest, WEB } from './test-support.ts';

type Lifetimes = Parameters<typeof capLifetimes>[0];

describe('capLifetimes: a maximum lifetime for load tests (issue 15)', () => {
  test('every lifetime, fixed or computed, becomes the smaller of itself and the maximum', () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.constantFrom('AccessToken', 'AuthorizationCode', 'Grant', 'Session', 'RefreshToken', 'IdToken'),
          fc.record({ seconds: fc.integer({ min: 1, max: 90 * 86_400 }), computed: fc.boolean() }),
        ),
        fc.integer({ min: 1, max: 7_200 }),
        (lifetimes, max) => {
          const ttl = Object.fromEntries(
            Object.entries(lifetimes).map(([name, { seconds, computed }]) => [
              name,
              computed ? () => seconds : seconds,
            ]),
          ) as Lifetimes;
          const capped = capLifetimes(ttl, max) as Record<string, number | (() => number)>;
          expect(Object.keys(capped).sort()).toEqual(Object.keys(lifetimes).sort());
          for (const [name, { seconds }] of Object.entries(lifetimes)) {
            const value = capped[name];
            expect(typeof value === 'function' ? value() : value).toBe(Math.min(seconds, max));
          }
        },
      ),
    );
  });

  test('without a maximum the lifetimes are left as they are', () => {
    const ttl = { Session: 86_400, AccessToken: () => 3_600 } as Lifetimes;
    expect(capLifetimes(ttl, undefined)).toBe(ttl);
  });
});

async function withSandbox<T>(
  options: { maxArtifactLifetimeSeconds?: number },
  run: (sandbox: Awaited<ReturnType<typeof startSandbox>>) => Promise<T>,
): Promise<T> {
  const dataDir = await mkdtemp(join(tmpdir(), 'sandbox-lifetime-'));
  const sandbox = await startSandbox({ port: 0, dataDir, quiet: true, ...options });
  try {
    return await run(sandbox);
  } finally {
    await sandbox.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

const graphCredentials = {
  client_id: WEB.clientId,
  client_secret: WEB.clientSecret ?? '',
  grant_type: 'client_credentials',
  scope: 'https://graph.microsoft.com/.default',
};

describe('the sandbox with maxArtifactLifetimeSeconds', () => {
  test('a token expires within the maximum (expires_in and the JWT exp)', async () => {
    await withSandbox({ maxArtifactLifetimeSeconds: 20 }, async (sandbox) => {
      const res = await tokenRequest(sandbox, graphCredentials);
      expect(res.status).toBe(200);
      expect(res.body['expires_in']).toBeLessThanOrEqual(20);
      const payload = JSON.parse(
        Buffer.from(String(res.body['access_token']).split('.')[1] ?? '', 'base64url').toString('utf8'),
      ) as { iat: number; exp: number };
      expect(payload.exp - payload.iat).toBeLessThanOrEqual(20);
    });
  });

  test("without it, Entra's lifetime: an access token for 60 to 90 minutes", async () => {
    await withSandbox({}, async (sandbox) => {
      const res = await tokenRequest(sandbox, graphCredentials);
      expect(res.status).toBe(200);
      expect(res.body['expires_in']).toBeGreaterThanOrEqual(3_600);
    });
  });

  test('a maximum that is not a whole number of seconds of 1 or more stops the start, saying so', async () => {
    for (const bad of [0, -5, 1.5, Number.NaN])
      await expect(startSandbox({ port: 0, quiet: true, maxArtifactLifetimeSeconds: bad })).rejects.toThrow(
        /SANDBOX_MAX_ARTIFACT_LIFETIME_SECONDS.*whole number of seconds/,
      );
  });
});
