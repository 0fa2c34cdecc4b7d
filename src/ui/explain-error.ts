/**
 * Turns a failed step into what the user needs: a title, what happened and why, and what to do
 * next. Keyed by where it happened (the step kind) and who answered (Entra, Okta, Auth0, Google,
 * GitHub, Keycloak, the sandbox, any other server): an unreachable host first, then the AADSTS
 * number, then the server's own `error` as that server uses it, then the body's shape, then our code.
 * Every sentence here is ours: short, plain, and about the step the user is on.
 */
import type { StepFailure } from '../flows/runner.ts';
import { describeUnreachable, type ErrorBodyFormat, type UnreachableDetail } from '../protocol/errors.ts';

/** The kind of step that failed; some fixes differ by step (an `invalid_request` at /authorize is not one at an API). */
export type StepKind = 'authorize' | 'token' | 'device-poll' | 'api' | 'network' | 'registration';

/** Who answered: explanations of the same `error` differ between servers. */
export type Authority = 'entra' | 'sandbox' | 'okta' | 'auth0' | 'google' | 'github' | 'keycloak' | 'generic';

export interface Explanation {
  readonly title: string;
  readonly what: string;
  readonly fix: string;
  /** The AADSTS number, when the server gave one. */
  readonly aadsts?: number;
  /** Which table answered: the AADSTS entry, the server's `error`, the body's shape, the network, or our code. */
  readonly matchedBy: 'aadsts' | 'error' | 'format' | 'network' | 'code';
  /** Who we think answered. */
  readonly authority: Authority;
}

/** Where the failure happened and to whom the request went, as the page knows them. */
export interface FailureContext {
  /** The URL the failed request went to (its host tells who answered). */
  readonly endpoint?: string;
}

/** A link to look an error up elsewhere, for errors our catalogue does not know. */
export interface LookupLink {
  readonly label: string;
  readonly href: string;
}

/** A reading of the server's description that changes the explanation (one code, several causes). */
interface Variant {
  readonly when: RegExp;
  readonly what: string;
  readonly fix: string;
}

interface Entry {
  readonly title: string;
  readonly what: string;
  readonly fix: string;
  /** A more specific explanation for a given kind of step. */
  readonly whatFor?: Partial<Record<StepKind, string>>;
  /** A more specific fix for a given kind of step. */
  readonly fixFor?: Partial<Record<StepKind, string>>;
  /** Causes told apart by the server's description, checked in order. */
  readonly variants?: readonly Variant[];
}

const REDIRECT_URI_PLATFORM =
  'Register it on the SPA platform for this lab (browser apps need SPA, not Web).';
const FORM_BODY =
  'Send it in an application/x-www-form-urlencoded body; parameters in the query string or a JSON body are not read.';

