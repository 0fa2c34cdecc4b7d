/**
 * The token endpoint's memory of each device code (RFC 8628): when it expires, its current polling
 * interval and when it was last polled, so polls can be answered with `slow_down`, `expired_token` or
 * `bad_verification_code` as Entra's vocabulary names them.
 */
import type { SharedStore } from './store/shared-store.ts';

/** Entra's polling interval in seconds (RFC 8628 §3.2 `interval`). */
export const DEVICE_POLL_INTERVAL = 5;

interface DevicePoll {
  readonly clientId: string;
  readonly expiresAt: number;
  /** When the record leaves the store (its expiry plus the expired-code memory). */
  readonly forgetAt: number;
  readonly interval: number;
  readonly lastPollAt: number | undefined;
}

/** What a poll should be answered with before oidc-provider looks at the device code. */
export type PollVerdict =
  | { readonly kind: 'continue' }
  | { readonly kind: 'unknown' }
  | { readonly kind: 'expired' }
  | { readonly kind: 'slow_down'; readonly interval: number };

/** The longest an expired device code is remembered, so its polls still get `expired_token` (ms). */
export const EXPIRED_CODE_MEMORY_MS = 3600_000;

/**
 * How long a device code of `lifetimeSeconds` is remembered after it expired (ms): as long again as its
 * lifetime, at least a minute and at most {@link EXPIRED_CODE_MEMORY_MS}. A client polling late still
 * hears `expired_token`, and a short-lived code's record leaves the shared store soon after it.
 */
export function expiredCodeMemoryMs(lifetimeSeconds: number): number {
  return Math.min(EXPIRED_CODE_MEMORY_MS, Math.max(60_000, lifetimeSeconds * 1000));
}

const PREFIX = 'device-poll:';
const keyOf = (deviceCode: string): string => `${PREFIX}${deviceCode}`;

/**
 * Device codes issued by the tenant, one record per code in the shared store (`device-poll:{code}`), so
 * a code started on one sandbox instance may be polled on any other, and `slow_down` counts polls made
 * to all of them. Each record lives for the code's lifetime plus {@link expiredCodeMemoryMs}.
 */
export class DevicePollRegistry {
  readonly #store: SharedStore;

  constructor(store: SharedStore) {
    this.#store = store;
  }

  /** Remembers a device code just issued. */
  async register(
    deviceCode: string,
    clientId: string,
    expiresInSeconds: number,
    now = Date.now(),
  ): Promise<void> {
    const poll: Omit<DevicePoll, 'forgetAt'> = {
      clientId,
      expiresAt: now + expiresInSeconds * 1000,
      interval: DEVICE_POLL_INTERVAL,
      lastPollAt: undefined,
    };
    const ttlMs = expiresInSeconds * 1000 + expiredCodeMemoryMs(expiresInSeconds);
    await this.#store.set(keyOf(deviceCode), { ...poll, forgetAt: now + ttlMs }, { ttlMs });
  }

  /** Device codes remembered (the portal's memory figures). */
  async count(): Promise<number> {
    return (await this.#store.keys(PREFIX)).length;
  }

  /** Records a poll and says how to answer it (one atomic read-modify-write). */
  async poll(deviceCode: string, clientId: string, now = Date.now()): Promise<PollVerdict> {
    const known = await this.#store.get<DevicePoll>(keyOf(deviceCode));
    // Past its memory a code is unknown, as once its record has left the store.
    if (!known || known.clientId !== clientId || now >= known.forgetAt) return { kind: 'unknown' };
    if (now >= known.expiresAt) return { kind: 'expired' };
    // The record keeps its end (a code's expiry never changes): its expiry plus the expired-code memory.
    const ttlMs = Math.max(1, known.forgetAt - now);
    const out: { verdict: PollVerdict } = { verdict: { kind: 'unknown' } };
    await this.#store.update<DevicePoll>(
      keyOf(deviceCode),
      (poll) => {
        if (!poll || poll.clientId !== clientId) {
          out.verdict = { kind: 'unknown' };
          return poll;
        }
        if (now >= poll.expiresAt) {
          out.verdict = { kind: 'expired' };
          return poll;
        }
        const last = poll.lastPollAt;
        if (last !== undefined && now - last < poll.interval * 1000) {
          // RFC 8628 §3.5: on slow_down the interval MUST grow by 5 seconds for all later requests.
          const interval = poll.interval + 5;
          out.verdict = { kind: 'slow_down', interval };
          return { ...poll, interval, lastPollAt: now };
        }
        out.verdict = { kind: 'continue' };
        return { ...poll, lastPollAt: now };
      },
      { ttlMs },
    );
    return out.verdict;
  }
}
