/**
 * The Vite plugin that turns the dev and preview servers into the app's local server: it serves the
 * runtime configuration (where the sandbox is, the relay and its per-start token), mounts the relay,
 * and receives form_post authorization responses for the callback page.
 */
import { randomBytes } from 'node:crypto';
import type { Connect, Plugin } from 'vite';
import { createFormPostMiddleware } from './form-post.ts';
import { createRelayMiddleware } from './relay/index.ts';
import { checkHostHeader, Refusal } from './relay/policy.ts';

export interface LabPluginOptions {
  readonly appOrigins: readonly string[];
  readonly port: number;
  readonly sandboxOrigin: string;
}

/** Path of the runtime configuration the app reads at start. */
export const LAB_CONFIG_PATH = '/lab-config.json';

/** Mounts `/lab-config.json`, the form_post receiver and the relay on both `vite dev` and `vite preview`. */
export function labServerPlugin(options: LabPluginOptions): Plugin {
  const token = randomBytes(24).toString('base64url');
  const relay = createRelayMiddleware({
    appOrigins: options.appOrigins,
    port: options.port,
    token,
    extraOrigins: [options.sandboxOrigin],
  });
  const formPost = createFormPostMiddleware({ port: options.port });
  const config = JSON.stringify({
    sandboxOrigin: options.sandboxOrigin,
    relay: true,
    relayToken: token,
    // This server receives response_mode=form_post at /callback (server/form-post.ts).
    formPost: true,
  });
  const mount = (middlewares: Connect.Server): void => {
    middlewares.use((req, res, next) => {
      if ((req.url ?? '').split('?')[0] === LAB_CONFIG_PATH) {
        try {
          // The token is readable same-origin only; the Host check stops a DNS-rebound page reading it.
          checkHostHeader(req.headers.host, options.port);
        } catch (error) {
          res.writeHead(error instanceof Refusal ? error.status : 400).end();
          return;
        }
        res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
        res.end(config);
        return;
      }
      void formPost(req, res, () => void relay(req, res, next));
    });
  };
  return {
    name: 'oauth-flow-lab-server',
    configureServer(server) {
      mount(server.middlewares);
    },
    configurePreviewServer(server) {
      mount(server.middlewares);
    },
  };
}