// Source for every entry, unless a comment gives others: Microsoft's AADSTS reference,
// https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes ; real bodies for 26
// of them, quoted in public issue threads, are in __fixtures__/entra-errors.json (source URL on each).
const BY_AADSTS: Readonly<Record<number, Entry>> = {
  // Authorization request: redirect URI and response type.
  50011: {
    title: 'Redirect URI not registered',
    what: 'The redirect_uri in the request is not one of the URIs registered on the app. Entra compares them exactly (scheme, host, path, trailing slash); only the port of a localhost URI is ignored. At /authorize Entra shows this on its own page and never redirects back.',
    fix: `Add this exact redirect_uri to the app registration, or send one that is already there. ${REDIRECT_URI_PLATFORM}`,
    fixFor: {
      token:
        'Redeem the code with the same redirect_uri the authorization request used, character for character.',
    },
  },
  500113: {
    title: 'App has no redirect URI',
    what: 'The app registration has no redirect URI at all, so Entra has nowhere to send the result.',
    fix: `Add a platform with a redirect URI to the app. ${REDIRECT_URI_PLATFORM}`,
  },
  900971: {
    title: 'No redirect URI sent',
    what: 'The request carries no redirect_uri, and Entra will not guess one for this app.',
    fix: 'Send redirect_uri with the exact registered value.',
    fixFor: {
      token: 'Send redirect_uri in the token request too, with the value the authorization request used.',
    },
  },
  700054: {
    title: 'ID tokens not enabled',
    what: 'response_type asks for an id_token straight from /authorize, but the app has ID tokens for implicit and hybrid flows turned off.',
    fix: 'Use response_type=code and get the ID token from /token, or turn on ID tokens under implicit and hybrid flows on the app.',
  },
  70005: {
    title: 'Response type not allowed',
    what: 'response_type asks for something the app may not receive from /authorize — usually a token, with implicit grants turned off.',
    fix: 'Prefer response_type=code with PKCE. If you really need implicit, turn on the matching token type under implicit and hybrid flows.',
  },
  700051: {
    title: 'Access tokens not enabled',
    what: 'response_type=token was sent, but the app does not allow access tokens straight from /authorize (the implicit grant is off).',
    fix: 'Use the code flow with PKCE, or turn on access tokens under implicit and hybrid flows on the app.',
  },

  // Who the user is and what they agreed to.
  50058: {
    title: 'No session for a silent sign-in',
    what: 'The request asked Entra not to show any page (prompt=none or a silent renewal), but the browser sent no Entra session to reuse. Blocked third-party cookies in an iframe cause this too.',
    fix: 'Sign in interactively: remove prompt=none, or start a normal sign-in.',
  },
  50076: {
    title: 'Multi-factor sign-in required',
    what: 'A policy wants multi-factor authentication here, and this request has no way to show the prompt. Password grants, refresh tokens from an older sign-in and on-behalf-of exchanges all hit this.',
    fix: 'Sign the user in interactively (authorization code with PKCE, or device code).',
    fixFor: {
      token:
        'Sign the user in interactively (code with PKCE or device code). In an on-behalf-of exchange, the middle tier cannot show a prompt: it returns the claims value to its client (a 401 with WWW-Authenticate … claims=), and the client signs in again with that claims parameter.',
    },
  },
  // https://learn.microsoft.com/entra/identity-platform/v2-oauth2-on-behalf-of-flow#error-response-example
  50079: {
    title: 'User must set up MFA',
    what: 'A policy wants multi-factor authentication and the account has no second factor registered yet; only an interactive sign-in can walk the user through that.',
    fix: 'Sign in interactively once and complete the setup, then try again.',
    fixFor: {
      token:
        'In an on-behalf-of exchange the middle tier cannot show that page: it returns the claims value to its client, which signs in again with it and lets the user register a second factor.',
    },
  },
  65001: {
    title: 'Consent missing',
    what: 'Neither the user nor an admin has agreed to let this app use these permissions.',
    fix: 'Run an interactive sign-in so the user can accept, or have an admin grant consent for the tenant.',
    fixFor: {
      token:
        'A token request cannot show a consent page — the password grant included. Sign in interactively once with the same scopes, or record consent (an admin for everyone, or the sandbox portal), then repeat.',
      'device-poll':
        'Request a new device code and accept the permissions on the verification page — or have an admin grant consent for the tenant.',
    },
  },
  65004: {
    title: 'Consent declined',
    what: 'The user pressed Cancel on the consent page, so the app got no code and no tokens.',
    fix: 'Start the sign-in again and accept — or ask for fewer permissions.',
    fixFor: {
      'device-poll':
        'Request a new device code and accept on the verification page — or ask for fewer permissions.',
    },
  },
  50126: {
    title: 'Wrong user name or password',
    what: 'The password grant failed: the user name or password is wrong, or the account signs in through another identity provider whose password Entra cannot check.',
    fix: 'Check the credentials (the sandbox portal lists its users). Federated or MFA accounts need an interactive flow.',
  },
  50034: {
    title: 'User not found',
    what: 'No account with this user name exists in the tenant the request went to.',
    fix: 'Check the user name and the tenant in the URL (the sandbox portal lists its users).',
  },
  50020: {
    title: 'Account not in this tenant',
    what: 'The account that signed in is neither a member nor a guest of the tenant in the URL.',
    fix: 'Sign in with an account of that tenant, invite the user as a guest, or use a multi-tenant app on /common.',
  },
  53003: {
    title: 'Blocked by Conditional Access',
    what: 'A Conditional Access policy in the tenant refuses to issue this token (device, location, app or risk rules). Nothing in the request is wrong.',
    fix: 'Ask a tenant admin to look up the sign-in by its correlation id and see which policy applied.',
  },

  // Client authentication.
  7000218: {
    title: 'Client credential missing',
    what: 'The token request has no client_secret or client_assertion, but Entra treats this app as confidential (its redirect URI is on the Web platform, or public client flows are off).',
    fix: 'Send a secret or certificate assertion — or, for a browser app, register the redirect URI on the SPA platform and use PKCE.',
    whatFor: {
      'device-poll':
        'The poll carries no client secret, and Entra treats this app as confidential: device code polling works without a secret only when the app allows public client flows.',
    },
    fixFor: {
      'device-poll':
        'Device code needs a public client: turn on “Allow public client flows” (Authentication → Advanced settings) on the app, or send the client secret.',
    },
  },
  7000215: {
    title: 'Wrong client secret',
    what: 'The client secret matches none of the app’s secrets. Pasting the secret’s ID instead of its value is the usual slip.',
    fix: 'Use the secret’s value (it is shown only once, when created); if it is lost, create a new one.',
  },
  7000222: {
    title: 'Client secret expired',
    what: 'The secret is one of the app’s, but its expiry date has passed.',
    fix: 'Create a new secret and use its value — or switch to a certificate.',
  },
  700025: {
    title: 'Public client sent a credential',
    what: 'The app is registered as a public client (SPA or mobile/desktop), so it may not present a secret or assertion.',
    fix: 'Leave the secret out, or use a registration with a Web redirect URI if you need a confidential client.',
  },
  700021: {
    title: 'Assertion made for another client',
    what: 'The client assertion’s iss and sub must both be the client_id of the request; here they differ.',
    fix: 'Sign the assertion again with iss = sub = this client id.',
  },
  700024: {
    title: 'Client assertion outside its time window',
    what: 'The assertion’s nbf–exp window does not include the server’s current time (a little clock skew is allowed).',
    fix: 'Sign a fresh assertion just before sending, and check this computer’s clock.',
  },
  700027: {
    title: 'Client assertion rejected',
    what: 'Entra could not verify the signed client assertion: the certificate is not registered on the app, or the thumbprint header (x5t#S256 or x5t) names a different one.',
    fix: 'Upload the public certificate to the app; check the thumbprint header, and that aud is the token endpoint URL.',
  },
  70002: {
    title: 'Credentials rejected',
    what: 'Entra could not validate the credentials in the request. A more specific code usually follows it in error_codes.',
    fix: 'Read the next code in error_codes; check the client id and its secret or assertion.',
  },

  // The app and the tenant.
  700016: {
    title: 'App not found in this tenant',
    what: 'No app with this client_id exists in the tenant of the URL: the id is wrong, or the app lives in another tenant and is not multi-tenant.',
    fix: 'Check the client id, and use the tenant where the app is registered (or make the app multi-tenant).',
  },
  50059: {
    title: 'No tenant in the request',
    what: 'The request went to /common or /organizations, and this grant or app needs to know the tenant.',
    fix: 'Use the tenant id or domain in the URL instead of common/organizations.',
  },
  50194: {
    title: 'Single-tenant app on /common',
    what: 'The app accepts only accounts of its own tenant, but the request went to the shared /common endpoint.',
    fix: 'Put the tenant id or domain in the URL, or make the app multi-tenant.',
  },
  9001023: {
    title: 'Grant not allowed on this endpoint',
    what: 'This grant does not work on the common or consumers endpoint.',
    fix: 'Use organizations or the tenant id.',
  },
  90002: {
    title: 'Tenant not found',
    what: 'The tenant in the URL does not exist in this cloud. Typos, placeholders and a literal “null” are the usual causes.',
    fix: 'Use the tenant GUID or a verified domain, with the login host of the right cloud.',
  },

  // Scopes and resources.
  70011: {
    title: 'Invalid scope',
    what: 'A scope in the request is malformed, unknown to its API, or not allowed for this grant.',
    fix: 'Separate scopes with spaces, and use names the API exposes (e.g. “openid User.Read” or “api://…/access_as_user”).',
    fixFor: {
      token:
        'Separate scopes with spaces and use names the API exposes. Client credentials take only {resource}/.default.',
    },
  },
  28000: {
    title: 'Scopes for more than one API',
    what: 'One access token is for one API, but the scope names permissions of several.',
    fix: 'Ask for one API per token request; you can consent to several at /authorize and redeem the code once per API.',
  },
  28002: {
    title: 'Scope does not fit this code',
    what: 'The scope in the token request is not covered by the code being redeemed — usually a resource that was not asked for at /authorize.',
    fix: 'Ask at /authorize for every API you will redeem for, and send one of those scopes in the token request.',
  },
  28003: {
    title: 'No resource scope',
    what: 'The token request names no API to issue a token for. openid, profile, email and offline_access alone do not name one.',
    fix: 'Add a resource scope such as User.Read.',
  },
  700022: {
    title: 'Scopes for more than one API',
    what: 'One access token is for one API, but the scope names permissions of several.',
    fix: 'Ask for one API per token request; you can consent to several at /authorize and redeem the code once per API.',
  },
  700023: {
    title: 'Scope names no API',
    what: 'The scope holds only OpenID scopes (openid, profile…), so there is no API to issue an access token for.',
    fix: 'Add at least one resource scope, e.g. User.Read.',
  },
  90009: {
    title: 'App asked for a token for itself',
    what: 'The app requested a token for its own API by App ID URI; for that, Entra wants the app’s client id (GUID).',
    fix: 'Use the GUID form of the scope: {clientId}/.default.',
  },
  650057: {
    title: 'API not in the app’s permissions',
    what: 'The requested API is not among the permissions configured on the app registration.',
    fix: 'Add that API’s permission to the app (API permissions) and grant consent — or request only APIs it has.',
  },
  65005: {
    title: 'API not in the app’s permissions',
    what: 'The requested API is not among the permissions configured on the app registration.',
    fix: 'Add that API’s permission to the app (API permissions) and grant consent — or request only APIs it has.',
  },
  901002: {
    title: '“resource” not supported here',
    what: 'The request has a resource parameter, which belongs to the old v1 endpoint; v2.0 takes the API in scope instead.',
    fix: 'Drop resource and name the API in scope, e.g. https://graph.microsoft.com/.default.',
  },
  1002012: {
    title: 'Scope must end in /.default',
    what: 'Client credentials get every application permission already granted; individual scopes cannot be asked for.',
    fix: 'Use {resource}/.default, e.g. https://graph.microsoft.com/.default.',
  },

  // Codes, refresh tokens and PKCE.
  // Two messages share this number. "The provided value for the 'code' parameter is not valid" /
  // "The provided grant is invalid or malformed": https://github.com/abraunegg/onedrive/issues/1370,
  // https://github.com/QuePort/passport-azure-oauth/issues/6. "The request was denied because one or more
  // scopes requested are unauthorized or expired": https://github.com/AzureAD/microsoft-authentication-library-for-js/issues/3303,
  // https://github.com/ZeroPointSix/outlookEmailPlus/issues/107.
  // https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes (InvalidGrant)
  70000: {
    title: 'Grant not valid',
    what: 'Entra rejected the grant. It says this for two causes: the code or refresh token is invalid, expired, already used, altered, or issued to another app or redirect URI — or the scopes asked for are more than the user agreed to when the grant was issued (unauthorized or expired scopes).',
    fix: 'If the description mentions scopes, ask only for scopes granted at sign-in, or sign in again with the new scopes so the user can agree. Otherwise start the flow again and redeem the new code promptly, exactly as received.',
    variants: [
      {
        when: /scopes?\b.*(unauthori[sz]ed|expired)/i,
        what: 'The request asked for scopes the user never agreed to for this grant, or whose consent has lapsed. A refresh token (or code) carries the scopes consented at sign-in; asking it for others is refused.',
        fix: 'Ask only for the scopes granted at sign-in (or none, to get them all), or sign the user in again with the new scopes so they can agree to them.',
      },
      {
        when: /'code'|\bcode\b.*not valid|grant is invalid or malformed|access grant/i,
        what: 'The authorization code or refresh token was rejected: expired (codes live about 10 minutes), already used, altered on the way, or issued to another app or redirect URI.',
        fix: 'Start the flow again and redeem the new code promptly, exactly as received, with the same redirect_uri.',
      },
    ],
  },
  54005: {
    title: 'Code already redeemed',
    what: 'Authorization codes work once, and this one has been exchanged before — a double submit or a page reload can do that.',
    fix: 'Start the flow again for a fresh code.',
  },
  70008: {
    title: 'Code or refresh token expired',
    what: 'The code or refresh token is too old: it went unused too long, or the grant behind it ran out.',
    fix: 'Sign in again to get a fresh one.',
  },
  700082: {
    title: 'Refresh token unused too long',
    what: 'The refresh token went unused for 90 days, so it expired.',
    fix: 'Sign the user in again.',
  },
  700084: {
    title: 'SPA refresh token is over 24 hours old',
    what: 'Refresh tokens issued to an SPA redirect URI live a fixed 24 hours, and using them does not extend that.',
    fix: 'Send the user to /authorize again (a top-level navigation, not an iframe) for a new code.',
  },
  501481: {
    title: 'PKCE verifier does not match',
    what: 'The code_verifier sent to /token does not hash to the code_challenge sent to /authorize (RFC 7636 §4.6).',
    fix: 'Send the verifier that produced the challenge; if it was lost (another tab, a reload), start over.',
  },
  50148: {
    title: 'PKCE verifier does not match',
    what: 'The code_verifier sent to /token does not hash to the code_challenge sent to /authorize (RFC 7636 §4.6).',
    fix: 'Send the verifier that produced the challenge; if it was lost (another tab, a reload), start over.',
  },
  9002313: {
    title: 'Request could not be read',
    what: 'Entra could not parse the request. Often a code, refresh token or assertion was cut short, altered (decoded twice, lower-cased) or issued by the other endpoint version.',
    fix: `Send the value exactly as you received it. ${FORM_BODY}`,
  },
  90014: {
    title: 'Required field missing',
    what: 'A field the request needs is absent (the message names it).',
    fix: `Add the field. ${FORM_BODY}`,
    fixFor: { authorize: 'Add the missing parameter to the authorization URL.' },
  },
  900142: {
    title: 'Tokens cannot come back in the query',
    what: 'response_mode=query was asked for a response that carries tokens; tokens may only travel in the fragment or a form POST.',
    fix: 'Use response_mode=fragment (or form_post with a server to receive it).',
  },
  900144: {
    title: 'Parameter missing from the body',
    what: 'A required parameter (named in the message) is not in the request body.',
    fix: `Add it. ${FORM_BODY}`,
    fixFor: { authorize: 'Add the missing parameter to the authorization URL.' },
  },

  // Browser (cross-origin) redemption.
  9002326: {
    title: 'Browser redemption refused',
    what: 'The token request came from a browser (it had an Origin header), but the redirect URI is registered on the Web platform. Only SPA redirect URIs may be redeemed cross-origin.',
    fix: 'Move the redirect URI to the SPA platform, or send the request through the local relay (which sends no Origin).',
  },
  9002327: {
    title: 'SPA code redeemed without Origin',
    what: 'The code or refresh token belongs to an SPA redirect URI, so Entra accepts it only from a browser — with an Origin header. This request had none (a server, curl or Postman).',
    fix: 'Redeem it from the browser, or add an Origin header (the relay sends the app’s).',
  },
  9002325: {
    title: 'PKCE required for browser redemption',
    what: 'A cross-origin (browser) token request must prove PKCE, and this one came without a code_verifier — or the code was requested without a code_challenge.',
    fix: 'Use PKCE: send code_challenge at /authorize and the matching code_verifier at /token.',
  },

  // Token exchange (on-behalf-of) and assertions.
  50013: {
    title: 'Assertion rejected',
    what: 'The token passed as assertion failed validation: bad signature, expired, or issued for another audience than the app exchanging it.',
    fix: 'Pass a current user access token whose aud is the middle-tier API (the app calling /token).',
  },
  500131: {
    title: 'Assertion not for this app',
    what: 'The token passed as assertion cannot be exchanged by this app: its aud is another app, or it is an app-only token rather than a user token.',
    fix: 'Start from a user sign-in and pass that user’s access token, issued for the app calling /token.',
  },
  500133: {
    title: 'Assertion expired',
    what: 'The token passed as assertion is outside its validity window.',
    fix: 'Get a fresh user token and exchange that one.',
  },

  // Device code polling and rate limits.
  70016: {
    title: 'Waiting for the user',
    what: 'The user has not finished on the verification page yet. During device code polling this is a normal state, not a failure (RFC 8628 §3.5).',
    fix: 'Keep polling at the interval; nothing is wrong.',
  },
  70018: {
    title: 'Wrong device or user code',
    what: 'The user code typed on the verification page was wrong, or the device_code sent is not one Entra issued.',
    fix: 'Request a new device code and enter the user code exactly as shown.',
  },
  70019: {
    title: 'Device code expired',
    what: 'The user did not finish before the device code ran out (expires_in, 15 minutes on Entra).',
    fix: 'Request a new device code and sign in sooner.',
  },
  70020: {
    title: 'Device code expired',
    what: 'The user did not finish before the device code ran out (expires_in, 15 minutes on Entra).',
    fix: 'Request a new device code and sign in sooner.',
  },
  // https://learn.microsoft.com/entra/identity-platform/reference-error-codes (500112, 501491, 70003,
  // 9002331).
  500112: {
    title: 'Redirect URI differs from the sign-in’s',
    what: 'The code is redeemed with a redirect_uri other than the one the authorization request used; they must be the same string (RFC 6749 §4.1.3).',
    fix: 'Send exactly the redirect_uri of the authorization request when redeeming the code.',
  },
  501491: {
    title: 'PKCE challenge malformed',
    what: 'code_challenge must be 43 to 128 characters of letters, digits and - . _ ~ (RFC 7636 §4.2), and the method S256 or plain.',
    fix: 'Send the base64url SHA-256 of the verifier, without padding, with code_challenge_method=S256.',
  },
  70003: {
    title: 'Grant type not supported',
    what: 'grant_type names a grant Entra does not run at this endpoint, or it is misspelled.',
    fix: 'Use one of authorization_code, refresh_token, client_credentials, password, the device code or the JWT bearer grant URN.',
  },
  9002331: {
    title: 'App is for personal accounts only',
    what: 'The app registration accepts personal Microsoft accounts only, so work and school tenants do not serve it.',
    fix: 'Use the /consumers endpoint, or change the supported account types on the app registration.',
  },
  900561: {
    title: 'Wrong HTTP method',
    what: 'The endpoint takes POST only, and the request came with another method (a GET, often a link followed or a page reloaded).',
    fix: 'Send the request as a POST with a form-encoded body.',
  },
  50196: {
    title: 'Request loop detected',
    what: 'The same request arrived too often in a short time, so Entra stopped answering it for a while.',
    fix: 'Reuse tokens you already have, poll no faster than the interval, and wait a minute before retrying.',
  },

  // Accounts: sign-in blocked, locked, disabled or expired. Source for each entry below, unless
  // another is given: https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes
  50053: {
    title: 'Account locked or sign-in blocked',
    what: 'Entra locked the account for a while after too many wrong passwords, or it blocks sign-ins from this IP address as malicious.',
    fix: 'Wait for the lockout to end (a minute at first, longer after repeats) and try again with the right password; until then even the right one is refused. An admin can check the sign-in log (by correlation id). In the sandbox, the portal’s Smart lockout section unlocks the account.',
  },
  50055: {
    title: 'Password expired',
    what: 'The user’s password has expired, and a non-interactive request cannot ask for a new one.',
    fix: 'Sign in interactively once and change the password, then repeat.',
  },
  50056: {
    title: 'No password stored for the user',
    what: 'The user has no password in Entra that this request can check — for example a federated or passwordless account used with the password grant.',
    fix: 'Use an interactive flow (authorization code or device code) so the user signs in the way their account works.',
  },
  50057: {
    title: 'Account disabled',
    what: 'The user account is disabled in the tenant, so Entra issues no tokens for it.',
    fix: 'Ask a tenant admin to enable the account, or use another one.',
  },
  50072: {
    title: 'User must register for MFA',
    what: 'The user has to enrol a second factor before signing in, which needs an interactive page.',
    fix: 'Sign in interactively once and complete the MFA registration, then repeat.',
  },
  50074: {
    title: 'Strong authentication required',
    what: 'This sign-in needs a second factor, and this request has no way to ask for it.',
    fix: 'Use an interactive flow (authorization code with PKCE, or device code) so the user can complete MFA.',
  },
  50078: {
    title: 'MFA proof expired',
    what: 'The multi-factor proof from an earlier sign-in is too old for this request.',
    fix: 'Sign in interactively again to renew it.',
  },
  50089: {
    title: 'Sign-in took too long',
    what: 'The sign-in session (flow token) expired before the user finished.',
    fix: 'Start the sign-in again and finish it without a long pause.',
  },
  50097: {
    title: 'Device authentication required',
    what: 'A policy wants the device itself to prove who it is (a registered or joined device), and this request did not.',
    fix: 'Sign in from a registered device with a browser or broker that presents it, or ask an admin about the policy.',
  },
  // https://github.com/microsoftgraph/microsoft-graph-explorer-v4/issues/1333, https://github.com/o365soa/soa/issues/90
  50105: {
    title: 'User not assigned to the app',
    what: 'The app requires user assignment, and this user (or a group of theirs) is not assigned to it.',
    fix: 'Ask an admin to assign the user to the app (Enterprise applications → Users and groups), or turn off “Assignment required”.',
  },
  50128: {
    title: 'No tenant could be found',
    what: 'Neither the URL nor the user name says which tenant to use — typically /common with an account Entra cannot place.',
    fix: 'Put the tenant id or domain in the URL, or sign in with a full user name of that tenant.',
  },
  50132: {
    title: 'Session revoked',
    what: 'The session behind this grant was revoked: the password changed or an admin revoked the user’s sessions.',
    fix: 'Sign in again.',
  },
  50133: {
    title: 'Session invalid after a password change',
    what: 'The password was changed or expired since this grant was issued, so the grant no longer counts.',
    fix: 'Sign in again with the current password.',
  },
  50158: {
    title: 'External security challenge not met',
    what: 'A Conditional Access custom control or an external MFA provider wants the user to complete a challenge this request cannot show.',
    fix: 'Sign in interactively and complete the challenge; an admin can see which control applied.',
  },
  // https://github.com/Azure/azure-cli/issues/16745, https://github.com/microsoft/vscode/issues/135299
  50173: {
    title: 'Grant revoked: sign in again',
    what: 'The grant was revoked after it was issued — the user changed or reset the password, or an admin revoked their tokens; where refresh tokens rotate (the sandbox’s setting), a used one came back.',
    fix: 'Sign the user in again for a fresh grant.',
  },
  51004: {
    title: 'Account not in this directory',
    what: 'The user account does not exist in the tenant the request went to.',
    fix: 'Check the user name and the tenant in the URL.',
  },
  16000: {
    title: 'Account cannot sign in here',
    what: 'The signed-in account is not in the tenant of the request, or Entra needs the user to pick one of several accounts.',
    fix: 'Sign in interactively and choose an account of that tenant (or invite the user as a guest).',
  },
  // Conditional Access and devices.
  53000: {
    title: 'Device not compliant',
    what: 'A Conditional Access policy allows only compliant (managed) devices, and this device is not one.',
    fix: 'Use a device that meets the organisation’s policy, or ask an admin which policy applied (correlation id).',
  },
  530003: {
    title: 'Managed device required',
    what: 'The organisation lets only managed devices reach this resource, and this device is not managed.',
    fix: 'Use a managed device, or ask an admin about the policy.',
  },
  70043: {
    title: 'Refresh token too old for a sign-in frequency policy',
    what: 'A Conditional Access sign-in frequency rule limits how long a sign-in lasts, and this refresh token is past it.',
    fix: 'Sign the user in interactively again.',
  },
  // Consent, service principals and resources.
  // https://github.com/Azure/azure-cli/issues/16850, https://github.com/Azure-Samples/azure-search-openai-demo/issues/1969
  500011: {
    title: 'API not found in this tenant',
    what: 'The resource (API) named in scope has no service principal in this tenant: the App ID URI is wrong, the API was never installed or consented to here, or the request went to the wrong tenant.',
    fix: 'Check the scope’s resource part (App ID URI or client id, with no stray slashes), use the tenant where the API exists, or have an admin consent to the API there.',
  },
  // https://github.com/microsoft/GraphNotificationBroker/issues/5, https://github.com/MicrosoftDocs/azure-docs/issues/52572
  650052: {
    title: 'Tenant lacks the API this app needs',
    what: 'The app asks for an API that has no service principal in the user’s tenant (a service the organisation has not enabled, or a custom API never consented to there).',
    fix: 'An admin of that tenant consents to the app (which creates the service principal) or enables the service; otherwise drop that permission.',
  },
  65002: {
    title: 'Microsoft app needs pre-authorization',
    what: 'A first-party Microsoft API must pre-authorize the calling Microsoft app; a custom app cannot be added that way.',
    fix: 'Register your own app and use its client id, instead of a Microsoft client id, for this API.',
  },
  90094: {
    title: 'Admin consent required',
    what: 'The app asks for permissions only an administrator may grant, or the tenant lets only admins consent.',
    fix: 'Ask a tenant admin to grant consent for the app (API permissions → Grant admin consent), then sign in again.',
  },
  90072: {
    title: 'Account not in this tenant (external user)',
    what: 'The account signs in from another tenant or Microsoft account, but it has not been added to this tenant as a guest, so the tenant’s policies cannot apply to it.',
    fix: 'Invite the account to the tenant as a guest, or sign in with an account of the tenant.',
  },
  7000112: {
    title: 'App disabled',
    what: 'The app (its service principal) is disabled in this tenant.',
    fix: 'Ask an admin to enable it under Enterprise applications → Properties.',
  },
  // https://github.com/Azure/Commercial-Marketplace-SaaS-Accelerator/issues/830
  7000229: {
    title: 'App has no service principal in the tenant',
    what: 'The client app exists, but has no service principal (enterprise application) in this tenant, so it cannot get app-only tokens here.',
    fix: 'Create the service principal (consent to the app in that tenant, or az ad sp create --id <client id>).',
  },
  // Protocol and transport.
  1002016: {
    title: 'TLS 1.2 required',
    what: 'The request used TLS 1.0/1.1 or a 3DES cipher, which Entra no longer accepts.',
    fix: 'Send the request with TLS 1.2 or later (update the client’s runtime or HTTP library).',
  },
};

