/**
 * Runs one attack in one mode: turns the run's sandbox switches on, takes the steps in order until one
 * gives a verdict, and turns the switches off again whatever happened. A throw is a failed run, kept
 * with its step; it is never mistaken for the defence working.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4
 */
import { runStep, toStepFailure } from '../runner.ts';
import { resetSwitches, setSwitches } from './sandbox-lab.ts';
import type {
  AttackContext,
  AttackDefinition,
  AttackDeps,
  AttackMode,
  AttackRunRecord,
  AttackStepRecord,
} from './types.ts';

/**
 * The steps a run in `mode` takes, in order.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4
 */
export function stepsForMode<Ctx extends AttackContext>(
  attack: AttackDefinition<Ctx>,
  mode: AttackMode,
): AttackDefinition<Ctx>['steps'] {
  return attack.steps.filter((step) => step.only === undefined || step.only === mode);
}

/**
 * Runs `attack` in `mode` against the sandbox, reporting each step as it finishes.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4
 */
export async function runAttack<Ctx extends AttackContext>(
  attack: AttackDefinition<Ctx>,
  mode: AttackMode,
  deps: AttackDeps,
  onStep: (record: AttackStepRecord, index: number) => void = () => undefined,
): Promise<AttackRunRecord> {
  const run = attack.runs[mode];
  const switches = run.switches ?? {};
  const anySwitch = Object.values(switches).some((on) => on === true);
  const steps: AttackStepRecord[] = [];
  let ctx = attack.initialContext(mode);
  const finish = async (
    rest: Omit<AttackRunRecord, 'mode' | 'steps' | 'switchesReset' | 'cleanupFailed'>,
  ): Promise<AttackRunRecord> => {
    let switchesReset = true;
    // Always, even after a failure: the sandbox must not stay vulnerable (it also resets by itself).
    if (anySwitch)
      switchesReset = await resetSwitches(deps).then(
        () => true,
        () => false,
      );
    let cleanupFailed: string | undefined;
    if (attack.cleanup !== undefined) {
      try {
        await attack.cleanup(ctx, deps);
      } catch (error) {
        cleanupFailed = toStepFailure(error).message;
      }
    }
    return { mode, steps, switchesReset, ...(cleanupFailed === undefined ? {} : { cleanupFailed }), ...rest };
  };
  if (anySwitch) {
    try {
      await setSwitches(switches, deps);
    } catch (error) {
      return finish({ failure: { ...toStepFailure(error), stepId: 'switches' } });
    }
  }
  for (const [index, step] of stepsForMode(attack, mode).entries()) {
    const result = await runStep((current: Ctx) => step.run(current, deps), ctx, deps);
    if (!result.ok) {
      const record: AttackStepRecord = { id: step.id, status: 'failed', failure: result.failure };
      steps.push(record);
      onStep(record, index);
      return finish({ failure: { ...result.failure, stepId: step.id } });
    }
    const outcome = result.patch;
    ctx = outcome.ctx;
    const record: AttackStepRecord = {
      id: step.id,
      status: 'done',
      said: outcome.said,
      ...(outcome.facts === undefined ? {} : { facts: outcome.facts }),
      ...(outcome.exchanges === undefined ? {} : { exchanges: outcome.exchanges }),
    };
    steps.push(record);
    onStep(record, index);
    if (outcome.verdict !== undefined) return finish({ verdict: outcome.verdict });
  }
  return finish({
    failure: {
      code: 'BUG',
      message: `The ${mode} run of ${attack.id} took every step without reaching a verdict.`,
      stepId: steps.at(-1)?.id ?? 'switches',
    },
  });
}
