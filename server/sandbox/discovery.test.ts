import { createHash, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import ENTRA_COMMON from '../../test-fixtures/providers/entra-common.json' with { type: 'json' };
import { sandboxV1Issuer } from './issuers.ts';
import { loadOrCreateKeys } from './keys.ts';
import { SANDBOX_TENANT, SANDBOX_USERS } from './seed.ts';
import {
  spaCode,
  SPA,
  startTestSandbox,
  TEST_ORIGIN,
  TEST_REDIRECT_URI,
  tokenRequest,
  WEB,
  type TestSandbox,
} from './test-support.ts';

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

  test('keys as Entra publishes them: kty use kid x5t n e x5c issuer, no alg, kid = x5t = SHA-1 of x5c[0]', async () => {
    const entra = ENTRA_COMMON.jwks.keys[0] as Record<string, unknown>;
    for (const [tenant, issuer] of [
      [SANDBOX_TENANT.id, `${sandbox.origin}/${SANDBOX_TENANT.id}/v2.0`],
      [SANDBOX_TENANT.domain, `${sandbox.origin}/${SANDBOX_TENANT.id}/v2.0`],
      ['common', `${sandbox.origin}/{tenantid}/v2.0`],
      ['organizations', `${sandbox.origin}/{tenantid}/v2.0`],
      // Entra's consumer keys name the consumer tenant; the sandbox has none, so the template stands in.
      ['consumers', `${sandbox.origin}/{tenantid}/v2.0`],
    ] as const) {
      const res = await fetch(`${sandbox.origin}/${tenant}/discovery/v2.0/keys`);
      expect(res.status).toBe(200);
      const { keys } = (await res.json()) as { keys: Record<string, unknown>[] };
      expect(keys).toHaveLength(1);
      const key = keys[0]!;
      // The same members, in the same order, as a key in Entra's captured key set.
      expect(Object.keys(key)).toEqual(Object.keys(entra));
      expect(key).not.toHaveProperty('alg');
      expect(key).not.toHaveProperty('d');
      expect(key['issuer']).toBe(issuer);
      const der = Buffer.from((key['x5c'] as string[])[0]!, 'base64');
      expect(key['x5t']).toBe(createHash('sha1').update(der).digest('base64url'));
      expect(key['kid']).toBe(key['x5t']);
      // The certificate holds the very key published in n/e (RFC 7517 §4.7).
      const fromCertificate = new X509Certificate(der).publicKey.export({ format: 'jwk' });
      expect(fromCertificate).toMatchObject({ n: key['n'], e: key['e'] });
    }
  });

  test('the key set verifies an ID token the sandbox issued, picked by kid without alg', async () => {
    const { code, verifier } = await spaCode(sandbox, 'openid profile');
    const token = await tokenRequest(
      sandbox,
      {
        client_id: SPA.clientId,
        grant_type: 'authorization_code',
        code,
        redirect_uri: TEST_REDIRECT_URI,
        code_verifier: verifier,
      },
      { origin: TEST_ORIGIN },
    );
    const idToken = String(token.body['id_token']);
    expect(decodeProtectedHeader(idToken).kid).toBeTruthy();
    const keys = createRemoteJWKSet(new URL(`${sandbox.origin}/${SANDBOX_TENANT.id}/discovery/v2.0/keys`));
    const { payload } = await jwtVerify(idToken, keys, { issuer: sandbox.issuer, audience: SPA.clientId });
    expect(payload['tid']).toBe(SANDBOX_TENANT.id);
  });

  test("discovery has Entra's members: userinfo_endpoint and end_session_endpoint, front-channel logout", async () => {
    const entra = ENTRA_COMMON.metadata as Record<string, unknown>;
    for (const tenant of [SANDBOX_TENANT.id, 'common', 'organizations', 'consumers']) {
      const doc = await discovery(tenant);
      const segment = tenant;
      expect(doc['userinfo_endpoint']).toBe(`${sandbox.origin}/oidc/userinfo`);
      expect(doc['end_session_endpoint']).toBe(`${sandbox.origin}/${segment}/oauth2/v2.0/logout`);
      // Every Entra member but Kerberos (the sandbox has none) is there with Entra's type.
      for (const [member, value] of Object.entries(entra)) {
        if (member === 'kerberos_endpoint') continue;
        expect(doc, member).toHaveProperty(member);
        if (value !== null) expect(typeof doc[member], member).toBe(typeof value);
      }
      for (const same of [
        'response_modes_supported',
        'response_types_supported',
        'scopes_supported',
        'claims_supported',
        'subject_types_supported',
        'token_endpoint_auth_methods_supported',
        'http_logout_supported',
        'frontchannel_logout_supported',
      ]) {
        expect(doc[same], same).toEqual(entra[same]);
      }
      expect(doc['tenant_region_scope']).toBe(tenant === SANDBOX_TENANT.id ? 'NA' : null);
    }
  });

  test('v1 discovery at /{tenant}/.well-known/openid-configuration: the v1 issuer and v1 endpoint paths', async () => {
    const res = await fetch(`${sandbox.origin}/${SANDBOX_TENANT.domain}/.well-known/openid-configuration`);
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const doc = (await res.json()) as Record<string, unknown>;
    const base = `${sandbox.origin}/${SANDBOX_TENANT.id}`;
    expect(doc).toMatchObject({
      issuer: sandboxV1Issuer(sandbox.origin, SANDBOX_TENANT.id),
      authorization_endpoint: `${base}/oauth2/authorize`,
      token_endpoint: `${base}/oauth2/token`,
      jwks_uri: `${base}/discovery/keys`,
      end_session_endpoint: `${base}/oauth2/logout`,
      scopes_supported: ['openid'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'token id_token', 'token'],
      microsoft_multi_refresh_token: true,
    });
    expect(doc['device_authorization_endpoint']).toBe(`${base}/oauth2/devicecode`);
    const common = (await (
      await fetch(`${sandbox.origin}/common/.well-known/openid-configuration`)
    ).json()) as {
      issuer: string;
    };
    expect(common.issuer).toBe(sandboxV1Issuer(sandbox.origin, '{tenantid}'));
    // The v1 key set is the same keys.
    const v1Keys = (await (await fetch(String(doc['jwks_uri']))).json()) as { keys: { kid: string }[] };
    const v2Keys = (await (await fetch(`${base}/discovery/v2.0/keys`)).json()) as { keys: { kid: string }[] };
    expect(v1Keys).toEqual(v2Keys);
  });

  test('the v1 protocol endpoints say the sandbox serves v2.0 and name the v2.0 endpoint', async () => {
    const token = await fetch(`${sandbox.origin}/${SANDBOX_TENANT.id}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    expect(token.status).toBe(400);
    const body = (await token.json()) as { error: string; error_description: string };
    expect(body.error).toBe('invalid_request');
    expect(body.error_description).toContain(`${sandbox.origin}/${SANDBOX_TENANT.id}/oauth2/v2.0/token`);
    const authorize = await fetch(`${sandbox.origin}/common/oauth2/authorize?client_id=${SPA.clientId}`);
    expect(authorize.status).toBe(400);
    expect(await authorize.text()).toContain(`${sandbox.origin}/common/oauth2/v2.0/authorize`);
  });
});

describe('signing key on disk', () => {
  test('a key file from before certificates keeps its key and gets a certificate, kid = x5t', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sandbox-keys-'));
    try {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const jwk = privateKey.export({ format: 'jwk' });
      await writeFile(
        join(dir, 'keys.json'),
        JSON.stringify({
          signingKey: { ...jwk, kid: 'old-thumbprint', alg: 'RS256', use: 'sig' },
          cookieKeys: ['a', 'b'],
        }),
      );
      const upgraded = await loadOrCreateKeys(dir);
      expect(upgraded.signingKey.n).toBe(jwk.n);
      expect(upgraded.cookieKeys).toEqual(['a', 'b']);
      expect(upgraded.signingKey.kid).toBe(upgraded.x5t);
      const der = Buffer.from(upgraded.signingKey.x5c![0]!, 'base64');
      expect(new X509Certificate(der).publicKey.export({ format: 'jwk' })).toMatchObject({
        n: jwk.n,
        e: jwk.e,
      });
      // Saved: the next start reads the same certificate instead of making another.
      const again = await loadOrCreateKeys(dir);
      expect(again.signingKey.x5c).toEqual(upgraded.signingKey.x5c);
      const saved = JSON.parse(await readFile(join(dir, 'keys.json'), 'utf8')) as {
        signingKey: { kid: string };
      };
      expect(saved.signingKey.kid).toBe(upgraded.x5t);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('a file that is not a key file is refused with what to do', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sandbox-keys-'));
    try {
      await writeFile(join(dir, 'keys.json'), 'not json');
      await expect(loadOrCreateKeys(dir)).rejects.toThrow(/delete it to generate new keys/);
      await writeFile(join(dir, 'keys.json'), JSON.stringify({ signingKey: { kty: 'EC' }, cookieKeys: [] }));
      await expect(loadOrCreateKeys(dir)).rejects.toThrow(/delete it to generate new keys/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
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