/** RFC 6749 §4.1.2.1 and §5.2, RFC 8628 §3.5, RFC 6750 §3.1, OpenID Connect Core §3.1.2.6. */
const BY_ERROR: Readonly<Record<string, Entry>> = {
  invalid_request: {
    title: 'Malformed request',
    what: 'A required parameter is missing, one appears twice, or a value is not accepted.',
    fix: 'Read the server’s description below for the parameter at fault.',
    whatFor: {
      authorize:
        'The authorization request is missing a required parameter, repeats one, or has a value the server does not accept (RFC 6749 §4.1.2.1).',
      token:
        'The token request is missing a required parameter, repeats one, or uses an unsupported value (RFC 6749 §5.2).',
      'device-poll':
        'The poll is missing a parameter or repeats one; a device code poll needs grant_type, client_id and device_code.',
      api: 'The API could not read the request: a parameter is missing, or the token was sent more than one way (RFC 6750 §3.1).',
    },
    fixFor: {
      authorize: 'Check the authorization URL’s parameters against the server’s description below.',
      token: `Check the parameter named in the description below. ${FORM_BODY}`,
      api: 'Send the token once, in the Authorization: Bearer header, and nothing else the API does not expect.',
    },
  },
  // RFC 9126 §4 / RFC 9101 §6.2: a request_uri the server cannot find, or finds used or expired.
  invalid_request_uri: {
    title: 'The request_uri is not valid (any more)',
    what: 'The server could not use the request_uri: a pushed request’s request_uri is single-use and short-lived (expires_in), so one that was already used, has expired, or was pushed by another client is refused. The server could not read the pushed request, so it had no state to send back either.',
    fix: 'Push the request again (step “Push the request”) and sign in within its expires_in seconds, once.',
  },
  // RFC 9101 §6.2 / OIDC Core §3.1.2.6: the request object failed the server's checks.
  invalid_request_object: {
    title: 'The request object was refused',
    what: 'The signed request object (JAR) failed the server’s checks: its signature does not verify with the client’s secret or registered key, its algorithm is not the one registered, or its iss, aud, exp or client_id do not fit.',
    fix: 'Read the description below. For HS256, check the client secret; for a key pair, register its public key with the client before signing; aud must be the issuer exactly and iss the client_id.',
    variants: [
      {
        when: /could not validate|signature|no matching key|key/i,
        what: 'The request object’s signature did not verify: the server has no key that checks it.',
        fix: 'For HS256, sign with the client’s current secret. For ES256 / PS256 / RS256, register the public key of the key pair that signed it (its kid) with the client, then sign again.',
      },
      {
        when: /claims are invalid|aud|iss|exp|nbf/i,
        what: 'The request object’s claims do not fit: aud must be the issuer, iss the client_id, and exp in the future.',
        fix: 'Sign the request object again just before signing in, addressed to this issuer.',
      },
    ],
  },
  // OIDC Core §3.1.2.6: the server does not take request objects by value or by reference.
  request_not_supported: {
    title: 'Request objects not supported',
    what: 'The server does not take the request parameter (a signed request object sent by value).',
    fix: 'Switch JAR off for this provider, or push the request instead if it offers PAR.',
  },
  request_uri_not_supported: {
    title: 'request_uri not supported',
    what: 'The server does not take the request_uri parameter, so a pushed request or a request object by reference cannot be named in the URL.',
    fix: 'Switch PAR off for this provider and send the parameters in the URL.',
  },
  invalid_client: {
    title: 'Client authentication failed',
    what: 'The server could not authenticate the app: unknown client, wrong or missing credential, or an unsupported way of sending it.',
    fix: 'Check client_id and the secret or assertion — or whether the app is public and should send none.',
    whatFor: {
      'device-poll':
        'The server did not accept the polling client: the client_id is unknown there, or the app is confidential and the poll carries no credential.',
      authorize:
        'The server does not accept this client for the sign-in: the client_id is unknown there, or the app is not set up for what it asks.',
    },
    fixFor: {
      authorize: 'Check the client_id and the tenant or issuer, and the app’s registration.',
      'device-poll':
        'Check the client_id; if the app is confidential, make it a public client (on Entra: “Allow public client flows”) or send its credential.',
    },
  },
  invalid_grant: {
    title: 'Grant rejected',
    what: 'The code, refresh token, device code or assertion was rejected: wrong, expired, already used, or issued to another client or redirect URI.',
    fix: 'Start the flow again for a fresh grant.',
    whatFor: {
      'device-poll':
        'The device code was rejected: it is not one this server issued to this client, it expired, or it was already redeemed.',
    },
    fixFor: {
      token:
        'Start the flow again for a fresh code, and redeem it once with the same redirect_uri and code_verifier.',
      'device-poll': 'Stop polling and request a new device code.',
    },
  },
  unauthorized_client: {
    title: 'Client not allowed',
    what: 'This app may not use this grant or response type.',
    fix: 'Check the app registration’s platform and settings.',
    whatFor: {
      authorize: 'This app may not ask for this response type (RFC 6749 §4.1.2.1).',
      token: 'This app may not use this grant type (RFC 6749 §5.2).',
      'device-poll':
        'This app may not use the device code grant (RFC 8628 §3.5 lets the server say so while polling).',
    },
    fixFor: {
      authorize: 'Use response_type=code, or enable the response type on the app registration.',
      token:
        'Enable the grant for the app (e.g. public client flows for device code), or use a grant it allows.',
      'device-poll':
        'Enable the device code grant for the app (on Entra: “Allow public client flows”), then request a new code.',
    },
  },
  unsupported_grant_type: {
    title: 'Grant type not supported',
    what: 'The server does not support the grant_type in the token request.',
    fix: 'Check the grant_type value for typos; the server’s metadata lists the grant types it supports.',
  },
  unsupported_response_type: {
    title: 'Response type not supported',
    what: 'The server or the app does not allow this response_type.',
    fix: 'Use response_type=code, or enable the implicit settings on the app.',
  },
  invalid_scope: {
    title: 'Invalid scope',
    what: 'A requested scope is unknown, malformed, or more than the client may ask for.',
    fix: 'Fix the scope parameter: space-separated names the API exposes.',
  },
  access_denied: {
    title: 'Access denied',
    what: 'The user or the server refused the request.',
    fix: 'Read the server’s description below for who refused and why.',
    whatFor: {
      authorize:
        'The user declined on the consent or sign-in page, or the server’s policy refused this sign-in (RFC 6749 §4.1.2.1).',
      token:
        'The token endpoint refused to issue a token: this client (or user) is not allowed what it asked for — a grant, an API or a scope. At the token endpoint nobody was asked to consent, so this is a policy or configuration refusal.',
      'device-poll': 'The user refused the request on the verification page (RFC 8628 §3.5).',
      api: 'The API refused this call for this token’s client or user.',
    },
    fixFor: {
      authorize:
        'Sign in again and accept, or ask for fewer permissions; if nobody declined, ask the server’s admin which policy refused it.',
      token: 'Check on the server that this client may use this grant for this API and these scopes.',
      'device-poll': 'Stop polling. Start again with a new device code if that was a mistake.',
    },
  },
  server_error: {
    title: 'Server error',
    what: 'The authorization server hit an unexpected condition.',
    fix: 'Try again; if it keeps happening, check the server’s status and logs.',
  },
  temporarily_unavailable: {
    title: 'Server busy',
    what: 'The authorization server is overloaded or under maintenance for now.',
    fix: 'Wait a moment and try again.',
  },
  interaction_required: {
    title: 'User interaction required',
    what: 'The server needs the user on its own page (MFA, consent, a policy), and this request cannot show one.',
    fix: 'Run an interactive sign-in.',
  },
  login_required: {
    title: 'Sign-in required',
    what: 'A silent request (prompt=none) was sent, but there is no session to reuse.',
    fix: 'Remove prompt=none and sign in.',
  },
  consent_required: {
    title: 'Consent required',
    what: 'Consent is missing, and this request could not ask for it — or the user declined it.',
    fix: 'Sign in interactively and accept.',
  },
  account_selection_required: {
    title: 'Account choice required',
    what: 'Several accounts are signed in, and the server will not pick one without asking.',
    fix: 'Sign in interactively (or send login_hint) so one account is chosen.',
  },
  authorization_pending: {
    title: 'Waiting for the user',
    what: 'The user has not finished on the verification page yet. This is a normal polling state, not a failure (RFC 8628 §3.5).',
    fix: 'Keep polling at the interval.',
  },
  slow_down: {
    title: 'Polling too fast',
    what: 'The client polled sooner than allowed. Still a pending state, but the interval must grow by 5 seconds (RFC 8628 §3.5). Entra documents no AADSTS code for it.',
    fix: 'Add 5 seconds to the interval and keep polling.',
  },
  authorization_declined: {
    title: 'The user declined',
    what: 'The user refused the request on the verification page.',
    fix: 'Stop polling; start again if that was a mistake.',
  },
  expired_token: {
    title: 'Device code expired',
    what: 'The device code outlived its expires_in before the user finished (RFC 8628 §3.5).',
    fix: 'Request a new device code.',
  },
  bad_verification_code: {
    title: 'Unknown device code',
    what: 'The server does not recognise this device code.',
    fix: 'Request a new device code.',
  },
  invalid_token: {
    title: 'Token rejected by the API',
    what: 'The API could not accept the access token: missing, expired, revoked, wrongly signed, or meant for another API (aud) (RFC 6750 §3.1).',
    fix: 'Get a fresh token for this API and send it as Authorization: Bearer.',
    whatFor: {
      registration:
        'The registration endpoint did not accept the registration access token: the registration was deleted, the token was rotated, or it is not this client’s (RFC 7592 §2).',
    },
    fixFor: {
      registration: 'Use the registration access token of the latest answer, or register the client again.',
    },
    // RFC 9449 §7.1, §7.2: a sender-constrained token refused for its binding, not its contents.
    variants: [
      {
        when: /\bas Bearer\b|DPoP-bound/i,
        what: 'The token is bound to a DPoP key (its cnf.jkt), so the API will not take it as a plain Bearer token: whoever holds only the token cannot use it (RFC 9449 §7.2).',
        fix: 'Send it as Authorization: DPoP with a fresh proof signed by the key it is bound to.',
      },
      {
        when: /another key|jkt/i,
        what: 'The proof is valid, but it was signed by a key other than the one the token is bound to (its thumbprint is not the token’s cnf.jkt) (RFC 9449 §7.1).',
        fix: 'Sign the proof with the key pair the token was issued for; a token cannot move to a new key.',
      },
      {
        when: /not DPoP-bound/i,
        what: 'The token has no DPoP binding (no cnf.jkt), so the API will not take it under the DPoP scheme.',
        fix: 'Send it as Authorization: Bearer, or ask for a DPoP-bound token with a proof at the token endpoint.',
      },
    ],
  },
  // RFC 9449 §8, §9: the server wants a nonce it chose in the next proof; a retry, not a failure.
  use_dpop_nonce: {
    title: 'The server wants its nonce in the proof',
    what: 'The server (or the API) accepts DPoP proofs only with a nonce it hands out, to be sure the proof was made just now. It sent one in the DPoP-Nonce header of this answer (RFC 9449 §8).',
    fix: 'Sign a new proof with that value as its nonce claim and send the same request again.',
  },
  // RFC 9449 §5, §7.1: the proof itself is wrong.
  invalid_dpop_proof: {
    title: 'DPoP proof rejected',
    what: 'The DPoP proof is missing or wrong: not signed by the key in its jwk, for another method (htm) or URL (htu), too old (iat), used before (jti), or without the hash of the access token (ath) on an API call (RFC 9449 §4.3).',
    fix: 'Sign a fresh proof for exactly this request — the same method and URL without its query, a new jti, the current time and, for an API, ath — and send it once.',
  },
  insufficient_scope: {
    title: 'Missing permission',
    what: 'The token is valid but lacks the scope or role this call needs (RFC 6750 §3.1).',
    fix: 'Ask for the scope the API names (delegated), or grant the application role (app-only) and get a new token.',
  },
  invalid_resource: {
    title: 'Unknown resource',
    what: 'The resource the request names does not exist in the tenant, or is not set up to receive tokens.',
    fix: 'Check the resource or scope value — App ID URI or client id of the API.',
  },
  // RFC 8707 §2 and RFC 8693 §2.2.2: the server will not issue a token for the named target.
  invalid_target: {
    title: 'Unknown target',
    what: 'The server will not issue a token for the resource or audience the request names: it does not know it, this client may not get tokens for it, or the request names several targets and the server takes one.',
    fix: 'Name one resource or audience the server knows (its metadata or documentation lists them), or leave both out to get its default.',
  },
  // RFC 7009 §2.2.1: the revocation endpoint does not revoke this kind of token.
  unsupported_token_type: {
    title: 'Token type not revocable here',
    what: 'The server does not revoke this kind of token (many revoke refresh tokens only); the token was not revoked and stays valid until it expires.',
    fix: 'Revoke the refresh token instead, or wait for the access token to expire; check the token_type_hint.',
  },
  // RFC 7591 §3.2.2: the errors of a refused dynamic client registration.
  invalid_redirect_uri: {
    title: 'Redirect URI refused',
    what: 'The registration endpoint will not register one of the redirect_uris: not an absolute URI, a scheme or host its policy forbids (plain http, a fragment), or one that does not fit the grant types.',
    fix: 'Send absolute URIs without a fragment that the server’s policy allows, such as this app’s own callback.',
  },
  invalid_client_metadata: {
    title: 'Client metadata refused',
    what: 'A metadata field has a value the server does not accept, or fields contradict each other (grant_types against response_types, an authentication method it does not support, private_key_jwt without keys).',
    fix: 'Read the field the server’s description names, and pick values its metadata lists (token_endpoint_auth_methods_supported, grant_types_supported).',
    variants: [
      {
        when: /redirect_uri/i,
        what: 'The server refused a redirect URI (a fragment, a scheme or host its policy forbids). RFC 7591 §3.2.2 names this invalid_redirect_uri; some servers, oidc-provider among them, answer invalid_client_metadata.',
        fix: 'Send absolute URIs without a fragment that the server’s policy allows, such as this app’s own callback.',
      },
      {
        when: /scope/i,
        what: 'The server refused the scope list: a client may register only scopes the server itself lists in scopes_supported. An API’s scope is asked for later, at the token endpoint.',
        fix: 'Keep only scopes from the server’s scopes_supported in the registration.',
      },
    ],
  },
  invalid_software_statement: {
    title: 'Software statement invalid',
    what: 'The software_statement JWT could not be read or its signature did not verify.',
    fix: 'Send a software statement signed by an issuer the server trusts, or none if it does not require one.',
  },
  unapproved_software_statement: {
    title: 'Software statement not approved',
    what: 'The software statement is valid, but the server does not accept statements from its issuer.',
    fix: 'Get a statement from an issuer the server has approved.',
  },
};

