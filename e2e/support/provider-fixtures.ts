/**
 * The 13 real providers' published discovery documents and key sets (test-fixtures/providers), and
 * the pure rules the loopback harness uses to serve them: which origins a document names, how each is
 * moved to a loopback origin (the origin only — path, trailing slash and query stay as published), and
 * where a client finds the document (OIDC Discovery §4.1, RFC 8414 §3.1). No I/O but reading the files.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** One provider as captured: `metadata` is the discovery document, `jwks` the key set, both verbatim. */
export interface ProviderFixture {
  readonly id: string;
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly jwks: { readonly keys: readonly Readonly<Record<string, unknown>>[] };
}

export const PROVIDER_FIXTURE_DIR = fileURLToPath(new URL('../../test-fixtures/providers/', import.meta.url));

/** Every fixture, sorted by id (the file name without .json). */
export function loadProviderFixtures(dir: string = PROVIDER_FIXTURE_DIR): ProviderFixture[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => {
      const parsed = JSON.parse(readFileSync(`${dir}/${name}`, 'utf8')) as {
        metadata: Record<string, unknown>;
        jwks: { keys: Record<string, unknown>[] };
      };
      return { id: name.replace(/\.json$/, ''), metadata: parsed.metadata, jwks: parsed.jwks };
    });
}

/** The scheme and authority of an absolute http(s) URL exactly as written (case and all), or undefined. */
const ORIGIN_PREFIX = /^https?:\/\/[^/?#\s]+/i;

function originPrefixOf(value: string): string | undefined {
  return ORIGIN_PREFIX.exec(value)?.[0];
}

function normalizedOrigin(prefix: string): string | undefined {
  try {
    return new URL(prefix).origin;
  } catch {
    return undefined;
  }
}

function collectStrings(value: unknown, out: string[]): void {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const item of value) collectStrings(item, out);
  else if (typeof value === 'object' && value !== null)
    for (const item of Object.values(value)) collectStrings(item, out);
}

/** The distinct origins of every absolute URL anywhere in a document, the issuer's first. */
export function originsNamed(document: Readonly<Record<string, unknown>>): string[] {
  const strings: string[] = [];
  collectStrings(document['issuer'], strings);
  collectStrings(document, strings);
  const origins = new Set<string>();
  for (const value of strings) {
    const prefix = originPrefixOf(value);
    const origin = prefix === undefined ? undefined : normalizedOrigin(prefix);
    if (origin !== undefined) origins.add(origin);
  }
  return [...origins];
}

/**
 * Replaces the origin of one URL string by its mapped origin and keeps every other character as
 * written; strings that are not absolute URLs of a mapped origin are returned unchanged.
 */
export function rewriteUrl(value: string, map: ReadonlyMap<string, string>): string {
  const prefix = originPrefixOf(value);
  if (prefix === undefined) return value;
  const origin = normalizedOrigin(prefix);
  const target = origin === undefined ? undefined : map.get(origin);
  return target === undefined ? value : `${target}${value.slice(prefix.length)}`;
}

/** A deep copy with every URL string's origin rewritten; keys, numbers and other strings untouched. */
export function rewriteOrigins<T>(value: T, map: ReadonlyMap<string, string>): T {
  if (typeof value === 'string') return rewriteUrl(value, map) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => rewriteOrigins(item, map)) as T;
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, rewriteOrigins(item, map)]),
    ) as T;
  }
  return value;
}

/** The path and query of a URL string as written, without its origin or fragment. */
export function pathAndQuery(url: string): string {
  const prefix = originPrefixOf(url) ?? '';
  const rest = url.slice(prefix.length).replace(/#.*$/, '');
  return rest === '' || rest.startsWith('?') ? `/${rest}` : rest;
}

/** Entra's multi-tenant documents name the issuer as a template: `…/{tenantid}/v2.0`. */
export const TENANT_TEMPLATE = '{tenantid}';

/**
 * The issuer under which a document was published. A templated issuer (Entra's `{tenantid}`) is
 * published under the tenant alias its own endpoints use: the authorization endpoint's path segment
 * at the template's position (`/common/oauth2/v2.0/authorize` → `common`).
 */
export function publishedIssuer(metadata: Readonly<Record<string, unknown>>): string {
  const issuer = metadata['issuer'];
  if (typeof issuer !== 'string') throw new Error('The document names no issuer.');
  if (!issuer.includes(TENANT_TEMPLATE)) return issuer;
  const issuerSegments = pathAndQuery(issuer).split('/');
  const index = issuerSegments.indexOf(TENANT_TEMPLATE);
  const authorization = metadata['authorization_endpoint'];
  const alias = typeof authorization === 'string' ? pathAndQuery(authorization).split('/')[index] : undefined;
  if (alias === undefined || alias === '')
    throw new Error(`Cannot tell which tenant ${issuer} was published for.`);
  return issuer.replace(TENANT_TEMPLATE, alias);
}

/**
 * Where OpenID Connect Discovery finds an issuer's document: the issuer with any trailing slash
 * removed, then `/.well-known/openid-configuration` (OIDC Discovery §4.1).
 */
export function openIdConfigurationUrl(issuer: string): string {
  return `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
}

/**
 * Where RFC 8414 §3.1 finds it: the well-known path inserted between the host and the issuer's path.
 */
export function oauthAuthorizationServerUrl(issuer: string): string {
  const prefix = originPrefixOf(issuer) ?? '';
  const path = pathAndQuery(issuer).replace(/\/+$/, '');
  return `${prefix}/.well-known/oauth-authorization-server${path === '/' ? '' : path}`;
}

/** The endpoints a flow takes from a document, by the names the Settings page shows them under. */
export interface DocumentEndpoints {
  readonly authorization: string | undefined;
  readonly token: string | undefined;
  readonly deviceAuthorization: string | undefined;
  readonly jwks: string | undefined;
}

function stringField(document: Readonly<Record<string, unknown>>, field: string): string | undefined {
  const value = document[field];
  return typeof value === 'string' ? value : undefined;
}

/** The four endpoint fields of a document, as published (undefined when absent). */
export function documentEndpoints(document: Readonly<Record<string, unknown>>): DocumentEndpoints {
  return {
    authorization: stringField(document, 'authorization_endpoint'),
    token: stringField(document, 'token_endpoint'),
    deviceAuthorization: stringField(document, 'device_authorization_endpoint'),
    jwks: stringField(document, 'jwks_uri'),
  };
}
