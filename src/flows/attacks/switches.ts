/**
 * The sandbox's vulnerable-mode switches for the attack lab: each one turns off a defence the
 * Entra-shaped sandbox normally enforces. All are off by default, exist only on the sandbox, are set by
 * an attack run just before it starts and reset as soon as it ends (and by the sandbox itself after
 * {@link ATTACK_LAB_SWITCH_TTL_SECONDS}, so a run abandoned half-way never leaves it vulnerable).
 * Shared by the sandbox (server/sandbox/attack-lab.ts) and the app, which labels them.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-2
 */

/**
 * The switches. To add one: a key here, its entry in {@link ATTACK_LAB_SWITCHES}, and the check that
 * honours it in the sandbox (authorize-gate.ts, token-gate.ts, graph-api.ts…), reading `attackLab.switches`.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-2
 */
export interface AttackLabSwitches {
  /** A registered redirect URI ending in `*` matches any URI with that prefix (RFC 9700 §2.1, §4.1). */
  readonly wildcardRedirectUris: boolean;
  /** The sandbox's APIs accept an access token issued for another API (RFC 9700 §2.3, §4.10). */
  readonly apiSkipsAudienceCheck: boolean;
}

/**
 * The name of one switch.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-2
 */
export type AttackLabSwitch = keyof AttackLabSwitches;

/**
 * What each switch turns off, in the words the page shows next to the word "vulnerable".
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-2
 */
export const ATTACK_LAB_SWITCHES: Readonly<Record<AttackLabSwitch, { readonly label: string }>> = {
  wildcardRedirectUris: {
    label: 'Wildcard redirect URIs match any address with their prefix (normally: exact match only)',
  },
  apiSkipsAudienceCheck: {
    label: 'The sandbox APIs accept tokens issued for another API (normally: aud must be the API)',
  },
};

/**
 * Every switch off: the sandbox as it always is outside an attack run.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-2
 */
export const SAFE_SWITCHES: AttackLabSwitches = {
  wildcardRedirectUris: false,
  apiSkipsAudienceCheck: false,
};

/**
 * How long switches stay on without a reset, in seconds: longer than any attack run takes.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-2
 */
export const ATTACK_LAB_SWITCH_TTL_SECONDS = 120;

/**
 * The sandbox's switches endpoint (GET reads, POST sets; `{}` or `{"reset":true}` turns all off).
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-2
 */
export const ATTACK_LAB_SWITCHES_PATH = '/attack-lab/switches';

/**
 * The sandbox endpoint that plays a browser signing a seeded user in (see server/sandbox/attack-lab.ts).
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.1
 */
export const ATTACK_LAB_SIGN_IN_PATH = '/attack-lab/sign-in';

/**
 * Reads a POSTed switches patch: known names with boolean values only, or `reset`.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-2
 */
export function parseSwitchesPatch(body: unknown):
  | { readonly ok: true; readonly patch: Partial<AttackLabSwitches>; readonly reset: boolean }
  | {
      readonly ok: false;
      readonly message: string;
    } {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return { ok: false, message: 'Send a JSON object of switch names and true/false values.' };
  const patch: Partial<Record<AttackLabSwitch, boolean>> = {};
  let reset = false;
  for (const [name, value] of Object.entries(body)) {
    if (name === 'reset') {
      if (value !== true) return { ok: false, message: '"reset" may only be true.' };
      reset = true;
      continue;
    }
    if (!Object.hasOwn(SAFE_SWITCHES, name))
      return {
        ok: false,
        message: `No switch named "${name.slice(0, 60)}". Known: ${Object.keys(SAFE_SWITCHES).join(', ')}.`,
      };
    if (typeof value !== 'boolean') return { ok: false, message: `"${name}" must be true or false.` };
    patch[name as AttackLabSwitch] = value;
  }
  return { ok: true, patch, reset };
}
