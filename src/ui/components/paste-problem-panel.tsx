import type { PasteProblem } from '../../protocol/callback.ts';

/**
 * A pasted answer that could not be used (paste-the-redirect mode): its own title, what happened and
 * what to do, so an address with nothing in it is never told it is a state mismatch. Only a different
 * state or another redirect URI calls for a fresh sign-in; every other problem is fixed by pasting again.
 */
export function PastePanel({
  problem,
  onStartAgain,
  onPasteAgain,
}: {
  readonly problem: PasteProblem;
  readonly onStartAgain: () => void;
  readonly onPasteAgain: () => void;
}) {
  const freshSignIn = problem.kind === 'state-mismatch' || problem.kind === 'other-redirect-uri';
  return (
    <div className="failure" role="alert" data-paste-problem={problem.kind}>
      <h3>{problem.title}</h3>
      <p>
        <strong>What happened:</strong> {problem.what}
      </p>
      <p>
        <strong>What to do:</strong> {problem.fix}
      </p>
      {freshSignIn ? (
        <button type="button" onClick={onStartAgain}>
          Start again
        </button>
      ) : (
        <button type="button" onClick={onPasteAgain}>
          Paste again
        </button>
      )}
    </div>
  );
}
