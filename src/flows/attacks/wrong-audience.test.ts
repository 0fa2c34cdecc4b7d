import { describe, expect, test } from 'vitest';
import { buildSequenceDiagram } from '../diagram.ts';
import { ATTACK_MODES, type AttackDeps } from './types.ts';
import { wrongAudienceAttack } from './wrong-audience.ts';
import { PAYROLL_API_PATH, payrollApiResource } from './wrong-audience-api.ts';

const SANDBOX = 'http://localhost:5174';

function stub(answer: () => Response): { deps: AttackDeps; calls: { url: string; auth: string | null }[] } {
  const calls: { url: string; auth: string | null }[] = [];
  return {
    calls,
    deps: {
      fetch: async (url, init) => {
        calls.push({ url, auth: new Headers(init.headers).get('authorization') });
        return answer();
      },
      now: () => 0,
      relayAvailable: false,
      appOrigin: 'http://localhost:5173',
      sandboxOrigin: SANDBOX,
      redirectUri: 'http://localhost:5173/callback',
    },
  };
}

const replay = wrongAudienceAttack.steps.find((s) => s.id === 'replay');
if (replay === undefined) throw new Error('no replay step');
const ctx = { mode: 'vulnerable' as const, accessToken: 'token-for-api-a' };

describe('wrong audience: API A replays the token to the payroll API', () => {
  test('the same token goes to the payroll API; a 200 is the attack working', async () => {
    const { deps, calls } = stub(() =>
      Response.json({ employee: 'Adele Vance', monthlySalary: 'EUR 1', iban: 'X' }),
    );
    const outcome = await replay.run(ctx, deps);
    expect(calls).toEqual([{ url: `${SANDBOX}${PAYROLL_API_PATH}`, auth: 'Bearer token-for-api-a' }]);
    expect(outcome.verdict?.attackWorked).toBe(true);
    expect(outcome.facts?.[0]).toEqual({ label: 'Employee', value: 'Adele Vance' });
    // The bearer token is masked in the raw HTTP view.
    expect(outcome.exchanges?.[0]?.request.secretFields).toContain('authorization');
  });

  test('401 invalid_token is the aud check refusing', async () => {
    const { deps } = stub(() =>
      Response.json({ error: 'invalid_token', error_description: 'aud must be it' }, { status: 401 }),
    );
    const outcome = await replay.run(ctx, deps);
    expect(outcome.verdict).toMatchObject({
      attackWorked: false,
      refusal: { code: 'invalid_token', message: 'aud must be it' },
    });
    // The refusal is the outcome's to show: the step names the audience the API requires, not the error.
    expect(outcome.facts?.map((f) => f.value)).toEqual([payrollApiResource(SANDBOX)]);
  });

  test('anything else (no token sent, a server error) is a broken run, not a verdict', async () => {
    for (const response of [
      () => Response.json({ error: 'invalid_request' }, { status: 401 }),
      () => new Response('oops', { status: 500 }),
    ]) {
      await expect(replay.run(ctx, stub(response).deps)).rejects.toThrow(/payroll API answered/);
    }
  });
});

describe('wrong audience diagram', () => {
  test.each(ATTACK_MODES)('%s run', (mode) => {
    const { actors, messages } = wrongAudienceAttack.diagram;
    const spec = { actors, messages: messages.filter((m) => m.variant === undefined || m.variant === mode) };
    expect(buildSequenceDiagram(spec)).toMatchSnapshot();
  });
});
