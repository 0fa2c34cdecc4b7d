import { Link } from 'react-router';

export default function NotFound() {
  return (
    <section aria-labelledby="nf-title">
      <h1 id="nf-title">No such page</h1>
      <p>
        Nothing lives at this address. <Link to="/">See all flows</Link>.
      </p>
    </section>
  );
}
