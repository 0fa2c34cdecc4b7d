/**
 * Section 7 (`npm run bench -- --only=workshop`; not part of a plain `npm run bench`): a class on one
 * sandbox tenant (issue 15). N authorization code + PKCE flows (half of them Megan's, with her
 * verification code), N/5 device code flows and N/5 client credentials flows, all started at once,
 * through a round-robin reverse proxy on loopback (workshop-proxy.ts) that sends each successive request
 * of a flow to the other instance. Measured twice in the same run, with the same load and the same proxy:
 *
 *   1. one sandbox instance with the in-memory store (the comparison);
 *   2. two sandbox instances, separate processes, on one Redis (a throwaway `redis-server` the bench
 *      starts on port 47391) with a key prefix of this run, both told the proxy is their public origin.
 *
 * Reported: completed flows, errors (the first few messages), crossed sessions (a token naming another
 * flow's user or request: every token is checked, workshop-flows.ts), p50/p99 per flow kind in both
 * set-ups and their p99 ratio, and Redis `used_memory` and the run's keys before the load (once the
 * warm-up's artifacts have expired), right after it, and once its own have: every instance runs with
 * artifact lifetimes cut to MAX_ARTIFACT_LIFETIME_S, so that takes about two minutes. `--workshop-n=N`
 * sets N (500).
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { SANDBOX_TENANT } from '../../server/sandbox/seed.ts';
import { figureFor, heading, kb, printFigures, type Figure, type SectionResult } from './report.ts';
import { startProcess, TSX, type Started } from './servers.ts';
import {
  FLOW_KINDS,
  KIND_LABEL,
  kindStats,
  runWorkshopLoad,
  type FlowKind,
  type KindStats,
  type LoadPlan,
  type WorkshopRun,
} from './workshop-flows.ts';
import { startWorkshopProxy, type ProxyStats, type WorkshopProxy } from './workshop-proxy.ts';
import { startBenchRedis, type BenchRedis, type KeyKind } from './workshop-redis.ts';

const SECTION = 'Workshop';
const figure = figureFor(SECTION);

const REDIS_PORT = 47391;
const PROXY_PORT = 47392;
const INSTANCE_PORTS = [47393, 47394] as const;
const SINGLE_PORT = 47395;
/** Both instances read the signing key from the same folder (and the store, once it holds it). */
const DATA_DIR = '.sandbox/bench-workshop';

const DEFAULT_N = 500;
/** Flows of each kind run once before the measured load, so both set-ups are measured warm. */
const WARM_UP_PER_KIND = 10;
/**
 * Every artifact of the run lives at most this long (SANDBOX_MAX_ARTIFACT_LIFETIME_SECONDS, in every
 * instance, the comparison's too): long enough for the slowest flow under load to finish, short enough
 * that Redis can be seen empty of them within two minutes. Device-code poll records outlive their code
 * by as long again (at least a minute: device-polling.ts).
 */
const MAX_ARTIFACT_LIFETIME_S = 60;
/** How long the bench waits, at most, for the artifacts to expire from Redis before reading its memory. */
const EXPIRY_WAIT_MAX_MS = 150_000;
/**
 * Redis `used_memory` counts the allocator's bytes, which do not come back to the byte once keys are
 * gone (freed pages are reused, not returned); within this much of the start counts as back.
 */
const MEMORY_SLACK = 0.05;

/** N from `--workshop-n=N`; throws on anything but a positive integer. */
function workshopN(): number {
  const arg = process.argv.find((a) => a.startsWith('--workshop-n='))?.slice('--workshop-n='.length);
  if (arg === undefined) return DEFAULT_N;
  const n = Number(arg);
  if (!Number.isInteger(n) || n < 2)
    throw new Error(`--workshop-n must be an integer of 2 or more, not ${arg}`);
  return n;
}

