import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createRelayMiddleware } from './index.ts';

const APP = 'http://localhost:5173';
const SANDBOX = 'http://localhost:5174';
const upstreamCalls: { url: string; init: RequestInit }[] = [];
const logs: string[] = [];

const relay = createRelayMiddleware({
  appOrigins: [APP],
  extraOrigins: [SANDBOX],
  maxBodyBytes: 1024,
  log: (line) => logs.push(line),
  fetch: async (url, init) => {
    upstreamCalls.push({ url: String(url), init: init ?? {} });
    return new Response('{"access_token":"a","token_type":"Bearer"}', {
      status: 200,
      headers: { 'content-type': 'application/json', 'set-cookie': 'x=1', 'cache-control': 'no-store' },
    });
  },
});

let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => void relay(req, res, () => res.writeHead(404).end()));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function post(headers: Record<string, string>, body = 'grant_type=authorization_code&client_secret=shh', path = '/relay/forward') {
  return fetch(`${base}${path}`, {
    method: 'POST',
    headers: { origin: APP, 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body,
  });
}

describe('local relay', () => {
  test('forwards a token request to the sandbox, without cookies, and returns the answer', async () => {
    upstreamCalls.length = 0;
    const response = await post({ 'x-relay-target': `${SANDBOX}/common/oauth2/v2.0/token` });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-relay')).toBe('1');
    expect(response.headers.get('set-cookie')).toBeNull();
    expect(await response.json()).toMatchObject({ access_token: 'a' });
    const sent = new Headers(upstreamCalls[0]?.init.headers);
    expect(sent.has('origin')).toBe(false);
    expect(upstreamCalls[0]?.init.redirect).toBe('manual');
  });

  test('sends the app origin only when asked (SPA redemption, AADSTS9002327)', async () => {
    upstreamCalls.length = 0;
    await post({ 'x-relay-target': `${SANDBOX}/common/oauth2/v2.0/token`, 'x-relay-origin': APP });
    expect(new Headers(upstreamCalls[0]?.init.headers).get('origin')).toBe(APP);
  });

  test.each([
    ['another site as Origin', { origin: 'https://evil.example', 'x-relay-target': `${SANDBOX}/common/oauth2/v2.0/token` }, 403],
    ['no target', {}, 400],
    ['a host not on the allowlist', { 'x-relay-target': 'https://example.com/common/oauth2/v2.0/token' }, 403],
    ['an allowlisted host on another port', { 'x-relay-target': 'http://localhost:5175/common/oauth2/v2.0/token' }, 403],
    ['a path that is not a token endpoint', { 'x-relay-target': `${SANDBOX}/directory.json` }, 403],
    ['path traversal', { 'x-relay-target': `${SANDBOX}/common/oauth2/v2.0/../../../admin` }, 403],
    ['credentials in the URL', { 'x-relay-target': 'https://user:pw@login.microsoftonline.com/common/oauth2/v2.0/token' }, 403],
    ['an IP literal', { 'x-relay-target': 'http://169.254.169.254/common/oauth2/v2.0/token' }, 403],
    ['a file: URL', { 'x-relay-target': 'file:///etc/passwd' }, 403],
    ['a foreign Origin to forward', { 'x-relay-target': `${SANDBOX}/common/oauth2/v2.0/token`, 'x-relay-origin': 'https://evil.example' }, 403],
    ['a JSON body', { 'x-relay-target': `${SANDBOX}/common/oauth2/v2.0/token`, 'content-type': 'application/json' }, 415],
  ])('refuses %s', async (_name, headers, status) => {
    upstreamCalls.length = 0;
    const response = await post(headers as Record<string, string>);
    expect(response.status).toBe(status);
    expect(response.headers.get('x-relay-refused')).toBe('1');
    expect(upstreamCalls).toHaveLength(0);
  });

  test('refuses GET and oversized bodies', async () => {
    const get = await fetch(`${base}/relay/forward`, { headers: { origin: APP } });
    expect(get.status).toBe(405);
    const big = await post({ 'x-relay-target': `${SANDBOX}/common/oauth2/v2.0/token` }, 'a='.padEnd(4096, 'x'));
    expect(big.status).toBe(413);
  });

  test('never logs a body or a secret', () => {
    expect(logs.join('\n')).not.toMatch(/shh|client_secret/);
  });
});
