/**
 * Entra's `signInAudience` ("Supported account types") as data: pure, with no imports, so the seed (which
 * the app's build and the e2e specs read) can name it. The rules that use it are in tenant-audience.ts.
 * @see https://learn.microsoft.com/entra/identity-platform/supported-accounts-validation
 */

/** Entra's `signInAudience` values ("Supported account types" on the Authentication page). */
export const SIGN_IN_AUDIENCES = [
  'AzureADMyOrg',
  'AzureADMultipleOrgs',
  'AzureADandPersonalMicrosoftAccount',
  'PersonalMicrosoftAccount',
] as const;

/** One of Entra's `signInAudience` values. */
export type SignInAudience = (typeof SIGN_IN_AUDIENCES)[number];

/**
 * Entra's default for a registration made in the portal: "Accounts in this organizational directory only".
 * @see https://learn.microsoft.com/entra/identity-platform/quickstart-register-app#register-an-application
 */
export const DEFAULT_SIGN_IN_AUDIENCE: SignInAudience = 'AzureADMyOrg';

/** The portal's words for each value (Entra's "Supported account types" choices). */
export const SIGN_IN_AUDIENCE_LABELS: Readonly<Record<SignInAudience, string>> = {
  AzureADMyOrg: 'Accounts in this organizational directory only (single tenant)',
  AzureADMultipleOrgs: 'Accounts in any organizational directory (multitenant)',
  AzureADandPersonalMicrosoftAccount:
    'Accounts in any organizational directory and personal Microsoft accounts',
  PersonalMicrosoftAccount: 'Personal Microsoft accounts only',
};

/** Whether `value` is one of Entra's `signInAudience` values (exact spelling, as Graph compares it). */
export function isSignInAudience(value: unknown): value is SignInAudience {
  return typeof value === 'string' && (SIGN_IN_AUDIENCES as readonly string[]).includes(value);
}
