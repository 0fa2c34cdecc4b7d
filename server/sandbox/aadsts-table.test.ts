/**
 * Every AADSTS code the sandbox can produce, each with a real request against a running sandbox that
 * produces it: the HTTP status, the OAuth `error` and the first of `error_codes` are asserted, and the
 * table is written to docs/aadsts-sandbox.md (checked here, so the document cannot drift from the code).
 * A code that appears in the sandbox's sources and not in the table fails the test.
 *
 * Run with UPDATE_AADSTS_TABLE=1 to rewrite the Markdown after changing a row.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { mapProviderError } from './error-mapping.ts';
import { API_APP_ID, GRAPH_RESOURCE, SANDBOX_TENANT, SANDBOX_USERS } from './seed.ts';
import { buildClientAssertion, signWithSandboxKey, TEST_CERT_PEM } from './test-fixtures.ts';
import {
  API,
  asPage,
  Browser,
  CONSOLE,
  endpoint,
  formAction,
  generatePkce,
  signIn,
  SPA,
  spaCode,
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

const adele = SANDBOX_USERS.find((u) => u.userPrincipalName.startsWith('adele@'))!;
const megan = SANDBOX_USERS.find((u) => u.userPrincipalName.startsWith('megan@'))!;
const alex = SANDBOX_USERS.find((u) => u.userPrincipalName.startsWith('alex@'))!;
const PORTAL_ORIGIN = 'http://localhost:5173';

const ERRORS_PAGE = 'https://learn.microsoft.com/entra/identity-platform/reference-error-codes';
const OBO_PAGE = 'https://learn.microsoft.com/entra/identity-platform/v2-oauth2-on-behalf-of-flow';
const DEVICE_PAGE = 'https://learn.microsoft.com/entra/identity-platform/v2-oauth2-device-code';
const ROPC_PAGE = 'https://learn.microsoft.com/entra/identity-platform/v2-oauth-ropc';
const SPA_RT_PAGE = 'https://learn.microsoft.com/entra/identity-platform/refresh-tokens';
const CC_PAGE = 'https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow';
const CERT_PAGE = 'https://learn.microsoft.com/entra/identity-platform/certificate-credentials';

/** What a request produced: where the answer came, its HTTP status, `error` and AADSTS code. */
interface Observed {
  readonly status: number;
  readonly error: string;
  readonly code: number | undefined;
}

/** One row of the table. */
interface Row {
  readonly code: number;
  /** Token endpoint JSON, authorization redirect, or a sandbox page (sign-in, MFA, error page). */
  readonly answer: 'token JSON' | 'device code JSON' | 'redirect' | 'page';
  readonly status: number;
  /** The OAuth `error`; pages show only the code and message. */
  readonly error: string;
  readonly request: string;
  readonly doc: string;
  readonly produce: () => Promise<Observed>;
}

type Params = Record<string, string>;

async function json(params: Params, options: Parameters<typeof tokenRequest>[2] = {}): Promise<Observed> {
  const res = await tokenRequest(sandbox, params, options);
  const codes = res.body['error_codes'];
  return {
    status: res.status,
    error: String(res.body['error']),
    code: Array.isArray(codes) ? Number(codes[0]) : undefined,
  };
}

function codeIn(text: string | null | undefined): number | undefined {
  const match = /AADSTS(\d+)/.exec(text ?? '');
  return match?.[1] ? Number(match[1]) : undefined;
}

/** An authorization request as a browser sends it; follows nothing, reads the redirect or the page. */
async function authorize(params: Params, tenant?: string, browser?: Browser): Promise<Observed> {
  const url = `${endpoint(sandbox, '/oauth2/v2.0/authorize', tenant)}?${new URLSearchParams(params)}`;
  const res = await fetch(url, {
    redirect: 'manual',
    headers: browser ? { cookie: browser.jar.header() } : {},
  });
  const location = res.headers.get('location');
  if (location) {
    const target = new URL(location, url);
    const fields = new URLSearchParams(target.hash ? target.hash.slice(1) : target.search);
    return {
      status: res.status,
      error: fields.get('error') ?? '',
      code: codeIn(fields.get('error_description')),
    };
  }
  const html = await res.text();
  return { status: res.status, error: '(page)', code: codeIn(html) };
}

function spaAuthorize(extra: Params = {}): Params {
  const { challenge } = generatePkce();
  return {
    client_id: SPA.clientId,
    response_type: 'code',
    redirect_uri: TEST_REDIRECT_URI,
    scope: 'openid User.Read',
    state: 's',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...extra,
  };
}

function ropc(extra: Params = {}): Params {
  return {
    client_id: CONSOLE.clientId,
    grant_type: 'password',
    username: adele.userPrincipalName,
    password: adele.password,
    scope: 'User.Read',
    ...extra,
  };
}

const webSecret = { client_id: WEB.clientId, client_secret: WEB.clientSecret ?? '' };
const apiSecret = { client_id: API.clientId, client_secret: API.clientSecret ?? '' };

