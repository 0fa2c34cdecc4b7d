/**
 * Serves the built app's pages (`npm start`): the page prerendered for the path (build/prerender.ts),
 * or the app shell for any other path, with this server's real origins in place of the defaults the
 * pages were written with, and with the data the app would otherwise fetch before its first render —
 * the lab config and the sandbox's directory — embedded (read by src/ui/boot.ts). The lab config
 * carries the relay token, so it is embedded only for a request `/lab-config.json` itself would answer.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { join, normalize, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  APP_DEFAULT_ORIGIN,
  APP_SHELL_FILE,
  SANDBOX_DEFAULT_ORIGIN,
  SANDBOX_IDS_FILE,
  sandboxIdValues,
  type SandboxIdMarker,
} from '../build/prerender.ts';
import { SANDBOX_DIRECTORY_PATH } from '../src/protocol/sandbox-directory.ts';

export interface PageOptions {
  /** The built app (vite's outDir), absolute. */
  readonly outDir: string;
  /** `http://localhost:<port>`: the origin written into the pages. */
  readonly appOrigin: string;
  /** As the sandbox names itself, and the address to read its directory from (loopback). */
  readonly sandboxOrigin: string;
  readonly sandboxAddress: string;
  /** Headers every page carries (the preview's CSP and friends). */
  readonly headers: OutgoingHttpHeaders;
  /** The lab config's JSON when this request may have it (the relay token is in it); else undefined. */
  readonly configFor: (req: IncomingMessage) => string | undefined;
}

/** How long the directory read may hold a page back; past it the app reads the directory itself. */
const DIRECTORY_WAIT_MS = 300;

/** The file that answers `pathname`, relative to outDir; undefined when it is not a page's path. */
export function pageFileFor(outDir: string, pathname: string): string | undefined {
  if (pathname === '/' || pathname === '/index.html') return 'index.html';
  // Assets and anything with an extension are Vite's to serve.
  if (/\.[a-z0-9]+$/i.test(pathname)) return undefined;
  const relative = normalize(`${pathname.replace(/\/+$/, '')}.html`).replace(/^[/\\]+/, '');
  const candidate = join(outDir, relative);
  if (!relative.startsWith('..') && candidate.startsWith(outDir + sep) && existsSync(candidate))
    return relative;
  return existsSync(join(outDir, APP_SHELL_FILE)) ? APP_SHELL_FILE : undefined;
}

/** `<` escaped, so the JSON can never close its <script> element. */
function embeddedJson(value: unknown): string {
  return JSON.stringify(value).replaceAll('<', '\\u003c');
}

/** The directory as the sandbox gives it, with its entity tag; undefined when it does not answer in time. */
async function readDirectory(
  options: PageOptions,
): Promise<{ origin: string; etag: string | undefined; body: unknown } | undefined> {
  const url = new URL(SANDBOX_DIRECTORY_PATH, options.sandboxOrigin);
  url.hostname = options.sandboxAddress;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(DIRECTORY_WAIT_MS) });
    if (!response.ok) return undefined;
    return {
      origin: options.sandboxOrigin,
      etag: response.headers.get('etag') ?? undefined,
      body: (await response.json()) as unknown,
    };
  } catch {
    return undefined;
  }
}

/** Connect-style middleware for page requests; anything else goes to `next`. */
export function createPageMiddleware(
  options: PageOptions,
): (req: IncomingMessage, res: ServerResponse, next: () => void) => void {
  const cache = new Map<string, { mtimeMs: number; html: string }>();
  const read = (file: string): string => {
    const path = join(options.outDir, file);
    const { mtimeMs } = statSync(path);
    const hit = cache.get(file);
    if (hit?.mtimeMs === mtimeMs) return hit.html;
    const html = readFileSync(path, 'utf8')
      .replaceAll(APP_DEFAULT_ORIGIN, options.appOrigin)
      .replaceAll(SANDBOX_DEFAULT_ORIGIN, options.sandboxOrigin);
    cache.set(file, { mtimeMs, html });
    return html;
  };
  const markers = (): SandboxIdMarker[] => {
    try {
      return JSON.parse(readFileSync(join(options.outDir, SANDBOX_IDS_FILE), 'utf8')) as SandboxIdMarker[];
    } catch {
      return [];
    }
  };
  return (req, res, next) => {
    const accept = req.headers.accept ?? '';
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !(accept.includes('text/html') || accept === ''))
      return next();
    let pathname: string;
    try {
      pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    } catch {
      return next();
    }
    const file = pageFileFor(options.outDir, pathname);
    if (file === undefined) return next();
    void (async () => {
      let html: string;
      try {
        html = read(file);
      } catch {
        return next();
      }
      const directory = await readDirectory(options);
      for (const [marker, value] of sandboxIdValues(markers(), directory?.body))
        html = html.replaceAll(marker, value);
      const config = options.configFor(req);
      if (config !== undefined) {
        const boot = embeddedJson({ config: JSON.parse(config) as unknown, directory });
        html = html.replace(
          '</body>',
          `<script type="application/json" id="lab-boot">${boot}</script>\n  </body>`,
        );
      }
      for (const [name, value] of Object.entries(options.headers))
        if (value !== undefined) res.setHeader(name, value);
      // A flow page is 20–40 KB of HTML and inlined styles; gzip takes it to a fifth, which is most of
      // the time to a first paint on a slow link (Vite compresses what it serves; this answer is ours).
      const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
      const body = gzip ? gzipSync(html) : Buffer.from(html);
      res.writeHead(200, {
        'Content-Type': 'text/html; charset=utf-8',
        // The page may carry the relay token; nothing keeps a copy.
        'Cache-Control': 'no-store',
        Vary: 'Accept-Encoding',
        ...(gzip ? { 'Content-Encoding': 'gzip' } : {}),
        'Content-Length': String(body.length),
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    })();
  };
}