/** N code flows, half of them the MFA user's; N/5 device code and N/5 client credentials flows. */
function planFor(n: number): LoadPlan {
  return {
    code: Math.ceil(n / 2),
    'code-mfa': Math.floor(n / 2),
    device: Math.ceil(n / 5),
    'client-credentials': Math.ceil(n / 5),
  };
}

const total = (plan: LoadPlan): number => FLOW_KINDS.reduce((sum, k) => sum + plan[k], 0);

/** One sandbox process on `port` whose public origin is the proxy's, with `env` on top. */
function startInstance(
  port: number,
  proxyOrigin: string,
  env: Record<string, string> = {},
): Promise<Started> {
  const origin = `http://localhost:${port}`;
  return startProcess(
    TSX,
    ['server/sandbox/main.ts'],
    {
      SANDBOX_PORT: String(port),
      SANDBOX_DATA_DIR: DATA_DIR,
      SANDBOX_PUBLIC_ORIGIN: proxyOrigin,
      SANDBOX_MAX_ARTIFACT_LIFETIME_SECONDS: String(MAX_ARTIFACT_LIFETIME_S),
      ...env,
    },
    [port],
    `${origin}/directory.json`,
    origin,
  );
}

/** The issuer an origin's discovery document names (OIDC Discovery §4). */
async function issuerAt(origin: string): Promise<string> {
  const res = await fetch(`${origin}/${SANDBOX_TENANT.id}/v2.0/.well-known/openid-configuration`);
  if (!res.ok) throw new Error(`discovery at ${origin}: ${res.status}`);
  return String(((await res.json()) as { issuer?: unknown }).issuer);
}

/** The key ids an instance publishes (its JWKS), sorted and joined: equal strings, same keys. */
async function keyIdsAt(origin: string): Promise<string> {
  const res = await fetch(`${origin}/${SANDBOX_TENANT.id}/discovery/v2.0/keys`);
  if (!res.ok) throw new Error(`key set at ${origin}: ${res.status}`);
  const { keys } = (await res.json()) as { keys: { kid?: string }[] };
  return keys
    .map((k) => k.kid ?? '')
    .sort()
    .join(',');
}

/** What one set-up measured. */
interface LoadResult {
  readonly wallMs: number;
  readonly all: KindStats;
  readonly kinds: Record<FlowKind, KindStats>;
  readonly proxy: ProxyStats;
  readonly runs: readonly WorkshopRun[];
  /** false: the load went straight to the one instance (it cannot sit behind the proxy); `note` says why. */
  readonly viaProxy: boolean;
  readonly note?: string;
}

/** Where a load is sent: the proxy, or one instance directly. */
type LoadTarget = Pick<WorkshopProxy, 'origin' | 'stats' | 'reset'>;

/** One instance addressed directly: no proxy, so no proxy counters. */
function direct(origin: string): LoadTarget {
  const none: ProxyStats = {
    requests: [],
    flows: 0,
    multiRequestFlows: 0,
    alternatingFlows: 0,
    failures: 0,
    firstFailures: [],
  };
  return { origin, stats: () => Promise.resolve(none), reset: () => Promise.resolve() };
}

function warmUpPlan(): LoadPlan {
  return Object.fromEntries(FLOW_KINDS.map((k) => [k, WARM_UP_PER_KIND])) as Record<FlowKind, number>;
}

/**
 * A warm-up load, then `beforeLoad`, then the measured load, then `afterLoad` (both read Redis in the
 * two-instance set-up). The proxy's counters cover the measured load only.
 */
