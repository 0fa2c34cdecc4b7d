/**
 * Turns a failed step into what the user needs: a title, what happened and why, and what to do
 * next. Keyed by the server's AADSTS number first, then its OAuth `error`, then our own error code.
 */
import type { StepFailure } from '../flows/runner.ts';

export interface Explanation {
  readonly title: string;
  readonly what: string;
  readonly fix: string;
  /** The AADSTS number, when the server gave one. */
  readonly aadsts?: number;
}

type Entry = Omit<Explanation, 'aadsts'>;

const BY_AADSTS: Readonly<Record<number, Entry>> = {
  50011: { title: 'Redirect URI not registered', what: 'The redirect_uri sent is not one of the URIs registered on the app.', fix: 'Register this exact URI on the app (for a browser app, on the SPA platform), or send one that is registered.' },
  50126: { title: 'Wrong user name or password', what: 'The credentials did not match the account.', fix: 'Check the user name and password (the sandbox portal lists them).' },
  54005: { title: 'Code already redeemed', what: 'Authorization codes are single-use and this one has been exchanged before.', fix: 'Start the flow again to get a fresh code.' },
  65001: { title: 'Consent missing', what: 'Neither the user nor an admin has consented to these permissions for this app.', fix: 'Sign in interactively and accept, or have an admin grant consent.' },
  65004: { title: 'Consent declined', what: 'The user pressed Cancel on the consent page, so no code was issued.', fix: 'Run the sign-in again and accept the requested permissions — or ask for fewer.' },
  70008: { title: 'Code or refresh token expired', what: 'The grant is too old or was revoked.', fix: 'Sign in again.' },
  70011: { title: 'Invalid scope', what: 'A scope in the request is malformed, unknown, or not allowed for this app.', fix: 'Fix the scope string: one resource per request, e.g. “openid User.Read” or “api://…/access_as_user”.' },
  501481: { title: 'PKCE verifier does not match', what: 'The code_verifier sent to /token does not hash to the code_challenge sent to /authorize.', fix: 'Send the same verifier that produced the challenge; start over if it was lost.' },
  700016: { title: 'Application not found', what: 'No app with this client_id exists in the tenant.', fix: 'Check the client id and the tenant (single-tenant apps need their own tenant, not /common).' },
  700025: { title: 'Public client sent a credential', what: 'The app is a public client, so it may not present a secret or assertion.', fix: 'Remove the client secret, or use a confidential app registration.' },
  7000215: { title: 'Wrong client secret', what: 'The client secret does not match any secret of the app.', fix: 'Use the secret’s value (not its id); create a new one if it is lost or expired.' },
  7000218: { title: 'Client credential missing', what: 'This app is confidential: the token request must carry client_secret or client_assertion.', fix: 'Enter the client secret, or use the SPA registration with PKCE.' },
  9002326: { title: 'Browser redemption refused', what: 'Only SPA-platform apps may redeem codes cross-origin; this app is not one.', fix: 'Send the request through the relay, or register the redirect URI on the SPA platform.' },
  9002327: { title: 'SPA code redeemed without Origin', what: 'Codes issued to an SPA redirect URI must be redeemed by a browser (with an Origin header).', fix: 'Redeem from the browser, or make the relay send the app’s Origin.' },
  50013: { title: 'Assertion rejected', what: 'The token passed as assertion failed validation: bad signature, expired, or issued for another audience than the app exchanging it.', fix: 'Pass a user access token whose aud is the middle-tier API (the app calling /token).' },
  50034: { title: 'User not found', what: 'No such user exists in this tenant.', fix: 'Check the user name (the sandbox portal lists the users).' },
  50059: { title: 'No tenant in the request', what: 'The request went to common or organizations, but this grant needs to know the tenant.', fix: 'Use the tenant id or domain in the URL instead of common/organizations.' },
  50076: { title: 'MFA required', what: 'The user must complete multi-factor authentication, which a non-interactive grant like ROPC cannot do.', fix: 'Use an interactive flow (authorization code with PKCE, or device code).' },
  500131: { title: 'Assertion not usable', what: 'The assertion is not a user token this exchange accepts (app-only tokens cannot be exchanged on behalf of a user).', fix: 'Start from a user sign-in, then exchange that user’s token.' },
  650057: { title: 'Permission not configured', what: 'The app asked for a resource or scope that is not in its API permissions.', fix: 'Add the permission to the app registration, or ask only for what it has.' },
  70005: { title: 'Response type not enabled', what: 'The app is not allowed to receive tokens straight from the authorization endpoint.', fix: 'Enable access tokens for implicit and hybrid flows on the app — or better, use the code flow with PKCE.' },
  700054: { title: 'ID tokens not enabled', what: 'response_type asks for an id_token, but the app has ID tokens for implicit and hybrid flows turned off.', fix: 'Enable ID tokens on the app, or use the code flow with PKCE.' },
  700027: { title: 'Client assertion rejected', what: 'The certificate that signed the client assertion is not registered on the app, or the assertion’s claims are wrong.', fix: 'Upload the public certificate to the app; check x5t#S256 and that aud is the token endpoint.' },
  70016: { title: 'Waiting for the user', what: 'The user has not finished signing in on the other device yet.', fix: 'Keep polling at the interval; nothing is wrong.' },
  70018: { title: 'Unknown device code', what: 'The device code was mistyped or never issued.', fix: 'Start the device code flow again.' },
  70019: { title: 'Device code expired', what: 'The user did not sign in before the device code expired.', fix: 'Request a new device code and sign in sooner.' },
  9001023: { title: 'Grant not allowed on this tenant', what: 'This grant does not work on the common or consumers endpoint.', fix: 'Use organizations or the tenant id.' },
  9002313: { title: 'Malformed request', what: 'The request (often the refresh token or assertion) is malformed.', fix: 'Check you pasted the whole token.' },
  1002012: { title: 'Scope must end in /.default', what: 'Client credentials get every application permission already granted; individual scopes cannot be asked for.', fix: 'Use {resource}/.default, e.g. https://graph.microsoft.com/.default.' },
  900144: { title: 'Parameter missing', what: 'A required parameter is missing from the request body.', fix: 'Add the parameter the message names.' },
};

