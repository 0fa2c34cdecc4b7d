/**
 * Per-tab choices that shape what the screen shows and what survives a reload: presenter mode, and
 * whether tokens may be kept in sessionStorage. Kept in sessionStorage themselves (this tab only, gone
 * when it closes); never holds a value that is secret.
 */
import { create } from 'zustand';
import { createJSONStorage, persist } from 'zustand/middleware';

export interface SessionPrefs {
  /**
   * Presenter mode: tokens, secrets, codes, verifiers, assertions and device codes are masked everywhere
   * on screen, each with its own reveal; larger type. Also turned on by `?present=1` in the address.
   */
  readonly presenter: boolean;
  /**
   * The user chose to keep tokens (access, ID, refresh, device codes, client assertions) in this tab's
   * sessionStorage, so they survive the sign-in redirect and a reload. Off by default: tokens stay in memory.
   */
  readonly keepTokens: boolean;
  setPresenter(on: boolean): void;
  setKeepTokens(on: boolean): void;
}

export const SESSION_PREFS_KEY = 'oauth-flow-lab:session-prefs';

export const useSessionPrefs = create<SessionPrefs>()(
  persist(
    (set) => ({
      presenter: false,
      keepTokens: false,
      setPresenter: (on) => set({ presenter: on }),
      setKeepTokens: (on) => set({ keepTokens: on }),
    }),
    {
      name: SESSION_PREFS_KEY,
      storage: createJSONStorage(() => sessionStorage),
      partialize: (s) => ({ presenter: s.presenter, keepTokens: s.keepTokens }),
    },
  ),
);