const BY_CODE: Readonly<Record<StepFailure['code'], Entry>> = {
  AUTHORIZATION_RESPONSE_ERROR: {
    title: 'The authorization server returned an error',
    what: 'The sign-in ended with an error instead of a code.',
    fix: 'Read the server’s description below and start again.',
  },
  TOKEN_ENDPOINT_ERROR: {
    title: 'The token endpoint refused the request',
    what: 'The token endpoint answered with an error.',
    fix: 'Read the server’s description below.',
  },
  STATE_MISMATCH: {
    title: 'State mismatch — response rejected',
    what: 'The state in the callback is not the value this browser sent. That is what a forged or replayed response (CSRF, RFC 6749 §10.12) looks like, so the code was not used.',
    fix: 'Start the sign-in again from this tab. If you opened an old link, that explains it.',
  },
  NONCE_MISMATCH: {
    title: 'Nonce mismatch — ID token rejected',
    what: 'The ID token does not carry the nonce this run sent, so it may be a replayed token (OpenID Connect Core §3.1.3.7).',
    fix: 'Start the flow again from this tab.',
  },
  MISSING_PARAMETER: {
    title: 'Something is missing',
    what: 'A value this step needs is missing.',
    fix: 'Go back a step and complete it.',
  },
  DUPLICATE_PARAMETER: {
    title: 'Repeated parameter',
    what: 'A response parameter appears more than once, which RFC 6749 §3.1 forbids.',
    fix: 'Start the flow again; the URL may have been tampered with.',
  },
  INVALID_RESPONSE: {
    title: 'Unreadable response',
    what: 'The server’s answer is not a valid OAuth response (not JSON, or missing fields it must have).',
    fix: 'Check the endpoint URL, and look at the raw response below.',
  },
  INVALID_JWT: {
    title: 'Malformed token',
    what: 'The token is not a well-formed JWT: it needs three base64url parts separated by dots, with JSON in the first two.',
    fix: 'Check you copied the whole token, without spaces or quotes.',
  },
  INVALID_INPUT: {
    title: 'Input cannot be used',
    what: 'A field holds a value that cannot be used.',
    fix: 'Correct the field named in the message.',
  },
  NETWORK_ERROR: {
    title: 'Network error',
    what: 'The request got no answer: the server is unreachable, refused the connection, or timed out.',
    fix: 'Check the address and that the server is running.',
    whatFor: {
      token: 'The token endpoint gave no answer in time, or could not be reached.',
      api: 'The API gave no answer in time, or could not be reached.',
    },
    fixFor: {
      api: 'Check the API’s address and that it is running, then send the request again.',
    },
  },
  CORS_ERROR: {
    title: 'No readable answer (network or CORS)',
    what: 'The browser got no answer it may read: the server is down, or it does not allow this origin (CORS). Browsers hide which.',
    fix: 'Check the server is running. For token requests of non-SPA clients, use the local relay.',
    whatFor: {
      token:
        'The browser got no readable answer from the token endpoint. Entra allows browser (CORS) token requests only for SPA redirect URIs, so for other apps the browser hides the answer — or the server is down.',
      api: 'The browser got no readable answer from the API: it is down, or it does not allow this origin (CORS). Microsoft Graph allows browser calls; your own API may not.',
    },
    fixFor: {
      token: 'Register the redirect URI on the SPA platform, or send the request through the local relay.',
      api: 'Check the API is running and allows this origin, or call it from a server.',
    },
  },
  HASH_MISMATCH: {
    title: 'Token hash mismatch — response rejected',
    what: 'The ID token’s at_hash or c_hash does not match the access token or code that came with it, so one of them may have been swapped in (OIDC Core §3.2.2.9, §3.3.2.10).',
    fix: 'Start the flow again from this tab, and do not use these tokens.',
  },
  DEVICE_CODE_EXPIRED: {
    title: 'Device code expired',
    what: 'The code’s expires_in passed before the user finished, so the app stopped polling.',
    fix: 'Request a new device code and finish signing in before it runs out.',
  },
  INSECURE_CONTEXT: {
    title: 'No WebCrypto on this page',
    what: 'Browsers give WebCrypto (hashing, signing, making keys) only to https pages and to localhost. This page came over plain http from another machine, so the step could not compute its challenge, proof or signature.',
    fix: 'Open the lab at its https address (ask your trainer), or run it on your own machine with `npm start` and open it on localhost.',
  },
  RELAY_UNAVAILABLE: {
    title: 'Local relay unavailable',
    what: 'This request must be sent by a server, and the local relay did not take it.',
    fix: 'Run the app with `npm start` (it starts the relay), or copy the request and send it with curl.',
  },
  REGISTRATION_ERROR: {
    title: 'The registration endpoint refused the request',
    what: 'The registration endpoint (or the registration’s own URI) answered with an error (RFC 7591 §3.2.2, RFC 7592 §2).',
    fix: 'Read the server’s description below, change the metadata or the token it names, and send again.',
  },
  BUG: {
    title: 'Unexpected error',
    what: 'Something failed that the app did not foresee.',
    fix: 'Reset this flow; if it happens again, please report it.',
  },
};

