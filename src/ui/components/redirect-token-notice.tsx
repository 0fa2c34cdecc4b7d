import { useSessionPrefs } from '../../state/session-prefs.ts';
import { useTokenHistory } from '../../state/token-history.ts';

/**
 * Said before a sign-in redirect: the page reloads on the way back, and tokens held in memory only do not
 * survive a reload. When this tab holds tokens and does not keep them, it says which will be lost and
 * offers to keep them in this tab (sessionStorage) — the user decides. Once they are kept, it says so.
 */
export function RedirectTokenNotice() {
  const keepTokens = useSessionPrefs((s) => s.keepTokens);
  const setKeepTokens = useSessionPrefs((s) => s.setKeepTokens);
  const entries = useTokenHistory((s) => s.entries);
  if (entries.length === 0) return null;
  if (keepTokens) {
    return (
      <p className="note" role="note" aria-label="Tokens across the redirect">
        This tab keeps tokens across reloads (sessionStorage, until the tab closes): the {entries.length}{' '}
        {entries.length === 1 ? 'set' : 'sets'} of tokens obtained so far will still be here when the browser
        comes back.
      </p>
    );
  }
  const flows = [...new Set(entries.map((e) => e.flowTitle))].join(', ');
  return (
    <div className="warning redirect-token-notice" role="note" aria-label="Tokens across the redirect">
      <p>
        The sign-in reloads this page. The tokens this tab holds in memory ({entries.length}{' '}
        {entries.length === 1 ? 'set' : 'sets'}, from {flows}) will be lost with that reload: the runs and
        their steps come back, their tokens do not. Keep them in this tab to use them again afterwards.
      </p>
      <button type="button" onClick={() => setKeepTokens(true)}>
        Keep tokens in this tab
      </button>
    </div>
  );
}
