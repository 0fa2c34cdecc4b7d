/**
 * The Vite plugin that turns the dev and preview servers into the app's local server: it serves the
 * runtime configuration (where the sandbox is, the relay and its per-start token), mounts the relay,
 * and receives form_post authorization responses for the callback page.
 */
import { randomBytes } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { resolve } from 'node:path';
import type { Connect, Plugin } from 'vite';
import { createFormPostMiddleware } from './form-post.ts';
import { createPageMiddleware } from './page-html.ts';
import { relayOffMiddleware, RELAY_OFF_REASON } from './hosting.ts';
import { createRelayMiddleware, type RelayOptions } from './relay/index.ts';
import { checkHostHeader, Refusal } from './relay/policy.ts';

export interface LabPluginOptions {
  readonly appOrigins: readonly string[];
  readonly port: number;
  /** `http://localhost:<port>`, as the sandbox names itself. */
  readonly sandboxOrigin: string;
  /**
   * The IP address the sandbox listens on (127.0.0.1): the relay connects there rather than to
   * whatever `localhost` resolves to first (often ::1, where another process could listen).
   */
  readonly sandboxAddress: string;
  /**
   * Hosting mode (server/hosting.ts): the relay is off (every `/relay/*` answers 404 with the reason),
   * `/lab-config.json` says so and carries no token, and pages are served under any Host name.
   */
  readonly hosting?: boolean;
  /** For tests: the relay's resolver and this machine's addresses. */
  readonly relay?: Pick<RelayOptions, 'resolver' | 'localAddresses' | 'log'>;
}

/** Path of the runtime configuration the app reads at start. */
export const LAB_CONFIG_PATH = '/lab-config.json';

/** On every answer of the app's origin: a browser never guesses a type (a relayed body, a JSON file). */
const NOSNIFF = ['X-Content-Type-Options', 'nosniff'] as const;

/**
 * Who may read `/lab-config.json`, which carries the relay token: this machine's Host names only
 * (DNS rebinding), no foreign Origin, and no request a browser marks as coming from another site.
 * Another localhost port is the same site (Fetch Metadata §2.1 compares registrable domains), so
 * `same-site` is refused too. A same-origin fetch says `same-origin`; a typed URL says `none`;
 * tools (Playwright's readiness check) send neither header. Throws a `Refusal` with the status.
 * @see https://w3c.github.io/webappsec-fetch-metadata/#sec-fetch-site-header
 */
export function checkLabConfigReader(
  headers: IncomingMessage['headers'],
  options: Pick<LabPluginOptions, 'appOrigins' | 'port' | 'hosting'>,
): void {
  // Hosting mode: no token to protect, and learners use whatever name the trainer gave the server; a
  // page may still read the config of its own origin only.
  if (options.hosting !== true) checkHostHeader(headers.host, options.port);
  const origin = headers.origin;
  const ownOrigin =
    origin !== undefined &&
    (options.appOrigins.includes(origin) || (options.hosting === true && sameHost(origin, headers.host)));
  if (origin !== undefined && !ownOrigin)
    throw new Refusal(403, 'Only pages of this app may read its configuration.');
  const site = headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none')
    throw new Refusal(403, 'Only pages of this app may read its configuration.');
}

/** True when `origin` names the host (and port) of the Host header: a page of this very server. */
function sameHost(origin: string, host: string | undefined): boolean {
  try {
    return host !== undefined && new URL(origin).host === host.toLowerCase();
  } catch {
    return false;
  }
}

/**
 * The app server's own handler (connect-style): `/lab-config.json`, then form_post, then the relay;
 * anything else goes to `next` (Vite's static files and index.html). Every answer carries nosniff.
 */
