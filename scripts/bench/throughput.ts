/**
 * Section 5, the sandbox under load, alone in its own process so the load generators do not share its
 * event loop (they do share the machine's cores). First the bound the machine sets, measured in the same
 * run: RS256 signatures per second on one core (each token is one signature, a code flow's token
 * response two). Then:
 *
 *   a. client-credentials tokens/s: autocannon on loopback against the token endpoint, a short warm-up
 *      run first, then the measured run;
 *   b. complete authorization code + PKCE flows/s: FLOW_COUNT flows, FLOW_CONCURRENCY at a time, each in
 *      its own cookie jar as server/sandbox/test-support.ts walks them (authorize → sign-in page → POST
 *      credentials → consent page → POST consent → redirect with the code → token request), every
 *      request timed;
 *   c. AT_ONCE flows started together, as server/sandbox/concurrency.test.ts runs them (half Adele,
 *      half Megan with her verification code): a correctness figure under a burst, not a rate.
 */
import { Agent, request, type IncomingHttpHeaders } from 'node:http';
import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import autocannon from 'autocannon';
import {
  CALLBACK_PATH,
  DEFAULT_APP_ORIGIN,
  SANDBOX_TENANT,
  SANDBOX_USERS,
  sandboxApp,
  type SandboxUser,
} from '../../server/sandbox/seed.ts';
import { pairwiseSubject } from '../../server/sandbox/provider-config.ts';
import { figureFor, heading, printFigures, type Figure, type SectionResult } from './report.ts';
import { startLoadSandbox } from './servers.ts';

const SECTION = 'Throughput';
const figure = figureFor(SECTION);

const CC_DURATION_S = 10;
const CC_WARM_UP_S = 2;
const CC_CONNECTIONS = 16;
const CC_TARGET_PER_S = 2_000;

const FLOW_COUNT = 1_000;
const FLOW_WARM_UP = 100;
const FLOW_CONCURRENCY = 16;
const FLOW_TARGET_PER_S = 100;

const AT_ONCE = 200;
/** concurrency.test.ts fails a burst slower than this. */
const AT_ONCE_WALL_LIMIT_MS = 40_000;

/** Issue 12: every request of either load, at its 99th percentile. */
const P99_LIMIT_MS = 50;

/** "Flow Lab Web App", the seeded confidential client with application permissions on Graph. */
const WEB_APP = sandboxApp('web');
/** The seeded single-page app: public, PKCE, redeems cross-origin from the app's origin. */
const SPA = sandboxApp('spa');
const REDIRECT_URI = `${DEFAULT_APP_ORIGIN}${CALLBACK_PATH}`;
const FLOW_SCOPE = 'openid profile offline_access User.Read';
const ADELE = SANDBOX_USERS[0]!;
const MEGAN = SANDBOX_USERS[1]!;

const CC_BODY = new URLSearchParams({
  grant_type: 'client_credentials',
  client_id: WEB_APP.clientId,
  client_secret: WEB_APP.clientSecret ?? '',
  scope: 'https://graph.microsoft.com/.default',
}).toString();

/** Nearest-rank percentile of unsorted values, in their unit; NaN for none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}

const ms = (value: number): string => `${value < 10 ? value.toFixed(1) : Math.round(value).toString()} ms`;

// ---------------------------------------------------------------------------------------------------
// The machine's own bound: every token is one RS256 signature (a code flow's token response two).

const SIGN_SECONDS = 1;

/**
 * RS256 signatures per second on one core of this machine, now: a fresh 2048-bit key (as the sandbox's)
 * signing a token-sized payload synchronously for SIGN_SECONDS. Two cores sign at most twice that.
 */
function measureRs256(): number {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const payload = randomBytes(700);
  for (let i = 0; i < 50; i += 1) sign('sha256', payload, privateKey);
  let count = 0;
  const started = performance.now();
  while (performance.now() - started < SIGN_SECONDS * 1000) {
    sign('sha256', payload, privateKey);
    count += 1;
  }
  return count / ((performance.now() - started) / 1000);
}

// ---------------------------------------------------------------------------------------------------
// a. client credentials

