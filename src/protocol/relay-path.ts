/**
 * The relay's path on the app's own origin, apart from the request transport (`transport.ts`) so the
 * relay's state, in the landing page's bundle, does not carry the transport.
 */

/** The relay endpoint on the app's own origin. */
export const RELAY_PATH = '/relay/forward';
