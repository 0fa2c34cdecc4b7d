/**
 * Entra ID's error vocabulary: the AADSTS codes the sandbox emits and the JSON shape they travel in.
 * Texts follow the wording Entra uses (paraphrased where Entra's own text names portal screens).
 */
import { randomUUID } from 'node:crypto';

/** An Entra error before it is serialised: HTTP status, OAuth `error`, AADSTS number and message. */
export interface EntraError {
  readonly status: number;
  readonly error: string;
  /**
   * The AADSTS number, or `null` for an answer Entra documents no code for (RFC 8628 `slow_down`): its
   * body then carries the RFC 6749 §5.2 fields and Entra's trace fields, without `error_codes`.
   */
  readonly code: number | null;
  readonly message: string;
  /** Extra body fields some errors carry, e.g. `suberror` and a `claims` challenge (AADSTS50076). */
  readonly extra?: Readonly<Record<string, string>>;
}

/** The JSON body Entra returns from its token and device code endpoints. */
export interface EntraErrorBody {
  readonly error: string;
  readonly error_description: string;
  /** Absent when the answer has no AADSTS code (see {@link EntraError.code}). */
  readonly error_codes?: readonly number[];
  readonly timestamp: string;
  readonly trace_id: string;
  readonly correlation_id: string;
  readonly error_uri?: string;
  readonly [field: string]: unknown;
}

const e = (status: number, error: string, code: number, message: string): EntraError => ({
  status,
  error,
  code,
  message,
});

/** The claims challenge Entra attaches to AADSTS50076 (a Conditional Access policy demanding MFA). */
const MFA_CLAIMS_CHALLENGE = JSON.stringify({
  access_token: { capolids: { essential: true, values: ['6f2c9a41-8d3b-4e57-a1c0-2b9e7d4f5a63'] } },
});

