/**
 * `npm run bench`: builds the app for production, then reports every chunk's size (raw and gzip)
 * and what each route really loads, counted from the requests a headless Chromium makes.
 * A benchmark: it prints figures and writes bench-results/bench.json; it asserts nothing.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from '@playwright/test';
import { preview } from 'vite';

const DIST = 'dist';
const PORT = 47183;
const ROUTES = ['/', '/flows/authorization-code'];
const LANDING_TARGET_KB = 100;

function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KB`;
}

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}

interface Asset {
  readonly file: string;
  readonly raw: number;
  readonly gzip: number;
}

console.log('Building for production…');
execFileSync('npx', ['vite', 'build', '--logLevel', 'warn'], { stdio: 'inherit' });

const assets = new Map<string, Asset>();
for (const path of listFiles(DIST)) {
  if (!/\.(js|css)$/.test(path)) continue;
  const content = readFileSync(path);
  const file = path.slice(DIST.length).replace(/\\/g, '/');
  assets.set(file, { file, raw: content.length, gzip: gzipSync(content, { level: 9 }).length });
}

console.log('\nChunks (largest first):');
const sorted = [...assets.values()].sort((a, b) => b.gzip - a.gzip);
for (const a of sorted) console.log(`  ${a.file.padEnd(56)} ${kb(a.raw).padStart(10)} raw ${kb(a.gzip).padStart(10)} gzip`);

const server = await preview({ preview: { port: PORT, strictPort: true, host: '127.0.0.1' }, logLevel: 'silent' });
const executablePath = existsSync(chromium.executablePath()) ? undefined : '/usr/bin/chromium';
const browser = await chromium.launch({
  ...(executablePath === undefined ? {} : { executablePath }),
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
});

const routes: Record<string, { js: Asset[]; css: Asset[]; jsGzip: number; cssGzip: number }> = {};
for (const route of ROUTES) {
  const page = await browser.newPage();
  const loaded: string[] = [];
  page.on('requestfinished', (request) => {
    const path = new URL(request.url()).pathname;
    if (assets.has(path)) loaded.push(path);
  });
  await page.goto(`http://localhost:${PORT}${route}`, { waitUntil: 'networkidle' });
  const used = [...new Set(loaded)].map((file) => assets.get(file)).filter((a): a is Asset => a !== undefined);
  const js = used.filter((a) => a.file.endsWith('.js'));
  const css = used.filter((a) => a.file.endsWith('.css'));
  routes[route] = { js, css, jsGzip: js.reduce((s, a) => s + a.gzip, 0), cssGzip: css.reduce((s, a) => s + a.gzip, 0) };
  await page.close();
}
await browser.close();
await new Promise<void>((resolve) => server.httpServer.close(() => resolve()));

console.log('\nWhat each route loads (from the browser’s requests):');
for (const [route, r] of Object.entries(routes)) {
  console.log(`  ${route}: JS ${kb(r.jsGzip)} gzip in ${r.js.length} files, CSS ${kb(r.cssGzip)} gzip`);
  for (const a of r.js) console.log(`      ${a.file} ${kb(a.gzip)}`);
}
const landing = routes['/'];
const mermaidOnLanding = landing?.js.some((a) => /mermaid/i.test(a.file)) ?? false;
console.log(`\nLanding JS: ${kb(landing?.jsGzip ?? 0)} gzip (target ≤ ${LANDING_TARGET_KB} KB); mermaid on landing: ${mermaidOnLanding ? 'yes' : 'no'}`);

mkdirSync('bench-results', { recursive: true });
writeFileSync(
  'bench-results/bench.json',
  JSON.stringify({ date: new Date().toISOString(), chunks: sorted, routes, landingTargetKb: LANDING_TARGET_KB, mermaidOnLanding }, null, 2),
);
console.log('Written to bench-results/bench.json');
