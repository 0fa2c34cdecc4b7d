/**
 * The sandbox tenant: an oidc-provider authorization server behind a small `node:http` router that
 * speaks Entra ID v2.0's paths, errors and token shapes. Listens on 127.0.0.1 only.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Provider from 'oidc-provider';
import { createMemoryAdapter, type ArtifactStore } from './adapter.ts';
import {
  buildAuthorizationErrorResponse,
  checkAuthorizationRequest,
  redirectUriMatches,
} from './authorize-gate.ts';
import { aadsts, buildEntraErrorBody, type EntraError } from './entra-errors.ts';
import { captureProviderErrors, entraShape } from './entra-shape.ts';
import { findApp, resolveTenantSegment, type TenantSegment } from './directory.ts';
import {
  isFormBody,
  mountRequest,
  readBody,
  replayRequest,
  sendHtml,
  sendJson,
  sendRedirect,
  type MountedRequest,
} from './http-utils.ts';
import { handleInteraction } from './interactions.ts';
import { loadOrCreateKeys } from './keys.ts';
import { errorPage } from './pages.ts';
import { buildDirectory, portalPage } from './portal.ts';
import { buildProviderConfig, INTERACTION_PREFIX, ROUTES } from './provider-config.ts';
import { checkTokenRequest } from './token-gate.ts';
import { SANDBOX_TENANT } from './seed.ts';

/** Options for {@link startSandbox}. */
export interface SandboxOptions {
  /** Port on 127.0.0.1; 0 picks a free one. */
  readonly port: number;
  /** Where keys are kept; default `$SANDBOX_DATA_DIR` or `<repo>/.sandbox/`. */
  readonly dataDir?: string;
  /** Print nothing at all (no start-up line, no server-error logs). */
  readonly quiet?: boolean;
  /** Rotate refresh tokens (the old one becomes invalid). Off by default: Entra keeps old ones valid. */
  readonly rotateRefreshTokens?: boolean;
}

/** A running sandbox. */
export interface RunningSandbox {
  /** `http://localhost:<port>`; the issuer is `${origin}/<tenant id>/v2.0`. */
  readonly origin: string;
  readonly port: number;
  readonly issuer: string;
  close(): Promise<void>;
}

const DEFAULT_DATA_DIR = join(fileURLToPath(new URL('../..', import.meta.url)), '.sandbox');

type ProviderHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

interface Context {
  readonly provider: Provider;
  readonly handle: ProviderHandler;
  readonly store: ArtifactStore;
  readonly origin: string;
  readonly pendingMfa: Map<string, string>;
}

