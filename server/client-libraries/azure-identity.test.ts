/**
 * Azure Identity 4.13 (issue 17) against the https sandbox, as a user's daemon or API runs it: the
 * credential is given the sandbox's https origin as `authorityHost` and the tenant id, and trusts the
 * sandbox's CA through `NODE_EXTRA_CA_CERTS` (tls-global-setup.ts). Nothing else is configured but
 * `disableInstanceDiscovery: true`: Azure Identity otherwise asks login.microsoftonline.com whether the
 * authority host is a Microsoft cloud, which no local host is ("intended for use in scenarios where the
 * metadata endpoint cannot be reached, such as in private clouds or Azure Stack",
 * https://learn.microsoft.com/javascript/api/@azure/identity/authorityvalidationoptions).
 */
import { createPrivateKey, randomBytes, webcrypto, X509Certificate } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AuthorizationCodeCredential,
  ClientAssertionCredential,
  ClientCertificateCredential,
  ClientSecretCredential,
  DeviceCodeCredential,
  OnBehalfOfCredential,
  type ClientCertificateCredentialOptions,
  type ClientCertificatePEMCertificate,
  type ClientCertificatePEMCertificatePath,
} from '@azure/identity';
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { graphSigningInput } from '../sandbox/graph-token.ts';
import { sandboxV1Issuer } from '../sandbox/issuers.ts';
import { API_APP_ID, GRAPH_RESOURCE, SANDBOX_TENANT } from '../sandbox/seed.ts';
import {
  API,
  CONSOLE,
  SPA,
  spaCode,
  startTestSandbox,
  TEST_ORIGIN,
  TEST_REDIRECT_URI,
  tokenRequest,
  WEB,
} from '../sandbox/test-support.ts';
import { buildClientAssertion, TEST_CERT_PEM } from '../sandbox/test-fixtures.ts';
import {
  completeAuthorization,
  completeDeviceLogin,
  ORDINARY_USER,
  startHttpsTestSandbox,
  type HttpsTestSandbox,
} from './support.ts';

let sandbox: HttpsTestSandbox;
let certDir: string;
beforeAll(async () => {
  sandbox = await startHttpsTestSandbox();
  certDir = await mkdtemp(join(tmpdir(), 'azure-identity-cert-'));
});
afterAll(async () => {
  await sandbox.stop();
  await rm(certDir, { recursive: true, force: true });
});

/** Everything a credential needs beyond the tenant and the app's credential. */
function credentialOptions(): { authorityHost: string; disableInstanceDiscovery: true } {
  return { authorityHost: sandbox.origin, disableInstanceDiscovery: true };
}

/** Verifies an access token with the tenant's published keys (Graph tokens: over Graph's signing input). */
async function verifyAccessToken(token: string, audience: string): Promise<Record<string, unknown>> {
  const jwks = createRemoteJWKSet(new URL(`${sandbox.authority}/discovery/v2.0/keys`));
  const signed = audience === GRAPH_RESOURCE.identifier ? graphSigningInput(token) : token;
  const { payload } = await jwtVerify(signed, jwks, {
    issuer: sandboxV1Issuer(sandbox.origin, SANDBOX_TENANT.id),
    audience,
  });
  return payload;
}

/** A fresh RSA certificate and its key as PEM, made as a user would (`openssl req -x509 …`). */
async function generateCertificate(commonName: string): Promise<{ cert: string; key: string }> {
  await import('reflect-metadata');
  const x509 = await import('@peculiar/x509');
  x509.cryptoProvider.set(webcrypto as unknown as Crypto);
  const algorithm = {
    name: 'RSASSA-PKCS1-v1_5',
    hash: 'SHA-256',
    publicExponent: new Uint8Array([1, 0, 1]),
    modulusLength: 2048,
  };
  const keys = (await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as CryptoKeyPair;
  const notBefore = new Date(Date.now() - 60_000);
  const serial = randomBytes(16);
  serial[0] = (serial[0] ?? 0) & 0x7f; // RFC 5280 §4.1.2.2: positive
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial.toString('hex'),
    name: `CN=${commonName}`,
    notBefore,
    notAfter: new Date(notBefore.getTime() + 86_400_000),
    signingAlgorithm: algorithm,
    keys,
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  const key = `-----BEGIN PRIVATE KEY-----\n${pkcs8.toString('base64').replace(/.{64}/g, '$&\n').trimEnd()}\n-----END PRIVATE KEY-----\n`;
  // Each PEM ends with a line break, as openssl writes them, so `cat` joins them into a valid bundle.
  return { cert: `${certificate.toString('pem').trimEnd()}\n`, key };
}

/** Registers a certificate on the app as the portal's upload does; returns its SHA-256 thumbprint. */
async function registerCertificate(clientId: string, pem: string): Promise<string> {
  const res = await fetch(`${sandbox.origin}/portal/apps/${clientId}/certificates`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ pem }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { thumbprintSha256: string }).thumbprintSha256;
}

