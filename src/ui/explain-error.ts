/**
 * Turns a failed step into what the user needs: a title, what happened and why, and what to do
 * next. Keyed by the server's AADSTS number first, then its OAuth `error`, then our own error code.
 * Every sentence here is ours: short, plain, and about the step the user is on.
 */
import type { StepFailure } from '../flows/runner.ts';

/** The kind of step that failed; some fixes differ by step (an `invalid_request` at /authorize is not one at an API). */
export type StepKind = 'authorize' | 'token' | 'device-poll' | 'api' | 'network';

export interface Explanation {
  readonly title: string;
  readonly what: string;
  readonly fix: string;
  /** The AADSTS number, when the server gave one. */
  readonly aadsts?: number;
  /** Which table answered: a specific AADSTS entry, the OAuth `error`, or only our own error code. */
  readonly matchedBy: 'aadsts' | 'error' | 'code';
}

/** A link to look an error up elsewhere, for errors our catalogue does not know. */
export interface LookupLink {
  readonly label: string;
  readonly href: string;
}

interface Entry {
  readonly title: string;
  readonly what: string;
  readonly fix: string;
  /** A more specific explanation for a given kind of step. */
  readonly whatFor?: Partial<Record<StepKind, string>>;
  /** A more specific fix for a given kind of step. */
  readonly fixFor?: Partial<Record<StepKind, string>>;
}

const REDIRECT_URI_PLATFORM =
  'Register it on the SPA platform for this lab (browser apps need SPA, not Web).';
