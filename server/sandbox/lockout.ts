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
 * The counters live in the tenant's shared store, so every sandbox instance of one tenant counts together.
 */
import { createHash } from 'node:crypto';
import type { SharedStore } from './store/shared-store.ts';

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
  readonly failures: number;
  readonly lockedUntil: number | undefined;
  readonly badHashes: readonly string[];
}

/**
 * How long an unlocked account's wrong-password count is kept after its last wrong password (ms): long
 * enough that a slow guessing attack still adds up, bounded so the shared store empties once attempts stop.
 */
export const FAILURE_MEMORY_MS = 24 * 3600_000;

const PREFIX = 'lockout:';
const keyOf = (userId: string): string => `${PREFIX}${userId}`;

const hashPassword = (password: string): string => createHash('sha256').update(password).digest('hex');

/** A record that still says something at `now` (a lockout that has ended says nothing). */
function liveRecord(record: AccountRecord | undefined, now: number): AccountRecord | undefined {
  return record?.lockedUntil !== undefined && record.lockedUntil <= now ? undefined : record;
}

/** Reads the lockout listing synchronously (the portal page renders from a snapshot). */
export interface LockoutListing {
  /** Every account with failures or a lockout, locked ones first. */
  list(now?: number): LockoutEntry[];
}

/**
 * The per-account counters of the tenant (keyed by object id, so every name of a user counts together),
 * one record per account in the shared store (`lockout:{oid}`), so wrong passwords sent to different
 * sandbox instances add up and an unlock on one frees the account on all. Each attempt is one atomic
 * read-modify-write (`SharedStore.update`): concurrent attempts never lose a count.
 */
export class SmartLockout {
  readonly #store: SharedStore;
  readonly #policy: () => LockoutPolicy;

  constructor(store: SharedStore, policy: () => LockoutPolicy) {
    this.#store = store;
    this.#policy = policy;
  }

  /** When the account is locked at `now`, the lockout's end (epoch ms); otherwise undefined. */
  async lockedUntil(userId: string, now = Date.now()): Promise<number | undefined> {
    return liveRecord(await this.#store.get<AccountRecord>(keyOf(userId)), now)?.lockedUntil;
  }

  /**
   * Records one password attempt for an existing account and says how to answer it. A locked account
   * answers `locked` whatever the password, and the attempt is not counted (the lockout is not extended).
   */
  async attempt(
    userId: string,
    passwordCorrect: boolean,
    password: string,
    now = Date.now(),
  ): Promise<LockoutVerdict> {
    const policy = this.#policy();
    const hash = hashPassword(password);
    // The common case, a right password for an account with no record, needs no write.
    if (passwordCorrect && (await this.#store.get<AccountRecord>(keyOf(userId))) === undefined)
      return { kind: 'ok' };
    const out: { verdict: LockoutVerdict; counted: boolean } = { verdict: { kind: 'ok' }, counted: false };
    // `update` may run the change more than once (another instance wrote meanwhile): it only computes.
    const written = await this.#store.update<AccountRecord>(
      keyOf(userId),
      (stored) => {
        const record = liveRecord(stored, now);
        out.counted = false;
        if (record?.lockedUntil !== undefined) {
          out.verdict = { kind: 'locked', until: record.lockedUntil };
          return record;
        }
        if (passwordCorrect) {
          out.verdict = { kind: 'ok' };
          return undefined;
        }
        out.counted = true;
        const previous = record ?? { failures: 0, lockedUntil: undefined, badHashes: [] };
        // Entra: "Smart lockout tracks the last three bad password hashes to avoid incrementing the lockout
        // counter for the same password."
        const repeated = previous.badHashes.includes(hash);
        const failures = repeated ? previous.failures : previous.failures + 1;
        const badHashes = repeated
          ? previous.badHashes
          : [...previous.badHashes, hash].slice(-REMEMBERED_BAD_PASSWORDS);
        const lockedUntil =
          failures >= policy.lockoutThreshold ? now + policy.lockoutDurationSeconds * 1000 : undefined;
        out.verdict =
          lockedUntil === undefined ? { kind: 'wrong', failures } : { kind: 'locked', until: lockedUntil };
        return { failures, lockedUntil, badHashes };
        // Every write carries a time to live (no lockout lasts longer than this); the exact one follows.
      },
      { ttlMs: FAILURE_MEMORY_MS },
    );
    // The record leaves the store by itself: at the lockout's end, or a day after the last wrong password.
    if (written !== undefined && (out.counted || out.verdict.kind === 'locked')) {
      const ttlMs =
        written.lockedUntil !== undefined ? Math.max(1, written.lockedUntil - now) : FAILURE_MEMORY_MS;
      await this.#store.update<AccountRecord>(keyOf(userId), (current) => current, { ttlMs });
    }
    return out.verdict;
  }

  /** Clears the account's lockout and count (the portal's "Unlock"). True when there was anything to clear. */
  async unlock(userId: string): Promise<boolean> {
    const had = (await this.#store.get<AccountRecord>(keyOf(userId))) !== undefined;
    await this.#store.delete(keyOf(userId));
    return had;
  }

  /** Forgets every account's state, on every instance. */
  async reset(): Promise<void> {
    const keys = await this.#store.keys(PREFIX);
    if (keys.length > 0) await this.#store.delete(...keys);
  }

  /** Every account with failures or a lockout now, as a listing the portal renders synchronously. */
  async snapshot(now = Date.now()): Promise<LockoutListing> {
    const keys = await this.#store.keys(PREFIX);
    const records = await this.#store.getMany<AccountRecord>(keys);
    const entries: LockoutEntry[] = [];
    keys.forEach((key, i) => {
      const record = liveRecord(records[i], now);
      if (record)
        entries.push({
          userId: key.slice(PREFIX.length),
          failures: record.failures,
          lockedUntil: record.lockedUntil,
        });
    });
    entries.sort((a, b) => Number(b.lockedUntil !== undefined) - Number(a.lockedUntil !== undefined));
    return {
      list: (at = now) => entries.filter((e) => e.lockedUntil === undefined || e.lockedUntil > at),
    };
  }

  /** Accounts with a record in the store (the portal's memory figures). */
  async count(): Promise<number> {
    return (await this.#store.keys(PREFIX)).length;
  }
}
