/**
 * The sandbox "portal": the tenant's directory (users with passwords, app registrations with secrets
 * and certificates, endpoints, runtime settings) as an HTML page at `/` and as JSON at
 * `/directory.json`. All secrets are sandbox-only.
 */
import type { StoreStats } from './adapter.ts';
import { CertificateStore, summarizeCertificate, type CertificateSummary } from './certificates.ts';
import { ConsentSnapshot, type ConsentReader } from './consents.ts';
import { DEVICE_LOGIN_PATH } from './device-flow.ts';
import { findUserById, SANDBOX_APIS, servicePrincipalId } from './directory.ts';
import { GRAPH_ENDPOINTS } from './graph-api.ts';
import type { LockoutListing } from './lockout.ts';
import { ATTACK_LAB_SWITCHES, type AttackLabSwitch } from '../../src/flows/attacks/switches.ts';
import type { AttackLab } from './attack-lab.ts';
import { layout, escapeHtml } from './pages.ts';
import { ROUTES } from './provider-config.ts';
import { AppRegistry, PLATFORMS, SECRET_LIFETIME_DAYS, type AppRegistration } from './registrations.ts';
import { SANDBOX_TENANT, SANDBOX_USERS, type Platform } from './seed.ts';
import {
  DEFAULT_SETTINGS,
  DEVICE_CODE_LIFETIME_RANGE,
  LOCKOUT_DURATION_RANGE,
  LOCKOUT_THRESHOLD_RANGE,
  type SandboxSettings,
} from './settings.ts';
import { SIGN_IN_AUDIENCE_LABELS, SIGN_IN_AUDIENCES, type SignInAudience } from './tenant-audience.ts';

/** What the sandbox holds in memory: the artifact store and its own maps (issue 9 item 8). */
export interface MemoryReport {
  /** oidc-provider's artifacts (sessions, interactions, codes, grants, refresh tokens). */
  readonly store: StoreStats;
  /** Device codes remembered for polling. */
  readonly devicePolls: number;
  /** Accounts with smart lockout failures or a lockout. */
  readonly lockouts: number;
  /** Sign-ins waiting for a verification code. */
  readonly pendingMfa: number;
  /** The tenant's shared store (memory or Redis): keys under its prefix, and bytes used. */
  readonly shared?: { readonly kind: 'memory' | 'redis'; readonly keys: number; readonly bytes: number };
}

/** One account with smart lockout state, as the portal lists it. */
export interface LockoutView {
  readonly userPrincipalName: string;
  readonly objectId: string;
  readonly failures: number;
  readonly locked: boolean;
  /** ISO 8601 end of the lockout, when locked. */
  readonly lockedUntil?: string;
}

/** The runtime state the portal shows besides the seeded users and tenant. */
export interface PortalView {
  readonly settings: Readonly<SandboxSettings>;
  readonly certificates: CertificateStore;
  readonly registry: AppRegistry;
  /** Consent as recorded when the view was taken (consents.ts). */
  readonly consents: ConsentReader;
  /** Smart lockout of a running instance as the view was taken (absent for the seeded listing). */
  readonly lockout?: LockoutListing;
  /** The instance's memory use now (absent for the seeded listing). */
  readonly memory?: () => MemoryReport;
  /** The attack lab's switches of a running instance: a banner while any is on (vulnerable mode). */
  readonly attackLab?: AttackLab;
  /** The absolute path of the local CA file when the instance serves https (tls.ts). */
  readonly tlsCaFile?: string;
}

/** The accounts with smart lockout failures or a lockout now, locked ones first. */
export function lockoutViews(lockout: LockoutListing, now = Date.now()): LockoutView[] {
  return lockout.list(now).map((entry) => {
    const user = findUserById(entry.userId);
    const locked = entry.lockedUntil !== undefined && entry.lockedUntil > now;
    return {
      userPrincipalName: user?.userPrincipalName ?? entry.userId,
      objectId: entry.userId,
      failures: entry.failures,
      locked,
      ...(locked && entry.lockedUntil !== undefined
        ? { lockedUntil: new Date(entry.lockedUntil).toISOString() }
        : {}),
    };
  });
}

/** A client secret as listed (the value only for the seeded one, which is published test data). */
export interface SecretSummary {
  readonly id: string;
  readonly description: string;
  readonly hint: string;
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly value?: string;
}

/** Consent for one app: admin consent and each user's own decision. */
export interface ConsentView {
  readonly adminConsent: boolean;
  readonly users: readonly {
    readonly userPrincipalName: string;
    readonly objectId: string;
    /** `granted` (by the user or on the portal), `revoked`, or `none` (no decision recorded yet). */
    readonly state: 'granted' | 'revoked' | 'none';
    readonly scopes: readonly string[];
  }[];
}

