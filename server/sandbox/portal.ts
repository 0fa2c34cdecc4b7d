/**
 * The sandbox "portal": the tenant's directory (users with passwords, app registrations with secrets,
 * endpoints) as an HTML page at `/` and as JSON at `/directory.json`. All secrets are sandbox-only.
 */
import { SANDBOX_APIS } from './directory.ts';
import { layout, escapeHtml } from './pages.ts';
import { ROUTES } from './provider-config.ts';
import { SANDBOX_APPS, SANDBOX_TENANT, SANDBOX_USERS } from './seed.ts';

/** The directory as served at `/directory.json`. */
export interface SandboxDirectory {
  readonly notice: string;
  readonly tenant: { readonly id: string; readonly domain: string; readonly displayName: string };
  readonly endpoints: Readonly<Record<string, string>>;
  readonly users: readonly {
    readonly userPrincipalName: string;
    readonly displayName: string;
    readonly objectId: string;
    readonly password: string;
    readonly mfaRequired: boolean;
    readonly mfaCode?: string;
  }[];
  readonly apps: readonly {
    readonly displayName: string;
    readonly clientId: string;
    readonly platform: string;
    readonly description: string;
    readonly redirectUris: readonly string[];
    readonly clientSecret?: string;
    readonly allowPublicClientFlows: boolean;
    readonly identifierUri?: string;
    readonly exposedScopes: readonly string[];
    readonly delegatedPermissions: Readonly<Record<string, readonly string[]>>;
    readonly applicationPermissions: Readonly<Record<string, readonly string[]>>;
  }[];
  readonly apis: readonly {
    readonly identifier: string;
    readonly appId: string;
    readonly displayName: string;
    readonly scopes: readonly string[];
  }[];
}

/** Entra's endpoint URLs for the sandbox tenant at `origin`. */
export function tenantEndpoints(origin: string, tenant: string = SANDBOX_TENANT.id): Record<string, string> {
  return {
    issuer: `${origin}/${SANDBOX_TENANT.id}/v2.0`,
    openidConfiguration: `${origin}/${tenant}/v2.0/.well-known/openid-configuration`,
    authorize: `${origin}/${tenant}${ROUTES.authorization}`,
    token: `${origin}/${tenant}${ROUTES.token}`,
    deviceCode: `${origin}/${tenant}${ROUTES.device_authorization}`,
    keys: `${origin}/${tenant}${ROUTES.jwks}`,
  };
}

/** Builds the directory JSON for a sandbox at `origin`. */
export function buildDirectory(origin: string): SandboxDirectory {
  return {
    notice:
      'Sandbox-only directory: every password and client secret here is public test data for the local sandbox tenant.',
    tenant: { id: SANDBOX_TENANT.id, domain: SANDBOX_TENANT.domain, displayName: SANDBOX_TENANT.displayName },
    endpoints: tenantEndpoints(origin),
    users: SANDBOX_USERS.map((u) => ({
      userPrincipalName: u.userPrincipalName,
      displayName: u.displayName,
      objectId: u.oid,
      password: u.password,
      mfaRequired: u.mfaRequired,
      ...(u.mfaCode === undefined ? {} : { mfaCode: u.mfaCode }),
    })),
    apps: SANDBOX_APPS.map((a) => ({
      displayName: a.displayName,
      clientId: a.clientId,
      platform: a.platform,
      description: a.description,
      redirectUris: a.redirectUris,
      ...(a.clientSecret === undefined ? {} : { clientSecret: a.clientSecret }),
      allowPublicClientFlows: a.allowPublicClientFlows,
      ...(a.identifierUri === undefined ? {} : { identifierUri: a.identifierUri }),
      exposedScopes: (a.exposedScopes ?? []).map((s) => s.value),
      delegatedPermissions: a.delegatedPermissions,
      applicationPermissions: a.applicationPermissions,
    })),
    apis: SANDBOX_APIS.map((api) => ({
      identifier: api.identifier,
      appId: api.appId,
      displayName: api.displayName,
      scopes: api.delegatedScopes,
    })),
  };
}

