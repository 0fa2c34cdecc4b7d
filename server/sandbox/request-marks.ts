/**
 * Facts the gates establish about a request that oidc-provider's hooks need later (keyed by the request
 * object handed to oidc-provider, so a client cannot forge them with a header or parameter).
 */

/** How the client authenticated: Entra's `azpacr` 0 (public), 1 (secret) or 2 (certificate). */
export type ClientCredentialKind = 'none' | 'secret' | 'certificate';

const credentials = new WeakMap<object, ClientCredentialKind>();

/** Records how the client of `req` authenticated. */
export function markClientCredential(req: object, kind: ClientCredentialKind): void {
  credentials.set(req, kind);
}

/** How the client of `req` authenticated, when a gate recorded it. */
export function clientCredentialOf(req: object): ClientCredentialKind | undefined {
  return credentials.get(req);
}