/**
 * What a server means by an `error`, where it differs from RFC 6749's general meaning. Checked before
 * the general table, by who answered; a `variants` entry may tell causes apart by the description.
 */
const BY_AUTHORITY: Readonly<Partial<Record<Authority, Readonly<Record<string, Entry>>>>> = {
  // https://auth0.com/docs/get-started/applications/application-grant-types ;
  // https://auth0.com/docs/get-started/applications/application-access-to-apis-client-credentials ;
  // real bodies: https://github.com/auth0/ruby-auth0/issues/610, https://github.com/auth0/node-auth0/issues/428,
  // https://github.com/auth0/auth0-python/issues/173
  auth0: {
    access_denied: {
      title: 'Access denied by Auth0',
      what: 'Auth0 refused the request.',
      fix: 'Read Auth0’s description below.',
      whatFor: {
        authorize:
          'The user declined consent, or a rule or Action denied this sign-in (its message is in error_description).',
        token:
          'Auth0 refused to issue the token: this application is not authorized for the API (audience) or the scopes it asks for, or for this grant. This is configuration, not a declined consent — nobody is asked at the token endpoint. A rule or Action can also deny it.',
        'device-poll': 'The user declined on Auth0’s device activation page (RFC 8628 §3.5).',
      },
      fixFor: {
        authorize: 'Sign in again and accept; if nobody declined, check the tenant’s rules and Actions.',
        token:
          'In the Auth0 dashboard, authorize the application for the API (APIs → the API → Machine to Machine Applications, with its scopes), send that API’s identifier as audience, and check the application’s grant types (Advanced settings → Grant Types).',
        'device-poll': 'Stop polling; request a new code if that was a mistake.',
      },
      variants: [
        {
          when: /not authorized to access|client-grant|has not been granted scopes/i,
          what: 'Auth0 has no client grant for this application and this API (audience), or the grant lacks the scopes asked for. Client credentials need one per API.',
          fix: 'Authorize the application for the API (APIs → the API → Machine to Machine Applications) with the scopes it needs, or send the audience of an API it is authorized for.',
        },
        {
          when: /^unauthorized$/i,
          what: 'Auth0 answered only “Unauthorized”: this application may not use this grant or reach this API — often a machine-to-machine app not authorized for the API, or a grant type switched off for it.',
          fix: 'Check the application’s grant types (Advanced settings → Grant Types) and its authorization for the API; Auth0’s tenant logs show the reason.',
        },
      ],
    },
    unauthorized_client: {
      title: 'Grant type not enabled for this Auth0 application',
      what: 'Auth0 has not enabled this grant type for the application (“Grant type … not allowed for the client”).',
      fix: 'Enable the grant in the application’s Advanced settings → Grant Types, or use a grant it allows.',
    },
    mfa_required: {
      title: 'Auth0 wants MFA',
      what: 'The user must complete multi-factor authentication, which this grant cannot show.',
      fix: 'Use an interactive flow, or Auth0’s MFA API with the mfa_token it returned.',
    },
  },
  // https://docs.github.com/en/apps/oauth-apps/maintaining-oauth-apps/troubleshooting-oauth-app-access-token-request-errors ;
  // device flow: https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps#device-flow
  github: {
    bad_verification_code: {
      title: 'GitHub code wrong or expired',
      what: 'GitHub does not accept this code: it is mistyped, already used, or older than 10 minutes.',
      fix: 'Start the sign-in again and redeem the new code at once.',
    },
    incorrect_client_credentials: {
      title: 'Wrong GitHub client id or secret',
      what: 'The client_id or client_secret is not one GitHub knows for this OAuth app.',
      fix: 'Copy both again from the OAuth app’s settings (generate a new secret if it is lost).',
    },
    redirect_uri_mismatch: {
      title: 'Redirect URI not the app’s callback',
      what: 'The redirect_uri is not the OAuth app’s callback URL or a path under it.',
      fix: 'Use the callback URL registered on the GitHub OAuth app, or register this one.',
    },
    unverified_user_email: {
      title: 'GitHub user’s e-mail not verified',
      what: 'The user must verify their primary e-mail address before GitHub issues a token.',
      fix: 'Verify the e-mail on GitHub, then sign in again.',
    },
    device_flow_disabled: {
      title: 'Device flow not enabled on the GitHub app',
      what: 'The OAuth app has not turned on device flow.',
      fix: 'Enable “Device Flow” in the app’s settings.',
    },
    incorrect_device_code: {
      title: 'Unknown device code',
      what: 'GitHub does not recognise this device_code.',
      fix: 'Request a new device code.',
    },
  },
  // https://developers.google.com/identity/protocols/oauth2/web-server#exchange-errors ;
  // https://developers.google.com/identity/protocols/oauth2#expiration
  google: {
    invalid_grant: {
      title: 'Google rejected the grant',
      what: 'Google did not accept the code or refresh token: expired, already used, revoked, or issued to another client or redirect URI. Refresh tokens of apps whose consent screen is in “Testing” expire after 7 days.',
      fix: 'Sign in again for a fresh grant; publish the app (out of Testing) if refresh tokens die after a week.',
    },
    invalid_client: {
      title: 'Google does not know this client',
      what: 'The OAuth client was not found, was deleted, or the secret does not match it.',
      fix: 'Check the client id and secret in the Google Cloud console (Credentials).',
    },
    redirect_uri_mismatch: {
      title: 'Redirect URI not registered at Google',
      what: 'The redirect_uri is not one of the client’s authorized redirect URIs.',
      fix: 'Add this exact URI to the client’s authorized redirect URIs in the Google Cloud console.',
    },
    admin_policy_enforced: {
      title: 'Blocked by the Workspace admin',
      what: 'The user’s Google Workspace admin does not allow this app or these scopes.',
      fix: 'Ask the Workspace admin to allow the app (API controls).',
    },
    org_internal: {
      title: 'App limited to its own organisation',
      what: 'The OAuth consent screen is “Internal”, so only users of the project’s organisation may sign in.',
      fix: 'Sign in with an account of that organisation, or make the consent screen external.',
    },
  },
  // https://developer.okta.com/docs/reference/error-codes/ ; https://developer.okta.com/docs/reference/api/oidc/#possible-errors
  okta: {
    access_denied: {
      title: 'Access denied by Okta',
      what: 'Okta refused the request.',
      fix: 'Read Okta’s description below.',
      whatFor: {
        authorize:
          'Okta refused the sign-in: the user is not assigned to the app, declined consent, or an access policy denied it.',
        token:
          'Okta refused to issue the token: no access policy rule of the authorization server allows this client, grant or scope.',
      },
      fixFor: {
        authorize: 'Assign the user (or a group) to the app in Okta, and check the app’s sign-on policy.',
        token:
          'Add an access policy rule on the authorization server that allows this client, grant type and scopes.',
      },
    },
    unauthorized_client: {
      title: 'Grant type not allowed for this Okta app',
      what: 'The Okta app does not allow this grant type (“The client is not authorized to use the provided grant type”).',
      fix: 'Enable the grant type in the app’s General settings, and allow it in the authorization server’s access policy.',
    },
    invalid_scope: {
      title: 'Scope not set up on the Okta authorization server',
      what: 'A requested scope does not exist on this authorization server, or no access policy rule grants it.',
      fix: 'Add the scope to the authorization server and allow it in an access policy rule.',
    },
    E0000011: {
      title: 'Okta: invalid token',
      what: 'Okta did not accept the token (or API key) sent with the request.',
      fix: 'Send a current token for this Okta org; Okta API keys go in Authorization: SSWS.',
    },
    E0000004: {
      title: 'Okta: authentication failed',
      what: 'Okta could not authenticate the user with the credentials sent.',
      fix: 'Check the user name and password.',
    },
    E0000006: {
      title: 'Okta: not permitted',
      what: 'The caller does not have permission for this action in the Okta org.',
      fix: 'Grant the needed admin role or scope to the caller.',
    },
    E0000047: {
      title: 'Okta: rate limit reached',
      what: 'Too many requests reached Okta in a short time.',
      fix: 'Wait until the rate limit resets (see the X-Rate-Limit-Reset header) and retry less often.',
    },
  },
  // Keycloak answers RFC 6749 errors and says why in error_description:
  // https://www.keycloak.org/docs/latest/server_admin/#_oidc-auth-flows
  keycloak: {
    invalid_grant: {
      title: 'Keycloak rejected the grant',
      what: 'Keycloak did not accept the code, refresh token or credentials.',
      fix: 'Read the description below; start the flow again for a fresh grant.',
      variants: [
        {
          when: /invalid user credentials/i,
          what: 'Keycloak could not verify the user name and password.',
          fix: 'Check the credentials; federated users may need an interactive flow.',
        },
        {
          when: /code not valid/i,
          what: 'The authorization code is expired, already used, or not for this client.',
          fix: 'Start the sign-in again and redeem the new code at once.',
        },
        {
          when: /session not active|token is not active|stale token/i,
          what: 'The user’s Keycloak session ended (logout, timeout, or restart), so its refresh token no longer works.',
          fix: 'Sign the user in again.',
        },
      ],
    },
    unauthorized_client: {
      title: 'Client not allowed this grant in Keycloak',
      what: 'The Keycloak client does not allow this flow.',
      fix: 'Enable the flow in the client’s Capability config (Standard flow, Direct access grants, Service accounts, OAuth 2.0 Device Authorization Grant).',
      variants: [
        {
          when: /service account/i,
          what: 'Client credentials need the client’s service account, which is turned off.',
          fix: 'Turn on “Service accounts roles” (Client authentication on) for the client.',
        },
        {
          when: /direct access grants/i,
          what: 'The password grant needs “Direct access grants”, which is off for this client.',
          fix: 'Turn on “Direct access grants” for the client, or use an interactive flow.',
        },
      ],
    },
  },
};

