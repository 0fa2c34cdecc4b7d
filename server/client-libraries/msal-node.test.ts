/**
 * Issue 17: MSAL Node 7.2.3 (the real library, pinned) against the https sandbox. The test processes trust
 * the sandbox's CA through NODE_EXTRA_CA_CERTS, as a user's program would (tls-global-setup.ts).
 *
 * Configuration beyond `authority` = the sandbox tenant: `knownAuthorities: [<sandbox origin>]`, host
 * only, no metadata. MSAL Node 7 resolves any authority it does not know by asking
 * login.microsoftonline.com's instance discovery (msal-common Authority.getCloudDiscoveryMetadataFromNetwork),
 * which answers invalid_instance for localhost (or fails offline) — `untrusted_authority`, thrown as
 * endpoints_resolution_error — unless the host is listed in knownAuthorities, MSAL's documented option
 * for authorities other than Entra's own hosts:
 * https://learn.microsoft.com/javascript/api/@azure/msal-node/nodeauthoptions (knownAuthorities).
 * Endpoints, issuer and keys then come from the sandbox's own discovery document; no authorityMetadata.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  ConfidentialClientApplication,
  InteractionRequiredAuthError,
  PublicClientApplication,
  type AuthenticationResult,
  type Configuration,
} from '@azure/msal-node';
import { createRemoteJWKSet, decodeJwt, jwtVerify, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { API_APP_ID, SANDBOX_TENANT, SANDBOX_USERS, type SandboxUser } from '../sandbox/seed.ts';
import { TEST_CERT_PEM, TEST_CERT_X5T_S256, TEST_KEY_PEM } from '../sandbox/test-fixtures.ts';
import {
  API,
  CONSOLE,
  SPA,
  spaCode,
  TEST_ORIGIN,
  TEST_REDIRECT_URI,
  tokenRequest,
  WEB,
} from '../sandbox/test-support.ts';
import {
  completeAuthorization,
  completeDeviceLogin,
  MFA_USER,
  ORDINARY_USER,
  startHttpsTestSandbox,
  type HttpsTestSandbox,
} from './support.ts';

let sandbox: HttpsTestSandbox;
let keys: ReturnType<typeof createRemoteJWKSet>;
beforeAll(async () => {
  sandbox = await startHttpsTestSandbox();
  keys = createRemoteJWKSet(new URL(`${sandbox.authority}/discovery/v2.0/keys`));
});
afterAll(async () => {
  await sandbox.stop();
});

const GRAPH_DEFAULT = 'https://graph.microsoft.com/.default';
/** A user nothing has been consented for before the consent test runs. */
const UNCONSENTED_USER: SandboxUser = SANDBOX_USERS.find(
  (u) => !u.mfaRequired && u.userPrincipalName.startsWith('alex@'),
)!;

/** The whole MSAL configuration the tests use: the authority and the one option MSAL requires. */
function auth(clientId: string): Configuration['auth'] {
  return { clientId, authority: sandbox.authority, knownAuthorities: [sandbox.origin] };
}

function publicClient(): PublicClientApplication {
  return new PublicClientApplication({ auth: auth(CONSOLE.clientId) });
}

function confidential(app: { clientId: string; clientSecret?: string }): ConfidentialClientApplication {
  return new ConfidentialClientApplication({
    auth: { ...auth(app.clientId), clientSecret: app.clientSecret ?? '' },
  });
}

/** The ID token verified with the sandbox's published keys, and the account MSAL made of it. */
async function expectUserResult(
  result: AuthenticationResult | null,
  clientId: string,
  user: SandboxUser = ORDINARY_USER,
): Promise<{ result: AuthenticationResult; idClaims: JWTPayload; accessClaims: JWTPayload }> {
  expect(result).not.toBeNull();
  const r = result!;
  const { payload: idClaims } = await jwtVerify(r.idToken, keys, {
    issuer: `${sandbox.authority}/v2.0`,
    audience: clientId,
  });
  expect(idClaims['oid']).toBe(user.oid);
  expect(idClaims['tid']).toBe(SANDBOX_TENANT.id);
  expect(idClaims['preferred_username']).toBe(user.userPrincipalName);
  // client_info (uid = oid, utid = tid) makes MSAL's home account id `<oid>.<tid>`, not the pairwise sub.
  expect(r.account?.homeAccountId).toBe(`${user.oid}.${SANDBOX_TENANT.id}`);
  expect(r.account?.homeAccountId).not.toContain(String(idClaims.sub));
  expect(r.account?.tenantId).toBe(SANDBOX_TENANT.id);
  expect(r.account?.username).toBe(user.userPrincipalName);
  expect(r.account?.environment).toBe(new URL(sandbox.origin).host);
  const accessClaims = decodeJwt(r.accessToken);
  expect(accessClaims['oid']).toBe(user.oid);
  expect(accessClaims['tid']).toBe(SANDBOX_TENANT.id);
  expect(r.expiresOn!.getTime()).toBeGreaterThan(Date.now());
  return { result: r, idClaims, accessClaims };
}

