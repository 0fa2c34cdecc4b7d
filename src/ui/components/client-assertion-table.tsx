import type { SignedAssertion } from '../../flows/client-credentials.ts';
import { CLIENT_ASSERTION_FIELDS } from '../../protocol/client-assertion.ts';

/** A signed client assertion's header fields and claims, each with what it means and its source. */
export function ClientAssertionTable({ assertion }: { readonly assertion: SignedAssertion }) {
  const header = assertion.header as unknown as Readonly<Record<string, unknown>>;
  const claims = assertion.claims as unknown as Readonly<Record<string, unknown>>;
  return (
    <div className="lab-table-scroll">
      <table className="lab-table">
        <caption>What the assertion says, and why</caption>
        <thead>
          <tr>
            <th scope="col">Field</th>
            <th scope="col">Value</th>
            <th scope="col">Meaning</th>
          </tr>
        </thead>
        <tbody>
          {CLIENT_ASSERTION_FIELDS.map((field) => {
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
