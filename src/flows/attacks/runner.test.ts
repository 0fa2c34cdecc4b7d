import { describe, expect, test } from 'vitest';
import { ProtocolViolationError } from '../../protocol/errors.ts';
import { runAttack, stepsForMode } from './runner.ts';
import type { AttackContext, AttackDefinition, AttackDeps } from './types.ts';

interface Ctx extends AttackContext {
  readonly visited: readonly string[];
}

function stubDeps(answer: (url: string, body: string) => Response = () => Response.json({})) {
  const calls: { url: string; body: string }[] = [];
  const deps: AttackDeps = {
    fetch: async (input, init) => {
      const body = typeof init.body === 'string' ? init.body : '';
      calls.push({ url: input, body });
      return answer(input, body);
    },
    now: () => 0,
    relayAvailable: false,
    appOrigin: 'http://localhost:5173',
    sandboxOrigin: 'http://localhost:5174',
    redirectUri: 'http://localhost:5173/callback',
  };
  return { deps, calls };
}

function attack(overrides: Partial<AttackDefinition<Ctx>> = {}): AttackDefinition<Ctx> {
  return {
    id: 'test-attack',
    title: 'Test',
    defence: 'test',
    summary: 'A test.',
    specs: [],
    actors: [{ id: 'attacker', label: 'Attacker' }],
    runs: {
      vulnerable: {
        title: 'off',
        explanation: 'off',
        switches: { wildcardRedirectUris: true },
        expected: 'attack-works',
      },
      defended: { title: 'on', explanation: 'on', expected: 'defence-stops' },
    },
    initialContext: (mode) => ({ mode, visited: [] }),
    steps: [
      {
        id: 'one',
        title: 'One',
        actor: 'attacker',
        why: '',
        spec: '',
        run: (ctx) => ({ ctx: { ...ctx, visited: [...ctx.visited, 'one'] }, said: 'one' }),
      },
      {
        id: 'only-defended',
        title: 'Defended only',
        actor: 'attacker',
        why: '',
        spec: '',
        only: 'defended',
        run: (ctx) => ({
          ctx,
          said: 'stopped',
          verdict: { attackWorked: false, why: `stopped after ${ctx.visited.join(',')}` },
        }),
      },
      {
        id: 'end',
        title: 'End',
        actor: 'attacker',
        why: '',
        spec: '',
        run: (ctx) => ({ ctx, said: 'worked', verdict: { attackWorked: true, why: 'worked' } }),
      },
    ],
    diagram: { actors: [], messages: [] },
    ...overrides,
  };
}

describe('runAttack', () => {
  test('vulnerable run: switches on first, steps of that mode only, switches reset last', async () => {
    const { deps, calls } = stubDeps();
    const seen: string[] = [];
    const record = await runAttack(attack(), 'vulnerable', deps, (step) => seen.push(step.id));
    expect(seen).toEqual(['one', 'end']);
    expect(record.verdict).toEqual({ attackWorked: true, why: 'worked' });
    expect(record.switchesReset).toBe(true);
    expect(calls.map((c) => JSON.parse(c.body) as unknown)).toEqual([
      { wildcardRedirectUris: true },
      { reset: true },
    ]);
    expect(calls.every((c) => c.url === 'http://localhost:5174/attack-lab/switches')).toBe(true);
  });

  test('defended run: no switch request at all, the first verdict ends the run', async () => {
    const { deps, calls } = stubDeps();
    const record = await runAttack(attack(), 'defended', deps);
    expect(calls).toEqual([]);
    expect(record.steps.map((s) => s.id)).toEqual(['one', 'only-defended']);
    expect(record.verdict?.why).toBe('stopped after one');
  });

  test('a step that throws fails the run with its error, never a verdict, and the switches are still reset', async () => {
    const { deps, calls } = stubDeps();
    const failing = attack({
      steps: [
        {
          id: 'boom',
          title: 'Boom',
          actor: 'attacker',
          why: '',
          spec: '',
          run: () => {
            throw new ProtocolViolationError('INVALID_RESPONSE', 'no code came back');
          },
        },
      ],
    });
    const record = await runAttack(failing, 'vulnerable', deps);
    expect(record.verdict).toBeUndefined();
    expect(record.failure).toMatchObject({ stepId: 'boom', code: 'INVALID_RESPONSE' });
    expect(JSON.parse(calls.at(-1)?.body ?? '')).toEqual({ reset: true });
  });

  test('a sandbox that refuses the switches stops the run before any step', async () => {
    const { deps } = stubDeps(() =>
      Response.json({ error: 'forbidden', error_description: 'no' }, { status: 403 }),
    );
    const record = await runAttack(attack(), 'vulnerable', deps);
    expect(record.steps).toEqual([]);
    expect(record.failure?.stepId).toBe('switches');
    expect(record.switchesReset).toBe(false);
  });

  test('steps with no verdict at the end are a bug, not an outcome', async () => {
    const { deps } = stubDeps();
    const noVerdict = attack({ steps: attack().steps.slice(0, 1) });
    const record = await runAttack(noVerdict, 'defended', deps);
    expect(record.failure?.code).toBe('BUG');
  });

  test('cleanup runs after the last step and after a failure, with the latest context; its failure is reported', async () => {
    const { deps } = stubDeps();
    const cleaned: string[][] = [];
    const withCleanup = attack({
      cleanup: async (ctx) => {
        cleaned.push([...ctx.visited]);
        if (ctx.mode === 'vulnerable') throw new Error('the portal did not answer.');
      },
    });
    const defended = await runAttack(withCleanup, 'defended', deps);
    expect(defended.cleanupFailed).toBeUndefined();
    const vulnerable = await runAttack(withCleanup, 'vulnerable', deps);
    expect(vulnerable.verdict?.attackWorked).toBe(true);
    expect(vulnerable.cleanupFailed).toBe('the portal did not answer.');
    expect(cleaned).toEqual([['one'], ['one']]);
  });

  test('stepsForMode keeps the order and drops the other mode’s steps', () => {
    expect(stepsForMode(attack(), 'vulnerable').map((s) => s.id)).toEqual(['one', 'end']);
  });
});