/** What a body's shape means when it held no OAuth error we could read, by shape. */
const BY_FORMAT: Readonly<Partial<Record<ErrorBodyFormat, Entry>>> = {
  html: {
    title: 'Unreadable response: a web page came back',
    what: 'The answer is an HTML page, not a valid OAuth response. OAuth endpoints answer in JSON, so something else answered: a gateway, proxy, load balancer or firewall in front of the server — or the URL leads to a web page (a sign-in page, a 404) instead of the endpoint.',
    fix: 'Read the page below (shown as text) to see who sent it; check the endpoint URL and any proxy or VPN in between, then try again.',
  },
  text: {
    title: 'Unreadable response: plain text came back',
    what: 'The answer is plain text, not a valid OAuth response. Authorization servers answer in JSON, so this usually comes from a gateway, proxy or load balancer in front of the server, not from the server itself.',
    fix: 'Read the text below for who sent it; check the endpoint URL and any proxy in between, then try again.',
  },
  empty: {
    title: 'Unreadable response: an empty body',
    what: 'The server answered with no body at all, so it gave no OAuth error to read.',
    fix: 'Check the endpoint URL and the HTTP status; try again, and look at the server’s logs if it repeats.',
  },
  challenge: {
    title: 'Client authentication refused',
    what: 'The answer is a 401 with only a WWW-Authenticate challenge: the server did not accept how the client authenticated (RFC 6749 §5.2 allows this answer).',
    fix: 'Check the client id and secret, and the way they are sent (client_secret_basic in the Authorization header, or client_secret_post in the body) — the server’s metadata lists what it accepts.',
  },
  form: {
    title: 'Unreadable response: form-encoded, not JSON',
    what: 'The answer is form-encoded (key=value&…), not the JSON RFC 6749 §5.1 requires. GitHub answers so when a request does not ask for JSON.',
    fix: 'Send Accept: application/json (this lab does). If the server still answers form-encoded, it does not follow RFC 6749 §5.1.',
  },
  json: {
    title: 'Unreadable response: JSON without an OAuth error',
    what: 'The answer is JSON, but has no “error” string saying what went wrong.',
    fix: 'Read the raw response below; check the endpoint URL — it may be another API, not an OAuth endpoint.',
  },
};

