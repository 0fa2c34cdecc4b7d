import { useId, useState } from 'react';
import { relayOriginsOf, validateTypedEndpoints, type TypedEndpoints } from '../../protocol/discovery.ts';
import { InvalidInputError } from '../../protocol/errors.ts';
import { useLabConfig } from '../../state/lab-config.ts';
import { allowOnRelay, originsToAllow } from '../../state/relay.ts';
import { useSettings } from '../../state/settings.ts';

const FIELDS: readonly { name: keyof TypedEndpoints; label: string; help: string }[] = [
  { name: 'authorization', label: 'Authorization endpoint', help: 'Where the browser is sent to sign in.' },
  { name: 'token', label: 'Token endpoint', help: 'Where codes, secrets and refresh tokens are exchanged.' },
  {
    name: 'deviceAuthorization',
    label: 'Device authorization endpoint (optional)',
    help: 'Leave empty if the server has none; the device code flow then says so.',
  },
  { name: 'jwks', label: 'Keys (JWKS) URL', help: 'The public keys that sign its tokens.' },
];

/** Endpoints typed by hand, checked, then used by every flow. */
export function ManualForm() {
  const saved = useSettings((s) => s.manualEndpoints);
  const relay = useLabConfig((s) => s.relay);
  const [values, setValues] = useState<TypedEndpoints>({
    authorization: saved?.authorization ?? '',
    token: saved?.token ?? '',
    deviceAuthorization: saved?.deviceAuthorization ?? '',
    jwks: saved?.jwks ?? '',
  });
  const [problem, setProblem] = useState<{ field: string; message: string } | undefined>();
  const [status, setStatus] = useState('');
  const baseId = useId();

  const save = async () => {
    setStatus('');
    let endpoints;
    try {
      endpoints = validateTypedEndpoints(values);
    } catch (error) {
      if (error instanceof InvalidInputError) setProblem({ field: error.field, message: error.message });
      return;
    }
    setProblem(undefined);
    try {
      // The relay must know these origins before a flow sends a token request there.
      if (relay) await allowOnRelay(relayOriginsOf(endpoints));
    } catch (error) {
      setProblem({ field: 'relay', message: `Not saved: ${(error as Error).message}` });
      return;
    }
    useSettings.getState().setManualEndpoints(endpoints);
    setStatus('Saved. Flows now use these endpoints.');
  };

  let toAllow: string[] = [];
  try {
    toAllow = originsToAllow(relayOriginsOf(validateTypedEndpoints(values)));
  } catch {
    // Not valid yet: nothing to announce.
  }

  return (
    <form
      className="manual-form"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      {FIELDS.map((f) => {
        const id = `${baseId}-${f.name}`;
        const invalid = problem?.field === f.name;
        return (
          <div className="field" key={f.name}>
            <label htmlFor={id}>{f.label}</label>
            <input
              id={id}
              value={values[f.name]}
              onChange={(e) => setValues({ ...values, [f.name]: e.target.value })}
              spellCheck={false}
              aria-invalid={invalid}
              aria-describedby={`${id}-help`}
            />
            <p id={`${id}-help`} className="help">
              {f.help}
            </p>
          </div>
        );
      })}
      {problem !== undefined && (
        <p className="failure" role="alert">
          {problem.message}
        </p>
      )}
      {relay && toAllow.length > 0 && (
        <p className="help">
          Saving also adds{' '}
          {toAllow.map((o) => (
            <code key={o}>{o} </code>
          ))}
          to the local relay’s allowlist, so it may send token requests there.
        </p>
      )}
      <button type="submit" className="primary">
        Use these endpoints
      </button>
      <p role="status">{status}</p>
    </form>
  );
}