/** An app registration as `/directory.json` and `GET /portal/apps/{clientId}` show it. */
export interface AppView {
  readonly displayName: string;
  readonly clientId: string;
  readonly platform: Platform;
  readonly description: string;
  readonly redirectUris: readonly string[];
  /** The seeded secret's value while it is registered (sandbox test data). */
  readonly clientSecret?: string;
  readonly secrets: readonly SecretSummary[];
  readonly allowPublicClientFlows: boolean;
  readonly implicitIdTokens: boolean;
  readonly implicitAccessTokens: boolean;
  /** "Supported account types" (tenant-audience.ts). */
  readonly signInAudience: SignInAudience;
  /** Web platform with a secret or certificate: must authenticate at the token endpoint. */
  readonly confidential: boolean;
  /** Object id of the app's service principal (`oid`/`sub` of its app-only tokens). */
  readonly servicePrincipalId: string;
  readonly certificates: readonly CertificateSummary[];
  readonly consent: ConsentView;
  readonly identifierUri?: string;
  readonly exposedScopes: readonly string[];
  /** For an API: the access token version it accepts (manifest `requestedAccessTokenVersion`); null = v1.0. */
  readonly accessTokenAcceptedVersion: 1 | 2 | null;
  readonly delegatedPermissions: Readonly<Record<string, readonly string[]>>;
  readonly applicationPermissions: Readonly<Record<string, readonly string[]>>;
}

/** The directory as served at `/directory.json`. */
export interface SandboxDirectory {
  readonly notice: string;
  readonly tenant: { readonly id: string; readonly domain: string; readonly displayName: string };
  readonly endpoints: Readonly<Record<string, string>>;
  /** The sandbox's own management API and Graph look-alike. */
  readonly sandboxEndpoints: Readonly<Record<string, string>>;
  readonly settings: Readonly<SandboxSettings>;
  /** Accounts with smart lockout failures or a lockout (a running instance only). */
  readonly lockouts?: readonly LockoutView[];
  /** Memory held now (a running instance only). */
  readonly memory?: MemoryReport;
  /** An https instance's local CA file, absolute, for NODE_EXTRA_CA_CERTS or curl --cacert (issue 17). */
  readonly tls?: { readonly caFile: string };
  readonly users: readonly {
    readonly userPrincipalName: string;
    readonly displayName: string;
    readonly objectId: string;
    readonly password: string;
    readonly mfaRequired: boolean;
    readonly mfaCode?: string;
  }[];
  readonly apps: readonly AppView[];
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
    portalLockouts: `${origin}/portal/lockouts`,
    portalMemory: `${origin}/portal/memory`,
    portalCertificates: `${origin}/portal/apps/{clientId}/certificates`,
  };
}

/** The seeded state, for callers without a running instance (the command line's start-up listing). */
function seededView(): PortalView {
  const certificates = new CertificateStore();
  return {
    settings: DEFAULT_SETTINGS,
    certificates,
    registry: new AppRegistry(certificates),
    consents: new ConsentSnapshot(),
  };
}

function consentView(app: AppRegistration, consents: ConsentReader): ConsentView {
  return {
    adminConsent: consents.hasAdminConsent(app.clientId),
    users: SANDBOX_USERS.map((u) => {
      const state = consents.userState(u.oid, app.clientId);
      return {
        userPrincipalName: u.userPrincipalName,
        objectId: u.oid,
        state: state.kind,
        scopes: state.kind === 'granted' ? state.scopes : [],
      };
    }),
  };
}

/** An app registration as the portal API and `/directory.json` show it. */
export function appView(app: AppRegistration, view: PortalView): AppView {
  return {
    displayName: app.displayName,
    clientId: app.clientId,
    platform: app.platform,
    description: app.description,
    redirectUris: app.redirectUris,
    ...(app.seededSecret === undefined ? {} : { clientSecret: app.seededSecret }),
    secrets: app.secrets.map((s) => ({
      id: s.id,
      description: s.description,
      hint: s.hint,
      createdAt: s.createdAt,
      expiresAt: s.expiresAt,
      ...(s.seeded && app.seededSecret !== undefined ? { value: app.seededSecret } : {}),
    })),
    allowPublicClientFlows: app.allowPublicClientFlows,
    implicitIdTokens: app.implicitIdTokens,
    implicitAccessTokens: app.implicitAccessTokens,
    signInAudience: app.signInAudience,
    confidential: app.confidential,
    servicePrincipalId: servicePrincipalId(app),
    certificates: view.certificates.list(app.clientId).map(summarizeCertificate),
    consent: consentView(app, view.consents),
    ...(app.identifierUri === undefined ? {} : { identifierUri: app.identifierUri }),
    exposedScopes: (app.exposedScopes ?? []).map((s) => s.value),
    accessTokenAcceptedVersion: app.accessTokenAcceptedVersion,
    delegatedPermissions: app.delegatedPermissions,
    applicationPermissions: app.applicationPermissions,
  };
}

