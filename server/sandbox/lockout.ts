/**
 * Smart lockout as Entra applies it to password sign-ins (the sign-in page and the password grant):
 * after `lockoutThreshold` wrong passwords for one account, every password, even the right one, is
 * refused with AADSTS50053 for `lockoutDurationSeconds`.
 *
 * Entra's rules (https://learn.microsoft.com/entra/identity/authentication/howto-password-smart-lockout):
 * - default threshold 10 failed attempts (Azure Public), lockout one minute at first;
 * - "Smart lockout tracks the last three bad password hashes to avoid incrementing the lockout counter
 *   for the same password": the sandbox does this too (a SHA-256 of each of the last three wrong
 *   passwords, never the password), so a person retyping the same typo is not locked out, while a
 *   guessing attack, which tries a different password each time, is;
 * - Entra lengthens later lockouts by an undisclosed rate: the sandbox keeps the configured duration for
 *   every lockout, so tests and walkthroughs can predict it;
 * - an administrator unlocks from the portal here (Entra's admins wait, or reset the password).
 * A successful sign-in resets the count. Once a lockout has ended the account starts afresh.
 */
import { createHash } from 'node:crypto';

/** Entra's defaults (Azure Public). */
export const LOCKOUT_DEFAULTS = { threshold: 10, durationSeconds: 60 } as const;

/** How many distinct wrong passwords are remembered, so repeating one is not counted again. */
export const REMEMBERED_BAD_PASSWORDS = 3;

/** The settings the lockout reads on every attempt (portal settings, runtime-changeable). */
export interface LockoutPolicy {
  /** Wrong passwords (distinct from the last three) before the account locks; ≥ 1. */
  readonly lockoutThreshold: number;
  /** Seconds an account stays locked. */
  readonly lockoutDurationSeconds: number;
}

/** What a password attempt comes to. */
export type LockoutVerdict =
  | { readonly kind: 'ok' }
  | { readonly kind: 'wrong'; readonly failures: number }
  | { readonly kind: 'locked'; readonly until: number };

/** One account's state, as the portal lists it. */
export interface LockoutEntry {
  /** The account's object id. */
  readonly userId: string;
  /** Wrong passwords counted since the last success, unlock or lockout end. */
  readonly failures: number;
  /** Epoch milliseconds when the lockout ends, or undefined while not locked. */
  readonly lockedUntil: number | undefined;
}

interface AccountRecord {
  failures: number;
  lockedUntil: number | undefined;
  badHashes: string[];
}

const hashPassword = (password: string): string => createHash('sha256').update(password).digest('hex');

/** The per-account counters of one sandbox instance (keyed by object id, so every name of a user counts together). */
export class SmartLockout {
  readonly #records = new Map<string, AccountRecord>();
  readonly #policy: () => LockoutPolicy;

  constructor(policy: () => LockoutPolicy) {
    this.#policy = policy;
  }

  /** The record for `userId`, or undefined once a lockout it held has ended (the account starts afresh). */
  #current(userId: string, now: number): AccountRecord | undefined {
    const record = this.#records.get(userId);
    if (record?.lockedUntil !== undefined && record.lockedUntil <= now) {
      this.#records.delete(userId);
      return undefined;
    }
    return record;
  }

  /** When the account is locked at `now`, the lockout's end (epoch ms); otherwise undefined. */
  lockedUntil(userId: string, now = Date.now()): number | undefined {
    return this.#current(userId, now)?.lockedUntil;
  }

  /**
   * Records one password attempt for an existing account and says how to answer it. A locked account
   * answers `locked` whatever the password, and the attempt is not counted (the lockout is not extended).
   */
  attempt(userId: string, passwordCorrect: boolean, password: string, now = Date.now()): LockoutVerdict {
    const record = this.#current(userId, now);
    if (record?.lockedUntil !== undefined) return { kind: 'locked', until: record.lockedUntil };
    if (passwordCorrect) {
      this.#records.delete(userId);
      return { kind: 'ok' };
    }
    const next = record ?? { failures: 0, lockedUntil: undefined, badHashes: [] };
    const hash = hashPassword(password);
    if (!next.badHashes.includes(hash)) {
      next.failures += 1;
      next.badHashes = [...next.badHashes, hash].slice(-REMEMBERED_BAD_PASSWORDS);
    }
    this.#records.set(userId, next);
    const policy = this.#policy();
    if (next.failures >= policy.lockoutThreshold) {
      next.lockedUntil = now + policy.lockoutDurationSeconds * 1000;
      return { kind: 'locked', until: next.lockedUntil };
    }
    return { kind: 'wrong', failures: next.failures };
  }

  /** Clears the account's lockout and count (the portal's "Unlock"). True when there was anything to clear. */
  unlock(userId: string): boolean {
    return this.#records.delete(userId);
  }

  /** Forgets every account's state. */
  reset(): void {
    this.#records.clear();
  }

  /** Every account with failures or a lockout, locked ones first. */
  list(now = Date.now()): LockoutEntry[] {
    this.sweep(now);
    return [...this.#records]
      .map(([userId, r]) => ({ userId, failures: r.failures, lockedUntil: r.lockedUntil }))
      .sort((a, b) => Number(b.lockedUntil !== undefined) - Number(a.lockedUntil !== undefined));
  }

  /** Drops the records of lockouts that have ended (they hold nothing a later attempt would read). */
  sweep(now = Date.now()): number {
    let dropped = 0;
    for (const [userId, r] of this.#records) {
      if (r.lockedUntil !== undefined && r.lockedUntil <= now) {
        this.#records.delete(userId);
        dropped += 1;
      }
    }
    return dropped;
  }

  /** Accounts with a record. */
  get size(): number {
    return this.#records.size;
  }
}
