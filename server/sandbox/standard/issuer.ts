/**
 * The standards issuer: a second oidc-provider instance at `${origin}/standard`, beside the Entra-shaped
 * tenant on the same port. It speaks plain OAuth 2.0 / OpenID Connect with the library's own paths, so
 * the app can show what a standards-only provider offers (PAR, JAR, JARM, DPoP, introspection, …).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import Provider, { type AdapterConstructor, type ClientMetadata } from 'oidc-provider';
import { createMemoryAdapter, type ArtifactStore } from '../adapter.ts';
import { createSharedStoreAdapter } from '../store/redis-adapter.ts';
import type { SharedStore } from '../store/shared-store.ts';
import { mountRequest, sendJson } from '../http-utils.ts';
import { SANDBOX_USERS } from '../seed.ts';
import { SeededClientStore } from './clients.ts';
import {
  buildStandardConfig,
  DEFAULT_STANDARD_SETTINGS,
  SharedStandardSettings,
  type StandardSettings,
} from './config.ts';
import type { TenantState } from '../tenant-state.ts';
import { handleStandardInteraction, STANDARD_INTERACTION_PREFIX } from './interactions.ts';
import { loadOrCreateStandardKeys, publicJwks } from './keys.ts';
import {
  handleStandardPortalApi,
  sendStandardPortalPage,
  STANDARD_PORTAL_API_PREFIX,
  STANDARD_PORTAL_PATH,
  type StandardPortalState,
} from './portal.ts';
import { handleResourceRequest, STANDARD_API_PATH, type ResourceDeps } from './resource-api.ts';
import { registerTokenExchange } from './token-exchange.ts';

/** The issuer's path below the sandbox origin. */
export const STANDARD_PREFIX = '/standard';
/** RFC 8414 §3.1: the well-known URI for an issuer with a path inserts the suffix before the path. */
export const STANDARD_AS_METADATA_PATH = `/.well-known/oauth-authorization-server${STANDARD_PREFIX}`;
/** The directory the app reads the seeded clients and users from. */
export const STANDARD_DIRECTORY_PATH = `${STANDARD_PREFIX}/directory.json`;
/** Registration endpoint path (oidc-provider's default route) below the issuer. */
const REGISTRATION_PATH = '/reg';

/** Options of {@link createStandardIssuer}. */
export interface StandardIssuerOptions {
  readonly origin: string;
  /** The port browsers see (cookie names carry it). */
  readonly port: number;
  /** Behind a reverse proxy: trust X-Forwarded-Host/Proto for the URLs oidc-provider builds. */
  readonly proxy?: boolean;
  readonly dataDir: string;
  readonly quiet?: boolean;
  /** Initial runtime settings (tests use a short PAR lifetime). */
  readonly settings?: Partial<StandardSettings>;
  /**
   * The tenant's shared store: when it is Redis, artifacts (under `standard:oidc:`) and keys live there,
   * so every instance serves this issuer; otherwise both stay in this process and the data dir.
   */
  readonly shared?: SharedStore;
  /**
   * The tenant state (tenant-state.ts): the seeded clients' registered keys and the runtime settings are
   * parts of it, so every instance sees a change made on any. Absent: both stay in this process.
   */
  readonly tenant?: TenantState;
}

