/**
 * Issue 17: what MSAL puts on the wire, accepted as Entra accepts it — checked for every kind of value,
 * not only the ones MSAL 7.2.3 happens to send: its telemetry fields (body, query or header) never make a
 * request fail, `grant_type=device_code` is the RFC 8628 grant, `client_info=1` is answered on every token
 * response that carries an ID token, and its `client-request-id` is the error's correlation id.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SANDBOX_TENANT } from '../sandbox/seed.ts';
import {
  Browser,
  CONSOLE,
  endpoint,
  generatePkce,
  signIn,
  startTestSandbox,
  TEST_REDIRECT_URI,
  WEB,
} from '../sandbox/test-support.ts';
import { MFA_USER, ORDINARY_USER, startHttpsTestSandbox, type HttpsTestSandbox } from './support.ts';

let sandbox: HttpsTestSandbox;
beforeAll(async () => {
  sandbox = await startHttpsTestSandbox();
});
afterAll(async () => {
  await sandbox.stop();
});

/** Every telemetry and app-identity field MSAL (Node and browser) sends beside a token request. */
const TELEMETRY_FIELDS = [
  'x-client-SKU',
  'x-client-VER',
  'x-client-OS',
  'x-client-CPU',
  'x-app-name',
  'x-app-ver',
  'x-ms-lib-capability',
  'x-client-current-telemetry',
  'x-client-last-telemetry',
  'return-client-request-id',
  'client-request-id',
] as const;

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Record<string, unknown>;
}