const FORM_BODY =
  'Send it in an application/x-www-form-urlencoded body; parameters in the query string or a JSON body are not read.';

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
        'Sign the user in interactively (code with PKCE or device code). In an on-behalf-of exchange, pass the claims value back to the client so it can sign in again.',
    },
  },
  50079: {
    title: 'User must set up MFA',
    what: 'The account has to register a second factor before it can get tokens, and only an interactive sign-in can walk the user through that.',
    fix: 'Sign in interactively once and complete the setup, then try again.',
  },
  65001: {
    title: 'Consent missing',
    what: 'Neither the user nor an admin has agreed to let this app use these permissions.',
    fix: 'Run an interactive sign-in so the user can accept, or have an admin grant consent for the tenant.',
    fixFor: {
      token:
        'A token request cannot ask for consent. Sign in interactively once with the same scopes (or get admin consent), then repeat.',
    },
  },
  65004: {
    title: 'Consent declined',
    what: 'The user pressed Cancel on the consent page, so the app got no code and no tokens.',
    fix: 'Start the sign-in again (or request a new device code) and accept — or ask for fewer permissions.',
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
    fixFor: {
      'device-poll':
        'Device code needs a public client: turn on “Allow public client flows” on the app, or send the client secret.',
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
  70000: {
    title: 'Code not valid',
    what: 'The authorization code was rejected: expired (codes live about 10 minutes), already used, altered, or issued to another app or redirect URI.',
    fix: 'Start the flow again and redeem the new code promptly, exactly as received.',
  },
  54005: {
    title: 'Code already redeemed',
    what: 'Authorization codes work once, and this one has been exchanged before — a double submit or a page reload can do that.',
    fix: 'Start the flow again for a fresh code.',
  },
  70008: {
    title: 'Code or refresh token expired',
    what: 'The code or refresh token is too old or was revoked — or, where refresh tokens rotate, it was already used once.',
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
  50196: {
    title: 'Request loop detected',
    what: 'The same request arrived too often in a short time, so Entra stopped answering it for a while.',
    fix: 'Reuse tokens you already have, poll no faster than the interval, and wait a minute before retrying.',
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
  invalid_client: {
    title: 'Client authentication failed',
    what: 'The server could not authenticate the app: unknown client, wrong or missing credential, or an unsupported way of sending it.',
    fix: 'Check client_id and the secret or assertion — or whether the app is public and should send none.',
  },
  invalid_grant: {
    title: 'Grant rejected',
    what: 'The code, refresh token, device code or assertion was rejected: wrong, expired, already used, or issued to another client or redirect URI.',
    fix: 'Start the flow again for a fresh grant.',
    fixFor: {
      token:
        'Start the flow again for a fresh code, and redeem it once with the same redirect_uri and code_verifier.',
    },
  },
  unauthorized_client: {
    title: 'Client not allowed',
    what: 'This app may not use this grant or response type.',
    fix: 'Check the app registration’s platform and settings.',
    whatFor: {
      authorize: 'This app may not ask for this response type (RFC 6749 §4.1.2.1).',
      token: 'This app may not use this grant type (RFC 6749 §5.2).',
    },
    fixFor: {
      authorize: 'Use response_type=code, or enable the response type on the app registration.',
      token:
        'Enable the grant for the app (e.g. public client flows for device code), or use a grant it allows.',
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
    what: 'The user or the server refused the request — for example, consent was declined.',
    fix: 'Sign in again and accept, or ask for fewer permissions.',
    whatFor: {
      'device-poll': 'The user refused the request on the verification page (RFC 8628 §3.5).',
    },
    fixFor: { 'device-poll': 'Stop polling. Start again with a new device code if that was a mistake.' },
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
    what: 'The client polled sooner than allowed. Still a pending state, but the interval must grow by 5 seconds (RFC 8628 §3.5).',
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
  RELAY_UNAVAILABLE: {
    title: 'Local relay unavailable',
    what: 'This request must be sent by a server, and the local relay did not take it.',
    fix: 'Run the app with `npm start` (it starts the relay), or copy the request and send it with curl.',
  },
  BUG: {
    title: 'Unexpected error',
    what: 'Something failed that the app did not foresee.',
    fix: 'Reset this flow; if it happens again, please report it.',
  },
};

/** An own entry of a table, so a server `error` such as "constructor" never reaches the prototype. */
function own<K extends PropertyKey>(table: Readonly<Record<K, Entry>>, key: K): Entry | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

/** The AADSTS number in an Entra error, from `error_codes` or the description's prefix. */
export function aadstsNumber(failure: StepFailure): number | undefined {
  const codes = failure.fields?.error_codes;
  if (Array.isArray(codes) && Number.isSafeInteger(codes[0])) {
    // Entra sometimes lists a generic code before the specific one ([70002, 54005]): prefer the specific.
    const specific = codes.find(
      (code) => Number.isSafeInteger(code) && !GENERIC_AADSTS.has(code) && isCatalogued(code),
    );
    return specific ?? codes[0];
  }
  const match = /AADSTS(\d{1,12})/.exec(failure.fields?.error_description ?? failure.message);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/** Codes Entra puts in front of a more specific one. */
const GENERIC_AADSTS = new Set([70002]);

/** Whether our catalogue has an entry for this AADSTS number. */
export function isCatalogued(aadsts: number): boolean {
  return own(BY_AADSTS, aadsts) !== undefined;
}

/** The step kind implied by the failure itself, when the caller did not say. */
function impliedContext(failure: StepFailure): StepKind | undefined {
  if (failure.code === 'AUTHORIZATION_RESPONSE_ERROR') return 'authorize';
  if (failure.code === 'TOKEN_ENDPOINT_ERROR') return 'token';
  return undefined;
}

function resolve(entry: Entry, context: StepKind | undefined): { title: string; what: string; fix: string } {
  return {
    title: entry.title,
    what: (context === undefined ? undefined : entry.whatFor?.[context]) ?? entry.what,
    fix: (context === undefined ? undefined : entry.fixFor?.[context]) ?? entry.fix,
  };
}

/** A server-sent `error` as we may quote it: short, whatever the server sent. */
function quoted(error: string): string {
  return error.length > 60 ? `${error.slice(0, 60)}…` : error;
}

/**
 * The explanation for a failure: AADSTS number first, then the OAuth error, then our code.
 * `context` (the kind of step) makes some fixes specific; without it, it is inferred from the failure.
 */
export function explainFailure(failure: StepFailure, context?: StepKind): Explanation {
  const kind = context ?? impliedContext(failure);
  const aadsts = aadstsNumber(failure);
  const withNumber = aadsts === undefined ? {} : { aadsts };

  const byNumber = aadsts === undefined ? undefined : own(BY_AADSTS, aadsts);
  if (byNumber !== undefined) return { ...resolve(byNumber, kind), ...withNumber, matchedBy: 'aadsts' };

  const error = failure.fields?.error;
  const byError = error === undefined ? undefined : own(BY_ERROR, error);
  const base = byError === undefined ? resolve(BY_CODE[failure.code], kind) : resolve(byError, kind);
  const matchedBy = byError === undefined ? 'code' : 'error';

  if (aadsts !== undefined) {
    const general =
      error === undefined ? '' : ` What follows is only the general meaning of “${quoted(error)}”.`;
    return {
      ...base,
      what: `Entra’s code AADSTS${aadsts} is not in our catalogue.${general} ${base.what}`,
      fix: `${base.fix} For the specific cause, look AADSTS${aadsts} up with the links below.`,
      ...withNumber,
      matchedBy,
    };
  }
  if (error !== undefined && byError === undefined) {
    return {
      ...base,
      what: `The server answered with error “${quoted(error)}”, which is not a standard OAuth error we know. ${base.what}`,
      matchedBy,
    };
  }
  return { ...base, matchedBy };
}

function webSearch(query: string): string {
  return `https://duckduckgo.com/?q=${encodeURIComponent(query)}`;
}

/**
 * Where to look up an error our catalogue does not know: Entra's own lookup plus a web search for an
 * uncatalogued AADSTS number, or a web search for an unknown OAuth `error`. Empty when we explain it.
 */
export function lookupLinks(failure: StepFailure): readonly LookupLink[] {
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
  const error = failure.fields?.error;
  if (error === undefined || error === '' || own(BY_ERROR, error) !== undefined) return [];
  return [
    {
      label: `Search the web for “${quoted(error)}”`,
      href: webSearch(`"${error.slice(0, 100)}" OAuth error`),
    },
  ];
}
