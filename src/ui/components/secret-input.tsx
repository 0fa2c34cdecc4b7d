import { useState } from 'react';

/** A password-style input with a Show/Hide toggle; never autocompleted or saved by the browser. */
export function SecretInput(props: {
  id: string;
  value: string;
  onChange: (value: string) => void;
  describedBy?: string;
}) {
  const [shown, setShown] = useState(false);
  return (
    <span className="secret-input">
      <input
        id={props.id}
        type={shown ? 'text' : 'password'}
        value={props.value}
        autoComplete="off"
        spellCheck={false}
        onChange={(e) => props.onChange(e.target.value)}
        {...(props.describedBy === undefined ? {} : { 'aria-describedby': props.describedBy })}
      />
      <button type="button" aria-pressed={shown} aria-controls={props.id} onClick={() => setShown(!shown)}>
        Show
      </button>
    </span>
  );
}
