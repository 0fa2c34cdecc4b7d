/**
 * An attack on an OAuth/OIDC client, described as data: who takes part (the attacker included), the
 * steps each side takes, the sequence diagram with the attacker's messages, the specification it rests
 * on, and two runs — the defence off (vulnerable) and on. The attack page (src/ui/routes/attack.tsx)
 * renders any definition; the runner (runner.ts) executes its steps for real against the sandbox.
 *
 * @example A minimal attack (see login-csrf.ts and id-token-replay.ts for complete ones):
 * ```ts
 * interface Ctx extends AttackContext { readonly code?: string }
 *
 * export const codeInterceptionAttack: AttackDefinition<Ctx> = {
 *   id: 'code-interception',               // also in ATTACKS (registry.ts) and the e2e spec name
 *   title: 'Authorization code interception without PKCE',
 *   defence: 'PKCE',
 *   summary: 'PKCE binds the code to the app that asked for it, so a stolen code is useless.',
 *   specs: [{ label: 'RFC 9700 §2.1.1', href: 'https://www.rfc-editor.org/rfc/rfc9700#section-2.1.1' }],
 *   actors: [
 *     { id: 'user', label: 'User’s browser' },
 *     { id: 'client', label: 'Desktop app' },
 *     { id: 'attacker', label: 'Attacker (malicious app)' },
 *     { id: 'as', label: 'Sandbox tenant' },
 *   ],
 *   runs: {
 *     vulnerable: {
 *       title: 'the app sends no code_challenge',
 *       explanation: 'The app leaves PKCE out, so any holder of the code can redeem it.',
 *       appDefenceOff: 'the authorization request carries no code_challenge.',
 *       // A defence the sandbox enforces is switched off with `switches: { <name>: true }` (switches.ts).
 *       expected: 'attack-works',
 *     },
 *     defended: {
 *       title: 'the app uses PKCE',
 *       explanation: 'The code is bound to a code_challenge; the attacker does not have the verifier.',
 *       expected: 'defence-stops',
 *     },
 *   },
 *   initialContext: (mode) => ({ mode }),
 *   steps: [
 *     {
 *       id: 'sign-in', title: 'The user signs in', actor: 'user', why: '…', spec: 'RFC 6749 §4.1.1',
 *       run: async (ctx, deps) => {
 *         const { exchange, redirectedTo } = await signInAs('adele', url, deps); // sandbox-lab.ts
 *         return { ctx: { ...ctx, code: … }, said: 'The code came back to the app’s redirect URI.', exchanges: [exchange] };
 *       },
 *     },
 *     {
 *       id: 'redeem', title: 'The attacker redeems the code', actor: 'attacker', why: '…', spec: 'RFC 7636 §4.6',
 *       run: async (ctx, deps) => {
 *         // … send the token request; an invalid_grant in defended mode is the defence working:
 *         return { ctx, said: '…', verdict: { attackWorked: false, why: 'The sandbox refused: …' } };
 *       },
 *     },
 *   ],
 *   diagram: {
 *     actors: [...],   // the same actors
 *     messages: [
 *       { from: 'attacker', to: 'as', text: 'POST /token code (no verifier)', step: 'redeem', http: true },
 *       { from: 'as', to: 'attacker', text: '200 tokens', step: 'redeem', reply: true, variant: 'vulnerable' },
 *       { from: 'as', to: 'attacker', text: '400 invalid_grant', step: 'redeem', reply: true, failed: true, variant: 'defended' },
 *     ],
 *   },
 * };
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc9700
 */
import type { HttpExchange } from '../../protocol/http.ts';
import type { FlowDeps, StepFailure } from '../runner.ts';
import type { Actor, DiagramSpec } from '../types.ts';
import type { AttackLabSwitches } from './switches.ts';

/**
 * Which of the two runs: the defence off (the attack should work) or on (the defence should stop it).
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4
 */
export type AttackMode = 'vulnerable' | 'defended';

/**
 * Both modes, in the order the page shows them.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4
 */
export const ATTACK_MODES: readonly AttackMode[] = ['vulnerable', 'defended'];

/**
 * The actor id every attack uses for the attacker; the page draws its steps in "attacker" panels.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4
 */
export const ATTACKER = 'attacker';

/**
 * A specification section an attack or its defence rests on, with a link to it.
 * @see https://www.rfc-editor.org/rfc/rfc9700
 */
export interface SpecReference {
  /** As written in the text, e.g. "RFC 9700 §4.7". */
  readonly label: string;
  readonly href: string;
}

/**
 * What the index of attacks and the router need to know about an attack.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4
 */
export interface AttackCatalogueEntry {
  /** Its URL path segment (`/attacks/<id>`), its file name in flows/attacks and its e2e spec name. */
  readonly id: string;
  readonly title: string;
  /** The defence, in a word or two: `state`, `PKCE`, `nonce`. */
  readonly defence: string;
  /** One line: what the defence does against this attack. */
  readonly summary: string;
}

/**
 * What every attack run's context holds; an attack's own context extends it.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4
 */
export interface AttackContext {
  readonly mode: AttackMode;
}

/**
 * What attack steps may use from outside: the flows' deps plus where the sandbox and this app are.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4
 */
export interface AttackDeps extends FlowDeps {
  /** `http://localhost:<port>` of the sandbox; every request of an attack goes there or to the app. */
  readonly sandboxOrigin: string;
  /** This app's redirect URI (`<app origin>/callback`), registered on the seeded apps. */
  readonly redirectUri: string;
}

