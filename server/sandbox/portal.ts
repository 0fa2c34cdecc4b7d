/**
 * The sandbox "portal": the tenant's directory (users with passwords, app registrations with secrets
 * and certificates, endpoints, runtime settings) as an HTML page at `/` and as JSON at
 * `/directory.json`. All secrets are sandbox-only.
 */
import { summarizeCertificate, type CertificateStore, type CertificateSummary } from './certificates.ts';
import { DEVICE_LOGIN_PATH } from './device-flow.ts';
import { isConfidential, SANDBOX_APIS, servicePrincipalId } from './directory.ts';
import { GRAPH_ENDPOINTS } from './graph-api.ts';
import { layout, escapeHtml } from './pages.ts';
import { ROUTES } from './provider-config.ts';
import { SANDBOX_APPS, SANDBOX_TENANT, SANDBOX_USERS } from './seed.ts';
import { DEFAULT_SETTINGS, DEVICE_CODE_LIFETIME_RANGE, type SandboxSettings } from './settings.ts';

/** The runtime state the portal shows besides the seeded directory. */
export interface PortalView {
  readonly settings: Readonly<SandboxSettings>;
  readonly certificates: CertificateStore;
}

/** The directory as served at `/directory.json`. */
export interface SandboxDirectory {
  readonly notice: string;
  readonly tenant: { readonly id: string; readonly domain: string; readonly displayName: string };
  readonly endpoints: Readonly<Record<string, string>>;
  /** The sandbox's own management API and Graph look-alike. */
  readonly sandboxEndpoints: Readonly<Record<string, string>>;
  readonly settings: Readonly<SandboxSettings>;
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
    readonly implicitIdTokens: boolean;
    readonly implicitAccessTokens: boolean;
    /** Object id of the app's service principal (`oid`/`sub` of its app-only tokens). */
    readonly servicePrincipalId: string;
    readonly certificates: readonly CertificateSummary[];
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

/** The sandbox-only endpoints: device login page, Graph look-alike, portal API. */
export function sandboxEndpoints(origin: string): Record<string, string> {
  return {
    deviceLogin: `${origin}${DEVICE_LOGIN_PATH}`,
    graphMe: `${origin}${GRAPH_ENDPOINTS.me}`,
    graphUsers: `${origin}${GRAPH_ENDPOINTS.users}`,
    portalSettings: `${origin}/portal/settings`,
    portalCertificates: `${origin}/portal/apps/{clientId}/certificates`,
  };
}

/** Builds the directory JSON for a sandbox at `origin` (without `view`: default settings, no certificates). */
export function buildDirectory(origin: string, view?: PortalView): SandboxDirectory {
  return {
    notice:
      'Sandbox-only directory: every password and client secret here is public test data for the local sandbox tenant.',
    tenant: { id: SANDBOX_TENANT.id, domain: SANDBOX_TENANT.domain, displayName: SANDBOX_TENANT.displayName },
    endpoints: tenantEndpoints(origin),
    sandboxEndpoints: sandboxEndpoints(origin),
    settings: { ...(view?.settings ?? DEFAULT_SETTINGS) },
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
      implicitIdTokens: a.implicitIdTokens,
      implicitAccessTokens: a.implicitAccessTokens,
      servicePrincipalId: servicePrincipalId(a),
      certificates: (view?.certificates.list(a.clientId) ?? []).map(summarizeCertificate),
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

function certificateRows(clientId: string, certs: readonly CertificateSummary[]): string {
  if (certs.length === 0) return 'none';
  const rows = certs
    .map(
      (c) =>
        `<tr><td>${escapeHtml(c.subject)}</td><td><code>${escapeHtml(c.thumbprintSha256)}</code></td><td><code>${escapeHtml(c.thumbprintSha1Hex)}</code></td><td>${escapeHtml(c.notAfter)}</td><td><form method="post" action="/portal/apps/${escapeHtml(clientId)}/certificates/${escapeHtml(c.thumbprintSha256)}/delete"><button type="submit" class="secondary" aria-label="Remove certificate ${escapeHtml(c.thumbprintSha1Hex)}">Remove</button></form></td></tr>`,
    )
    .join('');
  return `<table><thead><tr><th scope="col">Subject</th><th scope="col">x5t#S256</th><th scope="col">Thumbprint (SHA-1)</th><th scope="col">Expires</th><th scope="col">Action</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function certificateForm(clientId: string): string {
  const id = `pem-${clientId}`;
  return `<form method="post" action="/portal/apps/${escapeHtml(clientId)}/certificates">
<label for="${escapeHtml(id)}">Certificate (PEM)</label>
<p class="hint" id="${escapeHtml(id)}-hint">The public certificate only (-----BEGIN CERTIFICATE-----). Sign client assertions with its private key and put its <code>x5t#S256</code> in the header.</p>
<textarea id="${escapeHtml(id)}" name="pem" rows="6" required aria-describedby="${escapeHtml(id)}-hint"></textarea>
<button type="submit" class="primary">Upload certificate</button>
</form>`;
}

function settingsForm(settings: Readonly<SandboxSettings>): string {
  const { min, max } = DEVICE_CODE_LIFETIME_RANGE;
  return `<form method="post" action="/portal/settings">
<p><input id="rotateRefreshTokens" name="rotateRefreshTokens" type="checkbox"${settings.rotateRefreshTokens ? ' checked' : ''} aria-describedby="rotate-hint"> <label for="rotateRefreshTokens" style="display:inline">Rotate refresh tokens</label></p>
<p class="hint" id="rotate-hint">Off is Entra's behaviour: a redeemed refresh token stays valid. On: it stops working (AADSTS70008).</p>
<label for="deviceCodeLifetimeSeconds">Device code lifetime (seconds)</label>
<input id="deviceCodeLifetimeSeconds" name="deviceCodeLifetimeSeconds" type="number" min="${min}" max="${max}" step="1" required value="${settings.deviceCodeLifetimeSeconds}">
<button type="submit" class="primary">Save settings</button>
</form>
<p class="hint">Also as JSON: <code>GET</code>/<code>POST /portal/settings</code>. Changes apply to new requests at once.</p>`;
}

/** Renders the portal page. */
export function portalPage(origin: string, view?: PortalView): string {
  const d = buildDirectory(origin, view);
  const endpoints = Object.entries({ ...d.endpoints, ...d.sandboxEndpoints })
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
    .map((a) => {
      const confidential = SANDBOX_APPS.some((app) => app.clientId === a.clientId && isConfidential(app));
      return `<h3 id="app-${escapeHtml(a.clientId)}">${escapeHtml(a.displayName)}</h3>
<p>${escapeHtml(a.description)}</p>
<table><tbody>
<tr><th scope="row">Client id</th><td><code>${escapeHtml(a.clientId)}</code></td></tr>
<tr><th scope="row">Service principal object id</th><td><code>${escapeHtml(a.servicePrincipalId)}</code></td></tr>
<tr><th scope="row">Platform</th><td>${escapeHtml(PLATFORM_LABEL[a.platform] ?? a.platform)}</td></tr>
<tr><th scope="row">Client secret (sandbox-only)</th><td>${a.clientSecret ? `<code>${escapeHtml(a.clientSecret)}</code>` : 'none (public client)'}</td></tr>
<tr><th scope="row">Redirect URIs</th><td>${list(a.redirectUris)}</td></tr>
<tr><th scope="row">Allow public client flows</th><td>${a.allowPublicClientFlows ? 'Yes' : 'No'}</td></tr>
<tr><th scope="row">Implicit grant: ID tokens / access tokens</th><td>${a.implicitIdTokens ? 'Yes' : 'No'} / ${a.implicitAccessTokens ? 'Yes' : 'No'}</td></tr>
<tr><th scope="row">Exposed scopes</th><td>${a.identifierUri ? list(a.exposedScopes.map((s) => `${a.identifierUri}/${s}`)) : 'none'}</td></tr>
<tr><th scope="row">Delegated permissions</th><td>${permissions(a.delegatedPermissions)}</td></tr>
<tr><th scope="row">Application permissions</th><td>${permissions(a.applicationPermissions)}</td></tr>
${confidential ? `<tr><th scope="row">Certificates</th><td>${certificateRows(a.clientId, a.certificates)}</td></tr>` : ''}
</tbody></table>
${confidential ? certificateForm(a.clientId) : ''}`;
    })
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
<p class="hint">Device login page for the device code flow: <a href="${escapeHtml(d.sandboxEndpoints['deviceLogin'] ?? '')}">${escapeHtml(d.sandboxEndpoints['deviceLogin'] ?? '')}</a>. Graph look-alike: <code>GET /v1.0/me</code> (delegated, <code>User.Read</code>) and <code>GET /v1.0/users</code> (app-only, role <code>User.Read.All</code>).</p>
<h2 id="settings">Settings</h2>
${settingsForm(d.settings)}
<h2>Users</h2>
<table><thead><tr><th scope="col">Name</th><th scope="col">Username</th><th scope="col">Password (sandbox-only)</th><th scope="col">MFA</th><th scope="col">Object id</th></tr></thead><tbody>${users}</tbody></table>
<h2>App registrations</h2>
${apps}`,
    { wide: true },
  );
}
