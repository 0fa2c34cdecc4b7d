/**
 * The catalogue of every grant the app walks through. The home page, the navigation, the routes and
 * the e2e specs are all derived from this list; a grant that is not here has no route. Each flow's
 * steps, diagram and logic live in its own file and load with its page, not with the landing page.
 */
import type { FlowCatalogueEntry } from './types.ts';

export const FLOWS = [
  {
    id: 'authorization-code',
    title: 'Authorization code (+ PKCE)',
    whenToUse:
      'A user signs in through the browser and your app gets tokens for them — the default choice for any app with a user.',
  },
  {
    id: 'client-credentials',
    title: 'Client credentials',
    whenToUse:
      'A daemon, job or back-end service calls an API as itself, with no user — using a client secret or, better, a certificate.',
  },
  {
    id: 'call-api',
    title: 'Call an API with a token',
    whenToUse:
      'You have an access token and want to see what the API does with it — and why it says 401 or 403.',
  },
  {
    id: 'device-code',
    title: 'Device code',
    whenToUse:
      'A CLI, TV or device without a usable browser signs a user in: the user finishes on their phone or laptop while the device waits.',
  },
  {
    id: 'password',
    title: 'Resource owner password (ROPC)',
    whenToUse:
      'Only to recognise it in old code and see why it fails: the app sends the user’s password itself.',
    legacy:
      'The app sees and handles the user’s password; there is no MFA, no consent page, and no federated or passwordless accounts, and users learn to type passwords into apps, which defeats phishing-resistant sign-in. RFC 9700 §2.4 says it MUST NOT be used. Use authorization code + PKCE, or device code for devices without a browser.',
  },
  {
    id: 'implicit',
    title: 'Implicit and hybrid',
    whenToUse:
      'Only to understand an older single-page app that gets tokens straight from the sign-in redirect, in the URL fragment.',
    legacy:
      'Tokens arrive in the URL fragment, where referrers, logs and extensions can see them, and the browser writes that address into its history database before any script of the page runs, so no client can keep them out of it; they cannot be bound to the client, no refresh token comes back, and silent renewal relies on third-party cookies that browsers now block. RFC 9700 §2.1.2 says clients should not use it. Use authorization code + PKCE instead.',
  },
  {
    id: 'refresh-token',
    title: 'Refresh token',
    whenToUse:
      'Your access token is about to expire and the user should not sign in again: trade the refresh token for a new pair.',
  },
  {
    id: 'on-behalf-of',
    title: 'On-behalf-of',
    whenToUse:
      'Your API received a user’s token and must call another API (such as Graph) as that same user.',
  },
  {
    id: 'dpop',
    title: 'Sender-constrained tokens (DPoP)',
    whenToUse:
      'A stolen access token should be useless: the client proves, on every request, that it holds the private key the token is bound to.',
  },
  {
    id: 'token-exchange',
    title: 'Token exchange (RFC 8693)',
    whenToUse:
      'A service holds a token and needs another one — for a different audience, narrower, or acting for someone — from the same authorization server.',
  },
  {
    id: 'token-management',
    title: 'Userinfo, introspection, revocation, logout',
    whenToUse:
      'You hold tokens from a run and want to ask the server about them: who the user is, whether a token is still active, how to revoke it, how to sign out.',
  },
  {
    id: 'dynamic-registration',
    title: 'Dynamic client registration',
    whenToUse:
      'A client registers itself with the authorization server over HTTP (RFC 7591) instead of through an admin portal, then uses what it got.',
  },
] as const satisfies readonly FlowCatalogueEntry[];

/** The id of a registered flow, which is also its URL path segment. */
export type FlowId = (typeof FLOWS)[number]['id'];

/** The URL path of a flow's route. */
export function flowPath(id: FlowId): string {
  return `/flows/${id}`;
}

/** The catalogue entry of a registered flow. */
export function catalogueEntry<Id extends FlowId>(id: Id): Extract<(typeof FLOWS)[number], { id: Id }> {
  const entry = FLOWS.find((flow) => flow.id === id);
  if (entry === undefined) throw new Error(`Flow ${id} is not registered`);
  return entry as Extract<(typeof FLOWS)[number], { id: Id }>;
}

/** Finds a registered flow by an id read from outside (a URL, storage). */
export function findFlow(id: string): FlowCatalogueEntry | undefined {
  return FLOWS.find((flow) => flow.id === id);
}
