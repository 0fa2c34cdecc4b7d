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
        switched off, to show the harm, and once with it on, to show the defence stopping it. A defence is off
        only inside an attack run: on the sandbox, through switches that exist only there and go off as soon
        as the run ends; in this app, in the attack’s own code, never in the flows. Nothing leaves this
        machine.
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
