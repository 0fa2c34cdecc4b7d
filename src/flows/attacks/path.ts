/**
 * The attack lab's URL path, apart from the catalogue (`registry.ts`) so the router, in the landing
 * page's bundle, does not carry every attack's title and summary.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4
 */

/**
 * The URL path of the attack lab's index.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4
 */
export const ATTACKS_PATH = '/attacks';
