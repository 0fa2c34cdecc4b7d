import type { ParameterDefinition } from '../../flows/types.ts';

/** One editable request parameter: its wire name as the label, and a one-line explanation. */
export function ParameterField(props: {
  definition: ParameterDefinition;
  value: string;
  onChange: (value: string) => void;
  onFocus?: () => void;
  disabled?: boolean;
}) {
  const { definition, value } = props;
  const id = `param-${definition.name}`;
  const helpId = `${id}-help`;
  const common = {
    id,
    value,
    'aria-describedby': helpId,
    disabled: props.disabled ?? false,
    onFocus: props.onFocus,
  };
  return (
    <div className="field param">
      <label htmlFor={id}>
        <code>{definition.name}</code>
        {definition.required === true && <span className="required"> (required)</span>}
      </label>
      {definition.options !== undefined ? (
        <select {...common} onChange={(e) => props.onChange(e.target.value)}>
          {definition.options.map((option) => (
            <option key={option} value={option}>
              {option === '' ? '(not sent)' : option}
            </option>
          ))}
        </select>
      ) : (
        <input
          {...common}
          spellCheck={false}
          autoComplete="off"
          onChange={(e) => props.onChange(e.target.value)}
        />
      )}
      <p id={helpId} className="help">
        {definition.explanation} <span className="spec">{definition.spec}</span>
      </p>
    </div>
  );
}
