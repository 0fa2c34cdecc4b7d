/**
 * Entra's scope grammar: `openid profile email offline_access` plus resource-prefixed permissions
 * (`https://graph.microsoft.com/User.Read`, `api://<id>/access_as_user`, `<resource>/.default`), where a
 * bare permission means Microsoft Graph. The sandbox hands oidc-provider fully-qualified scope values and
 * one resource indicator (RFC 8707) per API.
 */
import { aadsts, type EntraError } from './entra-errors.ts';
import { apiByIdentifier, findApi, type SandboxApi } from './directory.ts';
import type { AppRegistration } from './registrations.ts';
import { GRAPH_RESOURCE, SANDBOX_APPS, SANDBOX_TENANT } from './seed.ts';

/** The OpenID Connect scopes Entra handles itself. */
export const OIDC_SCOPES = ['openid', 'profile', 'email', 'offline_access'] as const;

const OIDC_SET: ReadonlySet<string> = new Set(OIDC_SCOPES);

/** A scope parameter resolved against an app registration. */
export interface ResolvedScopes {
  /** OIDC scopes asked for, lower-cased. */
  readonly oidc: readonly string[];
  /** Resource identifier → fully-qualified permissions (`<identifier>/<value>`). */
  readonly resources: ReadonlyMap<string, readonly string[]>;
}

/** Result of resolving a scope string: the scopes, or the AADSTS error Entra would answer with. */
export type ScopeResolution =
  { readonly ok: true; readonly scopes: ResolvedScopes } | { readonly ok: false; readonly error: EntraError };

/** Splits a fully-qualified permission into its API and value; undefined for OIDC scopes. */
export function splitPermission(
  scope: string,
): { readonly api: SandboxApi; readonly value: string } | undefined {
  const slash = scope.lastIndexOf('/');
  if (slash === -1) return undefined;
  const api = findApi(scope.slice(0, slash));
  return api ? { api, value: scope.slice(slash + 1) } : undefined;
}

/** The permission value without its resource prefix, as the `scp` claim carries it. */
export function permissionValue(scope: string): string {
  return splitPermission(scope)?.value ?? scope;
}

/** How {@link resolveScopes} treats a permission the app registration does not list. */
export interface ResolveOptions {
  /**
   * Dynamic (incremental) consent: an interactive request may ask for any delegated permission the API
   * exposes, and the consent page lists what is new
   * (https://learn.microsoft.com/entra/identity-platform/consent-types-developer#incremental-and-dynamic-user-consent).
   * Off for grants that cannot show a consent page (password, on-behalf-of): AADSTS650057 there.
   * `.default` always means the registered list, so it is AADSTS650057 without one either way.
   */
  readonly dynamic?: boolean;
}

/**
 * Resolves a space-separated scope parameter for `app`. Without `dynamic`, only permissions listed in
 * the app's `delegatedPermissions` can be asked for (AADSTS650057 otherwise).
 */
export function resolveScopes(
  app: AppRegistration,
  scopeParam: string,
  options: ResolveOptions = {},
): ScopeResolution {
  const oidc: string[] = [];
  const resources = new Map<string, string[]>();
  const defaults = new Set<string>();
  const explicit = new Set<string>();

  for (const raw of scopeParam.split(' ').filter(Boolean)) {
    const lower = raw.toLowerCase();
    if (OIDC_SET.has(lower)) {
      if (!oidc.includes(lower)) oidc.push(lower);
      continue;
    }
    const slash = raw.lastIndexOf('/');
    // Entra: a permission without a resource prefix is a Microsoft Graph permission.
    const prefix = slash === -1 ? GRAPH_RESOURCE.identifier : raw.slice(0, slash);
    const value = slash === -1 ? raw : raw.slice(slash + 1);
    const api = findApi(prefix);
    if (!api) {
      return prefix.includes(':') || prefix.includes('.')
        ? { ok: false, error: aadsts.unknownResource(prefix, SANDBOX_TENANT.domain) }
        : { ok: false, error: aadsts.invalidScope(raw) };
    }
    const configured = app.delegatedPermissions[api.identifier] ?? [];
    const list = resources.get(api.identifier) ?? [];
    if (value === '.default') {
      // `.default` means "every permission configured on the registration for this resource".
      if (configured.length === 0) {
        return { ok: false, error: permissionError(app, raw) };
      }
      defaults.add(api.identifier);
      for (const permission of configured) pushUnique(list, `${api.identifier}/${permission}`);
    } else {
      const canonical = api.delegatedScopes.find((s) => s.toLowerCase() === value.toLowerCase());
      if (!canonical) return { ok: false, error: aadsts.invalidScope(raw) };
      if (!configured.includes(canonical) && !options.dynamic) {
        return { ok: false, error: permissionError(app, raw) };
      }
      explicit.add(api.identifier);
      pushUnique(list, `${api.identifier}/${canonical}`);
    }
    resources.set(api.identifier, list);
  }

  for (const identifier of defaults) {
    if (explicit.has(identifier))
      return { ok: false, error: aadsts.defaultWithOthers(`${identifier}/.default`) };
  }
  return { ok: true, scopes: { oidc, resources } };
}