/** Names a body's shape for the panel. */
export function describeFormat(format: ErrorBodyFormat): string {
  switch (format) {
    case 'oauth':
      return 'OAuth 2.0 error (RFC 6749 §5.2)';
    case 'okta':
      return 'Okta’s error format (errorCode, errorSummary)';
    case 'form':
      return 'form-encoded fields, as GitHub sends unless asked for JSON';
    case 'problem':
      return 'problem details (RFC 9457)';
    case 'nested':
      return 'a nested error object, as Microsoft Graph and Google APIs send';
    case 'challenge':
      return 'no body, only a WWW-Authenticate challenge';
    case 'json':
      return 'JSON without an OAuth error field';
    case 'html':
      return 'an HTML page — a gateway, proxy or web page answered, not the authorization server';
    case 'text':
      return 'plain text — usually a gateway or proxy, not the authorization server';
    case 'empty':
      return 'an empty body';
  }
}

/** What each cause of an unreachable host means and what to do, in our words. */
const UNREACHABLE: Readonly<Record<UnreachableDetail['cause'], { what: string; fix: string }>> = {
  dns: {
    what: 'The host name could not be turned into an address: it is misspelled, does not exist, or this computer cannot reach a DNS server.',
    fix: 'Check that you are online and the host name is right; on a company network a VPN may be needed.',
  },
  refused: {
    what: 'The address was reached, but nothing accepts connections on that port.',
    fix: 'Check the port in the URL and that the server is running.',
  },
  reset: {
    what: 'The connection was opened, then cut before an answer came: the server, a firewall or a proxy dropped it.',
    fix: 'Try again; if it repeats, check proxies, VPN or firewall rules between you and the server.',
  },
  timeout: {
    what: 'No answer came in time: the server is slow or down, or the network drops the packets.',
    fix: 'Try again in a moment; check your connection, VPN or firewall.',
  },
  tls: {
    what: 'The secure connection failed: the server’s certificate was not accepted (expired, issued for another name, or signed by an authority this machine does not trust — a TLS-inspecting proxy does this).',
    fix: 'Check the host name in the URL and this computer’s clock; behind a company proxy, its root certificate may be missing.',
  },
  'no-route': {
    what: 'This computer has no network path to that address.',
    fix: 'Check your network connection or VPN.',
  },
  offline: {
    what: 'The browser reports no network connection, so the request was not sent anywhere.',
    fix: 'Reconnect to the network and try again.',
  },
  unknown: {
    what: 'No answer reached the browser. The server may be down or unreachable, or it does not allow this page to read its answer (CORS) — browsers hide which.',
    fix: 'Check the address and that the server is running; for token requests of non-SPA clients, use the local relay, which can say what went wrong.',
  },
};

/** An own entry of a table, so a server `error` such as "constructor" never reaches the prototype. */
function own<K extends PropertyKey>(table: Readonly<Record<K, Entry>>, key: K): Entry | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

