import { useState } from 'react';

/**
 * Copies text to the clipboard; where the browser refuses, selects the text in the element with
 * `targetId` (a textarea or a pre) so the user can press Ctrl+C.
 */
export function CopyButton({
  text,
  targetId,
  label = 'Copy',
}: {
  readonly text: string;
  readonly targetId: string;
  readonly label?: string;
}) {
  const [status, setStatus] = useState('');
  const copy = async (): Promise<void> => {
    try {
      await navigator.clipboard.writeText(text);
      setStatus('Copied.');
    } catch {
      // Clipboard access can be refused (permissions, insecure context): select the text instead.
      const field = document.getElementById(targetId);
      if (field instanceof HTMLTextAreaElement) {
        field.focus();
        field.select();
      } else if (field !== null) {
        const range = document.createRange();
        range.selectNodeContents(field);
        window.getSelection()?.removeAllRanges();
        window.getSelection()?.addRange(range);
      }
      setStatus('Could not copy automatically; the text is selected, press Ctrl+C (⌘C on a Mac).');
    }
  };
  return (
    <>
      <button type="button" className="lab-button" onClick={() => void copy()}>
        {label}
      </button>
      <span className="copy-status" role="status">
        {status}
      </span>
    </>
  );
}
