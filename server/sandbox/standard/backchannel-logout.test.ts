import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  APP_ORIGIN,
  authorizeUrl,
  Browser,
  discover,
  formAction,
  postForm,
  REDIRECT_URI,
  signInAt,
  startStandardSandbox,
  type TestSandbox,
} from './test-support.ts';

let sandbox: TestSandbox;
let doc: Record<string, unknown>;
let receiver: Server;
let receiverUrl: string;
const received: string[] = [];
beforeAll(async () => {
  sandbox = await startStandardSandbox();
  doc = await discover(sandbox);
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      received.push(body);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://localhost:${(receiver.address() as AddressInfo).port}/backchannel-logout`;
});
afterAll(async () => {
  await new Promise((resolve) => receiver.close(resolve));
  await sandbox.stop();
});

describe('OpenID Connect Back-Channel Logout 1.0', () => {
  test('§2.5: ending the session sends a signed logout token to the client’s backchannel_logout_uri', async () => {
    const created = await fetch(String(doc['registration_endpoint']), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        redirect_uris: ['http://localhost:5173/callback'],
        post_logout_redirect_uris: ['http://localhost:5173/'],
        token_endpoint_auth_method: 'client_secret_post',
        backchannel_logout_uri: receiverUrl,
        backchannel_logout_session_required: true,
      }),
    });
    expect(created.status).toBe(201);
    const client = (await created.json()) as Record<string, string>;
    const browser = new Browser(sandbox);
    const { url, verifier } = await authorizeUrl(sandbox, String(client['client_id']));
    const back = await signInAt(browser, url);
    const tokens = await postForm(String(doc['token_endpoint']), {
      grant_type: 'authorization_code',
      code: back.searchParams.get('code') ?? '',
      redirect_uri: REDIRECT_URI,
      code_verifier: verifier,
      client_id: String(client['client_id']),
      client_secret: String(client['client_secret']),
    });
    const idToken = String(tokens.body['id_token']);
    const sid = (JSON.parse(Buffer.from(idToken.split('.')[1]!, 'base64url').toString()) as { sid?: string })
      .sid;
    expect(sid).toBeTruthy();

    const page = await browser.go(
      `${String(doc['end_session_endpoint'])}?${new URLSearchParams({
        id_token_hint: idToken,
        post_logout_redirect_uri: `${APP_ORIGIN}/`,
      })}`,
    );
    if ('redirectedTo' in page) throw new Error('expected the logout page');
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(page.html)?.[1] ?? '';
    const done = await browser.go(formAction(page), { xsrf, logout: 'yes' });
    expect('redirectedTo' in done).toBe(true);

    for (let i = 0; i < 50 && received.length === 0; i += 1) await new Promise((r) => setTimeout(r, 50));
    expect(received).toHaveLength(1);
    const logoutToken = new URLSearchParams(received[0]).get('logout_token') ?? '';
    const { payload, protectedHeader } = await jwtVerify(
      logoutToken,
      createRemoteJWKSet(new URL(String(doc['jwks_uri']))),
      { issuer: `${sandbox.origin}/standard`, audience: String(client['client_id']) },
    );
    // §2.4: typ logout+jwt, the events claim, sid and sub, no nonce.
    expect(protectedHeader.typ).toBe('logout+jwt');
    expect(payload['events']).toEqual({ 'http://schemas.openid.net/event/backchannel-logout': {} });
    expect(payload['sid']).toBe(sid);
    expect(payload.sub).toBe('3a8f2c61-5d4e-4b79-9f10-6c2e8a7d5b31');
    expect(payload).not.toHaveProperty('nonce');
  });
});
