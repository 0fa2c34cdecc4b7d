/**
 * Runtime settings of the tenant, changed from the portal (`/portal/settings`) without a restart: every
 * request reads the current value, which every sandbox instance of the tenant shares (tenant-state.ts).
 */
import type { TenantPart, TenantState } from './tenant-state.ts';

/** Settings a person may change while the sandbox runs. */
export interface SandboxSettings {
  /**
   * Rotate refresh tokens (RFC 9700 §4.14.2): a redeemed one stops working. Off by default because
   * Entra keeps the old refresh token valid after a redemption.
   */
  rotateRefreshTokens: boolean;
  /** Lifetime of a device code (RFC 8628 §3.2 `expires_in`); Entra uses 900 seconds. */
  deviceCodeLifetimeSeconds: number;
  /**
   * Record consent given on the consent page per user and app, so a new browser session does not ask
   * again (Entra's behaviour). Off by default: the consent step then shows in every new session, which
   * the lab's walkthroughs (and their e2e tests) rely on. Consent granted or revoked on the portal
   * applies either way.
   */
  rememberConsent: boolean;
  /**
   * Smart lockout: distinct wrong passwords for one account before it is locked (AADSTS50053). Entra's
   * default is 10 (https://learn.microsoft.com/entra/identity/authentication/howto-password-smart-lockout).
   */
  lockoutThreshold: number;
  /** Smart lockout: seconds a locked account stays locked; Entra starts at 60. */
  lockoutDurationSeconds: number;
  /**
   * Fixed lifetime of a single-page app's refresh token, counted from the sign-in; past it the token
   * endpoint answers AADSTS700084. Entra: 24 hours
   * (https://learn.microsoft.com/entra/identity-platform/refresh-tokens#token-lifetime).
   */
  spaRefreshTokenLifetimeSeconds: number;
  /**
   * APIs (resource identifiers, e.g. `https://graph.microsoft.com`) behind a Conditional Access policy
   * that requires MFA: an on-behalf-of request for one of them with a token from a sign-in without MFA
   * gets AADSTS50076 / 50079 and a claims challenge. None by default.
   */
  mfaRequiredApis: string[];
  /**
   * The tenant's "Users can consent to apps" (Enterprise applications → Consent and permissions). Off:
   * only an administrator may consent, anyone else gets "Need admin approval" (AADSTS90094)
   * (https://learn.microsoft.com/entra/identity/enterprise-apps/configure-user-consent). On by default.
   */
  userConsentAllowed: boolean;
}

/** Entra's behaviour. */
export const DEFAULT_SETTINGS: Readonly<SandboxSettings> = {
  rotateRefreshTokens: false,
  deviceCodeLifetimeSeconds: 900,
  rememberConsent: false,
  lockoutThreshold: 10,
  lockoutDurationSeconds: 60,
  spaRefreshTokenLifetimeSeconds: 86_400,
  mfaRequiredApis: [],
  userConsentAllowed: true,
};

/** Bounds for `spaRefreshTokenLifetimeSeconds` (1 s lets a test see AADSTS700084; Entra's 24 h at most). */
export const SPA_REFRESH_LIFETIME_RANGE = { min: 1, max: 86_400 } as const;

/** Bounds for `deviceCodeLifetimeSeconds` (1 s lets a test see expiry quickly; one hour is plenty). */
export const DEVICE_CODE_LIFETIME_RANGE = { min: 1, max: 3600 } as const;

/** Bounds for `lockoutThreshold` (Entra's admin center takes up to 999; 1 locks on the first miss). */
export const LOCKOUT_THRESHOLD_RANGE = { min: 1, max: 999 } as const;

/** Bounds for `lockoutDurationSeconds` (1 s lets a test see a lockout end; a day is plenty). */
export const LOCKOUT_DURATION_RANGE = { min: 1, max: 86_400 } as const;