/** Constructors for every AADSTS error the sandbox produces, keyed by what went wrong. */
export const aadsts = {
  redirectUriMismatch: (redirectUri: string, clientId: string) =>
    e(
      400,
      'invalid_request',
      50011,
      `The redirect URI '${redirectUri}' specified in the request does not match the redirect URIs configured for the application '${clientId}'. Make sure the redirect URI sent in the request matches one added to your application registration (the port of an http://localhost redirect URI is ignored).`,
    ),
  /**
   * A redirect URI that no app registration could hold (a fragment, RFC 6749 §3.1.2; user information; …).
   * Entra has no code of its own for it: the URI matches nothing registered, so AADSTS50011
   * (https://learn.microsoft.com/entra/identity-platform/reference-error-codes), with the reason added.
   */
  redirectUriInvalid: (redirectUri: string, clientId: string, problem: string) =>
    e(
      400,
      'invalid_request',
      50011,
      `The redirect URI '${redirectUri}' specified in the request does not match the redirect URIs configured for the application '${clientId}', and no redirect URI like it can be registered: ${problem}`,
    ),
  noReplyAddressSent: () => e(400, 'invalid_request', 900971, 'No reply address provided.'),
  noReplyAddressRegistered: () =>
    e(400, 'invalid_request', 500113, 'No reply address is registered for the application.'),
  /**
   * Smart lockout (lockout.ts); Entra's wording, as its token endpoint and sign-in page give it
   * (https://learn.microsoft.com/entra/identity-platform/reference-error-codes: 50053 IdsLocked).
   */
  accountLocked: () =>
    e(
      400,
      'invalid_grant',
      50053,
      "The account is locked, you've tried to sign in too many times with an incorrect user ID or password.",
    ),
  invalidCredentials: () =>
    e(400, 'invalid_grant', 50126, 'Error validating credentials due to invalid username or password.'),
  userNotFound: (username: string) =>
    e(
      400,
      'invalid_grant',
      50034,
      `The user account ${username} does not exist in the directory. To sign into this application, the account must be added to the directory.`,
    ),
  invalidMfaCode: () =>
    e(
      400,
      'invalid_grant',
      50074,
      'Strong Authentication is required. The verification code was not accepted.',
    ),
  codeRedeemed: () =>
    e(
      400,
      'invalid_grant',
      54005,
      'OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.',
    ),
  pkceMismatch: () =>
    e(
      400,
      'invalid_grant',
      501481,
      'The Code_Verifier does not match the code_challenge supplied in the authorization request.',
    ),
  pkceRequired: () =>
    e(
      400,
      'invalid_request',
      9002325,
      'Proof Key for Code Exchange is required for cross-origin authorization code redemption.',
    ),
  pkceInvalid: (detail: string) =>
    e(400, 'invalid_request', 501491, `Invalid size or format of the Code_Challenge parameter: ${detail}.`),
  invalidScope: (scope: string) =>
    e(
      400,
      'invalid_scope',
      70011,
      `The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid. The scope ${scope} is not valid.`,
    ),
  defaultWithOthers: (scope: string) =>
    e(
      400,
      'invalid_scope',
      70011,
      `The provided value for the input parameter 'scope' is not valid. The scope '${scope}' does not exist. '.default' scopes can't be combined with resource-specific scopes.`,
    ),
  multipleResources: (scope: string) =>
    e(
      400,
      'invalid_scope',
      700022,
      `The provided value for the input parameter scope is not valid because it contains more than one resource. Scope ${scope} is not valid.`,
    ),
  emptyScope: () =>
    e(
      400,
      'invalid_scope',
      28003,
      'Provided value for the input parameter scope cannot be empty when requesting an access token using the provided authorization code. Please specify a valid scope.',
    ),
  unknownResource: (resource: string, tenant: string) =>
    e(
      400,
      'invalid_resource',
      500011,
      `The resource principal named ${resource} was not found in the tenant named ${tenant}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.`,
    ),
  permissionNotConfigured: (clientId: string, appName: string, scope: string, valid: string) =>
    e(
      400,
      'invalid_client',
      650057,
      `Invalid resource. The client has requested access to a resource which is not listed in the requested permissions in the client's application registration. Client app ID: ${clientId}(${appName}). Value from request: ${scope}. List of valid permissions from app registration: ${valid}.`,
    ),
  invalidSecret: (clientId: string) =>
    e(
      401,
      'invalid_client',
      7000215,
      `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
    ),
  expiredSecret: (clientId: string) =>
    e(
      401,
      'invalid_client',
      7000222,
      `The provided client secret keys for app '${clientId}' are expired. Create new keys for your app, or consider using certificate credentials for added security.`,
    ),
  missingCredential: () =>
    e(
      401,
      'invalid_client',
      7000218,
      "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
    ),
  publicClientCredential: () =>
    e(
      401,
      'invalid_client',
      700025,
      "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.",
    ),
  unknownClient: (clientId: string, tenantName: string) =>
    e(
      400,
      'unauthorized_client',
      700016,
      `Application with identifier '${clientId}' was not found in the directory '${tenantName}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
    ),
  missingParameter: (name: string) =>
    e(400, 'invalid_request', 900144, `The request body must contain the following parameter: '${name}'.`),
  crossOriginNotSpa: (origin: string) =>
    e(
      400,
      'invalid_request',
      9002326,
      `Cross-origin token redemption is permitted only for the 'Single-Page Application' client-type. Request origin: '${origin}'.`,
    ),
  spaWithoutOrigin: () =>
    e(
      400,
      'invalid_request',
      9002327,
      "Tokens issued for the 'Single-Page Application' client-type may only be redeemed via cross-origin requests.",
    ),
  invalidCode: () =>
    e(400, 'invalid_grant', 70000, "The provided value for the 'code' parameter is not valid."),
  tokenRedirectMismatch: (redirectUri: string) =>
    e(
      400,
      'invalid_grant',
      500112,
      `The reply address '${redirectUri}' does not match the reply address provided when requesting the authorization code.`,
    ),
  /**
   * Consent missing for a grant that cannot show a consent page (password, refresh token). The password
   * grant adds `suberror: consent_required`
   * (https://learn.microsoft.com/entra/identity-platform/reference-error-codes#handling-error-codes-in-your-application).
   */
  consentRequired: (clientId: string, appName: string): EntraError => ({
    ...e(
      400,
      'invalid_grant',
      65001,
      `The user or administrator has not consented to use the application with ID '${clientId}' named '${appName}'. Send an interactive authorization request for this user and resource.`,
    ),
    extra: { suberror: 'consent_required' },
  }),
  resourceParameter: () =>
    e(400, 'invalid_request', 901002, "The 'resource' request parameter is not supported."),
  clientCredentialsScope: (scope: string) =>
    e(
      400,
      'invalid_scope',
      1002012,
      `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
    ),
  tenantRequired: () =>
    e(
      400,
      'invalid_request',
      50059,
      'No tenant-identifying information found in either the request or implied by any provided credentials.',
    ),
  /**
   * A user who may not consent asked for an admin-only permission: Entra's "Need admin approval" page
   * (https://learn.microsoft.com/entra/identity-platform/reference-error-codes AADSTS90094,
   * https://learn.microsoft.com/entra/identity/enterprise-apps/configure-admin-consent-workflow).
   */
  adminConsentRequired: (appName: string, scopes: readonly string[]) =>
    e(
      400,
      'access_denied',
      90094,
      `Administrator consent is required. '${appName}' needs permission to access resources in your organization that only an admin can grant (${scopes.join(', ')}). Ask an admin to grant permission to this app before you can use it.`,
    ),
  consentDeclined: () => e(400, 'access_denied', 65004, 'User declined to consent to access the app.'),
  expiredGrant: () =>
    e(
      400,
      'invalid_grant',
      70008,
      'The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.',
    ),
  /**
   * A refresh token whose grant was revoked: Entra's AADSTS50173 (FreshTokenNeeded, "the provided grant
   * has expired due to it being revoked"), with `suberror: bad_token` as it answers MSAL
   * (https://learn.microsoft.com/entra/identity-platform/reference-error-codes AADSTS50173; 70008 is the
   * inactivity answer, 70000 a token binding failure). The sandbox revokes a grant when a rotated refresh
   * token comes back (RFC 9700 §4.14.2); Entra, which does not rotate, when the user's tokens are revoked.
   */
  grantRevoked: (detail: string): EntraError => ({
    ...e(
      400,
      'invalid_grant',
      50173,
      `The provided grant has expired due to it being revoked, a fresh auth token is needed. (sandbox detail: ${detail})`,
    ),
    extra: { suberror: 'bad_token' },
  }),
  malformed: (detail?: string) =>
    e(
      400,
      'invalid_grant',
      9002313,
      `Invalid request. Request is malformed or invalid.${detail ? ` (sandbox detail: ${detail})` : ''}`,
    ),
  loginRequired: () =>
    e(400, 'login_required', 50058, 'A silent sign-in request was sent but no user is signed in.'),
  interactionRequired: (detail: string) => e(400, 'interaction_required', 50076, detail),
  unsupportedGrantType: (grantType: string) =>
    e(400, 'unsupported_grant_type', 70003, `The app requested an unsupported grant type '${grantType}'.`),
  unsupportedResponseType: (responseType: string) =>
    e(
      400,
      'unsupported_response_type',
      // https://learn.microsoft.com/entra/identity-platform/reference-error-codes: 700051
      // (response_type 'token' not enabled) and 700054 (response_type 'id_token' not enabled).
      responseType.split(' ').includes('token') ? 700051 : 700054,
      `response_type '${responseType}' is not enabled for the application.`,
    ),
  invalidResponseMode: (mode: string) =>
    e(400, 'invalid_request', 900142, `The response_mode '${mode}' is not supported for this request.`),
  unknownTenant: (tenant: string) =>
    e(
      400,
      'invalid_request',
      90002,
      `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
    ),
  generic: (error: string, detail: string) =>
    e(400, error, 90014, `The request could not be processed: ${detail}.`),
  grantNotOnCommon: () =>
    e(
      400,
      'invalid_request',
      9001023,
      'The grant type is not supported over the /common or /consumers endpoints. Please use the /organizations or tenant-specific endpoint.',
    ),
  mfaRequired: (resourceAppId: string) => ({
    ...e(
      400,
      'invalid_grant',
      50076,
      `Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '${resourceAppId}'.`,
    ),
    // Entra's ROPC answer for an MFA user: a claims challenge the app must take to an interactive sign-in.
    extra: { suberror: 'basic_action', claims: MFA_CLAIMS_CHALLENGE },
  }),
  /**
   * On-behalf-of when a Conditional Access policy on the downstream API needs MFA the user's sign-in did
   * not include, and the user has an MFA method: `interaction_required`, AADSTS50076, and a `claims`
   * challenge the middle tier hands back to the client, shaped as Microsoft's OBO page shows it
   * (https://learn.microsoft.com/entra/identity-platform/v2-oauth2-on-behalf-of-flow#error-response-example).
   */
  oboMfaRequired: (resourceAppId: string, policyId: string): EntraError => ({
    ...e(
      400,
      'interaction_required',
      50076,
      `Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '${resourceAppId}'.`,
    ),
    extra: { claims: policyChallenge(policyId) },
  }),
  /**
   * As {@link aadsts.oboMfaRequired} for a user with no MFA method registered: AADSTS50079, the code
   * Microsoft's OBO page shows, "must enroll in multi-factor authentication".
   */
  oboMfaEnrollment: (resourceAppId: string, policyId: string): EntraError => ({
    ...e(
      400,
      'interaction_required',
      50079,
      `Due to a configuration change made by your administrator, or because you moved to a new location, you must enroll in multi-factor authentication to access '${resourceAppId}'.`,
    ),
    extra: { claims: policyChallenge(policyId) },
  }),
  /**
   * Sign-in asked for MFA (a claims challenge) by a user with no MFA method to use; shown on the sign-in
   * page (https://learn.microsoft.com/entra/identity-platform/reference-error-codes AADSTS50079).
   */
  mfaEnrollmentRequired: () =>
    e(
      400,
      'interaction_required',
      50079,
      'Due to a configuration change made by your administrator, or because you moved to a new location, you must enroll in multi-factor authentication. The sandbox has no MFA registration: sign in as a user with an MFA method (Megan Bowen).',
    ),
  authorizationPending: () =>
    e(
      400,
      'authorization_pending',
      70016,
      'OAuth 2.0 device flow error. Authorization is pending. Continue polling.',
    ),
  /**
   * RFC 8628 §3.5 `slow_down`. Entra's device code page lists no `slow_down` and no AADSTS code for it
   * (https://learn.microsoft.com/entra/identity-platform/v2-oauth2-device-code#expected-errors); 50196
   * (LoopDetected) is about repeated identical sign-ins, not polling. So the sandbox sends the RFC's
   * error with no AADSTS code rather than borrow an unrelated one.
   */
  slowDown: (interval: number): EntraError => ({
    status: 400,
    error: 'slow_down',
    code: null,
    message: `The client polled the token endpoint sooner than the polling interval allows. Wait at least ${interval} seconds between polls (RFC 8628 §3.5).`,
  }),
  /**
   * A refresh token of a single-page app past its fixed lifetime (24 hours in Entra, counted from the
   * sign-in; https://learn.microsoft.com/entra/identity-platform/reference-error-codes AADSTS700084,
   * https://learn.microsoft.com/entra/identity-platform/refresh-tokens#token-lifetime).
   */
  spaRefreshTokenExpired: (lifetimeSeconds: number, issuedAt: Date) =>
    e(
      400,
      'invalid_grant',
      700084,
      `The refresh token was issued to a single page app (SPA), and therefore has a fixed, limited lifetime of ${formatLifetime(lifetimeSeconds)}, which can't be extended. It is now expired and a new sign in request must be sent by the SPA to the sign in page. The token was issued on ${issuedAt.toISOString()}.`,
    ),
  /**
   * A request with an HTTP method the endpoint does not take (a GET on the token endpoint):
   * https://learn.microsoft.com/entra/identity-platform/reference-error-codes AADSTS900561.
   */
  wrongMethod: (allowed: string, received: string) =>
    e(
      400,
      'invalid_request',
      900561,
      `The endpoint only accepts ${allowed} requests. Received a ${received} request.`,
    ),
  deviceCodeExpired: () => e(400, 'expired_token', 70019, 'Verification code expired.'),
  badVerificationCode: (detail: string) =>
    e(400, 'bad_verification_code', 70018, `Invalid verification code entered. (sandbox detail: ${detail})`),
  authorizationDeclined: () =>
    e(400, 'authorization_declined', 65004, 'User declined to consent to access the app.'),
  invalidClientAssertion: (detail: string) =>
    e(401, 'invalid_client', 700027, `Client assertion failed signature validation. ${detail}`),
  assertionClientMismatch: (clientId: string) =>
    e(
      401,
      'invalid_client',
      700021,
      `Client assertion application identifier doesn't match 'client_id' parameter '${clientId}'. The 'iss' and 'sub' claims must both be the client id.`,
    ),
  assertionTimeRange: (detail: string) =>
    e(401, 'invalid_client', 700024, `Client assertion is not within its valid time range. ${detail}`),
  oboInvalidSignature: (detail: string) =>
    e(400, 'invalid_grant', 50013, `Assertion failed signature validation. [Reason - ${detail}]`),
  oboExpired: () =>
    e(
      400,
      'invalid_grant',
      500133,
      'Assertion is not within its valid time range. Ensure that the access token is not expired before using it for user assertion, or request a new token.',
    ),
  oboAudience: (audience: string, expected: string) =>
    e(
      400,
      'invalid_grant',
      50013,
      `Assertion audience does not match the Client app presenting the assertion. The audience in the assertion was '${audience}' and the expected audience is '${expected}' or one of the Application Ids of the Client app presenting the assertion.`,
    ),
  oboAppOnly: () =>
    e(
      400,
      'invalid_grant',
      50013,
      "Assertion contains an app-only token (idtyp 'app', no 'scp' claim). The on-behalf-of flow needs an access token issued to a signed-in user.",
    ),
  nonceRequired: () =>
    e(
      400,
      'invalid_request',
      90014,
      "The request must contain the 'nonce' parameter when an ID token is requested from the authorization endpoint.",
    ),
  openidRequired: (responseType: string) =>
    e(
      400,
      'invalid_request',
      90014,
      `The 'openid' scope is required when response_type '${responseType}' asks for an ID token.`,
    ),
  implicitIdTokenDisabled: (clientId: string) =>
    e(
      400,
      'unsupported_response_type',
      700054,
      `response_type 'id_token' is not enabled for the application '${clientId}'. Enable "ID tokens (used for implicit and hybrid flows)" on the app registration.`,
    ),
  /** https://learn.microsoft.com/entra/identity-platform/reference-error-codes: AADSTS700051. */
  implicitAccessTokenDisabled: (clientId: string) =>
    e(
      400,
      'unsupported_response_type',
      700051,
      `response_type 'token' is not enabled for the application '${clientId}'. Enable "Access tokens (used for implicit flows)" on the app registration.`,
    ),
  queryWithToken: (responseType: string) =>
    e(
      400,
      'invalid_request',
      900142,
      `response_mode 'query' is not allowed with response_type '${responseType}': tokens must not appear in a query string. Use 'fragment' or 'form_post'.`,
    ),
} as const;

