import { useId } from 'react';
import { useSessionPrefs } from '../../state/session-prefs.ts';
import { useTokenHistory, type LostTokens, type ObtainedTokens } from '../../state/token-history.ts';
import { useFieldMask } from './masked-value.tsx';
import './token-picker.css';

type Kind = 'access_token' | 'refresh_token';

const KIND_LABEL: Record<Kind, string> = { access_token: 'access token', refresh_token: 'refresh token' };

const TIME = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });

function when(entry: Pick<ObtainedTokens, 'flowTitle' | 'obtainedAt'>): string {
  return `${entry.flowTitle} at ${TIME.format(entry.obtainedAt)}`;
}

function describe(entry: ObtainedTokens): string {
  return `${when(entry)} — ${entry.tokens.scope ?? 'no scope listed'}`;
}

/** Why a run offers no token of this kind, in a few words. */
function missingReason(kind: Kind): string {
  return kind === 'refresh_token'
    ? 'no refresh token (offline_access not asked for, or not granted)'
    : 'no access token';
}

/** Earlier runs whose tokens a reload dropped: which ones, and how to keep tokens next time. */
function NotKeptNote({ kind, lost }: { kind: Kind; lost: readonly LostTokens[] }) {
  const keepTokens = useSessionPrefs((s) => s.keepTokens);
  const setKeepTokens = useSessionPrefs((s) => s.setKeepTokens);
  return (
    <div className="token-picker__not-kept note" role="note" aria-label="Tokens not kept">
      <p>
        <strong>
          {lost.length === 1 ? 'One earlier run’s tokens were' : `${lost.length} earlier runs’ tokens were`}{' '}
          not kept across the reload:
        </strong>{' '}
        {lost.map(when).join('; ')}.{' '}
        {keepTokens
          ? `Tokens are kept in this tab now, but these were dropped before: run them again for their ${KIND_LABEL[kind]}.`
          : `Tokens stay in memory unless you keep them in this tab; run those flows again for their ${KIND_LABEL[kind]}.`}
      </p>
      {!keepTokens && (
        <button type="button" onClick={() => setKeepTokens(true)}>
          Keep tokens in this tab from now on
        </button>
      )}
    </div>
  );
}

/**
 * Pick a token from an earlier run of this tab, or paste one. The text area always shows what will be
 * used, so a pasted token and a picked one look the same. Runs whose tokens a reload dropped are named,
 * with how to keep tokens; runs that got no token of this kind are listed, unselectable, with why.
 */
export function TokenPicker(props: {
  kind: Kind;
  label: string;
  value: string;
  onChange: (value: string, entry: ObtainedTokens | undefined) => void;
}) {
  const all = useTokenHistory((s) => s.entries);
  const lost = useTokenHistory((s) => s.lost);
  const keepTokens = useSessionPrefs((s) => s.keepTokens);
  const entries = all.filter((e) => typeof e.tokens[props.kind] === 'string');
  const without = all.filter((e) => typeof e.tokens[props.kind] !== 'string');
  const ids = { select: useId(), text: useId(), help: useId() };
  // Presenter mode: the token is drawn as discs until its own reveal.
  const mask = useFieldMask(props.label, ids.text);
  const selected = entries.find((e) => e.tokens[props.kind] === props.value);
  return (
    <div className="token-picker">
      <div className="field">
        <label htmlFor={ids.select}>Use the {KIND_LABEL[props.kind]} from an earlier run</label>
        <select
          id={ids.select}
          value={selected?.id ?? ''}
          data-next-action
          onChange={(e) => {
            const entry = entries.find((x) => x.id === e.target.value);
            props.onChange(entry === undefined ? '' : String(entry.tokens[props.kind]), entry);
          }}
        >
          <option value="">
            {entries.length === 0
              ? `(no earlier run of this tab has ${props.kind === 'access_token' ? 'an' : 'a'} ${KIND_LABEL[props.kind]} yet)`
              : '(choose a run, or paste below)'}
          </option>
          {entries.map((entry) => (
            <option key={entry.id} value={entry.id}>
              {describe(entry)}
            </option>
          ))}
          {without.map((entry) => (
            <option key={entry.id} value={`none:${entry.id}`} disabled>
              {when(entry)} — {missingReason(props.kind)}
            </option>
          ))}
        </select>
      </div>
      {lost.length > 0 && <NotKeptNote kind={props.kind} lost={lost} />}
      <div className="field">
        <label htmlFor={ids.text}>{props.label}</label>
        <textarea
          id={ids.text}
          className={mask.className}
          value={props.value}
          rows={5}
          spellCheck={false}
          autoComplete="off"
          aria-describedby={ids.help}
          onChange={(e) => props.onChange(e.target.value.trim(), undefined)}
        />
        {mask.toggle}
        <p id={ids.help} className="help">
          {keepTokens
            ? 'Kept in this tab’s sessionStorage (you chose to keep tokens), gone when the tab closes; never put in any URL.'
            : 'Kept in memory only: gone on reload unless you keep tokens in this tab; never put in any URL.'}
        </p>
      </div>
    </div>
  );
}
