import type { StepFailure } from '../../flows/runner.ts';
import { explainFailure, lookupLinks, type StepKind } from '../explain-error.ts';

const SHOWN_FIELDS = [
  'error',
  'error_description',
  'error_codes',
  'error_uri',
  'timestamp',
  'trace_id',
  'correlation_id',
  'suberror',
  'claims',
];

/**
 * A failed step: what happened, why, what to do next, and the server's own words verbatim.
 * `context` (the kind of step) lets the explanation pick a fix specific to that step.
 */
export function FailurePanel(props: {
  failure: StepFailure;
  onRetry?: () => void;
  retryLabel?: string;
  context?: StepKind;
}) {
  const { failure } = props;
  const explanation = explainFailure(failure, props.context);
  const links = lookupLinks(failure);
  const fields: Readonly<Record<string, unknown>> = failure.fields ?? {};
  return (
    <div className="failure" role="alert">
      <h3>
        {explanation.title}
        {explanation.aadsts !== undefined && <span className="aadsts"> (AADSTS{explanation.aadsts})</span>}
      </h3>
      <p>
        <strong>What happened:</strong> {explanation.what}
      </p>
      <p>
        <strong>What to do:</strong> {explanation.fix}
      </p>
      {links.length > 0 && (
        <ul className="lookup-links">
          {links.map((link) => (
            <li key={link.href}>
              <a
                href={link.href}
                target="_blank"
                rel="noopener noreferrer"
                aria-label={`${link.label} (opens in a new tab)`}
              >
                {link.label}
                <span aria-hidden="true"> ↗</span>
              </a>
            </li>
          ))}
        </ul>
      )}
      {failure.fields === undefined && <p className="detail">{failure.message}</p>}
      {failure.fields !== undefined && (
        <dl className="server-fields">
          {failure.status !== undefined && (
            <>
              <dt>HTTP status</dt>
              <dd>{failure.status}</dd>
            </>
          )}
          {SHOWN_FIELDS.filter((name) => fields[name] !== undefined).map((name) => (
            <div key={name}>
              <dt>
                <code>{name}</code>
              </dt>
              <dd>{typeof fields[name] === 'string' ? fields[name] : JSON.stringify(fields[name])}</dd>
            </div>
          ))}
        </dl>
      )}
      {failure.raw !== undefined && failure.raw !== '' && (
        <details className="raw-response">
          <summary>Raw response</summary>
          <pre>{failure.raw}</pre>
        </details>
      )}
      {props.onRetry !== undefined && (
        <button type="button" onClick={props.onRetry}>
          {props.retryLabel ?? 'Try again'}
        </button>
      )}
    </div>
  );
}