function pushUnique(list: string[], value: string): void {
  if (!list.includes(value)) list.push(value);
}

function permissionError(app: AppRegistration, scope: string): EntraError {
  const valid = Object.entries(app.delegatedPermissions)
    .flatMap(([resource, values]) => values.map((v) => `${resource}/${v}`))
    .join(', ');
  return aadsts.permissionNotConfigured(app.clientId, app.displayName, scope, valid || '(none)');
}

/** The scope string oidc-provider works with: OIDC scopes then fully-qualified permissions. */
export function toProviderScope(scopes: ResolvedScopes): string {
  return [...scopes.oidc, ...[...scopes.resources.values()].flat()].join(' ');
}

/** Display data for the consent page: a permission's API and description. */
export function describePermission(scope: string): {
  readonly api: string;
  readonly value: string;
  readonly description: string;
} {
  const parts = splitPermission(scope);
  if (!parts) return { api: 'OpenID Connect', value: scope, description: OIDC_DESCRIPTIONS[scope] ?? scope };
  return {
    api: parts.api.displayName,
    value: parts.value,
    description: parts.api.descriptions[parts.value] ?? parts.value,
  };
}

const OIDC_DESCRIPTIONS: Readonly<Record<string, string>> = {
  openid: 'Sign you in',
  profile: 'View your basic profile',
  email: 'View your email address',
  offline_access: 'Maintain access to data you have given it access to',
};

/**
 * Whether a fully-qualified permission needs an administrator's consent: Graph's admin-only scopes and
 * API scopes whose "Who can consent" is "Admins only"
 * (https://learn.microsoft.com/entra/identity-platform/permissions-consent-overview#admin-restricted-permissions).
 */
export function isAdminOnly(scope: string): boolean {
  const parts = splitPermission(scope);
  if (!parts) return false;
  if (parts.api.identifier === GRAPH_RESOURCE.identifier) {
    return (GRAPH_RESOURCE.adminOnlyScopes ?? []).includes(parts.value);
  }
  const app = SANDBOX_APPS.find((a) => a.identifierUri === parts.api.identifier);
  return (app?.exposedScopes ?? []).some((s) => s.value === parts.value && s.adminOnly === true);
}

/** The API for a resource indicator the provider hands back (always one the sandbox registered). */
export function requireApi(identifier: string): SandboxApi {
  const api = apiByIdentifier(identifier);
  if (!api) throw new Error(`Unknown resource ${identifier}`);
  return api;
}

/**
 * The `scope` of a token response as Entra writes it: the granted permissions (a `.default` request already
 * expanded to them) with Microsoft Graph's bare (`User.Read`, not `https://graph.microsoft.com/User.Read`),
 * other APIs' fully qualified, each once; then the OIDC scopes asked for, except `offline_access`, which
 * Entra answers with a refresh token rather than echoes. Any other value in `oidcAsked` is ignored.
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow#successful-response-2
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/scopes-oidc#the-default-scope
 */
export function entraScopeEcho(permissions: readonly string[], oidcAsked: readonly string[]): string {
  const graphPrefix = `${GRAPH_RESOURCE.identifier}/`;
  const echoed: string[] = [];
  for (const permission of permissions) {
    if (permission === '' || OIDC_SET.has(permission)) continue;
    const shown = permission.startsWith(graphPrefix) ? permission.slice(graphPrefix.length) : permission;
    pushUnique(echoed, shown);
  }
  for (const scope of oidcAsked) {
    const lower = scope.toLowerCase();
    if (OIDC_SET.has(lower) && lower !== 'offline_access') pushUnique(echoed, lower);
  }
  return echoed.join(' ');
}