const BY_ERROR: Readonly<Record<string, Entry>> = {
  access_denied: { title: 'Access denied', what: 'The user or the server refused the request (for example, consent was declined).', fix: 'Sign in again and accept, or ask for fewer permissions.' },
  invalid_grant: { title: 'Invalid grant', what: 'The code, refresh token or verifier was rejected: wrong, expired, already used, or not for this client.', fix: 'Start the flow again for a fresh code.' },
  invalid_client: { title: 'Client authentication failed', what: 'The server could not authenticate the app.', fix: 'Check client_id and the secret, or whether the app is public.' },
  invalid_request: { title: 'Malformed request', what: 'A parameter is missing, repeated, or not allowed here.', fix: 'Read the server’s description below for the parameter at fault.' },
  invalid_scope: { title: 'Invalid scope', what: 'The scope is unknown or not allowed.', fix: 'Fix the scope parameter.' },
  unauthorized_client: { title: 'Client not allowed', what: 'This app may not use this grant or response type.', fix: 'Check the app registration’s platform and settings.' },
  unsupported_response_type: { title: 'Response type not enabled', what: 'The app is not allowed this response_type.', fix: 'Use response_type=code, or enable the implicit settings on the app.' },
  interaction_required: { title: 'User interaction required', what: 'The server needs the user on its own page (MFA, consent, policy).', fix: 'Run an interactive sign-in.' },
  login_required: { title: 'Sign-in required', what: 'prompt=none was sent, but there is no session to use silently.', fix: 'Remove prompt=none and sign in.' },
  consent_required: { title: 'Consent required', what: 'prompt=none was sent, but consent is still missing.', fix: 'Sign in interactively and accept.' },
  authorization_pending: { title: 'Waiting for the user', what: 'The user has not finished on the verification page yet.', fix: 'Keep polling at the interval.' },
  slow_down: { title: 'Polling too fast', what: 'The client polled sooner than allowed; the interval grows by 5 seconds (RFC 8628 §3.5).', fix: 'Wait the new interval between polls.' },
  authorization_declined: { title: 'The user declined', what: 'The user refused the request on the verification page.', fix: 'Start again if that was a mistake.' },
  expired_token: { title: 'Device code expired', what: 'The device code outlived its expires_in before the user finished.', fix: 'Request a new device code.' },
  bad_verification_code: { title: 'Unknown device code', what: 'The server does not know this device code.', fix: 'Request a new device code.' },
  invalid_token: { title: 'Token rejected by the API', what: 'The API could not accept the access token: missing, expired, wrongly signed, or meant for another API (aud).', fix: 'Get a fresh token for this API and send it as Authorization: Bearer.' },
  insufficient_scope: { title: 'Missing permission', what: 'The token is valid, but lacks the scope or role this API call needs.', fix: 'Ask for the scope the API names (delegated) or grant the application role (app-only).' },
  server_error: { title: 'Server error', what: 'The authorization server failed.', fix: 'Try again; if it persists, check the service.' },
  temporarily_unavailable: { title: 'Server busy', what: 'The authorization server is temporarily unavailable.', fix: 'Try again in a moment.' },
};