function loadTokens(url: string, seconds: number): Promise<autocannon.Result> {
  return autocannon({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: CC_BODY,
    connections: CC_CONNECTIONS,
    duration: seconds,
    timeout: 10,
  });
}

async function benchClientCredentials(origin: string): Promise<{ figures: Figure[]; details: unknown }> {
  console.log(`\n  a. client credentials: ${CC_CONNECTIONS} connections, ${CC_DURATION_S} s`);
  const url = `${origin}/${SANDBOX_TENANT.id}/oauth2/v2.0/token`;
  const check = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: CC_BODY,
  });
  const sample = (await check.json()) as { access_token?: unknown };
  if (check.status !== 200 || typeof sample.access_token !== 'string')
    throw new Error(`the token endpoint did not issue a token: ${check.status} ${JSON.stringify(sample)}`);

  const warm = await loadTokens(url, CC_WARM_UP_S);
  console.log(`  warm-up ${CC_WARM_UP_S} s: ${Math.round(warm['2xx'] / warm.duration)} tokens/s`);
  const result = await loadTokens(url, CC_DURATION_S);
  const perSecond = result['2xx'] / result.duration;
  console.log(
    `  ${result['2xx']} tokens in ${result.duration.toFixed(1)} s; latency p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, max ${result.latency.max} ms; errors ${result.errors} (timeouts ${result.timeouts}), non-2xx ${result.non2xx}`,
  );
  return {
    figures: [
      figure('client-credentials tokens per second', perSecond, '/s', { op: '>=', limit: CC_TARGET_PER_S }),
      figure('client credentials: p99 per request', result.latency.p99, 'ms', {
        op: '<=',
        limit: P99_LIMIT_MS,
      }),
      figure('client credentials: errors + non-2xx responses', result.errors + result.non2xx, 'count', {
        op: '=',
        limit: 0,
      }),
    ],
    details: {
      connections: CC_CONNECTIONS,
      durationS: result.duration,
      tokens: result['2xx'],
      latency: result.latency,
      errors: result.errors,
      timeouts: result.timeouts,
      non2xx: result.non2xx,
      statusCodeStats: result.statusCodeStats,
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// b, c. authorization code + PKCE flows

interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** One timed request of a flow: which step, how long until its body was read. */
export interface Timing {
  readonly step: string;
  readonly ms: number;
  readonly status: number;
}

/**
 * A plain `node:http` client with one cookie jar, timing every request (lighter than `fetch` under load).
 * `extraHeaders` go with every request (the workshop bench's proxy routes one flow by them).
 */
export class FlowClient {
  readonly #cookies = new Map<string, string>();
  readonly timings: Timing[] = [];

  constructor(
    private readonly agent: Agent,
    private readonly origin: URL,
    private readonly extraHeaders: Readonly<Record<string, string>> = {},
  ) {}

  async send(step: string, method: 'GET' | 'POST', url: URL, form?: Record<string, string>, origin?: string) {
    const body = form === undefined ? undefined : new URLSearchParams(form).toString();
    const headers: Record<string, string> = { ...this.extraHeaders };
    const cookie = [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (cookie !== '') headers['cookie'] = cookie;
    if (body !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    if (origin !== undefined) headers['origin'] = origin;
    const started = performance.now();
    const reply = await new Promise<Reply>((resolve, reject) => {
      const req = request(
        {
          agent: this.agent,
          method,
          hostname: this.origin.hostname,
          port: this.origin.port,
          path: `${url.pathname}${url.search}`,
          headers,
          timeout: 30_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks).toString('utf8'),
            }),
          );
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${step}: no answer within 30 s`)));
      req.on('error', reject);
      req.end(body);
    });
    this.timings.push({ step, ms: performance.now() - started, status: reply.status });
    for (const line of reply.headers['set-cookie'] ?? []) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
    return reply;
  }

  /** Sends, then follows redirects inside the sandbox; returns the page, or the app URL it was sent to. */
  async go(step: string, url: URL, form?: Record<string, string>): Promise<{ page: string; url: URL } | URL> {
    let reply = await this.send(step, form === undefined ? 'GET' : 'POST', url, form);
    let at = url;
    for (let hops = 0; hops < 10; hops += 1) {
      const location = reply.headers.location;
      if (reply.status < 300 || reply.status >= 400 || location === undefined) {
        if (reply.status !== 200) throw new Error(`${step}: ${reply.status} at ${at.pathname}`);
        return { page: reply.body, url: at };
      }
      const next = new URL(location, at);
      if (next.origin !== this.origin.origin) return next;
      at = next;
      const page = at.pathname.startsWith('/interaction/') ? 'interaction page' : 'authorize (resumed)';
      reply = await this.send(`${step} → ${page}`, 'GET', at);
    }
    throw new Error(`${step}: too many redirects`);
  }
}

/** The URL a page's first form posts to. */
export function formAction(page: { page: string; url: URL }): URL {
  const match = /<form[^>]*action="([^"]+)"/.exec(page.page);
  if (match?.[1] === undefined) throw new Error(`no form on ${page.url.pathname}`);
  return new URL(match[1].replaceAll('&amp;', '&'), page.url);
}

/** A JWT's payload, unverified (the bench checks whose token it is, not its signature). */
export function claims(jwt: unknown): Record<string, unknown> {
  const payload = String(jwt).split('.')[1] ?? '';
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** What one flow took: its requests, its wall time, and the error that ended it, if any. */
export interface FlowRun {
  readonly timings: readonly Timing[];
  readonly ms: number;
  readonly error?: string;
  /** The token response, once one was received. */
  readonly tokens?: Record<string, unknown>;
  /** A token belonged to another flow's user or request (its nonce, `oid` or `sub`); `error` says so too. */
  readonly crossed?: boolean;
}

/**
 * One complete flow in a fresh jar: authorize → sign-in page → credentials (→ verification code) →
 * consent → redirect with the code → token request. Checks what concurrency.test.ts checks per flow:
 * the callback answers this flow's state, the ID token carries its nonce and its user (`oid`, and `sub`
 * pairwise for the SPA), the access token its user. `client` may carry headers of its own.
 */
export async function runFlow(
  agent: Agent,
  origin: URL,
  user: SandboxUser,
  client = new FlowClient(agent, origin),
): Promise<FlowRun> {
  const started = performance.now();
  try {
    const verifier = randomBytes(32).toString('base64url');
    const state = randomBytes(8).toString('hex');
    const nonce = randomBytes(8).toString('hex');
    const authorize = new URL(`/${SANDBOX_TENANT.id}/oauth2/v2.0/authorize`, origin);
    authorize.search = new URLSearchParams({
      client_id: SPA.clientId,
      response_type: 'code',
      redirect_uri: REDIRECT_URI,
      scope: FLOW_SCOPE,
      state,
      nonce,
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    }).toString();
    let step = await client.go('authorize', authorize);
    for (let guard = 0; guard < 5 && !(step instanceof URL); guard += 1) {
      const page = step;
      if (page.page.includes('name="password"'))
        step = await client.go('credentials', formAction(page), {
          username: user.userPrincipalName,
          password: user.password,
        });
      else if (page.page.includes('name="otc"'))
        step = await client.go('verification code', formAction(page), { otc: user.mfaCode ?? '' });
      else if (page.page.includes('name="action"'))
        step = await client.go('consent', formAction(page), { action: 'accept' });
      else throw new Error(`unexpected page at ${page.url.pathname}`);
    }
    if (!(step instanceof URL)) throw new Error('never came back to the app');
    if (step.searchParams.get('state') !== state)
      throw new Error(`came back without this flow's state: ${step.search}`);
    const code = step.searchParams.get('code');
    if (code === null) throw new Error(`came back without a code: ${step.search}`);
    const reply = await client.send(
      'token',
      'POST',
      new URL(`/${SANDBOX_TENANT.id}/oauth2/v2.0/token`, origin),
      {
        client_id: SPA.clientId,
        grant_type: 'authorization_code',
        code,
        code_verifier: verifier,
        redirect_uri: REDIRECT_URI,
        scope: FLOW_SCOPE,
      },
      DEFAULT_APP_ORIGIN,
    );
    if (reply.status !== 200) throw new Error(`token request: ${reply.status} ${reply.body.slice(0, 200)}`);
    const tokens = JSON.parse(reply.body) as Record<string, unknown>;
    if (
      typeof tokens['id_token'] !== 'string' ||
      typeof tokens['access_token'] !== 'string' ||
      typeof tokens['refresh_token'] !== 'string'
    )
      throw new Error('no ID, access or refresh token');
    const id = claims(tokens['id_token']);
    const access = claims(tokens['access_token']);
    // OIDC Core §3.1.3.7: the ID token must carry this request's nonce; and every token this flow's user.
    if (
      id['nonce'] !== nonce ||
      id['oid'] !== user.oid ||
      id['sub'] !== pairwiseSubject(user.oid, SPA.clientId) ||
      access['oid'] !== user.oid
    )
      return {
        timings: client.timings,
        ms: performance.now() - started,
        tokens,
        crossed: true,
        error: "the tokens are not this flow's (nonce, oid or sub)",
      };
    return { timings: client.timings, ms: performance.now() - started, tokens };
  } catch (error) {
    return {
      timings: client.timings,
      ms: performance.now() - started,
      error: error instanceof Error ? error.message : String(error),
    };
  }
}

/** Runs `count` flows with at most `concurrency` in flight; `userOf(i)` picks each flow's user. */
async function runFlows(
  origin: URL,
  count: number,
  concurrency: number,
  userOf: (index: number) => SandboxUser,
): Promise<{ runs: FlowRun[]; wallMs: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const runs: FlowRun[] = [];
  let next = 0;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (next < count) {
      const index = next;
      next += 1;
      runs.push(await runFlow(agent, origin, userOf(index)));
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  const wallMs = performance.now() - started;
  agent.destroy();
  return { runs, wallMs };
}

/** Per-request and per-flow statistics of a set of runs. */
export function summarise(runs: readonly FlowRun[]) {
  const requests = runs.flatMap((r) => r.timings);
  const failed = runs.filter((r) => r.error !== undefined);
  const steps = new Map<string, number[]>();
  for (const t of requests) {
    const values = steps.get(t.step) ?? [];
    values.push(t.ms);
    steps.set(t.step, values);
  }
  return {
    completed: runs.length - failed.length,
    errors: failed.length,
    firstErrors: [...new Set(failed.map((r) => r.error))].slice(0, 5),
    serverErrors: requests.filter((t) => t.status >= 500).length,
    requests: requests.length,
    request: {
      p50: percentile(
        requests.map((t) => t.ms),
        50,
      ),
      p99: percentile(
        requests.map((t) => t.ms),
        99,
      ),
    },
    flow: {
      p50: percentile(
        runs.map((r) => r.ms),
        50,
      ),
      p99: percentile(
        runs.map((r) => r.ms),
        99,
      ),
    },
    steps: [...steps].map(([step, values]) => ({
      step,
      count: values.length,
      p50: percentile(values, 50),
      p99: percentile(values, 99),
    })),
  };
}

function printSteps(stats: ReturnType<typeof summarise>): void {
  for (const s of stats.steps)
    console.log(
      `      ${s.step.padEnd(26)} ${String(s.count).padStart(5)}×  p50 ${ms(s.p50)}, p99 ${ms(s.p99)}`,
    );
  for (const message of stats.firstErrors) console.log(`      error: ${message}`);
}

async function benchCodeFlows(origin: URL): Promise<{ figures: Figure[]; details: unknown }> {
  console.log(
    `\n  b. authorization code + PKCE flows: ${FLOW_COUNT} flows (Adele), ${FLOW_CONCURRENCY} at a time, after ${FLOW_WARM_UP} to warm up`,
  );
  await runFlows(origin, FLOW_WARM_UP, FLOW_CONCURRENCY, () => ADELE);
  const { runs, wallMs } = await runFlows(origin, FLOW_COUNT, FLOW_CONCURRENCY, () => ADELE);
  const stats = summarise(runs);
  const perSecond = stats.completed / (wallMs / 1000);
  console.log(
    `  ${stats.completed} flows (${stats.requests} requests) in ${(wallMs / 1000).toFixed(1)} s; per request p50 ${ms(stats.request.p50)}, p99 ${ms(stats.request.p99)}; per flow p50 ${ms(stats.flow.p50)}, p99 ${ms(stats.flow.p99)}; failed flows ${stats.errors}, 5xx ${stats.serverErrors}`,
  );
  printSteps(stats);
  return {
    figures: [
      figure('complete auth code + PKCE flows per second', perSecond, '/s', {
        op: '>=',
        limit: FLOW_TARGET_PER_S,
      }),
      figure('code flows: p99 per request', stats.request.p99, 'ms', { op: '<=', limit: P99_LIMIT_MS }),
      figure('code flows: p50 per request', stats.request.p50, 'ms'),
      figure('code flows: p50 per flow', stats.flow.p50, 'ms'),
      figure('code flows: p99 per flow', stats.flow.p99, 'ms'),
      figure('code flows: failed flows + 5xx responses', stats.errors + stats.serverErrors, 'count', {
        op: '=',
        limit: 0,
      }),
    ],
    details: { count: FLOW_COUNT, concurrency: FLOW_CONCURRENCY, wallMs, ...stats },
  };
}

async function benchAtOnce(origin: URL): Promise<{ figures: Figure[]; details: unknown }> {
  console.log(`\n  c. ${AT_ONCE} flows at once (half Adele, half Megan with her verification code)`);
  const { runs, wallMs } = await runFlows(origin, AT_ONCE, AT_ONCE, (i) => (i % 2 === 0 ? ADELE : MEGAN));
  const stats = summarise(runs);
  console.log(
    `  ${stats.completed} of ${AT_ONCE} completed in ${ms(wallMs)}; per request p50 ${ms(stats.request.p50)}, p99 ${ms(stats.request.p99)}; per flow p50 ${ms(stats.flow.p50)}, p99 ${ms(stats.flow.p99)}; failed flows ${stats.errors}, 5xx ${stats.serverErrors}`,
  );
  printSteps(stats);
  return {
    figures: [
      figure(`${AT_ONCE} flows at once: completed`, stats.completed, 'count', { op: '=', limit: AT_ONCE }),
      figure(
        `${AT_ONCE} flows at once: failed flows + 5xx responses`,
        stats.errors + stats.serverErrors,
        'count',
        {
          op: '=',
          limit: 0,
        },
      ),
      figure(`${AT_ONCE} flows at once: wall time`, wallMs, 'ms', {
        op: '<=',
        limit: AT_ONCE_WALL_LIMIT_MS,
        basis: 'concurrency.test.ts',
      }),
      figure(`${AT_ONCE} flows at once: p50 per flow`, stats.flow.p50, 'ms'),
      figure(`${AT_ONCE} flows at once: p99 per flow`, stats.flow.p99, 'ms'),
    ],
    details: { count: AT_ONCE, wallMs, ...stats },
  };
}

/** The parts of the section, as the header comment names them. */
export type ThroughputPart = 'a' | 'b' | 'c';

/** Measures a sandbox already listening at `origin` (the chosen parts) and prints the figures. */
export async function measureSandbox(
  origin: string,
  parts: readonly ThroughputPart[] = ['a', 'b', 'c'],
): Promise<SectionResult> {
  const rs256 = measureRs256();
  console.log(
    `\n  RS256 signatures on one core of this machine: ${Math.round(rs256)}/s (the sandbox's signing key size)`,
  );
  const cc = parts.includes('a') ? await benchClientCredentials(origin) : undefined;
  const flows = parts.includes('b') ? await benchCodeFlows(new URL(origin)) : undefined;
  const atOnce = parts.includes('c') ? await benchAtOnce(new URL(origin)) : undefined;
  const figures = [
    figure('RS256 signatures per second, one core (the bound per core)', rs256, '/s'),
    ...(cc?.figures ?? []),
    ...(flows?.figures ?? []),
    ...(atOnce?.figures ?? []),
  ];
  console.log('');
  printFigures(figures);
  return {
    figures,
    details: {
      rs256PerSecondOneCore: rs256,
      clientCredentials: cc?.details,
      codeFlows: flows?.details,
      atOnce: atOnce?.details,
    },
  };
}

export async function benchThroughput(): Promise<SectionResult> {
  heading('5. Sandbox throughput: client credentials, complete code flows, a burst of flows at once');
  const sandbox = await startLoadSandbox();
  try {
    return await measureSandbox(sandbox.origin);
  } finally {
    await sandbox.stop();
  }
}
