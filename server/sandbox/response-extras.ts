/**
 * Fields Entra adds to its responses beyond OAuth 2.0 and OIDC Core: `session_state` on the authorization
 * response and `client_info` on the token response, and its ID tokens' lack of `s_hash`.
 */
import { createHash } from 'node:crypto';
import type Provider from 'oidc-provider';
import { revealGraphNonce } from './graph-token.ts';
import { SANDBOX_TENANT } from './seed.ts';

/**
 * Entra's `session_state`: "a unique value that identifies the current user session. This value is a GUID,
 * but should be treated as an opaque value without examination." The same for every response of one
 * sign-in session (derived from oidc-provider's session id, which it does not reveal).
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow#successful-response
 * @see https://openid.net/specs/openid-connect-session-1_0.html#CreatingUpdatingSessions
 */
export function sessionStateFor(sessionUid: string): string {
  const hex = createHash('sha256').update(`${SANDBOX_TENANT.id}|session_state|${sessionUid}`).digest('hex');
  const variant = ((parseInt(hex.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * Entra's `client_info`, returned when the token request carries `client_info=1` (MSAL sends it): base64url
 * of the JSON `{"uid": <user object id>, "utid": <tenant id>}`, the account's home identifiers.
 * @see https://github.com/AzureAD/microsoft-authentication-library-for-js/blob/dev/lib/msal-common/src/account/ClientInfo.ts
 */
export function buildClientInfo(oid: string): string {
  return Buffer.from(JSON.stringify({ uid: oid, utid: SANDBOX_TENANT.id }), 'utf8').toString('base64url');
}

/** Whether a token request asked for `client_info` (`client_info=1`, as MSAL sends it). */
export function wantsClientInfo(body: unknown): boolean {
  if (typeof body !== 'object' || body === null) return false;
  return (body as Record<string, unknown>)['client_info'] === '1';
}

/**
 * Entra's ID tokens have no `s_hash` (OIDC Financial-grade's state hash; oidc-provider adds it whenever
 * `state` comes with an ID token at the authorization endpoint), and their `at_hash` is over the access
 * token exactly as handed out — for a Graph token, with its raw header nonce (graph-token.ts).
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/id-token-claims-reference#payload-claims
 */
export function applyEntraIdTokenRules(provider: Provider): void {
  const prototype = provider.IdToken.prototype as unknown as {
    set: (this: unknown, key: string, value: unknown) => void;
  };
  const set = prototype.set;
  prototype.set = function setLikeEntra(this: unknown, key: string, value: unknown): void {
    if (key === 's_hash') return;
    set.call(this, key, key === 'at_hash' && typeof value === 'string' ? revealGraphNonce(value) : value);
  };
}
