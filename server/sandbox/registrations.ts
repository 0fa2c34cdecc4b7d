/**
 * The tenant's app registrations as they stand now: the seeded ones, edited at runtime from the portal
 * (redirect URIs, platform, implicit grant, public client flows, client secrets), shared by every
 * sandbox instance of the tenant (tenant-state.ts). Every lookup returns a snapshot, so a change applies
 * to the next request.
 */
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { CertificateStore } from './certificates.ts';
import type { TenantPart, TenantState } from './tenant-state.ts';
import { redirectUriProblem } from './redirect-uri-rules.ts';
import { SANDBOX_APPS, SANDBOX_TENANT, type Platform, type SandboxApp } from './seed.ts';
import {
  DEFAULT_SIGN_IN_AUDIENCE,
  isSignInAudience,
  SIGN_IN_AUDIENCES,
  type SignInAudience,
} from './tenant-audience.ts';

/** A client secret of an app registration ("Certificates & secrets" → "Client secrets"). */
export interface ClientSecret {
  /** Entra's "Secret ID": a GUID, not the value (sending it as the secret gives AADSTS7000215). */
  readonly id: string;
  readonly description: string;
  /** The first three characters of the value, as the portal shows once the value is hidden. */
  readonly hint: string;
  /** ISO 8601. */
  readonly createdAt: string;
  /** ISO 8601; a secret past it gives AADSTS7000222. */
  readonly expiresAt: string;
  /** True for the secret from `seed.ts`, whose value is published sandbox test data. */
  readonly seeded: boolean;
}

/** A client secret with its value: only the registry and the one response that creates it hold this. */
export interface ClientSecretWithValue extends ClientSecret {
  readonly value: string;
}

/** An app registration as it stands now (a snapshot). */
export interface AppRegistration {
  readonly clientId: string;
  readonly displayName: string;
  readonly platform: Platform;
  readonly description: string;
  readonly redirectUris: readonly string[];
  readonly allowPublicClientFlows: boolean;
  /** "Supported account types" (tenant-audience.ts): which tenant segments the app may sign in on. */
  readonly signInAudience: SignInAudience;
  readonly implicitIdTokens: boolean;
  readonly implicitAccessTokens: boolean;
  readonly identifierUri?: string;
  readonly exposedScopes?: SandboxApp['exposedScopes'];
  readonly appRoles?: SandboxApp['appRoles'];
  readonly delegatedPermissions: SandboxApp['delegatedPermissions'];
  readonly applicationPermissions: SandboxApp['applicationPermissions'];
  /**
   * For an app that exposes an API: the access token version Entra issues for it (manifest
   * `requestedAccessTokenVersion`, Graph `api.requestedAccessTokenVersion`); null means v1.0, Entra's default.
   * @see https://learn.microsoft.com/en-us/entra/identity-platform/reference-microsoft-graph-app-manifest#api-attributes
   */
  readonly accessTokenAcceptedVersion: AccessTokenVersion | null;
  readonly secrets: readonly ClientSecret[];
  /** The seeded secret's value while that secret is still registered (published test data). */
  readonly seededSecret?: string;
  /**
   * A confidential client: on the Web platform with a credential (a secret or a certificate). SPA and
   * public client platforms never are: a credential from them gives AADSTS700025.
   */
  readonly confidential: boolean;
}

/** The access token versions an API may accept (`accessTokenAcceptedVersion`). */
export type AccessTokenVersion = 1 | 2;

/** Looks an app registration up by client id (case-insensitive, as Entra compares GUIDs). */
export type AppLookup = (clientId: string | undefined) => AppRegistration | undefined;

/** The settings `PATCH /portal/apps/{clientId}` may change. */
export interface AppPatch {
  platform?: Platform;
  redirectUris?: string[];
  implicitIdTokens?: boolean;
  implicitAccessTokens?: boolean;
  allowPublicClientFlows?: boolean;
  accessTokenAcceptedVersion?: AccessTokenVersion | null;
  signInAudience?: SignInAudience;
}

/** Outcome of a registry change: the new snapshot, or why it was refused. */
export type RegistryResult<T = AppRegistration> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly status: 400 | 404; readonly message: string };

/** The platforms an app may be switched between. */
export const PLATFORMS: readonly Platform[] = ['spa', 'web', 'publicClient'];

/** Lifetimes the portal offers for a new secret (Entra: 90 days to 2 years; recommended 180 days). */
export const SECRET_LIFETIME_DAYS = { default: 180, min: 1, max: 730 } as const;

