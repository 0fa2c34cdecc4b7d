/**
 * The workshop load: a class of people running complete flows at once against one sandbox tenant, each
 * request sent through the proxy with the flow's own {@link FLOW_HEADER}, so successive requests of one
 * flow land on different instances. Four kinds:
 *
 *   code         authorization code + PKCE with a user without MFA (throughput.ts's `runFlow`), then
 *                Graph `/me` with the access token, then the refresh token redeemed (RFC 6749 §6);
 *   code-mfa     the same with Megan, who enters her verification code;
 *   device       device authorization grant (RFC 8628): device code, a first poll (pending), the user
 *                step over HTTP in a jar of its own (code, sign-in, verification code for Megan,
 *                consent), polls until the tokens come, then Graph `/me`;
 *   client-credentials   the web app's token for Graph (RFC 6749 §4.4), then Graph `/users` with it.
 *
 * Every token is checked against the flow that asked for it: a token whose `oid`, pairwise `sub`,
 * `nonce` or `appid` belongs to another flow's user or request counts as a crossed session.
 */
import { Agent } from 'node:http';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { pairwiseSubject } from '../../server/sandbox/provider-config.ts';
import {
  DEFAULT_APP_ORIGIN,
  GRAPH_RESOURCE,
  SANDBOX_TENANT,
  SANDBOX_USERS,
  sandboxApp,
  type SandboxApp,
  type SandboxUser,
} from '../../server/sandbox/seed.ts';
import { claims, FlowClient, formAction, percentile, runFlow, type Timing } from './throughput.ts';
import { FLOW_HEADER } from './workshop-proxy.ts';

/** The kinds of flow in the load, in the order they are reported. */
export const FLOW_KINDS = ['code', 'code-mfa', 'device', 'client-credentials'] as const;
export type FlowKind = (typeof FLOW_KINDS)[number];

/** How each kind is named in the report. */
export const KIND_LABEL: Record<FlowKind, string> = {
  code: 'auth code + PKCE',
  'code-mfa': 'auth code + PKCE, MFA user',
  device: 'device code',
  'client-credentials': 'client credentials',
};

/** What one flow of the load took and how it ended. */
export interface WorkshopRun {
  readonly kind: FlowKind;
  readonly timings: readonly Timing[];
  /** Time spent waiting on the sandbox: the wall time less the device flow's polling interval waits. */
  readonly ms: number;
  readonly error?: string;
  /** A token carried another flow's user or request; `error` says which. */
  readonly crossed?: boolean;
}

/** How many flows of each kind one load runs. */
export type LoadPlan = Readonly<Record<FlowKind, number>>;

const TOKEN_PATH = `/${SANDBOX_TENANT.id}/oauth2/v2.0/token`;
const DEVICE_CODE_PATH = `/${SANDBOX_TENANT.id}/oauth2/v2.0/devicecode`;
const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
/** What the user flows ask for: an ID token, a refresh token and Graph's User.Read. */
const USER_SCOPE = 'openid profile offline_access User.Read';
/** Polls before a device flow gives up waiting for its tokens (each at the interval the server set). */
const MAX_POLLS = 12;

const WEB_APP = sandboxApp('web');
/** The public client with "Allow public client flows": the device flow's client. */
const CONSOLE = sandboxApp('publicClient');
const SPA = sandboxApp('spa');
const MEGAN = SANDBOX_USERS.find((u) => u.mfaRequired)!;
/** The users without MFA, taken in turn, so a token handed to the wrong flow shows a foreign `oid`. */
const WITHOUT_MFA = SANDBOX_USERS.filter((u) => !u.mfaRequired);

/** A token (or an answer) belonging to another flow's user or request. */
class Crossed extends Error {}

function tokenOf(body: Record<string, unknown>, name: string): string {
  const value = body[name];
  if (typeof value !== 'string') throw new Error(`the token response has no ${name}`);
  return value;
}

