/**
 * Tokens obtained by any run, so one flow can feed another (refresh, on-behalf-of, call an API).
 * In memory; written to this tab's sessionStorage only when the user keeps tokens (session-prefs.ts).
 * When they are not kept, a reload leaves a note of which runs' tokens are gone, never the tokens.
 */
import { create } from 'zustand';
import { createJSONStorage, persist } from 'zustand/middleware';
import type { TokenResponse } from '../protocol/token.ts';
import { useSessionPrefs } from './session-prefs.ts';

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

/** A run whose tokens a reload did not bring back (the user did not keep tokens): what it was, not what it held. */
export type LostTokens = Omit<ObtainedTokens, 'tokens'>;

interface TokenHistoryStore {
  readonly entries: readonly ObtainedTokens[];
  /** Runs of this tab whose tokens were dropped by a reload, newest first. */
  readonly lost: readonly LostTokens[];
  add(entry: Omit<ObtainedTokens, 'id' | 'obtainedAt'>): void;
  clear(): void;
}

const LIMIT = 50;
let counter = 0;

/** sessionStorage key of the token history. */
export const TOKEN_HISTORY_KEY = 'oauth-flow-lab:tokens';

/** What is written: the entries when tokens are kept; otherwise only a note of each, tokens left out. */
export function persistableTokenHistory(
  state: Pick<TokenHistoryStore, 'entries' | 'lost'>,
  keepTokens: boolean,
): Pick<TokenHistoryStore, 'entries' | 'lost'> {
  if (keepTokens) return { entries: state.entries, lost: state.lost };
  const notes = state.entries.map(({ tokens: _tokens, ...note }) => note);
  return { entries: [], lost: [...notes, ...state.lost].slice(0, LIMIT) };
}

export const useTokenHistory = create<TokenHistoryStore>()(
  persist(
    (set) => ({
      entries: [],
      lost: [],
      add: (entry) =>
        set((s) => ({
          entries: [
            { ...entry, id: `run-${Date.now().toString(36)}-${++counter}`, obtainedAt: Date.now() },
            ...s.entries,
          ].slice(0, LIMIT),
        })),
      clear: () => set({ entries: [], lost: [] }),
    }),
    {
      name: TOKEN_HISTORY_KEY,
      version: 1,
      storage: createJSONStorage(() => sessionStorage),
      partialize: (state) => persistableTokenHistory(state, useSessionPrefs.getState().keepTokens),
      merge: (persisted, current) => {
        const stored = (persisted ?? {}) as Partial<Pick<TokenHistoryStore, 'entries' | 'lost'>>;
        return {
          ...current,
          entries: Array.isArray(stored.entries) ? stored.entries : [],
          lost: Array.isArray(stored.lost) ? stored.lost : [],
        };
      },
    },
  ),
);

// A change of mind about keeping tokens rewrites what is stored straight away.
useSessionPrefs.subscribe((prefs, previous) => {
  if (prefs.keepTokens !== previous.keepTokens) useTokenHistory.setState({});
});