/** Builds the directory JSON for a sandbox at `origin` (without `view`: the seeded state). */
export function buildDirectory(origin: string, view: PortalView = seededView()): SandboxDirectory {
  return {
    notice:
      'Sandbox-only directory: every password and client secret here is public test data for the local sandbox tenant.',
    tenant: { id: SANDBOX_TENANT.id, domain: SANDBOX_TENANT.domain, displayName: SANDBOX_TENANT.displayName },
    endpoints: tenantEndpoints(origin),
    sandboxEndpoints: sandboxEndpoints(origin),
    settings: { ...view.settings },
    ...(view.lockout ? { lockouts: lockoutViews(view.lockout) } : {}),
    ...(view.memory ? { memory: view.memory() } : {}),
    ...(view.tlsCaFile === undefined ? {} : { tls: { caFile: view.tlsCaFile } }),
    users: SANDBOX_USERS.map((u) => ({
      userPrincipalName: u.userPrincipalName,
      displayName: u.displayName,
      objectId: u.oid,
      password: u.password,
      mfaRequired: u.mfaRequired,
      ...(u.mfaCode === undefined ? {} : { mfaCode: u.mfaCode }),
    })),
    apps: view.registry.list().map((app) => appView(app, view)),
    apis: SANDBOX_APIS.map((api) => ({
      identifier: api.identifier,
      appId: api.appId,
      displayName: api.displayName,
      scopes: api.delegatedScopes,
    })),
  };
}

const PLATFORM_LABEL: Readonly<Record<Platform, string>> = {
  spa: 'Single-page application',
  web: 'Web',
  publicClient: 'Mobile and desktop (public client)',
};

const PLATFORM_HINT: Readonly<Record<Platform, string>> = {
  spa: 'Codes are redeemed by the browser, cross-origin, with PKCE; no secret.',
  web: 'Codes are redeemed by a server with a secret or certificate; a browser gets AADSTS9002326.',
  publicClient: 'No secret allowed (AADSTS700025); device code and ROPC need "Allow public client flows".',
};

/** A one-off message on the portal page after a form post: an error, or a new secret's value. */
export type PortalFlash =
  | { readonly kind: 'error'; readonly clientId?: string; readonly message: string }
  | {
      readonly kind: 'secret';
      readonly clientId: string;
      readonly id: string;
      readonly description: string;
      readonly value: string;
      readonly expiresAt: string;
    };

const e = escapeHtml;

const list = (items: readonly string[]): string =>
  items.length ? `<ul>${items.map((i) => `<li><code>${e(i)}</code></li>`).join('')}</ul>` : 'none';

const permissions = (perms: Readonly<Record<string, readonly string[]>>): string =>
  list(Object.entries(perms).flatMap(([resource, values]) => values.map((v) => `${resource}/${v}`)));

/** `/portal/apps/{clientId}` plus a suffix, with the client id escaped for an attribute. */
const appPath = (clientId: string, suffix = ''): string => e(`/portal/apps/${clientId}${suffix}`);

/** A form holding one button: the way to remove or toggle a list item without JavaScript. */
function buttonForm(
  action: string,
  label: string,
  accessibleName: string,
  options: { readonly style?: 'primary' | 'secondary'; readonly hidden?: Record<string, string> } = {},
): string {
  const hidden = Object.entries(options.hidden ?? {})
    .map(([name, value]) => `<input type="hidden" name="${e(name)}" value="${e(value)}">`)
    .join('');
  return `<form method="post" action="${action}">${hidden}<button type="submit" class="${options.style ?? 'secondary'}" aria-label="${e(accessibleName)}">${e(label)}</button></form>`;
}

