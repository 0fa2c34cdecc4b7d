/**
 * Where requests go and as which app. The authority is the sandbox, an Entra ID cloud and tenant, any
 * OpenID provider found by its issuer URL, or endpoints typed by hand. The app is one of several named
 * profiles. Non-secret settings persist in localStorage; a profile's client secret stays in memory
 * unless the user ticks "Remember on this device" for that profile.
 *
 * The sandbox's ids are not known here in advance: they come from its directory at run time
 * (`sandbox-directory.ts`). An empty tenant under the sandbox authority means "the sandbox's own
 * tenant", an empty client id "the sandbox's SPA registration"; both resolve when a request is built.
 */
import { create } from 'zustand';
import { persist } from 'zustand/middleware';
import type { MetadataKind } from '../protocol/discovery.ts';
import { validateStoredEndpoints } from '../protocol/endpoint-checks.ts';
import { buildEntraEndpoints, ENTRA_GLOBAL_ORIGIN, type Endpoints } from '../protocol/endpoints.ts';
// The metadata checks alone: the verdicts and their texts are loaded by the pages that show them
// (`./provider-features.ts`), so the landing page does not carry them.
import {
  pickFeatureMetadata,
  pickFlowSupportMetadata,
  type FeatureMetadata,
} from '../protocol/metadata-fields.ts';
import { CALLBACK_PATH } from '../protocol/callback-path.ts';
import { findSandboxApp } from '../protocol/sandbox-directory.ts';
import { currentSandboxDirectory, sandboxAppNamed } from './sandbox-directory.ts';

export type AuthorityKind = 'sandbox' | 'entra' | 'issuer' | 'manual';

/** How the app is registered: decides whether it has a secret and how codes are redeemed. */
export type Platform = 'spa' | 'web' | 'public';

/** An issuer found by discovery and checked; its endpoints are what flows use. */
export interface IssuerAuthority {
  readonly issuer: string;
  readonly metadata: MetadataKind;
  readonly endpoints: Endpoints;
  /** The document's fields that decide which flows it supports (see `pickFlowSupportMetadata`). */
  readonly supportMetadata?: Readonly<Record<string, readonly string[]>>;
  /** The document's fields that decide which features it offers (see `pickFeatureMetadata`). */
  readonly featureMetadata?: FeatureMetadata;
}

/** A named app registration: which client the flows act as. */
export interface AppProfile {
  readonly id: string;
  readonly name: string;
  readonly clientId: string;
  readonly redirectUri: string;
  readonly platform: Platform;
  /** Space-separated scopes flows start with; empty means each flow's own default. */
  readonly scopes: string;
  /** Memory only, unless `rememberSecret`. */
  readonly clientSecret: string;
  /** The user chose to keep this profile's secret in localStorage. */
  readonly rememberSecret: boolean;
  /** The well-known client this profile was made from, if any (for its note). */
  readonly preset?: string;
}

export interface Settings {
  readonly authority: AuthorityKind;
  /** Entra's sign-in host for the chosen cloud. */
  readonly entraOrigin: string;
  readonly tenant: string;
  /** The saved generic issuer (authority `issuer`). */
  readonly issuer: IssuerAuthority | null;
  /** The saved hand-typed endpoints (authority `manual`). */
  readonly manualEndpoints: Endpoints | null;
  readonly profiles: readonly AppProfile[];
  readonly activeProfileId: string;
  /** The active profile's client id (kept in step with it); empty in the sandbox: its SPA registration. */
  readonly clientId: string;
  /** The active profile's redirect URI (kept in step with it). */
  readonly redirectUri: string;
  /** The active profile's secret (kept in step with it). */
  readonly clientSecret: string;
}

