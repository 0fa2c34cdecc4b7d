import { useState } from 'react';
import type { ExportableRun } from '../../flows/export-run.ts';
import type { FlowDefinition } from '../../flows/types.ts';
import { useLabConfig } from '../../state/lab-config.ts';
import { useSettings } from '../../state/settings.ts';
import './export-run.css';

// The report builders (Markdown, HTML) are needed only on a click: loaded when a button is pointed at or
// focused, so they are there by the click.
const loadExport = () => import('../../flows/export-run.ts');
const preloadExport = () => void loadExport().catch(() => undefined);

/** The authority in one line, as the export names it. */
function useAuthorityLine(): string {
  const settings = useSettings();
  const sandboxOrigin = useLabConfig((s) => s.sandboxOrigin);
  switch (settings.authority) {
    case 'sandbox':
      return `Sandbox tenant at ${sandboxOrigin}`;
    case 'entra':
      return `Microsoft Entra ID at ${settings.entraOrigin}, tenant ${settings.tenant === '' ? '(none set)' : settings.tenant}`;
    case 'issuer':
      return `OpenID provider ${settings.issuer?.issuer ?? '(none saved)'}`;
    default:
      return 'Endpoints typed by hand';
  }
}

function download(text: string, fileName: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.style.display = 'none';
  document.body.append(link);
  link.click();
  link.remove();
  // The download has started by now; the URL is not needed after this turn.
  window.setTimeout(() => URL.revokeObjectURL(url), 0);
}

/**
 * "Export this run": downloads the run as Markdown (the primary: it pastes into an issue or a write-up,
 * the diagram as a mermaid block GitHub draws) or as one HTML file with the diagram as drawn on the page.
 * Every secret and token is redacted, whatever presenter mode and "Keep tokens" say.
 */
export function ExportRun({
  flow,
  run,
  variants,
}: {
  readonly flow: FlowDefinition;
  readonly run: ExportableRun | undefined;
  readonly variants: readonly string[];
}) {
  const authority = useAuthorityLine();
  const [said, setSaid] = useState('');
  if (run === undefined) return null;
  const save = async (format: 'md' | 'html'): Promise<void> => {
    const { buildRunHtml, buildRunMarkdown, exportFileName } = await loadExport();
    const now = new Date();
    const input = { flow, run, variants, authority, now };
    if (format === 'md') {
      download(buildRunMarkdown(input), exportFileName(flow.id, now, 'md'), 'text/markdown;charset=utf-8');
    } else {
      // The diagram beside the steps (the full-size dialog draws a copy only while open).
      const svg = (
        document.querySelector('.flow-diagram .sequence-diagram__canvas svg') ??
        document.querySelector('.sequence-diagram__canvas svg')
      )?.outerHTML;
      download(buildRunHtml(input, svg), exportFileName(flow.id, now, 'html'), 'text/html;charset=utf-8');
    }
    setSaid(`Saved ${format === 'md' ? 'Markdown' : 'HTML'}, tokens and secrets redacted.`);
  };
  return (
    <div
      className="export-run"
      role="group"
      aria-label="Export this run"
      onPointerOver={preloadExport}
      onFocus={preloadExport}
    >
      <button type="button" className="lab-button" onClick={() => void save('md')}>
        Export this run (Markdown)
      </button>
      <button type="button" className="lab-button" onClick={() => void save('html')}>
        Export as HTML
      </button>
      <span className="help">Steps, requests, answers and the diagram; tokens and secrets redacted.</span>
      <span className="lab-sr-only" role="status">
        {said}
      </span>
    </div>
  );
}