/** An AADSTS number as Entra writes it: a positive whole number, or such a number as a string. */
function asAadsts(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^\d{1,9}$/.test(value.trim()) ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

function textOf(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/**
 * The AADSTS number in an Entra error, from `error_codes` (numbers, numeric strings, or one of
 * them alone) or an `AADSTSnnnn` in the description or message.
 */
export function aadstsNumber(failure: StepFailure): number | undefined {
  const raw = failure.fields?.error_codes as unknown;
  const codes = (Array.isArray(raw) ? raw : [raw])
    .map(asAadsts)
    .filter((code): code is number => code !== undefined);
  if (codes.length > 0) {
    // Entra sometimes lists a generic code before the specific one ([70002, 54005]): prefer the specific.
    const specific = codes.find((code) => !GENERIC_AADSTS.has(code) && isCatalogued(code));
    return specific ?? codes[0];
  }
  const text = textOf(failure.fields?.error_description) ?? failure.message;
  const match = /AADSTS(\d{1,9})\b/.exec(text);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/** Codes Entra puts in front of a more specific one. */
const GENERIC_AADSTS = new Set([70002]);

/** Whether our catalogue has an entry for this AADSTS number. */
export function isCatalogued(aadsts: number): boolean {
  return own(BY_AADSTS, aadsts) !== undefined;
}

/** The AADSTS numbers our catalogue explains specifically. */
export function cataloguedAadsts(): number[] {
  return Object.keys(BY_AADSTS).map(Number);
}

const ENTRA_HOSTS =
  /(^|\.)(login\.microsoftonline\.(com|us)|login\.partner\.microsoftonline\.cn|login\.chinacloudapi\.cn|login\.windows\.net|login\.microsoft\.com|sts\.windows\.net)$/i;

function hostOf(url: string | undefined): string {
  if (url === undefined) return '';
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return '';
  }
}

function pathOf(url: string | undefined): string {
  if (url === undefined) return '';
  try {
    return new URL(url).pathname;
  } catch {
    return '';
  }
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/**
 * Who answered: from the endpoint's host, the body's shape, and Entra's marks (AADSTS numbers,
 * `error_codes`, `trace_id` / `correlation_id`). The sandbox is the Entra-shaped server on loopback.
 */
export function whoAnswered(failure: StepFailure, where: FailureContext = {}): Authority {
  const host = hostOf(where.endpoint) || (failure.unreachable?.host.split(':')[0]?.toLowerCase() ?? '');
  const fields: Readonly<Record<string, unknown>> = failure.fields ?? {};
  const entraShaped =
    fields['error_codes'] !== undefined ||
    (typeof fields['trace_id'] === 'string' && typeof fields['correlation_id'] === 'string') ||
    /AADSTS\d/.test(textOf(fields['error_description']) ?? '');
  if (ENTRA_HOSTS.test(host)) return 'entra';
  if (entraShaped) return LOOPBACK.has(host) ? 'sandbox' : 'entra';
  if (failure.format === 'okta' || /(^|\.)(okta|oktapreview|okta-emea)\.com$/.test(host)) return 'okta';
  if (/(^|\.)auth0\.com$/.test(host)) return 'auth0';
  if (/(^|\.)(google\.com|googleapis\.com)$/.test(host)) return 'google';
  if (host === 'github.com' || host.endsWith('.github.com')) return 'github';
  if (/\/realms\/[^/]+\/protocol\/openid-connect\//.test(pathOf(where.endpoint))) return 'keycloak';
  return 'generic';
}

/** The step kind implied by the failure itself, when the caller did not say. */
function impliedContext(failure: StepFailure): StepKind | undefined {
  if (failure.unreachable !== undefined) return 'network';
  if (failure.code === 'AUTHORIZATION_RESPONSE_ERROR') return 'authorize';
  if (failure.code === 'TOKEN_ENDPOINT_ERROR') return 'token';
  if (failure.code === 'REGISTRATION_ERROR') return 'registration';
  return undefined;
}

function resolve(
  entry: Entry,
  context: StepKind | undefined,
  description: string,
): { title: string; what: string; fix: string } {
  const variant = entry.variants?.find((v) => v.when.test(description));
  return {
    title: entry.title,
    what: variant?.what ?? (context === undefined ? undefined : entry.whatFor?.[context]) ?? entry.what,
    fix: variant?.fix ?? (context === undefined ? undefined : entry.fixFor?.[context]) ?? entry.fix,
  };
}

/** A server-sent `error` as we may quote it: short, whatever the server sent. */
function quoted(error: string): string {
  return error.length > 60 ? `${error.slice(0, 60)}…` : error;
}

/** A headline never empty, whatever the tables hold. */
function nonEmpty(text: string, fallback: string): string {
  return text.trim() === '' ? fallback : text;
}

/** The explanation of a request that got no answer, naming the host and the cause. */
function explainUnreachable(
  failure: StepFailure,
  detail: UnreachableDetail,
  context: StepKind | undefined,
  authority: Authority,
): Explanation {
  const cause = UNREACHABLE[detail.cause];
  if (detail.cause === 'unknown' && failure.code === 'CORS_ERROR') {
    // A browser cannot tell a server that is down from one that refuses CORS: keep the step's advice.
    const base = resolve(BY_CODE.CORS_ERROR, context, '');
    return {
      ...base,
      title: `No readable answer (network or CORS) from ${detail.host}`,
      matchedBy: 'network',
      authority,
    };
  }
  const by =
    detail.via === 'relay'
      ? ' The local relay is running: it tried to send the request and reports this.'
      : '';
  const system = detail.detail === undefined ? '' : ` (${quoted(detail.detail)})`;
  const request =
    context === 'api'
      ? 'The call to the API'
      : context === 'authorize'
        ? 'The request to the authorization server'
        : context === 'device-poll'
          ? 'The poll of the token endpoint'
          : context === 'token'
            ? 'The token request'
            : 'The request';
  return {
    title: describeUnreachable(detail),
    what: `${request} got no answer from ${detail.host}. ${cause.what}${system}${by}`,
    fix: cause.fix,
    matchedBy: 'network',
    authority,
  };
}

/**
 * The explanation for a failure: an unreachable host first, then the AADSTS number, then the
 * server's `error` as the server that answered uses it, then the body's shape, then our own code.
 * `context` (the kind of step) makes explanations specific; without it, it is inferred from the failure.
 */
export function explainFailure(
  failure: StepFailure,
  context?: StepKind,
  where: FailureContext = {},
): Explanation {
  const kind = context ?? impliedContext(failure);
  const authority = whoAnswered(failure, where);
  if (failure.unreachable !== undefined)
    return explainUnreachable(failure, failure.unreachable, kind, authority);

  const description = textOf(failure.fields?.error_description) ?? '';
  const aadsts = aadstsNumber(failure);
  const withNumber = aadsts === undefined ? {} : { aadsts };

  const byNumber = aadsts === undefined ? undefined : own(BY_AADSTS, aadsts);
  if (byNumber !== undefined)
    return { ...resolve(byNumber, kind, description), ...withNumber, matchedBy: 'aadsts', authority };

  const rawError = failure.fields?.error as unknown;
  const error = typeof rawError === 'string' && rawError !== '' ? rawError : undefined;
  const table = BY_AUTHORITY[authority];
  const byAuthority = error === undefined || table === undefined ? undefined : own(table, error);
  const byError = byAuthority ?? (error === undefined ? undefined : own(BY_ERROR, error));
  const byFormat =
    byError === undefined && failure.format !== undefined && failure.fields === undefined
      ? BY_FORMAT[failure.format]
      : undefined;
  const base =
    byError !== undefined
      ? resolve(byError, kind, description)
      : byFormat !== undefined
        ? resolve(byFormat, kind, description)
        : resolve(BY_CODE[failure.code], kind, description);
  const matchedBy = byError !== undefined ? 'error' : byFormat !== undefined ? 'format' : 'code';
  const title = nonEmpty(base.title, BY_CODE[failure.code].title || 'Request failed');

  if (aadsts !== undefined) {
    const general =
      error === undefined ? '' : ` What follows is only the general meaning of “${quoted(error)}”.`;
    return {
      ...base,
      title,
      what: `Entra’s code AADSTS${aadsts} is not in our catalogue.${general} ${base.what}`,
      fix: `${base.fix} For the specific cause, look AADSTS${aadsts} up with the links below.`,
      ...withNumber,
      matchedBy,
      authority,
    };
  }
  if (byFormat !== undefined && failure.status !== undefined) {
    const gateway =
      failure.status >= 500 && (failure.format === 'html' || failure.format === 'text')
        ? ` HTTP ${failure.status} from a gateway usually means the server behind it is down, slow or unreachable.`
        : '';
    return { ...base, title, what: `HTTP ${failure.status}: ${base.what}${gateway}`, matchedBy, authority };
  }
  // RFC 6749 §5.2 answers errors with 400 (or 401); GitHub and others send them with 200.
  const okStatus =
    failure.code === 'TOKEN_ENDPOINT_ERROR' &&
    failure.status !== undefined &&
    failure.status >= 200 &&
    failure.status < 300;
  const note = okStatus
    ? ` The server sent this error with HTTP ${failure.status}, not the 400 RFC 6749 §5.2 asks for; it is an error all the same.`
    : '';
  if (error !== undefined && byError === undefined) {
    return {
      ...base,
      title,
      what: `The server answered with error “${quoted(error)}”, which is not a standard OAuth error we know. ${base.what}${note}`,
      matchedBy,
      authority,
    };
  }
  return { ...base, title, what: `${base.what}${note}`, matchedBy, authority };
}

function webSearch(query: string): string {
  return `https://duckduckgo.com/?q=${encodeURIComponent(query)}`;
}

/**
 * Where to look up an error our catalogue does not know: Entra's own lookup plus a web search for an
 * uncatalogued AADSTS number, or a web search for an unknown OAuth `error`. Empty when we explain it.
 */
export function lookupLinks(failure: StepFailure, where: FailureContext = {}): readonly LookupLink[] {
  if (failure.unreachable !== undefined) return [];
  const aadsts = aadstsNumber(failure);
  if (aadsts !== undefined) {
    if (isCatalogued(aadsts)) return [];
    return [
      {
        label: `Look up AADSTS${aadsts} in Entra’s error lookup`,
        href: `https://login.microsoftonline.com/error?code=${aadsts}`,
      },
      { label: `Search the web for AADSTS${aadsts}`, href: webSearch(`"AADSTS${aadsts}"`) },
    ];
  }
  const rawError = failure.fields?.error as unknown;
  const error = typeof rawError === 'string' ? rawError : undefined;
  if (error === undefined || error === '' || own(BY_ERROR, error) !== undefined) return [];
  const table = BY_AUTHORITY[whoAnswered(failure, where)];
  if (table !== undefined && own(table, error) !== undefined) return [];
  return [
    {
      label: `Search the web for “${quoted(error)}”`,
      href: webSearch(`"${error.slice(0, 100)}" OAuth error`),
    },
  ];
}