const DAY_MS = 24 * 3600 * 1000;

interface MutableApp {
  readonly seed: SandboxApp;
  platform: Platform;
  redirectUris: string[];
  allowPublicClientFlows: boolean;
  implicitIdTokens: boolean;
  implicitAccessTokens: boolean;
  accessTokenAcceptedVersion: AccessTokenVersion | null;
  signInAudience: SignInAudience;
  secrets: ClientSecretWithValue[];
}

/** A stable GUID for the seeded secret of an app, shaped like any other Entra object id. */
function seededSecretId(clientId: string): string {
  const hex = createHash('sha256').update(`${SANDBOX_TENANT.id}|secret|${clientId}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function fromSeed(seed: SandboxApp, now: number): MutableApp {
  const secrets: ClientSecretWithValue[] =
    seed.clientSecret === undefined
      ? []
      : [
          {
            id: seededSecretId(seed.clientId),
            description: 'Seeded sandbox secret',
            hint: seed.clientSecret.slice(0, 3),
            createdAt: new Date(now).toISOString(),
            expiresAt: new Date(now + SECRET_LIFETIME_DAYS.max * DAY_MS).toISOString(),
            seeded: true,
            value: seed.clientSecret,
          },
        ];
  return {
    seed,
    platform: seed.platform,
    redirectUris: [...seed.redirectUris],
    allowPublicClientFlows: seed.allowPublicClientFlows,
    implicitIdTokens: seed.implicitIdTokens,
    implicitAccessTokens: seed.implicitAccessTokens,
    accessTokenAcceptedVersion: seed.accessTokenAcceptedVersion ?? null,
    signInAudience: seed.signInAudience ?? DEFAULT_SIGN_IN_AUDIENCE,
    secrets,
  };
}

/** Entra's rules for a redirect URI (redirect-uri-rules.ts); re-exported for existing callers. */
export { redirectUriProblem };

/** Validates a JSON `PATCH` body: known fields only, with the right types; redirect URIs as Entra checks them. */
export function parseAppPatch(
  input: unknown,
): { ok: true; patch: AppPatch } | { ok: false; message: string } {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, message: 'Expected a JSON object.' };
  }
  const patch: AppPatch = {};
  for (const [key, value] of Object.entries(input)) {
    if (key === 'platform') {
      if (!PLATFORMS.some((p) => p === value))
        return { ok: false, message: `platform must be one of ${PLATFORMS.join(', ')}.` };
      patch.platform = value as Platform;
    } else if (
      key === 'implicitIdTokens' ||
      key === 'implicitAccessTokens' ||
      key === 'allowPublicClientFlows'
    ) {
      if (typeof value !== 'boolean') return { ok: false, message: `${key} must be a boolean.` };
      patch[key] = value;
    } else if (key === 'signInAudience') {
      if (!isSignInAudience(value))
        return { ok: false, message: `signInAudience must be one of ${SIGN_IN_AUDIENCES.join(', ')}.` };
      patch.signInAudience = value;
    } else if (key === 'accessTokenAcceptedVersion') {
      if (value !== null && value !== 1 && value !== 2)
        return { ok: false, message: 'accessTokenAcceptedVersion must be null, 1 or 2.' };
      patch.accessTokenAcceptedVersion = value;
    } else if (key === 'redirectUris') {
      if (!Array.isArray(value) || value.some((v) => typeof v !== 'string'))
        return { ok: false, message: 'redirectUris must be an array of strings.' };
      const uris = (value as string[]).map((v) => v.trim());
      // The platform may be in the same patch; update() checks the URIs against the final platform.
      for (const uri of uris) {
        const problem = redirectUriProblem(uri, 'publicClient');
        if (problem) return { ok: false, message: problem };
      }
      if (new Set(uris).size !== uris.length) return { ok: false, message: 'redirectUris has duplicates.' };
      patch.redirectUris = uris;
    } else {
      return { ok: false, message: `Unknown field '${key}'.` };
    }
  }
  return { ok: true, patch };
}

function sameSecret(a: string, b: string): boolean {
  const x = createHash('sha256').update(a).digest();
  const y = createHash('sha256').update(b).digest();
  return timingSafeEqual(x, y);
}

/** Entra-style secret value: 40 characters with a `~` in the fourth place, sandbox-prefixed. */
function generateSecretValue(): string {
  return `sbx~${randomBytes(27).toString('base64url')}`;
}

/** A registration's changeable fields as the shared store keeps them (the seed is found by client id). */
type StoredApp = Omit<MutableApp, 'seed'> & { readonly clientId: string };

/** The `apps` part of the tenant state: every registration's changeable fields. */
interface StoredApps {
  readonly apps: readonly StoredApp[];
}

function toStored(apps: ReadonlyMap<string, MutableApp>): StoredApps {
  return {
    apps: [...apps.values()].map(({ seed, ...fields }) => ({ clientId: seed.clientId, ...fields })),
  };
}

/** The registrations a stored value describes; absent ones (or no value at all) as seeded. */
function fromStored(value: unknown, now: number): Map<string, MutableApp> {
  const stored = new Map(
    ((value as StoredApps | undefined)?.apps ?? []).map((app) => [app.clientId, app] as const),
  );
  const apps = new Map<string, MutableApp>();
  for (const seed of SANDBOX_APPS) {
    const app = stored.get(seed.clientId);
    if (!app) {
      apps.set(seed.clientId, fromSeed(seed, now));
      continue;
    }
    const { clientId: _clientId, ...fields } = app;
    apps.set(seed.clientId, {
      ...fields,
      seed,
      redirectUris: [...fields.redirectUris],
      secrets: fields.secrets.map((secret) => ({ ...secret })),
    });
  }
  return apps;
}

function sameFields(a: MutableApp, b: MutableApp): boolean {
  const fields = ({ seed: _seed, ...rest }: MutableApp): string => JSON.stringify(rest);
  return a.seed === b.seed && fields(a) === fields(b);
}

/** A change to the registrations: works on a copy, says whether it applies. */
type AppsChange<T> = (apps: Map<string, MutableApp>) => RegistryResult<T>;

/**
 * The live app registrations of the tenant. Reads are synchronous, from this instance's copy; every
 * change goes through the tenant state (tenant-state.ts), so it is in the shared store, and seen by every
 * instance's next request, before the call resolves. Without a tenant state (the seeded listing) changes
 * stay in this object.
 */
export class AppRegistry implements TenantPart {
  /** The tenant state part name. */
  readonly name = 'apps';
  readonly #certificates: CertificateStore;
  readonly #tenant: TenantState | undefined;
  /** When this instance seeded its copy: the seeded secrets' creation time until the state is written. */
  readonly #seededAt = Date.now();
  #apps = new Map<string, MutableApp>();
  /**
   * The secret oidc-provider's client metadata holds; the token gate checks the real ones first. Per
   * instance: it only ever travels from this instance's gate to this instance's oidc-provider.
   */
  readonly #internalSecrets = new Map<string, string>();
  /**
   * The current snapshot of each app, made on first lookup after a change: a token request looks its
   * app up several times, and oidc-provider rebuilds its client whenever the snapshot is a new object.
   * Dropped by every change below; `withCertificate` is re-checked on lookup, as certificates are
   * registered elsewhere (certificates.ts).
   */
  readonly #snapshots = new Map<
    string,
    { readonly withCertificate: boolean; readonly app: AppRegistration }
  >();

  constructor(certificates: CertificateStore, tenant?: TenantState) {
    this.#certificates = certificates;
    this.#tenant = tenant;
    for (const seed of SANDBOX_APPS)
      this.#internalSecrets.set(seed.clientId, randomBytes(32).toString('hex'));
    this.load(undefined);
    tenant?.register(this);
  }

  /** Replaces this instance's copy with the stored registrations (tenant-state.ts). */
  load(value: unknown): void {
    // Never written (a fresh tenant): seeded as of this instance's start, the same on every reload.
    const next = fromStored(value, this.#seededAt);
    // An unchanged app keeps its snapshot (and so the client oidc-provider built from it).
    for (const [clientId, app] of next) {
      const before = this.#apps.get(clientId);
      if (before && sameFields(before, app)) next.set(clientId, before);
      else this.#snapshots.delete(clientId);
    }
    this.#apps = next;
  }

  /** Puts every app registration back as seeded, for every instance (certificates are the caller's). */
  async reset(): Promise<void> {
    // Written out in full, so every instance shows the same creation time for the seeded secrets.
    const seeded = toStored(fromStored(undefined, Date.now()));
    if (!this.#tenant) {
      this.load(seeded);
      return;
    }
    await this.#tenant.write<StoredApps>(this.name, () => seeded);
  }

  /** Runs `change` on the stored registrations (atomically across instances) and loads the result. */
  async #change<T>(change: AppsChange<T>): Promise<RegistryResult<T>> {
    if (!this.#tenant) {
      const copy = fromStored(toStored(this.#apps), this.#seededAt);
      const result = change(copy);
      if (result.ok) this.load(toStored(copy));
      return result;
    }
    const out: { result: RegistryResult<T> | undefined } = { result: undefined };
    await this.#tenant.write<StoredApps>(this.name, (current) => {
      const apps = fromStored(current, this.#seededAt);
      out.result = change(apps);
      return out.result.ok ? toStored(apps) : current;
    });
    if (!out.result) throw new Error('AppRegistry: the change did not run');
    return out.result;
  }

  /** Runs `change` for one app and answers with the app's new snapshot. */
  async #changeApp(
    clientId: string,
    change: (app: MutableApp) => RegistryResult<void>,
  ): Promise<RegistryResult> {
    const result = await this.#change((apps) => {
      const app = apps.get(clientId);
      return app ? change(app) : notFound(clientId);
    });
    if (!result.ok) return result;
    const app = this.find(clientId);
    return app ? { ok: true, value: app } : notFound(clientId);
  }

  /** Looks an app up by client id (case-insensitive). */
  readonly find: AppLookup = (clientId) => {
    if (!clientId) return undefined;
    const app = this.#apps.get(clientId.toLowerCase());
    return app ? this.#current(app) : undefined;
  };

  /** Every app registration, in seed order. */
  list(): AppRegistration[] {
    return [...this.#apps.values()].map((app) => this.#current(app));
  }

  /** The client secret oidc-provider knows for a confidential client (never shown to anyone). */
  internalSecret(clientId: string): string {
    return this.#internalSecrets.get(clientId) ?? '';
  }

  /** Checks a presented secret against the app's secrets. */
  verifySecret(clientId: string, presented: string): 'valid' | 'expired' | 'invalid' {
    const app = this.#apps.get(clientId);
    const match = app?.secrets.find((s) => sameSecret(s.value, presented));
    if (!match) return 'invalid';
    return Date.parse(match.expiresAt) <= Date.now() ? 'expired' : 'valid';
  }

  /**
   * The value of the app's newest secret that has not expired, or undefined. Sandbox-only test data:
   * the lab app reads it from `/app-directory/v1.json` (app-directory.ts) so a secret added on the portal works
   * in its flows without being typed in.
   */
  newestSecretValue(clientId: string, now: number = Date.now()): string | undefined {
    const live = (this.#apps.get(clientId)?.secrets ?? []).filter((s) => Date.parse(s.expiresAt) > now);
    return live.reduce<ClientSecretWithValue | undefined>(
      (newest, s) => (newest === undefined || s.createdAt >= newest.createdAt ? s : newest),
      undefined,
    )?.value;
  }

  /** Applies a validated patch. */
  update(clientId: string, patch: AppPatch): Promise<RegistryResult> {
    return this.#changeApp(clientId, (app) => {
      // Redirect URIs belong to a platform (https://learn.microsoft.com/entra/identity-platform/how-to-add-redirect-uri):
      // a custom scheme stays on "Mobile and desktop applications", so a switch away from it is refused.
      const platform = patch.platform ?? app.platform;
      for (const uri of patch.redirectUris ?? app.redirectUris) {
        const problem = redirectUriProblem(uri, platform);
        if (problem) return { ok: false, status: 400, message: `${uri}: ${problem}` };
      }
      if (patch.platform !== undefined) app.platform = patch.platform;
      if (patch.redirectUris !== undefined) app.redirectUris = [...patch.redirectUris];
      if (patch.implicitIdTokens !== undefined) app.implicitIdTokens = patch.implicitIdTokens;
      if (patch.implicitAccessTokens !== undefined) app.implicitAccessTokens = patch.implicitAccessTokens;
      if (patch.allowPublicClientFlows !== undefined)
        app.allowPublicClientFlows = patch.allowPublicClientFlows;
      if (patch.accessTokenAcceptedVersion !== undefined)
        app.accessTokenAcceptedVersion = patch.accessTokenAcceptedVersion;
      if (patch.signInAudience !== undefined) app.signInAudience = patch.signInAudience;
      return { ok: true, value: undefined };
    });
  }

  /** Registers one more redirect URI. */
  addRedirectUri(clientId: string, uri: string): Promise<RegistryResult> {
    const value = uri.trim();
    return this.#changeApp(clientId, (app) => {
      const problem = redirectUriProblem(value, app.platform);
      if (problem) return { ok: false, status: 400, message: problem };
      if (app.redirectUris.includes(value))
        return { ok: false, status: 400, message: `'${value}' is already registered.` };
      app.redirectUris.push(value);
      return { ok: true, value: undefined };
    });
  }

  /** Removes a redirect URI (exact string). */
  removeRedirectUri(clientId: string, uri: string): Promise<RegistryResult> {
    return this.#changeApp(clientId, (app) => {
      if (!app.redirectUris.includes(uri))
        return { ok: false, status: 404, message: `'${uri}' is not a redirect URI of this app.` };
      app.redirectUris = app.redirectUris.filter((u) => u !== uri);
      return { ok: true, value: undefined };
    });
  }

  /** Creates a client secret; the value is returned this once. */
  async addSecret(
    clientId: string,
    options: { readonly description?: string; readonly expiresInDays?: number } = {},
  ): Promise<RegistryResult<ClientSecretWithValue>> {
    const days = options.expiresInDays ?? SECRET_LIFETIME_DAYS.default;
    const { min, max } = SECRET_LIFETIME_DAYS;
    if (!this.#apps.has(clientId)) return notFound(clientId);
    if (!Number.isInteger(days) || days < min || days > max)
      return { ok: false, status: 400, message: `expiresInDays must be an integer from ${min} to ${max}.` };
    const description = (options.description ?? '').trim().slice(0, 100) || 'Client secret';
    // Made once, outside the change: the change may run again when another instance writes meanwhile.
    const value = generateSecretValue();
    const now = Date.now();
    const secret: ClientSecretWithValue = {
      id: randomUUID(),
      description,
      hint: value.slice(0, 3),
      createdAt: new Date(now).toISOString(),
      expiresAt: new Date(now + days * DAY_MS).toISOString(),
      seeded: false,
      value,
    };
    const result = await this.#changeApp(clientId, (app) => {
      app.secrets.push(secret);
      return { ok: true, value: undefined };
    });
    return result.ok ? { ok: true, value: secret } : result;
  }

  /** Deletes a client secret by its id. */
  removeSecret(clientId: string, secretId: string): Promise<RegistryResult> {
    return this.#changeApp(clientId, (app) => {
      if (!app.secrets.some((s) => s.id === secretId))
        return { ok: false, status: 404, message: `No client secret with id '${secretId}'.` };
      app.secrets = app.secrets.filter((s) => s.id !== secretId);
      return { ok: true, value: undefined };
    });
  }

  #current(app: MutableApp): AppRegistration {
    const withCertificate = this.#certificates.list(app.seed.clientId).length > 0;
    const kept = this.#snapshots.get(app.seed.clientId);
    if (kept?.withCertificate === withCertificate) return kept.app;
    const snapshot = this.#snapshot(app, withCertificate);
    this.#snapshots.set(app.seed.clientId, { withCertificate, app: snapshot });
    return snapshot;
  }

  /** Frozen: one snapshot is shared by every lookup until the app changes. */
  #snapshot(app: MutableApp, withCertificate: boolean): AppRegistration {
    const { seed } = app;
    const seeded = app.secrets.find((s) => s.seeded);
    const hasCredential = app.secrets.length > 0 || withCertificate;
    return Object.freeze({
      clientId: seed.clientId,
      displayName: seed.displayName,
      platform: app.platform,
      description: seed.description,
      redirectUris: Object.freeze([...app.redirectUris]),
      allowPublicClientFlows: app.allowPublicClientFlows,
      signInAudience: app.signInAudience,
      implicitIdTokens: app.implicitIdTokens,
      implicitAccessTokens: app.implicitAccessTokens,
      ...(seed.identifierUri === undefined ? {} : { identifierUri: seed.identifierUri }),
      ...(seed.exposedScopes === undefined ? {} : { exposedScopes: seed.exposedScopes }),
      ...(seed.appRoles === undefined ? {} : { appRoles: seed.appRoles }),
      delegatedPermissions: seed.delegatedPermissions,
      applicationPermissions: seed.applicationPermissions,
      accessTokenAcceptedVersion: app.accessTokenAcceptedVersion,
      secrets: Object.freeze(app.secrets.map(({ value: _value, ...summary }) => Object.freeze(summary))),
      ...(seeded ? { seededSecret: seeded.value } : {}),
      confidential: app.platform === 'web' && hasCredential,
    });
  }
}

function notFound(clientId: string): { ok: false; status: 404; message: string } {
  return { ok: false, status: 404, message: `No app registration '${clientId}'.` };
}