/** A running standards issuer, routed to by the sandbox's server. */
export interface StandardIssuer {
  readonly issuer: string;
  /** The protected resource's identifier (RFC 8707). */
  readonly resource: string;
  readonly provider: Provider;
  readonly settings: StandardSettings;
  readonly clients: SeededClientStore;
  readonly store: ArtifactStore;
  /** True when the path belongs to the standards issuer. */
  owns(pathname: string): boolean;
  /** Answers a request whose path it {@link owns}. */
  route(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void>;
  close(): void;
}

/** The grants oidc-provider registers itself with the features switched on in config.ts. */
const BUILT_IN_GRANTS = [
  'authorization_code',
  'refresh_token',
  'client_credentials',
  'urn:ietf:params:oauth:grant-type:device_code',
];

/** Creates the standards issuer (its keys are loaded or made in `dataDir`). */
export async function createStandardIssuer(options: StandardIssuerOptions): Promise<StandardIssuer> {
  const issuer = `${options.origin}${STANDARD_PREFIX}`;
  const resource = `${issuer}/api`;
  const settings: StandardSettings = { ...DEFAULT_STANDARD_SETTINGS, ...options.settings };
  const keys = await loadOrCreateStandardKeys(options.dataDir, options.shared);
  const holder: { clients?: SeededClientStore } = {};
  // The seeded clients; the adapter falls back to the clients registered at run time (RFC 7591).
  const findClient = (id: string): ClientMetadata | undefined => holder.clients?.find(id);
  const adapterOptions = { rotateRefreshTokens: () => true, findClient };
  const { Adapter, store }: { Adapter: AdapterConstructor; store: ArtifactStore } =
    options.shared?.kind === 'redis'
      ? createSharedStoreAdapter({ ...adapterOptions, store: options.shared, namespace: 'standard:oidc:' })
      : createMemoryAdapter(adapterOptions);
  const provider = new Provider(
    issuer,
    buildStandardConfig({ keys, adapter: Adapter, port: options.port, resource, settings }),
  );
  provider.proxy = options.proxy ?? false;
  allowLoopbackPorts(provider);
  limitPushedRequestLifetime(provider, settings);
  const registered = new Set(BUILT_IN_GRANTS);
  const register = provider.registerGrantType.bind(provider);
  provider.registerGrantType = (name, ...rest) => {
    registered.add(name);
    register(name, ...rest);
  };
  registerTokenExchange(provider);
  const clients = new SeededClientStore(registered, options.tenant);
  const sharedSettings = options.tenant ? new SharedStandardSettings(settings, options.tenant) : undefined;
  const changeSettings = async (patch: Partial<StandardSettings>): Promise<void> => {
    if (sharedSettings) await sharedSettings.change(patch);
    else Object.assign(settings, patch);
  };
  holder.clients = clients;
  const handle = provider.callback();
  const resourceDeps: ResourceDeps = {
    issuer,
    resource,
    publicJwks: publicJwks(keys),
    ...(options.shared ? { shared: options.shared } : {}),
  };

  const owns = (pathname: string): boolean =>
    pathname === STANDARD_PREFIX ||
    pathname.startsWith(`${STANDARD_PREFIX}/`) ||
    pathname === STANDARD_AS_METADATA_PATH;

  const route = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const { pathname, search } = url;
    const method = req.method ?? 'GET';
    if (pathname === STANDARD_AS_METADATA_PATH) {
      const inner = `/.well-known/openid-configuration${search}`;
      await handle(mountRequest(req, inner, `${STANDARD_PREFIX}${inner}`), res);
      return;
    }
    if (pathname === STANDARD_DIRECTORY_PATH && (method === 'GET' || method === 'HEAD')) {
      sendJson(res, 200, directory(issuer, clients), {
        'access-control-allow-origin': '*',
        'cache-control': 'no-store',
      });
      return;
    }
    const portal: StandardPortalState = { issuer, clients, settings, changeSettings };
    if (pathname === STANDARD_PORTAL_PATH && (method === 'GET' || method === 'HEAD')) {
      sendStandardPortalPage(portal, res);
      return;
    }
    if (pathname.startsWith(STANDARD_PORTAL_API_PREFIX)) {
      await handleStandardPortalApi(portal, req, res, pathname);
      return;
    }
    if (pathname === STANDARD_API_PATH) {
      await handleResourceRequest(resourceDeps, req, res);
      return;
    }
    if (pathname.startsWith(STANDARD_INTERACTION_PREFIX)) {
      await handleStandardInteraction(provider, req, res, pathname);
      return;
    }
    const sub = pathname.slice(STANDARD_PREFIX.length) || '/';
    if (sub === REGISTRATION_PATH || sub.startsWith(`${REGISTRATION_PATH}/`)) {
      if (registrationCors(req, res)) return;
    }
    await handle(mountRequest(req, `${sub}${search}`, `${pathname}${search}`), res);
  };

