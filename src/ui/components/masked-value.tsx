import { useState, type ReactElement } from 'react';
import { useSessionPrefs } from '../../state/session-prefs.ts';
import './masked-value.css';

/** What a masked value shows in its place. */
export const MASK = '••••••';

/**
 * One secret value (a token, a verifier, a device code) shown masked, with its own reveal button that names
 * what it reveals. `when="always"` (the default) masks it in every mode, as raw HTTP views do;
 * `when="presenter"` masks it only in presenter mode.
 */
export function MaskedValue({
  value,
  label,
  when = 'always',
  revealed: revealedByParent = false,
}: {
  readonly value: string;
  /** What the value is, as the reveal button names it: "code_verifier", "the access token". */
  readonly label: string;
  readonly when?: 'always' | 'presenter';
  /** A parent's "reveal all" is on: show the value without a button of its own. */
  readonly revealed?: boolean;
}) {
  const presenter = useSessionPrefs((s) => s.presenter);
  const [revealed, setRevealed] = useState(false);
  const masking = when === 'always' || presenter;
  if (!masking || revealedByParent) return <code className="masked-value__text">{value}</code>;
  return (
    <span className="masked-value" data-masked={revealed ? undefined : ''}>
      {revealed ? (
        <code className="masked-value__text">{value}</code>
      ) : (
        <span className="masked-value__mask">
          {MASK}
          <span className="lab-sr-only"> ({label}, hidden)</span>
        </span>
      )}
      <button
        type="button"
        className="masked-value__reveal"
        aria-pressed={revealed}
        onClick={() => setRevealed((on) => !on)}
      >
        {`Reveal ${label}`}
      </button>
    </span>
  );
}

/**
 * Masking for a text area or input that holds a secret (a pasted token, a verifier): in presenter mode its
 * characters are drawn as discs (`-webkit-text-security`, the value itself untouched, still editable)
 * until the user presses the reveal button the hook returns. Outside presenter mode it changes nothing,
 * unless `when="always"` (a verifier the token request masks is masked where it is typed too).
 */
export function useFieldMask(
  label: string,
  fieldId?: string,
  when: 'always' | 'presenter' = 'presenter',
): {
  readonly masked: boolean;
  readonly className: string;
  readonly toggle: ReactElement | null;
} {
  const presenter = useSessionPrefs((s) => s.presenter);
  const [revealed, setRevealed] = useState(false);
  if (!presenter && when === 'presenter') return { masked: false, className: '', toggle: null };
  const masked = !revealed;
  return {
    masked,
    className: masked ? 'lab-masked-field' : '',
    toggle: (
      <button
        type="button"
        className="lab-button masked-value__field-reveal"
        aria-pressed={revealed}
        {...(fieldId === undefined ? {} : { 'aria-controls': fieldId })}
        onClick={() => setRevealed((on) => !on)}
      >
        {`Reveal ${label}`}
      </button>
    ),
  };
}