async function measureLoad(
  proxy: LoadTarget,
  plan: LoadPlan,
  label: string,
  hooks: {
    beforeLoad?: () => Promise<void>;
    afterLoad?: () => Promise<void>;
    /** Set when `proxy` is the instance itself: why the load does not go through the proxy. */
    directBecause?: string;
  } = {},
): Promise<LoadResult> {
  const origin = new URL(proxy.origin);
  const warm = await runWorkshopLoad(origin, warmUpPlan(), `${label}-warm`);
  const warmFailed = warm.runs.filter((r) => r.error !== undefined);
  if (warmFailed.length > 0)
    console.log(
      `  warm-up: ${warmFailed.length} of ${warm.runs.length} flows failed, first: ${warmFailed[0]?.error ?? ''}`,
    );
  await hooks.beforeLoad?.();
  await proxy.reset();
  console.log(`  ${total(plan)} flows at once…`);
  const { runs, wallMs } = await runWorkshopLoad(origin, plan, label);
  await hooks.afterLoad?.();
  const kinds = Object.fromEntries(
    FLOW_KINDS.map((k) => [k, kindStats(runs.filter((r) => r.kind === k))]),
  ) as Record<FlowKind, KindStats>;
  const result: LoadResult = {
    wallMs,
    all: kindStats(runs),
    kinds,
    proxy: await proxy.stats(),
    runs,
    viaProxy: hooks.directBecause === undefined,
    ...(hooks.directBecause === undefined ? {} : { note: hooks.directBecause }),
  };
  printLoad(result);
  return result;
}

function formatSeconds(seconds: number): string {
  if (seconds >= 86_400) return `${(seconds / 86_400).toFixed(1)} d`;
  if (seconds >= 3_600) return `${(seconds / 3_600).toFixed(1)} h`;
  if (seconds >= 60) return `${(seconds / 60).toFixed(1)} min`;
  return `${seconds} s`;
}

const ms = (value: number): string =>
  Number.isNaN(value) ? 'n/a' : `${value < 10 ? value.toFixed(1) : Math.round(value).toString()} ms`;

function printLoad(result: LoadResult): void {
  const { all, proxy } = result;
  if (result.note !== undefined) console.log(`  (${result.note})`);
  console.log(
    `  ${all.completed} of ${all.flows} completed in ${(result.wallMs / 1000).toFixed(1)} s (${all.requests} requests, per request p50 ${ms(all.requestP50)}, p99 ${ms(all.requestP99)}); errors ${all.errors}, crossed ${all.crossed}`,
  );
  if (result.viaProxy) {
    const alternation =
      proxy.requests.length > 1
        ? `; ${proxy.alternatingFlows} of ${proxy.multiRequestFlows} flows alternated instances at every request`
        : '';
    console.log(
      `  proxy: requests per instance ${proxy.requests.join(' / ')}${alternation}; ${proxy.failures} bad gateways`,
    );
  }
  for (const kind of FLOW_KINDS) {
    const s = result.kinds[kind];
    console.log(
      `    ${KIND_LABEL[kind].padEnd(28)} ${String(s.completed).padStart(4)}/${String(s.flows).padEnd(4)} per flow p50 ${ms(s.p50)}, p99 ${ms(s.p99)}; per request p99 ${ms(s.requestP99)}`,
    );
  }
  for (const message of all.firstErrors) console.log(`    error: ${message}`);
  for (const message of proxy.firstFailures) console.log(`    proxy: ${message}`);
}

/** One instance, in-memory store, behind the same proxy. */
async function measureSingle(plan: LoadPlan): Promise<LoadResult> {
  heading('7.1 Workshop load on ONE sandbox instance, in-memory store (the comparison)');
  const proxyOrigin = `http://localhost:${PROXY_PORT}`;
  const instance = await startInstance(SINGLE_PORT, proxyOrigin);
  const proxy = await startWorkshopProxy(PROXY_PORT, [instance.origin]).catch(async (error: unknown) => {
    await instance.stop();
    throw error;
  });
  try {
    const issuer = await issuerAt(proxy.origin);
    if (issuer.startsWith(proxyOrigin)) return await measureLoad(proxy, plan, 'single');
    // Without a public origin the instance sends browsers past the proxy: measured directly, and said so.
    const why = `measured without the proxy: the instance does not take SANDBOX_PUBLIC_ORIGIN (its issuer is ${issuer})`;
    console.log(`  ${why}`);
    return await measureLoad(direct(instance.origin), plan, 'single', { directBecause: why });
  } finally {
    await proxy.stop();
    await instance.stop();
  }
}