/** The user's tokens must be this user's: `oid` in both, `sub` pairwise for `app` in the ID token. */
function checkUserTokens(tokens: Record<string, unknown>, user: SandboxUser, app: SandboxApp): void {
  const id = claims(tokenOf(tokens, 'id_token'));
  const access = claims(tokenOf(tokens, 'access_token'));
  if (id['oid'] !== user.oid || access['oid'] !== user.oid)
    throw new Crossed(`a token of ${user.userPrincipalName}'s flow names another user (oid)`);
  // Entra's `sub` is pairwise per application (provider-config.ts).
  if (id['sub'] !== pairwiseSubject(user.oid, app.clientId))
    throw new Crossed(`the ID token of ${user.userPrincipalName}'s flow has another subject (sub)`);
}

/** Graph `/me` with `accessToken` on the next instance: it must verify the token and answer this user. */
async function callMe(client: FlowClient, origin: URL, user: SandboxUser): Promise<void> {
  const reply = await client.send('Graph /me', 'GET', new URL('/v1.0/me', origin));
  if (reply.status !== 200) throw new Error(`Graph /me: ${reply.status} ${reply.body.slice(0, 200)}`);
  const me = JSON.parse(reply.body) as { id?: unknown };
  if (me.id !== user.oid) throw new Crossed(`Graph /me answered another user for ${user.userPrincipalName}`);
}

function bearerClient(agent: Agent, origin: URL, flow: string, accessToken: string): FlowClient {
  return new FlowClient(agent, origin, { [FLOW_HEADER]: flow, authorization: `Bearer ${accessToken}` });
}

function ended(kind: FlowKind, clients: readonly FlowClient[], ms: number, error?: unknown): WorkshopRun {
  const timings = clients.flatMap((c) => c.timings);
  if (error === undefined) return { kind, timings, ms };
  const message = error instanceof Error ? error.message : String(error);
  return { kind, timings, ms, error: message, ...(error instanceof Crossed ? { crossed: true } : {}) };
}

/** Authorization code + PKCE (throughput.ts's driver), then Graph `/me` with its access token. */
async function codeFlow(agent: Agent, origin: URL, kind: FlowKind, user: SandboxUser, flow: string) {
  const client = new FlowClient(agent, origin, { [FLOW_HEADER]: flow });
  const run = await runFlow(agent, origin, user, client);
  if (run.error !== undefined || run.tokens === undefined)
    return {
      kind,
      timings: run.timings,
      ms: run.ms,
      error: run.error ?? 'no tokens',
      ...(run.crossed === true ? { crossed: true } : {}),
    };
  const started = performance.now();
  const graph = bearerClient(agent, origin, flow, tokenOf(run.tokens, 'access_token'));
  try {
    await callMe(graph, origin, user);
    // RFC 6749 §6 on the next instance; the SPA redeems from the app's origin (a browser would).
    const reply = await client.send(
      'refresh',
      'POST',
      new URL(TOKEN_PATH, origin),
      {
        client_id: SPA.clientId,
        grant_type: 'refresh_token',
        refresh_token: tokenOf(run.tokens, 'refresh_token'),
        scope: USER_SCOPE,
      },
      DEFAULT_APP_ORIGIN,
    );
    if (reply.status !== 200) throw new Error(`refresh: ${reply.status} ${reply.body.slice(0, 200)}`);
    checkUserTokens(JSON.parse(reply.body) as Record<string, unknown>, user, SPA);
    return ended(kind, [client, graph], run.ms + performance.now() - started);
  } catch (error) {
    return ended(kind, [client, graph], run.ms + performance.now() - started, error);
  }
}

/** The hidden inputs of a page's form plus `fields`, as a browser submits it. */
function submission(page: string, fields: Record<string, string>): Record<string, string> {
  const form: Record<string, string> = {};
  for (const m of page.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g))
    form[m[1] ?? ''] = (m[2] ?? '').replaceAll('&amp;', '&');
  return { ...form, ...fields };
}