async function portal(method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${sandbox.origin}/portal/${path}`, {
    method,
    headers: { origin: PORTAL_ORIGIN, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

/** Runs `body` with the given portal settings, then restores what they were. */
async function withSettings<T>(patch: Record<string, unknown>, body: () => Promise<T>): Promise<T> {
  const before = (await (await portal('GET', 'settings')).json()) as Record<string, unknown>;
  expect((await portal('POST', 'settings', patch)).status).toBe(200);
  try {
    return await body();
  } finally {
    const restore = Object.fromEntries(Object.keys(patch).map((k) => [k, before[k]]));
    expect((await portal('POST', 'settings', restore)).status).toBe(200);
  }
}

async function deviceCode(): Promise<string> {
  const res = await fetch(endpoint(sandbox, '/oauth2/v2.0/devicecode'), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: CONSOLE.clientId, scope: 'User.Read' }),
  });
  expect(res.status).toBe(200);
  return String(((await res.json()) as Record<string, unknown>)['device_code']);
}

function devicePoll(code: string): Promise<Observed> {
  return json({
    client_id: CONSOLE.clientId,
    grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
    device_code: code,
  });
}

/** A user access token for the Flow Lab API (the OBO middle tier), from an interactive sign-in. */
async function apiToken(username = adele.userPrincipalName, password = adele.password): Promise<string> {
  const pkce = generatePkce();
  const browser = new Browser(sandbox);
  const url = await signIn(sandbox, browser, {
    scope: `api://${API_APP_ID}/access_as_user`,
    pkce,
    username,
    password,
  });
  expect(url.searchParams.get('code')).toBeTruthy();
  const res = await tokenRequest(
    sandbox,
    {
      client_id: SPA.clientId,
      grant_type: 'authorization_code',
      code: url.searchParams.get('code') ?? '',
      code_verifier: pkce.verifier,
      redirect_uri: TEST_REDIRECT_URI,
    },
    { origin: TEST_ORIGIN },
  );
  expect(res.status).toBe(200);
  return String(res.body['access_token']);
}

function obo(assertion: string, extra: Params = {}): Promise<Observed> {
  return json({
    ...apiSecret,
    grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
    requested_token_use: 'on_behalf_of',
    assertion,
    scope: `${GRAPH_RESOURCE.identifier}/User.Read`,
    ...extra,
  });
}

