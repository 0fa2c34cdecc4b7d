import { useId } from 'react';
import { useTokenHistory, type ObtainedTokens } from '../../state/token-history.ts';

type Kind = 'access_token' | 'refresh_token';

const KIND_LABEL: Record<Kind, string> = { access_token: 'access token', refresh_token: 'refresh token' };

function describe(entry: ObtainedTokens): string {
  const time = new Date(entry.obtainedAt).toLocaleTimeString();
  return `${entry.flowTitle} at ${time} — ${entry.tokens.scope ?? 'no scope listed'}`;
}

/**
 * Pick a token from an earlier run (memory only), or paste one. The text area always shows what
 * will be used, so a pasted token and a picked one look the same.
 */
export function TokenPicker(props: {
  kind: Kind;
  label: string;
  value: string;
  onChange: (value: string, entry: ObtainedTokens | undefined) => void;
}) {
  const entries = useTokenHistory((s) => s.entries).filter((e) => typeof e.tokens[props.kind] === 'string');
  const ids = { select: useId(), text: useId(), help: useId() };
  const selected = entries.find((e) => e.tokens[props.kind] === props.value);
  return (
    <div className="token-picker">
      <div className="field">
        <label htmlFor={ids.select}>Use the {KIND_LABEL[props.kind]} from an earlier run</label>
        <select
          id={ids.select}
          value={selected?.id ?? ''}
          onChange={(e) => {
            const entry = entries.find((x) => x.id === e.target.value);
            props.onChange(entry === undefined ? '' : String(entry.tokens[props.kind]), entry);
          }}
        >
          <option value="">
            {entries.length === 0 ? '(no earlier runs on this page yet)' : '(choose a run, or paste below)'}
          </option>
          {entries.map((entry) => (
            <option key={entry.id} value={entry.id}>
              {describe(entry)}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={ids.text}>{props.label}</label>
        <textarea
          id={ids.text}
          value={props.value}
          rows={3}
          spellCheck={false}
          autoComplete="off"
          aria-describedby={ids.help}
          onChange={(e) => props.onChange(e.target.value.trim(), undefined)}
        />
        <p id={ids.help} className="help">
          Kept in memory only: not stored, not put in any URL.
        </p>
      </div>
    </div>
  );
}
