/**
 * Entra's v2.0 sign-out endpoint, `/{tenant}/oauth2/v2.0/logout` (the discovery document's
 * `end_session_endpoint`): it ends the sandbox sign-in session, then sends the browser to
 * `post_logout_redirect_uri` only when that URI is registered for the app, otherwise shows a signed-out page.
 *
 * Entra: "post_logout_redirect_uri — Recommended. The URL that the user is redirected to after
 * successfully signing out. If the parameter isn't included, the user is shown a generic message … This URL
 * must match one of the redirect URIs registered for your application in the app registration portal."
 * (https://learn.microsoft.com/entra/identity-platform/v2-protocols-oidc#send-a-sign-out-request).
 * Entra does not answer a mismatch with an error: the user is signed out and stays on its signed-out page.
 * OpenID Connect RP-Initiated Logout 1.0 §2: GET and POST; §3: `state` goes back with the redirect.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { decodeJwt } from 'jose';
import type Provider from 'oidc-provider';
import { redirectUriMatches } from './authorize-gate.ts';
import { readBody, sendHtml, sendRedirect } from './http-utils.ts';
import { escapeHtml, layout } from './pages.ts';
import type { AppLookup } from './registrations.ts';
import type { SandboxTokenVerifier } from './token-verifier.ts';

/** What the sign-out endpoint needs from the sandbox. */
export interface LogoutDeps {
  readonly provider: Provider;
  readonly findApp: AppLookup;
  readonly verifyToken: SandboxTokenVerifier;
}

/** Why a requested post-logout redirect was not followed (shown on the signed-out page). */
export type LogoutRedirectRefusal = 'no-app' | 'unknown-app' | 'not-registered';

/** The outcome of a sign-out request, before it is rendered. */
export type LogoutOutcome =
  | { readonly action: 'redirect'; readonly location: string }
  | {
      readonly action: 'page';
      readonly endedSession: boolean;
      readonly refused?: { readonly uri: string; readonly reason: LogoutRedirectRefusal };
    };

interface SessionLike {
  accountId?: string;
  authorizations?: Record<string, unknown>;
  destroy(): Promise<void>;
}

/**
 * The client a sign-out names: `client_id`, else the `aud` of an `id_token_hint` the sandbox signed
 * (an expired one still names its client: RP-Initiated Logout 1.0 §2 lets the OP accept it), else the
 * one app the ended session signed in to.
 */
async function clientOf(
  params: URLSearchParams,
  session: SessionLike | undefined,
  verifyToken: SandboxTokenVerifier,
): Promise<string | undefined> {
  const clientId = params.get('client_id');
  if (clientId) return clientId;
  const hint = params.get('id_token_hint');
  if (hint) {
    const verified = await verifyToken(hint);
    // jose checks the signature before the claims, so 'expired' means the signature was good.
    const payload = verified.ok
      ? verified.payload
      : verified.reason === 'expired'
        ? decodeOrNothing(hint)
        : undefined;
    const aud = payload?.aud;
    const first = Array.isArray(aud) ? aud[0] : aud;
    if (typeof first === 'string') return first;
  }
  const signedInTo = Object.keys(session?.authorizations ?? {});
  return signedInTo.length === 1 ? signedInTo[0] : undefined;
}

function decodeOrNothing(token: string): ReturnType<typeof decodeJwt> | undefined {
  try {
    return decodeJwt(token);
  } catch {
    return undefined;
  }
}

/** Decides a sign-out request (the session is ended by the caller's `endSession` first). */
export async function decideLogout(
  params: URLSearchParams,
  session: SessionLike | undefined,
  deps: Pick<LogoutDeps, 'findApp' | 'verifyToken'>,
): Promise<LogoutOutcome> {
  const endedSession = session?.accountId !== undefined;
  const uri = params.get('post_logout_redirect_uri');
  if (!uri) return { action: 'page', endedSession };
  const clientId = await clientOf(params, session, deps.verifyToken);
  if (!clientId) return { action: 'page', endedSession, refused: { uri, reason: 'no-app' } };
  const app = deps.findApp(clientId);
  if (!app) return { action: 'page', endedSession, refused: { uri, reason: 'unknown-app' } };
  if (!redirectUriMatches(app.redirectUris, uri)) {
    return { action: 'page', endedSession, refused: { uri, reason: 'not-registered' } };
  }
  const location = new URL(uri);
  const state = params.get('state');
  if (state !== null) location.searchParams.set('state', state);
  return { action: 'redirect', location: location.href };
}

const REFUSAL_TEXT: Readonly<Record<LogoutRedirectRefusal, string>> = {
  'no-app':
    'The request asked to return to an address, but did not say which app it came from (no client_id, no id_token_hint, and no single app in the session), so the sandbox cannot check that the address is registered.',
  'unknown-app': 'The request named an app that is not registered in this tenant.',
  'not-registered':
    'That address is not one of the app’s registered redirect URIs. Entra returns only to a registered one; add it on the app’s Authentication page to be sent back there.',
};

/** The signed-out page: what happened, and why the browser was not sent back when it was not. */
export function signedOutPage(outcome: Extract<LogoutOutcome, { action: 'page' }>): string {
  const refused = outcome.refused
    ? `<div class="error" role="alert"><p>Not returning to <code>${escapeHtml(outcome.refused.uri)}</code>.</p><p>${escapeHtml(
        REFUSAL_TEXT[outcome.refused.reason],
      )}</p></div>`
    : '';
  return layout(
    'Signed out',
    `<h1>You signed out of your account</h1>
<p>${outcome.endedSession ? 'The sandbox sign-in session in this browser has ended: the next sign-in asks for a password again.' : 'There was no sandbox sign-in session in this browser to end.'} Apps you used may still hold tokens until they expire; signing out here does not revoke them.</p>
${refused}`,
  );
}

/** Handles `GET` or `POST /{tenant}/oauth2/v2.0/logout`. */
export async function handleLogout(
  deps: LogoutDeps,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  let params: URLSearchParams;
  if (req.method === 'POST') {
    params = new URLSearchParams((await readBody(req)).toString('utf8'));
  } else {
    params = new URL(req.url ?? '/', 'http://sandbox.invalid').searchParams;
  }
  const session = (await deps.provider.Session.get({ req, res } as never)) as unknown as SessionLike;
  const signedIn = session.accountId !== undefined ? session : undefined;
  const outcome = await decideLogout(params, signedIn, deps);
  // The session ends whatever happens to the redirect (Entra signs the user out either way).
  await session.destroy();
  if (outcome.action === 'redirect') sendRedirect(res, outcome.location);
  else sendHtml(res, 200, signedOutPage(outcome));
}
