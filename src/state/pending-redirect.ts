/**
 * The part of a run that must survive the full-page trip to the authorization server and back:
 * state, nonce, code_verifier, the request as sent and the step. Kept in sessionStorage (this tab
 * only, gone when it closes). Never holds a client secret or a token.
 */

const KEY = 'oauth-flow-lab:pending-redirect';

export interface PendingRedirect<Ctx> {
  readonly flowId: string;
  readonly ctx: Ctx;
  readonly savedAt: number;
}

/** Fields that must never be written to storage. */
const FORBIDDEN = ['clientSecret', 'tokens', 'exchange'];

export function savePendingRedirect<Ctx extends object>(
  flowId: string,
  ctx: Ctx,
  now: number = Date.now(),
): void {
  const safe = Object.fromEntries(Object.entries(ctx).filter(([key]) => !FORBIDDEN.includes(key)));
  sessionStorage.setItem(KEY, JSON.stringify({ flowId, ctx: safe, savedAt: now }));
}

/** Reads the pending redirect without removing it; undefined when there is none or it is unreadable. */
export function peekPendingRedirect<Ctx>(): PendingRedirect<Ctx> | undefined {
  const raw = sessionStorage.getItem(KEY);
  if (raw === null) return undefined;
  try {
    const value = JSON.parse(raw) as PendingRedirect<Ctx>;
    return typeof value.flowId === 'string' && typeof value.ctx === 'object' ? value : undefined;
  } catch {
    return undefined;
  }
}

export function clearPendingRedirect(): void {
  sessionStorage.removeItem(KEY);
}