const PLATFORM_LABEL: Readonly<Record<string, string>> = {
  spa: 'Single-page application',
  web: 'Web',
  publicClient: 'Mobile and desktop (public client)',
};

const list = (items: readonly string[]): string =>
  items.length ? `<ul>${items.map((i) => `<li><code>${escapeHtml(i)}</code></li>`).join('')}</ul>` : 'none';

const permissions = (perms: Readonly<Record<string, readonly string[]>>): string =>
  list(Object.entries(perms).flatMap(([resource, values]) => values.map((v) => `${resource}/${v}`)));

/** Renders the portal page. */
export function portalPage(origin: string): string {
  const d = buildDirectory(origin);
  const endpoints = Object.entries(d.endpoints)
    .map(([k, v]) => `<tr><th scope="row">${escapeHtml(k)}</th><td><code>${escapeHtml(v)}</code></td></tr>`)
    .join('');
  const users = d.users
    .map(
      (u) =>
        `<tr><td>${escapeHtml(u.displayName)}</td><td><code>${escapeHtml(u.userPrincipalName)}</code></td><td><code>${escapeHtml(u.password)}</code></td><td>${
          u.mfaRequired ? `Yes — code <code>${escapeHtml(u.mfaCode ?? '')}</code>` : 'No'
        }</td><td><code>${escapeHtml(u.objectId)}</code></td></tr>`,
    )
    .join('');
  const apps = d.apps
    .map(
      (a) => `<h3>${escapeHtml(a.displayName)}</h3>
<p>${escapeHtml(a.description)}</p>
<table><tbody>
<tr><th scope="row">Client id</th><td><code>${escapeHtml(a.clientId)}</code></td></tr>
<tr><th scope="row">Platform</th><td>${escapeHtml(PLATFORM_LABEL[a.platform] ?? a.platform)}</td></tr>
<tr><th scope="row">Client secret (sandbox-only)</th><td>${a.clientSecret ? `<code>${escapeHtml(a.clientSecret)}</code>` : 'none (public client)'}</td></tr>
<tr><th scope="row">Redirect URIs</th><td>${list(a.redirectUris)}</td></tr>
<tr><th scope="row">Allow public client flows</th><td>${a.allowPublicClientFlows ? 'Yes' : 'No'}</td></tr>
<tr><th scope="row">Exposed scopes</th><td>${a.identifierUri ? list(a.exposedScopes.map((s) => `${a.identifierUri}/${s}`)) : 'none'}</td></tr>
<tr><th scope="row">Delegated permissions</th><td>${permissions(a.delegatedPermissions)}</td></tr>
<tr><th scope="row">Application permissions</th><td>${permissions(a.applicationPermissions)}</td></tr>
</tbody></table>`,
    )
    .join('\n');
  return layout(
    'Sandbox portal',
    `<h1>${escapeHtml(d.tenant.displayName)} — sandbox portal</h1>
<p>${escapeHtml(d.notice)} The same data is available as <a href="/directory.json">directory.json</a>.</p>
<h2>Tenant</h2>
<table><tbody>
<tr><th scope="row">Tenant id</th><td><code>${escapeHtml(d.tenant.id)}</code></td></tr>
<tr><th scope="row">Domain</th><td><code>${escapeHtml(d.tenant.domain)}</code></td></tr>
<tr><th scope="row">Tenant path segments accepted</th><td>the tenant id, the domain, <code>common</code>, <code>organizations</code>, <code>consumers</code></td></tr>
</tbody></table>
<h2>Endpoints</h2>
<table><tbody>${endpoints}</tbody></table>
<h2>Users</h2>
<table><thead><tr><th scope="col">Name</th><th scope="col">Username</th><th scope="col">Password (sandbox-only)</th><th scope="col">MFA</th><th scope="col">Object id</th></tr></thead><tbody>${users}</tbody></table>
<h2>App registrations</h2>
${apps}`,
    { wide: true },
  );
}
