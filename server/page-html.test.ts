import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  APP_DEFAULT_ORIGIN,
  APP_SHELL_FILE,
  SANDBOX_DEFAULT_ORIGIN,
  SANDBOX_IDS_FILE,
  sandboxIdMarkers,
} from '../build/prerender.ts';
import { createPageMiddleware, pageFileFor } from './page-html.ts';

let outDir: string;
let server: Server;
let origin: string;
const DIRECTORY = JSON.stringify({
  tenant: { id: 'tenant-1' },
  apps: [{ displayName: 'SPA', clientId: 'spa-1' }],
});
let directoryAnswer: { status: number; body: string } = { status: 200, body: DIRECTORY };
let directoryServer: Server;
let directoryPort: number;

const page = (body: string) => `<!doctype html><html><head></head><body>${body}</body></html>`;

beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), 'page-html-'));
  mkdirSync(join(outDir, 'flows'));
  writeFileSync(join(outDir, 'index.html'), page('home'));
  writeFileSync(join(outDir, APP_SHELL_FILE), page('shell'));
  writeFileSync(
    join(outDir, 'flows', 'device-code.html'),
    page(
      `device ${APP_DEFAULT_ORIGIN}/callback ${SANDBOX_DEFAULT_ORIGIN}/portal __sandbox_id_0__ __sandbox_id_1__`,
    ),
  );
  writeFileSync(
    join(outDir, SANDBOX_IDS_FILE),
    JSON.stringify(
      sandboxIdMarkers({ tenant: { id: 'old' }, apps: [{ displayName: 'SPA', clientId: 'old' }] }).map(
        (m) => m.marker,
      ),
    ),
  );
  directoryServer = createServer((_req, res) => {
    res.writeHead(directoryAnswer.status, { 'content-type': 'application/json', etag: '"t"' });
    res.end(directoryAnswer.body);
  });
  await new Promise<void>((resolve) => directoryServer.listen(0, '127.0.0.1', resolve));
  directoryPort = (directoryServer.address() as AddressInfo).port;
  const handler = createPageMiddleware({
    outDir,
    appOrigin: 'http://localhost:47999',
    sandboxOrigin: `http://localhost:${directoryPort}`,
    sandboxAddress: '127.0.0.1',
    headers: { 'Content-Security-Policy': "default-src 'self'" },
    configFor: (req) =>
      req.headers['sec-fetch-site'] === 'cross-site' ? undefined : '{"relayToken":"t</script>"}',
  });
  server = createServer((req, res) => handler(req, res, () => res.writeHead(404).end('next')));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await new Promise((resolve) => directoryServer.close(resolve));
  rmSync(outDir, { recursive: true, force: true });
});

const get = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${origin}${path}`, { headers: { accept: 'text/html', ...headers } });

describe('pageFileFor', () => {
  it('maps a path to its prerendered page, the shell, or nothing', () => {
    expect(pageFileFor(outDir, '/')).toBe('index.html');
    expect(pageFileFor(outDir, '/flows/device-code')).toBe(join('flows', 'device-code.html'));
    expect(pageFileFor(outDir, '/flows/device-code/')).toBe(join('flows', 'device-code.html'));
    expect(pageFileFor(outDir, '/callback')).toBe(APP_SHELL_FILE);
    expect(pageFileFor(outDir, '/assets/index.js')).toBeUndefined();
  });

  it('never leaves the build folder', () => {
    for (const path of ['/../../etc/passwd', '/..', '/flows/../../secret', '/%2e%2e/x'])
      expect(pageFileFor(outDir, decodeURIComponent(path))).toBe(APP_SHELL_FILE);
  });
});

describe('createPageMiddleware', () => {
  it('serves the page with the real origins, the headers, and the data embedded and escaped', async () => {
    const response = await get('/flows/device-code', { 'sec-fetch-site': 'none' });
    const html = await response.text();
    expect(response.headers.get('content-security-policy')).toBe("default-src 'self'");
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(html).toContain('http://localhost:47999/callback');
    expect(html).toContain(`http://localhost:${directoryPort}/portal`);
    const boot = /<script type="application\/json" id="lab-boot">(.*?)<\/script>/.exec(html)?.[1] ?? '';
    expect(boot).not.toContain('</');
    expect(JSON.parse(boot)).toEqual({
      config: { relayToken: 't</script>' },
      directory: { origin: `http://localhost:${directoryPort}`, etag: '"t"', body: JSON.parse(DIRECTORY) },
    });
    // The sandbox's ids are never in the build: markers there, the live values here.
    expect(html).toContain('tenant-1 spa-1');
  });

  it('compresses the page for a client that takes gzip', async () => {
    const response = await get('/flows/device-code', { 'accept-encoding': 'gzip' });
    expect(response.headers.get('content-encoding')).toBe('gzip');
    expect(await response.text()).toContain('device');
    const plain = await new Promise<string>((resolve, reject) => {
      request(`${origin}/`, { headers: { accept: 'text/html' } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve(`${res.headers['content-encoding'] ?? 'identity'} ${text}`));
      })
        .on('error', reject)
        .end();
    });
    expect(plain).toMatch(/^identity .*home/s);
  });

  it('embeds nothing for a request the lab config would refuse', async () => {
    const html = await (await get('/', { 'sec-fetch-site': 'cross-site' })).text();
    expect(html).toContain('home');
    expect(html).not.toContain('lab-boot');
  });

  it('leaves the directory out when the sandbox does not give it', async () => {
    directoryAnswer = { status: 503, body: '' };
    const html = await (await get('/callback')).text();
    const device = await (await get('/flows/device-code')).text();
    directoryAnswer = { status: 200, body: DIRECTORY };
    expect(html).toContain('shell');
    expect(html).toContain('"config"');
    expect(html).not.toContain('"directory"');
    // Markers of ids the sandbox did not give become empty: the app fills them in once it reads them.
    expect(device).not.toContain('__sandbox_id_');
  });

  it('hands anything but a page request to the next handler', async () => {
    expect(await (await get('/assets/x.js')).text()).toBe('next');
    expect(
      await (await fetch(`${origin}/flows/device-code`, { headers: { accept: 'application/json' } })).text(),
    ).toBe('next');
    expect(
      await (await fetch(`${origin}/`, { method: 'POST', headers: { accept: 'text/html' } })).text(),
    ).toBe('next');
  });
});
