/**
 * Where requests go and as which app. Non-secret settings persist in localStorage; the client
 * secret stays in memory only and is never persisted.
 */
import { create } from 'zustand';
import { persist } from 'zustand/middleware';
import { buildEntraEndpoints, ENTRA_GLOBAL_ORIGIN, type Endpoints } from '../protocol/endpoints.ts';
import { CALLBACK_PATH, SANDBOX_APPS, SANDBOX_TENANT, sandboxApp } from '../../server/sandbox/seed.ts';

export type AuthorityKind = 'sandbox' | 'entra';

export interface Settings {
  readonly authority: AuthorityKind;
  /** Entra's sign-in host for the chosen cloud. */
  readonly entraOrigin: string;
  readonly tenant: string;
  readonly clientId: string;
  readonly redirectUri: string;
  /** Memory only. */
  readonly clientSecret: string;
}

interface SettingsStore extends Settings {
  update(patch: Partial<Settings>): void;
  reset(): void;
}

/** The callback URI on this app's own origin. */
export function defaultRedirectUri(): string {
  return `${window.location.origin}${CALLBACK_PATH}`;
}

export function defaultSettings(): Settings {
  return {
    authority: 'sandbox',
    entraOrigin: ENTRA_GLOBAL_ORIGIN,
    tenant: SANDBOX_TENANT.id,
    clientId: sandboxApp('spa').clientId,
    redirectUri: defaultRedirectUri(),
    clientSecret: '',
  };
}

export const useSettings = create<SettingsStore>()(
  persist(
    (set) => ({
      ...defaultSettings(),
      update: (patch) => set(patch),
      reset: () => set(defaultSettings()),
    }),
    {
      name: 'oauth-flow-lab:settings',
      version: 1,
      // Secrets never reach storage.
      partialize: ({ authority, entraOrigin, tenant, clientId, redirectUri }) => ({ authority, entraOrigin, tenant, clientId, redirectUri }),
    },
  ),
);

/** The endpoints the settings point at; the sandbox origin comes from the app's runtime config. */
export function endpointsFor(settings: Pick<Settings, 'authority' | 'entraOrigin' | 'tenant'>, sandboxOrigin: string): Endpoints {
  return buildEntraEndpoints(settings.authority === 'sandbox' ? sandboxOrigin : settings.entraOrigin, settings.tenant);
}

/** The issuer the callback's `iss` must match, when it can be known in advance. */
export function expectedIssuer(settings: Pick<Settings, 'authority' | 'tenant'>, sandboxOrigin: string): string | undefined {
  return settings.authority === 'sandbox' ? `${sandboxOrigin}/${SANDBOX_TENANT.id}/v2.0` : undefined;
}

/**
 * The client secret a run starts with after the redirect wiped memory: the one typed in this page
 * session, or — for the sandbox's own confidential app only — its published sandbox secret.
 */
export function secretForRun(clientId: string): string {
  const settings = useSettings.getState();
  if (settings.clientSecret !== '') return settings.clientSecret;
  if (settings.authority !== 'sandbox') return '';
  return SANDBOX_APPS.find((app) => app.clientId === clientId)?.clientSecret ?? '';
}

/** The sandbox app registrations by their display name, for flows that need a particular kind of app. */
export type SandboxAppName = (typeof SANDBOX_APPS)[number]['displayName'];

/**
 * The client a flow starts with: in the sandbox, the seeded app registration made for that flow
 * (with its published sandbox secret); against Entra, the client id and secret from Settings.
 */
export function clientFor(appName: SandboxAppName): { clientId: string; clientSecret: string } {
  const settings = useSettings.getState();
  if (settings.authority !== 'sandbox') return { clientId: settings.clientId, clientSecret: settings.clientSecret };
  const app = SANDBOX_APPS.find((a) => a.displayName === appName);
  return { clientId: app?.clientId ?? settings.clientId, clientSecret: app?.clientSecret ?? '' };
}

/** The token endpoint and friends for the current settings, with the sandbox origin resolved. */
export function currentEndpoints(sandboxOrigin: string): Endpoints {
  return endpointsFor(useSettings.getState(), sandboxOrigin);
}
