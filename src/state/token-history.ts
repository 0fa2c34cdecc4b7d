/**
 * Tokens obtained by any run, so one flow can feed another (refresh, on-behalf-of, call an API).
 * Memory only: gone when the page reloads, never written to storage.
 */
import { create } from 'zustand';
import type { TokenResponse } from '../protocol/token.ts';

export interface ObtainedTokens {
  readonly id: string;
  readonly flowId: string;
  readonly flowTitle: string;
  readonly obtainedAt: number;
  readonly clientId: string;
  readonly tokenEndpoint: string;
  /** Issued to an SPA redirect URI: its refresh token must be redeemed cross-origin (from the browser). */
  readonly spa: boolean;
  readonly tokens: TokenResponse;
}

interface TokenHistoryStore {
  readonly entries: readonly ObtainedTokens[];
  add(entry: Omit<ObtainedTokens, 'id' | 'obtainedAt'>): void;
  clear(): void;
}

let counter = 0;

export const useTokenHistory = create<TokenHistoryStore>()((set) => ({
  entries: [],
  add: (entry) =>
    set((s) => ({
      entries: [{ ...entry, id: `run-${++counter}`, obtainedAt: Date.now() }, ...s.entries].slice(0, 50),
    })),
  clear: () => set({ entries: [] }),
}));
