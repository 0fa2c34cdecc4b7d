import { Link } from 'react-router';
import { attackPath, builtAttacks } from '../../flows/attacks/registry.ts';
import './attack.css';

/** The attack lab's index, `/attacks`: each attack, and the defence it shows, in one line. */
export default function AttacksPage() {
  return (
    <section aria-labelledby="attacks-title">
      <h1 id="attacks-title">Attack lab</h1>
      <p className="lede">
        Why the defences exist. Each attack runs twice against the sandbox tenant: once with its defence
        switched off, to show the harm, and once with it on, to show the defence stopping it. The switches
        exist only on the sandbox and are off again as soon as a run ends; nothing leaves this machine.
      </p>
      <ul className="attack-index">
        {builtAttacks().map((attack) => (
          <li key={attack.id}>
            <h2>
              <Link to={attackPath(attack.id)}>{attack.title}</Link>
            </h2>
            <p>
              <strong>Defence: {attack.defence}.</strong> {attack.summary}
            </p>
          </li>
        ))}
      </ul>
    </section>
  );
}
