import { dpopFlow as flow } from '../../flows/dpop.ts';

/** Stub page, replaced while issue 13 is built. */
export default function DpopPage() {
  return (
    <section aria-labelledby="flow-title">
      <h1 id="flow-title">{flow.title}</h1>
      <p>{flow.whenToUse}</p>
    </section>
  );
}
