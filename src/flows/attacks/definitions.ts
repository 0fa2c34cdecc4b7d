/**
 * Every built attack's definition, loaded at once, for code that needs them all: the build-time diagram
 * renderer and the tests that walk every attack. The app itself loads each attack with its page
 * (registry.ts's loaders), never this module.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4
 */
import { codeInterceptionAttack } from './code-interception.ts';
import { idTokenReplayAttack } from './id-token-replay.ts';
import { loginCsrfAttack } from './login-csrf.ts';
import { mixUpAttack } from './mix-up.ts';
import { redirectUriWildcardAttack } from './redirect-uri-wildcard.ts';
import { refreshTokenTheftAttack } from './refresh-token-theft.ts';
import type { AttackId } from './registry.ts';
import type { AttackDefinition } from './types.ts';
import { wrongAudienceAttack } from './wrong-audience.ts';

const BY_ID: Readonly<Record<AttackId, AttackDefinition>> = {
  'login-csrf': loginCsrfAttack,
  'code-interception': codeInterceptionAttack,
  'id-token-replay': idTokenReplayAttack,
  'redirect-uri-wildcard': redirectUriWildcardAttack,
  'wrong-audience': wrongAudienceAttack,
  'refresh-token-theft': refreshTokenTheftAttack,
  'mix-up': mixUpAttack,
};

/**
 * Every attack of the catalogue, in catalogue order (a test checks it matches the registry's loaders).
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4
 */
export const ATTACK_DEFINITIONS: readonly AttackDefinition[] = Object.values(BY_ID);
