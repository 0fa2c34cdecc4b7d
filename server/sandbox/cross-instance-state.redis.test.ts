/**
 * Issue 15 on a real Redis: two sandbox instances behind a proxy (store/test-redis.ts), one tenant. The
 * scenarios of cross-instance-state.scenarios.ts, with flows hopping between instances: a device code
 * approved on B and redeemed on A, a verification code asked for by A and answered on B.
 */
import { Redis } from 'ioredis';
import { describe, expect, test } from 'vitest';
import { SANDBOX_USERS } from './seed.ts';
import { startTwoInstances, testRedisUrl } from './store/test-redis.ts';
import {
  asPage,
  Browser,
  CONSOLE,
  endpoint,
  formAction,
  generatePkce,
  SPA,
  TEST_REDIRECT_URI,
  tokenRequest,
} from './test-support.ts';
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

describe("what the sandbox's own state leaves in Redis", () => {
  test('every record a flow writes has a time to live; only tenant state, consent and keys last', async () => {
    const two = await startTwoInstances();
    const redis = new Redis(testRedisUrl(), { lazyConnect: true });
    try {
      await redis.connect();
      const adele = SANDBOX_USERS[0]!;
      const megan = SANDBOX_USERS.find((u) => u.mfaRequired && u.mfaCode)!;
      two.use('a');
      // Lockout counters: a wrong password.
      await tokenRequest(two.a, {
        client_id: CONSOLE.clientId,
        grant_type: 'password',
        username: adele.userPrincipalName,
        password: 'wrong',
        scope: 'openid',
      });
      // A device code, polled on B.
      const started = await fetch(endpoint(two.a, '/oauth2/v2.0/devicecode'), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ client_id: CONSOLE.clientId, scope: 'openid' }),
      });
      const { device_code: deviceCode } = (await started.json()) as Record<string, string>;
      two.use('b');
      await tokenRequest(two.b, {
        client_id: CONSOLE.clientId,
        grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
        device_code: deviceCode ?? '',
      });
      // A verification-code step left waiting.
      const browser = new Browser(two.a);
      const query = new URLSearchParams({
        client_id: SPA.clientId,
        response_type: 'code',
        redirect_uri: TEST_REDIRECT_URI,
        scope: 'openid',
        code_challenge: generatePkce().challenge,
        code_challenge_method: 'S256',
      });
      const login = asPage(await browser.go(`${endpoint(two.a, '/oauth2/v2.0/authorize')}?${query}`));
      await browser.go(formAction(login), { username: megan.userPrincipalName, password: megan.password });
      // Tenant state and consent: a portal edit and a consent.
      await fetch(`${two.origin}/portal/apps/${CONSOLE.clientId}/consents`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ user: adele.oid }),
      });
      await fetch(`${two.origin}/portal/settings`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ lockoutThreshold: 9 }),
      });

      const keys: string[] = [];
      let cursor = '0';
      do {
        const [next, batch] = await redis.scan(cursor, 'MATCH', `${two.prefix}*`, 'COUNT', 500);
        cursor = next;
        keys.push(...batch.map((k) => k.slice(two.prefix.length)));
      } while (cursor !== '0');
      const ttls = await Promise.all(
        keys.map(async (key) => ({ key, ttl: await redis.pttl(`${two.prefix}${key}`) })),
      );
      const lasting = ttls.filter(({ ttl }) => ttl < 0).map(({ key }) => key);
      const mayLast = (key: string): boolean =>
        key === 'tenant:version' ||
        key.startsWith('tenant:part:') ||
        key.startsWith('consent:') ||
        key.startsWith('keys:');
      expect(lasting.filter((key) => !mayLast(key))).toEqual([]);
      // The flows above did write records of each kind, and each will leave.
      for (const kind of ['lockout:', 'device-poll:', 'mfa-pending:']) {
        const found = ttls.filter(({ key }) => key.startsWith(kind));
        expect(found.length, kind).toBeGreaterThan(0);
        expect(found.every(({ ttl }) => ttl > 0)).toBe(true);
      }
      expect(lasting).toContain('tenant:part:settings');
    } finally {
      redis.disconnect();
      await two.close();
    }
  });
});
