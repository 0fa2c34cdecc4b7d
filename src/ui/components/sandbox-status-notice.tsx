/**
 * Where the sandbox is the chosen authority: one plain notice when its directory could not be read
 * (what happened, why, and what to do; other authorities need no sandbox), and one when a secret that
 * open runs held was changed on the portal and they now hold the new one.
 */
import { useSandboxDirectory } from '../../state/sandbox-directory.ts';
import { useSecretChangeNotice } from '../../state/sandbox-runs.ts';
import { useSettings } from '../../state/settings.ts';

export function SandboxStatusNotice() {
  const sandbox = useSettings((s) => s.authority === 'sandbox');
  const status = useSandboxDirectory((s) => s.status);
  const problem = useSandboxDirectory((s) => s.problem);
  const failed = status === 'unreachable' || status === 'invalid';
  const secretChange = useSecretChangeNotice((s) => s.notice);
  return (
    <div role="status" className="sandbox-status">
      {sandbox && failed && problem !== undefined && (
        <p className="warning">
          <strong>
            {status === 'unreachable'
              ? 'The sandbox is not reachable.'
              : 'The sandbox’s directory is unusable.'}
          </strong>{' '}
          {problem}
        </p>
      )}
      {sandbox && secretChange !== undefined && (
        <p className="note">
          The client secret of {secretChange.apps.join(' and ')} changed on the sandbox portal. Open runs that
          held the old value now hold the new one, so their next request uses it.{' '}
          <button type="button" onClick={() => useSecretChangeNotice.setState({ notice: undefined })}>
            Dismiss
          </button>
        </p>
      )}
    </div>
  );
}
