import { describe, expect, test } from 'vitest';
import { buildSequenceDiagram } from '../diagram.ts';
import { ATTACK_DEFINITIONS } from './definitions.ts';
import { ATTACK_LOADERS, ATTACKS, attackPath, builtAttacks, findAttack } from './registry.ts';
import { ATTACK_MODES, ATTACKER } from './types.ts';

describe('attack catalogue', () => {
  test('ids are unique URL segments', () => {
    const ids = ATTACKS.map((attack) => attack.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z][a-z0-9-]*$/);
    expect(attackPath('login-csrf')).toBe('/attacks/login-csrf');
  });

  test('findAttack finds built attacks only, and nothing for odd ids', () => {
    expect(findAttack('login-csrf')?.entry.title).toBe('Login CSRF without state');
    expect(findAttack('__proto__')).toBeUndefined();
    expect(findAttack('')).toBeUndefined();
    for (const attack of ATTACKS)
      expect(findAttack(attack.id) === undefined).toBe(ATTACK_LOADERS[attack.id] === undefined);
  });

  test('the list of every definition (for the diagram renderer and the text tests) is what the pages load', async () => {
    const loaded = await Promise.all(builtAttacks().map((entry) => ATTACK_LOADERS[entry.id]?.()));
    expect(ATTACK_DEFINITIONS).toEqual(loaded);
  });
});

// Every attack plugged into the registry is checked here as it is loaded by its page.
describe.each(builtAttacks().map((entry) => [entry.id, entry] as const))('attack %s', (id, entry) => {
  const load = async () => {
    const loader = ATTACK_LOADERS[entry.id];
    if (loader === undefined) throw new Error(`${id} has no loader`);
    return loader();
  };

  test('its definition matches its catalogue entry', async () => {
    const attack = await load();
    expect({ id: attack.id, title: attack.title, defence: attack.defence, summary: attack.summary }).toEqual(
      entry,
    );
  });

  test('the attacker takes part, every step has a known actor, the specs are cited', async () => {
    const attack = await load();
    const actors = new Set(attack.actors.map((actor) => actor.id));
    expect(actors.has(ATTACKER)).toBe(true);
    expect(attack.steps.some((step) => step.actor === ATTACKER)).toBe(true);
    for (const step of attack.steps) expect(actors, step.id).toContain(step.actor);
    expect(new Set(attack.steps.map((s) => s.id)).size).toBe(attack.steps.length);
    expect(attack.specs.length).toBeGreaterThan(0);
    for (const spec of attack.specs) expect(spec.href).toMatch(/^https:\/\//);
  });

  test('one run shows the attack working, the other the defence stopping it', async () => {
    const attack = await load();
    expect(ATTACK_MODES.map((mode) => attack.runs[mode].expected)).toEqual(['attack-works', 'defence-stops']);
    // A sandbox switch may only ever be turned on by the vulnerable run.
    expect(Object.values(attack.runs.defended.switches ?? {}).some((on) => on)).toBe(false);
    expect(attack.initialContext('defended').mode).toBe('defended');
  });

  test('the diagram draws the attacker, and each message belongs to a step and a declared actor', async () => {
    const attack = await load();
    const steps = new Set(attack.steps.map((s) => s.id));
    const actors = new Set(attack.diagram.actors.map((a) => a.id));
    expect(actors.has(ATTACKER)).toBe(true);
    for (const message of attack.diagram.messages) {
      expect(steps, message.text).toContain(message.step);
      expect(actors, message.text).toContain(message.from);
      expect(actors, message.text).toContain(message.to);
      if (message.variant !== undefined) expect(ATTACK_MODES).toContain(message.variant);
    }
    expect(attack.diagram.messages.some((m) => m.from === ATTACKER || m.to === ATTACKER)).toBe(true);
  });

  test('the attacker is drawn apart: labelled "Attacker (…)", alone in a tinted box titled Attacker', async () => {
    const attack = await load();
    for (const actors of [attack.actors, attack.diagram.actors]) {
      const attacker = actors.find((a) => a.id === ATTACKER);
      expect(attacker?.label).toMatch(/^Attacker \(.+\)$/);
      expect(actors.filter((a) => a.attacker === true).map((a) => a.id)).toEqual([ATTACKER]);
    }
    for (const mode of ATTACK_MODES) {
      const lines = buildSequenceDiagram({
        actors: attack.diagram.actors,
        messages: attack.diagram.messages.filter((m) => m.variant === undefined || m.variant === mode),
      }).split('\n');
      const at = lines.findIndex((line) => /^ {2}participant attacker as /.test(line));
      expect(lines[at - 1]).toMatch(/^ {2}box rgb\(\d+, \d+, \d+\) Attacker$/);
      expect(lines[at + 1]).toBe('  end');
      expect(lines.filter((line) => line.trimStart().startsWith('box ')).length).toBe(1);
    }
  });

  // Snapshots of this file cover the attack lab's own attacks; the others snapshot theirs beside their code.
  if (id === 'login-csrf' || id === 'id-token-replay')
    test('sequence diagram text', async () => {
      const attack = await load();
      for (const mode of ATTACK_MODES) {
        const spec = {
          actors: attack.diagram.actors,
          messages: attack.diagram.messages.filter((m) => m.variant === undefined || m.variant === mode),
        };
        expect(buildSequenceDiagram(spec)).toMatchSnapshot(mode);
      }
    });
});