const BY_CODE: Readonly<Record<StepFailure['code'], Entry>> = {
  AUTHORIZATION_RESPONSE_ERROR: { title: 'The authorization server returned an error', what: 'The sign-in ended with an error instead of a code.', fix: 'Read the server’s description below and start again.' },
  TOKEN_ENDPOINT_ERROR: { title: 'The token endpoint refused the request', what: 'The token endpoint answered with an error.', fix: 'Read the server’s description below.' },
  STATE_MISMATCH: { title: 'State mismatch — response rejected', what: 'The state in the callback is not the value this browser sent. That is what a forged or replayed response (CSRF, RFC 6749 §10.12) looks like, so the code was not used.', fix: 'Start the sign-in again from this tab. If you opened an old link, that explains it.' },
  NONCE_MISMATCH: { title: 'Nonce mismatch — ID token rejected', what: 'The ID token does not carry the nonce this run sent, so it may be a replayed token.', fix: 'Start the flow again.' },
  MISSING_PARAMETER: { title: 'Something is missing', what: 'A value the step needs is missing.', fix: 'Go back a step and complete it.' },
  DUPLICATE_PARAMETER: { title: 'Repeated parameter', what: 'A response parameter appears more than once, which RFC 6749 §3.1 forbids.', fix: 'Start the flow again; the URL may have been tampered with.' },
  INVALID_RESPONSE: { title: 'Unreadable response', what: 'The server’s answer is not a valid OAuth response.', fix: 'Check the endpoint URL; look at the raw response below.' },
  INVALID_JWT: { title: 'Malformed token', what: 'The token is not a well-formed JWT.', fix: 'Check you copied the whole token.' },
  INVALID_INPUT: { title: 'Input cannot be used', what: 'A field holds a value that cannot be used.', fix: 'Correct the field named in the message.' },
  NETWORK_ERROR: { title: 'Network error', what: 'The request got no answer.', fix: 'Check the address and that the server is running.' },
  CORS_ERROR: { title: 'No readable answer (network or CORS)', what: 'The browser got no answer it may read: the server is down, or it does not allow this origin (CORS). Browsers hide which.', fix: 'Check the server is running. For token requests of non-SPA clients, use the local relay.' },
  RELAY_UNAVAILABLE: { title: 'Local relay unavailable', what: 'This request must be sent by a server, and the local relay did not take it.', fix: 'Run the app with `npm start` (it starts the relay), or copy the request and send it with curl.' },
  BUG: { title: 'Unexpected error', what: 'Something failed that the app did not foresee.', fix: 'Reset this flow; if it happens again, please report it.' },
};

/** The AADSTS number in an Entra error, from `error_codes` or the description's prefix. */
export function aadstsNumber(failure: StepFailure): number | undefined {
  const codes = failure.fields?.error_codes;
  if (Array.isArray(codes) && typeof codes[0] === 'number') return codes[0];
  const match = /AADSTS(\d+)/.exec(failure.fields?.error_description ?? failure.message);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/** The explanation for a failure: AADSTS number first, then the OAuth error, then our code. */
export function explainFailure(failure: StepFailure): Explanation {
  const aadsts = aadstsNumber(failure);
  const byNumber = aadsts === undefined ? undefined : BY_AADSTS[aadsts];
  const byError = failure.fields?.error === undefined ? undefined : BY_ERROR[failure.fields.error];
  const entry = byNumber ?? byError ?? BY_CODE[failure.code];
  return { ...entry, ...(aadsts === undefined ? {} : { aadsts }) };
}
