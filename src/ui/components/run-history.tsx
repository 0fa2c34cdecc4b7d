import { Link } from 'react-router';
import { findFlow } from '../../flows/registry.ts';
import { stepTitle, useFlowRuns, type RunSummary } from '../../state/flow-runs.ts';
import { useSessionPrefs } from '../../state/session-prefs.ts';
import { useTokenHistory } from '../../state/token-history.ts';

function outcome(summary: RunSummary): string {
  if (summary.lastStatus === undefined || summary.lastStep === undefined) return 'not started';
  const step = `“${summary.lastStepTitle ?? stepTitle(summary.flowId, summary.lastStep)}”`;
  if (summary.failed) return `failed at ${step}`;
  if (summary.lastStatus === 'running') return `running ${step}`;
  return `${summary.done} step${summary.done === 1 ? '' : 's'} done, last ${step} (${summary.lastStatus})`;
}

const TIME = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });

/**
 * This tab's runs, newest first, with how each ended, and the choice to keep tokens across reloads.
 * Runs themselves always survive a reload; tokens only when the user keeps them.
 */
export function RunHistory({ currentRunId }: { currentRunId?: string | undefined }) {
  const history = useFlowRuns((s) => s.history);
  const keepTokens = useSessionPrefs((s) => s.keepTokens);
  const setKeepTokens = useSessionPrefs((s) => s.setKeepTokens);
  const withTokens = useTokenHistory((s) => s.entries.length);
  return (
    <details className="run-history">
      <summary>
        This session’s runs ({history.length}) · tokens {keepTokens ? 'kept in this tab' : 'in memory only'}
      </summary>
      <label className="choice">
        <input type="checkbox" checked={keepTokens} onChange={(e) => setKeepTokens(e.target.checked)} />
        Keep tokens in this tab across reloads and the sign-in redirect (sessionStorage, gone when the tab
        closes)
      </label>
      <p className="help">
        Steps, requests and answers of every run survive a reload. Tokens {keepTokens ? 'do too' : 'do not'}
        {withTokens > 0 ? ` (${withTokens} in this tab now)` : ''}; client secrets and private keys never do.
      </p>
      {history.length === 0 ? (
        <p>No runs yet.</p>
      ) : (
        <ol className="run-history__list">
          {history.map((summary) => {
            const flow = findFlow(summary.flowId);
            return (
              <li key={summary.runId} aria-current={summary.runId === currentRunId ? 'true' : undefined}>
                <Link to={`/flows/${summary.flowId}`}>{flow?.title ?? summary.flowId}</Link>{' '}
                <span className="run-history__time">{TIME.format(summary.startedAt)}</span> —{' '}
                {outcome(summary)}
                {summary.runId === currentRunId ? ' (this run)' : ''}
              </li>
            );
          })}
        </ol>
      )}
    </details>
  );
}
