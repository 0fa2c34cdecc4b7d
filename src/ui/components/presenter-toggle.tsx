import { useEffect, useLayoutEffect } from 'react';
import { useLocation } from 'react-router';
import { applyPresentParam, useSessionPrefs } from '../../state/session-prefs.ts';
import './presenter-toggle.css';

/**
 * The header's "Presenter mode" switch (this tab only). It also follows `?present=1` / `?present=0` in any
 * address the tab navigates to, and puts the `presenter` class on the body for the larger type.
 */
export function PresenterToggle() {
  const presenter = useSessionPrefs((s) => s.presenter);
  const setPresenter = useSessionPrefs((s) => s.setPresenter);
  const { search } = useLocation();
  // Before paint: an address that turns presenter mode on must not show a secret for one frame.
  useLayoutEffect(() => {
    applyPresentParam(search);
  }, [search]);
  useEffect(() => {
    document.body.classList.toggle('presenter', presenter);
    return () => document.body.classList.remove('presenter');
  }, [presenter]);
  return (
    <button
      type="button"
      className="presenter-toggle"
      aria-pressed={presenter}
      title="Masks tokens, secrets, codes and verifiers on screen (each with its own reveal) and enlarges the type. Also ?present=1 in the address."
      onClick={() => setPresenter(!presenter)}
    >
      Presenter mode
    </button>
  );
}