const INTEGER_SETTINGS = {
  deviceCodeLifetimeSeconds: DEVICE_CODE_LIFETIME_RANGE,
  lockoutThreshold: LOCKOUT_THRESHOLD_RANGE,
  lockoutDurationSeconds: LOCKOUT_DURATION_RANGE,
  spaRefreshTokenLifetimeSeconds: SPA_REFRESH_LIFETIME_RANGE,
} as const;

type IntegerSetting = keyof typeof INTEGER_SETTINGS;

const isIntegerSetting = (key: string): key is IntegerSetting => Object.hasOwn(INTEGER_SETTINGS, key);

/** The outcome of validating a settings change. */
export type SettingsPatchResult =
  | { readonly ok: true; readonly patch: Partial<SandboxSettings> }
  | { readonly ok: false; readonly message: string };

/** Validates a JSON settings change: known fields only, with the right types and ranges. */
export function parseSettingsPatch(input: unknown): SettingsPatchResult {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, message: 'Expected a JSON object.' };
  }
  const patch: Partial<SandboxSettings> = {};
  for (const [key, value] of Object.entries(input)) {
    if (key === 'rotateRefreshTokens' || key === 'rememberConsent' || key === 'userConsentAllowed') {
      if (typeof value !== 'boolean') return { ok: false, message: `${key} must be a boolean.` };
      patch[key] = value;
    } else if (key === 'mfaRequiredApis') {
      if (
        !Array.isArray(value) ||
        value.length > 20 ||
        !value.every((v) => typeof v === 'string' && v.length <= 300)
      ) {
        return { ok: false, message: 'mfaRequiredApis must be a list of at most 20 API identifiers.' };
      }
      patch.mfaRequiredApis = [...new Set(value as string[])];
    } else if (isIntegerSetting(key)) {
      const { min, max } = INTEGER_SETTINGS[key];
      if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
        return { ok: false, message: `${key} must be an integer from ${min} to ${max}.` };
      }
      patch[key] = value;
    } else {
      return { ok: false, message: `Unknown setting '${key}'.` };
    }
  }
  return { ok: true, patch };
}

/** Reads the portal's HTML form: an unchecked checkbox is absent, so absence means false. */
export function parseSettingsForm(form: URLSearchParams): SettingsPatchResult {
  const numbers: Partial<Record<IntegerSetting, number>> = {};
  for (const key of Object.keys(INTEGER_SETTINGS) as IntegerSetting[]) {
    const value = form.get(key);
    if (value !== null && value.trim() !== '') numbers[key] = Number(value);
  }
  return parseSettingsPatch({
    rotateRefreshTokens: form.has('rotateRefreshTokens'),
    rememberConsent: form.has('rememberConsent'),
    userConsentAllowed: form.has('userConsentAllowed'),
    // One check box per API; the hidden marker says the form listed them (absent: leave the setting).
    ...(form.has('mfaRequiredApisListed') ? { mfaRequiredApis: form.getAll('mfaRequiredApis') } : {}),
    ...numbers,
  });
}

/**
 * The settings as the tenant state part `settings`: `live` is the object every reader holds (the
 * provider configuration, the gates), updated in place when any instance changes a setting. A stored
 * value absent means the settings this instance started with.
 */
export class SharedSettings implements TenantPart {
  /** The tenant state part name. */
  readonly name = 'settings';
  readonly #initial: Readonly<SandboxSettings>;
  readonly #tenant: TenantState;

  constructor(
    readonly live: SandboxSettings,
    tenant: TenantState,
  ) {
    this.#initial = { ...live, mfaRequiredApis: [...live.mfaRequiredApis] };
    this.#tenant = tenant;
    tenant.register(this);
  }

  load(value: unknown): void {
    const stored = (value ?? {}) as Partial<SandboxSettings>;
    const next = { ...this.#initial, ...stored };
    Object.assign(this.live, next, { mfaRequiredApis: [...next.mfaRequiredApis] });
  }

  /** Applies a validated change for every instance; resolves once stored and applied here. */
  async change(patch: Partial<SandboxSettings>): Promise<void> {
    await this.#tenant.write<Partial<SandboxSettings>>(this.name, (current) => ({ ...current, ...patch }));
  }
}
