import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  signIn,
  Browser,
  SPA,
  spaCode,
  startTestSandbox,
  TEST_ORIGIN,
  TEST_REDIRECT_URI,
  tokenRequest,
  WEB,
  endpoint,
  type TestSandbox,
} from './test-support.ts';

let sandbox: TestSandbox;
beforeAll(async () => {
  sandbox = await startTestSandbox();
});
afterAll(async () => {
  await sandbox.stop();
});

describe("Entra's cross-origin token redemption rule", () => {
  test('AADSTS9002326: web app code redeemed with an Origin header → 400, no CORS headers', async () => {
    const url = await signIn(sandbox, new Browser(sandbox), {
      clientId: WEB.clientId,
      scope: 'openid User.Read',
    });
    const res = await tokenRequest(
      sandbox,
      {
        client_id: WEB.clientId,
        client_secret: WEB.clientSecret ?? '',
        grant_type: 'authorization_code',
        code: url.searchParams.get('code') ?? '',
        redirect_uri: TEST_REDIRECT_URI,
      },
      { origin: TEST_ORIGIN },
    );
    expect(res.status).toBe(400);
    expect(res.body['error']).toBe('invalid_request');
    expect(res.body['error_codes']).toEqual([9002326]);
    expect(String(res.body['error_description'])).toContain(
      `AADSTS9002326: Cross-origin token redemption is permitted only for the 'Single-Page Application' client-type. Request origin: '${TEST_ORIGIN}'.`,
    );
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  test('AADSTS9002327: SPA code redeemed without an Origin header', async () => {
    const { code, verifier } = await spaCode(sandbox);
    const res = await tokenRequest(sandbox, {
      client_id: SPA.clientId,
      grant_type: 'authorization_code',
      code,
      code_verifier: verifier,
      redirect_uri: TEST_REDIRECT_URI,
    });
    expect(res.status).toBe(400);
    expect(res.body['error']).toBe('invalid_request');
    expect(res.body['error_codes']).toEqual([9002327]);
  });

  test('SPA with Origin: Access-Control-Allow-Origin echoes the origin, on errors too', async () => {
    const res = await tokenRequest(
      sandbox,
      {
        client_id: SPA.clientId,
        grant_type: 'authorization_code',
        code: 'unknown',
        code_verifier: 'x'.repeat(43),
        redirect_uri: TEST_REDIRECT_URI,
      },
      { origin: TEST_ORIGIN },
    );
    expect(res.status).toBe(400);
    expect(res.body['error_codes']).toEqual([70000]);
    expect(res.headers.get('access-control-allow-origin')).toBe(TEST_ORIGIN);
  });

  test('preflight on the token endpoint allows POST from the page origin', async () => {
    const res = await fetch(endpoint(sandbox, '/oauth2/v2.0/token'), {
      method: 'OPTIONS',
      headers: {
        origin: TEST_ORIGIN,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(TEST_ORIGIN);
    expect(res.headers.get('access-control-allow-methods')).toContain('POST');
  });

  test('discovery, keys and directory.json answer any origin', async () => {
    for (const path of [
      '/common/v2.0/.well-known/openid-configuration',
      '/common/discovery/v2.0/keys',
      '/directory.json',
    ]) {
      const res = await fetch(`${sandbox.origin}${path}`, { headers: { origin: 'https://example.org' } });
      expect(res.status).toBe(200);
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
    }
  });
});