async function spaRefreshToken(): Promise<string> {
  const { code, verifier } = await spaCode(sandbox);
  const res = await tokenRequest(
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
  expect(res.status).toBe(200);
  return String(res.body['refresh_token']);
}

function redeemSpa(code: string, verifier: string, origin: string | null = TEST_ORIGIN): Promise<Observed> {
  return json(
    {
      client_id: SPA.clientId,
      grant_type: 'authorization_code',
      code,
      code_verifier: verifier,
      redirect_uri: TEST_REDIRECT_URI,
    },
    origin ? { origin } : {},
  );
}

/** A page's hidden form fields plus `fields` (the device code page posts a hidden xsrf field). */
function withHidden(page: { readonly html: string }, fields: Params): Params {
  const hidden: Params = {};
  for (const m of page.html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    hidden[m[1] ?? ''] = (m[2] ?? '').replaceAll('&amp;', '&');
  }
  return { ...hidden, ...fields };
}

/** Registers the test certificate on the Web app (idempotent: a second upload is refused, harmlessly). */
async function uploadTestCertificate(): Promise<void> {
  const res = await portal('POST', `apps/${WEB.clientId}/certificates`, { pem: TEST_CERT_PEM });
  expect([201, 409, 400]).toContain(res.status);
}

function assertionGrant(assertion: string): Params {
  return {
    client_id: WEB.clientId,
    grant_type: 'client_credentials',
    scope: 'https://graph.microsoft.com/.default',
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    client_assertion: assertion,
  };
}

const ROWS: readonly Row[] = [
  {
    code: 50011,
    answer: 'page',
    status: 400,
    error: '(page)',
    request: 'GET /authorize with a redirect_uri the SPA does not have registered',
    doc: ERRORS_PAGE,
    produce: () => authorize(spaAuthorize({ redirect_uri: 'https://evil.example/cb' })),
  },
  {
    code: 900971,
    answer: 'page',
    status: 400,
    error: '(page)',
    request: 'GET /authorize without redirect_uri for an app with two registered (the console)',
    doc: ERRORS_PAGE,
    produce: () => authorize({ client_id: CONSOLE.clientId, response_type: 'code', scope: 'openid' }),
  },
  {
    code: 500113,
    answer: 'page',
    status: 400,
    error: '(page)',
    request: 'GET /authorize for an app with no redirect URI (the Flow Lab API)',
    doc: ERRORS_PAGE,
    produce: () => authorize({ client_id: API.clientId, response_type: 'code', scope: 'openid' }),
  },
  {
    code: 700016,
    answer: 'token JSON',
    status: 400,
    error: 'unauthorized_client',
    request: 'POST /token with a client_id the tenant does not have',
    doc: ERRORS_PAGE,
    produce: () => json({ ...ropc(), client_id: '00000000-0000-0000-0000-000000000001' }),
  },
  {
    code: 90002,
    answer: 'token JSON',
    status: 400,
    error: 'invalid_request',
    request: 'POST /{tenant}/oauth2/v2.0/token with an unknown tenant',
    doc: ERRORS_PAGE,
    produce: () => json(ropc(), { tenant: 'no-such-tenant.example' }),
  },
  {
    code: 900144,
    answer: 'token JSON',
    status: 400,
    error: 'invalid_request',
    request: 'POST /token without grant_type',
    doc: ERRORS_PAGE,
    produce: () => json({ client_id: CONSOLE.clientId }),
  },
  {
    code: 900561,
    answer: 'token JSON',
    status: 400,
    error: 'invalid_request',
    request: 'GET /token (the endpoint takes POST only)',
    doc: ERRORS_PAGE,
    produce: async () => {
      const res = await fetch(`${endpoint(sandbox, '/oauth2/v2.0/token')}?grant_type=password`);
      const body = (await res.json()) as Record<string, unknown>;
      return { status: res.status, error: String(body['error']), code: (body['error_codes'] as number[])[0] };
    },
  },
  {
    code: 70003,
    answer: 'token JSON',
    status: 400,
    error: 'unsupported_grant_type',
    request: 'POST /token with grant_type=foo',
    doc: ERRORS_PAGE,
    produce: () => json({ client_id: CONSOLE.clientId, grant_type: 'foo' }),
  },
  {
    code: 901002,
    answer: 'token JSON',
    status: 400,
    error: 'invalid_request',
    request: 'POST /token with the v1 `resource` parameter',
    doc: ERRORS_PAGE,
    produce: () => json(ropc({ resource: GRAPH_RESOURCE.identifier })),
  },
  {
    code: 9001023,
    answer: 'token JSON',
    status: 400,
    error: 'invalid_request',
    request: 'POST /common/oauth2/v2.0/token with grant_type=password',
    doc: ROPC_PAGE,
    produce: () => json(ropc(), { tenant: 'common' }),
  },
  {
    code: 50034,
    answer: 'token JSON',
    status: 400,
    error: 'invalid_grant',
    request: 'password grant for a user the directory does not have',
    doc: ERRORS_PAGE,
    produce: () => json(ropc({ username: 'nobody@flowlab-sandbox.onmicrosoft.com' })),
  },
  {
    code: 50126,
    answer: 'token JSON',
    status: 400,
    error: 'invalid_grant',
    request: 'password grant with a wrong password',
    doc: ERRORS_PAGE,
    produce: () => json(ropc({ password: 'not-the-password' })),
  },
  {
    code: 50076,
    answer: 'token JSON',
    status: 400,
    error: 'invalid_grant',
    request: 'password grant for a user who must do MFA (Megan)',
    doc: ERRORS_PAGE,
    produce: () => json(ropc({ username: megan.userPrincipalName, password: megan.password })),
  },
  {
    code: 65001,
    answer: 'token JSON',
    status: 400,
    error: 'invalid_grant',
    request: 'password grant for a user with no consent recorded for the app',
    doc: ROPC_PAGE,
    produce: () => json(ropc()),
  },
  {
    code: 650057,
    answer: 'token JSON',
    status: 400,
    error: 'invalid_client',
    request: 'password grant asking the console for Mail.Read, not among its API permissions',
    doc: ERRORS_PAGE,
    produce: () => json(ropc({ scope: 'Mail.Read' })),
  },
  {
    code: 70011,
    answer: 'token JSON',
    status: 400,
    error: 'invalid_scope',
    request: 'password grant with scope User.Nonexistent (Graph exposes no such permission)',
    doc: ERRORS_PAGE,
    produce: () => json(ropc({ scope: 'User.Nonexistent' })),
  },
  {
    code: 700022,
    answer: 'token JSON',
    status: 400,
    error: 'invalid_scope',
    request: 'code redemption whose scope names two resources (Graph and the Flow Lab API)',
    doc: ERRORS_PAGE,
    produce: async () => {
      const both = `User.Read api://${API_APP_ID}/access_as_user`;
      const { code, verifier } = await spaCode(sandbox, `openid ${both}`);
      return json(
        {
          client_id: SPA.clientId,
          grant_type: 'authorization_code',
          code,
          code_verifier: verifier,
          redirect_uri: TEST_REDIRECT_URI,
          scope: both,
        },
        { origin: TEST_ORIGIN },
      );
    },
  },
  {
    code: 500011,
    answer: 'token JSON',
    status: 400,
    error: 'invalid_resource',
    request: 'password grant for api://not-in-the-tenant/x',
    doc: ERRORS_PAGE,
    produce: () => json(ropc({ scope: 'api://not-in-the-tenant/x' })),
  },
  {
    code: 9002326,
    answer: 'token JSON',
    status: 400,
    error: 'invalid_request',
    request: 'password grant sent with an Origin header (a browser)',
    doc: ERRORS_PAGE,
    produce: () => json(ropc(), { origin: TEST_ORIGIN }),
  },
  {
    code: 7000218,
    answer: 'token JSON',
    status: 401,
    error: 'invalid_client',
    request: 'client credentials for the web app without a secret',
    doc: ERRORS_PAGE,
    produce: () =>
      json({
        client_id: WEB.clientId,
        grant_type: 'client_credentials',
        scope: 'https://graph.microsoft.com/.default',
      }),
  },
  {
    code: 7000215,
    answer: 'token JSON',
    status: 401,
    error: 'invalid_client',
    request: 'client credentials with a wrong client_secret',
    doc: ERRORS_PAGE,
    produce: () =>
      json({
        ...webSecret,
        client_secret: 'wrong',
        grant_type: 'client_credentials',
        scope: 'https://graph.microsoft.com/.default',
      }),
  },
  {
    code: 7000222,
    answer: 'token JSON',
    status: 401,
    error: 'invalid_client',
    request: 'client credentials with a secret past its end date (a one-day secret, the clock two days on)',
    doc: ERRORS_PAGE,
    produce: async () => {
      const created = await portal('POST', `apps/${WEB.clientId}/secrets`, { expiresInDays: 1 });
      expect(created.status).toBe(201);
      const secret = String(((await created.json()) as Record<string, unknown>)['value']);
      vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 2 * 86_400_000 });
      try {
        return await json({
          client_id: WEB.clientId,
          client_secret: secret,
          grant_type: 'client_credentials',
          scope: 'https://graph.microsoft.com/.default',
        });
      } finally {
        vi.useRealTimers();
      }
    },
  },
  {
    code: 700025,
    answer: 'token JSON',
    status: 401,
    error: 'invalid_client',
    request: 'password grant by the public console with a client_secret',
    doc: ERRORS_PAGE,
    produce: () => json(ropc({ client_secret: 'anything' })),
  },
  {
    code: 1002012,
    answer: 'token JSON',
    status: 400,
    error: 'invalid_scope',
    request: 'client credentials with scope User.Read (no /.default)',
    doc: CC_PAGE,
    produce: () => json({ ...webSecret, grant_type: 'client_credentials', scope: 'User.Read' }),
  },
  {
    code: 50059,
    answer: 'token JSON',
    status: 400,
    error: 'invalid_request',
    request: 'client credentials on /common',
    doc: CC_PAGE,
    produce: () =>
      json(
        { ...webSecret, grant_type: 'client_credentials', scope: 'https://graph.microsoft.com/.default' },
        { tenant: 'common' },
      ),
  },
  {
    code: 700027,
    answer: 'token JSON',
    status: 401,
    error: 'invalid_client',
    request: 'client credentials with a client assertion signed by a certificate the app does not have',
    doc: CERT_PAGE,
    produce: async () =>
      json({
        client_id: WEB.clientId,
        grant_type: 'client_credentials',
        scope: 'https://graph.microsoft.com/.default',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: await buildClientAssertion(sandbox, WEB.clientId),
      }),
  },
  {
    code: 700021,
    answer: 'token JSON',
    status: 401,
    error: 'invalid_client',
    request:
      "client credentials with a client assertion (registered certificate) whose iss is another app's id",
    doc: CERT_PAGE,
    produce: async () => {
      await uploadTestCertificate();
      return json(
        assertionGrant(await buildClientAssertion(sandbox, WEB.clientId, { claims: { iss: SPA.clientId } })),
      );
    },
  },
  {
    code: 700024,
    answer: 'token JSON',
    status: 401,
    error: 'invalid_client',
    request: 'client credentials with a client assertion (registered certificate) that expired an hour ago',
    doc: CERT_PAGE,
    produce: async () => {
      await uploadTestCertificate();
      const now = Math.floor(Date.now() / 1000);
      return json(
        assertionGrant(
          await buildClientAssertion(sandbox, WEB.clientId, { claims: { nbf: now - 7200, exp: now - 3600 } }),
        ),
      );
    },
  },
  {
    code: 70000,
    answer: 'token JSON',
    status: 400,
    error: 'invalid_grant',
    request: 'authorization_code grant with a code the sandbox never issued',
    doc: ERRORS_PAGE,
    produce: () => redeemSpa('not-a-code', generatePkce().verifier),
  },
  {
    code: 501481,
    answer: 'token JSON',
    status: 400,
    error: 'invalid_grant',
    request: 'code redemption with a code_verifier that does not match the challenge',
    doc: ERRORS_PAGE,
    produce: async () => redeemSpa((await spaCode(sandbox)).code, generatePkce().verifier),
  },
  {
    code: 54005,
    answer: 'token JSON',
    status: 400,
    error: 'invalid_grant',
    request: 'the same code redeemed twice',
    doc: ERRORS_PAGE,
    produce: async () => {
      const { code, verifier } = await spaCode(sandbox);
      expect((await redeemSpa(code, verifier)).status).toBe(200);
      return redeemSpa(code, verifier);
    },
  },
  {
    code: 500112,
    answer: 'token JSON',
    status: 400,
    error: 'invalid_grant',
    request: 'code redemption with a redirect_uri other than the one the code was sent to',
    doc: ERRORS_PAGE,
    produce: async () => {
      const { code, verifier } = await spaCode(sandbox);
      return json(
        {
          client_id: SPA.clientId,
          grant_type: 'authorization_code',
          code,
          code_verifier: verifier,
          redirect_uri: 'http://localhost:47173/other',
        },
        { origin: TEST_ORIGIN },
      );
    },
  },
  {
    code: 9002327,
    answer: 'token JSON',
    status: 400,
    error: 'invalid_request',
    request: "an SPA's code redeemed without an Origin header (a server)",
    doc: ERRORS_PAGE,
    produce: async () => {
      const { code, verifier } = await spaCode(sandbox);
      return redeemSpa(code, verifier, null);
    },
  },
  {
    code: 70008,
    answer: 'token JSON',
    status: 400,
    error: 'invalid_grant',
    request:
      'the Web app’s refresh token, refreshed 60 days after the sign-in, redeemed again at day 91: its grant (90 days from the sign-in) has run out',
    doc: ERRORS_PAGE,
    produce: async () => {
      const url = await signIn(sandbox, new Browser(sandbox), {
        clientId: WEB.clientId,
        scope: 'openid offline_access User.Read',
      });
      const first = await tokenRequest(sandbox, {
        ...webSecret,
        grant_type: 'authorization_code',
        code: url.searchParams.get('code') ?? '',
        redirect_uri: TEST_REDIRECT_URI,
      });
      expect(first.status).toBe(200);
      const start = Date.now();
      vi.useFakeTimers({ toFake: ['Date'], now: start + 60 * 86_400_000 });
      try {
        const second = await tokenRequest(sandbox, {
          ...webSecret,
          grant_type: 'refresh_token',
          refresh_token: String(first.body['refresh_token']),
        });
        expect(second.status).toBe(200);
        vi.setSystemTime(start + 91 * 86_400_000);
        return await json({
          ...webSecret,
          grant_type: 'refresh_token',
          refresh_token: String(second.body['refresh_token']),
        });
      } finally {
        vi.useRealTimers();
      }
    },
  },
  {
    code: 50173,
    answer: 'token JSON',
    status: 400,
    error: 'invalid_grant',
    request:
      'a refresh token redeemed a second time with "Rotate refresh tokens" on (portal): the grant is revoked',
    doc: ERRORS_PAGE,
    produce: () =>
      withSettings({ rotateRefreshTokens: true }, async () => {
        const refreshToken = await spaRefreshToken();
        const redeem = (): Promise<Observed> =>
          json(
            { client_id: SPA.clientId, grant_type: 'refresh_token', refresh_token: refreshToken },
            { origin: TEST_ORIGIN },
          );
        expect((await redeem()).status).toBe(200);
        return redeem();
      }),
  },
  {
    code: 9002313,
    answer: 'token JSON',
    status: 400,
    error: 'invalid_grant',
    request: 'refresh_token grant with a refresh token the sandbox never issued',
    doc: ERRORS_PAGE,
    produce: () =>
      json({ client_id: CONSOLE.clientId, grant_type: 'refresh_token', refresh_token: 'not-a-token' }),
  },
  {
    code: 700084,
    answer: 'token JSON',
    status: 400,
    error: 'invalid_grant',
    request: "an SPA's refresh token redeemed after its fixed lifetime (portal: 1 second)",
    doc: SPA_RT_PAGE,
    produce: () =>
      withSettings({ spaRefreshTokenLifetimeSeconds: 1 }, async () => {
        const refreshToken = await spaRefreshToken();
        await new Promise((resolve) => setTimeout(resolve, 1100));
        return json(
          { client_id: SPA.clientId, grant_type: 'refresh_token', refresh_token: refreshToken },
          { origin: TEST_ORIGIN },
        );
      }),
  },
  {
    code: 70016,
    answer: 'token JSON',
    status: 400,
    error: 'authorization_pending',
    request: 'device code polled before the user signed in',
    doc: DEVICE_PAGE,
    produce: async () => devicePoll(await deviceCode()),
  },
  {
    code: 70018,
    answer: 'token JSON',
    status: 400,
    error: 'bad_verification_code',
    request: 'device code grant with a device_code the sandbox never issued',
    doc: DEVICE_PAGE,
    produce: () => devicePoll('not-a-device-code'),
  },
  {
    code: 70019,
    answer: 'token JSON',
    status: 400,
    error: 'expired_token',
    request: 'device code polled after it expired (portal: 1-second device codes)',
    doc: DEVICE_PAGE,
    produce: () =>
      withSettings({ deviceCodeLifetimeSeconds: 1 }, async () => {
        const code = await deviceCode();
        await new Promise((resolve) => setTimeout(resolve, 1100));
        return devicePoll(code);
      }),
  },
  {
    code: 65004,
    answer: 'token JSON',
    status: 400,
    error: 'authorization_declined',
    request: 'device code polled after the user pressed Cancel on the consent page',
    doc: DEVICE_PAGE,
    produce: async () => {
      const res = await fetch(endpoint(sandbox, '/oauth2/v2.0/devicecode'), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ client_id: CONSOLE.clientId, scope: 'User.Read' }),
      });
      const body = (await res.json()) as Record<string, unknown>;
      const browser = new Browser(sandbox);
      const codePage = asPage(await browser.go(`${sandbox.origin}/devicelogin`));
      const login = asPage(
        await browser.go(
          formAction(codePage),
          withHidden(codePage, { user_code: String(body['user_code']) }),
        ),
      );
      const consentPage = asPage(
        await browser.go(formAction(login), { username: adele.userPrincipalName, password: adele.password }),
      );
      await browser.go(formAction(consentPage), { action: 'cancel' });
      return devicePoll(String(body['device_code']));
    },
  },
  {
    code: 900561,
    answer: 'device code JSON',
    status: 400,
    error: 'invalid_request',
    request: 'GET /devicecode (the endpoint takes POST only)',
    doc: ERRORS_PAGE,
    produce: async () => {
      const res = await fetch(endpoint(sandbox, '/oauth2/v2.0/devicecode'));
      const body = (await res.json()) as Record<string, unknown>;
      return { status: res.status, error: String(body['error']), code: (body['error_codes'] as number[])[0] };
    },
  },
  {
    code: 50013,
    answer: 'token JSON',
    status: 400,
    error: 'invalid_grant',
    request: 'on-behalf-of with an assertion whose signature does not verify',
    doc: OBO_PAGE,
    produce: async () => {
      const token = await apiToken();
      const [h, p] = token.split('.');
      return obo(`${h}.${p}.AAAA`);
    },
  },
  {
    code: 500133,
    answer: 'token JSON',
    status: 400,
    error: 'invalid_grant',
    request: 'on-behalf-of with an assertion that expired an hour ago',
    doc: OBO_PAGE,
    produce: async () => {
      const now = Math.floor(Date.now() / 1000);
      const assertion = await signWithSandboxKey(sandbox, {
        aud: API.clientId,
        iss: `${sandbox.origin}/${SANDBOX_TENANT.id}/v2.0`,
        iat: now - 7200,
        nbf: now - 7200,
        exp: now - 3600,
        oid: adele.oid,
        scp: 'access_as_user',
        tid: SANDBOX_TENANT.id,
      });
      return obo(assertion);
    },
  },
  {
    code: 50076,
    answer: 'token JSON',
    status: 400,
    error: 'interaction_required',
    request:
      'on-behalf-of for Graph (portal: Graph requires MFA) with the token of a password-only sign-in by a user with an MFA method (Alex)',
    doc: OBO_PAGE,
    produce: async () => {
      const token = await apiToken(alex.userPrincipalName, alex.password);
      return withSettings({ mfaRequiredApis: [GRAPH_RESOURCE.identifier] }, () => obo(token));
    },
  },
  {
    code: 50079,
    answer: 'token JSON',
    status: 400,
    error: 'interaction_required',
    request:
      'on-behalf-of for Graph (portal: Graph requires MFA) with the token of a user with no MFA method (Adele)',
    doc: OBO_PAGE,
    produce: async () => {
      const token = await apiToken();
      return withSettings({ mfaRequiredApis: [GRAPH_RESOURCE.identifier] }, () => obo(token));
    },
  },
  {
    code: 50079,
    answer: 'page',
    status: 200,
    error: '(page)',
    request: 'sign-in with a claims challenge (access_token.polids) by a user with no MFA method (Adele)',
    doc: ERRORS_PAGE,
    produce: async () => {
      const browser = new Browser(sandbox);
      const claims = JSON.stringify({ access_token: { polids: { essential: true, values: ['x'] } } });
      const first = asPage(
        await browser.go(
          `${endpoint(sandbox, '/oauth2/v2.0/authorize')}?${new URLSearchParams(spaAuthorize({ claims }))}`,
        ),
      );
      const page = asPage(
        await browser.go(formAction(first), { username: adele.userPrincipalName, password: adele.password }),
      );
      return { status: page.status, error: '(page)', code: codeIn(page.html) };
    },
  },
  {
    code: 50074,
    answer: 'page',
    status: 200,
    error: '(page)',
    request: 'a wrong verification code on the MFA page (Megan)',
    doc: ERRORS_PAGE,
    produce: async () => {
      const browser = new Browser(sandbox);
      const first = asPage(
        await browser.go(
          `${endpoint(sandbox, '/oauth2/v2.0/authorize')}?${new URLSearchParams(spaAuthorize())}`,
        ),
      );
      const mfa = asPage(
        await browser.go(formAction(first), { username: megan.userPrincipalName, password: megan.password }),
      );
      const page = asPage(await browser.go(formAction(mfa), { otc: '000000' }));
      return { status: page.status, error: '(page)', code: codeIn(page.html) };
    },
  },
  {
    code: 50058,
    answer: 'redirect',
    status: 303,
    error: 'login_required',
    request: 'GET /authorize with prompt=none and no signed-in session',
    doc: ERRORS_PAGE,
    produce: () => authorize(spaAuthorize({ prompt: 'none' })),
  },
  {
    code: 65004,
    answer: 'redirect',
    status: 303,
    error: 'access_denied',
    request: 'Cancel on the consent page',
    doc: ERRORS_PAGE,
    produce: async () => {
      const url = await signIn(sandbox, new Browser(sandbox), {
        scope: 'openid User.Read',
        pkce: generatePkce(),
        consent: 'cancel',
      });
      return {
        status: 303,
        error: url.searchParams.get('error') ?? '',
        code: codeIn(url.searchParams.get('error_description')),
      };
    },
  },
  {
    code: 9002325,
    answer: 'redirect',
    status: 302,
    error: 'invalid_request',
    request: 'GET /authorize for the SPA without code_challenge',
    doc: ERRORS_PAGE,
    produce: () => {
      const params = spaAuthorize();
      delete params['code_challenge'];
      delete params['code_challenge_method'];
      return authorize(params);
    },
  },
  {
    code: 501491,
    answer: 'redirect',
    status: 302,
    error: 'invalid_request',
    request: 'GET /authorize with a code_challenge of 10 characters',
    doc: ERRORS_PAGE,
    produce: () => authorize(spaAuthorize({ code_challenge: 'tooshort12' })),
  },
  {
    code: 700051,
    answer: 'redirect',
    status: 302,
    error: 'unsupported_response_type',
    request: 'GET /authorize with response_type=token for the SPA (implicit access tokens off)',
    doc: ERRORS_PAGE,
    produce: () => authorize(spaAuthorize({ response_type: 'token', nonce: 'n' })),
  },
  {
    code: 700054,
    answer: 'redirect',
    status: 302,
    error: 'unsupported_response_type',
    request: 'GET /authorize with response_type=id_token for the SPA (implicit ID tokens off)',
    doc: ERRORS_PAGE,
    produce: () => authorize(spaAuthorize({ response_type: 'id_token', nonce: 'n' })),
  },
  {
    code: 900142,
    answer: 'redirect',
    status: 302,
    error: 'invalid_request',
    request: 'GET /authorize with response_type=id_token and response_mode=query (the Web app)',
    doc: ERRORS_PAGE,
    produce: () =>
      authorize({
        client_id: WEB.clientId,
        response_type: 'id_token',
        response_mode: 'query',
        redirect_uri: TEST_REDIRECT_URI,
        scope: 'openid',
        nonce: 'n',
      }),
  },
  {
    code: 90014,
    answer: 'redirect',
    status: 302,
    error: 'invalid_request',
    request: 'GET /authorize with response_type=id_token and no nonce (the Web app)',
    doc: ERRORS_PAGE,
    produce: () =>
      authorize({
        client_id: WEB.clientId,
        response_type: 'id_token',
        redirect_uri: TEST_REDIRECT_URI,
        scope: 'openid',
      }),
  },
  {
    code: 50194,
    answer: 'redirect',
    status: 302,
    error: 'invalid_request',
    request: 'GET /common/oauth2/v2.0/authorize for the single-tenant SPA',
    doc: ERRORS_PAGE,
    produce: () => authorize(spaAuthorize(), 'common'),
  },
  {
    code: 9002331,
    answer: 'redirect',
    status: 302,
    error: 'invalid_request',
    request: 'GET /authorize on the tenant for an app set to personal Microsoft accounts only (portal)',
    doc: ERRORS_PAGE,
    produce: async () => {
      const patch = (signInAudience: string): Promise<Response> =>
        fetch(`${sandbox.origin}/portal/apps/${CONSOLE.clientId}`, {
          method: 'PATCH',
          headers: { origin: PORTAL_ORIGIN, 'content-type': 'application/json' },
          body: JSON.stringify({ signInAudience }),
        });
      const before = (await (await portal('GET', `apps/${CONSOLE.clientId}`)).json()) as Record<
        string,
        unknown
      >;
      expect((await patch('PersonalMicrosoftAccount')).status).toBe(200);
      try {
        return await authorize({
          client_id: CONSOLE.clientId,
          response_type: 'code',
          redirect_uri: TEST_REDIRECT_URI,
          scope: 'openid User.Read',
        });
      } finally {
        expect((await patch(String(before['signInAudience']))).status).toBe(200);
      }
    },
  },
  {
    code: 50020,
    answer: 'page',
    status: 200,
    error: '(page)',
    request: 'sign-in begun on /consumers (the console allows personal accounts) with a sandbox work account',
    doc: ERRORS_PAGE,
    produce: async () => {
      const browser = new Browser(sandbox);
      const query = new URLSearchParams({
        client_id: CONSOLE.clientId,
        response_type: 'code',
        redirect_uri: TEST_REDIRECT_URI,
        scope: 'openid User.Read',
      });
      const first = asPage(
        await browser.go(`${endpoint(sandbox, '/oauth2/v2.0/authorize', 'consumers')}?${query}`),
      );
      const res = await fetch(formAction(first), {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie: browser.jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ username: adele.userPrincipalName, password: adele.password }),
      });
      return { status: res.status, error: '(page)', code: codeIn(await res.text()) };
    },
  },
  {
    code: 90094,
    answer: 'page',
    status: 200,
    error: '(page)',
    request: 'sign-in asking for Directory.ReadWrite.All (admin-only) by a user who is not an administrator',
    doc: ERRORS_PAGE,
    produce: async () => {
      const browser = new Browser(sandbox);
      const first = asPage(
        await browser.go(
          `${endpoint(sandbox, '/oauth2/v2.0/authorize')}?${new URLSearchParams(
            spaAuthorize({ scope: 'openid Directory.ReadWrite.All' }),
          )}`,
        ),
      );
      const page = asPage(
        await browser.go(formAction(first), { username: adele.userPrincipalName, password: adele.password }),
      );
      return { status: page.status, error: '(page)', code: codeIn(page.html) };
    },
  },
  {
    // Last: it locks Megan for a second (and waits that second out).
    code: 50053,
    answer: 'token JSON',
    status: 400,
    error: 'invalid_grant',
    request: 'password grant with the right password just after a wrong one (portal: lockout threshold 1)',
    doc: ERRORS_PAGE,
    produce: async () => {
      const observed = await withSettings({ lockoutThreshold: 1, lockoutDurationSeconds: 1 }, async () => {
        const megansPassword = { username: megan.userPrincipalName, password: megan.password };
        // Threshold 1: the wrong password itself locks the account and is answered 50053 already.
        expect((await json(ropc({ ...megansPassword, password: 'wrong-once' }))).code).toBe(50053);
        return json(ropc(megansPassword));
      });
      await new Promise((resolve) => setTimeout(resolve, 1100));
      return observed;
    },
  },
];

