/**
 * The Vite plugin that turns the dev and preview servers into the app's local server: it serves the
 * runtime configuration (where the sandbox is, whether a relay runs) and mounts the relay.
 */
import type { Connect, Plugin } from 'vite';
import { createRelayMiddleware } from './relay/index.ts';

export interface LabPluginOptions {
  readonly appOrigins: readonly string[];
  readonly sandboxOrigin: string;
}

/** Path of the runtime configuration the app reads at start. */
export const LAB_CONFIG_PATH = '/lab-config.json';

/** Mounts `/lab-config.json` and the relay on both `vite dev` and `vite preview`. */
export function labServerPlugin(options: LabPluginOptions): Plugin {
  const relay = createRelayMiddleware({ appOrigins: options.appOrigins, extraOrigins: [options.sandboxOrigin] });
  const config = JSON.stringify({ sandboxOrigin: options.sandboxOrigin, relay: true });
  const mount = (middlewares: Connect.Server): void => {
    middlewares.use((req, res, next) => {
      if ((req.url ?? '').split('?')[0] === LAB_CONFIG_PATH) {
        res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
        res.end(config);
        return;
      }
      void relay(req, res, next);
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
