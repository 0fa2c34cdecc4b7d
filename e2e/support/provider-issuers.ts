/**
 * A real provider served from loopback: one Node http server per origin its discovery document
 * names (Google: accounts.google.com, oauth2.googleapis.com, …), each on its own port of 127.0.0.1,
 * reached as http://localhost:<port>. The document is served where a client looks for it (OIDC
 * Discovery §4.1) with every URL's origin — and nothing else — rewritten; the key set is served at
 * the document's jwks_uri path, as published or swapped for a shaped set with our own material.
 * Like the real token and metadata hosts of most providers, no CORS headers are sent unless asked,
 * so a browser must go through the app's relay. Every request is logged with who made it.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  oauthAuthorizationServerUrl,
  openIdConfigurationUrl,
  originsNamed,
  pathAndQuery,
  publishedIssuer,
  rewriteOrigins,
  rewriteUrl,
  TENANT_TEMPLATE,
  type ProviderFixture,
} from './provider-fixtures.ts';

/** Which well-known location holds the document (OIDC Discovery §4.1 or RFC 8414 §3.1). */
export type WellKnown = 'openid-configuration' | 'oauth-authorization-server';

export interface ProviderIssuerOptions {
  /** The first port; the provider's origins take this and the next ones. 0: any free port. */
  readonly basePort: number;
  /** Also serve a templated (Entra) document at these tenants' paths, as Entra does for every tenant. */
  readonly tenants?: readonly string[];
  /** Where the document lives; OIDC's location unless said otherwise. */
  readonly wellKnown?: WellKnown;
  /** Send `Access-Control-Allow-Origin: *`, to exercise the browser's direct path. */
  readonly cors?: boolean;
}

/** One request as the loopback server saw it. */
export interface SeenRequest {
  readonly origin: string;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  /** `relay`: a bare Node request (no User-Agent, no Fetch Metadata), as the app's relay sends. */
  readonly via: 'relay' | 'browser';
}