/** What Redis held: bytes used and the run's keys. */
interface RedisSnapshot {
  readonly usedMemory: number;
  readonly keys: number;
}

/** Two instances on one Redis behind the proxy. */
async function measureMulti(plan: LoadPlan): Promise<{
  load: LoadResult;
  sameKeys: boolean;
  redis: {
    start: RedisSnapshot;
    before: RedisSnapshot;
    after: RedisSnapshot;
    expired: RedisSnapshot;
    expiryMs: number;
    left: KeyKind[];
  };
}> {
  heading('7.2 Workshop load on TWO sandbox instances, one Redis, behind the proxy');
  const redis: BenchRedis = await startBenchRedis(REDIS_PORT);
  const prefix = `workshop-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}:`;
  const snapshot = async (): Promise<RedisSnapshot> => ({
    usedMemory: await redis.usedMemory(),
    keys: await redis.countKeys(prefix),
  });
  const proxyOrigin = `http://localhost:${PROXY_PORT}`;
  const instances: Started[] = [];
  let proxy: WorkshopProxy | undefined;
  try {
    const env = { SANDBOX_REDIS_URL: redis.url, SANDBOX_REDIS_PREFIX: prefix };
    // One after the other: the second finds what the first put in the store (its signing key).
    for (const port of INSTANCE_PORTS) instances.push(await startInstance(port, proxyOrigin, env));
    proxy = await startWorkshopProxy(
      PROXY_PORT,
      instances.map((i) => i.origin),
    );
    const issuers = await Promise.all(instances.map((i) => issuerAt(i.origin)));
    const wrong = issuers.find((issuer) => !issuer.startsWith(proxyOrigin));
    if (wrong !== undefined)
      throw new Error(
        `the instances do not take SANDBOX_PUBLIC_ORIGIN (an issuer is ${wrong}): behind a proxy they would send browsers past it`,
      );
    const keySets = new Set(await Promise.all(instances.map((i) => keyIdsAt(i.origin))));
    const start = await snapshot();
    console.log(
      `  Redis at start: ${start.keys} keys under ${prefix}, used_memory ${kb(start.usedMemory).toFixed(0)} KB`,
    );
    /** Waits until no key of the run has a time to live left (at most EXPIRY_WAIT_MAX_MS). */
    const expiry = async (): Promise<{ snapshot: RedisSnapshot; ms: number; left: KeyKind[] }> => {
      const started = performance.now();
      for (;;) {
        const left = await redis.keyKinds(prefix);
        const expiring = left.filter((k) => k.count > k.lasting);
        const longest = Math.max(0, ...expiring.map((k) => k.maxTtlSeconds)) * 1000;
        const waited = performance.now() - started;
        // Keys that outlive the wait are reported at once rather than waited for.
        if (expiring.length === 0 || waited + longest > EXPIRY_WAIT_MAX_MS + 2_000)
          return { snapshot: await snapshot(), ms: waited, left };
        await sleep(Math.min(2_000, longest + 100));
      }
    };
    // "Before" is read once the warm-up's artifacts have expired: only the tenant's lasting state (its
    // signing keys, consents) is left, which the load must come back to.
    let before = start;
    let after = start;
    const load = await measureLoad(proxy, plan, 'multi', {
      beforeLoad: async () => {
        const settled = await expiry();
        before = settled.snapshot;
        console.log(
          `  Redis before the load (the warm-up's artifacts expired in ${(settled.ms / 1000).toFixed(0)} s): ${before.keys} keys, ${kb(before.usedMemory).toFixed(0)} KB`,
        );
      },
      afterLoad: async () => {
        after = await snapshot();
      },
    });
    console.log(
      `  Redis right after: ${after.keys} keys, ${kb(after.usedMemory).toFixed(0)} KB; waiting for the artifacts to expire (at most ${EXPIRY_WAIT_MAX_MS / 1000} s)…`,
    );
    const { snapshot: expired, ms: expiryMs, left } = await expiry();
    console.log(
      `  Redis after ${(expiryMs / 1000).toFixed(0)} s: ${expired.keys} keys, ${kb(expired.usedMemory).toFixed(0)} KB`,
    );
    // What is left, by kind: what outlives the run, and for how long.
    for (const k of left)
      console.log(
        `    ${k.kind.padEnd(40)} ${String(k.count).padStart(5)} keys${k.lasting > 0 ? `, ${k.lasting} without expiry` : ''}${k.count > k.lasting ? `, longest time to live ${formatSeconds(k.maxTtlSeconds)}` : ''}`,
      );
    return {
      load,
      sameKeys: keySets.size === 1,
      redis: { start, before, after, expired, expiryMs, left },
    };
  } finally {
    await proxy?.stop();
    for (const instance of instances) await instance.stop();
    await redis.stop();
  }
}

