import { createRef } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, test } from 'vitest';
import type { AttackDefinition, AttackRunRecord } from '../../flows/attacks/types.ts';
import { Outcome, RunPanel } from './attack.tsx';

const ATTACK: AttackDefinition = {
  id: 'test-attack',
  title: 'Test attack',
  defence: 'test',
  summary: 'A test.',
  specs: [],
  actors: [
    { id: 'attacker', label: 'Attacker' },
    { id: 'client', label: 'App' },
  ],
  runs: {
    vulnerable: {
      title: 'off',
      explanation: 'Off.',
      switches: { wildcardRedirectUris: true },
      appDefenceOff: 'the test check is skipped.',
      expected: 'attack-works',
    },
    defended: { title: 'on', explanation: 'On.', expected: 'defence-stops' },
  },
  initialContext: (mode) => ({ mode }),
  steps: [
    {
      id: 'steal',
      title: 'Steal it',
      actor: 'attacker',
      why: 'Because.',
      spec: 'RFC 9700 §4',
      run: (ctx) => ({ ctx, said: '' }),
    },
    {
      id: 'use',
      title: 'Use it',
      actor: 'client',
      why: 'Because.',
      spec: 'RFC 9700 §4',
      run: (ctx) => ({ ctx, said: '' }),
    },
  ],
  diagram: { actors: [], messages: [] },
};

function text(markup: string): string {
  return markup
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#x27;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}

const outcome = (record: AttackRunRecord) =>
  text(renderToStaticMarkup(<Outcome attack={ATTACK} record={record} outcomeRef={createRef()} />));

describe('attack page: outcome', () => {
  test('the defence stopping the attack, with the refusal verbatim', () => {
    const shown = outcome({
      mode: 'defended',
      steps: [],
      switchesReset: true,
      verdict: {
        attackWorked: false,
        why: 'It was refused.',
        refusal: { code: 'STATE_MISMATCH', message: 'Not this browser’s.' },
      },
    });
    expect(shown).toContain('The defence stopped it');
    expect(shown).toContain('Refused with STATE_MISMATCH : Not this browser’s.');
    expect(shown).not.toContain('Not what this run should show');
  });

  test('an expected refusal (AADSTS50011 on exact matching) reads as the defence, not as a fault to fix', () => {
    const shown = outcome({
      mode: 'defended',
      steps: [],
      switchesReset: true,
      verdict: {
        attackWorked: false,
        why: 'Not registered character for character.',
        refusal: {
          code: 'AADSTS50011',
          message: 'The redirect URI does not match the redirect URIs configured for the application.',
        },
      },
    });
    expect(shown).toContain('This refusal is the defence at work, not an error to fix');
    expect(shown.split('AADSTS50011').length - 1).toBe(1);
    expect(shown).not.toMatch(/What to do|Settings|\?/);
    expect(shown).not.toMatch(/[.!?]\s*[.!?]/);
  });

  test('a refusal in the run that should have let the attack through is not called the defence at work', () => {
    const shown = outcome({
      mode: 'vulnerable',
      steps: [],
      switchesReset: true,
      verdict: { attackWorked: false, why: 'Refused.', refusal: { code: 'invalid_grant', message: 'No.' } },
    });
    expect(shown).toContain('Not what this run should show (the attack working)');
    expect(shown).not.toContain('defence at work');
  });

  test('a message that begins with its code (AADSTS501481: …) shows the code once', () => {
    const shown = outcome({
      mode: 'defended',
      steps: [],
      switchesReset: true,
      verdict: {
        attackWorked: false,
        why: 'No verifier.',
        refusal: { code: 'AADSTS501481', message: 'AADSTS501481: The Code_Verifier does not match.' },
      },
    });
    expect(shown).toContain('Refused with AADSTS501481 : The Code_Verifier does not match.');
    expect(shown.split('AADSTS501481').length - 1).toBe(1);
  });

  test('a verdict against the run’s expectation is flagged, and a failed cleanup or reset is said', () => {
    const shown = outcome({
      mode: 'defended',
      steps: [],
      switchesReset: false,
      cleanupFailed: 'the portal did not answer.',
      verdict: { attackWorked: true, why: 'It worked.' },
    });
    expect(shown).toContain('The attack worked');
    expect(shown).toContain('Not what this run should show (the defence stopping it)');
    expect(shown).toContain('go off by themselves within two minutes');
    expect(shown).toContain('could not be put back: the portal did not answer.');
  });

  test('switches the sandbox refused: the run did not start, and why', () => {
    const shown = outcome({
      mode: 'vulnerable',
      steps: [],
      switchesReset: false,
      failure: { stepId: 'switches', code: 'NETWORK_ERROR', message: 'localhost:5174 did not answer.' },
    });
    expect(shown).toContain('The run did not finish');
    expect(shown).toContain('could not be turned on');
    expect(shown).toContain('localhost:5174 did not answer.');
  });
});

describe('attack page: outcome of a broken run', () => {
  test('a failure with no step of its own is shown under the outcome', () => {
    const shown = outcome({
      mode: 'defended',
      steps: [],
      switchesReset: true,
      failure: { stepId: 'run', code: 'BUG', message: 'initialContext is not a function' },
    });
    expect(shown).toContain('The run did not finish');
    expect(shown).toContain('initialContext is not a function');
    expect(shown).not.toContain('could not be turned on');
  });
});

describe('attack page: run panel', () => {
  const panel = (record?: AttackRunRecord) =>
    text(
      renderToStaticMarkup(
        <RunPanel
          attack={ATTACK}
          mode={record?.mode ?? 'vulnerable'}
          record={record}
          progress={undefined}
          running={false}
          disabled={false}
          onRun={() => undefined}
        />,
      ),
    );

  test('before a run: marked vulnerable, the switch and the skipped check named, every step listed', () => {
    const shown = panel();
    expect(shown).toContain('vulnerable');
    expect(shown).toContain('Vulnerable mode, for this run only.');
    expect(shown).toContain('Wildcard redirect URIs match any address with their prefix');
    expect(shown).toContain('the test check is skipped.');
    expect(shown).toContain('Attacker: Steal it (not run yet)');
    expect(shown).toContain('App: Use it (not run yet)');
  });

  test('a why that cites its section already is not cited again; one that does not gets it added', () => {
    const steps = ATTACK.steps.map((step, index) =>
      index === 0 ? { ...step, why: 'Any program can listen there (RFC 9700 §4).' } : step,
    );
    const shown = text(
      renderToStaticMarkup(
        <RunPanel
          attack={{ ...ATTACK, steps }}
          mode="defended"
          record={{
            mode: 'defended',
            steps: [
              { id: 'steal', status: 'done', said: 'Stolen.' },
              { id: 'use', status: 'done', said: 'Used.' },
            ],
            switchesReset: true,
            verdict: { attackWorked: false, why: 'Stopped.' },
          }}
          progress={undefined}
          running={false}
          disabled={false}
          onRun={() => undefined}
        />,
      ),
    );
    expect(shown).toContain('Why: Any program can listen there (RFC 9700 §4). Stolen.');
    expect(shown).toContain('Why: Because. (RFC 9700 §4) Used.');
  });

  test('after a verdict: the steps the run never reached say so', () => {
    const shown = panel({
      mode: 'defended',
      steps: [{ id: 'steal', status: 'done', said: 'Stolen.' }],
      switchesReset: true,
      verdict: { attackWorked: false, why: 'Stopped.' },
    });
    expect(shown).toContain('Stolen.');
    expect(shown).toContain('Use it (not reached: the run ended before this step)');
    expect(shown).not.toContain('Vulnerable mode');
  });
});
