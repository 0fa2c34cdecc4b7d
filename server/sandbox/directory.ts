/**
 * Read-only views over the seeded directory: tenant aliases, users, app registrations and the
 * resources (APIs) their scopes point at. Everything derives from `seed.ts`; the app registrations
 * as edited at runtime are in `registrations.ts`.
 */
import { createHash } from 'node:crypto';
import { GRAPH_RESOURCE, SANDBOX_APPS, SANDBOX_TENANT, SANDBOX_USERS, type SandboxUser } from './seed.ts';

/** The tenant segments Entra accepts besides a tenant id or verified domain. */
export const MULTI_TENANT_ALIASES = ['common', 'organizations', 'consumers'] as const;

/** How a `{tenant}` path segment resolved: the canonical segment to mount the provider under. */
export type TenantSegment =
  | { readonly kind: 'tenant'; readonly segment: string }
  | { readonly kind: 'alias'; readonly segment: (typeof MULTI_TENANT_ALIASES)[number] };

/** Resolves a `{tenant}` path segment: the tenant GUID, its domain (mapped to the GUID) or a multi-tenant alias. */
export function resolveTenantSegment(raw: string): TenantSegment | undefined {
  const value = raw.toLowerCase();
  if (value === SANDBOX_TENANT.id || value === SANDBOX_TENANT.domain) {
    return { kind: 'tenant', segment: SANDBOX_TENANT.id };
  }
  const alias = MULTI_TENANT_ALIASES.find((a) => a === value);
  return alias ? { kind: 'alias', segment: alias } : undefined;
}

/**
 * The display name of an app registration (names are not editable, so the seed answers). For anything
 * the portal can change, ask the instance's `AppRegistry`.
 */
export function appDisplayName(clientId: string | undefined): string | undefined {
  const id = clientId?.toLowerCase();
  return SANDBOX_APPS.find((app) => app.clientId === id)?.displayName;
}

/** Looks a user up by user principal name (case-insensitive). */
export function findUserByName(username: string): SandboxUser | undefined {
  const name = username.trim().toLowerCase();
  return SANDBOX_USERS.find((u) => u.userPrincipalName.toLowerCase() === name);
}

/** Looks a user up by object id, the sandbox's account id. */
export function findUserById(oid: string): SandboxUser | undefined {
  return SANDBOX_USERS.find((u) => u.oid === oid);
}

/**
 * The object id of the app's service principal in the sandbox tenant: a stable GUID per app, distinct
 * from its client id (Entra puts it in `oid` and `sub` of app-only tokens).
 */
export function servicePrincipalId(app: { readonly clientId: string }): string {
  let id = servicePrincipalIds.get(app.clientId);
  if (id === undefined) {
    id = deriveServicePrincipalId(app.clientId);
    servicePrincipalIds.set(app.clientId, id);
  }
  return id;
}

/**
 * Derived once per client id, since every app-only token names its app's service principal; bounded by
 * the registered apps (the portal edits them but adds none).
 */
const servicePrincipalIds = new Map<string, string>();

function deriveServicePrincipalId(clientId: string): string {
  const hex = createHash('sha256').update(`${SANDBOX_TENANT.id}|sp|${clientId}`).digest('hex');
  // Shaped as an RFC 9562 version 4 / variant 10 UUID so it looks like any other object id.
  const variant = ((parseInt(hex.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** A resource server (API) known to the tenant. */
export interface SandboxApi {
  /** The identifier scopes are prefixed with, e.g. `https://graph.microsoft.com` or `api://<id>`. */
  readonly identifier: string;
  /** The API's application id: the `aud` of its v2 access tokens. */
  readonly appId: string;
  readonly displayName: string;
  readonly delegatedScopes: readonly string[];
  readonly descriptions: Readonly<Record<string, string>>;
}

const GRAPH_DESCRIPTIONS: Readonly<Record<string, string>> = {
  'User.Read': 'Sign you in and read your profile',
  'Mail.Read': 'Read your mail',
  'Calendars.Read': 'Read your calendars',
};

/** Every API a scope may point at: Microsoft Graph and each app that exposes scopes. */
export const SANDBOX_APIS: readonly SandboxApi[] = [
  {
    identifier: GRAPH_RESOURCE.identifier,
    appId: GRAPH_RESOURCE.appId,
    displayName: GRAPH_RESOURCE.displayName,
    delegatedScopes: GRAPH_RESOURCE.delegatedScopes,
    descriptions: GRAPH_DESCRIPTIONS,
  },
  ...SANDBOX_APPS.flatMap((app): SandboxApi[] =>
    app.identifierUri
      ? [
          {
            identifier: app.identifierUri,
            appId: app.clientId,
            displayName: app.displayName,
            delegatedScopes: (app.exposedScopes ?? []).map((s) => s.value),
            descriptions: Object.fromEntries((app.exposedScopes ?? []).map((s) => [s.value, s.description])),
          },
        ]
      : [],
  ),
];

/** Finds an API by identifier URI or application id, ignoring case and a trailing slash. */
export function findApi(prefix: string): SandboxApi | undefined {
  const wanted = prefix.replace(/\/+$/, '').toLowerCase();
  return SANDBOX_APIS.find((api) => api.identifier.toLowerCase() === wanted || api.appId === wanted);
}

/** Finds the API whose identifier is exactly `identifier` (the oidc-provider resource indicator). */
export function apiByIdentifier(identifier: string): SandboxApi | undefined {
  return SANDBOX_APIS.find((api) => api.identifier === identifier);
}