/** The user's side of the device flow in a browser of its own: code, sign-in, MFA, consent. */
async function approveDeviceCode(browser: FlowClient, origin: URL, userCode: string, user: SandboxUser) {
  let step = await browser.go('device: code page', new URL('/devicelogin', origin));
  if (step instanceof URL) throw new Error(`device: the code page sent the browser to ${step.origin}`);
  step = await browser.go(
    'device: enter code',
    formAction(step),
    submission(step.page, { user_code: userCode }),
  );
  for (let guard = 0; guard < 5; guard += 1) {
    if (step instanceof URL) throw new Error(`device: sign-in left the sandbox for ${step.origin}`);
    const page = step;
    if (page.page.includes('name="password"'))
      step = await browser.go('device: credentials', formAction(page), {
        username: user.userPrincipalName,
        password: user.password,
      });
    else if (page.page.includes('name="otc"'))
      step = await browser.go('device: verification code', formAction(page), { otc: user.mfaCode ?? '' });
    else if (page.page.includes('name="action"'))
      step = await browser.go('device: consent', formAction(page), { action: 'accept' });
    else if (page.page.includes('Return to your device')) return;
    else throw new Error(`device: unexpected page at ${page.url.pathname}`);
  }
  throw new Error('device: the sign-in did not end');
}

/** RFC 8628: device code, a first poll, the user step, polls at the interval, then Graph `/me`. */
async function deviceFlow(agent: Agent, origin: URL, user: SandboxUser, flow: string): Promise<WorkshopRun> {
  const device = new FlowClient(agent, origin, { [FLOW_HEADER]: flow });
  const browser = new FlowClient(agent, origin, { [FLOW_HEADER]: flow });
  const clients = [device, browser];
  const started = performance.now();
  let waited = 0;
  try {
    const start = await device.send('device: device code', 'POST', new URL(DEVICE_CODE_PATH, origin), {
      client_id: CONSOLE.clientId,
      scope: USER_SCOPE,
    });
    if (start.status !== 200) throw new Error(`device code: ${start.status} ${start.body.slice(0, 200)}`);
    const grant = JSON.parse(start.body) as Record<string, unknown>;
    const deviceCode = String(grant['device_code']);
    let interval = Number(grant['interval'] ?? 5) * 1000;
    const poll = () =>
      device.send('device: poll', 'POST', new URL(TOKEN_PATH, origin), {
        client_id: CONSOLE.clientId,
        grant_type: DEVICE_GRANT,
        device_code: deviceCode,
      });
    // RFC 8628 §3.5: before the user has approved, the answer is authorization_pending.
    const first = await poll();
    let lastPoll = performance.now();
    const pending = JSON.parse(first.body) as Record<string, unknown>;
    if (pending['error'] !== 'authorization_pending')
      throw new Error(`first poll: ${first.status} ${first.body.slice(0, 200)}`);
    await approveDeviceCode(browser, origin, String(grant['user_code']), user);
    for (let polls = 0; polls < MAX_POLLS; polls += 1) {
      // RFC 8628 §3.5: the client waits at least `interval` seconds between polls.
      const wait = Math.max(0, lastPoll + interval - performance.now());
      await sleep(wait);
      waited += wait;
      const reply = await poll();
      lastPoll = performance.now();
      const body = JSON.parse(reply.body) as Record<string, unknown>;
      if (reply.status === 200) {
        checkUserTokens(body, user, CONSOLE);
        const graph = bearerClient(agent, origin, flow, tokenOf(body, 'access_token'));
        clients.push(graph);
        await callMe(graph, origin, user);
        return ended('device', clients, performance.now() - started - waited);
      }
      // RFC 8628 §3.5: on slow_down the interval grows by 5 seconds for every later poll.
      if (body['error'] === 'slow_down') interval += 5_000;
      else if (body['error'] !== 'authorization_pending')
        throw new Error(`poll: ${reply.status} ${reply.body.slice(0, 200)}`);
    }
    throw new Error(`no tokens after ${MAX_POLLS} polls`);
  } catch (error) {
    return ended('device', clients, performance.now() - started - waited, error);
  }
}

