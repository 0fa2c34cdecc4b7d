import { useId } from 'react';
import type { RecordedRequest } from '../../protocol/http.ts';
import { buildSnippet, SNIPPET_LANGUAGES, type SnippetLanguage } from '../../protocol/snippets.ts';
import { CopyButton } from './copy-button.tsx';

function isJsonBody(request: RecordedRequest): boolean {
  return request.headers.some(
    ([name, value]) => name.toLowerCase() === 'content-type' && value.includes('json'),
  );
}

/**
 * The inside of an open snippet box: the language buttons, the request in that language, one click to
 * copy. `language` is kept by the box, so closing and opening it again keeps the choice.
 */
export function SnippetBody({
  request,
  revealed,
  language,
  onLanguage,
}: {
  readonly request: RecordedRequest;
  readonly revealed: boolean;
  readonly language: SnippetLanguage;
  readonly onLanguage: (language: SnippetLanguage) => void;
}) {
  const codeId = useId();
  const text = buildSnippet(language, request, revealed);
  return (
    <>
      <div role="group" aria-label="Snippet language" className="snippets__languages">
        {SNIPPET_LANGUAGES.map((l) => (
          <button key={l.id} type="button" aria-pressed={language === l.id} onClick={() => onLanguage(l.id)}>
            {l.label}
          </button>
        ))}
      </div>
      <pre
        className="lab-code"
        id={codeId}
        tabIndex={0}
        aria-label={`${SNIPPET_LANGUAGES.find((l) => l.id === language)?.label ?? ''} snippet`}
      >
        <code>{text}</code>
      </pre>
      <CopyButton text={text} targetId={codeId} label="Copy snippet" />
      {!revealed && request.secretFields.length > 0 && (
        <p className="help">
          Secrets show as placeholders such as &lt;client_secret&gt;; press “Reveal secrets” to copy them in.
        </p>
      )}
      {language === 'powershell' && text.includes('[char]') && (
        <p className="help">
          <code>[char]0x…</code> stands for a character that would be invisible in the snippet (a tab, a line
          break, a zero-width or direction mark); PowerShell joins the pieces with <code>+</code>.
        </p>
      )}
      {language === 'curl' && text.includes('--data-raw') && !isJsonBody(request) && (
        <p className="help">
          Values with invisible characters are passed already form-encoded (<code>--data-raw</code>), so the
          shell never sees them.
        </p>
      )}
      {language === 'fetch' && (
        <p className="help">
          From a web page, fetch is bound by CORS: Entra answers token requests cross-origin only for SPA
          clients.
        </p>
      )}
    </>
  );
}
