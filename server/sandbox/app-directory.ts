/**
 * The directory as the lab app reads it at run time: tenant, issuer and the app registrations as they
 * stand now on the portal (ids, platform, redirect URIs, exposed scopes and — sandbox-only, labelled so —
 * a usable secret value), at `/app-directory/v1.json`. It carries a strong ETag over its content so the
 * app can poll it cheaply with `If-None-Match` (304 when nothing changed), and CORS for the app's origin.
 * The portal's `/directory.json` is served here too, unchanged.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { buildDirectory, tenantEndpoints, type PortalView } from './portal.ts';
import type { AppRegistry } from './registrations.ts';
import { SANDBOX_TENANT, type Platform } from './seed.ts';
import { sendJson } from './http-utils.ts';

/** Where the app's directory is served; the version is in the path and in the document. */
export const APP_DIRECTORY_PATH = '/app-directory/v1.json';

/** The document's schema version (`schemaVersion`); the app refuses any other. */
export const APP_DIRECTORY_SCHEMA_VERSION = 1;

/** One app registration as the lab app needs it. */
export interface AppDirectoryApp {
  readonly clientId: string;
  readonly displayName: string;
  readonly platform: Platform;
  readonly redirectUris: readonly string[];
  readonly allowPublicClientFlows: boolean;
  readonly implicitIdTokens: boolean;
  readonly implicitAccessTokens: boolean;
  /** Web platform with a secret or certificate. */
  readonly confidential: boolean;
  readonly identifierUri?: string;
  /** Delegated scopes the app exposes as an API (values only, without the identifier). */
  readonly exposedScopes: readonly string[];
  /** For an API (with `identifierUri`): the access token version Entra issues for it; null = v1.0. */
  readonly accessTokenAcceptedVersion?: 1 | 2 | null;
  /**
   * The newest unexpired secret's value: sandbox-only test data, so the lab's flows work after a secret
   * is rotated on the portal. A real Entra tenant never hands a secret out again after creating it.
   */
  readonly sandboxOnlySecret?: string;
}

/** The document at {@link APP_DIRECTORY_PATH}. */
export interface AppDirectory {
  readonly schemaVersion: typeof APP_DIRECTORY_SCHEMA_VERSION;
  readonly notice: string;
  readonly tenant: { readonly id: string; readonly domain: string; readonly displayName: string };
  /** The tenant's v2.0 issuer (`iss` of its tokens and of its authorization responses). */
  readonly issuer: string;
  /** The portal page, for links in the app. */
  readonly portal: string;
  readonly apps: readonly AppDirectoryApp[];
}

/** Builds the app's directory from the instance's live state (`registry` gives secret values). */
export function buildAppDirectory(
  origin: string,
  view: PortalView & { readonly registry: AppRegistry },
  now: number = Date.now(),
): AppDirectory {
  const directory = buildDirectory(origin, view);
  return {
    schemaVersion: APP_DIRECTORY_SCHEMA_VERSION,
    notice:
      'Sandbox-only: every client secret here is public test data for the local sandbox tenant. Never put a real secret in a sandbox.',
    tenant: directory.tenant,
    issuer: tenantEndpoints(origin)['issuer'] ?? `${origin}/${SANDBOX_TENANT.id}/v2.0`,
    portal: `${origin}/`,
    apps: directory.apps.map((app): AppDirectoryApp => {
      const secret = view.registry.newestSecretValue(app.clientId, now);
      return {
        clientId: app.clientId,
        displayName: app.displayName,
        platform: app.platform,
        redirectUris: app.redirectUris,
        allowPublicClientFlows: app.allowPublicClientFlows,
        implicitIdTokens: app.implicitIdTokens,
        implicitAccessTokens: app.implicitAccessTokens,
        confidential: app.confidential,
        ...(app.identifierUri === undefined
          ? {}
          : { identifierUri: app.identifierUri, accessTokenAcceptedVersion: app.accessTokenAcceptedVersion }),
        exposedScopes: app.exposedScopes,
        ...(secret === undefined ? {} : { sandboxOnlySecret: secret }),
      };
    }),
  };
}

/** A strong entity tag over the exact bytes sent (RFC 9110 §8.8.3). */
export function entityTag(body: string): string {
  return `"${createHash('sha256').update(body).digest('base64url')}"`;
}

/**
 * RFC 9110 §13.1.2: If-None-Match compares with the weak comparison function, so `W/"x"` matches `"x"`;
 * `*` matches any current representation.
 */
export function noneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const wanted = etag.replace(/^W\//, '');
  return header
    .split(',')
    .map((tag) => tag.trim())
    .some((tag) => tag === '*' || tag.replace(/^W\//, '') === wanted);
}

const CORS = {
  'access-control-allow-origin': '*',
  // The app reads the tag to send it back; a cross-origin script sees only safelisted headers otherwise.
  'access-control-expose-headers': 'ETag',
};

/** True for the paths this module serves. */
export function isDirectoryPath(pathname: string): boolean {
  return pathname === '/directory.json' || pathname === APP_DIRECTORY_PATH;
}

/** Serves `/directory.json` (as the portal shows it) and the app's directory with its ETag. */
export function handleDirectoryRequest(
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
  origin: string,
  view: PortalView & { readonly registry: AppRegistry },
): void {
  const method = req.method ?? 'GET';
  if (method === 'OPTIONS') {
    res
      .writeHead(204, {
        ...CORS,
        'access-control-allow-methods': 'GET, HEAD',
        'access-control-allow-headers': 'If-None-Match',
        'access-control-max-age': '3600',
      })
      .end();
    return;
  }
  if (method !== 'GET' && method !== 'HEAD') {
    sendJson(
      res,
      405,
      { error: 'method_not_allowed', error_description: `${pathname} answers GET only.` },
      { ...CORS, allow: 'GET, HEAD, OPTIONS' },
    );
    return;
  }
  if (pathname === '/directory.json') {
    sendJson(res, 200, buildDirectory(origin, view), { ...CORS, 'cache-control': 'no-store' });
    return;
  }
  const body = JSON.stringify(buildAppDirectory(origin, view));
  const etag = entityTag(body);
  // no-cache: a cache may keep it but must ask again each time; the portal can change it any moment.
  const headers = { ...CORS, etag, 'cache-control': 'no-cache' };
  if (noneMatch(req.headers['if-none-match'], etag)) {
    res.writeHead(304, headers).end();
    return;
  }
  res.writeHead(200, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(method === 'HEAD' ? undefined : body);
}
