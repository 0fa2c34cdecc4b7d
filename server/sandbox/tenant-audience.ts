/**
 * Which accounts an app registration signs in (`signInAudience`, "Supported account types") against the
 * tenant segment a request came in on — `{tenant id or domain}`, `common`, `organizations` or `consumers`.
 *
 * - A single-tenant app (AzureADMyOrg, Entra's default for a new registration) on `/common` or
 *   `/organizations`: AADSTS50194 (https://learn.microsoft.com/entra/identity-platform/reference-error-codes;
 *   the sandbox uses the text Entra sends, https://learn.microsoft.com/en-us/answers/a/982308).
 * - An app for personal Microsoft accounts only (PersonalMicrosoftAccount) on a tenant or `/organizations`:
 *   AADSTS9002331, "configured for use by Microsoft Account users only. Please use the /consumers endpoint"
 *   (https://learn.microsoft.com/en-us/answers/questions/1160493/access-issue).
 * - `/consumers` is the personal-account (Microsoft account) sign-in. An app not enabled for personal
 *   accounts gets the Microsoft account service's `unauthorized_client: The client does not exist or is not
 *   enabled for consumers` page (https://learn.microsoft.com/en-us/answers/questions/1180698). An app that is
 *   enabled still cannot sign in a work or school account there: AADSTS50020, the account "does not exist in
 *   tenant" (https://learn.microsoft.com/troubleshoot/entra/entra-id/app-integration/error-code-aadsts50020-user-account-identity-provider-does-not-exist).
 *   Every sandbox user is a work account of the sandbox tenant, so no sign-in on `/consumers` succeeds.
 * @see https://learn.microsoft.com/entra/identity-platform/supported-accounts-validation
 * @see https://learn.microsoft.com/entra/identity-platform/v2-protocols#endpoints
 */
import type { EntraError } from './entra-errors.ts';
import type { SignInAudience } from './sign-in-audience.ts';
import type { TenantSegment } from './directory.ts';
import { SANDBOX_TENANT } from './seed.ts';

export {
  DEFAULT_SIGN_IN_AUDIENCE,
  isSignInAudience,
  SIGN_IN_AUDIENCE_LABELS,
  SIGN_IN_AUDIENCES,
  type SignInAudience,
} from './sign-in-audience.ts';

/** The app as the check needs it. */
export interface AudienceApp {
  readonly clientId: string;
  readonly displayName: string;
  readonly signInAudience: SignInAudience;
}

/** What the check decided: nothing wrong, an Entra error, or the Microsoft account service's refusal. */
export type AudienceVerdict =
  | { readonly kind: 'ok' }
  | { readonly kind: 'entra'; readonly error: EntraError }
  | { readonly kind: 'consumers-client'; readonly error: 'unauthorized_client'; readonly message: string };

/** The Microsoft account service's text for an app not enabled for personal accounts. */
export const NOT_ENABLED_FOR_CONSUMERS =
  'The client does not exist or is not enabled for consumers. If you are the application developer, configure a new application through the App Registrations in the Azure Portal.';

/** AADSTS50194: a single-tenant app on a multi-tenant alias (the text Entra sends, naming `/common`). */
export function notMultiTenant(app: AudienceApp): EntraError {
  return {
    status: 400,
    error: 'invalid_request',
    code: 50194,
    message: `Application '${app.clientId}'(${app.displayName}) is not configured as a multi-tenant application. Usage of the /common endpoint is not supported for such applications created after '10/15/2018'. Use a tenant-specific endpoint or configure the application to be multi-tenant.`,
  };
}

/** AADSTS9002331: an app for personal accounts only, asked outside `/consumers` and `/common`. */
export function personalAccountsOnly(app: AudienceApp): EntraError {
  return {
    status: 400,
    error: 'invalid_request',
    code: 9002331,
    message: `Application '${app.clientId}'(${app.displayName}) is configured for use by Microsoft Account users only. Please use the /consumers endpoint to serve this request.`,
  };
}

/** AADSTS50020: a sandbox (work) account signing in on `/consumers`, where only personal accounts exist. */
export function workAccountOnConsumers(username: string, app: AudienceApp): EntraError {
  return {
    status: 400,
    error: 'invalid_request',
    code: 50020,
    message: `User account '${username}' from identity provider 'https://sts.windows.net/${SANDBOX_TENANT.id}/' does not exist in tenant 'Microsoft Services' and cannot access the application '${app.clientId}'(${app.displayName}) in that tenant. /consumers signs in personal Microsoft accounts only, and every sandbox user is a work account: use the tenant id, /organizations or /common (with a multitenant app).`,
  };
}

/** Checks an app's `signInAudience` against the tenant segment of the request. */
export function checkSignInAudience(tenant: TenantSegment, app: AudienceApp): AudienceVerdict {
  const audience = app.signInAudience;
  const personalOnly = audience === 'PersonalMicrosoftAccount';
  if (tenant.kind === 'tenant' || tenant.segment === 'organizations') {
    if (personalOnly) return { kind: 'entra', error: personalAccountsOnly(app) };
    if (tenant.segment === 'organizations' && audience === 'AzureADMyOrg') {
      return { kind: 'entra', error: notMultiTenant(app) };
    }
    return { kind: 'ok' };
  }
  if (tenant.segment === 'common') {
    return audience === 'AzureADMyOrg' ? { kind: 'entra', error: notMultiTenant(app) } : { kind: 'ok' };
  }
  // /consumers: only apps enabled for personal Microsoft accounts reach a sign-in page.
  if (audience === 'AzureADMyOrg' || audience === 'AzureADMultipleOrgs') {
    return { kind: 'consumers-client', error: 'unauthorized_client', message: NOT_ENABLED_FOR_CONSUMERS };
  }
  return { kind: 'ok' };
}

/** Authorization parameter carrying the tenant alias a sign-in started on (for the sign-in page's check). */
export const TENANT_ALIAS_PARAM = 'x_sandbox_tenant_alias';

/** The grants whose tokens are a user's: the only ones the app's supported account types apply to. */
const USER_GRANTS: ReadonlySet<string> = new Set([
  'authorization_code',
  'refresh_token',
  'urn:ietf:params:oauth:grant-type:device_code',
  'password',
]);

/**
 * The token endpoint's side of the check: a user grant by an app on a tenant segment it may not use.
 * Client credentials and on-behalf-of keep their own tenant rules (AADSTS50059, AADSTS9001023) in the token
 * gate. Returns undefined when there is nothing to say (unknown clients are the token gate's to refuse).
 */
export function checkTokenAudience(
  tenant: TenantSegment,
  params: URLSearchParams,
  findApp: (clientId: string | undefined) => AudienceApp | undefined,
): AudienceVerdict | undefined {
  if (!USER_GRANTS.has(params.get('grant_type') ?? '')) return undefined;
  const app = findApp(params.get('client_id') ?? undefined);
  if (!app) return undefined;
  const verdict = checkSignInAudience(tenant, app);
  return verdict.kind === 'ok' ? undefined : verdict;
}
