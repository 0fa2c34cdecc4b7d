/**
 * Entra's checks on an authorization request that oidc-provider does differently or not at all, run
 * before the request reaches it: client and redirect URI (errors shown on the page, never redirected),
 * Entra's scope grammar, PKCE for SPAs, `plain` PKCE and Entra-only `prompt` values. A request that
 * passes is rewritten into the form oidc-provider expects.
 */
import { createHash, randomBytes } from 'node:crypto';
import { wildcardRedirectUriMatches } from './attack-lab-redirect-uri-wildcard.ts';
import { aadsts, buildRedirectDescription, type EntraError } from './entra-errors.ts';
import { formPostPage } from './pages.ts';
import { redirectUriProblem } from './redirect-uri-rules.ts';
import type { AppLookup } from './registrations.ts';
import { resolveScopes, toProviderScope } from './scopes.ts';
import { GRAPH_RESOURCE, SANDBOX_TENANT } from './seed.ts';

/** What to do with an authorization request. */
export type AuthorizeDecision =
  | { readonly action: 'continue'; readonly params: URLSearchParams }
  | { readonly action: 'page'; readonly error: EntraError }
  | {
      readonly action: 'redirect';
      readonly redirectUri: string;
      readonly responseMode: ResponseMode;
      readonly state: string | undefined;
      readonly error: EntraError;
    };

/** The response modes Entra supports for the authorization endpoint. */
export type ResponseMode = 'query' | 'fragment' | 'form_post';

/**
 * Authorization parameter marking a `response_type=token` request that the sandbox serves as
 * `id_token token` (its value says whether `openid` was added by the sandbox).
 */
export const TOKEN_ONLY_MARKER = 'x_sandbox_token_only';

/**
 * OpenID PAPE's multi-factor policy URI, used inside the sandbox as the `acr_values` of a sign-in that
 * must include MFA: a `claims` challenge (`access_token.polids` or `acrs`) is turned into it, since
 * oidc-provider keeps `acr_values` for the interaction and has no use for Entra's `claims` here.
 */
export const MFA_ACR = 'http://schemas.openid.net/pape/policies/2007/06/multi-factor';

/**
 * Reads a `claims` request parameter (OIDC Core §5.5) for a Conditional Access challenge: Entra's
 * `access_token.polids` or `access_token.acrs` asked as essential
 * (https://learn.microsoft.com/entra/identity-platform/claims-challenge). `undefined` when it asks for
 * none; an error message when it is not a JSON object.
 */
export function readClaimsChallenge(
  claims: string,
): { readonly stepUp: boolean } | { readonly problem: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(claims);
  } catch {
    return { problem: "the 'claims' parameter is not valid JSON" };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { problem: "the 'claims' parameter must be a JSON object" };
  }
  const accessToken = (parsed as Record<string, unknown>)['access_token'];
  if (typeof accessToken !== 'object' || accessToken === null) return { stepUp: false };
  const asks = (name: string): boolean => {
    const request = (accessToken as Record<string, unknown>)[name];
    return (
      typeof request === 'object' &&
      request !== null &&
      (request as Record<string, unknown>)['essential'] === true
    );
  };
  return { stepUp: asks('polids') || asks('acrs') };
}

/** The order oidc-provider expects the members of a response type in. */
const RESPONSE_TYPE_ORDER = ['code', 'id_token', 'token'] as const;

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Entra's redirect URI match: exact, except that the port of an `http://localhost` (loopback) URI is
 * ignored (RFC 8252 §7.3 lets native apps pick any port; Entra applies it to every platform). A
 * requested URI that could not be registered (a fragment, user information, … — redirect-uri-rules.ts)
 * never matches, so the port rule cannot let `…/callback#x` or `http://user@localhost/…` through.
 */
export function redirectUriMatches(registered: readonly string[], requested: string): boolean {
  // The loosest platform's rules (custom schemes allowed): the app's own platform rules were applied when
  // its URIs were registered and, for the request, by checkAuthorizationRequest; here only exact matches
  // of registered URIs, or the loopback port rule, let a URI through.
  if (redirectUriProblem(requested, 'publicClient') !== undefined) return false;
  let wanted: URL;
  try {
    wanted = new URL(requested);
  } catch {
    return false;
  }
  return registered.some((candidate) => {
    const allowed = new URL(candidate);
    if (allowed.href === wanted.href) return true;
    if (allowed.protocol !== 'http:' || wanted.protocol !== 'http:' || !LOOPBACK_HOSTS.has(wanted.hostname)) {
      return false;
    }
    return (
      allowed.hostname === wanted.hostname &&
      allowed.pathname === wanted.pathname &&
      allowed.search === wanted.search
    );
  });
}

const PKCE_FORMAT = /^[A-Za-z0-9\-._~]{43,128}$/;

