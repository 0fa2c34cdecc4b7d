/**
 * A signed assertion's explained fields as a table. Kept apart from the client assertion's signer
 * (protocol/client-assertion.ts, which brings jose) so a page can show any assertion's fields without
 * loading a JOSE library.
 */

/** One explained field of a signed assertion: its name, what it means, and where that is defined. */
export interface AssertionField {
  readonly name: string;
  readonly spec: string;
  readonly meaning: string;
}

/** Any signed assertion's fields, looked up in its header then its claims, each with its meaning. */
export function AssertionFieldsTable(props: {
  readonly header: object;
  readonly claims: object;
  readonly fields: readonly AssertionField[];
  readonly caption: string;
}) {
  const header = props.header as Readonly<Record<string, unknown>>;
  const claims = props.claims as Readonly<Record<string, unknown>>;
  return (
    <div className="lab-table-scroll">
      <table className="lab-table">
        <caption>{props.caption}</caption>
        <thead>
          <tr>
            <th scope="col">Field</th>
            <th scope="col">Value</th>
            <th scope="col">Meaning</th>
          </tr>
        </thead>
        <tbody>
          {props.fields.map((field) => {
            const value = header[field.name] ?? claims[field.name];
            if (value === undefined) return null;
            return (
              <tr key={field.name}>
                <th scope="row">
                  <code>{field.name}</code>
                </th>
                <td className="wrap">
                  <code>{String(value)}</code>
                </td>
                <td>
                  {field.meaning} <span className="spec">{field.spec}</span>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