/** The HTTP status of a sandbox redirect depends on oidc-provider (303) or the gate (302); both redirect. */
function sameStatus(row: Row, observed: Observed): boolean {
  if (row.answer === 'redirect') return observed.status >= 300 && observed.status < 400;
  return observed.status === row.status;
}

describe('AADSTS table: every code the sandbox produces, from a real request', () => {
  test.each(ROWS.map((row) => [`AADSTS${row.code} ${row.error}: ${row.request}`, row] as const))(
    '%s',
    async (_name, row) => {
      const observed = await row.produce();
      expect(observed.code).toBe(row.code);
      expect(observed.error).toBe(row.error);
      expect(sameStatus(row, observed), `status ${observed.status}`).toBe(true);
    },
    20_000,
  );

  test('AADSTS90100 (server_error) is the answer to an internal failure only: no request produces it', () => {
    const mapped = mapProviderError(new Error('boom'));
    expect(mapped).toMatchObject({ status: 500, error: 'server_error', code: 90100 });
  });

  test('every AADSTS code in the sandbox sources has a row (or is the internal-failure 90100)', async () => {
    const dir = join(import.meta.dirname);
    const files = (await readdir(dir)).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
    const sources = await Promise.all(
      files.map(async (f) => [f, await readFile(join(dir, f), 'utf8')] as const),
    );
    const used = new Set<string>();
    for (const [, text] of sources) for (const m of text.matchAll(/aadsts\.(\w+)\(/g)) used.add(m[1] ?? '');
    const errors = sources.find(([f]) => f === 'entra-errors.ts')?.[1] ?? '';
    const codes = new Set<number>();
    // Each constructor of `aadsts` and the codes it may carry (`e(status, 'error', code, …)`, a ternary).
    const block = errors.slice(errors.indexOf('export const aadsts'), errors.indexOf('} as const;'));
    for (const part of block.split(/\n {2}(?=\w+: \()/)) {
      const name = /^(\w+): \(/.exec(part.trimStart())?.[1];
      if (!name || !used.has(name)) continue;
      for (const m of part.matchAll(/\n\s+(?:[^\n]*\? )?(\d{4,8})(?: : (\d{4,8}))?,\n/g)) {
        codes.add(Number(m[1]));
        if (m[2]) codes.add(Number(m[2]));
      }
    }
    for (const [, text] of sources)
      for (const m of text.matchAll(/\bcode: (\d{4,8}),/g)) codes.add(Number(m[1]));
    expect(codes.size).toBeGreaterThan(40);
    const tabled = new Set([...ROWS.map((r) => r.code), 90100]);
    expect([...codes].filter((c) => !tabled.has(c)).sort()).toEqual([]);
  });

  test('docs/aadsts-sandbox.md is this table', async () => {
    const file = join(import.meta.dirname, '..', '..', 'docs', 'aadsts-sandbox.md');
    const markdown = renderTable();
    if (process.env['UPDATE_AADSTS_TABLE'] === '1') await writeFile(file, markdown);
    expect(await readFile(file, 'utf8')).toBe(markdown);
  });
});

function renderTable(): string {
  const cell = (text: string): string => text.replace(/\|/g, '\\|');
  const rows = [...ROWS]
    .sort((a, b) => a.code - b.code)
    .map(
      (r) =>
        `| ${r.code} | ${r.answer} | ${r.answer === 'redirect' ? '302/303' : r.status} | ${r.error === '(page)' ? '— (on the page)' : `\`${r.error}\``} | ${cell(r.request)} | [${r.doc.replace('https://learn.microsoft.com/entra/identity-platform/', '')}](${r.doc}) |`,
    );
  return `# AADSTS codes the sandbox produces

Generated and checked by \`server/sandbox/aadsts-table.test.ts\`: each row is a request the test sends to a
running sandbox, asserting the HTTP status, the \`error\` and the AADSTS code. A code in the sandbox's
sources without a row fails the test. Rewrite this file with \`UPDATE_AADSTS_TABLE=1 npx vitest run
server/sandbox/aadsts-table.test.ts\`.

Entra's own, current text for a code: \`https://login.microsoftonline.com/error?code=<code>\`.

| AADSTS | answer | HTTP | \`error\` | request | defined in |
|---|---|---|---|---|---|
${rows.join('\n')}

Not produced by any request: AADSTS90100 (\`server_error\`, HTTP 500), the sandbox's answer to an internal
failure. RFC 8628 \`slow_down\` (a device code polled too soon) carries no AADSTS code: Entra documents none
for it ([v2-oauth2-device-code](${DEVICE_PAGE})).
`;
}
