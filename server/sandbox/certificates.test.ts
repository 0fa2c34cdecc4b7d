import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { graphSigningInput } from './graph-token.ts';
import { GRAPH_RESOURCE, SANDBOX_TENANT } from './seed.ts';
import {
  buildClientAssertion,
  expectEntraError,
  TEST_CERT_PEM,
  TEST_CERT_X5T,
  TEST_CERT_X5T_S256,
} from './test-fixtures.ts';
import {
  endpoint,
  SPA,
  startTestSandbox,
  TEST_ORIGIN,
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

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

function certificatesUrl(clientId: string, thumbprint?: string): string {
  return `${sandbox.origin}/portal/apps/${clientId}/certificates${thumbprint ? `/${thumbprint}` : ''}`;
}

async function upload(clientId: string, pem: string, origin?: string): Promise<Response> {
  return fetch(certificatesUrl(clientId), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(origin ? { origin } : {}) },
    body: JSON.stringify({ pem }),
  });
}

function assertionRequest(assertion: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    client_id: WEB.clientId,
    client_assertion_type: ASSERTION_TYPE,
    client_assertion: assertion,
    grant_type: 'client_credentials',
    scope: 'https://graph.microsoft.com/.default',
    ...extra,
  };
}

describe('certificate credentials on the portal', () => {
  test('POST (JSON, CORS for localhost) registers; GET lists; DELETE removes', async () => {
    const preflight = await fetch(certificatesUrl(WEB.clientId), {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');

    const created = await upload(WEB.clientId, TEST_CERT_PEM, 'http://localhost:5173');
    expect(created.status).toBe(201);
    expect(created.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    const summary = (await created.json()) as Record<string, string>;
    expect(summary).toEqual({
      thumbprintSha256: TEST_CERT_X5T_S256,
      thumbprintSha1Hex: Buffer.from(TEST_CERT_X5T, 'base64url').toString('hex').toUpperCase(),
      subject: 'CN=Flow Lab sandbox test certificate',
      notAfter: expect.stringMatching(/^2126-/) as unknown as string,
    });
    const listed = await (await fetch(certificatesUrl(WEB.clientId))).json();
    expect(listed).toEqual([summary]);

    const page = await (await fetch(`${sandbox.origin}/`)).text();
    expect(page).toContain(TEST_CERT_X5T_S256);
    const directory = (await (await fetch(`${sandbox.origin}/directory.json`)).json()) as {
      apps: { clientId: string; certificates: unknown[] }[];
    };
    expect(directory.apps.find((a) => a.clientId === WEB.clientId)?.certificates).toEqual([summary]);

    const removed = await fetch(certificatesUrl(WEB.clientId, TEST_CERT_X5T_S256), { method: 'DELETE' });
    expect(removed.status).toBe(204);
    expect(await (await fetch(certificatesUrl(WEB.clientId))).json()).toEqual([]);
    expect(
      (await fetch(certificatesUrl(WEB.clientId, TEST_CERT_X5T_S256), { method: 'DELETE' })).status,
    ).toBe(404);
  });

  test('the portal form ("Certificate (PEM)", "Upload certificate") uploads and redirects back', async () => {
    const page = await (await fetch(`${sandbox.origin}/`)).text();
    expect(page).toContain(`<label for="pem-${WEB.clientId}">Certificate (PEM)</label>`);
    expect(page).toContain('>Upload certificate</button>');
    const res = await fetch(certificatesUrl(WEB.clientId), {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ pem: TEST_CERT_PEM }),
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/#app-${WEB.clientId}`);
    expect(await (await fetch(certificatesUrl(WEB.clientId))).json()).toHaveLength(1);
  });

  test('refuses garbage, public clients and unknown apps', async () => {
    expect((await upload(WEB.clientId, 'not a certificate')).status).toBe(400);
    expect((await upload(SPA.clientId, TEST_CERT_PEM)).status).toBe(400);
    expect((await upload('00000000-0000-0000-0000-000000000000', TEST_CERT_PEM)).status).toBe(404);
  });
});

describe('client assertions (RFC 7523 §2.2) against registered certificates', () => {
  beforeAll(async () => {
    expect((await upload(WEB.clientId, TEST_CERT_PEM)).status).toBe(201);
  });

  test.each(['PS256', 'RS256'] as const)(
    '%s assertion named by x5t#S256 → token with appidacr "2" (a v1.0 Graph token)',
    async (alg) => {
      const res = await tokenRequest(
        sandbox,
        assertionRequest(await buildClientAssertion(sandbox, WEB.clientId, { alg })),
      );
      expect(res.status).toBe(200);
      const jwks = createRemoteJWKSet(new URL(endpoint(sandbox, '/discovery/v2.0/keys')));
      const { payload } = await jwtVerify(graphSigningInput(String(res.body['access_token'])), jwks, {
        audience: GRAPH_RESOURCE.identifier,
      });
      expect(payload).toMatchObject({
        appid: WEB.clientId,
        appidacr: '2',
        roles: ['User.Read.All'],
        idtyp: 'app',
      });
    },
  );

  test('x5t (SHA-1) header and the domain / organizations audiences are accepted; client_id may be omitted', async () => {
    for (const tenant of [SANDBOX_TENANT.domain, 'organizations']) {
      const assertion = await buildClientAssertion(sandbox, WEB.clientId, {
        header: { 'x5t#S256': undefined, x5t: TEST_CERT_X5T },
        claims: { aud: `${sandbox.origin}/${tenant}/oauth2/v2.0/token` },
      });
      const { client_id: _omitted, ...params } = assertionRequest(assertion);
      const res = await tokenRequest(sandbox, params);
      expect(res.status).toBe(200);
      expect(decodeJwt(String(res.body['access_token']))['appidacr']).toBe('2');
    }
  });

  test('AADSTS700027: thumbprint of a certificate that is not registered', async () => {
    const assertion = await buildClientAssertion(sandbox, WEB.clientId, {
      header: { 'x5t#S256': Buffer.alloc(32, 7).toString('base64url') },
    });
    const res = await tokenRequest(sandbox, assertionRequest(assertion));
    expect(res.status).toBe(401);
    expectEntraError(res.body, 'invalid_client', 700027);
    expect(String(res.body['error_description'])).toContain('The key was not found');
  });

  test('AADSTS700027: wrong audience (the authorize endpoint instead of the token endpoint)', async () => {
    const assertion = await buildClientAssertion(sandbox, WEB.clientId, {
      claims: { aud: `${sandbox.origin}/${SANDBOX_TENANT.id}/oauth2/v2.0/authorize` },
    });
    const res = await tokenRequest(sandbox, assertionRequest(assertion));
    expectEntraError(res.body, 'invalid_client', 700027);
    expect(String(res.body['error_description'])).toContain('audience');
  });

  test('AADSTS700027: bad signature, missing jti', async () => {
    const good = await buildClientAssertion(sandbox, WEB.clientId);
    const [h, p] = good.split('.');
    const tampered = `${h}.${p}.${Buffer.alloc(256, 1).toString('base64url')}`;
    expectEntraError(
      (await tokenRequest(sandbox, assertionRequest(tampered))).body,
      'invalid_client',
      700027,
    );
    const noJti = await buildClientAssertion(sandbox, WEB.clientId, { omitJti: true });
    const res = await tokenRequest(sandbox, assertionRequest(noJti));
    expectEntraError(res.body, 'invalid_client', 700027);
    expect(String(res.body['error_description'])).toContain('jti');
  });

  test('AADSTS700021: iss/sub not the client id; AADSTS700024: expired or not yet valid', async () => {
    const wrongIss = await buildClientAssertion(sandbox, WEB.clientId, { claims: { iss: SPA.clientId } });
    expectEntraError(
      (await tokenRequest(sandbox, assertionRequest(wrongIss))).body,
      'invalid_client',
      700021,
    );
    const now = Math.floor(Date.now() / 1000);
    const expired = await buildClientAssertion(sandbox, WEB.clientId, {
      claims: { exp: now - 600, nbf: now - 1200 },
    });
    expectEntraError((await tokenRequest(sandbox, assertionRequest(expired))).body, 'invalid_client', 700024);
    const early = await buildClientAssertion(sandbox, WEB.clientId, {
      claims: { nbf: now + 600, exp: now + 1200 },
    });
    expectEntraError((await tokenRequest(sandbox, assertionRequest(early))).body, 'invalid_client', 700024);
  });

  test('a client assertion from a browser is still refused (AADSTS9002326)', async () => {
    const res = await tokenRequest(
      sandbox,
      assertionRequest(await buildClientAssertion(sandbox, WEB.clientId)),
      {
        origin: TEST_ORIGIN,
      },
    );
    expectEntraError(res.body, 'invalid_client'.replace('client', 'request'), 9002326);
  });
});
