import { Link } from 'react-router';
import { FLOWS, flowPath, type FlowId } from '../../flows/registry.ts';

/** The routes beyond RFC 6749's grants, listed under their own heading. */
const BEYOND_THE_GUIDE: readonly FlowId[] = [
  'dpop',
  'token-exchange',
  'token-management',
  'dynamic-registration',
];

function FlowList({ flows }: { readonly flows: readonly (typeof FLOWS)[number][] }) {
  return (
    <ul className="flow-list">
      {flows.map((flow) => (
        <li key={flow.id}>
          <h3>
            <Link to={flowPath(flow.id)}>{flow.title}</Link>
          </h3>
          <p>{flow.whenToUse}</p>
        </li>
      ))}
    </ul>
  );
}

export function Home() {
  return (
    <section aria-labelledby="home-title">
      <h1 id="home-title">OAuth 2.0 and OpenID Connect, one step at a time</h1>
      <p className="lede">
        Pick a grant. Each step shows the request it sends and why, the raw HTTP exchange, and the tokens
        decoded claim by claim. It runs against the built-in sandbox tenant (no account needed) or your own
        Entra ID tenant — see <Link to="/settings">Settings</Link>.
      </p>
      <p className="note home-chooser">
        <strong>
          <Link to="/choose">Which flow should I use?</Link>
        </strong>{' '}
        Up to four questions about your app lead to the grant to use, the ones to avoid, and how to register
        it.
      </p>
      <h2>The grants</h2>
      <FlowList flows={FLOWS.filter((flow) => !BEYOND_THE_GUIDE.includes(flow.id))} />
      <h2>Beyond the guide</h2>
      <p>
        What came after the core grants: sender-constrained tokens, token exchange, asking the server about a
        token, registering a client over HTTP. Entra ID has few of them; the sandbox’s standards issuer (a
        preset in <Link to="/settings">Settings</Link>) has them all.
      </p>
      <FlowList flows={FLOWS.filter((flow) => BEYOND_THE_GUIDE.includes(flow.id))} />
      <h2>Debugging your own app</h2>
      <p>
        Sign-in fails with an AADSTS error? Paste the app registration’s manifest into the{' '}
        <Link to="/registration-check">registration checker</Link>: pick the flow and tenant you use, and it
        lists what Entra will refuse and how to fix it, without sending the manifest anywhere.
      </p>
    </section>
  );
}
