/**
 * Runtime settings of one sandbox instance, changed from the portal (`/portal/settings`) without a
 * restart: every request reads the current value.
 */

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
}

/** Entra's behaviour. */
export const DEFAULT_SETTINGS: Readonly<SandboxSettings> = {
  rotateRefreshTokens: false,
  deviceCodeLifetimeSeconds: 900,
  rememberConsent: false,
};

/** Bounds for `deviceCodeLifetimeSeconds` (1 s lets a test see expiry quickly; one hour is plenty). */
export const DEVICE_CODE_LIFETIME_RANGE = { min: 1, max: 3600 } as const;

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
    if (key === 'rotateRefreshTokens' || key === 'rememberConsent') {
      if (typeof value !== 'boolean') return { ok: false, message: `${key} must be a boolean.` };
      patch[key] = value;
    } else if (key === 'deviceCodeLifetimeSeconds') {
      const { min, max } = DEVICE_CODE_LIFETIME_RANGE;
      if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
        return { ok: false, message: `deviceCodeLifetimeSeconds must be an integer from ${min} to ${max}.` };
      }
      patch.deviceCodeLifetimeSeconds = value;
    } else {
      return { ok: false, message: `Unknown setting '${key}'.` };
    }
  }
  return { ok: true, patch };
}

/** Reads the portal's HTML form: an unchecked checkbox is absent, so absence means false. */
export function parseSettingsForm(form: URLSearchParams): SettingsPatchResult {
  const lifetime = form.get('deviceCodeLifetimeSeconds');
  return parseSettingsPatch({
    rotateRefreshTokens: form.has('rotateRefreshTokens'),
    rememberConsent: form.has('rememberConsent'),
    ...(lifetime === null || lifetime === '' ? {} : { deviceCodeLifetimeSeconds: Number(lifetime) }),
  });
}
