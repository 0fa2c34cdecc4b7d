/**
 * The attack lab's `wildcardRedirectUris` switch (vulnerable mode only, off by default): the sandbox then
 * reads each registered redirect URI as a wildcard over its whole site — `http://localhost:5173/callback`
 * as `http://localhost:5173/*` — the kind of registration Entra no longer accepts and RFC 9700 §2.1 forbids
 * (exact string matching). Any address on that site then receives codes, among them a page the attacker
 * controls there (user content, or an open redirector, RFC 9700 §4.11). The normal rule is
 * redirectUriMatches in authorize-gate.ts; this one is only ever consulted while the switch is on.
 */
import { redirectUriMatches } from './authorize-gate.ts';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1']);

/** What a registered redirect URI is read as with the switch on: its origin followed by `/*`. */
export function asWildcardRegistration(registered: string): string | undefined {
  try {
    const url = new URL(registered);
    return url.protocol === 'https:' || url.protocol === 'http:' ? `${url.origin}/*` : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether `requested` falls under one of the registered URIs read as wildcards (prefix match). The
 * loopback port rule (RFC 8252 §7.3) still holds: the port of an http://localhost address is ignored.
 * A URI the normal rule refuses outright (a fragment, user information…) is refused here too.
 */
export function wildcardRedirectUriMatches(registered: readonly string[], requested: string): boolean {
  if (redirectUriMatches(registered, requested)) return true;
  let wanted: URL;
  try {
    wanted = new URL(requested);
  } catch {
    return false;
  }
  if (wanted.hash !== '' || requested.includes('#') || wanted.username !== '' || wanted.password !== '')
    return false;
  return registered.some((candidate) => {
    const wildcard = asWildcardRegistration(candidate);
    if (wildcard === undefined) return false;
    const prefix = new URL(wildcard.slice(0, -1));
    if (prefix.protocol !== wanted.protocol || prefix.hostname !== wanted.hostname) return false;
    return (
      (prefix.protocol === 'http:' && LOOPBACK_HOSTS.has(wanted.hostname)) || prefix.port === wanted.port
    );
  });
}