/** Starts the sandbox tenant and resolves once it accepts connections. */
export async function startSandbox(options: SandboxOptions): Promise<RunningSandbox> {
  const dataDir = options.dataDir ?? process.env['SANDBOX_DATA_DIR'] ?? DEFAULT_DATA_DIR;
  const keys = await loadOrCreateKeys(dataDir);
  const ready: { context?: Context } = {};
  const server = createServer((req, res) => {
    const { context } = ready;
    if (!context) {
      res.writeHead(503).end();
      return;
    }
    route(context, req, res).catch((err: unknown) => {
      if (!options.quiet) console.error('sandbox: request failed', err);
      if (!res.headersSent)
        sendJson(
          res,
          500,
          buildEntraErrorBody({
            status: 500,
            error: 'server_error',
            code: 90100,
            message: 'Unexpected sandbox error.',
          }),
        );
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://localhost:${port}`;
  const issuer = `${origin}/${SANDBOX_TENANT.id}/v2.0`;

  const { Adapter, store } = createMemoryAdapter({
    rotateRefreshTokens: options.rotateRefreshTokens ?? false,
  });
  const provider = new Provider(issuer, buildProviderConfig({ keys, adapter: Adapter, port }));
  // Entra's redirect URI rule (localhost port ignored) must hold inside oidc-provider too, for every
  // client: its own rule applies only to native clients.
  provider.Client.prototype.redirectUriAllowed = function redirectUriAllowed(
    this: { clientId: string },
    value: string,
  ) {
    return redirectUriMatches(findApp(this.clientId)?.redirectUris ?? [], value);
  };
  captureProviderErrors(provider, (err) => {
    if (!options.quiet) console.error('sandbox: oidc-provider server error', err);
  });
  provider.use(entraShape(issuer) as Parameters<Provider['use']>[0]);
  ready.context = { provider, handle: provider.callback(), store, origin, pendingMfa: new Map() };

  if (!options.quiet) console.log(`Sandbox tenant listening on ${origin} (issuer ${issuer})`);
  return {
    origin,
    port,
    issuer,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

async function route(ctx: Context, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', ctx.origin);
  const { pathname, search } = url;
  const method = req.method ?? 'GET';

  if (pathname === '/' && (method === 'GET' || method === 'HEAD')) {
    sendHtml(res, 200, portalPage(ctx.origin));
    return;
  }
  if (pathname === '/directory.json') {
    const cors = { 'access-control-allow-origin': '*', 'cache-control': 'no-store' };
    if (method === 'OPTIONS') {
      res
        .writeHead(204, { ...cors, 'access-control-allow-methods': 'GET', 'access-control-max-age': '3600' })
        .end();
    } else {
      sendJson(res, 200, buildDirectory(ctx.origin), cors);
    }
    return;
  }
  if (pathname.startsWith(INTERACTION_PREFIX)) {
    await handleInteraction(ctx.provider, ctx.pendingMfa, req, res, pathname);
    return;
  }

  const [, rawTenant = '', ...rest] = pathname.split('/');
  const sub = `/${rest.join('/')}`;
  const tenant = resolveTenantSegment(rawTenant);
  if (!tenant) {
    if (/^\/(oauth2|v2\.0|discovery)\//.test(sub)) {
      return sendEntraError(req, res, aadsts.unknownTenant(rawTenant), sub === ROUTES.authorization);
    }
    sendJson(res, 404, { error: 'not_found', error_description: `No sandbox endpoint at ${pathname}.` });
    return;
  }
  const mount = `/${tenant.segment}`;

  if (sub === '/v2.0/.well-known/openid-configuration') {
    const inner = `/.well-known/openid-configuration${search}`;
    await ctx.handle(mountRequest(req, inner, `${mount}${inner}`), res);
    return;
  }
  if (sub === ROUTES.authorization && (method === 'GET' || method === 'POST')) {
    await authorize(ctx, req, res, mount, url);
    return;
  }
  if (sub === ROUTES.token && method === 'POST') {
    await token(ctx, req, res, mount, tenant);
    return;
  }
  await ctx.handle(mountRequest(req, `${sub}${search}`, `${mount}${sub}${search}`), res);
}

function sendEntraError(req: IncomingMessage, res: ServerResponse, err: EntraError, asPage: boolean): void {
  if (asPage) {
    sendHtml(res, err.status, errorPage(err));
    return;
  }
  const requestId = req.headers['client-request-id'];
  sendJson(res, err.status, buildEntraErrorBody(err, typeof requestId === 'string' ? requestId : undefined));
}

async function authorize(
  ctx: Context,
  req: IncomingMessage,
  res: ServerResponse,
  mount: string,
  url: URL,
): Promise<void> {
  const isPost = req.method === 'POST';
  const params = isPost ? new URLSearchParams((await readBody(req)).toString('utf8')) : url.searchParams;
  const decision = checkAuthorizationRequest(params);
  if (decision.action === 'page') {
    sendHtml(res, 400, errorPage(decision.error));
    return;
  }
  if (decision.action === 'redirect') {
    const response = buildAuthorizationErrorResponse(decision);
    if ('location' in response) sendRedirect(res, response.location);
    else sendHtml(res, 200, response.html);
    return;
  }
  let forwarded: MountedRequest;
  if (isPost) {
    forwarded = replayRequest(
      req,
      decision.params.toString(),
      ROUTES.authorization,
      `${mount}${ROUTES.authorization}`,
    );
  } else {
    const inner = `${ROUTES.authorization}?${decision.params.toString()}`;
    forwarded = mountRequest(req, inner, `${mount}${inner}`);
  }
  await ctx.handle(forwarded, res);
}

async function token(
  ctx: Context,
  req: IncomingMessage,
  res: ServerResponse,
  mount: string,
  tenant: TenantSegment,
): Promise<void> {
  const origin = req.headers.origin;
  const body = isFormBody(req) ? (await readBody(req)).toString('utf8') : '';
  const decision = checkTokenRequest({
    params: new URLSearchParams(body),
    authorization: req.headers.authorization,
    origin,
    tenantKind: tenant.kind,
    store: ctx.store,
  });
  if (decision.allowOrigin !== undefined) {
    // Set before oidc-provider runs: its CORS middleware then leaves CORS to us (the gate decided).
    res.setHeader('Access-Control-Allow-Origin', decision.allowOrigin);
    res.setHeader('Vary', 'Origin');
  }
  if (decision.action === 'error') {
    const requestId = req.headers['client-request-id'];
    sendJson(
      res,
      decision.error.status,
      buildEntraErrorBody(decision.error, typeof requestId === 'string' ? requestId : undefined),
      {
        'cache-control': 'no-store, no-cache',
        pragma: 'no-cache',
      },
    );
    return;
  }
  await ctx.handle(
    replayRequest(req, decision.params.toString(), ROUTES.token, `${mount}${ROUTES.token}`),
    res,
  );
}
