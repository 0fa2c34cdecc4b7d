/**
 * The token endpoint's memory of each device code (RFC 8628): when it expires, its current polling
 * interval and when it was last polled, so polls can be answered with `slow_down`, `expired_token` or
 * `bad_verification_code` as Entra's vocabulary names them.
 */

/** Entra's polling interval in seconds (RFC 8628 §3.2 `interval`). */
export const DEVICE_POLL_INTERVAL = 5;

interface DevicePoll {
  readonly clientId: string;
  readonly expiresAt: number;
  interval: number;
  lastPollAt: number | undefined;
}

/** What a poll should be answered with before oidc-provider looks at the device code. */
export type PollVerdict =
  | { readonly kind: 'continue' }
  | { readonly kind: 'unknown' }
  | { readonly kind: 'expired' }
  | { readonly kind: 'slow_down'; readonly interval: number };

/** How long an expired device code is remembered, so its polls still get `expired_token` (ms). */
export const EXPIRED_CODE_MEMORY_MS = 3600_000;

/** Device codes issued by one sandbox instance. */
export class DevicePollRegistry {
  readonly #polls = new Map<string, DevicePoll>();

  /** Remembers a device code just issued. */
  register(deviceCode: string, clientId: string, expiresInSeconds: number): void {
    const now = Date.now();
    this.sweep(now);
    this.#polls.set(deviceCode, {
      clientId,
      expiresAt: now + expiresInSeconds * 1000,
      interval: DEVICE_POLL_INTERVAL,
      lastPollAt: undefined,
    });
  }

  /** Forgets device codes expired more than {@link EXPIRED_CODE_MEMORY_MS} before `now`; returns how many. */
  sweep(now = Date.now()): number {
    let dropped = 0;
    for (const [code, poll] of this.#polls) {
      if (poll.expiresAt + EXPIRED_CODE_MEMORY_MS < now) {
        this.#polls.delete(code);
        dropped += 1;
      }
    }
    return dropped;
  }

  /** Device codes remembered. */
  get size(): number {
    return this.#polls.size;
  }

  /** Records a poll and says how to answer it. */
  poll(deviceCode: string, clientId: string, now = Date.now()): PollVerdict {
    const poll = this.#polls.get(deviceCode);
    if (!poll || poll.clientId !== clientId) return { kind: 'unknown' };
    if (now >= poll.expiresAt) return { kind: 'expired' };
    const last = poll.lastPollAt;
    poll.lastPollAt = now;
    if (last !== undefined && now - last < poll.interval * 1000) {
      // RFC 8628 §3.5: on slow_down the interval MUST grow by 5 seconds for all later requests.
      poll.interval += 5;
      return { kind: 'slow_down', interval: poll.interval };
    }
    return { kind: 'continue' };
  }
}
