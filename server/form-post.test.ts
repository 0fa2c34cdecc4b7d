import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  createFormPostMiddleware,
  FORM_POST_MAX_BYTES,
  FORM_POST_MAX_ENTRIES,
  FORM_POST_TTL_MS,
} from './form-post.ts';

let clock = 1_000_000;
let server: Server;
let port = 0;
let middleware: ReturnType<typeof createFormPostMiddleware>;
const logged: unknown[] = [];

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function send(
  method: string,
  path: string,
  options: { body?: string; type?: string; host?: string; site?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { Host: options.host ?? `localhost:${port}` };
    if (options.site !== undefined) headers['Sec-Fetch-Site'] = options.site;
    if (options.type !== undefined) headers['Content-Type'] = options.type;
    const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

const FORM = 'application/x-www-form-urlencoded';

async function postAndId(body: string): Promise<string> {
  const answer = await send('POST', '/callback', { body, type: FORM });
  expect(answer.status).toBe(303);
  const location = String(answer.headers['location']);
  const id = new URL(location, 'http://x').searchParams.get('form_post') ?? '';
  expect(id).toMatch(/^[A-Za-z0-9_-]{32}$/);
  return id;
}

beforeAll(async () => {
  // Any console output during these tests would be a leak of the form's parameters.
  for (const name of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    const original = console[name];
    console[name] = (...args: unknown[]) => {
      logged.push(args);
      original(...args);
    };
  }
  server = createServer((req, res) => {
    void middleware(req, res, () => {
      res.writeHead(599).end('next');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  middleware = createFormPostMiddleware({ port, now: () => clock });
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('form_post receiver (OAuth 2.0 Form Post Response Mode §2)', () => {
  test('a POSTed form is kept under a one-time id, 303 to /callback?form_post=<id>, read back verbatim once', async () => {
    const body = 'code=abc%2Bdef&state=xyz&session_state=s%C3%A9';
    const answer = await send('POST', '/callback', { body, type: `${FORM}; charset=UTF-8` });
    expect(answer.status).toBe(303);
    expect(answer.headers['location']).toMatch(/^\/callback\?form_post=[A-Za-z0-9_-]+$/);
    expect(answer.headers['cache-control']).toBe('no-store');
    const id = new URL(String(answer.headers['location']), 'http://x').searchParams.get('form_post');
    const read = await send('GET', `/callback/form-post/${id}`);
    expect(read.status).toBe(200);
    expect(read.body).toBe(body);
    expect(read.headers['cache-control']).toBe('no-store');
    expect(read.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    // Consumed on read.
    expect((await send('GET', `/callback/form-post/${id}`)).status).toBe(404);
  });

  test('duplicate parameters are kept as sent, so the page can refuse them (RFC 6749 §3.1)', async () => {
    const id = await postAndId('code=a&code=b&state=x');
    expect((await send('GET', `/callback/form-post/${id}`)).body).toBe('code=a&code=b&state=x');
  });

  test('a stored response expires after 60 s unread', async () => {
    const id = await postAndId('code=late&state=x');
    clock += FORM_POST_TTL_MS;
    expect((await send('GET', `/callback/form-post/${id}`)).status).toBe(404);
  });

  test('ids are random: two posts of the same form get different ids', async () => {
    const a = await postAndId('code=same');
    const b = await postAndId('code=same');
    expect(a).not.toBe(b);
  });

  test('unknown, malformed and path-like ids find nothing', async () => {
    for (const id of ['nope', '', '..%2F..%2Fetc', 'A'.repeat(32)]) {
      expect((await send('GET', `/callback/form-post/${id}`)).status).toBe(404);
    }
  });

  test('another content type is refused with 415 and a reason', async () => {
    const answer = await send('POST', '/callback', { body: '{"code":"a"}', type: 'application/json' });
    expect(answer.status).toBe(415);
    expect(answer.body).toMatch(/x-www-form-urlencoded/);
    expect(middleware.pending()).toBeLessThanOrEqual(FORM_POST_MAX_ENTRIES);
  });

  test('a body over the cap is refused with 413 and nothing is stored', async () => {
    const before = middleware.pending();
    const answer = await send('POST', '/callback', {
      body: `code=${'a'.repeat(FORM_POST_MAX_BYTES)}`,
      type: FORM,
    });
    expect(answer.status).toBe(413);
    expect(middleware.pending()).toBe(before);
  });

  test('a foreign Host header is refused (DNS rebinding) for both the POST and the read', async () => {
    const id = await postAndId('code=mine');
    expect((await send('GET', `/callback/form-post/${id}`, { host: 'evil.example' })).status).toBe(421);
    expect(
      (await send('POST', '/callback', { body: 'code=x', type: FORM, host: 'evil.example:80' })).status,
    ).toBe(421);
    // The refused read did not consume it.
    expect((await send('GET', `/callback/form-post/${id}`)).status).toBe(200);
  });

  test(`at most ${FORM_POST_MAX_ENTRIES} responses wait; the oldest goes first`, async () => {
    const first = await postAndId('code=oldest');
    for (let i = 0; i < FORM_POST_MAX_ENTRIES; i += 1) await postAndId(`code=${i}`);
    expect(middleware.pending()).toBe(FORM_POST_MAX_ENTRIES);
    expect((await send('GET', `/callback/form-post/${first}`)).status).toBe(404);
  });

  test('a read from another site is refused and does not use up the id (Sec-Fetch-Site)', async () => {
    const id = await postAndId('code=mine');
    expect((await send('GET', `/callback/form-post/${id}`, { site: 'cross-site' })).status).toBe(403);
    expect((await send('GET', `/callback/form-post/${id}`, { site: 'same-site' })).status).toBe(403);
    expect((await send('GET', `/callback/form-post/${id}`, { site: 'same-origin' })).status).toBe(200);
  });

  test('other requests pass through: GET /callback (the page), POST elsewhere', async () => {
    expect((await send('GET', '/callback?form_post=x')).status).toBe(599);
    expect((await send('POST', '/relay', { body: 'a=b', type: FORM })).status).toBe(599);
  });

  test('nothing is logged', () => {
    expect(logged).toEqual([]);
  });
});
