/**
 * The catalogue of the attack lab: the index page, the routes and the e2e specs derive from it. Each
 * attack's steps and logic live in its own file (src/flows/attacks/<id>.ts) and load with its page.
 * An attack whose loader is still `undefined` is not built yet: it has no page and is not listed.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4
 */
import { ATTACKS_PATH } from './path.ts';
import type { AttackCatalogueEntry, AttackDefinition } from './types.ts';

/**
 * Every attack of the lab, in the order the index lists them.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4
 */
export const ATTACKS = [
  {
    id: 'login-csrf',
    title: 'Login CSRF without state',
    defence: 'state',
    summary:
      'The app ties each callback to the sign-in this browser started, so a code the attacker got for their own account is refused.',
  },
  {
    id: 'code-interception',
    title: 'Authorization code interception without PKCE',
    defence: 'PKCE',
    summary:
      'The code is bound to a secret only the app that asked for it holds, so another app that captures the redirect cannot redeem it.',
  },
  {
    id: 'id-token-replay',
    title: 'ID token replay without nonce',
    defence: 'nonce',
    summary:
      'The ID token must carry the random value this sign-in sent, so a token from another sign-in is refused.',
  },
  {
    id: 'redirect-uri-wildcard',
    title: 'Open redirect: a wildcard redirect URI',
    defence: 'exact redirect URI matching',
    summary:
      'The server sends codes only to an address registered exactly, so an attacker’s page under the same prefix never receives one.',
  },
  {
    id: 'wrong-audience',
    title: 'A token sent to the wrong API',
    defence: 'aud check',
    summary: 'Each API accepts only tokens issued for it, so a token meant for another API is refused.',
  },
  {
    id: 'refresh-token-theft',
    title: 'Refresh token theft from a single-page app',
    defence: 'rotation and the 24-hour SPA lifetime',
    summary:
      'A used refresh token stops working and a browser app’s refresh tokens expire after a day, which limits what a stolen one is worth.',
  },
  {
    id: 'mix-up',
    title: 'Mix-up between two authorization servers',
    defence: 'iss in the response',
    summary:
      'The authorization response names the server that issued the code, so the app never sends it to another server’s token endpoint.',
  },
] as const satisfies readonly AttackCatalogueEntry[];

/**
 * The id of an attack in the catalogue, which is also its URL path segment.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4
 */
export type AttackId = (typeof ATTACKS)[number]['id'];

type Loader = () => Promise<AttackDefinition>;

/**
 * Loads each attack's definition with its page. To plug an attack in: replace its `undefined` with
 * `() => import('./<id>.ts').then((m) => m.<name>)`.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4
 */
export const ATTACK_LOADERS: Readonly<Record<AttackId, Loader | undefined>> = {
  'login-csrf': () => import('./login-csrf.ts').then((m) => m.loginCsrfAttack),
  'code-interception': () => import('./code-interception.ts').then((m) => m.codeInterceptionAttack),
  'id-token-replay': () => import('./id-token-replay.ts').then((m) => m.idTokenReplayAttack),
  'redirect-uri-wildcard': () =>
    import('./redirect-uri-wildcard.ts').then((m) => m.redirectUriWildcardAttack),
  'wrong-audience': () => import('./wrong-audience.ts').then((m) => m.wrongAudienceAttack),
  'refresh-token-theft': () => import('./refresh-token-theft.ts').then((m) => m.refreshTokenTheftAttack),
  'mix-up': () => import('./mix-up.ts').then((m) => m.mixUpAttack),
};

/** The URL path of the attack lab's index (kept in `path.ts` for the router). */
export { ATTACKS_PATH };

/**
 * The URL path of an attack's page.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4
 */
export function attackPath(id: AttackId): string {
  return `${ATTACKS_PATH}/${id}`;
}

/**
 * The attacks that are built (have a definition to load), in catalogue order.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4
 */
export function builtAttacks(): readonly (typeof ATTACKS)[number][] {
  return ATTACKS.filter((attack) => ATTACK_LOADERS[attack.id] !== undefined);
}

/**
 * Finds a built attack by an id read from outside (the URL).
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4
 */
export function findAttack(
  id: string,
): { readonly entry: AttackCatalogueEntry; readonly load: Loader } | undefined {
  const entry = ATTACKS.find((attack) => attack.id === id);
  const load = entry === undefined ? undefined : ATTACK_LOADERS[entry.id];
  return entry === undefined || load === undefined ? undefined : { entry, load };
}