/** RFC 7636 §4.2: S256 challenge of a verifier. */
function s256(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}

/** Attack lab switches the authorization request honours (all off outside an attack run). */
export interface AuthorizeLabSwitches {
  /** Vulnerable mode: registered redirect URIs read as wildcards over their site (attack-lab-redirect-uri-wildcard.ts). */
  readonly wildcardRedirectUris?: boolean;
}

/** Checks an authorization request the way Entra does and rewrites it for oidc-provider. */
export function checkAuthorizationRequest(
  input: URLSearchParams,
  findApp: AppLookup,
  lab: AuthorizeLabSwitches = {},
): AuthorizeDecision {
  const params = new URLSearchParams(input);
  params.delete(TOKEN_ONLY_MARKER);
  const clientId = params.get('client_id');
  if (!clientId) return { action: 'page', error: aadsts.missingParameter('client_id') };
  const app = findApp(clientId);
  if (!app) return { action: 'page', error: aadsts.unknownClient(clientId, SANDBOX_TENANT.displayName) };
  params.set('client_id', app.clientId);

  let redirectUri = params.get('redirect_uri');
  if (!redirectUri) {
    if (app.redirectUris.length === 0) return { action: 'page', error: aadsts.noReplyAddressRegistered() };
    if (app.redirectUris.length > 1) return { action: 'page', error: aadsts.noReplyAddressSent() };
    redirectUri = app.redirectUris[0] ?? '';
    params.set('redirect_uri', redirectUri);
  }
  // RFC 6749 §3.1.2: a redirect URI MUST NOT include a fragment. Entra answers AADSTS50011 on its page
  // (such a URI cannot be registered, so it matches none); the message says why.
  const problem = redirectUriProblem(redirectUri, app.platform);
  if (problem !== undefined) {
    return { action: 'page', error: aadsts.redirectUriInvalid(redirectUri, app.clientId, problem) };
  }
  // RFC 9700 §2.1: exact string matching — except in the attack lab's vulnerable mode, where a wildcard
  // reading of the registered URIs lets an attacker's address on the same site receive the code.
  const matches = lab.wildcardRedirectUris
    ? wildcardRedirectUriMatches(app.redirectUris, redirectUri)
    : redirectUriMatches(app.redirectUris, redirectUri);
  if (!matches) {
    return { action: 'page', error: aadsts.redirectUriMismatch(redirectUri, app.clientId) };
  }

  // From here on the redirect URI is trusted: errors go back to the app (RFC 6749 §4.1.2.1).
  const requestedMode = params.get('response_mode');
  const responseType = params.get('response_type');
  const types = new Set((responseType ?? '').split(' ').filter(Boolean));
  const wantsToken = types.has('token');
  const wantsIdToken = types.has('id_token');
  // OAuth 2.0 Multiple Response Type Encoding Practices §5: fragment is the default once a token is in
  // the response, and Entra refuses `query` then (tokens must not land in a query string).
  const implicit = wantsToken || wantsIdToken;
  const responseMode: ResponseMode =
    requestedMode === 'fragment' || requestedMode === 'form_post'
      ? requestedMode
      : implicit
        ? 'fragment'
        : 'query';
  const state = params.get('state') ?? undefined;
  const fail = (error: EntraError): AuthorizeDecision => ({
    action: 'redirect',
    redirectUri,
    responseMode,
    state,
    error,
  });

  if (requestedMode !== null && requestedMode !== responseMode && requestedMode !== 'query') {
    return fail(aadsts.invalidResponseMode(requestedMode));
  }
  if (!responseType) return fail(aadsts.missingParameter('response_type'));
  const canonical = RESPONSE_TYPE_ORDER.filter((t) => types.has(t)).join(' ');
  if (types.size === 0 || [...types].some((t) => !(RESPONSE_TYPE_ORDER as readonly string[]).includes(t))) {
    return fail(aadsts.unsupportedResponseType(responseType));
  }
  if (implicit && requestedMode === 'query') return fail(aadsts.queryWithToken(responseType));
  // The app registration's "Implicit grant and hybrid flows" check boxes.
  if (wantsIdToken && !app.implicitIdTokens) return fail(aadsts.implicitIdTokenDisabled(app.clientId));
  if (wantsToken && !app.implicitAccessTokens) return fail(aadsts.implicitAccessTokenDisabled(app.clientId));
  params.set('response_type', canonical);
  if (params.has('resource')) return fail(aadsts.resourceParameter());

  const scope = params.get('scope');
  if (!scope?.trim()) return fail(aadsts.missingParameter('scope'));
  // An interactive sign-in may ask for permissions beyond the registered list: the consent page asks.
  const resolved = resolveScopes(app, scope, { dynamic: true });
  if (!resolved.ok) return fail(resolved.error);
  const openid = resolved.scopes.oidc.includes('openid');
  // OIDC Core §3.2.2.1 / §3.3.2.11: an ID token from the authorization endpoint needs `openid` and a nonce.
  if (wantsIdToken && !openid) return fail(aadsts.openidRequired(canonical));
  if (wantsIdToken && !params.get('nonce')) return fail(aadsts.nonceRequired());
  const resources = [...resolved.scopes.resources.keys()];
  // An access token from the authorization endpoint is for one resource (Entra; RFC 8707 §2.1).
  if (wantsToken && resources.length > 1) return fail(aadsts.multipleResources(scope));
  let providerScope = toProviderScope(resolved.scopes);
  if (canonical === 'token') {
    // oidc-provider has no `token`-only response type: ask for `id_token token` and drop the ID token
    // from the response (entra-shape.ts), remembering whether `openid` was the app's or ours.
    params.set('response_type', 'id_token token');
    params.set(TOKEN_ONLY_MARKER, openid ? 'openid-asked' : 'openid-added');
    if (!openid) providerScope = `openid ${providerScope}`;
    if (!params.get('nonce')) params.set('nonce', randomBytes(16).toString('base64url'));
  }
  params.set('scope', providerScope);
  // Entra ignores a nonce without `openid` (no id token to carry it); oidc-provider would reject it.
  if (!openid && canonical !== 'token') params.delete('nonce');
  // A sign-in-only request still yields an access token, for Microsoft Graph (as Entra does).
  for (const resource of resources.length ? resources : [GRAPH_RESOURCE.identifier]) {
    params.append('resource', resource);
  }

  const challenge = params.get('code_challenge');
  const method = params.get('code_challenge_method');
  if (!challenge) {
    if (method) return fail(aadsts.missingParameter('code_challenge'));
    // Entra: codes sent to an SPA redirect URI are redeemed cross-origin, which requires PKCE.
    if (app.platform === 'spa' && types.has('code')) return fail(aadsts.pkceRequired());
  } else {
    if (!PKCE_FORMAT.test(challenge))
      return fail(aadsts.pkceInvalid('43 to 128 characters of [A-Za-z0-9-._~]'));
    // RFC 7636 §4.3: without a method the challenge is "plain". oidc-provider deprecates plain, so the
    // sandbox stores S256(challenge): S256(verifier) equals it exactly when verifier === challenge.
    if (method === null || method === 'plain') {
      params.set('code_challenge', s256(challenge));
      params.set('code_challenge_method', 'S256');
    } else if (method !== 'S256') {
      return fail(aadsts.pkceInvalid(`unsupported code_challenge_method '${method}'`));
    }
  }

  const claims = params.get('claims');
  params.delete('claims');
  if (claims !== null) {
    const challenge = readClaimsChallenge(claims);
    if ('problem' in challenge) return fail(aadsts.generic('invalid_request', challenge.problem));
    if (challenge.stepUp) {
      // oidc-provider takes acr_values only with `openid` (OIDC Core §3.1.2.1), and the sandbox has no
      // other way to carry the demand to its sign-in page; MSAL always asks for openid.
      if (!openid) {
        return fail(
          aadsts.generic(
            'invalid_request',
            "the sandbox answers a claims challenge only in a sign-in that asks for 'openid' (MSAL always does): add openid to the scope",
          ),
        );
      }
      // A Conditional Access claims challenge: sign in again (a session without MFA does not satisfy it)
      // and do MFA (https://learn.microsoft.com/entra/identity-platform/v2-oauth2-on-behalf-of-flow).
      params.set('prompt', 'login');
      params.set('acr_values', MFA_ACR);
    }
  }

  const prompt = params.get('prompt');
  if (prompt === 'select_account' || prompt === 'create') {
    // oidc-provider has no account picker or sign-up: both become a fresh sign-in.
    params.set('prompt', 'login');
  }
  return { action: 'continue', params };
}

/** The authorization error response (RFC 6749 §4.1.2.1) in the requested response mode. */
export function buildAuthorizationErrorResponse(
  decision: Extract<AuthorizeDecision, { action: 'redirect' }>,
): { readonly location: string } | { readonly html: string } {
  const fields = new URLSearchParams({
    error: decision.error.error,
    error_description: buildRedirectDescription(decision.error),
  });
  if (decision.state !== undefined) fields.set('state', decision.state);
  if (decision.responseMode === 'form_post') return { html: formPostPage(decision.redirectUri, fields) };
  const url = new URL(decision.redirectUri);
  if (decision.responseMode === 'fragment') {
    url.hash = fields.toString();
  } else {
    for (const [k, v] of fields) url.searchParams.set(k, v);
  }
  return { location: url.href };
}