export interface ProviderIssuers {
  readonly fixture: ProviderFixture;
  /** Published origin → loopback origin. */
  readonly origins: ReadonlyMap<string, string>;
  /** The document as served: every URL's origin rewritten. */
  readonly metadata: Readonly<Record<string, unknown>>;
  /** The issuer to type in Settings: the published one (template filled with its tenant) rewritten. */
  readonly issuer: string;
  /** Where the document is served. */
  readonly discoveryUrl: string;
  /** The served jwks_uri. */
  readonly jwksUri: string;
  /** Serve the published keys (`'published'`) or another key set at jwks_uri. */
  useKeys(keys: 'published' | { readonly keys: readonly unknown[] }): void;
  setCors(on: boolean): void;
  readonly requests: readonly SeenRequest[];
  /** How many requests reached this URL (path and query compared, origin too), optionally by whom. */
  count(url: string, via?: SeenRequest['via']): number;
  clearRequests(): void;
  close(): Promise<void>;
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

/** Path and query as a URL parser normalises them, so the relay's request and the document agree. */
function normalizedPath(pathWithQuery: string): string {
  const url = new URL(pathWithQuery, 'http://localhost');
  return `${url.pathname}${url.search}`;
}

/**
 * Starts the loopback servers for one provider. Rejects if a port is taken.
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderConfigurationRequest
 */
export async function startProviderIssuers(
  fixture: ProviderFixture,
  options: ProviderIssuerOptions,
): Promise<ProviderIssuers> {
  const published = originsNamed(fixture.metadata);
  const requests: SeenRequest[] = [];
  let keys: 'published' | { readonly keys: readonly unknown[] } = 'published';
  let cors = options.cors === true;
  // Routes by loopback origin, then normalised path: the body to answer with.
  const routes = new Map<string, Map<string, () => unknown>>();
  const servers: Server[] = [];
  const origins = new Map<string, string>();

  const handle = (origin: string, req: IncomingMessage, res: ServerResponse) => {
    const path = normalizedPath(req.url ?? '/');
    const body = routes.get(origin)?.get(path);
    const via =
      req.headers['user-agent'] === undefined && req.headers['sec-fetch-mode'] === undefined
        ? 'relay'
        : 'browser';
    const status = req.method === 'GET' && body !== undefined ? 200 : 404;
    requests.push({ origin, method: req.method ?? '', path, status, via });
    const headers: Record<string, string> = { 'Cache-Control': 'no-store' };
    if (cors) headers['Access-Control-Allow-Origin'] = '*';
    if (status === 200 && body !== undefined) {
      res.writeHead(200, { ...headers, 'Content-Type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(body()));
    } else {
      // Real hosts answer unknown paths with HTML, not JSON.
      res.writeHead(404, { ...headers, 'Content-Type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><title>Not found</title><p>Not found');
    }
  };

  try {
    for (const [index, publishedOrigin] of published.entries()) {
      const server = createServer();
      servers.push(server);
      const port = await listen(server, options.basePort === 0 ? 0 : options.basePort + index);
      const loopback = `http://localhost:${port}`;
      origins.set(publishedOrigin, loopback);
      routes.set(loopback, new Map());
      server.on('request', (req, res) => handle(loopback, req, res));
    }
  } catch (error) {
    await Promise.all(servers.map(close));
    throw error;
  }

  const metadata = rewriteOrigins(fixture.metadata, origins);
  const issuer = rewriteUrl(publishedIssuer(fixture.metadata), origins);
  const locate =
    options.wellKnown === 'oauth-authorization-server' ? oauthAuthorizationServerUrl : openIdConfigurationUrl;
  const discoveryUrl = locate(issuer);
  const route = (url: string, body: () => unknown) => {
    const origin = new URL(url).origin;
    const table = routes.get(origin);
    if (table === undefined) throw new Error(`${url} is on no server of ${fixture.id}.`);
    table.set(normalizedPath(pathAndQuery(url)), body);
  };
  route(discoveryUrl, () => metadata);
  const templated = metadata['issuer'];
  for (const tenant of options.tenants ?? []) {
    if (typeof templated !== 'string' || !templated.includes(TENANT_TEMPLATE))
      throw new Error(`${fixture.id}'s issuer is no tenant template.`);
    route(locate(templated.replace(TENANT_TEMPLATE, tenant)), () => metadata);
  }
  const jwksUri = metadata['jwks_uri'];
  if (typeof jwksUri !== 'string') throw new Error(`${fixture.id} publishes no jwks_uri.`);
  route(jwksUri, () => (keys === 'published' ? fixture.jwks : keys));

  const sameUrl = (seen: SeenRequest, url: string) =>
    seen.origin === new URL(url).origin && seen.path === normalizedPath(pathAndQuery(url));

  return {
    fixture,
    origins,
    metadata,
    issuer,
    discoveryUrl,
    jwksUri,
    useKeys: (next) => {
      keys = next;
    },
    setCors: (on) => {
      cors = on;
    },
    requests,
    count: (url, via) =>
      requests.filter((r) => sameUrl(r, url) && (via === undefined || r.via === via)).length,
    clearRequests: () => {
      requests.length = 0;
    },
    close: async () => {
      await Promise.all(servers.map(close));
    },
  };
}

/**
 * Starts every provider on ports the system picks. Fixed ports here would sit in Linux's ephemeral
 * range (32768–60999), where a client socket of the same run can already hold one (EADDRINUSE).
 */
export async function startAllProviderIssuers(
  fixtures: readonly ProviderFixture[],
  options: (fixture: ProviderFixture) => Omit<ProviderIssuerOptions, 'basePort'> = () => ({}),
): Promise<Map<string, ProviderIssuers>> {
  const started = new Map<string, ProviderIssuers>();
  try {
    for (const fixture of fixtures) {
      started.set(
        fixture.id,
        await startProviderIssuers(fixture, {
          ...options(fixture),
          basePort: 0,
        }),
      );
    }
  } catch (error) {
    await Promise.all([...started.values()].map((issuers) => issuers.close()));
    throw error;
  }
  return started;
}