function certificateRows(clientId: string, certs: readonly CertificateSummary[]): string {
  if (certs.length === 0) return 'none';
  const rows = certs
    .map(
      (c) =>
        `<tr><td>${e(c.subject)}</td><td><code>${e(c.thumbprintSha256)}</code></td><td><code>${e(c.thumbprintSha1Hex)}</code></td><td>${e(c.notAfter)}</td><td><form method="post" action="/portal/apps/${e(clientId)}/certificates/${e(c.thumbprintSha256)}/delete"><button type="submit" class="secondary" aria-label="Remove certificate ${e(c.thumbprintSha1Hex)}">Remove</button></form></td></tr>`,
    )
    .join('');
  return `<table><thead><tr><th scope="col">Subject</th><th scope="col">x5t#S256</th><th scope="col">Thumbprint (SHA-1)</th><th scope="col">Expires</th><th scope="col">Action</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function certificateForm(clientId: string): string {
  const id = `pem-${clientId}`;
  return `<form method="post" action="/portal/apps/${e(clientId)}/certificates">
<label for="${e(id)}">Certificate (PEM)</label>
<p class="hint" id="${e(id)}-hint">The public certificate only (-----BEGIN CERTIFICATE-----). Sign client assertions with its private key and put its <code>x5t#S256</code> in the header.</p>
<textarea id="${e(id)}" name="pem" rows="6" required aria-describedby="${e(id)}-hint"></textarea>
<button type="submit" class="primary">Upload certificate</button>
</form>`;
}

function settingsForm(settings: Readonly<SandboxSettings>): string {
  const { min, max } = DEVICE_CODE_LIFETIME_RANGE;
  return `<form method="post" action="/portal/settings">
<p><input id="rotateRefreshTokens" name="rotateRefreshTokens" type="checkbox"${settings.rotateRefreshTokens ? ' checked' : ''} aria-describedby="rotate-hint"> <label for="rotateRefreshTokens" style="display:inline">Rotate refresh tokens</label></p>
<p class="hint" id="rotate-hint">Off is Entra's behaviour: a redeemed refresh token stays valid. On: using it again revokes the grant (AADSTS50173).</p>
<p><input id="rememberConsent" name="rememberConsent" type="checkbox"${settings.rememberConsent ? ' checked' : ''} aria-describedby="remember-consent-hint"> <label for="rememberConsent" style="display:inline">Remember consent per user and app</label></p>
<p class="hint" id="remember-consent-hint">On is Entra's behaviour: a user who accepted the consent page is not asked again, even in a new browser session. Off (the default): each new browser session shows the consent step. Consent granted or revoked below applies either way.</p>
<p><input id="userConsentAllowed" name="userConsentAllowed" type="checkbox"${settings.userConsentAllowed ? ' checked' : ''} aria-describedby="user-consent-hint"> <label for="userConsentAllowed" style="display:inline">Users can consent to apps</label></p>
<p class="hint" id="user-consent-hint">On is Entra's default. Off: only an administrator (Isaiah) may consent; anyone else sees "Need admin approval" (AADSTS90094). Admin-only permissions need an administrator either way.</p>
<label for="deviceCodeLifetimeSeconds">Device code lifetime (seconds)</label>
<input id="deviceCodeLifetimeSeconds" name="deviceCodeLifetimeSeconds" type="number" min="${min}" max="${max}" step="1" required value="${settings.deviceCodeLifetimeSeconds}">
<label for="lockoutThreshold">Smart lockout threshold (wrong passwords)</label>
<p class="hint" id="lockout-threshold-hint">After this many different wrong passwords for one account, sign-in and the password grant answer AADSTS50053 for the lockout duration, even with the right password. Entra's default is 10; retyping one of the last three wrong passwords is not counted again.</p>
<input id="lockoutThreshold" name="lockoutThreshold" type="number" min="${LOCKOUT_THRESHOLD_RANGE.min}" max="${LOCKOUT_THRESHOLD_RANGE.max}" step="1" required value="${settings.lockoutThreshold}" aria-describedby="lockout-threshold-hint">
<label for="lockoutDurationSeconds">Smart lockout duration (seconds)</label>
<input id="lockoutDurationSeconds" name="lockoutDurationSeconds" type="number" min="${LOCKOUT_DURATION_RANGE.min}" max="${LOCKOUT_DURATION_RANGE.max}" step="1" required value="${settings.lockoutDurationSeconds}">
<label for="spaRefreshTokenLifetimeSeconds">SPA refresh token lifetime (seconds)</label>
<input id="spaRefreshTokenLifetimeSeconds" name="spaRefreshTokenLifetimeSeconds" type="number" min="1" max="86400" step="1" required value="${settings.spaRefreshTokenLifetimeSeconds}" aria-describedby="spa-rt-hint">
<p class="hint" id="spa-rt-hint">Entra gives a single-page app's refresh tokens a fixed 24 hours (86400) from the sign-in; after that the token endpoint answers AADSTS700084.</p>
<fieldset><legend>Conditional Access: APIs that require MFA</legend>
<input type="hidden" name="mfaRequiredApisListed" value="1">
${SANDBOX_APIS.map((api, i) => `<p><input id="mfa-api-${i}" name="mfaRequiredApis" type="checkbox" value="${escapeHtml(api.identifier)}"${settings.mfaRequiredApis.includes(api.identifier) ? ' checked' : ''} aria-describedby="mfa-api-hint"> <label for="mfa-api-${i}" style="display:inline">${escapeHtml(api.displayName)} requires MFA</label></p>`).join('\n')}
<p class="hint" id="mfa-api-hint">An on-behalf-of request for a checked API, carrying a token from a sign-in without MFA, gets AADSTS50076 (AADSTS50079 for a user with no MFA method) and a claims challenge.</p>
</fieldset>
<button type="submit" class="primary">Save settings</button>
</form>
<p class="hint">Also as JSON: <code>GET</code>/<code>POST /portal/settings</code>. Changes apply to new requests at once.</p>`;
}

function lockoutSection(lockouts: readonly LockoutView[]): string {
  if (lockouts.length === 0) {
    return '<p>No account has wrong passwords counted or is locked.</p>';
  }
  const rows = lockouts
    .map(
      (l) =>
        `<tr><td><code>${e(l.userPrincipalName)}</code></td><td>${l.failures}</td><td>${l.locked ? `Locked until ${e(l.lockedUntil ?? '')}` : 'Not locked'}</td><td><form method="post" action="/portal/lockouts/${e(encodeURIComponent(l.objectId))}/delete"><button type="submit" class="secondary" aria-label="Unlock ${e(l.userPrincipalName)}">Unlock</button></form></td></tr>`,
    )
    .join('');
  return `<table><thead><tr><th scope="col">User</th><th scope="col">Wrong passwords counted</th><th scope="col">State</th><th scope="col">Action</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function memorySection(memory: MemoryReport): string {
  const models = Object.entries(memory.store.byModel)
    .map(([model, count]) => `${e(model)} ${count}`)
    .join(', ');
  return `<table><tbody>
<tr><th scope="row">Artifact store entries</th><td>${memory.store.entries}${models ? ` (${models})` : ''}</td></tr>
<tr><th scope="row">Artifact store size (estimate)</th><td>${(memory.store.bytes / 1024).toFixed(1)} KiB</td></tr>
<tr><th scope="row">Device codes remembered</th><td>${memory.devicePolls}</td></tr>
<tr><th scope="row">Accounts with lockout state</th><td>${memory.lockouts}</td></tr>
<tr><th scope="row">Sign-ins waiting for a code</th><td>${memory.pendingMfa}</td></tr>
</tbody></table>
<p class="hint">Expired entries are removed every 30 seconds and on writes, without being read. Also as JSON: <code>GET /portal/memory</code>; <code>POST /portal/memory/sweep</code> removes them now.</p>`;
}

/** While an attack lab run has turned defences off, the portal says so, which ones, and until when. */
function attackLabBanner(attackLab: AttackLab | undefined): string {
  const expiresAt = attackLab?.expiresAt;
  if (attackLab === undefined || expiresAt === undefined) return '';
  const on = (Object.entries(attackLab.switches) as [AttackLabSwitch, boolean][])
    .filter(([, value]) => value)
    .map(([name]) => `<li>${e(ATTACK_LAB_SWITCHES[name].label)}</li>`)
    .join('');
  return `<div class="error" role="alert"><p><strong>Vulnerable mode:</strong> an attack lab run has switched these defences off. They go off again when the run ends, and by themselves at ${e(new Date(expiresAt).toISOString())} at the latest.</p><ul>${on}</ul></div>`;
}

function flashBlock(flash: PortalFlash | undefined, clientId: string | undefined): string {
  if (!flash || flash.clientId !== clientId) return '';
  if (flash.kind === 'error') return `<div class="error" role="alert"><p>${e(flash.message)}</p></div>`;
  return `<div class="notice" role="status"><p><strong>New client secret "${e(flash.description)}"</strong> (expires ${e(flash.expiresAt)}). Copy the value now: it is not shown again.</p>
<p>Value: <code>${e(flash.value)}</code><br>Secret ID (not the value): <code>${e(flash.id)}</code></p></div>`;
}

function authenticationForm(a: AppView): string {
  const id = (name: string): string => e(`${name}-${a.clientId}`);
  const radios = PLATFORMS.map(
    (p) =>
      `<p><input type="radio" id="${id(`platform-${p}`)}" name="platform" value="${p}"${a.platform === p ? ' checked' : ''} aria-describedby="${id(`platform-${p}-hint`)}"> <label class="inline" for="${id(`platform-${p}`)}">${e(PLATFORM_LABEL[p])}</label><br><span class="hint" id="${id(`platform-${p}-hint`)}">${e(PLATFORM_HINT[p])}</span></p>`,
  ).join('');
  const box = (
    name: 'implicitIdTokens' | 'implicitAccessTokens' | 'allowPublicClientFlows',
    label: string,
    hint: string,
  ): string =>
    `<p><input type="checkbox" id="${id(name)}" name="${name}"${a[name] ? ' checked' : ''} aria-describedby="${id(`${name}-hint`)}"> <label class="inline" for="${id(name)}">${e(label)}</label><br><span class="hint" id="${id(`${name}-hint`)}">${e(hint)}</span></p>`;
  const audiences = SIGN_IN_AUDIENCES.map(
    (v) =>
      `<p><input type="radio" id="${id(`audience-${v}`)}" name="signInAudience" value="${v}"${a.signInAudience === v ? ' checked' : ''}> <label class="inline" for="${id(`audience-${v}`)}">${e(SIGN_IN_AUDIENCE_LABELS[v])}</label> <code>${v}</code></p>`,
  ).join('');
  return `<form method="post" action="${appPath(a.clientId)}">
<fieldset><legend>Platform</legend>${radios}</fieldset>
<fieldset><legend>Supported account types</legend>${audiences}<p class="hint">Single tenant on /common or /organizations: AADSTS50194. /consumers signs in personal accounts only; every sandbox user is a work account (AADSTS50020).</p></fieldset>
<fieldset><legend>Implicit grant and hybrid flows</legend>
${box('implicitIdTokens', 'ID tokens (used for implicit and hybrid flows)', 'Off: response_type id_token is refused (AADSTS700054).')}
${box('implicitAccessTokens', 'Access tokens (used for implicit flows)', 'Off: response_type token is refused (AADSTS700051).')}
</fieldset>
<fieldset><legend>Advanced settings</legend>
${box('allowPublicClientFlows', 'Allow public client flows', 'Device code and ROPC without a credential. Off: AADSTS7000218.')}
</fieldset>
${a.identifierUri ? tokenVersionFieldset(a, id) : ''}
<button type="submit" class="primary">Save authentication settings</button>
</form>`;
}

/**
 * "Expose an API": the access token version Entra issues for this API (manifest `requestedAccessTokenVersion`,
 * shown as `accessTokenAcceptedVersion` in the older manifest). Not set means v1.0.
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/reference-microsoft-graph-app-manifest#api-attributes
 */
function tokenVersionFieldset(a: AppView, id: (name: string) => string): string {
  const options: readonly [string, string, string][] = [
    [
      'null',
      'Not set (v1.0, the default)',
      `v1.0 tokens: iss is the sts-shaped v1.0 issuer, aud is ${a.identifierUri ?? 'the App ID URI'}.`,
    ],
    ['1', '1 (v1.0)', 'The same as not set.'],
    ['2', '2 (v2.0)', `v2.0 tokens: iss is the v2.0 issuer of the discovery document, aud is ${a.clientId}.`],
  ];
  const current = String(a.accessTokenAcceptedVersion);
  const radios = options
    .map(
      ([value, label, hint]) =>
        `<p><input type="radio" id="${id(`atv-${value}`)}" name="accessTokenAcceptedVersion" value="${value}"${current === value ? ' checked' : ''} aria-describedby="${id(`atv-${value}-hint`)}"> <label class="inline" for="${id(`atv-${value}`)}">${e(label)}</label><br><span class="hint" id="${id(`atv-${value}-hint`)}">${e(hint)}</span></p>`,
    )
    .join('');
  return `<fieldset><legend>Access token version (accessTokenAcceptedVersion)</legend>${radios}</fieldset>`;
}

function redirectUriSection(a: AppView): string {
  const rows = a.redirectUris
    .map(
      (uri) =>
        `<li><code>${e(uri)}</code> ${buttonForm(appPath(a.clientId, `/redirect-uris/${encodeURIComponent(uri)}/delete`), 'Remove', `Remove redirect URI ${uri}`)}</li>`,
    )
    .join('');
  const id = e(`redirect-uri-${a.clientId}`);
  return `<h4>Redirect URIs</h4>
${rows ? `<ul>${rows}</ul>` : '<p>none</p>'}
<form method="post" action="${appPath(a.clientId, '/redirect-uris')}">
<label for="${id}">Redirect URI</label>
<p class="hint" id="${id}-hint">https, or http for localhost only (its port is ignored when matching); no fragment (#), no wildcard. Without a matching one, sign-in stops with AADSTS50011.</p>
<input type="url" id="${id}" name="uri" required maxlength="256" aria-describedby="${id}-hint">
<button type="submit" class="primary">Add redirect URI</button>
</form>`;
}

function secretsSection(a: AppView): string {
  const rows = a.secrets
    .map(
      (s) =>
        `<tr><td>${e(s.description)}</td><td><code>${e(s.id)}</code></td><td>${s.value === undefined ? `<code>${e(s.hint)}***</code>` : `<code>${e(s.value)}</code>`}</td><td>${e(s.expiresAt)}</td><td>${buttonForm(appPath(a.clientId, `/secrets/${s.id}/delete`), 'Remove', `Remove client secret ${s.description} (${s.id})`)}</td></tr>`,
    )
    .join('');
  const table = rows
    ? `<table><thead><tr><th scope="col">Description</th><th scope="col">Secret ID</th><th scope="col">Value</th><th scope="col">Expires</th><th scope="col">Action</th></tr></thead><tbody>${rows}</tbody></table>`
    : '<p>none</p>';
  const id = (name: string): string => e(`${name}-${a.clientId}`);
  const { min, max } = SECRET_LIFETIME_DAYS;
  return `<h4>Client secrets</h4>
${table}
<form method="post" action="${appPath(a.clientId, '/secrets')}">
<label for="${id('secret-description')}">Description</label>
<input type="text" id="${id('secret-description')}" name="description" maxlength="100">
<label for="${id('secret-days')}">Expires after (days)</label>
<input type="number" id="${id('secret-days')}" name="expiresInDays" min="${min}" max="${max}" step="1" value="${SECRET_LIFETIME_DAYS.default}" required>
<p class="hint">The value is shown once, right after it is created. A wrong value gives AADSTS7000215, an expired one AADSTS7000222; on a public client or SPA any secret gives AADSTS700025.</p>
<button type="submit" class="primary">Add client secret</button>
</form>`;
}

function consentSection(a: AppView): string {
  const users = new Map(SANDBOX_USERS.map((u) => [u.oid, u.displayName]));
  const rows = a.consent.users
    .map((u) => {
      const name = users.get(u.objectId) ?? u.userPrincipalName;
      const state =
        u.state === 'granted'
          ? `Granted: ${u.scopes.map((s) => `<code>${e(s)}</code>`).join(' ')}`
          : u.state === 'revoked'
            ? 'Revoked (consent page again; silent grants get AADSTS65001)'
            : 'No decision recorded (consent page in each new browser session)';
      const target = encodeURIComponent(u.userPrincipalName);
      const actions =
        buttonForm(appPath(a.clientId, '/consents'), 'Grant consent', `Grant consent for ${name}`, {
          hidden: { user: u.userPrincipalName },
        }) +
        buttonForm(
          appPath(a.clientId, `/consents/${target}/delete`),
          'Revoke consent',
          `Revoke consent for ${name}`,
        );
      return `<tr><td>${e(name)}</td><td>${state}</td><td>${actions}</td></tr>`;
    })
    .join('');
  const admin = a.consent.adminConsent
    ? `<p>Admin consent: <strong>granted</strong> for every user of the tenant (no consent page).</p>${buttonForm(appPath(a.clientId, '/consents/admin/delete'), 'Revoke admin consent', 'Revoke admin consent')}`
    : `<p>Admin consent: not granted.</p>${buttonForm(appPath(a.clientId, '/consents'), `Grant admin consent for ${SANDBOX_TENANT.displayName}`, `Grant admin consent for ${SANDBOX_TENANT.displayName}`, { style: 'primary', hidden: { user: 'admin' } })}`;
  return `<h4>Consent</h4>
${admin}
<table><thead><tr><th scope="col">User</th><th scope="col">Consent</th><th scope="col">Action</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function appSection(a: AppView, flash: PortalFlash | undefined): string {
  const heading = `app-${a.clientId}`;
  return `<section aria-labelledby="${e(heading)}">
<h3 id="${e(heading)}">${e(a.displayName)}</h3>
<p>${e(a.description)}</p>
${flashBlock(flash, a.clientId)}
<table><tbody>
<tr><th scope="row">Client id</th><td><code>${e(a.clientId)}</code></td></tr>
<tr><th scope="row">Service principal object id</th><td><code>${e(a.servicePrincipalId)}</code></td></tr>
<tr><th scope="row">Platform</th><td>${e(PLATFORM_LABEL[a.platform])}</td></tr>
<tr><th scope="row">Client secret (sandbox-only)</th><td>${a.clientSecret ? `<code>${e(a.clientSecret)}</code>` : a.confidential ? 'see Client secrets' : 'none (public client)'}</td></tr>
<tr><th scope="row">Redirect URIs</th><td>${list(a.redirectUris)}</td></tr>
<tr><th scope="row">Supported account types</th><td>${e(SIGN_IN_AUDIENCE_LABELS[a.signInAudience])} (<code>${a.signInAudience}</code>)</td></tr>
<tr><th scope="row">Allow public client flows</th><td>${a.allowPublicClientFlows ? 'Yes' : 'No'}</td></tr>
<tr><th scope="row">Implicit grant: ID tokens / access tokens</th><td>${a.implicitIdTokens ? 'Yes' : 'No'} / ${a.implicitAccessTokens ? 'Yes' : 'No'}</td></tr>
<tr><th scope="row">Exposed scopes</th><td>${a.identifierUri ? list(a.exposedScopes.map((s) => `${a.identifierUri}/${s}`)) : 'none'}</td></tr>
${a.identifierUri ? `<tr><th scope="row">Access token version (accessTokenAcceptedVersion)</th><td>${a.accessTokenAcceptedVersion === 2 ? '2 (v2.0)' : a.accessTokenAcceptedVersion === 1 ? '1 (v1.0)' : 'not set (v1.0)'}</td></tr>` : ''}
<tr><th scope="row">Delegated permissions</th><td>${permissions(a.delegatedPermissions)}</td></tr>
<tr><th scope="row">Application permissions</th><td>${permissions(a.applicationPermissions)}</td></tr>
${a.platform === 'web' ? `<tr><th scope="row">Certificates</th><td>${certificateRows(a.clientId, a.certificates)}</td></tr>` : ''}
</tbody></table>
<h4>Authentication</h4>
${authenticationForm(a)}
${redirectUriSection(a)}
${secretsSection(a)}
${a.platform === 'web' ? `<h4>Certificates</h4>${certificateForm(a.clientId)}` : ''}
${consentSection(a)}
</section>`;
}

/**
 * Who is looking at the portal of a sandbox in hosting mode (server/hosting.ts): a learner sees it
 * read-only, the trainer (signed in with the trainer password) can change it. Absent outside hosting mode.
 */
export type PortalAccess = 'learner' | 'trainer';

/**
 * Every form of the page made read-only: its controls inside a disabled fieldset (HTML §4.10.15: a
 * disabled fieldset disables every control it holds), so no control can be focused or sent and none
 * added later can be missed.
 */
export function disableForms(html: string): string {
  return html
    .replace(
      /<form\b([^>]*)>/g,
      '<form$1><fieldset class="read-only" disabled style="border:0;margin:0;padding:0;min-width:0">',
    )
    .replace(/<\/form>/g, '</fieldset></form>');
}

function accessNotice(access: PortalAccess | undefined): string {
  if (access === 'learner') {
    return `<div class="notice" role="note" id="read-only-notice"><p><strong>Read-only.</strong> This sandbox is shared by a class, so only the trainer can change it (reset, app registrations, secrets, certificates, consent, lockouts, settings): the forms below are turned off. Ask the trainer for a change. Everything here stays readable, also as <a href="/directory.json">directory.json</a>.</p><p>Trainer: <a href="/trainer">sign in with the trainer password</a>.</p></div>`;
  }
  if (access === 'trainer') {
    return '<div class="notice" role="note" id="trainer-notice"><p><strong>Signed in as the trainer.</strong> This sandbox is shared by a class: a change here applies to every learner at once.</p></div>';
  }
  return '';
}

/**
 * Renders the portal page; `flash` shows a form post's error or a new secret's value once; `access`
 * (hosting mode only) makes it read-only for a learner.
 */
export function portalPage(
  origin: string,
  view?: PortalView,
  flash?: PortalFlash,
  access?: PortalAccess,
): string {
  const page = portalBody(origin, view, flash, access);
  return access === 'learner' ? disableForms(page) : page;
}

function portalBody(
  origin: string,
  view: PortalView | undefined,
  flash: PortalFlash | undefined,
  access: PortalAccess | undefined,
): string {
  const d = buildDirectory(origin, view);
  const endpoints = Object.entries({ ...d.endpoints, ...d.sandboxEndpoints })
    .map(([k, v]) => `<tr><th scope="row">${e(k)}</th><td><code>${e(v)}</code></td></tr>`)
    .join('');
  const users = d.users
    .map(
      (u) =>
        `<tr><td>${e(u.displayName)}</td><td><code>${e(u.userPrincipalName)}</code></td><td><code>${e(u.password)}</code></td><td>${
          u.mfaRequired ? `Yes — code <code>${e(u.mfaCode ?? '')}</code>` : 'No'
        }</td><td><code>${e(u.objectId)}</code></td></tr>`,
    )
    .join('');
  const apps = d.apps.map((a) => appSection(a, flash)).join('\n');
  return layout(
    'Sandbox portal',
    `<h1>${e(d.tenant.displayName)} — sandbox portal</h1>
<p>${e(d.notice)} The same data is available as <a href="/directory.json">directory.json</a>.</p>
${accessNotice(access)}
<p>Beside this Entra-shaped tenant runs a plain standards-only OpenID provider (PAR, JAR, JARM, DPoP, introspection, revocation, dynamic registration): see the <a href="/standard/portal">standards sandbox portal</a>.</p>
${flashBlock(flash, undefined)}
${attackLabBanner(view?.attackLab)}
<h2>Tenant</h2>
<table><tbody>
<tr><th scope="row">Tenant id</th><td><code>${e(d.tenant.id)}</code></td></tr>
<tr><th scope="row">Domain</th><td><code>${e(d.tenant.domain)}</code></td></tr>
<tr><th scope="row">Tenant path segments accepted</th><td>the tenant id, the domain, <code>common</code>, <code>organizations</code>, <code>consumers</code></td></tr>
</tbody></table>
<h2>Endpoints</h2>
<table><tbody>${endpoints}</tbody></table>
<p class="hint">Device login page for the device code flow: <a href="${e(d.sandboxEndpoints['deviceLogin'] ?? '')}">${e(d.sandboxEndpoints['deviceLogin'] ?? '')}</a>. Graph look-alike: <code>GET /v1.0/me</code> (delegated, <code>User.Read</code>) and <code>GET /v1.0/users</code> (app-only, role <code>User.Read.All</code>).</p>
<h2 id="settings">Settings</h2>
${settingsForm(d.settings)}
<h2 id="lockouts">Smart lockout</h2>
${d.lockouts ? lockoutSection(d.lockouts) : '<p>Shown for a running sandbox.</p>'}
<p class="hint">Also as JSON: <code>GET /portal/lockouts</code>; <code>DELETE /portal/lockouts/{user}</code> unlocks.</p>
<h2 id="memory">Memory</h2>
${d.memory ? memorySection(d.memory) : '<p>Shown for a running sandbox.</p>'}
<h2>Users</h2>
<table><thead><tr><th scope="col">Name</th><th scope="col">Username</th><th scope="col">Password (sandbox-only)</th><th scope="col">MFA</th><th scope="col">Object id</th></tr></thead><tbody>${users}</tbody></table>
<h2 id="apps">App registrations</h2>
<p>Break it on purpose: change an app below the way you would in the Azure portal, reproduce the error, then undo the change. Changes apply to new requests at once; also as JSON at <code>/portal/apps/{clientId}</code>.</p>
<form method="post" action="/portal/reset"><button type="submit" class="secondary" aria-describedby="reset-hint">Reset to the seeded directory</button></form>
<p class="hint" id="reset-hint">Puts every app registration back as seeded and removes added secrets, certificates and recorded consent. Settings and signed-in sessions stay.</p>
${apps}`,
    { wide: true },
  );
}
