import type { StepFailure } from '../../flows/runner.ts';
import { describeFormat, explainFailure, lookupLinks, type StepKind } from '../explain-error.ts';
import { HOSTED_RELAY_UNAVAILABLE, useRelayOffHere } from './hosting-notices.tsx';

/** RFC 6749 §5.2's fields and Entra's extras, in the order people read them. */
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

/** At most this many wire fields of a body in another shape (Okta's, RFC 9457's…) are listed. */
const MAX_OTHER_FIELDS = 20;

const CAUSES: Readonly<Record<NonNullable<StepFailure['unreachable']>['cause'], string>> = {
  dns: 'DNS lookup failed',
  refused: 'connection refused',
  reset: 'connection reset',
  timeout: 'timed out',
  tls: 'TLS (certificate or handshake) failed',
  'no-route': 'no route to the host',
  offline: 'offline',
  unknown: 'hidden by the browser',
};

function show(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
}

/**
 * A failed step: what happened, why, what to do next, and the server's own words verbatim.
 * `context` (the kind of step) and `endpoint` (where the request went, so who answered) let the
 * explanation fit the step and the server.
 */
export function FailurePanel(props: {
  failure: StepFailure;
  onRetry?: () => void;
  retryLabel?: string;
  context?: StepKind;
  endpoint?: string;
}) {
  const { failure } = props;
  const where = props.endpoint === undefined ? {} : { endpoint: props.endpoint };
  const relayOff = useRelayOffHere();
  const explained = explainFailure(failure, props.context, where);
  // Hosting mode: the request's own reason speaks of a relay that is not there; ours replaces it.
  const hostedRelayFailure = relayOff && failure.code === 'RELAY_UNAVAILABLE';
  const explanation = hostedRelayFailure ? { ...explained, ...HOSTED_RELAY_UNAVAILABLE } : explained;
  const links = lookupLinks(failure, where);
  const fields: Readonly<Record<string, unknown>> = failure.fields ?? {};
  const names =
    failure.format === undefined || failure.format === 'oauth'
      ? SHOWN_FIELDS.filter((name) => fields[name] !== undefined)
      : Object.keys(fields).slice(0, MAX_OTHER_FIELDS);
  const unreachable = failure.unreachable;
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
      {failure.format !== undefined && failure.format !== 'oauth' && (
        <p className="detail" data-testid="body-format">
          The answer was {describeFormat(failure.format)}.
        </p>
      )}
      {unreachable !== undefined && (
        <dl className="server-fields" aria-label="Connection failure">
          <div>
            <dt>Host</dt>
            <dd>{unreachable.host}</dd>
          </div>
          <div>
            <dt>Cause</dt>
            <dd>{CAUSES[unreachable.cause]}</dd>
          </div>
          {unreachable.detail !== undefined && (
            <div>
              <dt>System error</dt>
              <dd>
                <code>{unreachable.detail}</code>
              </dd>
            </div>
          )}
          <div>
            <dt>Tried by</dt>
            <dd>{unreachable.via === 'relay' ? 'the local relay (it is running)' : 'the browser'}</dd>
          </div>
        </dl>
      )}
      {failure.fields === undefined && !hostedRelayFailure && <p className="detail">{failure.message}</p>}
      {failure.fields !== undefined && (
        <dl className="server-fields">
          {failure.status !== undefined && (
            <>
              <dt>HTTP status</dt>
              <dd>{failure.status}</dd>
            </>
          )}
          {names.map((name) => (
            <div key={name}>
              <dt>
                <code>{name}</code>
              </dt>
              <dd>{show(fields[name])}</dd>
            </div>
          ))}
        </dl>
      )}
      {failure.raw !== undefined && failure.raw !== '' && (
        <details className="raw-response">
          <summary>
            {failure.format === 'html' ? 'Raw response (the page as text, not rendered)' : 'Raw response'}
          </summary>
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