  return {
    issuer,
    resource,
    provider,
    settings,
    clients,
    store,
    owns,
    route,
    close: () => store.close(),
  };
}

/** The directory document: the seeded clients (with their sandbox-only secrets) and users. */
function directory(issuer: string, clients: SeededClientStore): Record<string, unknown> {
  return {
    issuer,
    portal: `${issuer}/portal`,
    notice:
      'Sandbox-only test data: these passwords and client secrets are published on purpose and work only against this local sandbox.',
    users: SANDBOX_USERS.map((u) => ({
      username: u.userPrincipalName,
      password: u.password,
      displayName: u.displayName,
    })),
    clients: clients.directoryEntries(),
  };
}

/**
 * oidc-provider serves registration without CORS; the sandbox opens it to any origin (a local sandbox,
 * RFC 7591 §3 and RFC 7592 §2 calls from the browser). Answers a preflight itself (returns true).
 */
function registrationCors(req: IncomingMessage, res: ServerResponse): boolean {
  res.setHeader('access-control-allow-origin', '*');
  res.setHeader('access-control-expose-headers', 'WWW-Authenticate');
  if (req.method !== 'OPTIONS') return false;
  res.writeHead(204, {
    'access-control-allow-methods': 'GET, POST, PUT, DELETE',
    'access-control-allow-headers': 'authorization, content-type',
    'access-control-max-age': '3600',
  });
  res.end();
  return true;
}

/**
 * RFC 9126 §2.2: `expires_in` of a pushed request is the server's choice; oidc-provider fixes it at 60 s.
 * The sandbox shortens it to the runtime setting, in the store and in the answer, so an expired
 * `request_uri` can be shown without waiting a minute.
 */
function limitPushedRequestLifetime(provider: Provider, settings: Readonly<StandardSettings>): void {
  const model = provider.PushedAuthorizationRequest.prototype as unknown as {
    save(ttl?: number): Promise<string>;
  };
  const save = model.save;
  model.save = function saveWithSandboxLifetime(this: unknown, ttl?: number): Promise<string> {
    return save.call(this, Math.min(ttl ?? 60, settings.parRequestUriLifetimeSeconds));
  };
  provider.use(async (ctx, next) => {
    await next();
    const body = ctx.body as { expires_in?: unknown } | undefined;
    if (ctx.oidc?.route === 'pushed_authorization_request' && typeof body?.expires_in === 'number') {
      body.expires_in = Math.min(body.expires_in, settings.parRequestUriLifetimeSeconds);
    }
  });
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * RFC 8252 §7.3: for loopback redirect URIs the port may vary; everything else must match exactly
 * (RFC 6749 §3.1.2.3). Applies to redirect and post-logout redirect URIs.
 */
export function redirectUriMatches(registered: readonly string[], requested: string): boolean {
  if (registered.includes(requested)) return true;
  let wanted: URL;
  try {
    wanted = new URL(requested);
  } catch {
    return false;
  }
  if (wanted.protocol !== 'http:' || !LOOPBACK_HOSTS.has(wanted.hostname) || wanted.hash) return false;
  return registered.some((candidate) => {
    let allowed: URL;
    try {
      allowed = new URL(candidate);
    } catch {
      return false;
    }
    return (
      allowed.protocol === 'http:' &&
      allowed.hostname === wanted.hostname &&
      allowed.pathname === wanted.pathname &&
      allowed.search === wanted.search
    );
  });
}

function allowLoopbackPorts(provider: Provider): void {
  const proto = provider.Client.prototype as unknown as {
    redirectUris?: string[];
    postLogoutRedirectUris?: string[];
    redirectUriAllowed(value: string): boolean;
    postLogoutRedirectUriAllowed(value: string): boolean;
  };
  proto.redirectUriAllowed = function redirectUriAllowed(this: typeof proto, value: string): boolean {
    return redirectUriMatches(this.redirectUris ?? [], value);
  };
  proto.postLogoutRedirectUriAllowed = function postLogoutRedirectUriAllowed(
    this: typeof proto,
    value: string,
  ): boolean {
    return redirectUriMatches(this.postLogoutRedirectUris ?? [], value);
  };
}
