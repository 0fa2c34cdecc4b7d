/**
 * Property tests (fast-check) run from one fixed seed so that `npm test` gives the same answer on every
 * machine and CI run. FC_SEED=<number> replays another seed; FC_SEED=random explores new ones.
 */
import fc from 'fast-check';

const wanted = process.env['FC_SEED'];
if (wanted !== 'random') {
  const seed = wanted === undefined || wanted === '' ? 20261130 : Number(wanted);
  fc.configureGlobal({ seed: Number.isFinite(seed) ? seed : 20261130 });
}