/** What an app-only token carries, whichever credential got it (v1.0 shape: the resources' default). */
function expectAppToken(
  claims: Record<string, unknown>,
  expected: { aud: string; appidacr: '1' | '2'; roles?: readonly string[] },
): void {
  expect(claims).toMatchObject({
    aud: expected.aud,
    iss: sandboxV1Issuer(sandbox.origin, SANDBOX_TENANT.id),
    tid: SANDBOX_TENANT.id,
    appid: WEB.clientId,
    appidacr: expected.appidacr,
    idtyp: 'app',
    ver: '1.0',
  });
  // An app token's subject is the app's service principal: `sub` and `oid` are the same GUID.
  expect(claims['sub']).toBe(claims['oid']);
  if (expected.roles) expect(claims['roles']).toEqual(expected.roles);
  else expect(claims).not.toHaveProperty('roles');
}

describe('ClientSecretCredential', () => {
  test.each([
    {
      scope: 'https://graph.microsoft.com/.default',
      aud: GRAPH_RESOURCE.identifier,
      roles: ['User.Read.All'],
      why: 'Graph, with the application permission granted to the app',
    },
    {
      scope: `api://${API_APP_ID}/.default`,
      aud: `api://${API_APP_ID}`,
      roles: undefined,
      why: 'the Flow Lab API by App ID URI, no application permission (no roles claim)',
    },
    {
      scope: `${API_APP_ID}/.default`,
      aud: `api://${API_APP_ID}`,
      roles: undefined,
      why: 'the Flow Lab API by its client id',
    },
  ])('getToken($scope): $why', async ({ scope, aud, roles }) => {
    const credential = new ClientSecretCredential(
      SANDBOX_TENANT.id,
      WEB.clientId,
      WEB.clientSecret ?? '',
      credentialOptions(),
    );
    const before = Date.now();
    const token = await credential.getToken(scope);
    expect(token.tokenType).toBe('Bearer');
    const claims = await verifyAccessToken(token.token, aud);
    expectAppToken(claims, { aud, appidacr: '1', ...(roles ? { roles } : {}) });
    // Azure Identity computes the expiry from expires_in; it must match the token's own exp.
    expect(Math.abs(token.expiresOnTimestamp - Number(claims['exp']) * 1000)).toBeLessThan(5_000);
    expect(token.expiresOnTimestamp).toBeGreaterThan(before + 3_000_000);
    // The token is cached: a second call for the same scope is answered without a new one.
    expect((await credential.getToken(scope)).token).toBe(token.token);
  });

  test('the Graph token is accepted by the sandbox Graph for an application-permission call', async () => {
    const credential = new ClientSecretCredential(
      SANDBOX_TENANT.id,
      WEB.clientId,
      WEB.clientSecret ?? '',
      credentialOptions(),
    );
    const { token } = await credential.getToken('https://graph.microsoft.com/.default');
    const res = await fetch(`${sandbox.origin}/v1.0/users`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { value: { userPrincipalName: string }[] };
    expect(body.value.map((u) => u.userPrincipalName)).toContain('adele@flowlab-sandbox.onmicrosoft.com');
  });

  test('the tenant by its domain name, and a CAE-capable request (claims with xms_cc) work as on Entra', async () => {
    const byDomain = new ClientSecretCredential(
      SANDBOX_TENANT.domain,
      WEB.clientId,
      WEB.clientSecret ?? '',
      credentialOptions(),
    );
    const token = await byDomain.getToken('https://graph.microsoft.com/.default', { enableCae: true });
    expectAppToken(decodeJwt(token.token), {
      aud: GRAPH_RESOURCE.identifier,
      appidacr: '1',
      roles: ['User.Read.All'],
    });
  });

  test.each([
    {
      why: 'a wrong secret',
      secret: 'not-the-secret',
      scope: 'https://graph.microsoft.com/.default',
      code: 'AADSTS7000215',
    },
    {
      why: 'a delegated permission instead of /.default',
      secret: WEB.clientSecret ?? '',
      scope: 'https://graph.microsoft.com/User.Read',
      code: 'AADSTS1002012',
    },
    {
      why: 'a resource the tenant does not have',
      secret: WEB.clientSecret ?? '',
      scope: 'api://not-in-this-tenant/.default',
      code: 'AADSTS500011',
    },
  ])('refused with Entra’s error for $why ($code)', async ({ secret, scope, code }) => {
    const credential = new ClientSecretCredential(
      SANDBOX_TENANT.id,
      WEB.clientId,
      secret,
      credentialOptions(),
    );
    // Azure Identity turns every token endpoint error into AuthenticationRequiredError, keeping the text.
    await expect(credential.getToken(scope)).rejects.toMatchObject({
      name: 'AuthenticationRequiredError',
      message: expect.stringContaining(`${code}: `) as unknown as string,
    });
  });

  test('an unknown tenant: the library cannot resolve its endpoints (the sandbox answers AADSTS90002)', async () => {
    const tenant = '0d9f1c2e-3b4a-4c5d-8e6f-7a8b9c0d1e2f';
    const discovery = await fetch(`${sandbox.origin}/${tenant}/v2.0/.well-known/openid-configuration`);
    expect(discovery.status).toBe(400);
    expect(((await discovery.json()) as { error_codes: number[] }).error_codes).toEqual([90002]);
    const credential = new ClientSecretCredential(
      tenant,
      WEB.clientId,
      WEB.clientSecret ?? '',
      credentialOptions(),
    );
    await expect(credential.getToken('https://graph.microsoft.com/.default')).rejects.toMatchObject({
      name: 'CredentialUnavailableError',
      message: expect.stringContaining('endpoints_resolution_error') as unknown as string,
    });
  });

  test('an http authority is refused by the library itself: the reason the sandbox serves https', async () => {
    const plain = await startTestSandbox();
    try {
      expect(plain.origin.startsWith('http://')).toBe(true);
      expect(
        () =>
          new ClientSecretCredential(SANDBOX_TENANT.id, WEB.clientId, WEB.clientSecret ?? '', {
            authorityHost: plain.origin,
            disableInstanceDiscovery: true,
          }),
      ).toThrow("The authorityHost address must use the 'https' protocol.");
    } finally {
      await plain.stop();
    }
  });
});

describe('ClientCertificateCredential', () => {
  /** The ways Azure Identity takes a certificate: PEM text (key and certificate, either order) or a file. */
  type CertificateInput = ClientCertificatePEMCertificate | ClientCertificatePEMCertificatePath;
  const forms: readonly {
    readonly name: string;
    readonly input: (pem: { cert: string; key: string }) => Promise<CertificateInput>;
    readonly options?: ClientCertificateCredentialOptions;
  }[] = [
    {
      name: 'PEM text (key, then certificate)',
      input: async ({ cert, key }) => ({ certificate: key + cert }),
    },
    {
      name: 'PEM text (certificate, then key: cat cert.pem key.pem)',
      input: async ({ cert, key }) => ({ certificate: cert + key }),
    },
    {
      name: 'PEM text with an encrypted key (certificatePassword)',
      input: async ({ cert, key }) => {
        const certificatePassword = randomBytes(12).toString('base64url');
        const encrypted = createPrivateKey(key).export({
          type: 'pkcs8',
          format: 'pem',
          cipher: 'aes-256-cbc',
          passphrase: certificatePassword,
        });
        return { certificate: `${String(encrypted)}${cert}`, certificatePassword };
      },
    },
    {
      name: 'a PEM file (certificatePath)',
      input: async ({ cert, key }) => {
        const certificatePath = join(certDir, `${randomBytes(6).toString('hex')}.pem`);
        await writeFile(certificatePath, key + cert, { mode: 0o600 });
        return { certificatePath };
      },
    },
    {
      name: 'sendCertificateChain (x5c in the assertion header)',
      input: async ({ cert, key }) => ({ certificate: key + cert }),
      options: { sendCertificateChain: true },
    },
  ];

  test.each(forms)('getToken with a registered certificate given as $name', async ({ input, options }) => {
    const pem = await generateCertificate('Flow Lab daemon (Azure Identity test)');
    await registerCertificate(WEB.clientId, pem.cert);
    const given = await input(pem);
    const settings = { ...credentialOptions(), ...options };
    // Two overloads, one per form (the union is not accepted as such).
    const credential =
      'certificatePath' in given
        ? new ClientCertificateCredential(SANDBOX_TENANT.id, WEB.clientId, given, settings)
        : new ClientCertificateCredential(SANDBOX_TENANT.id, WEB.clientId, given, settings);
    const graph = await credential.getToken('https://graph.microsoft.com/.default');
    expectAppToken(await verifyAccessToken(graph.token, GRAPH_RESOURCE.identifier), {
      aud: GRAPH_RESOURCE.identifier,
      appidacr: '2',
      roles: ['User.Read.All'],
    });
    const api = await credential.getToken(`api://${API_APP_ID}/.default`);
    expectAppToken(await verifyAccessToken(api.token, `api://${API_APP_ID}`), {
      aud: `api://${API_APP_ID}`,
      appidacr: '2',
    });
    expect(decodeProtectedHeader(api.token).alg).toBe('RS256');
  });

  test('a certificate not registered on the app is refused (AADSTS700027), naming its thumbprint', async () => {
    const pem = await generateCertificate('Never uploaded');
    const credential = new ClientCertificateCredential(
      SANDBOX_TENANT.id,
      WEB.clientId,
      { certificate: pem.key + pem.cert },
      credentialOptions(),
    );
    const thumbprint = Buffer.from(
      new X509Certificate(pem.cert).fingerprint256.replaceAll(':', ''),
      'hex',
    ).toString('base64url');
    await expect(credential.getToken('https://graph.microsoft.com/.default')).rejects.toMatchObject({
      name: 'AuthenticationRequiredError',
      message: expect.stringMatching(
        new RegExp(`AADSTS700027: .*Thumbprint of key used by client: '${thumbprint}'`),
      ) as unknown as string,
    });
  });

  test('a certificate registered on another app is not this app’s credential (AADSTS700027)', async () => {
    const pem = await generateCertificate('Flow Lab API certificate');
    await registerCertificate(API.clientId, pem.cert);
    const credential = new ClientCertificateCredential(
      SANDBOX_TENANT.id,
      WEB.clientId,
      { certificate: pem.key + pem.cert },
      credentialOptions(),
    );
    await expect(credential.getToken('https://graph.microsoft.com/.default')).rejects.toMatchObject({
      message: expect.stringContaining('AADSTS700027: ') as unknown as string,
    });
    // The same certificate is the API app's credential.
    const asApi = new ClientCertificateCredential(
      SANDBOX_TENANT.id,
      API.clientId,
      { certificate: pem.key + pem.cert },
      credentialOptions(),
    );
    const token = await asApi.getToken('https://graph.microsoft.com/.default');
    expect(decodeJwt(token.token)).toMatchObject({ appid: API.clientId, appidacr: '2' });
  });
});

describe('ClientAssertionCredential', () => {
  test('an assertion the app signs itself (x5t#S256, aud = the token endpoint) is its credential', async () => {
    await registerCertificate(WEB.clientId, TEST_CERT_PEM);
    let calls = 0;
    const credential = new ClientAssertionCredential(
      SANDBOX_TENANT.id,
      WEB.clientId,
      async () => {
        calls += 1;
        return buildClientAssertion(sandbox, WEB.clientId);
      },
      credentialOptions(),
    );
    const token = await credential.getToken('https://graph.microsoft.com/.default');
    expect(calls).toBeGreaterThan(0);
    expectAppToken(await verifyAccessToken(token.token, GRAPH_RESOURCE.identifier), {
      aud: GRAPH_RESOURCE.identifier,
      appidacr: '2',
      roles: ['User.Read.All'],
    });
  });
});

describe('credentials for a signed-in user (same two options)', () => {
  /** A delegated Graph token for Adele, checked as Graph checks it. */
  async function expectUserGraphToken(token: string, clientId: string): Promise<void> {
    const claims = await verifyAccessToken(token, GRAPH_RESOURCE.identifier);
    expect(claims).toMatchObject({
      tid: SANDBOX_TENANT.id,
      appid: clientId,
      oid: ORDINARY_USER.oid,
      upn: ORDINARY_USER.userPrincipalName,
    });
    expect(String(claims['scp']).split(' ')).toContain('User.Read');
  }

  test('OnBehalfOfCredential: the API exchanges the token it received for a Graph token (on-behalf-of)', async () => {
    // The SPA signs Adele in and calls the API with a token for it (v1.0, aud = the App ID URI).
    const { code, verifier } = await spaCode(sandbox, `openid api://${API_APP_ID}/access_as_user`);
    const spa = await tokenRequest(
      sandbox,
      {
        client_id: SPA.clientId,
        grant_type: 'authorization_code',
        code,
        code_verifier: verifier,
        redirect_uri: TEST_REDIRECT_URI,
      },
      { origin: TEST_ORIGIN },
    );
    const userAssertionToken = String(spa.body['access_token']);
    expect(decodeJwt(userAssertionToken)).toMatchObject({
      aud: `api://${API_APP_ID}`,
      scp: 'access_as_user',
    });
    // 4.13.0's constructor overloads leave AuthorityValidationOptions out, so disableInstanceDiscovery in an
    // object literal does not type-check; passed in a spread it reaches MSAL as for the other credentials
    // (without it, this call would go to login.microsoftonline.com and fail).
    const credential = new OnBehalfOfCredential({
      tenantId: SANDBOX_TENANT.id,
      clientId: API.clientId,
      clientSecret: API.clientSecret ?? '',
      userAssertionToken,
      ...credentialOptions(),
    });
    const { token } = await credential.getToken('https://graph.microsoft.com/User.Read');
    await expectUserGraphToken(token, API.clientId);
  });

  test('AuthorizationCodeCredential: the Web app redeems the code its user brought back', async () => {
    const query = new URLSearchParams({
      client_id: WEB.clientId,
      response_type: 'code',
      redirect_uri: TEST_REDIRECT_URI,
      scope: 'openid https://graph.microsoft.com/User.Read',
      state: 'azure-identity-code',
    });
    const callback = await completeAuthorization(
      sandbox,
      `${sandbox.authority}/oauth2/v2.0/authorize?${query}`,
    );
    expect(callback.searchParams.get('state')).toBe('azure-identity-code');
    const credential = new AuthorizationCodeCredential(
      SANDBOX_TENANT.id,
      WEB.clientId,
      WEB.clientSecret ?? '',
      callback.searchParams.get('code') ?? '',
      TEST_REDIRECT_URI,
      credentialOptions(),
    );
    const { token } = await credential.getToken('https://graph.microsoft.com/User.Read');
    await expectUserGraphToken(token, WEB.clientId);
  });

  test('DeviceCodeCredential: the user enters the code over HTTP, the credential gets the token', async () => {
    let signedIn: Promise<unknown> | undefined;
    const credential = new DeviceCodeCredential({
      tenantId: SANDBOX_TENANT.id,
      clientId: CONSOLE.clientId,
      ...credentialOptions(),
      userPromptCallback: (info) => {
        expect(info.verificationUri).toBe(`${sandbox.origin}/devicelogin`);
        signedIn = completeDeviceLogin(info.verificationUri, info.userCode, sandbox);
      },
    });
    const { token } = await credential.getToken('https://graph.microsoft.com/User.Read');
    await signedIn;
    await expectUserGraphToken(token, CONSOLE.clientId);
  }, 30_000);
});
