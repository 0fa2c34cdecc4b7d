import { Link } from 'react-router';
import { FLOWS, flowPath } from '../../flows/registry.ts';

export function Home() {
  return (
    <section aria-labelledby="home-title">
      <h1 id="home-title">OAuth 2.0 and OpenID Connect, one step at a time</h1>
      <p className="lede">
        Pick a grant. Each step shows the request it sends and why, the raw HTTP exchange, and the tokens
        decoded claim by claim. It runs against the built-in sandbox tenant (no account needed) or your own
        Entra ID tenant — see <Link to="/settings">Settings</Link>.
      </p>
      <ul className="flow-list">
        {FLOWS.map((flow) => (
          <li key={flow.id}>
            <h2>
              <Link to={flowPath(flow.id)}>{flow.title}</Link>
            </h2>
            <p>{flow.whenToUse}</p>
          </li>
        ))}
      </ul>
    </section>
  );
}