/** An error on one line, with the end of what a server printed before it exited (at most 400 characters). */
const message = (error: unknown): string => {
  const lines = (error instanceof Error ? error.message : String(error))
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const text = [lines[0] ?? '', ...lines.slice(1).slice(-3)].join(' … ');
  return text.length > 400 ? `${text.slice(0, 400)}…` : text;
};

/** Section 7: both set-ups, one after the other, then the figures. */
export async function benchWorkshop(): Promise<SectionResult> {
  heading('7. Workshop: a class on one tenant, two instances on Redis vs one in memory');
  const n = workshopN();
  const plan = planFor(n);
  const flows = total(plan);
  const codeFlows = plan.code + plan['code-mfa'];
  console.log(
    `  ${codeFlows} auth code + PKCE flows (${plan['code-mfa']} with the MFA user), ${plan.device} device code, ${plan['client-credentials']} client credentials; after ${WARM_UP_PER_KIND} of each to warm up; a device flow's time leaves out its waits for the polling interval (RFC 8628 §3.5)`,
  );
  let single: LoadResult | undefined;
  let singleError: string | undefined;
  try {
    single = await measureSingle(plan);
  } catch (error) {
    singleError = message(error);
    console.error(`  one instance: could not be measured: ${singleError}`);
  }
  let multi: Awaited<ReturnType<typeof measureMulti>> | undefined;
  let multiError: string | undefined;
  try {
    multi = await measureMulti(plan);
  } catch (error) {
    multiError = message(error);
    console.error(`  two instances: could not be measured: ${multiError}`);
  }
  if (single === undefined && multi === undefined)
    throw new Error(`neither set-up could be measured: ${singleError ?? ''}; ${multiError ?? ''}`);

  const m = multi?.load;
  const s = single;
  const singleNote = singleError ?? s?.note;
  const noteOf = (error: string | undefined) => (error === undefined ? {} : { note: error });
  const exactly = (limit: number) => ({ op: '=' as const, limit });
  const codeCompleted = (load: LoadResult | undefined) =>
    load === undefined ? undefined : load.kinds.code.completed + load.kinds['code-mfa'].completed;
  const errors = (load: LoadResult | undefined) =>
    load === undefined ? undefined : load.all.errors + load.proxy.failures;
  const firstErrors = (load: LoadResult | undefined) =>
    load === undefined || load.all.firstErrors.length === 0
      ? {}
      : { note: load.all.firstErrors.slice(0, 3).join(' | ') };

  const figures: Figure[] = [
    figure(
      'two instances: auth code flows completed',
      codeCompleted(m),
      'count',
      exactly(codeFlows),
      noteOf(multiError),
    ),
    figure(
      'two instances: all flows completed',
      m?.all.completed,
      'count',
      exactly(flows),
      noteOf(multiError),
    ),
    figure('two instances: errors (failed flows + bad gateways)', errors(m), 'count', exactly(0), {
      ...noteOf(multiError),
      ...firstErrors(m),
    }),
    figure('two instances: crossed sessions', m?.all.crossed, 'count', exactly(0), noteOf(multiError)),
    figure(
      'two instances: flows switching instance at every request',
      m?.proxy.alternatingFlows,
      'count',
      exactly(m?.proxy.multiRequestFlows ?? flows),
      noteOf(multiError),
    ),
    figure(
      'two instances: distinct signing key sets published',
      multi === undefined ? undefined : multi.sameKeys ? 1 : 2,
      'count',
      exactly(1),
      noteOf(multiError),
    ),
    figure(
      'one instance in memory: flows completed',
      s?.all.completed,
      'count',
      exactly(flows),
      noteOf(singleNote),
    ),
    figure('one instance in memory: errors', errors(s), 'count', exactly(0), {
      ...noteOf(singleNote),
      ...firstErrors(s),
    }),
    figure(
      'one instance in memory: crossed sessions',
      s?.all.crossed,
      'count',
      exactly(0),
      noteOf(singleNote),
    ),
  ];
  for (const kind of FLOW_KINDS) {
    const label = KIND_LABEL[kind];
    const mk = m?.kinds[kind];
    const sk = s?.kinds[kind];
    const value = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? undefined : v);
    figures.push(
      figure(`${label}: p50 per flow, two instances`, value(mk?.p50), 'ms', undefined, noteOf(multiError)),
      figure(`${label}: p99 per flow, two instances`, value(mk?.p99), 'ms', undefined, noteOf(multiError)),
      figure(`${label}: p50 per flow, one in memory`, value(sk?.p50), 'ms', undefined, noteOf(singleNote)),
      figure(`${label}: p99 per flow, one in memory`, value(sk?.p99), 'ms', undefined, noteOf(singleNote)),
      figure(
        `${label}: p99 two instances ÷ one in memory`,
        value(mk === undefined || sk === undefined ? undefined : mk.p99 / sk.p99),
        'ratio',
        { op: '<=', limit: 1, basis: 'issue 15' },
        noteOf(multiError ?? singleNote),
      ),
    );
  }
  const r = multi?.redis;
  const redisNote = noteOf(multiError);
  figures.push(
    figure(
      'Redis used_memory before the load',
      r === undefined ? undefined : kb(r.before.usedMemory),
      'KB',
      undefined,
      redisNote,
    ),
    figure(
      'Redis used_memory right after the load',
      r === undefined ? undefined : kb(r.after.usedMemory),
      'KB',
      undefined,
      redisNote,
    ),
    figure(
      'Redis used_memory once the artifacts expired',
      r === undefined ? undefined : kb(r.expired.usedMemory),
      'KB',
      r === undefined
        ? undefined
        : {
            op: '<=',
            limit: kb(r.before.usedMemory) * (1 + MEMORY_SLACK),
            basis: `before + ${MEMORY_SLACK * 100} %`,
          },
      r === undefined ? redisNote : { note: `after ${(r.expiryMs / 1000).toFixed(0)} s` },
    ),
    figure('Redis keys of the run before the load', r?.before.keys, 'count', undefined, redisNote),
    figure('Redis keys of the run right after the load', r?.after.keys, 'count', undefined, redisNote),
    figure(
      'Redis keys of the run once the artifacts expired',
      r?.expired.keys,
      'count',
      r === undefined ? undefined : { op: '<=', limit: r.before.keys, basis: 'before' },
      redisNote,
    ),
  );
  console.log('');
  printFigures(figures);
  const details = (load: LoadResult | undefined) =>
    load === undefined
      ? undefined
      : { wallMs: load.wallMs, all: load.all, kinds: load.kinds, proxy: load.proxy };
  return {
    figures,
    details: {
      n,
      plan,
      warmUpPerKind: WARM_UP_PER_KIND,
      oneInstanceInMemory: details(single) ?? { error: singleError },
      twoInstancesOnRedis:
        multi === undefined
          ? { error: multiError }
          : { ...details(multi.load), sameSigningKeys: multi.sameKeys, redis: multi.redis },
    },
  };
}