describe('MSAL Node 7 against the https sandbox', () => {
  test('client credentials with a secret: an app-only Graph token for the Web app', async () => {
    const r = await confidential(WEB).acquireTokenByClientCredential({ scopes: [GRAPH_DEFAULT] });
    const claims = decodeJwt(r!.accessToken);
    expect(claims['aud']).toBe('https://graph.microsoft.com');
    expect(claims['appid']).toBe(WEB.clientId);
    expect(claims['appidacr']).toBe('1');
    expect(claims['idtyp']).toBe('app');
    expect(claims['tid']).toBe(SANDBOX_TENANT.id);
    expect(claims['roles']).toEqual(WEB.applicationPermissions['https://graph.microsoft.com']);
    expect(r!.account).toBeNull();
    expect(r!.tokenType).toBe('Bearer');
  });

  test('client credentials with a certificate (thumbprintSha256 + private key): appidacr 2', async () => {
    const upload = await fetch(`${sandbox.origin}/portal/apps/${WEB.clientId}/certificates`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ pem: TEST_CERT_PEM }),
    });
    expect(upload.status).toBeLessThan(300);
    try {
      const cca = new ConfidentialClientApplication({
        auth: {
          ...auth(WEB.clientId),
          clientCertificate: {
            thumbprintSha256: Buffer.from(TEST_CERT_X5T_S256, 'base64url').toString('hex'),
            privateKey: TEST_KEY_PEM,
          },
        },
      });
      const r = await cca.acquireTokenByClientCredential({ scopes: [GRAPH_DEFAULT] });
      const claims = decodeJwt(r!.accessToken);
      expect(claims['appid']).toBe(WEB.clientId);
      // appidacr 2: the client proved itself with a certificate (its assertion's audience is the https
      // token endpoint the sandbox names, which it accepts).
      expect(claims['appidacr']).toBe('2');
      expect(claims['aud']).toBe('https://graph.microsoft.com');
    } finally {
      await fetch(`${sandbox.origin}/portal/apps/${WEB.clientId}/certificates/${TEST_CERT_X5T_S256}`, {
        method: 'DELETE',
      });
    }
  });

  test('device code: the user step over HTTP, MSAL polls with grant_type=device_code', async () => {
    let userStep: Promise<unknown> = Promise.resolve();
    const r = await publicClient().acquireTokenByDeviceCode({
      scopes: ['User.Read'],
      deviceCodeCallback: (response) => {
        expect(response.verificationUri).toBe(`${sandbox.origin}/devicelogin`);
        userStep = completeDeviceLogin(response.verificationUri, response.userCode, sandbox);
      },
    });
    const page = await userStep;
    expect(JSON.stringify(page)).toContain(CONSOLE.displayName);
    const { accessClaims } = await expectUserResult(r, CONSOLE.clientId);
    expect(accessClaims['aud']).toBe('https://graph.microsoft.com');
    expect(String(accessClaims['scp']).split(' ')).toContain('User.Read');
    expect(accessClaims['appid']).toBe(CONSOLE.clientId);
  }, 60_000);

  test('ROPC: an ordinary user gets tokens; an MFA user raises InteractionRequiredAuthError (50076)', async () => {
    const pca = publicClient();
    const { accessClaims } = await expectUserResult(
      await pca.acquireTokenByUsernamePassword({
        scopes: ['User.Read'],
        username: ORDINARY_USER.userPrincipalName,
        password: ORDINARY_USER.password,
      }),
      CONSOLE.clientId,
    );
    expect(accessClaims['aud']).toBe('https://graph.microsoft.com');
    expect(String(accessClaims['scp']).split(' ')).toContain('User.Read');
    const error = await pca
      .acquireTokenByUsernamePassword({
        scopes: ['User.Read'],
        username: MFA_USER.userPrincipalName,
        password: MFA_USER.password,
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(InteractionRequiredAuthError);
    const interaction = error as InteractionRequiredAuthError;
    expect(String(interaction.errorNo)).toBe('50076');
    expect(interaction.subError).toBe('basic_action');
    // The claims challenge to pass to the interactive request.
    expect(JSON.parse(interaction.claims)).toHaveProperty('access_token');
  });

  test('ROPC before any consent: AADSTS65001 raises InteractionRequiredAuthError (consent_required)', async () => {
    const error = await publicClient()
      .acquireTokenByUsernamePassword({
        scopes: ['User.Read'],
        username: UNCONSENTED_USER.userPrincipalName,
        password: UNCONSENTED_USER.password,
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(InteractionRequiredAuthError);
    expect(String((error as InteractionRequiredAuthError).errorNo)).toBe('65001');
    expect((error as InteractionRequiredAuthError).subError).toBe('consent_required');
  });

  test('auth code + PKCE with the Web app, a silent refresh from the cache, a revoked refresh token', async () => {
    const cca = confidential(WEB);
    const verifier = randomBytes(32).toString('base64url');
    const state = randomBytes(8).toString('hex');
    const url = await cca.getAuthCodeUrl({
      scopes: ['User.Read'],
      redirectUri: TEST_REDIRECT_URI,
      codeChallenge: createHash('sha256').update(verifier).digest('base64url'),
      codeChallengeMethod: 'S256',
      state,
    });
    expect(url.startsWith(`${sandbox.authority}/oauth2/v2.0/authorize?`)).toBe(true);
    const back = await completeAuthorization(sandbox, url);
    expect(back.searchParams.get('state')).toBe(state);
    const code = back.searchParams.get('code');
    expect(code).toBeTruthy();
    const first = await expectUserResult(
      await cca.acquireTokenByCode({
        code: code!,
        scopes: ['User.Read'],
        redirectUri: TEST_REDIRECT_URI,
        codeVerifier: verifier,
      }),
      WEB.clientId,
    );
    expect(first.accessClaims['appid']).toBe(WEB.clientId);

    const accounts = await cca.getTokenCache().getAllAccounts();
    expect(accounts.map((a) => a.homeAccountId)).toEqual([`${ORDINARY_USER.oid}.${SANDBOX_TENANT.id}`]);
    const cached = await cca.acquireTokenSilent({ account: accounts[0]!, scopes: ['User.Read'] });
    expect(cached.fromCache).toBe(true);
    expect(cached.accessToken).toBe(first.result.accessToken);

    const refreshed = await expectUserResult(
      await cca.acquireTokenSilent({ account: accounts[0]!, scopes: ['User.Read'], forceRefresh: true }),
      WEB.clientId,
    );
    expect(refreshed.result.fromCache).toBe(false);
    expect(refreshed.result.accessToken).not.toBe(first.result.accessToken);
    expect(refreshed.accessClaims['uti']).not.toBe(first.accessClaims['uti']);
    expect(refreshed.result.account?.homeAccountId).toBe(first.result.account?.homeAccountId);

    // A refresh token the sandbox no longer knows (as after a revocation): bad_token, so MSAL raises
    // InteractionRequiredAuthError and drops the token, and the app's catch goes interactive.
    const cache = JSON.parse(cca.getTokenCache().serialize()) as {
      RefreshToken: Record<string, { secret: string }>;
    };
    const refreshTokens = Object.values(cache.RefreshToken);
    expect(refreshTokens).toHaveLength(1);
    refreshTokens[0]!.secret = `${refreshTokens[0]!.secret}-revoked`;
    cca.getTokenCache().deserialize(JSON.stringify(cache));
    const error = await cca
      .acquireTokenSilent({ account: accounts[0]!, scopes: ['User.Read'], forceRefresh: true })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(InteractionRequiredAuthError);
    expect((error as InteractionRequiredAuthError).subError).toBe('bad_token');
    expect(Object.keys((JSON.parse(cca.getTokenCache().serialize()) as typeof cache).RefreshToken)).toEqual(
      [],
    );
  }, 30_000);

  test('on-behalf-of: the API exchanges the user token it received for a Graph token', async () => {
    const apiScope = `api://${API_APP_ID}/access_as_user`;
    const { code, verifier } = await spaCode(sandbox, `openid profile ${apiScope}`);
    const spaToken = await tokenRequest(
      sandbox,
      {
        client_id: SPA.clientId,
        grant_type: 'authorization_code',
        code,
        redirect_uri: TEST_REDIRECT_URI,
        code_verifier: verifier,
        scope: apiScope,
      },
      { origin: TEST_ORIGIN },
    );
    expect(spaToken.status).toBe(200);
    const incoming = String(spaToken.body['access_token']);
    expect(decodeJwt(incoming)['aud']).toBe(`api://${API_APP_ID}`);

    const r = await confidential(API).acquireTokenOnBehalfOf({
      oboAssertion: incoming,
      scopes: ['https://graph.microsoft.com/User.Read'],
    });
    const claims = decodeJwt(r!.accessToken);
    expect(claims['aud']).toBe('https://graph.microsoft.com');
    expect(claims['appid']).toBe(API.clientId);
    expect(claims['oid']).toBe(ORDINARY_USER.oid);
    expect(String(claims['scp']).split(' ')).toContain('User.Read');
    expect(r!.account?.homeAccountId).toBe(`${ORDINARY_USER.oid}.${SANDBOX_TENANT.id}`);
  });
});
