import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SANDBOX_TENANT, SANDBOX_USERS } from './seed.ts';
import { SPA, startTestSandbox, WEB, type TestSandbox } from './test-support.ts';

let sandbox: TestSandbox;
beforeAll(async () => {
  sandbox = await startTestSandbox();
});
afterAll(async () => {
  await sandbox.stop();
});

async function discovery(tenant: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${sandbox.origin}/${tenant}/v2.0/.well-known/openid-configuration`);
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}

describe('OpenID Connect Discovery 1.0 §4, Entra-shaped', () => {
  test('tenant GUID: issuer and endpoints under /{tenant}/oauth2/v2.0/', async () => {
    const doc = await discovery(SANDBOX_TENANT.id);
    const base = `${sandbox.origin}/${SANDBOX_TENANT.id}`;
    expect(doc).toMatchObject({
      issuer: `${base}/v2.0`,
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      token_endpoint: `${base}/oauth2/v2.0/token`,
      jwks_uri: `${base}/discovery/v2.0/keys`,
    });
  });

  test('verified domain resolves to the tenant GUID (as Entra does)', async () => {
    const doc = await discovery(SANDBOX_TENANT.domain);
    expect(doc['issuer']).toBe(`${sandbox.origin}/${SANDBOX_TENANT.id}/v2.0`);
    expect(doc['token_endpoint']).toBe(`${sandbox.origin}/${SANDBOX_TENANT.id}/oauth2/v2.0/token`);
  });

  test('common: templated {tenantid} issuer, endpoints under /common', async () => {
    const doc = await discovery('common');
    expect(doc['issuer']).toBe(`${sandbox.origin}/{tenantid}/v2.0`);
    expect(doc['authorization_endpoint']).toBe(`${sandbox.origin}/common/oauth2/v2.0/authorize`);
    expect(doc['token_endpoint']).toBe(`${sandbox.origin}/common/oauth2/v2.0/token`);
    expect((await discovery('organizations'))['issuer']).toBe(`${sandbox.origin}/{tenantid}/v2.0`);
  });

  test('keys: one RS256 signing key with a kid, no private parts', async () => {
    const res = await fetch(`${sandbox.origin}/${SANDBOX_TENANT.id}/discovery/v2.0/keys`);
    const { keys } = (await res.json()) as { keys: Record<string, unknown>[] };
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: expect.any(String) });
    expect(keys[0]).not.toHaveProperty('d');
  });
});

describe('sandbox portal', () => {
  test('HTML page lists users, passwords, apps and secrets, labelled sandbox-only', async () => {
    const res = await fetch(`${sandbox.origin}/`);
    const html = await res.text();
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(html).toContain('<html lang="en">');
    expect(html).toContain('<title>');
    expect(html).toContain('sandbox-only');
    expect(html).toContain(SANDBOX_USERS[0]!.password);
    expect(html).toContain(SPA.clientId);
    expect(html).toContain(WEB.clientSecret);
  });

  test('directory.json carries the same data', async () => {
    const res = await fetch(`${sandbox.origin}/directory.json`);
    const d = (await res.json()) as {
      tenant: { id: string };
      users: unknown[];
      apps: { clientId: string }[];
      endpoints: Record<string, string>;
    };
    expect(d.tenant.id).toBe(SANDBOX_TENANT.id);
    expect(d.users).toHaveLength(SANDBOX_USERS.length);
    expect(d.apps.map((a) => a.clientId)).toContain(SPA.clientId);
    expect(d.endpoints['token']).toBe(`${sandbox.origin}/${SANDBOX_TENANT.id}/oauth2/v2.0/token`);
  });
});