/**
 * One thing a step found out, shown as a label and a value (masked when `secret`).
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4
 */
export interface AttackFact {
  readonly label: string;
  readonly value: string;
  /** A code, token or secret: shown masked until revealed. */
  readonly secret?: boolean;
}

/**
 * How a run ended: whether the attack worked and why, in the page's words.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4
 */
export interface AttackVerdict {
  readonly attackWorked: boolean;
  /** Why: what the attacker now has, or which check refused and what it compared. */
  readonly why: string;
  /** The error the defence raised, verbatim (e.g. STATE_MISMATCH and its message, or AADSTS501481). */
  readonly refusal?: { readonly code: string; readonly message: string };
}

/**
 * What one step did. A step that decides the run's outcome returns a verdict; the run ends there.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4
 */
export interface AttackStepOutcome<Ctx extends AttackContext> {
  /** The whole context after the step (not a patch). */
  readonly ctx: Ctx;
  /** What happened, in a sentence or two. */
  readonly said: string;
  readonly facts?: readonly AttackFact[];
  /** The HTTP exchanges the step made (sendRequest's records), shown raw under the step. */
  readonly exchanges?: readonly HttpExchange[];
  readonly verdict?: AttackVerdict;
}

/**
 * One step of an attack. Steps run in order; a throw is a failed run (something broke), not a
 * verdict: a step that meets the defence catches the refusal and returns a verdict instead.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4
 */
export interface AttackStepDefinition<Ctx extends AttackContext> {
  readonly id: string;
  readonly title: string;
  /** The actor taking this step (an id from `actors`); {@link ATTACKER} steps are drawn as the attacker's. */
  readonly actor: string;
  /** Why the step exists, in a sentence or two. */
  readonly why: string;
  readonly spec: string;
  /** Runs only in this mode; absent: in both. */
  readonly only?: AttackMode;
  // Method syntax on purpose: an AttackDefinition<OwnCtx> is then usable where the registry expects
  // AttackDefinition<AttackContext> (the page only hands a step the context the previous step returned).
  run(ctx: Ctx, deps: AttackDeps): Promise<AttackStepOutcome<Ctx>> | AttackStepOutcome<Ctx>;
}

/**
 * One of the two runs of an attack: what is switched off, where, and what should happen.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4
 */
export interface AttackRunDefinition {
  readonly title: string;
  /** What this run shows, in a sentence or two. */
  readonly explanation: string;
  /** Sandbox switches turned on for this run only (vulnerable mode; reset when the run ends). */
  readonly switches?: Partial<AttackLabSwitches>;
  /** The check the app's own code skips in this run (only ever inside the attack's step code). */
  readonly appDefenceOff?: string;
  /** What the run should end with; the page and the tests compare it with the verdict. */
  readonly expected: 'attack-works' | 'defence-stops';
}

/**
 * A whole attack as data.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4
 */
export interface AttackDefinition<Ctx extends AttackContext = AttackContext> extends AttackCatalogueEntry {
  /** The sections the attack and its defence rest on (RFC 9700, RFC 9207, OIDC Core…). */
  readonly specs: readonly SpecReference[];
  /** What Microsoft Entra ID does about this attack, in a sentence or two, and the page that says so. */
  readonly onEntra?: { readonly text: string; readonly source: SpecReference };
  /** The participants, the attacker included (id {@link ATTACKER}). */
  readonly actors: readonly Actor[];
  readonly runs: Readonly<Record<AttackMode, AttackRunDefinition>>;
  /**
   * The steps need the app's local relay (a confidential client's code redeemed by its back end).
   * Without it the page says so and does not start a run.
   */
  readonly needsRelay?: boolean;
  readonly initialContext: (mode: AttackMode) => Ctx;
  readonly steps: readonly AttackStepDefinition<Ctx>[];
  /**
   * Puts back what the run changed beyond the lab's switches (a portal setting, a registration), after
   * the last step or a failure, with the context as the last step left it. A throw is reported, not fatal.
   */
  cleanup?(ctx: Ctx, deps: AttackDeps): Promise<void>;
  /**
   * The sequence diagram: message `step`s are step ids; a message with `variant: 'vulnerable'` or
   * `'defended'` is drawn only in that run.
   */
  readonly diagram: DiagramSpec;
}

/**
 * One step of a run as it went: its outcome or its failure.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4
 */
export interface AttackStepRecord {
  readonly id: string;
  readonly status: 'done' | 'failed';
  readonly said?: string;
  readonly facts?: readonly AttackFact[];
  readonly exchanges?: readonly HttpExchange[];
  readonly failure?: StepFailure;
}

/**
 * A finished (or stopped) run: the steps it took and its verdict, or the failure that stopped it.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4
 */
export interface AttackRunRecord {
  readonly mode: AttackMode;
  readonly steps: readonly AttackStepRecord[];
  readonly verdict?: AttackVerdict;
  /** The run could not finish (a request failed, a step threw): not a verdict either way. */
  readonly failure?: StepFailure & { readonly stepId: string };
  /** The sandbox switches were turned off again after the run (true when none were on). */
  readonly switchesReset: boolean;
  /** The attack's own cleanup failed: why, in its words. */
  readonly cleanupFailed?: string;
}