async function post(
  params: Record<string, string>,
  options: { query?: Record<string, string>; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const query = options.query ? `?${new URLSearchParams(options.query)}` : '';
  const res = await fetch(`${endpoint(sandbox, '/oauth2/v2.0/token')}${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...options.headers },
    body: new URLSearchParams(params),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

const clientCredentials = {
  client_id: WEB.clientId,
  client_secret: WEB.clientSecret ?? '',
  grant_type: 'client_credentials',
  scope: 'https://graph.microsoft.com/.default',
};

/** Header-safe printable values (what an HTTP header may carry), possibly empty. */
const fieldValue = fc.stringMatching(/^[\x21-\x7e]{0,40}$/);
const telemetry = fc.dictionary(fc.constantFrom(...TELEMETRY_FIELDS), fieldValue, { maxKeys: 6 });

describe('MSAL telemetry fields are ignored, wherever they come', () => {
  test('property: any of them, any value, in the body, the query or as headers: the token is issued', async () => {
    await fc.assert(
      fc.asyncProperty(telemetry, telemetry, telemetry, async (inBody, inQuery, inHeaders) => {
        const answer = await post(
          { ...inBody, ...clientCredentials },
          { query: inQuery, headers: inHeaders },
        );
        expect(answer.body['error'], JSON.stringify(answer.body)).toBeUndefined();
        expect(answer.status).toBe(200);
        expect(answer.body['token_type']).toBe('Bearer');
      }),
      { numRuns: 25 },
    );
  });
});

describe("client-request-id, Entra's correlation id", () => {
  test('property: a GUID in the query (as MSAL sends it) or the header is the error body correlation_id', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uuid(), fc.boolean(), fc.boolean(), async (id, inQuery, echo) => {
        const answer = await post(
          { ...clientCredentials, client_secret: 'wrong secret' },
          {
            ...(inQuery ? { query: { 'client-request-id': id } } : { headers: { 'client-request-id': id } }),
            ...(echo
              ? {
                  headers: {
                    'return-client-request-id': 'true',
                    ...(inQuery ? {} : { 'client-request-id': id }),
                  },
                }
              : {}),
          },
        );
        expect(answer.status).toBe(401);
        expect(answer.body['error_codes']).toEqual([7000215]);
        expect(answer.body['correlation_id']).toBe(id);
        expect(String(answer.body['error_description'])).toContain(`Correlation ID: ${id}`);
        expect(answer.headers.get('client-request-id')).toBe(echo ? id : null);
      }),
      { numRuns: 20 },
    );
  });

  test('a value that is not a GUID is not taken as the correlation id, nor echoed', async () => {
    const answer = await post(
      { ...clientCredentials, client_secret: 'wrong secret' },
      { query: { 'client-request-id': 'not-a-guid' }, headers: { 'return-client-request-id': 'true' } },
    );
    expect(answer.body['correlation_id']).not.toBe('not-a-guid');
    expect(answer.body['correlation_id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(answer.headers.get('client-request-id')).toBeNull();
  });
});

describe('grant_type=device_code (MSAL) is the RFC 8628 device code grant', () => {
  async function deviceCode(): Promise<string> {
    const res = await fetch(endpoint(sandbox, '/oauth2/v2.0/devicecode'), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: CONSOLE.clientId, scope: 'User.Read offline_access' }),
    });
    return String(((await res.json()) as Record<string, unknown>)['device_code']);
  }

  test('short form and URN answer alike: pending for a fresh code, the same refusal for an unknown one', async () => {
    for (const grantType of ['device_code', 'urn:ietf:params:oauth:grant-type:device_code']) {
      const pending = await post({
        client_id: CONSOLE.clientId,
        grant_type: grantType,
        device_code: await deviceCode(),
      });
      expect(pending.status).toBe(400);
      expect(pending.body['error']).toBe('authorization_pending');
    }
    const [short, urn] = await Promise.all(
      ['device_code', 'urn:ietf:params:oauth:grant-type:device_code'].map((grantType) =>
        post({ client_id: CONSOLE.clientId, grant_type: grantType, device_code: 'unknown-code' }),
      ),
    );
    expect(short!.status).toBe(urn!.status);
    expect(short!.body['error']).toBe(urn!.body['error']);
    expect(short!.body['error_codes']).toEqual(urn!.body['error_codes']);
  });

  test("other short forms are still refused as unsupported (only MSAL's alias is known)", async () => {
    const answer = await post({ client_id: CONSOLE.clientId, grant_type: 'devicecode', device_code: 'x' });
    expect(answer.status).toBe(400);
    expect(answer.body['error']).toBe('unsupported_grant_type');
  });
});

describe('client_info=1 is answered as Entra does', () => {
  function decodeClientInfo(value: unknown): Record<string, unknown> {
    expect(typeof value).toBe('string');
    expect(String(value)).toMatch(/^[A-Za-z0-9_-]+$/);
    return JSON.parse(Buffer.from(String(value), 'base64url').toString('utf8')) as Record<string, unknown>;
  }

  test('code, ROPC and refresh: client_info { uid: oid, utid: tid } on each; none without client_info=1', async () => {
    const scope = 'openid profile offline_access User.Read';
    // The user consents once in the browser; the code's redemption is the first token response.
    const pkce = generatePkce();
    const back = await signIn(sandbox, new Browser(sandbox), { clientId: CONSOLE.clientId, scope, pkce });
    const code = await post({
      client_id: CONSOLE.clientId,
      grant_type: 'authorization_code',
      code: back.searchParams.get('code') ?? '',
      redirect_uri: TEST_REDIRECT_URI,
      code_verifier: pkce.verifier,
      scope,
      client_info: '1',
    });
    expect(code.status, JSON.stringify(code.body)).toBe(200);
    const expected = { uid: ORDINARY_USER.oid, utid: SANDBOX_TENANT.id };
    expect(decodeClientInfo(code.body['client_info'])).toEqual(expected);

    const ropc = {
      client_id: CONSOLE.clientId,
      grant_type: 'password',
      username: ORDINARY_USER.userPrincipalName,
      password: ORDINARY_USER.password,
      scope,
    };
    const plain = await post(ropc);
    expect(plain.status, JSON.stringify(plain.body)).toBe(200);
    expect(plain.body['client_info']).toBeUndefined();
    const asked = await post({ ...ropc, client_info: '1' });
    expect(decodeClientInfo(asked.body['client_info'])).toEqual(expected);

    const refreshed = await post({
      client_id: CONSOLE.clientId,
      grant_type: 'refresh_token',
      refresh_token: String(asked.body['refresh_token']),
      scope,
      client_info: '1',
    });
    expect(refreshed.status, JSON.stringify(refreshed.body)).toBe(200);
    expect(refreshed.body['id_token']).toBeTruthy();
    expect(decodeClientInfo(refreshed.body['client_info'])).toEqual(expected);
  });

  test('property: a refresh token the sandbox cannot use is refused with suberror bad_token', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1, maxLength: 120 }), async (refreshToken) => {
        const answer = await post({
          client_id: CONSOLE.clientId,
          grant_type: 'refresh_token',
          refresh_token: refreshToken,
          client_info: '1',
        });
        expect(answer.status).toBe(400);
        expect(answer.body['error']).toBe('invalid_grant');
        expect(answer.body['suberror']).toBe('bad_token');
      }),
      { numRuns: 25 },
    );
  });

  test('an MFA refusal keeps suberror basic_action and the claims challenge (InteractionRequired)', async () => {
    const answer = await post({
      client_id: CONSOLE.clientId,
      grant_type: 'password',
      username: MFA_USER.userPrincipalName,
      password: MFA_USER.password,
      scope: 'openid User.Read',
      client_info: '1',
    });
    expect(answer.body['error_codes']).toEqual([50076]);
    expect(answer.body['suberror']).toBe('basic_action');
    expect(JSON.parse(String(answer.body['claims']))).toHaveProperty('access_token');
  });
});

describe('the https sandbox names itself by its https origin', () => {
  test('discovery: issuer and every endpoint on https://localhost:<port>; plain http stays the default', async () => {
    expect(sandbox.origin).toBe(`https://localhost:${sandbox.port}`);
    const res = await fetch(`${sandbox.authority}/v2.0/.well-known/openid-configuration`);
    const metadata = (await res.json()) as Record<string, unknown>;
    expect(metadata['issuer']).toBe(`${sandbox.authority}/v2.0`);
    const urls = Object.entries(metadata).filter(
      ([key, value]) => typeof value === 'string' && /(_endpoint|_uri)$/.test(key),
    );
    expect(urls.length).toBeGreaterThanOrEqual(5);
    for (const [key, value] of urls)
      expect(`${key} ${String(value)}`).toMatch(new RegExp(`^${key} https://localhost:${sandbox.port}/`));

    const plain = await startTestSandbox();
    try {
      expect(plain.origin).toBe(`http://localhost:${plain.port}`);
      expect(plain.tls).toBeUndefined();
    } finally {
      await plain.stop();
    }
  });
});
