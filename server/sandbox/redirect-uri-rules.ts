/**
 * Which redirect URIs the sandbox accepts, at registration (portal, JSON API, seed) and at the
 * authorization endpoint: only ones Entra's app registration would accept too, per platform.
 *
 * Entra's rules, from "Redirect URI (reply URL) outline and restrictions"
 * (https://learn.microsoft.com/entra/identity-platform/reply-url), for every platform:
 * - at most 256 characters;
 * - no special characters `! $ ' ( ) , ;`;
 * - no wildcards (`*`) — the sandbox refuses them everywhere, stricter than Entra's legacy exceptions;
 * - `http` only for localhost (`http://localhost`, `http://127.0.0.1`); the IPv6 loopback `[::1]` is not
 *   supported.
 * Per platform, from "How to add a redirect URI" / platform configuration
 * (https://learn.microsoft.com/entra/identity-platform/how-to-add-redirect-uri):
 * - Web and single-page application: `https`, or `http` for localhost; nothing else;
 * - Mobile and desktop applications (`publicClient`): also custom schemes — `msal{clientId}://auth`,
 *   `msauth.{bundle id}://auth`, `myapp://auth` — as RFC 8252 §7.1 private-use URI schemes (the scheme
 *   grammar of RFC 3986 §3.1). Schemes that run or read content in the browser (`javascript:`, `data:`,
 *   `file:`, …) are refused: no app can receive a redirect there.
 * Plus RFC 6749 §3.1.2: "The endpoint URI MUST NOT include a fragment component", and RFC 3986 §3.2.1
 * user information, which no browser redirect should carry (Entra's portal refuses it as invalid).
 */
import type { Platform } from './seed.ts';

/** Entra's limit on a redirect URI's length. */
export const MAX_REDIRECT_URI_LENGTH = 256;

/** The loopback hosts Entra accepts with `http` (not `[::1]`, which Entra does not support). */
export const LOOPBACK_REDIRECT_HOSTS: ReadonlySet<string> = new Set(['localhost', '127.0.0.1']);

const SPECIAL_CHARACTERS = /[!$'(),;]/;
// Whitespace and controls (C0, DEL, C1, Unicode line and paragraph separators) never belong in a URI.
// eslint-disable-next-line no-control-regex
const WHITESPACE_OR_CONTROL = /[\s\u0000-\u001f\u007f-\u009f]/;

/** RFC 3986 §3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ). */
const SCHEME = /^([a-z][a-z0-9+.-]*):/i;

/** Schemes a browser handles itself (content, scripts, local files): never a place an app listens. */
const BROWSER_SCHEMES: ReadonlySet<string> = new Set([
  'javascript',
  'data',
  'vbscript',
  'file',
  'about',
  'blob',
  'filesystem',
  'view-source',
  'ws',
  'wss',
  'ftp',
]);

/** Whether a platform accepts RFC 8252 §7.1 custom-scheme redirect URIs (Entra: mobile and desktop only). */
export function acceptsCustomSchemes(platform: Platform): boolean {
  return platform === 'publicClient';
}

/**
 * Entra's (and RFC 6749 §3.1.2's) rules for a redirect URI on `platform` (default `web`; `spa` has the same
 * rules, `publicClient` adds custom schemes). Returns what is wrong, in words a person can act on, or
 * undefined when the URI is acceptable. The string is checked as given (callers trim).
 */
export function redirectUriProblem(uri: string, platform: Platform = 'web'): string | undefined {
  if (uri.length === 0) return 'A redirect URI is required.';
  if (uri.length > MAX_REDIRECT_URI_LENGTH)
    return `A redirect URI may have at most ${MAX_REDIRECT_URI_LENGTH} characters (this one has ${uri.length}).`;
  // RFC 6749 §3.1.2: "The endpoint URI MUST NOT include a fragment component." The authorization
  // server puts its response in the fragment for implicit flows, so a registered one would be lost.
  if (uri.includes('#'))
    return 'A redirect URI must not contain a fragment (#…) (RFC 6749 §3.1.2): remove it, and route inside the app with state or the path.';
  if (WHITESPACE_OR_CONTROL.test(uri))
    return 'A redirect URI must not contain spaces or control characters; percent-encode them.';
  if (uri.includes('*')) return 'A redirect URI must not contain a wildcard (*); register each URI exactly.';
  if (SPECIAL_CHARACTERS.test(uri))
    return "A redirect URI must not contain the characters ! $ ' ( ) , ; (Entra does not support them).";
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return `'${uri}' is not an absolute URI (it needs a scheme and a host, e.g. https://app.example.com/callback).`;
  }
  if (url.username !== '' || url.password !== '' || /^[a-z][a-z0-9+.-]*:\/\/[^/?]*@/i.test(uri))
    return 'A redirect URI must not contain a user name or password (user@host).';
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:') {
    if (url.hostname === '[::1]')
      return 'Entra does not support the IPv6 loopback address [::1] in redirect URIs; use http://localhost or http://127.0.0.1.';
    return LOOPBACK_REDIRECT_HOSTS.has(url.hostname)
      ? undefined
      : 'A redirect URI must use https; http is allowed only for localhost (http://localhost or http://127.0.0.1).';
  }
  const scheme = (SCHEME.exec(uri)?.[1] ?? '').toLowerCase();
  if (!acceptsCustomSchemes(platform)) {
    return `A redirect URI on the ${platform === 'spa' ? 'single-page application' : 'Web'} platform must use https (or http for localhost), not '${scheme}'. Custom schemes such as myapp://auth belong to the "Mobile and desktop applications" platform.`;
  }
  if (BROWSER_SCHEMES.has(scheme))
    return `'${scheme}:' cannot be a redirect URI: the browser handles it itself, so no app would receive the response. Use a scheme of your own (e.g. com.example.app:/auth or msal<client id>://auth).`;
  // RFC 8252 §7.1: a private-use scheme is followed by a path or an authority; a bare "myapp:" names nothing.
  if (uri.length === scheme.length + 1)
    return `A custom-scheme redirect URI needs a path after '${scheme}:' (e.g. ${scheme}://auth or ${scheme}:/callback).`;
  return undefined;
}