interface SettingsStore extends Settings {
  /** Patches settings; `clientId`, `redirectUri` and `clientSecret` go to the active profile. */
  update(patch: Partial<Settings>): void;
  reset(): void;
  /** Makes a checked issuer the authority. */
  setIssuer(issuer: IssuerAuthority): void;
  /** Makes checked hand-typed endpoints the authority. */
  setManualEndpoints(endpoints: Endpoints): void;
  /**
   * Makes a checked issuer the authority with a preset's profiles (see `mergePresetProfiles`), and
   * makes the one whose `preset` is `activePreset` active.
   */
  applyIssuerPreset(
    issuer: IssuerAuthority,
    profiles: readonly Omit<AppProfile, 'id'>[],
    activePreset: string,
  ): void;
  addProfile(profile: Omit<AppProfile, 'id'>): string;
  updateProfile(id: string, patch: Partial<Omit<AppProfile, 'id'>>): void;
  removeProfile(id: string): void;
  selectProfile(id: string): void;
}

/** The id of the profile every fresh start has (see {@link defaultProfile}). */
export const DEFAULT_PROFILE_ID = 'sandbox-spa';

/** The callback URI on this app's own origin. */
export function defaultRedirectUri(): string {
  return `${window.location.origin}${CALLBACK_PATH}`;
}

/** A fresh, random profile id. */
export function newProfileId(): string {
  return `p-${crypto.randomUUID()}`;
}

/**
 * The profile every fresh start has: the sandbox's SPA registration on this app's callback. Its client
 * id is empty: in the sandbox that means the SPA registration its directory lists at the time of a run.
 */
export function defaultProfile(): AppProfile {
  return {
    id: DEFAULT_PROFILE_ID,
    name: 'Sandbox SPA',
    clientId: '',
    redirectUri: defaultRedirectUri(),
    platform: 'spa',
    scopes: '',
    clientSecret: '',
    rememberSecret: false,
  };
}

export function defaultSettings(): Settings {
  const profile = defaultProfile();
  return {
    authority: 'sandbox',
    entraOrigin: ENTRA_GLOBAL_ORIGIN,
    // The sandbox's own tenant, read from its directory when a request is built.
    tenant: '',
    issuer: null,
    manualEndpoints: null,
    profiles: [profile],
    activeProfileId: profile.id,
    clientId: profile.clientId,
    redirectUri: profile.redirectUri,
    clientSecret: profile.clientSecret,
  };
}

/**
 * Keeps the settings consistent: at least one profile, an active one that exists, its fields
 * mirrored at the top level, and an authority whose endpoints are known.
 */
export function normalizeSettings(settings: Settings): Settings {
  const profiles = settings.profiles.length > 0 ? settings.profiles : [defaultProfile()];
  const active = profiles.find((p) => p.id === settings.activeProfileId) ?? (profiles[0] as AppProfile);
  const authority =
    (settings.authority === 'issuer' && settings.issuer === null) ||
    (settings.authority === 'manual' && settings.manualEndpoints === null)
      ? 'sandbox'
      : settings.authority;
  return {
    authority,
    entraOrigin: settings.entraOrigin,
    tenant: settings.tenant,
    issuer: settings.issuer,
    manualEndpoints: settings.manualEndpoints,
    profiles,
    activeProfileId: active.id,
    clientId: active.clientId,
    redirectUri: active.redirectUri,
    clientSecret: active.clientSecret,
  };
}

/**
 * A preset's profiles merged into the existing ones: a profile with the same `preset` marker is updated
 * in place (same id, the user's "remember" choice kept), a new one is added. Applying a preset twice
 * gives the same profiles as applying it once.
 */
export function mergePresetProfiles(
  profiles: readonly AppProfile[],
  incoming: readonly Omit<AppProfile, 'id'>[],
): AppProfile[] {
  const merged = [...profiles];
  for (const profile of incoming) {
    const at = profile.preset === undefined ? -1 : merged.findIndex((p) => p.preset === profile.preset);
    const existing = merged[at];
    if (existing === undefined) merged.push({ ...profile, id: newProfileId() });
    else merged[at] = { ...profile, id: existing.id, rememberSecret: existing.rememberSecret };
  }
  return merged;
}

/** Applies a patch: the mirrored client fields are written to the active profile. */
export function patchSettings(settings: Settings, patch: Partial<Settings>): Settings {
  const { clientId, redirectUri, clientSecret, ...rest } = patch;
  const next: Settings = { ...settings, ...rest };
  const profilePatch: Partial<AppProfile> = {
    ...(clientId === undefined ? {} : { clientId }),
    ...(redirectUri === undefined ? {} : { redirectUri }),
    ...(clientSecret === undefined ? {} : { clientSecret }),
  };
  const profiles =
    Object.keys(profilePatch).length === 0
      ? next.profiles
      : next.profiles.map((p) => (p.id === next.activeProfileId ? { ...p, ...profilePatch } : p));
  return normalizeSettings({ ...next, profiles });
}

