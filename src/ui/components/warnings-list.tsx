import type { RequestWarning } from '../../protocol/authorize.ts';

/** What a careful client would flag about a request before sending it; nothing when all is well. */
export function WarningsList({ warnings }: { readonly warnings: readonly RequestWarning[] }) {
  if (warnings.length === 0) return null;
  return (
    <ul className="warnings" aria-label="Warnings about this request">
      {warnings.map((w) => (
        <li key={w.parameter + w.message}>
          <code>{w.parameter}</code>: {w.message}
        </li>
      ))}
    </ul>
  );
}
