import { lazy, Suspense, useState } from 'react';
import type { RecordedRequest } from '../../protocol/http.ts';
import type { SnippetLanguage } from '../../protocol/snippets.ts';

// The snippet builders are only needed once someone opens the box: loaded when its summary is pointed
// at or focused (so it is usually there by the click), else on opening.
const loadBody = () => import('./snippet-body.tsx');
const SnippetBody = lazy(async () => ({ default: (await loadBody()).SnippetBody }));
const preloadBody = () => void loadBody().catch(() => undefined);

/** The request as PowerShell, curl or fetch, one click to copy; secrets follow the reveal toggle. */
export function SnippetView({
  request,
  revealed,
}: {
  readonly request: RecordedRequest;
  readonly revealed: boolean;
}) {
  const [open, setOpen] = useState(false);
  const [language, setLanguage] = useState<SnippetLanguage>('powershell');
  return (
    <details className="snippets" onToggle={(event) => setOpen(event.currentTarget.open)}>
      <summary onPointerEnter={preloadBody} onFocus={preloadBody}>
        Send it yourself: PowerShell, curl or fetch
      </summary>
      {open && (
        <Suspense fallback={<p className="help">Loading the snippets…</p>}>
          <SnippetBody request={request} revealed={revealed} language={language} onLanguage={setLanguage} />
        </Suspense>
      )}
    </details>
  );
}