export function createLabMiddleware(options: LabPluginOptions): LabMiddleware {
  const hosting = options.hosting === true;
  const token = hosting ? '' : randomBytes(24).toString('base64url');
  const relay = hosting
    ? relayOffMiddleware
    : createRelayMiddleware({
        appOrigins: options.appOrigins,
        port: options.port,
        token,
        extraOrigins: [options.sandboxOrigin],
        pinnedAddresses: { [new URL(options.sandboxOrigin).origin]: options.sandboxAddress },
        ...options.relay,
      });
  const formPost = createFormPostMiddleware({ port: options.port, anyHost: hosting });
  const config = JSON.stringify({
    sandboxOrigin: options.sandboxOrigin,
    ...(hosting
      ? { relay: false, hosting: true, relayOffReason: RELAY_OFF_REASON }
      : { relay: true, relayToken: token }),
    // This server receives response_mode=form_post at /callback (server/form-post.ts).
    formPost: true,
  });
  const handler = (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    res.setHeader(...NOSNIFF);
    if ((req.url ?? '').split('?')[0] === LAB_CONFIG_PATH) {
      try {
        checkLabConfigReader(req.headers, options);
      } catch (error) {
        // No body: the refusal must not carry the token, nor say more than the status.
        res.writeHead(error instanceof Refusal ? error.status : 400, { 'Cache-Control': 'no-store' }).end();
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
      res.end(config);
      return;
    }
    void formPost(req, res, () => void relay(req, res, next));
  };
  const configFor = (req: IncomingMessage): string | undefined => {
    try {
      checkLabConfigReader(req.headers, options);
      return config;
    } catch {
      return undefined;
    }
  };
  return Object.assign(handler, { configFor });
}

/** The lab server's handler, and the lab config as a given request may read it (undefined: refused). */
export type LabMiddleware = ((req: IncomingMessage, res: ServerResponse, next: () => void) => void) & {
  readonly configFor: (req: IncomingMessage) => string | undefined;
};

/**
 * The built app's own files: hashed assets (`/assets/name-<hash>.js`) never change under their name, so
 * a browser keeps them for a year without asking again (a return from the sign-in page would otherwise
 * revalidate some twenty chunks before the page can run); the build's bookkeeping (`/.vite/`: manifest,
 * build inputs) is not served.
 */
export function buildFilesPolicy(req: IncomingMessage, res: ServerResponse, next: () => void): void {
  const path = (req.url ?? '').split('?')[0] ?? '';
  if (path.startsWith('/.vite/')) {
    res.writeHead(404).end();
    return;
  }
  if (path.startsWith('/assets/')) {
    // Vite's static server writes its own Cache-Control with the status line; this one replaces it.
    const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => ServerResponse;
    res.writeHead = ((...args: unknown[]) => {
      for (const arg of args)
        if (typeof arg === 'object' && arg !== null && !Array.isArray(arg))
          for (const name of Object.keys(arg))
            if (name.toLowerCase() === 'cache-control') Reflect.deleteProperty(arg, name);
      res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
      return writeHead(...args);
    }) as typeof res.writeHead;
  }
  next();
}

/** Mounts `/lab-config.json`, the form_post receiver and the relay on both `vite dev` and `vite preview`. */
export function labServerPlugin(options: LabPluginOptions): Plugin {
  const handler = createLabMiddleware(options);
  const mount = (middlewares: Connect.Server, httpServer: EventEmitter | null): void => {
    // Vite answers some requests before any plugin middleware (its Host check, its 404s): setting
    // the header as the request arrives covers those too.
    httpServer?.prependListener('request', (_req: IncomingMessage, res: ServerResponse) =>
      res.setHeader(...NOSNIFF),
    );
    middlewares.use(handler);
  };
  return {
    name: 'oauth-flow-lab-server',
    configureServer(server) {
      mount(server.middlewares, server.httpServer);
    },
    configurePreviewServer(server) {
      mount(server.middlewares, server.httpServer);
      server.middlewares.use(buildFilesPolicy);
      // Pages: prerendered ones with the runtime data embedded (server/page-html.ts), before Vite's
      // own HTML fallback, which would answer every path with the home page.
      server.middlewares.use(
        createPageMiddleware({
          outDir: resolve(server.config.root, server.config.build.outDir),
          appOrigin: options.appOrigins[0] ?? `http://localhost:${options.port}`,
          sandboxOrigin: options.sandboxOrigin,
          sandboxAddress: options.sandboxAddress,
          headers: server.config.preview.headers ?? {},
          configFor: handler.configFor,
        }),
      );
    },
  };
}