/** What goes to localStorage: no secret, except a profile's whose owner ticked "Remember". */
export function persistedSettings(settings: Settings) {
  return {
    authority: settings.authority,
    entraOrigin: settings.entraOrigin,
    tenant: settings.tenant,
    issuer: settings.issuer,
    manualEndpoints: settings.manualEndpoints,
    activeProfileId: settings.activeProfileId,
    profiles: settings.profiles.map((p) => ({
      id: p.id,
      name: p.name,
      clientId: p.clientId,
      redirectUri: p.redirectUri,
      platform: p.platform,
      scopes: p.scopes,
      rememberSecret: p.rememberSecret,
      ...(p.preset === undefined ? {} : { preset: p.preset }),
      clientSecret: p.rememberSecret ? p.clientSecret : '',
    })),
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const str = (value: unknown, fallback: string): string => (typeof value === 'string' ? value : fallback);

/** Stored endpoints, re-checked as if typed (storage may have been edited); odd ones are dropped. */
function restoreEndpoints(value: unknown): Endpoints | null {
  if (!isRecord(value)) return null;
  try {
    return validateStoredEndpoints({
      authorization: str(value['authorization'], ''),
      token: str(value['token'], ''),
      jwks: str(value['jwks'], ''),
      deviceAuthorization: str(value['deviceAuthorization'], ''),
      discovery: str(value['discovery'], ''),
    });
  } catch {
    return null;
  }
}

function restoreIssuer(value: unknown): IssuerAuthority | null {
  if (!isRecord(value) || typeof value['issuer'] !== 'string') return null;
  const endpoints = restoreEndpoints(value['endpoints']);
  if (endpoints === null) return null;
  const metadata =
    value['metadata'] === 'oauth-authorization-server'
      ? 'oauth-authorization-server'
      : 'openid-configuration';
  const support = value['supportMetadata'];
  const features = value['featureMetadata'];
  return {
    issuer: value['issuer'],
    metadata,
    endpoints,
    ...(isRecord(support) ? { supportMetadata: pickFlowSupportMetadata(support) } : {}),
    ...(isRecord(features) ? { featureMetadata: pickFeatureMetadata(features) } : {}),
  };
}

/** Reads what storage holds, field by field; anything odd falls back to the defaults. */
export function restoreSettings(stored: unknown, current: Settings): Settings {
  if (!isRecord(stored)) return current;
  const profiles = Array.isArray(stored['profiles'])
    ? stored['profiles'].filter(isRecord).map((p): AppProfile => ({
        id: str(p['id'], newProfileId()),
        name: str(p['name'], 'Profile'),
        clientId: str(p['clientId'], ''),
        redirectUri: str(p['redirectUri'], defaultRedirectUri()),
        platform: p['platform'] === 'web' || p['platform'] === 'public' ? p['platform'] : 'spa',
        scopes: str(p['scopes'], ''),
        rememberSecret: p['rememberSecret'] === true,
        clientSecret: p['rememberSecret'] === true ? str(p['clientSecret'], '') : '',
        ...(typeof p['preset'] === 'string' ? { preset: p['preset'] } : {}),
      }))
    : current.profiles;
  const authority = stored['authority'];
  return normalizeSettings({
    ...current,
    authority:
      authority === 'sandbox' || authority === 'entra' || authority === 'issuer' || authority === 'manual'
        ? authority
        : current.authority,
    entraOrigin: str(stored['entraOrigin'], current.entraOrigin),
    tenant: str(stored['tenant'], current.tenant),
    issuer: restoreIssuer(stored['issuer']),
    manualEndpoints: restoreEndpoints(stored['manualEndpoints']),
    profiles,
    activeProfileId: str(stored['activeProfileId'], current.activeProfileId),
  });
}

/** Version 1 stored one client id and redirect URI: they become a profile. */
function migrate(stored: unknown, version: number): unknown {
  if (version >= 2 || !isRecord(stored)) return stored;
  const profile = {
    ...defaultProfile(),
    id: 'migrated',
    name: 'My app',
    clientId: str(stored['clientId'], ''),
    redirectUri: str(stored['redirectUri'], defaultRedirectUri()),
  };
  return { ...stored, profiles: [profile], activeProfileId: profile.id };
}

export const SETTINGS_STORAGE_KEY = 'oauth-flow-lab:settings';

export const useSettings = create<SettingsStore>()(
  persist(
    (set) => ({
      ...defaultSettings(),
      update: (patch) => set((s) => patchSettings(s, patch)),
      reset: () => set(defaultSettings()),
      setIssuer: (issuer) => set((s) => normalizeSettings({ ...s, authority: 'issuer', issuer })),
      applyIssuerPreset: (issuer, incoming, activePreset) =>
        set((s) => {
          const profiles = mergePresetProfiles(s.profiles, incoming);
          const active = profiles.find((p) => p.preset === activePreset)?.id ?? s.activeProfileId;
          return normalizeSettings({ ...s, authority: 'issuer', issuer, profiles, activeProfileId: active });
        }),
      setManualEndpoints: (endpoints) =>
        set((s) => normalizeSettings({ ...s, authority: 'manual', manualEndpoints: endpoints })),
      addProfile: (profile) => {
        const id = newProfileId();
        set((s) =>
          normalizeSettings({ ...s, profiles: [...s.profiles, { ...profile, id }], activeProfileId: id }),
        );
        return id;
      },
      updateProfile: (id, patch) =>
        set((s) =>
          normalizeSettings({
            ...s,
            profiles: s.profiles.map((p) => (p.id === id ? { ...p, ...patch } : p)),
          }),
        ),
      removeProfile: (id) =>
        set((s) => normalizeSettings({ ...s, profiles: s.profiles.filter((p) => p.id !== id) })),
      selectProfile: (id) => set((s) => normalizeSettings({ ...s, activeProfileId: id })),
    }),
    {
      name: SETTINGS_STORAGE_KEY,
      version: 2,
      migrate,
      // Secrets never reach storage unless the user asked for it, per profile.
      partialize: (state: SettingsStore) => persistedSettings(state),
      merge: (stored: unknown, current: SettingsStore): SettingsStore => ({
        ...current,
        ...restoreSettings(stored, current),
      }),
    },
  ),
);

/** The active app profile. */
export function activeProfile(
  settings: Pick<Settings, 'profiles' | 'activeProfileId'> = useSettings.getState(),
): AppProfile {
  return (
    settings.profiles.find((p) => p.id === settings.activeProfileId) ?? (settings.profiles[0] as AppProfile)
  );
}

/** The sandbox's SPA registration, as its directory lists it now (undefined before it is read). */
function sandboxSpaClientId(): string | undefined {
  return currentSandboxDirectory()?.apps.find((app) => app.platform === 'spa')?.clientId;
}

/**
 * The tenant requests go to: the one in the settings, or — under the sandbox with none typed — the
 * sandbox's own tenant from its directory (empty until that has been read).
 */
export function tenantFor(settings: Pick<Settings, 'authority' | 'tenant'>): string {
  if (settings.authority !== 'sandbox' || settings.tenant.trim() !== '') return settings.tenant;
  return currentSandboxDirectory()?.tenant.id ?? '';
}

/**
 * The client id a run starts with: the active profile's, or, when it has none, the sandbox's SPA
 * registration as its directory lists it — under the sandbox authority, and for the default profile
 * under any authority (it is the sandbox's SPA, wherever its endpoints are reached from).
 */
export function clientIdFor(settings: Pick<Settings, 'authority' | 'clientId' | 'activeProfileId'>): string {
  if (settings.clientId.trim() !== '') return settings.clientId;
  if (settings.authority !== 'sandbox' && settings.activeProfileId !== DEFAULT_PROFILE_ID) return '';
  return sandboxSpaClientId() ?? '';
}

/** The endpoints the settings point at; the sandbox origin comes from the app's runtime config. */
export function endpointsFor(
  settings: Pick<Settings, 'authority' | 'entraOrigin' | 'tenant'> &
    Partial<Pick<Settings, 'issuer' | 'manualEndpoints'>>,
  sandboxOrigin: string,
): Endpoints {
  if (settings.authority === 'issuer' && settings.issuer != null) return settings.issuer.endpoints;
  if (settings.authority === 'manual' && settings.manualEndpoints != null) return settings.manualEndpoints;
  return buildEntraEndpoints(
    settings.authority === 'entra' ? settings.entraOrigin : sandboxOrigin,
    tenantFor(settings),
  );
}

/**
 * Where a run starts: Entra's layout (origin and a tenant the run may edit), or fixed endpoints for
 * a generic issuer or hand-typed ones, where no tenant is part of the path.
 */
export function authorityForRun(sandboxOrigin: string): {
  authorityOrigin: string;
  tenant: string;
  endpoints?: Endpoints;
} {
  const settings = useSettings.getState();
  if (settings.authority === 'sandbox')
    return { authorityOrigin: sandboxOrigin, tenant: tenantFor(settings) };
  if (settings.authority === 'entra')
    return { authorityOrigin: settings.entraOrigin, tenant: settings.tenant };
  const endpoints = endpointsFor(settings, sandboxOrigin);
  return {
    authorityOrigin: new URL(endpoints.token ?? endpoints.authorization).origin,
    tenant: '',
    endpoints,
  };
}

/**
 * The issuer the callback's `iss` must match, when it can be known in advance: a generic issuer's, or
 * the one the sandbox's directory names (RFC 9207 §2.4: compare with the issuer of the server the
 * request was sent to).
 */
export function expectedIssuer(
  settings: Pick<Settings, 'authority' | 'tenant'> & Partial<Pick<Settings, 'issuer'>>,
  sandboxOrigin: string,
): string | undefined {
  if (settings.authority === 'issuer' && settings.issuer != null) return settings.issuer.issuer;
  if (settings.authority !== 'sandbox') return undefined;
  const directory = currentSandboxDirectory();
  // The directory read from another origin (the lab config changed since) says nothing about this one.
  return directory !== undefined && new URL(directory.issuer).origin === new URL(sandboxOrigin).origin
    ? directory.issuer
    : undefined;
}

/**
 * The client secret a run starts with after the redirect wiped memory: the one typed in this page
 * session (or remembered on this device), or — for the sandbox's own apps only — the sandbox-only
 * secret its directory lists now (so a secret rotated on the portal is the one used).
 */
export function secretForRun(clientId: string): string {
  const settings = useSettings.getState();
  if (settings.clientSecret !== '') return settings.clientSecret;
  if (settings.authority !== 'sandbox') return '';
  return findSandboxApp(currentSandboxDirectory(), clientId)?.sandboxOnlySecret ?? '';
}

/**
 * The sandbox app registrations the flows use, by display name (names are fixed; everything else is
 * read from the sandbox's directory at run time).
 */
export type SandboxAppName =
  'Flow Lab SPA' | 'Flow Lab Web App' | 'Flow Lab Console' | 'Flow Lab Legacy SPA' | 'Flow Lab API';

/**
 * The client a flow starts with: in the sandbox, the app registration made for that flow as its
 * directory lists it now (with its sandbox-only secret); elsewhere, the active profile's client id, secret and scopes.
 */
export function clientFor(appName: SandboxAppName): {
  clientId: string;
  clientSecret: string;
  scope?: string;
} {
  const settings = useSettings.getState();
  if (settings.authority !== 'sandbox') {
    const profile = activeProfile(settings);
    return {
      clientId: clientIdFor(settings),
      clientSecret: profile.clientSecret,
      ...(profile.scopes.trim() === '' ? {} : { scope: profile.scopes.trim() }),
    };
  }
  const app = sandboxAppNamed(appName);
  return { clientId: app?.clientId ?? clientIdFor(settings), clientSecret: app?.sandboxOnlySecret ?? '' };
}

/** The token endpoint and friends for the current settings, with the sandbox origin resolved. */
export function currentEndpoints(sandboxOrigin: string): Endpoints {
  return endpointsFor(useSettings.getState(), sandboxOrigin);
}