/** RFC 6749 §4.4: the web app's token for Graph, then Graph `/users` with it on the next instance. */
async function clientCredentialsFlow(agent: Agent, origin: URL, flow: string): Promise<WorkshopRun> {
  const client = new FlowClient(agent, origin, { [FLOW_HEADER]: flow });
  const clients = [client];
  const started = performance.now();
  try {
    const reply = await client.send('client credentials: token', 'POST', new URL(TOKEN_PATH, origin), {
      grant_type: 'client_credentials',
      client_id: WEB_APP.clientId,
      client_secret: WEB_APP.clientSecret ?? '',
      scope: `${GRAPH_RESOURCE.identifier}/.default`,
    });
    if (reply.status !== 200) throw new Error(`token: ${reply.status} ${reply.body.slice(0, 200)}`);
    const accessToken = tokenOf(JSON.parse(reply.body) as Record<string, unknown>, 'access_token');
    const access = claims(accessToken);
    // An app-only token names the app (appid) and no user (no scp).
    if (access['appid'] !== WEB_APP.clientId || access['scp'] !== undefined)
      throw new Crossed("the client credentials token is not the web app's own");
    const graph = bearerClient(agent, origin, flow, accessToken);
    clients.push(graph);
    const users = await graph.send('Graph /users', 'GET', new URL('/v1.0/users', origin));
    if (users.status !== 200) throw new Error(`Graph /users: ${users.status} ${users.body.slice(0, 200)}`);
    return ended('client-credentials', clients, performance.now() - started);
  } catch (error) {
    return ended('client-credentials', clients, performance.now() - started, error);
  }
}

/** The kind of flow number `i` of a plan, its kinds interleaved so every kind runs from the start. */
function schedule(plan: LoadPlan): FlowKind[] {
  const left = { ...plan };
  const order: FlowKind[] = [];
  while (FLOW_KINDS.some((k) => left[k] > 0))
    for (const kind of FLOW_KINDS)
      if (left[kind] > 0) {
        order.push(kind);
        left[kind] -= 1;
      }
  return order;
}

/**
 * Starts every flow of `plan` at once against `origin` (the proxy) and resolves when all have ended.
 * `label` makes the flow ids unique to this load.
 */
export async function runWorkshopLoad(
  origin: URL,
  plan: LoadPlan,
  label: string,
): Promise<{ runs: WorkshopRun[]; wallMs: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: Infinity });
  const counters: Record<FlowKind, number> = { code: 0, 'code-mfa': 0, device: 0, 'client-credentials': 0 };
  const started = performance.now();
  const runs = await Promise.all(
    schedule(plan).map((kind, i) => {
      const nth = counters[kind]++;
      const flow = `${label}-${i}-${randomBytes(4).toString('hex')}`;
      switch (kind) {
        case 'code':
          return codeFlow(agent, origin, kind, WITHOUT_MFA[nth % WITHOUT_MFA.length]!, flow);
        case 'code-mfa':
          return codeFlow(agent, origin, kind, MEGAN, flow);
        case 'device':
          return deviceFlow(agent, origin, SANDBOX_USERS[nth % SANDBOX_USERS.length]!, flow);
        case 'client-credentials':
          return clientCredentialsFlow(agent, origin, flow);
      }
    }),
  );
  const wallMs = performance.now() - started;
  agent.destroy();
  return { runs, wallMs };
}

/** Figures of one kind (or all) of a load's runs. */
export interface KindStats {
  readonly flows: number;
  readonly completed: number;
  readonly errors: number;
  readonly crossed: number;
  readonly firstErrors: readonly string[];
  /** Per flow, ms (NaN when none completed). */
  readonly p50: number;
  readonly p99: number;
  /** Per request, ms. */
  readonly requestP50: number;
  readonly requestP99: number;
  readonly requests: number;
}

/** Completed, errors, crossed and percentiles of `runs`. Percentiles per flow count completed flows only. */
export function kindStats(runs: readonly WorkshopRun[]): KindStats {
  const done = runs.filter((r) => r.error === undefined);
  const failed = runs.filter((r) => r.error !== undefined);
  const requests = runs.flatMap((r) => r.timings.map((t) => t.ms));
  return {
    flows: runs.length,
    completed: done.length,
    errors: failed.length,
    crossed: runs.filter((r) => r.crossed === true).length,
    firstErrors: [...new Set(failed.map((r) => `${KIND_LABEL[r.kind]}: ${r.error ?? ''}`))].slice(0, 5),
    p50: percentile(
      done.map((r) => r.ms),
      50,
    ),
    p99: percentile(
      done.map((r) => r.ms),
      99,
    ),
    requestP50: percentile(requests, 50),
    requestP99: percentile(requests, 99),
    requests: requests.length,
  };
}
