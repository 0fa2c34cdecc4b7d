/**
 * Where the mix-up attack's malicious authorization server lives on the sandbox, and the ids it deals
 * in. Shared by the sandbox (server/sandbox/attack-lab-mix-up.ts), which plays that server, and the
 * attack (mix-up.ts).
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.4
 */

/** The attacker server's path on the sandbox, which is also its issuer's path. */
export const MIX_UP_AS_PATH = '/attack-lab/mixup-as';

/** The app's client id at the attacker's server (the app is a client of both servers). */
export const MIX_UP_CLIENT_ID = 'flow-lab-at-mixup-as';

/** The app's client id at the honest standards issuer, which the attacker swaps in: a public client. */
export const MIX_UP_HONEST_CLIENT_ID = 'standard-spa';

/** The attacker's own record of what its token endpoint received (read once, then gone). */
export const MIX_UP_CAPTURED_PATH = `${MIX_UP_AS_PATH}/captured`;

/** The honest standards issuer's path on the sandbox. */
export const HONEST_ISSUER_PATH = '/standard';