/** A `claims` challenge naming one Conditional Access policy (the OBO page's `polids` shape). */
function policyChallenge(policyId: string): string {
  return JSON.stringify({ access_token: { polids: { essential: true, values: [policyId] } } });
}

/** A lifetime as Entra words it: `1.00:00:00` for a day, `00:05:00` for five minutes. */
function formatLifetime(seconds: number): string {
  const days = Math.floor(seconds / 86_400);
  const rest = seconds % 86_400;
  const pad = (n: number): string => String(n).padStart(2, '0');
  const hms = `${pad(Math.floor(rest / 3600))}:${pad(Math.floor((rest % 3600) / 60))}:${pad(rest % 60)}`;
  return days > 0 ? `${days}.${hms}` : hms;
}

/** Entra's timestamp format: `2024-05-01 12:34:56Z`. */
export function formatEntraTimestamp(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace('T', ' ')}Z`;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Builds Entra's JSON error body; a GUID `client-request-id` header is echoed as correlation id, as Entra does. */
export function buildEntraErrorBody(err: EntraError, clientRequestId?: string): EntraErrorBody {
  const now = new Date();
  const timestamp = formatEntraTimestamp(now);
  const traceId = randomUUID();
  const correlationId = clientRequestId && GUID.test(clientRequestId) ? clientRequestId : randomUUID();
  const trace = `\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${timestamp}`;
  if (err.code === null) {
    return {
      error: err.error,
      error_description: `${err.message}${trace}`,
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
      ...err.extra,
    };
  }
  return {
    error: err.error,
    error_description: `AADSTS${err.code}: ${err.message}${trace}`,
    error_codes: [err.code],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
    error_uri: `https://login.microsoftonline.com/error?code=${err.code}`,
    ...err.extra,
  };
}

/** The `error_description` Entra puts on an authorization-response redirect. */
export function buildRedirectDescription(err: EntraError): string {
  return buildEntraErrorBody(err).error_description;
}
