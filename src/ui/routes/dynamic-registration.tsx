import { dynamicRegistrationFlow as flow } from '../../flows/dynamic-registration.ts';

/** Stub page, replaced while issue 13 is built. */
export default function DynamicRegistrationPage() {
  return (
    <section aria-labelledby="flow-title">
      <h1 id="flow-title">{flow.title}</h1>
      <p>{flow.whenToUse}</p>
    </section>
  );
}
