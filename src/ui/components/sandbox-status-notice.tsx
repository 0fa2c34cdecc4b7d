/**
 * One plain notice, where the sandbox is the chosen authority, when its directory could not be read:
 * what happened, why, and what to do. Everything else keeps working; other authorities need no sandbox.
 */
import { useSandboxDirectory } from '../../state/sandbox-directory.ts';
import { useSettings } from '../../state/settings.ts';

export function SandboxStatusNotice() {
  const sandbox = useSettings((s) => s.authority === 'sandbox');
  const status = useSandboxDirectory((s) => s.status);
  const problem = useSandboxDirectory((s) => s.problem);
  const failed = status === 'unreachable' || status === 'invalid';
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
    </div>
  );
}
