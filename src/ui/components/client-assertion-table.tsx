import type { SignedAssertion } from '../../flows/client-credentials.ts';
import { CLIENT_ASSERTION_FIELDS } from '../../protocol/client-assertion.ts';
import { AssertionFieldsTable } from './assertion-fields-table.tsx';

export { AssertionFieldsTable, type AssertionField } from './assertion-fields-table.tsx';

/** A signed client assertion's header fields and claims, each with what it means and its source. */
export function ClientAssertionTable({ assertion }: { readonly assertion: SignedAssertion }) {
  return (
    <AssertionFieldsTable
      header={assertion.header}
      claims={assertion.claims}
      fields={CLIENT_ASSERTION_FIELDS}
      caption="What the assertion says, and why"
    />
  );
}
