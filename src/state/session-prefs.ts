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

/**
 * The presenter switch an address carries: `?present=1` turns presenter mode on for the tab, `?present=0`
 * off; any other value, or none, leaves it as it is.
 */
export function presentParam(search: string): boolean | undefined {
  const value = new URLSearchParams(search).get('present');
  return value === '1' ? true : value === '0' ? false : undefined;
}

/** Applies an address's `?present=` to the tab's preference; returns whether it changed anything. */
export function applyPresentParam(search: string): boolean {
  const wanted = presentParam(search);
  if (wanted === undefined || wanted === useSessionPrefs.getState().presenter) return false;
  useSessionPrefs.getState().setPresenter(wanted);
  return true;
}

// The address the tab opened with decides before the first paint, so no secret flashes on screen.
if (typeof window !== 'undefined') applyPresentParam(window.location.search);
